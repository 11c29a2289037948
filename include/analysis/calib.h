/* calib.h: the maximum-likelihood fit of a scenario's transition rates
 * (and effects) to an RBS panel, flow by flow, with standard errors and the
 * numbers of the fit check. The likelihood is calib_lik.h; what a fit
 * writes is calib_out.h.
 *
 * BFGS (GSL) finds the optimum; the observed information is the
 * central-difference Jacobian of the analytic gradient, and standard errors
 * come from its inverse (Cholesky). */
#ifndef FLOWSIM_CALIB_H
#define FLOWSIM_CALIB_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/calib_lik.h"
#include "analysis/panel.h"
#include "base/err.h"
#include "model/model.h"

#define CALIB_MAX_WARN 24
/* A rate or hazard ratio whose 95% CI spans more than this factor is not
 * identified (four orders of magnitude). */
#define CALIB_WIDE_CI 1e4
/* Evaluations of the likelihood one flow's optimiser may spend (a fit of
 * the Esbjerg panel needs 100 to 600; a 990-row panel with two covariates
 * about 3,000): a bound on a fit that cannot settle. */
#define CALIB_MAX_EVALS 5000
#define CALIB_GRID_POINTS 21          /* fit-check times */

/* ---- a fit --------------------------------------------------------------- */

struct calib_param {
    int trans;                        /* index into m->transitions */
    int cov;                          /* -1: the rate; else a covariate slot */
    bool fixed;                       /* not estimable from these data: held */
    double theta;                     /* log rate, or beta */
    double theta_se;                  /* NaN when unavailable */
    double est, se, lo, hi;           /* per year (delta-method se, log-scale CI), or beta */
    double base;                      /* the base scenario's value */
    /* Not identified by these data (a 95% CI wider than CALIB_WIDE_CI, a
     * parameter at the optimiser's bounds, a rate the gaps cannot bound,
     * or no positive-definite information): the fragment keeps the base's
     * value and says why. */
    bool unidentified;
    /* What of the base scenario biases this rate in a plain Markov fit
     * (NULL: nothing known): "stay limit" or "full ring". */
    const char *biased_by;
    /* A simulating fit only (else NaN): the plain fit of the observed panel
     * (b_obs, on theta's scale) and the final gap b_obs - b_sim in its
     * standard errors. */
    double plain_theta, gap_se;
};

struct calib_flow {
    int flow;                         /* index in the model */
    bool fitted;
    char why_not[160];                /* when not fitted */
    int n_states;
    int n_params;
    struct calib_param *params;       /* rate of each transition, then betas (as theta) */
    double *cov;                      /* n_params^2 covariance of theta (NaN if none) */
    double minus2ll;
    int iterations;
    long evaluations;                 /* of the likelihood, by the optimiser */
    bool converged, hessian_pd;
    bool eval_capped;                 /* stopped at CALIB_MAX_EVALS */
    double grad_max;                  /* largest |d(-log L)/d theta| at the optimum */
    size_t n_cit, n_obs, n_pairs, n_moves, n_impossible, n_groups;
    size_t *counts;                   /* n_states^2 pairs (from, to), impossible ones too */
    double seconds;
    int n_warn;
    char warn[CALIB_MAX_WARN][320];
    /* Fit check: prevalence on a time grid, counts among citizens under
     * observation (first <= t <= last measurement). */
    int n_grid;
    double *grid_t;                   /* n_grid */
    double *at_risk;                  /* n_grid */
    double *observed, *expected;      /* [g * n_states + s], counts */
};

/* What a simulating fit (calib_sim.h) did; reps 0 for a plain fit. */
struct calib_sim_info {
    int reps, iterations;
    int evaluations;                  /* simulated fits of reps replications each */
    int samples;                      /* one-replication fits of the regressions */
    bool converged;
    double max_gap_se;                /* largest |b_obs - b_sim| / se(b_obs) at the answer */
    double rms_gap_se;                /* their root mean square */
    double seconds;
};

struct calib_result {
    struct calib_opts opts;
    struct calib_sim_info sim;
    int n_flows;
    struct calib_flow flow[MODEL_MAX_FLOWS];
    double seconds;
};

/* Fits every flow with a panel column and listed transitions, and computes
 * the fit check. Returns 0 (read r; free with calib_result_fini), or -1
 * with e set (EXIT_RUNTIME: out of memory, or "interrupted" when o->stop
 * was raised). Optimiser trouble is not an
 * error: it is reported in each flow's warnings and flags. */
int calib_fit(const struct model *m, const struct panel *p, const struct calib_opts *o,
              struct calib_result *r, struct err *e);
void calib_result_fini(struct calib_result *r);

#endif
