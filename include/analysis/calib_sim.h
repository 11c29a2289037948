/* calib_sim.h: `flowsim calibrate --simulate`, the fit that reproduces the
 * system (docs/calibration.md, "Calibration by simulation").
 *
 * Indirect inference. The plain Markov fit (calib.h) is the auxiliary model:
 * b_obs is its fit of the observed panel. For candidate scenario
 * parameters theta (log rates, and betas of the covariates fitted; the
 * base's other settings, capacities, stay limits and effects held), the
 * base scenario with theta is simulated `reps` times (replications
 * 0..reps-1 of its seed at every iteration: common random numbers), the
 * replications' RBS panels are pooled (ids made distinct) and fitted the
 * same way, giving b_sim(theta). From theta_0 = b_obs: the diagonal of
 * the Jacobian J = d b_sim / d theta at theta_0 by forward differences of
 * CALIB_SIM_STEP (flow by flow: a flow's fit does not depend on another
 * flow's parameters), then steps
 *     theta_j <- theta_j + lambda * clamp((b_obs - b_sim(theta))_j / J_jj, +-1)
 * until the root mean square of the gaps |b_obs - b_sim| is below
 * calib_sim_tolerance(reps) standard errors of b_obs (the simulated fits'
 * own noise: under common random numbers b_sim is a step function of
 * theta and cannot be steered closer), or CALIB_SIM_MAX_ITER iterations
 * (then the iterate with the smallest is kept, with a warning); lambda
 * halves (down to 1/8) whenever the gaps grow. Why J and not plain steps
 * theta += b_obs - b_sim: a rate out of a ring with a stay limit moves the
 * fitted rate only by a fraction (the limit's re-visitations stay), so
 * plain steps crawl.
 *
 * Covariance (indirect inference, just identified):
 *     Var(theta) = (1 + 1/reps) J^-1 V J^-T
 * with the full J and V = Var(b) of one panel both from a regression at
 * the answer: candidates theta + x_k (x_k: +-
 * CALIB_SIM_PERTURB on every parameter at once, at random), each
 * simulated once with a fresh stream and fitted plainly; per flow, least
 * squares of b_k on x_k gives J (averaging the noise that made single
 * forward differences useless off the diagonal) and the residuals' V (the
 * panel's sampling covariance under the simulated system, capacities and
 * queues included). Rates that move the fits alike (competing for a full
 * ring) make J nearly singular and their intervals wide; one whose
 * interval spans more than CALIB_WIDE_CI is flagged not identified (the
 * fragment keeps the base's value). The simulated panels carry 1/reps of
 * the observed panel's sampling noise: the factor 1 + 1/reps.
 *
 * The replications of an evaluation and the samples run on the base's
 * simulation.threads (0: all cores), each into its own slot: the answer is
 * the same for any thread count. */
#ifndef FLOWSIM_CALIB_SIM_H
#define FLOWSIM_CALIB_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "analysis/calib.h"
#include "analysis/panel.h"
#include "base/err.h"
#include "base/sbuf.h"
#include "model/model.h"

#define CALIB_SIM_REPS 10             /* default replications per iteration */
#define CALIB_SIM_MAX_ITER 12
#define CALIB_SIM_STEP 0.5            /* the diagonal's forward difference, in log rate or beta */
/* The Jacobian's diagonal is held within these: below, a parameter the
 * simulated fits hardly see (its standard error would be unbounded);
 * above, noise. */
#define CALIB_SIM_JMIN 0.15
#define CALIB_SIM_JMAX 1.5
/* Converged: the gaps' root mean square below CALIB_SIM_TOL / sqrt(reps)
 * standard errors of b_obs (calib_sim_tolerance): the standard deviation
 * of b_sim's own noise. */
#define CALIB_SIM_TOL 1.0

/* The covariance's regression: samples (one fresh replication each) per
 * regressor (the largest flow's free parameters and the intercept; 144
 * for the Esbjerg baseline's 17 home rates), at least CALIB_SIM_SAMPLES_MIN, and
 * the size of each parameter's +- perturbation (log rate or beta); a
 * response fitted in fewer than (parameters + 1 + CALIB_SIM_MIN_DOF)
 * samples (a move single panels often lack) keeps the diagonal J_jj and
 * the plain fit's variance. */
#define CALIB_SIM_SAMPLES_PER_PAR 8
#define CALIB_SIM_SAMPLES_MIN 40
#define CALIB_SIM_PERTURB 0.3
#define CALIB_SIM_MIN_DOF 10

/* r holds the plain fit of the observed panel, made with opts.simulated
 * set (calib_fit); on success it becomes the simulating fit: estimates,
 * standard errors, CIs, covariance, r->sim and each parameter's
 * plain_theta and gap_se. base must have been loaded from a file (it is
 * loaded again for each candidate). Returns 0, or -1 with e set
 * (EXIT_RUNTIME: out of memory, a replication failed, or "interrupted"
 * when opts.stop was raised); r is then left as it was. */
int calib_simulate(const struct model *base, const struct panel *observed, int reps,
                   struct calib_result *r, struct err *e);

/* The RBS panels of replications 0..reps-1 of m with streams of `seed`,
 * as one panel text (header, then rows; citizen ids prefixed "s<rep>-" so
 * that replications stay apart), appended to text. 0, or -1 with e set
 * (EXIT_RUNTIME: out of memory, or "interrupted"). */
int calib_sim_panels(const struct model *m, uint64_t seed, int reps,
                     const volatile sig_atomic_t *stop, struct sbuf *text, struct err *e);

/* The convergence tolerance for reps replications, in standard errors. */
double calib_sim_tolerance(int reps);

/* Least squares of N samples of n responses on n regressors with an
 * intercept, response by response over the samples where it is finite:
 * b[k*n+i] = a_i + sum_j J[i*n+j] x[k*n+j] + e[k*n+i]. Fills J (n x n), V
 * (n x n: the residuals' covariance over the samples where both responses
 * are finite, divided by their number less n + 1) and ok[i] (response i
 * had at least n + 1 + CALIB_SIM_MIN_DOF samples; else its row of J and V
 * is NaN). 0, or -1 when out of memory. */
int calib_sim_regress(int N, int n, const double *x, const double *b, double *J, double *V,
                      bool *ok);

/* out = (1 + 1/reps) J^-1 V J^-T (n x n; out may be J). 0, or -1 when J
 * or V has a non-finite entry, J is singular or a variance is not
 * positive (out is then undefined). */
int calib_sim_cov(int n, const double *J, const double *V, int reps, double *out);

#endif
