/* policy.h: where citizens go. Placement by need band, waiting lists
 * (`fifo`, `need`), interim placement (`stay`, `inner`, `outer`), the
 * caseworker queue of visitation, and the budget rule's say over entries.
 * Every executed move in a flow goes through policy_move(), so occupancy,
 * waits, first placements and progression counts stay consistent. */
#ifndef FLOWSIM_POLICY_H
#define FLOWSIM_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/pop.h"
#include "engine/rep.h"

/* A place is free in ring `ring` of flow f (capacity 0 = unlimited). */
bool policy_has_room(const struct rep *r, int f, int ring);
/* The budget rule lets someone enter ring `ring` now (`report`: always). */
bool policy_budget_allows(const struct rep *r, int f, int ring);
/* Citizen ci may enter `ring` of flow f now (placement or transition): room
 * and the budget's consent. A refusal by the budget alone counts as a
 * deferred placement, unless ci already waits for that ring. */
bool policy_admit(struct rep *r, uint32_t ci, int f, int ring);

/* The budget rule's state (rep.h struct budget_state). start: after the
 * initial population is placed; flush: accounts the time in state `over`
 * up to r->t (before every stats_mark); new_year: at a calendar-year mark,
 * after stats_mark, starts the year's spending and budget. */
void policy_budget_start(struct rep *r);
void policy_budget_flush(struct rep *r);
void policy_budget_new_year(struct rep *r);
/* A plan's change just made r->m the new model: the spending rate follows
 * its prices and capacities from now on. */
void policy_budget_switch(struct rep *r);

/* Executes a move of citizen ci in flow f to state `to` now. A move that
 * fulfils the citizen's wait records that wait; any other move except an
 * interim one cancels it. Frees the old place and lets the head of its list
 * in. */
void policy_move(struct rep *r, uint32_t ci, int f, int to, enum move_cause cause);

/* A requested entry into `to` now, counted as a zero wait (Erlang's Wq). */
void policy_enter_now(struct rep *r, uint32_t ci, int f, int to, enum move_cause cause);

/* Puts ci on ring `ring`'s waiting list (replacing any other wait in f). */
void policy_request(struct rep *r, uint32_t ci, int f, int ring, enum move_cause cause);

/* Drops ci's wait in flow f, if any, counting it abandoned. */
void policy_cancel_wait(struct rep *r, uint32_t ci, int f);

/* Placement after visitation or reassessment: into `target` if it has room,
 * else onto its list with the interim policy applied. Under `step_down`,
 * while the budget rule bites, a target that is a referral ring becomes the
 * next ring outward (counted as stepped down). */
void policy_place(struct rep *r, uint32_t ci, int f, int target, enum move_cause cause);

/* Lets waiting citizens into ring `ring` of flow f while it has room. */
void policy_fill(struct rep *r, int f, int ring);

/* Visitation: asks for an assessment of the flows in mask (merged into one
 * already pending), and starts assessments while caseworkers are free. */
void policy_visit_request(struct rep *r, uint32_t ci, uint8_t flow_mask);
void policy_visit_start(struct rep *r);

/* Removes ci from every list, place and the caseworker queue at its exit. */
void policy_exit(struct rep *r, uint32_t ci);

#endif
