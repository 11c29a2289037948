/* changes.c: plans over time (docs/plans.md, `changes`). Each
 * change's set entries are written over the merged tree and the whole
 * model read again (model/changes.h). */
#include "model/changes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/caldate.h"
#include "model/bounds.h"
#include "model/keys.h"
#include "model/sections.h"
#include "model/variant.h"

/* What a change may touch: numeric settings of rings, transitions,
 * visitation, the budget, and the arrival and exit rates. */
static bool change_allowed(const char *path)
{
    static const char *const prefix[] = {
        "flows.", "transitions[", "visitation.", "budget.annual",
        "population.arrivals_per_year", "population.arrivals_by_year", "population.arrival_",
        "population.female_share", "population.work_participation", "population.mortality",
        "population.retirement_age", "population.other_exit_per_year", NULL };
    const char *last = strrchr(path, '.');
    /* Settings read only at t = 0 cannot change later. */
    if (last && (!strcmp(last, ".initial") || !strcmp(last, ".initial_mean_level"))) return false;
    for (int i = 0; prefix[i]; i++)
        if (!strncmp(path, prefix[i], strlen(prefix[i]))) return true;
    return false;
}

static bool numeric_setting(const config_setting_t *s)
{
    int t = config_setting_type(s);
    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT) return true;
    if (t != CONFIG_TYPE_ARRAY) return false;
    for (int i = 0; i < config_setting_length(s); i++)
        if (!numeric_setting(config_setting_get_elem(s, (unsigned)i))) return false;
    return true;
}

/* Checks change i (its date, relocate and set list) and writes its set
 * entries over tree. */
static int apply_change(struct loader *L, const config_setting_t *c, int i, config_setting_t *tree,
                        struct model *m, double prev_t, struct model_change *out)
{
    char cp[PATH_LEN], p[PATH_LEN];
    cfg_path_fmt(cp, "changes[%d]", i);
    if (config_setting_type(c) != CONFIG_TYPE_GROUP)
        return cfg_fail(L, c, cp, "must be a group { date = \"YYYY-MM-DD\"; set = ( ... ); }");
    if (cfg_check_keys(L, c, cp, keys_of("changes[N]")) < 0) return -1;
    const char *date = "";
    if (cfg_get_str(L, c, cp, "date", &date) < 0) return -1;
    cfg_path_fmt(p, "%s.date", cp);
    int32_t day;
    if (!caldate_parse(date, &day))
        return cfg_fail(L, config_setting_get_member(c, "date"), p, "must be a date YYYY-MM-DD (got \"%s\")",
                    date);
    out->t = (double)(day - m->start_day) / DAYS_PER_YEAR;
    if (out->t <= 0.0)
        return cfg_fail(L, config_setting_get_member(c, "date"), p,
                    "must come after simulation.start_date (%s) (got \"%s\")", m->start_date, date);
    if (out->t < prev_t)
        return cfg_fail(L, config_setting_get_member(c, "date"), p,
                    "changes must be in date order (got \"%s\" after a later date)", date);
    memcpy(out->date, date, 11);
    if (cfg_get_bool(L, c, cp, "relocate", &out->relocate) < 0) return -1;
    const config_setting_t *set = config_setting_get_member(c, "set");
    cfg_path_fmt(p, "%s.set", cp);
    if (config_setting_type(set) != CONFIG_TYPE_LIST || config_setting_length(set) == 0)
        return cfg_fail(L, set, p, "must be a list ( ( \"path\", value ), ... ) of at least one entry");
    for (int k = 0; k < config_setting_length(set); k++) {
        const config_setting_t *entry = config_setting_get_elem(set, (unsigned)k);
        char ep[PATH_LEN], why[PATH_LEN + 128];
        cfg_path_fmt(ep, "%s.set[%d]", cp, k);
        if (config_setting_type(entry) != CONFIG_TYPE_LIST || config_setting_length(entry) != 2 ||
            config_setting_type(config_setting_get_elem(entry, 0)) != CONFIG_TYPE_STRING)
            return cfg_fail(L, entry, ep, "must be ( \"path\", value )");
        const char *path = config_setting_get_string(config_setting_get_elem(entry, 0));
        const config_setting_t *v = config_setting_get_elem(entry, 1);
        config_setting_t *t = variant_walk(tree, path, why, sizeof why);
        if (!t || t == tree)
            return cfg_fail(L, entry, path[0] ? path : ep, "names no setting of the scenario (%s)",
                        t ? "empty path" : why);
        if (!change_allowed(path) || !numeric_setting(t))
            return cfg_fail(L, entry, path, "cannot change at a date (only numbers of a ring, a "
                        "transition, visitation, budget.annual and the arrival and exit rates)");
        if (!numeric_setting(v)) return cfg_fail(L, entry, path, "needs a number");
        if (variant_assign(L, t, v, entry, path) < 0) return -1;
    }
    return 0;
}

/* Reads `changes` (docs/plans.md): for each, in date order, its settings are
 * written over the tree and the whole model read again, so that change i
 * holds the model from its date on (every change up to i applied). The
 * engine switches between these models at the dates. */
int changes_read(struct loader *L, config_setting_t *tree, struct model *m)
{
    const config_setting_t *list = config_setting_get_member(tree, "changes");
    if (!list) return 0;
    if (config_setting_type(list) != CONFIG_TYPE_LIST)
        return cfg_fail(L, list, "changes", "must be a list ( { date = ...; set = ( ... ); }, ... )");
    int n = config_setting_length(list);
    if (n == 0) return 0;
    if (n > BOUNDS_MAX_CHANGES)
        return cfg_fail(L, list, "changes", "at most %d changes (got %d)", BOUNDS_MAX_CHANGES, n);
    if (!(m->changes = calloc((size_t)n, sizeof *m->changes))) return cfg_oom(L);
    L->epoch = true;
    double prev = 0.0;
    for (int i = 0; i < n; i++) {
        struct model_change *c = &m->changes[i];
        m->n_changes = i + 1;
        if (apply_change(L, config_setting_get_elem(list, (unsigned)i), i, tree, m, prev, c) < 0)
            return -1;
        prev = c->t;
        if (!(c->m = model_create())) return cfg_oom(L);
        if (sections_read_model(L, tree, c->m) < 0 || !(c->m->path = strdup(m->path ? m->path : "")))
            return -1;
        memcpy(c->m->sha256, m->sha256, sizeof m->sha256);
        if (model_finish(c->m, L->e) != 0) return -1;
    }
    L->epoch = false;
    return 0;
}

