/* resultsdir.c: reads a finished run or comparison directory back (see
 * resultsdir.h). The CSV files read here are flowsim's own (output.c),
 * split by base/csvcell's RFC 4180 splitter (names flowsim quoted come back
 * whole); rows that do not fit are skipped, so a damaged or hand-edited file
 * gives gaps, never a crash. */
#include "io/resultsdir.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "base/csvcell.h"
#include "base/sbuf.h"

#define PATH_LEN 4096

/* ---------------------------------------------------------------- files */

char *resultsdir_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct sbuf b = { 0 };
    int rc = sbuf_read_stream(&b, f);
    fclose(f);
    if (rc != 0) {
        sbuf_free(&b);
        return NULL;
    }
    if (len) *len = b.len;
    return b.s;
}

static bool file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

bool resultsdir_has_file(const char *dir, const char *file)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return file_exists(path);
}

cJSON *resultsdir_read_json(const char *path)
{
    errno = 0;
    char *text = resultsdir_slurp(path, NULL);
    if (!text) {
        if (!errno) errno = EIO;
        return NULL;
    }
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (!j) errno = 0;
    return j;
}

/* A CSV text being read record by record (changed in place). */
struct rows { char *text; size_t len, pos; };

static struct rows rows_of(char *text) { return (struct rows){ text, strlen(text), 0 }; }

/* The next record's fields (at most max); -1 at the end. */
static int next_row(struct rows *r, char **field, int max)
{
    return csv_record(r->text, r->len, &r->pos, field, max);
}

static double num_or_nan(const char *s)
{
    if (!s || !*s) return NAN;
    char *end;
    double v = strtod(s, &end);
    return end == s ? NAN : v;
}

/* ---------------------------------------------------------------- loading */

const char *results_json_str(const cJSON *o, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : dflt;
}

double results_json_num(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

int results_json_int(const cJSON *o, const char *key, int dflt)
{
    double v = results_json_num(o, key, NAN);
    return v >= INT_MIN && v <= INT_MAX ? (int)v : dflt;
}

const struct cJSON *results_kpi(const struct cJSON *kpis, const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *o = kpis;
    for (char *tok = buf, *slash; o && tok; tok = slash ? slash + 1 : NULL) {
        slash = strchr(tok, '/');
        if (slash) *slash = '\0';
        o = cJSON_GetObjectItemCaseSensitive(o, tok);
    }
    return o;
}

static const char *keep_string(struct results_run *r, const char *s)
{
    char **ns = realloc(r->strings, (size_t)(r->n_strings + 1) * sizeof *ns);
    if (!ns) return NULL;
    r->strings = ns;
    if (!(ns[r->n_strings] = strdup(s))) return NULL;
    return ns[r->n_strings++];
}

void results_run_free(struct results_run *r)
{
    if (!r) return;
    cJSON_Delete(r->summary);
    for (int f = 0; f < r->n_flows; f++) free(r->flows[f].rings);
    free(r->flows);
    free(r->x_year);
    free(r->ts);
    free(r->wait_to);
    free(r->wait_share);
    free(r->wait_count);
    for (int i = 0; i < r->n_strings; i++) free(r->strings[i]);
    free(r->strings);
    free(r);
}

/* Decimal calendar year of an ISO date: 2012-07-02 -> 2012.5. */
static double decimal_year(const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3) return NAN;
    static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12) return NAN;
    int doy = before[m - 1] + d - 1 + (leap && m > 2);
    return y + doy / (leap ? 366.0 : 365.0);
}

int results_flow_index(const struct results_run *r, const char *id)
{
    for (int f = 0; f < r->n_flows; f++)
        if (!strcmp(r->flows[f].id, id)) return f;
    return -1;
}

int results_state_index(const struct results_flow *fl, const char *id)
{
    for (int s = 0; s < fl->n_rings; s++)
        if (!strcmp(fl->rings[s].id, id)) return s;
    return !strcmp(id, "none") ? fl->n_rings : -1;
}

/* Flows and rings from summary.json's "model"; false when absent. */
static bool load_model(struct results_run *r, struct err *e, bool *oom)
{
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(r->summary, "model");
    const cJSON *flows = cJSON_GetObjectItemCaseSensitive(model, "flows");
    int n = cJSON_GetArraySize(flows);
    (void)e;
    if (!cJSON_IsArray(flows) || n <= 0) return false;
    if (!(r->flows = calloc((size_t)n, sizeof *r->flows))) { *oom = true; return false; }
    const cJSON *f;
    cJSON_ArrayForEach(f, flows) {
        struct results_flow *pf = &r->flows[r->n_flows++];
        pf->id = results_json_str(f, "id", "?");
        pf->name = results_json_str(f, "name", pf->id);
        const cJSON *rings = cJSON_GetObjectItemCaseSensitive(f, "rings");
        int nr = cJSON_GetArraySize(rings);
        if (nr > 0 && !(pf->rings = calloc((size_t)nr, sizeof *pf->rings))) { *oom = true; return false; }
        const cJSON *g;
        cJSON_ArrayForEach(g, rings) {
            struct results_ring *pr = &pf->rings[pf->n_rings++];
            pr->id = results_json_str(g, "id", "?");
            pr->name = results_json_str(g, "name", pr->id);
            pr->law = results_json_str(g, "law", "");
            pr->capacity = results_json_int(g, "capacity", -1);
            for (int i = 0; i < r->n_changes; i++) {
                const cJSON *cf = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(r->change_json[i], "capacity"), pf->id);
                int c = results_json_int(cf, pr->id, -1);
                pr->change_capacity[i] = c >= 0 ? c : -1;
            }
        }
    }
    return true;
}

/* Flows and rings in timeseries.csv order, when summary.json has no model:
 * ids stand in for names. */
static int model_from_timeseries(struct results_run *r, char *text)
{
    struct rows rs = rows_of(text);
    char *field[16];
    next_row(&rs, field, 16);                           /* header */
    const char *first_t = NULL;
    char tbuf[32] = "";
    for (int n; (n = next_row(&rs, field, 16)) >= 0;) {
        if (n < 4) continue;
        if (!first_t) { snprintf(tbuf, sizeof tbuf, "%s", field[1]); first_t = tbuf; }
        if (strcmp(field[1], first_t)) break;
        int f = results_flow_index(r, field[2]);
        if (f < 0) {
            if (r->n_flows >= 64) continue;
            struct results_flow *nf = realloc(r->flows, (size_t)(r->n_flows + 1) * sizeof *nf);
            if (!nf) return -1;
            r->flows = nf;
            f = r->n_flows++;
            memset(&r->flows[f], 0, sizeof r->flows[f]);
            if (!(r->flows[f].id = r->flows[f].name = keep_string(r, field[2]))) return -1;
        }
        if (!strcmp(field[3], "none")) continue;
        struct results_flow *pf = &r->flows[f];
        struct results_ring *nr = realloc(pf->rings, (size_t)(pf->n_rings + 1) * sizeof *nr);
        if (!nr) return -1;
        pf->rings = nr;
        struct results_ring *pr = &pf->rings[pf->n_rings++];
        if (!(pr->id = pr->name = keep_string(r, field[3]))) return -1;
        pr->law = "";
        pr->capacity = -1;
        for (int i = 0; i < RESULTS_MAX_CHANGES; i++) pr->change_capacity[i] = -1;
    }
    return 0;
}

/* A snapshot's time in years from the start; NaN (the row is skipped) when
 * it is no number or beyond any horizon flowsim runs, so every x_year is a
 * finite calendar year. */
static double snapshot_t(const char *s)
{
    double t = num_or_nan(s);
    return fabs(t) <= 1e4 ? t : NAN;
}

static int load_timeseries(struct results_run *r, char *text)
{
    struct rows rs = rows_of(text);
    char *field[32];
    int nh = next_row(&rs, field, 32);
    if (nh < 0) return 0;
    /* Column positions from the header, so added columns do no harm. */
    static const char *const want[RESULTS_TS_COLS] = {
        "occupancy_mean", "occupancy_p05", "occupancy_p95", "waiting_mean", "waiting_p05",
        "waiting_p95", "spending_mean", "spending_p05", "spending_p95",
    };
    int pos[RESULTS_TS_COLS];
    for (int c = 0; c < RESULTS_TS_COLS; c++) {
        pos[c] = -1;
        for (int i = 0; i < nh; i++)
            if (!strcmp(field[i], want[c])) pos[c] = i;
    }
    /* Count snapshots: distinct consecutive t values. */
    char *copy = strdup(rs.text + rs.pos);
    if (!copy) return -1;
    struct rows count = rows_of(copy);
    int n_snap = 0;
    char last_t[32] = "";
    for (int nf; (nf = next_row(&count, field, 32)) >= 0;) {
        if (nf < 4 || !isfinite(snapshot_t(field[1]))) continue;
        if (strcmp(field[1], last_t)) { n_snap++; snprintf(last_t, sizeof last_t, "%s", field[1]); }
    }
    free(copy);
    r->n_snap = n_snap;
    size_t n_vals = (size_t)n_snap * (size_t)r->n_slots * RESULTS_TS_COLS;
    r->x_year = malloc((size_t)(n_snap ? n_snap : 1) * sizeof *r->x_year);
    r->ts = malloc((n_vals ? n_vals : 1) * sizeof *r->ts);
    if (!r->x_year || !r->ts) return -1;
    for (size_t i = 0; i < n_vals; i++) r->ts[i] = NAN;
    double x0 = decimal_year(r->start_date);
    int k = -1;
    last_t[0] = '\0';
    for (int nf; (nf = next_row(&rs, field, 32)) >= 0;) {
        double t = nf >= 4 ? snapshot_t(field[1]) : NAN;
        if (!isfinite(t)) continue;
        if (strcmp(field[1], last_t)) {
            k++;
            snprintf(last_t, sizeof last_t, "%s", field[1]);
            if (k < n_snap) r->x_year[k] = isfinite(x0) ? x0 + t : t;
        }
        int f = results_flow_index(r, field[2]);
        if (f < 0 || k >= n_snap) continue;
        int s = results_state_index(&r->flows[f], field[3]);
        if (s < 0) continue;
        double *row = &r->ts[((size_t)k * r->n_slots + r->flows[f].slot0 + s) * RESULTS_TS_COLS];
        for (int c = 0; c < RESULTS_TS_COLS; c++)
            if (pos[c] >= 0 && pos[c] < nf) row[c] = num_or_nan(field[pos[c]]);
    }
    return 0;
}

static int load_waits(struct results_run *r, char *text)
{
    struct rows rs = rows_of(text);
    char *field[16];
    next_row(&rs, field, 16);                           /* header */
    /* Bins per ring: rows until the (flow, ring) pair changes. */
    char *copy = strdup(rs.text + rs.pos);
    if (!copy) return -1;
    struct rows count = rows_of(copy);
    char first[256] = "";
    int n_bins = 0;
    for (int nf; (nf = next_row(&count, field, 16)) >= 0;) {
        if (nf < 6) continue;
        char key[256];
        snprintf(key, sizeof key, "%s,%s", field[0], field[1]);
        if (!first[0]) snprintf(first, sizeof first, "%s", key);
        if (strcmp(key, first)) break;
        n_bins++;
    }
    free(copy);
    if (n_bins == 0) return 0;
    r->n_bins = n_bins;
    r->wait_to = malloc((size_t)n_bins * sizeof *r->wait_to);
    r->wait_share = malloc((size_t)r->n_slots * n_bins * sizeof *r->wait_share);
    r->wait_count = calloc((size_t)r->n_slots, sizeof *r->wait_count);
    if (!r->wait_to || !r->wait_share || !r->wait_count) return -1;
    for (int i = 0; i < r->n_slots * n_bins; i++) r->wait_share[i] = NAN;
    char prev[256] = "";
    int b = 0;
    for (int nf; (nf = next_row(&rs, field, 16)) >= 0;) {
        if (nf < 6) continue;
        char key[256];
        snprintf(key, sizeof key, "%s,%s", field[0], field[1]);
        if (strcmp(key, prev)) { b = 0; snprintf(prev, sizeof prev, "%s", key); }
        int f = results_flow_index(r, field[0]);
        int s = f >= 0 ? results_state_index(&r->flows[f], field[1]) : -1;
        if (s < 0 || b >= n_bins) { b++; continue; }
        int slot = r->flows[f].slot0 + s;
        r->wait_to[b] = num_or_nan(field[3]);
        r->wait_share[slot * n_bins + b] = num_or_nan(field[5]);
        double c = num_or_nan(field[4]);
        if (isfinite(c)) r->wait_count[slot] += c;
        b++;
    }
    return 0;
}

void results_seed_text(const cJSON *v, char *buf, size_t n)
{
    snprintf(buf, n, "?");
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        snprintf(buf, n, "%.0f", v->valuedouble);
    } else if (cJSON_IsString(v) && v->valuestring && *v->valuestring &&
               strspn(v->valuestring, "0123456789") == strlen(v->valuestring)) {
        snprintf(buf, n, "%s", v->valuestring);
    }
}

/* The run's scenario, settings and plan dates from summary.json. */
static void read_head(struct results_run *r)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(r->summary, "scenario");
    r->name = results_json_str(sc, "name", "flowsim");
    r->description = results_json_str(sc, "description", "");
    r->title = results_json_str(sc, "title", "");
    r->title_da = results_json_str(sc, "title_da", "");
    r->description_da = results_json_str(sc, "description_da", "");
    r->prices_year = results_json_int(sc, "prices_year", 0);
    r->start_date = results_json_str(sc, "start_date", NULL);
    r->lang = results_json_str(r->summary, "lang", NULL);
    r->replications = results_json_int(r->summary, "replications", 0);
    r->years = results_json_num(r->summary, "years", NAN);
    r->warmup_years = results_json_num(r->summary, "warmup_years", 0.0);
    if (!(r->warmup_years >= 0 && r->warmup_years <= 1e4)) r->warmup_years = 0.0;
    results_seed_text(cJSON_GetObjectItemCaseSensitive(r->summary, "seed"), r->seed, sizeof r->seed);
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(r->summary, "model");
    r->budget_annual = results_json_num(model, "budget_annual", results_json_num(r->summary, "budget_annual", 0.0));
    const cJSON *ch;
    cJSON_ArrayForEach(ch, cJSON_GetObjectItemCaseSensitive(model, "changes")) {
        const char *date = results_json_str(ch, "date", NULL);
        double x = decimal_year(date);
        /* Untrusted text: only a plain date is kept (it is shown as is). */
        if (!isfinite(x) || strlen(date) != 10 || strspn(date, "0123456789-") != 10 ||
            r->n_changes == RESULTS_MAX_CHANGES)
            continue;
        memcpy(r->change_date[r->n_changes], date, 11);
        r->change_json[r->n_changes] = ch;
        r->change_x[r->n_changes++] = x;
        /* A plan may bring the budget in later: the report then shows it. */
        double b = results_json_num(ch, "budget_annual", 0.0);
        if (!(r->budget_annual > 0) && b > 0) r->budget_annual = b;
    }
}

/* The time series and waiting-time distributions, when the run wrote
 * them (a model rebuilt from the time series when summary.json has none).
 * 0, or -1 out of memory. */
static int load_series(struct results_run *r, const char *dir)
{
    char path[PATH_LEN], *text;
    snprintf(path, sizeof path, "%s/timeseries.csv", dir);
    char *ts_text = resultsdir_slurp(path, NULL);
    if (r->n_flows == 0 && ts_text) {
        /* model_from_timeseries() cuts the text into lines: read it again. */
        int rc = model_from_timeseries(r, ts_text);
        free(ts_text);
        if (rc != 0) return -1;
        ts_text = resultsdir_slurp(path, NULL);
    }
    for (int f = 0; f < r->n_flows; f++) {
        r->flows[f].slot0 = r->n_slots;
        r->n_slots += r->flows[f].n_rings + 1;
    }
    if (ts_text) {
        int rc = load_timeseries(r, ts_text);
        free(ts_text);
        if (rc != 0) return -1;
    }
    snprintf(path, sizeof path, "%s/waits.csv", dir);
    if ((text = resultsdir_slurp(path, NULL))) {
        int rc = load_waits(r, text);
        free(text);
        if (rc != 0) return -1;
    }
    return 0;
}

int resultsdir_read_run(const char *dir, struct results_run **out, struct err *e)
{
    char path[PATH_LEN];
    *out = NULL;
    struct results_run *r = calloc(1, sizeof *r);
    if (!r) goto oom;
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (!(r->summary = resultsdir_read_json(path))) {
        int why = errno;
        results_run_free(r);
        if (!why) return err_set(e, EXIT_INPUT, "%s: not valid JSON", path);
        return err_set(e, EXIT_INPUT, "%s: %s (not a finished flowsim run?)", path, strerror(why));
    }
    const cJSON *kpis = cJSON_GetObjectItemCaseSensitive(r->summary, "kpis");
    if (!cJSON_IsObject(kpis)) kpis = cJSON_AddObjectToObject(r->summary, "kpis");
    if (!kpis) goto oom;
    r->kpis = kpis;
    read_head(r);
    bool oom = false;
    if (!load_model(r, e, &oom) && oom) goto oom;
    if (load_series(r, dir) != 0) goto oom;
    *out = r;
    return 0;
oom:
    results_run_free(r);
    return err_set(e, EXIT_RUNTIME, "out of memory reading %s", dir);
}

bool resultsdir_is_comparison(const char *dir)
{
    return resultsdir_has_file(dir, "comparison.json");
}

const double *results_ts(const struct results_run *r, int k, int slot)
{
    return &r->ts[((size_t)k * r->n_slots + slot) * RESULTS_TS_COLS];
}

bool resultsdir_safe_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 200 || name[0] == '.' || strchr(name, '/')) return false;
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return false;
    return true;
}

void resultsdir_lang(const char *dir, char *buf, size_t n)
{
    char path[PATH_LEN];
    snprintf(buf, n, "%s", "");
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (!file_exists(path) && resultsdir_is_comparison(dir)) {
        /* A comparison speaks its base scenario's language. */
        snprintf(path, sizeof path, "%s/comparison.json", dir);
        cJSON *j = resultsdir_read_json(path);
        const char *base = results_json_str(cJSON_GetObjectItemCaseSensitive(j, "base"), "name", NULL);
        bool ok = resultsdir_safe_name(base);
        snprintf(path, sizeof path, "%s/%s/summary.json", dir, ok ? base : "");
        cJSON_Delete(j);
        if (!ok) return;
    }
    cJSON *j = resultsdir_read_json(path);
    snprintf(buf, n, "%s", results_json_str(j, "lang", ""));
    cJSON_Delete(j);
}

void results_cmp_fini(struct results_cmp *m)
{
    for (int i = 0; i < m->n_scen; i++) results_run_free(m->run[i]);
    cJSON_Delete(m->root);
    memset(m, 0, sizeof *m);
}

int resultsdir_read_cmp(const char *dir, struct results_cmp *m, struct err *e)
{
    memset(m, 0, sizeof *m);
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/comparison.json", dir);
    if (!(m->root = resultsdir_read_json(path)))
        return err_set(e, EXIT_INPUT, errno ? "%s: cannot read" : "%s: not valid JSON", path);
    m->base = results_json_str(cJSON_GetObjectItemCaseSensitive(m->root, "base"), "name", NULL);
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(m->root, "scenarios"), *it;
    if (m->base) m->scen[m->n_scen++] = m->base;
    cJSON_ArrayForEach(it, sc) {
        const char *n = results_json_str(it, "name", NULL);
        if (!n || m->n_scen >= RESULTS_MAX_SCEN) continue;
        if (m->base && !strcmp(n, m->base)) continue;
        if (!m->base) m->base = n;
        m->scen[m->n_scen++] = n;
    }
    cJSON_ArrayForEach(it, sc) {
        const char *n = results_json_str(it, "name", NULL);
        for (int i = 0; n && i < m->n_scen; i++)
            if (!strcmp(m->scen[i], n) && !m->kpis[i]) {
                m->kpis[i] = cJSON_GetObjectItemCaseSensitive(it, "kpis");
                /* compare records the directory it wrote (a safe form of
                 * the name); older comparisons used the name itself. */
                m->dir[i] = results_json_str(it, "dir", n);
            }
    }
    const cJSON *diffs = cJSON_GetObjectItemCaseSensitive(m->root, "differences");
    cJSON_ArrayForEach(it, diffs) {
        const char *alt = results_json_str(it, "alternative", NULL);
        for (int i = 1; alt && i < m->n_scen; i++)
            if (!strcmp(m->scen[i], alt)) m->diff[i] = cJSON_GetObjectItemCaseSensitive(it, "kpis");
    }
    for (int i = 0; i < m->n_scen; i++) {
        /* A name such as "../x" must not lead out of the comparison. */
        if (!m->dir[i]) m->dir[i] = m->scen[i];
        if (!(m->has_dir[i] = resultsdir_safe_name(m->dir[i]))) {
            m->dir[i] = NULL;
            continue;
        }
        char sub[PATH_LEN];
        snprintf(sub, sizeof sub, "%s/%s", dir, m->dir[i]);
        struct err ignore = { 0 };
        if (resultsdir_read_run(sub, &m->run[i], &ignore) != 0) m->run[i] = NULL;
    }
    return 0;
}

