/* cfgread.c: positions, errors and typed getters of the scenario loader
 * (model/cfgread.h). */
#include "model/cfgread.h"

#include <math.h>
#include <sha2.h>     /* libmd: SHA256Data */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "base/suggest.h"

/* ---- positions and errors ---- */

config_setting_t *cfg_origin(const config_setting_t *s)
{
    config_setting_t *o = config_setting_get_hook(s);
    return o ? o : (config_setting_t *)s;
}

int cfg_where(const struct layer *ly, int line, const char **file)
{
    int at;
    const char *f = linemap_find(&ly->lines, line, &at);
    *file = f ? f : ly->path;
    return at;
}

int cfg_line(const config_setting_t *s)
{
    const config_setting_t *o = cfg_origin(s);
    const char *file;
    return cfg_where((const struct layer *)o->config, (int)config_setting_source_line(o), &file);
}

void cfg_line_ref(const config_setting_t *s, const config_setting_t *at, char *buf, size_t n)
{
    const config_setting_t *o = cfg_origin(s), *a = cfg_origin(at);
    const char *file, *at_file;
    if (((const struct layer *)o->config)->cmdline) {
        sbuf_fmt(buf, n, "--set");
        return;
    }
    int line = cfg_where((const struct layer *)o->config, (int)config_setting_source_line(o), &file);
    cfg_where((const struct layer *)a->config, (int)config_setting_source_line(a), &at_file);
    if (strcmp(file, at_file) == 0) sbuf_fmt(buf, n, "line %d", line);
    else sbuf_fmt(buf, n, "%s:%d", file, line);
}

/* Sets the error at setting s, shown under the dotted path. */
int cfg_fail(struct loader *L, const config_setting_t *s, const char *path,
                const char *fmt, ...)
{
    char problem[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    if (!s) return err_at(L->e, NULL, 0, path, "%s", problem);
    const config_setting_t *o = cfg_origin(s);
    if (((const struct layer *)o->config)->cmdline)
        return err_at(L->e, "--set", 0, path, "%s", problem);
    const char *file;
    int line = cfg_where((const struct layer *)o->config, (int)config_setting_source_line(o), &file);
    return err_at(L->e, file, line, path, "%s", problem);
}

int cfg_oom(struct loader *L)
{
    return err_set(L->e, EXIT_RUNTIME, "out of memory");
}

/* Formats a setting path into out[PATH_LEN]; a path too long is cut, which
 * only shortens a message. */
void cfg_path_fmt(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, PATH_LEN, fmt, ap);
    va_end(ap);
}

/* Appends to the string in buf[size], cutting what does not fit. */
void cfg_appendf(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

void cfg_join(char *out, const char *gpath, const char *key)
{
    if (gpath[0]) cfg_path_fmt(out, "%s.%s", gpath, key);
    else cfg_path_fmt(out, "%s", key);
}

const char *cfg_type_name(int type)
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
int cfg_check_keys(struct loader *L, const config_setting_t *grp, const char *gpath,
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
            cfg_join(path, gpath, name);
            return cfg_fail(L, c, path, "unknown key%s", suggest_nearest(name, names, n, hint, sizeof hint));
        }
    }
    for (int k = 0; k < n; k++)
        if (tab[k].required && !config_setting_get_member(grp, tab[k].name)) {
            cfg_join(path, gpath, tab[k].name);
            return cfg_fail(L, grp, path, "required key is missing");
        }
    return 0;
}

/* ---- typed getters: 1 read, 0 absent (out unchanged), -1 error ---- */

int cfg_num_value(struct loader *L, const config_setting_t *s, const char *path, double *out)
{
    double v;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: v = config_setting_get_int(s); break;
    case CONFIG_TYPE_INT64: v = (double)config_setting_get_int64(s); break;
    case CONFIG_TYPE_FLOAT: v = config_setting_get_float(s); break;
    default:
        return cfg_fail(L, s, path, "must be a number (got %s)", cfg_type_name(config_setting_type(s)));
    }
    if (!isfinite(v)) return cfg_fail(L, s, path, "must be a finite number (got %g)", v);
    *out = v;
    return 1;
}

/* A number in [lo, hi] (either end may be infinite). */
int cfg_get_num(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const char *key, double *out, double lo, double hi)
{
    const config_setting_t *s = config_setting_get_member(grp, key);
    if (!s) return 0;
    char path[PATH_LEN];
    cfg_join(path, gpath, key);
    double v = 0.0;
    if (cfg_num_value(L, s, path, &v) < 0) return -1;
    if (v < lo || v > hi) {
        if (isinf(hi)) {
            if (lo == 0.0) return cfg_fail(L, s, path, "must be 0 or more (got %g)", v);
            return cfg_fail(L, s, path, "must be at least %g (got %g)", lo, v);
        }
        return cfg_fail(L, s, path, "must be between %g and %g (got %g)", lo, hi, v);
    }
    *out = v;
    return 1;
}

/* A number above 0 (a length of time). */
int cfg_get_pos(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const char *key, double *out)
{
    double v = *out;
    int rc = cfg_get_num(L, grp, gpath, key, &v, -INFINITY, INFINITY);
    if (rc == 1 && !(v > 0.0)) {
        char path[PATH_LEN];
        cfg_join(path, gpath, key);
        return cfg_fail(L, config_setting_get_member(grp, key), path,
                    "must be more than 0 (got %g)", v);
    }
    if (rc == 1) *out = v;
    return rc;
}

/* A number in [0, hi], where hi is one of flowsim's limits (runlimits.h):
 * above it the message points to the README's list of limits. */
int cfg_get_capped(struct loader *L, const config_setting_t *grp, const char *gpath,
                      const char *key, double *out, double hi, const char *unit)
{
    double v = *out;
    int rc = cfg_get_num(L, grp, gpath, key, &v, 0.0, INFINITY);
    if (rc == 1 && v > hi) {
        char path[PATH_LEN];
        cfg_join(path, gpath, key);
        return cfg_fail(L, config_setting_get_member(grp, key), path,
                    "must be at most %g%s (got %g; see README, Limits)", hi, unit, v);
    }
    if (rc == 1) *out = v;
    return rc;
}

/* A whole number in [lo, hi]; 12.0 counts as whole. */
int cfg_whole_value(struct loader *L, const config_setting_t *s, const char *path,
                       long long *out, long long lo, long long hi)
{
    long long v;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: v = config_setting_get_int(s); break;
    case CONFIG_TYPE_INT64: v = config_setting_get_int64(s); break;
    case CONFIG_TYPE_FLOAT: {
        double f = config_setting_get_float(s);
        if (!(f == floor(f)) || fabs(f) > 9.0e15)
            return cfg_fail(L, s, path, "must be a whole number (got %g)", f);
        v = (long long)f;
        break;
    }
    default:
        return cfg_fail(L, s, path, "must be a whole number (got %s)",
                    cfg_type_name(config_setting_type(s)));
    }
    if (v > hi && (hi == INT32_MAX || hi == INT64_MAX))
        return cfg_fail(L, s, path, "must be at most %lld (got %lld)", hi, v);
    if (v < lo || v > hi) {
        if (hi == INT32_MAX || hi == INT64_MAX) {
            if (lo == 0) return cfg_fail(L, s, path, "must be 0 or more (got %lld)", v);
            return cfg_fail(L, s, path, "must be at least %lld (got %lld)", lo, v);
        }
        return cfg_fail(L, s, path, "must be between %lld and %lld (got %lld)", lo, hi, v);
    }
    *out = v;
    return 1;
}

int cfg_get_int(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const char *key, int *out, int lo)
{
    const config_setting_t *s = config_setting_get_member(grp, key);
    if (!s) return 0;
    char path[PATH_LEN];
    cfg_join(path, gpath, key);
    long long v = 0;
    if (cfg_whole_value(L, s, path, &v, lo, INT32_MAX) < 0) return -1;
    *out = (int)v;
    return 1;
}

int cfg_get_typed(struct loader *L, const config_setting_t *grp, const char *gpath,
                     const char *key, int type, const config_setting_t **out)
{
    const config_setting_t *s = config_setting_get_member(grp, key);
    if (!s) return 0;
    if (config_setting_type(s) != type) {
        char path[PATH_LEN];
        cfg_join(path, gpath, key);
        return cfg_fail(L, s, path, "must be %s (got %s)", cfg_type_name(type),
                    cfg_type_name(config_setting_type(s)));
    }
    *out = s;
    return 1;
}

int cfg_get_str(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const char *key, const char **out)
{
    const config_setting_t *s;
    int rc = cfg_get_typed(L, grp, gpath, key, CONFIG_TYPE_STRING, &s);
    if (rc == 1) *out = config_setting_get_string(s);
    return rc;
}

/* A string copied into *out (freeing the old one). */
int cfg_get_strdup(struct loader *L, const config_setting_t *grp, const char *gpath,
                      const char *key, char **out)
{
    const char *v;
    int rc = cfg_get_str(L, grp, gpath, key, &v);
    if (rc != 1) return rc;
    char *d = strdup(v);
    if (!d) return cfg_oom(L);
    free(*out);
    *out = d;
    return 1;
}

int cfg_get_bool(struct loader *L, const config_setting_t *grp, const char *gpath,
                    const char *key, bool *out)
{
    const config_setting_t *s;
    int rc = cfg_get_typed(L, grp, gpath, key, CONFIG_TYPE_BOOL, &s);
    if (rc == 1) *out = config_setting_get_bool(s);
    return rc;
}

int cfg_get_group(struct loader *L, const config_setting_t *grp, const char *gpath,
                     const char *key, const config_setting_t **out)
{
    return cfg_get_typed(L, grp, gpath, key, CONFIG_TYPE_GROUP, out);
}

/* One of names (NULL-terminated); *out is its index. */
int cfg_get_enum(struct loader *L, const config_setting_t *grp, const char *gpath,
                    const char *key, const char *const *names, int *out)
{
    const char *v;
    int rc = cfg_get_str(L, grp, gpath, key, &v);
    if (rc != 1) return rc;
    int n = 0;
    for (; names[n]; n++)
        if (strcmp(names[n], v) == 0) { *out = n; return 1; }
    char list[128] = "", hint[96], path[PATH_LEN];
    for (int i = 0; i < n; i++) cfg_appendf(list, sizeof list, "%s\"%s\"", i ? ", " : "", names[i]);
    cfg_join(path, gpath, key);
    return cfg_fail(L, config_setting_get_member(grp, key), path, "must be one of %s (got \"%s\")%s",
                list, v, suggest_nearest(v, names, n, hint, sizeof hint));
}

bool cfg_valid_id(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

int cfg_check_id(struct loader *L, const config_setting_t *s, const char *path, const char *id)
{
    if (!cfg_valid_id(id))
        return cfg_fail(L, s, path, "must be a name of letters, digits, '_' and '-' that "
                    "starts with a letter (got \"%s\")", id);
    return 0;
}

/* Path of element i of a list of groups: "list.<id>" when it has an id
 * string (as set paths address it), else "list[i]". */
void cfg_elem_path(char *out, const char *lpath, const config_setting_t *el, int i)
{
    const char *id = NULL;
    if (config_setting_type(el) == CONFIG_TYPE_GROUP &&
        config_setting_lookup_string(el, "id", &id) && cfg_valid_id(id))
        sbuf_fmt(out, PATH_LEN, "%s.%s", lpath, id);
    else
        sbuf_fmt(out, PATH_LEN, "%s[%d]", lpath, i);
}

/* How near the top of the chain the text of s is: 0 for --set, 1 for the
 * file given, 2 for its base, and so on. */
int cfg_layer_rank(const struct loader *L, const config_setting_t *s)
{
    const struct layer *ly = (const struct layer *)cfg_origin(s)->config;
    if (ly->cmdline) return 0;
    for (int i = 0; i < L->n_layers; i++)
        if (L->layer[i] == ly) return i + 1;
    return L->n_layers + 1;
}

/* ---- files and variants ---- */

void cfg_layer_free(struct layer *ly)
{
    if (!ly) return;
    config_destroy(&ly->cfg);
    linemap_free(&ly->lines);
    free(ly->path);
    free(ly->dir);
    free(ly);
}

/* name relative to dir, as libconfig and the user mean it. */
char *cfg_path_in(const char *dir, const char *name)
{
    if (name[0] == '/' || strcmp(dir, ".") == 0) return strdup(name);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) sbuf_fmt(p, n, "%s/%s", dir, name);
    return p;
}


int cfg_note_input(struct loader *L, const char *path, const void *bytes, size_t len)
{
    struct model_input *grown = realloc(L->inputs, ((size_t)L->n_inputs + 1) * sizeof *grown);
    if (!grown) return cfg_oom(L);
    L->inputs = grown;
    struct model_input *in = &L->inputs[L->n_inputs];
    if (!(in->path = strdup(path))) return cfg_oom(L);
    SHA256Data(bytes, len, in->sha256);
    L->n_inputs++;
    return 0;
}
