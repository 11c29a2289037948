/* calib.c: maximum-likelihood fit of a flow's transition rates (and
 * covariate effects) to panel data, the fit check, and the files a fit
 * writes. See calib.h for the model and the likelihood; docs/calibration.md
 * for what a researcher reads.
 *
 * Invariants of struct calib_lik: groups hold distinct (dt, z); the cells of
 * group g are cells[g_cell[g] .. g_cell[g+1]-1] with distinct (a, b), and
 * every cell's b is reachable from a through the listed transitions (other
 * pairs are counted as impossible and left out), so P_ab > 0 for any
 * positive rates. */
#include "analysis/calib.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

#include "base/afile.h"
#include "base/caldate.h"
#include "base/version.h"

#define P_TINY 1e-300          /* floor of a pair's probability (log = -690.8) */
/* Where the optimiser may roam. A rate above exp(ETA_MAX) = 1e5 per year
 * (a move every five minutes) is instantaneous on any RBS schedule, and a
 * matrix exponential costs more the larger the rate (squarings): beyond
 * it the rate grows linearly in eta instead of exponentially. An effect
 * beyond BETA_MAX (a hazard ratio of 22,000 per unit of z) and a log-rate
 * beyond ETA_MAX are no findings but signs that the data separate (every
 * move at one end of z, or moves faster than any gap): a quadratic wall
 * outside those bounds gives the likelihood a finite optimum there, so the
 * fit ends instead of running off (an 815-second fit did), and such
 * parameters are reported as not identified. Inside the bounds nothing
 * changes; value and gradient stay consistent everywhere. */
#define ETA_MAX 11.5
#define BETA_MAX 10.0
#define Z95 1.959963984540054

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- covariates ------------------------------------------------------- */

const char *calib_cov_name(const struct model *m, int slot)
{
    if (slot == COV_AGE) return "age";
    if (slot == COV_FEMALE) return "female";
    return m->dims[slot];
}

int calib_parse_covariates(const struct model *m, const char *list, struct calib_opts *o,
                           struct err *e)
{
    o->n_cov = 0;
    const char *s = list;
    for (;;) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        int slot = -1;
        for (int d = 0; d < m->n_dims && slot < 0; d++)
            if (strlen(m->dims[d]) == n && !strncmp(s, m->dims[d], n)) slot = d;
        if (slot < 0 && n == 3 && !strncmp(s, "age", 3)) slot = COV_AGE;
        if (slot < 0 && n == 6 && !strncmp(s, "female", 6)) slot = COV_FEMALE;
        if (slot < 0) {
            char names[512] = "";
            size_t k = 0;
            for (int d = 0; d < m->n_dims; d++)
                k += (size_t)snprintf(names + k, sizeof names - k > k ? sizeof names - k : 0,
                                      "%s, ", m->dims[d]);
            return err_set(e, EXIT_INPUT, "--covariates: no covariate '%.*s' (the scenario has: "
                           "%sage, female)", (int)(n > 64 ? 64 : n), s, names);
        }
        for (int c = 0; c < o->n_cov; c++)
            if (o->cov[c] == slot)
                return err_set(e, EXIT_INPUT, "--covariates: '%s' is named twice",
                               calib_cov_name(m, slot));
        o->cov[o->n_cov++] = slot;
        if (!end) break;
        s = end + 1;
    }
    return 0;
}

void calib_panel_needs(const struct calib_opts *o, struct panel_opts *po)
{
    for (int c = 0; c < o->n_cov; c++) {
        if (o->cov[c] == COV_AGE) po->need_age = true;
        else if (o->cov[c] == COV_FEMALE) po->need_female = true;
        else po->need_level[o->cov[c]] = true;
    }
}

/* z of SPEC §2 for covariate slot at measurement ob. */
static double cov_value(const struct panel_obs *ob, int slot)
{
    if (slot == COV_AGE)   /* on a grid of CALIB_AGE_QUANTUM years: see calib.h */
        return round((ob->age - 40.0) / CALIB_AGE_QUANTUM) * CALIB_AGE_QUANTUM / 10.0;
    if (slot == COV_FEMALE) return ob->female == 1 ? 1.0 : 0.0;
    return (double)ob->level[slot] - 2.0;
}

/* ---- the likelihood workspace ------------------------------------------ */

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

void calib_lik_destroy(struct calib_lik *L)
{
    if (!L) return;
    free(L->g_dt);
    free(L->g_z);
    free(L->g_cell);
    free(L->cells);
    free(L->counts);
    free(L->exposure);
    free(L->zmin);
    free(L->zmax);
    free(L->n_direct);
    free(L->rate);
    free(L->drate);
    if (L->A) gsl_matrix_free(L->A);
    if (L->Pm) gsl_matrix_free(L->Pm);
    if (L->B) gsl_matrix_free(L->B);
    if (L->EB) gsl_matrix_free(L->EB);
    free(L);
}

int calib_lik_n_params(const struct calib_lik *L) { return L->P; }

bool calib_lik_stopped(struct calib_lik *L)
{
    if (!L->stopped && L->stop && *L->stop) L->stopped = true;
    return L->stopped;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Group lookup table: open addressing over group indices + 1. */
struct gtable {
    uint32_t *slot;
    size_t cap;
};

static uint64_t key_hash(double dt, const double *z, int C)
{
    uint64_t h = 1469598103934665603ull, bits;
    memcpy(&bits, &dt, sizeof bits);
    h = (h ^ bits) * 1099511628211ull;
    for (int c = 0; c < C; c++) {
        memcpy(&bits, &z[c], sizeof bits);
        h = (h ^ bits) * 1099511628211ull;
    }
    return h ^ (h >> 29);
}

/* Group index of (dt, z), adding a group when new; -1 when out of memory. */
static long group_of(struct calib_lik *L, struct gtable *T, size_t *cap_groups, double dt,
                     const double *z)
{
    int C = L->C;
    uint64_t h = key_hash(dt, z, C);
    if (T->cap) {
        for (size_t i = h & (T->cap - 1);; i = (i + 1) & (T->cap - 1)) {
            uint32_t g = T->slot[i];
            if (!g) break;
            if (L->g_dt[g - 1] == dt &&
                (C == 0 || memcmp(L->g_z + (size_t)(g - 1) * C, z, (size_t)C * sizeof *z) == 0))
                return g - 1;
        }
    }
    if ((L->n_groups + 1) * 2 > T->cap) {
        size_t cap = T->cap ? T->cap * 2 : 256;
        uint32_t *s = calloc(cap, sizeof *s);
        if (!s) return -1;
        for (size_t g = 0; g < L->n_groups; g++) {
            size_t i = key_hash(L->g_dt[g], L->g_z + g * C, C) & (cap - 1);
            while (s[i]) i = (i + 1) & (cap - 1);
            s[i] = (uint32_t)g + 1;
        }
        free(T->slot);
        T->slot = s;
        T->cap = cap;
    }
    if (L->n_groups == *cap_groups) {
        size_t cap = *cap_groups ? *cap_groups * 2 : 256;
        double *d = realloc(L->g_dt, cap * sizeof *d);
        if (!d) return -1;
        L->g_dt = d;
        if (C) {
            double *zz = realloc(L->g_z, cap * C * sizeof *zz);
            if (!zz) return -1;
            L->g_z = zz;
        }
        *cap_groups = cap;
    }
    size_t g = L->n_groups++;
    L->g_dt[g] = dt;
    if (C) memcpy(L->g_z + g * C, z, (size_t)C * sizeof *z);
    size_t i = h & (T->cap - 1);
    while (T->slot[i]) i = (i + 1) & (T->cap - 1);
    T->slot[i] = (uint32_t)g + 1;
    return (long)g;
}

struct calib_lik *calib_lik_create(const struct model *m, const struct panel *p, int flow,
                                   const struct calib_opts *o, struct err *e)
{
    struct calib_lik *L = calloc(1, sizeof *L);
    uint64_t *keys = NULL;
    struct gtable T = { 0 };
    if (!L) goto oom;
    const struct flow *fl = &m->flows[flow];
    int S = L->S = fl->n_rings + 1;
    L->flow = flow;
    L->C = o->n_cov;
    L->stop = o->stop;
    memcpy(L->cov, o->cov, sizeof L->cov);
    for (int i = 0; i < m->n_transitions; i++) {
        const struct transition *t = &m->transitions[i];
        if (t->flow != flow) continue;
        L->trans[L->K] = i;
        L->from[L->K] = t->from;
        L->to[L->K] = t->to;
        L->K++;
    }
    int K = L->K, C = L->C;
    L->P = K * (1 + C);
    if (!(L->counts = calloc((size_t)S * S, sizeof *L->counts)) ||
        !(L->exposure = calloc((size_t)S, sizeof *L->exposure)) ||
        !(L->zmin = malloc(((size_t)S * C + 1) * sizeof *L->zmin)) ||
        !(L->zmax = malloc(((size_t)S * C + 1) * sizeof *L->zmax)) ||
        !(L->n_direct = calloc((size_t)K + 1, sizeof *L->n_direct)) ||
        !(L->rate = calloc((size_t)K + 1, sizeof *L->rate)) ||
        !(L->drate = calloc((size_t)K + 1, sizeof *L->drate)) ||
        !(L->A = gsl_matrix_alloc((size_t)S, (size_t)S)) ||
        !(L->Pm = gsl_matrix_alloc((size_t)S, (size_t)S)) ||
        !(L->B = gsl_matrix_alloc(2 * (size_t)S, 2 * (size_t)S)) ||
        !(L->EB = gsl_matrix_alloc(2 * (size_t)S, 2 * (size_t)S)))
        goto oom;
    for (size_t i = 0; i < (size_t)S * C; i++) L->zmin[i] = INFINITY, L->zmax[i] = -INFINITY;

    /* Which states can reach which (Warshall over the listed moves). */
    bool reach[MODEL_MAX_RINGS + 1][MODEL_MAX_RINGS + 1];
    memset(reach, 0, sizeof reach);
    for (int s = 0; s < S; s++) reach[s][s] = true;
    for (int k = 0; k < K; k++) reach[L->from[k]][L->to[k]] = true;
    for (int v = 0; v < S; v++)
        for (int a = 0; a < S; a++)
            if (reach[a][v])
                for (int b = 0; b < S; b++) reach[a][b] |= reach[v][b];

    /* One key per usable pair: (group << 16) | (a << 8) | b. */
    size_t n_keys = 0, cap_groups = 0;
    if (p->n_obs > 1 && !(keys = malloc((p->n_obs - 1) * sizeof *keys))) goto oom;
    double z[MODEL_MAX_COVS];
    L->n_cit = p->n_cit;
    L->n_obs = p->n_obs;
    for (size_t c = 0; c < p->n_cit; c++) {
        for (size_t i = p->cit_start[c]; i + 1 < p->cit_start[c + 1]; i++) {
            const struct panel_obs *x = &p->obs[i], *y = &p->obs[i + 1];
            int a = x->state[flow], b = y->state[flow];
            if (a >= S || b >= S) continue;              /* no column: not reached */
            L->counts[a * S + b]++;
            if (!reach[a][b]) {
                if (!L->n_impossible++) {
                    char id[170];
                    const char *raw = panel_citizen_id(p, c);
                    panel_escape(raw, strlen(raw), id, sizeof id);
                    snprintf(L->impossible_example, sizeof L->impossible_example,
                             "citizen %s: %s -> %s, lines %u and %u", id,
                             model_state_id(fl, a), model_state_id(fl, b), x->line, y->line);
                }
                continue;
            }
            double dt = round((y->t - x->t) / CALIB_DT_QUANTUM) * CALIB_DT_QUANTUM;
            if (dt <= 0.0) dt = CALIB_DT_QUANTUM;        /* distinct times closer than that */
            for (int k = 0; k < C; k++) {
                z[k] = cov_value(x, L->cov[k]);
                L->zmin[a * C + k] = fmin(L->zmin[a * C + k], z[k]);
                L->zmax[a * C + k] = fmax(L->zmax[a * C + k], z[k]);
            }
            L->exposure[a] += dt;
            L->n_pairs++;
            L->n_moves += a != b;
            for (int k = 0; k < K; k++) L->n_direct[k] += L->from[k] == a && L->to[k] == b;
            long g = group_of(L, &T, &cap_groups, dt, z);
            if (g < 0) goto oom;
            keys[n_keys++] = ((uint64_t)g << 16) | ((uint64_t)a << 8) | (uint64_t)b;
        }
    }
    free(T.slot);
    T.slot = NULL;
    qsort(keys, n_keys, sizeof *keys, u64_cmp);
    if (!(L->g_cell = calloc(L->n_groups + 1, sizeof *L->g_cell)) ||
        !(L->cells = malloc((n_keys + 1) * sizeof *L->cells)))
        goto oom;
    size_t n_cells = 0;
    for (size_t i = 0; i < n_keys;) {
        size_t j = i;
        while (j < n_keys && keys[j] == keys[i]) j++;
        L->cells[n_cells++] = (struct cell){ (uint32_t)(j - i), (uint8_t)((keys[i] >> 8) & 0xff),
                                             (uint8_t)(keys[i] & 0xff) };
        L->g_cell[(keys[i] >> 16) + 1] = n_cells;
        i = j;
    }
    for (size_t g = 1; g <= L->n_groups; g++)           /* every group has a cell */
        if (L->g_cell[g] < L->g_cell[g - 1]) L->g_cell[g] = L->g_cell[g - 1];
    free(keys);
    return L;
oom:
    free(keys);
    free(T.slot);
    calib_lik_destroy(L);
    err_set(e, EXIT_RUNTIME, "calibration: out of memory");
    return NULL;
}

/* The quadratic walls beyond ETA_MAX (log-rates) and BETA_MAX (effects);
 * adds their gradient to grad when not NULL. */
static double walls(const struct calib_lik *L, const double *theta, double *grad)
{
    double f = 0.0;
    for (int i = 0; i < L->P; i++) {
        double over = i < L->K ? theta[i] - ETA_MAX : fabs(theta[i]) - BETA_MAX;
        if (!(over > 0.0)) continue;
        f += 0.5 * over * over;
        if (grad) grad[i] += i < L->K || theta[i] > 0 ? over : -over;
    }
    return f;
}

/* Fills L->A with Q(z) * dt and L->rate with the rates at z. */
static void build_q(struct calib_lik *L, const double *theta, const double *z, double dt)
{
    int K = L->K, C = L->C;
    gsl_matrix_set_zero(L->A);
    for (int k = 0; k < K; k++) {
        double eta = theta[k];
        for (int c = 0; c < C; c++) eta += theta[K + k * C + c] * z[c];
        double r = eta <= ETA_MAX ? exp(eta) : exp(ETA_MAX) * (1.0 + eta - ETA_MAX);
        L->rate[k] = r;
        L->drate[k] = eta <= ETA_MAX ? r : exp(ETA_MAX);
        double *ab = gsl_matrix_ptr(L->A, (size_t)L->from[k], (size_t)L->to[k]);
        double *aa = gsl_matrix_ptr(L->A, (size_t)L->from[k], (size_t)L->from[k]);
        *ab += r * dt;
        *aa -= r * dt;
    }
}

double calib_lik_eval(struct calib_lik *L, const double *theta, double *grad)
{
    int S = L->S, K = L->K, C = L->C;
    double f = 0.0;
    if (grad) memset(grad, 0, (size_t)L->P * sizeof *grad);
    for (size_t g = 0; g < L->n_groups; g++) {
        if (calib_lik_stopped(L)) return 1e300;
        const double *z = L->g_z ? L->g_z + g * C : NULL;
        double dt = L->g_dt[g];
        build_q(L, theta, z, dt);
        gsl_linalg_exponential_ss(L->A, L->Pm, GSL_PREC_DOUBLE);
        double wmax = 0.0;
        for (size_t i = L->g_cell[g]; i < L->g_cell[g + 1]; i++) {
            const struct cell *c = &L->cells[i];
            double pab = fmax(gsl_matrix_get(L->Pm, c->a, c->b), P_TINY);
            f -= c->n * log(pab);
            wmax = fmax(wmax, c->n / pab);
        }
        if (!grad) continue;
        /* B = [[A^T, W / wmax], [0, A^T]]; the upper right block of expm(B)
         * is L(A^T, W) / wmax, the gradient of sum n log P wrt A. */
        gsl_matrix_set_zero(L->B);
        for (int i = 0; i < S; i++)
            for (int j = 0; j < S; j++) {
                double v = gsl_matrix_get(L->A, (size_t)j, (size_t)i);
                gsl_matrix_set(L->B, (size_t)i, (size_t)j, v);
                gsl_matrix_set(L->B, (size_t)(S + i), (size_t)(S + j), v);
            }
        for (size_t i = L->g_cell[g]; i < L->g_cell[g + 1]; i++) {
            const struct cell *c = &L->cells[i];
            double pab = fmax(gsl_matrix_get(L->Pm, c->a, c->b), P_TINY);
            gsl_matrix_set(L->B, c->a, (size_t)(S + c->b), c->n / pab / wmax);
        }
        gsl_linalg_exponential_ss(L->B, L->EB, GSL_PREC_DOUBLE);
        for (int k = 0; k < K; k++) {
            int a = L->from[k], b = L->to[k];
            double m_ab = gsl_matrix_get(L->EB, (size_t)a, (size_t)(S + b));
            double m_aa = gsl_matrix_get(L->EB, (size_t)a, (size_t)(S + a));
            double gk = -wmax * dt * L->drate[k] * (m_ab - m_aa);
            grad[k] += gk;
            for (int c = 0; c < C; c++) grad[K + k * C + c] += z[c] * gk;
        }
    }
    f += walls(L, theta, grad);
    if (!isfinite(f)) f = 1e300;
    return f;
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
    for (size_t c = 0; c < p->n_cit && !calib_lik_stopped(L); c++) {
        size_t i0 = p->cit_start[c], n = p->cit_start[c + 1] - i0;
        const struct panel_obs *ob = &p->obs[i0];
        double t0 = ob[0].t, t1 = ob[n - 1].t;
        int g0 = G > 1 ? (int)ceil((t0 - tmin) / step - 1e-9) : 0;
        if (g0 < 0) g0 = 0;
        if (g0 >= G || cf->grid_t[g0] > t1) continue;
        for (int k = 0; k < L->C; k++) z[k] = cov_value(&ob[0], L->cov[k]);
        /* v[j] = distribution at measurement j, one step at a time. */
        for (int s = 0; s < S; s++) v[s] = s == ob[0].state[flow];
        for (size_t j = 1; j < n; j++) {
            double dt = ob[j].t - ob[j - 1].t;
            if (!(dt == cached_dt && (L->C == 0 || !memcmp(z, cached_z, (size_t)L->C * sizeof *z)))) {
                build_q(L, theta, z, dt);
                gsl_linalg_exponential_ss(L->A, L->Pm, GSL_PREC_DOUBLE);
                cached_dt = dt;
                memcpy(cached_z, z, sizeof cached_z);
            }
            for (int s = 0; s < S; s++) {
                double acc = 0.0;
                for (int r = 0; r < S; r++) acc += v[(j - 1) * S + r] * gsl_matrix_get(L->Pm, (size_t)r, (size_t)s);
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

static int fit_flow(const struct model *m, const struct panel *p, int flow,
                    const struct calib_opts *o, struct calib_flow *cf, struct err *e)
{
    double t_start = now_s();
    const struct flow *fl = &m->flows[flow];
    cf->flow = flow;
    cf->n_states = fl->n_rings + 1;
    struct calib_lik *L = calib_lik_create(m, p, flow, o, e);
    if (!L) return -1;
    int S = L->S, K = L->K, C = L->C, P = L->P;
    int rc = -1;
    struct opt op = { .L = L };
    gsl_matrix *H = NULL;
    double *gp = NULL, *gm = NULL;

    cf->n_cit = L->n_cit;
    cf->n_obs = L->n_obs;
    cf->n_pairs = L->n_pairs;
    cf->n_moves = L->n_moves;
    cf->n_impossible = L->n_impossible;
    cf->n_groups = L->n_groups;
    if (!(cf->counts = malloc((size_t)S * S * sizeof *cf->counts))) goto oom;
    memcpy(cf->counts, L->counts, (size_t)S * S * sizeof *cf->counts);
    if (K == 0) {
        snprintf(cf->why_not, sizeof cf->why_not, "the scenario lists no transitions in flow %s",
                 fl->id);
        calib_lik_destroy(L);
        return 0;
    }
    if (L->n_pairs == 0) {
        snprintf(cf->why_not, sizeof cf->why_not,
                 "no citizen has two measurements in flow %s", fl->id);
        calib_lik_destroy(L);
        return 0;
    }
    cf->fitted = true;
    cf->n_params = P;
    if (!(cf->params = calloc((size_t)P, sizeof *cf->params)) ||
        !(cf->cov = malloc((size_t)P * P * sizeof *cf->cov)) ||
        !(op.theta = calloc((size_t)P, sizeof *op.theta)) ||
        !(op.grad = calloc((size_t)P, sizeof *op.grad)) ||
        !(op.free_idx = calloc((size_t)P, sizeof *op.free_idx)) ||
        !(gp = calloc((size_t)P, sizeof *gp)) || !(gm = calloc((size_t)P, sizeof *gm)))
        goto oom;
    for (int i = 0; i < P * P; i++) cf->cov[i] = NAN;
    if (L->n_impossible)
        add_warn(cf, "%zu pairs of consecutive measurements show a move the listed transitions "
                 "cannot make (%s); they are left out of the likelihood",
                 L->n_impossible, L->impossible_example);

    /* Parameters, starting values and what the data cannot estimate. */
    for (int k = 0; k < K; k++) {
        const struct transition *t = &m->transitions[L->trans[k]];
        struct calib_param *q = &cf->params[k];
        q->trans = L->trans[k];
        q->cov = -1;
        q->base = t->per_year;
        double expo = L->exposure[L->from[k]];
        if (expo <= 0.0) {
            q->fixed = true;
            op.theta[k] = t->per_year > 0.0 ? log(t->per_year) : -INFINITY;
        } else {
            op.theta[k] = log((L->n_direct[k] + 0.5) / expo);
        }
        for (int c = 0; c < C; c++) {
            struct calib_param *b = &cf->params[K + k * C + c];
            b->trans = L->trans[k];
            b->cov = o->cov[c];
            b->base = t->beta[o->cov[c]];
            int a = L->from[k];
            if (expo <= 0.0) {
                b->fixed = true;
                op.theta[K + k * C + c] = t->beta[o->cov[c]];
            } else if (!(L->zmax[a * C + c] > L->zmin[a * C + c])) {
                b->fixed = true;         /* no variation: no information */
                op.theta[K + k * C + c] = 0.0;
            }
        }
    }
    for (int s = 0; s < S; s++) {
        bool any = false;
        for (int k = 0; k < K; k++) any |= L->from[k] == s;
        if (any && L->exposure[s] <= 0.0)
            add_warn(cf, "no pair of measurements starts in %s: the rates out of %s are held at "
                     "the base scenario's values", model_state_id(fl, s), model_state_id(fl, s));
        for (int c = 0; c < C && any && L->exposure[s] > 0.0; c++)
            if (!(L->zmax[s * C + c] > L->zmin[s * C + c]))
                add_warn(cf, "%s does not vary among pairs starting in %s: its effects on moves "
                         "out of %s are held at 0", calib_cov_name(m, o->cov[c]),
                         model_state_id(fl, s), model_state_id(fl, s));
    }
    for (int i = 0; i < P; i++)
        if (!cf->params[i].fixed) op.free_idx[op.n_free++] = i;

    double f0 = calib_lik_eval(L, op.theta, NULL);
    double gtol = 1e-6 * fmax(1.0, f0);
    double f = f0;
    if (op.n_free > 0) f = minimise(&op, gtol, &cf->iterations, &cf->converged, &cf->eval_capped);
    else cf->converged = true;
    cf->evaluations = op.n_eval;
    if (calib_lik_stopped(L)) goto stopped;

    /* Rates driven to 0 (a move never seen, nothing suggesting it): at the
     * boundary, held there, no standard error. */
    for (int k = 0; k < K; k++) {
        struct calib_param *q = &cf->params[k];
        if (q->fixed || L->n_direct[k] > 0) continue;
        double expected_moves = exp(op.theta[k]) * L->exposure[L->from[k]];
        if (expected_moves > 1e-3 && op.theta[k] > -20.0) continue;
        q->fixed = true;
        op.theta[k] = -INFINITY;
        for (int c = 0; c < C; c++) {
            cf->params[K + k * C + c].fixed = true;
            op.theta[K + k * C + c] = 0.0;
        }
        const struct transition *t = &m->transitions[q->trans];
        add_warn(cf, "no move %s -> %s observed: its rate is estimated at 0 (the boundary), "
                 "without a standard error", model_state_id(fl, t->from), model_state_id(fl, t->to));
    }
    for (int k = 0; k < K; k++) {
        /* Moves so frequent that the gaps between measurements hide them:
         * the likelihood keeps rising with the rate. */
        double gap = L->n_pairs ? L->exposure[L->from[k]] / (double)L->n_pairs : 0.0;
        if (!cf->params[k].fixed && gap > 0.0 && op.theta[k] > log(30.0) &&
            exp(op.theta[k]) * gap > 30.0) {
            const struct transition *t = &m->transitions[cf->params[k].trans];
            add_warn(cf, "the rate %s -> %s is estimated very high (%.3g per year): the "
                     "measurements are too far apart to bound it", model_state_id(fl, t->from),
                     model_state_id(fl, t->to), exp(op.theta[k]));
        }
    }
    op.n_free = 0;
    for (int i = 0; i < P; i++)
        if (!cf->params[i].fixed) op.free_idx[op.n_free++] = i;
    f = calib_lik_eval(L, op.theta, op.grad);
    cf->grad_max = max_abs_free(&op);

    /* Observed information, and a few Newton steps to polish the optimum. */
    int n = op.n_free;
    cf->hessian_pd = n == 0;
    if (n > 0) {
        if (!(H = gsl_matrix_alloc((size_t)n, (size_t)n))) goto oom;
        gsl_vector *step = gsl_vector_alloc((size_t)n), *rhs = gsl_vector_alloc((size_t)n);
        if (!step || !rhs) {
            if (step) gsl_vector_free(step);
            if (rhs) gsl_vector_free(rhs);
            goto oom;
        }
        hessian(&op, H, gp, gm);
        if (calib_lik_stopped(L)) goto stopped;
        cf->hessian_pd = gsl_linalg_cholesky_decomp1(H) == GSL_SUCCESS;
        /* Newton steps with this factor polish what BFGS left (each costs
         * one gradient); the information barely moves over such steps. */
        for (int polish = 0; polish < 3 && cf->hessian_pd; polish++) {
            for (int i = 0; i < n; i++) gsl_vector_set(rhs, (size_t)i, -op.grad[op.free_idx[i]]);
            gsl_linalg_cholesky_solve(H, rhs, step);
            double worst = 0.0;
            for (int i = 0; i < n; i++) worst = fmax(worst, fabs(gsl_vector_get(step, (size_t)i)));
            if (worst < 1e-7) break;
            double *keep = gp;       /* reuse as a copy of theta */
            memcpy(keep, op.theta, (size_t)P * sizeof *keep);
            for (int i = 0; i < n; i++) op.theta[op.free_idx[i]] += gsl_vector_get(step, (size_t)i);
            double f_new = calib_lik_eval(L, op.theta, op.grad);
            if (!(f_new <= f + 1e-9 * fabs(f))) {
                memcpy(op.theta, keep, (size_t)P * sizeof *keep);
                calib_lik_eval(L, op.theta, op.grad);
                break;
            }
            f = f_new;
        }
        gsl_vector_free(step);
        gsl_vector_free(rhs);
        cf->grad_max = max_abs_free(&op);
        if (!cf->converged && cf->grad_max < 10 * gtol) cf->converged = true;
        if (cf->hessian_pd) {
            gsl_linalg_cholesky_invert(H);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    cf->cov[op.free_idx[i] * P + op.free_idx[j]] =
                        gsl_matrix_get(H, (size_t)i, (size_t)j);
        }
    }
    for (int i = 0; i < P; i++)
        if (isnan(op.theta[i]) || !isfinite(f)) {
            cf->converged = false;
            cf->hessian_pd = false;
            add_warn(cf, "numerical failure: the likelihood or a parameter is not a number; "
                     "the estimates are not usable");
            break;
        }
    cf->minus2ll = 2.0 * f;
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

    for (int i = 0; i < P; i++) {
        struct calib_param *q = &cf->params[i];
        q->theta = op.theta[i];
        double v = cf->cov[i * P + i];
        q->theta_se = v >= 0.0 ? sqrt(v) : NAN;
        if (q->cov < 0) {
            q->est = exp(q->theta);
            q->se = q->est * q->theta_se;
            q->lo = exp(q->theta - Z95 * q->theta_se);
            q->hi = exp(q->theta + Z95 * q->theta_se);
            if (q->fixed && isinf(q->theta) && q->theta < 0 && L->exposure[L->from[i]] > 0.0) {
                q->lo = 0.0;                       /* boundary */
                q->hi = NAN;
            }
        } else {
            q->est = q->theta;
            q->se = q->theta_se;
            q->lo = q->theta - Z95 * q->theta_se;
            q->hi = q->theta + Z95 * q->theta_se;
        }
        if (q->fixed && !(q->cov < 0 && q->lo == 0.0)) q->se = q->lo = q->hi = NAN;
    }
    if (fit_check(L, p, op.theta, cf) < 0) goto oom;
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
    if (H) gsl_matrix_free(H);
    free(gp);
    free(gm);
    free(op.theta);
    free(op.grad);
    free(op.free_idx);
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

/* ---- the table ---------------------------------------------------------- */

static const char *param_name(const struct model *m, const struct calib_param *q)
{
    return q->cov < 0 ? "per_year" : calib_cov_name(m, q->cov);
}

static void fmt_num(char *buf, size_t n, double v)
{
    if (isnan(v)) snprintf(buf, n, "-");
    else snprintf(buf, n, "%.4g", v);
}

void calib_print_table(const struct model *m, const struct calib_result *r,
                       const struct calib_source *src, FILE *out)
{
    const struct panel *p = src->panel;
    fprintf(out, "flowsim calibrate: %zu measurements of %zu citizens in %s", p->n_obs, p->n_cit,
            src->panel_path);
    if (p->n_bad) fprintf(out, " (%zu malformed rows skipped)", p->n_bad);
    fprintf(out, "\nscenario %s; covariates: ", m->name);
    if (!r->opts.n_cov) fprintf(out, "none");
    for (int c = 0; c < r->opts.n_cov; c++)
        fprintf(out, "%s%s", c ? ", " : "", calib_cov_name(m, r->opts.cov[c]));
    fprintf(out, "\n");
    for (int f = 0; f < r->n_flows; f++) {
        const struct calib_flow *cf = &r->flow[f];
        const struct flow *fl = &m->flows[f];
        fprintf(out, "\nflow %s: ", fl->id);
        if (!cf->fitted) {
            fprintf(out, "not fitted: %s (its transitions stay as in the scenario)\n", cf->why_not);
            continue;
        }
        fprintf(out, "%zu citizens, %zu pairs of consecutive measurements, %zu with a move",
                cf->n_cit, cf->n_pairs, cf->n_moves);
        if (cf->n_impossible) fprintf(out, ", %zu impossible pairs left out", cf->n_impossible);
        fprintf(out, "\n  -2 log-likelihood %.2f; %s after %d iterations; %.2f s\n", cf->minus2ll,
                cf->converged ? "converged" : "NOT converged", cf->iterations, cf->seconds);
        int K = r->opts.n_cov ? cf->n_params / (1 + r->opts.n_cov) : cf->n_params;
        int C = r->opts.n_cov, wl = 10, wp = 9;
        for (int k = 0; k < K; k++) {
            const struct transition *t = &m->transitions[cf->params[k].trans];
            int w = (int)(strlen(model_state_id(fl, t->from)) + strlen(model_state_id(fl, t->to))) + 4;
            if (w > wl) wl = w;
        }
        for (int c = 0; c < C; c++)
            if ((int)strlen(calib_cov_name(m, r->opts.cov[c])) > wp)
                wp = (int)strlen(calib_cov_name(m, r->opts.cov[c]));
        fprintf(out, "  %-*s %-*s %11s %11s   %-25s %10s\n", wl, "transition", wp, "parameter",
                "estimate", "std.err", "95% CI", "base");
        for (int k = 0; k < K; k++) {
            for (int c = -1; c < C; c++) {
                const struct calib_param *q = &cf->params[c < 0 ? k : K + k * C + c];
                const struct transition *t = &m->transitions[q->trans];
                char tr[160] = "", est[24], se[24], lo[24], hi[24], ci[64], base[24];
                if (c < 0)
                    snprintf(tr, sizeof tr, "%s -> %s", model_state_id(fl, t->from),
                             model_state_id(fl, t->to));
                fmt_num(est, sizeof est, q->est);
                fmt_num(se, sizeof se, q->se);
                fmt_num(lo, sizeof lo, q->lo);
                fmt_num(hi, sizeof hi, q->hi);
                fmt_num(base, sizeof base, q->base);
                if (isnan(q->lo) && isnan(q->hi)) snprintf(ci, sizeof ci, "%s", q->fixed ? "(held)" : "-");
                else snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
                fprintf(out, "  %-*s %-*s %11s %11s   %-25s %10s\n", wl, tr, wp, param_name(m, q),
                        est, se, ci, base);
            }
        }
        for (int w = 0; w < cf->n_warn; w++) fprintf(out, "  warning: %s\n", cf->warn[w]);

        /* Fit check, compact: every other grid point. */
        int S = cf->n_states;
        fprintf(out, "  fit check: share of citizens under observation in each state, observed/expected %%\n");
        fprintf(out, "  %8s %8s", "t", "n");
        /* Columns as wide as the longest state id: ids are never cut. */
        int cw = 13;
        for (int s = 0; s < S; s++)
            if ((int)strlen(model_state_id(fl, s)) > cw) cw = (int)strlen(model_state_id(fl, s));
        for (int s = 0; s < S; s++) fprintf(out, " %*s", cw, model_state_id(fl, s));
        fprintf(out, "\n");
        double worst = 0.0;
        int worst_g = 0, worst_s = 0;
        for (int g = 0; g < cf->n_grid; g++) {
            double n = cf->at_risk[g];
            for (int s = 0; s < S && n > 0; s++) {
                double d = fabs(cf->observed[g * S + s] - cf->expected[g * S + s]) / n;
                if (d > worst) worst = d, worst_g = g, worst_s = s;
            }
            if (g % 2 && g != cf->n_grid - 1) continue;
            fprintf(out, "  %8.3f %8.0f", cf->grid_t[g], n);
            for (int s = 0; s < S; s++) {
                char cell[32];
                if (n > 0)
                    snprintf(cell, sizeof cell, "%.1f/%.1f", 100.0 * cf->observed[g * S + s] / n,
                             100.0 * cf->expected[g * S + s] / n);
                else
                    snprintf(cell, sizeof cell, "-");
                fprintf(out, " %*s", cw, cell);
            }
            fprintf(out, "\n");
        }
        if (cf->n_grid > 0 && cf->at_risk[worst_g] > 0)
            fprintf(out, "  largest gap: %s at t = %.3f: observed %.1f%%, expected %.1f%%\n",
                    model_state_id(fl, worst_s), cf->grid_t[worst_g],
                    100.0 * cf->observed[worst_g * S + worst_s] / cf->at_risk[worst_g],
                    100.0 * cf->expected[worst_g * S + worst_s] / cf->at_risk[worst_g]);
    }
}

/* ---- calibration.json --------------------------------------------------- */

static cJSON *num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void add_num(cJSON *o, const char *key, double v)
{
    cJSON_AddItemToObject(o, key, num_or_null(v));
}

static cJSON *pair_json(double lo, double hi)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, num_or_null(lo));
    cJSON_AddItemToArray(a, num_or_null(hi));
    return a;
}

static cJSON *flow_json(const struct model *m, const struct calib_flow *cf)
{
    const struct flow *fl = &m->flows[cf->flow];
    int S = cf->n_states;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", fl->id);
    cJSON_AddBoolToObject(o, "fitted", cf->fitted);
    if (!cf->fitted) {
        cJSON_AddStringToObject(o, "reason", cf->why_not);
        return o;
    }
    cJSON *states = cJSON_AddArrayToObject(o, "states");
    for (int s = 0; s < S; s++) cJSON_AddItemToArray(states, cJSON_CreateString(model_state_id(fl, s)));
    add_num(o, "minus2loglik", cf->minus2ll);
    cJSON_AddBoolToObject(o, "converged", cf->converged);
    cJSON_AddNumberToObject(o, "iterations", cf->iterations);
    add_num(o, "gradient_max", cf->grad_max);
    cJSON_AddBoolToObject(o, "hessian_positive_definite", cf->hessian_pd);
    cJSON_AddNumberToObject(o, "seconds", cf->seconds);
    cJSON_AddNumberToObject(o, "citizens", (double)cf->n_cit);
    cJSON_AddNumberToObject(o, "observations", (double)cf->n_obs);
    cJSON_AddNumberToObject(o, "pairs", (double)cf->n_pairs);
    cJSON_AddNumberToObject(o, "transitions_observed", (double)cf->n_moves);
    cJSON_AddNumberToObject(o, "impossible_pairs", (double)cf->n_impossible);
    cJSON_AddNumberToObject(o, "likelihood_groups", (double)cf->n_groups);
    cJSON *counts = cJSON_AddObjectToObject(o, "pair_counts");
    for (int a = 0; a < S; a++) {
        cJSON *row = cJSON_AddObjectToObject(counts, model_state_id(fl, a));
        for (int b = 0; b < S; b++)
            if (cf->counts[a * S + b])
                cJSON_AddNumberToObject(row, model_state_id(fl, b), (double)cf->counts[a * S + b]);
    }
    cJSON *params = cJSON_AddArrayToObject(o, "parameters");
    for (int i = 0; i < cf->n_params; i++) {
        const struct calib_param *q = &cf->params[i];
        const struct transition *t = &m->transitions[q->trans];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddItemToArray(params, j);
        cJSON_AddStringToObject(j, "from", model_state_id(fl, t->from));
        cJSON_AddStringToObject(j, "to", model_state_id(fl, t->to));
        cJSON_AddStringToObject(j, "parameter", param_name(m, q));
        add_num(j, "estimate", q->est);
        add_num(j, "se", q->se);
        cJSON_AddItemToObject(j, "ci95", pair_json(q->lo, q->hi));
        if (q->cov >= 0) {
            add_num(j, "hazard_ratio", exp(q->est));
            cJSON_AddItemToObject(j, "hazard_ratio_ci95", pair_json(exp(q->lo), exp(q->hi)));
        } else {
            add_num(j, "log_rate", q->theta);
            add_num(j, "log_rate_se", q->theta_se);
        }
        add_num(j, "base", q->base);
        cJSON_AddBoolToObject(j, "held", q->fixed);
    }
    cJSON *cov = cJSON_AddArrayToObject(o, "covariance_log_scale");
    for (int i = 0; i < cf->n_params; i++) {
        cJSON *row = cJSON_CreateArray();
        cJSON_AddItemToArray(cov, row);
        for (int k = 0; k < cf->n_params; k++)
            cJSON_AddItemToArray(row, num_or_null(cf->cov[i * cf->n_params + k]));
    }
    cJSON *warn = cJSON_AddArrayToObject(o, "warnings");
    for (int w = 0; w < cf->n_warn; w++) cJSON_AddItemToArray(warn, cJSON_CreateString(cf->warn[w]));
    return o;
}

static int commit_text(const char *path, const char *text, struct err *e)
{
    struct afile a;
    if (afile_open(&a, path, e) != 0) return -1;
    fputs(text, a.f);
    return afile_commit(&a, e);
}

int calib_write_json(const char *path, const struct model *m, const struct calib_result *r,
                     const struct calib_source *src, const char *fragment_path, struct err *e)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return err_set(e, EXIT_RUNTIME, "%s: out of memory", path);
    cJSON_AddStringToObject(root, "flowsim_version", FLOWSIM_VERSION);
    if (src->command) cJSON_AddStringToObject(root, "command", src->command);
    cJSON *pj = cJSON_AddObjectToObject(root, "panel");
    cJSON_AddStringToObject(pj, "file", src->panel_path);
    if (src->panel_sha256) cJSON_AddStringToObject(pj, "sha256", src->panel_sha256);
    cJSON_AddStringToObject(pj, "time_from", src->panel->time_from_date ? "date" : "t");
    cJSON_AddNumberToObject(pj, "rows_read", (double)src->panel->n_rows_read);
    cJSON_AddNumberToObject(pj, "rows_used", (double)src->panel->n_obs);
    cJSON_AddNumberToObject(pj, "rows_skipped", (double)src->panel->n_bad);
    cJSON *ex = cJSON_AddArrayToObject(pj, "skipped_examples");
    for (int i = 0; i < src->panel->n_bad_shown; i++)
        cJSON_AddItemToArray(ex, cJSON_CreateString(src->panel->bad_msg[i]));
    cJSON_AddNumberToObject(pj, "citizens", (double)src->panel->n_cit);
    cJSON *sj = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(sj, "name", m->name);
    cJSON_AddStringToObject(sj, "file", m->path ? m->path : "");
    cJSON_AddStringToObject(sj, "sha256", m->sha256);
    cJSON *cv = cJSON_AddArrayToObject(root, "covariates");
    for (int c = 0; c < r->opts.n_cov; c++)
        cJSON_AddItemToArray(cv, cJSON_CreateString(calib_cov_name(m, r->opts.cov[c])));
    if (fragment_path) cJSON_AddStringToObject(root, "fragment", fragment_path);
    cJSON_AddNumberToObject(root, "seconds", r->seconds);
    cJSON *flows = cJSON_AddArrayToObject(root, "flows");
    for (int f = 0; f < r->n_flows; f++) cJSON_AddItemToArray(flows, flow_json(m, &r->flow[f]));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return err_set(e, EXIT_RUNTIME, "%s: out of memory", path);
    size_t n = strlen(text);
    char *withnl = malloc(n + 2);
    if (!withnl) {
        cJSON_free(text);
        return err_set(e, EXIT_RUNTIME, "%s: out of memory", path);
    }
    memcpy(withnl, text, n);
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    cJSON_free(text);
    int rc = commit_text(path, withnl, e);
    free(withnl);
    return rc;
}

/* ---- the scenario fragment ---------------------------------------------- */

/* A libconfig float: always with a '.' or an exponent. */
static void cfg_num(char *buf, size_t n, double v)
{
    snprintf(buf, n, "%.8g", v);
    if (!strpbrk(buf, ".eE")) strncat(buf, ".0", n - strlen(buf) - 1);
}

/* Writes a string for libconfig (ids are plain, but quote and escape). */
static void cfg_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int calib_write_fragment(const char *path, const struct model *m, const struct calib_result *r,
                         const struct calib_source *src, struct err *e)
{
    struct afile a;
    if (afile_open(&a, path, e) != 0) return -1;
    FILE *f = a.f;
    fprintf(f, "# Fitted transitions, written by flowsim %s:\n#   %s\n", FLOWSIM_VERSION,
            src->command ? src->command : "flowsim calibrate");
    fprintf(f, "# Panel: %s", src->panel_path);
    if (src->panel_sha256) fprintf(f, " (sha256 %s)", src->panel_sha256);
    fprintf(f, "\n# Base scenario: %s (%s)\n", m->name, m->path ? m->path : "");
    const char *base = strrchr(path, '/');
    fprintf(f, "# Use it in a scenario in place of its own `transitions` list (the path is\n"
               "# relative to that scenario's directory):\n#   @include \"%s\"\n",
            base ? base + 1 : path);
    fprintf(f, "# See calibration.json for standard errors, 95%% CIs and warnings.\n");
    fprintf(f, "transitions = (\n");
    bool first = true;
    for (int fi = 0; fi < m->n_flows; fi++) {
        const struct calib_flow *cf = &r->flow[fi];
        const struct flow *fl = &m->flows[fi];
        int C = r->opts.n_cov;
        bool said = false;
        for (int i = 0; i < m->n_transitions; i++) {
            const struct transition *t = &m->transitions[i];
            if (t->flow != fi) continue;
            if (!first) fprintf(f, ",\n");
            first = false;
            if (!said && cf->fitted)
                fprintf(f, "  # flow %s: fitted, -2 log-likelihood %.3f%s\n", fl->id, cf->minus2ll,
                        cf->converged ? "" : " (NOT converged)");
            else if (!said)
                fprintf(f, "  # flow %s: not fitted (%s); as in the base scenario\n", fl->id,
                        cf->why_not);
            said = true;
            double rate = t->per_year, beta[MODEL_MAX_COVS];
            memcpy(beta, t->beta, sizeof beta);
            bool fitted_here = false;
            if (cf->fitted) {
                int K = cf->n_params / (1 + C);
                for (int k = 0; k < K; k++) {
                    if (cf->params[k].trans != i) continue;
                    fitted_here = true;
                    rate = isfinite(cf->params[k].est) ? cf->params[k].est : 0.0;
                    for (int s = 0; s < MODEL_MAX_COVS; s++) beta[s] = 0.0;
                    for (int c = 0; c < C; c++) beta[r->opts.cov[c]] = cf->params[K + k * C + c].est;
                }
            }
            char num[40];
            fprintf(f, "  { flow = ");
            cfg_str(f, fl->id);
            fprintf(f, "; from = ");
            cfg_str(f, model_state_id(fl, t->from));
            fprintf(f, "; to = ");
            cfg_str(f, model_state_id(fl, t->to));
            cfg_num(num, sizeof num, rate);
            fprintf(f, "; per_year = %s;", num);
            bool any = false;
            for (int s = 0; s < MODEL_MAX_COVS; s++) {
                bool asked = false;
                for (int c = 0; fitted_here && c < C; c++) asked |= r->opts.cov[c] == s;
                if (!(beta[s] != 0.0 || asked)) continue;
                if (s >= m->n_dims && s != COV_AGE && s != COV_FEMALE) continue;
                if (!any) fprintf(f, "\n    effects = {");
                any = true;
                cfg_num(num, sizeof num, isfinite(beta[s]) ? beta[s] : 0.0);
                fprintf(f, " %s = %s;", calib_cov_name(m, s), num);
            }
            fprintf(f, "%s }", any ? " };" : "");
        }
    }
    fprintf(f, "\n);\n");
    return afile_commit(&a, e);
}
