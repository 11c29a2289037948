/* policy.c: placement, waiting lists, interim, visitation queue, budget.
 *
 * Invariants: r->occ[slot] counts the living citizens whose state is that
 * slot; a ring's list holds exactly the living citizens whose wait_ring in
 * that flow is the ring, linked through wl_next/wl_prev in request order;
 * a move never takes a ring above its capacity. The assert()s below check
 * them in the debug and sanitizer builds (the plain build has NDEBUG). */
#include "engine/policy.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rngs.h"

static const char *const cause_name[] = {
    [CAUSE_INTAKE] = "intake", [CAUSE_TRANSITION] = "transition",
    [CAUSE_STAY_LIMIT] = "stay_limit", [CAUSE_REASSESS] = "reassess",
    [CAUSE_INTERIM] = "interim", [CAUSE_INITIAL] = "initial",
};

/* Citizen ci's part in flow f: its wait, list links and times there. */
static struct citizen_flow *fl_of(const struct rep *r, uint32_t ci, int f) { return pop_flow(&r->pop, ci, f); }

bool policy_has_room(const struct rep *r, int f, int ring)
{
    const struct flow *fl = &r->m->flows[f];
    if (ring >= fl->n_rings) return true;                /* none */
    int cap = fl->rings[ring].capacity;
    return cap == 0 || r->occ[rep_slot(r, f, ring)] < cap;
}

bool policy_budget_allows(const struct rep *r, int f, int ring)
{
    /* Only `freeze` holds anyone back, and only from referral rings while the
     * projection exceeds the budget; `none` and open rings stay open. */
    if (r->m->budget_rule != BUDGET_FREEZE || !r->bud.over) return true;
    const struct flow *fl = &r->m->flows[f];
    return ring >= fl->n_rings || !fl->rings[ring].referral;
}

bool policy_admit(struct rep *r, uint32_t ci, int f, int ring)
{
    if (!policy_has_room(r, f, ring)) return false;
    if (policy_budget_allows(r, f, ring)) return true;
    /* A citizen already waiting for this ring is not deferred again. */
    if (r->st.counting && fl_of(r, ci, f)->wait_ring != ring)
        r->st.deferred_year[r->st.year_idx]++;
    return false;
}

/* ---- budget rule (docs/model.md) ------------------------------------------------
 * spent + committed = spent(t_acc) + rate * (year_end - t_acc), where rate =
 * fixed + variable cost of the current occupants: constant while the rate
 * is, so the state `over` can change only when occupancy changes or a
 * calendar year begins, and it is exact at those moments. */

static double slot_var_cost(const struct model *m, int f, int s)
{
    const struct flow *fl = &m->flows[f];
    return s < fl->n_rings ? fl->rings[s].variable_cost_per_year : 0.0;
}

/* Time spent in state `over` since the last account, into the calendar
 * year's days (KPI window only). */
static void budget_account(struct rep *r)
{
    struct budget_state *b = &r->bud;
    if (b->over && r->st.counting && r->t > b->over_since)
        r->st.frozen_days_year[r->st.year_idx] += (r->t - b->over_since) * DAYS_PER_YEAR;
    b->over_since = r->t;
}

static void budget_eval(struct rep *r)
{
    struct budget_state *b = &r->bud;
    double rate = b->fixed_per_year + b->var_per_year;
    /* A plan may take the budget away (0 = none) for a while. */
    bool over = b->budget > 0.0 && b->spent + rate * (b->year_end - b->t_acc) > b->budget;
    if (over == b->over) return;
    budget_account(r);
    b->over = over;
    if (!over && r->m->budget_rule == BUDGET_FREEZE) b->refill_due = true;
}

/* Occupancy of state slot (f, s) changes by delta now. */
static void budget_occ(struct rep *r, int f, int s, int delta)
{
    struct budget_state *b = &r->bud;
    if (!b->active) return;
    double c = slot_var_cost(r->m, f, s);
    if (c == 0.0) return;
    b->spent += (b->fixed_per_year + b->var_per_year) * (r->t - b->t_acc);
    b->t_acc = r->t;
    b->var_per_year += c * delta;
    budget_eval(r);
}

/* After a freeze ends: lets the lists in while places are free and the
 * budget allows, until a pass moves no one (each move shortens a list, so
 * this ends). Moves made here may start the freeze again, which stops it. */
static void budget_refill(struct rep *r)
{
    struct budget_state *b = &r->bud;
    if (!b->refill_due || b->refilling || b->over) return;
    b->refilling = true;
    bool moved;
    do {
        moved = false;
        b->refill_due = false;
        for (int f = 0; f < r->m->n_flows && !b->over; f++)
            for (int k = 0; k < r->m->flows[f].n_rings && !b->over; k++) {
                int len = r->wl[rep_slot(r, f, k)].len;
                if (len == 0) continue;
                policy_fill(r, f, k);
                moved |= r->wl[rep_slot(r, f, k)].len != len;
            }
    } while (moved && !b->over);
    b->refill_due = false;
    b->refilling = false;
}

static void budget_recount(struct rep *r)
{
    struct budget_state *b = &r->bud;
    b->var_per_year = 0.0;
    for (int f = 0; f < r->m->n_flows; f++)
        for (int s = 0; s < r->m->flows[f].n_rings; s++)
            b->var_per_year += slot_var_cost(r->m, f, s) * r->occ[rep_slot(r, f, s)];
}

/* Budget of the calendar year `year`, pro rata for the part after t = 0,
 * following a plan's changes of budget.annual. */
static double year_budget(const struct model *m, int year)
{
    double t0 = model_year_start_t(m, year), t1 = model_year_start_t(m, year + 1);
    return model_budget_share(m, t0, t1, t0 < 0.0 ? 0.0 : t0, t1);
}

void policy_budget_start(struct rep *r)
{
    const struct model *m = r->m;
    struct budget_state *b = &r->bud;
    memset(b, 0, sizeof *b);
    b->active = model_has_budget(m);
    if (!b->active) return;
    int year = model_year_of(m, 0.0);
    b->fixed_per_year = model_fixed_cost_per_year(m) + m->caseworker_cost_per_year * m->caseworkers;
    b->year_end = model_year_start_t(m, year + 1);
    b->budget = year_budget(m, year);
    budget_recount(r);
    b->over = b->budget > 0.0 &&
              b->spent + (b->fixed_per_year + b->var_per_year) * b->year_end > b->budget;
}

void policy_budget_flush(struct rep *r)
{
    if (r->bud.active) budget_account(r);
}

void policy_budget_new_year(struct rep *r)
{
    struct budget_state *b = &r->bud;
    if (!b->active || r->t < b->year_end) return;
    int year = model_year_of(r->m, r->t);
    b->spent = 0.0;
    b->t_acc = r->t;
    b->year_end = model_year_start_t(r->m, year + 1);
    b->budget = year_budget(r->base, year);
    budget_recount(r);              /* no drift from the running sum */
    budget_eval(r);
    budget_refill(r);
}

void policy_budget_switch(struct rep *r)
{
    struct budget_state *b = &r->bud;
    if (!b->active) return;
    b->spent += (b->fixed_per_year + b->var_per_year) * (r->t - b->t_acc);
    b->t_acc = r->t;
    b->fixed_per_year = model_fixed_cost_per_year(r->m) +
                        r->m->caseworker_cost_per_year * r->m->caseworkers;
    budget_recount(r);
    budget_eval(r);
    budget_refill(r);
}

/* ---- waiting lists ------------------------------------------------------ */

static void wl_push(struct rep *r, int f, int ring, uint32_t ci)
{
    struct wlist *w = &r->wl[rep_slot(r, f, ring)];
    struct citizen_flow *cf = fl_of(r, ci, f);
    /* On no list of this flow yet: one wait per flow. */
    assert(cf->wait_ring == POP_NO_RING && cf->wl_next == POP_NIL && cf->wl_prev == POP_NIL);
    assert(w->tail == POP_NIL || fl_of(r, w->tail, f)->wl_next == POP_NIL);
    cf->wl_prev = w->tail;
    cf->wl_next = POP_NIL;
    if (w->tail != POP_NIL) fl_of(r, w->tail, f)->wl_next = ci;
    else w->head = ci;
    w->tail = ci;
    w->len++;
}

static void wl_remove(struct rep *r, int f, int ring, uint32_t ci)
{
    struct wlist *w = &r->wl[rep_slot(r, f, ring)];
    struct citizen_flow *cf = fl_of(r, ci, f);
    /* A member of exactly this list: its neighbours (or the ends) point at it. */
    assert(cf->wait_ring == ring && w->len > 0);
    assert(cf->wl_prev == POP_NIL ? w->head == ci : fl_of(r, cf->wl_prev, f)->wl_next == ci);
    assert(cf->wl_next == POP_NIL ? w->tail == ci : fl_of(r, cf->wl_next, f)->wl_prev == ci);
    if (cf->wl_prev != POP_NIL) fl_of(r, cf->wl_prev, f)->wl_next = cf->wl_next;
    else w->head = cf->wl_next;
    if (cf->wl_next != POP_NIL) fl_of(r, cf->wl_next, f)->wl_prev = cf->wl_prev;
    else w->tail = cf->wl_prev;
    cf->wl_next = cf->wl_prev = POP_NIL;
    w->len--;
}

/* The citizen a freed place goes to: the head (fifo), or the highest need
 * score read now, the earliest request among equals (need). */
static uint32_t wl_pick(const struct rep *r, int f, int ring)
{
    const struct wlist *w = &r->wl[rep_slot(r, f, ring)];
    if (r->m->waiting_list == WL_FIFO || w->head == POP_NIL) return w->head;
    uint32_t best = w->head;
    double best_score = -1.0;
    for (uint32_t ci = w->head; ci != POP_NIL; ci = fl_of(r, ci, f)->wl_next) {
        double s = model_need_score(r->m, r->pop.c[ci].level);
        if (s > best_score) { best_score = s; best = ci; }
    }
    return best;
}

static void wait_end(struct rep *r, uint32_t ci, int f)
{
    struct citizen_flow *cf = fl_of(r, ci, f);
    int ring = cf->wait_ring;
    wl_remove(r, f, ring, ci);
    if (stats_wl_add(&r->st, rep_slot(r, f, ring), r->t, -1) != 0) r->oom = true;
    cf->wait_ring = POP_NO_RING;
}

void policy_cancel_wait(struct rep *r, uint32_t ci, int f)
{
    const struct citizen_flow *cf = fl_of(r, ci, f);
    int ring = cf->wait_ring;
    if (ring == POP_NO_RING) return;
    if (stats_wait_censored(&r->st, rep_slot(r, f, ring), cf->wait_since, r->t, false) != 0)
        r->oom = true;
    wait_end(r, ci, f);
    if (r->events) {
        const struct flow *fl = &r->m->flows[f];
        rep_log(r, ci, "wait_cancel", fl->id, model_state_id(fl, r->pop.c[ci].state[f]),
                model_state_id(fl, ring));
    }
}

void policy_request(struct rep *r, uint32_t ci, int f, int ring, enum move_cause cause)
{
    struct citizen_flow *cf = fl_of(r, ci, f);
    if (cf->wait_ring == ring) return;     /* already waiting: keep its time */
    policy_cancel_wait(r, ci, f);
    wl_push(r, f, ring, ci);
    if (stats_wl_add(&r->st, rep_slot(r, f, ring), r->t, +1) != 0) r->oom = true;
    cf->wait_ring = (int8_t)ring;
    cf->wait_since = r->t;
    cf->wait_cause = (int8_t)cause;
    if (r->events) {
        const struct flow *fl = &r->m->flows[f];
        rep_log(r, ci, "wait", fl->id, model_state_id(fl, r->pop.c[ci].state[f]),
                model_state_id(fl, ring));
    }
}

/* ---- moves -------------------------------------------------------------- */

void policy_move(struct rep *r, uint32_t ci, int f, int to, enum move_cause cause)
{
    const struct model *m = r->m;
    const struct flow *fl = &m->flows[f];
    struct citizen *c = &r->pop.c[ci];
    struct citizen_flow *cf = fl_of(r, ci, f);
    const int from = c->state[f];
    if (from == to) return;

    if (cf->wait_ring == to) {
        /* The wait ends in the ring it was for: the move carries out the
         * request, so it counts as what caused the request. */
        if (stats_wait_done(&r->st, rep_slot(r, f, to), cf->wait_since, r->t) != 0)
            r->oom = true;
        cause = (enum move_cause)cf->wait_cause;
        wait_end(r, ci, f);
    } else if (cause != CAUSE_INTERIM) {
        policy_cancel_wait(r, ci, f);
    }

    int s_from = rep_slot(r, f, from), s_to = rep_slot(r, f, to);
    stats_departure(&r->st, s_from, cf->entered, r->t);
    r->occ[s_from]--;
    r->occ[s_to]++;
    assert(r->occ[s_from] >= 0);
    assert(to >= fl->n_rings || fl->rings[to].capacity == 0 || r->occ[s_to] <= fl->rings[to].capacity);
    stats_occ_add(&r->st, s_from, r->t, -1);
    stats_occ_add(&r->st, s_to, r->t, +1);
    budget_occ(r, f, from, -1);
    budget_occ(r, f, to, +1);
    c->state[f] = (int8_t)to;
    pop_rates_changed(c);
    cf->entered = r->t;
    cf->move_stamp++;

    if (to < fl->n_rings) {
        double limit = fl->rings[to].max_stay_years;
        if (limit > 0.0) rep_schedule(r, r->t + limit, EV_STAY_LIMIT, f, ci, cf->move_stamp);
        if (cf->first_ring == POP_NO_RING) cf->first_ring = (int8_t)to;
        if (!c->placed_once) {              /* the cold record only the first time */
            const struct citizen_cold *cc = pop_cold(&r->pop, ci);
            c->placed_once = true;
            if (cc->t_arrival >= m->warmup_years) {
                r->st.placement_sum += r->t - cc->t_arrival;
                r->st.n_placements++;
            }
        }
    }
    if (r->st.counting &&
        (cause == CAUSE_TRANSITION || cause == CAUSE_STAY_LIMIT || cause == CAUSE_REASSESS)) {
        if (to > from) r->st.prog[f]++;
        else r->st.regr[f]++;
    }
    if (r->events)
        rep_log(r, ci, cause_name[cause], fl->id, model_state_id(fl, from),
                model_state_id(fl, to));
    if (from < fl->n_rings) policy_fill(r, f, from);
    budget_refill(r);
}

void policy_enter_now(struct rep *r, uint32_t ci, int f, int to, enum move_cause cause)
{
    if (to < r->m->flows[f].n_rings &&
        stats_wait_done(&r->st, rep_slot(r, f, to), r->t, r->t) != 0)
        r->oom = true;
    policy_move(r, ci, f, to, cause);
}

void policy_fill(struct rep *r, int f, int ring)
{
    while (r->wl[rep_slot(r, f, ring)].len > 0 && policy_has_room(r, f, ring) &&
           policy_budget_allows(r, f, ring)) {
        uint32_t ci = wl_pick(r, f, ring);
        policy_move(r, ci, f, ring, CAUSE_TRANSITION /* replaced by the wait's cause */);
        /* Moved by someone else's event: its rates are those of the new ring. */
        rep_hazards_update(r, ci);
    }
}

/* Interim (docs/model.md): the nearest ring with room counted from the target,
 * inward or outward; if the citizen's current state comes first, it stays.
 * `none` is no ring: the outward search ends at the outermost ring, and with
 * no room in that direction the citizen stays where it is, on the list. */
static void place_interim(struct rep *r, uint32_t ci, int f, int target)
{
    const int n = r->m->flows[f].n_rings;
    const int cur = r->pop.c[ci].state[f];
    int step = r->m->interim == INTERIM_INNER ? -1 : +1;
    if (r->m->interim == INTERIM_STAY) return;
    for (int k = target + step; k >= 0 && k < n; k += step) {
        if (k == cur) return;
        if (policy_has_room(r, f, k) && policy_budget_allows(r, f, k)) {
            policy_move(r, ci, f, k, CAUSE_INTERIM);
            return;
        }
    }
}

void policy_place(struct rep *r, uint32_t ci, int f, int target, enum move_cause cause)
{
    struct citizen *c = &r->pop.c[ci];
    const struct flow *fl = &r->m->flows[f];
    if (target == c->state[f]) {      /* already where it belongs */
        policy_cancel_wait(r, ci, f);
        return;
    }
    if (r->m->budget_rule == BUDGET_STEP_DOWN && r->bud.over && target < fl->n_rings &&
        fl->rings[target].referral) {
        /* One ring outward of the band; a re-visitation still skips the
         * expired ring, which is the one it holds. */
        target++;
        if (cause == CAUSE_STAY_LIMIT && target == c->state[f] && target < fl->n_rings) target++;
        if (r->st.counting) r->st.stepped_year[r->st.year_idx]++;
        if (target == c->state[f]) {
            policy_cancel_wait(r, ci, f);
            return;
        }
    }
    if (policy_admit(r, ci, f, target)) {
        policy_enter_now(r, ci, f, target, cause);
        return;
    }
    policy_request(r, ci, f, target, cause);
    place_interim(r, ci, f, target);
}

/* ---- visitation ---------------------------------------------------------- */

static int vq_push(struct vqueue *q, uint32_t ci)
{
    if (q->count == q->cap) {
        uint32_t cap = q->cap ? 2 * q->cap : 256;
        uint32_t *buf = malloc((size_t)cap * sizeof *buf);
        if (!buf) return -1;
        for (uint32_t i = 0; i < q->count; i++) buf[i] = q->buf[(q->head + i) % q->cap];
        free(q->buf);
        q->buf = buf;
        q->cap = cap;
        q->head = 0;
    }
    q->buf[(q->head + q->count) % q->cap] = ci;
    q->count++;
    return 0;
}

void policy_visit_start(struct rep *r)
{
    struct vqueue *q = &r->vq;
    while (q->busy < r->m->caseworkers && q->count > 0) {
        uint32_t ci = q->buf[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        struct citizen *c = &r->pop.c[ci];
        struct citizen_cold *cc = pop_cold(&r->pop, ci);
        if (!cc->in_visit_queue) continue;            /* left while queued */
        cc->in_visit_queue = false;
        q->live--;
        cc->assessing = true;
        q->busy++;
        double days = rngs_gamma_mean_sd(rngs_citizen(&r->rng, c->rng_state),
                                         r->m->assess_mean_days, r->m->assess_sd_days);
        rep_schedule(r, r->t + days / DAYS_PER_YEAR, EV_ASSESSED, 0, ci, 0);
    }
    stats_tw_set(&r->st, &r->st.vqueue, r->t, q->live);
    stats_tw_set(&r->st, &r->st.vbusy, r->t, q->busy);
}

void policy_visit_request(struct rep *r, uint32_t ci, uint8_t flow_mask)
{
    struct citizen_cold *cc = pop_cold(&r->pop, ci);
    cc->visit_flows |= flow_mask;
    if (cc->in_visit_queue || cc->assessing) return;   /* joins the pending one */
    if (vq_push(&r->vq, ci) != 0) { r->oom = true; return; }
    cc->in_visit_queue = true;
    r->vq.live++;
    policy_visit_start(r);
}

void policy_exit(struct rep *r, uint32_t ci)
{
    struct citizen *c = &r->pop.c[ci];
    for (int f = 0; f < r->m->n_flows; f++) {
        policy_cancel_wait(r, ci, f);
        int s = rep_slot(r, f, c->state[f]);
        stats_departure(&r->st, s, fl_of(r, ci, f)->entered, r->t);
        r->occ[s]--;
        assert(r->occ[s] >= 0);
        stats_occ_add(&r->st, s, r->t, -1);
        budget_occ(r, f, c->state[f], -1);
    }
    c->alive = false;
    /* Places free at once, in flow order, after the citizen is gone. */
    for (int f = 0; f < r->m->n_flows; f++)
        if (c->state[f] < r->m->flows[f].n_rings) policy_fill(r, f, c->state[f]);
    budget_refill(r);
    struct citizen_cold *cc = pop_cold(&r->pop, ci);
    if (cc->in_visit_queue) {
        cc->in_visit_queue = false;
        r->vq.live--;
    }
    if (cc->assessing) {                   /* an exit frees its caseworker */
        cc->assessing = false;
        r->vq.busy--;
    }
    policy_visit_start(r);
}
