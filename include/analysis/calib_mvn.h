/* calib_mvn.h: the parameter uncertainty a fit found, as the fragment
 * writes it (docs/calibration.md "What the fragment carries",
 * docs/uncertainty.md): a multivariate normal on the log of the fitted
 * rates, `uncertainty = { mvn = { paths; mean; cov; }; }`, so that a
 * scenario including the fragment and run with --uncertainty draws the
 * fitted rates jointly.
 *
 * Components: every rate the fragment writes from the fit (fitted, not
 * held, identified, with a standard error), in the fragment's order; mean
 * = its log rate (theta); cov = the fit's covariance of those log rates
 * (calib_flow.cov: the inverse observed information, or for --simulate the
 * simulating fit's, inflation included), flows apart (independent fits:
 * zero between flows). Covariate effects are not components: the mvn
 * takes exp of every component and an effect is a log hazard ratio of
 * either sign; the fitted effects are held at their estimates, and the
 * rates' covariance is their marginal one (it does not shrink by holding
 * the effects).
 *
 * The base scenario's own `uncertainty` block, if it has one, is carried
 * over for what the fit does not set: a variant `base = "BASE.cfg";
 * @include "fitted.cfg"` replaces the base's block by the fragment's (a
 * variant's top-level key replaces the base's), so the fragment's block
 * holds the base's parameters and MVN components on settings the fragment
 * leaves at the base's value, and leaves out those on settings it writes
 * from the fit (the fit's block covers the rates; an effect the fit
 * estimated or dropped has no base distribution any more). Kept MVN
 * components keep their covariance among themselves, independent of the
 * fitted rates. */
#ifndef FLOWSIM_CALIB_MVN_H
#define FLOWSIM_CALIB_MVN_H

#include <stdbool.h>

#include "analysis/calib.h"
#include "base/err.h"
#include "model/model.h"

struct calib_mvn {
    int k;                            /* components; 0: none (why says) */
    char (*path)[256];                /* transitions[FLOW:FROM->TO].per_year */
    /* Where each comes from: the result's flow and parameter, or flow -1
     * and the index of the base's MVN component. */
    int *flow, *param;
    double *mean;                     /* log rates */
    double *cov;                      /* k x k, row-major, symmetric */
    char why[160];                    /* when k == 0 */
    /* The base block's entries: parameters kept (indices into
     * m->uncertainty->p), and settings left out because the fit sets them
     * (indices as uncertainty_path counts). */
    int n_kept, *kept;
    int n_replaced, *replaced;
};

/* The fitted rates' joint normal on the log scale from r, and what of m's
 * own block the fragment carries over. Checked as the loader checks it
 * (symmetric, positive-definite by Cholesky): when the covariance of the
 * identified rates is not positive-definite the fit adds no component and
 * why says so. 0, or -1 with e set (EXIT_RUNTIME: out of memory; m has a
 * block and cannot be built again from its file). Free with
 * calib_mvn_fini. */
int calib_mvn_build(const struct model *m, const struct calib_result *r, struct calib_mvn *v,
                    struct err *e);
void calib_mvn_fini(struct calib_mvn *v);

/* Whether component paths include path (the fit draws that setting). */
bool calib_mvn_has(const struct calib_mvn *v, const char *path);

#endif
