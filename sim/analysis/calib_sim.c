/* calib_sim.c: the simulating fit by indirect inference (see calib_sim.h). */
#include "analysis/calib_sim.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_rng.h>
#include <pthread.h>

#include "analysis/calib_validate.h"
#include "base/parfor.h"
#include "base/sbuf.h"
#include "engine/runner.h"
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

static int threads_of(const struct model *m)
{
    return m->threads > 0 ? m->threads : runner_cores();
}

/* Replications first..first+reps-1 of a model, one task each. */
struct panels_job {
    const struct model *m;
    uint64_t seed;
    uint32_t first;
    const volatile sig_atomic_t *stop;
    struct sbuf *rows;                /* reps: each replication's rows, ids made distinct */
};

static int panel_task(void *ctx, int k, struct err *e)
{
    struct panels_job *j = ctx;
    struct sim_workspace *w = sim_workspace_create(j->m);
    struct sim_shape sh;
    struct rep_result res;
    sim_shape_of(j->m, &sh);
    if (!w || sim_result_init(&res, &sh) != 0) {
        sim_workspace_destroy(w);
        return err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    }
    sim_workspace_set_stop(w, j->stop);
    sim_workspace_set_seed(w, j->seed);
    uint32_t rep = j->first + (uint32_t)k;
    int rc = sim_run(w, rep, true, false, &res, e);
    if (rc == 0) append_rows(&j->rows[k], &res.panel, rep);
    sim_result_fini(&res);
    sim_workspace_destroy(w);
    return rc;
}

/* calib_sim_panels from replication `first`, on `threads` threads; the
 * text is the same for any thread count (rows joined in replication
 * order). */
static int sim_panels(const struct model *m, uint64_t seed, uint32_t first, int reps, int threads,
                      const volatile sig_atomic_t *stop, struct sbuf *text, struct err *e)
{
    struct panels_job j = { m, seed, first, stop, calloc((size_t)reps + 1, sizeof(struct sbuf)) };
    if (!j.rows) return err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    sim_panel_header(m, text);
    int rc = parfor_run(threads, reps, panel_task, &j, e);
    for (int k = 0; k < reps; k++) {
        if (rc == 0) sbuf_append(text, j.rows[k].s, j.rows[k].len);
        rc = rc == 0 && j.rows[k].failed ? err_set(e, EXIT_RUNTIME, "simulate: out of memory") : rc;
        sbuf_free(&j.rows[k]);
    }
    free(j.rows);
    if (rc == 0 && stop && *stop) rc = err_set(e, EXIT_RUNTIME, "interrupted");
    if (rc == 0 && text->failed) rc = err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    return rc;
}

int calib_sim_panels(const struct model *m, uint64_t seed, int reps,
                     const volatile sig_atomic_t *stop, struct sbuf *text, struct err *e)
{
    return sim_panels(m, seed, 0, reps, threads_of(m), stop, text, e);
}

/* The plain fit of the pooled panels of replications first..first+reps-1
 * of the candidate cand, fitted as the observed one, at the free
 * parameters: b. A parameter that fit holds or cannot identify gets NaN. */
static int fit_of(const struct model *base, const struct model *cand, const struct calib_opts *co,
                  const struct free_par *fp, int n, uint32_t first, int reps, int threads,
                  double *b, struct err *e)
{
    struct sbuf text = { 0 };
    struct panel p = { 0 };
    struct panel_opts po = { 0 };
    struct calib_result rs;
    calib_panel_needs(co, &po);
    int rc = sim_panels(cand, cand->seed, first, reps, threads, co->stop, &text, e);
    if (rc == 0) rc = panel_parse("simulated panel", text.s, text.len, cand, &po, &p, e);
    sbuf_free(&text);
    if (rc == 0) rc = calib_fit(base, &p, co, &rs, e);
    if (rc == 0) {
        for (int j = 0; j < n; j++) {
            const struct calib_param *q = &rs.flow[fp[j].f].params[fp[j].i];
            b[j] = rs.flow[fp[j].f].fitted && !q->fixed && !q->unidentified ? q->theta : NAN;
        }
        calib_result_fini(&rs);
    }
    panel_fini(&p);
    return rc;
}

/* b_sim(theta) for the theta in r: the M replications of common random
 * numbers (0..reps-1 of the scenario's seed), on all threads. */
static int binding(const struct model *base, struct calib_result *r, const struct free_par *fp,
                   int n, int reps, double *bsim, struct err *e)
{
    struct model *cand = NULL;
    if (calib_refitted_model(base, r, &cand, e) != 0) return -1;
    int rc = fit_of(base, cand, &r->opts, fp, n, 0, reps, threads_of(base), bsim, e);
    model_destroy(cand);
    return rc;
}

/* Gaps (b_obs - b_sim) / se(b_obs) into gap; the largest |gap|. A
 * parameter without b_sim counts as no gap (nothing to steer by). */
static double gaps(struct calib_result *r, const struct free_par *fp, int n, const double *bsim,
                   double *gap, double *rms)
{
    double worst = 0.0, ss = 0.0;
    for (int j = 0; j < n; j++) {
        const struct calib_param *q = par(r, &fp[j]);
        double se = q->theta_se > 0.0 && isfinite(q->theta_se) ? q->theta_se : 1.0;
        gap[j] = isnan(bsim[j]) ? 0.0 : (q->plain_theta - bsim[j]) / se;
        if (isnan(gap[j])) gap[j] = 0.0;
        worst = fmax(worst, fabs(gap[j]));
        ss += gap[j] * gap[j];
    }
    *rms = n > 0 ? sqrt(ss / n) : 0.0;
    return worst;
}

/* The binding function linearised at a theta by regression on samples
 * (see linearise): J = d b / d theta and V = Var(b) of one panel, n x n,
 * block-diagonal by flow. */
struct linear {
    double *J, *V;
};

/* ---- the covariance: Jacobian and sampling noise by regression ---------- */

int calib_sim_regress(int N, int n, const double *x, const double *b, double *J, double *V,
                      bool *ok)
{
    int p = n + 1;
    double *res = malloc(((size_t)N * n + 1) * sizeof *res);
    gsl_matrix *X = gsl_matrix_alloc((size_t)N, (size_t)p), *C = gsl_matrix_alloc((size_t)p, (size_t)p);
    gsl_vector *y = gsl_vector_alloc((size_t)N), *c = gsl_vector_alloc((size_t)p);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc((size_t)N, (size_t)p);
    int rc = res && X && C && y && c && w ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++) {
        int m = 0;                    /* the samples where response i is finite */
        for (int k = 0; k < N; k++) {
            res[k * n + i] = NAN;
            if (!isfinite(b[k * n + i])) continue;
            gsl_matrix_set(X, (size_t)m, 0, 1.0);
            for (int j = 0; j < n; j++) gsl_matrix_set(X, (size_t)m, (size_t)j + 1, x[k * n + j]);
            gsl_vector_set(y, (size_t)m++, b[k * n + i]);
        }
        ok[i] = m >= p + CALIB_SIM_MIN_DOF;
        for (int j = 0; j < n; j++) J[i * n + j] = NAN;
        if (!ok[i]) continue;
        gsl_matrix_view Xm = gsl_matrix_submatrix(X, 0, 0, (size_t)m, (size_t)p);
        gsl_vector_view ym = gsl_vector_subvector(y, 0, (size_t)m);
        gsl_multifit_linear_workspace *wm = gsl_multifit_linear_alloc((size_t)m, (size_t)p);
        double chisq;
        if (!wm || gsl_multifit_linear(&Xm.matrix, &ym.vector, c, C, &chisq, wm) != 0) ok[i] = false;
        gsl_multifit_linear_free(wm);
        if (!ok[i]) continue;
        for (int j = 0; j < n; j++) J[i * n + j] = gsl_vector_get(c, (size_t)j + 1);
        for (int k = 0; k < N; k++) {
            if (!isfinite(b[k * n + i])) continue;
            double fit = gsl_vector_get(c, 0);
            for (int j = 0; j < n; j++) fit += J[i * n + j] * x[k * n + j];
            res[k * n + i] = b[k * n + i] - fit;
        }
    }
    /* Residual covariance over the samples where both responses are
     * finite, with the degrees of freedom the regression used up. */
    for (int i = 0; rc == 0 && i < n; i++)
        for (int l = 0; l <= i; l++) {
            double sum = 0.0;
            int m = 0;
            for (int k = 0; k < N; k++)
                if (isfinite(res[k * n + i]) && isfinite(res[k * n + l])) {
                    sum += res[k * n + i] * res[k * n + l];
                    m++;
                }
            V[i * n + l] = V[l * n + i] = ok[i] && ok[l] && m > p ? sum / (m - p) : NAN;
        }
    gsl_multifit_linear_free(w);
    gsl_vector_free(c), gsl_vector_free(y);
    gsl_matrix_free(C), gsl_matrix_free(X);
    free(res);
    return rc;
}

int calib_sim_cov(int n, const double *J, const double *V, int reps, double *out)
{
    gsl_matrix *A = gsl_matrix_alloc((size_t)n, (size_t)n), *Ai = gsl_matrix_alloc((size_t)n, (size_t)n);
    gsl_permutation *perm = gsl_permutation_alloc((size_t)n);
    int rc = A && Ai && perm ? 0 : -1, sign;
    for (int i = 0; rc == 0 && i < n * n; i++) {
        if (!isfinite(J[i]) || !isfinite(V[i])) rc = -1;
        else A->data[i] = J[i];
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    if (rc == 0 && (gsl_linalg_LU_decomp(A, perm, &sign) != 0 || gsl_linalg_LU_det(A, sign) == 0.0 ||
                    gsl_linalg_LU_invert(A, perm, Ai) != 0))
        rc = -1;
    gsl_set_error_handler(old);
    double inflate = 1.0 + 1.0 / reps;
    for (int i = 0; rc == 0 && i < n; i++)
        for (int l = 0; l <= i; l++) {
            double sum = 0.0;         /* (J^-1 V J^-T)_il, exactly symmetric */
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                    sum += Ai->data[i * n + a] * V[a * n + b] * Ai->data[l * n + b];
            out[i * n + l] = out[l * n + i] = inflate * sum;
        }
    for (int i = 0; rc == 0 && i < n; i++)
        if (!(out[i * n + i] > 0.0) || !isfinite(out[i * n + i])) rc = -1;
    gsl_permutation_free(perm);
    gsl_matrix_free(Ai), gsl_matrix_free(A);
    return rc;
}

/* The samples of the regression: candidates theta + x_k, each simulated
 * once with a fresh stream (replication first + k) and fitted plainly. */
struct sample_job {
    const struct model *base;
    struct calib_result *r;           /* the candidates are built from it, under lock */
    const struct free_par *fp;
    int n;
    uint32_t first;
    const double *theta;
    double *x;                        /* N x n */
    double *b;                        /* N x n */
    pthread_mutex_t lock;
};

static int sample_task(void *ctx, int k, struct err *e)
{
    struct sample_job *j = ctx;
    int n = j->n;
    double *t = malloc(((size_t)n + 1) * sizeof *t);
    if (!t) return err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    for (int i = 0; i < n; i++) t[i] = j->theta[i] + j->x[(size_t)k * n + i];
    struct model *cand = NULL;
    pthread_mutex_lock(&j->lock);
    set_theta(j->r, j->fp, n, t);
    int rc = calib_refitted_model(j->base, j->r, &cand, e);
    pthread_mutex_unlock(&j->lock);
    free(t);
    if (rc == 0)
        rc = fit_of(j->base, cand, &j->r->opts, j->fp, n, j->first + (uint32_t)k, 1, 1,
                    &j->b[(size_t)k * n], e);
    model_destroy(cand);
    return rc;
}

/* The regression at theta (see struct linear): CALIB_SIM_SAMPLES_PER_PAR
 * samples per regressor of the largest flow (at least
 * CALIB_SIM_SAMPLES_MIN), Rademacher perturbations of +-CALIB_SIM_PERTURB
 * of every parameter at once (the flows' fits are apart, so one sample
 * serves all of them), then calib_sim_regress flow by flow. A response with too few samples
 * keeps its diagonal jdiag and the plain fit's variance. r's estimates are
 * left at theta. */
static int linearise(const struct model *base, struct calib_result *r, const struct free_par *fp,
                     int n, const int *fs, int reps, const double *theta, const double *jdiag,
                     struct linear *L, struct err *e)
{
    int N = CALIB_SIM_SAMPLES_MIN;
    for (int f = 0; f < r->n_flows; f++)
        if (CALIB_SIM_SAMPLES_PER_PAR * (fs[f + 1] - fs[f] + 1) > N)
            N = CALIB_SIM_SAMPLES_PER_PAR * (fs[f + 1] - fs[f] + 1);
    struct sample_job j = { .base = base, .r = r, .fp = fp, .n = n, .first = (uint32_t)reps,
                            .theta = theta, .x = malloc(((size_t)N * n + 1) * sizeof(double)),
                            .b = malloc(((size_t)N * n + 1) * sizeof(double)) };
    double *xf = malloc(((size_t)N * n + 1) * sizeof *xf), *bf = malloc(((size_t)N * n + 1) * sizeof *bf);
    double *J = malloc(((size_t)n * n + 1) * sizeof *J), *V = malloc(((size_t)n * n + 1) * sizeof *V);
    bool *ok = calloc((size_t)n + 1, sizeof *ok);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = j.x && j.b && xf && bf && J && V && ok && rng ? 0
             : err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    double *x = j.x;
    if (rc == 0) {
        gsl_rng_set(rng, base->seed);
        for (int k = 0; k < N * n; k++)
            x[k] = gsl_rng_uniform(rng) < 0.5 ? -CALIB_SIM_PERTURB : CALIB_SIM_PERTURB;
        pthread_mutex_init(&j.lock, NULL);
        rc = parfor_run(threads_of(base), N, sample_task, &j, e);
        pthread_mutex_destroy(&j.lock);
        set_theta(r, fp, n, theta);
        r->sim.samples += N;
    }
    for (int i = 0; i < n * n; i++) L->J[i] = L->V[i] = 0.0;
    for (int f = 0; rc == 0 && f < r->n_flows; f++) {
        int a = fs[f], m = fs[f + 1] - fs[f];
        for (int k = 0; k < N; k++)
            for (int i = 0; i < m; i++) {
                xf[k * m + i] = x[(size_t)k * n + a + i];
                bf[k * m + i] = j.b[(size_t)k * n + a + i];
            }
        if (m > 0 && calib_sim_regress(N, m, xf, bf, J, V, ok) != 0) {
            rc = err_set(e, EXIT_RUNTIME, "simulate: out of memory");
            break;
        }
        const struct calib_flow *cf = &r->flow[f];
        for (int i = 0; i < m; i++) {
            for (int l = 0; l < m; l++) {
                L->J[(a + i) * n + a + l] = ok[i] ? J[i * m + l] : i == l ? jdiag[a + i] : 0.0;
                L->V[(a + i) * n + a + l] = ok[i] && ok[l] ? V[i * m + l] : 0.0;
            }
            if (!ok[i]) L->V[(a + i) * n + a + i] = cf->cov[fp[a + i].i * cf->n_params + fp[a + i].i];
        }
    }
    free(x), free(j.b), free(xf), free(bf), free(J), free(V), free(ok);
    gsl_rng_free(rng);
    return rc;
}

/* The covariance of the free parameters (n x n, zero across flows) into vt:
 * per flow calib_sim_cov of L; a flow whose J cannot be inverted gets
 * (1 + 1/reps) V_ii / J_ii^2, J_ii held within [CALIB_SIM_JMIN,
 * CALIB_SIM_JMAX], with the plain fit's correlations. */
static void covariance(const struct linear *L, const struct calib_result *r, const struct free_par *fp,
                       int n, const int *fs, int reps, double *vt, double *Jf, double *Vf)
{
    for (int i = 0; i < n * n; i++) vt[i] = 0.0;
    for (int f = 0; f < r->n_flows; f++) {
        int a = fs[f], m = fs[f + 1] - fs[f];
        for (int i = 0; i < m; i++)
            for (int l = 0; l < m; l++) {
                Jf[i * m + l] = L->J[(a + i) * n + a + l];
                Vf[i * m + l] = L->V[(a + i) * n + a + l];
            }
        bool full = m > 0 && calib_sim_cov(m, Jf, Vf, reps, Jf) == 0;
        const struct calib_flow *cf = &r->flow[f];
        for (int i = 0; i < m; i++)
            for (int l = 0; l < m; l++) {
                double ji = fmax(CALIB_SIM_JMIN, fmin(CALIB_SIM_JMAX, L->J[(a + i) * n + a + i]));
                double jl = fmax(CALIB_SIM_JMIN, fmin(CALIB_SIM_JMAX, L->J[(a + l) * n + a + l]));
                double c = cf->cov[fp[a + i].i * cf->n_params + fp[a + l].i];
                vt[(a + i) * n + a + l] = full ? Jf[i * m + l] : (1.0 + 1.0 / reps) * c / (ji * jl);
            }
    }
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
 * best iterate (the smallest root mean square gap), with its gaps. */
static int iterate(const struct model *base, struct calib_result *r, const struct free_par *fp,
                   int n, const int *fs, int reps, double *theta, double *gap, double *jdiag,
                   struct err *e)
{
    double *bsim = calloc((size_t)n + 1, sizeof *bsim), *g = calloc((size_t)n + 1, sizeof *g);
    double *best = calloc((size_t)n + 1, sizeof *best);
    if (!bsim || !g || !best) {
        free(bsim), free(g), free(best);
        return err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    }
    double lambda = 1.0, last = INFINITY, best_rms = INFINITY, tol = calib_sim_tolerance(reps);
    int rc = 0;
    r->sim.converged = false;
    for (int it = 1; it <= CALIB_SIM_MAX_ITER; it++) {
        set_theta(r, fp, n, theta);
        if ((rc = binding(base, r, fp, n, reps, bsim, e)) != 0) break;
        r->sim.evaluations++;
        double rms, worst = gaps(r, fp, n, bsim, g, &rms);
        r->sim.iterations = it;
        if (rms < best_rms) {
            best_rms = rms;
            r->sim.max_gap_se = worst;
            r->sim.rms_gap_se = rms;
            memcpy(best, theta, (size_t)n * sizeof *theta);
            memcpy(gap, g, (size_t)n * sizeof *g);
        }
        if (rms < tol) {
            r->sim.converged = true;
            break;
        }
        if (it == CALIB_SIM_MAX_ITER) break;
        if (it == 1 && (rc = jacobian(base, r, fp, n, fs, reps, theta, bsim, jdiag, e)) != 0)
            break;
        if (rms > last) lambda = fmax(lambda / 2, 0.125);
        last = rms;
        for (int j = 0; j < n; j++) {
            double dj = isnan(bsim[j]) ? 0.0 : par(r, &fp[j])->plain_theta - bsim[j];
            dj = isfinite(dj) ? dj : (isnan(dj) ? 0.0 : copysign(1.0, dj));
            theta[j] += lambda * fmax(-1.0, fmin(1.0, dj / jdiag[j]));
        }
    }
    if (rc == 0) memcpy(theta, best, (size_t)n * sizeof *theta);
    free(bsim), free(g), free(best);
    return rc;
}

/* A parameter the simulating fit does not identify (a 95% CI wider than
 * CALIB_WIDE_CI: the binding function is flat along it): flagged, so that
 * the fragment keeps the base scenario's value, with a warning. */
static void unidentified(const struct model *m, struct calib_result *r, const struct free_par *fp)
{
    struct calib_param *q = par(r, fp);
    struct calib_flow *cf = &r->flow[fp->f];
    q->unidentified = true;
    if (cf->n_warn >= CALIB_MAX_WARN) return;
    const struct transition *t = &m->transitions[q->trans];
    const struct flow *fl = &m->flows[t->flow];
    snprintf(cf->warn[cf->n_warn++], sizeof cf->warn[0],
             "%s -> %s %s is not identified by the simulating fit (its 95%% CI spans more than "
             "four orders of magnitude: the simulated panels hardly change with it): the fragment "
             "keeps the base scenario's value", model_state_id(fl, t->from), model_state_id(fl, t->to),
             q->cov < 0 ? "rate" : calib_cov_name(m, q->cov));
}

/* The answer into r: estimates at theta; the covariance vt of the free
 * parameters; standard errors and CIs from it; gaps; a warning when it
 * did not converge. */
static void finish(const struct model *base, struct calib_result *r, const struct free_par *fp, int n, const double *theta,
                   const double *gap, const double *vt)
{
    set_theta(r, fp, n, theta);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            if (fp[i].f != fp[k].f) continue;
            struct calib_flow *cf = &r->flow[fp[i].f];
            cf->cov[fp[i].i * cf->n_params + fp[k].i] = vt[i * n + k];
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
        if (!(q->theta_se <= log(CALIB_WIDE_CI) / (2.0 * Z95))) unidentified(base, r, &fp[j]);
    }
    for (int f = 0; f < r->n_flows; f++) {
        struct calib_flow *cf = &r->flow[f];
        if (!cf->fitted) continue;
        if (!r->sim.converged && cf->n_warn < CALIB_MAX_WARN)
            snprintf(cf->warn[cf->n_warn++], sizeof cf->warn[0],
                     "the simulating fit did not converge in %d iterations: the gaps between "
                     "the observed and simulated fits are %.2f standard errors (root mean "
                     "square; wanted below %.2f, the simulated fits' own noise); the estimates "
                     "are the iterate with the smallest",
                     r->sim.iterations, r->sim.rms_gap_se, calib_sim_tolerance(r->sim.reps));
    }
}

double calib_sim_tolerance(int reps)
{
    return CALIB_SIM_TOL / sqrt(reps > 0 ? reps : 1);
}

int calib_simulate(const struct model *base, const struct panel *observed, int reps,
                   struct calib_result *r, struct err *e)
{
    (void)observed;   /* its fit is r; the schedule is the scenario's RBS (see docs) */
    double t0 = now_s();
    struct free_par *fp = NULL;
    int n = 0;
    if (collect_free(r, &fp, &n) != 0) return err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    size_t n1 = (size_t)n + 1, nn = (size_t)n * n + 1;
    double *theta = calloc(n1, sizeof *theta), *gap = calloc(n1, sizeof *gap);
    double *jdiag = calloc(n1, sizeof *jdiag), *vt = calloc(nn, sizeof *vt);
    double *Jf = calloc(nn, sizeof *Jf), *Vf = calloc(nn, sizeof *Vf);
    struct linear L = { calloc(nn, sizeof(double)), calloc(nn, sizeof(double)) };
    int rc = theta && gap && jdiag && vt && Jf && Vf && L.J && L.V
                 ? 0 : err_set(e, EXIT_RUNTIME, "simulate: out of memory");
    int fs[MODEL_MAX_FLOWS + 1] = { 0 };
    for (int f = 0, j = 0; f < r->n_flows; f++) {
        fs[f] = j;
        while (j < n && fp[j].f == f) j++;
        fs[f + 1] = j;
    }
    for (int j = 0; rc == 0 && j < n; j++) {
        theta[j] = par(r, &fp[j])->plain_theta = par(r, &fp[j])->theta;
        jdiag[j] = 1.0;
    }
    memset(&r->sim, 0, sizeof r->sim);
    if (rc == 0) rc = iterate(base, r, fp, n, fs, reps, theta, gap, jdiag, e);
    if (rc == 0) rc = linearise(base, r, fp, n, fs, reps, theta, jdiag, &L, e);
    if (rc == 0) {
        r->sim.reps = reps;
        covariance(&L, r, fp, n, fs, reps, vt, Jf, Vf);
        finish(base, r, fp, n, theta, gap, vt);
        r->sim.seconds = now_s() - t0;
    } else {                          /* leave r as it was */
        for (int j = 0; j < n; j++) {
            struct calib_param *q = par(r, &fp[j]);
            if (isnan(q->plain_theta)) continue;
            set_theta(r, &fp[j], 1, &q->plain_theta);
            q->plain_theta = NAN;
        }
        memset(&r->sim, 0, sizeof r->sim);
    }
    free(fp), free(theta), free(gap), free(jdiag), free(vt), free(Jf), free(Vf);
    free(L.J), free(L.V);
    return rc;
}
