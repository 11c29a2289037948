/* setpath.h: the paths that name a scenario's settings (docs/scenario.md). ONE
 * grammar, parsed here, for a variant's `set`, `--set`, sweeps, `optimise`,
 * dated `changes` and `uncertainty`:
 *
 *   path    = segment { "." segment }
 *   segment = name { "[" N "]" }  |  name "[" FLOW ":" FROM "->" TO "]"
 *
 * A name is a setting's key, or the id of an element of a list of groups
 * (flows.home.rings.sel108.capacity). [N] picks element N from 0
 * (transitions[15].per_year). [FLOW:FROM->TO] picks the transition of flow
 * FLOW from state FROM to state TO, each a ring id or `none`
 * (transitions[home:sel107->sel85].per_year): it keeps its meaning when
 * lines are inserted in the base. Ids never contain '.', '[', ':' or '>'.
 *
 * Two appliers share the parser:
 *  - at load time, model/scenario.c writes any value (number, string, bool,
 *    array) into the scenario's libconfig tree before validation
 *    (scenario_load_set; a variant's `set`): the loader then checks it like
 *    any value of the file;
 *  - on a loaded model, setpath_resolve + setpath_set below change one
 *    NUMERIC setting (for dated changes, uncertainty draws, optimisers),
 *    checked against the same limits as the loader's. */
#ifndef FLOWSIM_SETPATH_H
#define FLOWSIM_SETPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"
#include "model/model.h"

#define SETPATH_MAX_SEGS 16
#define SETPATH_MAX_NAME 64            /* bytes of one name or id, NUL included */

enum setpath_seg_kind {
    SETPATH_NAME,                      /* a key or an element's id: name */
    SETPATH_INDEX,                     /* [N]: index */
    SETPATH_TRANSITION                 /* [F:A->B]: flow, from, to */
};

struct setpath_seg {
    enum setpath_seg_kind kind;
    char name[SETPATH_MAX_NAME];
    long index;
    char flow[SETPATH_MAX_NAME], from[SETPATH_MAX_NAME], to[SETPATH_MAX_NAME];
};

struct setpath {
    int n;
    struct setpath_seg seg[SETPATH_MAX_SEGS];
};

/* Parses text into p. 0, or -1 with the problem (without the path) in
 * why[n_why], e.g. "malformed transition [home:sel107] (write [FLOW:FROM->TO])". */
int setpath_parse(const char *text, struct setpath *p, char *why, size_t n_why);

/* The name of transition k of m as a path writes it: "home:sel107->sel85". */
void setpath_transition_name(const struct model *m, int k, char *buf, size_t n);

/* The hint after "no transition WANT": the nearest names (did-you-mean),
 * else " (from F:A there are A->X, A->Y)" listing the transitions out of
 * the same state, else "". names[0..n-1] are "F:A->B" names. Returns buf. */
const char *setpath_transition_hint(const char *want, const char *const *names, int n,
                                    char *buf, size_t size);

/* Transition of m named by a [F:A->B] segment: its index in
 * m->transitions, or -1 with the problem (did-you-mean included) in why. */
int setpath_find_transition(const struct model *m, const struct setpath_seg *s, char *why,
                            size_t n_why);

/* ---- numeric settings of a loaded model ---------------------------------- */

/* Which numeric setting a path names (setpath_resolve fills it in). */
struct setpath_ref {
    int key;                           /* private: the row of setpath.c's table */
    int flow, ring;                    /* rings and `none` groups; else -1 */
    int transition;                    /* index in m->transitions; else -1 */
    int slot;                          /* effects slot (beta[]) or array index; else -1 */
    bool integer;                      /* the setting holds whole numbers */
    char path[256];                    /* the path as resolved, for messages */
};

/* Resolves a path to a numeric setting of m: a ring's or `none` group's
 * number, a transition's per_year or effect, visitation (caseworkers,
 * assessment_days.mean/sd), budget.annual, and population's arrival and
 * exit rates (arrivals_per_year, arrivals_by_year[N], other_exit_per_year,
 * mortality.a/b/ratio, retirement_age). 0, or -1 with e set (EXIT_INPUT):
 * "PATH: names no numeric setting that can change (...)". */
int setpath_resolve(const struct model *m, const char *path, struct setpath_ref *ref,
                    struct err *e);

/* The setting's current value. */
double setpath_get(const struct model *m, const struct setpath_ref *ref);

/* The lowest value the setting takes (0 for rates, costs, counts;
 * -infinity for a covariate effect, a log hazard ratio). */
double setpath_min(const struct setpath_ref *ref);

/* Writes v into the setting, checked as the loader checks it (range, whole
 * numbers; "PATH: must be ..."), then re-derives what depends on it
 * (model_finish). A ring capacity set below the ring's `initial` lowers
 * `initial` (model_clamp_initial), with a line in m->notes. 0, or -1 with
 * e set (EXIT_INPUT); m is unchanged when the value is refused. */
int setpath_set(struct model *m, const struct setpath_ref *ref, double v, struct err *e);

/* Calls fn(path, value, ctx) for every numeric setting of m that
 * setpath_resolve knows, transitions named by flow and states. */
void setpath_for_each(const struct model *m,
                      void (*fn)(const char *path, double value, void *ctx), void *ctx);

/* What `variant` changes relative to `base`, one line per numeric setting
 * ("  flows.home.rings.sel108.capacity  210 -> 170"), transitions only one
 * of them has, and the words: name, description, policies, budget rule,
 * output. Prints "  (nothing differs)" when nothing does. */
void setpath_print_changes(const struct model *base, const struct model *variant, FILE *out);

#endif
