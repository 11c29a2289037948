/* panel.c: the RBS panel reader (see panel.h for the format and the
 * invariant). One pass over the bytes: the RFC 4180 field splitter
 * (base/csvcell) hands each row's used fields to the validators; valid rows are
 * appended to obs[] and their citizen ids interned in an open-addressing
 * hash table; then one sort by (citizen, t) finds duplicate times.
 *
 * Hostile input: the buffer may hold any bytes and need not end in a NUL.
 * Every read is bounded by len; fields that are used are copied into
 * fixed-size buffers only after their length is checked; ignored columns
 * are scanned and never copied. */
#include "analysis/panel.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <strings.h>

#include "base/caldate.h"
#include "base/csvcell.h"
#include "base/sbuf.h"

enum role { R_IGNORE, R_ID, R_T, R_DATE, R_FLOW, R_LEVEL, R_AGE, R_FEMALE };

struct col {
    enum role role;
    int idx;                   /* flow or dimension index */
    int slot;                  /* scratch slot of a used column, else -1 */
    char name[48];             /* for messages (escaped, shortened) */
};

struct slice {
    const char *s;
    size_t n;
    bool quoted;
};

/* Growable state of one parse. */
struct parser {
    const char *name;          /* file name for messages */
    const char *buf;
    size_t len, pos, line;     /* line: 1-based line of buf[pos] */
    const struct model *m;
    const struct panel_opts *o;
    struct panel *p;
    struct err *e;

    int n_cols;
    struct col *cols;
    int n_used;
    struct slice *fld;         /* per used slot */
    char *scratch;             /* n_used * (PANEL_FIELD_MAX + 2) */

    size_t cap_obs;
    size_t cap_cit;            /* of id_off / hash arrays */
    size_t pool_len, pool_cap;
    uint32_t *hash;            /* per citizen */
    uint32_t *table;           /* citizen index + 1; 0 = empty */
    size_t table_cap;          /* power of two */
};

/* ---- messages ------------------------------------------------------------ */

void panel_escape(const char *s, size_t n, char *out, size_t outn)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < outn; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == 40) {
            o += (size_t)snprintf(out + o, outn - o, "...");
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '\\') out[o++] = (char)c;
        else o += (size_t)snprintf(out + o, outn - o, "\\x%02x", c);
    }
    out[o < outn ? o : outn - 1] = '\0';
}

/* A row error: fails the parse, or is counted when skipping. Returns -1
 * when the parse must stop, 1 when the row is skipped. */
static int row_error(struct parser *P, size_t line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int row_error(struct parser *P, size_t line, const char *column, const char *fmt, ...)
{
    char problem[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    if (!P->o->skip_bad_rows)
        return err_at(P->e, P->name, (int)(line > 0x7fffffff ? 0x7fffffff : line), column,
                      "%s", problem);
    struct panel *p = P->p;
    if (p->n_bad_shown < PANEL_BAD_SHOWN) {
        snprintf(p->bad_msg[p->n_bad_shown], sizeof p->bad_msg[0], "%s:%zu: %s: %s", P->name,
                 line, column, problem);
        p->n_bad_shown++;
    }
    p->n_bad++;
    return 1;
}

static int oom(struct parser *P)
{
    return err_set(P->e, EXIT_RUNTIME, "%s: out of memory", P->name);
}

/* ---- splitting ----------------------------------------------------------- */

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* True when the line at pos holds only blanks and a line end (or is the end
 * of the buffer). */
static bool blank_line(const struct parser *P, size_t pos)
{
    while (pos < P->len && (is_blank(P->buf[pos]) || P->buf[pos] == '\r')) pos++;
    return pos >= P->len || P->buf[pos] == '\n';
}

/* Moves past the current line (to just after its '\n'). */
static void skip_line(struct parser *P)
{
    const char *nl = memchr(P->buf + P->pos, '\n', P->len - P->pos);
    if (!nl) {
        P->pos = P->len;
        return;
    }
    P->pos = (size_t)(nl - P->buf) + 1;
    P->line++;
}

enum split_status { SPLIT_OK, SPLIT_UNTERMINATED, SPLIT_AFTER_QUOTE };

/* Splits the row at P->pos into fields (base/csvcell's splitter), leaving
 * P->pos after its line end. Used fields (column j < n_cols with a slot)
 * land in P->fld; quoted ones are unquoted into the slot's scratch (a
 * longer one keeps n = PANEL_FIELD_MAX + 1 as a mark). *n_fields gets the
 * number of fields. *bad_col gets the column of a quoting error. */
static enum split_status split_row(struct parser *P, int *n_fields, int *bad_col)
{
    int j = 0;
    enum split_status st = SPLIT_OK;
    for (int k = 0; k < P->n_used; k++) P->fld[k] = (struct slice){ "", 0, false };
    for (bool more = true; more; j++) {
        int slot = j < P->n_cols ? P->cols[j].slot : -1;
        char *out = slot >= 0 ? P->scratch + (size_t)slot * (PANEL_FIELD_MAX + 2) : NULL;
        struct csv_field f;
        enum csv_status cs = csv_field(P->buf, P->len, &P->pos, out, PANEL_FIELD_MAX + 1, &f,
                                       &more, &P->line);
        if (cs == CSV_UNTERMINATED) {
            *bad_col = j;
            *n_fields = j + 1;
            return SPLIT_UNTERMINATED;
        }
        if (cs == CSV_AFTER_QUOTE && st == SPLIT_OK) {
            st = SPLIT_AFTER_QUOTE;
            *bad_col = j;
        }
        if (slot >= 0) P->fld[slot] = (struct slice){ f.s, f.n, f.quoted };
    }
    *n_fields = j;
    return st;
}

/* ---- header -------------------------------------------------------------- */

static bool name_is(const struct slice *f, const char *s)
{
    size_t n = strlen(s);
    return f->n == n && strncasecmp(f->s, s, n) == 0;
}

/* Keys of the known column names: id, t, date, age, female, then flows
 * from 8, then dimensions. */
#define PANEL_KEYS (8 + MODEL_MAX_FLOWS + MODEL_MAX_DIMS)

/* The role of each of the header's n fields; where[key] = the column of
 * each known name (-1: none). 0, or an input error. */
static int classify_columns(struct parser *P, int n, int line, int *where)
{
    const struct model *m = P->m;
    for (int k = 0; k < PANEL_KEYS; k++) where[k] = -1;
    for (int j = 0; j < n; j++) {
        struct col *c = &P->cols[j];
        const struct slice *f = &P->fld[j];
        panel_escape(f->s, f->n, c->name, sizeof c->name);
        if (f->n > PANEL_FIELD_MAX)
            return err_at(P->e, P->name, line, "header",
                          "field %d is longer than %d bytes", j + 1, PANEL_FIELD_MAX);
        if (memchr(f->s, '\0', f->n))
            return err_at(P->e, P->name, line, "header",
                          "field %d contains a NUL byte", j + 1);
        int key = -1;
        c->role = R_IGNORE;
        if (name_is(f, P->o->id_column ? P->o->id_column : "id")) c->role = R_ID, key = 0;
        else if (name_is(f, "t")) c->role = R_T, key = 1;
        else if (name_is(f, "date")) c->role = R_DATE, key = 2;
        else if (name_is(f, "age")) c->role = R_AGE, key = 3;
        else if (name_is(f, "female")) c->role = R_FEMALE, key = 4;
        for (int fl = 0; key < 0 && fl < m->n_flows; fl++)
            if (name_is(f, m->flows[fl].id)) c->role = R_FLOW, c->idx = fl, key = 8 + fl;
        for (int d = 0; key < 0 && d < m->n_dims; d++)
            if (name_is(f, m->dims[d]))
                c->role = R_LEVEL, c->idx = d, key = 8 + MODEL_MAX_FLOWS + d;
        if (key < 0) continue;
        if (where[key] >= 0)
            return err_at(P->e, P->name, line, "header",
                          "column '%s' appears twice (fields %d and %d)", c->name,
                          where[key] + 1, j + 1);
        where[key] = j;
        if ((c->role == R_LEVEL && !P->o->need_level[c->idx]) ||
            (c->role == R_AGE && !P->o->need_age) || (c->role == R_FEMALE && !P->o->need_female))
            c->role = R_IGNORE;            /* not a covariate: not read, not checked */
    }
    return 0;
}

/* The columns that must be there (id, a time, a flow, the covariates'),
 * and what the panel has. 0, or an input error. */
static int required_columns(struct parser *P, int n, int line, const int *where)
{
    const struct model *m = P->m;
    struct panel *p = P->p;
    if (where[0] < 0) {
        bool semi = false;
        for (int j = 0; j < n; j++) semi |= memchr(P->fld[j].s, ';', P->fld[j].n) != NULL;
        return err_at(P->e, P->name, line, "header", "no column '%s'%s",
                      P->o->id_column ? P->o->id_column : "id",
                      semi               ? " (fields must be separated by ',', not ';')"
                      : P->o->id_column ? ""
                                         : " (name the citizen column with --id COLUMN)");
    }
    if (where[1] < 0 && where[2] < 0)
        return err_at(P->e, P->name, line, "header",
                      "no column 't' or 'date' (the time of each measurement)");
    if (where[1] >= 0 && where[2] >= 0) P->cols[where[2]].role = R_IGNORE;   /* t wins */
    p->time_from_date = where[1] < 0;
    bool any_flow = false;
    for (int fl = 0; fl < m->n_flows; fl++) any_flow |= p->has_flow[fl] = where[8 + fl] >= 0;
    if (!any_flow)
        return err_at(P->e, P->name, line, "header",
                      "no column named after a flow of the scenario (%s%s%s)", m->flows[0].id,
                      m->n_flows > 1 ? ", " : "", m->n_flows > 1 ? m->flows[1].id : "");
    for (int d = 0; d < m->n_dims; d++) {
        p->has_level[d] = where[8 + MODEL_MAX_FLOWS + d] >= 0;
        if (P->o->need_level[d] && !p->has_level[d])
            return err_at(P->e, P->name, line, "header",
                          "no column '%s' (needed by --covariates)", m->dims[d]);
    }
    p->has_age = where[3] >= 0;
    p->has_female = where[4] >= 0;
    if (P->o->need_age && !p->has_age)
        return err_at(P->e, P->name, line, "header",
                      "no column 'age' (needed by --covariates)");
    if (P->o->need_female && !p->has_female)
        return err_at(P->e, P->name, line, "header",
                      "no column 'female' (needed by --covariates)");
    return 0;
}

static int read_header(struct parser *P, size_t *header_line)
{
    /* UTF-8 byte-order mark (Excel's "CSV UTF-8"). */
    if (P->len >= 3 && memcmp(P->buf, "\xef\xbb\xbf", 3) == 0) P->pos = 3;
    while (P->pos < P->len && blank_line(P, P->pos)) skip_line(P);
    if (P->pos >= P->len)
        return err_at(P->e, P->name, 1, "header", "the file is empty (a header line is needed)");
    *header_line = P->line;

    /* Count the header's fields first, then split it with every field kept
     * (each column its own slot). */
    size_t save_pos = P->pos, save_line = P->line;
    int n = 0, bad = 0;
    P->n_cols = 0;
    P->n_used = 0;
    enum split_status st = split_row(P, &n, &bad);
    if (st == SPLIT_UNTERMINATED)
        return err_at(P->e, P->name, (int)*header_line, "header", "a quote is never closed");
    if (n > PANEL_MAX_COLUMNS)
        return err_at(P->e, P->name, (int)*header_line, "header",
                      "%d columns (at most %d)", n, PANEL_MAX_COLUMNS);
    P->pos = save_pos;
    P->line = save_line;
    if (!(P->cols = calloc((size_t)n, sizeof *P->cols)) ||
        !(P->fld = calloc((size_t)n, sizeof *P->fld)) ||
        !(P->scratch = malloc((size_t)n * (PANEL_FIELD_MAX + 2))))
        return oom(P);
    P->n_cols = n;
    P->n_used = n;
    for (int j = 0; j < n; j++) P->cols[j].slot = j;
    st = split_row(P, &n, &bad);
    if (st != SPLIT_OK)
        return err_at(P->e, P->name, (int)*header_line, "header",
                      "text after a closing quote in field %d", bad + 1);

    int where[PANEL_KEYS];            /* column of each known name */
    int rc = classify_columns(P, n, (int)*header_line, where);
    if (rc == 0) rc = required_columns(P, n, (int)*header_line, where);
    if (rc != 0) return rc;

    /* From here on only the known columns are kept. */
    P->n_used = 0;
    for (int j = 0; j < n; j++)
        P->cols[j].slot = P->cols[j].role == R_IGNORE ? -1 : P->n_used++;
    return 0;
}

/* ---- citizens ------------------------------------------------------------ */

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;                      /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int table_grow(struct parser *P)
{
    size_t cap = P->table_cap ? P->table_cap * 2 : 1024;
    uint32_t *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    for (size_t c = 0; c < P->p->n_cit; c++) {
        size_t i = P->hash[c] & (cap - 1);
        while (t[i]) i = (i + 1) & (cap - 1);
        t[i] = (uint32_t)c + 1;
    }
    free(P->table);
    P->table = t;
    P->table_cap = cap;
    return 0;
}

/* The citizen index of id s[0..n) (no NUL inside), adding it when new.
 * Returns -1 when out of memory. */
static long citizen_of(struct parser *P, const char *s, size_t n)
{
    struct panel *p = P->p;
    uint32_t h = hash_bytes(s, n);
    if (P->table_cap) {
        for (size_t i = h & (P->table_cap - 1);; i = (i + 1) & (P->table_cap - 1)) {
            uint32_t c = P->table[i];
            if (!c) break;
            const char *id = p->id_pool + p->id_off[c - 1];
            if (P->hash[c - 1] == h && strlen(id) == n && memcmp(id, s, n) == 0) return c - 1;
        }
    }
    if (p->n_cit >= 0xfffffffeu) return -1;
    if ((p->n_cit + 1) * 2 > P->table_cap && table_grow(P) < 0) return -1;
    if (p->n_cit == P->cap_cit) {
        size_t cap = P->cap_cit ? P->cap_cit * 2 : 1024;
        size_t *off = realloc(p->id_off, cap * sizeof *off);
        if (!off) return -1;
        p->id_off = off;
        uint32_t *hs = realloc(P->hash, cap * sizeof *hs);
        if (!hs) return -1;
        P->hash = hs;
        P->cap_cit = cap;
    }
    if (P->pool_len + n + 1 > P->pool_cap) {
        size_t cap = P->pool_cap ? P->pool_cap : 4096;
        while (cap < P->pool_len + n + 1) cap *= 2;
        char *pool = realloc(p->id_pool, cap);
        if (!pool) return -1;
        p->id_pool = pool;
        P->pool_cap = cap;
    }
    memcpy(p->id_pool + P->pool_len, s, n);
    p->id_pool[P->pool_len + n] = '\0';
    size_t c = p->n_cit++;
    p->id_off[c] = P->pool_len;
    P->hash[c] = h;
    P->pool_len += n + 1;
    size_t i = h & (P->table_cap - 1);
    while (P->table[i]) i = (i + 1) & (P->table_cap - 1);
    P->table[i] = (uint32_t)c + 1;
    return (long)c;
}

/* ---- one row ------------------------------------------------------------- */

static bool slice_eq(const struct slice *f, const char *s)
{
    size_t n = strlen(s);
    return f->n == n && memcmp(f->s, s, n) == 0;
}

/* Copies field f into tmp as a C string. */
static void field_str(const struct slice *f, char *tmp)
{
    memcpy(tmp, f->s, f->n);
    tmp[f->n] = '\0';
}

static bool parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v)) return false;
    *out = v;
    return true;
}

/* The scenario id a ring name of the export maps to, or NULL. */
static const char *map_lookup(const struct panel_map *map, const struct slice *f)
{
    for (int k = 0; map && k < map->n; k++)
        if (slice_eq(f, map->from[k])) return map->to[k];
    return NULL;
}

/* Validates the used fields of a split row into o. Returns 0, or what
 * row_error returned. */
static int check_row(struct parser *P, size_t line, struct panel_obs *o, long *cit)
{
    const struct model *m = P->m;
    char tmp[PANEL_FIELD_MAX + 2], shown[200];
    const struct slice *id = NULL;
    memset(o->state, PANEL_MISSING, sizeof o->state);
    memset(o->level, PANEL_MISSING, sizeof o->level);
    o->female = PANEL_MISSING;
    o->age = NAN;
    o->t = NAN;
    for (int j = 0; j < P->n_cols; j++) {
        const struct col *c = &P->cols[j];
        if (c->slot < 0) continue;
        const struct slice *f = &P->fld[c->slot];
        if (f->n > PANEL_FIELD_MAX)
            return row_error(P, line, c->name, "longer than %d bytes", PANEL_FIELD_MAX);
        if (memchr(f->s, '\0', f->n)) return row_error(P, line, c->name, "contains a NUL byte");
        bool optional = (c->role == R_LEVEL && !P->o->need_level[c->idx]) ||
                        (c->role == R_AGE && !P->o->need_age) ||
                        (c->role == R_FEMALE && !P->o->need_female);
        if (f->n == 0) {
            if (optional) continue;             /* missing value, not needed */
            return row_error(P, line, c->name, "empty");
        }
        field_str(f, tmp);
        panel_escape(f->s, f->n, shown, sizeof shown);
        switch (c->role) {
        case R_ID:
            id = f;
            break;
        case R_T:
            if (!parse_number(tmp, &o->t) || fabs(o->t) > 1e6)
                return row_error(P, line, c->name, "not a time in years ('%s')", shown);
            break;
        case R_DATE: {
            int32_t days;
            if (!caldate_parse(tmp, &days))
                return row_error(P, line, c->name, "not a date YYYY-MM-DD ('%s')", shown);
            o->t = (days - m->start_day) / DAYS_PER_YEAR;
            break;
        }
        case R_FLOW: {
            const struct flow *fl = &m->flows[c->idx];
            const char *mapped = map_lookup(P->o->map, f);
            int s = 0;
            while (s <= fl->n_rings && !(mapped ? !strcmp(mapped, model_state_id(fl, s))
                                                : slice_eq(f, model_state_id(fl, s))))
                s++;
            if (s > fl->n_rings)
                return row_error(P, line, c->name, "no ring '%s' in flow %s (nor 'none')",
                                 shown, fl->id);
            o->state[c->idx] = (uint8_t)s;
            break;
        }
        case R_LEVEL:
            if (f->n != 1 || tmp[0] < '0' || tmp[0] > '0' + MODEL_LEVEL_MAX)
                return row_error(P, line, c->name, "level must be a whole number 0..%d (got '%s')",
                                 MODEL_LEVEL_MAX, shown);
            o->level[c->idx] = (uint8_t)(tmp[0] - '0');
            break;
        case R_AGE:
            if (!parse_number(tmp, &o->age) || o->age < 0.0 || o->age > 150.0)
                return row_error(P, line, c->name, "not an age in years 0..150 ('%s')", shown);
            break;
        case R_FEMALE:
            if (f->n != 1 || (tmp[0] != '0' && tmp[0] != '1'))
                return row_error(P, line, c->name, "must be 0 or 1 (got '%s')", shown);
            o->female = (uint8_t)(tmp[0] - '0');
            break;
        case R_IGNORE:
            break;
        }
    }
    *cit = citizen_of(P, id->s, id->n);
    if (*cit < 0) return oom(P);
    return 0;
}

/* ---- sorting and duplicates -------------------------------------------- */

static int obs_cmp(const void *a, const void *b)
{
    const struct panel_obs *x = a, *y = b;
    if (x->cit != y->cit) return x->cit < y->cit ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Sorts, then finds measurements of one citizen at one time: an error at
 * the later line, or (skipping) drops the later row. Builds cit_start. */
static int finish(struct parser *P)
{
    struct panel *p = P->p;
    qsort(p->obs, p->n_obs, sizeof *p->obs, obs_cmp);
    const char *tcol = p->time_from_date ? "date" : "t";
    size_t worst = 0, first = 0;
    bool dup = false;
    for (size_t i = 1; i < p->n_obs; i++) {
        const struct panel_obs *a = &p->obs[i - 1], *b = &p->obs[i];
        if (a->cit == b->cit && a->t == b->t && (!dup || b->line < worst)) {
            dup = true;
            worst = b->line;
            first = a->line;
        }
    }
    if (dup && !P->o->skip_bad_rows) {
        char id[200];
        const struct panel_obs *b = NULL;
        for (size_t i = 0; i < p->n_obs && !b; i++)
            if (p->obs[i].line == worst) b = &p->obs[i];
        const char *s = panel_citizen_id(p, b->cit);
        panel_escape(s, strlen(s), id, sizeof id);
        return err_at(P->e, P->name, (int)worst, tcol,
                      "citizen %s is measured twice at one time (lines %zu and %zu)", id, first,
                      worst);
    }
    if (dup) {
        size_t k = 0;
        for (size_t i = 0; i < p->n_obs; i++) {
            const struct panel_obs *o = &p->obs[i];
            if (k > 0 && p->obs[k - 1].cit == o->cit && p->obs[k - 1].t == o->t) {
                char id[200];
                const char *s = panel_citizen_id(p, o->cit);
                panel_escape(s, strlen(s), id, sizeof id);
                row_error(P, o->line, tcol,
                          "citizen %s is measured twice at one time (lines %u and %u)", id,
                          p->obs[k - 1].line, o->line);
                continue;
            }
            p->obs[k++] = *o;
        }
        p->n_obs = k;
    }
    if (!(p->cit_start = malloc((p->n_cit + 1) * sizeof *p->cit_start))) return oom(P);
    size_t i = 0;
    for (size_t c = 0; c < p->n_cit; c++) {
        p->cit_start[c] = i;
        while (i < p->n_obs && p->obs[i].cit == c) i++;
    }
    p->cit_start[p->n_cit] = p->n_obs;
    return 0;
}

/* ---- the parse --------------------------------------------------------- */

static int parse_rows(struct parser *P)
{
    struct panel *p = P->p;
    P->cap_obs = P->len / 48 + 16;
    if (!(p->obs = malloc(P->cap_obs * sizeof *p->obs))) return oom(P);
    while (P->pos < P->len) {
        if (blank_line(P, P->pos)) {
            skip_line(P);
            continue;
        }
        size_t line = P->line;
        int n = 0, bad = 0, rc = 0;
        p->n_rows_read++;
        enum split_status st = split_row(P, &n, &bad);
        const char *bad_name = bad < P->n_cols ? P->cols[bad].name : "row";
        if (st == SPLIT_UNTERMINATED) {
            rc = row_error(P, line, bad_name, "a quote is never closed");
        } else if (st == SPLIT_AFTER_QUOTE) {
            rc = row_error(P, line, bad_name, "text after the closing quote");
        } else if (n != P->n_cols) {
            rc = row_error(P, line, "row", "%d fields, the header has %d", n, P->n_cols);
        } else {
            struct panel_obs o;
            long cit = -1;
            rc = check_row(P, line, &o, &cit);
            if (rc == 0) {
                if (p->n_obs == P->cap_obs) {
                    size_t cap = P->cap_obs * 2;
                    struct panel_obs *ob = realloc(p->obs, cap * sizeof *ob);
                    if (!ob) return oom(P);
                    p->obs = ob;
                    P->cap_obs = cap;
                }
                o.cit = (uint32_t)cit;
                o.line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
                p->obs[p->n_obs++] = o;
            }
        }
        if (rc < 0) return -1;
    }
    return 0;
}

int panel_parse(const char *name, const char *buf, size_t len, const struct model *m,
                const struct panel_opts *o, struct panel *p, struct err *e)
{
    memset(p, 0, sizeof *p);
    p->n_flows = m->n_flows;
    p->n_dims = m->n_dims;
    struct parser P = { .name = name, .buf = buf, .len = len, .line = 1, .m = m, .o = o,
                        .p = p, .e = e };
    size_t header_line = 1;
    int rc = read_header(&P, &header_line);
    if (rc == 0) rc = parse_rows(&P);
    if (rc == 0) rc = finish(&P);
    if (rc == 0 && p->n_obs == 0)
        rc = p->n_bad ? err_at(e, name, 0, "rows", "no usable row (%zu skipped as malformed; "
                               "first: %s)", p->n_bad, p->bad_msg[0])
                      : err_at(e, name, (int)header_line + 1, "rows",
                               "no measurements after the header");
    free(P.cols);
    free(P.fld);
    free(P.scratch);
    free(P.hash);
    free(P.table);
    if (rc != 0) {
        struct panel keep = *p;
        panel_fini(p);
        /* A failed parse leaves p empty but keeps the skip counts. */
        p->n_bad = keep.n_bad;
        return -1;
    }
    /* Give back what the geometric growth over-allocated. */
    struct panel_obs *shrunk = realloc(p->obs, p->n_obs * sizeof *p->obs);
    if (shrunk) p->obs = shrunk;
    return 0;
}

int panel_read(const char *path, const struct model *m, const struct panel_opts *o,
               struct panel *p, struct err *e)
{
    memset(p, 0, sizeof *p);
    /* Non-blocking open and a regular-file check: a FIFO without a writer
     * must not hang calibrate, nor /dev/zero fill the memory. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return err_set(e, EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return err_set(e, EXIT_INPUT, "%s: not a regular file (a panel is a CSV file)", path);
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return err_set(e, EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
    }
    struct sbuf text = { 0 };
    int bad = sbuf_read_stream(&text, f);
    fclose(f);
    if (bad) {
        bool oom = text.failed;
        sbuf_free(&text);
        if (oom) return err_set(e, EXIT_RUNTIME, "%s: out of memory reading the file", path);
        return err_set(e, EXIT_INPUT, "%s: cannot read the file", path);
    }
    int rc = panel_parse(path, text.s, text.len, m, o, p, e);
    sbuf_free(&text);
    return rc;
}

void panel_fini(struct panel *p)
{
    free(p->obs);
    free(p->cit_start);
    free(p->id_pool);
    free(p->id_off);
    memset(p, 0, sizeof *p);
}

const char *panel_citizen_id(const struct panel *p, size_t c)
{
    return p->id_pool + p->id_off[c];
}

/* ---- the ring-name map ---------------------------------------------------- */

static bool is_state_id(const struct model *m, const char *id)
{
    for (int fl = 0; fl < m->n_flows; fl++)
        for (int st = 0; st <= m->flows[fl].n_rings; st++)
            if (!strcmp(id, model_state_id(&m->flows[fl], st))) return true;
    return false;
}

/* One line of a map into map (line is trimmed, not empty, no comment). */
static int map_line(const char *path, int ln, char *line, const struct model *m,
                    struct panel_map *map, struct err *e)
{
    char *comma = strchr(line, ',');
    if (!comma || strchr(comma + 1, ','))
        return err_at(e, path, ln, "map", "must be two fields `from,to`");
    *comma = '\0';
    char *from = line, *to = comma + 1;
    while (*from == ' ') from++;
    for (char *z = comma; z > from && z[-1] == ' ';) *--z = '\0';
    while (*to == ' ') to++;
    if (!*from || !*to) return err_at(e, path, ln, "map", "an empty name");
    if (strlen(from) >= PANEL_MAP_NAME || strlen(to) >= PANEL_MAP_NAME)
        return err_at(e, path, ln, "map", "a name longer than %d bytes", PANEL_MAP_NAME - 1);
    if (!is_state_id(m, to))
        return err_at(e, path, ln, "map", "'%s' is no ring of the scenario (nor 'none')", to);
    for (int k = 0; k < map->n; k++)
        if (!strcmp(map->from[k], from))
            return err_at(e, path, ln, "map", "'%s' is mapped twice", from);
    if (map->n == PANEL_MAP_MAX)
        return err_at(e, path, ln, "map", "more than %d entries", PANEL_MAP_MAX);
    /* lengths checked above: both fit with their NUL */
    memcpy(map->from[map->n], from, strlen(from) + 1);
    memcpy(map->to[map->n], to, strlen(to) + 1);
    map->n++;
    return 0;
}

int panel_map_read(const char *path, const struct model *m, struct panel_map *map, struct err *e)
{
    memset(map, 0, sizeof *map);
    FILE *f = fopen(path, "r");
    if (!f) return err_set(e, EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
    char buf[512];
    int ln = 0, rc = 0;
    while (rc == 0 && fgets(buf, sizeof buf, f)) {
        ln++;
        size_t n = strlen(buf);
        if (n == sizeof buf - 1 && buf[n - 1] != '\n') {
            rc = err_at(e, path, ln, "map", "line longer than %zu bytes", sizeof buf - 2);
            break;
        }
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) buf[--n] = '\0';
        char *line = buf + (ln == 1 && !strncmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0);
        if (!*line || *line == '#' || (ln == 1 && !strcasecmp(line, "from,to"))) continue;
        rc = map_line(path, ln, line, m, map, e);
    }
    if (rc == 0 && ferror(f)) rc = err_set(e, EXIT_RUNTIME, "%s: cannot read the file", path);
    fclose(f);
    if (rc == 0 && map->n == 0) rc = err_set(e, EXIT_INPUT, "%s: the map is empty", path);
    return rc;
}

