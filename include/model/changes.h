/* changes.h: a scenario's dated changes (docs/plans.md). */
#ifndef FLOWSIM_CHANGES_H
#define FLOWSIM_CHANGES_H

#include "model/cfgread.h"
#include "model/model.h"

/* Reads `changes` of tree: for each, in date order, its settings are
 * written over the tree and the whole model read again into
 * m->changes[i].m (every change up to i applied). 0, or -1 with L->e set. */
int changes_read(struct loader *L, config_setting_t *tree, struct model *m);

#endif
