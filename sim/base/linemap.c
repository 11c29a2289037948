/* linemap.c: lines of a text made of several files, back to the files
 * (base/linemap.h). */
#include "base/linemap.h"

#include <stdlib.h>
#include <string.h>

/* The index of file in m->files, added when new; -1 out of memory. A
 * scenario names a handful of files, so a linear search is enough. */
static int file_index(struct linemap *m, const char *file)
{
    for (size_t i = 0; i < m->n_files; i++)
        if (strcmp(m->files[i], file) == 0) return (int)i;
    char **grown = realloc(m->files, (m->n_files + 1) * sizeof *grown);
    if (!grown) return -1;
    m->files = grown;
    if (!(m->files[m->n_files] = strdup(file))) return -1;
    return (int)m->n_files++;
}

int linemap_add(struct linemap *m, int first, const char *file, int line)
{
    int f = file_index(m, file);
    if (f < 0) return -1;
    if (m->n > 0 && m->span[m->n - 1].first >= first) {
        m->span[m->n - 1] = (struct linemap_span){ first, f, line };
        return 0;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        struct linemap_span *grown = realloc(m->span, cap * sizeof *grown);
        if (!grown) return -1;
        m->span = grown;
        m->cap = cap;
    }
    m->span[m->n++] = (struct linemap_span){ first, f, line };
    return 0;
}

const char *linemap_find(const struct linemap *m, int line, int *file_line)
{
    *file_line = line;
    if (m->n == 0 || line < m->span[0].first) return NULL;
    size_t lo = 0, hi = m->n;                   /* the last span with first <= line */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->span[mid].first <= line) lo = mid;
        else hi = mid;
    }
    const struct linemap_span *s = &m->span[lo];
    *file_line = s->line + (line - s->first);
    return m->files[s->file];
}

void linemap_free(struct linemap *m)
{
    for (size_t i = 0; i < m->n_files; i++) free(m->files[i]);
    free(m->files);
    free(m->span);
    *m = (struct linemap){ 0 };
}
