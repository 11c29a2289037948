/* test_results.c: result sets a reader can trust: CSV cells that a name
 * cannot turn into rows or formulas, seeds written exactly. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/csvcell.h"
#include "tests.h"
#include "util.h"

/* ---- CSV cells ------------------------------------------------------------- */

static char *cell_text(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    csv_cell(f, s);
    fclose(f);
    struct sbuf b = { 0 };
    csv_cell_sbuf(&b, s);
    assert_string_equal(b.s ? b.s : "", buf);      /* both writers agree */
    sbuf_free(&b);
    return buf;
}

static void test_csv_cell_quotes_and_neutralises(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        { "plain_id-2", "plain_id-2" },
        { "", "" },
        { "Bolig \xc3\xa6ndring", "Bolig \xc3\xa6ndring" },
        { "a,b", "\"a,b\"" },
        { "a;b", "\"a;b\"" },
        { "say \"hi\"", "\"say \"\"hi\"\"\"" },
        { "two\nlines", "\"two\nlines\"" },
        { "cr\rx", "\"cr\rx\"" },
        { "=1+2", "\"'=1+2\"" },
        { "+1", "\"'+1\"" },
        { "-3", "\"'-3\"" },               /* a text cell, not a number */
        { "@SUM(A1)", "\"'@SUM(A1)\"" },
        { "\tx", "\"'\tx\"" },
        { "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = cell_text(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
    char *none = cell_text(NULL);
    assert_string_equal(none, "");
    free(none);
}

/* RFC 4180 reader for the checks below: rows of fields. */
struct csv { int n_rows; int n_fields[4096]; char *field[4096][16]; };

static void csv_parse(const char *s, struct csv *c)
{
    memset(c, 0, sizeof *c);
    char buf[4096];
    size_t n = 0;
    bool quoted = false, in_row = false;
    for (;; s++) {
        if (quoted) {
            assert_true(*s != '\0');                   /* a quote left open */
            if (*s == '"' && s[1] == '"') { buf[n++] = '"'; s++; }
            else if (*s == '"') quoted = false;
            else buf[n++] = *s;
            assert_true(n < sizeof buf);
            continue;
        }
        if (*s == '"' && n == 0) { quoted = true; in_row = true; continue; }
        if (*s == ',' || *s == '\n' || (*s == '\0' && in_row)) {
            assert_true(c->n_rows < 4096 && c->n_fields[c->n_rows] < 16);
            c->field[c->n_rows][c->n_fields[c->n_rows]++] = strndup(buf, n);
            n = 0;
            if (*s != ',') { c->n_rows++; in_row = false; }
            else in_row = true;
            if (*s == '\0') break;
            continue;
        }
        if (*s == '\0') break;
        buf[n++] = *s;
        in_row = true;
        assert_true(n < sizeof buf);
    }
}

static void csv_free(struct csv *c)
{
    for (int r = 0; r < c->n_rows; r++)
        for (int i = 0; i < c->n_fields[r]; i++) free(c->field[r][i]);
}

static bool is_number(const char *s)
{
    char *end;
    strtod(s, &end);
    return *s && !*end;
}

/* A scenario named like a spreadsheet formula with a comma, quotes and a
 * newline adds no row, no column and no formula to comparison.csv. */
static void test_hostile_name_in_comparison_csv(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char *small = tu_slurp("tests/data/small.cfg", NULL);
    assert_non_null(small);
    const char *line = "name = \"small\";";
    char *at = strstr(small, line);
    assert_non_null(at);
    static const char hostile_cfg[] = "name = \"=HYPERLINK(\\\"http://x\\\",\\\"y\\\"),1\\nfake,row\";";
    static const char hostile[] = "=HYPERLINK(\"http://x\",\"y\"),1\nfake,row";
    char *text = malloc(strlen(small) + sizeof hostile_cfg);
    assert_non_null(text);
    sprintf(text, "%.*s%s%s", (int)(at - small), small, hostile_cfg, at + strlen(line));
    tu_tmp_write(&t, "hostile.cfg", text);
    char args[512], path[256];
    snprintf(args, sizeof args, "compare tests/data/small.cfg %s/hostile.cfg -r 2 -q -o %s/cmp",
             t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(path, sizeof path, "%s/cmp/comparison.csv", t.dir);
    char *csv_text = tu_slurp(path, NULL);
    assert_non_null(csv_text);
    static struct csv c;
    csv_parse(csv_text, &c);
    assert_true(c.n_rows > 10);
    int hostile_rows = 0;
    for (int r = 0; r < c.n_rows; r++) {
        assert_int_equal(c.n_fields[r], 12);
        for (int i = 0; i < c.n_fields[r]; i++) {
            const char *v = c.field[r][i];
            if (strchr("=+-@\t\r", v[0]) && v[0]) assert_true(is_number(v));
        }
        if (r > 0) {
            assert_true(c.field[r][0][0] == '\'');
            assert_string_equal(c.field[r][0] + 1, hostile);
            hostile_rows++;
        }
    }
    assert_true(hostile_rows > 10);
    csv_free(&c);
    free(csv_text);
    free(text);
    free(small);
    tu_tmp_remove(&t);
}

/* ---- seeds ------------------------------------------------------------------ */

/* The digits after "seed": in a JSON file, as written. */
static char *seed_text(const char *path)
{
    char *text = tu_slurp(path, NULL);
    assert_non_null(text);
    char *at = strstr(text, "\"seed\":");
    assert_non_null(at);
    at += strlen("\"seed\":");
    at += strspn(at, " \t");
    char *seed = strndup(at, strspn(at, "0123456789"));
    free(text);
    return seed;
}

static void assert_same_bytes(const char *a, const char *b)
{
    size_t na, nb;
    char *x = tu_slurp(a, &na), *y = tu_slurp(b, &nb);
    assert_non_null(x);
    assert_non_null(y);
    assert_true(na == nb && memcmp(x, y, na) == 0);
    free(x);
    free(y);
}

/* -s above 2^53 comes back exactly, and a rerun from the recorded seed
 * gives the same bytes (summary.json, comparison.json). */
static void test_seed_round_trips(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512], a[256], b[256];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -s 9007199254740993 -o %s/a", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(a, sizeof a, "%s/a/summary.json", t.dir);
    char *seed = seed_text(a);
    assert_string_equal(seed, "9007199254740993");
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -s %s -o %s/b", seed, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(b, sizeof b, "%s/b/summary.json", t.dir);
    assert_same_bytes(a, b);
    free(seed);
    /* A neighbouring seed gives other results: the seed is really used. */
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -s 9007199254740992 -o %s/c", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(b, sizeof b, "%s/c/summary.json", t.dir);
    size_t na, nb;
    char *x = tu_slurp(a, &na), *y = tu_slurp(b, &nb);
    assert_false(na == nb && memcmp(x, y, na) == 0);
    free(x);
    free(y);

    snprintf(args, sizeof args, "compare tests/data/small.cfg tests/data/small.cfg -r 2 -q "
             "-s 18446744073709551615 -o %s/cmp1", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(a, sizeof a, "%s/cmp1/comparison.json", t.dir);
    seed = seed_text(a);
    assert_string_equal(seed, "18446744073709551615");
    snprintf(args, sizeof args, "compare tests/data/small.cfg tests/data/small.cfg -r 2 -q "
             "-s %s -o %s/cmp2", seed, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(b, sizeof b, "%s/cmp2/comparison.json", t.dir);
    assert_same_bytes(a, b);
    free(seed);
    tu_tmp_remove(&t);
}

int test_group_results(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_cell_quotes_and_neutralises),
        cmocka_unit_test(test_hostile_name_in_comparison_csv),
        cmocka_unit_test(test_seed_round_trips),
    };
    return RUN_GROUP(tests, n);
}
