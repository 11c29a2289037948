/* sbuf.h: a growable text buffer, for what replication 0 records (RBS panel,
 * event log) before the writers put it into files. */
#ifndef FLOWSIM_SBUF_H
#define FLOWSIM_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
    char *s;          /* NUL-terminated; NULL while empty */
    size_t len, cap;
    bool failed;      /* an append ran out of memory: the text is incomplete */
};

/* Appends formatted text; on out-of-memory sets failed and drops the text. */
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_append(struct sbuf *b, const char *s, size_t n);
void sbuf_free(struct sbuf *b);

#endif
