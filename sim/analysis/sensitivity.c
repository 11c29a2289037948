/* sensitivity.c: one-way sensitivity of the headline KPIs to each
 * uncertain setting (analysis/sensitivity.h). */
#include "analysis/sensitivity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/csvcell.h"
#include "engine/psa.h"
#include "io/output.h"
#include "model/kpi.h"
#include "model/uncertainty.h"

double sensitivity_value(const struct model *m, int setting, int j)
{
    const struct uncertainty *u = m->uncertainty;
    if (j == 1 + 2 * setting) return uncertainty_quantile_at(u, setting, SENSITIVITY_LOW);
    if (j == 2 + 2 * setting) return uncertainty_quantile_at(u, setting, SENSITIVITY_HIGH);
    return uncertainty_center(u, setting);
}

int sensitivity_models(const struct model *m, struct model ***out, int *n_models, struct err *e)
{
    int n = uncertainty_count(m->uncertainty), total = 2 * n + 1;
    struct model **models = calloc((size_t)total, sizeof *models);
    double *values = malloc(((size_t)n + 1) * sizeof *values);
    if (!models || !values) {
        free(models);
        free(values);
        return err_set(e, EXIT_RUNTIME, "out of memory");
    }
    for (int j = 0; j < total; j++) {
        for (int i = 0; i < n; i++) values[i] = sensitivity_value(m, i, j);
        if (psa_model(m, values, &models[j], e) != 0) {
            for (int k = 0; k < j; k++) model_destroy(models[k]);
            free(models);
            free(values);
            return -1;
        }
    }
    free(values);
    *out = models;
    *n_models = total;
    return 0;
}

bool sensitivity_moves(const struct cmp_run *runs, int n_settings, int k)
{
    if (!isfinite(runs[0].stat[k].mean)) return false;
    for (int j = 1; j <= 2 * n_settings; j++)
        if (runs[j].stat[k].mean != runs[0].stat[k].mean) return true;
    return false;
}

/* A headline KPI of the whole run, a flow or a ring (not per year or
 * dimension): what a sensitivity analysis reports. */
static bool reported(const struct kpi_desc *d)
{
    return (kpi_def(d->id)->show & KPI_HEADLINE) && d->year == 0 && d->dim < 0;
}

static int write_csv(FILE *f, const struct model *m, const struct cmp_run *runs)
{
    const struct cmp_run *c = &runs[0];
    const struct uncertainty *u = m->uncertainty;
    fprintf(f, "path,dist,value_center,value_low,value_high,kpi,flow,ring,year,unit,center,at_low,at_high,"
               "low_diff_ci_lo,low_diff_ci_hi,high_diff_ci_lo,high_diff_ci_hi,swing\n");
    for (int i = 0; i < uncertainty_count(u); i++)
        for (int k = 0; k < c->n_kpi; k++) {
            const struct kpi_desc *d = &c->desc[k];
            if (!reported(d)) continue;
            struct kpi_stat lo, hi;
            compare_paired(c, k, &runs[1 + 2 * i], k, &lo);
            compare_paired(c, k, &runs[2 + 2 * i], k, &hi);
            csv_cell(f, uncertainty_path(u, i));
            fputc(',', f);
            csv_cell(f, i < u->n ? uncertainty_dist_name(u->p[i].dist) : "mvn");
            for (int j = 0; j < 3; j++) {
                fputc(',', f);
                output_csv_num(f, sensitivity_value(m, i, j == 0 ? 0 : j == 1 ? 1 + 2 * i : 2 + 2 * i));
            }
            fputc(',', f);
            output_csv_kpi_cols(f, c->m, d);     /* kpi,flow,ring,year: year empty */
            fputc(',', f);
            csv_cell(f, d->unit);
            const double v[] = { c->stat[k].mean, runs[1 + 2 * i].stat[k].mean, runs[2 + 2 * i].stat[k].mean,
                                 lo.lo, lo.hi, hi.lo, hi.hi, fabs(hi.mean - lo.mean) };
            for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
                fputc(',', f);
                output_csv_num(f, v[j]);
            }
            fputc('\n', f);
        }
    return ferror(f) ? -1 : 0;
}

static cJSON *json_of(const struct model *m, const struct cmp_run *runs)
{
    const struct cmp_run *c = &runs[0];
    const struct uncertainty *u = m->uncertainty;
    cJSON *root = compare_json_head(c);
    if (!root) return NULL;
    cJSON_AddNumberToObject(root, "low_quantile", SENSITIVITY_LOW);
    cJSON_AddNumberToObject(root, "high_quantile", SENSITIVITY_HIGH);
    cJSON_AddItemToObject(root, "center", output_kpi_tree(c->m, c->desc, c->n_kpi, c->stat, c->n_rep));
    cJSON *list = cJSON_AddArrayToObject(root, "parameters");
    for (int i = 0; list && i < uncertainty_count(u); i++) {
        cJSON *p = cJSON_CreateObject();
        if (!p) break;
        cJSON_AddItemToArray(list, p);
        cJSON_AddStringToObject(p, "path", uncertainty_path(u, i));
        cJSON_AddStringToObject(p, "dist", i < u->n ? uncertainty_dist_name(u->p[i].dist) : "mvn");
        cJSON_AddNumberToObject(p, "value_center", sensitivity_value(m, i, 0));
        static const char *const side[2] = { "low", "high" };
        for (int s = 0; s < 2; s++) {
            const struct cmp_run *r = &runs[1 + 2 * i + s];
            cJSON *o = cJSON_AddObjectToObject(p, side[s]);
            if (!o) break;
            cJSON_AddNumberToObject(o, "value", sensitivity_value(m, i, 1 + 2 * i + s));
            cJSON *kpis = cJSON_CreateObject();
            for (int k = 0; kpis && k < c->n_kpi; k++) {
                if (!reported(&c->desc[k])) continue;
                struct kpi_stat d;
                compare_paired(c, k, r, k, &d);
                cJSON *item = output_kpi_stat_json(&r->stat[k], r->n_rep, c->desc[k].unit);
                if (item) cJSON_AddItemToObject(item, "diff", output_kpi_stat_json(&d, r->n_rep, c->desc[k].unit));
                if (output_kpi_add(c->m, kpis, &c->desc[k], item) != 0) {
                    cJSON_Delete(kpis);
                    kpis = NULL;
                }
            }
            if (kpis) cJSON_AddItemToObject(o, "kpis", kpis);
        }
    }
    return root;
}

struct write_ctx { const struct model *m; const struct cmp_run *runs; };

static int write_both(FILE **f, const void *vctx)
{
    const struct write_ctx *x = vctx;
    cJSON *root = json_of(x->m, x->runs);
    int rc = root ? output_json_write(f[0], root) : -1;
    cJSON_Delete(root);
    return rc == 0 ? write_csv(f[1], x->m, x->runs) : -1;
}

int sensitivity_write(const struct model *m, const struct cmp_run *runs, const char *dir,
                      struct err *e)
{
    static const char *const names[] = { "sensitivity.json", "sensitivity.csv" };
    struct write_ctx x = { m, runs };
    return compare_write_files(dir, 2, names, e, write_both, &x);
}

struct swing { int i; double lo, hi, size; };

static int by_swing(const void *a, const void *b)
{
    const struct swing *x = a, *y = b;
    if (x->size != y->size) return x->size < y->size ? 1 : -1;
    return x->i - y->i;
}

void sensitivity_print(const struct model *m, const struct cmp_run *runs, const char *dir,
                       FILE *out)
{
    const struct cmp_run *c = &runs[0];
    const struct uncertainty *u = m->uncertainty;
    int n = uncertainty_count(u);
    struct swing *sw = calloc((size_t)n + 1, sizeof *sw);
    if (!sw) return;
    int width = 10;
    for (int i = 0; i < n; i++)
        if ((int)strlen(uncertainty_path(u, i)) > width) width = (int)strlen(uncertainty_path(u, i));
    if (width > 60) width = 60;
    int skipped = 0;
    fprintf(out, "%s: each setting at its %g %% and %g %% quantiles, the others at their centre "
                 "(%d replications each, common random numbers)\n",
            m->name, 100 * SENSITIVITY_LOW, 100 * SENSITIVITY_HIGH, c->n_rep);
    for (int k = 0; k < c->n_kpi; k++) {
        const struct kpi_desc *d = &c->desc[k];
        if (!reported(d) || d->flow >= 0) continue;
        if (!sensitivity_moves(runs, n, k)) {
            skipped++;
            continue;
        }
        for (int i = 0; i < n; i++) {
            sw[i] = (struct swing){ i, runs[1 + 2 * i].stat[k].mean, runs[2 + 2 * i].stat[k].mean, 0 };
            sw[i].size = fabs(sw[i].hi - sw[i].lo);
            if (!isfinite(sw[i].size)) sw[i].size = -1;
        }
        qsort(sw, (size_t)n, sizeof *sw, by_swing);
        char v[32];
        compare_cell(v, sizeof v, c->stat[k].mean, 2);
        fprintf(out, "\n%s (%s) at the centre: %s\n", kpi_label(d->name, false), d->unit, v);
        fprintf(out, "  %-*s %14s %14s %14s  %s\n", width, "setting", "value 5%..95%", "KPI at 5%",
                "KPI at 95%", "paired difference at 5% / 95% (95% CI)");
        for (int j = 0; j < n; j++) {
            int i = sw[j].i;
            struct kpi_stat lo, hi;
            compare_paired(c, k, &runs[1 + 2 * i], k, &lo);
            compare_paired(c, k, &runs[2 + 2 * i], k, &hi);
            char vals[64], a[32], b[32], l1[32], l2[32], h1[32], h2[32];
            snprintf(vals, sizeof vals, "%.4g..%.4g", sensitivity_value(m, i, 1 + 2 * i),
                     sensitivity_value(m, i, 2 + 2 * i));
            compare_cell(a, sizeof a, sw[j].lo, 2);
            compare_cell(b, sizeof b, sw[j].hi, 2);
            compare_cell(l1, sizeof l1, lo.lo, 2);
            compare_cell(l2, sizeof l2, lo.hi, 2);
            compare_cell(h1, sizeof h1, hi.lo, 2);
            compare_cell(h2, sizeof h2, hi.hi, 2);
            fprintf(out, "  %-*.*s %14s %14s %14s  [%s, %s] / [%s, %s]\n", width, width,
                    uncertainty_path(u, i), vals, a, b, l1, l2, h1, h2);
        }
    }
    if (skipped)
        fprintf(out, "\n(%d headline KPIs left out: undefined, or the same at every quantile)\n", skipped);
    fprintf(out, "\nevery headline KPI, per flow and ring too: %s/sensitivity.csv, %s/sensitivity.json\n",
            dir, dir);
    free(sw);
}
