/* variant.h: the chain of files of a scenario (a variant, its bases, and
 * --set values) merged into one libconfig tree, and set paths written into
 * that tree (docs/scenario.md; the grammar is model/setpath.h). */
#ifndef FLOWSIM_VARIANT_H
#define FLOWSIM_VARIANT_H

#include <stddef.h>
#include <sys/types.h>

#include "model/cfgread.h"

/* Checks text (len bytes, NUL-terminated) as the scenario file `path` and
 * parses it into a new layer at the end of the chain. */
int variant_parse_layer(struct loader *L, const char *path, const char *text, size_t len,
                        dev_t dev, ino_t ino);
/* Reads path into a new layer; `from` is the base setting that names it
 * (NULL for the file given); sha (if not NULL) gets its fingerprint. */
int variant_load_layer(struct loader *L, const char *path, const config_setting_t *from,
                       char sha[65]);
/* Deep copy of src as a new child `name` of parent (NULL in lists). */
config_setting_t *variant_copy(config_setting_t *parent, const char *name,
                               const config_setting_t *src);
/* The setting a set path names in tree, or NULL with why. */
config_setting_t *variant_walk(config_setting_t *tree, const char *path, char *why, size_t n);
/* Writes value v over setting t, which it must fit (entry: where the
 * value is written, for errors). */
int variant_assign(struct loader *L, config_setting_t *t, const config_setting_t *v,
                   const config_setting_t *entry, const char *path);
/* Applies a variant's top-level keys and `set` onto the base's tree. */
int variant_apply(struct loader *L, const config_setting_t *vroot, config_setting_t *tree);
/* Loads path and its chain of bases; *tree: the merged tree. */
int variant_resolve(struct loader *L, const char *path, const config_setting_t *from,
                    config_setting_t **tree, char sha[65]);
/* The chain beneath the layer just parsed (for text that is no file). */
int variant_resolve_bases(struct loader *L, config_setting_t **tree);
/* Parses the --set values into one layer, value i into vals[i]. */
int variant_load_set_layer(struct loader *L, int n, const char *const *paths,
                           const char *const *values, config_setting_t **vals);

#endif
