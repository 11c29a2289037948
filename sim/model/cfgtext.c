/* cfgtext.c: checks of a scenario's bytes before libconfig reads them
 * (model/cfgtext.h).
 *
 * A scenario file is read whole, then handed to libconfig as a string, so
 * what is checked is what is parsed. It must be a regular file (not a
 * directory, device or pipe: /dev/zero would never end) of at most
 * SCENARIO_MAX_BYTES, and UTF-8 text with no NUL byte (names end up in
 * JSON, CSV and HTML, which must stay valid). A UTF-8 byte-order mark is
 * skipped. libconfig 1.5 opens @include'd files itself, so each @include
 * line is followed first with the same checks, and a cycle of @includes is
 * named as such; the bytes of a file and everything it @includes count
 * together against SCENARIO_MAX_BYTES. */

#define _XOPEN_SOURCE 700         /* realpath */
#include "model/cfgtext.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sbuf.h"

/* Where the first bad byte of buf is: NULL when the text is fine, else
 * what is wrong, with *line set. */
const char *cfgtext_problem(const char *buf, size_t len, int *line)
{
    const unsigned char *u = (const unsigned char *)buf;
    *line = 1;
    for (size_t i = 0; i < len;) {
        unsigned c = u[i];
        if (c == '\n') (*line)++;
        if (c == 0) return "a NUL byte: this is not a text file (a scenario is libconfig text)";
        if (c < 0x80) { i++; continue; }
        /* UTF-8 (RFC 3629): no overlong forms, no surrogates, <= U+10FFFF. */
        size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        bool ok = n > 0 && i + n <= len;
        for (size_t k = 1; ok && k < n; k++) ok = (u[i + k] & 0xc0) == 0x80;
        if (ok && n == 3)
            ok = !(c == 0xe0 && u[i + 1] < 0xa0) && !(c == 0xed && u[i + 1] >= 0xa0);
        if (ok && n == 4)
            ok = !(c == 0xf0 && u[i + 1] < 0x90) && !(c == 0xf4 && u[i + 1] >= 0x90);
        if (!ok) return "bytes that are not UTF-8 (save the file as UTF-8 text)";
        i += n;
    }
    return NULL;
}

/* libconfig 1.5 reads an integer with atoi() (and one with L with
 * atoll()): 99999999999 silently becomes 1215752191. So every integer
 * literal is looked at first, by a small lexer that knows libconfig's
 * strings, comments and names. NULL when all fit, else the problem (in
 * buf) with *line set. */
enum lex_prev { LP_START, LP_VALUE_NEXT, LP_COMMA, LP_STRING, LP_OTHER };

/* One pass of a small lexer: its states read best together, so this
 * function is longer than the others. */
const char *cfgtext_literal_problem(const char *t, size_t len, int *line, char *buf, size_t n)
{
    *line = 1;
    size_t i = 0;
    /* What came before, and the open brackets ({ group, ( list, [ array):
     * libconfig 1.5 also leaks a string that stands where its grammar
     * takes none (`x "a";`), so such a string is refused here first. A
     * string may follow = or :, ( or [, another string, and a comma
     * inside a list or array. */
    enum lex_prev prev = LP_START;
    char open[256];
    int depth = 0;
    while (i < len) {
        char c = t[i];
        if (c == '\n') { (*line)++; i++; continue; }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') { i++; continue; }
        if (c == '@') {                                   /* @include "file" */
            for (i++; i < len && isalpha((unsigned char)t[i]); i++) {}
            prev = LP_VALUE_NEXT;
            continue;
        }
        if (c == '"') {                                   /* string */
            bool list = depth > 0 && depth <= (int)sizeof open && open[depth - 1] != '{';
            if (!(prev == LP_VALUE_NEXT || prev == LP_STRING || (prev == LP_COMMA && list))) {
                snprintf(buf, n, "syntax: syntax error (a \"string\" cannot stand here)");
                return buf;
            }
            prev = LP_STRING;
            int opened = *line;
            for (i++; i < len && t[i] != '"'; i++) {
                if (t[i] == '\\' && i + 1 < len) i++;
                if (t[i] == '\n') (*line)++;
            }
            if (i >= len) {
                /* libconfig 1.5 would leak its string buffer here. */
                *line = opened;
                snprintf(buf, n, "syntax: a string that is never closed (a '\"' is missing)");
                return buf;
            }
            i++;
            continue;
        }
        if (c == '#' || (c == '/' && i + 1 < len && t[i + 1] == '/')) {
            while (i < len && t[i] != '\n') i++;
            continue;
        }
        if (c == '/' && i + 1 < len && t[i + 1] == '*') {
            for (i += 2; i < len && !(t[i] == '*' && i + 1 < len && t[i + 1] == '/'); i++)
                if (t[i] == '\n') (*line)++;
            i += 2;
            continue;
        }
        if (c == '=' || c == ':' || c == '(' || c == '[' || c == '{') {
            if (c != '=' && c != ':') {
                if (depth < (int)sizeof open) open[depth] = c;
                depth++;
            }
            prev = c == '{' ? LP_OTHER : LP_VALUE_NEXT;
            i++;
            continue;
        }
        if (c == ')' || c == ']' || c == '}' || c == ',' || c == ';') {
            if (c != ',' && c != ';' && depth > 0) depth--;
            prev = c == ',' ? LP_COMMA : LP_OTHER;
            i++;
            continue;
        }
        prev = LP_OTHER;                                  /* names, numbers, the rest */
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*' || c == '_') {
            while (i < len && (isalnum((unsigned char)t[i]) || strchr("_*-", t[i]))) i++;
            continue;
        }
        if (!isdigit((unsigned char)c)) { i++; continue; }
        size_t start = i;                                 /* a number */
        bool hex = c == '0' && i + 1 < len && (t[i + 1] == 'x' || t[i + 1] == 'X');
        bool real = false;
        if (hex) i += 2;
        while (i < len) {
            char d = t[i];
            if (hex ? isxdigit((unsigned char)d) : isdigit((unsigned char)d)) { i++; continue; }
            if (!hex && (d == '.' || d == 'e' || d == 'E')) {
                real = true;
                i++;
                if ((d == 'e' || d == 'E') && i < len && (t[i] == '+' || t[i] == '-')) i++;
                continue;
            }
            break;
        }
        if (real) continue;
        size_t digits_end = i;
        int longs = 0;
        while (i < len && (t[i] == 'L' || t[i] == 'l') && longs < 2) { i++; longs++; }
        bool neg = start > 0 && t[start - 1] == '-';
        errno = 0;
        char tok[64];
        size_t tl = digits_end - start < sizeof tok - 1 ? digits_end - start : sizeof tok - 1;
        memcpy(tok, t + start, tl);
        tok[tl] = '\0';
        unsigned long long v = strtoull(tok, NULL, hex ? 16 : 10);
        bool too_big = errno == ERANGE || digits_end - start >= sizeof tok - 1;
        unsigned long long lim = longs ? (hex ? ~0ULL : (unsigned long long)INT64_MAX + neg)
                                       : (hex ? 0xffffffffULL : (unsigned long long)INT32_MAX + neg);
        if (too_big || v > lim) {
            if (hex)
                snprintf(buf, n, "%.40s%s: an integer too large for libconfig, which would "
                         "change it silently; write it in decimal", tok, longs ? "L" : "");
            else
                snprintf(buf, n, "%s%.40s%s: an integer too large for libconfig, which would "
                         "change it silently; write it with a decimal point (%s%.40s.0)%s",
                         neg ? "-" : "", tok, longs ? "L" : "", neg ? "-" : "", tok,
                         longs ? "" : " or with L for 64 bits");
            return buf;
        }
    }
    return NULL;
}

bool cfgtext_blank(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\n\f\v", buf[i])) return false;
    return true;
}

/* Reads path whole into *out (NUL-terminated, *len bytes; caller frees):
 * a regular file of at most `room` bytes. On failure returns -1 and writes
 * the problem into why (no file name). */
int cfgtext_slurp(const char *path, size_t room, char **out, size_t *len,
                      struct stat *st, char *why, size_t n_why)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        sbuf_fmt(why, n_why, "cannot read: %s", strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0) {
        sbuf_fmt(why, n_why, "cannot read: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        sbuf_fmt(why, n_why, "%s", S_ISDIR(st->st_mode) ? "is a directory, not a scenario file"
                                                    : "is not a regular file");
        close(fd);
        return -1;
    }
    /* st_size may lie (/proc): read at most room + 1 bytes whatever it says. */
    if ((unsigned long long)st->st_size > room) {
        sbuf_fmt(why, n_why, "too large (%.1f MB; a scenario with its @includes is at most %u MB)",
             st->st_size / 1048576.0, SCENARIO_MAX_BYTES >> 20);
        close(fd);
        return -1;
    }
    size_t cap = (size_t)st->st_size + 1, got = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        sbuf_fmt(why, n_why, "out of memory");
        close(fd);
        return -1;
    }
    for (;;) {
        if (got == cap) {
            if (cap > room) break;                  /* grew beyond room: refused below */
            size_t ncap = cap * 2 > room + 1 ? room + 1 : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                close(fd);
                sbuf_fmt(why, n_why, "out of memory");
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int errnum = errno;
            free(buf);
            close(fd);
            sbuf_fmt(why, n_why, "cannot read: %s", strerror(errnum));
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got > room) {
        free(buf);
        sbuf_fmt(why, n_why, "too large (a scenario with its @includes is at most %u MB)",
             SCENARIO_MAX_BYTES >> 20);
        return -1;
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return 0;
}

/* Follows every @include line of text (file `file`, lines counted from 1)
 * with the checks above. libconfig resolves @include names in the include
 * dir (the top file's directory), whatever file they are in. */
/* Follows one @include "name" (line `line` of `file`): cycles, depth,
 * size and the checks of its bytes, then its own @includes. */
static int follow_include(struct loader *L, const char *dir, const char *file, int line,
                          const char *name, struct inc_stack *stk)
{
    /* The scenario file's absolute names are rewritten for libconfig
     * (cfgtext_absolute_includes); in an @included file libconfig 1.5
     * would join them to the include dir. */
    if (name[0] == '/' && stk->n > 1)
        return err_set(L->e, EXIT_INPUT, "%s:%d: @include: an absolute name inside an "
                       "@included file (write it relative to %s, or @include it from the "
                       "scenario file)", file, line, dir);
    char *path = name[0] == '/' ? strdup(name) : cfg_path_in(dir, name), why[256];
    if (!path) return cfg_oom(L);
    struct stat st;
    int rc = 0;
    if (stat(path, &st) != 0) {               /* libconfig says "cannot open" */
        free(path);
        return 0;
    }
    for (int s = 0; s < stk->n; s++)
        if (stk->dev[s] == st.st_dev && stk->ino[s] == st.st_ino) {
            char chain[512] = "";
            for (int t = s; t < stk->n; t++) cfg_appendf(chain, sizeof chain, "%s -> ", stk->name[t]);
            cfg_appendf(chain, sizeof chain, "%s", name);
            rc = err_set(L->e, EXIT_INPUT, "%s:%d: @include: cycle of @includes: %s", file, line,
                         chain);
            free(path);
            return rc;
        }
    char *inc = NULL;
    size_t n = 0;
    int bad_line;
    char lit[256];
    const char *problem = NULL;
    if (stk->n > MAX_INCLUDE_DEPTH)
        rc = err_set(L->e, EXIT_INPUT, "%s:%d: @include: nested more than %d deep", file, line,
                     MAX_INCLUDE_DEPTH);
    else if (cfgtext_slurp(path, SCENARIO_MAX_BYTES - stk->used, &inc, &n, &st, why,
                           sizeof why) < 0)
        rc = err_set(L->e, EXIT_INPUT, "%s:%d: @include \"%s\": %s", file, line, name, why);
    else if ((problem = cfgtext_problem(inc, n, &bad_line)) ||
             (problem = cfgtext_literal_problem(inc, n, &bad_line, lit, sizeof lit)))
        rc = err_set(L->e, EXIT_INPUT, "%s:%d: %s", path, bad_line, problem);
    if (rc == 0) {
        stk->used += n;
        stk->dev[stk->n] = st.st_dev;
        stk->ino[stk->n] = st.st_ino;
        stk->name[stk->n] = name;
        stk->n++;
        rc = cfgtext_check_includes(L, dir, path, inc, n, stk);
        stk->n--;
    }
    free(inc);
    free(path);
    return rc;
}

int cfgtext_check_includes(struct loader *L, const char *dir, const char *file,
                           const char *text, size_t len, struct inc_stack *stk)
{
    int line = 1;
    for (size_t i = 0; i < len; line++, i++) {
        size_t eol = i;
        while (eol < len && text[eol] != '\n') eol++;
        size_t k = i;
        i = eol;
        while (k < eol && (text[k] == ' ' || text[k] == '\t')) k++;
        if (!(eol - k > 8 && memcmp(text + k, "@include", 8) == 0)) continue;
        k += 8;
        while (k < eol && (text[k] == ' ' || text[k] == '\t')) k++;
        size_t q = k < eol && text[k] == '"' ? k + 1 : eol;
        size_t qe = q;
        while (qe < eol && text[qe] != '"') qe++;
        if (q < eol && qe < eol && qe == q)           /* libconfig would open the directory */
            return err_set(L->e, EXIT_INPUT, "%s:%d: @include: an empty file name", file, line);
        if (!(q < eol && qe < eol && qe - q < 4096)) continue;
        char name[4096];
        memcpy(name, text + q, qe - q);
        name[qe - q] = '\0';
        if (follow_include(L, dir, file, line, name, stk) < 0) return -1;
    }
    return 0;
}

/* libconfig 1.5 joins every @include name to the include dir (the
 * scenario's folder), absolute ones too. So an absolute name in the
 * scenario file is rewritten as the same file reached from that folder:
 * as many "../" as the folder's real path has parts, then the name.
 * Lines keep their numbers. *out: the new text, or NULL when there is no
 * absolute name. -1 when out of memory. */
int cfgtext_absolute_includes(const char *dir, const char *text, char **out)
{
    *out = NULL;
    if (!strstr(text, "@include")) return 0;
    char *real = realpath(dir, NULL);
    if (!real) return 0;                        /* check_includes read the files */
    int up = 0;
    for (const char *p = real; *p; p++) up += *p == '/' && p[1];
    free(real);
    struct sbuf b = { 0 };
    const char *p = text;                       /* copied up to here */
    for (const char *at = strstr(text, "@include"); at; at = strstr(at, "@include")) {
        const char *q = at + 8;
        while (*q == ' ' || *q == '\t') q++;
        at = q;
        if (q[0] != '"' || q[1] != '/') continue;
        sbuf_printf(&b, "%.*s", (int)(q + 1 - p), p);
        for (int i = 0; i < up; i++) sbuf_printf(&b, "..%s", i < up - 1 ? "/" : "");
        p = q + 1;                              /* the name, from its '/' */
    }
    if (!b.s && !b.failed) return 0;
    sbuf_printf(&b, "%s", p);
    if (b.failed) {
        sbuf_free(&b);
        return -1;
    }
    *out = b.s;
    return 0;
}

