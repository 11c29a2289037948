/* sweep.c: `flowsim sweep`, the base scenario run at each point of a grid
 * of settings with common random numbers: the points, sweep.csv and
 * sweep.json, and the table for a person. */
#include "analysis/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/csvcell.h"
#include "io/output.h"
#include "model/setpath.h"

#define SWEEP_MAX_VALUES 10000

static bool parse_num(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf) return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (errno || end == buf || *end || !isfinite(v)) return false;
    *out = v;
    return true;
}

int sweep_values(const char *range, double **values, int *n, bool *integral,
                         struct err *e)
{
    *values = NULL;
    *n = 0;
    const char *c1 = strchr(range, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    double from, to, step;
    if (!c1 || !c2 || strchr(c2 + 1, ':') || !parse_num(range, (size_t)(c1 - range), &from) ||
        !parse_num(c1 + 1, (size_t)(c2 - c1 - 1), &to) || !parse_num(c2 + 1, strlen(c2 + 1), &step))
        return err_set(e, EXIT_INPUT, "--set: the range must be FROM:TO:STEP, three numbers (got '%s')",
                       range);
    if (step == 0.0)
        return err_set(e, EXIT_INPUT, "--set: the range %s is empty: STEP must not be 0", range);
    if ((step > 0.0 && from > to) || (step < 0.0 && from < to))
        return err_set(e, EXIT_INPUT, "--set: the range %s is empty: it steps away from TO", range);
    /* A negative STEP counts down (a zip that moves places between rings). */
    double count = floor((to - from) / step + 1e-9) + 1.0;
    if (count > SWEEP_MAX_VALUES)
        return err_set(e, EXIT_INPUT, "--set: the range %s has %.0f values, more than %d", range,
                       count, SWEEP_MAX_VALUES);
    *integral = from == floor(from) && step == floor(step) && fabs(from) < 1e15 && fabs(to) < 1e15;
    *values = malloc((size_t)count * sizeof **values);
    if (!*values) return err_set(e, EXIT_RUNTIME, "out of memory");
    *n = (int)count;
    for (int i = 0; i < *n; i++) (*values)[i] = from + i * step;   /* no drift */
    return 0;
}

void sweep_format(double v, bool integral, char *buf, size_t n)
{
    if (integral) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.17g", v);
}

bool sweep_is_range(const char *s)
{
    const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    double x;
    return c1 && c2 && !strchr(c2 + 1, ':') && parse_num(s, (size_t)(c1 - s), &x) &&
           parse_num(c1 + 1, (size_t)(c2 - c1 - 1), &x) && parse_num(c2 + 1, strlen(c2 + 1), &x);
}

/* ---- the plan ------------------------------------------------------------- */

int sweep_plan_add(struct sweep_plan *p, const char *path, const char *range, struct err *e)
{
    if (p->n_axes == SWEEP_MAX_AXES)
        return err_set(e, EXIT_INPUT, "--set: at most %d swept settings", SWEEP_MAX_AXES);
    for (int a = 0; a < p->n_axes; a++)
        if (!strcmp(p->axis[a].path, path))
            return err_set(e, EXIT_INPUT, "--set: %s is swept twice", path);
    struct sweep_axis *x = &p->axis[p->n_axes];
    if (sweep_values(range, &x->values, &x->n, &x->integral, e) != 0) return -1;
    if (!(x->path = strdup(path))) {
        free(x->values);
        return err_set(e, EXIT_RUNTIME, "out of memory");
    }
    p->n_axes++;
    return 0;
}

int sweep_plan_finish(struct sweep_plan *p, bool zip, struct err *e)
{
    p->zip = zip;
    double n = 1.0;
    for (int a = 0; a < p->n_axes; a++) {
        if (zip && p->axis[a].n != p->axis[0].n)
            return err_set(e, EXIT_INPUT, "--zip: every --set range needs the same number of "
                           "values (%s has %d, %s has %d)", p->axis[0].path, p->axis[0].n,
                           p->axis[a].path, p->axis[a].n);
        if (!zip) n *= p->axis[a].n;
    }
    if (zip) n = p->n_axes ? p->axis[0].n : 0;
    if (n > SWEEP_MAX_POINTS)
        return err_set(e, EXIT_INPUT, "--set: the grid has %.0f points, more than %d", n,
                       SWEEP_MAX_POINTS);
    p->n_points = (int)n;
    return 0;
}

void sweep_plan_fini(struct sweep_plan *p)
{
    for (int a = 0; a < p->n_axes; a++) {
        free(p->axis[a].path);
        free(p->axis[a].values);
    }
    memset(p, 0, sizeof *p);
}

double sweep_point_value(const struct sweep_plan *p, int i, int a)
{
    if (p->zip) return p->axis[a].values[i];
    int stride = 1;
    for (int b = p->n_axes - 1; b > a; b--) stride *= p->axis[b].n;
    return p->axis[a].values[(i / stride) % p->axis[a].n];
}

void sweep_point_set(const struct sweep_plan *p, int i, int a, char *buf, size_t n)
{
    char v[40];
    sweep_format(sweep_point_value(p, i, a), p->axis[a].integral, v, sizeof v);
    snprintf(buf, n, "%s=%s", p->axis[a].path, v);
}

void sweep_short_path(const char *path, char *buf, size_t n)
{
    const char *last = strrchr(path, '.'), *prev = NULL;
    for (const char *q = path; last && q < last; q++)
        if (*q == '.') prev = q;
    snprintf(buf, n, "%s", prev ? prev + 1 : path);
}

void sweep_point_label(const struct sweep_plan *p, int i, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int a = 0; a < p->n_axes && len < n; a++) {
        char name[128], v[40];
        sweep_short_path(p->axis[a].path, name, sizeof name);
        sweep_format(sweep_point_value(p, i, a), p->axis[a].integral, v, sizeof v);
        len += (size_t)snprintf(buf + len, n - len, "%s%s=%s", a ? ", " : "", name, v);
    }
}

/* ---- files ---------------------------------------------------------------- */

static void csv_num(FILE *f, double v)
{
    fputc(',', f);
    output_csv_num(f, v);
}

static int write_sweep(FILE **f, const void *ctx)
{
    const struct cmp_run *runs = ((const void *const *)ctx)[0];
    const struct sweep_plan *p = ((const void *const *)ctx)[1];
    const struct cmp_run *b = &runs[0];
    FILE *fc = f[0], *fj = f[1];
    cJSON *root = compare_json_head(b);
    if (!root) return -1;
    cJSON_AddBoolToObject(root, "zip", p->zip);
    cJSON *sets = cJSON_AddArrayToObject(root, "sets");
    cJSON *pts = cJSON_AddArrayToObject(root, "points");
    if (!sets || !pts) goto oom;
    for (int a = 0; a < p->n_axes; a++) {
        cJSON *o = cJSON_CreateObject();
        if (!o) goto oom;
        cJSON_AddItemToArray(sets, o);
        cJSON_AddStringToObject(o, "path", p->axis[a].path);
        cJSON *v = cJSON_CreateDoubleArray(p->axis[a].values, p->axis[a].n);
        if (!v) goto oom;
        cJSON_AddItemToObject(o, "values", v);
    }
    fprintf(fc, "point");
    for (int a = 0; a < p->n_axes; a++) {
        fputc(',', fc);
        csv_cell(fc, p->axis[a].path);
    }
    fprintf(fc, ",kpi,flow,ring,year,mean,sd,ci_lo,ci_hi,unit,n,diff_mean,diff_sd,diff_ci_lo,"
                "diff_ci_hi,real\n");
    for (int i = 0; i < p->n_points; i++) {
        const struct cmp_run *r = &runs[i];
        cJSON *o = cJSON_CreateObject(), *settings = o ? cJSON_AddObjectToObject(o, "settings") : NULL;
        if (!o) goto oom;
        cJSON_AddItemToArray(pts, o);
        if (!settings) goto oom;
        for (int a = 0; a < p->n_axes; a++)
            cJSON_AddNumberToObject(settings, p->axis[a].path, sweep_point_value(p, i, a));
        cJSON *kpis = output_kpi_tree(r->m, r->desc, r->n_kpi, r->stat, r->n_rep);
        if (!kpis) goto oom;
        cJSON_AddItemToObject(o, "kpis", kpis);
        cJSON *diffs = cJSON_AddObjectToObject(o, "differences");
        int *map = compare_match(b, r);
        if (!diffs || !map) { free(map); goto oom; }
        for (int k = 0; k < b->n_kpi; k++) {
            int kr = map[k];
            if (kr < 0) continue;
            struct kpi_stat d, s = r->stat[kr];
            compare_paired(b, k, r, kr, &d);
            cJSON *dj = output_kpi_stat_json(&d, d.n, b->desc[k].unit);
            if (dj) cJSON_AddBoolToObject(dj, "real", compare_real(&d));
            if (!dj || output_kpi_add(b->m, diffs, &b->desc[k], dj) != 0) { free(map); goto oom; }
            fprintf(fc, "%d", i);
            for (int a = 0; a < p->n_axes; a++) fprintf(fc, ",%.12g", sweep_point_value(p, i, a));
            fputc(',', fc);
            output_csv_kpi_cols(fc, b->m, &b->desc[k]);
            csv_num(fc, s.mean);
            csv_num(fc, s.sd);
            csv_num(fc, s.lo);
            csv_num(fc, s.hi);
            fputc(',', fc);
            csv_cell(fc, b->desc[k].unit);
            fprintf(fc, ",%d", s.n);
            csv_num(fc, d.mean);
            csv_num(fc, d.sd);
            csv_num(fc, d.lo);
            csv_num(fc, d.hi);
            fprintf(fc, ",%s\n", compare_real(&d) ? "true" : "false");
        }
        free(map);
    }
    int rc = output_json_write(fj, root);
    cJSON_Delete(root);
    return rc;
oom:
    cJSON_Delete(root);
    return -1;
}

int sweep_write(const struct cmp_run *runs, const struct sweep_plan *p, const char *dir,
                struct err *e)
{
    static const char *const names[] = { "sweep.csv", "sweep.json" };
    const void *ctx[2] = { runs, p };
    return compare_write_files(dir, 2, names, e, write_sweep, ctx);
}

void sweep_path_ring(const struct model *m, const char *path, int *flow, int *ring)
{
    *flow = *ring = -1;
    struct setpath p;
    char why[256];
    if (setpath_parse(path, &p, why, sizeof why) != 0 || p.n < 2) return;
    if (!strcmp(p.seg[0].name, "transitions")) {
        if (p.seg[1].kind == SETPATH_INDEX && p.seg[1].index < m->n_transitions)
            *flow = m->transitions[p.seg[1].index].flow;
        for (int f = 0; p.seg[1].kind == SETPATH_TRANSITION && f < m->n_flows; f++)
            if (!strcmp(m->flows[f].id, p.seg[1].flow)) *flow = f;
        return;
    }
    if (strcmp(p.seg[0].name, "flows") != 0 || p.seg[1].kind != SETPATH_NAME) return;
    for (int f = 0; f < m->n_flows; f++)
        if (!strcmp(m->flows[f].id, p.seg[1].name)) *flow = f;
    if (*flow < 0 || p.n < 4 || strcmp(p.seg[2].name, "rings") != 0) return;
    for (int r = 0; r < m->flows[*flow].n_rings; r++)
        if (!strcmp(m->flows[*flow].rings[r].id, p.seg[3].name)) *ring = r;
}

/* ---- the table for a person ------------------------------------------------- */

static void add_kpi(const struct cmp_run *b, struct sweep_kpi *out, int *n, int cap,
                    enum kpi_id id, int flow, int ring, double scale, int dec, const char *title)
{
    int k = compare_find_kpi(b, id, flow, ring);
    if (k < 0 || *n >= cap) return;
    for (int i = 0; i < *n; i++)
        if (out[i].k == k) return;                 /* two axes, one ring */
    out[*n] = (struct sweep_kpi){ .k = k, .scale = scale, .dec = dec };
    /* a title longer than the column is cut on purpose */
    snprintf(out[*n].title, sizeof out[*n].title, "%.*s", (int)sizeof out[*n].title - 1, title);
    (*n)++;
}

int sweep_headlines(const struct cmp_run *b, const struct sweep_plan *p, struct sweep_kpi *out,
                    int cap)
{
    const struct model *m = b->m;
    int n = 0;
    char t[64];
    add_kpi(b, out, &n, cap, KPI_COST_PER_YEAR, -1, -1, 1e-6, 1, "cost M DKK/yr");
    for (int a = 0; a < p->n_axes; a++) {
        const char *path = p->axis[a].path;
        int f, r;
        sweep_path_ring(m, path, &f, &r);
        if (r >= 0) {
            const char *id = m->flows[f].rings[r].id;
            snprintf(t, sizeof t, "%.24s wait, days", id);
            add_kpi(b, out, &n, cap, KPI_WAIT_DAYS_MEAN, f, r, 1.0, 1, t);
            snprintf(t, sizeof t, "%.24s occupancy", id);
            add_kpi(b, out, &n, cap, KPI_OCCUPANCY_MEAN, f, r, 1.0, 1, t);
        } else if (f >= 0) {
            snprintf(t, sizeof t, "%.24s outward, %%", m->flows[f].id);
            add_kpi(b, out, &n, cap, KPI_OUTWARD_SHARE, f, -1, 100.0, 1, t);
        } else if (!strncmp(path, "visitation.", 11)) {
            add_kpi(b, out, &n, cap, KPI_REFERRAL_TO_DECISION, -1, -1, 1.0, 1,
                    "to decision, days");
            add_kpi(b, out, &n, cap, KPI_CASEWORKER_UTILISATION, -1, -1, 100.0, 1,
                    "caseworker use, %");
        } else if (!strncmp(path, "budget.", 7)) {
            add_kpi(b, out, &n, cap, KPI_YEARS_OVER_BUDGET, -1, -1, 1.0, 1, "years over budget");
            add_kpi(b, out, &n, cap, KPI_DAYS_FROZEN, -1, -1, 1.0, 0, "days frozen");
        }
    }
    add_kpi(b, out, &n, cap, KPI_REFERRAL_TO_PLACEMENT, -1, -1, 1.0, 1, "to place, days");
    return n;
}

/* "61.1 ±1.2 (+3.0*)": the mean, the half-width of its CI, and the paired
 * difference to point 0 ('*' where its CI excludes 0). */
static void sweep_cell(const struct cmp_run *b, const struct cmp_run *c, int i,
                       const struct sweep_kpi *h, const int *map, char *buf, size_t n)
{
    int kc = map ? map[h->k] : h->k;
    if (kc < 0 || !isfinite(c->stat[kc].mean)) {
        snprintf(buf, n, "-");
        return;
    }
    const struct kpi_stat *s = &c->stat[kc];
    char v[32], half[32], d[40];
    compare_cell(v, sizeof v, s->mean * h->scale, h->dec);
    compare_cell(half, sizeof half, (s->hi - s->lo) / 2.0 * h->scale, h->dec);
    int len = snprintf(buf, n, "%s%s%s", v, isfinite(s->lo) ? " ±" : "", isfinite(s->lo) ? half : "");
    if (i == 0 || len < 0 || (size_t)len >= n) return;
    struct kpi_stat ds;
    compare_paired(b, h->k, c, kc, &ds);
    compare_cell(d, sizeof d, ds.mean * h->scale, h->dec);
    snprintf(buf + len, n - (size_t)len, " (%s%s%s)", isfinite(ds.mean) && ds.mean >= 0 ? "+" : "",
             d, compare_real(&ds) ? "*" : "");
}

void sweep_print(const struct cmp_run *runs, const struct sweep_plan *p, const char *dir,
                 FILE *out)
{
    const struct cmp_run *b = &runs[0];
    struct sweep_kpi h[4 + 2 * SWEEP_MAX_AXES];
    int nh = sweep_headlines(b, p, h, (int)(sizeof h / sizeof h[0]));
    int nc = p->n_axes + nh;
    fprintf(out, "flowsim sweep: %d points (%s), %d replications each, seed %llu; "
                 "common random numbers\n",
            p->n_points, p->zip ? "zipped" : p->n_axes > 1 ? "grid" : "one setting", b->n_rep,
            (unsigned long long)b->ro.seed);
    for (int a = 0; a < p->n_axes; a++) fprintf(out, "  %s\n", p->axis[a].path);
    fprintf(out, "each KPI: mean ±half its 95%% CI (difference to the first point, paired; "
                 "* = its CI excludes 0)\n\n");
    /* Every cell first, so that each column is as wide as it needs. */
    char(*cell)[64] = calloc((size_t)(p->n_points + 1) * nc, sizeof *cell);
    int *width = calloc((size_t)nc, sizeof *width);
    if (!cell || !width) {
        free(cell);
        free(width);
        return;
    }
    for (int a = 0; a < p->n_axes; a++) sweep_short_path(p->axis[a].path, cell[a], sizeof cell[a]);
    for (int j = 0; j < nh; j++) snprintf(cell[p->n_axes + j], sizeof cell[0], "%s", h[j].title);
    for (int i = 0; i < p->n_points; i++) {
        char(*row)[64] = cell + (size_t)(i + 1) * nc;
        int *map = i ? compare_match(b, &runs[i]) : NULL;
        for (int a = 0; a < p->n_axes; a++)
            snprintf(row[a], sizeof row[a], "%.10g", sweep_point_value(p, i, a));
        for (int j = 0; j < nh; j++)
            if (!i || map) sweep_cell(b, &runs[i], i, &h[j], map, row[p->n_axes + j], sizeof row[0]);
        free(map);
    }
    for (int i = 0; i <= p->n_points; i++)
        for (int c = 0; c < nc; c++) {
            /* "±" is two bytes and one column. */
            const char *s = cell[(size_t)i * nc + c];
            int w = (int)strlen(s) - (strstr(s, "±") ? 1 : 0);
            if (w > width[c]) width[c] = w;
        }
    for (int i = 0; i <= p->n_points; i++) {
        for (int c = 0; c < nc; c++) {
            const char *s = cell[(size_t)i * nc + c];
            int pad = width[c] - ((int)strlen(s) - (strstr(s, "±") ? 1 : 0));
            fprintf(out, "%*s%s", pad + (c ? 3 : 2), "", s);
        }
        fputc('\n', out);
    }
    free(cell);
    free(width);
    fprintf(out, "\nevery KPI at every point, with its difference to the first: %s/sweep.csv, "
                 "%s/sweep.json\n", dir, dir);
}
