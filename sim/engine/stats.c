/* stats.c: online accumulators of one replication and its KPI vector. */
#include "engine/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

int stats_init(struct rep_stats *st, const struct model *m)
{
    memset(st, 0, sizeof *st);
    st->m = m;
    for (int f = 0; f < m->n_flows; f++) {
        st->slot_base[f] = st->n_slots;
        st->n_slots += m->flows[f].n_rings + 1;
    }
    st->first_year = model_year_of(m, 0.0);
    int last_year = model_year_of(m, m->years * (1.0 - 1e-12));
    st->n_years = last_year - st->first_year + 1;
    st->log1p_disc = log1p(m->discount_rate);
    st->slot = calloc((size_t)st->n_slots, sizeof *st->slot);
    st->year_start = calloc((size_t)st->n_years + 1, sizeof *st->year_start);
    st->frozen_days_year = calloc((size_t)st->n_years, sizeof *st->frozen_days_year);
    st->deferred_year = calloc((size_t)st->n_years, sizeof *st->deferred_year);
    st->stepped_year = calloc((size_t)st->n_years, sizeof *st->stepped_year);
    st->vcost_adj_year = calloc((size_t)st->n_years, sizeof *st->vcost_adj_year);
    if (!st->slot || !st->year_start || !st->frozen_days_year || !st->deferred_year ||
        !st->stepped_year || !st->vcost_adj_year)
        goto fail;
    for (int k = 0; k <= st->n_years; k++) {
        double t = k == 0 ? 0.0 : model_year_start_t(m, st->first_year + k);
        st->year_start[k] = t > m->years ? m->years : t;
    }
    for (int i = 0; i < st->n_slots; i++) {
        struct slot_stats *s = &st->slot[i];
        s->occ_year = calloc((size_t)st->n_years, sizeof *s->occ_year);
        s->cost_adj_year = calloc((size_t)st->n_years, sizeof *s->cost_adj_year);
        s->wl_hist_cap = 64;
        s->wl_hist = calloc(s->wl_hist_cap, sizeof *s->wl_hist);
        if (!s->occ_year || !s->cost_adj_year || !s->wl_hist) goto fail;
    }
    stats_reset(st);
    return 0;
fail:
    stats_fini(st);
    return -1;
}

void stats_fini(struct rep_stats *st)
{
    if (st->slot)
        for (int i = 0; i < st->n_slots; i++) {
            free(st->slot[i].occ_year);
            free(st->slot[i].cost_adj_year);
            free(st->slot[i].wl_hist);
            free(st->slot[i].waits);
            free(st->slot[i].cens);
        }
    free(st->slot);
    free(st->year_start);
    free(st->vcost_adj_year);
    free(st->frozen_days_year);
    free(st->deferred_year);
    free(st->stepped_year);
    memset(st, 0, sizeof *st);
}

void stats_reset(struct rep_stats *st)
{
    const struct model *m = st->m;
    for (int i = 0; i < st->n_slots; i++) {
        struct slot_stats *s = &st->slot[i];
        double *occ_year = s->occ_year, *wl_hist = s->wl_hist, *waits = s->waits, *cens = s->cens;
        double *adj_year = s->cost_adj_year;
        size_t hist_cap = s->wl_hist_cap, cap_waits = s->cap_waits, cap_cens = s->cap_cens;
        memset(occ_year, 0, (size_t)st->n_years * sizeof *occ_year);
        memset(adj_year, 0, (size_t)st->n_years * sizeof *adj_year);
        memset(wl_hist, 0, hist_cap * sizeof *wl_hist);
        memset(s, 0, sizeof *s);
        s->occ_year = occ_year;
        s->cost_adj_year = adj_year;
        s->wl_hist = wl_hist;
        s->wl_hist_cap = hist_cap;
        s->waits = waits;
        s->cap_waits = cap_waits;
        s->cens = cens;
        s->cap_cens = cap_cens;
    }
    memset(&st->alive, 0, sizeof st->alive);
    memset(&st->vqueue, 0, sizeof st->vqueue);
    memset(&st->vbusy, 0, sizeof st->vbusy);
    st->arrivals = st->deaths = st->retirements = st->other_exits = 0;
    memset(st->prog, 0, sizeof st->prog);
    memset(st->regr, 0, sizeof st->regr);
    st->decision_sum = st->placement_sum = 0.0;
    st->n_decisions = st->n_placements = 0;
    memset(st->frozen_days_year, 0, (size_t)st->n_years * sizeof *st->frozen_days_year);
    memset(st->vcost_adj_year, 0, (size_t)st->n_years * sizeof *st->vcost_adj_year);
    st->vcost_adj = st->vcost_adj_disc = 0.0;
    memset(st->deferred_year, 0, (size_t)st->n_years * sizeof *st->deferred_year);
    memset(st->stepped_year, 0, (size_t)st->n_years * sizeof *st->stepped_year);
    st->end_size = 0.0;
    memset(st->outward_share, 0, sizeof st->outward_share);
    memset(st->level_change, 0, sizeof st->level_change);
    st->counting = m->warmup_years <= 0.0;
    st->year_idx = 0;
    st->cur = m;
    st->cw_adj = 0.0;
}

void stats_tw_set(const struct rep_stats *st, struct tw *a, double t, double level)
{
    if (st->counting) a->area += a->level * (t - a->last_t);
    a->last_t = t;
    a->level = level;
}

/* Discounted length of [a, b]: the integral of (1 + r)^-s ds. */
static double disc_len(const struct rep_stats *st, double a, double b)
{
    double lr = st->log1p_disc;
    if (lr == 0.0) return b - a;
    return (exp(-lr * a) - exp(-lr * b)) / lr;
}

static void occ_flush(const struct rep_stats *st, struct slot_stats *s, double t)
{
    double dt = t - s->occ.last_t;
    if (st->counting && dt > 0.0 && s->occ.level != 0.0) {
        s->occ_year[st->year_idx] += s->occ.level * dt;
        s->occ_disc += s->occ.level * disc_len(st, s->occ.last_t, t);
    }
    stats_tw_set(st, &s->occ, t, s->occ.level);
}

static int wl_flush(const struct rep_stats *st, struct slot_stats *s, double t)
{
    double dt = t - s->wl.last_t;
    if (st->counting && dt > 0.0) {
        size_t len = (size_t)s->wl.level;
        if (len >= s->wl_hist_cap) {
            size_t cap = s->wl_hist_cap;
            while (cap <= len) cap *= 2;
            double *h = realloc(s->wl_hist, cap * sizeof *h);
            if (!h) return -1;
            memset(h + s->wl_hist_cap, 0, (cap - s->wl_hist_cap) * sizeof *h);
            s->wl_hist = h;
            s->wl_hist_cap = cap;
        }
        s->wl_hist[len] += dt;
    }
    stats_tw_set(st, &s->wl, t, s->wl.level);
    return 0;
}

int stats_occ_add(struct rep_stats *st, int slot, double t, int delta)
{
    struct slot_stats *s = &st->slot[slot];
    occ_flush(st, s, t);
    s->occ.level += delta;
    if (delta > 0 && st->counting) s->n_entries++;
    return 0;
}

int stats_wl_add(struct rep_stats *st, int slot, double t, int delta)
{
    struct slot_stats *s = &st->slot[slot];
    if (wl_flush(st, s, t) != 0) return -1;
    s->wl.level += delta;
    return 0;
}

void stats_departure(struct rep_stats *st, int slot, double t_entered, double t)
{
    if (!st->counting) return;
    st->slot[slot].n_departures++;
    st->slot[slot].stay_sum += t - t_entered;
}

/* Appends v to a growing array. 0, or -1 when OOM. */
static int push(double **a, size_t *n, size_t *cap, double v)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 256;
        double *w = realloc(*a, c * sizeof *w);
        if (!w) return -1;
        *a = w;
        *cap = c;
    }
    (*a)[(*n)++] = v;
    return 0;
}

int stats_wait_done(struct rep_stats *st, int slot, double t_req, double t)
{
    if (t_req < st->m->warmup_years) return 0;   /* requested before the window */
    struct slot_stats *s = &st->slot[slot];
    return push(&s->waits, &s->n_waits, &s->cap_waits, t - t_req);
}

int stats_wait_censored(struct rep_stats *st, int slot, double t_req, double t, bool open_at_end)
{
    if (t_req < st->m->warmup_years) return 0;
    struct slot_stats *s = &st->slot[slot];
    if (open_at_end) s->n_open_at_end++;
    else s->n_abandoned++;
    return push(&s->cens, &s->n_cens, &s->cap_cens, t - t_req);
}

void stats_mark(struct rep_stats *st, double t)
{
    for (int i = 0; i < st->n_slots; i++) {
        occ_flush(st, &st->slot[i], t);
        (void)wl_flush(st, &st->slot[i], t);   /* length unchanged: no growth */
    }
    stats_tw_set(st, &st->alive, t, st->alive.level);
    stats_tw_set(st, &st->vqueue, t, st->vqueue.level);
    stats_tw_set(st, &st->vbusy, t, st->vbusy.level);
    st->counting = t >= st->m->warmup_years;
    int k = 0;
    while (k + 1 < st->n_years && st->year_start[k + 1] <= t) k++;
    st->year_idx = k;
}

void stats_finish(struct rep_stats *st)
{
    for (int i = 0; i < st->n_slots; i++) {
        if (st->slot[i].n_waits > 1) gsl_sort(st->slot[i].waits, 1, st->slot[i].n_waits);
        if (st->slot[i].n_cens > 1) gsl_sort(st->slot[i].cens, 1, st->slot[i].n_cens);
    }
}

/* ---- KPIs -------------------------------------------------------------- */

typedef void (*kpi_emit_fn)(void *ctx, const struct kpi_desc *d, double v);

/* Emits KPI id of the catalogue: its name and unit come from there. */
static void emit(kpi_emit_fn fn, void *ctx, enum kpi_id id, int flow, int ring, int year, int dim,
                 double v)
{
    const struct kpi_def *def = kpi_def(id);
    struct kpi_desc d = { def->name, flow, ring, year, dim, def->unit, id };
    fn(ctx, &d, v);
}

/* Length of calendar year k inside the KPI window. */
static double year_window_len(const struct rep_stats *st, int k)
{
    double a = st->year_start[k], b = st->year_start[k + 1];
    if (a < st->m->warmup_years) a = st->m->warmup_years;
    return b > a ? b - a : 0.0;
}

/* Cost of ring r of flow f in calendar year k (k < 0: the whole window):
 * the prices in force now over the whole window, corrected for the time
 * before the plan's changes (cost_adj). */
static double ring_cost(const struct rep_stats *st, int f, int r, int k, bool discounted)
{
    const struct ring *ring = &st->cur->flows[f].rings[r];
    const struct slot_stats *s = &st->slot[stats_slot(st, f, r)];
    double W = st->m->years - st->m->warmup_years;
    if (discounted)
        return ring->fixed_cost_per_year * disc_len(st, st->m->warmup_years, st->m->years) +
               ring->variable_cost_per_year * s->occ_disc + s->cost_adj_disc;
    if (k < 0)
        return ring->fixed_cost_per_year * W + ring->variable_cost_per_year * s->occ.area +
               s->cost_adj;
    return ring->fixed_cost_per_year * year_window_len(st, k) +
           ring->variable_cost_per_year * s->occ_year[k] + s->cost_adj_year[k];
}

void stats_switch(struct rep_stats *st, double t, const struct model *next)
{
    const struct model *m = st->m, *old = st->cur;
    double a = m->warmup_years, done = t > a ? t - a : 0.0;
    double done_disc = t > a ? disc_len(st, a, t) : 0.0;
    for (int f = 0; f < m->n_flows; f++)
        for (int r = 0; r < m->flows[f].n_rings; r++) {
            const struct ring *o = &old->flows[f].rings[r], *n = &next->flows[f].rings[r];
            struct slot_stats *s = &st->slot[stats_slot(st, f, r)];
            double dF = o->fixed_cost_per_year - n->fixed_cost_per_year;
            double dV = o->variable_cost_per_year - n->variable_cost_per_year;
            s->cost_adj += dV * s->occ.area + dF * done;
            s->cost_adj_disc += dV * s->occ_disc + dF * done_disc;
            for (int k = 0; k < st->n_years; k++) {
                double y0 = fmax(st->year_start[k], a), y1 = fmin(st->year_start[k + 1], t);
                s->cost_adj_year[k] += dV * s->occ_year[k] + (y1 > y0 ? dF * (y1 - y0) : 0.0);
            }
            s->cap_adj += (double)(o->capacity - n->capacity) * done;
        }
    st->cw_adj += (double)(old->caseworkers - next->caseworkers) * done;
    double dR = old->caseworker_cost_per_year * old->caseworkers -
                next->caseworker_cost_per_year * next->caseworkers;
    st->vcost_adj += dR * done;
    st->vcost_adj_disc += dR * done_disc;
    for (int k = 0; k < st->n_years; k++) {
        double y0 = fmax(st->year_start[k], a), y1 = fmin(st->year_start[k + 1], t);
        if (y1 > y0) st->vcost_adj_year[k] += dR * (y1 - y0);
    }
    st->cur = next;
}

static double wl_p95(const struct slot_stats *s, double window)
{
    if (window <= 0.0) return NAN;
    double cum = 0.0;
    for (size_t L = 0; L < s->wl_hist_cap; L++) {
        cum += s->wl_hist[L];
        if (cum >= 0.95 * window * (1.0 - 1e-12)) return (double)L;
    }
    return (double)(s->wl_hist_cap - 1);
}

/* The budget of calendar year `year` for the part of it inside the KPI
 * window: budget.annual pro rata, so that a partial first or last year
 * compares like with like. 0 when there is no budget. */
static double window_budget(const struct model *m, int year)
{
    double t0 = model_year_start_t(m, year), t1 = model_year_start_t(m, year + 1);
    return model_budget_share(m, t0, t1, fmax(t0, m->warmup_years), fmin(t1, m->years));
}

/* Spending of calendar year index k (whole window when k < 0). */
/* The caseworkers' cost in calendar year k (k < 0: the whole window):
 * caseworkers x cost per caseworker-year, following a plan's changes. */
static double visitation_cost(const struct rep_stats *st, int k, bool discounted)
{
    const struct model *m = st->m;
    double rate = st->cur->caseworker_cost_per_year * st->cur->caseworkers;
    if (discounted) return rate * disc_len(st, m->warmup_years, m->years) + st->vcost_adj_disc;
    if (k < 0) return rate * (m->years - m->warmup_years) + st->vcost_adj;
    return rate * year_window_len(st, k) + st->vcost_adj_year[k];
}

static double spending(const struct rep_stats *st, int k)
{
    double spend = visitation_cost(st, k, false);
    for (int f = 0; f < st->m->n_flows; f++)
        for (int r = 0; r < st->m->flows[f].n_rings; r++) spend += ring_cost(st, f, r, k, false);
    return spend;
}

struct budget_figures {
    double years_over;            /* years beyond budget x (1 + tolerance) */
    double overshoot_max;         /* largest spending - budget of a year, >= 0 (DKK) */
    double holds_from;            /* first year from which every year keeps within the
                                   * tolerance; NaN when the last year does not */
};

/* The budget as a council reads it: a year overshoots only beyond the
 * stated tolerance (budget.tolerance, default 0.1 %), so that spending held
 * to the budget within rounding does not count as "over". Years without a
 * budget share (before the window) are skipped. */
static void budget_figures(const struct rep_stats *st, struct budget_figures *bf)
{
    const struct model *m = st->m;
    bf->years_over = 0.0;
    bf->overshoot_max = 0.0;
    bf->holds_from = NAN;
    bool holding = false;
    for (int k = 0; k < st->n_years; k++) {
        double budget = window_budget(m, st->first_year + k);
        if (!(budget > 0)) continue;
        double over = spending(st, k) - budget;
        if (over > bf->overshoot_max) bf->overshoot_max = over;
        bool within = over <= m->budget_tolerance * budget;
        if (!within) bf->years_over += 1.0;
        if (within && !holding) bf->holds_from = st->first_year + k;
        if (!within) bf->holds_from = NAN;
        holding = within;
    }
    if (!model_has_budget(m)) bf->overshoot_max = NAN;   /* a plan may bring one in later */
}

/* The Kaplan-Meier estimate of the waiting time of a ring's requests in
 * the window: completed waits are events, abandoned and still-open waits
 * censored (both arrays sorted). At tied times events come first. Gives
 * the median (days; NaN when the curve stays above one half) and the share
 * still waiting after 90 and 365 days (NaN past the last observation while
 * the curve is above 0). */
struct km_figures { double median_days, over_90, over_365; };

static void km_waits(const struct slot_stats *s, struct km_figures *out)
{
    const double x90 = 90.0 / DAYS_PER_YEAR, x365 = 365.0 / DAYS_PER_YEAR;
    size_t ie = 0, ic = 0, at_risk = s->n_waits + s->n_cens;
    double surv = 1.0;
    out->median_days = out->over_90 = out->over_365 = NAN;
    if (at_risk == 0) return;
    while (ie < s->n_waits || ic < s->n_cens) {
        double t = ie < s->n_waits && (ic >= s->n_cens || s->waits[ie] <= s->cens[ic]) ? s->waits[ie]
                                                                                    : s->cens[ic];
        /* The curve up to just before t is surv: it answers the shares at x < t. */
        if (t > x90 && isnan(out->over_90)) out->over_90 = surv;
        if (t > x365 && isnan(out->over_365)) out->over_365 = surv;
        size_t d = 0, c = 0;
        while (ie < s->n_waits && s->waits[ie] == t) { d++; ie++; }
        while (ic < s->n_cens && s->cens[ic] == t) { c++; ic++; }
        if (d > 0) surv *= 1.0 - (double)d / (double)at_risk;
        at_risk -= d + c;
        if (isnan(out->median_days) && surv <= 0.5) out->median_days = t * DAYS_PER_YEAR;
    }
    if (surv == 0.0) {                    /* every request ended in a placement */
        if (isnan(out->over_90)) out->over_90 = 0.0;
        if (isnan(out->over_365)) out->over_365 = 0.0;
    }
}

/* The one walk over all KPIs: the layout and the values come from it, so
 * they cannot disagree. st == NULL walks the layout only. It lists every
 * KPI in turn, so it is one long function on purpose. */
static void kpi_walk(const struct model *m, const struct rep_stats *st,
                     kpi_emit_fn fn, void *ctx)
{
    const double W = m->years - m->warmup_years;
    const bool v = st != NULL;
    double total = 0.0, total_disc = 0.0;
    uint32_t prog = 0, regr = 0;
    double vcost = v ? visitation_cost(st, -1, false) : NAN;
    if (v) {
        total = vcost;
        total_disc = visitation_cost(st, -1, true);
    }
    if (v)
        for (int f = 0; f < m->n_flows; f++) {
            for (int r = 0; r < m->flows[f].n_rings; r++) {
                total += ring_cost(st, f, r, -1, false);
                total_disc += ring_cost(st, f, r, -1, true);
            }
            prog += st->prog[f];
            regr += st->regr[f];
        }
    double cy = v ? st->alive.area : NAN;
    double per100 = v && cy > 0 ? 100.0 / cy : NAN;

    emit(fn, ctx, KPI_COST_TOTAL, -1, -1, 0, -1, total);
    emit(fn, ctx, KPI_COST_TOTAL_DISCOUNTED, -1, -1, 0, -1, total_disc);
    emit(fn, ctx, KPI_COST_PER_YEAR, -1, -1, 0, -1, v ? total / W : NAN);
    emit(fn, ctx, KPI_CITIZEN_YEARS, -1, -1, 0, -1, cy);
    emit(fn, ctx, KPI_PROGRESSIONS, -1, -1, 0, -1, v ? prog * per100 : NAN);
    emit(fn, ctx, KPI_REGRESSIONS, -1, -1, 0, -1, v ? regr * per100 : NAN);
    emit(fn, ctx, KPI_COST_PER_PROGRESSION, -1, -1, 0, -1, v && prog ? total / prog : NAN);
    emit(fn, ctx, KPI_REFERRAL_TO_DECISION, -1, -1, 0, -1,
         v && st->n_decisions ? st->decision_sum / st->n_decisions * DAYS_PER_YEAR : NAN);
    emit(fn, ctx, KPI_REFERRAL_TO_PLACEMENT, -1, -1, 0, -1,
         v && st->n_placements ? st->placement_sum / st->n_placements * DAYS_PER_YEAR : NAN);
    emit(fn, ctx, KPI_VISITATION_QUEUE, -1, -1, 0, -1, v ? st->vqueue.area / W : NAN);
    emit(fn, ctx, KPI_CASEWORKER_UTILISATION, -1, -1, 0, -1, v ? st->vbusy.area / (W * st->cur->caseworkers + st->cw_adj) : NAN);
    emit(fn, ctx, KPI_VISITATION_COST, -1, -1, 0, -1, vcost);
    double frozen = 0.0, deferred = 0.0, stepped = 0.0;
    struct budget_figures bf = { NAN, NAN, NAN };
    if (v) {
        for (int k = 0; k < st->n_years; k++) {
            frozen += st->frozen_days_year[k];
            deferred += st->deferred_year[k];
            stepped += st->stepped_year[k];
        }
        budget_figures(st, &bf);
    }
    emit(fn, ctx, KPI_YEARS_OVER_BUDGET, -1, -1, 0, -1, bf.years_over);
    emit(fn, ctx, KPI_BUDGET_OVERSHOOT_MAX, -1, -1, 0, -1, bf.overshoot_max);
    emit(fn, ctx, KPI_BUDGET_HOLDS_FROM, -1, -1, 0, -1, bf.holds_from);
    emit(fn, ctx, KPI_DAYS_FROZEN, -1, -1, 0, -1, v ? frozen : NAN);
    emit(fn, ctx, KPI_PLACEMENTS_DEFERRED, -1, -1, 0, -1, v ? deferred : NAN);
    emit(fn, ctx, KPI_PLACEMENTS_STEPPED_DOWN, -1, -1, 0, -1, v ? stepped : NAN);
    emit(fn, ctx, KPI_ARRIVALS, -1, -1, 0, -1, v ? st->arrivals : NAN);
    emit(fn, ctx, KPI_DEATHS, -1, -1, 0, -1, v ? st->deaths : NAN);
    emit(fn, ctx, KPI_RETIREMENTS, -1, -1, 0, -1, v ? st->retirements : NAN);
    emit(fn, ctx, KPI_OTHER_EXITS, -1, -1, 0, -1, v ? st->other_exits : NAN);
    emit(fn, ctx, KPI_END_SIZE, -1, -1, 0, -1, v ? st->end_size : NAN);
    for (int d = 0; d < m->n_dims; d++)
        emit(fn, ctx, KPI_LEVEL_CHANGE, -1, -1, 0, d, v ? st->level_change[d] : NAN);

    /* Calendar years that overlap the window (a partial year is marked by
     * its shorter length in the CSV's year column only by its figures). */
    int n_years = model_year_of(m, m->years * (1.0 - 1e-12)) - model_year_of(m, 0.0) + 1;
    int first_year = model_year_of(m, 0.0);
    for (int k = 0; k < n_years; k++) {
        double t0 = k == 0 ? 0.0 : model_year_start_t(m, first_year + k);
        double t1 = k + 1 == n_years ? m->years : model_year_start_t(m, first_year + k + 1);
        if (t1 <= m->warmup_years) continue;
        double spend = v ? spending(st, k) : NAN;
        int year = first_year + k;
        double budget = window_budget(m, year);
        (void)t0;
        emit(fn, ctx, KPI_SPENDING, -1, -1, year, -1, v ? spend : NAN);
        emit(fn, ctx, KPI_BUDGET, -1, -1, year, -1, budget);
        emit(fn, ctx, KPI_OVER_BUDGET, -1, -1, year, -1, v && budget > 0 ? spend - budget : NAN);
        emit(fn, ctx, KPI_DAYS_FROZEN, -1, -1, year, -1, v ? st->frozen_days_year[k] : NAN);
        emit(fn, ctx, KPI_PLACEMENTS_DEFERRED, -1, -1, year, -1, v ? st->deferred_year[k] : NAN);
        emit(fn, ctx, KPI_PLACEMENTS_STEPPED_DOWN, -1, -1, year, -1, v ? st->stepped_year[k] : NAN);
    }

    for (int f = 0; f < m->n_flows; f++) {
        const struct flow *fl = &m->flows[f];
        double fcost = 0.0;
        if (v)
            for (int r = 0; r < fl->n_rings; r++) fcost += ring_cost(st, f, r, -1, false);
        emit(fn, ctx, KPI_COST, f, -1, 0, -1, fcost);
        emit(fn, ctx, KPI_PROGRESSIONS, f, -1, 0, -1, v ? st->prog[f] * per100 : NAN);
        emit(fn, ctx, KPI_REGRESSIONS, f, -1, 0, -1, v ? st->regr[f] * per100 : NAN);
        emit(fn, ctx, KPI_OUTWARD_SHARE, f, -1, 0, -1, v ? st->outward_share[f] : NAN);
        for (int r = 0; r < fl->n_rings; r++) {
            const struct ring *ring = &fl->rings[r];
            const struct slot_stats *s = v ? &st->slot[stats_slot(st, f, r)] : NULL;
            double occ = v ? s->occ.area / W : NAN;
            emit(fn, ctx, KPI_COST, f, r, 0, -1, v ? ring_cost(st, f, r, -1, false) : NAN);
            emit(fn, ctx, KPI_OCCUPANCY_MEAN, f, r, 0, -1, occ);
            if (ring->capacity > 0)      /* place-years: the plan's capacities */
                emit(fn, ctx, KPI_UTILISATION, f, r, 0, -1,
                     !v ? NAN : s->cap_adj == 0.0 ? occ / st->cur->flows[f].rings[r].capacity
                              : s->occ.area / (st->cur->flows[f].rings[r].capacity * W + s->cap_adj));
            emit(fn, ctx, KPI_WAITING_LIST_MEAN, f, r, 0, -1, v ? s->wl.area / W : NAN);
            emit(fn, ctx, KPI_WAITING_LIST_P95, f, r, 0, -1, v ? wl_p95(s, W) : NAN);
            size_t n = v ? s->n_waits : 0, n_waited = 0;
            double sum = 0.0;
            for (size_t i = 0; i < n; i++) {
                sum += s->waits[i];
                n_waited += s->waits[i] > 0.0;
            }
            emit(fn, ctx, KPI_WAIT_DAYS_MEAN, f, r, 0, -1, n ? sum / n * DAYS_PER_YEAR : NAN);
            emit(fn, ctx, KPI_WAIT_SHARE_WAITED, f, r, 0, -1, n ? (double)n_waited / n : NAN);
            emit(fn, ctx, KPI_WAIT_DAYS_MEAN_IF_WAITED, f, r, 0, -1, n_waited ? sum / n_waited * DAYS_PER_YEAR : NAN);
            emit(fn, ctx, KPI_WAIT_DAYS_P95, f, r, 0, -1,
                 n ? gsl_stats_quantile_from_sorted_data(s->waits, 1, n, 0.95) * DAYS_PER_YEAR : NAN);
            struct km_figures km = { NAN, NAN, NAN };
            if (v) km_waits(s, &km);
            emit(fn, ctx, KPI_WAIT_DAYS_KM_MEDIAN, f, r, 0, -1, km.median_days);
            emit(fn, ctx, KPI_WAIT_SHARE_OVER_90_DAYS, f, r, 0, -1, km.over_90);
            emit(fn, ctx, KPI_WAIT_SHARE_OVER_365_DAYS, f, r, 0, -1, km.over_365);
            emit(fn, ctx, KPI_REQUESTS_SERVED, f, r, 0, -1, v ? (double)n : NAN);
            emit(fn, ctx, KPI_ENTRIES, f, r, 0, -1, v ? s->n_entries : NAN);
            emit(fn, ctx, KPI_DEPARTURES, f, r, 0, -1, v ? s->n_departures : NAN);
            emit(fn, ctx, KPI_STAY_YEARS_MEAN, f, r, 0, -1,
                 v && s->n_departures ? s->stay_sum / s->n_departures : NAN);
            /* Little's law: mean occupancy / entry rate, every stay counted in
             * full, also those that outlast the window. */
            emit(fn, ctx, KPI_STAY_YEARS_LITTLE, f, r, 0, -1, v && s->n_entries ? occ / (s->n_entries / W) : NAN);
            emit(fn, ctx, KPI_WAITS_ABANDONED, f, r, 0, -1, v ? s->n_abandoned : NAN);
            emit(fn, ctx, KPI_WAITS_OPEN_AT_END, f, r, 0, -1, v ? s->n_open_at_end : NAN);
        }
    }
}

struct layout_ctx { struct kpi_desc *d; int n; };

static void layout_emit(void *ctx, const struct kpi_desc *d, double value)
{
    struct layout_ctx *c = ctx;
    (void)value;
    if (c->d) c->d[c->n] = *d;
    c->n++;
}

int stats_kpi_layout(const struct model *m, struct kpi_desc **out)
{
    struct layout_ctx c = { NULL, 0 };
    kpi_walk(m, NULL, layout_emit, &c);
    if (!out) return c.n;
    *out = malloc((size_t)c.n * sizeof **out);
    if (!*out) return -1;
    c.d = *out;
    c.n = 0;
    kpi_walk(m, NULL, layout_emit, &c);
    return c.n;
}

struct values_ctx { double *v; int n; };

static void values_emit(void *ctx, const struct kpi_desc *d, double value)
{
    struct values_ctx *c = ctx;
    (void)d;
    c->v[c->n++] = value;
}

void stats_kpi_values(const struct rep_stats *st, double *values)
{
    struct values_ctx c = { values, 0 };
    kpi_walk(st->m, st, values_emit, &c);
}
