/* plan.h: a replication switching to a plan's dated change (docs/plans.md). The
 * models of the changes are built at load (model.h: changes[i].m, every
 * change up to i applied); at the date the replication reads the new one,
 * and what it had drawn from the old one is brought in line. */
#ifndef FLOWSIM_PLAN_H
#define FLOWSIM_PLAN_H

#include "engine/rep.h"

/* Switches r to change i of its scenario at r->t: the costs accrued so far
 * keep the old prices; hazards are drawn again if any transition or
 * development rate changed, exits if an exit rate changed; with relocate,
 * the citizens above a cut capacity (lowest need score first) are placed
 * again at once, as at a stay limit but never back into the cut ring; then
 * raised capacities take their waiting lists and more caseworkers start on
 * the visitation queue. */
void plan_switch(struct rep *r, int i);

#endif
