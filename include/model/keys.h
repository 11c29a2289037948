/* keys.h: the table of known keys of a scenario, one per section, named
 * as docs/scenario.md names them: set paths with placeholders ("" for the
 * top level, "population.age", "flows.<flow>.rings.<ring>",
 * "transitions[N]", "changes[N]"). A transition's effects take the
 * scenario's dimensions, age and female (checked in model/sections.c). */
#ifndef FLOWSIM_KEYS_H
#define FLOWSIM_KEYS_H

#include <stdbool.h>

#include "model/cfgread.h"

/* The keys of a section, ended by { NULL }; NULL for no such section. */
const struct key *keys_of(const char *section);

/* The i-th key (i from 0) of every section: its section, name, and whether
 * it is required. 1, or 0 past the last. A test keeps docs/scenario.md
 * documenting each one. */
int keys_at(int i, const char **section, const char **name, bool *required);

#endif
