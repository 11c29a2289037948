/* report.c: report.html for a run or a comparison. One file: inline CSS,
 * plots as base64 SVG data URIs (an <img> keeps each SVG's ids and styles
 * apart, so several gnuplot SVGs cannot clash), no script, no network.
 * Leadership reads the top (cards, headline table, plots); the complete
 * table of every KPI closes the page for those who check. */
#include "present/report.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "base/afile.h"
#include "base/sbuf.h"
#include "base/version.h"
#include "io/resultsdir.h"
#include "model/kpi.h"
#include "present/answer.h"
#include "present/i18n.h"

#define PATH_LEN 4096


/* ---------------------------------------------------------------- html */

/* Text for HTML content and quoted attribute values: the five markup
 * characters as entities; control characters (not allowed in HTML text)
 * dropped, tab and line break kept. */
void report_html_esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 && *s != 0x7f) fputc(*s, f);
            else if (*s == '\t' || *s == '\n') fputc(*s, f);
        }
    }
}

static void esc(FILE *f, const char *s) { report_html_esc(f, s); }

/* s as one path segment of a relative URL: everything but unreserved
 * characters percent-encoded, so no name can become a scheme
 * ("javascript:"), a query or another directory. */
static void url_segment(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

/* "<h3>alternative − base</h3>" over a table of differences. */
static void diff_heading(FILE *f, const char *alt, const char *base)
{
    fputs("<h3>", f);
    esc(f, alt);
    fputs(" \xe2\x88\x92 ", f);
    esc(f, base);
    fputs("</h3>\n", f);
}

static void b64(FILE *f, const unsigned char *p, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        fputc(t[v >> 18 & 63], f);
        fputc(t[v >> 12 & 63], f);
        fputc(i + 1 < n ? t[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? t[v & 63] : '=', f);
    }
}

static const char css[] =
    "body{font-family:'DejaVu Sans','Segoe UI',Helvetica,Arial,sans-serif;color:#222;margin:0;background:#f4f5f7;"
    "line-height:1.45;font-size:15px}"
    "main{max-width:1180px;margin:0 auto;padding:24px 28px 48px;background:#fff;box-shadow:0 0 12px rgba(0,0,0,.06)}"
    "h1{font-size:28px;margin:0 0 4px;color:#123}h2{font-size:20px;margin:32px 0 10px;padding-bottom:4px;"
    "border-bottom:2px solid #dfe4ea;color:#1a3550}h3{font-size:16px;margin:18px 0 6px;color:#1a3550}"
    ".lead{font-size:17px;margin:4px 0 6px}.meta{color:#666;font-size:13px;margin:0 0 16px}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}"
    ".card{flex:1 1 200px;border:1px solid #dfe4ea;border-radius:6px;padding:10px 14px;background:#fafbfc}"
    ".card .v{font-size:22px;font-weight:bold;color:#1f4e79}.card .l{font-size:13px;color:#444}"
    ".card .ci{font-size:12px;color:#777}.card .u{font-size:14px;font-weight:normal;color:#555}"
    ".howto{background:#eef5fb;border-left:4px solid #1f77b4;padding:10px 16px;margin:16px 0;font-size:14px}"
    ".howto p{margin:6px 0}"
    "table{border-collapse:collapse;width:100%;margin:6px 0 14px;font-size:13.5px}"
    "th,td{padding:5px 8px;border-bottom:1px solid #e6e9ee;text-align:left;vertical-align:top}"
    "th{background:#f0f3f6;font-weight:600}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
    "tr:nth-child(even) td{background:#fbfcfd}code{font-size:11.5px;color:#556}"
    "tr.real td{background:#fff6e0}.yes{color:#b35900;font-weight:bold}.no{color:#888}"
    "figure{margin:18px 0 26px;text-align:center}figure img{max-width:100%;height:auto;border:1px solid #eee}"
    "figcaption{font-size:13px;color:#555;margin-top:4px;text-align:left}"
    ".note{color:#8a4b00;background:#fff6e0;padding:8px 12px;border-radius:4px}"
    "footer{margin-top:30px;color:#888;font-size:12px}a{color:#1f4e79}"
    ".answer{margin:10px 0 18px}.answer .cards{margin:8px 0}ul.plain{margin:6px 0 0 0;padding-left:20px}"
    "ul.plain li{margin:4px 0}.printonly{display:none}"
    /* Print: A4, smaller type, the answer and plots first, the complete
     * difference tables left to the screen and comparison.csv. */
    "@page{size:A4;margin:12mm 11mm}"
    "@media print{body{background:#fff;font-size:10.5px;line-height:1.3}main{box-shadow:none;max-width:none;padding:0}"
    "h1{font-size:20px}h2{font-size:15px;margin:14px 0 6px}h3{font-size:12.5px;margin:10px 0 4px}"
    ".howto{font-size:10px;padding:6px 10px;margin:8px 0}.card{padding:5px 8px}.card .v{font-size:15px}"
    ".card .l{font-size:10px}table{font-size:9.5px;margin:4px 0 8px}th,td{padding:2px 5px}"
    "figure{break-inside:avoid;margin:8px 0}figure img{max-height:118mm;width:auto}figcaption{font-size:9.5px}"
    ".answer,.cards,tr{break-inside:avoid}h2,h3{break-after:avoid}section.detail{display:none}"
    "table.headline tr.ring{display:none}"
    ".printonly{display:block;color:#666}footer{margin-top:8px}}";

static void head(FILE *f, enum lang l, const char *title)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
            i18n_code(l));
    esc(f, title);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", css);
}

static void foot(FILE *f, enum lang l)
{
    fprintf(f, "<footer>%s %s.</footer>\n</main>\n</body>\n</html>\n", i18n_text("made_by", l), FLOWSIM_VERSION);
}

/* ---------------------------------------------------------------- numbers */

/* A number of o, NaN when absent (resultsdir's getter). */
static double jnum(const cJSON *o, const char *key) { return results_json_num(o, key, NAN); }

static void interval_of(const cJSON *k, const char *key, double *lo, double *hi)
{
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(k, key);
    const cJSON *a = cJSON_GetArrayItem(ci, 0), *b = cJSON_GetArrayItem(ci, 1);
    *lo = cJSON_IsNumber(a) ? a->valuedouble : NAN;
    *hi = cJSON_IsNumber(b) ? b->valuedouble : NAN;
}

static void ci_of(const cJSON *k, double *lo, double *hi)
{
    interval_of(k, "ci95", lo, hi);
}

static bool is_money(const char *unit)
{
    return unit && (!strcmp(unit, "DKK") || !strcmp(unit, "DKK/year"));
}

/* A KPI leaf (or its difference) is a whole count by the catalogue: the
 * leaf's key is the KPI's name. */
static bool whole_kpi(const cJSON *leaf)
{
    const struct kpi_def *d = leaf && leaf->string ? kpi_find(leaf->string) : NULL;
    return d && (d->show & KPI_WHOLE);
}

/* v of KPI leaf `leaf` (for its kind: whole count or not) in the unit's format. */
static void fmt_val(char *buf, size_t n, double v, double ref, const char *unit, enum lang l, bool with_unit,
                    const cJSON *leaf)
{
    i18n_value(buf, n, v, ref, unit, whole_kpi(leaf), l, with_unit);
}

/* "lo – hi" (unit as for the mean), or "–" when undefined. */
static void fmt_ci(char *buf, size_t n, const cJSON *k, const char *unit, enum lang l)
{
    double lo, hi, ref = jnum(k, "mean");
    ci_of(k, &lo, &hi);
    if (!isfinite(lo) || !isfinite(hi)) { sbuf_fmt(buf, n, "\xe2\x80\x93"); return; }
    char a[96], b[96];
    fmt_val(a, sizeof a, lo, ref, unit, l, false, k);
    fmt_val(b, sizeof b, hi, ref, unit, l, false, k);
    sbuf_fmt(buf, n, "%s \xe2\x80\x93 %s", a, b);
    /* A run with parameter uncertainty: where one outcome falls, beside. */
    interval_of(k, "ui95", &lo, &hi);
    if (!isfinite(lo) || !isfinite(hi)) return;
    fmt_val(a, sizeof a, lo, ref, unit, l, false, k);
    fmt_val(b, sizeof b, hi, ref, unit, l, false, k);
    size_t used = strlen(buf);
    sbuf_fmt(buf + used, n - used, " \xc2\xb7 %s %s \xe2\x80\x93 %s", i18n_text("ui95", l), a, b);
}

static const char *unit_col(const cJSON *k, const char *unit, enum lang l)
{
    return i18n_unit_col(jnum(k, "mean"), unit, l);
}

/* ---------------------------------------------------------------- names */

struct names { const struct results_run *r; enum lang l; };

static const char *flow_name(const struct results_run *r, const char *id)
{
    for (int f = 0; r && f < r->n_flows; f++)
        if (!strcmp(r->flows[f].id, id)) return r->flows[f].name;
    return id;
}

static const struct results_ring *find_ring(const struct results_run *r, const char *fid, const char *rid)
{
    for (int f = 0; r && f < r->n_flows; f++)
        if (!strcmp(r->flows[f].id, fid))
            for (int s = 0; s < r->flows[f].n_rings; s++)
                if (!strcmp(r->flows[f].rings[s].id, rid)) return &r->flows[f].rings[s];
    return NULL;
}

/* Label and place of a KPI leaf from its path segments. */
static void describe(const struct results_run *r, char **seg, int n, enum lang l, char *label, size_t ln,
                     char *where, size_t wn)
{
    sbuf_fmt(label, ln, "%s", i18n_kpi(seg[n - 1], l));
    sbuf_fmt(where, wn, "\xe2\x80\x94");
    if (n >= 3 && !strcmp(seg[0], "by_year")) sbuf_fmt(where, wn, "%s", seg[1]);
    else if (n == 2 && strcmp(seg[0], "flows")) {
        sbuf_fmt(label, ln, "%s: %s", i18n_kpi(seg[0], l), i18n_dimension(seg[1], l));
    } else if (n >= 3 && !strcmp(seg[0], "flows")) {
        const char *fn = flow_name(r, seg[1]);
        if (n >= 5 && !strcmp(seg[2], "rings")) {
            const struct results_ring *g = find_ring(r, seg[1], seg[3]);
            sbuf_fmt(where, wn, "%s \xe2\x80\xba %s", fn, g ? g->name : seg[3]);
        } else {
            sbuf_fmt(where, wn, "%s", fn);
        }
    }
}

typedef void (*leaf_fn)(void *ctx, char **seg, int n, const char *path, const cJSON *leaf);

/* Calls fn for every KPI leaf (an object with "mean") in tree order. */
static void walk(const cJSON *o, char **seg, int depth, char *path, size_t plen, leaf_fn fn, void *ctx)
{
    if (depth > 0 && cJSON_GetObjectItemCaseSensitive(o, "mean")) {
        fn(ctx, seg, depth, path, o);
        return;
    }
    if (depth >= 8) return;
    const cJSON *c;
    cJSON_ArrayForEach(c, o) {
        if (!cJSON_IsObject(c) || !c->string) continue;
        size_t len = strlen(path);
        sbuf_fmt(path + len, plen - len, "%s%s", len ? "/" : "", c->string);
        seg[depth] = c->string;
        walk(c, seg, depth + 1, path, plen, fn, ctx);
        path[len] = '\0';
    }
}

/* ---------------------------------------------------------------- plots */

static void caption(char *buf, size_t n, const char *name, const struct results_run *r, enum lang l)
{
    static const struct { const char *prefix, *en, *da; } caps[] = {
        { "occupancy_", "Citizens in each ring over time. The line is the mean over the replications, the band holds 90% of them, the dashed line is the number of places.",
          "Borgere i hver ring over tid. Linjen er gennemsnittet over gentagelserne, båndet rummer 90 % af dem, den stiplede linje er antallet af pladser." },
        { "waiting_", "Citizens on the waiting list of each ring over time (mean and 90% band).",
          "Borgere på venteliste til hver ring over tid (gennemsnit og 90 %-bånd)." },
        { "spending", "Spending per calendar year, stacked by ring; the red line is the budget.",
          "Udgift pr. kalenderår, stablet efter ring; den røde linje er budgettet." },
        { "outward", "Where the citizens of each flow are at the start and at the end: innermost (most intensive) ring at the bottom. More colour towards the top means citizens moved outward.",
          "Hvor borgerne i hvert flow er ved start og slut: inderste (mest intensive) ring nederst. Mere farve mod toppen betyder, at borgerne er flyttet udad." },
        { "waits", "How long citizens waited for a place: the share placed within a given number of days, per ring (rings where nobody waited are left out).",
          "Hvor længe borgerne ventede på en plads: andelen placeret inden for et givet antal dage, pr. ring (ringe hvor ingen ventede er udeladt)." },
        { "compare_kpis", "Each bar is an alternative minus the base; the whisker is its 95% confidence interval. Solid bars: the interval excludes 0 (a clear or small change in the Reading column); pale bars could be chance.",
          "Hver søjle er et alternativ minus basis; stregen er 95 %-konfidensintervallet. Fyldte søjler: intervallet udelukker 0 (tydelig eller lille ændring i kolonnen Vurdering); lyse søjler kan skyldes tilfældighed." },
        { "compare_spending", "Spending per calendar year of every scenario (a part year scaled to a whole year); dashed: each scenario's budget.",
          "Udgift pr. kalenderår i hvert scenarie (et delvist år omregnet til et helt år); stiplet: scenariets budget." },
        { "compare_waiting_", "Citizens on the waiting list of each ring over time in the base and in each alternative (mean and 90% band).",
          "Borgere på venteliste til hver ring over tid i basis og i hvert alternativ (gennemsnit og 90 %-bånd)." },
        { "compare_occupancy_", "Citizens in each ring over time in the base and in each alternative (mean and 90% band).",
          "Borgere i hver ring over tid i basis og i hvert alternativ (gennemsnit og 90 %-bånd)." },
    };
    sbuf_fmt(buf, n, "%s", name);
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        size_t pl = strlen(caps[i].prefix);
        if (strncmp(name, caps[i].prefix, pl)) continue;
        const char *text = l == LANG_DA ? caps[i].da : caps[i].en;
        if (caps[i].prefix[pl - 1] == '_') sbuf_fmt(buf, n, "%s: %s", flow_name(r, name + pl), text);
        else sbuf_fmt(buf, n, "%s", text);
        return;
    }
}

/* The figures drawn for this report, embedded; a note when there are none. */
static void plots_section(FILE *f, const struct plot_figures *figs, const struct results_run *names, enum lang l)
{
    fprintf(f, "<h2>%s</h2>\n", i18n_text("plots", l));
    for (int i = 0; figs && i < figs->n; i++) {
        const struct plot_figure *fig = &figs->fig[i];
        char cap[1024];
        caption(cap, sizeof cap, fig->name, names, l);
        fputs("<figure><img alt=\"", f);
        esc(f, cap);
        fputs("\" src=\"data:image/svg+xml;base64,", f);
        b64(f, fig->svg, fig->svg_len);
        fputs("\"><figcaption>", f);
        esc(f, cap);
        fputs("</figcaption></figure>\n", f);
    }
    if (!figs || figs->n == 0) {
        fputs("<p class=\"note\">", f);
        esc(f, i18n_text("plots_missing", l));
        fputs("</p>\n", f);
    }
}

/* ---------------------------------------------------------------- run report */

static void howto(FILE *f, enum lang l, int reps, bool comparison)
{
    fprintf(f, "<div class=\"howto\"><h3>%s</h3>\n", i18n_text("how_to_read", l));
    if (l == LANG_DA)
        fprintf(f,
                "<p>Simulatoren følger borgerne gennem ringene i hvert flow, "
                "hvor den inderste ring er den mest intensive indsats. Målet er, at borgerne bevæger sig udad mod "
                "mindre indgribende tilbud. Scenariet er kørt %d gange med forskellige tilfældige forløb "
                "(gentagelser).</p>\n"
                "<p>Hvert tal er gennemsnittet over gentagelserne. Intervallet (95 %% KI) viser, hvor sikkert "
                "gennemsnittet er bestemt: et smalt interval betyder, at flere kørsler ikke ville ændre tallet "
                "meget. Intervallet dækker tilfældigheden i simuleringen, ikke usikkerheden i scenariets "
                "antagelser (takster, overgangsrater). I figurerne viser det lyse bånd, hvor 90 %% af kørslerne "
                "lå.</p>\n",
                reps);
    else
        fprintf(f,
                "<p>The simulator follows citizens through the rings of each flow, where "
                "the innermost ring is the most intensive offer. The aim is that citizens move outward, to less "
                "intrusive offers. The scenario was run %d times with different random histories "
                "(replications).</p>\n"
                "<p>Each figure is the mean over the replications. The interval (95%% CI) shows how precisely "
                "that mean is known: a narrow interval means more runs would hardly change it. It covers the "
                "chance in the simulation, not doubt about the scenario's assumptions (prices, rates of "
                "moving). In the plots, the pale band shows where 90%% of the runs fell.</p>\n",
                reps);
    if (reps < 30)
        fprintf(f, "<p class=\"note\">%s</p>\n", i18n_text("few_replications", l));
    if (comparison) {
        if (l == LANG_DA)
            fputs("<p>En sammenligning kører alle scenarier med de samme tilfældige tal, så forskellene skyldes "
                  "scenarierne og ikke held. Kolonnen Vurdering siger <span class=\"yes\">tydelig ændring</span>, når hele "
                  "forskellens 95 %-interval ligger på samme side af nul og forskellen er mindst 1 % af basis; "
                  "lille ændring, når intervallet udelukker nul, men forskellen er under 1 %; ellers kan den "
                  "skyldes tilfældighed. Rækker, hvor intet kan ændre sig, er udeladt.</p>\n", f);
        else
            fputs("<p>A comparison runs every scenario with the same random numbers, so differences come from "
                  "the scenarios, not from luck. The Reading column says <span class=\"yes\">clear change</span> when "
                  "the difference's whole 95% interval lies on one side of zero and the difference is at least 1% of "
                  "the base; small change when the interval excludes zero but the difference is under 1%; otherwise "
                  "it could be chance. Rows where nothing can change are left out.</p>\n", f);
    }
    fputs("</div>\n", f);
}

static void card(FILE *f, const cJSON *kpis, const char *path, const char *label, enum lang l)
{
    const cJSON *k = results_kpi(kpis, path);
    if (!k) return;
    const char *unit = results_json_str(k, "unit", "");
    char v[128], ci[192];
    /* Money and shares carry their unit; other numbers get it small beside. */
    bool inline_unit = is_money(unit) || !strcmp(unit, "share");
    fmt_val(v, sizeof v, jnum(k, "mean"), jnum(k, "mean"), unit, l, inline_unit, k);
    fmt_ci(ci, sizeof ci, k, unit, l);
    fputs("<div class=\"card\"><div class=\"v\">", f);
    esc(f, v);
    if (!inline_unit) {
        fputs(" <span class=\"u\">", f);
        esc(f, i18n_unit(unit, l));
        fputs("</span>", f);
    }
    fputs("</div><div class=\"l\">", f);
    esc(f, label);
    fprintf(f, "</div><div class=\"ci\">%s ", i18n_text("ci95", l));
    esc(f, ci);
    fputs("</div></div>\n", f);
}

static void kpi_row(FILE *f, const cJSON *kpis, const char *path, const char *label, enum lang l)
{
    const cJSON *k = results_kpi(kpis, path);
    if (!k) return;
    const char *unit = results_json_str(k, "unit", "");
    char v[128], ci[192];
    fmt_val(v, sizeof v, jnum(k, "mean"), jnum(k, "mean"), unit, l, false, k);
    fmt_ci(ci, sizeof ci, k, unit, l);
    fputs("<tr><td>", f);
    esc(f, label);
    fputs("</td><td class=\"n\">", f);
    esc(f, v);
    fputs("</td><td class=\"n\">", f);
    esc(f, ci);
    fputs("</td><td>", f);
    esc(f, unit_col(k, unit, l));
    fputs("</td></tr>\n", f);
}

static void ring_cell(FILE *f, const cJSON *kpis, const char *path, enum lang l)
{
    const cJSON *k = results_kpi(kpis, path);
    const char *unit = results_json_str(k, "unit", "");
    char v[128], ci[192];
    fmt_val(v, sizeof v, jnum(k, "mean"), jnum(k, "mean"), unit, l, false, k);
    fmt_ci(ci, sizeof ci, k, unit, l);
    fputs("<td class=\"n\">", f);
    esc(f, k ? v : "\xe2\x80\x93");
    if (k) {
        fputs("<br><small>", f);
        esc(f, ci);
        fputs("</small>", f);
    }
    fputs("</td>", f);
}

struct full_ctx { FILE *f; const struct results_run *r; enum lang l; };

static void full_row(void *vctx, char **seg, int n, const char *path, const cJSON *k)
{
    struct full_ctx *c = vctx;
    char label[512], where[512], v[128], ci[192], sd[128];
    describe(c->r, seg, n, c->l, label, sizeof label, where, sizeof where);
    const char *unit = results_json_str(k, "unit", "");
    double mean = jnum(k, "mean");
    fmt_val(v, sizeof v, mean, mean, unit, c->l, false, k);
    fmt_val(sd, sizeof sd, jnum(k, "sd"), mean, unit, c->l, false, k);
    fmt_ci(ci, sizeof ci, k, unit, c->l);
    fputs("<tr><td>", c->f);
    esc(c->f, label);
    fputs("</td><td>", c->f);
    esc(c->f, where);
    fputs("</td><td class=\"n\">", c->f);
    esc(c->f, v);
    fputs("</td><td class=\"n\">", c->f);
    esc(c->f, ci);
    fputs("</td><td class=\"n\">", c->f);
    esc(c->f, sd);
    fputs("</td><td>", c->f);
    esc(c->f, unit_col(k, unit, c->l));
    fputs("</td><td><code>", c->f);
    esc(c->f, path);
    fputs("</code></td></tr>\n", c->f);
}

static void count_leaf(void *vctx, char **seg, int n, const char *path, const cJSON *k)
{
    (void)seg; (void)n; (void)path; (void)k;
    ++*(int *)vctx;
}

static void all_kpis(FILE *f, const struct results_run *r, const cJSON *kpis, enum lang l)
{
    char *seg[8], path[512] = "";
    int count = 0;
    walk(kpis, seg, 0, path, sizeof path, count_leaf, &count);
    fprintf(f, "<h2>%s (%d)</h2>\n<table>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
               "<th>%s</th><th>%s</th></tr>\n",
            i18n_text("all_kpis", l), count, i18n_text("figure", l), i18n_text("where", l),
            i18n_text("value", l), i18n_text("ci95", l), i18n_text("sd", l), i18n_text("unit", l),
            i18n_text("key", l));
    struct full_ctx c = { f, r, l };
    walk(kpis, seg, 0, path, sizeof path, full_row, &c);
    fputs("</table>\n", f);
}

static void meta_line(FILE *f, const struct results_run *r, enum lang l)
{
    char yrs[32];
    i18n_num(yrs, sizeof yrs, r->years, r->years == floor(r->years) ? 0 : 1, l);
    fprintf(f, "<p class=\"meta\">%d %s \xc2\xb7 %s %s %s ", r->replications, i18n_text("meta", l), yrs,
            i18n_text("years_word", l), i18n_text("simulated", l));
    if (r->start_date) {
        fprintf(f, "%s ", i18n_text("from", l));
        esc(f, r->start_date);
    }
    fprintf(f, " \xc2\xb7 %s %s \xc2\xb7 %s %s</p>\n", i18n_text("seed", l), r->seed,
            i18n_text("version", l), FLOWSIM_VERSION);
    if (r->n_changes == 0) return;
    /* A plan's dates (docs/plans.md: the report marks each). */
    fprintf(f, "<p class=\"meta\">%s", i18n_text("plan_changes", l));
    for (int i = 0; i < r->n_changes; i++) fprintf(f, "%s %s", i ? "," : "", r->change_date[i]);
    fprintf(f, " %s</p>\n", i18n_text("plan_marked", l));
}

/* The catalogue's headline KPIs: those of the whole run, then per flow
 * those that exist only per flow; budget figures only with a budget. */
static void headline_rows(FILE *f, const struct results_run *r, const cJSON *k, enum lang l)
{
    for (int id = 0; id < KPI_N; id++) {
        const struct kpi_def *d = kpi_def((enum kpi_id)id);
        if (!(d->show & KPI_HEADLINE) || ((d->show & KPI_NEEDS_BUDGET) && !(r->budget_annual > 0)))
            continue;
        if (d->scopes & KPI_SCOPE_RUN) {
            kpi_row(f, k, d->name, i18n_kpi(d->name, l), l);
            continue;
        }
        if (!(d->scopes & KPI_SCOPE_FLOW)) continue;
        for (int fi = 0; fi < r->n_flows; fi++) {
            char path[256], label[512];
            sbuf_fmt(path, sizeof path, "flows/%s/%s", r->flows[fi].id, d->name);
            sbuf_fmt(label, sizeof label, "%s: %s", r->flows[fi].name, i18n_kpi(d->name, l));
            kpi_row(f, k, path, label, l);
        }
    }
}

/* Column KPIs of the rings table and of the waits table. */
static const enum kpi_id ring_cols[] = { KPI_OCCUPANCY_MEAN, KPI_UTILISATION, KPI_WAITING_LIST_MEAN,
                                         KPI_STAY_YEARS_LITTLE, KPI_STAY_YEARS_MEAN };
static const enum kpi_id wait_cols[] = { KPI_REQUESTS_SERVED, KPI_WAITS_OPEN_AT_END, KPI_WAITS_ABANDONED,
                                         KPI_WAIT_DAYS_MEAN, KPI_WAIT_DAYS_KM_MEDIAN,
                                         KPI_WAIT_SHARE_OVER_90_DAYS, KPI_WAIT_SHARE_OVER_365_DAYS };

static double ring_mean(const cJSON *k, const char *fid, const char *rid, enum kpi_id id)
{
    char path[320];
    sbuf_fmt(path, sizeof path, "flows/%s/rings/%s/%s", fid, rid, kpi_def(id)->name);
    return jnum(results_kpi(k, path), "mean");
}

/* Most of a ring's requests in the window were still open at the end: the
 * mean of completed waits then describes the lucky few. */
static bool mostly_open(const cJSON *k, const char *fid, const char *rid)
{
    double open = ring_mean(k, fid, rid, KPI_WAITS_OPEN_AT_END);
    return open > ring_mean(k, fid, rid, KPI_REQUESTS_SERVED) + ring_mean(k, fid, rid, KPI_WAITS_ABANDONED);
}

static void ring_table(FILE *f, const struct results_flow *fl, const cJSON *k, const enum kpi_id *cols,
                       int n_cols, bool places, enum lang l)
{
    fprintf(f, "<table>\n<tr><th>%s</th>", i18n_text("ring", l));
    if (places) fprintf(f, "<th>%s</th><th>%s</th>", i18n_text("law", l), i18n_text("places", l));
    for (int c = 0; c < n_cols; c++) {
        fputs("<th>", f);
        esc(f, i18n_kpi(kpi_def(cols[c])->name, l));
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (int s = 0; s < fl->n_rings; s++) {
        const struct results_ring *g = &fl->rings[s];
        char path[320], cap[32];
        fputs("<tr><td>", f);
        esc(f, g->name);
        fputs("</td>", f);
        if (places) {
            fputs("<td>", f);
            esc(f, g->law);
            fputs("</td><td class=\"n\">", f);
            if (g->capacity > 0) esc(f, i18n_num(cap, sizeof cap, g->capacity, 0, l));
            else if (g->capacity == 0) esc(f, i18n_text("unlimited", l));
            fputs("</td>", f);
        }
        for (int c = 0; c < n_cols; c++) {
            sbuf_fmt(path, sizeof path, "flows/%s/rings/%s/%s", fl->id, g->id, kpi_def(cols[c])->name);
            ring_cell(f, k, path, l);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* Per flow: the rings (occupancy, stays), then the waits with the censoring-
 * aware figures, and a caveat naming the rings where most requests were
 * still open at the end. */
static void rings_tables(FILE *f, const struct results_run *r, const cJSON *k, enum lang l)
{
    fprintf(f, "<h2>%s</h2>\n", i18n_text("rings_table", l));
    for (int fi = 0; fi < r->n_flows; fi++) {
        const struct results_flow *fl = &r->flows[fi];
        fputs("<h3>", f);
        esc(f, fl->name);
        fputs("</h3>\n", f);
        ring_table(f, fl, k, ring_cols, (int)(sizeof ring_cols / sizeof ring_cols[0]), true, l);
        fprintf(f, "<h3>%s: ", i18n_text("waits_heading", l));
        esc(f, fl->name);
        fputs("</h3>\n", f);
        ring_table(f, fl, k, wait_cols, (int)(sizeof wait_cols / sizeof wait_cols[0]), false, l);
        for (int s = 0; s < fl->n_rings; s++)
            if (mostly_open(k, fl->id, fl->rings[s].id)) {
                fputs("<p class=\"note\">", f);
                esc(f, fl->rings[s].name);
                fprintf(f, ": %s</p>\n", i18n_text("mostly_open", l));
            }
    }
    fprintf(f, "<p class=\"meta\">%s</p>\n", i18n_text("rings_note", l));
}

static void run_report(FILE *f, const struct results_run *r, const struct plot_figures *figs, enum lang l)
{
    char title[512];
    sbuf_fmt(title, sizeof title, "%s: %s", i18n_text("report_title", l), answer_title(r, r->name, l));
    head(f, l, title);
    fputs("<h1>", f);
    esc(f, answer_title(r, r->name, l));
    fputs("</h1>\n<p class=\"lead\">", f);
    esc(f, *answer_description(r, l) ? answer_description(r, l) : i18n_text("none_desc", l));
    fputs("</p>\n", f);
    meta_line(f, r, l);

    const cJSON *k = r->kpis;
    fputs("<div class=\"cards\">\n", f);
    for (int id = 0; id < KPI_N; id++) {
        const struct kpi_def *d = kpi_def((enum kpi_id)id);
        if ((d->show & KPI_CARD) && (d->scopes & KPI_SCOPE_RUN)) card(f, k, d->name, i18n_kpi(d->name, l), l);
    }
    fputs("</div>\n", f);
    howto(f, l, r->replications, false);

    fprintf(f, "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
            i18n_text("key_figures", l), i18n_text("figure", l), i18n_text("value", l), i18n_text("ci95", l),
            i18n_text("unit", l));
    headline_rows(f, r, k, l);
    fputs("</table>\n", f);

    rings_tables(f, r, k, l);
    plots_section(f, figs, r, l);
    all_kpis(f, r, k, l);
    foot(f, l);
}

/* ---------------------------------------------------------------- comparison report */

struct diff_ctx {
    FILE *f;
    const struct results_run *r;
    enum lang l;
    const cJSON *base_kpis, *alt_kpis;
    const char *alt;
    bool headline_only;
};

static const char *find_scenario_kpis_name(const cJSON *root, const char *name, const cJSON **kpis)
{
    const cJSON *it, *sc = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    *kpis = NULL;
    cJSON_ArrayForEach(it, sc)
        if (!strcmp(results_json_str(it, "name", ""), name)) {
            *kpis = cJSON_GetObjectItemCaseSensitive(it, "kpis");
            return results_json_str(it, "file", "");
        }
    return "";
}

/* How a difference reads: a clear change when its 95 % interval excludes 0
 * and it is at least 1 % of the base value; a small change when the
 * interval excludes 0 but it is smaller; else it could be chance. */
#define CLEAR_CHANGE_SHARE 0.01

static const char *diff_reading(const cJSON *d, double base_mean)
{
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "real"))) return "could_be_chance";
    double dm = jnum(d, "mean");
    if (isfinite(base_mean) && base_mean != 0.0 && fabs(dm) < CLEAR_CHANGE_SHARE * fabs(base_mean))
        return "small_change";
    return "clear_change";
}

static void diff_row(void *vctx, char **seg, int n, const char *path, const cJSON *d)
{
    struct diff_ctx *c = vctx;
    char label[512], where[512], b[128], a[128], v[128], ci[192];
    describe(c->r, seg, n, c->l, label, sizeof label, where, sizeof where);
    const cJSON *bk = results_kpi(c->base_kpis, path), *ak = results_kpi(c->alt_kpis, path);
    const char *unit = results_json_str(bk ? bk : ak, "unit", "");
    double bm = jnum(bk, "mean"), am = jnum(ak, "mean"), dm = jnum(d, "mean");
    double ref = isfinite(bm) ? bm : isfinite(am) ? am : dm;
    fmt_val(b, sizeof b, bm, ref, unit, c->l, false, d);
    fmt_val(a, sizeof a, am, ref, unit, c->l, false, d);
    fmt_val(v, sizeof v, dm, ref, unit, c->l, false, d);
    double lo, hi;
    ci_of(d, &lo, &hi);
    if (isfinite(lo) && isfinite(hi)) {
        char x[96], y[96];
        fmt_val(x, sizeof x, lo, ref, unit, c->l, false, d);
        fmt_val(y, sizeof y, hi, ref, unit, c->l, false, d);
        sbuf_fmt(ci, sizeof ci, "%s \xe2\x80\x93 %s", x, y);
    } else {
        sbuf_fmt(ci, sizeof ci, "\xe2\x80\x93");
    }
    /* A difference that is 0 in every replication cannot be news. */
    if (dm == 0.0 && !(jnum(d, "sd") > 0.0)) return;
    const char *reading = isfinite(dm) ? diff_reading(d, bm) : "no_difference";
    bool real = !strcmp(reading, "clear_change");
    bool ring = n >= 5;              /* flows/<f>/rings/<r>/<kpi>: left to the screen in print */
    fprintf(c->f, "<tr class=\"%s%s\"><td>", real ? "real" : "", ring ? " ring" : "");
    esc(c->f, label);
    fputs("</td><td>", c->f);
    esc(c->f, where);
    fputs("</td><td class=\"n\">", c->f);
    esc(c->f, b);
    fputs("</td><td class=\"n\">", c->f);
    esc(c->f, a);
    fputs("</td><td class=\"n\">", c->f);
    if (isfinite(dm) && dm > 0) fputc('+', c->f);
    esc(c->f, v);
    fputs("</td><td class=\"n\">", c->f);
    esc(c->f, ci);
    fputs("</td><td>", c->f);
    esc(c->f, unit_col(bk ? bk : ak, unit, c->l));
    fprintf(c->f, "</td><td class=\"%s\">%s</td>", real ? "yes" : "no", i18n_text(reading, c->l));
    if (!c->headline_only) {
        fputs("<td><code>", c->f);
        esc(c->f, path);
        fputs("</code></td>", c->f);
    }
    fputs("</tr>\n", c->f);
}

/* The catalogue's headline KPIs as differences: run-wide ones, per-flow
 * ones, and per ring those whose difference is real. */
static void diff_headline_rows(struct diff_ctx *c, const cJSON *dk)
{
    const struct results_run *br = c->r;
    char *seg[8], p[256];
    for (int id = 0; id < KPI_N; id++) {
        const struct kpi_def *kd = kpi_def((enum kpi_id)id);
        if (!(kd->show & KPI_HEADLINE)) continue;
        if (kd->scopes & KPI_SCOPE_RUN) {
            const cJSON *d = results_kpi(dk, kd->name);
            seg[0] = (char *)kd->name;
            if (d) diff_row(c, seg, 1, kd->name, d);
            continue;
        }
        for (int fi = 0; br && fi < br->n_flows; fi++) {
            seg[0] = "flows"; seg[1] = (char *)br->flows[fi].id;
            if (kd->scopes & KPI_SCOPE_FLOW) {
                sbuf_fmt(p, sizeof p, "flows/%s/%s", br->flows[fi].id, kd->name);
                const cJSON *d = results_kpi(dk, p);
                seg[2] = (char *)kd->name;
                if (d) diff_row(c, seg, 3, p, d);
                continue;
            }
            for (int s = 0; s < br->flows[fi].n_rings; s++) {
                sbuf_fmt(p, sizeof p, "flows/%s/rings/%s/%s", br->flows[fi].id, br->flows[fi].rings[s].id,
                         kd->name);
                const cJSON *d = results_kpi(dk, p);
                if (!d || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "real"))) continue;
                seg[2] = "rings"; seg[3] = (char *)br->flows[fi].rings[s].id; seg[4] = (char *)kd->name;
                diff_row(c, seg, 5, p, d);
            }
        }
    }
}

static void diff_table_head(FILE *f, enum lang l, const char *base, const char *alt, bool with_key,
                            const char *unit_head)
{
    fprintf(f, "<table%s>\n<tr><th>%s</th><th>%s</th><th>%s: ", with_key ? "" : " class=\"headline\"",
            i18n_text("figure", l), i18n_text("where", l),
            i18n_text("base", l));
    esc(f, base);
    fprintf(f, "</th><th>");
    esc(f, alt);
    fprintf(f, "</th><th>%s</th><th>%s</th><th>", i18n_text("difference", l), i18n_text("ci95", l));
    esc(f, unit_head);
    fprintf(f, "</th><th>%s</th>", i18n_text("reading", l));
    if (with_key) fprintf(f, "<th>%s</th>", i18n_text("key", l));
    fputs("</tr>\n", f);
}

/* The run directory read for scenario name, or NULL. */
static const struct results_run *cmp_run(const struct results_cmp *m, const char *name)
{
    for (int i = 0; i < m->n_scen; i++)
        if (!strcmp(m->scen[i], name)) return m->run[i];
    return NULL;
}

/* The answer first: per alternative, cards and a few plain sentences. */
static void answers(FILE *f, const struct results_cmp *m, enum lang l)
{
    if (m->n_scen < 2) return;
    fprintf(f, "<h2>%s</h2>\n", i18n_text("answer_heading", l));
    for (int j = 1; j < m->n_scen; j++) {
        struct answer a;
        answer_build(m, j, l, &a);
        fputs("<div class=\"answer\"><h3>", f);
        esc(f, answer_title(m->run[j], m->scen[j], l));
        fputs("</h3>\n<div class=\"cards\">\n", f);
        for (int k = 0; k < a.n_cards; k++) {
            fputs("<div class=\"card\"><div class=\"v\">", f);
            esc(f, a.card[k].value);
            fputs("</div><div class=\"l\">", f);
            esc(f, a.card[k].label);
            fputs("</div></div>\n", f);
        }
        fputs("</div>\n<ul class=\"plain\">\n", f);
        for (int k = 0; k < a.n_lines; k++) {
            if (!a.line[k].s || a.line[k].failed) continue;
            fputs("<li>", f);
            esc(f, a.line[k].s);
            fputs("</li>\n", f);
        }
        fputs("</ul></div>\n", f);
        answer_free(&a);
    }
}

static void compare_report(FILE *f, const char *dir, const struct results_cmp *m,
                           const struct plot_figures *figs, enum lang l)
{
    const cJSON *root = m->root;
    char path[PATH_LEN], seed[32];
    const char *base = m->base ? m->base : "base";
    const struct results_run *br = m->run[0];
    results_seed_text(cJSON_GetObjectItemCaseSensitive(root, "seed"), seed, sizeof seed);

    char title[512];
    sbuf_fmt(title, sizeof title, "%s: %s", i18n_text("cmp_report_title", l), answer_title(br, base, l));
    head(f, l, title);
    fprintf(f, "<h1>%s</h1>\n", i18n_text("cmp_report_title", l));
    fprintf(f, "<p class=\"meta\">%.0f %s \xc2\xb7 %s %s \xc2\xb7 %s %s</p>\n",
            jnum(root, "replications"), i18n_text("meta", l), i18n_text("seed", l), seed,
            i18n_text("version", l), FLOWSIM_VERSION);
    fprintf(f, "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th></th><th></th></tr>\n", i18n_text("scenarios", l),
            i18n_text("scenario", l));
    const cJSON *it, *sc = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    cJSON_ArrayForEach(it, sc) {
        const char *name = results_json_str(it, "name", "?");
        const struct results_run *sr = cmp_run(m, name);
        fputs("<tr><td><b>", f);
        esc(f, answer_title(sr, name, l));
        fprintf(f, "</b>%s</td><td>", strcmp(name, base) ? "" : (l == LANG_DA ? " (basis)" : " (base)"));
        esc(f, sr && *answer_description(sr, l) ? answer_description(sr, l)
                                                : results_json_str(it, "file", ""));
        fputs("</td><td>", f);
        /* Only a scenario read from its own directory has a report there. */
        const char *sub = results_json_str(it, "dir", name);
        sbuf_fmt(path, sizeof path, "%s/%s/report.html", dir, sub);
        struct stat sb;
        if (sr && resultsdir_safe_name(sub) && stat(path, &sb) == 0) {
            fputs("<a href=\"", f);
            url_segment(f, sub);
            fprintf(f, "/report.html\">%s</a>", i18n_text("scenario_report", l));
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    howto(f, l, results_json_int(root, "replications", 0), true);
    answers(f, m, l);
    plots_section(f, figs, br, l);

    char prices[48], unit_head[128];
    answer_prices(br, l, prices, sizeof prices);
    sbuf_fmt(unit_head, sizeof unit_head, "%s%s%s", i18n_text("unit", l), *prices ? " " : "", prices);
    const cJSON *base_kpis = NULL;
    find_scenario_kpis_name(root, base, &base_kpis);
    if (!base_kpis && br) base_kpis = br->kpis;
    const cJSON *diffs = cJSON_GetObjectItemCaseSensitive(root, "differences");
    fprintf(f, "<h2>%s</h2>\n", i18n_text("differences", l));
    cJSON_ArrayForEach(it, diffs) {
        const char *alt = results_json_str(it, "alternative", "?");
        const cJSON *dk = cJSON_GetObjectItemCaseSensitive(it, "kpis"), *ak = NULL;
        find_scenario_kpis_name(root, alt, &ak);
        struct diff_ctx c = { f, br, l, base_kpis, ak, alt, true };
        diff_heading(f, answer_title(cmp_run(m, alt), alt, l), answer_title(br, base, l));
        diff_table_head(f, l, answer_title(br, base, l), answer_title(cmp_run(m, alt), alt, l), false, unit_head);
        diff_headline_rows(&c, dk);
        fputs("</table>\n", f);
    }
    fprintf(f, "<section class=\"detail\">\n<h2>%s</h2>\n", i18n_text("all_differences", l));
    cJSON_ArrayForEach(it, diffs) {
        const char *alt = results_json_str(it, "alternative", "?");
        const cJSON *dk = cJSON_GetObjectItemCaseSensitive(it, "kpis"), *ak = NULL;
        find_scenario_kpis_name(root, alt, &ak);
        struct diff_ctx c = { f, br, l, base_kpis, ak, alt, false };
        diff_heading(f, answer_title(cmp_run(m, alt), alt, l), answer_title(br, base, l));
        diff_table_head(f, l, answer_title(br, base, l), answer_title(cmp_run(m, alt), alt, l), true, unit_head);
        char *seg[8], p[512] = "";
        walk(dk, seg, 0, p, sizeof p, diff_row, &c);
        fputs("</table>\n", f);
    }
    fprintf(f, "</section>\n<p class=\"printonly\">%s</p>\n", i18n_text("print_detail", l));
    foot(f, l);
}

int report_write(const char *dir, const char *lang, const struct plot_figures *figs, struct err *e)
{
    char path[PATH_LEN];
    sbuf_fmt(path, sizeof path, "%s/report.html", dir);
    enum lang l = plot_lang(dir, lang);
    struct results_run *r = NULL;
    struct results_cmp m = { 0 };
    bool cmp = resultsdir_is_comparison(dir);
    if (cmp ? resultsdir_read_cmp(dir, &m, e) != 0 : resultsdir_read_run(dir, &r, e) != 0) {
        results_cmp_fini(&m);
        return -1;
    }
    struct afile a = { 0 };
    int rc = afile_open(&a, path, e);
    if (rc == 0) {
        if (cmp) compare_report(a.f, dir, &m, figs, l);
        else run_report(a.f, r, figs, l);
        rc = afile_commit(&a, e);
    }
    results_run_free(r);
    results_cmp_fini(&m);
    return rc;
}
