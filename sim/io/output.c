/* output.c: summary.json, summary.csv, timeseries.csv, rbs_panel.csv,
 * events.csv and run.json. Only run.json holds what varies between runs
 * (wall time, date, host); the others depend on the scenario and seed only. */
#include "io/output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "model/uncertainty.h"
#include "base/afile.h"
#include "base/caldate.h"
#include "base/interrupt.h"
#include "base/csvcell.h"
#include "base/version.h"
#include "engine/stats.h"
#include "engine/summary.h"

enum { F_SUMMARY_JSON, F_SUMMARY_CSV, F_REPLICATIONS, F_TIMESERIES, F_WAITS, F_PANEL, F_EVENTS, F_RUN_JSON,
       F_COUNT };
static const char *const file_name[F_COUNT] = {
    "summary.json", "summary.csv", "replications.csv", "timeseries.csv", "waits.csv", "rbs_panel.csv", "events.csv",
    "run.json",
};

/* NaN and infinities are "not defined here": empty in CSV, null in JSON. */
void output_csv_num(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.12g", v);
}
#define csv_num output_csv_num

static cJSON *child_object(cJSON *parent, const char *key)
{
    cJSON *c = cJSON_GetObjectItemCaseSensitive(parent, key);
    if (!c) c = cJSON_AddObjectToObject(parent, key);
    return c;
}

void output_kpi_name(const struct model *m, const struct kpi_desc *d, char *buf, size_t n)
{
    if (d->dim >= 0) snprintf(buf, n, "%s_%s", d->name, m->dims[d->dim]);
    else snprintf(buf, n, "%s", d->name);
}

void output_csv_kpi_cols(FILE *f, const struct model *m, const struct kpi_desc *d)
{
    char name[160];
    output_kpi_name(m, d, name, sizeof name);
    csv_cell(f, name);
    fputc(',', f);
    csv_cell(f, d->flow >= 0 ? m->flows[d->flow].id : "");
    fputc(',', f);
    csv_cell(f, d->ring >= 0 ? m->flows[d->flow].rings[d->ring].id : "");
    fputc(',', f);
    if (d->year > 0) fprintf(f, "%d", d->year);
}

/* Where a KPI sits in summary.json's "kpis" tree. */
static cJSON *kpi_parent(const struct model *m, cJSON *kpis, const struct kpi_desc *d)
{
    if (d->year > 0) {
        char y[16];
        snprintf(y, sizeof y, "%d", d->year);
        return child_object(child_object(kpis, "by_year"), y);
    }
    if (d->flow >= 0) {
        cJSON *fl = child_object(child_object(kpis, "flows"), m->flows[d->flow].id);
        if (d->ring < 0) return fl;
        return child_object(child_object(fl, "rings"), m->flows[d->flow].rings[d->ring].id);
    }
    if (d->dim >= 0) return child_object(kpis, d->name);
    return kpis;
}

/* What a run with --uncertainty drew: each setting with its distribution
 * and central value, and how many normal draws were set to 0. */
static cJSON *uncertainty_json(const struct run_results *res)
{
    const struct uncertainty *u = res->m->uncertainty;
    cJSON *o = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(o, "parameters");
    for (int i = 0; list && i < uncertainty_count(u); i++) {
        cJSON *p = cJSON_CreateObject();
        if (!p) break;
        cJSON_AddStringToObject(p, "path", uncertainty_path(u, i));
        cJSON_AddStringToObject(p, "dist", i < u->n ? uncertainty_dist_name(u->p[i].dist) : "mvn");
        cJSON_AddNumberToObject(p, "center", uncertainty_center(u, i));
        cJSON_AddNumberToObject(p, "q05", uncertainty_quantile_at(u, i, 0.05));
        cJSON_AddNumberToObject(p, "q95", uncertainty_quantile_at(u, i, 0.95));
        cJSON_AddItemToArray(list, p);
    }
    cJSON_AddNumberToObject(o, "truncated_at_zero", res->psa_truncated);
    cJSON_AddStringToObject(o, "interval", "ui95: 2.5-97.5 % percentiles of the replications' values");
    return o;
}

cJSON *output_kpi_stat_json(const struct kpi_stat *s, int n_rep, const char *unit)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "mean", s->mean);
    cJSON_AddNumberToObject(o, "sd", s->sd);
    cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
    if (ci) {
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(s->lo));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(s->hi));
    }
    if (s->has_ui) {
        cJSON *ui = cJSON_AddArrayToObject(o, "ui95");
        if (ui) {
            cJSON_AddItemToArray(ui, cJSON_CreateNumber(s->ui_lo));
            cJSON_AddItemToArray(ui, cJSON_CreateNumber(s->ui_hi));
        }
    }
    if (s->n < n_rep) cJSON_AddNumberToObject(o, "n", s->n);
    cJSON_AddStringToObject(o, "unit", unit);
    return o;
}

int output_kpi_add(const struct model *m, cJSON *kpis, const struct kpi_desc *d, cJSON *item)
{
    cJSON *parent = item ? kpi_parent(m, kpis, d) : NULL;
    if (!parent) {
        cJSON_Delete(item);
        return -1;
    }
    cJSON_AddItemToObject(parent, d->dim >= 0 ? m->dims[d->dim] : d->name, item);
    return 0;
}

cJSON *output_kpi_tree(const struct model *m, const struct kpi_desc *desc, int n_kpi,
                       const struct kpi_stat *stat, int n_rep)
{
    cJSON *kpis = cJSON_CreateObject();
    for (int k = 0; kpis && k < n_kpi; k++)
        if (output_kpi_add(m, kpis, &desc[k], output_kpi_stat_json(&stat[k], n_rep, desc[k].unit)) != 0) {
            cJSON_Delete(kpis);
            return NULL;
        }
    return kpis;
}

int output_kpi_stats(const struct run_results *res, struct kpi_stat *stat)
{
    struct kpi_desc *desc = NULL;
    double *col = malloc((size_t)res->n_rep * sizeof *col);
    if (!col || stats_kpi_layout(res->m, &desc) != res->shape.n_kpi) {
        free(col);
        free(desc);
        return -1;
    }
    for (int k = 0; k < res->shape.n_kpi; k++) {
        for (int r = 0; r < res->n_rep; r++) col[r] = res->rep[r].kpi[k];
        unsigned show = kpi_def(desc[k].id)->show;
        if (show & KPI_SKEWED) summary_stat_skewed(col, 1, res->n_rep, &stat[k]);
        else summary_stat(col, 1, res->n_rep, &stat[k]);
        if (res->ro.uncertainty) summary_stat_ui(col, res->n_rep, &stat[k]);
        /* A mean of values that cannot be negative is not negative either:
         * cutting the interval at 0 keeps every true value it held (a
         * rare event's t interval reached -0.2 citizens still waiting). */
        if (!(show & KPI_SIGNED) && stat[k].lo < 0.0) stat[k].lo = 0.0;
    }
    free(col);
    free(desc);
    return 0;
}

cJSON *output_json_add_u64(cJSON *o, const char *key, uint64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "%llu", (unsigned long long)v);
    return cJSON_AddRawToObject(o, key, text);
}

int output_json_write(FILE *f, const cJSON *root)
{
    char *text = cJSON_Print(root);
    if (!text) return -1;
    fputs(text, f);
    fputc('\n', f);
    cJSON_free(text);
    return 0;
}

void output_display_texts(cJSON *o, const struct model *m)
{
    cJSON_AddStringToObject(o, "title", m->title ? m->title : "");
    cJSON_AddStringToObject(o, "title_da", m->title_da ? m->title_da : "");
    cJSON_AddStringToObject(o, "description_da", m->description_da ? m->description_da : "");
    /* The price basis defaults to the start year (start_date is YYYY-MM-DD). */
    cJSON_AddNumberToObject(o, "prices_year", m->prices_year > 0 ? m->prices_year : atoi(m->start_date));
}

/* The model's structure, so plots and reports can use the names and law
 * references exactly as the scenario writes them. */
static cJSON *model_json(const struct model *m)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "budget_annual", m->budget_annual);
    cJSON_AddStringToObject(o, "budget_rule", model_budget_rule_names[m->budget_rule]);
    cJSON_AddNumberToObject(o, "discount_rate", m->discount_rate);
    /* A plan's dates (docs/plans.md), for the plots and the report to mark. */
    cJSON *changes = cJSON_AddArrayToObject(o, "changes");
    for (int i = 0; changes && i < m->n_changes; i++) {
        cJSON *ch = cJSON_CreateObject();
        if (!ch) break;
        cJSON_AddItemToArray(changes, ch);
        cJSON_AddStringToObject(ch, "date", m->changes[i].date);
        cJSON_AddNumberToObject(ch, "t", m->changes[i].t);
        cJSON_AddBoolToObject(ch, "relocate", m->changes[i].relocate);
        cJSON_AddNumberToObject(ch, "budget_annual", m->changes[i].m->budget_annual);
        /* Every ring's places in force from the date: the plots' capacity
         * line steps with them. */
        const struct model *mi = m->changes[i].m;
        cJSON *cap = cJSON_AddObjectToObject(ch, "capacity");
        for (int f = 0; cap && f < mi->n_flows; f++) {
            cJSON *cf = cJSON_AddObjectToObject(cap, mi->flows[f].id);
            for (int r = 0; cf && r < mi->flows[f].n_rings; r++)
                cJSON_AddNumberToObject(cf, mi->flows[f].rings[r].id, mi->flows[f].rings[r].capacity);
        }
    }
    cJSON *dims = cJSON_AddArrayToObject(o, "dimensions");
    for (int d = 0; dims && d < m->n_dims; d++) cJSON_AddItemToArray(dims, cJSON_CreateString(m->dims[d]));
    cJSON *flows = cJSON_AddArrayToObject(o, "flows");
    for (int f = 0; flows && f < m->n_flows; f++) {
        const struct flow *fl = &m->flows[f];
        cJSON *jf = cJSON_CreateObject();
        cJSON_AddItemToArray(flows, jf);
        cJSON_AddStringToObject(jf, "id", fl->id);
        cJSON_AddStringToObject(jf, "name", fl->name ? fl->name : fl->id);
        cJSON *rings = cJSON_AddArrayToObject(jf, "rings");
        for (int r = 0; rings && r < fl->n_rings; r++) {
            const struct ring *ring = &fl->rings[r];
            cJSON *jr = cJSON_CreateObject();
            cJSON_AddItemToArray(rings, jr);
            cJSON_AddStringToObject(jr, "id", ring->id);
            cJSON_AddStringToObject(jr, "name", ring->name ? ring->name : ring->id);
            cJSON_AddStringToObject(jr, "law", ring->law ? ring->law : "");
            cJSON_AddNumberToObject(jr, "capacity", ring->capacity);
            cJSON_AddNumberToObject(jr, "initial", ring->initial);
            cJSON_AddNumberToObject(jr, "fixed_cost_per_year", ring->fixed_cost_per_year);
            cJSON_AddNumberToObject(jr, "variable_cost_per_year", ring->variable_cost_per_year);
            cJSON_AddBoolToObject(jr, "referral", ring->referral);
        }
    }
    return o;
}

static int write_summary(const struct model *m, const struct run_results *res,
                         const struct kpi_desc *desc, const struct kpi_stat *stat,
                         FILE *fj, FILE *fc)
{
    int n_kpi = res->shape.n_kpi;
    cJSON *root = cJSON_CreateObject();
    if (!root) return -1;
    cJSON_AddStringToObject(root, "flowsim_version", FLOWSIM_VERSION);
    cJSON *sc = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(sc, "name", m->name);
    cJSON_AddStringToObject(sc, "description", m->description ? m->description : "");
    cJSON_AddStringToObject(sc, "sha256", m->sha256);
    cJSON *inputs = cJSON_AddArrayToObject(sc, "inputs");
    for (int i = 0; inputs && i < m->n_inputs; i++) {
        cJSON *in = cJSON_CreateObject();
        if (!in || !cJSON_AddItemToArray(inputs, in)) {
            cJSON_Delete(in);
            break;
        }
        cJSON_AddStringToObject(in, "file", m->inputs[i].path);
        cJSON_AddStringToObject(in, "sha256", m->inputs[i].sha256);
    }
    cJSON_AddStringToObject(sc, "start_date", m->start_date);
    output_display_texts(sc, m);
    cJSON_AddStringToObject(root, "lang", res->ro.lang);
    cJSON_AddItemToObject(root, "model", model_json(m));
    output_json_add_u64(root, "seed", res->ro.seed);
    cJSON_AddNumberToObject(root, "replications", res->n_rep);
    cJSON_AddNumberToObject(root, "years", m->years);
    cJSON_AddNumberToObject(root, "warmup_years", m->warmup_years);
    cJSON *kpis = output_kpi_tree(m, desc, n_kpi, stat, res->n_rep);
    if (!kpis) {
        cJSON_Delete(root);
        return -1;
    }
    cJSON_AddItemToObject(root, "kpis", kpis);
    if (res->ro.uncertainty) cJSON_AddItemToObject(root, "uncertainty", uncertainty_json(res));

    const bool ui = res->ro.uncertainty;
    fprintf(fc, "kpi,flow,ring,year,mean,sd,ci_lo,ci_hi,unit,n%s\n", ui ? ",ui_lo,ui_hi" : "");
    for (int k = 0; k < n_kpi; k++) {
        const struct kpi_desc *d = &desc[k];
        output_csv_kpi_cols(fc, m, d);
        fputc(',', fc); csv_num(fc, stat[k].mean);
        fputc(',', fc); csv_num(fc, stat[k].sd);
        fputc(',', fc); csv_num(fc, stat[k].lo);
        fputc(',', fc); csv_num(fc, stat[k].hi);
        fputc(',', fc); csv_cell(fc, d->unit);
        fprintf(fc, ",%d", stat[k].n);
        if (ui) {
            fputc(',', fc); csv_num(fc, stat[k].ui_lo);
            fputc(',', fc); csv_num(fc, stat[k].ui_hi);
        }
        fputc('\n', fc);
    }
    int rc = output_json_write(fj, root);
    cJSON_Delete(root);
    return rc;
}

void output_replication_rows(FILE *f, const char *scenario, const struct model *m,
                             const struct kpi_desc *desc, int n_kpi, int replication, const double *kpi)
{
    for (int k = 0; k < n_kpi; k++) {
        if (scenario) {
            csv_cell(f, scenario);
            fputc(',', f);
        }
        fprintf(f, "%d,", replication);
        output_csv_kpi_cols(f, m, &desc[k]);
        fputc(',', f);
        csv_num(f, kpi[k]);
        fputc(',', f);
        csv_cell(f, desc[k].unit);
        fputc('\n', f);
    }
}

/* replications.csv (docs/files.md): every KPI of every replication. */
static void write_replications(const struct model *m, const struct run_results *res,
                               const struct kpi_desc *desc, FILE *f)
{
    fprintf(f, "replication,kpi,flow,ring,year,value,unit\n");
    for (int r = 0; r < res->n_rep; r++)
        output_replication_rows(f, NULL, m, desc, res->shape.n_kpi, r + 1, res->rep[r].kpi);
}

static bool stopped(const volatile sig_atomic_t *stop) { return interrupt_seen(stop); }

/* A recorded log, in pieces so that a signal is seen within a piece's
 * write even when the log holds gigabytes. 1 when interrupted, else 0. */
static int write_text(FILE *f, const struct sbuf *b, const volatile sig_atomic_t *stop)
{
    const size_t piece = (size_t)1 << 20;
    for (size_t at = 0; b->s && at < b->len; at += piece) {
        if (stopped(stop)) return 1;
        fwrite(b->s + at, 1, b->len - at < piece ? b->len - at : piece, f);
    }
    return 0;
}

/* 1 when interrupted, -1 on OOM, else 0. */
static int write_timeseries(const struct model *m, const struct run_results *res, FILE *f,
                            const volatile sig_atomic_t *stop)
{
    const struct sim_shape *sh = &res->shape;
    const struct repagg *a = &res->agg;
    double *x = malloc((size_t)(a->k_lo > a->k_hi ? a->k_lo : a->k_hi) * sizeof *x + 1);
    if (!x) return -1;
    static const char *const col_name[SERIES_COLS] = { "occupancy", "waiting", "spending" };
    fprintf(f, "date,t,flow,ring");
    for (int c = 0; c < SERIES_COLS; c++)
        fprintf(f, ",%s_mean,%s_p05,%s_p95", col_name[c], col_name[c], col_name[c]);
    fputc('\n', f);
    for (int k = 0; k < sh->n_snap; k++) {
        /* Quantiles sort a share of the replications' values: with many
         * replications a snapshot's rows take a while, so look at the flag
         * per snapshot. */
        if (stopped(stop)) {
            free(x);
            return 1;
        }
        double t = fmin(k * sh->snap_dt, m->years);
        char date[11];
        caldate_format(m->start_day + (int32_t)floor(t * DAYS_PER_YEAR + 1e-9), date);
        int slot = 0;
        for (int fi = 0; fi < m->n_flows; fi++) {
            const struct flow *fl = &m->flows[fi];
            for (int s = 0; s <= fl->n_rings; s++, slot++) {
                fprintf(f, "%s,%.6f,", date, t);
                csv_cell(f, fl->id);
                fputc(',', f);
                csv_cell(f, model_state_id(fl, s));
                for (int c = 0; c < SERIES_COLS; c++) {
                    size_t off = ((size_t)k * sh->n_slots + slot) * SERIES_COLS + c;
                    fputc(',', f); csv_num(f, repagg_mean(a, off));
                    fputc(',', f); csv_num(f, repagg_quantile(a, off, REPAGG_P_LO, x));
                    fputc(',', f); csv_num(f, repagg_quantile(a, off, REPAGG_P_HI, x));
                }
                fputc('\n', f);
            }
        }
    }
    free(x);
    return 0;
}

/* waits.csv: the waiting-time distribution per ring, pooled over
 * replications: requests served with a wait in each 30-day bin. */
static int write_waits(const struct model *m, const struct run_results *res, FILE *f)
{
    fprintf(f, "flow,ring,from_days,to_days,requests_per_replication,share\n");
    int slot = 0;
    for (int fi = 0; fi < m->n_flows; fi++, slot++) {       /* slot++ skips none */
        const struct flow *fl = &m->flows[fi];
        for (int s = 0; s < fl->n_rings; s++, slot++) {
            double count[WAIT_BINS] = { 0 }, total = 0.0;
            for (int b = 0; b < WAIT_BINS; b++) {      /* whole counts: exact in a double */
                count[b] = (double)repagg_hist(&res->agg, (size_t)slot * WAIT_BINS + b);
                total += count[b];
            }
            for (int b = 0; b < WAIT_BINS; b++) {
                csv_cell(f, fl->id);
                fputc(',', f);
                csv_cell(f, fl->rings[s].id);
                fputc(',', f);
                if (b == 0) fprintf(f, "0,0,");
                else if (b == WAIT_BINS - 1) fprintf(f, "%d,,", (b - 1) * WAIT_BIN_DAYS);
                else fprintf(f, "%d,%d,", (b - 1) * WAIT_BIN_DAYS, b * WAIT_BIN_DAYS);
                csv_num(f, count[b] / res->n_rep);
                fputc(',', f);
                csv_num(f, total > 0 ? count[b] / total : NAN);
                fputc('\n', f);
            }
        }
    }
    return 0;
}

static int write_run_json(const struct model *m, const struct run_results *res,
                          const struct run_info *info, FILE *f)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return -1;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    time_t now = time(NULL);
    char when[32];
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    cJSON_AddStringToObject(root, "flowsim_version", FLOWSIM_VERSION);
    cJSON_AddStringToObject(root, "command", info && info->command_line ? info->command_line : "");
    cJSON_AddStringToObject(root, "scenario_file", m->path ? m->path : "");
    cJSON_AddStringToObject(root, "finished_utc", when);
    cJSON_AddStringToObject(root, "host", host);
    cJSON_AddNumberToObject(root, "threads", res->threads);
    cJSON_AddNumberToObject(root, "wall_seconds", res->wall_seconds);
    cJSON_AddNumberToObject(root, "events", (double)res->n_events);
    cJSON_AddNumberToObject(root, "events_per_second",
                            res->wall_seconds > 0 ? res->n_events / res->wall_seconds : 0.0);
    int rc = output_json_write(f, root);
    cJSON_Delete(root);
    return rc;
}

int output_write_run(const struct model *m, const struct run_results *res,
                     const char *dir, const struct run_info *info, struct err *e)
{
    (void)info;
    struct afile af[F_COUNT];
    memset(af, 0, sizeof af);
    bool want[F_COUNT] = { true, true, true, true, true, res->ro.rbs_panel, res->ro.events, true };
    struct kpi_desc *desc = NULL;
    struct kpi_stat *stat = NULL;
    int n_kpi = stats_kpi_layout(m, &desc);
    if (n_kpi < 0 || !(stat = calloc((size_t)n_kpi, sizeof *stat))) {
        free(desc);
        return err_set(e, EXIT_RUNTIME, "out of memory writing results");
    }
    if (output_kpi_stats(res, stat) != 0) goto oom;

    if (afile_mkdirs(dir, e) != 0) goto fail;
    for (int i = 0; i < F_COUNT; i++) {
        if (!want[i]) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, file_name[i]);
        if (afile_open(&af[i], path, e) != 0) goto fail;
    }
    const volatile sig_atomic_t *stop = info ? info->stop : NULL;
    if (stopped(stop)) goto interrupted;
    write_replications(m, res, desc, af[F_REPLICATIONS].f);
    if (write_summary(m, res, desc, stat, af[F_SUMMARY_JSON].f, af[F_SUMMARY_CSV].f) != 0)
        goto oom;
    int ts = write_timeseries(m, res, af[F_TIMESERIES].f, stop);
    if (ts > 0 || stopped(stop)) goto interrupted;
    if (ts < 0 || write_waits(m, res, af[F_WAITS].f) != 0 ||
        write_run_json(m, res, info, af[F_RUN_JSON].f) != 0)
        goto oom;
    if (want[F_PANEL]) {
        struct sbuf h = { 0 };
        sim_panel_header(m, &h);
        if (h.failed) goto oom;
        fputs(h.s, af[F_PANEL].f);
        sbuf_free(&h);
        if (write_text(af[F_PANEL].f, &res->rep[0].panel, stop) != 0) goto interrupted;
    }
    if (want[F_EVENTS]) {
        struct sbuf h = { 0 };
        sim_events_header(&h);
        if (h.failed) goto oom;
        fputs(h.s, af[F_EVENTS].f);
        sbuf_free(&h);
        if (write_text(af[F_EVENTS].f, &res->rep[0].events, stop) != 0) goto interrupted;
    }
    if (stopped(stop)) goto interrupted;
    /* Only now, with every file complete, do results replace the old ones. */
    for (int i = 0; i < F_COUNT; i++)
        if (want[i] && afile_commit(&af[i], e) != 0) goto fail;
    free(desc);
    free(stat);
    return 0;
interrupted:
    err_set(e, EXIT_RUNTIME, "interrupted");
    goto fail;
oom:
    err_set(e, EXIT_RUNTIME, "out of memory writing results to %s", dir);
fail:
    for (int i = 0; i < F_COUNT; i++) afile_abort(&af[i]);
    free(desc);
    free(stat);
    return -1;
}
