/* sim.c: the event loop of one replication and the model's event handlers
 * (docs/model.md). Where citizens go is policy.c's; what is measured is
 * stats.c's; this file decides when things happen.
 *
 * Hazards are redrawn at each of a citizen's events (docs/model.md: covariates are
 * piecewise constant, read when rates are drawn). A citizen has ONE pending
 * hazard event (a keyed event in the queue) at the total rate of its
 * transitions in every flow and its development; redrawing moves it. */
#include "engine/sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/caldate.h"
#include "base/interrupt.h"
#include "engine/plan.h"
#include "engine/policy.h"
#include "engine/rep.h"

struct sim_workspace {
    struct rep r;
    struct sim_shape shape;
    size_t heap_peak;          /* most events queued at once in the last replication */
    const volatile sig_atomic_t *stop;   /* Ctrl-C, or NULL */
};

void sim_workspace_set_stop(struct sim_workspace *w, const volatile sig_atomic_t *stop)
{
    w->stop = stop;
}

void sim_workspace_set_seed(struct sim_workspace *w, uint64_t seed)
{
    w->r.seed = seed;
}

double sim_workspace_citizens(const struct sim_workspace *w) { return w->r.pop.n; }
double sim_workspace_heap_peak(const struct sim_workspace *w) { return (double)w->heap_peak; }

void sim_shape_of(const struct model *m, struct sim_shape *s)
{
    s->n_kpi = stats_kpi_layout(m, NULL);
    s->snap_dt = m->snapshot_months / 12.0;
    s->n_snap = (int)floor(m->years / s->snap_dt + 1e-9) + 1;
    s->n_slots = 0;
    for (int f = 0; f < m->n_flows; f++) s->n_slots += m->flows[f].n_rings + 1;
}

int sim_result_init(struct rep_result *res, const struct sim_shape *s)
{
    memset(res, 0, sizeof *res);
    res->kpi = calloc((size_t)s->n_kpi, sizeof *res->kpi);
    res->series = calloc((size_t)s->n_snap * s->n_slots * SERIES_COLS, sizeof *res->series);
    res->wait_hist = calloc((size_t)s->n_slots * WAIT_BINS, sizeof *res->wait_hist);
    if (!res->kpi || !res->series || !res->wait_hist) {
        sim_result_fini(res);
        return -1;
    }
    return 0;
}

void sim_result_fini(struct rep_result *res)
{
    free(res->kpi);
    free(res->series);
    free(res->wait_hist);
    sbuf_free(&res->panel);
    sbuf_free(&res->events);
    memset(res, 0, sizeof *res);
}

struct sim_workspace *sim_workspace_create(const struct model *m)
{
    struct sim_workspace *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    sim_shape_of(m, &w->shape);
    if (rep_init(&w->r, m) != 0) {
        free(w);
        return NULL;
    }
    return w;
}

void sim_workspace_destroy(struct sim_workspace *w)
{
    if (!w) return;
    rep_fini(&w->r);
    free(w);
}

/* ---- RBS --------------------------------------------------------------- */

static void rbs_record(struct rep *r, uint32_t ci)
{
    if (!r->panel) return;
    const struct model *m = r->m;
    const struct citizen *c = &r->pop.c[ci];
    char date[11];
    caldate_format(m->start_day + (int32_t)floor(r->t * DAYS_PER_YEAR + 1e-9), date);
    sbuf_printf(r->panel, "%u,%s,%.6f", ci + 1, date, r->t);
    for (int f = 0; f < m->n_flows; f++)
        sbuf_printf(r->panel, ",%s", model_state_id(&m->flows[f], c->state[f]));
    for (int d = 0; d < m->n_dims; d++) sbuf_printf(r->panel, ",%d", c->level[d]);
    sbuf_printf(r->panel, ",%.4f,%d\n", pop_age(c, r->t), c->female ? 1 : 0);
}

static void rbs_baseline(struct rep *r, uint32_t ci)
{
    struct citizen_cold *cc = pop_cold(&r->pop, ci);
    cc->baseline = pop_pack_levels(r->pop.c[ci].level);
    cc->has_baseline = true;
    rbs_record(r, ci);
    if (rep_rbs_followups(r))
        rep_schedule(r, r->t + r->m->rbs_interval_months / 12.0, EV_RBS, 0, ci, 0);
}

/* ---- citizens enter ----------------------------------------------------- */

static void draw_levels(struct rep *r, gsl_rng *g, struct citizen *c, double mean_level)
{
    for (int d = 0; d < r->m->n_dims; d++)
        c->level[d] = (uint8_t)rngs_binomial(g, mean_level / MODEL_LEVEL_MAX, MODEL_LEVEL_MAX);
}

static void set_alive(struct rep *r, int delta)
{
    r->n_alive += delta;
    stats_tw_set(&r->st, &r->st.alive, r->t, r->n_alive);
}

/* How far a need score lies from a band: 0 inside (lo <= s < hi, the top
 * band holding 4.0 too), else 1 + the distance, so that a score on an open
 * upper bound never ties with the scores inside (docs/model.md). */
static double band_distance(const struct ring *ring, double s)
{
    bool top = ring->need_hi >= (double)MODEL_LEVEL_MAX;
    if (s < ring->need_lo) return 1.0 + (ring->need_lo - s);
    if (s > ring->need_hi || (s == ring->need_hi && !top)) return 1.0 + (s - ring->need_hi);
    return 0.0;
}

struct cand { double key; uint32_t pos; uint32_t ci; };

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Building millions of initial citizens takes seconds: look at the stop
 * flag every this many. */
#define STOP_CHECK_MASK 65535u

static bool stop_requested(const volatile sig_atomic_t *stop) { return interrupt_seen(stop); }

/* Fills the rings of a further flow at t = 0 (docs/model.md): innermost first,
 * each ring's `initial` drawn at random among the unplaced whose score lies
 * in its band, then the nearest. That is a shuffle, then a stable sort by
 * distance: those in the band (distance 0) come first in shuffled order, so
 * only the others are sorted, and only when the band holds too few. The
 * scores are read once, in shuffled order, into an array that shrinks with
 * the unplaced (order[i] = POP_NIL once placed): each ring's pass is then
 * sequential, not a cache miss per citizen and ring in a large population.
 * 0, -1 when out of memory, 1 when stopped. */
static int place_initial_flow(struct rep *r, int f, uint32_t n, const volatile sig_atomic_t *stop)
{
    const struct model *m = r->m;
    const struct flow *fl = &m->flows[f];
    if (n == 0) return 0;                  /* nobody to place (and GSL's shuffle needs n > 0) */
    uint32_t *order = malloc((size_t)n * sizeof *order);
    double *score = malloc((size_t)n * sizeof *score);
    struct cand *cand = malloc((size_t)n * sizeof *cand);
    int rc = 0;
    if (!order || !score || !cand) { rc = -1; goto done; }
    for (uint32_t i = 0; i < n; i++) order[i] = i;
    gsl_ran_shuffle(r->rng.r[RNG_INIT], order, n, sizeof *order);
    for (uint32_t i = 0; i < n; i++) score[i] = model_need_score(m, r->pop.c[order[i]].level);
    uint32_t n_free = n;
    for (int k = 0; k < fl->n_rings; k++) {
        if (stop_requested(stop)) { rc = 1; goto done; }
        const struct ring *ring = &fl->rings[k];
        uint32_t want = (uint32_t)ring->initial, taken = 0, nc = 0;
        for (uint32_t i = 0; i < n_free; i++) {
            double key = band_distance(ring, score[i]);
            if (key == 0.0) {
                if (taken < want) {
                    r->pop.c[order[i]].state[f] = (int8_t)k;
                    order[i] = POP_NIL;
                    taken++;
                }
            } else {
                cand[nc++] = (struct cand){ key, i, order[i] };
            }
        }
        if (taken < want) {
            qsort(cand, nc, sizeof *cand, cand_cmp);
            for (uint32_t i = 0; i < nc && taken < want; i++, taken++) {
                r->pop.c[cand[i].ci].state[f] = (int8_t)k;
                order[cand[i].pos] = POP_NIL;
            }
        }
        /* Keep the shuffled order of those left. */
        uint32_t w = 0;
        for (uint32_t i = 0; i < n_free; i++)
            if (order[i] != POP_NIL) {
                order[w] = order[i];
                score[w++] = score[i];
            }
        n_free = w;
    }
done:
    free(order);
    free(score);
    free(cand);
    return rc;
}

/* 0, -1 when out of memory, 1 when stopped. */
static int create_initial(struct rep *r, const volatile sig_atomic_t *stop)
{
    const struct model *m = r->m;
    gsl_rng *g = r->rng.r[RNG_INIT];
    const struct flow *f0 = &m->flows[0];
    const uint32_t n = (uint32_t)m->initial;
    int ring = 0, left = f0->n_rings > 0 ? f0->rings[0].initial : 0;
    for (uint32_t i = 0; i < n; i++) {
        if ((i & STOP_CHECK_MASK) == 0 && stop_requested(stop)) return 1;
        uint32_t ci = pop_add(&r->pop, m, &r->rng);
        if (ci == POP_NIL) return -1;
        struct citizen *c = &r->pop.c[ci];
        struct citizen_cold *cc = pop_cold(&r->pop, ci);
        cc->t_arrival = -1.0;
        c->age0 = rngs_truncnorm_draw(g, &r->mc->age_initial);
        c->female = rngs_uniform(g) < m->female_share;
        c->in_flow = 1u;            /* further flows: see below */
        cc->intake_done = true;
        /* The first flow's rings take citizens in order, so levels come from
         * the ring (docs/model.md). */
        while (ring < f0->n_rings && left == 0)
            if (++ring < f0->n_rings) left = f0->rings[ring].initial;
        c->state[0] = (int8_t)ring;
        if (ring < f0->n_rings) left--;
        draw_levels(r, g, c, ring < f0->n_rings ? f0->rings[ring].initial_mean_level
                                                : f0->none_initial_mean_level);
    }
    for (int f = 1; f < m->n_flows; f++) {
        int rc = place_initial_flow(r, f, n, stop);
        if (rc != 0) return rc;
    }
    for (uint32_t ci = 0; ci < n; ci++) {
        if ((ci & STOP_CHECK_MASK) == 0 && stop_requested(stop)) return 1;
        struct citizen *c = &r->pop.c[ci];
        /* An initial citizen takes part in a further flow if and only if it
         * holds a ring of it at t = 0 (docs/model.md). */
        for (int f = 1; f < m->n_flows; f++)
            if (c->state[f] < m->flows[f].n_rings) c->in_flow |= (uint8_t)(1u << f);
        for (int f = 0; f < m->n_flows; f++) {
            const struct flow *fl = &m->flows[f];
            int s = c->state[f];
            r->occ[rep_slot(r, f, s)]++;
            stats_occ_add(&r->st, rep_slot(r, f, s), 0.0, +1);
            if (s == fl->n_rings) continue;
            if (r->events) rep_log(r, ci, "initial", fl->id, "none", model_state_id(fl, s));
            struct citizen_flow *cf = pop_flow(&r->pop, ci, f);
            cf->first_ring = (int8_t)s;
            c->placed_once = true;
            double limit = fl->rings[s].max_stay_years;
            if (limit > 0.0) {
                /* Already stayed a time uniform on [0, limit). */
                double stayed = limit * rngs_uniform(g);
                cf->entered = -stayed;
                rep_schedule(r, limit - stayed, EV_STAY_LIMIT, f, ci, cf->move_stamp);
            }
        }
    }
    set_alive(r, (int)n);
    for (uint32_t ci = 0; ci < n; ci++) {
        if ((ci & STOP_CHECK_MASK) == 0 && stop_requested(stop)) return 1;
        rep_draw_exit(r, ci);
        rbs_baseline(r, ci);
        rep_hazards_draw(r, ci);
    }
    return r->oom ? -1 : 0;
}

/* Next arrival after t: inverts the integrated piecewise-constant rate
 * (arrivals_by_year changes it at calendar-year starts, a plan at its
 * dates). */
static double next_arrival(struct rep *r, double t)
{
    double e = gsl_ran_exponential(r->rng.r[RNG_ARRIVAL], 1.0);
    while (t < r->horizon) {
        const struct model *m = model_at(r->base, t);
        double rate = model_arrival_rate(m, t);
        double seg_end = m->n_arrivals_by_year > 0
                             ? model_year_start_t(m, model_year_of(m, t) + 1)
                             : INFINITY;
        seg_end = fmin(seg_end, model_next_change_t(r->base, t));
        if (!(seg_end > t)) seg_end = t + 1e-9;   /* guards rounding at a boundary */
        if (rate > 0.0 && rate * (seg_end - t) >= e) return t + e / rate;
        if (rate > 0.0) e -= rate * (seg_end - t);
        t = seg_end;
    }
    return INFINITY;
}

static void on_arrival(struct rep *r)
{
    const struct model *m = r->m;
    gsl_rng *g = r->rng.r[RNG_ARRIVAL];
    uint32_t ci = pop_add(&r->pop, m, &r->rng);
    if (ci == POP_NIL) { r->oom = true; return; }
    struct citizen *c = &r->pop.c[ci];
    double age = rngs_truncnorm_draw(g, &r->mc->age_arrival);
    c->age0 = age - r->t;
    pop_cold(&r->pop, ci)->t_arrival = r->t;
    c->female = rngs_uniform(g) < m->female_share;
    draw_levels(r, g, c, m->arrival_mean_level);
    c->in_flow = 1u;
    for (int f = 1; f < m->n_flows; f++)
        if (rngs_uniform(g) < m->work_participation) c->in_flow |= (uint8_t)(1u << f);
    for (int f = 0; f < m->n_flows; f++) {
        int s = rep_slot(r, f, m->flows[f].n_rings);
        pop_flow(&r->pop, ci, f)->entered = r->t;
        r->occ[s]++;
        stats_occ_add(&r->st, s, r->t, +1);
    }
    set_alive(r, +1);
    if (r->st.counting) r->st.arrivals++;
    if (r->events) rep_log(r, ci, "arrival", "", "", "");
    rep_schedule(r, next_arrival(r, r->t), EV_ARRIVAL, 0, 0, 0);
    rep_draw_exit(r, ci);
    if (age >= m->retirement_age) {          /* leaves at once (docs/model.md) */
        rep_hazards_draw(r, ci);
        return;
    }
    policy_visit_request(r, ci, c->in_flow);
    rep_hazards_draw(r, ci);
}

/* ---- handlers ------------------------------------------------------------ */

static void on_assessed(struct rep *r, uint32_t ci)
{
    const struct model *m = r->m;
    struct citizen *c = &r->pop.c[ci];
    struct citizen_cold *cc = pop_cold(&r->pop, ci);
    cc->assessing = false;
    r->vq.busy--;
    uint8_t mask = cc->visit_flows;
    cc->visit_flows = 0;
    double score = model_need_score(m, c->level);
    if (!cc->intake_done) {
        cc->intake_done = true;
        if (cc->t_arrival >= m->warmup_years) {
            r->st.decision_sum += r->t - cc->t_arrival;
            r->st.n_decisions++;
        }
        if (r->events) rep_log(r, ci, "assessed", "", "", "");
        for (int f = 0; f < m->n_flows; f++)
            if (mask & (1u << f))
                policy_place(r, ci, f, model_band_ring(&m->flows[f], score), CAUSE_INTAKE);
        rbs_baseline(r, ci);
    } else {
        /* Re-visitation after a stay limit: only the flows whose expired
         * ring the citizen still holds (docs/model.md). */
        for (int f = 0; f < m->n_flows; f++) {
            if (!(mask & (1u << f))) continue;
            struct citizen_flow *cf = pop_flow(&r->pop, ci, f);
            int expired = cf->expired;
            cf->expired = POP_NO_RING;
            if (expired == POP_NO_RING || c->state[f] != expired) continue;
            int target = model_band_ring(&m->flows[f], score);
            if (target == expired) target++;          /* one ring outward */
            policy_place(r, ci, f, target, CAUSE_STAY_LIMIT);
        }
    }
    policy_visit_start(r);
    rep_hazards_update(r, ci);
}

/* Picks index k with probability w[k] / total (total = sum of w > 0).
 * Rounding can leave u past the end: then the last positive weight wins. */
static int pick_weighted(gsl_rng *g, const double *w, int n, double total)
{
    double u = rngs_uniform(g) * total;
    int last = 0;
    for (int k = 0; k < n; k++) {
        if (w[k] <= 0.0) continue;
        if (u < w[k]) return k;
        u -= w[k];
        last = k;
    }
    return last;
}

static void transition(struct rep *r, uint32_t ci, int f)
{
    const struct model *m = r->m;
    const struct flow *fl = &m->flows[f];
    struct citizen *c = &r->pop.c[ci];
    int s = c->state[f];
    int k0 = fl->move_start[s], n = fl->move_start[s + 1] - k0;
    double w[MODEL_MAX_RINGS + 1], total = 0.0;
    const int code = rep_level_code(m, c);
    const double t_rates = rep_rates_t(r, ci);
    for (int k = 0; k < n; k++) {
        w[k] = m->moves[k0 + k].per_year * rep_covariate_factor(m, k0 + k, c, code, t_rates);
        total += w[k];
    }
    int to = m->moves[k0 + pick_weighted(rngs_citizen(&r->rng, c->rng_state), w, n, total)].to;
    /* A move into a full ring puts the citizen on its list and leaves it
     * where it is; transitions get no interim placement (docs/model.md). */
    if (policy_admit(r, ci, f, to))
        policy_enter_now(r, ci, f, to, CAUSE_TRANSITION);
    else
        policy_request(r, ci, f, to, CAUSE_TRANSITION);
}

static void develop(struct rep *r, uint32_t ci)
{
    const struct model *m = r->m;
    struct citizen *c = &r->pop.c[ci];
    double imp, wor, w[2 * MODEL_MAX_DIMS];
    rep_develop_rates(m, c, &imp, &wor);
    for (int d = 0; d < m->n_dims; d++) {
        w[2 * d] = c->level[d] > 0 ? imp : 0.0;
        w[2 * d + 1] = c->level[d] < MODEL_LEVEL_MAX ? wor : 0.0;
    }
    int k = pick_weighted(rngs_citizen(&r->rng, c->rng_state), w, 2 * m->n_dims,
                          rep_develop_total(m, c, imp, wor));
    int d = k / 2, before = c->level[d];
    c->level[d] = (uint8_t)(before + (k % 2 ? 1 : -1));
    pop_rates_changed(c);
    if (r->events) {
        char a[4], b[4];
        snprintf(a, sizeof a, "%d", before);
        snprintf(b, sizeof b, "%d", c->level[d]);
        rep_log_development(r, ci, k % 2 ? "worsen" : "improve", m->dims[d], a, b);
    }
}

/* The citizen's next hazard fired: which one is drawn in proportion to the
 * rates it was drawn from (competing exponentials). */
static void on_hazard(struct rep *r, uint32_t ci)
{
    const int n_flows = r->m->n_flows;
    double rate[MODEL_MAX_FLOWS + 1];
    double total = rep_hazard_rates(r, &r->pop.c[ci], rep_rates_t(r, ci), rate, &rate[n_flows]);
    int k = pick_weighted(rngs_citizen(&r->rng, r->pop.c[ci].rng_state), rate, n_flows + 1, total);
    if (k < n_flows) transition(r, ci, k);
    else develop(r, ci);
    rep_hazards_draw(r, ci);              /* the one it had has fired */
}

static void on_stay_limit(struct rep *r, uint32_t ci, int f)
{
    struct citizen *c = &r->pop.c[ci];
    pop_flow(&r->pop, ci, f)->expired = c->state[f];
    if (r->events) {
        const struct flow *fl = &r->m->flows[f];
        const char *s = model_state_id(fl, c->state[f]);
        rep_log(r, ci, "stay_limit_reached", fl->id, s, s);
    }
    policy_visit_request(r, ci, (uint8_t)(1u << f));
    rep_hazards_update(r, ci);
}

static void on_rbs(struct rep *r, uint32_t ci)
{
    const struct model *m = r->m;
    struct citizen *c = &r->pop.c[ci];
    rbs_record(r, ci);
    if (m->reassess == REASSESS_REPLACE) {
        double score = model_need_score(m, c->level);
        for (int f = 0; f < m->n_flows; f++)
            if (c->in_flow & (1u << f))
                policy_place(r, ci, f, model_band_ring(&m->flows[f], score), CAUSE_REASSESS);
    }
    if (rep_rbs_followups(r))
        rep_schedule(r, r->t + m->rbs_interval_months / 12.0, EV_RBS, 0, ci, 0);
    rep_hazards_update(r, ci);
}

static void on_exit(struct rep *r, uint32_t ci, int cause)
{
    static const char *const name[] = { "death", "retirement", "moved_away" };
    if (r->st.counting) {
        if (cause == EXIT_DEATH) r->st.deaths++;
        else if (cause == EXIT_RETIREMENT) r->st.retirements++;
        else r->st.other_exits++;
    }
    if (r->events) rep_log(r, ci, name[cause], "", "", "");
    /* Its keyed event was this exit: nothing of it is left in the queue. */
    policy_exit(r, ci);
    set_alive(r, -1);
}

static void on_snapshot(struct rep *r, int k, float *series, int n_slots)
{
    const struct model *m = r->m;
    float *row = series + (size_t)k * n_slots * SERIES_COLS;
    for (int f = 0; f < m->n_flows; f++) {
        const struct flow *fl = &m->flows[f];
        for (int s = 0; s <= fl->n_rings; s++) {
            int slot = rep_slot(r, f, s);
            double spend = 0.0;
            if (s < fl->n_rings) {
                const struct ring *ring = &fl->rings[s];
                spend = ring->fixed_cost_per_year + ring->variable_cost_per_year * r->occ[slot];
            }
            row[slot * SERIES_COLS + SERIES_OCC] = (float)r->occ[slot];
            row[slot * SERIES_COLS + SERIES_WL] = (float)r->wl[slot].len;
            row[slot * SERIES_COLS + SERIES_SPEND] = (float)spend;
        }
    }
}

/* ---- end of run ---------------------------------------------------------- */

static void finish(struct rep *r)
{
    const struct model *m = r->m;
    struct rep_stats *st = &r->st;
    policy_budget_flush(r);
    stats_mark(st, r->horizon);
    uint32_t placed[MODEL_MAX_FLOWS] = { 0 }, outward[MODEL_MAX_FLOWS] = { 0 };
    double change[MODEL_MAX_DIMS] = { 0 };
    uint32_t n_base = 0;
    for (uint32_t ci = 0; ci < r->pop.n; ci++) {
        const struct citizen *c = &r->pop.c[ci];
        if (!c->alive) continue;
        for (int f = 0; f < m->n_flows; f++) {
            const struct citizen_flow *cf = pop_flow(&r->pop, ci, f);
            if (cf->wait_ring != POP_NO_RING &&
                stats_wait_censored(st, rep_slot(r, f, cf->wait_ring), cf->wait_since, r->horizon,
                                    true) != 0)
                r->oom = true;
            if (cf->first_ring == POP_NO_RING) continue;
            placed[f]++;
            outward[f] += c->state[f] > cf->first_ring;
        }
        const struct citizen_cold *cc = pop_cold(&r->pop, ci);
        if (cc->has_baseline) {
            n_base++;
            for (int d = 0; d < m->n_dims; d++)
                change[d] += c->level[d] - pop_packed_level(cc->baseline, d);
        }
    }
    st->end_size = r->n_alive;
    for (int f = 0; f < m->n_flows; f++)
        st->outward_share[f] = placed[f] ? (double)outward[f] / placed[f] : NAN;
    for (int d = 0; d < m->n_dims; d++) st->level_change[d] = n_base ? change[d] / n_base : NAN;
    stats_finish(st);
}

static void wait_histogram(const struct rep_stats *st, uint32_t *hist)
{
    memset(hist, 0, (size_t)st->n_slots * WAIT_BINS * sizeof *hist);
    for (int s = 0; s < st->n_slots; s++)
        for (size_t i = 0; i < st->slot[s].n_waits; i++) {
            double days = st->slot[s].waits[i] * DAYS_PER_YEAR;
            int bin = days <= 0.0 ? 0 : 1 + (int)fmin(ceil(days / WAIT_BIN_DAYS) - 1, WAIT_BINS - 2);
            hist[s * WAIT_BINS + bin]++;
        }
}

/* ---- clock ticks ---------------------------------------------------------
 * Snapshots (by index: no drift) and marks (warm-up end, calendar-year
 * starts) come at fixed times and move no citizen, so they are not queued:
 * the loop takes every tick due at or before an event's time before that
 * event, and the rest up to the horizon after the last one. At one time a
 * snapshot comes first, then the warm-up mark, then the year's. */
struct ticks {
    int snap;                  /* next snapshot index */
    bool warmup;               /* warm-up mark still due */
    int year;                  /* next calendar-year start (index) */
    double next_t;             /* time of the earliest tick due */
};

static double snap_time(const struct sim_workspace *w, int k)
{
    return fmin(k * w->shape.snap_dt, w->r.horizon);
}

static void ticks_next(const struct sim_workspace *w, struct ticks *k)
{
    double t = INFINITY;
    if (k->snap < w->shape.n_snap) t = snap_time(w, k->snap);
    if (k->warmup) t = fmin(t, w->r.m->warmup_years);
    if (k->year < w->r.st.n_years && w->r.st.year_start[k->year] < w->r.horizon)
        t = fmin(t, w->r.st.year_start[k->year]);
    k->next_t = t;
}

static void ticks_start(const struct sim_workspace *w, struct ticks *k)
{
    k->snap = 0;
    k->warmup = w->r.m->warmup_years > 0.0 && w->r.m->warmup_years < w->r.horizon;
    k->year = 1;
    ticks_next(w, k);
}

static void mark(struct rep *r)
{
    policy_budget_flush(r);           /* time in the rule's state, old year */
    stats_mark(&r->st, r->t);
    policy_budget_new_year(r);
}

/* Takes every tick due at or before t, in time order. */
static void ticks_take(struct sim_workspace *w, struct ticks *k, double t, float *series)
{
    struct rep *r = &w->r;
    while (k->next_t <= t) {
        r->t = k->next_t;
        if (k->snap < w->shape.n_snap && snap_time(w, k->snap) == r->t) {
            on_snapshot(r, k->snap++, series, w->shape.n_slots);
        } else if (k->warmup && r->m->warmup_years == r->t) {
            k->warmup = false;
            mark(r);
        } else {
            k->year++;
            mark(r);
        }
        ticks_next(w, k);
    }
}

/* Starts loading the citizen record and queue key of the event that will
 * probably come next (the earliest queued now; the handler may queue an
 * earlier one) while this one is handled: at large populations those are
 * cache misses in hundreds of MB, and they dominated the cost per event.
 * Both lines of its record (hot fields, and its part in the first two
 * flows), and its cold record for the kinds that read it. */
static inline void prefetch_next(struct rep *r)
{
    const struct event *nx = evq_peek(&r->q);
    if (!nx || nx->who >= r->pop.n) return;
    __builtin_prefetch(&r->pop.c[nx->who]);
    __builtin_prefetch(pop_flow(&r->pop, nx->who, 0));
    if (nx->who < r->q.n_keys) __builtin_prefetch(&r->q.pos[nx->who]);   /* its next set */
    if (nx->kind == EV_EXIT || nx->kind == EV_ASSESSED)          /* they read its cold record */
        __builtin_prefetch(pop_cold(&r->pop, nx->who));
}

int sim_run(struct sim_workspace *w, uint32_t replication, bool want_panel,
            bool want_events, struct rep_result *res, struct err *e)
{
    struct rep *r = &w->r;
    rep_reset(r, replication);
    r->panel = want_panel ? &res->panel : NULL;
    r->events = want_events ? &res->events : NULL;

    int built = create_initial(r, w->stop);
    if (built < 0) goto oom;
    if (built > 0) return err_set(e, EXIT_RUNTIME, "interrupted");
    policy_budget_start(r);
    struct ticks ticks;
    ticks_start(w, &ticks);
    rep_schedule(r, next_arrival(r, 0.0), EV_ARRIVAL, 0, 0, 0);
    for (int i = 0; i < r->base->n_changes; i++)
        rep_schedule(r, r->base->changes[i].t, EV_CHANGE, 0, (uint32_t)i, 0);

    struct event ev;
    w->heap_peak = 0;
    while (!r->oom && evq_pop(&r->q, &ev)) {
        if (evq_size(&r->q) >= w->heap_peak) w->heap_peak = evq_size(&r->q) + 1;
        /* A few thousand events take well under a millisecond. */
        if ((r->n_events & 4095) == 0 && interrupt_seen(w->stop))
            return err_set(e, EXIT_RUNTIME, "interrupted");
        if (ev.t > r->horizon) break;
        if (ev.t >= ticks.next_t) ticks_take(w, &ticks, ev.t, res->series);
        r->t = ev.t;
        struct citizen *c = ev.kind != EV_ARRIVAL && ev.kind != EV_CHANGE ? &r->pop.c[ev.who] : NULL;
        if (c && !c->alive) continue;
        prefetch_next(r);
        switch ((enum ev_kind)ev.kind) {
        case EV_ARRIVAL: on_arrival(r); break;
        case EV_ASSESSED:
            if (!pop_cold(&r->pop, ev.who)->assessing) continue;
            on_assessed(r, ev.who);
            break;
        case EV_HAZARD:
            if (!rep_keyed_live(c, &ev)) continue;             /* superseded */
            on_hazard(r, ev.who);
            break;
        case EV_STAY_LIMIT:
            if (ev.stamp != pop_flow(&r->pop, ev.who, ev.flow)->move_stamp) continue;   /* moved since */
            on_stay_limit(r, ev.who, ev.flow);
            break;
        case EV_RBS: on_rbs(r, ev.who); break;
        case EV_EXIT:
            if (!rep_keyed_live(c, &ev)) continue;
            on_exit(r, ev.who, ev.flow);
            break;
        case EV_CHANGE: plan_switch(r, (int)ev.who); break;
        }
        r->n_events++;
    }
    if (r->oom || r->q.failed) goto oom;
    ticks_take(w, &ticks, r->horizon, res->series);
    r->t = r->horizon;
    finish(r);
    if (r->oom) goto oom;
    stats_kpi_values(&r->st, res->kpi);
    wait_histogram(&r->st, res->wait_hist);
    res->n_events = r->n_events;
    if (res->panel.failed || res->events.failed) goto oom;
    return 0;
oom:
    return err_set(e, EXIT_RUNTIME, "out of memory in replication %u", replication + 1);
}

void sim_panel_header(const struct model *m, struct sbuf *b)
{
    sbuf_printf(b, "id,date,t");
    for (int f = 0; f < m->n_flows; f++) sbuf_printf(b, ",%s", m->flows[f].id);
    for (int d = 0; d < m->n_dims; d++) sbuf_printf(b, ",%s", m->dims[d]);
    sbuf_printf(b, ",age,female\n");
}

void sim_events_header(struct sbuf *b)
{
    sbuf_printf(b, "date,t,citizen,event,flow,dimension,from,to\n");
}
