/* scenario.h: reads a scenario file (libconfig, docs/scenario.md) into a model,
 * validating every key. Errors are one line, "file:line: setting: problem",
 * with a did-you-mean for unknown keys; the caller prints it and exits 2. */
#ifndef FLOWSIM_SCENARIO_H
#define FLOWSIM_SCENARIO_H

#include <stddef.h>

#include "base/err.h"
#include "model/cfgtext.h"
#include "model/model.h"

/* SCENARIO_MAX_BYTES (model/cfgtext.h): a scenario file, with everything
 * it @includes, is at most that many bytes of UTF-8 text without NUL. */

/* Loads and validates path. Returns 0 and a new model in *out (free with
 * model_destroy), or -1 with e set (status EXIT_INPUT) and *out NULL. */
int scenario_load(const char *path, struct model **out, struct err *e);

/* As scenario_load, then writes values[i] (libconfig syntax: 80, 0.5,
 * "fifo", true, [1.0, 2.0]) over paths[i] (the `set` paths of docs/scenario.md), in
 * order, before validation; for `flowsim sweep`. A path that names no
 * setting, or a value that does not fit the setting, is an input error
 * naming the path: "--set: PATH: problem". */
int scenario_load_set(const char *path, int n, const char *const *paths,
                      const char *const *values, struct model **out, struct err *e);

/* As scenario_load, for len bytes of text (any bytes; no NUL needed at the
 * end) read as the file `name`: messages name it, and its `base` and
 * @include files are found beside it. For tests and the fuzzers. */
int scenario_load_text(const char *name, const char *text, size_t len, struct model **out,
                       struct err *e);

/* The model m again, a whole one, read by the loader from what m was loaded
 * from (kept only for a model with an `uncertainty` block): a fresh model
 * for each replication's parameter draw (engine/psa.c). A scenario file
 * whose bytes changed since is an input error. 0, or -1 with e set. */
int scenario_rebuild(const struct model *m, struct model **out, struct err *e);

#endif
