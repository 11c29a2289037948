/* linemap.h: where each line of a text made of several files was written.
 * A scenario's @includes are expanded into one text before libconfig reads
 * it (model/cfgtext.h); libconfig then speaks of lines of that text, and
 * the map turns each back into a file and a line of it. */
#ifndef FLOWSIM_LINEMAP_H
#define FLOWSIM_LINEMAP_H

#include <stddef.h>

/* From line `first` of the text on, the lines are lines `line`, `line` +
 * 1, ... of file `file` (an index into files). */
struct linemap_span { int first, file, line; };

struct linemap {
    struct linemap_span *span;    /* by first, ascending */
    size_t n, cap;
    char **files;                 /* each file named once */
    size_t n_files;
};

/* Adds a span: from line `first` of the text on (at least the last span's
 * first), lines `line`, `line` + 1, ... of file `file` (copied). A span
 * beginning where the last one begins replaces it. 0, or -1 when out of
 * memory. */
int linemap_add(struct linemap *m, int first, const char *file, int line);

/* The file line `line` of the text was written in, with *file_line set to
 * its line there; NULL when the map has no span there (then *file_line is
 * line). */
const char *linemap_find(const struct linemap *m, int line, int *file_line);

void linemap_free(struct linemap *m);

#endif
