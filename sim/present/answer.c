/* answer.c: the plain sentences and cards that open a comparison report. */
#include "present/answer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "model/kpi.h"

#define MAX_ITEMS 3                /* rings named in one sentence */
#define WAIT_DAYS_WORTH 7.0        /* a change in waits below a week is not news */
#define CITIZENS_WORTH 1.0         /* nor is less than one citizen in an offer */

static double mean_at(const cJSON *kpis, const char *path)
{
    return results_json_num(results_kpi(kpis, path), "mean", NAN);
}

static int n_at(const cJSON *kpis, const char *path, int dflt)
{
    return results_json_int(results_kpi(kpis, path), "n", dflt);
}

static double sd_at(const cJSON *kpis, const char *path)
{
    return results_json_num(results_kpi(kpis, path), "sd", NAN);
}

const char *answer_title(const struct results_run *r, const char *name, enum lang l)
{
    if (r && l == LANG_DA && r->title_da && *r->title_da) return r->title_da;
    if (r && r->title && *r->title) return r->title;
    return name;
}

const char *answer_description(const struct results_run *r, enum lang l)
{
    if (r && l == LANG_DA && r->description_da && *r->description_da) return r->description_da;
    return r && r->description ? r->description : "";
}

const char *answer_prices(const struct results_run *r, enum lang l, char *buf, size_t n)
{
    if (!r || r->prices_year <= 0) sbuf_fmt(buf, n, "%s", "");
    else if (l == LANG_DA) sbuf_fmt(buf, n, "(%d-priser)", r->prices_year);
    else sbuf_fmt(buf, n, "(%d prices)", r->prices_year);
    return buf;
}

static void card(struct answer *a, const char *value, const char *label)
{
    if (a->n_cards >= ANSWER_MAX_CARDS) return;
    sbuf_fmt(a->card[a->n_cards].value, sizeof a->card[0].value, "%s", value);
    sbuf_fmt(a->card[a->n_cards].label, sizeof a->card[0].label, "%s", label);
    a->n_cards++;
}

static struct sbuf *next_line(struct answer *a)
{
    return a->n_lines < ANSWER_MAX_LINES ? &a->line[a->n_lines++] : NULL;
}

/* Spending against the base and against the alternative's target budget. */
static void cost_sentence(const struct results_cmp *m, int alt, enum lang l, struct answer *a)
{
    const char *p = kpi_def(KPI_COST_PER_YEAR)->name;
    double b = mean_at(m->kpis[0], p), x = mean_at(m->kpis[alt], p), d = mean_at(m->diff[alt], p);
    if (!isfinite(b) || !isfinite(x) || !isfinite(d)) return;
    char db[64], vb[64], vx[64], prices[32], target[64], gap[64];
    answer_prices(m->run[0], l, prices, sizeof prices);
    i18n_num(db, sizeof db, fabs(d) / 1e6, 1, l);
    i18n_num(vb, sizeof vb, b / 1e6, 1, l);
    i18n_num(vx, sizeof vx, x / 1e6, 1, l);
    struct sbuf *s = next_line(a);
    if (!s) return;
    if (l == LANG_DA)
        sbuf_printf(s, "Udgiften %s med %s mio. kr. om året %s, fra %s til %s mio. kr.", d < 0 ? "falder" : "stiger",
                    db, prices, vb, vx);
    else
        sbuf_printf(s, "Spending %s by DKK %s million a year %s, from %s to %s million.", d < 0 ? "falls" : "rises",
                    db, prices, vb, vx);
    const struct results_run *ar = m->run[alt];
    double budget = ar ? ar->budget_annual : 0.0;
    if (budget > 0) {
        i18n_num(target, sizeof target, budget / 1e6, 1, l);
        i18n_num(gap, sizeof gap, fabs(x - budget) / 1e6, 1, l);
        if (l == LANG_DA)
            sbuf_printf(s, x <= budget ? " Det holder målbudgettet på %s mio. kr. om året." :
                                         " Målbudgettet er %s mio. kr. om året: der mangler stadig %s mio. kr. om året.",
                        target, gap);
        else
            sbuf_printf(s, x <= budget ? " That meets the target budget of DKK %s million a year." :
                                         " The target budget is DKK %s million a year: %s million a year is still to be found.",
                        target, gap);
    }
    char v[64], label[160];
    sbuf_fmt(v, sizeof v, "%s%s", d < 0 ? "\xe2\x88\x92" : "+", db);
    sbuf_fmt(label, sizeof label, "%s %s", l == LANG_DA ? "mio. kr. om året mod basis" : "DKK million a year against the base",
             prices);
    card(a, v, label);
}

/* The first year from which the budget holds, and the largest overshoot. */
static void budget_sentence(const struct results_cmp *m, int alt, enum lang l, struct answer *a)
{
    const struct results_run *ar = m->run[alt];
    if (!ar || !(ar->budget_annual > 0)) return;
    const char *ph = kpi_def(KPI_BUDGET_HOLDS_FROM)->name, *po = kpi_def(KPI_BUDGET_OVERSHOOT_MAX)->name;
    int reps = ar->replications, n = n_at(m->kpis[alt], ph, reps);
    double from = mean_at(m->kpis[alt], ph), over = mean_at(m->kpis[alt], po);
    double sd = sd_at(m->kpis[alt], ph);
    char year[32], ov[64];
    struct sbuf *s = next_line(a);
    if (!s) return;
    i18n_num(ov, sizeof ov, over / 1e6, 1, l);
    if (!isfinite(from) || n == 0) {
        sbuf_printf(s, l == LANG_DA ? "Udgiften holder sig ikke inden for budgettet året ud i nogen gentagelse; "
                                      "det største års overskridelse er i gennemsnit %s mio. kr."
                                    : "Spending does not keep within the budget to the end in any replication; "
                                      "the largest overshoot of a year is DKK %s million on average.",
                    ov);
        card(a, "\xe2\x80\x93", l == LANG_DA ? "budgettet holder fra" : "budget holds from");
        return;
    }
    sbuf_fmt(year, sizeof year, "%d", (int)ceil(from - 1e-9));
    const char *about = sd > 0 ? (l == LANG_DA ? "omkring " : "about ") : "";
    if (l == LANG_DA)
        sbuf_printf(s, "Udgiften holder sig inden for budgettet (med tolerancen) fra %s%s; det største års "
                       "overskridelse er i gennemsnit %s mio. kr.", about, year, ov);
    else
        sbuf_printf(s, "Spending keeps within the budget (within the tolerance) from %s%s on; the largest overshoot "
                       "of a year is DKK %s million on average.", about, year, ov);
    if (n < reps)
        sbuf_printf(s, l == LANG_DA ? " I %d af %d gentagelser holder budgettet aldrig året ud."
                                    : " In %d of %d replications it never keeps within the budget to the end.",
                    reps - n, reps);
    card(a, year, l == LANG_DA ? "budgettet holder fra" : "budget holds from");
}

struct item { int f, s; double b, x, d; };

static int by_size(const void *p, const void *q)
{
    double a = fabs(((const struct item *)p)->d), b = fabs(((const struct item *)q)->d);
    return a < b ? 1 : a > b ? -1 : 0;
}

/* Rings of the base whose KPI `id` changed by at least `worth`, largest
 * change first; a value undefined in the alternative (a median wait never
 * reached) counts as `undefined_as`. Returns how many (at most max). */
static int ring_changes(const struct results_cmp *m, int alt, enum kpi_id id, double worth, double undefined_as,
                        struct item *out, int max)
{
    const struct results_run *br = m->run[0];
    int n = 0;
    for (int f = 0; br && f < br->n_flows; f++)
        for (int s = 0; s < br->flows[f].n_rings; s++) {
            char path[320];
            sbuf_fmt(path, sizeof path, "flows/%s/rings/%s/%s", br->flows[f].id, br->flows[f].rings[s].id,
                     kpi_def(id)->name);
            double b = mean_at(m->kpis[0], path), x = mean_at(m->kpis[alt], path);
            if (!isfinite(b)) continue;
            if (!isfinite(x) && results_kpi(m->kpis[alt], path)) x = undefined_as;
            if (!isfinite(x) || !(fabs(x - b) >= worth)) continue;
            if (n < 64) out[n++] = (struct item){ f, s, b, x, x - b };
        }
    qsort(out, (size_t)n, sizeof *out, by_size);
    return n < max ? n : max;
}

static void wait_sentence(const struct results_cmp *m, int alt, enum lang l, struct answer *a)
{
    const struct results_run *br = m->run[0];
    struct item it[64];
    double window = br ? (br->years - br->warmup_years) * 365.25 : NAN;
    int n = ring_changes(m, alt, KPI_WAIT_DAYS_KM_MEDIAN, WAIT_DAYS_WORTH, window, it, MAX_ITEMS);
    struct sbuf *s = next_line(a);
    if (!s) return;
    if (n == 0) {
        sbuf_printf(s, l == LANG_DA ? "Den mediane ventetid på en plads ændrer sig mindre end en uge i alle ringe."
                                    : "The median wait for a place changes by less than a week in every ring.");
        return;
    }
    sbuf_printf(s, l == LANG_DA ? "Median ventetid på en plads (åbne ventetider medregnet): "
                                : "Median wait for a place (open waits counted): ");
    for (int i = 0; i < n; i++) {
        char b[32], x[32];
        i18n_num(b, sizeof b, it[i].b, 0, l);
        i18n_num(x, sizeof x, it[i].x, 0, l);
        bool never = it[i].x >= window;
        sbuf_printf(s, "%s%s %s %s %s %s%s %s", i ? "; " : "", br->flows[it[i].f].rings[it[i].s].name,
                    l == LANG_DA ? "fra" : "from", b, l == LANG_DA ? "til" : "to",
                    never ? (l == LANG_DA ? "over " : "over ") : "", x, l == LANG_DA ? "dage" : "days");
    }
    sbuf_printf(s, ".");
    char v[48], label[160];
    i18n_num(v, sizeof v, fabs(it[0].d), 0, l);
    sbuf_fmt(v + strlen(v), sizeof v - strlen(v), " %s", l == LANG_DA ? "dage" : "days");
    memmove(v + (it[0].d < 0 ? 3 : 1), v, strlen(v) + 1);
    if (it[0].d < 0) memcpy(v, "\xe2\x88\x92", 3);
    else v[0] = '+';
    sbuf_fmt(label, sizeof label, "%s: %s", l == LANG_DA ? "median ventetid" : "median wait",
             br->flows[it[0].f].rings[it[0].s].name);
    card(a, v, label);
}

static void offer_sentence(const struct results_cmp *m, int alt, enum lang l, struct answer *a)
{
    const struct results_run *br = m->run[0];
    struct item it[64];
    int n = ring_changes(m, alt, KPI_OCCUPANCY_MEAN, CITIZENS_WORTH, NAN, it, MAX_ITEMS);
    if (n == 0) return;
    struct sbuf *s = next_line(a);
    if (!s) return;
    sbuf_printf(s, l == LANG_DA ? "I gennemsnit er der " : "On average there are ");
    for (int i = 0; i < n; i++) {
        char d[32];
        i18n_num(d, sizeof d, fabs(it[i].d), 0, l);
        const char *word = it[i].d < 0 ? (l == LANG_DA ? "færre" : "fewer") : (l == LANG_DA ? "flere" : "more");
        sbuf_printf(s, "%s%s %s %s %s", i == 0 ? "" : i + 1 == n ? (l == LANG_DA ? " og " : " and ") : ", ", d, word,
                    l == LANG_DA ? "borgere i" : "citizens in", br->flows[it[i].f].rings[it[i].s].name);
    }
    sbuf_printf(s, ".");
}

static void outward_sentence(const struct results_cmp *m, int alt, enum lang l, struct answer *a)
{
    const struct results_run *br = m->run[0];
    if (!br || br->n_flows == 0) return;
    struct sbuf *s = next_line(a);
    if (!s) return;
    sbuf_printf(s, l == LANG_DA ? "Andelen, der ender i et mindre indgribende tilbud end deres første, er "
                                : "The share who end in a less intrusive offer than their first is ");
    for (int f = 0; f < br->n_flows; f++) {
        char path[256], b[32], x[32];
        sbuf_fmt(path, sizeof path, "flows/%s/%s", br->flows[f].id, kpi_def(KPI_OUTWARD_SHARE)->name);
        double vb = mean_at(m->kpis[0], path), vx = mean_at(m->kpis[alt], path);
        i18n_pct(b, sizeof b, vb, 1, l);
        i18n_pct(x, sizeof x, vx, 1, l);
        sbuf_printf(s, "%s%s %s %s (%s %s)", f == 0 ? "" : f + 1 == br->n_flows ? (l == LANG_DA ? " og " : " and ") : ", ",
                    x, l == LANG_DA ? "i" : "in", br->flows[f].name, l == LANG_DA ? "basis" : "base", b);
        if (f == 0 && isfinite(vb) && isfinite(vx)) {
            char v[48], label[160];
            i18n_num(v, sizeof v, 100.0 * fabs(vx - vb), 1, l);
            char sv[64];
            sbuf_fmt(sv, sizeof sv, "%s%s %s", vx >= vb ? "+" : "\xe2\x88\x92", v, l == LANG_DA ? "%-point" : "points");
            sbuf_fmt(label, sizeof label, "%s: %s", l == LANG_DA ? "andel udad" : "share outward", br->flows[f].name);
            card(a, sv, label);
        }
    }
    sbuf_printf(s, ".");
}

void answer_build(const struct results_cmp *m, int alt, enum lang l, struct answer *a)
{
    memset(a, 0, sizeof *a);
    if (alt <= 0 || alt >= m->n_scen || !m->kpis[0] || !m->kpis[alt] || !m->diff[alt]) return;
    cost_sentence(m, alt, l, a);
    budget_sentence(m, alt, l, a);
    wait_sentence(m, alt, l, a);
    offer_sentence(m, alt, l, a);
    outward_sentence(m, alt, l, a);
}

void answer_free(struct answer *a)
{
    for (int i = 0; i < a->n_lines; i++) sbuf_free(&a->line[i]);
    a->n_lines = 0;
}
