/* plan.c: the switch to a plan's dated change (plan.h). */
#include "engine/plan.h"

#include <stdlib.h>
#include <string.h>

#include "engine/policy.h"

/* Did a transition, covariate or development rate change? */
static bool hazards_differ(const struct model *a, const struct model *b)
{
    for (int k = 0; k < a->n_transitions; k++)
        if (a->moves[k].per_year != b->moves[k].per_year ||
            memcmp(a->moves[k].beta, b->moves[k].beta, sizeof a->moves[k].beta) != 0)
            return true;
    for (int f = 0; f < a->n_flows; f++) {
        const struct flow *fa = &a->flows[f], *fb = &b->flows[f];
        if (fa->none_improve_per_year != fb->none_improve_per_year ||
            fa->none_worsen_per_year != fb->none_worsen_per_year)
            return true;
        for (int r = 0; r < fa->n_rings; r++)
            if (fa->rings[r].improve_per_year != fb->rings[r].improve_per_year ||
                fa->rings[r].worsen_per_year != fb->rings[r].worsen_per_year)
                return true;
    }
    return false;
}

static bool exits_differ(const struct model *a, const struct model *b)
{
    return a->mort_a != b->mort_a || a->mort_b != b->mort_b || a->mort_ratio != b->mort_ratio ||
           a->retirement_age != b->retirement_age || a->other_exit_per_year != b->other_exit_per_year;
}

struct by_need { double score; uint32_t ci; };

static int by_need_cmp(const void *x, const void *y)
{
    const struct by_need *a = x, *b = y;
    if (a->score != b->score) return a->score < b->score ? -1 : 1;
    return a->ci < b->ci ? -1 : a->ci > b->ci;
}

/* Places citizen ci of cut ring k again, as at a stay limit: its band's
 * ring, one further out if that is k; if that ring is full, it waits for
 * it and meanwhile takes the nearest ring outward with room (never k;
 * `none` always has room). */
static void relocate_one(struct rep *r, uint32_t ci, int f, int k)
{
    const struct flow *fl = &r->m->flows[f];
    int target = model_band_ring(fl, model_need_score(r->m, r->pop.c[ci].level));
    if (target == k) target++;
    if (target >= fl->n_rings || policy_admit(r, ci, f, target)) {
        policy_enter_now(r, ci, f, target, CAUSE_STAY_LIMIT);
        return;
    }
    policy_request(r, ci, f, target, CAUSE_STAY_LIMIT);
    int j = target + 1;
    while (j < fl->n_rings && (j == k || !policy_has_room(r, f, j) || !policy_budget_allows(r, f, j)))
        j++;
    policy_move(r, ci, f, j, CAUSE_INTERIM);
}

/* Relocates the citizens above ring k's new capacity, lowest need first. */
static void relocate_ring(struct rep *r, int f, int k)
{
    int cap = r->m->flows[f].rings[k].capacity, slot = rep_slot(r, f, k);
    if (cap == 0 || r->occ[slot] <= cap) return;
    struct by_need *list = malloc((size_t)r->occ[slot] * sizeof *list);
    if (!list) {
        r->oom = true;
        return;
    }
    int n = 0;
    for (uint32_t ci = 0; ci < r->pop.n && n < r->occ[slot]; ci++) {
        const struct citizen *c = &r->pop.c[ci];
        if (c->alive && c->state[f] == k)
            list[n++] = (struct by_need){ model_need_score(r->m, c->level), ci };
    }
    qsort(list, (size_t)n, sizeof *list, by_need_cmp);
    for (int i = 0; i < n && r->occ[slot] > cap; i++) {
        relocate_one(r, list[i].ci, f, k);
        rep_hazards_update(r, list[i].ci);          /* the rates of its new ring */
    }
    free(list);
}

void plan_switch(struct rep *r, int i)
{
    const struct model_change *ch = &r->base->changes[i];
    const struct model *old = r->m, *next = ch->m;
    policy_budget_flush(r);
    stats_mark(&r->st, r->t);
    stats_switch(&r->st, r->t, next);
    rep_switch_model(r, i);
    policy_budget_switch(r);
    if (r->events) rep_log(r, UINT32_MAX, "plan_change", "", "", ch->date);
    if (ch->relocate)
        for (int f = 0; f < next->n_flows; f++)
            for (int k = 0; k < next->flows[f].n_rings; k++) relocate_ring(r, f, k);
    for (int f = 0; f < next->n_flows; f++)
        for (int k = 0; k < next->flows[f].n_rings; k++) policy_fill(r, f, k);
    policy_visit_start(r);
    /* The rate cache holds the old rates: read them again and draw anew
     * (exact: every pending time is exponential, or an exit drawn again). */
    bool hazards = hazards_differ(old, next), exits = exits_differ(old, next);
    if (exits)
        gsl_rng_set(r->rng.exit_redraw, rngs_stream_seed(r->rng.seed, r->rng.replication,
                                                         RNGS_PURPOSE_EXIT_REDRAW - (uint32_t)i));
    for (uint32_t ci = 0; (hazards || exits) && ci < r->pop.n; ci++) {
        struct citizen *c = &r->pop.c[ci];
        if (!c->alive) continue;
        if (exits) rep_draw_exit_from(r, ci, r->rng.exit_redraw);
        pop_rates_changed(c);
        rep_hazards_draw(r, ci);
    }
}
