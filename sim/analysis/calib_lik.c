/* calib_lik.c: the panel likelihood of one flow (see calib_lik.h): the
 * covariates, the grouping of pairs of measurements, -log L and its exact
 * gradient. */
#include "analysis/calib_lik.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#define P_TINY 1e-300          /* floor of a pair's probability (log = -690.8) */
#define ETA_MAX CALIB_ETA_MAX
#define BETA_MAX CALIB_BETA_MAX

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

double calib_cov_value(const struct panel_obs *ob, int slot)
{
    if (slot == COV_AGE)   /* on a grid of CALIB_AGE_QUANTUM years: see calib.h */
        return round((ob->age - 40.0) / CALIB_AGE_QUANTUM) * CALIB_AGE_QUANTUM / 10.0;
    if (slot == COV_FEMALE) return ob->female == 1 ? 1.0 : 0.0;
    return (double)ob->level[slot] - 2.0;
}

/* ---- the likelihood workspace ------------------------------------------ */

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

/* Sorts the pair keys, (group << 16) | (a << 8) | b, into the cells of
 * each group (see the invariants in calib_lik.h). */
static int build_cells(struct calib_lik *L, uint64_t *keys, size_t n_keys)
{
    qsort(keys, n_keys, sizeof *keys, u64_cmp);
    if (!(L->g_cell = calloc(L->n_groups + 1, sizeof *L->g_cell)) ||
        !(L->cells = malloc((n_keys + 1) * sizeof *L->cells)))
        return -1;
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
    return 0;
}

/* Which states can reach which through the listed moves (Warshall). */
static void reachability(const struct calib_lik *L, bool reach[][MODEL_MAX_RINGS + 1])
{
    int S = L->S;
    for (int a = 0; a < S; a++)
        for (int b = 0; b < S; b++) reach[a][b] = a == b;
    for (int k = 0; k < L->K; k++) reach[L->from[k]][L->to[k]] = true;
    for (int v = 0; v < S; v++)
        for (int a = 0; a < S; a++)
            if (reach[a][v])
                for (int b = 0; b < S; b++) reach[a][b] |= reach[v][b];
}

/* The first impossible pair, for the warning. */
static void note_impossible(struct calib_lik *L, const struct panel *p, size_t c,
                            const struct flow *fl, const struct panel_obs *x,
                            const struct panel_obs *y)
{
    char id[170];
    const char *raw = panel_citizen_id(p, c);
    panel_escape(raw, strlen(raw), id, sizeof id);
    snprintf(L->impossible_example, sizeof L->impossible_example,
             "citizen %s: %s -> %s, lines %u and %u", id, model_state_id(fl, x->state[L->flow]),
             model_state_id(fl, y->state[L->flow]), x->line, y->line);
}

/* The counts, ranges and work matrices of a likelihood of L->S states,
 * L->K rates and L->C covariates. 0, or -1 out of memory (calib_lik_destroy
 * frees what was made). */
static int alloc_work(struct calib_lik *L)
{
    int S = L->S, K = L->K, C = L->C;
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
        return -1;
    for (size_t i = 0; i < (size_t)S * C; i++) L->zmin[i] = INFINITY, L->zmax[i] = -INFINITY;
    return 0;
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
    if (alloc_work(L) != 0) goto oom;

    bool reach[MODEL_MAX_RINGS + 1][MODEL_MAX_RINGS + 1];
    reachability(L, reach);

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
                if (!L->n_impossible++) note_impossible(L, p, c, fl, x, y);
                continue;
            }
            double dt = round((y->t - x->t) / CALIB_DT_QUANTUM) * CALIB_DT_QUANTUM;
            if (dt <= 0.0) dt = CALIB_DT_QUANTUM;        /* distinct times closer than that */
            for (int k = 0; k < C; k++) {
                z[k] = calib_cov_value(x, L->cov[k]);
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
    if (build_cells(L, keys, n_keys) != 0) goto oom;
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

const gsl_matrix *calib_lik_transition(struct calib_lik *L, const double *theta, const double *z,
                                       double dt)
{
    build_q(L, theta, z, dt);
    gsl_linalg_exponential_ss(L->A, L->Pm, GSL_PREC_DOUBLE);
    return L->Pm;
}
