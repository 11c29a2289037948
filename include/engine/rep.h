/* rep.h: all that ONE replication mutates, its plumbing and its hazard
 * draws (rep.c). The model is shared read-only; everything here belongs to
 * the thread running the replication, so replications run in parallel with
 * nothing shared. */
#ifndef FLOWSIM_REP_H
#define FLOWSIM_REP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "engine/evq.h"
#include "engine/pop.h"
#include "engine/rngs.h"
#include "engine/stats.h"
#include "model/model.h"

enum ev_kind {
    EV_ARRIVAL,      /* the next referral (global) */
    EV_ASSESSED,     /* a caseworker finishes an assessment */
    EV_HAZARD,       /* a transition or development step (the citizen's keyed event) */
    EV_STAY_LIMIT,   /* max_stay_years reached (flow = the flow) */
    EV_RBS,          /* periodic RBS measurement */
    EV_EXIT,         /* flow = enum exit_cause (the citizen's keyed event) */
    EV_CHANGE        /* a plan's dated change: who = its index (global) */
};

enum exit_cause { EXIT_DEATH, EXIT_RETIREMENT, EXIT_MOVED_AWAY };

struct wlist { uint32_t head, tail; int len; };   /* intrusive, via citizens */

struct vqueue {                /* caseworker queue: FIFO ring buffer */
    uint32_t *buf;
    uint32_t cap, head, count; /* count includes entries of exited citizens */
    int live;                  /* entries still waiting */
    int busy;                  /* caseworkers assessing */
};

/* The budget rule's state (docs/model.md; policy.c). The projection of the
 * calendar year's spending, spent + rate * (year_end - t_acc), is constant
 * between changes of the cost rate (d spent/dt = rate), so it is re-read
 * only when occupancy changes and at calendar-year starts: O(1) per move. */
struct budget_state {
    bool active;               /* budget.annual > 0 */
    bool over;                 /* projection above the year's budget: the rule bites */
    bool refill_due;           /* freeze just ended: waiting lists to refill */
    bool refilling;            /* inside that refill (no nesting) */
    double fixed_per_year;     /* staffed places of every ring */
    double var_per_year;       /* variable cost of the current occupants */
    double spent;              /* accrued this calendar year up to t_acc */
    double t_acc;
    double year_end;           /* t at which the current calendar year ends */
    double budget;             /* this year's budget (pro rata in a partial first year) */
    double over_since;         /* start of the unaccounted time in state `over` */
};

/* What the engine derives once from a model that can be in force (the
 * scenario's, or a plan's change; rep.c): its age distributions prepared,
 * and the rate out of each state slot by sex and levels when no rate has an
 * age effect, [(slot * 2 + female) * n_level_codes + code], or NULL (then
 * computed at each draw). The table is part of the rate cache. */
struct rep_model {
    struct truncnorm age_initial, age_arrival;
    double *out_rate;
};

struct rep {
    const struct model *m;     /* in force now: base, or a plan's change */
    const struct rep_model *mc;/* derived from m: models[0], or [1 + change] */
    struct rep_model *models;
    const struct model *base;  /* the scenario, with its changes */
    uint64_t seed;             /* streams from (seed, replication); m->seed unless set */
    double t, horizon;
    struct evq q;
    struct rngs rng;
    struct pop pop;
    int n_alive;
    int *occ;                  /* per state slot (stats.h): citizens now */
    struct wlist *wl;          /* per state slot; used for rings only */
    struct vqueue vq;
    struct rep_stats st;
    struct budget_state bud;
    struct sbuf *panel;        /* RBS rows, or NULL when not recorded */
    struct sbuf *events;       /* event log, or NULL */
    uint64_t n_events;         /* handled events (stale ones excluded) */
    bool age_rates;            /* some transition rate has an age effect */
    bool oom;                  /* an allocation failed: the run is void */
};

static inline int rep_slot(const struct rep *r, int flow, int state)
{
    return r->st.slot_base[flow] + state;
}

/* Caller-owned storage for one replication of m. 0, or -1 when out of
 * memory (nothing stays allocated). rep_reset() starts replication
 * `replication` at t = 0 with an empty population. */
int rep_init(struct rep *r, const struct model *m);
void rep_fini(struct rep *r);
void rep_reset(struct rep *r, uint32_t replication);

/* Pushes a citizen event if it falls before the horizon (beyond it, it can
 * never fire). Marks the replication void when out of memory. */
void rep_schedule(struct rep *r, double t, enum ev_kind kind, int flow,
                  uint32_t who, uint32_t stamp);

/* A citizen has ONE live keyed event in the queue: its next hazard (a
 * transition in any flow or a development step, as competing exponentials
 * at the total rate) or its exit, whichever comes first. Each draw stamps
 * it with the citizen's next key_stamp; an earlier one the queue still
 * holds (evq.h: superseded in the heap) is dropped by the loop when its
 * stamp is not the citizen's key_stamp (rep_keyed_live). The stamp wraps
 * after 2^31 draws of one citizen (31 bits), far beyond any run's events.
 *
 * The rate cache. docs/model.md reads covariates at each of the citizen's events,
 * but its rates can change only when its states or levels change, or, for
 * a rate with an age effect, with time. So:
 *   - rep_hazards_update(), called at each of the citizen's events, draws a
 *     new hazard time only when pop_rates_changed() was called since the
 *     last draw, or when some rate has an age effect (r->age_rates);
 *     otherwise the pending draw stands, which is exact for exponential
 *     times (memoryless) and costs nothing;
 *   - rep_hazards_draw() always draws: after the hazard fired, and at
 *     creation (t_exit and exit_cause must be set first). */
void rep_hazards_update(struct rep *r, uint32_t ci);
void rep_hazards_draw(struct rep *r, uint32_t ci);
/* A popped keyed event (EV_HAZARD, EV_EXIT) is c's latest, not superseded. */
static inline bool rep_keyed_live(const struct citizen *c, const struct event *ev)
{
    return ev->stamp == c->key_stamp;
}

/* Puts the model of a plan's change `change` in force (plan.c). */
void rep_switch_model(struct rep *r, int change);

/* Draws the citizen's exit from now (docs/model.md) into t_exit and exit_cause;
 * it takes effect with the next rep_hazards_draw. */
void rep_draw_exit(struct rep *r, uint32_t ci);
/* The same from generator g (a plan's redraw: rngs.h, RNGS_PURPOSE_EXIT_REDRAW). */
void rep_draw_exit_from(struct rep *r, uint32_t ci, gsl_rng *g);

/* RBS follow-ups are events only when they do something: write the panel,
 * re-place (`replace`), or re-read an age effect (docs/model.md). A record-only
 * follow-up with no panel changes nothing and is not scheduled. */
static inline bool rep_rbs_followups(const struct rep *r)
{
    return r->panel || r->m->reassess == REASSESS_REPLACE || r->age_rates;
}

/* Expected number of citizens one replication creates (initial plus the
 * mean number of arrivals): sizes allocations and the memory estimate. */
double rep_expected_citizens(const struct model *m);

/* The rates behind a citizen's hazard (docs/model.md), at the covariates of
 * time t_rates: rep_rates_t(), when its hazard was drawn.
 * rep_covariate_factor: exp(beta . z) of moves[k], with code =
 * rep_level_code(m, c) (the citizen's levels in the model's covariate
 * table, or -1 without one), computed once for all the moves of a draw.
 * rep_develop_rates: per-dimension improve and worsen rates, summed over
 * the flows' current states; rep_develop_total: their sum over the
 * dimensions that can still move. rep_hazard_rates: the rate out of each
 * flow's state (0 for flows it takes no part in) and the development rate;
 * returns their total. */
int rep_level_code(const struct model *m, const struct citizen *c);
double rep_covariate_factor(const struct model *m, int k, const struct citizen *c, int code,
                            double t_rates);
void rep_develop_rates(const struct model *m, const struct citizen *c,
                       double *improve, double *worsen);
double rep_develop_total(const struct model *m, const struct citizen *c,
                         double improve, double worsen);
double rep_hazard_rates(const struct rep *r, const struct citizen *c, double t_rates,
                        double flow_rate[MODEL_MAX_FLOWS], double *develop);
/* When the citizen's cached rates were read: only an age effect makes the
 * time matter, so hz_t is kept (a cold field) only then. */
static inline double rep_rates_t(const struct rep *r, uint32_t ci)
{
    return r->age_rates ? pop_cold(&r->pop, ci)->hz_t : r->t;
}

/* Appends a line to the event log (when it is kept): date,t,citizen,event,
 * flow,dimension,from,to with the dimension empty. */
void rep_log(struct rep *r, uint32_t who, const char *event, const char *flow,
             const char *from, const char *to);
/* A development step: the flow empty, the dimension named, from/to levels. */
void rep_log_development(struct rep *r, uint32_t who, const char *event, const char *dim,
                         const char *from, const char *to);

#endif
