/* sbuf.h: a growable text buffer, for what replication 0 records (RBS panel,
 * event log) before the writers put it into files. */
#ifndef FLOWSIM_SBUF_H
#define FLOWSIM_SBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct sbuf {
    char *s;          /* NUL-terminated; NULL while empty */
    size_t len, cap;
    bool failed;      /* an append ran out of memory: the text is incomplete */
};

/* Appends formatted text; on out-of-memory sets failed and drops the text. */
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_append(struct sbuf *b, const char *s, size_t n);
void sbuf_free(struct sbuf *b);

/* Appends everything left in f. 0, or -1 on a read error (ferror) or when
 * out of memory (b->failed). On success b->s is never NULL. */
int sbuf_read_stream(struct sbuf *b, FILE *f);

/* snprintf into a fixed buffer where cut text is fine (labels, messages):
 * through vsnprintf, so gcc's -Wformat-truncation, meant for text that must
 * stay whole, stays quiet. */
void sbuf_fmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Characters (not bytes) of UTF-8 text, for lining up columns of text that
 * holds Danish letters: printf's widths count bytes. */
int sbuf_chars(const char *s);

#endif
