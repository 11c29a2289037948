/* scenario.c: reads a scenario (SPEC §3) with libconfig into a model.
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
#include "model/variant.h"

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
    /* The fingerprint is of the named file's bytes only: a variant's, not
     * its bases' or @include'd fragments'. */
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
    m->base_path = L.base_path;               /* the model owns it now */
    if (rc == 0) rc = model_finish(m, e);
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

