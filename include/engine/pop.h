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
 * or regression (docs/model.md) and whether interim placement applies. */
enum move_cause {
    CAUSE_INTAKE,        /* placement after the intake assessment */
    CAUSE_TRANSITION,    /* a transition event */
    CAUSE_STAY_LIMIT,    /* re-visitation after max_stay_years */
    CAUSE_REASSESS,      /* RBS follow-up with reassess = replace */
    CAUSE_INTERIM,       /* interim placement while waiting */
    CAUSE_INITIAL        /* the initial population */
};

/* A citizen's record, 128 bytes (two cache lines, the array 64-byte
 * aligned), and a cold record beside it:
 *   - the first line, the hot fields read at every one of its events, so
 *     an event that only redraws its hazards (most of them) reads one line;
 *   - the second line, its part in the model's first two flows (struct
 *     citizen_flow, 32 bytes each; a third flow's part is in an array of
 *     its own). A citizen's event reads both lines, which share a page: one
 *     address translation, one DRAM page (at a million citizens both miss);
 *   - struct citizen_cold, read at its intake, placements and RBS rows.
 * Reach a flow's part through pop_flow(). Sizes are asserted in pop.c.
 *
 * The hazard-rate cache (rep.h): hz_total is the total rate of the
 * citizen's transitions and development at its current states and levels
 * while rates_fresh is set. Whoever changes state[] or level[] after the
 * citizen is created calls pop_rates_changed(); policy_move() and the
 * development step are the only ones. */
struct citizen_flow {
    double entered;                   /* entry time into the current state */
    double wait_since;
    uint32_t wl_next, wl_prev;        /* its ring's waiting list (policy.c) */
    uint16_t move_stamp;              /* version of the stay-limit draw (wraps) */
    int8_t wait_ring;                 /* ring waited for, or POP_NO_RING */
    int8_t wait_cause;
    int8_t first_ring;                /* first ring held, or POP_NO_RING */
    int8_t expired;                   /* ring whose stay limit ran out */
};

#define POP_IN_RECORD_FLOWS 2         /* flows whose part is in the record */

struct citizen {
    uint64_t rng_state[RNGS_CITIZEN_STATE_WORDS];  /* its own stream (rngs.h) */
    double age0;                      /* age at t = 0 (age(t) = age0 + t) */
    double hz_total;                  /* the cached total rate (see above) */
    double t_exit;                    /* its exit, drawn once (docs/model.md) */
    uint32_t key_stamp : 31;          /* stamp of its latest keyed event (rep.h) */
    uint32_t placed_once : 1;         /* has held a ring (read at every move) */
    int8_t state[MODEL_MAX_FLOWS];    /* ring index, or n_rings for none */
    uint8_t level[MODEL_MAX_DIMS];
    uint8_t in_flow : MODEL_MAX_FLOWS;/* bit f: takes part in flow f */
    uint8_t exit_cause : 2;           /* enum exit_cause (rep.h) */
    uint8_t alive : 1, female : 1;
    uint8_t rates_fresh : 1;          /* hz_total is that of state[], level[] */
    /* the second line */
    struct citizen_flow fl[POP_IN_RECORD_FLOWS];
};

struct citizen_cold {
    double hz_t;                      /* when its rates were last computed: kept
                                         only when a rate has an age effect (rep.h) */
    double t_arrival;                 /* referral time; < 0 for the initial */
    uint32_t baseline;                /* RBS baseline levels, packed (pop_pack_levels) */
    uint8_t visit_flows;              /* flows to place at the next assessment */
    bool assessing : 1, has_baseline : 1, intake_done : 1, in_visit_queue : 1;
};

#define POP_HOT_BYTES 64              /* one cache line */
#define POP_CITIZEN_BYTES 128
#define POP_COLD_BYTES 24
#define POP_FLOW_BYTES 32

/* Levels 0..MODEL_LEVEL_MAX in 3 bits each: a record's copy of a vector of
 * levels in 4 bytes (the RBS baseline). */
#define POP_LEVEL_BITS 3
_Static_assert(MODEL_LEVEL_MAX < (1 << POP_LEVEL_BITS) && MODEL_MAX_DIMS * POP_LEVEL_BITS <= 32,
               "levels must pack into 32 bits");
static inline uint32_t pop_pack_levels(const uint8_t *level)
{
    uint32_t packed = 0;
    for (int d = 0; d < MODEL_MAX_DIMS; d++) packed |= (uint32_t)level[d] << (POP_LEVEL_BITS * d);
    return packed;
}
static inline int pop_packed_level(uint32_t packed, int d)
{
    return (int)(packed >> (POP_LEVEL_BITS * d)) & ((1 << POP_LEVEL_BITS) - 1);
}

/* The citizen's states or levels changed: its cached rates are stale. */
static inline void pop_rates_changed(struct citizen *c) { c->rates_fresh = false; }

struct pop {
    struct citizen *c;
    struct citizen_cold *cold;
    struct citizen_flow *fl_more;     /* flows past the record's: [ci * more + f - 2] */
    uint32_t n, cap;
    int n_flows;
};

static inline struct citizen_cold *pop_cold(const struct pop *p, uint32_t ci) { return &p->cold[ci]; }
static inline struct citizen_flow *pop_flow(const struct pop *p, uint32_t ci, int f)
{
    if (f < POP_IN_RECORD_FLOWS) return &p->c[ci].fl[f];
    size_t more = (size_t)(p->n_flows - POP_IN_RECORD_FLOWS);
    return &p->fl_more[(size_t)ci * more + (size_t)(f - POP_IN_RECORD_FLOWS)];
}

/* Bytes a citizen takes in the arrays of a model with n_flows flows. */
static inline size_t pop_bytes_per_citizen(int n_flows)
{
    size_t more = n_flows > POP_IN_RECORD_FLOWS ? (size_t)(n_flows - POP_IN_RECORD_FLOWS) : 0;
    return POP_CITIZEN_BYTES + POP_COLD_BYTES + more * POP_FLOW_BYTES;
}

/* Caller-owned storage for citizens of a model with n_flows flows (1 ..
 * MODEL_MAX_FLOWS); cap_hint sizes the first allocation (give the expected
 * number of citizens: growing copies the arrays). 0 or -1 (OOM). */
int pop_init(struct pop *p, uint32_t cap_hint, int n_flows);
void pop_fini(struct pop *p);
void pop_clear(struct pop *p);
/* Appends a zeroed citizen with no ring, no wait, no exit drawn yet
 * (t_exit = +inf), no fresh rates, in every flow's `none`,
 * its own random stream seeded from rng (rngs_citizen_seed: every citizen
 * has a valid one); returns its index, or POP_NIL when out of memory. */
uint32_t pop_add(struct pop *p, const struct model *m, struct rngs *rng);

static inline double pop_age(const struct citizen *c, double t) { return c->age0 + t; }

#endif
