/* oneline.c: the one-line summary of a run, driven by the KPI catalogue. */
#include "present/oneline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
            fprintf(out, "  %s: %s/%s: %s (%s %s, %s %s, %s %s %s); %s %s\n", i18n_text("note", l),
                    m->flows[f].id, m->flows[f].rings[r].id, i18n_text("mostly_open_cli", l),
                    i18n_text("placed", l), a, i18n_text("waiting", l), b, i18n_text("abandoned", l), c,
                    i18n_text("per_replication", l), i18n_text("km_median", l), md);
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
    char yrs[32];
    i18n_num(yrs, sizeof yrs, m->years, m->years == floor(m->years) ? 0 : 1, l);
    fprintf(out, "%s: %d %s x %s %s:", m->name, res->n_rep, i18n_text("meta", l), yrs,
            i18n_text("years_word", l));
    const char *sep = " ";
    for (int k = 0; k < n; k++) {
        const struct kpi_desc *d = &desc[k];
        const struct kpi_def *def = kpi_def(d->id);
        if (!(def->show & KPI_ONELINE) || d->flow >= 0 || d->year > 0 || d->dim >= 0) continue;
        char v[96], lo[64], hi[64];
        /* Money and shares carry their unit; the other labels name theirs. */
        bool with_unit = !strncmp(d->unit, "DKK", 3) || !strcmp(d->unit, "share");
        i18n_value(v, sizeof v, stat[k].mean, stat[k].mean, d->unit, def->show & KPI_WHOLE, l, with_unit);
        fprintf(out, "%s%s %s", sep, i18n_kpi(d->name, l), v);
        if (isfinite(stat[k].lo) && !(def->show & KPI_WHOLE)) {
            i18n_value(lo, sizeof lo, stat[k].lo, stat[k].mean, d->unit, false, l, false);
            i18n_value(hi, sizeof hi, stat[k].hi, stat[k].mean, d->unit, false, l, false);
            fprintf(out, " (%s %s\xe2\x80\x93%s)", i18n_text("ci95", l), lo, hi);
        }
        sep = ", ";
    }
    char rate[32];
    i18n_num(rate, sizeof rate, res->wall_seconds > 0 ? res->n_events / res->wall_seconds / 1e6 : 0.0, 2, l);
    fprintf(out, "; %s %s; %s %s/\n", rate, i18n_text("mevents_per_s", l), i18n_text("results_in", l), dir);
    if (res->n_rep < ONELINE_FEW_REPLICATIONS)
        fprintf(out, "  %s: %s\n", i18n_text("note", l), i18n_text("few_replications", l));
    open_caveats(m, desc, stat, n, l, out);
    free(desc);
    free(stat);
}
