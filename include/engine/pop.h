/* pop.h: the citizens of ONE replication, held by index in one array that
 * grows geometrically (events refer to citizens by index, so growth is safe).
 * Citizens are never removed: an exited citizen keeps its record, marked not
 * alive, so its history stays in the outputs. */
#ifndef FLOWSIM_POP_H
#define FLOWSIM_POP_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/rngs.h"
#include "model/model.h"

#define POP_NO_RING (-1)
#define POP_NIL UINT32_MAX           /* end of an intrusive list */

/* Why a citizen is (or will be) moved: decides what counts as a progression
 * or regression (SPEC §7) and whether interim placement applies. */
enum move_cause {
    CAUSE_INTAKE,        /* placement after the intake assessment */
    CAUSE_TRANSITION,    /* a transition event */
    CAUSE_STAY_LIMIT,    /* re-visitation after max_stay_years */
    CAUSE_REASSESS,      /* RBS follow-up with reassess = replace */
    CAUSE_INTERIM,       /* interim placement while waiting */
    CAUSE_INITIAL        /* the initial population */
};

struct citizen {
    double age0;                      /* age at t = 0 (age(t) = age0 + t) */
    double t_arrival;                 /* referral time; < 0 for the initial */
    double hz_t;                      /* when hazards were last drawn */
    double entered[MODEL_MAX_FLOWS];  /* entry time into the current state */
    double wait_since[MODEL_MAX_FLOWS];
    uint64_t rng_state[RNGS_CITIZEN_STATE_WORDS];  /* its own stream (rngs.h) */
    uint32_t wl_next[MODEL_MAX_FLOWS], wl_prev[MODEL_MAX_FLOWS];
    uint16_t move_stamp[MODEL_MAX_FLOWS]; /* version of the stay-limit draw (wraps) */
    int8_t state[MODEL_MAX_FLOWS];    /* ring index, or n_rings for none */
    int8_t wait_ring[MODEL_MAX_FLOWS];/* ring waited for, or POP_NO_RING */
    int8_t wait_cause[MODEL_MAX_FLOWS];
    int8_t first_ring[MODEL_MAX_FLOWS];/* first ring held, or POP_NO_RING */
    int8_t expired[MODEL_MAX_FLOWS];  /* ring whose stay limit ran out */
    uint8_t level[MODEL_MAX_DIMS];
    uint8_t baseline[MODEL_MAX_DIMS]; /* RBS baseline levels */
    uint8_t visit_flows;              /* flows to place at the next assessment */
    uint8_t in_flow;                  /* bit f: takes part in flow f */
    bool alive, female, has_baseline, intake_done, placed_once;
    bool in_visit_queue, assessing;
};

struct pop {
    struct citizen *c;
    uint32_t n, cap;
};

/* Caller-owned storage; cap_hint sizes the first allocation. 0 or -1 (OOM). */
int pop_init(struct pop *p, uint32_t cap_hint);
void pop_fini(struct pop *p);
void pop_clear(struct pop *p);
/* Appends a zeroed citizen with no ring, no wait, in every flow's `none`,
 * its own random stream seeded from rng (rngs_citizen_seed: every citizen
 * has a valid one); returns its index, or POP_NIL when out of memory. */
uint32_t pop_add(struct pop *p, const struct model *m, struct rngs *rng);

static inline double pop_age(const struct citizen *c, double t) { return c->age0 + t; }

#endif
