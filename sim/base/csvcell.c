/* csvcell.c: safe CSV text cells and the field splitter (see csvcell.h). */
#include "base/csvcell.h"

#include <string.h>

/* Characters a spreadsheet reads as the start of a formula or a DDE call. */
static bool formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

bool csv_cell_needs_quoting(const char *s)
{
    return s && (formula_start(s[0]) || strpbrk(s, ",\"\r\n;") != NULL);
}

/* Calls put(ctx, text, len) for the pieces of the cell. */
static void emit(const char *s, void (*put)(void *, const char *, size_t), void *ctx)
{
    if (!s) return;
    if (!csv_cell_needs_quoting(s)) {
        put(ctx, s, strlen(s));
        return;
    }
    put(ctx, "\"", 1);
    if (formula_start(s[0])) put(ctx, "'", 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        put(ctx, s, (size_t)(q - s) + 1);
        put(ctx, "\"", 1);                  /* a quote is doubled */
    }
    put(ctx, s, strlen(s));
    put(ctx, "\"", 1);
}

static void put_file(void *ctx, const char *s, size_t n) { fwrite(s, 1, n, ctx); }
static void put_sbuf(void *ctx, const char *s, size_t n) { sbuf_append(ctx, s, n); }

void csv_cell(FILE *f, const char *s) { emit(s, put_file, f); }
void csv_cell_sbuf(struct sbuf *b, const char *s) { emit(s, put_sbuf, b); }

/* ---- reading ---- */

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* A quoted field from just after its opening quote. */
static enum csv_status quoted(const char *b, size_t len, size_t *pos, char *out,
                              size_t out_cap, struct csv_field *f, size_t *lines)
{
    size_t p = *pos, n = 0;
    for (;;) {
        if (p >= len) {
            *f = (struct csv_field){ out, n, true };
            *pos = len;
            return CSV_UNTERMINATED;
        }
        char c = b[p];
        if (c == '"') {
            if (p + 1 < len && b[p + 1] == '"') {
                p += 2;
            } else {
                p++;
                break;
            }
        } else {
            if (c == '\n') (*lines)++;
            p++;
        }
        if (n < out_cap) {
            if (out) out[n] = c;
            n++;
        }
    }
    *f = (struct csv_field){ out, n, true };
    while (p < len && (is_blank(b[p]) || b[p] == '\r') &&
           !(b[p] == '\r' && !(p + 1 >= len || b[p + 1] == '\n')))
        p++;
    enum csv_status st = CSV_OK;
    if (p < len && b[p] != ',' && b[p] != '\n') {
        st = CSV_AFTER_QUOTE;
        while (p < len && b[p] != ',' && b[p] != '\n') p++;   /* resynchronise */
    }
    *pos = p;
    return st;
}

enum csv_status csv_field(const char *b, size_t len, size_t *pos, char *out, size_t out_cap,
                          struct csv_field *f, bool *more, size_t *lines)
{
    size_t p = *pos;
    enum csv_status st = CSV_OK;
    while (p < len && is_blank(b[p])) p++;
    if (p < len && b[p] == '"') {
        *pos = p + 1;
        st = quoted(b, len, pos, out, out_cap, f, lines);
        if (st == CSV_UNTERMINATED) {
            *more = false;
            return st;
        }
        p = *pos;
    } else {
        size_t start = p;
        while (p < len && b[p] != ',' && b[p] != '\n') p++;
        size_t end = p;
        if (end > start && b[end - 1] == '\r' && (p >= len || b[p] == '\n')) end--;
        while (end > start && is_blank(b[end - 1])) end--;
        *f = (struct csv_field){ b + start, end - start, false };
    }
    *more = p < len && b[p] == ',';
    if (p < len) {              /* past ',' or '\n' */
        if (b[p] == '\n') (*lines)++;
        p++;
    }
    *pos = p;
    return st;
}

int csv_record(char *text, size_t len, size_t *pos, char **field, int max)
{
    if (*pos >= len) return -1;
    int n = 0;
    size_t lines = 0;
    for (bool more = true; more;) {
        size_t start = *pos;
        struct csv_field f;
        csv_field(text, len, pos, text + start, (size_t)-1, &f, &more, &lines);
        char *s = (char *)f.s;              /* in text: unquoted in place */
        s[f.n] = '\0';
        if (n < max) field[n++] = s;
    }
    return n;
}
