/* cfgread.h: the scenario loader's state and its typed getters. A loader
 * reads a chain of parsed files (layers: a variant first, then its bases,
 * and --set values) merged into one libconfig tree; every value is read
 * through a getter that checks its type and range and, on error, names the
 * file and line where the offending text is written (model/cfgread.c).
 *
 * Getters return 1 read, 0 absent (out unchanged), -1 error (L->e set).
 * Messages name a setting by its dotted path (PATH_LEN bytes at most). */
#ifndef FLOWSIM_CFGREAD_H
#define FLOWSIM_CFGREAD_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/linemap.h"
#include "model/model.h"

#define PATH_LEN 256          /* dotted setting paths in messages */
#define MAX_CHAIN 16          /* files in one chain of bases */
#define MAX_KEYS 32           /* keys of one section (the ring has 15) */

/* One parsed file. cfg comes first, so a setting's ->config leads back to
 * its layer (and so to the file's path and directory). */
struct layer {
    config_t cfg;
    char *path;               /* as given, or joined to the variant's dir */
    char *dir;                /* for base */
    struct linemap lines;     /* libconfig's lines (of the text with its
                               * @includes expanded) -> file, line */
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
    struct model_input *inputs;       /* every file read (cfg_note_input) */
    int n_inputs;
};

/* One table of known keys per section (model/keys.h): it drives the
 * unknown-key check, the did-you-mean and the required-key check. */
struct key { const char *name; bool required; };

/* The text a setting came from: a copy made for a variant carries, as its
 * libconfig hook, the setting it was copied from. */
config_setting_t *cfg_origin(const config_setting_t *s);
/* Where line `line` of layer ly, as libconfig counts it, is written: its
 * line in *file (a file the layer @includes, or the layer's own). */
int cfg_where(const struct layer *ly, int line, const char **file);
/* The line of its file where the text of s is written. */
int cfg_line(const config_setting_t *s);
/* Where s is written, for a message about `at`: "line N" when in the same
 * file as at, else "file:N". */
void cfg_line_ref(const config_setting_t *s, const config_setting_t *at, char *buf, size_t n);
/* Sets the error "file:line: path: problem" at setting s; returns -1. */
int cfg_fail(struct loader *L, const config_setting_t *s, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int cfg_oom(struct loader *L);
/* Notes a file read for the scenario: its path and the SHA-256 of its
 * len bytes (struct model inputs). 0, or -1 with L->e set (out of memory). */
int cfg_note_input(struct loader *L, const char *path, const void *bytes, size_t len);
/* A setting path into out[PATH_LEN] (cut when too long: only a message). */
void cfg_path_fmt(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends to the string in buf[size], cutting what does not fit. */
void cfg_appendf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* out = gpath.key (or key at the top level). */
void cfg_join(char *out, const char *gpath, const char *key);
const char *cfg_type_name(int type);
/* Unknown keys of grp (with a did-you-mean), then missing required keys. */
int cfg_check_keys(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const struct key *tab);

int cfg_num_value(struct loader *L, const config_setting_t *s, const char *path, double *out);
/* A number in [lo, hi] (either end may be infinite). */
int cfg_get_num(struct loader *L, const config_setting_t *grp, const char *gpath,
                const char *key, double *out, double lo, double hi);
/* A number above 0 (a length of time). */
int cfg_get_pos(struct loader *L, const config_setting_t *grp, const char *gpath,
                const char *key, double *out);
/* A number in [0, hi], hi one of flowsim's limits (model/bounds.h). */
int cfg_get_capped(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const char *key, double *out, double hi, const char *unit);
/* A whole number in [lo, hi]; 12.0 counts as whole. */
int cfg_whole_value(struct loader *L, const config_setting_t *s, const char *path,
                    long long *out, long long lo, long long hi);
int cfg_get_int(struct loader *L, const config_setting_t *grp, const char *gpath,
                const char *key, int *out, int lo);
int cfg_get_typed(struct loader *L, const config_setting_t *grp, const char *gpath,
                  const char *key, int type, const config_setting_t **out);
int cfg_get_str(struct loader *L, const config_setting_t *grp, const char *gpath,
                const char *key, const char **out);
/* A string copied into *out (freeing the old one). */
int cfg_get_strdup(struct loader *L, const config_setting_t *grp, const char *gpath,
                   const char *key, char **out);
int cfg_get_bool(struct loader *L, const config_setting_t *grp, const char *gpath,
                 const char *key, bool *out);
int cfg_get_group(struct loader *L, const config_setting_t *grp, const char *gpath,
                  const char *key, const config_setting_t **out);
/* One of names (NULL-terminated); *out is its index. */
int cfg_get_enum(struct loader *L, const config_setting_t *grp, const char *gpath,
                 const char *key, const char *const *names, int *out);

/* Ids (flows, rings, dimensions): letters, digits, '_' and '-', starting
 * with a letter or '_': they become CSV columns and set paths. */
bool cfg_valid_id(const char *s);
int cfg_check_id(struct loader *L, const config_setting_t *s, const char *path, const char *id);
/* Path of element i of a list of groups: "list.<id>", else "list[i]". */
void cfg_elem_path(char *out, const char *lpath, const config_setting_t *el, int i);

/* How near the top of the chain the text of s is: 0 for --set, 1 for the
 * file given, 2 for its base, and so on. */
int cfg_layer_rank(const struct loader *L, const config_setting_t *s);

void cfg_layer_free(struct layer *ly);
/* name relative to dir (absolute names as they are); NULL out of memory. */
char *cfg_path_in(const char *dir, const char *name);

#endif
