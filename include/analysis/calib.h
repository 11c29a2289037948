/* calib.h: maximum-likelihood calibration of a scenario's transition rates
 * from an RBS panel (SPEC §6; docs/calibration.md).
 *
 * Each flow is a continuous-time Markov chain on its states (rings, then
 * `none`), fitted on its own. Its parameters are the log-rates of the
 * transitions the scenario lists for the flow and, per covariate asked for,
 * one log hazard ratio (beta) per transition, so the rate of transition k
 * for a citizen with covariates z is
 *     q_k(z) = exp(theta_k + sum_c beta_kc z_c)          (SPEC §2 for z).
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
#ifndef FLOWSIM_CALIB_H
#define FLOWSIM_CALIB_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>

#include "analysis/panel.h"
#include "base/err.h"
#include "model/model.h"

#define CALIB_MAX_WARN 16
/* Evaluations of the likelihood one flow's optimiser may spend (a fit of
 * the Esbjerg panel needs 100 to 600; a 990-row panel with two covariates
 * about 3,000): a bound on a fit that cannot settle. */
#define CALIB_MAX_EVALS 5000
#define CALIB_GRID_POINTS 21          /* fit-check times */
#define CALIB_DT_QUANTUM 1e-6         /* years; intervals are grouped at this resolution */
/* Age enters z on a grid of this many years (z = (age - 40) / 10 to 0.01),
 * so that pairs share matrix exponentials: a hazard changes by at most
 * exp(|beta| * 0.005), far below any standard error. */
#define CALIB_AGE_QUANTUM 0.1

struct calib_opts {
    int n_cov;
    int cov[MODEL_MAX_COVS];          /* covariate slots (beta[] index of model.h) */
    /* Raised (by a signal) to stop: the fit then returns -1 within a
     * group's matrix exponential. NULL: never. */
    const volatile sig_atomic_t *stop;
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

/* ---- the likelihood of one flow ------------------------------------------ */

struct calib_lik;

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

/* ---- a fit --------------------------------------------------------------- */

struct calib_param {
    int trans;                        /* index into m->transitions */
    int cov;                          /* -1: the rate; else a covariate slot */
    bool fixed;                       /* not estimable from these data: held */
    double theta;                     /* log rate, or beta */
    double theta_se;                  /* NaN when unavailable */
    double est, se, lo, hi;           /* per year (delta-method se, log-scale CI), or beta */
    double base;                      /* the base scenario's value */
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

struct calib_result {
    struct calib_opts opts;
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

/* ---- what a fit writes -------------------------------------------------- */

struct calib_source {                 /* provenance for the files */
    const char *panel_path, *panel_sha256, *command;
    const struct panel *panel;
};

/* The table of estimates and the fit check, for a terminal. */
void calib_print_table(const struct model *m, const struct calib_result *r,
                       const struct calib_source *src, FILE *out);

/* calibration.json. Returns 0, or -1 with e set (EXIT_RUNTIME). */
int calib_write_json(const char *path, const struct model *m, const struct calib_result *r,
                     const struct calib_source *src, const char *fragment_path, struct err *e);

/* The scenario fragment: `transitions = ( ... );` with the fitted rates and
 * effects (flows not fitted keep the base scenario's). */
int calib_write_fragment(const char *path, const struct model *m, const struct calib_result *r,
                         const struct calib_source *src, struct err *e);

#endif
