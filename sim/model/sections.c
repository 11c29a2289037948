/* sections.c: reads each section of a scenario's merged tree into the
 * model, validating every key (docs/scenario.md).
 *
 * Defaults where docs/scenario.md shows none (decided here):
 *   - description: "".  output: the group may be left out; dir defaults to
 *     "output/<name>" (a variant without its own: beside its base's).
 *     policy and budget groups may be left out.
 *   - ring: law "", place_cost_per_year 0 (unlimited rings have no fixed
 *     cost anyway), referral true, max_stay_years 0 (no limit);
 *     citizen_cost_per_year is required unless hours_per_week and
 *     cost_per_hour (both) are given, which then replace it (docs/model.md).
 *     improve_per_year, worsen_per_year and initial_mean_level are required.
 *   - flow `none` group: improve 0, worsen 0, initial_mean_level =
 *     population.arrival_mean_level.
 *   - transitions: effects optional (no effect).
 * Ranges the contract leaves open: discount_rate above -1, hours_per_week 0..168,
 * mortality a, b and ratio 0 or more, warmup_years in [0, years).
 * Ids (flows, rings, dimensions) must be names of letters, digits, '_' and
 * '-': they become CSV columns and set paths, where '.' would be ambiguous. */
#include "model/sections.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/caldate.h"
#include "base/pathname.h"
#include "base/resultset.h"
#include "base/sbuf.h"
#include "base/suggest.h"
#include "model/bounds.h"
#include "model/keys.h"

static const char *const lang_names[] = { "en", "da", NULL };
/* Columns of the RBS panel (docs/calibration.md) besides flows and dimensions. */
static const char *const panel_columns[] = { "id", "date", "t", "age", "female", NULL };

/* ---- sections ---- */

static int read_simulation(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *g;
    if (cfg_get_group(L, root, "", "simulation", &g) < 0) return -1;
    const char *gp = "simulation";
    if (cfg_check_keys(L, g, gp, keys_of("simulation")) < 0) return -1;
    const char *date = "";
    if (cfg_get_str(L, g, gp, "start_date", &date) < 0) return -1;
    if (!caldate_parse(date, &m->start_day))
        return cfg_fail(L, config_setting_get_member(g, "start_date"), "simulation.start_date",
                    "must be a date YYYY-MM-DD (got \"%s\")", date);
    memcpy(m->start_date, date, 11);
    if (cfg_get_pos(L, g, gp, "years", &m->years) < 0 ||
        cfg_get_capped(L, g, gp, "years", &m->years, BOUNDS_MAX_YEARS, " years") < 0)
        return -1;
    if (cfg_get_num(L, g, gp, "warmup_years", &m->warmup_years, 0.0, INFINITY) < 0) return -1;
    if (m->warmup_years >= m->years) {
        const config_setting_t *w = config_setting_get_member(g, "warmup_years");
        const config_setting_t *y = config_setting_get_member(g, "years");
        if (w && cfg_layer_rank(L, y) < cfg_layer_rank(L, w))   /* a variant cut the years */
            return cfg_fail(L, y, "simulation.years", "%g is not more than the base's "
                            "simulation.warmup_years (%g); add ( \"simulation.warmup_years\", "
                            "%g ) or less to set", m->years, m->warmup_years, m->years / 2);
        return cfg_fail(L, w, "simulation.warmup_years",
                        "must be less than simulation.years (%g) (got %g)", m->years,
                        m->warmup_years);
    }
    if (cfg_get_int(L, g, gp, "replications", &m->replications, 1) < 0) return -1;
    const config_setting_t *s = config_setting_get_member(g, "seed");
    long long seed = 0;
    if (cfg_whole_value(L, s, "simulation.seed", &seed, 0, INT64_MAX) < 0) return -1;
    m->seed = (uint64_t)seed;
    if (cfg_get_pos(L, g, gp, "snapshot_months", &m->snapshot_months) < 0) return -1;
    if (cfg_get_pos(L, g, gp, "rbs_interval_months", &m->rbs_interval_months) < 0) return -1;
    /* The clock must advance (bounds.h). */
    static const char *const steps[] = { "snapshot_months", "rbs_interval_months" };
    for (int i = 0; i < 2; i++) {
        double v = i == 0 ? m->snapshot_months : m->rbs_interval_months;
        char path[PATH_LEN];
        cfg_join(path, gp, steps[i]);
        if (v < BOUNDS_MIN_MONTHS)
            return cfg_fail(L, config_setting_get_member(g, steps[i]), path,
                        "must be at least %g (got %g; see README, Limits)",
                        BOUNDS_MIN_MONTHS, v);
    }
    if (cfg_get_int(L, g, gp, "threads", &m->threads, 0) < 0) return -1;
    if (m->threads > BOUNDS_MAX_THREADS)
        return cfg_fail(L, config_setting_get_member(g, "threads"), "simulation.threads",
                    "must be at most %d (got %d)", BOUNDS_MAX_THREADS, m->threads);
    if (cfg_get_num(L, g, gp, "discount_rate", &m->discount_rate, -INFINITY, INFINITY) < 0)
        return -1;
    if (cfg_get_bool(L, g, gp, "uncertainty", &m->draw_uncertainty) < 0) return -1;
    if (m->draw_uncertainty && !config_setting_get_member(root, "uncertainty"))
        return cfg_fail(L, config_setting_get_member(g, "uncertainty"), "simulation.uncertainty",
                        "needs an uncertainty block (docs/uncertainty.md)");
    /* (1 + r)^-t must stay a finite, non-zero double over the horizon. */
    if (!(m->discount_rate > -1.0) || fabs(log1p(m->discount_rate)) * m->years > 700.0)
        return cfg_fail(L, config_setting_get_member(g, "discount_rate"), "simulation.discount_rate",
                    "must be above -1 and keep (1 + r)^-years within double range "
                    "(|ln(1 + r)| x years <= 700) (got %g)", m->discount_rate);
    return 0;
}

static int read_dimensions(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *a = config_setting_get_member(root, "dimensions");
    int type = config_setting_type(a);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return cfg_fail(L, a, "dimensions", "must be an array of names (got %s)", cfg_type_name(type));
    int n = config_setting_length(a);
    if (n < 1 || n > MODEL_MAX_DIMS)
        return cfg_fail(L, a, "dimensions", "must name 1 to %d dimensions (got %d)",
                    MODEL_MAX_DIMS, n);
    char path[PATH_LEN];
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(a, (unsigned)i);
        sbuf_fmt(path, sizeof path, "dimensions[%d]", i);
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
            return cfg_fail(L, s, path, "must be a string (got %s)", cfg_type_name(config_setting_type(s)));
        const char *d = config_setting_get_string(s);
        if (cfg_check_id(L, s, path, d) < 0) return -1;
        for (int k = 0; panel_columns[k]; k++)
            if (strcmp(d, panel_columns[k]) == 0)
                return cfg_fail(L, s, path, "\"%s\" is reserved (a covariate or column name)", d);
        for (int k = 0; k < i; k++)
            if (strcmp(m->dims[k], d) == 0)
                return cfg_fail(L, s, path, "dimension \"%s\" is named twice", d);
        if (!(m->dims[i] = strdup(d))) return cfg_oom(L);
        m->n_dims = i + 1;
    }
    return 0;
}

static int read_age(struct loader *L, const config_setting_t *grp, const char *gpath,
                    const char *key, struct age_dist *a)
{
    const config_setting_t *g;
    if (cfg_get_group(L, grp, gpath, key, &g) < 0) return -1;
    char gp[PATH_LEN];
    cfg_join(gp, gpath, key);
    if (cfg_check_keys(L, g, gp, keys_of("population.age")) < 0 ||
        cfg_get_capped(L, g, gp, "min", &a->min, BOUNDS_MAX_AGE, "") < 0 ||
        cfg_get_capped(L, g, gp, "max", &a->max, BOUNDS_MAX_AGE, "") < 0 ||
        cfg_get_capped(L, g, gp, "mean", &a->mean, BOUNDS_MAX_AGE, "") < 0 ||
        cfg_get_capped(L, g, gp, "sd", &a->sd, BOUNDS_MAX_AGE, "") < 0)
        return -1;
    if (a->max < a->min) {
        char path[PATH_LEN];
        const config_setting_t *lo = config_setting_get_member(g, "min");
        const config_setting_t *hi = config_setting_get_member(g, "max");
        if (cfg_layer_rank(L, lo) < cfg_layer_rank(L, hi)) {   /* a variant raised min */
            cfg_join(path, gp, "min");
            return cfg_fail(L, lo, path, "must be at most max (%g) (got %g); add ( \"%s.max\", "
                            "%g ) to set", a->max, a->min, gp, a->min);
        }
        cfg_join(path, gp, "max");
        return cfg_fail(L, hi, path, "must be at least min (%g) (got %g)", a->min, a->max);
    }
    return 0;
}

static int read_arrivals(struct loader *L, const config_setting_t *g, const char *gp,
                         struct model *m)
{
    const config_setting_t *per = config_setting_get_member(g, "arrivals_per_year");
    const config_setting_t *by = config_setting_get_member(g, "arrivals_by_year");
    if (per && by)
        return cfg_fail(L, by, "population.arrivals_by_year",
                    "give arrivals_per_year or arrivals_by_year, not both");
    if (!per && !by)
        return cfg_fail(L, g, "population.arrivals_per_year",
                    "required key is missing (or give arrivals_by_year)");
    if (per) return cfg_get_capped(L, g, gp, "arrivals_per_year", &m->arrivals_per_year,
                               BOUNDS_MAX_CITIZENS, " per year");
    int type = config_setting_type(by), n = config_setting_length(by);
    if ((type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) || n < 1)
        return cfg_fail(L, by, "population.arrivals_by_year",
                    "must be an array of one or more rates (got %s)",
                    n < 1 && type != CONFIG_TYPE_GROUP ? "none" : cfg_type_name(type));
    if (!(m->arrivals_by_year = calloc((size_t)n, sizeof *m->arrivals_by_year))) return cfg_oom(L);
    m->n_arrivals_by_year = n;
    char path[PATH_LEN];
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(by, (unsigned)i);
        sbuf_fmt(path, sizeof path, "population.arrivals_by_year[%d]", i);
        if (cfg_num_value(L, s, path, &m->arrivals_by_year[i]) < 0) return -1;
        if (m->arrivals_by_year[i] < 0.0)
            return cfg_fail(L, s, path, "must be 0 or more (got %g)", m->arrivals_by_year[i]);
        if (m->arrivals_by_year[i] > BOUNDS_MAX_CITIZENS)
            return cfg_fail(L, s, path, "must be at most %g per year (got %g; see README, Limits)",
                        BOUNDS_MAX_CITIZENS, m->arrivals_by_year[i]);
    }
    m->arrivals_per_year = m->arrivals_by_year[0];
    return 0;
}

static int read_population(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *g, *mg;
    const char *gp = "population";
    if (cfg_get_group(L, root, "", gp, &g) < 0 || cfg_check_keys(L, g, gp, keys_of("population")) < 0) return -1;
    if (cfg_get_int(L, g, gp, "initial", &m->initial, 0) < 0 ||
        read_age(L, g, gp, "age", &m->age) < 0 ||
        cfg_get_num(L, g, gp, "female_share", &m->female_share, 0.0, 1.0) < 0 ||
        read_arrivals(L, g, gp, m) < 0 ||
        read_age(L, g, gp, "arrival_age", &m->arrival_age) < 0 ||
        cfg_get_num(L, g, gp, "arrival_mean_level", &m->arrival_mean_level, 0.0,
                MODEL_LEVEL_MAX) < 0 ||
        cfg_get_num(L, g, gp, "work_participation", &m->work_participation, 0.0, 1.0) < 0 ||
        cfg_get_group(L, g, gp, "mortality", &mg) < 0 ||
        cfg_check_keys(L, mg, "population.mortality", keys_of("population.mortality")) < 0 ||
        cfg_get_capped(L, mg, "population.mortality", "a", &m->mort_a, BOUNDS_MAX_RATE,
                   " per year") < 0 ||
        cfg_get_capped(L, mg, "population.mortality", "b", &m->mort_b, 1.0,
                   " per year of age") < 0 ||
        cfg_get_capped(L, mg, "population.mortality", "ratio", &m->mort_ratio, 1000.0, "") < 0 ||
        /* No cap: 1000 is the usual "never retires". */
        cfg_get_num(L, g, gp, "retirement_age", &m->retirement_age, 0.0, INFINITY) < 0 ||
        cfg_get_capped(L, g, gp, "other_exit_per_year", &m->other_exit_per_year,
                   BOUNDS_MAX_RATE, " per year") < 0)
        return -1;
    return 0;
}

static int read_visitation(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *g, *a;
    const char *gp = "visitation", *ap = "visitation.assessment_days";
    int reassess = (int)m->reassess;
    if (cfg_get_group(L, root, "", gp, &g) < 0 || cfg_check_keys(L, g, gp, keys_of("visitation")) < 0 ||
        cfg_get_int(L, g, gp, "caseworkers", &m->caseworkers, 1) < 0 ||
        cfg_get_num(L, g, gp, "cost_per_caseworker_year", &m->caseworker_cost_per_year, 0.0,
                    BOUNDS_MAX_DKK) < 0 ||
        cfg_get_group(L, g, gp, "assessment_days", &a) < 0 ||
        cfg_check_keys(L, a, ap, keys_of("visitation.assessment_days")) < 0 ||
        cfg_get_num(L, a, ap, "mean", &m->assess_mean_days, 0.0, INFINITY) < 0 ||
        cfg_get_num(L, a, ap, "sd", &m->assess_sd_days, 0.0, INFINITY) < 0 ||
        cfg_get_enum(L, g, gp, "reassess", model_reassess_names, &reassess) < 0)
        return -1;
    /* Any sd >= 0 (docs/scenario.md); a tiny one is a near-fixed time, which the
     * gamma draw handles (engine/rngs.c, rngs_gamma_mean_sd). */
    m->reassess = (enum reassess_policy)reassess;
    return 0;
}

static int read_policy_budget(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *g = NULL;
    int wl = (int)m->waiting_list, interim = (int)m->interim, rule = (int)m->budget_rule;
    int rc = cfg_get_group(L, root, "", "policy", &g);
    if (rc < 0) return -1;
    if (rc == 1 && (cfg_check_keys(L, g, "policy", keys_of("policy")) < 0 ||
                    cfg_get_enum(L, g, "policy", "waiting_list", model_wl_order_names, &wl) < 0 ||
                    cfg_get_enum(L, g, "policy", "interim", model_interim_names, &interim) < 0))
        return -1;
    rc = cfg_get_group(L, root, "", "budget", &g);
    if (rc < 0) return -1;
    if (rc == 1 && (cfg_check_keys(L, g, "budget", keys_of("budget")) < 0 ||
                    cfg_get_capped(L, g, "budget", "annual", &m->budget_annual, BOUNDS_MAX_DKK,
                               " DKK") < 0 ||
                    cfg_get_enum(L, g, "budget", "rule", model_budget_rule_names, &rule) < 0 ||
                    cfg_get_num(L, g, "budget", "tolerance", &m->budget_tolerance, 0.0, 1.0) < 0))
        return -1;
    m->waiting_list = (enum wl_order)wl;
    m->interim = (enum interim_policy)interim;
    m->budget_rule = (enum budget_rule)rule;
    return 0;
}

static int read_need(struct loader *L, const config_setting_t *rg, const char *rp,
                     struct ring *r)
{
    char path[PATH_LEN];
    cfg_join(path, rp, "need");
    const config_setting_t *a = config_setting_get_member(rg, "need");
    int type = config_setting_type(a);
    if ((type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) || config_setting_length(a) != 2)
        return cfg_fail(L, a, path, "must be a band [lo, hi] of two need scores");
    double v[2];
    for (int i = 0; i < 2; i++) {
        const config_setting_t *s = config_setting_get_elem(a, (unsigned)i);
        if (cfg_num_value(L, s, path, &v[i]) < 0) return -1;
        if (v[i] < 0.0 || v[i] > MODEL_LEVEL_MAX)
            return cfg_fail(L, s, path, "must lie within 0..%d (got %g)", MODEL_LEVEL_MAX, v[i]);
    }
    if (!(v[0] < v[1]))
        return cfg_fail(L, a, path, "lo must be below hi (got [%g, %g])", v[0], v[1]);
    r->need_lo = v[0];
    r->need_hi = v[1];
    return 0;
}

/* Costs: citizen_cost_per_year, or hours_per_week and cost_per_hour. */
static int read_costs(struct loader *L, const config_setting_t *rg, const char *rp,
                      struct ring *r)
{
    bool hours = config_setting_get_member(rg, "hours_per_week") != NULL;
    bool rate = config_setting_get_member(rg, "cost_per_hour") != NULL;
    char path[PATH_LEN];
    if (hours != rate) {
        cfg_join(path, rp, hours ? "cost_per_hour" : "hours_per_week");
        return cfg_fail(L, rg, path, "required key is missing (hourly pricing needs "
                    "hours_per_week and cost_per_hour)");
    }
    if (!hours && !config_setting_get_member(rg, "citizen_cost_per_year")) {
        cfg_join(path, rp, "citizen_cost_per_year");
        return cfg_fail(L, rg, path, "required key is missing (or give hours_per_week and "
                    "cost_per_hour)");
    }
    if (cfg_get_capped(L, rg, rp, "place_cost_per_year", &r->place_cost_per_year,
                   BOUNDS_MAX_DKK, " DKK") < 0 ||
        cfg_get_capped(L, rg, rp, "citizen_cost_per_year", &r->citizen_cost_per_year,
                   BOUNDS_MAX_DKK, " DKK") < 0 ||
        cfg_get_num(L, rg, rp, "hours_per_week", &r->hours_per_week, 0.0, 168.0) < 0 ||
        cfg_get_capped(L, rg, rp, "cost_per_hour", &r->cost_per_hour, BOUNDS_MAX_DKK,
                   " DKK") < 0)
        return -1;
    return 0;
}

static int read_ring(struct loader *L, const config_setting_t *rg, const char *rp,
                     const struct flow *fl, struct ring *r)
{
    if (cfg_check_keys(L, rg, rp, keys_of("flows.<flow>.rings.<ring>")) < 0) return -1;
    if (cfg_get_strdup(L, rg, rp, "id", &r->id) < 0) return -1;
    char path[PATH_LEN];
    cfg_join(path, rp, "id");
    const config_setting_t *ids = config_setting_get_member(rg, "id");
    if (cfg_check_id(L, ids, path, r->id) < 0) return -1;
    if (strcmp(r->id, "none") == 0)
        return cfg_fail(L, ids, path, "\"none\" is reserved for outside the flow");
    for (const struct ring *o = fl->rings; o < r; o++)
        if (strcmp(o->id, r->id) == 0) {
            char first[PATH_LEN];
            cfg_line_ref(config_setting_get_elem(config_setting_parent(rg), (unsigned)(o - fl->rings)),
                         ids, first, sizeof first);
            return cfg_fail(L, ids, path, "ring id \"%s\" is used twice in flow %s (first at %s)",
                        r->id, fl->id, first);
        }
    r->line = cfg_line(rg);
    r->referral = true;
    if (!(r->law = strdup(""))) return cfg_oom(L);
    if (cfg_get_strdup(L, rg, rp, "name", &r->name) < 0 ||
        cfg_get_strdup(L, rg, rp, "law", &r->law) < 0 ||
        cfg_get_int(L, rg, rp, "capacity", &r->capacity, 0) < 0 ||
        cfg_get_int(L, rg, rp, "initial", &r->initial, 0) < 0)
        return -1;
    if (read_costs(L, rg, rp, r) < 0 ||
        cfg_get_bool(L, rg, rp, "referral", &r->referral) < 0 ||
        read_need(L, rg, rp, r) < 0 ||
        cfg_get_num(L, rg, rp, "initial_mean_level", &r->initial_mean_level, 0.0,
                MODEL_LEVEL_MAX) < 0 ||
        cfg_get_capped(L, rg, rp, "improve_per_year", &r->improve_per_year, BOUNDS_MAX_RATE,
                   " per year") < 0 ||
        cfg_get_capped(L, rg, rp, "worsen_per_year", &r->worsen_per_year, BOUNDS_MAX_RATE,
                   " per year") < 0 ||
        cfg_get_capped(L, rg, rp, "max_stay_years", &r->max_stay_years, BOUNDS_MAX_YEARS,
                   " years") < 0)
        return -1;
    return 0;
}

/* `initial` at most `capacity`. A capacity set by a variant or --set below
 * the base's `initial` lowers `initial` with a note (model_clamp_initial,
 * as a sweep does); in one file it is an error. */
static int check_initial(struct loader *L, const config_setting_t *rg, const char *rp,
                         struct model *m, int f, int r)
{
    const struct ring *g = &m->flows[f].rings[r];
    /* `initial` counts only at t = 0: a plan's later cut below it is fine. */
    if (g->capacity == 0 || g->initial <= g->capacity || L->epoch) return 0;
    const config_setting_t *cap = config_setting_get_member(rg, "capacity");
    const config_setting_t *ini = config_setting_get_member(rg, "initial");
    char path[PATH_LEN];
    cfg_join(path, rp, "initial");
    if (cfg_layer_rank(L, cap) >= cfg_layer_rank(L, ini))
        return cfg_fail(L, ini, path, "must be at most capacity (%d) (got %d)", g->capacity,
                    g->initial);
    const config_setting_t *o = cfg_origin(cap);
    const struct layer *ly = (const struct layer *)o->config;
    char by[PATH_LEN + 64];
    if (ly->cmdline) {
        sbuf_fmt(by, sizeof by, "--set");
    } else {
        const char *file;
        int line = cfg_where(ly, (int)config_setting_source_line(o), &file);
        sbuf_fmt(by, sizeof by, "%s:%d", file, line);
    }
    return model_clamp_initial(m, f, r, by) < 0 ? cfg_oom(L) : 0;
}

/* Among the rings of a list, the `key` setting written nearest the top of
 * the chain (a variant's set, --set), if nearer than the list itself: a
 * check that fails on the whole list is then reported there, at the line
 * that caused it. NULL when the base wrote them all. *ring: its index. */
static const config_setting_t *changed_member(const struct loader *L,
                                              const config_setting_t *rings, const char *key,
                                              int *ring)
{
    const config_setting_t *best = NULL;
    int best_rank = cfg_layer_rank(L, rings);
    for (int i = 0; i < config_setting_length(rings); i++) {
        const config_setting_t *s =
            config_setting_get_member(config_setting_get_elem(rings, (unsigned)i), key);
        if (s && cfg_layer_rank(L, s) < best_rank) {
            best = s;
            best_rank = cfg_layer_rank(L, s);
            *ring = i;
        }
    }
    return best;
}

/* A gap in the bands, reported at a band a variant changed if there is one. */
static int band_gap(struct loader *L, const config_setting_t *rings, const char *path,
                    const struct flow *fl, double lo, double hi, bool closed)
{
    int r = 0;
    const config_setting_t *need = changed_member(L, rings, "need", &r);
    if (!need)
        return cfg_fail(L, rings, path, "need bands leave scores in [%g, %g%c with no ring", lo, hi,
                    closed ? ']' : ')');
    char np[PATH_LEN];
    cfg_path_fmt(np, "%s.%s.need", path, fl->rings[r].id);
    return cfg_fail(L, need, np, "need bands leave scores in [%g, %g%c with no ring; add the "
                "neighbouring rings' bands to set, e.g. ( \"%s.<ring>.need\", [%g, %g] )", lo,
                hi, closed ? ']' : ')', path, lo, hi);
}

/* The union of a flow's bands must be [0, 4]: every need score has a ring. */
static int check_bands(struct loader *L, const config_setting_t *rings, const char *path,
                       const struct flow *fl)
{
    int order[MODEL_MAX_RINGS];
    for (int i = 0; i < fl->n_rings; i++) {     /* insertion sort by lo */
        int j = i;
        for (; j > 0 && fl->rings[order[j - 1]].need_lo > fl->rings[i].need_lo; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    double covered = 0.0;
    for (int i = 0; i < fl->n_rings; i++) {
        const struct ring *r = &fl->rings[order[i]];
        if (r->need_lo > covered) return band_gap(L, rings, path, fl, covered, r->need_lo, false);
        if (r->need_hi > covered) covered = r->need_hi;
    }
    if (covered < MODEL_LEVEL_MAX)
        return band_gap(L, rings, path, fl, covered, MODEL_LEVEL_MAX, true);
    return 0;
}

/* The rings' initial counts fit population.initial. When a variant changed
 * one side, the error is at its line and says what to add to set. */
static int check_placed(struct loader *L, const config_setting_t *rings, const char *path,
                        const struct model *m, const struct flow *fl, long long placed)
{
    if (placed <= m->initial) return 0;
    const config_setting_t *pop =
        config_setting_get_member(config_root_setting(rings->config), "population");
    const config_setting_t *pi = pop ? config_setting_get_member(pop, "initial") : NULL;
    int r = 0;
    const config_setting_t *ri = changed_member(L, rings, "initial", &r);
    char rp[PATH_LEN];
    if (pi && cfg_layer_rank(L, pi) < cfg_layer_rank(L, rings) &&
        (!ri || cfg_layer_rank(L, pi) <= cfg_layer_rank(L, ri)))
        return cfg_fail(L, pi, "population.initial", "%d is fewer than the %lld citizens the rings "
                    "of flow %s hold at t = 0; add lower ( \"%s.<ring>.initial\", N ) entries "
                    "to set, or raise population.initial", m->initial, placed, fl->id, path);
    if (ri) {
        cfg_path_fmt(rp, "%s.%s.initial", path, fl->rings[r].id);
        return cfg_fail(L, ri, rp, "the rings' initial counts sum to %lld, more than "
                    "population.initial (%d); add ( \"population.initial\", %lld ) to set",
                    placed, m->initial, placed);
    }
    return cfg_fail(L, rings, path, "the rings' initial counts sum to %lld, more than "
                "population.initial (%d)", placed, m->initial);
}

static int read_flow(struct loader *L, const config_setting_t *fg, const char *fp,
                     struct model *m, struct flow *fl)
{
    if (cfg_check_keys(L, fg, fp, keys_of("flows.<flow>")) < 0 || cfg_get_strdup(L, fg, fp, "id", &fl->id) < 0)
        return -1;
    char path[PATH_LEN], rp[PATH_LEN];
    cfg_join(path, fp, "id");
    const config_setting_t *ids = config_setting_get_member(fg, "id");
    if (cfg_check_id(L, ids, path, fl->id) < 0) return -1;
    for (int k = 0; panel_columns[k]; k++)
        if (strcmp(fl->id, panel_columns[k]) == 0)
            return cfg_fail(L, ids, path, "\"%s\" is reserved (a column of the RBS panel)", fl->id);
    for (int d = 0; d < m->n_dims; d++)
        if (strcmp(fl->id, m->dims[d]) == 0)
            return cfg_fail(L, ids, path, "\"%s\" is also a dimension", fl->id);
    for (const struct flow *o = m->flows; o < fl; o++)
        if (strcmp(o->id, fl->id) == 0)
            return cfg_fail(L, ids, path, "flow id \"%s\" is used twice", fl->id);
    if (cfg_get_strdup(L, fg, fp, "name", &fl->name) < 0) return -1;

    const config_setting_t *none;
    fl->none_initial_mean_level = m->arrival_mean_level;
    cfg_join(path, fp, "none");
    int rc = cfg_get_group(L, fg, fp, "none", &none);
    if (rc < 0) return -1;
    if (rc == 1 && (cfg_check_keys(L, none, path, keys_of("flows.<flow>.none")) < 0 ||
                    cfg_get_capped(L, none, path, "improve_per_year", &fl->none_improve_per_year,
                               BOUNDS_MAX_RATE, " per year") < 0 ||
                    cfg_get_capped(L, none, path, "worsen_per_year", &fl->none_worsen_per_year,
                               BOUNDS_MAX_RATE, " per year") < 0 ||
                    cfg_get_num(L, none, path, "initial_mean_level", &fl->none_initial_mean_level,
                            0.0, MODEL_LEVEL_MAX) < 0))
        return -1;

    const config_setting_t *rings;
    cfg_join(path, fp, "rings");
    if (cfg_get_typed(L, fg, fp, "rings", CONFIG_TYPE_LIST, &rings) < 0) return -1;
    int n = config_setting_length(rings);
    if (n < 1) return cfg_fail(L, rings, path, "a flow needs at least one ring");
    if (n > MODEL_MAX_RINGS)
        return cfg_fail(L, rings, path, "at most %d rings per flow (got %d)", MODEL_MAX_RINGS, n);
    if (!(fl->rings = calloc((size_t)n, sizeof *fl->rings))) return cfg_oom(L);
    long long placed = 0;                      /* 64 rings of INT32_MAX: no overflow */
    for (int i = 0; i < n; i++) {
        const config_setting_t *rg = config_setting_get_elem(rings, (unsigned)i);
        cfg_elem_path(rp, path, rg, i);
        if (config_setting_type(rg) != CONFIG_TYPE_GROUP)
            return cfg_fail(L, rg, rp, "must be a group { } (got %s)",
                        cfg_type_name(config_setting_type(rg)));
        fl->n_rings = i + 1;                   /* so model_destroy frees it */
        if (read_ring(L, rg, rp, fl, &fl->rings[i]) < 0 ||
            check_initial(L, rg, rp, m, (int)(fl - m->flows), i) < 0)
            return -1;
        placed += fl->rings[i].initial;
    }
    if (check_bands(L, rings, path, fl) < 0) return -1;
    return check_placed(L, rings, path, m, fl, placed);
}

static int read_flows(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *list;
    if (cfg_get_typed(L, root, "", "flows", CONFIG_TYPE_LIST, &list) < 0) return -1;
    int n = config_setting_length(list);
    if (n < 1) return cfg_fail(L, list, "flows", "a scenario needs at least one flow");
    if (n > MODEL_MAX_FLOWS)
        return cfg_fail(L, list, "flows", "at most %d flows (got %d)", MODEL_MAX_FLOWS, n);
    char fp[PATH_LEN];
    for (int i = 0; i < n; i++) {
        const config_setting_t *fg = config_setting_get_elem(list, (unsigned)i);
        cfg_elem_path(fp, "flows", fg, i);
        if (config_setting_type(fg) != CONFIG_TYPE_GROUP)
            return cfg_fail(L, fg, fp, "must be a group { } (got %s)",
                        cfg_type_name(config_setting_type(fg)));
        m->n_flows = i + 1;
        if (read_flow(L, fg, fp, m, &m->flows[i]) < 0) return -1;
    }
    return 0;
}

/* A state of flow fl by id ("none" = n_rings), or an error with a hint. */
static int find_state(struct loader *L, const config_setting_t *tg, const char *tp,
                      const char *key, const struct flow *fl, int *out)
{
    const char *id = "";
    char path[PATH_LEN], hint[96];
    if (cfg_get_str(L, tg, tp, key, &id) < 0) return -1;
    if (strcmp(id, "none") == 0) { *out = fl->n_rings; return 0; }
    const char *cand[MODEL_MAX_RINGS + 1];
    for (int r = 0; r < fl->n_rings; r++) {
        if (strcmp(fl->rings[r].id, id) == 0) { *out = r; return 0; }
        cand[r] = fl->rings[r].id;
    }
    cand[fl->n_rings] = "none";
    cfg_join(path, tp, key);
    return cfg_fail(L, config_setting_get_member(tg, key), path, "no ring \"%s\" in flow %s%s",
                id, fl->id, suggest_nearest(id, cand, fl->n_rings + 1, hint, sizeof hint));
}

static int read_effects(struct loader *L, const config_setting_t *tg, const char *tp,
                        const struct model *m, struct transition *t)
{
    const config_setting_t *g;
    int rc = cfg_get_group(L, tg, tp, "effects", &g);
    if (rc <= 0) return rc;
    /* Known keys: the scenario's dimensions, then age and female. */
    struct key keys[MODEL_MAX_COVS + 1];
    for (int d = 0; d < m->n_dims; d++) keys[d] = (struct key){ m->dims[d], false };
    keys[m->n_dims] = (struct key){ "age", false };
    keys[m->n_dims + 1] = (struct key){ "female", false };
    keys[m->n_dims + 2] = (struct key){ NULL, false };
    char ep[PATH_LEN];
    cfg_join(ep, tp, "effects");
    if (cfg_check_keys(L, g, ep, keys) < 0) return -1;
    for (int k = 0; k < m->n_dims + 2; k++) {
        int slot = k < m->n_dims ? k : k == m->n_dims ? COV_AGE : COV_FEMALE;
        if (cfg_get_num(L, g, ep, keys[k].name, &t->beta[slot], -INFINITY, INFINITY) < 0) return -1;
        if (t->beta[slot] != 0.0) t->has_effects = true;
    }
    return 0;
}

/* The largest rate a transition reaches with its covariates (docs/model.md):
 * levels give z in [-2, 2], age z = (age - 40) / 10 over the ages a
 * citizen can have (retirement ends them), female z in {0, 1}. Above
 * BOUNDS_MAX_RATE the events of one citizen would crowd out the run
 * (and past ~1e12 per year the clock could no longer advance). Called
 * after population and transitions are read. */
static int check_peak_rate(struct loader *L, const config_setting_t *tg, const char *tp,
                           const struct model *m, const struct transition *t)
{
    if (!t->has_effects || t->per_year == 0.0) return 0;
    double lp = 0.0;
    for (int d = 0; d < m->n_dims; d++) lp += 2.0 * fabs(t->beta[d]);
    double young = fmin(m->age.min, m->arrival_age.min);
    double old = fmin(m->retirement_age, fmax(m->age.max, m->arrival_age.max) + m->years);
    if (old < young) old = young;
    double b = t->beta[COV_AGE];
    lp += fmax(b * (young - 40.0) / 10.0, b * (old - 40.0) / 10.0);
    lp += fmax(0.0, t->beta[COV_FEMALE]);
    double peak = t->per_year * exp(lp);
    if (peak <= BOUNDS_MAX_RATE) return 0;
    char path[PATH_LEN];
    cfg_join(path, tp, "effects");
    return cfg_fail(L, config_setting_get_member(tg, "effects"), path,
                "with per_year %g the rate reaches %.3g per year for some citizens (hazard "
                "ratio exp(%.3g)); rates are at most %g per year (see README, Limits)",
                t->per_year, peak, lp, BOUNDS_MAX_RATE);
}

static int read_transitions(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *list;
    if (cfg_get_typed(L, root, "", "transitions", CONFIG_TYPE_LIST, &list) < 0) return -1;
    int n = config_setting_length(list);
    if (n > 0 && !(m->transitions = calloc((size_t)n, sizeof *m->transitions))) return cfg_oom(L);
    const char *flow_ids[MODEL_MAX_FLOWS];
    for (int f = 0; f < m->n_flows; f++) flow_ids[f] = m->flows[f].id;
    char tp[PATH_LEN], path[PATH_LEN], hint[96];
    for (int i = 0; i < n; i++) {
        const config_setting_t *tg = config_setting_get_elem(list, (unsigned)i);
        struct transition *t = &m->transitions[i];
        sbuf_fmt(tp, sizeof tp, "transitions[%d]", i);
        if (config_setting_type(tg) != CONFIG_TYPE_GROUP)
            return cfg_fail(L, tg, tp, "must be a group { } (got %s)",
                        cfg_type_name(config_setting_type(tg)));
        if (cfg_check_keys(L, tg, tp, keys_of("transitions[N]")) < 0) return -1;
        const char *fid = "";
        if (cfg_get_str(L, tg, tp, "flow", &fid) < 0) return -1;
        t->flow = 0;
        while (t->flow < m->n_flows && strcmp(m->flows[t->flow].id, fid) != 0) t->flow++;
        if (t->flow == m->n_flows) {
            cfg_join(path, tp, "flow");
            return cfg_fail(L, config_setting_get_member(tg, "flow"), path, "no flow \"%s\"%s", fid,
                        suggest_nearest(fid, flow_ids, m->n_flows, hint, sizeof hint));
        }
        const struct flow *fl = &m->flows[t->flow];
        if (find_state(L, tg, tp, "from", fl, &t->from) < 0 ||
            find_state(L, tg, tp, "to", fl, &t->to) < 0)
            return -1;
        if (t->from == t->to) {
            cfg_join(path, tp, "to");
            return cfg_fail(L, config_setting_get_member(tg, "to"), path,
                        "is the same state as from (\"%s\")", model_state_id(fl, t->from));
        }
        for (int k = 0; k < i; k++) {
            const struct transition *o = &m->transitions[k];
            if (o->flow == t->flow && o->from == t->from && o->to == t->to) {
                char first[PATH_LEN];
                cfg_line_ref(config_setting_get_elem(list, (unsigned)k), tg, first, sizeof first);
                return cfg_fail(L, tg, tp, "flow %s already has a transition %s -> %s "
                            "(transitions[%d], %s)", fl->id,
                            model_state_id(fl, t->from), model_state_id(fl, t->to), k, first);
            }
        }
        t->line = cfg_line(tg);
        m->n_transitions = i + 1;
        if (cfg_get_capped(L, tg, tp, "per_year", &t->per_year, BOUNDS_MAX_RATE, " per year") < 0 ||
            read_effects(L, tg, tp, m, t) < 0 || check_peak_rate(L, tg, tp, m, t) < 0)
            return -1;
    }
    return 0;
}

/* The file given is a variant (it names a base). */
static bool is_variant(const struct loader *L)
{
    return L->n_layers > 0 && !L->layer[0]->cmdline &&
           config_setting_get_member(config_root_setting(&L->layer[0]->cfg), "base") != NULL;
}

/* "scenarios/more-107.cfg" -> "more-107". NULL when out of memory. */
static char *file_stem(const char *path)
{
    const char *b = path_basename(path);
    size_t n = strlen(b);
    if (n > 4 && strcmp(b + n - 4, ".cfg") == 0) n -= 4;
    return strndup(b, n);
}

static int read_output(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *g = NULL;
    int lang = 0, rc = cfg_get_group(L, root, "", "output", &g);
    if (rc < 0) return -1;
    if (rc == 1 && (cfg_check_keys(L, g, "output", keys_of("output")) < 0 ||
                    cfg_get_strdup(L, g, "output", "dir", &m->out_dir) < 0 ||
                    cfg_get_bool(L, g, "output", "events", &m->out_events) < 0 ||
                    cfg_get_bool(L, g, "output", "rbs_panel", &m->out_rbs_panel) < 0 ||
                    cfg_get_bool(L, g, "output", "plots", &m->out_plots) < 0 ||
                    cfg_get_enum(L, g, "output", "lang", lang_names, &lang) < 0))
        return -1;
    memcpy(m->lang, lang_names[lang], 3);
    if (m->out_dir && !m->out_dir[0])
        return cfg_fail(L, config_setting_get_member(g, "dir"), "output.dir", "must not be empty");
    if (m->out_dir && is_variant(L) && cfg_layer_rank(L, config_setting_get_member(g, "dir")) > 1) {
        /* The base's directory is not the variant's: the variant's results
         * go beside the base's, under the variant's name. */
        char *d = path_dirname(m->out_dir), safe[128];
        resultset_safe_name(m->name, safe, sizeof safe);     /* never "../x" */
        size_t len = (d ? strlen(d) : 0) + strlen(safe) + 2;
        char *own = d ? malloc(len) : NULL;
        if (own) sbuf_fmt(own, len, "%s/%s", d, safe);
        free(d);
        if (!own) return cfg_oom(L);
        free(m->out_dir);
        m->out_dir = own;
    }
    if (!m->out_dir) {
        char safe[128];
        resultset_safe_name(m->name, safe, sizeof safe);     /* never "../x" */
        size_t len = strlen(safe) + sizeof "output/";
        if (!(m->out_dir = malloc(len))) return cfg_oom(L);
        sbuf_fmt(m->out_dir, len, "output/%s", safe);
    }
    return 0;
}

int sections_read_model(struct loader *L, const config_setting_t *root, struct model *m)
{
    if (cfg_check_keys(L, root, "", keys_of("")) < 0) return -1;
    const config_setting_t *set = config_setting_get_member(root, "set");
    if (set) return cfg_fail(L, set, "set", "only a variant (a file with base) may have set");
    if (cfg_get_strdup(L, root, "", "name", &m->name) < 0) return -1;
    if (is_variant(L) && cfg_layer_rank(L, config_setting_get_member(root, "name")) > 1) {
        /* A variant that names itself not is named by its file. */
        char *own = file_stem(L->layer[0]->path);
        if (!own) return cfg_oom(L);
        free(m->name);
        m->name = own;
    }
    if (!m->name[0])
        return cfg_fail(L, config_setting_get_member(root, "name"), "name", "must not be empty");
    if (!(m->description = strdup(""))) return cfg_oom(L);
    if (cfg_get_strdup(L, root, "", "description", &m->description) < 0) return -1;
    /* Display texts for reports, per language (empty: name, description). */
    if (!(m->title = strdup("")) || !(m->title_da = strdup("")) || !(m->description_da = strdup("")))
        return cfg_oom(L);
    if (cfg_get_strdup(L, root, "", "title", &m->title) < 0 ||
        cfg_get_strdup(L, root, "", "title_da", &m->title_da) < 0 ||
        cfg_get_strdup(L, root, "", "description_da", &m->description_da) < 0 ||
        cfg_get_int(L, root, "", "prices_year", &m->prices_year, 1) < 0)
        return -1;
    /* Population before flows: a flow's `none` level defaults to it. */
    if (read_simulation(L, root, m) < 0 || read_dimensions(L, root, m) < 0 ||
        read_population(L, root, m) < 0 || read_visitation(L, root, m) < 0 ||
        read_policy_budget(L, root, m) < 0 || read_flows(L, root, m) < 0 ||
        read_transitions(L, root, m) < 0 || read_output(L, root, m) < 0)
        return -1;
    return 0;
}

