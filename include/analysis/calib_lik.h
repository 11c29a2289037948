/* calib_lik.h: the panel likelihood of one flow, which `flowsim calibrate`
 * maximises (docs/calibration.md); the fit is calib.h.
 *
 * Each flow is a continuous-time Markov chain on its states (rings, then
 * `none`), fitted on its own. Its parameters are the log-rates of the
 * transitions the scenario lists for the flow and, per covariate asked for,
 * one log hazard ratio (beta) per transition, so the rate of transition k
 * for a citizen with covariates z is
 *     q_k(z) = exp(theta_k + sum_c beta_kc z_c)          (docs/model.md for z).
 * Two consecutive measurements of one citizen, state a at t1 and b at t2,
 * contribute log expm(Q(z) (t2 - t1))[a, b], z read at t1. Pairs with equal
 * (t2 - t1, z) share one matrix exponential. The gradient is exact: with
 * W = sum n_ab / P_ab e_a e_b^T, the derivative of sum n_ab log P_ab with
 * respect to A = Q dt is the Frechet derivative L(A^T, W), read off the
 * upper right block of expm([[A^T, W], [0, A^T]]); each parameter's
 * derivative follows by the chain rule. BFGS (GSL) finds the optimum; the
 * observed information is the central-difference Jacobian of that gradient,
 * and standard errors come from its inverse (Cholesky).
 *
 * All matrices of a fit live in one workspace allocated before the first
 * evaluation (struct calib_lik). */
#ifndef FLOWSIM_CALIB_LIK_H
#define FLOWSIM_CALIB_LIK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>

#include "analysis/panel.h"
#include "base/err.h"
#include "model/model.h"

#define CALIB_DT_QUANTUM 1e-6         /* years; intervals are grouped at this resolution */
/* Age enters z on a grid of this many years (z = (age - 40) / 10 to 0.01),
 * so that pairs share matrix exponentials: a hazard changes by at most
 * exp(|beta| * 0.005), far below any standard error. */
#define CALIB_AGE_QUANTUM 0.1
/* Where the optimiser may roam. A rate above exp(CALIB_ETA_MAX) = 1e5 per
 * year (a move every five minutes) is instantaneous on any RBS schedule,
 * and a matrix exponential costs more the larger the rate (squarings):
 * beyond it the rate grows linearly in eta instead of exponentially. An
 * effect beyond CALIB_BETA_MAX (a hazard ratio of 22,000 per unit of z) and
 * a log-rate beyond CALIB_ETA_MAX are no findings but signs that the data
 * separate (every move at one end of z, or moves faster than any gap): a
 * quadratic wall outside those bounds gives the likelihood a finite optimum
 * there, so the fit ends instead of running off (an 815-second fit did),
 * and such parameters are reported as not identified. Inside the bounds
 * nothing changes; value and gradient stay consistent everywhere. */
#define CALIB_ETA_MAX 11.5
#define CALIB_BETA_MAX 10.0

struct calib_opts {
    int n_cov;
    int cov[MODEL_MAX_COVS];          /* covariate slots (beta[] index of model.h) */
    /* Raised (by a signal) to stop: the fit then returns -1 within a
     * group's matrix exponential. NULL: never. */
    const volatile sig_atomic_t *stop;
    /* Part of a simulating fit (calib_sim.h): the base's capacities, stay
     * limits and effects of covariates not fitted are part of the model, so
     * no rate is flagged as biased by them and no effect is dropped. */
    bool simulated;
};

/* Reads a comma-separated list of covariate names (dimension ids, `age`,
 * `female`) into o. Returns 0, or -1 with e set (EXIT_INPUT) for an
 * unknown or repeated name. */
int calib_parse_covariates(const struct model *m, const char *list, struct calib_opts *o,
                           struct err *e);

/* Name of a covariate slot: a dimension id, "age" or "female". */
const char *calib_cov_name(const struct model *m, int slot);

/* The panel columns the covariates need. */
void calib_panel_needs(const struct calib_opts *o, struct panel_opts *po);

/* z of docs/model.md for covariate slot at measurement ob (age on its grid). */
double calib_cov_value(const struct panel_obs *ob, int slot);

/* ---- the likelihood of one flow ------------------------------------------ */

/* Invariants: groups hold distinct (dt, z); the cells of group g are
 * cells[g_cell[g] .. g_cell[g+1]-1] with distinct (a, b), and every cell's
 * b is reachable from a through the listed transitions (other pairs are
 * counted as impossible and left out), so P_ab > 0 for any positive rates.
 * The fit reads the counts; only calib_lik.c writes. */
struct cell {
    uint32_t n;
    uint8_t a, b;
};

struct calib_lik {
    int S, K, C, P;                  /* states, transitions, covariates, parameters */
    int flow;
    int trans[MODEL_MAX_RINGS * (MODEL_MAX_RINGS + 1)];   /* model indices of the K */
    int from[MODEL_MAX_RINGS * (MODEL_MAX_RINGS + 1)], to[MODEL_MAX_RINGS * (MODEL_MAX_RINGS + 1)];
    int cov[MODEL_MAX_COVS];

    size_t n_groups;
    double *g_dt;                    /* n_groups */
    double *g_z;                     /* n_groups * C */
    size_t *g_cell;                  /* n_groups + 1 */
    struct cell *cells;

    /* What the pairs say, for the report. */
    size_t n_cit, n_obs, n_pairs, n_moves, n_impossible;
    size_t *counts;                  /* S * S */
    double *exposure;                /* S: years of pairs starting in s */
    double *zmin, *zmax;             /* S * C */
    size_t *n_direct;                /* K: pairs from[k] -> to[k] */
    char impossible_example[320];

    /* Workspace, allocated once. */
    gsl_matrix *A, *Pm, *B, *EB;     /* S x S, S x S, 2S x 2S, 2S x 2S */
    double *rate;                    /* K */
    double *drate;                   /* K: d rate / d eta (0 where capped) */

    const volatile sig_atomic_t *stop;   /* raised by a signal; NULL: never */
    bool stopped;                    /* seen raised: every evaluation now returns at once */
};

/* Builds the grouped pairs of flow `flow` and the workspace. The parameter
 * vector is theta[0..K-1] = log-rates of the flow's K listed transitions (in
 * scenario order), then beta[K + k*C + c] for transition k and covariate c.
 * Returns NULL with e set (EXIT_RUNTIME) when out of memory. */
struct calib_lik *calib_lik_create(const struct model *m, const struct panel *p, int flow,
                                   const struct calib_opts *o, struct err *e);
void calib_lik_destroy(struct calib_lik *L);          /* NULL is a no-op */
int calib_lik_n_params(const struct calib_lik *L);

/* True once opts.stop has been seen raised; evaluations then return 1e300
 * at once. */
bool calib_lik_stopped(struct calib_lik *L);

/* -log L at theta; when grad is not NULL, also its gradient. */
double calib_lik_eval(struct calib_lik *L, const double *theta, double *grad);

/* expm(Q(z) dt) at theta, in L's workspace (valid until the next call). */
const gsl_matrix *calib_lik_transition(struct calib_lik *L, const double *theta, const double *z,
                                       double dt);

#endif
