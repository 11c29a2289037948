/* sections.h: reading a scenario's sections from its merged libconfig
 * tree into a model (model/sections.c). */
#ifndef FLOWSIM_SECTIONS_H
#define FLOWSIM_SECTIONS_H

#include "model/cfgread.h"
#include "model/model.h"

/* Reads and validates every section of root into m. 0, or -1 with L->e set. */
int sections_read_model(struct loader *L, const config_setting_t *root, struct model *m);

#endif
