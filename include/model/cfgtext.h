/* cfgtext.h: what is checked in a scenario's bytes before libconfig reads
 * them: hostile bytes stop here. A scenario file is read whole, then handed
 * to libconfig as a string, so what is checked is what is parsed: a regular
 * file of at most SCENARIO_MAX_BYTES, UTF-8 text with no NUL byte, integers
 * that libconfig 1.5 would not change silently, and every @include
 * followed with the same checks (cycles named as such). */
#ifndef FLOWSIM_CFGTEXT_H
#define FLOWSIM_CFGTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "model/cfgread.h"

/* A scenario file, with everything it @includes, is at most this many
 * bytes (memory: it is read whole). */
#define SCENARIO_MAX_BYTES (16u << 20)

#define MAX_INCLUDE_DEPTH 10      /* libconfig 1.5's own nesting limit */

/* The files of one @include chain, outermost first, for cycles. */
struct inc_stack {
    dev_t dev[MAX_INCLUDE_DEPTH + 2];
    ino_t ino[MAX_INCLUDE_DEPTH + 2];
    const char *name[MAX_INCLUDE_DEPTH + 2];
    int n;
    size_t used;                  /* bytes counted so far */
};

/* Where the first bad byte of buf is (NUL, not UTF-8): NULL when the text
 * is fine, else what is wrong, with *line set. */
const char *cfgtext_problem(const char *buf, size_t len, int *line);
/* An integer literal libconfig 1.5 would change silently, or a string
 * where its grammar takes none: NULL, or the problem (in buf) and *line. */
const char *cfgtext_literal_problem(const char *t, size_t len, int *line, char *buf, size_t n);
/* Only white space. */
bool cfgtext_blank(const char *buf, size_t len);
/* Reads path whole into *out (NUL-terminated, *len bytes; caller frees):
 * a regular file of at most `room` bytes. -1 with the problem in why. */
int cfgtext_slurp(const char *path, size_t room, char **out, size_t *len, struct stat *st,
                  char *why, size_t n_why);
/* Follows every @include line of text (file `file`) with the checks above;
 * names relative to dir. 0, or -1 with L->e set. */
int cfgtext_check_includes(struct loader *L, const char *dir, const char *file,
                           const char *text, size_t len, struct inc_stack *stk);
/* text with each absolute @include name rewritten to reach the same file
 * from dir, as libconfig 1.5 joins names to its include dir; *out NULL
 * when there is none. -1 when out of memory. */
int cfgtext_absolute_includes(const char *dir, const char *text, char **out);

#endif
