/* test_policy.c: the placement policies (sim/engine/policy.c) driven directly.
 * Each test builds one replication's state from tests/data/policy_rings.cfg
 * (rep_init), puts citizens into states by hand with the occupancy kept
 * consistent, sets the clock and calls policy_* as the event handlers do;
 * then checks occupancy, waiting lists (length and order through wl_next),
 * wait statistics, progression counts and the event queue. After every step
 * check_consistent() verifies the invariants policy.c promises: occupancy per
 * slot equals the living citizens in it, and each list is a well-linked chain
 * of exactly the living citizens waiting for that ring. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "util.h"

#include "engine/policy.h"
#include "engine/pop.h"
#include "engine/rep.h"
#include "engine/stats.h"
#include "model/model.h"
#include "model/scenario.h"

#define FIXTURE "tests/data/policy_rings.cfg"
#define HOME 0
#define WORK 1
#define NONE (-1)          /* "outside the flow" in the helpers' arguments */
#define R0 0
#define R1 1
#define R2 2
#define R3 3
#define W0 0
#define W1 1

struct fx {
    struct model *m;
    struct rep r;
};

static struct model *load_fixture(void)
{
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load(FIXTURE, &m, &e) != 0) fail_msg("%s", e.msg);
    return m;
}

/* Loads the fixture, lets the caller change the model (capacities, policy)
 * through the returned pointer before fx_start builds the replication. */
static void fx_start(struct fx *x)
{
    assert_int_equal(rep_init(&x->r, x->m), 0);
    assert_true(x->r.events == NULL);
}

static void fx_end(struct fx *x)
{
    rep_fini(&x->r);
    model_destroy(x->m);
}

static int state_of(const struct rep *r, int f, int s)
{
    return s == NONE ? r->m->flows[f].n_rings : s;
}

/* A living citizen in state `home` of flow home and `work` of flow work
 * (NONE = outside), both levels = `level`, taking part in every flow. */
static uint32_t add_citizen(struct rep *r, int home, int work, int level)
{
    const struct model *m = r->m;
    uint32_t ci = pop_add(&r->pop, m, &r->rng);
    assert_true(ci != POP_NIL);
    struct citizen *c = &r->pop.c[ci];
    c->age0 = 40.0;
    pop_cold(&r->pop, ci)->t_arrival = r->t;
    c->in_flow = (uint8_t)((1u << m->n_flows) - 1);
    pop_cold(&r->pop, ci)->intake_done = true;
    for (int d = 0; d < m->n_dims; d++) c->level[d] = (uint8_t)level;
    const int want[2] = { home, work };
    for (int f = 0; f < m->n_flows; f++) {
        int s = state_of(r, f, want[f]);
        c->state[f] = (int8_t)s;
        pop_flow(&r->pop, ci, f)->entered = r->t;
        r->occ[rep_slot(r, f, s)]++;
        assert_int_equal(stats_occ_add(&r->st, rep_slot(r, f, s), r->t, +1), 0);
        if (s < m->flows[f].n_rings) {
            pop_flow(&r->pop, ci, f)->first_ring = (int8_t)s;
            c->placed_once = true;
        }
    }
    r->n_alive++;
    return ci;
}

/* Both levels of a citizen (need score = their mean). */
static void set_levels(struct rep *r, uint32_t ci, int a, int b)
{
    r->pop.c[ci].level[0] = (uint8_t)a;
    r->pop.c[ci].level[1] = (uint8_t)b;
}

static int occ(const struct rep *r, int f, int s) { return r->occ[rep_slot(r, f, state_of(r, f, s))]; }
static int wl_len(const struct rep *r, int f, int ring) { return r->wl[rep_slot(r, f, ring)].len; }
static const struct slot_stats *slot_st(const struct rep *r, int f, int s)
{
    return &r->st.slot[rep_slot(r, f, state_of(r, f, s))];
}
static int st_of(const struct rep *r, uint32_t ci, int f) { return r->pop.c[ci].state[f]; }

/* The invariants of policy.c's header, checked over the whole replication. */
static void check_consistent(const struct rep *r)
{
    const struct model *m = r->m;
    for (int f = 0; f < m->n_flows; f++) {
        const struct flow *fl = &m->flows[f];
        for (int s = 0; s <= fl->n_rings; s++) {
            int n = 0, waiting = 0;
            for (uint32_t ci = 0; ci < r->pop.n; ci++) {
                const struct citizen *c = &r->pop.c[ci];
                if (!c->alive) continue;
                n += c->state[f] == s;
                waiting += pop_flow(&r->pop, ci, f)->wait_ring == s;
            }
            assert_int_equal(r->occ[rep_slot(r, f, s)], n);
            if (s == fl->n_rings) {
                assert_int_equal(waiting, 0);      /* nobody waits for none */
                continue;
            }
            if (fl->rings[s].capacity > 0) assert_true(n <= fl->rings[s].capacity);
            const struct wlist *w = &r->wl[rep_slot(r, f, s)];
            assert_int_equal(w->len, waiting);
            /* Forward chain: exactly the waiting citizens, prev links agree. */
            int len = 0;
            uint32_t prev = POP_NIL;
            for (uint32_t ci = w->head; ci != POP_NIL; ci = pop_flow(&r->pop, ci, f)->wl_next) {
                const struct citizen *c = &r->pop.c[ci];
                assert_true(c->alive);
                assert_int_equal(pop_flow(&r->pop, ci, f)->wait_ring, s);
                assert_true(pop_flow(&r->pop, ci, f)->wl_prev == prev);
                if (prev != POP_NIL) assert_true(pop_flow(&r->pop, ci, f)->wait_since >= pop_flow(&r->pop, prev, f)->wait_since);
                prev = ci;
                assert_true(++len <= waiting);
            }
            assert_true(w->tail == prev);
            assert_int_equal(len, waiting);
            /* A list is only ever non-empty while its ring is full. */
            if (waiting > 0 && fl->rings[s].capacity > 0) assert_int_equal(n, fl->rings[s].capacity);
        }
    }
}

/* The list of ring `ring` from head to tail must be exactly want[0..n). */
static void check_list(const struct rep *r, int f, int ring, const uint32_t *want, int n)
{
    const struct wlist *w = &r->wl[rep_slot(r, f, ring)];
    assert_int_equal(w->len, n);
    uint32_t ci = w->head;
    for (int i = 0; i < n; i++) {
        assert_true(ci == want[i]);
        ci = pop_flow(&r->pop, ci, f)->wl_next;
    }
    assert_true(ci == POP_NIL);
}

/* Pending events of a kind for a citizen (stamp < 0: any stamp), in the
 * heap (the fixture's queues stay below the far tier); keyed ones only if
 * they are the citizen's latest (superseded ones are dropped when popped). */
static int count_events(const struct rep *r, enum ev_kind kind, uint32_t who, long stamp,
                        double *t_out)
{
    int n = 0;
    assert_true(r->q.far_n == 0);
    for (size_t i = 0; i < r->q.n; i++) {
        const struct event *e = &r->q.heap[i];
        if (e->kind != kind || e->who != who) continue;
        if (stamp >= 0 && e->stamp != (uint32_t)stamp) continue;
        if (e->keyed && !rep_keyed_live(&r->pop.c[who], e)) continue;
        if (t_out) *t_out = e->t;
        n++;
    }
    return n;
}

static double last_wait(const struct rep *r, int f, int ring)
{
    const struct slot_stats *s = slot_st(r, f, ring);
    assert_true(s->n_waits > 0);
    return s->waits[s->n_waits - 1];
}

/* ---- placement with room -------------------------------------------------- */

static void test_place_with_room_enters_at_once(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    fx_start(&x);
    struct rep *r = &x.r;
    r->t = 0.25;
    uint32_t a = add_citizen(r, NONE, NONE, 2);
    pop_cold(&r->pop, a)->t_arrival = 0.05;
    r->t = 0.5;
    policy_place(r, a, HOME, R1, CAUSE_INTAKE);
    check_consistent(r);
    const struct citizen *c = &r->pop.c[a];
    assert_int_equal(c->state[HOME], R1);
    assert_int_equal(pop_flow(&r->pop, a, HOME)->wait_ring, POP_NO_RING);
    assert_int_equal(occ(r, HOME, R1), 1);
    assert_int_equal(occ(r, HOME, NONE), 0);
    assert_int_equal(wl_len(r, HOME, R1), 0);
    /* A requested entry with room is a wait of exactly zero (Erlang's Wq). */
    assert_int_equal(slot_st(r, HOME, R1)->n_waits, 1);
    assert_true(last_wait(r, HOME, R1) == 0.0);
    assert_int_equal(slot_st(r, HOME, R1)->n_abandoned, 0);
    /* Intake is neither progression nor regression. */
    assert_int_equal(r->st.prog[HOME], 0);
    assert_int_equal(r->st.regr[HOME], 0);
    /* First placement: referral-to-placement measured from the arrival. */
    assert_int_equal(pop_flow(&r->pop, a, HOME)->first_ring, R1);
    assert_true(r->pop.c[a].placed_once);
    assert_true(pop_flow(&r->pop, a, HOME)->entered == 0.5);
    assert_int_equal(r->st.n_placements, 1);
    assert_true(fabs(r->st.placement_sum - 0.45) < 1e-12);
    /* r1 has max_stay_years = 1.5: the stay limit is due at entry + 1.5,
     * stamped with the move's version. */
    double t_lim = -1.0;
    assert_int_equal(count_events(r, EV_STAY_LIMIT, a, pop_flow(&r->pop, a, HOME)->move_stamp, &t_lim), 1);
    assert_true(fabs(t_lim - 2.0) < 1e-12);
    /* The other flow is untouched. */
    assert_int_equal(c->state[WORK], r->m->flows[WORK].n_rings);

    /* An unlimited ring always has room. */
    uint32_t b = add_citizen(r, NONE, NONE, 1);
    uint32_t b2 = add_citizen(r, NONE, NONE, 1);
    policy_place(r, b, WORK, W1, CAUSE_INTAKE);
    policy_place(r, b2, WORK, W1, CAUSE_INTAKE);
    check_consistent(r);
    assert_int_equal(occ(r, WORK, W1), 2);
    assert_int_equal(slot_st(r, WORK, W1)->n_waits, 2);
    assert_int_equal(count_events(r, EV_STAY_LIMIT, b, -1, NULL), 0);
    fx_end(&x);
}

/* ---- full target: interim stay -------------------------------------------- */

static void test_full_target_stay_waits_in_place(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->interim = INTERIM_STAY;
    fx_start(&x);
    struct rep *r = &x.r;
    add_citizen(r, R1, NONE, 2);                  /* r1 full */
    uint32_t b = add_citizen(r, NONE, NONE, 2);
    uint32_t c = add_citizen(r, R3, NONE, 2);
    r->t = 1.0;
    policy_place(r, b, HOME, R1, CAUSE_INTAKE);
    r->t = 1.5;
    policy_place(r, c, HOME, R1, CAUSE_REASSESS);
    check_consistent(r);
    assert_int_equal(st_of(r, b, HOME), r->m->flows[HOME].n_rings);   /* stays outside */
    assert_int_equal(st_of(r, c, HOME), R3);                           /* stays in r3 */
    assert_int_equal(pop_flow(&r->pop, b, HOME)->wait_ring, R1);
    assert_int_equal(pop_flow(&r->pop, c, HOME)->wait_ring, R1);
    assert_true(pop_flow(&r->pop, b, HOME)->wait_since == 1.0);
    assert_true(pop_flow(&r->pop, c, HOME)->wait_since == 1.5);
    assert_int_equal(pop_flow(&r->pop, c, HOME)->wait_cause, CAUSE_REASSESS);
    const uint32_t want[] = { b, c };
    check_list(r, HOME, R1, want, 2);
    assert_int_equal(occ(r, HOME, R1), 1);
    assert_int_equal(occ(r, HOME, R3), 1);
    assert_int_equal(occ(r, HOME, R0) + occ(r, HOME, R2), 0);
    assert_int_equal(slot_st(r, HOME, R1)->n_waits, 0);   /* no entry yet */
    fx_end(&x);
}

/* ---- full target: interim inner ------------------------------------------- */

static void test_full_target_inner(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->interim = INTERIM_INNER;
    fx_start(&x);
    struct rep *r = &x.r;
    add_citizen(r, R2, NONE, 2);                  /* r2 full; r0, r1 free */
    uint32_t b = add_citizen(r, NONE, NONE, 1);
    uint32_t c = add_citizen(r, NONE, NONE, 1);
    uint32_t d = add_citizen(r, NONE, NONE, 1);
    r->t = 1.0;
    /* Nearest inner ring with room counted from the target: r1. */
    policy_place(r, b, HOME, R2, CAUSE_INTAKE);
    check_consistent(r);
    assert_int_equal(st_of(r, b, HOME), R1);
    assert_int_equal(pop_flow(&r->pop, b, HOME)->wait_ring, R2);
    assert_int_equal(wl_len(r, HOME, R2), 1);
    /* An interim entry is no requested entry: no wait recorded for r1. */
    assert_int_equal(slot_st(r, HOME, R1)->n_waits, 0);
    assert_int_equal(r->st.prog[HOME] + r->st.regr[HOME], 0);
    /* r1 now full too: the next goes to r0. */
    policy_place(r, c, HOME, R2, CAUSE_INTAKE);
    check_consistent(r);
    assert_int_equal(st_of(r, c, HOME), R0);
    assert_int_equal(pop_flow(&r->pop, c, HOME)->wait_ring, R2);
    /* Every inner ring full: stays outside, on the list. */
    policy_place(r, d, HOME, R2, CAUSE_INTAKE);
    check_consistent(r);
    assert_int_equal(st_of(r, d, HOME), r->m->flows[HOME].n_rings);
    const uint32_t want[] = { b, c, d };
    check_list(r, HOME, R2, want, 3);
    assert_int_equal(r->st.prog[HOME] + r->st.regr[HOME], 0);
    fx_end(&x);

    /* The citizen's current ring comes first on the way in: it stays, even
     * though a ring further in (r0) has room. */
    struct fx y = { .m = load_fixture() };
    y.m->interim = INTERIM_INNER;
    fx_start(&y);
    r = &y.r;
    add_citizen(r, R3, NONE, 2);                  /* r3 full */
    add_citizen(r, R2, NONE, 2);                  /* r2 full */
    uint32_t e = add_citizen(r, R1, NONE, 1);     /* e holds r1; r0 free */
    r->t = 2.0;
    policy_place(r, e, HOME, R3, CAUSE_REASSESS);
    check_consistent(r);
    assert_int_equal(st_of(r, e, HOME), R1);
    assert_int_equal(occ(r, HOME, R0), 0);
    assert_int_equal(pop_flow(&r->pop, e, HOME)->wait_ring, R3);
    assert_int_equal(wl_len(r, HOME, R3), 1);
    fx_end(&y);
}

/* ---- full target: interim outer ------------------------------------------- */

static void test_full_target_outer(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->interim = INTERIM_OUTER;
    fx_start(&x);
    struct rep *r = &x.r;
    const int none = r->m->flows[HOME].n_rings;
    add_citizen(r, R1, NONE, 3);                  /* r1 full; r2, r3 free */
    uint32_t b = add_citizen(r, NONE, NONE, 3);
    uint32_t c = add_citizen(r, NONE, NONE, 3);
    uint32_t d = add_citizen(r, NONE, NONE, 3);
    r->t = 1.0;
    policy_place(r, b, HOME, R1, CAUSE_INTAKE);
    check_consistent(r);
    assert_int_equal(st_of(r, b, HOME), R2);       /* nearest outward with room */
    policy_place(r, c, HOME, R1, CAUSE_INTAKE);
    check_consistent(r);
    assert_int_equal(st_of(r, c, HOME), R3);
    policy_place(r, d, HOME, R1, CAUSE_INTAKE);    /* all outer rings full: none */
    check_consistent(r);
    assert_int_equal(st_of(r, d, HOME), none);
    const uint32_t want[] = { b, c, d };
    check_list(r, HOME, R1, want, 3);
    assert_int_equal(r->st.prog[HOME] + r->st.regr[HOME], 0);
    fx_end(&x);

    /* A citizen inside the target (r0) whose outer rings are all full stays
     * where it is, on the list: `none` is no ring, and interim never moves
     * a citizen there (docs/model.md). r0's list keeps waiting. */
    struct fx y = { .m = load_fixture() };
    y.m->interim = INTERIM_OUTER;
    fx_start(&y);
    r = &y.r;
    uint32_t e = add_citizen(r, R0, NONE, 3);
    add_citizen(r, R1, NONE, 3);
    add_citizen(r, R2, NONE, 3);
    add_citizen(r, R3, NONE, 3);
    uint32_t g = add_citizen(r, NONE, NONE, 4);
    r->t = 1.0;
    policy_place(r, g, HOME, R0, CAUSE_INTAKE);   /* g waits for r0 outside */
    assert_int_equal(pop_flow(&r->pop, g, HOME)->wait_ring, R0);
    r->t = 2.0;
    policy_place(r, e, HOME, R1, CAUSE_REASSESS);
    check_consistent(r);
    assert_int_equal(st_of(r, e, HOME), R0);
    assert_int_equal(pop_flow(&r->pop, e, HOME)->wait_ring, R1);
    assert_int_equal(st_of(r, g, HOME), none);     /* no place was freed */
    assert_int_equal(pop_flow(&r->pop, g, HOME)->wait_ring, R0);
    assert_int_equal(r->st.prog[HOME] + r->st.regr[HOME], 0);
    fx_end(&y);

    /* The current ring comes first on the way out: it stays. */
    struct fx z = { .m = load_fixture() };
    z.m->interim = INTERIM_OUTER;
    fx_start(&z);
    r = &z.r;
    add_citizen(r, R1, NONE, 3);
    add_citizen(r, R2, NONE, 3);
    uint32_t h = add_citizen(r, R3, NONE, 3);
    r->t = 1.0;
    policy_place(r, h, HOME, R1, CAUSE_REASSESS);
    check_consistent(r);
    assert_int_equal(st_of(r, h, HOME), R3);
    assert_int_equal(pop_flow(&r->pop, h, HOME)->wait_ring, R1);
    fx_end(&z);
}

/* ---- a freed place: FIFO -------------------------------------------------- */

static void test_fifo_head_enters(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->waiting_list = WL_FIFO;
    fx_start(&x);
    struct rep *r = &x.r;
    uint32_t a = add_citizen(r, R0, NONE, 4);
    uint32_t b = add_citizen(r, NONE, NONE, 0);   /* scores must not matter */
    uint32_t c = add_citizen(r, NONE, NONE, 4);
    uint32_t d = add_citizen(r, NONE, NONE, 2);
    r->t = 1.0; policy_place(r, b, HOME, R0, CAUSE_INTAKE);
    r->t = 2.0; policy_place(r, c, HOME, R0, CAUSE_INTAKE);
    r->t = 3.0; policy_place(r, d, HOME, R0, CAUSE_INTAKE);
    check_consistent(r);
    const uint32_t want1[] = { b, c, d };
    check_list(r, HOME, R0, want1, 3);

    /* a moves out by a transition (r0 -> r1, outward): b enters r0. */
    r->t = 5.0;
    policy_move(r, a, HOME, R1, CAUSE_TRANSITION);
    check_consistent(r);
    assert_int_equal(st_of(r, a, HOME), R1);
    assert_int_equal(st_of(r, b, HOME), R0);
    assert_int_equal(pop_flow(&r->pop, b, HOME)->wait_ring, POP_NO_RING);
    assert_true(fabs(last_wait(r, HOME, R0) - 4.0) < 1e-12);
    assert_true(pop_flow(&r->pop, b, HOME)->entered == 5.0);
    const uint32_t want2[] = { c, d };
    check_list(r, HOME, R0, want2, 2);
    /* a's move counts as a progression; b's delayed intake does not. */
    assert_int_equal(r->st.prog[HOME], 1);
    assert_int_equal(r->st.regr[HOME], 0);
    /* b was moved by a's event: its hazards are redrawn now, for r0 (one
     * pending hazard event, due after now). */
    double th = 0.0;
    assert_true(r->pop.c[b].rates_fresh);         /* redrawn at its new state */
    assert_int_equal(count_events(r, EV_HAZARD, b, -1, &th), 1);
    assert_true(th > 5.0);

    /* b exits: the next in line, c, enters. */
    r->t = 6.5;
    policy_exit(r, b);
    r->n_alive--;
    check_consistent(r);
    assert_false(r->pop.c[b].alive);
    assert_int_equal(st_of(r, c, HOME), R0);
    assert_true(fabs(last_wait(r, HOME, R0) - 4.5) < 1e-12);
    const uint32_t want3[] = { d };
    check_list(r, HOME, R0, want3, 1);
    assert_int_equal(slot_st(r, HOME, R0)->n_waits, 2);
    assert_int_equal(slot_st(r, HOME, R0)->n_abandoned, 0);
    fx_end(&x);
}

/* ---- a freed place: need -------------------------------------------------- */

static void free_r0(struct rep *r, double t)
{
    /* The occupant of r0 leaves to none by an interim move (which counts
     * nothing and cancels nothing), freeing the place. */
    for (uint32_t ci = 0; ci < r->pop.n; ci++)
        if (r->pop.c[ci].alive && r->pop.c[ci].state[HOME] == R0) {
            r->t = t;
            policy_move(r, ci, HOME, r->m->flows[HOME].n_rings, CAUSE_INTERIM);
            return;
        }
    fail_msg("nobody in r0");
}

/* ---- the run covers [0, years) ------------------------------------------------ */

/* An event due at exactly t = years is never queued (nor executed); one
 * just before it is. */
static void test_horizon_half_open(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    fx_start(&x);
    struct rep *r = &x.r;
    uint32_t a = add_citizen(r, R0, NONE, 2);
    assert_true(r->horizon == x.m->years);
    rep_schedule(r, r->horizon, EV_STAY_LIMIT, 0, a, 0);
    assert_int_equal(count_events(r, EV_STAY_LIMIT, a, -1, NULL), 0);
    rep_schedule(r, nextafter(r->horizon, 0.0), EV_STAY_LIMIT, 0, a, 0);
    assert_int_equal(count_events(r, EV_STAY_LIMIT, a, -1, NULL), 1);
    fx_end(&x);
}

/* ---- the KPI window: a wait belongs to it if requested inside it --------- */

static void test_wait_window_by_request(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->warmup_years = 1.0;
    fx_start(&x);
    struct rep *r = &x.r;
    add_citizen(r, R0, NONE, 4);
    uint32_t b = add_citizen(r, NONE, NONE, 4);
    uint32_t c = add_citizen(r, NONE, NONE, 4);
    r->t = 0.5;
    policy_place(r, b, HOME, R0, CAUSE_INTAKE);    /* before the window */
    stats_mark(&r->st, 1.0);
    r->t = 1.2;
    policy_place(r, c, HOME, R0, CAUSE_INTAKE);    /* inside it */
    free_r0(r, 1.5);                               /* b enters: not counted */
    check_consistent(r);
    assert_int_equal(st_of(r, b, HOME), R0);
    assert_int_equal(slot_st(r, HOME, R0)->n_waits, 0);
    free_r0(r, 2.0);                               /* c enters: counted */
    assert_int_equal(st_of(r, c, HOME), R0);
    assert_int_equal(slot_st(r, HOME, R0)->n_waits, 1);
    assert_true(fabs(last_wait(r, HOME, R0) - 0.8) < 1e-12);
    fx_end(&x);
}

static void test_need_highest_score_first(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->waiting_list = WL_NEED;
    fx_start(&x);
    struct rep *r = &x.r;
    add_citizen(r, R0, NONE, 4);
    uint32_t b = add_citizen(r, NONE, NONE, 1);   /* score 1.0 */
    uint32_t c = add_citizen(r, NONE, NONE, 3);   /* score 3.0 */
    uint32_t d = add_citizen(r, NONE, NONE, 3);   /* score 3.0, later */
    uint32_t e = add_citizen(r, NONE, NONE, 2);
    set_levels(r, e, 2, 3);                       /* score 2.5 */
    r->t = 1.0; policy_place(r, b, HOME, R0, CAUSE_INTAKE);
    r->t = 2.0; policy_place(r, c, HOME, R0, CAUSE_INTAKE);
    r->t = 3.0; policy_place(r, d, HOME, R0, CAUSE_INTAKE);
    r->t = 4.0; policy_place(r, e, HOME, R0, CAUSE_INTAKE);
    check_consistent(r);

    free_r0(r, 10.0);                             /* highest score: c (before d) */
    check_consistent(r);
    assert_int_equal(st_of(r, c, HOME), R0);
    assert_true(fabs(last_wait(r, HOME, R0) - 8.0) < 1e-12);
    const uint32_t want1[] = { b, d, e };         /* the rest keep request order */
    check_list(r, HOME, R0, want1, 3);

    free_r0(r, 11.0);                             /* then d (3.0) */
    check_consistent(r);
    assert_int_equal(st_of(r, d, HOME), R0);
    const uint32_t want2[] = { b, e };
    check_list(r, HOME, R0, want2, 2);

    /* Scores are read when the place frees: b's levels rose to a score of
     * 3.5 while it waited, so it now goes before e (2.5). */
    set_levels(r, b, 4, 3);
    free_r0(r, 12.0);
    check_consistent(r);
    assert_int_equal(st_of(r, b, HOME), R0);
    assert_true(fabs(last_wait(r, HOME, R0) - 11.0) < 1e-12);
    const uint32_t want3[] = { e };
    check_list(r, HOME, R0, want3, 1);

    free_r0(r, 13.0);
    check_consistent(r);
    assert_int_equal(st_of(r, e, HOME), R0);
    assert_int_equal(wl_len(r, HOME, R0), 0);
    assert_int_equal(slot_st(r, HOME, R0)->n_waits, 4);
    fx_end(&x);

    /* Equal scores throughout: need behaves as FIFO. */
    struct fx y = { .m = load_fixture() };
    y.m->waiting_list = WL_NEED;
    fx_start(&y);
    r = &y.r;
    add_citizen(r, R0, NONE, 4);
    uint32_t p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = add_citizen(r, NONE, NONE, 2);
        r->t = 1.0 + i;
        policy_place(r, p[i], HOME, R0, CAUSE_INTAKE);
    }
    for (int i = 0; i < 4; i++) {
        free_r0(r, 10.0 + i);
        check_consistent(r);
        assert_int_equal(st_of(r, p[i], HOME), R0);
    }
    fx_end(&y);
}

/* ---- requests: replacement and keeping the time ---------------------------- */

static void test_request_replaces_and_keeps_time(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    fx_start(&x);
    struct rep *r = &x.r;
    add_citizen(r, R0, NONE, 4);
    uint32_t o1 = add_citizen(r, R1, NONE, 3);
    uint32_t b = add_citizen(r, R3, NONE, 2);
    r->t = 1.0;
    policy_request(r, b, HOME, R0, CAUSE_INTAKE);
    check_consistent(r);
    assert_int_equal(wl_len(r, HOME, R0), 1);
    /* A new request in the same flow replaces the old, which is abandoned. */
    r->t = 2.0;
    policy_request(r, b, HOME, R1, CAUSE_TRANSITION);
    check_consistent(r);
    assert_int_equal(wl_len(r, HOME, R0), 0);
    assert_int_equal(slot_st(r, HOME, R0)->n_abandoned, 1);
    assert_int_equal(wl_len(r, HOME, R1), 1);
    assert_int_equal(pop_flow(&r->pop, b, HOME)->wait_ring, R1);
    assert_true(pop_flow(&r->pop, b, HOME)->wait_since == 2.0);
    assert_int_equal(pop_flow(&r->pop, b, HOME)->wait_cause, CAUSE_TRANSITION);
    /* The same ring again, directly or by a placement decision: the original
     * request time stays and nothing is abandoned. */
    r->t = 3.0;
    policy_request(r, b, HOME, R1, CAUSE_TRANSITION);
    r->t = 3.5;
    policy_place(r, b, HOME, R1, CAUSE_REASSESS);
    check_consistent(r);
    assert_true(pop_flow(&r->pop, b, HOME)->wait_since == 2.0);
    assert_int_equal(wl_len(r, HOME, R1), 1);
    assert_int_equal(slot_st(r, HOME, R1)->n_abandoned, 0);
    assert_int_equal(st_of(r, b, HOME), R3);
    /* A request in the other flow leaves this one alone. */
    policy_request(r, b, WORK, W1, CAUSE_INTAKE);
    assert_int_equal(pop_flow(&r->pop, b, HOME)->wait_ring, R1);
    policy_cancel_wait(r, b, WORK);
    assert_int_equal(slot_st(r, WORK, W1)->n_abandoned, 1);
    check_consistent(r);
    /* The wait ends when r1 frees, measured from the original request; it
     * was a transition's request, so the inward move r3 -> r1 is a
     * regression. */
    r->t = 5.0;
    policy_exit(r, o1);
    r->n_alive--;
    check_consistent(r);
    assert_int_equal(st_of(r, b, HOME), R1);
    assert_true(fabs(last_wait(r, HOME, R1) - 3.0) < 1e-12);
    assert_int_equal(r->st.regr[HOME], 1);
    assert_int_equal(r->st.prog[HOME], 0);

    /* A placement decision for the state a citizen already holds ends its
     * wait (abandoned) and moves nothing. */
    uint32_t c = add_citizen(r, R2, NONE, 2);
    r->t = 6.0;
    policy_request(r, c, HOME, R0, CAUSE_TRANSITION);
    policy_place(r, c, HOME, R2, CAUSE_REASSESS);
    check_consistent(r);
    assert_int_equal(st_of(r, c, HOME), R2);
    assert_int_equal(pop_flow(&r->pop, c, HOME)->wait_ring, POP_NO_RING);
    assert_int_equal(slot_st(r, HOME, R0)->n_abandoned, 2);
    /* Cancelling without a wait does nothing. */
    policy_cancel_wait(r, c, HOME);
    assert_int_equal(slot_st(r, HOME, R0)->n_abandoned, 2);
    check_consistent(r);
    fx_end(&x);
}

/* ---- which moves cancel a wait ------------------------------------------- */

static void test_moves_cancel_wait_interim_keeps(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->flows[HOME].rings[R2].capacity = 0;      /* room to move about */
    x.m->flows[HOME].rings[R3].capacity = 0;
    tu_finish(x.m);                               /* costs of the changed capacities */
    fx_start(&x);
    struct rep *r = &x.r;
    add_citizen(r, R0, NONE, 4);                  /* r0 full */
    static const enum move_cause cancelling[] = { CAUSE_TRANSITION, CAUSE_STAY_LIMIT,
                                                  CAUSE_REASSESS, CAUSE_INTAKE };
    for (size_t i = 0; i < sizeof cancelling / sizeof cancelling[0]; i++) {
        uint32_t b = add_citizen(r, NONE, NONE, 3);
        r->t = 1.0 + (double)i;
        policy_request(r, b, HOME, R0, CAUSE_INTAKE);
        /* An interim move keeps the wait, time and place in line. */
        policy_move(r, b, HOME, R3, CAUSE_INTERIM);
        check_consistent(r);
        assert_int_equal(pop_flow(&r->pop, b, HOME)->wait_ring, R0);
        assert_true(pop_flow(&r->pop, b, HOME)->wait_since == 1.0 + (double)i);
        assert_int_equal(slot_st(r, HOME, R0)->n_abandoned, (int)i);
        /* A move in another flow keeps it too. */
        policy_move(r, b, WORK, W1, CAUSE_TRANSITION);
        assert_int_equal(pop_flow(&r->pop, b, HOME)->wait_ring, R0);
        /* Any other move in the flow cancels it (abandoned). */
        policy_move(r, b, HOME, R2, cancelling[i]);
        check_consistent(r);
        assert_int_equal(st_of(r, b, HOME), R2);
        assert_int_equal(pop_flow(&r->pop, b, HOME)->wait_ring, POP_NO_RING);
        assert_int_equal(wl_len(r, HOME, R0), 0);
        assert_int_equal(slot_st(r, HOME, R0)->n_abandoned, (int)i + 1);
        assert_int_equal(slot_st(r, HOME, R0)->n_waits, 0);
    }
    fx_end(&x);
}

/* ---- exit ------------------------------------------------------------------ */

static void test_exit_frees_places_and_waits(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    fx_start(&x);
    struct rep *r = &x.r;
    uint32_t w = add_citizen(r, R1, NONE, 3);
    uint32_t xx = add_citizen(r, R0, W0, 4);      /* holds r0 and w0 */
    uint32_t y = add_citizen(r, NONE, NONE, 4);
    uint32_t z = add_citizen(r, NONE, NONE, 4);
    r->t = 1.0;
    policy_request(r, xx, HOME, R1, CAUSE_TRANSITION);   /* xx also waits */
    policy_request(r, y, HOME, R0, CAUSE_INTAKE);
    r->t = 1.5;
    policy_request(r, z, WORK, W0, CAUSE_INTAKE);
    check_consistent(r);

    r->t = 2.0;
    policy_exit(r, xx);
    r->n_alive--;
    check_consistent(r);
    assert_false(r->pop.c[xx].alive);
    /* Its wait is cancelled and counted abandoned. */
    assert_int_equal(pop_flow(&r->pop, xx, HOME)->wait_ring, POP_NO_RING);
    assert_int_equal(wl_len(r, HOME, R1), 0);
    assert_int_equal(slot_st(r, HOME, R1)->n_abandoned, 1);
    /* Both places freed at once and taken by the heads of their lists. */
    assert_int_equal(st_of(r, y, HOME), R0);
    assert_int_equal(st_of(r, z, WORK), W0);
    assert_true(fabs(last_wait(r, HOME, R0) - 1.0) < 1e-12);
    assert_true(fabs(last_wait(r, WORK, W0) - 0.5) < 1e-12);
    assert_int_equal(occ(r, HOME, R0), 1);
    assert_int_equal(occ(r, WORK, W0), 1);
    /* Both departures are recorded with their stays. */
    assert_int_equal(slot_st(r, HOME, R0)->n_departures, 1);
    assert_int_equal(slot_st(r, WORK, W0)->n_departures, 1);
    assert_true(fabs(slot_st(r, HOME, R0)->stay_sum - 2.0) < 1e-12);
    /* An exit is neither a progression nor a regression. */
    assert_int_equal(r->st.prog[HOME] + r->st.regr[HOME] + r->st.prog[WORK] + r->st.regr[WORK], 0);
    assert_int_equal(st_of(r, w, HOME), R1);
    fx_end(&x);
}

static void test_exit_frees_caseworker(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->caseworkers = 1;
    fx_start(&x);
    struct rep *r = &x.r;
    uint32_t a = add_citizen(r, NONE, NONE, 2);
    uint32_t b = add_citizen(r, NONE, NONE, 2);
    uint32_t c = add_citizen(r, NONE, NONE, 2);
    uint32_t d = add_citizen(r, NONE, NONE, 2);
    r->t = 1.0;
    policy_visit_request(r, a, 1u);
    assert_true(pop_cold(&r->pop, a)->assessing);
    assert_int_equal(r->vq.busy, 1);
    assert_int_equal(r->vq.live, 0);
    double ta = 0.0;
    assert_int_equal(count_events(r, EV_ASSESSED, a, -1, &ta), 1);
    assert_true(ta > 1.0 && ta < 1.0 + 365.0 / DAYS_PER_YEAR);
    policy_visit_request(r, b, 1u);
    policy_visit_request(r, c, 1u);
    assert_true(pop_cold(&r->pop, b)->in_visit_queue && pop_cold(&r->pop, c)->in_visit_queue);
    assert_int_equal(r->vq.live, 2);
    assert_int_equal(r->vq.busy, 1);
    /* A second request of a queued citizen joins its pending one. */
    policy_visit_request(r, b, 2u);
    assert_int_equal(pop_cold(&r->pop, b)->visit_flows, 3);
    assert_int_equal(r->vq.live, 2);
    assert_int_equal(count_events(r, EV_ASSESSED, b, -1, NULL), 0);

    /* c leaves while queued: it is no longer waiting for a caseworker. */
    r->t = 1.01;
    policy_exit(r, c);
    r->n_alive--;
    assert_false(pop_cold(&r->pop, c)->in_visit_queue);
    assert_int_equal(r->vq.live, 1);
    assert_int_equal(r->vq.busy, 1);

    /* a leaves while assessed: its caseworker is free at once and b, the
     * next in the queue, starts now. */
    r->t = 1.02;
    policy_exit(r, a);
    r->n_alive--;
    assert_false(pop_cold(&r->pop, a)->assessing);
    assert_true(pop_cold(&r->pop, b)->assessing);
    assert_false(pop_cold(&r->pop, b)->in_visit_queue);
    assert_int_equal(r->vq.busy, 1);
    assert_int_equal(r->vq.live, 0);
    double tb = 0.0;
    assert_int_equal(count_events(r, EV_ASSESSED, b, -1, &tb), 1);
    assert_true(tb > 1.02);
    /* d queues behind b; c's stale queue entry is never started. */
    policy_visit_request(r, d, 1u);
    assert_true(pop_cold(&r->pop, d)->in_visit_queue);
    assert_int_equal(r->vq.live, 1);
    r->t = 1.03;
    policy_exit(r, b);
    r->n_alive--;
    assert_true(pop_cold(&r->pop, d)->assessing);
    assert_int_equal(r->vq.busy, 1);
    assert_int_equal(r->vq.live, 0);
    assert_int_equal(count_events(r, EV_ASSESSED, c, -1, NULL), 0);
    assert_int_equal(count_events(r, EV_ASSESSED, d, -1, NULL), 1);
    /* The last one leaves: the caseworker is idle. */
    policy_exit(r, d);
    r->n_alive--;
    assert_int_equal(r->vq.busy, 0);
    assert_int_equal(r->vq.live, 0);
    check_consistent(r);
    fx_end(&x);
}

static void test_caseworkers_in_parallel(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->caseworkers = 3;
    fx_start(&x);
    struct rep *r = &x.r;
    uint32_t p[5];
    for (int i = 0; i < 5; i++) {
        p[i] = add_citizen(r, NONE, NONE, 2);
        policy_visit_request(r, p[i], 1u);
    }
    assert_int_equal(r->vq.busy, 3);
    assert_int_equal(r->vq.live, 2);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(pop_cold(&r->pop, p[i])->assessing, i < 3);
        assert_int_equal(pop_cold(&r->pop, p[i])->in_visit_queue, i >= 3);
        assert_int_equal(count_events(r, EV_ASSESSED, p[i], -1, NULL), i < 3);
    }
    policy_exit(r, p[1]);
    r->n_alive--;
    assert_int_equal(r->vq.busy, 3);
    assert_true(pop_cold(&r->pop, p[3])->assessing);       /* FIFO: p3 before p4 */
    assert_true(pop_cold(&r->pop, p[4])->in_visit_queue);
    fx_end(&x);
}

/* ---- progression and regression counting ---------------------------------- */

static void test_progression_counting(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    for (int k = R1; k <= R3; k++) x.m->flows[HOME].rings[k].capacity = 0;
    tu_finish(x.m);
    fx_start(&x);
    struct rep *r = &x.r;
    const int none = r->m->flows[HOME].n_rings;
    uint32_t a = add_citizen(r, NONE, NONE, 2);
    struct { int to; enum move_cause cause; int prog, regr; } steps[] = {
        { R2, CAUSE_INTAKE, 0, 0 },        /* intake: neither */
        { R3, CAUSE_TRANSITION, 1, 0 },    /* outward */
        { R1, CAUSE_TRANSITION, 1, 1 },    /* inward */
        { -1, CAUSE_TRANSITION, 2, 1 },    /* ring -> none is outward */
        { R3, CAUSE_TRANSITION, 2, 2 },    /* none -> ring is inward */
        { R2, CAUSE_INTERIM, 2, 2 },       /* interim: neither */
        { R3, CAUSE_STAY_LIMIT, 3, 2 },    /* stay limit counts */
        { R1, CAUSE_REASSESS, 3, 3 },      /* reassessment counts */
        { R2, CAUSE_INITIAL, 3, 3 },
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        r->t = 1.0 + (double)i;
        int to = steps[i].to < 0 ? none : steps[i].to;
        policy_move(r, a, HOME, to, steps[i].cause);
        check_consistent(r);
        assert_int_equal(st_of(r, a, HOME), to);
        assert_int_equal(r->st.prog[HOME], steps[i].prog);
        assert_int_equal(r->st.regr[HOME], steps[i].regr);
    }
    /* A move to the state already held is no move. */
    policy_move(r, a, HOME, R2, CAUSE_TRANSITION);
    assert_int_equal(r->st.prog[HOME] + r->st.regr[HOME], 6);
    assert_int_equal(r->st.prog[WORK] + r->st.regr[WORK], 0);

    /* Delayed moves count as what caused the request. r0 is full: b (in r2)
     * asks for it by a transition, c (outside) after an intake assessment,
     * e (in r3) by a stay limit. Each freed place then lets one in. */
    add_citizen(r, R0, NONE, 4);
    uint32_t b = add_citizen(r, R2, NONE, 3);
    uint32_t c = add_citizen(r, NONE, NONE, 3);
    uint32_t e = add_citizen(r, R3, NONE, 3);
    r->t = 20.0;
    policy_request(r, b, HOME, R0, CAUSE_TRANSITION);
    policy_request(r, c, HOME, R0, CAUSE_INTAKE);
    policy_request(r, e, HOME, R0, CAUSE_STAY_LIMIT);
    unsigned prog0 = r->st.prog[HOME], regr0 = r->st.regr[HOME];
    free_r0(r, 21.0);                             /* interim exit: no count */
    check_consistent(r);
    assert_int_equal(st_of(r, b, HOME), R0);
    assert_int_equal(r->st.regr[HOME], regr0 + 1);      /* b: r2 -> r0 inward */
    assert_int_equal(r->st.prog[HOME], prog0);
    free_r0(r, 22.0);
    assert_int_equal(st_of(r, c, HOME), R0);
    assert_int_equal(r->st.regr[HOME], regr0 + 1);      /* c: intake, no count */
    assert_int_equal(r->st.prog[HOME], prog0);
    free_r0(r, 23.0);
    assert_int_equal(st_of(r, e, HOME), R0);
    assert_int_equal(r->st.regr[HOME], regr0 + 2);      /* e: stay limit counts */
    assert_int_equal(r->st.prog[HOME], prog0);
    check_consistent(r);

    /* Outside the KPI window (warm-up) nothing is counted. */
    r->st.counting = false;
    policy_move(r, a, HOME, R3, CAUSE_TRANSITION);
    assert_int_equal(r->st.prog[HOME], prog0);
    fx_end(&x);
}

/* ---- the budget rule `report` never blocks --------------------------------- */

static void test_report_rule_allows_all(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->budget_rule = BUDGET_REPORT;
    x.m->budget_annual = 1.0;            /* far exceeded: report only compares */
    fx_start(&x);
    struct rep *r = &x.r;
    for (int f = 0; f < r->m->n_flows; f++)
        for (int k = 0; k < r->m->flows[f].n_rings; k++) assert_true(policy_budget_allows(r, f, k));
    uint32_t a = add_citizen(r, NONE, NONE, 4);
    policy_place(r, a, HOME, R0, CAUSE_INTAKE);
    assert_int_equal(st_of(r, a, HOME), R0);
    assert_true(policy_has_room(r, HOME, r->m->flows[HOME].n_rings));   /* none */
    assert_false(policy_has_room(r, HOME, R0));
    assert_true(policy_has_room(r, WORK, W1));                          /* unlimited */
    fx_end(&x);
}

/* ---- placement by need band ------------------------------------------------ */

/* model_band_ring: [lo, hi) except a band ending at 4, which holds 4; among
 * rings whose bands hold the score, the outermost wins (docs/model.md). */
static void test_band_ring(void **state)
{
    (void)state;
    struct model *m = load_fixture();
    struct flow *fl = &m->flows[HOME];          /* r0 [3,4] r1 [2,3) r2 [1,2) r3 [0,1) */
    static const struct { double s; int ring; } plain[] = {
        { 0.0, R3 }, { 0.5, R3 }, { 1.0, R2 }, { 1.5, R2 }, { 2.0, R1 }, { 2.5, R1 },
        { 3.0, R0 }, { 3.5, R0 }, { 4.0, R0 },
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        assert_int_equal(model_band_ring(fl, plain[i].s), plain[i].ring);
    /* Overlaps: r2 widened to [1, 4] holds everything from 1 up, and being
     * outward of r0 and r1 it wins there. */
    fl->rings[R2].need_hi = 4.0;
    assert_int_equal(model_band_ring(fl, 3.5), R2);
    assert_int_equal(model_band_ring(fl, 4.0), R2);
    assert_int_equal(model_band_ring(fl, 2.0), R2);
    assert_int_equal(model_band_ring(fl, 0.5), R3);
    /* Need score: the mean of the levels. */
    const uint8_t lv[MODEL_MAX_DIMS] = { 3, 4 };
    assert_true(model_need_score(m, lv) == 3.5);
    model_destroy(m);
}

/* ---- the rate cache (rep.h) ---------------------------------------------- */

/* The time of the citizen's live keyed event (its hazard or exit), or NaN. */
static double keyed_time(const struct rep *r, uint32_t ci)
{
    double t = NAN;
    int n = count_events(r, EV_HAZARD, ci, -1, &t) + count_events(r, EV_EXIT, ci, -1, &t);
    assert_true(n <= 1);
    return t;
}

/* With no age effect, an event that changes neither states nor levels keeps
 * the pending hazard draw (exponential: memoryless); a move or a level
 * change redraws it, at the new rates. */
static void test_rate_cache_keeps_draw_until_change(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    fx_start(&x);
    struct rep *r = &x.r;
    assert_false(r->age_rates);
    uint32_t a = add_citizen(r, R0, NONE, 2);
    struct citizen *c = &r->pop.c[a];
    rep_hazards_draw(r, a);
    double t0 = keyed_time(r, a), rate0 = c->hz_total;
    assert_true(t0 > 0.0);
    assert_true(rate0 > 0.0);
    r->t = 0.01;
    rep_hazards_update(r, a);                   /* nothing changed */
    assert_true(keyed_time(r, a) == t0);
    assert_true(c->rates_fresh && c->hz_total == rate0);   /* the cached rate stands */
    r->t = 0.02;
    policy_move(r, a, HOME, R3, CAUSE_TRANSITION);
    assert_false(c->rates_fresh);
    rep_hazards_update(r, a);                   /* moved: a new draw */
    assert_true(c->rates_fresh);
    assert_true(keyed_time(r, a) != t0);
    assert_true(keyed_time(r, a) > 0.02);
    double t1 = keyed_time(r, a);
    r->t = 0.03;
    c->level[0] = 4;                            /* as the development step does */
    pop_rates_changed(c);
    rep_hazards_update(r, a);
    assert_true(keyed_time(r, a) != t1);
    /* rep_hazards_draw always draws (after the hazard fired). */
    double t2 = keyed_time(r, a);
    r->t = 0.04;
    rep_hazards_draw(r, a);
    assert_true(keyed_time(r, a) != t2);
    fx_end(&x);
}

/* With an age effect on any rate, every event of the citizen re-reads its
 * covariates and redraws (docs/model.md), and the RBS follow-ups stay events. */
static void test_rate_cache_age_effect_redraws(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    x.m->moves[0].beta[COV_AGE] = 0.3;
    x.m->moves[0].has_effects = true;
    fx_start(&x);
    struct rep *r = &x.r;
    assert_true(r->age_rates);
    assert_true(rep_rbs_followups(r));
    uint32_t a = add_citizen(r, R0, NONE, 2);
    rep_hazards_draw(r, a);
    double t0 = keyed_time(r, a);
    r->t = 0.01;
    rep_hazards_update(r, a);
    assert_true(keyed_time(r, a) != t0);
    assert_true(pop_cold(&r->pop, a)->hz_t == 0.01);
    fx_end(&x);
}

/* The exit shares the keyed event: the earlier of the two is queued. */
static void test_exit_shares_keyed_event(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    fx_start(&x);
    struct rep *r = &x.r;
    uint32_t a = add_citizen(r, R0, NONE, 2);
    r->pop.c[a].t_exit = 1e-9;                  /* before any plausible hazard */
    r->pop.c[a].exit_cause = EXIT_MOVED_AWAY;
    rep_hazards_draw(r, a);
    double t = 0.0;
    assert_int_equal(count_events(r, EV_HAZARD, a, -1, NULL), 0);
    assert_int_equal(count_events(r, EV_EXIT, a, -1, &t), 1);
    assert_true(t == 1e-9);
    const struct event *e = evq_peek(&r->q);
    assert_int_equal(e->kind, EV_EXIT);
    assert_int_equal(e->flow, EXIT_MOVED_AWAY);
    r->pop.c[a].t_exit = INFINITY;              /* none: the hazard is queued */
    rep_hazards_draw(r, a);
    assert_int_equal(count_events(r, EV_HAZARD, a, -1, NULL), 1);
    assert_int_equal(count_events(r, EV_EXIT, a, -1, NULL), 0);   /* superseded */
    fx_end(&x);
}

/* Record-only follow-ups are scheduled only when they do something. */
static void test_rbs_followups_only_when_needed(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    fx_start(&x);
    struct rep *r = &x.r;
    assert_int_equal(r->m->reassess, REASSESS_RECORD);
    assert_false(rep_rbs_followups(r));         /* no panel, record, no age effect */
    struct sbuf panel = { 0 };
    r->panel = &panel;
    assert_true(rep_rbs_followups(r));
    r->panel = NULL;
    x.m->reassess = REASSESS_REPLACE;
    assert_true(rep_rbs_followups(r));
    sbuf_free(&panel);
    fx_end(&x);
}

/* The population's three arrays (pop.h) grow together: every citizen's hot
 * record, cold record and flows survive the copies, and a citizen's flows
 * are its own (two flows: one 64-byte line each). */
static void test_pop_grows_all_arrays(void **state)
{
    (void)state;
    struct fx x = { .m = load_fixture() };
    fx_start(&x);
    struct rep *r = &x.r;
    struct pop p;
    assert_int_equal(pop_init(&p, 2, x.m->n_flows), 0);
    assert_int_equal(x.m->n_flows, 2);
    enum { N = 300 };
    for (uint32_t i = 0; i < N; i++) {
        uint32_t ci = pop_add(&p, x.m, &r->rng);
        assert_true(ci == i);
        assert_int_equal(pop_flow(&p, ci, HOME)->wait_ring, POP_NO_RING);
        assert_true(pop_flow(&p, ci, WORK)->wl_next == POP_NIL);
        p.c[ci].age0 = i;
        pop_cold(&p, ci)->t_arrival = 2.0 * i;
        pop_flow(&p, ci, HOME)->entered = 3.0 * i;
        pop_flow(&p, ci, WORK)->entered = 5.0 * i;
    }
    assert_true(p.cap >= N);
    for (uint32_t i = 0; i < N; i++) {
        assert_true(p.c[i].age0 == i && p.c[i].alive);
        assert_true(pop_cold(&p, i)->t_arrival == 2.0 * i);
        assert_true(pop_flow(&p, i, HOME)->entered == 3.0 * i);
        assert_true(pop_flow(&p, i, WORK)->entered == 5.0 * i);
        assert_true((uintptr_t)&p.c[i] % POP_HOT_BYTES == 0);
        assert_true((uintptr_t)pop_flow(&p, i, HOME) % POP_HOT_BYTES == 0);
    }
    assert_int_equal(pop_bytes_per_citizen(2), POP_HOT_BYTES + POP_COLD_BYTES + 2 * POP_FLOW_BYTES);
    pop_fini(&p);
    assert_int_equal(pop_init(&p, 4, MODEL_MAX_FLOWS + 1), -1);
    fx_end(&x);
}

int test_group_policy(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pop_grows_all_arrays),
        cmocka_unit_test(test_place_with_room_enters_at_once),
        cmocka_unit_test(test_full_target_stay_waits_in_place),
        cmocka_unit_test(test_full_target_inner),
        cmocka_unit_test(test_full_target_outer),
        cmocka_unit_test(test_fifo_head_enters),
        cmocka_unit_test(test_need_highest_score_first),
        cmocka_unit_test(test_horizon_half_open),
        cmocka_unit_test(test_wait_window_by_request),
        cmocka_unit_test(test_request_replaces_and_keeps_time),
        cmocka_unit_test(test_moves_cancel_wait_interim_keeps),
        cmocka_unit_test(test_exit_frees_places_and_waits),
        cmocka_unit_test(test_exit_frees_caseworker),
        cmocka_unit_test(test_caseworkers_in_parallel),
        cmocka_unit_test(test_progression_counting),
        cmocka_unit_test(test_report_rule_allows_all),
        cmocka_unit_test(test_band_ring),
        cmocka_unit_test(test_rate_cache_keeps_draw_until_change),
        cmocka_unit_test(test_rate_cache_age_effect_redraws),
        cmocka_unit_test(test_exit_shares_keyed_event),
        cmocka_unit_test(test_rbs_followups_only_when_needed),
    };
    return RUN_GROUP(tests, n);
}
