/* cfgtext.h: what is checked in a scenario's bytes before libconfig reads
 * them: hostile bytes stop here. A scenario file is read whole, then handed
 * to libconfig as a string, so what is checked is what is parsed: a regular
 * file of at most SCENARIO_MAX_BYTES, UTF-8 text with no NUL byte, integers
 * that libconfig 1.5 would not change silently, and every @include
 * expanded here, its file read with the same checks (cycles named as
 * such), so that a name is relative to the file it is written in. */
#ifndef FLOWSIM_CFGTEXT_H
#define FLOWSIM_CFGTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/linemap.h"
#include "model/cfgread.h"

/* A scenario file, with everything it @includes, is at most this many
 * bytes (memory: it is read whole). */
#define SCENARIO_MAX_BYTES (16u << 20)

#define MAX_INCLUDE_DEPTH 10      /* libconfig 1.5's own nesting limit */

/* Where the first bad byte of buf is (NUL, not UTF-8): NULL when the text
 * is fine, else what is wrong, with *line set. */
const char *cfgtext_problem(const char *buf, size_t len, int *line);
/* An integer literal libconfig 1.5 would change silently, or a string
 * where its grammar takes none: NULL, or the problem (in buf) and *line. */
const char *cfgtext_literal_problem(const char *t, size_t len, int *line, char *buf, size_t n);
/* Only white space. */
bool cfgtext_blank(const char *buf, size_t len);
/* A top-level key that t declares twice (libconfig's "duplicate setting
 * name", said better): true with its name in key[n] and the lines (of t)
 * of its first and second declarations. */
bool cfgtext_repeated_key(const char *t, size_t len, char *key, size_t n, int *first,
                          int *second);
/* Reads path whole into *out (NUL-terminated, *len bytes; caller frees):
 * a regular file of at most `room` bytes. -1 with the problem in why. */
int cfgtext_slurp(const char *path, size_t room, char **out, size_t *len, struct stat *st,
                  char *why, size_t n_why);
/* text (the scenario file `path`, len bytes, NUL-terminated, its bytes
 * checked; dev, ino: the file, 0 for text that is no file) with every
 * @include replaced by the text of the file it names, relative to the
 * folder of the file the @include is written in, or absolute; each file
 * read with the checks above, cycles and depth refused. *out: the whole
 * text (free it); map: where each of its lines was written. 0, or -1 with
 * L->e set. */
int cfgtext_expand(struct loader *L, const char *path, const char *text, size_t len, dev_t dev,
                   ino_t ino, char **out, struct linemap *map);

#endif
