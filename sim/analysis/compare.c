/* compare.c: paired differences under common random numbers, the files
 * of `flowsim compare` and its table for a person (sweep.c: `sweep`).
 * The KPI trees come from output.c, so comparison.json holds exactly the
 * tree of summary.json for every scenario. */
#include "analysis/compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/afile.h"
#include "base/csvcell.h"
#include "base/numtext.h"
#include "base/resultset.h"
#include "base/sbuf.h"
#include "base/version.h"
#include "engine/runner.h"
#include "io/output.h"

/* ---- runs ------------------------------------------------------------------ */

void compare_run_fini(struct cmp_run *c)
{
    model_destroy(c->m);
    free(c->desc);
    free(c->kpi);
    free(c->stat);
    if (c->has_res) runner_results_fini(&c->res);
    memset(c, 0, sizeof *c);
}

int compare_run(struct model *m, const struct runopts *ro, bool progress,
                const volatile sig_atomic_t *stop, bool keep, struct cmp_run *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    out->m = m;
    out->ro = *ro;
    /* Only KPIs are compared: replication 0 need not record anything. */
    out->ro.rbs_panel = false;
    out->ro.events = false;
    struct run_results res;
    if (runner_run(m, &out->ro, progress, stop, &res, e) != 0) {
        compare_run_fini(out);
        return -1;
    }
    out->n_rep = res.n_rep;
    out->n_kpi = stats_kpi_layout(m, &out->desc);
    if (out->n_kpi != res.shape.n_kpi) goto oom;
    out->kpi = malloc((size_t)out->n_rep * out->n_kpi * sizeof *out->kpi);
    out->stat = calloc((size_t)out->n_kpi, sizeof *out->stat);
    if (!out->kpi || !out->stat || output_kpi_stats(&res, out->stat) != 0) goto oom;
    for (int r = 0; r < out->n_rep; r++)
        memcpy(out->kpi + (size_t)r * out->n_kpi, res.rep[r].kpi, (size_t)out->n_kpi * sizeof *out->kpi);
    if (keep) {
        out->res = res;
        out->has_res = true;
    } else {
        runner_results_fini(&res);
    }
    return 0;
oom:
    runner_results_fini(&res);
    compare_run_fini(out);
    return err_set(e, EXIT_RUNTIME, "out of memory keeping the results of a scenario");
}

/* ---- matching and differences ------------------------------------------------ */

static bool same_id(const char *a, const char *b) { return strcmp(a, b) == 0; }

static bool kpi_same(const struct model *ma, const struct kpi_desc *a,
                     const struct model *mb, const struct kpi_desc *b)
{
    if (strcmp(a->name, b->name) != 0 || a->year != b->year) return false;
    if ((a->flow < 0) != (b->flow < 0) || (a->ring < 0) != (b->ring < 0) ||
        (a->dim < 0) != (b->dim < 0))
        return false;
    if (a->flow >= 0 && !same_id(ma->flows[a->flow].id, mb->flows[b->flow].id)) return false;
    if (a->ring >= 0 &&
        !same_id(ma->flows[a->flow].rings[a->ring].id, mb->flows[b->flow].rings[b->ring].id))
        return false;
    if (a->dim >= 0 && !same_id(ma->dims[a->dim], mb->dims[b->dim])) return false;
    return true;
}

int *compare_match(const struct cmp_run *base, const struct cmp_run *alt)
{
    int *map = malloc((size_t)(base->n_kpi > 0 ? base->n_kpi : 1) * sizeof *map);
    if (!map) return NULL;
    for (int k = 0; k < base->n_kpi; k++) {
        const struct kpi_desc *d = &base->desc[k];
        map[k] = -1;
        /* Same layout is the common case: try the same index first. */
        if (k < alt->n_kpi && kpi_same(base->m, d, alt->m, &alt->desc[k])) {
            map[k] = k;
            continue;
        }
        for (int j = 0; j < alt->n_kpi; j++)
            if (kpi_same(base->m, d, alt->m, &alt->desc[j])) { map[k] = j; break; }
    }
    return map;
}

void compare_paired(const struct cmp_run *base, int kb, const struct cmp_run *alt, int ka,
                    struct kpi_stat *out)
{
    int n = base->n_rep < alt->n_rep ? base->n_rep : alt->n_rep;
    /* NaN - x is NaN: skipped */
    summary_stat_diff(alt->kpi + ka, (size_t)alt->n_kpi, base->kpi + kb, (size_t)base->n_kpi, n, out);
}

bool compare_real(const struct kpi_stat *d)
{
    return isfinite(d->lo) && isfinite(d->hi) && (d->lo > 0.0 || d->hi < 0.0);
}

/* ---- files ------------------------------------------------------------------- */

static cJSON *scenario_ref(const struct model *m)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddStringToObject(o, "description", m->description ? m->description : "");
    cJSON_AddStringToObject(o, "file", m->path ? m->path : "");
    cJSON_AddStringToObject(o, "sha256", m->sha256);
    output_display_texts(o, m);
    return o;
}

void compare_dir_names(const struct cmp_run *runs, int n_runs, char (*dirs)[COMPARE_DIR_LEN])
{
    static const char *const own[] = { "plots", "comparison.json", "comparison.csv",
                                       "replications.csv", "report.html", NULL };
    for (int i = 0; i < n_runs; i++) {
        char base[104];
        resultset_safe_name(runs[i].m->name, base, sizeof base);
        snprintf(dirs[i], COMPARE_DIR_LEN, "%s", base);
        for (int k = 2;; k++) {
            bool taken = false;
            for (int j = 0; own[j]; j++) taken |= !strcmp(dirs[i], own[j]);
            for (int j = 0; j < i; j++) taken |= !strcmp(dirs[i], dirs[j]);
            if (!taken) break;
            snprintf(dirs[i], COMPARE_DIR_LEN, "%s-%d", base, k);
        }
    }
}

static cJSON *diff_json(const struct kpi_stat *s, int n_rep, const char *unit)
{
    cJSON *o = output_kpi_stat_json(s, n_rep, unit);
    if (o) cJSON_AddBoolToObject(o, "real", compare_real(s));
    return o;
}

/* What comparison.json and sweep.json open with: version, seed,
 * replications, horizon and the base scenario. NULL when out of memory. */
cJSON *compare_json_head(const struct cmp_run *b)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *base = root ? scenario_ref(b->m) : NULL;
    if (!base) {
        cJSON_Delete(root);
        return NULL;
    }
    cJSON_AddStringToObject(root, "flowsim_version", FLOWSIM_VERSION);
    output_json_add_u64(root, "seed", b->ro.seed);
    cJSON_AddNumberToObject(root, "replications", b->n_rep);
    cJSON_AddNumberToObject(root, "years", b->m->years);
    cJSON_AddNumberToObject(root, "warmup_years", b->m->warmup_years);
    cJSON_AddItemToObject(root, "base", base);
    return root;
}

/* comparison.json into fj, comparison.csv into fc. 0, or -1 on OOM. */
static int write_comparison(const struct cmp_run *runs, int n_runs, FILE *fj, FILE *fc)
{
    const struct cmp_run *b = &runs[0];
    char (*dirs)[COMPARE_DIR_LEN] = malloc((size_t)n_runs * sizeof *dirs);
    cJSON *root = dirs ? compare_json_head(b) : NULL;
    if (!root) {
        free(dirs);
        return -1;
    }
    compare_dir_names(runs, n_runs, dirs);
    cJSON *scen = cJSON_AddArrayToObject(root, "scenarios");
    cJSON *diffs = cJSON_AddArrayToObject(root, "differences");
    if (!scen || !diffs) goto oom;
    for (int i = 0; i < n_runs; i++) {
        const struct cmp_run *c = &runs[i];
        cJSON *o = scenario_ref(c->m);
        if (!o) goto oom;
        cJSON_AddItemToArray(scen, o);
        cJSON_AddStringToObject(o, "dir", dirs[i]);
        cJSON *kpis = output_kpi_tree(c->m, c->desc, c->n_kpi, c->stat, c->n_rep);
        if (!kpis) goto oom;
        cJSON_AddItemToObject(o, "kpis", kpis);
    }
    fprintf(fc, "scenario,kpi,flow,ring,year,unit,n,base_mean,base_ci_lo,base_ci_hi,alt_mean,alt_ci_lo,"
                "alt_ci_hi,diff_mean,diff_sd,diff_ci_lo,diff_ci_hi,real\n");
    for (int i = 1; i < n_runs; i++) {
        const struct cmp_run *a = &runs[i];
        int *map = compare_match(b, a);
        if (!map) goto oom;
        cJSON *o = cJSON_CreateObject();
        if (!o) { free(map); goto oom; }
        cJSON_AddItemToArray(diffs, o);
        cJSON_AddStringToObject(o, "alternative", a->m->name);
        cJSON *kpis = cJSON_AddObjectToObject(o, "kpis");
        for (int k = 0; kpis && k < b->n_kpi; k++) {
            if (map[k] < 0) continue;
            struct kpi_stat d;
            compare_paired(b, k, a, map[k], &d);
            if (output_kpi_add(b->m, kpis, &b->desc[k], diff_json(&d, b->n_rep, b->desc[k].unit)) != 0) {
                kpis = NULL;
                break;
            }
            csv_cell(fc, a->m->name);
            fputc(',', fc);
            output_csv_kpi_cols(fc, b->m, &b->desc[k]);
            fputc(',', fc);
            csv_cell(fc, b->desc[k].unit);
            fprintf(fc, ",%d", d.n);
            const struct kpi_stat *bs = &b->stat[k], *as = &a->stat[map[k]];
            double v[] = { bs->mean, bs->lo, bs->hi, as->mean, as->lo, as->hi, d.mean, d.sd, d.lo, d.hi };
            for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
                fputc(',', fc);
                output_csv_num(fc, v[j]);
            }
            fprintf(fc, ",%s\n", compare_real(&d) ? "true" : "false");
        }
        free(map);
        if (!kpis) goto oom;
    }
    int rc = output_json_write(fj, root);
    cJSON_Delete(root);
    free(dirs);
    return rc;
oom:
    cJSON_Delete(root);
    free(dirs);
    return -1;
}

/* Opens the named files in dir, lets write() fill them and commits them
 * only when all are complete. */
int compare_write_files(const char *dir, int n, const char *const *names, struct err *e,
                       int (*write)(FILE **f, const void *ctx), const void *ctx)
{
    struct afile af[4];
    memset(af, 0, sizeof af);
    FILE *f[4];
    if (afile_mkdirs(dir, e) != 0) return -1;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (afile_open(&af[i], path, e) != 0) goto fail;
        f[i] = af[i].f;
    }
    if (write(f, ctx) != 0) {
        err_set(e, EXIT_RUNTIME, "out of memory writing results to %s", dir);
        goto fail;
    }
    for (int i = 0; i < n; i++)
        if (afile_commit(&af[i], e) != 0) goto fail;
    return 0;
fail:
    for (int i = 0; i < n; i++) afile_abort(&af[i]);
    return -1;
}

struct comparison_ctx { const struct cmp_run *runs; int n; };

/* replications.csv of a comparison: every scenario's replications, led by
 * the scenario's name (docs/compare.md). */
static void write_replications(const struct cmp_run *runs, int n_runs, FILE *f)
{
    fprintf(f, "scenario,replication,kpi,flow,ring,year,value,unit\n");
    for (int i = 0; i < n_runs; i++)
        for (int r = 0; r < runs[i].n_rep; r++)
            output_replication_rows(f, runs[i].m->name, runs[i].m, runs[i].desc, runs[i].n_kpi, r + 1,
                                    runs[i].kpi + (size_t)r * runs[i].n_kpi);
}

static int comparison_cb(FILE **f, const void *ctx)
{
    const struct comparison_ctx *c = ctx;
    write_replications(c->runs, c->n, f[2]);
    return write_comparison(c->runs, c->n, f[0], f[1]);
}

int compare_write(const struct cmp_run *runs, int n_runs, const char *dir, struct err *e)
{
    static const char *const names[] = { "comparison.json", "comparison.csv", "replications.csv" };
    struct comparison_ctx c = { runs, n_runs };
    return compare_write_files(dir, 3, names, e, comparison_cb, &c);
}

/* ---- the table for a person -------------------------------------------------- */

struct headline {
    int k;                       /* KPI index in the base */
    char label[160];
    double scale;                /* shown value = KPI * scale */
    int dec;                     /* decimals of the shown value */
};

int compare_find_kpi(const struct cmp_run *c, enum kpi_id id, int flow, int ring)
{
    for (int k = 0; k < c->n_kpi; k++) {
        const struct kpi_desc *d = &c->desc[k];
        if (d->id == id && d->flow == flow && d->ring == ring && d->year == 0 && d->dim < 0)
            return k;
    }
    return -1;
}

static void add_head(struct headline *h, int *n, int cap, int k, double scale, int dec,
                     const char *label)
{
    if (k < 0 || *n >= cap) return;
    h[*n].k = k;
    h[*n].scale = scale;
    h[*n].dec = dec;
    snprintf(h[*n].label, sizeof h[*n].label, "%s", label);
    (*n)++;
}

/* The catalogue's headline KPIs, labelled in the base scenario's language:
 * run-wide ones, per-flow ones, per ring those of rings with places. Money
 * in millions, shares in per cent, counts whole. */
static int headlines(const struct cmp_run *b, struct headline *h, int cap)
{
    const struct model *m = b->m;
    const bool da = !strcmp(b->ro.lang, "da");
    int n = 0;
    for (int id = 0; id < KPI_N; id++) {
        const struct kpi_def *kd = kpi_def((enum kpi_id)id);
        if (!(kd->show & KPI_HEADLINE)) continue;
        const char *label = da ? kd->da : kd->en;
        bool money = !strncmp(kd->unit, "DKK", 3), share = !strcmp(kd->unit, "share");
        double scale = money ? 1e-6 : share ? 100.0 : 1.0;
        int dec = kd->show & KPI_WHOLE ? 0 : money || share ? 1 : 2;
        char text[96];
        bool days = !strcmp(kd->unit, "days") && strncmp(kd->name, "days", 4);  /* "Days ..." says it */
        const char *unit = money ? (da ? "mio. kr." : "M DKK") : share ? "%"
                           : days ? (da ? "dage" : "days") : NULL;
        if (kd->scopes & KPI_SCOPE_RUN) {
            snprintf(text, sizeof text, "%s%s%s", label, unit ? ", " : "", unit ? unit : "");
            add_head(h, &n, cap, compare_find_kpi(b, (enum kpi_id)id, -1, -1), scale, dec, text);
            continue;
        }
        for (int f = 0; f < m->n_flows; f++) {
            if (kd->scopes & KPI_SCOPE_FLOW) {
                snprintf(text, sizeof text, "%s: %s%s%s", m->flows[f].id, label, unit ? ", " : "",
                         unit ? unit : "");
                add_head(h, &n, cap, compare_find_kpi(b, (enum kpi_id)id, f, -1), scale, dec, text);
                continue;
            }
            for (int r = 0; r < m->flows[f].n_rings; r++) {
                if (m->flows[f].rings[r].capacity <= 0) continue;
                snprintf(text, sizeof text, "%s: %s%s%s", m->flows[f].rings[r].id, label,
                         unit ? ", " : "", unit ? unit : "");
                add_head(h, &n, cap, compare_find_kpi(b, (enum kpi_id)id, f, r), scale, dec, text);
            }
        }
    }
    return n;
}

void compare_cell(char *buf, size_t n, double v, int dec)
{
    numtext(buf, n, v, dec, '.', '\0');
}

/* The fixed words of the table, English and Danish. The KPI labels come
 * from the catalogue; these few live here because analysis sits below
 * present/i18n (the same words as the report's: base, difference, 95 % CI). */
enum cmp_word {
    W_SCENARIO, W_COST, W_TO_PLACE, W_OUTWARD, W_RULE_DAYS, W_KPI, W_BASE, W_ALT, W_DIFF, W_CI,
    W_CI_CELL, W_HEAD, W_BASE_LINE, W_DIFF_LINE, W_FILES, W_N
};

static const char *const cmp_words[W_N][2] = {
    [W_SCENARIO] = { "scenario", "scenarie" },
    [W_COST] = { "cost M DKK/yr", "udgift mio. kr./år" },
    [W_TO_PLACE] = { "to place, days", "til placering, dage" },
    [W_OUTWARD] = { "%.30s outward %%", "%.30s udad %%" },
    [W_RULE_DAYS] = { "days rule active", "dage med budgetregel" },
    [W_KPI] = { "KPI", "Nøgletal" },
    [W_BASE] = { "base", "basis" },
    [W_ALT] = { "alternative", "alternativ" },
    [W_DIFF] = { "difference", "forskel" },
    [W_CI] = { "95% CI", "95 % KI" },
    [W_CI_CELL] = { "[%s, %s]", "[%s; %s]" },
    [W_HEAD] = { "flowsim compare: %d scenarios, %d replications each, seed %llu, %s years; "
                 "common random numbers\n",
                 "flowsim compare: %d scenarier, %d gentagelser hver, seed %llu, %s år; "
                 "fælles tilfældige tal\n" },
    [W_BASE_LINE] = { "base", "basis" },
    [W_DIFF_LINE] = { "difference = alternative - base, per replication; * = its 95% CI excludes 0 "
                      "(a clear or small change; without *: could be chance)\n\n",
                      "forskel = alternativ - basis, pr. gentagelse; * = dens 95 %-KI udelukker 0 "
                      "(tydelig eller lille ændring; uden *: kan skyldes tilfældighed)\n\n" },
    [W_FILES] = { "every KPI, per scenario and as differences",
                  "alle nøgletal, pr. scenarie og som forskelle" },
};

static const char *word(const struct cmp_run *b, enum cmp_word w)
{
    return cmp_words[w][!strcmp(b->ro.lang, "da")];
}

/* The decimal mark of the table's language. */
static char mark(const struct cmp_run *b)
{
    return strcmp(b->ro.lang, "da") ? '.' : ',';
}

/* A cell of the table in its language: "391.5", Danish "391,5". */
static void cell(const struct cmp_run *b, char *buf, size_t n, double v, int dec)
{
    numtext(buf, n, v, dec, mark(b), '\0');
}

/* s padded to width characters, left- or right-aligned, appended to line. */
static void put_padded(char *line, size_t cap, const char *s, int width, bool left)
{
    size_t len = strlen(line);
    int pad = width - sbuf_chars(s);
    if (pad < 0) pad = 0;
    if (left) snprintf(line + len, cap - len, "%s%*s", s, pad, "");
    else snprintf(line + len, cap - len, "%*s%s", pad, "", s);
}

/* One line per scenario: value (difference, '*' if real) of a few KPIs. */
static int print_overview(const struct cmp_run *runs, int n_runs, FILE *out)
{
    const struct cmp_run *b = &runs[0];
    struct ocol { int k; const char *title; double scale; int dec; } col[2 + MODEL_MAX_FLOWS + 1];
    int nc = 0;
    col[nc++] = (struct ocol){ compare_find_kpi(b, KPI_COST_PER_YEAR, -1, -1), word(b, W_COST), 1e-6, 1 };
    col[nc++] = (struct ocol){ compare_find_kpi(b, KPI_REFERRAL_TO_PLACEMENT, -1, -1),
                                  word(b, W_TO_PLACE), 1.0, 1 };
    char titles[MODEL_MAX_FLOWS][48];
    for (int f = 0; f < b->m->n_flows && f < MODEL_MAX_FLOWS; f++) {
        snprintf(titles[f], sizeof titles[f], word(b, W_OUTWARD), b->m->flows[f].id);
        col[nc++] = (struct ocol){ compare_find_kpi(b, KPI_OUTWARD_SHARE, f, -1), titles[f], 100.0, 1 };
    }
    bool any_budget = false;
    for (int i = 0; i < n_runs; i++) any_budget |= model_has_budget(runs[i].m);   /* a plan's too */
    if (any_budget)
        col[nc++] = (struct ocol){ compare_find_kpi(b, KPI_DAYS_FROZEN, -1, -1), word(b, W_RULE_DAYS), 1.0,
                                   0 };
    char line[512] = "  ";
    put_padded(line, sizeof line, word(b, W_SCENARIO), 24, true);
    for (int c = 0; c < nc; c++) {
        strcat(line, " ");
        put_padded(line, sizeof line, col[c].title, 22, false);
    }
    fprintf(out, "%s\n", line);
    for (int i = 0; i < n_runs; i++) {
        const struct cmp_run *a = &runs[i];
        int *map = i ? compare_match(b, a) : NULL;
        if (i && !map) return -1;
        snprintf(line, sizeof line, "  %-24.24s", a->m->name);
        for (int c = 0; c < nc; c++) {
            char v[32], d[40], text[80];
            int kb = col[c].k, ka = kb < 0 ? -1 : i ? map[kb] : kb;
            cell(b, v, sizeof v, ka >= 0 ? a->stat[ka].mean * col[c].scale : NAN, col[c].dec);
            if (i && ka >= 0) {
                struct kpi_stat s;
                compare_paired(b, kb, a, ka, &s);
                cell(b, d, sizeof d, s.mean * col[c].scale, col[c].dec);
                snprintf(text, sizeof text, "%s (%s%s%s)", v, isfinite(s.mean) && d[0] != '-' ? "+" : "",
                         d, compare_real(&s) ? "*" : "");
            } else {
                snprintf(text, sizeof text, "%s", v);
            }
            size_t len = strlen(line);
            snprintf(line + len, sizeof line - len, " %22s", text);
        }
        free(map);
        fprintf(out, "%s\n", line);
    }
    return 0;
}

/* The scenario's description in the table's language ("" when none). */
static const char *description_of(const struct cmp_run *b, const struct model *m)
{
    if (!strcmp(b->ro.lang, "da") && m->description_da && *m->description_da) return m->description_da;
    return m->description ? m->description : "";
}

/* "name (path): description" heading a scenario. */
static void print_scenario_line(const struct cmp_run *b, const struct model *m, const char *lead,
                                FILE *out)
{
    const char *desc = description_of(b, m);
    fprintf(out, "%s%s (%s)%s%s\n", lead, m->name, m->path ? m->path : "", desc[0] ? ": " : "", desc);
}

int compare_print(const struct cmp_run *runs, int n_runs, const char *dir, FILE *out)
{
    const struct cmp_run *b = &runs[0];
    struct headline h[4 * MODEL_MAX_FLOWS * MODEL_MAX_RINGS + 32];
    int nh = headlines(b, h, (int)(sizeof h / sizeof h[0])), width = sbuf_chars(word(b, W_KPI));
    for (int j = 0; j < nh; j++)
        if (sbuf_chars(h[j].label) > width) width = sbuf_chars(h[j].label);
    char years[32];
    numtext_g(years, sizeof years, b->m->years, mark(b));
    fprintf(out, word(b, W_HEAD), n_runs, b->n_rep, (unsigned long long)b->ro.seed, years);
    char lead[32];
    snprintf(lead, sizeof lead, "%s: ", word(b, W_BASE_LINE));
    print_scenario_line(b, b->m, lead, out);
    fputs(word(b, W_DIFF_LINE), out);
    if (print_overview(runs, n_runs, out) != 0) return -1;
    for (int i = 1; i < n_runs; i++) {
        const struct cmp_run *a = &runs[i];
        int *map = compare_match(b, a);
        if (!map) return -1;
        print_scenario_line(b, a->m, "\n", out);
        char head[384] = "  ";
        put_padded(head, sizeof head, word(b, W_KPI), width, true);
        const enum cmp_word cols[] = { W_BASE, W_ALT, W_DIFF };
        for (int c = 0; c < 3; c++) {
            strcat(head, " ");
            put_padded(head, sizeof head, word(b, cols[c]), 12, false);
        }
        fprintf(out, "%s  %s\n", head, word(b, W_CI));
        for (int j = 0; j < nh; j++) {
            int kb = h[j].k, ka = map[kb];
            char vb[32], va[32], vd[40], ci[80], lo[32], hi[32];
            struct kpi_stat d = { .mean = NAN, .sd = NAN, .lo = NAN, .hi = NAN };
            if (ka >= 0) compare_paired(b, kb, a, ka, &d);
            double s = h[j].scale;
            if (kpi_def(b->desc[kb].id)->show & KPI_WHOLE)  /* whole counts: decimals only in a mean below 10 */
                h[j].dec = fabs(b->stat[kb].mean) >= 10 || (ka >= 0 && fabs(a->stat[ka].mean) >= 10) ? 0 : 1;
            cell(b, vb, sizeof vb, b->stat[kb].mean * s, h[j].dec);
            cell(b, va, sizeof va, ka >= 0 ? a->stat[ka].mean * s : NAN, h[j].dec);
            cell(b, vd, sizeof vd, d.mean * s, h[j].dec + 1);
            if (isfinite(d.mean) && d.mean * s >= 0.0 && vd[0] != '-') {
                memmove(vd + 1, vd, strlen(vd) + 1);
                vd[0] = '+';
            }
            cell(b, lo, sizeof lo, d.lo * s, h[j].dec + 1);
            cell(b, hi, sizeof hi, d.hi * s, h[j].dec + 1);
            /* "[-0,5, 1,2]" would not read: Danish parts a CI with ';'. */
            if (isfinite(d.lo)) snprintf(ci, sizeof ci, word(b, W_CI_CELL), lo, hi);
            else snprintf(ci, sizeof ci, "-");
            bool budget_row = kpi_def(b->desc[kb].id)->show & KPI_NEEDS_BUDGET;
            if (budget_row && !model_has_budget(b->m) && !model_has_budget(a->m))
                continue;                  /* no budget on either side: nothing to say */
            char line[384] = "  ";
            put_padded(line, sizeof line, h[j].label, width, true);
            size_t at = strlen(line);
            snprintf(line + at, sizeof line - at, " %12s %12s %12s  %-25s%s", vb, va, vd, ci,
                     compare_real(&d) ? " *" : "");
            size_t len = strlen(line);
            while (len > 0 && line[len - 1] == ' ') line[--len] = '\0';
            fprintf(out, "%s\n", line);
        }
        free(map);
    }
    fprintf(out, "\n%s: %s/comparison.json, %s/comparison.csv\n", word(b, W_FILES), dir, dir);
    return 0;
}
