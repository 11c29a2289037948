/* calib_sim.c: the simulating fit by indirect inference (see calib_sim.h). */
#include "analysis/calib_sim.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/calib_validate.h"
#include "base/sbuf.h"
#include "engine/sim.h"

/* A parameter the iteration moves: identified and not held in the plain
 * fit of the observed panel. */
#define Z95 1.959963984540054

struct free_par {
    int f, i;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct calib_param *par(struct calib_result *r, const struct free_par *fp)
{
    return &r->flow[fp->f].params[fp->i];
}

static int collect_free(struct calib_result *r, struct free_par **out, int *n)
{
    int cap = 0;
    for (int f = 0; f < r->n_flows; f++) cap += r->flow[f].fitted ? r->flow[f].n_params : 0;
    *out = calloc((size_t)cap + 1, sizeof **out);
    if (!*out) return -1;
    *n = 0;
    for (int f = 0; f < r->n_flows; f++) {
        const struct calib_flow *cf = &r->flow[f];
        for (int i = 0; cf->fitted && i < cf->n_params; i++)
            if (!cf->params[i].fixed && !cf->params[i].unidentified && isfinite(cf->params[i].theta))
                (*out)[(*n)++] = (struct free_par){ f, i };
    }
    return 0;
}

/* Puts theta into r's estimates, so that calib_refitted_model builds the
 * candidate scenario from them. */
static void set_theta(struct calib_result *r, const struct free_par *fp, int n, const double *theta)
{
    for (int j = 0; j < n; j++) {
        struct calib_param *q = par(r, &fp[j]);
        q->theta = theta[j];
        q->est = q->cov < 0 ? exp(theta[j]) : theta[j];
    }
}

/* Appends one replication's panel rows with ids made distinct ("s<rep>-"). */
static void append_rows(struct sbuf *text, const struct sbuf *rows, uint32_t rep)
{
    const char *s = rows->s, *end = rows->s + rows->len;
    while (s && s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t len = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        sbuf_printf(text, "s%u-", rep);
        sbuf_append(text, s, len);
        s += len;
    }
}

int calib_sim_panels(const struct model *m, uint64_t seed, int reps,
                     const volatile sig_atomic_t *stop, struct sbuf *text, struct err *e)
{
    struct sim_workspace *w = sim_workspace_create(m);
    if (!w) return err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    sim_workspace_set_stop(w, stop);
    sim_workspace_set_seed(w, seed);
    struct sim_shape sh;
    sim_shape_of(m, &sh);
    sim_panel_header(m, text);
    int rc = 0;
    for (int rep = 0; rc == 0 && rep < reps; rep++) {
        struct rep_result res;
        if (sim_result_init(&res, &sh) != 0) {
            rc = err_set(e, EXIT_RUNTIME, "simulate: out of memory");
            break;
        }
        rc = sim_run(w, (uint32_t)rep, true, false, &res, e);
        if (rc == 0) append_rows(text, &res.panel, (uint32_t)rep);
        sim_result_fini(&res);
    }
    sim_workspace_destroy(w);
    if (rc == 0 && stop && *stop) rc = err_set(e, EXIT_RUNTIME, "interrupted");
    if (rc == 0 && text->failed) rc = err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    return rc;
}

/* The pooled panels of the candidate m, parsed as the observed one. */
static int simulated_panel(const struct model *m, int reps, const struct calib_opts *co,
                           struct panel *p, struct err *e)
{
    struct sbuf text = { 0 };
    int rc = calib_sim_panels(m, m->seed, reps, co->stop, &text, e);
    struct panel_opts po = { 0 };
    calib_panel_needs(co, &po);
    if (rc == 0) rc = panel_parse("simulated panel", text.s, text.len, m, &po, p, e);
    sbuf_free(&text);
    return rc;
}

/* b_sim(theta): the plain fit of the pooled panels of the candidate. A
 * parameter the simulated panels cannot fit (held there) gets NaN. */
static int binding(const struct model *base, struct calib_result *r, const struct free_par *fp,
                   int n, int reps, double *bsim, struct err *e)
{
    struct model *cand = NULL;
    if (calib_refitted_model(base, r, &cand, e) != 0) return -1;
    struct panel p = { 0 };
    struct calib_result rs;
    int rc = simulated_panel(cand, reps, &r->opts, &p, e);
    if (rc == 0) rc = calib_fit(base, &p, &r->opts, &rs, e);
    if (rc == 0) {
        for (int j = 0; j < n; j++) {
            const struct calib_param *q = &rs.flow[fp[j].f].params[fp[j].i];
            bsim[j] = rs.flow[fp[j].f].fitted && !q->fixed ? q->theta : NAN;
        }
        calib_result_fini(&rs);
    }
    panel_fini(&p);
    model_destroy(cand);
    return rc;
}

/* Gaps (b_obs - b_sim) / se(b_obs) into gap; the largest |gap|. A
 * parameter without b_sim counts as no gap (nothing to steer by). */
static double gaps(struct calib_result *r, const struct free_par *fp, int n, const double *bsim,
                   double *gap)
{
    double worst = 0.0;
    for (int j = 0; j < n; j++) {
        const struct calib_param *q = par(r, &fp[j]);
        double se = q->theta_se > 0.0 && isfinite(q->theta_se) ? q->theta_se : 1.0;
        gap[j] = isnan(bsim[j]) ? 0.0 : (q->plain_theta - bsim[j]) / se;
        if (isnan(gap[j])) gap[j] = 0.0;
        worst = fmax(worst, fabs(gap[j]));
    }
    return worst;
}

/* The diagonal of the Jacobian d b_sim / d theta by forward differences
 * of CALIB_SIM_STEP: the k-th parameter of every flow at once (a flow's
 * fit does not depend on another flow's parameters), so as many
 * evaluations as the largest flow has free parameters. Each entry is held
 * within [CALIB_SIM_JMIN, CALIB_SIM_JMAX]; jdiag[j] is d b_j / d theta_j. */
static int jacobian(const struct model *base, struct calib_result *r, const struct free_par *fp,
                    int n, const int *fs, int reps, const double *theta, const double *b0,
                    double *jdiag, struct err *e)
{
    int kmax = 0;
    for (int f = 0; f < r->n_flows; f++) kmax = fs[f + 1] - fs[f] > kmax ? fs[f + 1] - fs[f] : kmax;
    double *t = malloc(((size_t)n + 1) * sizeof *t), *b = malloc(((size_t)n + 1) * sizeof *b);
    if (!t || !b) {
        free(t), free(b);
        return err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    }
    int rc = 0;
    for (int k = 0; rc == 0 && k < kmax; k++) {
        memcpy(t, theta, (size_t)n * sizeof *t);
        for (int f = 0; f < r->n_flows; f++)
            if (fs[f] + k < fs[f + 1]) t[fs[f] + k] += CALIB_SIM_STEP;
        set_theta(r, fp, n, t);
        if ((rc = binding(base, r, fp, n, reps, b, e)) != 0) break;
        r->sim.evaluations++;
        for (int f = 0; f < r->n_flows; f++) {
            int j = fs[f] + k;
            if (j >= fs[f + 1]) continue;
            double d = (b[j] - b0[j]) / CALIB_SIM_STEP;
            jdiag[j] = isfinite(d) ? fmax(CALIB_SIM_JMIN, fmin(CALIB_SIM_JMAX, d)) : 1.0;
        }
    }
    free(t), free(b);
    return rc;
}

/* The iteration (see calib_sim.h); theta starts at b_obs and ends at the
 * best iterate, with its gaps; Jinv receives the inverse Jacobian. */
static int iterate(const struct model *base, struct calib_result *r, const struct free_par *fp,
                   int n, const int *fs, int reps, double *theta, double *gap, double *jdiag,
                   struct err *e)
{
    double *bsim = calloc((size_t)n + 1, sizeof *bsim), *g = calloc((size_t)n + 1, sizeof *g);
    double *best = calloc((size_t)n + 1, sizeof *best), *d = calloc((size_t)n + 1, sizeof *d);
    if (!bsim || !g || !best || !d) {
        free(bsim), free(g), free(best), free(d);
        return err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    }
    double lambda = 1.0, last = INFINITY, best_gap = INFINITY;
    int rc = 0;
    r->sim.converged = false;
    for (int it = 1; it <= CALIB_SIM_MAX_ITER; it++) {
        set_theta(r, fp, n, theta);
        if ((rc = binding(base, r, fp, n, reps, bsim, e)) != 0) break;
        r->sim.evaluations++;
        double worst = gaps(r, fp, n, bsim, g);
        r->sim.iterations = it;
        if (worst < best_gap) {
            best_gap = worst;
            memcpy(best, theta, (size_t)n * sizeof *theta);
            memcpy(gap, g, (size_t)n * sizeof *g);
        }
        if (worst < CALIB_SIM_TOL) {
            r->sim.converged = true;
            break;
        }
        if (it == 1 && (rc = jacobian(base, r, fp, n, fs, reps, theta, bsim, jdiag, e)) != 0)
            break;
        if (worst > last) lambda = fmax(lambda / 2, 0.125);
        last = worst;
        for (int j = 0; j < n; j++) {
            double dj = isnan(bsim[j]) ? 0.0 : par(r, &fp[j])->plain_theta - bsim[j];
            d[j] = isfinite(dj) ? dj : (isnan(dj) ? 0.0 : copysign(1.0, dj));
        }
        for (int j = 0; j < n; j++) theta[j] += lambda * fmax(-1.0, fmin(1.0, d[j] / jdiag[j]));
    }
    if (rc == 0) memcpy(theta, best, (size_t)n * sizeof *theta);
    r->sim.max_gap_se = best_gap;
    free(bsim), free(g), free(best), free(d);
    return rc;
}

/* The answer into r: estimates at theta; the covariance of the free
 * parameters (1 + 1/reps) D V D with V the plain fit's and D = diag(1/J);
 * standard errors and CIs from it; gaps; a warning when it did not
 * converge. */
static void finish(struct calib_result *r, const struct free_par *fp, int n, const double *theta,
                   const double *gap, const double *jdiag, int reps)
{
    double inflate = 1.0 + 1.0 / reps;
    set_theta(r, fp, n, theta);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            if (fp[i].f != fp[k].f) continue;
            struct calib_flow *cf = &r->flow[fp[i].f];
            cf->cov[fp[i].i * cf->n_params + fp[k].i] *= inflate / (jdiag[i] * jdiag[k]);
        }
    for (int j = 0; j < n; j++) {
        struct calib_param *q = par(r, &fp[j]);
        const struct calib_flow *cf = &r->flow[fp[j].f];
        double var = cf->cov[fp[j].i * cf->n_params + fp[j].i];
        q->theta_se = var >= 0.0 ? sqrt(var) : NAN;
        q->gap_se = gap[j];
        q->biased_by = NULL;
        double lo = q->theta - Z95 * q->theta_se, hi = q->theta + Z95 * q->theta_se;
        q->se = q->cov < 0 ? q->est * q->theta_se : q->theta_se;
        q->lo = q->cov < 0 ? exp(lo) : lo;
        q->hi = q->cov < 0 ? exp(hi) : hi;
    }
    for (int f = 0; f < r->n_flows; f++) {
        struct calib_flow *cf = &r->flow[f];
        if (!cf->fitted) continue;
        if (!r->sim.converged && cf->n_warn < CALIB_MAX_WARN)
            snprintf(cf->warn[cf->n_warn++], sizeof cf->warn[0],
                     "the simulating fit did not converge in %d iterations: the largest gap "
                     "between the observed and simulated fits is %.2f standard errors (wanted "
                     "below %.2f); the estimates are the iterate with the smallest largest gap",
                     r->sim.iterations, r->sim.max_gap_se, CALIB_SIM_TOL);
    }
}

int calib_simulate(const struct model *base, const struct panel *observed, int reps,
                   struct calib_result *r, struct err *e)
{
    (void)observed;   /* its fit is r; the schedule is the scenario's RBS (see docs) */
    double t0 = now_s();
    struct free_par *fp = NULL;
    int n = 0;
    if (collect_free(r, &fp, &n) != 0) return err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    double *theta = calloc((size_t)n + 1, sizeof *theta), *gap = calloc((size_t)n + 1, sizeof *gap);
    if (!theta || !gap) {
        free(fp), free(theta), free(gap);
        return err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    }
    int fs[MODEL_MAX_FLOWS + 1] = { 0 };
    for (int f = 0, j = 0; f < r->n_flows; f++) {
        fs[f] = j;
        while (j < n && fp[j].f == f) j++;
        fs[f + 1] = j;
    }
    double *jdiag = calloc((size_t)n + 1, sizeof *jdiag);
    for (int j = 0; j < n; j++) theta[j] = par(r, &fp[j])->plain_theta = par(r, &fp[j])->theta;
    for (int j = 0; jdiag && j < n; j++) jdiag[j] = 1.0;
    int rc = jdiag ? iterate(base, r, fp, n, fs, reps, theta, gap, jdiag, e)
                  : err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    if (rc == 0) {
        r->sim.reps = reps;
        finish(r, fp, n, theta, gap, jdiag, reps);
        r->sim.seconds = now_s() - t0;
    } else {                          /* leave r as it was */
        for (int j = 0; j < n; j++) theta[j] = par(r, &fp[j])->plain_theta;
        set_theta(r, fp, n, theta);
        for (int j = 0; j < n; j++) par(r, &fp[j])->plain_theta = NAN;
        memset(&r->sim, 0, sizeof r->sim);
    }
    free(fp), free(theta), free(gap), free(jdiag);
    return rc;
}
