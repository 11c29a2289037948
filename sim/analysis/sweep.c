/* sweep.c: `flowsim sweep`, the base scenario run at each value of a
 * setting with common random numbers: the values, sweep.csv and
 * sweep.json, and the table for a person. */
#include "analysis/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "io/output.h"

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
    if (!(step > 0.0))
        return err_set(e, EXIT_INPUT, "--set: the range %s is empty: STEP must be above 0", range);
    if (from > to)
        return err_set(e, EXIT_INPUT, "--set: the range %s is empty: FROM is above TO", range);
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

struct sweep_ctx {
    const struct cmp_run *runs;
    const double *values;
    int n;
    const char *path;
};

static int write_sweep(FILE **f, const void *ctx)
{
    const struct sweep_ctx *c = ctx;
    const struct cmp_run *b = &c->runs[0];
    FILE *fc = f[0], *fj = f[1];
    cJSON *root = compare_json_head(b);
    if (!root) return -1;
    cJSON_AddStringToObject(root, "set", c->path);
    cJSON *vals = cJSON_AddArrayToObject(root, "values");
    cJSON *pts = cJSON_AddArrayToObject(root, "points");
    if (!vals || !pts) goto oom;
    fprintf(fc, "value,kpi,flow,ring,year,mean,sd,ci_lo,ci_hi\n");
    for (int i = 0; i < c->n; i++) {
        const struct cmp_run *r = &c->runs[i];
        cJSON_AddItemToArray(vals, cJSON_CreateNumber(c->values[i]));
        cJSON *p = cJSON_CreateObject();
        if (!p) goto oom;
        cJSON_AddItemToArray(pts, p);
        cJSON_AddNumberToObject(p, "value", c->values[i]);
        cJSON *kpis = output_kpi_tree(r->m, r->desc, r->n_kpi, r->stat, r->n_rep);
        if (!kpis) goto oom;
        cJSON_AddItemToObject(p, "kpis", kpis);
        for (int k = 0; k < r->n_kpi; k++) {
            fprintf(fc, "%.12g,", c->values[i]);
            output_csv_kpi_cols(fc, r->m, &r->desc[k]);
            double v[] = { r->stat[k].mean, r->stat[k].sd, r->stat[k].lo, r->stat[k].hi };
            for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
                fputc(',', fc);
                output_csv_num(fc, v[j]);
            }
            fputc('\n', fc);
        }
    }
    int rc = output_json_write(fj, root);
    cJSON_Delete(root);
    return rc;
oom:
    cJSON_Delete(root);
    return -1;
}

int sweep_write(const struct cmp_run *runs, const double *values, int n,
                        const char *path, const char *dir, struct err *e)
{
    static const char *const names[] = { "sweep.csv", "sweep.json" };
    struct sweep_ctx c = { runs, values, n, path };
    return compare_write_files(dir, 2, names, e, write_sweep, &c);
}

void sweep_path_ring(const struct model *m, const char *path, int *flow, int *ring)
{
    *flow = *ring = -1;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL, *a = strtok_r(buf, ".", &save), *fid = strtok_r(NULL, ".", &save),
         *b = strtok_r(NULL, ".", &save), *rid = strtok_r(NULL, ".", &save);
    if (!a || strcmp(a, "flows") || !fid) return;
    for (int f = 0; f < m->n_flows; f++)
        if (!strcmp(m->flows[f].id, fid)) *flow = f;
    if (*flow < 0 || !b || strcmp(b, "rings") || !rid) return;
    for (int r = 0; r < m->flows[*flow].n_rings; r++)
        if (!strcmp(m->flows[*flow].rings[r].id, rid)) *ring = r;
}

void sweep_print(const struct cmp_run *runs, const double *values, int n,
                         const char *path, const char *dir, FILE *out)
{
    const struct model *m = runs[0].m;
    int f, r;
    sweep_path_ring(m, path, &f, &r);
    fprintf(out, "flowsim sweep: %s over %d values, %d replications each, seed %llu; "
                 "common random numbers\n",
            path, n, runs[0].n_rep, (unsigned long long)m->seed);
    fprintf(out, "  %14s %14s %14s %14s", "value", "cost M DKK/yr", "to place, days",
            "outward, %");
    if (r >= 0) fprintf(out, " %14s %14s", "occupancy", "wait, days");
    fputc('\n', out);
    for (int i = 0; i < n; i++) {
        const struct cmp_run *c = &runs[i];
        int kc = compare_find_kpi(c, KPI_COST_PER_YEAR, -1, -1);
        int kp = compare_find_kpi(c, KPI_REFERRAL_TO_PLACEMENT, -1, -1);
        int ko = compare_find_kpi(c, KPI_OUTWARD_SHARE, f >= 0 ? f : 0, -1);
        char v[5][32];
        snprintf(v[0], sizeof v[0], "%.12g", values[i]);
        compare_cell(v[1], sizeof v[1], kc >= 0 ? c->stat[kc].mean * 1e-6 : NAN, 1);
        compare_cell(v[2], sizeof v[2], kp >= 0 ? c->stat[kp].mean : NAN, 1);
        compare_cell(v[3], sizeof v[3], ko >= 0 ? c->stat[ko].mean * 100.0 : NAN, 1);
        fprintf(out, "  %14s %14s %14s %14s", v[0], v[1], v[2], v[3]);
        if (r >= 0) {
            int kq = compare_find_kpi(c, KPI_OCCUPANCY_MEAN, f, r);
            int kw = compare_find_kpi(c, KPI_WAIT_DAYS_MEAN, f, r);
            compare_cell(v[1], sizeof v[1], kq >= 0 ? c->stat[kq].mean : NAN, 1);
            compare_cell(v[2], sizeof v[2], kw >= 0 ? c->stat[kw].mean : NAN, 1);
            fprintf(out, " %14s %14s", v[1], v[2]);
        }
        fputc('\n', out);
    }
    fprintf(out, "every KPI against the value: %s/sweep.csv, %s/sweep.json\n", dir, dir);
}
