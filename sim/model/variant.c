/* variant.c: files, bases and variants (docs/scenario.md): the chain of files a
 * scenario names is parsed and merged into ONE libconfig tree, the deepest
 * base's, with each variant's top-level keys replacing the base's and each
 * `set` entry written into it (model/variant.h).
 *
 * Every error names the file and line where the offending text is written.
 * A setting copied or changed by a variant carries, as its libconfig hook,
 * the variant's setting it came from, so cfg_origin() leads back to that
 * text (the copy itself has no line). All trees stay alive until the model
 * is built, which keeps those hooks valid. */
#include "model/variant.h"

#include <math.h>
#include <sha2.h>     /* libmd: SHA256Data for the scenario fingerprint */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pathname.h"
#include "base/sbuf.h"
#include "base/suggest.h"
#include "model/cfgtext.h"
#include "model/setpath.h"

/* Checks text (len bytes, any bytes) as the scenario file `path` and
 * parses it into a new layer at the end of the chain. dev and ino identify
 * the file (0 for text that is no file). */
int variant_parse_layer(struct loader *L, const char *path, const char *text, size_t len,
                       dev_t dev, ino_t ino)
{
    int line;
    char lit[256];
    const char *problem = cfgtext_problem(text, len, &line);
    if (!problem) problem = cfgtext_literal_problem(text, len, &line, lit, sizeof lit);
    if (problem) return err_set(L->e, EXIT_INPUT, "%s:%d: %s", path, line, problem);
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {    /* a BOM: not text */
        text += 3;
        len -= 3;
    }
    if (cfgtext_blank(text, len))
        return err_set(L->e, EXIT_INPUT, "%s: the file is empty (a scenario needs name, "
                       "simulation, ...; see scenarios/esbjerg.cfg)", path);
    if (L->n_layers == MAX_CHAIN)
        return err_set(L->e, EXIT_INPUT, "%s: more than %d files in one chain of bases",
                       path, MAX_CHAIN);
    struct layer *ly = calloc(1, sizeof *ly);
    if (!ly) return cfg_oom(L);
    config_init(&ly->cfg);
    L->layer[L->n_layers++] = ly;            /* owned by the chain from here */
    ly->dev = dev;
    ly->ino = ino;
    if (!(ly->path = strdup(path)) || !(ly->dir = path_dirname(path))) return cfg_oom(L);
    char *all;
    if (cfgtext_expand(L, path, text, len, dev, ino, &all, &ly->lines) < 0) return -1;
    /* Each file's tokens were checked alone; a string after an @include
     * follows the fragment's last token, which only the whole text shows. */
    if ((problem = cfgtext_literal_problem(all, strlen(all), &line, lit, sizeof lit))) {
        const char *file;
        int at = cfg_where(ly, line, &file);
        free(all);
        return err_set(L->e, EXIT_INPUT, "%s:%d: %s", file, at, problem);
    }
    int parsed = config_read_string(&ly->cfg, all);
    char key[64];
    int first, second;
    bool twice = !parsed && cfgtext_repeated_key(all, strlen(all), key, sizeof key, &first, &second);
    free(all);
    if (twice) {                     /* e.g. a file's own block and calibrate's fragment */
        const char *file1, *file2;
        int at1 = cfg_where(ly, first, &file1), at2 = cfg_where(ly, second, &file2);
        return err_set(L->e, EXIT_INPUT, "%s:%d: %s: declared twice (also at %s:%d), and a "
                       "scenario takes each key once: keep one, or @include the fragment in a "
                       "variant of the base, whose keys replace the base's (docs/scenario.md)",
                       file2, at2, key, file1, at1);
    }
    if (!parsed) {
        const char *msg = config_error_text(&ly->cfg), *file;
        int at = cfg_where(ly, config_error_line(&ly->cfg), &file);
        /* libconfig arrays hold one type: [0, 0.8] mixes int and float. */
        bool mixed = msg && strstr(msg, "mismatched element type");
        return err_set(L->e, EXIT_INPUT, "%s:%d: syntax: %s%s", file, at,
                       msg ? msg : "parse error",
                       mixed ? " (write whole numbers as 1.0 in arrays of numbers)" : "");
    }
    return 0;
}

/* Reads path into a new layer at the end of the chain. `from` is the base
 * setting that names it (NULL for the file given by the user): errors about
 * the file as a whole are reported there. The first file's bytes give the
 * scenario's fingerprint (sha, when not NULL). */
int variant_load_layer(struct loader *L, const char *path, const config_setting_t *from,
                      char sha[65])
{
    char *text, why[256];
    size_t len;
    struct stat st;
    if (cfgtext_slurp(path, SCENARIO_MAX_BYTES, &text, &len, &st, why, sizeof why) < 0) {
        if (from) {
            if (strncmp(why, "cannot read: ", 13) == 0)
                return cfg_fail(L, from, "base", "cannot read %s: %s", path, why + 13);
            return cfg_fail(L, from, "base", "%s %s", path, why);
        }
        return err_set(L->e, EXIT_INPUT, "%s: %s", path, why);
    }
    for (int i = 0; i < L->n_layers; i++)
        if (L->layer[i]->dev == st.st_dev && L->layer[i]->ino == st.st_ino) {
            char chain[512] = "";
            for (int k = 0; k < L->n_layers; k++)
                cfg_appendf(chain, sizeof chain, "%s -> ", L->layer[k]->path);
            cfg_appendf(chain, sizeof chain, "%s", path);
            free(text);
            return cfg_fail(L, from, "base", "cycle of bases: %s", chain);
        }
    if (L->n_layers == MAX_CHAIN) {
        free(text);
        return cfg_fail(L, from, "base", "more than %d files in one chain of bases", MAX_CHAIN);
    }
    if (sha) SHA256Data((const uint8_t *)text, len, sha);
    int rc = cfg_note_input(L, path, text, len);
    if (rc == 0) rc = variant_parse_layer(L, path, text, len, st.st_dev, st.st_ino);
    free(text);
    return rc;
}

/* Deep copy of src as a new child `name` of parent (name NULL in lists and
 * arrays). Each copy's hook points at the text it came from. NULL: no memory. */
config_setting_t *variant_copy(config_setting_t *parent, const char *name,
                                      const config_setting_t *src)
{
    int type = config_setting_type(src);
    config_setting_t *d = config_setting_add(parent, name, type);
    if (!d) return NULL;
    config_setting_set_hook(d, cfg_origin(src));
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
            ok = variant_copy(d, type == CONFIG_TYPE_GROUP ? config_setting_name(c) : NULL, c) != NULL;
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
             suggest_nearest(name, cand, nc, hint, sizeof hint));
    return NULL;
}

/* Follows a set path (model/setpath.h) in tree. On failure writes why. */
config_setting_t *variant_walk(config_setting_t *tree, const char *path, char *why, size_t n)
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
            cfg_appendf(at, sizeof at, "%s%s", at[0] ? "." : "", sg->name);
            break;
        case SETPATH_INDEX:
            if ((type != CONFIG_TYPE_LIST && type != CONFIG_TYPE_ARRAY) ||
                sg->index >= config_setting_length(cur)) {
                sbuf_fmt(why, n, "no element [%ld] in %s", sg->index, where);
                return NULL;
            }
            cur = config_setting_get_elem(cur, (unsigned)sg->index);
            cfg_appendf(at, sizeof at, "[%ld]", sg->index);
            break;
        case SETPATH_TRANSITION:
            if (type != CONFIG_TYPE_LIST) {
                sbuf_fmt(why, n, "%s is no list of transitions", where);
                return NULL;
            }
            cur = walk_transition(cur, sg, where, why, n);
            cfg_appendf(at, sizeof at, "[%s:%s->%s]", sg->flow, sg->from, sg->to);
            break;
        }
    }
    return cur;
}

/* Writes value v over target t (a setting of the base). An integer fits a
 * float slot; a whole float fits an integer slot; an aggregate replaces the
 * children of an aggregate of the same kind, keeping its place in its list. */
int variant_assign(struct loader *L, config_setting_t *t, const config_setting_t *v,
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
            ok = variant_copy(t, tt == CONFIG_TYPE_GROUP ? config_setting_name(c) : NULL, c) != NULL;
        }
    }
    if (!ok) return cfg_oom(L);
    config_setting_set_hook(t, cfg_origin(v));
    return 0;
mismatch:
    if (v_num && tt != CONFIG_TYPE_FLOAT && (tt == CONFIG_TYPE_INT || tt == CONFIG_TYPE_INT64))
        return cfg_fail(L, entry, path, "needs a whole number (got %g)", num);
    return cfg_fail(L, entry, path, "needs %s, as in the base (got %s)", cfg_type_name(tt), cfg_type_name(vt));
}

/* Applies variant vroot onto the base tree: its top-level keys replace the
 * base's, then each set entry, in order, writes into the result. */
int variant_apply(struct loader *L, const config_setting_t *vroot, config_setting_t *tree)
{
    for (int i = 0; i < config_setting_length(vroot); i++) {
        const config_setting_t *c = config_setting_get_elem(vroot, (unsigned)i);
        const char *name = config_setting_name(c);
        if (strcmp(name, "base") == 0 || strcmp(name, "set") == 0) continue;
        config_setting_remove(tree, name);
        if (!variant_copy(tree, name, c)) return cfg_oom(L);
    }
    const config_setting_t *set = config_setting_get_member(vroot, "set");
    if (!set) return 0;
    if (config_setting_type(set) != CONFIG_TYPE_LIST)
        return cfg_fail(L, set, "set", "must be a list ( ( \"path\", value ), ... ) (got %s)",
                    cfg_type_name(config_setting_type(set)));
    for (int i = 0; i < config_setting_length(set); i++) {
        const config_setting_t *entry = config_setting_get_elem(set, (unsigned)i);
        char ep[PATH_LEN], why[PATH_LEN + 128];
        sbuf_fmt(ep, sizeof ep, "set[%d]", i);
        if (config_setting_type(entry) != CONFIG_TYPE_LIST || config_setting_length(entry) != 2 ||
            config_setting_type(config_setting_get_elem(entry, 0)) != CONFIG_TYPE_STRING)
            return cfg_fail(L, entry, ep, "must be ( \"path\", value )");
        const char *path = config_setting_get_string(config_setting_get_elem(entry, 0));
        config_setting_t *t = variant_walk(tree, path, why, sizeof why);
        if (!t || t == tree)
            return cfg_fail(L, entry, path[0] ? path : ep, "names no setting of the base (%s)",
                        t ? "empty path" : why);
        if (variant_assign(L, t, config_setting_get_elem(entry, 1), entry, path) < 0) return -1;
    }
    return 0;
}

/* The layer just loaded and the chain of bases beneath it; *tree is the
 * tree to read the model from: the deepest base's, with every variant
 * applied on top, nearest the base first. */
int variant_resolve_bases(struct loader *L, config_setting_t **tree)
{
    config_setting_t *root = config_root_setting(&L->layer[L->n_layers - 1]->cfg);
    const char *dir = L->layer[L->n_layers - 1]->dir;
    const config_setting_t *base = config_setting_get_member(root, "base");
    if (!base) { *tree = root; return 0; }
    if (config_setting_type(base) != CONFIG_TYPE_STRING)
        return cfg_fail(L, base, "base", "must be a string (got %s)",
                    cfg_type_name(config_setting_type(base)));
    char *bpath = cfg_path_in(dir, config_setting_get_string(base));
    if (!bpath) return cfg_oom(L);
    if (L->n_layers == 1 && !L->base_path && !(L->base_path = strdup(bpath))) {
        free(bpath);
        return cfg_oom(L);
    }
    int rc = variant_resolve(L, bpath, base, tree, NULL);
    free(bpath);
    if (rc < 0) return -1;
    return variant_apply(L, root, *tree);
}

/* Loads path and the chain of bases beneath it (see resolve_bases). */
int variant_resolve(struct loader *L, const char *path, const config_setting_t *from,
                   config_setting_t **tree, char sha[65])
{
    if (variant_load_layer(L, path, from, sha) < 0) return -1;
    return variant_resolve_bases(L, tree);
}

/* Parses the --set values into one layer, value i as setting v<i>. */
int variant_load_set_layer(struct loader *L, int n, const char *const *paths,
                          const char *const *values, config_setting_t **vals)
{
    if (L->n_layers == MAX_CHAIN)
        return err_set(L->e, EXIT_INPUT, "--set: more than %d files in one chain of bases",
                       MAX_CHAIN - 1);
    struct layer *ly = calloc(1, sizeof *ly);
    if (!ly) return cfg_oom(L);
    config_init(&ly->cfg);
    L->layer[L->n_layers++] = ly;
    ly->cmdline = true;
    if (!(ly->path = strdup("--set")) || !(ly->dir = strdup("."))) return cfg_oom(L);
    for (int i = 0; i < n; i++) {
        /* One parse per value, so a bad one is named alone. */
        size_t len = strlen(values[i]) + 16;
        char *text = malloc(len);
        if (!text) return cfg_oom(L);
        sbuf_fmt(text, len, "v = %s;", values[i]);
        int line;
        char lit[256];
        if (cfgtext_literal_problem(text, strlen(text), &line, lit, sizeof lit)) {
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
        vals[i] = variant_copy(config_root_setting(&ly->cfg), name, v);
        config_destroy(&one);
        if (!vals[i]) return cfg_oom(L);
        config_setting_set_hook(vals[i], NULL);      /* errors point here, not at `one` */
        for (int k = 0; k < config_setting_length(vals[i]); k++)
            config_setting_set_hook(config_setting_get_elem(vals[i], (unsigned)k), NULL);
    }
    return 0;
}

