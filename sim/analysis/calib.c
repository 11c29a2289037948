/* calib.c: the fit of one flow's parameters (see calib.h): BFGS within
 * bounds, the observed information and standard errors, what the data
 * cannot estimate, and the fit check's numbers. */
#include "analysis/calib.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

#define Z95 1.959963984540054

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- optimisation ------------------------------------------------------- */

/* The free parameters of a fit and the full vector they sit in. */
struct opt {
    struct calib_lik *L;
    double *theta;          /* full, P */
    double *grad;           /* full, P */
    int *free_idx;          /* n_free */
    int n_free;
    long n_eval;
};

static bool opt_stopped(struct opt *o) { return calib_lik_stopped(o->L); }

static void opt_expand(struct opt *o, const gsl_vector *x)
{
    for (int i = 0; i < o->n_free; i++) o->theta[o->free_idx[i]] = gsl_vector_get(x, (size_t)i);
}

static double opt_f(const gsl_vector *x, void *params)
{
    struct opt *o = params;
    opt_expand(o, x);
    o->n_eval++;
    return calib_lik_eval(o->L, o->theta, NULL);
}

static void opt_fdf(const gsl_vector *x, void *params, double *f, gsl_vector *g)
{
    struct opt *o = params;
    opt_expand(o, x);
    o->n_eval++;
    double v = calib_lik_eval(o->L, o->theta, o->grad);
    if (f) *f = v;
    for (int i = 0; i < o->n_free; i++) {
        double gi = o->grad[o->free_idx[i]];
        gsl_vector_set(g, (size_t)i, isfinite(gi) ? gi : 0.0);
    }
}

static void opt_df(const gsl_vector *x, void *params, gsl_vector *g)
{
    opt_fdf(x, params, NULL, g);
}

static void add_warn(struct calib_flow *cf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_warn(struct calib_flow *cf, const char *fmt, ...)
{
    if (cf->n_warn >= CALIB_MAX_WARN) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cf->warn[cf->n_warn++], sizeof cf->warn[0], fmt, ap);
    va_end(ap);
}

static double max_abs_free(const struct opt *o)
{
    double g = 0.0;
    for (int i = 0; i < o->n_free; i++) g = fmax(g, fabs(o->grad[o->free_idx[i]]));
    return g;
}

/* BFGS from o->theta; leaves the optimum in o->theta, the gradient there in
 * o->grad. Returns the -log L there. Bounded: at most CALIB_MAX_EVALS
 * evaluations of the likelihood (*capped says it bit), and an iteration
 * that does not lower -log L at all counts as no progress (three in a row
 * end a run, and a restart that gains nothing ends the search: BFGS's line
 * search can otherwise spend hundreds of evaluations per step on a flat
 * ridge). Stops at once when o->stop is raised. */
static double minimise(struct opt *o, double gtol, int *iterations, bool *converged, bool *capped)
{
    size_t n = (size_t)o->n_free;
    gsl_vector *x = gsl_vector_alloc(n);
    gsl_multimin_fdfminimizer *s =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, n);
    double f = NAN;
    *iterations = 0;
    *converged = *capped = false;
    if (!x || !s) goto done;
    gsl_multimin_function_fdf fn = { opt_f, opt_df, opt_fdf, n, o };
    for (int restart = 0; restart < 6 && !*converged; restart++) {
        for (size_t i = 0; i < n; i++) gsl_vector_set(x, i, o->theta[o->free_idx[i]]);
        if (gsl_multimin_fdfminimizer_set(s, &fn, x, 0.1, 0.1) != GSL_SUCCESS) break;
        int status = GSL_CONTINUE, stalled = 0;
        double f_start = s->f;
        for (int it = 0; it < 1000 && status == GSL_CONTINUE && stalled < 3; it++) {
            ++*iterations;
            double f_before = s->f;
            status = gsl_multimin_fdfminimizer_iterate(s);
            if (status || opt_stopped(o)) break;
            if (o->n_eval >= CALIB_MAX_EVALS) {
                *capped = true;
                break;
            }
            stalled = s->f < f_before ? 0 : stalled + 1;
            status = gsl_multimin_test_gradient(s->gradient, gtol);
        }
        *converged = status == GSL_SUCCESS;
        opt_expand(o, s->x);
        if (opt_stopped(o) || *capped) break;
        if (!*converged && restart > 0 && gsl_multimin_test_gradient(s->gradient, 10 * gtol) ==
                                              GSL_SUCCESS)
            *converged = true;   /* no progress possible, and close enough */
        /* A restart that gained nothing will not be helped by another. */
        if (restart > 0 && !(s->f < f_start)) break;
    }
    if (!opt_stopped(o)) f = calib_lik_eval(o->L, o->theta, o->grad);
done:
    if (s) gsl_multimin_fdfminimizer_free(s);
    if (x) gsl_vector_free(x);
    return f;
}

/* Observed information over the free parameters: central differences of the
 * analytic gradient, symmetrised. H is n_free x n_free. */
static void hessian(struct opt *o, gsl_matrix *H, double *gp, double *gm)
{
    int n = o->n_free;
    for (int j = 0; j < n; j++) {
        int pj = o->free_idx[j];
        double keep = o->theta[pj];
        double h = 1e-4 * (1.0 + fabs(keep));
        o->theta[pj] = keep + h;
        calib_lik_eval(o->L, o->theta, gp);
        o->theta[pj] = keep - h;
        calib_lik_eval(o->L, o->theta, gm);
        o->theta[pj] = keep;
        for (int i = 0; i < n; i++)
            gsl_matrix_set(H, (size_t)i, (size_t)j,
                           (gp[o->free_idx[i]] - gm[o->free_idx[i]]) / (2.0 * h));
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) {
            double v = 0.5 * (gsl_matrix_get(H, (size_t)i, (size_t)j) +
                              gsl_matrix_get(H, (size_t)j, (size_t)i));
            gsl_matrix_set(H, (size_t)i, (size_t)j, v);
            gsl_matrix_set(H, (size_t)j, (size_t)i, v);
        }
}

/* ---- the fit check ------------------------------------------------------ */

/* The span of the fit check: from the first to the last time at which at
 * least half the largest number of citizens ever under observation at once
 * are under observation, so that the few measured early or late (whose
 * schedules make them a selected group) do not stretch the grid. */
static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Number of v[0..n) (sorted) that are <= t (or < t when strict). */
static size_t count_upto(const double *v, size_t n, double t, bool strict)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strict ? v[mid] < t : v[mid] <= t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int observed_span(const struct panel *p, double *tmin, double *tmax)
{
    size_t n = p->n_cit;
    double *first = malloc(2 * n * sizeof *first);
    if (!first) return -1;
    double *last = first + n;
    for (size_t c = 0; c < n; c++) {
        first[c] = p->obs[p->cit_start[c]].t;
        last[c] = p->obs[p->cit_start[c + 1] - 1].t;
    }
    qsort(first, n, sizeof *first, dbl_cmp);
    qsort(last, n, sizeof *last, dbl_cmp);
    size_t most = 0;
    for (size_t c = 0; c < n; c++) {     /* the count peaks at a first time */
        size_t k = count_upto(first, n, first[c], false) - count_upto(last, n, first[c], true);
        if (k > most) most = k;
    }
    double need = 0.5 * (double)most;
    *tmin = first[0];
    *tmax = last[n - 1];
    for (size_t c = 0; c < n; c++) {
        double t = first[c];
        if ((double)(count_upto(first, n, t, false) - count_upto(last, n, t, true)) >= need) {
            *tmin = t;
            break;
        }
    }
    for (size_t c = n; c-- > 0;) {
        double t = last[c];
        if ((double)(count_upto(first, n, t, false) - count_upto(last, n, t, true)) >= need) {
            *tmax = t;
            break;
        }
    }
    free(first);
    return 0;
}

/* Observed and expected prevalence on the grid (see calib.h). A citizen
 * is under observation at grid time t from its first to its last
 * measurement; its observed state there is the one at its latest
 * measurement at or before t (msm's prevalence.msm, interp = "start"), and
 * its expected state distribution is the model's for that same measurement
 * time, projected from its first state with z read at its first
 * measurement: expm(Q(z) (t_j - t_first)) row s_first. Comparing at the
 * same moment keeps the check unbiased under the model, however long the
 * gaps between measurements. Uses L's workspace. */
static int fit_check(struct calib_lik *L, const struct panel *p, const double *theta,
                     struct calib_flow *cf)
{
    int S = L->S, G = CALIB_GRID_POINTS, flow = L->flow;
    double tmin, tmax;
    if (observed_span(p, &tmin, &tmax) < 0) return -1;
    if (!(tmax > tmin)) G = 1;
    cf->n_grid = G;
    if (!(cf->grid_t = calloc((size_t)G, sizeof *cf->grid_t)) ||
        !(cf->at_risk = calloc((size_t)G, sizeof *cf->at_risk)) ||
        !(cf->observed = calloc((size_t)G * S, sizeof *cf->observed)) ||
        !(cf->expected = calloc((size_t)G * S, sizeof *cf->expected)))
        return -1;
    double step = G > 1 ? (tmax - tmin) / (G - 1) : 0.0;
    for (int g = 0; g < G; g++) cf->grid_t[g] = tmin + g * step;
    cf->grid_t[G - 1] = tmax;

    size_t most = 1;                         /* measurements of one citizen */
    for (size_t c = 0; c < p->n_cit; c++)
        if (p->cit_start[c + 1] - p->cit_start[c] > most) most = p->cit_start[c + 1] - p->cit_start[c];
    double *v = malloc(most * (size_t)S * sizeof *v);
    if (!v) return -1;
    double z[MODEL_MAX_COVS], cached_dt = NAN, cached_z[MODEL_MAX_COVS];
    const gsl_matrix *Pm = NULL;
    for (size_t c = 0; c < p->n_cit && !calib_lik_stopped(L); c++) {
        size_t i0 = p->cit_start[c], n = p->cit_start[c + 1] - i0;
        const struct panel_obs *ob = &p->obs[i0];
        double t0 = ob[0].t, t1 = ob[n - 1].t;
        int g0 = G > 1 ? (int)ceil((t0 - tmin) / step - 1e-9) : 0;
        if (g0 < 0) g0 = 0;
        if (g0 >= G || cf->grid_t[g0] > t1) continue;
        for (int k = 0; k < L->C; k++) z[k] = calib_cov_value(&ob[0], L->cov[k]);
        /* v[j] = distribution at measurement j, one step at a time. */
        for (int s = 0; s < S; s++) v[s] = s == ob[0].state[flow];
        for (size_t j = 1; j < n; j++) {
            double dt = ob[j].t - ob[j - 1].t;
            if (!(dt == cached_dt && (L->C == 0 || !memcmp(z, cached_z, (size_t)L->C * sizeof *z)))) {
                Pm = calib_lik_transition(L, theta, z, dt);
                cached_dt = dt;
                memcpy(cached_z, z, sizeof cached_z);
            }
            for (int s = 0; s < S; s++) {
                double acc = 0.0;
                for (int r = 0; r < S; r++) acc += v[(j - 1) * S + r] * gsl_matrix_get(Pm, (size_t)r, (size_t)s);
                v[j * S + s] = acc;
            }
        }
        size_t j = 0;
        for (int g = g0; g < G && cf->grid_t[g] <= t1; g++) {
            while (j + 1 < n && ob[j + 1].t <= cf->grid_t[g]) j++;
            cf->at_risk[g] += 1.0;
            cf->observed[(size_t)g * S + ob[j].state[flow]] += 1.0;
            for (int s = 0; s < S; s++) cf->expected[(size_t)g * S + s] += v[j * S + s];
        }
    }
    free(v);
    return 0;
}

/* ---- one flow ----------------------------------------------------------- */

/* One flow's fit in progress. */
struct flow_fit {
    const struct model *m;
    const struct flow *fl;
    const struct calib_opts *o;
    struct calib_lik *L;
    struct calib_flow *cf;
    struct opt op;
    double f, gtol;
};

static void rebuild_free(struct flow_fit *ff)
{
    ff->op.n_free = 0;
    for (int i = 0; i < ff->L->P; i++)
        if (!ff->cf->params[i].fixed) ff->op.free_idx[ff->op.n_free++] = i;
}

/* Parameters, starting values (count / exposure), and what the data cannot
 * estimate: rates out of a state no pair starts in (held at the base),
 * effects of a covariate that does not vary there (held at 0). */
static void start_values(struct flow_fit *ff)
{
    const struct calib_lik *L = ff->L;
    struct calib_flow *cf = ff->cf;
    int S = L->S, K = L->K, C = L->C;
    double *theta = ff->op.theta;
    for (int k = 0; k < K; k++) {
        const struct transition *t = &ff->m->transitions[L->trans[k]];
        struct calib_param *q = &cf->params[k];
        double expo = L->exposure[L->from[k]];
        *q = (struct calib_param){ .trans = L->trans[k], .cov = -1, .base = t->per_year,
                                   .fixed = expo <= 0.0 };
        theta[k] = expo > 0.0                ? log((L->n_direct[k] + 0.5) / expo)
                   : t->per_year > 0.0       ? log(t->per_year)
                                             : -INFINITY;
        for (int c = 0; c < C; c++) {
            int slot = ff->o->cov[c], a = L->from[k];
            bool flat = !(L->zmax[a * C + c] > L->zmin[a * C + c]);   /* no information */
            cf->params[K + k * C + c] = (struct calib_param){
                .trans = L->trans[k], .cov = slot, .base = t->beta[slot],
                .fixed = expo <= 0.0 || flat };
            theta[K + k * C + c] = expo <= 0.0 ? t->beta[slot] : 0.0;
        }
    }
    for (int s = 0; s < S; s++) {
        bool any = false;
        for (int k = 0; k < K; k++) any |= L->from[k] == s;
        const char *id = model_state_id(ff->fl, s);
        if (any && L->exposure[s] <= 0.0)
            add_warn(cf, "no pair of measurements starts in %s: the rates out of %s are held at "
                     "the base scenario's values", id, id);
        for (int c = 0; c < C && any && L->exposure[s] > 0.0; c++)
            if (!(L->zmax[s * C + c] > L->zmin[s * C + c]))
                add_warn(cf, "%s does not vary among pairs starting in %s: its effects on moves "
                         "out of %s are held at 0", calib_cov_name(ff->m, ff->o->cov[c]), id, id);
    }
    rebuild_free(ff);
}

/* After the optimiser: rates driven to 0 (a move never seen, nothing
 * suggesting it) are held at the boundary without a standard error. */
static void boundary_rates(struct flow_fit *ff)
{
    const struct calib_lik *L = ff->L;
    struct calib_flow *cf = ff->cf;
    int K = L->K, C = L->C;
    double *theta = ff->op.theta;
    for (int k = 0; k < K; k++) {
        struct calib_param *q = &cf->params[k];
        const struct transition *t = &ff->m->transitions[q->trans];
        const char *from = model_state_id(ff->fl, t->from), *to = model_state_id(ff->fl, t->to);
        if (q->fixed) continue;
        if (L->n_direct[k] == 0 && !(exp(theta[k]) * L->exposure[L->from[k]] > 1e-3 &&
                                     theta[k] > -20.0)) {
            q->fixed = true;
            theta[k] = -INFINITY;
            for (int c = 0; c < C; c++) {
                cf->params[K + k * C + c].fixed = true;
                theta[K + k * C + c] = 0.0;
            }
            add_warn(cf, "no move %s -> %s observed: its rate is estimated at 0 (the boundary), "
                     "without a standard error", from, to);
        }
    }
    rebuild_free(ff);
    ff->f = calib_lik_eval(ff->L, theta, ff->op.grad);
    cf->grad_max = max_abs_free(&ff->op);
}

/* Newton steps with the Cholesky factor of the information polish what
 * BFGS left (each costs one gradient; the information barely moves over
 * such steps). keep: P doubles of scratch. */
static int polish(struct flow_fit *ff, const gsl_matrix *H, double *keep)
{
    struct opt *op = &ff->op;
    int n = op->n_free, P = ff->L->P;
    gsl_vector *step = gsl_vector_alloc((size_t)n), *rhs = gsl_vector_alloc((size_t)n);
    if (!step || !rhs) {
        if (step) gsl_vector_free(step);
        if (rhs) gsl_vector_free(rhs);
        return -1;
    }
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < n; i++) gsl_vector_set(rhs, (size_t)i, -op->grad[op->free_idx[i]]);
        gsl_linalg_cholesky_solve(H, rhs, step);
        double worst = 0.0;
        for (int i = 0; i < n; i++) worst = fmax(worst, fabs(gsl_vector_get(step, (size_t)i)));
        if (worst < 1e-7) break;
        memcpy(keep, op->theta, (size_t)P * sizeof *keep);
        for (int i = 0; i < n; i++) op->theta[op->free_idx[i]] += gsl_vector_get(step, (size_t)i);
        double f_new = calib_lik_eval(ff->L, op->theta, op->grad);
        if (!(f_new <= ff->f + 1e-9 * fabs(ff->f))) {
            memcpy(op->theta, keep, (size_t)P * sizeof *keep);
            calib_lik_eval(ff->L, op->theta, op->grad);
            break;
        }
        ff->f = f_new;
    }
    gsl_vector_free(step);
    gsl_vector_free(rhs);
    return 0;
}

/* Observed information over the free parameters, a polish, and the
 * covariance of theta (cf->cov) when the information is positive definite. */
static int information(struct flow_fit *ff)
{
    struct calib_flow *cf = ff->cf;
    struct opt *op = &ff->op;
    int n = op->n_free, P = ff->L->P, rc = -1;
    cf->hessian_pd = n == 0;
    if (n == 0) return 0;
    gsl_matrix *H = gsl_matrix_alloc((size_t)n, (size_t)n);
    double *gp = calloc((size_t)P, sizeof *gp), *gm = calloc((size_t)P, sizeof *gm);
    if (!H || !gp || !gm) goto out;
    hessian(op, H, gp, gm);
    cf->hessian_pd = gsl_linalg_cholesky_decomp1(H) == GSL_SUCCESS;
    if (cf->hessian_pd && polish(ff, H, gp) != 0) goto out;
    cf->grad_max = max_abs_free(op);
    if (!cf->converged && cf->grad_max < 10 * ff->gtol) cf->converged = true;
    if (cf->hessian_pd) {
        gsl_linalg_cholesky_invert(H);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                cf->cov[op->free_idx[i] * P + op->free_idx[j]] = gsl_matrix_get(H, (size_t)i, (size_t)j);
    }
    rc = 0;
out:
    if (H) gsl_matrix_free(H);
    free(gp);
    free(gm);
    return rc;
}

/* The warnings about the optimiser's outcome. */
static void outcome_warnings(struct flow_fit *ff)
{
    struct calib_flow *cf = ff->cf;
    for (int i = 0; i < ff->L->P; i++)
        if (isnan(ff->op.theta[i]) || !isfinite(ff->f)) {
            cf->converged = false;
            cf->hessian_pd = false;
            add_warn(cf, "numerical failure: the likelihood or a parameter is not a number; "
                     "the estimates are not usable");
            break;
        }
    if (cf->eval_capped)
        add_warn(cf, "the optimiser was stopped after %d evaluations of the likelihood (the "
                 "bound): the likelihood is nearly flat in some direction; the estimates are "
                 "those reached, not an optimum", CALIB_MAX_EVALS);
    if (!cf->converged)
        add_warn(cf, "the optimiser did not converge (%d iterations; largest gradient %.3g): "
                 "treat the estimates with care", cf->iterations, cf->grad_max);
    if (!cf->hessian_pd)
        add_warn(cf, "the Hessian is not positive definite at the optimum: no standard errors "
                 "(some parameters are not identified by these data; try fewer covariates)");
}

/* Estimates, standard errors (delta method for rates) and 95% CIs
 * (log scale for rates). */
static void estimates(struct flow_fit *ff)
{
    struct calib_flow *cf = ff->cf;
    int P = ff->L->P;
    for (int i = 0; i < P; i++) {
        struct calib_param *q = &cf->params[i];
        q->theta = ff->op.theta[i];
        q->plain_theta = q->gap_se = NAN;
        double v = cf->cov[i * P + i];
        q->theta_se = v >= 0.0 ? sqrt(v) : NAN;
        double lo = q->theta - Z95 * q->theta_se, hi = q->theta + Z95 * q->theta_se;
        if (q->cov < 0) {
            q->est = exp(q->theta);
            q->se = q->est * q->theta_se;
            q->lo = exp(lo);
            q->hi = exp(hi);
            if (q->fixed && isinf(q->theta) && q->theta < 0 &&
                ff->L->exposure[ff->L->from[i]] > 0.0) {
                q->lo = 0.0;                       /* boundary */
                q->hi = NAN;
            }
        } else {
            q->est = q->theta;
            q->se = q->theta_se;
            q->lo = lo;
            q->hi = hi;
        }
        if (q->fixed && !(q->cov < 0 && q->lo == 0.0)) q->se = q->lo = q->hi = NAN;
    }
}

/* Parameters these data do not identify (see calib.h), each with a
 * warning; they keep the base's value in the fragment. */
static void flag_unidentified(struct flow_fit *ff)
{
    struct calib_flow *cf = ff->cf;
    const struct calib_lik *L = ff->L;
    double half_width = log(CALIB_WIDE_CI) / (2.0 * Z95);
    for (int i = 0; i < L->P; i++) {
        struct calib_param *q = &cf->params[i];
        if (q->fixed) continue;
        const char *why = NULL;
        if (!cf->hessian_pd) why = "the information is not positive definite (a flat likelihood)";
        else if (q->theta_se > half_width) why = "its 95% CI spans more than four orders of magnitude";
        else if (q->cov < 0 ? q->theta > CALIB_ETA_MAX : fabs(q->theta) > CALIB_BETA_MAX)
            why = "it ran to the optimiser's bound (the data separate)";
        else if (q->cov < 0) {
            double gap = L->n_pairs ? L->exposure[L->from[i]] / (double)L->n_pairs : 0.0;
            if (gap > 0.0 && q->theta > log(30.0) && q->est * gap > 30.0)
                why = "the measurements are too far apart to bound it";
        }
        if (!why) continue;
        q->unidentified = true;
        const struct transition *t = &ff->m->transitions[q->trans];
        add_warn(cf, "%s -> %s %s is not identified by this panel (%s): the fragment keeps the "
                 "base scenario's value", model_state_id(ff->fl, t->from),
                 model_state_id(ff->fl, t->to), q->cov < 0 ? "rate" : calib_cov_name(ff->m, q->cov),
                 why);
    }
}

/* Rates that the base scenario's capacities and stay limits bias in a
 * Markov fit, which sees moves but not why they happened: a move out of a
 * ring with a stay limit (the limit's re-visitations look like a rate), a
 * move into a ring that is full at its initial occupancy (the moves happen
 * when places free, not when they are wanted). */
static void flag_system_bias(struct flow_fit *ff)
{
    struct calib_flow *cf = ff->cf;
    const struct flow *fl = ff->fl;
    for (int k = 0; k < ff->L->K; k++) {
        struct calib_param *q = &cf->params[k];
        const struct transition *t = &ff->m->transitions[q->trans];
        const struct ring *from = t->from < fl->n_rings ? &fl->rings[t->from] : NULL;
        const struct ring *to = t->to < fl->n_rings ? &fl->rings[t->to] : NULL;
        if (from && from->max_stay_years > 0.0) q->biased_by = "stay limit";
        else if (to && to->capacity > 0 && to->initial >= to->capacity) q->biased_by = "full ring";
        if (!q->biased_by || q->fixed) continue;
        if (from && from->max_stay_years > 0.0)
            add_warn(cf, "%s -> %s: %s has a stay limit of %g years in the base scenario; the "
                     "moves it causes are read as this rate, which is biased (a fit that "
                     "simulates the system, --simulate, is needed to separate them)",
                     model_state_id(fl, t->from), model_state_id(fl, t->to), from->id,
                     from->max_stay_years);
        else
            add_warn(cf, "%s -> %s: %s is full in the base scenario (%d of %d places at the "
                     "start); moves into it wait for places, so this rate is biased low (a fit "
                     "that simulates the system, --simulate, is needed)",
                     model_state_id(fl, t->from), model_state_id(fl, t->to), to->id,
                     to->initial, to->capacity);
    }
}

/* A base effect of a covariate the fit leaves out is dropped from the
 * fragment (the fitted rate averages over that covariate): said loudly,
 * once per flow. */
static void flag_dropped_effects(struct flow_fit *ff)
{
    bool dropped[MODEL_MAX_COVS] = { false };
    int n_trans = 0;
    for (int k = 0; k < ff->L->K; k++) {
        const struct transition *t = &ff->m->transitions[ff->L->trans[k]];
        bool any = false;
        for (int s = 0; s < MODEL_MAX_COVS; s++) {
            bool fitted = false;
            for (int c = 0; c < ff->o->n_cov; c++) fitted |= ff->o->cov[c] == s;
            if (t->beta[s] == 0.0 || fitted) continue;
            if (s >= ff->m->n_dims && s != COV_AGE && s != COV_FEMALE) continue;
            dropped[s] = any = true;
        }
        n_trans += any;
    }
    if (!n_trans) return;
    char names[256] = "";
    size_t n = 0;
    for (int s = 0; s < MODEL_MAX_COVS; s++)
        if (dropped[s])
            n += (size_t)snprintf(names + n, n < sizeof names ? sizeof names - n : 0, "%s%s",
                                  n ? ", " : "", calib_cov_name(ff->m, s));
    add_warn(ff->cf, "the base scenario's effects of %s on %d transition%s are DROPPED from the "
             "fragment: this fit has no such covariates, so its rates average over them (add "
             "them with --covariates to estimate them)", names, n_trans, n_trans == 1 ? "" : "s");
}

/* What a flow without a fit says (no transitions listed, no pairs), into
 * cf->why_not; false when the flow can be fitted. */
static bool cannot_fit(const struct calib_lik *L, const struct flow *fl, struct calib_flow *cf)
{
    if (L->K == 0)
        snprintf(cf->why_not, sizeof cf->why_not, "the scenario lists no transitions in flow %s",
                 fl->id);
    else if (L->n_pairs == 0)
        snprintf(cf->why_not, sizeof cf->why_not, "no citizen has two measurements in flow %s",
                 fl->id);
    return cf->why_not[0] != '\0';
}

/* The counts a fit reports, from the grouped pairs. */
static int copy_counts(const struct calib_lik *L, struct calib_flow *cf)
{
    size_t S = (size_t)L->S;
    cf->n_cit = L->n_cit;
    cf->n_obs = L->n_obs;
    cf->n_pairs = L->n_pairs;
    cf->n_moves = L->n_moves;
    cf->n_impossible = L->n_impossible;
    cf->n_groups = L->n_groups;
    if (!(cf->counts = malloc(S * S * sizeof *cf->counts))) return -1;
    memcpy(cf->counts, L->counts, S * S * sizeof *cf->counts);
    return 0;
}

static int fit_flow(const struct model *m, const struct panel *p, int flow,
                    const struct calib_opts *o, struct calib_flow *cf, struct err *e)
{
    double t_start = now_s();
    struct flow_fit ff = { .m = m, .fl = &m->flows[flow], .o = o, .cf = cf };
    cf->flow = flow;
    cf->n_states = ff.fl->n_rings + 1;
    struct calib_lik *L = ff.L = calib_lik_create(m, p, flow, o, e);
    if (!L) return -1;
    int P = L->P, rc = -1;
    ff.op.L = L;
    if (copy_counts(L, cf) != 0) goto oom;
    if (cannot_fit(L, ff.fl, cf)) {
        rc = 0;
        goto done;
    }
    cf->fitted = true;
    cf->n_params = P;
    if (!(cf->params = calloc((size_t)P, sizeof *cf->params)) ||
        !(cf->cov = malloc((size_t)P * P * sizeof *cf->cov)) ||
        !(ff.op.theta = calloc((size_t)P, sizeof *ff.op.theta)) ||
        !(ff.op.grad = calloc((size_t)P, sizeof *ff.op.grad)) ||
        !(ff.op.free_idx = calloc((size_t)P, sizeof *ff.op.free_idx)))
        goto oom;
    for (int i = 0; i < P * P; i++) cf->cov[i] = NAN;
    if (L->n_impossible)
        add_warn(cf, "%zu pairs of consecutive measurements show a move the listed transitions "
                 "cannot make (%s); they are left out of the likelihood",
                 L->n_impossible, L->impossible_example);
    start_values(&ff);
    ff.f = calib_lik_eval(L, ff.op.theta, NULL);
    ff.gtol = 1e-6 * fmax(1.0, ff.f);
    if (ff.op.n_free > 0)
        ff.f = minimise(&ff.op, ff.gtol, &cf->iterations, &cf->converged, &cf->eval_capped);
    else
        cf->converged = true;
    cf->evaluations = ff.op.n_eval;
    if (calib_lik_stopped(L)) goto stopped;
    boundary_rates(&ff);
    if (information(&ff) != 0) goto oom;
    if (calib_lik_stopped(L)) goto stopped;
    outcome_warnings(&ff);
    cf->minus2ll = 2.0 * ff.f;
    estimates(&ff);
    flag_unidentified(&ff);
    if (!o->simulated) {          /* a simulating fit keeps the system and the effects */
        flag_system_bias(&ff);
        flag_dropped_effects(&ff);
    }
    if (fit_check(L, p, ff.op.theta, cf) < 0) goto oom;
    if (calib_lik_stopped(L)) goto stopped;
    cf->seconds = now_s() - t_start;
    rc = 0;
    goto done;
oom:
    err_set(e, EXIT_RUNTIME, "calibration: out of memory");
    goto done;
stopped:
    err_set(e, EXIT_RUNTIME, "interrupted");
done:
    free(ff.op.theta);
    free(ff.op.grad);
    free(ff.op.free_idx);
    calib_lik_destroy(L);
    return rc;
}

int calib_fit(const struct model *m, const struct panel *p, const struct calib_opts *o,
              struct calib_result *r, struct err *e)
{
    memset(r, 0, sizeof *r);
    double t0 = now_s();
    /* GSL's default handler aborts (a Hessian that is not positive definite
     * is an outcome here, not a crash); restored before returning. */
    gsl_error_handler_t *old_handler = gsl_set_error_handler_off();
    r->opts = *o;
    r->n_flows = m->n_flows;
    for (int f = 0; f < m->n_flows; f++) {
        struct calib_flow *cf = &r->flow[f];
        cf->flow = f;
        cf->n_states = m->flows[f].n_rings + 1;
        if (!p->has_flow[f]) {
            snprintf(cf->why_not, sizeof cf->why_not, "the panel has no column '%s'",
                     m->flows[f].id);
            continue;
        }
        if (fit_flow(m, p, f, o, cf, e) < 0) {
            calib_result_fini(r);
            gsl_set_error_handler(old_handler);
            return -1;
        }
    }
    gsl_set_error_handler(old_handler);
    r->seconds = now_s() - t0;
    return 0;
}

void calib_result_fini(struct calib_result *r)
{
    for (int f = 0; f < MODEL_MAX_FLOWS; f++) {
        struct calib_flow *cf = &r->flow[f];
        free(cf->params);
        free(cf->cov);
        free(cf->counts);
        free(cf->grid_t);
        free(cf->at_risk);
        free(cf->observed);
        free(cf->expected);
    }
    memset(r, 0, sizeof *r);
}
