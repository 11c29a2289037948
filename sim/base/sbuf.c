/* sbuf.c: growable text buffer; grows geometrically. */
#include "base/sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool sbuf_reserve(struct sbuf *b, size_t extra)
{
    if (b->failed) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) { b->failed = true; return false; }
    b->s = s;
    b->cap = cap;
    return true;
}

void sbuf_append(struct sbuf *b, const char *s, size_t n)
{
    if (!sbuf_reserve(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) { b->failed = true; return; }
    if ((size_t)n < sizeof small) { sbuf_append(b, small, (size_t)n); return; }
    if (!sbuf_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int sbuf_read_stream(struct sbuf *b, FILE *f)
{
    if (!sbuf_reserve(b, 0)) return -1;
    for (;;) {
        if (!sbuf_reserve(b, 65536)) return -1;
        size_t got = fread(b->s + b->len, 1, b->cap - b->len - 1, f);
        b->len += got;
        b->s[b->len] = '\0';
        if (got == 0) break;
    }
    return ferror(f) ? -1 : 0;
}

void sbuf_fmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

int sbuf_chars(const char *s)
{
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;   /* not a continuation byte */
    return n;
}

void sbuf_free(struct sbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}
