/* oneline.c: the summary printed at the end of a run (a heading line,
 * then the catalogue's summary KPIs one a line), driven by the KPI catalogue. */
#include "present/oneline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "engine/stats.h"
#include "engine/summary.h"
#include "io/output.h"
#include "model/kpi.h"
#include "present/i18n.h"

/* Below this many replications the intervals of skewed KPIs cover less
 * than 95 % (about 92 % at 10: tests/test_validation.c, docs/model.md). */
#define ONELINE_FEW_REPLICATIONS 30

/* Mean of KPI id of ring (f, r), or NaN. */
static double ring_mean(const struct kpi_desc *desc, const struct kpi_stat *stat, int n, enum kpi_id id,
                        int f, int r)
{
    for (int k = 0; k < n; k++)
        if (desc[k].id == id && desc[k].flow == f && desc[k].ring == r) return stat[k].mean;
    return NAN;
}

/* Lines of the summary stay within this many columns. */
#define ONELINE_COLUMNS 100

/* A note indented by two, wrapped at spaces within ONELINE_COLUMNS, later
 * lines indented by four. */
static void print_wrapped(const char *text, FILE *out)
{
    int col = 0, indent = 2;
    for (const char *p = text; *p;) {
        while (*p == ' ') p++;
        size_t len = strcspn(p, " ");
        if (!len) break;
        char wordbuf[512];
        snprintf(wordbuf, sizeof wordbuf, "%.*s", (int)len, p);
        int w = sbuf_chars(wordbuf);
        if (col > indent && col + 1 + w > ONELINE_COLUMNS) {
            fputc('\n', out);
            col = 0;
            indent = 4;
        }
        if (col == 0) col = fprintf(out, "%*s", indent, "");
        else col += fprintf(out, " ");
        fputs(wordbuf, out);
        col += w;
        p += len;
    }
    fputc('\n', out);
}

/* One line per ring where most requests were still open at the end: there
 * the mean of completed waits describes only the few who were placed. */
static void open_caveats(const struct model *m, const struct kpi_desc *desc, const struct kpi_stat *stat,
                         int n, enum lang l, FILE *out)
{
    for (int f = 0; f < m->n_flows; f++)
        for (int r = 0; r < m->flows[f].n_rings; r++) {
            double open = ring_mean(desc, stat, n, KPI_WAITS_OPEN_AT_END, f, r);
            double served = ring_mean(desc, stat, n, KPI_REQUESTS_SERVED, f, r);
            double gone = ring_mean(desc, stat, n, KPI_WAITS_ABANDONED, f, r);
            if (!(open > served + gone)) continue;
            char a[32], b[32], c[32], md[32];
            i18n_value(a, sizeof a, served, served, "citizens", true, l, false);
            i18n_value(b, sizeof b, open, open, "citizens", true, l, false);
            i18n_value(c, sizeof c, gone, gone, "citizens", true, l, false);
            double med = ring_mean(desc, stat, n, KPI_WAIT_DAYS_KM_MEDIAN, f, r);
            if (isfinite(med)) i18n_value(md, sizeof md, med, med, "days", false, l, true);
            else snprintf(md, sizeof md, "%s", i18n_text("not_reached", l));
            char text[1024];
            snprintf(text, sizeof text, "%s: %s/%s: %s (%s %s, %s %s, %s %s %s); %s %s", i18n_text("note", l),
                    m->flows[f].id, m->flows[f].rings[r].id, i18n_text("mostly_open_cli", l),
                    i18n_text("placed", l), a, i18n_text("waiting", l), b, i18n_text("abandoned", l), c,
                    i18n_text("per_replication", l), i18n_text("km_median", l), md);
            print_wrapped(text, out);
        }
}

/* The run-wide KPIs marked for the summary, one a line under their labels
 * aligned: the catalogue's full labels fit 100 columns that way, in both
 * languages, where a single line ran past 200. */
static void print_kpis(const struct kpi_desc *desc, const struct kpi_stat *stat, int n, enum lang l,
                       FILE *out)
{
    int width = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < n; k++) {
            const struct kpi_desc *d = &desc[k];
            const struct kpi_def *def = kpi_def(d->id);
            if (!(def->show & KPI_ONELINE) || d->flow >= 0 || d->year > 0 || d->dim >= 0) continue;
            const char *label = i18n_kpi(d->name, l);
            if (pass == 0) {
                if (sbuf_chars(label) > width) width = sbuf_chars(label);
                continue;
            }
            char v[96], lo[64], hi[64];
            /* Money and shares carry their unit; the other labels name theirs. */
            bool with_unit = !strncmp(d->unit, "DKK", 3) || !strcmp(d->unit, "share");
            i18n_value(v, sizeof v, stat[k].mean, stat[k].mean, d->unit, def->show & KPI_WHOLE, l, with_unit);
            fprintf(out, "  %s%*s  %s", label, width - sbuf_chars(label), "", v);
            if (isfinite(stat[k].lo) && !(def->show & KPI_WHOLE)) {
                i18n_value(lo, sizeof lo, stat[k].lo, stat[k].mean, d->unit, false, l, false);
                i18n_value(hi, sizeof hi, stat[k].hi, stat[k].mean, d->unit, false, l, false);
                fprintf(out, " (%s %s\xe2\x80\x93%s)", i18n_text("ci95", l), lo, hi);
            }
            fputc('\n', out);
        }
}

void oneline_print(const struct model *m, const struct run_results *res, const char *dir, FILE *out)
{
    enum lang l = i18n_lang(res->ro.lang);
    struct kpi_desc *desc = NULL;
    int n = stats_kpi_layout(m, &desc);
    struct kpi_stat *stat = n > 0 ? calloc((size_t)n, sizeof *stat) : NULL;
    if (!stat || output_kpi_stats(res, stat) != 0) {
        free(desc);
        free(stat);
        return;
    }
    char yrs[32], rate[32];
    i18n_num(yrs, sizeof yrs, m->years, m->years == floor(m->years) ? 0 : 1, l);
    i18n_num(rate, sizeof rate, res->wall_seconds > 0 ? res->n_events / res->wall_seconds / 1e6 : 0.0, 2, l);
    fprintf(out, "%s: %d %s x %s %s; %s %s; %s %s/\n", m->name, res->n_rep, i18n_text("meta", l), yrs,
            i18n_text("years_word", l), rate, i18n_text("mevents_per_s", l), i18n_text("results_in", l), dir);
    print_kpis(desc, stat, n, l, out);
    if (res->n_rep < ONELINE_FEW_REPLICATIONS)
    {
        char text[1024];
        snprintf(text, sizeof text, "%s: %s", i18n_text("note", l), i18n_text("few_replications", l));
        print_wrapped(text, out);
    }
    open_caveats(m, desc, stat, n, l, out);
    free(desc);
    free(stat);
}
