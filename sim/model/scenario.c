/* scenario.c: reads a scenario (SPEC §3) with libconfig into a model.
 *
 * Two stages. First the file and the chain of bases it names are parsed and
 * merged into ONE libconfig tree: the deepest base's, with each variant's
 * top-level keys replacing the base's and each `set` entry written into it.
 * Then the model is read from that tree, validating every key.
 *
 * Variants (SPEC §3): `base` is relative to the variant's directory; bases
 * may chain (a cycle, or more than MAX_CHAIN files, is an error at the
 * `base` line). Every other top-level key of a variant replaces the base's
 * whole key; then each ( "path", value ) of `set` is written, in order. A
 * path is setting names joined by '.', where an element of a list of groups
 * is named by its `id` ("flows.home.rings.sel108.capacity") and [N] picks
 * element N from 0 ("transitions[3].per_year"). The value must fit the
 * base's setting: an integer into a number, a whole number into an integer,
 * a string, a bool, or an aggregate of the same kind (which replaces the
 * aggregate's contents in place, so rings keep their order).
 *
 * Every error names the file and line where the offending text is written.
 * A setting copied or changed by a variant carries, as its libconfig hook,
 * the variant's setting it came from, so origin() leads back to that text
 * (the copy itself has no line). All trees stay alive until the model is
 * built, which keeps those hooks valid.
 *
 * Defaults where SPEC §3 shows none (decided here):
 *   - description: "".  output: the group may be left out; dir defaults to
 *     "output/<name>".  policy and budget groups may be left out.
 *   - ring: law "", place_cost_per_year 0 (unlimited rings have no fixed
 *     cost anyway), referral true, max_stay_years 0 (no limit);
 *     citizen_cost_per_year is required unless hours_per_week and
 *     cost_per_hour (both) are given, which then replace it (SPEC §7).
 *     improve_per_year, worsen_per_year and initial_mean_level are required
 *     (PARAMETERS: "the file still needs the key").
 *   - flow `none` group: improve 0, worsen 0, initial_mean_level =
 *     population.arrival_mean_level.
 *   - transitions: effects optional (no effect).
 * Ranges where SPEC is silent: discount_rate above -1, hours_per_week 0..168,
 * mortality a, b and ratio 0 or more, warmup_years in [0, years).
 * Ids (flows, rings, dimensions) must be names of letters, digits, '_' and
 * '-': they become CSV columns and set paths, where '.' would be ambiguous. */
#define _XOPEN_SOURCE 700         /* realpath */
#include "model/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <sha2.h>     /* libmd: SHA256Data for the scenario fingerprint */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/caldate.h"
#include "base/sbuf.h"
#include "base/suggest.h"
#include "model/bounds.h"
#include "model/setpath.h"

#define PATH_LEN 256          /* dotted setting paths in messages */
#define MAX_CHAIN 16          /* files in one chain of bases */
#define MAX_KEYS 32           /* keys of one section (the ring has 15) */

/* One parsed file. cfg comes first, so a setting's ->config leads back to
 * its layer (and so to the file's path and directory). */
struct layer {
    config_t cfg;
    char *path;               /* as given, or joined to the variant's dir */
    char *dir;                /* for @include and base */
    dev_t dev;
    ino_t ino;
    bool cmdline;             /* values of --set: errors name no file:line */
};

struct loader {
    struct err *e;
    struct layer *layer[MAX_CHAIN];   /* the chain, variant first */
    int n_layers;
    bool epoch;                       /* reading the model from a change on */
    char *base_path;                  /* the given file's base, if a variant */
};


static char *dir_of(const char *path);

/* ---- keys ---- */

/* One table of known keys per section: it drives the unknown-key check,
 * the did-you-mean and the required-key check. */
struct key { const char *name; bool required; };

static const struct key top_keys[] = {
    { "name", true }, { "description", false }, { "simulation", true },
    { "dimensions", true }, { "population", true }, { "visitation", true },
    { "policy", false }, { "budget", false }, { "flows", true },
    { "transitions", true }, { "output", false }, { "base", false },
    { "set", false }, { "changes", false }, { NULL, false } };
static const struct key sim_keys[] = {
    { "start_date", true }, { "years", true }, { "warmup_years", false },
    { "replications", true }, { "seed", true }, { "snapshot_months", false },
    { "rbs_interval_months", false }, { "threads", false },
    { "discount_rate", false }, { NULL, false } };
/* arrivals_per_year or arrivals_by_year: one is required (checked apart). */
static const struct key pop_keys[] = {
    { "initial", true }, { "age", true }, { "female_share", true },
    { "arrivals_per_year", false }, { "arrivals_by_year", false },
    { "arrival_age", true }, { "arrival_mean_level", true },
    { "work_participation", true }, { "mortality", true },
    { "retirement_age", true }, { "other_exit_per_year", true }, { NULL, false } };
static const struct key age_keys[] = {
    { "min", true }, { "max", true }, { "mean", true }, { "sd", true }, { NULL, false } };
static const struct key mort_keys[] = {
    { "a", true }, { "b", true }, { "ratio", true }, { NULL, false } };
static const struct key visit_keys[] = {
    { "caseworkers", true }, { "assessment_days", true }, { "reassess", false },
    { NULL, false } };
static const struct key assess_keys[] = {
    { "mean", true }, { "sd", true }, { NULL, false } };
static const struct key policy_keys[] = {
    { "waiting_list", false }, { "interim", false }, { NULL, false } };
static const struct key budget_keys[] = {
    { "annual", false }, { "rule", false }, { "tolerance", false }, { NULL, false } };
static const struct key flow_keys[] = {
    { "id", true }, { "name", true }, { "none", false }, { "rings", true },
    { NULL, false } };
static const struct key none_keys[] = {
    { "improve_per_year", false }, { "worsen_per_year", false },
    { "initial_mean_level", false }, { NULL, false } };
/* citizen_cost_per_year unless hourly: checked apart. */
static const struct key ring_keys[] = {
    { "id", true }, { "name", true }, { "law", false }, { "capacity", true },
    { "initial", true }, { "place_cost_per_year", false },
    { "citizen_cost_per_year", false }, { "hours_per_week", false },
    { "cost_per_hour", false }, { "referral", false }, { "need", true },
    { "initial_mean_level", true }, { "improve_per_year", true },
    { "worsen_per_year", true }, { "max_stay_years", false }, { NULL, false } };
static const struct key trans_keys[] = {
    { "flow", true }, { "from", true }, { "to", true }, { "per_year", true },
    { "effects", false }, { NULL, false } };
static const struct key output_keys[] = {
    { "dir", false }, { "events", false }, { "rbs_panel", false },
    { "plots", false }, { "lang", false }, { NULL, false } };

static const struct key change_keys[] = {
    { "date", true }, { "set", true }, { "relocate", false }, { NULL, false } };

/* Every section and its keys, as docs/scenario.md names them (set paths,
 * with <placeholders> for ids and indices). A transition's effects take the
 * scenario's dimensions, age and female. */
static const struct section {
    const char *path;
    const struct key *keys;
} sections[] = {
    { "", top_keys }, { "simulation", sim_keys }, { "population", pop_keys },
    { "population.age", age_keys }, { "population.arrival_age", age_keys },
    { "population.mortality", mort_keys }, { "visitation", visit_keys },
    { "visitation.assessment_days", assess_keys }, { "policy", policy_keys },
    { "budget", budget_keys }, { "flows.<flow>", flow_keys },
    { "flows.<flow>.none", none_keys }, { "flows.<flow>.rings.<ring>", ring_keys },
    { "transitions[N]", trans_keys }, { "output", output_keys }, { "changes[N]", change_keys },
};

int scenario_key_at(int i, const char **section, const char **name, bool *required)
{
    for (size_t k = 0; k < sizeof sections / sizeof sections[0]; k++)
        for (const struct key *key = sections[k].keys; key->name; key++)
            if (i-- == 0) {
                *section = sections[k].path;
                *name = key->name;
                *required = key->required;
                return 1;
            }
    return 0;
}

static const char *const wl_names[] = { "fifo", "need", NULL };
static const char *const interim_names[] = { "stay", "inner", "outer", NULL };
static const char *const reassess_names[] = { "record", "replace", NULL };
static const char *const rule_names[] = { "report", "freeze", "step_down", NULL };
static const char *const lang_names[] = { "en", "da", NULL };
/* Columns of the RBS panel (SPEC §6) besides flows and dimensions. */
static const char *const panel_columns[] = { "id", "date", "t", "age", "female", NULL };

/* ---- did you mean ---- */

static const char *suggest(const char *word, const char *const *cand, int n,
                           char *buf, size_t size)
{
    return suggest_nearest(word, cand, n, buf, size);
}

/* ---- positions and errors ---- */

static config_setting_t *origin(const config_setting_t *s)
{
    config_setting_t *o = config_setting_get_hook(s);
    return o ? o : (config_setting_t *)s;
}

/* The file a name reported by libconfig refers to. libconfig 1.5 records an
 * @include'd file by the name written after @include, which is relative to
 * the including file's directory (the include dir). */
static void file_name(const struct layer *ly, const char *file, char *buf, size_t n)
{
    if (!file || strcmp(file, ly->path) == 0) sbuf_fmt(buf, n, "%s", ly->path);
    else if (file[0] == '/' || strcmp(ly->dir, ".") == 0) sbuf_fmt(buf, n, "%s", file);
    else sbuf_fmt(buf, n, "%s/%s", ly->dir, file);
}

/* Sets the error at setting s, shown under the dotted path. */
static int fail(struct loader *L, const config_setting_t *s, const char *path,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct loader *L, const config_setting_t *s, const char *path,
                const char *fmt, ...)
{
    char problem[768], file[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    if (!s) return err_at(L->e, NULL, 0, path, "%s", problem);
    const config_setting_t *o = origin(s);
    if (((const struct layer *)o->config)->cmdline)
        return err_at(L->e, "--set", 0, path, "%s", problem);
    file_name((const struct layer *)o->config, config_setting_source_file(o), file, sizeof file);
    return err_at(L->e, file, (int)config_setting_source_line(o), path, "%s", problem);
}

static int oom(struct loader *L)
{
    return err_set(L->e, EXIT_RUNTIME, "out of memory");
}

/* Formats a setting path into out[PATH_LEN]; a path too long is cut, which
 * only shortens a message. */
static void path_fmt(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void path_fmt(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, PATH_LEN, fmt, ap);
    va_end(ap);
}

/* Appends to the string in buf[size], cutting what does not fit. */
static void appendf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

static void join(char *out, const char *gpath, const char *key)
{
    if (gpath[0]) path_fmt(out, "%s.%s", gpath, key);
    else path_fmt(out, "%s", key);
}

static const char *type_name(int type)
{
    switch (type) {
    case CONFIG_TYPE_GROUP: return "a group { }";
    case CONFIG_TYPE_ARRAY: return "an array [ ]";
    case CONFIG_TYPE_LIST: return "a list ( )";
    case CONFIG_TYPE_INT: case CONFIG_TYPE_INT64: return "an integer";
    case CONFIG_TYPE_FLOAT: return "a number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "true or false";
    default: return "nothing";
    }
}

/* Unknown keys (with a did-you-mean), then missing required keys. */
static int check_keys(struct loader *L, const config_setting_t *grp, const char *gpath,
                      const struct key *tab)
{
    const char *names[MAX_KEYS];
    int n = 0;
    for (; tab[n].name && n < MAX_KEYS; n++) names[n] = tab[n].name;
    char path[PATH_LEN], hint[96];
    for (int i = 0; i < config_setting_length(grp); i++) {
        const config_setting_t *c = config_setting_get_elem(grp, (unsigned)i);
        const char *name = config_setting_name(c);
        int k = 0;
        while (k < n && strcmp(names[k], name) != 0) k++;
        if (k == n) {
            join(path, gpath, name);
            return fail(L, c, path, "unknown key%s", suggest(name, names, n, hint, sizeof hint));
        }
    }
    for (int k = 0; k < n; k++)
        if (tab[k].required && !config_setting_get_member(grp, tab[k].name)) {
            join(path, gpath, tab[k].name);
            return fail(L, grp, path, "required key is missing");
        }
    return 0;
}

/* ---- typed getters: 1 read, 0 absent (out unchanged), -1 error ---- */

static int num_value(struct loader *L, const config_setting_t *s, const char *path, double *out)
{
    double v;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: v = config_setting_get_int(s); break;
    case CONFIG_TYPE_INT64: v = (double)config_setting_get_int64(s); break;
    case CONFIG_TYPE_FLOAT: v = config_setting_get_float(s); break;
    default:
        return fail(L, s, path, "must be a number (got %s)", type_name(config_setting_type(s)));
    }
    if (!isfinite(v)) return fail(L, s, path, "must be a finite number (got %g)", v);
    *out = v;
    return 1;
}

/* A number in [lo, hi] (either end may be infinite). */
static int get_num(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const char *key, double *out, double lo, double hi)
{
    const config_setting_t *s = config_setting_get_member(grp, key);
    if (!s) return 0;
    char path[PATH_LEN];
    join(path, gpath, key);
    double v = 0.0;
    if (num_value(L, s, path, &v) < 0) return -1;
    if (v < lo || v > hi) {
        if (isinf(hi)) {
            if (lo == 0.0) return fail(L, s, path, "must be 0 or more (got %g)", v);
            return fail(L, s, path, "must be at least %g (got %g)", lo, v);
        }
        return fail(L, s, path, "must be between %g and %g (got %g)", lo, hi, v);
    }
    *out = v;
    return 1;
}

/* A number above 0 (a length of time). */
static int get_pos(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const char *key, double *out)
{
    double v = *out;
    int rc = get_num(L, grp, gpath, key, &v, -INFINITY, INFINITY);
    if (rc == 1 && !(v > 0.0)) {
        char path[PATH_LEN];
        join(path, gpath, key);
        return fail(L, config_setting_get_member(grp, key), path,
                    "must be more than 0 (got %g)", v);
    }
    if (rc == 1) *out = v;
    return rc;
}

/* A number in [0, hi], where hi is one of flowsim's limits (runlimits.h):
 * above it the message points to the README's list of limits. */
static int get_capped(struct loader *L, const config_setting_t *grp, const char *gpath,
                      const char *key, double *out, double hi, const char *unit)
{
    double v = *out;
    int rc = get_num(L, grp, gpath, key, &v, 0.0, INFINITY);
    if (rc == 1 && v > hi) {
        char path[PATH_LEN];
        join(path, gpath, key);
        return fail(L, config_setting_get_member(grp, key), path,
                    "must be at most %g%s (got %g; see README, Limits)", hi, unit, v);
    }
    if (rc == 1) *out = v;
    return rc;
}

/* A whole number in [lo, hi]; 12.0 counts as whole. */
static int whole_value(struct loader *L, const config_setting_t *s, const char *path,
                       long long *out, long long lo, long long hi)
{
    long long v;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: v = config_setting_get_int(s); break;
    case CONFIG_TYPE_INT64: v = config_setting_get_int64(s); break;
    case CONFIG_TYPE_FLOAT: {
        double f = config_setting_get_float(s);
        if (!(f == floor(f)) || fabs(f) > 9.0e15)
            return fail(L, s, path, "must be a whole number (got %g)", f);
        v = (long long)f;
        break;
    }
    default:
        return fail(L, s, path, "must be a whole number (got %s)",
                    type_name(config_setting_type(s)));
    }
    if (v > hi && (hi == INT32_MAX || hi == INT64_MAX))
        return fail(L, s, path, "must be at most %lld (got %lld)", hi, v);
    if (v < lo || v > hi) {
        if (hi == INT32_MAX || hi == INT64_MAX) {
            if (lo == 0) return fail(L, s, path, "must be 0 or more (got %lld)", v);
            return fail(L, s, path, "must be at least %lld (got %lld)", lo, v);
        }
        return fail(L, s, path, "must be between %lld and %lld (got %lld)", lo, hi, v);
    }
    *out = v;
    return 1;
}

static int get_int(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const char *key, int *out, int lo)
{
    const config_setting_t *s = config_setting_get_member(grp, key);
    if (!s) return 0;
    char path[PATH_LEN];
    join(path, gpath, key);
    long long v = 0;
    if (whole_value(L, s, path, &v, lo, INT32_MAX) < 0) return -1;
    *out = (int)v;
    return 1;
}

static int get_typed(struct loader *L, const config_setting_t *grp, const char *gpath,
                     const char *key, int type, const config_setting_t **out)
{
    const config_setting_t *s = config_setting_get_member(grp, key);
    if (!s) return 0;
    if (config_setting_type(s) != type) {
        char path[PATH_LEN];
        join(path, gpath, key);
        return fail(L, s, path, "must be %s (got %s)", type_name(type),
                    type_name(config_setting_type(s)));
    }
    *out = s;
    return 1;
}

static int get_str(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const char *key, const char **out)
{
    const config_setting_t *s;
    int rc = get_typed(L, grp, gpath, key, CONFIG_TYPE_STRING, &s);
    if (rc == 1) *out = config_setting_get_string(s);
    return rc;
}

/* A string copied into *out (freeing the old one). */
static int get_strdup(struct loader *L, const config_setting_t *grp, const char *gpath,
                      const char *key, char **out)
{
    const char *v;
    int rc = get_str(L, grp, gpath, key, &v);
    if (rc != 1) return rc;
    char *d = strdup(v);
    if (!d) return oom(L);
    free(*out);
    *out = d;
    return 1;
}

static int get_bool(struct loader *L, const config_setting_t *grp, const char *gpath,
                    const char *key, bool *out)
{
    const config_setting_t *s;
    int rc = get_typed(L, grp, gpath, key, CONFIG_TYPE_BOOL, &s);
    if (rc == 1) *out = config_setting_get_bool(s);
    return rc;
}

static int get_group(struct loader *L, const config_setting_t *grp, const char *gpath,
                     const char *key, const config_setting_t **out)
{
    return get_typed(L, grp, gpath, key, CONFIG_TYPE_GROUP, out);
}

/* One of names (NULL-terminated); *out is its index. */
static int get_enum(struct loader *L, const config_setting_t *grp, const char *gpath,
                    const char *key, const char *const *names, int *out)
{
    const char *v;
    int rc = get_str(L, grp, gpath, key, &v);
    if (rc != 1) return rc;
    int n = 0;
    for (; names[n]; n++)
        if (strcmp(names[n], v) == 0) { *out = n; return 1; }
    char list[128] = "", hint[96], path[PATH_LEN];
    for (int i = 0; i < n; i++) appendf(list, sizeof list, "%s\"%s\"", i ? ", " : "", names[i]);
    join(path, gpath, key);
    return fail(L, config_setting_get_member(grp, key), path, "must be one of %s (got \"%s\")%s",
                list, v, suggest(v, names, n, hint, sizeof hint));
}

static bool valid_id(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

static int check_id(struct loader *L, const config_setting_t *s, const char *path, const char *id)
{
    if (!valid_id(id))
        return fail(L, s, path, "must be a name of letters, digits, '_' and '-' that "
                    "starts with a letter (got \"%s\")", id);
    return 0;
}

/* Path of element i of a list of groups: "list.<id>" when it has an id
 * string (as set paths address it), else "list[i]". */
static void elem_path(char *out, const char *lpath, const config_setting_t *el, int i)
{
    const char *id = NULL;
    if (config_setting_type(el) == CONFIG_TYPE_GROUP &&
        config_setting_lookup_string(el, "id", &id) && valid_id(id))
        sbuf_fmt(out, PATH_LEN, "%s.%s", lpath, id);
    else
        sbuf_fmt(out, PATH_LEN, "%s[%d]", lpath, i);
}

/* ---- sections ---- */

static int read_simulation(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *g;
    if (get_group(L, root, "", "simulation", &g) < 0) return -1;
    const char *gp = "simulation";
    if (check_keys(L, g, gp, sim_keys) < 0) return -1;
    const char *date = "";
    if (get_str(L, g, gp, "start_date", &date) < 0) return -1;
    if (!caldate_parse(date, &m->start_day))
        return fail(L, config_setting_get_member(g, "start_date"), "simulation.start_date",
                    "must be a date YYYY-MM-DD (got \"%s\")", date);
    memcpy(m->start_date, date, 11);
    if (get_pos(L, g, gp, "years", &m->years) < 0 ||
        get_capped(L, g, gp, "years", &m->years, BOUNDS_MAX_YEARS, " years") < 0)
        return -1;
    if (get_num(L, g, gp, "warmup_years", &m->warmup_years, 0.0, INFINITY) < 0) return -1;
    if (m->warmup_years >= m->years)
        return fail(L, config_setting_get_member(g, "warmup_years"), "simulation.warmup_years",
                    "must be less than simulation.years (%g) (got %g)", m->years,
                    m->warmup_years);
    if (get_int(L, g, gp, "replications", &m->replications, 1) < 0) return -1;
    const config_setting_t *s = config_setting_get_member(g, "seed");
    long long seed = 0;
    if (whole_value(L, s, "simulation.seed", &seed, 0, INT64_MAX) < 0) return -1;
    m->seed = (uint64_t)seed;
    if (get_pos(L, g, gp, "snapshot_months", &m->snapshot_months) < 0) return -1;
    if (get_pos(L, g, gp, "rbs_interval_months", &m->rbs_interval_months) < 0) return -1;
    /* The clock must advance (bounds.h). */
    static const char *const steps[] = { "snapshot_months", "rbs_interval_months" };
    for (int i = 0; i < 2; i++) {
        double v = i == 0 ? m->snapshot_months : m->rbs_interval_months;
        char path[PATH_LEN];
        join(path, gp, steps[i]);
        if (v < BOUNDS_MIN_MONTHS)
            return fail(L, config_setting_get_member(g, steps[i]), path,
                        "must be at least %g (got %g; see README, Limits)",
                        BOUNDS_MIN_MONTHS, v);
    }
    if (get_int(L, g, gp, "threads", &m->threads, 0) < 0) return -1;
    if (m->threads > BOUNDS_MAX_THREADS)
        return fail(L, config_setting_get_member(g, "threads"), "simulation.threads",
                    "must be at most %d (got %d)", BOUNDS_MAX_THREADS, m->threads);
    if (get_num(L, g, gp, "discount_rate", &m->discount_rate, -INFINITY, INFINITY) < 0)
        return -1;
    /* (1 + r)^-t must stay a finite, non-zero double over the horizon. */
    if (!(m->discount_rate > -1.0) || fabs(log1p(m->discount_rate)) * m->years > 700.0)
        return fail(L, config_setting_get_member(g, "discount_rate"), "simulation.discount_rate",
                    "must be above -1 and keep (1 + r)^-years within double range "
                    "(|ln(1 + r)| x years <= 700) (got %g)", m->discount_rate);
    return 0;
}

static int read_dimensions(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *a = config_setting_get_member(root, "dimensions");
    int type = config_setting_type(a);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return fail(L, a, "dimensions", "must be an array of names (got %s)", type_name(type));
    int n = config_setting_length(a);
    if (n < 1 || n > MODEL_MAX_DIMS)
        return fail(L, a, "dimensions", "must name 1 to %d dimensions (got %d)",
                    MODEL_MAX_DIMS, n);
    char path[PATH_LEN];
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(a, (unsigned)i);
        sbuf_fmt(path, sizeof path, "dimensions[%d]", i);
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
            return fail(L, s, path, "must be a string (got %s)", type_name(config_setting_type(s)));
        const char *d = config_setting_get_string(s);
        if (check_id(L, s, path, d) < 0) return -1;
        for (int k = 0; panel_columns[k]; k++)
            if (strcmp(d, panel_columns[k]) == 0)
                return fail(L, s, path, "\"%s\" is reserved (a covariate or column name)", d);
        for (int k = 0; k < i; k++)
            if (strcmp(m->dims[k], d) == 0)
                return fail(L, s, path, "dimension \"%s\" is named twice", d);
        if (!(m->dims[i] = strdup(d))) return oom(L);
        m->n_dims = i + 1;
    }
    return 0;
}

static int read_age(struct loader *L, const config_setting_t *grp, const char *gpath,
                    const char *key, struct age_dist *a)
{
    const config_setting_t *g;
    if (get_group(L, grp, gpath, key, &g) < 0) return -1;
    char gp[PATH_LEN];
    join(gp, gpath, key);
    if (check_keys(L, g, gp, age_keys) < 0 ||
        get_capped(L, g, gp, "min", &a->min, BOUNDS_MAX_AGE, "") < 0 ||
        get_capped(L, g, gp, "max", &a->max, BOUNDS_MAX_AGE, "") < 0 ||
        get_capped(L, g, gp, "mean", &a->mean, BOUNDS_MAX_AGE, "") < 0 ||
        get_capped(L, g, gp, "sd", &a->sd, BOUNDS_MAX_AGE, "") < 0)
        return -1;
    if (a->max < a->min) {
        char path[PATH_LEN];
        join(path, gp, "max");
        return fail(L, config_setting_get_member(g, "max"), path,
                    "must be at least min (%g) (got %g)", a->min, a->max);
    }
    return 0;
}

static int read_arrivals(struct loader *L, const config_setting_t *g, const char *gp,
                         struct model *m)
{
    const config_setting_t *per = config_setting_get_member(g, "arrivals_per_year");
    const config_setting_t *by = config_setting_get_member(g, "arrivals_by_year");
    if (per && by)
        return fail(L, by, "population.arrivals_by_year",
                    "give arrivals_per_year or arrivals_by_year, not both");
    if (!per && !by)
        return fail(L, g, "population.arrivals_per_year",
                    "required key is missing (or give arrivals_by_year)");
    if (per) return get_capped(L, g, gp, "arrivals_per_year", &m->arrivals_per_year,
                               BOUNDS_MAX_CITIZENS, " per year");
    int type = config_setting_type(by), n = config_setting_length(by);
    if ((type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) || n < 1)
        return fail(L, by, "population.arrivals_by_year",
                    "must be an array of one or more rates (got %s)",
                    n < 1 && type != CONFIG_TYPE_GROUP ? "none" : type_name(type));
    if (!(m->arrivals_by_year = calloc((size_t)n, sizeof *m->arrivals_by_year))) return oom(L);
    m->n_arrivals_by_year = n;
    char path[PATH_LEN];
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(by, (unsigned)i);
        sbuf_fmt(path, sizeof path, "population.arrivals_by_year[%d]", i);
        if (num_value(L, s, path, &m->arrivals_by_year[i]) < 0) return -1;
        if (m->arrivals_by_year[i] < 0.0)
            return fail(L, s, path, "must be 0 or more (got %g)", m->arrivals_by_year[i]);
        if (m->arrivals_by_year[i] > BOUNDS_MAX_CITIZENS)
            return fail(L, s, path, "must be at most %g per year (got %g; see README, Limits)",
                        BOUNDS_MAX_CITIZENS, m->arrivals_by_year[i]);
    }
    m->arrivals_per_year = m->arrivals_by_year[0];
    return 0;
}

static int read_population(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *g, *mg;
    const char *gp = "population";
    if (get_group(L, root, "", gp, &g) < 0 || check_keys(L, g, gp, pop_keys) < 0) return -1;
    if (get_int(L, g, gp, "initial", &m->initial, 0) < 0 ||
        read_age(L, g, gp, "age", &m->age) < 0 ||
        get_num(L, g, gp, "female_share", &m->female_share, 0.0, 1.0) < 0 ||
        read_arrivals(L, g, gp, m) < 0 ||
        read_age(L, g, gp, "arrival_age", &m->arrival_age) < 0 ||
        get_num(L, g, gp, "arrival_mean_level", &m->arrival_mean_level, 0.0,
                MODEL_LEVEL_MAX) < 0 ||
        get_num(L, g, gp, "work_participation", &m->work_participation, 0.0, 1.0) < 0 ||
        get_group(L, g, gp, "mortality", &mg) < 0 ||
        check_keys(L, mg, "population.mortality", mort_keys) < 0 ||
        get_capped(L, mg, "population.mortality", "a", &m->mort_a, BOUNDS_MAX_RATE,
                   " per year") < 0 ||
        get_capped(L, mg, "population.mortality", "b", &m->mort_b, 1.0,
                   " per year of age") < 0 ||
        get_capped(L, mg, "population.mortality", "ratio", &m->mort_ratio, 1000.0, "") < 0 ||
        /* No cap: 1000 is the usual "never retires". */
        get_num(L, g, gp, "retirement_age", &m->retirement_age, 0.0, INFINITY) < 0 ||
        get_capped(L, g, gp, "other_exit_per_year", &m->other_exit_per_year,
                   BOUNDS_MAX_RATE, " per year") < 0)
        return -1;
    return 0;
}

static int read_visitation(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *g, *a;
    const char *gp = "visitation", *ap = "visitation.assessment_days";
    int reassess = (int)m->reassess;
    if (get_group(L, root, "", gp, &g) < 0 || check_keys(L, g, gp, visit_keys) < 0 ||
        get_int(L, g, gp, "caseworkers", &m->caseworkers, 1) < 0 ||
        get_group(L, g, gp, "assessment_days", &a) < 0 ||
        check_keys(L, a, ap, assess_keys) < 0 ||
        get_num(L, a, ap, "mean", &m->assess_mean_days, 0.0, INFINITY) < 0 ||
        get_num(L, a, ap, "sd", &m->assess_sd_days, 0.0, INFINITY) < 0 ||
        get_enum(L, g, gp, "reassess", reassess_names, &reassess) < 0)
        return -1;
    /* Any sd >= 0 (SPEC §9); a tiny one is a near-fixed time, which the
     * gamma draw handles (engine/rngs.c, rngs_gamma_mean_sd). */
    m->reassess = (enum reassess_policy)reassess;
    return 0;
}

static int read_policy_budget(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *g = NULL;
    int wl = (int)m->waiting_list, interim = (int)m->interim, rule = (int)m->budget_rule;
    int rc = get_group(L, root, "", "policy", &g);
    if (rc < 0) return -1;
    if (rc == 1 && (check_keys(L, g, "policy", policy_keys) < 0 ||
                    get_enum(L, g, "policy", "waiting_list", wl_names, &wl) < 0 ||
                    get_enum(L, g, "policy", "interim", interim_names, &interim) < 0))
        return -1;
    rc = get_group(L, root, "", "budget", &g);
    if (rc < 0) return -1;
    if (rc == 1 && (check_keys(L, g, "budget", budget_keys) < 0 ||
                    get_capped(L, g, "budget", "annual", &m->budget_annual, BOUNDS_MAX_DKK,
                               " DKK") < 0 ||
                    get_enum(L, g, "budget", "rule", rule_names, &rule) < 0 ||
                    get_num(L, g, "budget", "tolerance", &m->budget_tolerance, 0.0, 1.0) < 0))
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
    join(path, rp, "need");
    const config_setting_t *a = config_setting_get_member(rg, "need");
    int type = config_setting_type(a);
    if ((type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) || config_setting_length(a) != 2)
        return fail(L, a, path, "must be a band [lo, hi] of two need scores");
    double v[2];
    for (int i = 0; i < 2; i++) {
        const config_setting_t *s = config_setting_get_elem(a, (unsigned)i);
        if (num_value(L, s, path, &v[i]) < 0) return -1;
        if (v[i] < 0.0 || v[i] > MODEL_LEVEL_MAX)
            return fail(L, s, path, "must lie within 0..%d (got %g)", MODEL_LEVEL_MAX, v[i]);
    }
    if (!(v[0] < v[1]))
        return fail(L, a, path, "lo must be below hi (got [%g, %g])", v[0], v[1]);
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
        join(path, rp, hours ? "cost_per_hour" : "hours_per_week");
        return fail(L, rg, path, "required key is missing (hourly pricing needs "
                    "hours_per_week and cost_per_hour)");
    }
    if (!hours && !config_setting_get_member(rg, "citizen_cost_per_year")) {
        join(path, rp, "citizen_cost_per_year");
        return fail(L, rg, path, "required key is missing (or give hours_per_week and "
                    "cost_per_hour)");
    }
    if (get_capped(L, rg, rp, "place_cost_per_year", &r->place_cost_per_year,
                   BOUNDS_MAX_DKK, " DKK") < 0 ||
        get_capped(L, rg, rp, "citizen_cost_per_year", &r->citizen_cost_per_year,
                   BOUNDS_MAX_DKK, " DKK") < 0 ||
        get_num(L, rg, rp, "hours_per_week", &r->hours_per_week, 0.0, 168.0) < 0 ||
        get_capped(L, rg, rp, "cost_per_hour", &r->cost_per_hour, BOUNDS_MAX_DKK,
                   " DKK") < 0)
        return -1;
    return 0;
}

static int read_ring(struct loader *L, const config_setting_t *rg, const char *rp,
                     const struct flow *fl, struct ring *r)
{
    if (check_keys(L, rg, rp, ring_keys) < 0) return -1;
    if (get_strdup(L, rg, rp, "id", &r->id) < 0) return -1;
    char path[PATH_LEN];
    join(path, rp, "id");
    const config_setting_t *ids = config_setting_get_member(rg, "id");
    if (check_id(L, ids, path, r->id) < 0) return -1;
    if (strcmp(r->id, "none") == 0)
        return fail(L, ids, path, "\"none\" is reserved for outside the flow");
    for (const struct ring *o = fl->rings; o < r; o++)
        if (strcmp(o->id, r->id) == 0)
            return fail(L, ids, path, "ring id \"%s\" is used twice in flow %s (first at line %d)",
                        r->id, fl->id, o->line);
    r->line = (int)config_setting_source_line(origin(rg));
    r->referral = true;
    if (!(r->law = strdup(""))) return oom(L);
    if (get_strdup(L, rg, rp, "name", &r->name) < 0 ||
        get_strdup(L, rg, rp, "law", &r->law) < 0 ||
        get_int(L, rg, rp, "capacity", &r->capacity, 0) < 0 ||
        get_int(L, rg, rp, "initial", &r->initial, 0) < 0)
        return -1;
    if (read_costs(L, rg, rp, r) < 0 ||
        get_bool(L, rg, rp, "referral", &r->referral) < 0 ||
        read_need(L, rg, rp, r) < 0 ||
        get_num(L, rg, rp, "initial_mean_level", &r->initial_mean_level, 0.0,
                MODEL_LEVEL_MAX) < 0 ||
        get_capped(L, rg, rp, "improve_per_year", &r->improve_per_year, BOUNDS_MAX_RATE,
                   " per year") < 0 ||
        get_capped(L, rg, rp, "worsen_per_year", &r->worsen_per_year, BOUNDS_MAX_RATE,
                   " per year") < 0 ||
        get_capped(L, rg, rp, "max_stay_years", &r->max_stay_years, BOUNDS_MAX_YEARS,
                   " years") < 0)
        return -1;
    return 0;
}

/* How near the top of the chain the text of s is: 0 for --set, 1 for the
 * file given, 2 for its base, and so on. */
static int layer_rank(const struct loader *L, const config_setting_t *s)
{
    const struct layer *ly = (const struct layer *)origin(s)->config;
    if (ly->cmdline) return 0;
    for (int i = 0; i < L->n_layers; i++)
        if (L->layer[i] == ly) return i + 1;
    return L->n_layers + 1;
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
    join(path, rp, "initial");
    if (layer_rank(L, cap) >= layer_rank(L, ini))
        return fail(L, ini, path, "must be at most capacity (%d) (got %d)", g->capacity,
                    g->initial);
    const config_setting_t *o = origin(cap);
    const struct layer *ly = (const struct layer *)o->config;
    char by[PATH_LEN + 64], file[512];
    if (ly->cmdline) {
        sbuf_fmt(by, sizeof by, "--set");
    } else {
        file_name(ly, config_setting_source_file(o), file, sizeof file);
        sbuf_fmt(by, sizeof by, "%s:%d", file, (int)config_setting_source_line(o));
    }
    return model_clamp_initial(m, f, r, by) < 0 ? oom(L) : 0;
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
    int best_rank = layer_rank(L, rings);
    for (int i = 0; i < config_setting_length(rings); i++) {
        const config_setting_t *s =
            config_setting_get_member(config_setting_get_elem(rings, (unsigned)i), key);
        if (s && layer_rank(L, s) < best_rank) {
            best = s;
            best_rank = layer_rank(L, s);
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
        return fail(L, rings, path, "need bands leave scores in [%g, %g%c with no ring", lo, hi,
                    closed ? ']' : ')');
    char np[PATH_LEN];
    path_fmt(np, "%s.%s.need", path, fl->rings[r].id);
    return fail(L, need, np, "need bands leave scores in [%g, %g%c with no ring; add the "
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
    if (pi && layer_rank(L, pi) < layer_rank(L, rings) &&
        (!ri || layer_rank(L, pi) <= layer_rank(L, ri)))
        return fail(L, pi, "population.initial", "%d is fewer than the %lld citizens the rings "
                    "of flow %s hold at t = 0; add lower ( \"%s.<ring>.initial\", N ) entries "
                    "to set, or raise population.initial", m->initial, placed, fl->id, path);
    if (ri) {
        path_fmt(rp, "%s.%s.initial", path, fl->rings[r].id);
        return fail(L, ri, rp, "the rings' initial counts sum to %lld, more than "
                    "population.initial (%d); add ( \"population.initial\", %lld ) to set",
                    placed, m->initial, placed);
    }
    return fail(L, rings, path, "the rings' initial counts sum to %lld, more than "
                "population.initial (%d)", placed, m->initial);
}

static int read_flow(struct loader *L, const config_setting_t *fg, const char *fp,
                     struct model *m, struct flow *fl)
{
    if (check_keys(L, fg, fp, flow_keys) < 0 || get_strdup(L, fg, fp, "id", &fl->id) < 0)
        return -1;
    char path[PATH_LEN], rp[PATH_LEN];
    join(path, fp, "id");
    const config_setting_t *ids = config_setting_get_member(fg, "id");
    if (check_id(L, ids, path, fl->id) < 0) return -1;
    for (int k = 0; panel_columns[k]; k++)
        if (strcmp(fl->id, panel_columns[k]) == 0)
            return fail(L, ids, path, "\"%s\" is reserved (a column of the RBS panel)", fl->id);
    for (int d = 0; d < m->n_dims; d++)
        if (strcmp(fl->id, m->dims[d]) == 0)
            return fail(L, ids, path, "\"%s\" is also a dimension", fl->id);
    for (const struct flow *o = m->flows; o < fl; o++)
        if (strcmp(o->id, fl->id) == 0)
            return fail(L, ids, path, "flow id \"%s\" is used twice", fl->id);
    if (get_strdup(L, fg, fp, "name", &fl->name) < 0) return -1;

    const config_setting_t *none;
    fl->none_initial_mean_level = m->arrival_mean_level;
    join(path, fp, "none");
    int rc = get_group(L, fg, fp, "none", &none);
    if (rc < 0) return -1;
    if (rc == 1 && (check_keys(L, none, path, none_keys) < 0 ||
                    get_capped(L, none, path, "improve_per_year", &fl->none_improve_per_year,
                               BOUNDS_MAX_RATE, " per year") < 0 ||
                    get_capped(L, none, path, "worsen_per_year", &fl->none_worsen_per_year,
                               BOUNDS_MAX_RATE, " per year") < 0 ||
                    get_num(L, none, path, "initial_mean_level", &fl->none_initial_mean_level,
                            0.0, MODEL_LEVEL_MAX) < 0))
        return -1;

    const config_setting_t *rings;
    join(path, fp, "rings");
    if (get_typed(L, fg, fp, "rings", CONFIG_TYPE_LIST, &rings) < 0) return -1;
    int n = config_setting_length(rings);
    if (n < 1) return fail(L, rings, path, "a flow needs at least one ring");
    if (n > MODEL_MAX_RINGS)
        return fail(L, rings, path, "at most %d rings per flow (got %d)", MODEL_MAX_RINGS, n);
    if (!(fl->rings = calloc((size_t)n, sizeof *fl->rings))) return oom(L);
    long long placed = 0;                      /* 64 rings of INT32_MAX: no overflow */
    for (int i = 0; i < n; i++) {
        const config_setting_t *rg = config_setting_get_elem(rings, (unsigned)i);
        elem_path(rp, path, rg, i);
        if (config_setting_type(rg) != CONFIG_TYPE_GROUP)
            return fail(L, rg, rp, "must be a group { } (got %s)",
                        type_name(config_setting_type(rg)));
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
    if (get_typed(L, root, "", "flows", CONFIG_TYPE_LIST, &list) < 0) return -1;
    int n = config_setting_length(list);
    if (n < 1) return fail(L, list, "flows", "a scenario needs at least one flow");
    if (n > MODEL_MAX_FLOWS)
        return fail(L, list, "flows", "at most %d flows (got %d)", MODEL_MAX_FLOWS, n);
    char fp[PATH_LEN];
    for (int i = 0; i < n; i++) {
        const config_setting_t *fg = config_setting_get_elem(list, (unsigned)i);
        elem_path(fp, "flows", fg, i);
        if (config_setting_type(fg) != CONFIG_TYPE_GROUP)
            return fail(L, fg, fp, "must be a group { } (got %s)",
                        type_name(config_setting_type(fg)));
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
    if (get_str(L, tg, tp, key, &id) < 0) return -1;
    if (strcmp(id, "none") == 0) { *out = fl->n_rings; return 0; }
    const char *cand[MODEL_MAX_RINGS + 1];
    for (int r = 0; r < fl->n_rings; r++) {
        if (strcmp(fl->rings[r].id, id) == 0) { *out = r; return 0; }
        cand[r] = fl->rings[r].id;
    }
    cand[fl->n_rings] = "none";
    join(path, tp, key);
    return fail(L, config_setting_get_member(tg, key), path, "no ring \"%s\" in flow %s%s",
                id, fl->id, suggest(id, cand, fl->n_rings + 1, hint, sizeof hint));
}

static int read_effects(struct loader *L, const config_setting_t *tg, const char *tp,
                        const struct model *m, struct transition *t)
{
    const config_setting_t *g;
    int rc = get_group(L, tg, tp, "effects", &g);
    if (rc <= 0) return rc;
    /* Known keys: the scenario's dimensions, then age and female. */
    struct key keys[MODEL_MAX_COVS + 1];
    for (int d = 0; d < m->n_dims; d++) keys[d] = (struct key){ m->dims[d], false };
    keys[m->n_dims] = (struct key){ "age", false };
    keys[m->n_dims + 1] = (struct key){ "female", false };
    keys[m->n_dims + 2] = (struct key){ NULL, false };
    char ep[PATH_LEN];
    join(ep, tp, "effects");
    if (check_keys(L, g, ep, keys) < 0) return -1;
    for (int k = 0; k < m->n_dims + 2; k++) {
        int slot = k < m->n_dims ? k : k == m->n_dims ? COV_AGE : COV_FEMALE;
        if (get_num(L, g, ep, keys[k].name, &t->beta[slot], -INFINITY, INFINITY) < 0) return -1;
        if (t->beta[slot] != 0.0) t->has_effects = true;
    }
    return 0;
}

/* The largest rate a transition reaches with its covariates (SPEC §2):
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
    join(path, tp, "effects");
    return fail(L, config_setting_get_member(tg, "effects"), path,
                "with per_year %g the rate reaches %.3g per year for some citizens (hazard "
                "ratio exp(%.3g)); rates are at most %g per year (see README, Limits)",
                t->per_year, peak, lp, BOUNDS_MAX_RATE);
}

static int read_transitions(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *list;
    if (get_typed(L, root, "", "transitions", CONFIG_TYPE_LIST, &list) < 0) return -1;
    int n = config_setting_length(list);
    if (n > 0 && !(m->transitions = calloc((size_t)n, sizeof *m->transitions))) return oom(L);
    const char *flow_ids[MODEL_MAX_FLOWS];
    for (int f = 0; f < m->n_flows; f++) flow_ids[f] = m->flows[f].id;
    char tp[PATH_LEN], path[PATH_LEN], hint[96];
    for (int i = 0; i < n; i++) {
        const config_setting_t *tg = config_setting_get_elem(list, (unsigned)i);
        struct transition *t = &m->transitions[i];
        sbuf_fmt(tp, sizeof tp, "transitions[%d]", i);
        if (config_setting_type(tg) != CONFIG_TYPE_GROUP)
            return fail(L, tg, tp, "must be a group { } (got %s)",
                        type_name(config_setting_type(tg)));
        if (check_keys(L, tg, tp, trans_keys) < 0) return -1;
        const char *fid = "";
        if (get_str(L, tg, tp, "flow", &fid) < 0) return -1;
        t->flow = 0;
        while (t->flow < m->n_flows && strcmp(m->flows[t->flow].id, fid) != 0) t->flow++;
        if (t->flow == m->n_flows) {
            join(path, tp, "flow");
            return fail(L, config_setting_get_member(tg, "flow"), path, "no flow \"%s\"%s", fid,
                        suggest(fid, flow_ids, m->n_flows, hint, sizeof hint));
        }
        const struct flow *fl = &m->flows[t->flow];
        if (find_state(L, tg, tp, "from", fl, &t->from) < 0 ||
            find_state(L, tg, tp, "to", fl, &t->to) < 0)
            return -1;
        if (t->from == t->to) {
            join(path, tp, "to");
            return fail(L, config_setting_get_member(tg, "to"), path,
                        "is the same state as from (\"%s\")", model_state_id(fl, t->from));
        }
        for (int k = 0; k < i; k++) {
            const struct transition *o = &m->transitions[k];
            if (o->flow == t->flow && o->from == t->from && o->to == t->to)
                return fail(L, tg, tp, "flow %s already has a transition %s -> %s "
                            "(transitions[%d], line %d)", fl->id,
                            model_state_id(fl, t->from), model_state_id(fl, t->to), k, o->line);
        }
        t->line = (int)config_setting_source_line(origin(tg));
        m->n_transitions = i + 1;
        if (get_capped(L, tg, tp, "per_year", &t->per_year, BOUNDS_MAX_RATE, " per year") < 0 ||
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
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 4 && strcmp(b + n - 4, ".cfg") == 0) n -= 4;
    return strndup(b, n);
}

static int read_output(struct loader *L, const config_setting_t *root, struct model *m)
{
    const config_setting_t *g = NULL;
    int lang = 0, rc = get_group(L, root, "", "output", &g);
    if (rc < 0) return -1;
    if (rc == 1 && (check_keys(L, g, "output", output_keys) < 0 ||
                    get_strdup(L, g, "output", "dir", &m->out_dir) < 0 ||
                    get_bool(L, g, "output", "events", &m->out_events) < 0 ||
                    get_bool(L, g, "output", "rbs_panel", &m->out_rbs_panel) < 0 ||
                    get_bool(L, g, "output", "plots", &m->out_plots) < 0 ||
                    get_enum(L, g, "output", "lang", lang_names, &lang) < 0))
        return -1;
    memcpy(m->lang, lang_names[lang], 3);
    if (m->out_dir && !m->out_dir[0])
        return fail(L, config_setting_get_member(g, "dir"), "output.dir", "must not be empty");
    if (m->out_dir && is_variant(L) && layer_rank(L, config_setting_get_member(g, "dir")) > 1) {
        /* The base's directory is not the variant's: the variant's results
         * go beside the base's, under the variant's name. */
        char *d = dir_of(m->out_dir);
        size_t len = (d ? strlen(d) : 0) + strlen(m->name) + 2;
        char *own = d ? malloc(len) : NULL;
        if (own) sbuf_fmt(own, len, "%s/%s", d, m->name);
        free(d);
        if (!own) return oom(L);
        free(m->out_dir);
        m->out_dir = own;
    }
    if (!m->out_dir) {
        size_t len = strlen(m->name) + sizeof "output/";
        if (!(m->out_dir = malloc(len))) return oom(L);
        sbuf_fmt(m->out_dir, len, "output/%s", m->name);
    }
    return 0;
}

static int read_model(struct loader *L, const config_setting_t *root, struct model *m)
{
    if (check_keys(L, root, "", top_keys) < 0) return -1;
    const config_setting_t *set = config_setting_get_member(root, "set");
    if (set) return fail(L, set, "set", "only a variant (a file with base) may have set");
    if (get_strdup(L, root, "", "name", &m->name) < 0) return -1;
    if (is_variant(L) && layer_rank(L, config_setting_get_member(root, "name")) > 1) {
        /* A variant that names itself not is named by its file. */
        char *own = file_stem(L->layer[0]->path);
        if (!own) return oom(L);
        free(m->name);
        m->name = own;
    }
    if (!m->name[0])
        return fail(L, config_setting_get_member(root, "name"), "name", "must not be empty");
    if (!(m->description = strdup(""))) return oom(L);
    if (get_strdup(L, root, "", "description", &m->description) < 0) return -1;
    /* Population before flows: a flow's `none` level defaults to it. */
    if (read_simulation(L, root, m) < 0 || read_dimensions(L, root, m) < 0 ||
        read_population(L, root, m) < 0 || read_visitation(L, root, m) < 0 ||
        read_policy_budget(L, root, m) < 0 || read_flows(L, root, m) < 0 ||
        read_transitions(L, root, m) < 0 || read_output(L, root, m) < 0)
        return -1;
    return 0;
}

/* ---- files and variants ---- */

static void layer_free(struct layer *ly)
{
    if (!ly) return;
    config_destroy(&ly->cfg);
    free(ly->path);
    free(ly->dir);
    free(ly);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) { memcpy(d, path, n); d[n] = '\0'; }
    return d;
}

/* name relative to dir, as libconfig and the user mean it. */
static char *path_in(const char *dir, const char *name)
{
    if (name[0] == '/' || strcmp(dir, ".") == 0) return strdup(name);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) sbuf_fmt(p, n, "%s/%s", dir, name);
    return p;
}

/* ---- reading files: hostile bytes stop here ----
 *
 * A scenario file is read whole, then handed to libconfig as a string, so
 * what is checked is what is parsed. It must be a regular file (not a
 * directory, device or pipe: /dev/zero would never end) of at most
 * SCENARIO_MAX_BYTES, and UTF-8 text with no NUL byte (names end up in
 * JSON, CSV and HTML, which must stay valid). A UTF-8 byte-order mark is
 * skipped. libconfig 1.5 opens @include'd files itself, so each @include
 * line is followed first with the same checks, and a cycle of @includes is
 * named as such; the bytes of a file and everything it @includes count
 * together against SCENARIO_MAX_BYTES. */

#define MAX_INCLUDE_DEPTH 10      /* libconfig 1.5's own nesting limit */

/* Where the first bad byte of buf is: NULL when the text is fine, else
 * what is wrong, with *line set. */
static const char *text_problem(const char *buf, size_t len, int *line)
{
    const unsigned char *u = (const unsigned char *)buf;
    *line = 1;
    for (size_t i = 0; i < len;) {
        unsigned c = u[i];
        if (c == '\n') (*line)++;
        if (c == 0) return "a NUL byte: this is not a text file (a scenario is libconfig text)";
        if (c < 0x80) { i++; continue; }
        /* UTF-8 (RFC 3629): no overlong forms, no surrogates, <= U+10FFFF. */
        size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        bool ok = n > 0 && i + n <= len;
        for (size_t k = 1; ok && k < n; k++) ok = (u[i + k] & 0xc0) == 0x80;
        if (ok && n == 3)
            ok = !(c == 0xe0 && u[i + 1] < 0xa0) && !(c == 0xed && u[i + 1] >= 0xa0);
        if (ok && n == 4)
            ok = !(c == 0xf0 && u[i + 1] < 0x90) && !(c == 0xf4 && u[i + 1] >= 0x90);
        if (!ok) return "bytes that are not UTF-8 (save the file as UTF-8 text)";
        i += n;
    }
    return NULL;
}

/* libconfig 1.5 reads an integer with atoi() (and one with L with
 * atoll()): 99999999999 silently becomes 1215752191. So every integer
 * literal is looked at first, by a small lexer that knows libconfig's
 * strings, comments and names. NULL when all fit, else the problem (in
 * buf) with *line set. */
enum lex_prev { LP_START, LP_VALUE_NEXT, LP_COMMA, LP_STRING, LP_OTHER };

static const char *literal_problem(const char *t, size_t len, int *line, char *buf, size_t n)
{
    *line = 1;
    size_t i = 0;
    /* What came before, and the open brackets ({ group, ( list, [ array):
     * libconfig 1.5 also leaks a string that stands where its grammar
     * takes none (`x "a";`), so such a string is refused here first. A
     * string may follow = or :, ( or [, another string, and a comma
     * inside a list or array. */
    enum lex_prev prev = LP_START;
    char open[256];
    int depth = 0;
    while (i < len) {
        char c = t[i];
        if (c == '\n') { (*line)++; i++; continue; }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') { i++; continue; }
        if (c == '@') {                                   /* @include "file" */
            for (i++; i < len && isalpha((unsigned char)t[i]); i++) {}
            prev = LP_VALUE_NEXT;
            continue;
        }
        if (c == '"') {                                   /* string */
            bool list = depth > 0 && depth <= (int)sizeof open && open[depth - 1] != '{';
            if (!(prev == LP_VALUE_NEXT || prev == LP_STRING || (prev == LP_COMMA && list))) {
                snprintf(buf, n, "syntax: syntax error (a \"string\" cannot stand here)");
                return buf;
            }
            prev = LP_STRING;
            int opened = *line;
            for (i++; i < len && t[i] != '"'; i++) {
                if (t[i] == '\\' && i + 1 < len) i++;
                if (t[i] == '\n') (*line)++;
            }
            if (i >= len) {
                /* libconfig 1.5 would leak its string buffer here. */
                *line = opened;
                snprintf(buf, n, "syntax: a string that is never closed (a '\"' is missing)");
                return buf;
            }
            i++;
            continue;
        }
        if (c == '#' || (c == '/' && i + 1 < len && t[i + 1] == '/')) {
            while (i < len && t[i] != '\n') i++;
            continue;
        }
        if (c == '/' && i + 1 < len && t[i + 1] == '*') {
            for (i += 2; i < len && !(t[i] == '*' && i + 1 < len && t[i + 1] == '/'); i++)
                if (t[i] == '\n') (*line)++;
            i += 2;
            continue;
        }
        if (c == '=' || c == ':' || c == '(' || c == '[' || c == '{') {
            if (c != '=' && c != ':') {
                if (depth < (int)sizeof open) open[depth] = c;
                depth++;
            }
            prev = c == '{' ? LP_OTHER : LP_VALUE_NEXT;
            i++;
            continue;
        }
        if (c == ')' || c == ']' || c == '}' || c == ',' || c == ';') {
            if (c != ',' && c != ';' && depth > 0) depth--;
            prev = c == ',' ? LP_COMMA : LP_OTHER;
            i++;
            continue;
        }
        prev = LP_OTHER;                                  /* names, numbers, the rest */
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*' || c == '_') {
            while (i < len && (isalnum((unsigned char)t[i]) || strchr("_*-", t[i]))) i++;
            continue;
        }
        if (!isdigit((unsigned char)c)) { i++; continue; }
        size_t start = i;                                 /* a number */
        bool hex = c == '0' && i + 1 < len && (t[i + 1] == 'x' || t[i + 1] == 'X');
        bool real = false;
        if (hex) i += 2;
        while (i < len) {
            char d = t[i];
            if (hex ? isxdigit((unsigned char)d) : isdigit((unsigned char)d)) { i++; continue; }
            if (!hex && (d == '.' || d == 'e' || d == 'E')) {
                real = true;
                i++;
                if ((d == 'e' || d == 'E') && i < len && (t[i] == '+' || t[i] == '-')) i++;
                continue;
            }
            break;
        }
        if (real) continue;
        size_t digits_end = i;
        int longs = 0;
        while (i < len && (t[i] == 'L' || t[i] == 'l') && longs < 2) { i++; longs++; }
        bool neg = start > 0 && t[start - 1] == '-';
        errno = 0;
        char tok[64];
        size_t tl = digits_end - start < sizeof tok - 1 ? digits_end - start : sizeof tok - 1;
        memcpy(tok, t + start, tl);
        tok[tl] = '\0';
        unsigned long long v = strtoull(tok, NULL, hex ? 16 : 10);
        bool too_big = errno == ERANGE || digits_end - start >= sizeof tok - 1;
        unsigned long long lim = longs ? (hex ? ~0ULL : (unsigned long long)INT64_MAX + neg)
                                       : (hex ? 0xffffffffULL : (unsigned long long)INT32_MAX + neg);
        if (too_big || v > lim) {
            if (hex)
                snprintf(buf, n, "%.40s%s: an integer too large for libconfig, which would "
                         "change it silently; write it in decimal", tok, longs ? "L" : "");
            else
                snprintf(buf, n, "%s%.40s%s: an integer too large for libconfig, which would "
                         "change it silently; write it with a decimal point (%s%.40s.0)%s",
                         neg ? "-" : "", tok, longs ? "L" : "", neg ? "-" : "", tok,
                         longs ? "" : " or with L for 64 bits");
            return buf;
        }
    }
    return NULL;
}

static bool blank_text(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\n\f\v", buf[i])) return false;
    return true;
}

/* Reads path whole into *out (NUL-terminated, *len bytes; caller frees):
 * a regular file of at most `room` bytes. On failure returns -1 and writes
 * the problem into why (no file name). */
static int slurp_file(const char *path, size_t room, char **out, size_t *len,
                      struct stat *st, char *why, size_t n_why)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        sbuf_fmt(why, n_why, "cannot read: %s", strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0) {
        sbuf_fmt(why, n_why, "cannot read: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        sbuf_fmt(why, n_why, "%s", S_ISDIR(st->st_mode) ? "is a directory, not a scenario file"
                                                    : "is not a regular file");
        close(fd);
        return -1;
    }
    /* st_size may lie (/proc): read at most room + 1 bytes whatever it says. */
    if ((unsigned long long)st->st_size > room) {
        sbuf_fmt(why, n_why, "too large (%.1f MB; a scenario with its @includes is at most %u MB)",
             st->st_size / 1048576.0, SCENARIO_MAX_BYTES >> 20);
        close(fd);
        return -1;
    }
    size_t cap = (size_t)st->st_size + 1, got = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        sbuf_fmt(why, n_why, "out of memory");
        close(fd);
        return -1;
    }
    for (;;) {
        if (got == cap) {
            if (cap > room) break;                  /* grew beyond room: refused below */
            size_t ncap = cap * 2 > room + 1 ? room + 1 : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                close(fd);
                sbuf_fmt(why, n_why, "out of memory");
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int errnum = errno;
            free(buf);
            close(fd);
            sbuf_fmt(why, n_why, "cannot read: %s", strerror(errnum));
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got > room) {
        free(buf);
        sbuf_fmt(why, n_why, "too large (a scenario with its @includes is at most %u MB)",
             SCENARIO_MAX_BYTES >> 20);
        return -1;
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return 0;
}

/* The files of one @include chain, outermost first, for cycles. */
struct inc_stack {
    dev_t dev[MAX_INCLUDE_DEPTH + 2];
    ino_t ino[MAX_INCLUDE_DEPTH + 2];
    const char *name[MAX_INCLUDE_DEPTH + 2];
    int n;
    size_t used;                  /* bytes counted so far */
};

/* Follows every @include line of text (file `file`, lines counted from 1)
 * with the checks above. libconfig resolves @include names in the include
 * dir (the top file's directory), whatever file they are in. */
static int check_includes(struct loader *L, const char *dir, const char *file,
                          const char *text, size_t len, struct inc_stack *stk)
{
    int line = 1;
    for (size_t i = 0; i < len; line++) {
        size_t eol = i;
        while (eol < len && text[eol] != '\n') eol++;
        size_t k = i;
        while (k < eol && (text[k] == ' ' || text[k] == '\t')) k++;
        if (eol - k > 8 && memcmp(text + k, "@include", 8) == 0) {
            k += 8;
            while (k < eol && (text[k] == ' ' || text[k] == '\t')) k++;
            size_t q = k < eol && text[k] == '"' ? k + 1 : eol;
            size_t qe = q;
            while (qe < eol && text[qe] != '"') qe++;
            if (q < eol && qe < eol && qe == q)      /* libconfig would open the directory */
                return err_set(L->e, EXIT_INPUT, "%s:%d: @include: an empty file name", file, line);
            if (q < eol && qe < eol && qe - q < 4096) {
                char name[4096], why[256];
                memcpy(name, text + q, qe - q);
                name[qe - q] = '\0';
                /* The scenario file's absolute names are rewritten for
                 * libconfig (absolute_includes); in an @included file
                 * libconfig 1.5 would join them to the include dir. */
                if (name[0] == '/' && stk->n > 1)
                    return err_set(L->e, EXIT_INPUT, "%s:%d: @include: an absolute name inside "
                                   "an @included file (write it relative to %s, or @include "
                                   "it from the scenario file)", file, line, dir);
                size_t plen = strlen(dir) + strlen(name) + 2;
                char *path = malloc(plen);
                if (!path) return oom(L);
                if (name[0] == '/') sbuf_fmt(path, plen, "%s", name);
                else sbuf_fmt(path, plen, "%s/%s", dir, name);
                struct stat st;
                if (stat(path, &st) != 0) {     /* libconfig says "cannot open" */
                    free(path);
                    i = eol + 1;
                    continue;
                }
                for (int s = 0; s < stk->n; s++)
                    if (stk->dev[s] == st.st_dev && stk->ino[s] == st.st_ino) {
                        char chain[512] = "";
                        for (int t = s; t < stk->n; t++)
                            appendf(chain, sizeof chain, "%s -> ", stk->name[t]);
                        appendf(chain, sizeof chain, "%s", name);
                        free(path);
                        return err_set(L->e, EXIT_INPUT, "%s:%d: @include: cycle of @includes: %s",
                                       file, line, chain);
                    }
                if (stk->n > MAX_INCLUDE_DEPTH) {
                    free(path);
                    return err_set(L->e, EXIT_INPUT, "%s:%d: @include: nested more than %d deep",
                                   file, line, MAX_INCLUDE_DEPTH);
                }
                char *inc;
                size_t n;
                if (slurp_file(path, SCENARIO_MAX_BYTES - stk->used, &inc, &n, &st, why,
                               sizeof why) < 0) {
                    free(path);
                    return err_set(L->e, EXIT_INPUT, "%s:%d: @include \"%s\": %s", file, line,
                                   name, why);
                }
                int bad_line;
                char lit[256];
                const char *problem = text_problem(inc, n, &bad_line);
                if (!problem) problem = literal_problem(inc, n, &bad_line, lit, sizeof lit);
                if (problem) {
                    free(inc);
                    int rc = err_set(L->e, EXIT_INPUT, "%s:%d: %s", path, bad_line, problem);
                    free(path);
                    return rc;
                }
                stk->used += n;
                stk->dev[stk->n] = st.st_dev;
                stk->ino[stk->n] = st.st_ino;
                stk->name[stk->n] = name;
                stk->n++;
                int rc = check_includes(L, dir, path, inc, n, stk);
                stk->n--;
                free(inc);
                free(path);
                if (rc < 0) return -1;
            }
        }
        i = eol + 1;
    }
    return 0;
}

/* libconfig 1.5 joins every @include name to the include dir (the
 * scenario's folder), absolute ones too. So an absolute name in the
 * scenario file is rewritten as the same file reached from that folder:
 * as many "../" as the folder's real path has parts, then the name.
 * Lines keep their numbers. *out: the new text, or NULL when there is no
 * absolute name. -1 when out of memory. */
static int absolute_includes(const char *dir, const char *text, char **out)
{
    *out = NULL;
    if (!strstr(text, "@include")) return 0;
    char *real = realpath(dir, NULL);
    if (!real) return 0;                        /* check_includes read the files */
    int up = 0;
    for (const char *p = real; *p; p++) up += *p == '/' && p[1];
    free(real);
    struct sbuf b = { 0 };
    const char *p = text;                       /* copied up to here */
    for (const char *at = strstr(text, "@include"); at; at = strstr(at, "@include")) {
        const char *q = at + 8;
        while (*q == ' ' || *q == '\t') q++;
        at = q;
        if (q[0] != '"' || q[1] != '/') continue;
        sbuf_printf(&b, "%.*s", (int)(q + 1 - p), p);
        for (int i = 0; i < up; i++) sbuf_printf(&b, "..%s", i < up - 1 ? "/" : "");
        p = q + 1;                              /* the name, from its '/' */
    }
    if (!b.s && !b.failed) return 0;
    sbuf_printf(&b, "%s", p);
    if (b.failed) {
        sbuf_free(&b);
        return -1;
    }
    *out = b.s;
    return 0;
}

/* Checks text (len bytes, any bytes) as the scenario file `path` and
 * parses it into a new layer at the end of the chain. dev and ino identify
 * the file (0 for text that is no file). */
static int parse_layer(struct loader *L, const char *path, const char *text, size_t len,
                       dev_t dev, ino_t ino)
{
    int line;
    char lit[256];
    const char *problem = text_problem(text, len, &line);
    if (!problem) problem = literal_problem(text, len, &line, lit, sizeof lit);
    if (problem) return err_set(L->e, EXIT_INPUT, "%s:%d: %s", path, line, problem);
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {    /* a BOM: not text */
        text += 3;
        len -= 3;
    }
    if (blank_text(text, len))
        return err_set(L->e, EXIT_INPUT, "%s: the file is empty (a scenario needs name, "
                       "simulation, ...; see scenarios/esbjerg.cfg)", path);
    if (L->n_layers == MAX_CHAIN)
        return err_set(L->e, EXIT_INPUT, "%s: more than %d files in one chain of bases",
                       path, MAX_CHAIN);
    struct layer *ly = calloc(1, sizeof *ly);
    if (!ly) return oom(L);
    config_init(&ly->cfg);
    L->layer[L->n_layers++] = ly;            /* owned by the chain from here */
    ly->dev = dev;
    ly->ino = ino;
    if (!(ly->path = strdup(path)) || !(ly->dir = dir_of(path))) return oom(L);
    config_set_include_dir(&ly->cfg, ly->dir);
    struct inc_stack stk = { .n = 1, .used = len };
    stk.dev[0] = dev;
    stk.ino[0] = ino;
    stk.name[0] = path;
    if (check_includes(L, ly->dir, path, text, len, &stk) < 0) return -1;
    /* text is NUL-terminated at len by every caller (no NUL inside). */
    char *own = NULL;
    if (absolute_includes(ly->dir, text, &own) < 0) return oom(L);
    int parsed = config_read_string(&ly->cfg, own ? own : text);
    free(own);
    if (!parsed) {
        char file[512];
        const char *msg = config_error_text(&ly->cfg);
        file_name(ly, config_error_file(&ly->cfg), file, sizeof file);
        /* libconfig arrays hold one type: [0, 0.8] mixes int and float. */
        bool mixed = msg && strstr(msg, "mismatched element type");
        return err_set(L->e, EXIT_INPUT, "%s:%d: syntax: %s%s", file,
                       config_error_line(&ly->cfg), msg ? msg : "parse error",
                       mixed ? " (write whole numbers as 1.0 in arrays of numbers)" : "");
    }
    return 0;
}

/* Reads path into a new layer at the end of the chain. `from` is the base
 * setting that names it (NULL for the file given by the user): errors about
 * the file as a whole are reported there. The first file's bytes give the
 * scenario's fingerprint (sha, when not NULL). */
static int load_layer(struct loader *L, const char *path, const config_setting_t *from,
                      char sha[65])
{
    char *text, why[256];
    size_t len;
    struct stat st;
    if (slurp_file(path, SCENARIO_MAX_BYTES, &text, &len, &st, why, sizeof why) < 0) {
        if (from) {
            if (strncmp(why, "cannot read: ", 13) == 0)
                return fail(L, from, "base", "cannot read %s: %s", path, why + 13);
            return fail(L, from, "base", "%s %s", path, why);
        }
        return err_set(L->e, EXIT_INPUT, "%s: %s", path, why);
    }
    for (int i = 0; i < L->n_layers; i++)
        if (L->layer[i]->dev == st.st_dev && L->layer[i]->ino == st.st_ino) {
            char chain[512] = "";
            for (int k = 0; k < L->n_layers; k++)
                appendf(chain, sizeof chain, "%s -> ", L->layer[k]->path);
            appendf(chain, sizeof chain, "%s", path);
            free(text);
            return fail(L, from, "base", "cycle of bases: %s", chain);
        }
    if (L->n_layers == MAX_CHAIN) {
        free(text);
        return fail(L, from, "base", "more than %d files in one chain of bases", MAX_CHAIN);
    }
    if (sha) SHA256Data((const uint8_t *)text, len, sha);
    int rc = parse_layer(L, path, text, len, st.st_dev, st.st_ino);
    free(text);
    return rc;
}

/* Deep copy of src as a new child `name` of parent (name NULL in lists and
 * arrays). Each copy's hook points at the text it came from. NULL: no memory. */
static config_setting_t *copy_setting(config_setting_t *parent, const char *name,
                                      const config_setting_t *src)
{
    int type = config_setting_type(src);
    config_setting_t *d = config_setting_add(parent, name, type);
    if (!d) return NULL;
    config_setting_set_hook(d, origin(src));
    int ok = CONFIG_TRUE;
    switch (type) {
    case CONFIG_TYPE_INT: ok = config_setting_set_int(d, config_setting_get_int(src)); break;
    case CONFIG_TYPE_INT64: ok = config_setting_set_int64(d, config_setting_get_int64(src)); break;
    case CONFIG_TYPE_FLOAT: ok = config_setting_set_float(d, config_setting_get_float(src)); break;
    case CONFIG_TYPE_BOOL: ok = config_setting_set_bool(d, config_setting_get_bool(src)); break;
    case CONFIG_TYPE_STRING: ok = config_setting_set_string(d, config_setting_get_string(src)); break;
    default:                                    /* group, list, array */
        for (int i = 0; ok && i < config_setting_length(src); i++) {
            const config_setting_t *c = config_setting_get_elem(src, (unsigned)i);
            ok = copy_setting(d, type == CONFIG_TYPE_GROUP ? config_setting_name(c) : NULL, c) != NULL;
        }
    }
    return ok ? d : NULL;
}

/* The element of a list of transitions written as flow, from and to. */
static config_setting_t *walk_transition(config_setting_t *list, const struct setpath_seg *sg,
                                         const char *at, char *why, size_t n)
{
    const char *cand[64];
    char names[64][3 * SETPATH_MAX_NAME + 4], want[3 * SETPATH_MAX_NAME + 4];
    int nc = 0;
    sbuf_fmt(want, sizeof want, "%s:%s->%s", sg->flow, sg->from, sg->to);
    for (int i = 0; i < config_setting_length(list); i++) {
        config_setting_t *t = config_setting_get_elem(list, (unsigned)i);
        const char *f = NULL, *a = NULL, *b = NULL;
        if (config_setting_type(t) != CONFIG_TYPE_GROUP ||
            !config_setting_lookup_string(t, "flow", &f) ||
            !config_setting_lookup_string(t, "from", &a) ||
            !config_setting_lookup_string(t, "to", &b))
            continue;
        if (!strcmp(f, sg->flow) && !strcmp(a, sg->from) && !strcmp(b, sg->to)) return t;
        if (nc < 64) {
            sbuf_fmt(names[nc], sizeof names[nc], "%s:%s->%s", f, a, b);
            cand[nc] = names[nc];
            nc++;
        }
    }
    char hint[256];
    sbuf_fmt(why, n, "no transition %s in %s%s", want, at,
             setpath_transition_hint(want, cand, nc, hint, sizeof hint));
    return NULL;
}

/* The child of cur named `name`: a key of a group, or the element of a
 * list of groups whose id it is. */
static config_setting_t *walk_name(config_setting_t *cur, const char *name, const char *at,
                                   char *why, size_t n)
{
    const char *cand[MODEL_MAX_RINGS + 16];
    int nc = 0, type = config_setting_type(cur);
    for (int i = 0; i < config_setting_length(cur); i++) {
        config_setting_t *c = config_setting_get_elem(cur, (unsigned)i);
        const char *id = NULL;
        if (type == CONFIG_TYPE_GROUP) id = config_setting_name(c);
        else if (type == CONFIG_TYPE_LIST && config_setting_type(c) == CONFIG_TYPE_GROUP)
            config_setting_lookup_string(c, "id", &id);
        if (!id) continue;
        if (strcmp(id, name) == 0) return c;
        if (nc < (int)(sizeof cand / sizeof *cand)) cand[nc++] = id;
    }
    char hint[128];
    sbuf_fmt(why, n, "no \"%s\" in %s%s", name, at[0] ? at : "the top level",
             suggest(name, cand, nc, hint, sizeof hint));
    return NULL;
}

/* Follows a set path (model/setpath.h) in tree. On failure writes why. */
static config_setting_t *walk(config_setting_t *tree, const char *path, char *why, size_t n)
{
    struct setpath sp;
    if (setpath_parse(path, &sp, why, n) < 0) return NULL;
    config_setting_t *cur = tree;
    char at[PATH_LEN] = "";
    for (int k = 0; k < sp.n && cur; k++) {
        const struct setpath_seg *sg = &sp.seg[k];
        int type = config_setting_type(cur);
        const char *where = at[0] ? at : "the top level";
        switch (sg->kind) {
        case SETPATH_NAME:
            cur = walk_name(cur, sg->name, at, why, n);
            appendf(at, sizeof at, "%s%s", at[0] ? "." : "", sg->name);
            break;
        case SETPATH_INDEX:
            if ((type != CONFIG_TYPE_LIST && type != CONFIG_TYPE_ARRAY) ||
                sg->index >= config_setting_length(cur)) {
                sbuf_fmt(why, n, "no element [%ld] in %s", sg->index, where);
                return NULL;
            }
            cur = config_setting_get_elem(cur, (unsigned)sg->index);
            appendf(at, sizeof at, "[%ld]", sg->index);
            break;
        case SETPATH_TRANSITION:
            if (type != CONFIG_TYPE_LIST) {
                sbuf_fmt(why, n, "%s is no list of transitions", where);
                return NULL;
            }
            cur = walk_transition(cur, sg, where, why, n);
            appendf(at, sizeof at, "[%s:%s->%s]", sg->flow, sg->from, sg->to);
            break;
        }
    }
    return cur;
}

/* Writes value v over target t (a setting of the base). An integer fits a
 * float slot; a whole float fits an integer slot; an aggregate replaces the
 * children of an aggregate of the same kind, keeping its place in its list. */
static int assign(struct loader *L, config_setting_t *t, const config_setting_t *v,
                  const config_setting_t *entry, const char *path)
{
    int tt = config_setting_type(t), vt = config_setting_type(v);
    bool v_num = vt == CONFIG_TYPE_INT || vt == CONFIG_TYPE_INT64 || vt == CONFIG_TYPE_FLOAT;
    double num = vt == CONFIG_TYPE_INT ? config_setting_get_int(v)
               : vt == CONFIG_TYPE_INT64 ? (double)config_setting_get_int64(v)
               : vt == CONFIG_TYPE_FLOAT ? config_setting_get_float(v) : 0.0;
    int ok;
    switch (tt) {
    case CONFIG_TYPE_FLOAT:
        if (!v_num) goto mismatch;
        ok = config_setting_set_float(t, num);
        break;
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        if (!v_num || num != floor(num) || fabs(num) > 9.0e15) goto mismatch;
        if (tt == CONFIG_TYPE_INT && (num < INT32_MIN || num > INT32_MAX)) goto mismatch;
        ok = tt == CONFIG_TYPE_INT ? config_setting_set_int(t, (int)num)
                                   : config_setting_set_int64(t, (long long)num);
        break;
    case CONFIG_TYPE_STRING:
        if (vt != CONFIG_TYPE_STRING) goto mismatch;
        ok = config_setting_set_string(t, config_setting_get_string(v));
        break;
    case CONFIG_TYPE_BOOL:
        if (vt != CONFIG_TYPE_BOOL) goto mismatch;
        ok = config_setting_set_bool(t, config_setting_get_bool(v));
        break;
    default:                                    /* group, list, array */
        if (vt != tt) goto mismatch;
        while (config_setting_length(t) > 0) config_setting_remove_elem(t, 0);
        ok = CONFIG_TRUE;
        for (int i = 0; ok && i < config_setting_length(v); i++) {
            const config_setting_t *c = config_setting_get_elem(v, (unsigned)i);
            ok = copy_setting(t, tt == CONFIG_TYPE_GROUP ? config_setting_name(c) : NULL, c) != NULL;
        }
    }
    if (!ok) return oom(L);
    config_setting_set_hook(t, origin(v));
    return 0;
mismatch:
    if (v_num && tt != CONFIG_TYPE_FLOAT && (tt == CONFIG_TYPE_INT || tt == CONFIG_TYPE_INT64))
        return fail(L, entry, path, "needs a whole number (got %g)", num);
    return fail(L, entry, path, "needs %s, as in the base (got %s)", type_name(tt), type_name(vt));
}

/* Applies variant vroot onto the base tree: its top-level keys replace the
 * base's, then each set entry, in order, writes into the result. */
static int apply_variant(struct loader *L, const config_setting_t *vroot, config_setting_t *tree)
{
    for (int i = 0; i < config_setting_length(vroot); i++) {
        const config_setting_t *c = config_setting_get_elem(vroot, (unsigned)i);
        const char *name = config_setting_name(c);
        if (strcmp(name, "base") == 0 || strcmp(name, "set") == 0) continue;
        config_setting_remove(tree, name);
        if (!copy_setting(tree, name, c)) return oom(L);
    }
    const config_setting_t *set = config_setting_get_member(vroot, "set");
    if (!set) return 0;
    if (config_setting_type(set) != CONFIG_TYPE_LIST)
        return fail(L, set, "set", "must be a list ( ( \"path\", value ), ... ) (got %s)",
                    type_name(config_setting_type(set)));
    for (int i = 0; i < config_setting_length(set); i++) {
        const config_setting_t *entry = config_setting_get_elem(set, (unsigned)i);
        char ep[PATH_LEN], why[PATH_LEN + 128];
        sbuf_fmt(ep, sizeof ep, "set[%d]", i);
        if (config_setting_type(entry) != CONFIG_TYPE_LIST || config_setting_length(entry) != 2 ||
            config_setting_type(config_setting_get_elem(entry, 0)) != CONFIG_TYPE_STRING)
            return fail(L, entry, ep, "must be ( \"path\", value )");
        const char *path = config_setting_get_string(config_setting_get_elem(entry, 0));
        config_setting_t *t = walk(tree, path, why, sizeof why);
        if (!t || t == tree)
            return fail(L, entry, path[0] ? path : ep, "names no setting of the base (%s)",
                        t ? "empty path" : why);
        if (assign(L, t, config_setting_get_elem(entry, 1), entry, path) < 0) return -1;
    }
    return 0;
}

/* ---- plans over time (SPEC §9: changes) ---- */

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
    path_fmt(cp, "changes[%d]", i);
    if (config_setting_type(c) != CONFIG_TYPE_GROUP)
        return fail(L, c, cp, "must be a group { date = \"YYYY-MM-DD\"; set = ( ... ); }");
    if (check_keys(L, c, cp, change_keys) < 0) return -1;
    const char *date = "";
    if (get_str(L, c, cp, "date", &date) < 0) return -1;
    path_fmt(p, "%s.date", cp);
    int32_t day;
    if (!caldate_parse(date, &day))
        return fail(L, config_setting_get_member(c, "date"), p, "must be a date YYYY-MM-DD (got \"%s\")",
                    date);
    out->t = (double)(day - m->start_day) / DAYS_PER_YEAR;
    if (out->t <= 0.0)
        return fail(L, config_setting_get_member(c, "date"), p,
                    "must come after simulation.start_date (%s) (got \"%s\")", m->start_date, date);
    if (out->t < prev_t)
        return fail(L, config_setting_get_member(c, "date"), p,
                    "changes must be in date order (got \"%s\" after a later date)", date);
    memcpy(out->date, date, 11);
    if (get_bool(L, c, cp, "relocate", &out->relocate) < 0) return -1;
    const config_setting_t *set = config_setting_get_member(c, "set");
    path_fmt(p, "%s.set", cp);
    if (config_setting_type(set) != CONFIG_TYPE_LIST || config_setting_length(set) == 0)
        return fail(L, set, p, "must be a list ( ( \"path\", value ), ... ) of at least one entry");
    for (int k = 0; k < config_setting_length(set); k++) {
        const config_setting_t *entry = config_setting_get_elem(set, (unsigned)k);
        char ep[PATH_LEN], why[PATH_LEN + 128];
        path_fmt(ep, "%s.set[%d]", cp, k);
        if (config_setting_type(entry) != CONFIG_TYPE_LIST || config_setting_length(entry) != 2 ||
            config_setting_type(config_setting_get_elem(entry, 0)) != CONFIG_TYPE_STRING)
            return fail(L, entry, ep, "must be ( \"path\", value )");
        const char *path = config_setting_get_string(config_setting_get_elem(entry, 0));
        const config_setting_t *v = config_setting_get_elem(entry, 1);
        config_setting_t *t = walk(tree, path, why, sizeof why);
        if (!t || t == tree)
            return fail(L, entry, path[0] ? path : ep, "names no setting of the scenario (%s)",
                        t ? "empty path" : why);
        if (!change_allowed(path) || !numeric_setting(t))
            return fail(L, entry, path, "cannot change at a date (only numbers of a ring, a "
                        "transition, visitation, budget.annual and the arrival and exit rates)");
        if (!numeric_setting(v)) return fail(L, entry, path, "needs a number");
        if (assign(L, t, v, entry, path) < 0) return -1;
    }
    return 0;
}

/* Reads `changes` (SPEC §9): for each, in date order, its settings are
 * written over the tree and the whole model read again, so that change i
 * holds the model from its date on (every change up to i applied). The
 * engine switches between these models at the dates. */
static int read_changes(struct loader *L, config_setting_t *tree, struct model *m)
{
    const config_setting_t *list = config_setting_get_member(tree, "changes");
    if (!list) return 0;
    if (config_setting_type(list) != CONFIG_TYPE_LIST)
        return fail(L, list, "changes", "must be a list ( { date = ...; set = ( ... ); }, ... )");
    int n = config_setting_length(list);
    if (n == 0) return 0;
    if (n > BOUNDS_MAX_CHANGES)
        return fail(L, list, "changes", "at most %d changes (got %d)", BOUNDS_MAX_CHANGES, n);
    if (!(m->changes = calloc((size_t)n, sizeof *m->changes))) return oom(L);
    L->epoch = true;
    double prev = 0.0;
    for (int i = 0; i < n; i++) {
        struct model_change *c = &m->changes[i];
        m->n_changes = i + 1;
        if (apply_change(L, config_setting_get_elem(list, (unsigned)i), i, tree, m, prev, c) < 0)
            return -1;
        prev = c->t;
        if (!(c->m = model_create())) return oom(L);
        if (read_model(L, tree, c->m) < 0 || !(c->m->path = strdup(m->path ? m->path : "")))
            return -1;
        memcpy(c->m->sha256, m->sha256, sizeof m->sha256);
        if (model_finish(c->m, L->e) != 0) return -1;
    }
    L->epoch = false;
    return 0;
}

static int resolve(struct loader *L, const char *path, const config_setting_t *from,
                   config_setting_t **tree, char sha[65]);

/* The layer just loaded and the chain of bases beneath it; *tree is the
 * tree to read the model from: the deepest base's, with every variant
 * applied on top, nearest the base first. */
static int resolve_bases(struct loader *L, config_setting_t **tree)
{
    config_setting_t *root = config_root_setting(&L->layer[L->n_layers - 1]->cfg);
    const char *dir = L->layer[L->n_layers - 1]->dir;
    const config_setting_t *base = config_setting_get_member(root, "base");
    if (!base) { *tree = root; return 0; }
    if (config_setting_type(base) != CONFIG_TYPE_STRING)
        return fail(L, base, "base", "must be a string (got %s)",
                    type_name(config_setting_type(base)));
    char *bpath = path_in(dir, config_setting_get_string(base));
    if (!bpath) return oom(L);
    if (L->n_layers == 1 && !L->base_path && !(L->base_path = strdup(bpath))) {
        free(bpath);
        return oom(L);
    }
    int rc = resolve(L, bpath, base, tree, NULL);
    free(bpath);
    if (rc < 0) return -1;
    return apply_variant(L, root, *tree);
}

/* Loads path and the chain of bases beneath it (see resolve_bases). */
static int resolve(struct loader *L, const char *path, const config_setting_t *from,
                   config_setting_t **tree, char sha[65])
{
    if (load_layer(L, path, from, sha) < 0) return -1;
    return resolve_bases(L, tree);
}

/* Parses the --set values into one layer, value i as setting v<i>. */
static int load_set_layer(struct loader *L, int n, const char *const *paths,
                          const char *const *values, config_setting_t **vals)
{
    if (L->n_layers == MAX_CHAIN)
        return err_set(L->e, EXIT_INPUT, "--set: more than %d files in one chain of bases",
                       MAX_CHAIN - 1);
    struct layer *ly = calloc(1, sizeof *ly);
    if (!ly) return oom(L);
    config_init(&ly->cfg);
    L->layer[L->n_layers++] = ly;
    ly->cmdline = true;
    if (!(ly->path = strdup("--set")) || !(ly->dir = strdup("."))) return oom(L);
    for (int i = 0; i < n; i++) {
        /* One parse per value, so a bad one is named alone. */
        size_t len = strlen(values[i]) + 16;
        char *text = malloc(len);
        if (!text) return oom(L);
        sbuf_fmt(text, len, "v = %s;", values[i]);
        int line;
        char lit[256];
        if (literal_problem(text, strlen(text), &line, lit, sizeof lit)) {
            free(text);
            return err_set(L->e, EXIT_INPUT, "--set: %s: %s", paths[i], lit);
        }
        config_t one;
        config_init(&one);
        int ok = config_read_string(&one, text);
        free(text);
        config_setting_t *v = ok ? config_lookup(&one, "v") : NULL;
        if (!v || (config_setting_is_aggregate(v) && config_setting_type(v) != CONFIG_TYPE_ARRAY)) {
            config_destroy(&one);
            return err_set(L->e, EXIT_INPUT, "--set: %s: '%s' is not a value (a number, \"string\", "
                           "true/false or [array])", paths[i], values[i]);
        }
        char name[16];
        sbuf_fmt(name, sizeof name, "v%d", i);
        vals[i] = copy_setting(config_root_setting(&ly->cfg), name, v);
        config_destroy(&one);
        if (!vals[i]) return oom(L);
        config_setting_set_hook(vals[i], NULL);      /* errors point here, not at `one` */
        for (int k = 0; k < config_setting_length(vals[i]); k++)
            config_setting_set_hook(config_setting_get_elem(vals[i], (unsigned)k), NULL);
    }
    return 0;
}

/* The loaders' common body: the scenario is the file `path`, or, when text
 * is not NULL, those len bytes under the name `path`. */
static int load_model(const char *path, const char *text, size_t len, int n,
                      const char *const *paths, const char *const *values,
                      struct model **out, struct err *e)
{
    struct loader L = { .e = e, .n_layers = 0 };
    *out = NULL;
    struct model *m = model_create();
    if (!m) return err_set(e, EXIT_RUNTIME, "out of memory");
    config_setting_t *tree;
    config_setting_t **vals = n > 0 ? calloc((size_t)n, sizeof *vals) : NULL;
    int rc = n > 0 && !vals ? oom(&L) : 0;
    /* The fingerprint is of the named file's bytes only: a variant's, not
     * its bases' or @include'd fragments'. */
    if (rc == 0 && !text) {
        rc = resolve(&L, path, NULL, &tree, m->sha256);
    } else if (rc == 0) {
        SHA256Data((const uint8_t *)text, len, m->sha256);
        char *copy = len > SCENARIO_MAX_BYTES ? NULL : malloc(len + 1);
        if (len > SCENARIO_MAX_BYTES)
            rc = err_set(e, EXIT_INPUT, "%s: too large (a scenario with its @includes is at "
                         "most %u MB)", path, SCENARIO_MAX_BYTES >> 20);
        else if (!copy)
            rc = oom(&L);
        if (rc == 0) {
            memcpy(copy, text, len);
            copy[len] = '\0';                  /* text_problem catches a NUL inside */
            rc = parse_layer(&L, path, copy, len, 0, 0);
            free(copy);
        }
        if (rc == 0) rc = resolve_bases(&L, &tree);
    }
    if (rc == 0 && n > 0) rc = load_set_layer(&L, n, paths, values, vals);
    for (int i = 0; rc == 0 && i < n; i++) {
        char why[PATH_LEN + 128];
        config_setting_t *t = walk(tree, paths[i], why, sizeof why);
        if (!t || t == tree)
            rc = err_set(e, EXIT_INPUT, "--set: %s: names no setting of %s (%s)",
                         paths[i][0] ? paths[i] : "(empty path)", path, t ? "empty path" : why);
        else
            rc = assign(&L, t, vals[i], vals[i], paths[i]);
    }
    free(vals);
    if (rc == 0) rc = read_model(&L, tree, m);
    if (rc == 0 && !(m->path = strdup(path))) rc = oom(&L);
    m->base_path = L.base_path;               /* the model owns it now */
    if (rc == 0) rc = model_finish(m, e);
    if (rc == 0) rc = read_changes(&L, tree, m);
    for (int i = 0; i < L.n_layers; i++) layer_free(L.layer[i]);
    if (rc < 0) {
        model_destroy(m);
        return -1;
    }
    *out = m;
    return 0;
}

int scenario_load_set(const char *path, int n, const char *const *paths,
                      const char *const *values, struct model **out, struct err *e)
{
    return load_model(path, NULL, 0, n, paths, values, out, e);
}

int scenario_load(const char *path, struct model **out, struct err *e)
{
    return load_model(path, NULL, 0, 0, NULL, NULL, out, e);
}

int scenario_load_text(const char *name, const char *text, size_t len, struct model **out,
                       struct err *e)
{
    return load_model(name, text, len, 0, NULL, NULL, out, e);
}
