/* test_panel.c: the RBS panel reader (panel.c). Good files in the forms a
 * real export takes (quotes, CRLF, a byte-order mark, columns in any order,
 * unknown columns, dates); bad rows table-driven, each with its exact
 * one-line message; --skip-bad-rows counting; and hostile bytes (a short
 * deterministic fuzz run that must never crash; run it under check-asan). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#include "analysis/panel.h"
#include "model/model.h"
#include "model/scenario.h"

/* tests/data/calib_rt.cfg: flow home (a, b, c, none), dimensions physical
 * and social, start 2010-01-01. */
static struct model *load_model(void)
{
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load("tests/data/calib_rt.cfg", &m, &e) != 0) fail_msg("%s", e.msg);
    return m;
}

static int parse(const struct model *m, const char *text, bool skip, struct panel *p,
                 struct err *e)
{
    struct panel_opts o = { .skip_bad_rows = skip };
    return panel_parse("p.csv", text, strlen(text), m, &o, p, e);
}

/* As parse, with every level, age and female column in use (as covariates
 * would): those columns are read and checked only then. */
static int parse_all(const struct model *m, const char *text, bool skip, struct panel *p,
                     struct err *e)
{
    struct panel_opts o = { .skip_bad_rows = skip, .need_age = true, .need_female = true };
    for (int d = 0; d < m->n_dims; d++) o.need_level[d] = true;
    return panel_parse("p.csv", text, strlen(text), m, &o, p, e);
}

static void test_good_forms(void **state)
{
    (void)state;
    struct model *m = load_model();
    /* BOM, CRLF, columns in another order, an unknown column with a quoted
     * comma and a quoted line break, quoted values, rows out of order, a
     * blank line, trailing spaces. */
    static const char text[] =
        "\xef\xbb\xbf" "note,social,home,t,id,physical,age,female\r\n"
        "\"x, y\",2,b,0.5,17,1,40.5,1\r\n"
        "plain,3,\"a\",0.0,17,1,40.0,1\r\n"
        "\r\n"
        "\"two\nlines\",0,none,1.25,\"id \"\"q\"\"\",4,33.3,0\r\n"
        "z,1,c ,0.75, 17,2,41.0,1\r\n";
    struct panel p;
    struct err e = { 0 };
    if (parse_all(m, text, false, &p, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(p.n_obs, 4);
    assert_int_equal(p.n_cit, 2);
    assert_int_equal(p.n_rows_read, 4);
    assert_false(p.time_from_date);
    assert_true(p.has_flow[0] && p.has_level[0] && p.has_level[1] && p.has_age && p.has_female);
    assert_string_equal(panel_citizen_id(&p, 0), "17");
    assert_string_equal(panel_citizen_id(&p, 1), "id \"q\"");
    /* Citizen 17: t = 0 (a), 0.5 (b), 0.75 (c), in that order. */
    assert_int_equal(p.cit_start[0], 0);
    assert_int_equal(p.cit_start[1], 3);
    assert_true(p.obs[0].t == 0.0 && p.obs[0].state[0] == 0 && p.obs[0].level[1] == 3);
    assert_true(p.obs[1].t == 0.5 && p.obs[1].state[0] == 1 && p.obs[1].age == 40.5);
    assert_true(p.obs[2].t == 0.75 && p.obs[2].state[0] == 2 && p.obs[2].female == 1);
    assert_int_equal(p.obs[2].line, 7);
    /* The quoted line break moves the line count on. */
    assert_true(p.obs[3].state[0] == 3 && p.obs[3].level[0] == 4 && p.obs[3].female == 0);
    assert_int_equal(p.obs[3].line, 5);
    panel_fini(&p);

    /* Dates instead of t: years since the scenario's start (2010-01-01). */
    static const char dated[] = "id,date,home\n1,2010-01-01,a\n1,2011-01-01,b\n1,2012-07-02,c\n";
    if (parse(m, dated, false, &p, &e) != 0) fail_msg("%s", e.msg);
    assert_true(p.time_from_date);
    assert_true(p.obs[0].t == 0.0);
    assert_true(fabs(p.obs[1].t - 365.0 / 365.25) < 1e-12);
    assert_true(fabs(p.obs[2].t - 913.0 / 365.25) < 1e-12);
    assert_false(p.has_age);
    assert_true(isnan(p.obs[0].age));
    assert_int_equal(p.obs[0].level[0], PANEL_MISSING);
    panel_fini(&p);

    /* With both, t wins and date is not read. */
    static const char both[] = "id,date,t,home\n1,not a date,0.5,a\n";
    if (parse(m, both, false, &p, &e) != 0) fail_msg("%s", e.msg);
    assert_true(p.obs[0].t == 0.5);
    panel_fini(&p);

    /* An empty value is missing where the column is not needed. */
    static const char gaps[] = "id,t,home,social,age\n1,0,a,,\n1,1,b,2,50\n";
    if (parse(m, gaps, false, &p, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(p.obs[0].level[1], PANEL_MISSING);
    assert_true(isnan(p.obs[0].age));
    panel_fini(&p);
    model_destroy(m);
}

/* flowsim's own panel, as `run` writes it, is read back unchanged. */
static void test_flowsim_form(void **state)
{
    (void)state;
    struct model *m = load_model();
    static const char text[] =
        "id,date,t,home,physical,social,age,female\n"
        "1,2010-01-01,0.000000,a,3,2,38.7271,0\n"
        "2,2010-01-01,0.000000,c,1,1,28.6817,1\n"
        "1,2010-07-02,0.500000,b,3,2,39.2271,0\n";
    struct panel p;
    struct err e = { 0 };
    if (parse_all(m, text, false, &p, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(p.n_obs, 3);
    assert_int_equal(p.n_cit, 2);
    assert_true(p.obs[1].t == 0.5 && p.obs[1].state[0] == 1);
    assert_true(p.obs[2].state[0] == 2 && p.obs[2].female == 1);
    panel_fini(&p);
    model_destroy(m);
}

struct bad_case {
    const char *row;        /* appended after GOOD (lines 1-3), so at line 4 */
    const char *message;
};

static const char GOOD[] = "id,t,home,physical,social,age,female\n"
                           "7,0.0,a,1,2,40,0\n"
                           "7,0.5,b,1,2,40.5,0\n";

static const struct bad_case BAD[] = {
    { "7,1.0,b,1,2,41\n", "p.csv:4: row: 6 fields, the header has 7" },
    { "7,1.0,b,1,2,41,0,9\n", "p.csv:4: row: 8 fields, the header has 7" },
    { "7,1.0,bb,1,2,41,0\n", "p.csv:4: home: no ring 'bb' in flow home (nor 'none')" },
    { "7,1.0,B,1,2,41,0\n", "p.csv:4: home: no ring 'B' in flow home (nor 'none')" },
    { "7,1.0,b,1,5,41,0\n", "p.csv:4: social: level must be a whole number 0..4 (got '5')" },
    { "7,1.0,b,-1,2,41,0\n", "p.csv:4: physical: level must be a whole number 0..4 (got '-1')" },
    { "7,1.0,b,1,2.0,41,0\n", "p.csv:4: social: level must be a whole number 0..4 (got '2.0')" },
    { "7,x,b,1,2,41,0\n", "p.csv:4: t: not a time in years ('x')" },
    { "7,nan,b,1,2,41,0\n", "p.csv:4: t: not a time in years ('nan')" },
    { "7,1e400,b,1,2,41,0\n", "p.csv:4: t: not a time in years ('1e400')" },
    { "7,,b,1,2,41,0\n", "p.csv:4: t: empty" },
    { ",1.0,b,1,2,41,0\n", "p.csv:4: id: empty" },
    { "7,1.0,b,1,2,-3,0\n", "p.csv:4: age: not an age in years 0..150 ('-3')" },
    { "7,1.0,b,1,2,41,2\n", "p.csv:4: female: must be 0 or 1 (got '2')" },
    { "7,1.0,b,1,2,41,\"0\"x\n", "p.csv:4: female: text after the closing quote" },
    { "7,1.0,\"b,1,2,41,0\n", "p.csv:4: home: a quote is never closed" },
    { "7,0.5,b,1,2,41,0\n", "p.csv:4: t: citizen 7 is measured twice at one time (lines 3 and 4)" },
    { "7,1.0,\xff\xfe,1,2,41,0\n", "p.csv:4: home: no ring '\\xff\\xfe' in flow home (nor 'none')" },
    { "7,1.0,b\\,1,2,41,0\n", "p.csv:4: home: no ring 'b\\x5c' in flow home (nor 'none')" },
};

static void test_bad_rows(void **state)
{
    (void)state;
    struct model *m = load_model();
    char text[512];
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        snprintf(text, sizeof text, "%s%s", GOOD, BAD[i].row);
        struct panel p;
        struct err e = { 0 };
        if (parse_all(m, text, false, &p, &e) == 0) fail_msg("case %zu accepted: %s", i, BAD[i].row);
        assert_int_equal(e.status, EXIT_INPUT);
        if (strcmp(e.msg, BAD[i].message) != 0)
            fail_msg("case %zu:\n  got  %s\n  want %s", i, e.msg, BAD[i].message);
        assert_null(p.obs);
        /* The same row is skipped and counted with skip_bad_rows. */
        if (parse_all(m, text, true, &p, &e) != 0) fail_msg("case %zu skipping: %s", i, e.msg);
        assert_int_equal(p.n_bad, 1);
        assert_int_equal(p.n_obs, 2);
        assert_string_equal(p.bad_msg[0], BAD[i].message);
        panel_fini(&p);
    }
    model_destroy(m);
}

/* Bytes a text API would stop at: a NUL inside a used field is an error,
 * one inside an ignored column is data; an overlong used field is an error. */
static void test_hostile_fields(void **state)
{
    (void)state;
    struct model *m = load_model();
    struct panel p;
    struct err e = { 0 };
    struct panel_opts o = { 0 };
    static const char nul_used[] = "id,t,home\n1,0,a\n1,1,b\0x\n";
    assert_int_equal(panel_parse("p.csv", nul_used, sizeof nul_used - 1, m, &o, &p, &e), -1);
    assert_string_equal(e.msg, "p.csv:3: home: contains a NUL byte");
    static const char nul_ignored[] = "id,t,home,x\n1,0,a,\0\0\n1,1,b,q\n";
    if (panel_parse("p.csv", nul_ignored, sizeof nul_ignored - 1, m, &o, &p, &e) != 0)
        fail_msg("%s", e.msg);
    assert_int_equal(p.n_obs, 2);
    panel_fini(&p);

    char *big = malloc(4096);
    assert_non_null(big);
    int n = snprintf(big, 4096, "id,t,home\n1,0,a\n%0300d,1,b\n", 7);
    assert_int_equal(panel_parse("p.csv", big, (size_t)n, m, &o, &p, &e), -1);
    assert_string_equal(e.msg, "p.csv:3: id: longer than 256 bytes");
    n = snprintf(big, 4096, "id,t,home\n1,0,a\n\"%0300d\",1,b\n", 7);
    assert_int_equal(panel_parse("p.csv", big, (size_t)n, m, &o, &p, &e), -1);
    assert_string_equal(e.msg, "p.csv:3: id: longer than 256 bytes");
    /* A long field in an ignored column is fine. */
    n = snprintf(big, 4096, "id,t,home,x\n1,0,a,%03000d\n", 1);
    if (panel_parse("p.csv", big, (size_t)n, m, &o, &p, &e) != 0) fail_msg("%s", e.msg);
    panel_fini(&p);
    free(big);
    /* No final line end; a lone CR inside a field is data. */
    static const char no_eol[] = "id,t,home\r\n1,0,a\r\n1,1,b";
    if (parse(m, no_eol, false, &p, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(p.n_obs, 2);
    panel_fini(&p);
    static const char cr_inside[] = "id,t,home\n1,0,a\rb\n";
    assert_int_equal(parse(m, cr_inside, false, &p, &e), -1);
    assert_string_equal(e.msg, "p.csv:2: home: no ring 'a\\x0db' in flow home (nor 'none')");
    model_destroy(m);
}

static void test_bad_headers(void **state)
{
    (void)state;
    struct model *m = load_model();
    static const struct bad_case H[] = {
        { "", "p.csv:1: header: the file is empty (a header line is needed)" },
        { "\n\n  \n", "p.csv:1: header: the file is empty (a header line is needed)" },
        { "t,home\n0,a\n", "p.csv:1: header: no column 'id' (name the citizen column with --id COLUMN)" },
        { "id;t;home\n1;0;a\n", "p.csv:1: header: no column 'id' (fields must be separated by ',', not ';')" },
        { "id,home\n1,a\n", "p.csv:1: header: no column 't' or 'date' (the time of each measurement)" },
        { "id,t,work\n1,0,a\n", "p.csv:1: header: no column named after a flow of the scenario (home)" },
        { "id,t,home,ID\n1,0,a,2\n", "p.csv:1: header: column 'ID' appears twice (fields 1 and 4)" },
        { "id,t,home\n", "p.csv:2: rows: no measurements after the header" },
        { "\"id,t,home\n", "p.csv:1: header: a quote is never closed" },
    };
    for (size_t i = 0; i < sizeof H / sizeof H[0]; i++) {
        struct panel p;
        struct err e = { 0 };
        assert_int_equal(parse(m, H[i].row, true, &p, &e), -1);
        if (strcmp(e.msg, H[i].message) != 0)
            fail_msg("case %zu:\n  got  %s\n  want %s", i, e.msg, H[i].message);
    }
    /* Covariates need their columns. */
    struct panel p;
    struct err e = { 0 };
    struct panel_opts o = { .need_age = true };
    static const char text[] = "id,t,home\n1,0,a\n";
    assert_int_equal(panel_parse("p.csv", text, strlen(text), m, &o, &p, &e), -1);
    assert_string_equal(e.msg, "p.csv:1: header: no column 'age' (needed by --covariates)");
    /* ... and then an empty value there is an error, not missing. */
    static const char gap[] = "id,t,home,age\n1,0,a,\n";
    assert_int_equal(panel_parse("p.csv", gap, strlen(gap), m, &o, &p, &e), -1);
    assert_string_equal(e.msg, "p.csv:2: age: empty");
    /* Every row bad while skipping: still an error, with the count. */
    static const char all_bad[] = "id,t,home\n1,0,q\n1,1,r\n";
    assert_int_equal(parse(m, all_bad, true, &p, &e), -1);
    assert_string_equal(e.msg, "p.csv: rows: no usable row (2 skipped as malformed; first: "
                               "p.csv:2: home: no ring 'q' in flow home (nor 'none'))");
    model_destroy(m);
}

static void test_skip_counts(void **state)
{
    (void)state;
    struct model *m = load_model();
    char text[2048];
    size_t n = (size_t)snprintf(text, sizeof text, "%s", GOOD);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s", BAD[i].row);
    n += (size_t)snprintf(text + n, sizeof text - n, "8,3.0,c,0,0,50,1\n");
    struct panel p;
    struct err e = { 0 };
    /* The unclosed quote swallows the rest of the file (RFC 4180), so what
     * follows it is one bad row. */
    if (parse_all(m, text, true, &p, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(p.n_obs, 2);
    assert_int_equal(p.n_bad, 16);
    assert_int_equal(p.n_bad_shown, PANEL_BAD_SHOWN);
    panel_fini(&p);
    model_destroy(m);
}

/* A deterministic fuzz run: mutated panels and random bytes. Results do not
 * matter; the reader must return (0 or -1 with a message) and leak nothing. */
static void test_fuzz(void **state)
{
    (void)state;
    struct model *m = load_model();
    static const char seed_text[] =
        "id,date,t,home,physical,social,age,female\n"
        "1,2010-01-01,0.000000,a,3,2,38.7271,0\n"
        "\"2\",2010-01-01,0.000000,\"c\",1,1,28.6817,1\r\n"
        "1,2010-07-02,0.500000,b,3,2,39.2271,0\n";
    static const char alphabet[] = ",\"\r\n\0 ab9-.;\xff";
    uint64_t x = 0x2545F4914F6CDD1Dull;
    char buf[512];
    for (int it = 0; it < 4000; it++) {
        size_t n;
        if (it % 4 == 3) {             /* random bytes */
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            n = x % sizeof buf;
            for (size_t i = 0; i < n; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                buf[i] = (x & 1) ? (char)(x >> 8) : alphabet[(x >> 8) % (sizeof alphabet - 1)];
            }
        } else {                       /* a few mutations of a good file */
            n = sizeof seed_text - 1;
            memcpy(buf, seed_text, n);
            for (int k = 0; k < 1 + it % 5; k++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                size_t at = (size_t)(x % n);
                int op = (int)((x >> 20) % 3);
                char c = alphabet[(x >> 32) % (sizeof alphabet - 1)];
                if (op == 0) buf[at] = c;
                else if (op == 1 && n + 1 < sizeof buf) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = c;
                    n++;
                } else if (n > 1) {
                    memmove(buf + at, buf + at + 1, n - at - 1);
                    n--;
                }
            }
        }
        struct panel p;
        struct err e = { 0 };
        struct panel_opts o = { .skip_bad_rows = (it & 8) != 0 };
        int rc = panel_parse("f.csv", buf, n, m, &o, &p, &e);
        if (rc == 0) {
            assert_true(p.n_obs > 0);
            for (size_t c = 0; c < p.n_cit; c++)
                for (size_t i = p.cit_start[c] + 1; i < p.cit_start[c + 1]; i++)
                    assert_true(p.obs[i - 1].t < p.obs[i].t);
            panel_fini(&p);
        } else {
            assert_true(e.status == EXIT_INPUT);
            assert_null(strchr(e.msg, '\n'));
        }
    }
    model_destroy(m);
}

/* Level, age and female columns that no covariate uses are not read, so
 * an export's blanks and codes there do not stop a fit. */
static void test_unused_columns_not_checked(void **state)
{
    (void)state;
    struct model *m = load_model();
    static const char text[] = "id,t,home,physical,social,age,female\n"
                               "7,0.0,a,x,9,old,F\n"
                               "7,0.5,b,,,,\n";
    struct panel p;
    struct err e = { 0 };
    if (parse(m, text, false, &p, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(p.n_obs, 2);
    panel_fini(&p);
    /* The same column in use is checked. */
    struct panel_opts o = { .need_female = true };
    assert_int_equal(panel_parse("p.csv", text, strlen(text), m, &o, &p, &e), -1);
    assert_string_equal(e.msg, "p.csv:2: female: must be 0 or 1 (got 'F')");
    model_destroy(m);
}

int test_group_panel(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unused_columns_not_checked),
        cmocka_unit_test(test_good_forms),   cmocka_unit_test(test_flowsim_form),
        cmocka_unit_test(test_bad_rows),     cmocka_unit_test(test_hostile_fields),
        cmocka_unit_test(test_bad_headers),  cmocka_unit_test(test_skip_counts),
        cmocka_unit_test(test_fuzz),
    };
    return RUN_GROUP(tests, n);
}
