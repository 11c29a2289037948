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
 * same way, giving b_sim(theta). From theta_0 = b_obs: the Jacobian
 * J = d b_sim / d theta at theta_0 by forward differences of
 * CALIB_SIM_STEP (flow by flow: a flow's fit does not depend on another
 * flow's parameters), then chord-Newton steps
 *     theta <- theta + lambda * clamp(J^-1 (b_obs - b_sim(theta)), +-1)
 * until every |b_obs - b_sim| is below CALIB_SIM_TOL standard errors of
 * b_obs, or CALIB_SIM_MAX_ITER iterations (then the iterate with the
 * smallest largest gap is kept, with a warning); lambda halves (down to
 * 1/8) whenever the largest gap grows. Why J and not plain steps
 * theta += b_obs - b_sim: a rate out of a ring with a stay limit moves the
 * fitted rate only by a fraction (the limit's re-visitations stay), so
 * plain steps crawl and, worse, the plain fit's standard errors would be
 * those of b, not of theta.
 *
 * Covariance (indirect inference, just identified):
 *     Var(theta) = (1 + 1/reps) J^-1 Var(b_obs) J^-T
 * (the simulated panels carry 1/reps of the observed panel's sampling
 * noise; Var(b_obs) from the plain fit's observed information). */
#ifndef FLOWSIM_CALIB_SIM_H
#define FLOWSIM_CALIB_SIM_H

#include <signal.h>
#include <stdint.h>

#include "analysis/calib.h"
#include "analysis/panel.h"
#include "base/err.h"
#include "base/sbuf.h"
#include "model/model.h"

#define CALIB_SIM_REPS 10             /* default replications per iteration */
#define CALIB_SIM_MAX_ITER 12
#define CALIB_SIM_STEP 0.5            /* the Jacobian's difference, in log rate or beta */
/* The Jacobian's diagonal is held within these: below, a parameter the
 * simulated fits hardly see (its standard error would be unbounded);
 * above, noise. */
#define CALIB_SIM_JMIN 0.15
#define CALIB_SIM_JMAX 1.5
#define CALIB_SIM_TOL 0.1             /* largest gap, in standard errors of b_obs */

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

#endif
