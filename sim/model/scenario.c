/* scenario.c: reads a scenario (docs/scenario.md) with libconfig into a model.
 *
 * Two stages. First the file and the chain of bases it names are parsed and
 * merged into ONE libconfig tree (model/variant.c, after the checks of its
 * bytes in model/cfgtext.c), with --set values written on top. Then the
 * model is read from that tree, validating every key (model/sections.c,
 * through the getters of model/cfgread.c), and the plan's dated changes
 * (model/changes.c). */
#include "model/scenario.h"

#include <sha2.h>     /* libmd: SHA256Data for the scenario fingerprint */
#include <stdlib.h>
#include <string.h>

#include "model/cfgread.h"
#include "model/changes.h"
#include "model/sections.h"
#include "model/setpath.h"
#include "model/uncertainty.h"
#include "model/variant.h"

/* A path an uncertainty draw may write: a numeric setting setpath knows
 * that takes any number. */
static int settable(const struct model *m, const char *path, char *why, size_t n)
{
    struct setpath_ref ref;
    struct err e = { 0 };
    if (setpath_resolve(m, path, &ref, &e) != 0) {
        snprintf(why, n, "%s", e.msg);
        return -1;
    }
    /* A continuous draw would almost never be whole: such settings
     * (capacities, caseworkers) are decisions to sweep, not unknowns. */
    if (ref.integer) {
        snprintf(why, n, "%s: holds whole numbers, which no distribution here draws "
                 "(sweep it instead)", path);
        return -1;
    }
    return 0;
}

static char *dup_bytes(const char *s, size_t len)
{
    char *c = malloc(len + 1);
    if (c) {
        memcpy(c, s, len);
        c[len] = '\0';
    }
    return c;
}

/* What the loader was given, kept with the uncertainty block so that
 * scenario_rebuild can build the model again for each draw. */
static int keep_source(struct model *m, const char *path, const char *text, size_t len, int n,
                       const char *const *paths, const char *const *values)
{
    struct unc_source *s = &m->uncertainty->src;
    if (!(s->path = strdup(path))) return -1;
    if (text && !(s->text = dup_bytes(text, len))) return -1;
    s->len = len;
    if (n > 0) {
        s->set_path = calloc((size_t)n, sizeof *s->set_path);
        s->set_value = calloc((size_t)n, sizeof *s->set_value);
        if (!s->set_path || !s->set_value) return -1;
        for (; s->n_set < n; s->n_set++) {
            s->set_path[s->n_set] = strdup(paths[s->n_set]);
            s->set_value[s->n_set] = strdup(values[s->n_set]);
            if (!s->set_path[s->n_set] || !s->set_value[s->n_set]) {
                s->n_set++;
                return -1;
            }
        }
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
    int rc = n > 0 && !vals ? cfg_oom(&L) : 0;
    /* The fingerprint (sha256) is of the named file's bytes only: a
     * variant's, not its bases' or @include'd fragments'; m->inputs has
     * every file's. */
    if (rc == 0 && !text) {
        rc = variant_resolve(&L, path, NULL, &tree, m->sha256);
    } else if (rc == 0) {
        SHA256Data((const uint8_t *)text, len, m->sha256);
        char *copy = len > SCENARIO_MAX_BYTES ? NULL : malloc(len + 1);
        if (len > SCENARIO_MAX_BYTES)
            rc = err_set(e, EXIT_INPUT, "%s: too large (a scenario with its @includes is at "
                         "most %u MB)", path, SCENARIO_MAX_BYTES >> 20);
        else if (!copy)
            rc = cfg_oom(&L);
        else
            rc = cfg_note_input(&L, path, text, len);
        if (rc == 0) {
            memcpy(copy, text, len);
            copy[len] = '\0';                  /* text_problem catches a NUL inside */
            rc = variant_parse_layer(&L, path, copy, len, 0, 0);
            free(copy);
        }
        if (rc == 0) rc = variant_resolve_bases(&L, &tree);
    }
    if (rc == 0 && n > 0) rc = variant_load_set_layer(&L, n, paths, values, vals);
    for (int i = 0; rc == 0 && i < n; i++) {
        char why[PATH_LEN + 128];
        config_setting_t *t = variant_walk(tree, paths[i], why, sizeof why);
        if (!t || t == tree)
            rc = err_set(e, EXIT_INPUT, "--set: %s: names no setting of %s (%s)",
                         paths[i][0] ? paths[i] : "(empty path)", path, t ? "empty path" : why);
        else
            rc = variant_assign(&L, t, vals[i], vals[i], paths[i]);
    }
    free(vals);
    if (rc == 0) rc = sections_read_model(&L, tree, m);
    if (rc == 0 && !(m->path = strdup(path))) rc = cfg_oom(&L);
    m->base_path = L.base_path;               /* the model owns them now */
    m->inputs = L.inputs;
    m->n_inputs = L.n_inputs;
    if (rc == 0) rc = model_finish(m, e);
    if (rc == 0) rc = uncertainty_read(&L, tree, m, settable);
    if (rc == 0 && m->uncertainty && keep_source(m, path, text, len, n, paths, values) != 0)
        rc = cfg_oom(&L);
    if (rc == 0) rc = changes_read(&L, tree, m);
    for (int i = 0; i < L.n_layers; i++) cfg_layer_free(L.layer[i]);
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


int scenario_rebuild(const struct model *m, struct model **out, struct err *e)
{
    const struct uncertainty *u = m->uncertainty;
    if (!u || !u->src.path) return err_set(e, EXIT_RUNTIME, "%s: no source to rebuild from", m->path);
    const struct unc_source *s = &u->src;
    int rc = load_model(s->path, s->text, s->len, s->n_set, (const char *const *)s->set_path,
                        (const char *const *)s->set_value, out, e);
    /* A file changed under the run: its draws would be of another scenario. */
    const char *changed = NULL;
    if (rc == 0 && strcmp((*out)->sha256, m->sha256) != 0) changed = s->path;
    for (int i = 0; rc == 0 && !changed && i < m->n_inputs; i++)
        if (i >= (*out)->n_inputs || strcmp((*out)->inputs[i].sha256, m->inputs[i].sha256) != 0)
            changed = m->inputs[i].path;
    if (rc == 0 && !changed && (*out)->n_inputs != m->n_inputs) changed = s->path;
    if (changed) {
        rc = err_set(e, EXIT_INPUT, "%s: changed while the run read it again for a parameter draw",
                     changed);
        model_destroy(*out);
        *out = NULL;
    }
    return rc;
}
