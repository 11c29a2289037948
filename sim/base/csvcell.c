/* csvcell.c: safe CSV text cells (see csvcell.h). */
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
