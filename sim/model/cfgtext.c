/* cfgtext.c: checks of a scenario's bytes before libconfig reads them
 * (model/cfgtext.h).
 *
 * A scenario file is read whole, then handed to libconfig as a string, so
 * what is checked is what is parsed. It must be a regular file (not a
 * directory, device or pipe: /dev/zero would never end) of at most
 * SCENARIO_MAX_BYTES, and UTF-8 text with no NUL byte (names end up in
 * JSON, CSV and HTML, which must stay valid). A UTF-8 byte-order mark is
 * skipped. Every @include is expanded here (below), its file read with the
 * same checks, and a cycle of @includes is named as such; the bytes of a
 * file and everything it @includes count together against
 * SCENARIO_MAX_BYTES. */

#include "model/cfgtext.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/linemap.h"
#include "base/pathname.h"
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

/* Skips a string, a comment or white space at t[*i] (counting lines);
 * false when t[*i] is none of them. */
static bool skip_nontoken(const char *t, size_t len, size_t *i, int *line)
{
    char c = t[*i];
    if (c == '\n') (*line)++;
    if (isspace((unsigned char)c)) {
        (*i)++;
    } else if (c == '"') {
        for ((*i)++; *i < len && t[*i] != '"'; (*i)++) {
            if (t[*i] == '\\' && *i + 1 < len) (*i)++;
            if (t[*i] == '\n') (*line)++;
        }
        (*i)++;
    } else if (c == '#' || (c == '/' && *i + 1 < len && t[*i + 1] == '/')) {
        while (*i < len && t[*i] != '\n') (*i)++;
    } else if (c == '/' && *i + 1 < len && t[*i + 1] == '*') {
        for (*i += 2; *i < len && !(t[*i] == '*' && *i + 1 < len && t[*i + 1] == '/'); (*i)++)
            if (t[*i] == '\n') (*line)++;
        *i += 2;
    } else {
        return false;
    }
    return true;
}

bool cfgtext_repeated_key(const char *t, size_t len, char *key, size_t n, int *first,
                          int *second)
{
    enum { TOP_KEYS = 64, TOP_NAME = 64 };
    char seen[TOP_KEYS][TOP_NAME];
    int seen_line[TOP_KEYS], n_seen = 0, depth = 0, line = 1;
    size_t i = 0;
    while (i < len) {
        if (skip_nontoken(t, len, &i, &line)) continue;
        char c = t[i];
        if (strchr("{([", c)) depth++;
        if (strchr("})]", c) && depth > 0) depth--;
        if (depth > 0 || !(isalpha((unsigned char)c) || c == '*')) {
            i++;
            continue;
        }
        size_t start = i;                             /* a name at the top level */
        while (i < len && (isalnum((unsigned char)t[i]) || strchr("_*-", t[i]))) i++;
        size_t end = i, name_len = end - start;
        int at = line;
        while (i < len && (t[i] == ' ' || t[i] == '\t')) i++;
        if (i >= len || (t[i] != '=' && t[i] != ':') || name_len >= TOP_NAME) continue;
        for (int k = 0; k < n_seen; k++) {
            if (strlen(seen[k]) != name_len || memcmp(seen[k], t + start, name_len)) continue;
            snprintf(key, n, "%s", seen[k]);
            *first = seen_line[k];
            *second = at;
            return true;
        }
        if (n_seen == TOP_KEYS) continue;
        memcpy(seen[n_seen], t + start, name_len);
        seen[n_seen][name_len] = '\0';
        seen_line[n_seen++] = at;
    }
    return false;
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

/* ---- @include, expanded here ----
 *
 * libconfig 1.5 joins every @include name to one include dir, whatever
 * file the @include is written in, and has no hook to change that. So the
 * @includes are expanded here into one text, read by libconfig with no
 * include dir: a name is relative to the folder of the file it is written
 * in, or absolute. The directive is recognised exactly where libconfig
 * recognises it (a line that starts, outside a block comment or string,
 * with `@include` and blanks before a quoted name); what follows the
 * closing quote on that line is read after the included text, as libconfig
 * reads it. A map keeps where each line of the text was written. */

/* The expansion under way. The chain of files being expanded, outermost
 * first, is kept for cycles and depth. */
struct expander {
    struct loader *L;
    struct sbuf out;
    int out_line;                 /* the line of out being written */
    struct linemap *map;
    bool in_comment;              /* a block comment open: libconfig carries it across files */
    dev_t dev[MAX_INCLUDE_DEPTH + 2];
    ino_t ino[MAX_INCLUDE_DEPTH + 2];
    const char *name[MAX_INCLUDE_DEPTH + 2];
    int n;
    size_t used;                  /* bytes read so far, against SCENARIO_MAX_BYTES */
};

static void emit(struct expander *X, const char *s, size_t n)
{
    sbuf_append(&X->out, s, n);
    for (size_t i = 0; i < n; i++) X->out_line += s[i] == '\n';
}

/* Moves the state of libconfig's scanner over one line: block comments,
 * strings (which may span lines), and comments to the end of the line. */
static void scan_line(const char *s, size_t n, bool *in_comment, bool *in_string)
{
    for (size_t k = 0; k < n; k++) {
        char c = s[k], d = k + 1 < n ? s[k + 1] : '\0';
        if (*in_comment) {
            if (c == '*' && d == '/') { *in_comment = false; k++; }
        } else if (*in_string) {
            if (c == '\\') k++;
            else if (c == '"') *in_string = false;
        } else if (c == '"') {
            *in_string = true;
        } else if (c == '#' || (c == '/' && d == '/')) {
            return;
        } else if (c == '/' && d == '*') {
            *in_comment = true;
            k++;
        }
    }
}

enum directive { NO_DIRECTIVE, DIRECTIVE, BAD_DIRECTIVE };

/* Whether line s (n bytes, no '\n') is an @include as libconfig 1.5 reads
 * one: blanks, `@include`, at least one blank, a quoted name in which \\
 * and \" stand for \ and ". The name goes into name[size]; *rest: where
 * the line goes on after the closing quote. BAD_DIRECTIVE: *why says what
 * is wrong with the name. */
static enum directive include_directive(const char *s, size_t n, char *name, size_t size,
                                        size_t *rest, const char **why)
{
    size_t k = 0, len = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
    if (n - k < 9 || memcmp(s + k, "@include", 8) != 0 || (s[k + 8] != ' ' && s[k + 8] != '\t'))
        return NO_DIRECTIVE;
    for (k += 8; k < n && (s[k] == ' ' || s[k] == '\t'); k++) {}
    if (k == n || s[k] != '"') return NO_DIRECTIVE;
    for (k++; k < n && s[k] != '"'; k++) {
        if (s[k] == '\\' && k + 1 < n && (s[k + 1] == '\\' || s[k + 1] == '"')) k++;
        else if (s[k] == '\\') {
            *why = "a '\\' in a file name is written \\\\";
            return BAD_DIRECTIVE;
        }
        if (len + 1 == size) {
            *why = "a file name longer than 4095 bytes";
            return BAD_DIRECTIVE;
        }
        name[len++] = s[k];
    }
    name[len] = '\0';
    *why = k == n ? "the name's closing '\"' is missing" : len == 0 ? "an empty file name" : NULL;
    *rest = k + 1;
    return *why ? BAD_DIRECTIVE : DIRECTIVE;
}

static int expand_text(struct expander *X, const char *file, const char *text, size_t len);

/* Follows @include "name" (line `line` of `file`, whose folder is dir):
 * cycles, depth, size and the checks of its bytes, then its text, itself
 * expanded. */
static int follow_include(struct expander *X, const char *file, const char *dir, int line,
                          const char *name)
{
    struct loader *L = X->L;
    char *path = cfg_path_in(dir, name), why[256];
    if (!path) return cfg_oom(L);
    struct stat st;
    int rc = 0;
    if (stat(path, &st) != 0) {
        rc = err_set(L->e, EXIT_INPUT, "%s:%d: @include \"%s\": cannot read: %s", file, line,
                     name, strerror(errno));
        free(path);
        return rc;
    }
    for (int s = 0; s < X->n; s++)
        if (X->dev[s] == st.st_dev && X->ino[s] == st.st_ino) {
            char chain[512] = "";
            for (int t = s; t < X->n; t++) cfg_appendf(chain, sizeof chain, "%s -> ", X->name[t]);
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
    if (X->n > MAX_INCLUDE_DEPTH)
        rc = err_set(L->e, EXIT_INPUT, "%s:%d: @include: nested more than %d deep", file, line,
                     MAX_INCLUDE_DEPTH);
    else if (cfgtext_slurp(path, SCENARIO_MAX_BYTES - X->used, &inc, &n, &st, why,
                           sizeof why) < 0)
        rc = err_set(L->e, EXIT_INPUT, "%s:%d: @include \"%s\": %s", file, line, name, why);
    else if ((problem = cfgtext_problem(inc, n, &bad_line)) ||
             (problem = cfgtext_literal_problem(inc, n, &bad_line, lit, sizeof lit)))
        rc = err_set(L->e, EXIT_INPUT, "%s:%d: %s", path, bad_line, problem);
    if (rc == 0) rc = cfg_note_input(L, path, inc, n);
    if (rc == 0) {
        X->used += n;
        X->dev[X->n] = st.st_dev;
        X->ino[X->n] = st.st_ino;
        X->name[X->n] = name;
        X->n++;
        rc = expand_text(X, path, inc, n);
        X->n--;
    }
    free(inc);
    free(path);
    return rc;
}

/* Appends text (file `file`) to X->out with every @include expanded. */
static int expand_text(struct expander *X, const char *file, const char *text, size_t len)
{
    char *dir = path_dirname(file), name[4096];
    if (!dir || linemap_add(X->map, X->out_line, file, 1) < 0) {
        free(dir);
        return cfg_oom(X->L);
    }
    bool in_string = false;
    int rc = 0, line = 1;
    for (size_t i = 0; i < len; line++) {
        size_t eol = i;
        while (eol < len && text[eol] != '\n') eol++;
        size_t end = eol < len ? eol + 1 : eol, rest = 0;
        const char *why = NULL;
        /* A line that starts inside a comment or string is no directive:
         * libconfig's scanner takes the whole line into that token. */
        enum directive d = X->in_comment || in_string ? NO_DIRECTIVE
                         : include_directive(text + i, eol - i, name, sizeof name, &rest, &why);
        if (d == BAD_DIRECTIVE) {
            rc = err_set(X->L->e, EXIT_INPUT, "%s:%d: @include: %s", file, line, why);
        } else if (d == DIRECTIVE && ((rc = follow_include(X, file, dir, line, name)) < 0 ||
                                      linemap_add(X->map, X->out_line, file, line) < 0)) {
            rc = rc < 0 ? rc : cfg_oom(X->L);
        }
        if (rc < 0) break;
        /* What follows the name goes on its own line, which must not start
         * a line for libconfig (it would take an @include there, which
         * libconfig does not): an empty comment keeps it mid-line. */
        if (d == NO_DIRECTIVE) rest = 0;
        else if (!X->in_comment) emit(X, "/**/", 4);
        emit(X, text + i + rest, end - i - rest);
        scan_line(text + i + rest, end - i - rest, &X->in_comment, &in_string);
        i = end;
    }
    free(dir);
    if (len > 0 && text[len - 1] != '\n') emit(X, "\n", 1);    /* the includer goes on below */
    return rc;
}

int cfgtext_expand(struct loader *L, const char *path, const char *text, size_t len, dev_t dev,
                   ino_t ino, char **out, struct linemap *map)
{
    struct expander X = { .L = L, .out_line = 1, .map = map, .n = 1, .used = len };
    X.dev[0] = dev;
    X.ino[0] = ino;
    X.name[0] = path;
    *out = NULL;
    int rc = expand_text(&X, path, text, len);
    if (rc == 0 && X.out.failed) rc = cfg_oom(L);
    if (rc == 0 && !X.out.s) sbuf_append(&X.out, "", 0);
    if (rc == 0 && !(*out = X.out.s)) rc = cfg_oom(L);
    if (rc < 0) sbuf_free(&X.out);
    return rc;
}
