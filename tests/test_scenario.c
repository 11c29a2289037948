/* test_scenario.c: the loader (scenario.c), variants and the model's small
 * functions (model.c). Bad input is table-driven: each case edits one line
 * of a minimal valid scenario and expects the exact one-line message. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"

#include <sha2.h>

#include "base/suggest.h"
#include "model/model.h"
#include "model/keys.h"
#include "model/scenario.h"
#include "model/setpath.h"
#include "engine/rngs.h"

/* cmocka 1.1.5 compares floats only as float: compare doubles here. */
static void near_at(double got, double want, double tol, const char *expr, const char *file,
                    int line)
{
    if (fabs(got - want) <= tol) return;
    print_error("%s = %.17g, expected %.17g (tolerance %g)\n", expr, got, want, tol);
    _fail(file, line);
}
#define assert_near(got, want, tol) near_at((got), (want), (tol), #got, __FILE__, __LINE__)

/* A minimal valid scenario; the bad-input cases below name its lines. */
static const char BASE[] =
    "name = \"tiny\";\n"                                                     /* 1 */
    "description = \"minimal valid scenario for bad-input tests\";\n"       /* 2 */
    "simulation = {\n"                                                       /* 3 */
    "  start_date = \"2013-03-07\";\n"                                       /* 4 */
    "  years = 4.5;\n"                                                       /* 5 */
    "  warmup_years = 0.5;\n"                                                /* 6 */
    "  replications = 3;\n"                                                  /* 7 */
    "  seed = 41L;\n"                                                        /* 8 */
    "};\n"                                                                   /* 9 */
    "dimensions = [ \"physical\", \"social\" ];\n"                           /* 10 */
    "population = {\n"                                                       /* 11 */
    "  initial = 37;\n"                                                      /* 12 */
    "  age = { min = 18.0; max = 66.0; mean = 41.3; sd = 12.7; };\n"         /* 13 */
    "  female_share = 0.47;\n"                                               /* 14 */
    "  arrivals_per_year = 11.3;\n"                                          /* 15 */
    "  arrival_age = { min = 18.0; max = 66.0; mean = 26.1; sd = 9.2; };\n"  /* 16 */
    "  arrival_mean_level = 1.9;\n"                                          /* 17 */
    "  work_participation = 0.53;\n"                                         /* 18 */
    "  mortality = { a = 0.00004; b = 0.087; ratio = 2.3; };\n"              /* 19 */
    "  retirement_age = 66.0;\n"                                             /* 20 */
    "  other_exit_per_year = 0.031;\n"                                       /* 21 */
    "};\n"                                                                   /* 22 */
    "visitation = {\n"                                                       /* 23 */
    "  caseworkers = 3;\n"                                                   /* 24 */
    "  assessment_days = { mean = 41.0; sd = 13.0; };\n"                     /* 25 */
    "};\n"                                                                   /* 26 */
    "flows = (\n"                                                            /* 27 */
    "  { id = \"home\"; name = \"Home\";\n"                                  /* 28 */
    "    rings = (\n"                                                        /* 29 */
    "      { id = \"inner\"; name = \"Inner\";\n"                            /* 30 */
    "        capacity = 7;\n"                                                /* 31 */
    "        initial = 5;\n"                                                 /* 32 */
    "        citizen_cost_per_year = 123456.0;\n"                            /* 33 */
    "        need = [2.5, 4.0];\n"                                           /* 34 */
    "        initial_mean_level = 2.9;\n"                                    /* 35 */
    "        improve_per_year = 0.07;\n"                                     /* 36 */
    "        worsen_per_year = 0.03; },\n"                                   /* 37 */
    "      { id = \"outer\"; name = \"Outer\";\n"                            /* 38 */
    "        capacity = 0;\n"                                                /* 39 */
    "        initial = 11;\n"                                                /* 40 */
    "        hours_per_week = 3.0;\n"                                        /* 41 */
    "        cost_per_hour = 380.0;\n"                                       /* 42 */
    "        need = [0.0, 2.5];\n"                                           /* 43 */
    "        initial_mean_level = 1.3;\n"                                    /* 44 */
    "        improve_per_year = 0.05;\n"                                     /* 45 */
    "        worsen_per_year = 0.02; }\n"                                    /* 46 */
    "    ); }\n"                                                             /* 47 */
    ");\n"                                                                   /* 48 */
    "transitions = (\n"                                                      /* 49 */
    "  { flow = \"home\"; from = \"inner\"; to = \"outer\"; per_year = 0.21; },\n" /* 50 */
    "  { flow = \"home\"; from = \"outer\"; to = \"none\"; per_year = 0.13;\n"     /* 51 */
    "    effects = { social = -0.3; age = 0.1; }; }\n"                       /* 52 */
    ");\n";                                                                  /* 53 */

/* A flow with one ring over the whole need scale, for the flow-count limit. */
#define ONE_RING_FLOW(ID) \
    "  { id = \"" ID "\"; name = \"F\"; rings = ( { id = \"r\"; name = \"R\"; capacity = 0;" \
    " initial = 0; citizen_cost_per_year = 1.0; need = [0.0, 4.0]; initial_mean_level = 1.0;" \
    " improve_per_year = 0.0; worsen_per_year = 0.0; } ); }"

struct tmp { char dir[64]; };

static int tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);
    if (!t) return -1;
    strcpy(t->dir, "/tmp/flowsim-scenario-XXXXXX");
    if (!mkdtemp(t->dir)) { free(t); return -1; }
    *state = t;
    return 0;
}

/* Removes the files the tests may have written, then the directory. */
static int tmp_teardown(void **state)
{
    static const char *const names[] = { "s.cfg", "base.cfg", "v.cfg", "mid.cfg", "top.cfg",
                                         "a.cfg", "b.cfg", "self.cfg", "frag.cfg",
                                         "trans.cfg", "sub/frag.cfg", "sub/trans.cfg", "sub",
                                         NULL };
    struct tmp *t = *state;
    char path[128];
    for (int i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", t->dir, names[i]);
        if (unlink(path) != 0) rmdir(path);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void path_in(const struct tmp *t, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", t->dir, name);
}

/* text with its single occurrence of old replaced by new (caller frees). */
static char *replace_once(const char *text, const char *old, const char *new_text)
{
    const char *at = strstr(text, old);
    assert_non_null(at);
    assert_null(strstr(at + 1, old));     /* the edit must be unambiguous */
    size_t n = strlen(text) - strlen(old) + strlen(new_text) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    size_t pre = (size_t)(at - text);
    memcpy(out, text, pre);
    strcpy(out + pre, new_text);
    strcat(out, at + strlen(old));
    return out;
}

static struct model *load_ok(const char *path)
{
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load(path, &m, &e) != 0) fail_msg("%s", e.msg);
    assert_non_null(m);
    return m;
}

/* Loads path, expecting failure (status 2, no model) with exactly want. */
static void expect_msg(const char *path, const char *want)
{
    struct model *m = (struct model *)&m;     /* must be reset to NULL */
    struct err e = { 0 };
    int rc = scenario_load(path, &m, &e);
    if (rc == 0) {
        model_destroy(m);
        fail_msg("loaded, expected: %s", want);
    }
    assert_null(m);
    assert_int_equal(e.status, EXIT_INPUT);
    assert_string_equal(e.msg, want);
}

/* The same with want = fmt, where the first %s is path and a second %s the
 * directory of the test's files. */
static void expect_error(const char *path, const char *dir, const char *fmt)
{
    char want[1024];
    snprintf(want, sizeof want, fmt, path, dir);
    expect_msg(path, want);
}

static struct model *load_text(const struct tmp *t, const char *text)
{
    char path[128];
    path_in(t, "s.cfg", path, sizeof path);
    write_file(path, text);
    return load_ok(path);
}

/* ---- the shipped scenario ---- */

static const struct flow *flow_by_id(const struct model *m, const char *id)
{
    for (int f = 0; f < m->n_flows; f++)
        if (strcmp(m->flows[f].id, id) == 0) return &m->flows[f];
    fail_msg("no flow %s", id);
    return NULL;
}

static int ring_index(const struct flow *fl, const char *id)
{
    for (int r = 0; r < fl->n_rings; r++)
        if (strcmp(fl->rings[r].id, id) == 0) return r;
    return fl->n_rings;
}

static void test_esbjerg_loads(void **state)
{
    (void)state;
    struct model *m = load_ok("scenarios/esbjerg.cfg");
    assert_string_equal(m->name, "esbjerg-baseline");
    assert_int_equal(m->n_flows, 2);
    const struct flow *home = flow_by_id(m, "home"), *work = flow_by_id(m, "work");
    assert_int_equal(home->n_rings + work->n_rings, 10);
    assert_int_equal(m->initial, 2670);
    assert_int_equal(m->n_transitions, 29);
    assert_int_equal(m->seed, 20120518);
    assert_int_equal(m->replications, 100);
    assert_int_equal(m->caseworkers, 24);
    assert_int_equal(m->n_dims, 3);
    assert_string_equal(m->start_date, "2012-01-01");
    assert_string_equal(m->out_dir, "output/esbjerg-baseline");
    assert_true(m->waiting_list == WL_FIFO && m->interim == INTERIM_STAY &&
                m->reassess == REASSESS_RECORD && m->budget_rule == BUDGET_REPORT);
    assert_near(m->arrivals_per_year, 107.0, 0.0);
    assert_near(m->other_exit_per_year, 0.028, 0.0);

    const struct ring *sel108 = &home->rings[0];
    assert_string_equal(sel108->id, "sel108");
    assert_string_equal(sel108->name, "Særligt struktureret botilbud");
    assert_string_equal(sel108->law, "SEL §108");
    assert_int_equal(sel108->capacity, 210);
    assert_near(sel108->place_cost_per_year, 500000.0, 0.0);
    assert_near(sel108->variable_cost_per_year, 215000.0, 0.0);
    const struct ring *sel85 = &home->rings[ring_index(home, "sel85")];
    assert_near(sel85->variable_cost_per_year, 3.0 * 380.0 * 52.18, 1e-9);
    assert_near(home->rings[ring_index(home, "sel107")].max_stay_years, 3.0, 0.0);
    assert_false(home->rings[ring_index(home, "kraftcenter")].referral);
    assert_int_equal(home->rings[ring_index(home, "kraftcenter")].capacity, 0);
    assert_near(home->none_initial_mean_level, 1.4, 0.0);
    assert_near(work->none_initial_mean_level, 2.0, 0.0);  /* arrival level */
    assert_near(work->none_worsen_per_year, 0.01, 0.0);
    /* 210*500k + 130*530k + 420*100k + 200*80k + 40*75k + 80*60k */
    assert_near(model_fixed_cost_per_year(m), 239700000.0, 1e-6);

    /* Move index: out of home sel85 there are 5 moves, out of home none 2,
     * out of work none none; every entry sits under its own state. */
    int s85 = ring_index(home, "sel85");
    assert_int_equal(home->move_start[s85 + 1] - home->move_start[s85], 5);
    assert_int_equal(home->move_start[home->n_rings + 1] - home->move_start[home->n_rings], 2);
    assert_int_equal(work->move_start[work->n_rings + 1] - work->move_start[work->n_rings], 0);
    assert_int_equal(work->move_start[work->n_rings + 1], m->n_transitions);
    for (int f = 0; f < m->n_flows; f++)
        for (int s = 0; s <= m->flows[f].n_rings; s++)
            for (int i = m->flows[f].move_start[s]; i < m->flows[f].move_start[s + 1]; i++) {
                assert_int_equal(m->moves[i].flow, f);
                assert_int_equal(m->moves[i].from, s);
            }
    /* Stable: sel85's moves in file order (sel104 first, sel108 last). */
    assert_int_equal(m->moves[home->move_start[s85]].to, ring_index(home, "sel104"));
    assert_int_equal(m->moves[home->move_start[s85 + 1] - 1].to, ring_index(home, "sel108"));

    const struct transition *t0 = &m->transitions[0];    /* sel108 -> sel107, outward */
    assert_true(t0->has_effects);
    assert_near(t0->beta[2], -0.25, 0.0);      /* social is dimension 2 */
    assert_near(t0->beta[0], -0.15, 0.0);
    assert_near(t0->beta[1], -0.10, 0.0);
    assert_near(t0->beta[COV_AGE], 0.0, 0.0);
    model_destroy(m);
}

static void test_small_fixture(void **state)
{
    (void)state;
    struct model *m = load_ok("tests/data/small.cfg");
    assert_int_equal(m->seed, 918273645);
    assert_int_equal(m->threads, 2);
    assert_near(m->discount_rate, 0.03, 0.0);
    assert_near(m->rbs_interval_months, 4.5, 0.0);
    assert_int_equal(m->n_arrivals_by_year, 3);
    assert_near(m->arrivals_by_year[1], 17.25, 0.0);
    assert_true(m->waiting_list == WL_NEED && m->interim == INTERIM_OUTER &&
                m->reassess == REASSESS_REPLACE && m->budget_rule == BUDGET_FREEZE);
    assert_near(m->budget_annual, 4750000.0, 0.0);
    assert_string_equal(m->lang, "da");
    assert_true(m->out_events && m->out_rbs_panel && !m->out_plots);
    const struct transition *t0 = &m->transitions[0];
    assert_near(t0->beta[COV_AGE], -0.05, 0.0);
    assert_near(t0->beta[COV_FEMALE], 0.125, 0.0);
    assert_false(m->transitions[3].has_effects);
    assert_near(m->flows[0].rings[2].variable_cost_per_year, 2.5 * 395.0 * 52.18, 1e-9);
    assert_int_equal(strlen(m->sha256), 64);
    model_destroy(m);
}

static void test_defaults(void **state)
{
    struct model *m = load_text(*state, BASE);
    assert_near(m->snapshot_months, 1.0, 0.0);
    assert_near(m->rbs_interval_months, 6.0, 0.0);
    assert_int_equal(m->threads, 0);
    assert_true(m->waiting_list == WL_FIFO && m->interim == INTERIM_STAY &&
                m->reassess == REASSESS_RECORD && m->budget_rule == BUDGET_REPORT);
    assert_near(m->budget_annual, 0.0, 0.0);
    assert_false(m->out_events);
    assert_true(m->out_rbs_panel && m->out_plots);
    assert_string_equal(m->lang, "en");
    assert_string_equal(m->out_dir, "output/tiny");
    const struct ring *inner = &m->flows[0].rings[0];
    assert_string_equal(inner->law, "");
    assert_true(inner->referral);
    assert_near(inner->place_cost_per_year, 0.0, 0.0);
    assert_near(inner->max_stay_years, 0.0, 0.0);
    assert_int_equal(inner->line, 30);
    assert_near(m->flows[0].none_initial_mean_level, 1.9, 0.0);
    assert_int_equal(m->transitions[1].line, 51);
    model_destroy(m);
}

/* ---- the model's small functions ---- */

static void test_band_ring(void **state)
{
    (void)state;
    struct model *m = load_ok("scenarios/esbjerg.cfg");
    const struct flow *home = flow_by_id(m, "home");
    assert_int_equal(model_band_ring(home, 4.0), 0);          /* top band holds 4 */
    assert_int_equal(model_band_ring(home, 11.0 / 3.0), 0);
    assert_int_equal(model_band_ring(home, 2.8), 0);          /* lo is inside */
    assert_int_equal(model_band_ring(home, 2.8 - 1e-9), 1);   /* hi is outside */
    assert_int_equal(model_band_ring(home, 7.0 / 3.0), 1);
    assert_int_equal(model_band_ring(home, 2.2 - 1e-9), 2);
    assert_int_equal(model_band_ring(home, 5.0 / 3.0), 2);
    assert_int_equal(model_band_ring(home, 1.0), 3);
    assert_int_equal(model_band_ring(home, 0.8 - 1e-9), 4);
    assert_int_equal(model_band_ring(home, 0.0), 4);
    assert_int_equal(model_band_ring(home, 4.0 + 1e-9), home->n_rings);  /* no ring */

    /* Overlapping bands: the outermost ring that holds the score wins. */
    struct ring rings[2] = { { .need_lo = 1.5, .need_hi = 4.0 }, { .need_lo = 0.0, .need_hi = 2.5 } };
    struct flow f = { .n_rings = 2, .rings = rings };
    assert_int_equal(model_band_ring(&f, 2.0), 1);
    assert_int_equal(model_band_ring(&f, 2.5), 0);
    assert_int_equal(model_band_ring(&f, 1.25), 1);
    assert_string_equal(model_state_id(home, 0), "sel108");
    assert_string_equal(model_state_id(home, home->n_rings), "none");
    model_destroy(m);
}

static void test_need_score(void **state)
{
    (void)state;
    struct model m = { .n_dims = 3 };
    const uint8_t a[3] = { 3, 2, 4 }, b[3] = { 1, 0, 1 };
    assert_near(model_need_score(&m, a), 3.0, 0.0);
    assert_near(model_need_score(&m, b), 2.0 / 3.0, 1e-15);
    m.n_dims = 2;
    assert_near(model_need_score(&m, a), 2.5, 0.0);
}

static void test_calendar(void **state)
{
    struct model *m = load_ok("scenarios/esbjerg.cfg");      /* starts 2012-01-01 */
    assert_int_equal(model_year_of(m, 0.0), 2012);
    assert_near(model_year_start_t(m, 2012), 0.0, 0.0);
    double t13 = model_year_start_t(m, 2013);
    assert_near(t13, 366.0 / 365.25, 1e-12);           /* 2012 is a leap year */
    assert_int_equal(model_year_of(m, t13), 2013);
    assert_int_equal(model_year_of(m, t13 - 1e-9), 2012);
    assert_int_equal(model_year_of(m, 9.999), 2021);
    for (int y = 2012; y <= 2040; y++) assert_int_equal(model_year_of(m, model_year_start_t(m, y)), y);
    model_destroy(m);

    m = load_text(*state, BASE);                              /* starts 2013-03-07 */
    assert_near(model_year_start_t(m, 2013), -65.0 / 365.25, 1e-12);
    assert_near(model_year_start_t(m, 2014), 300.0 / 365.25, 1e-12);
    assert_int_equal(model_year_of(m, 0.0), 2013);
    assert_int_equal(model_year_of(m, 300.0 / 365.25), 2014);
    model_destroy(m);
}

static void test_arrival_rate(void **state)
{
    char *text = replace_once(BASE, "arrivals_per_year = 11.3;",
                              "arrivals_by_year = [ 9.5, 12.25, 15.75 ];");
    struct model *m = load_text(*state, text);
    free(text);
    double t14 = model_year_start_t(m, 2014);
    assert_near(model_arrival_rate(m, 0.0), 9.5, 0.0);
    assert_near(model_arrival_rate(m, t14 - 1e-9), 9.5, 0.0);
    assert_near(model_arrival_rate(m, t14), 12.25, 0.0);
    assert_near(model_arrival_rate(m, 2.5), 15.75, 0.0);    /* 2015 */
    assert_near(model_arrival_rate(m, 17.0), 15.75, 0.0);   /* the last continues */
    model_destroy(m);

    m = load_text(*state, BASE);
    assert_near(model_arrival_rate(m, 3.3), 11.3, 0.0);
    model_destroy(m);
}

static void test_print_table(void **state)
{
    (void)state;
    struct model *m = load_ok("scenarios/esbjerg.cfg");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    model_print_table(m, out);
    assert_int_equal(fclose(out), 0);
    assert_non_null(strstr(buf, "esbjerg-baseline"));
    assert_non_null(strstr(buf, "239,700,000 DKK"));
    assert_non_null(strstr(buf, "unlimited"));
    /* Band bounds in one format; the top band is closed. */
    assert_non_null(strstr(buf, "[2.8, 4]"));
    assert_non_null(strstr(buf, "[2.2, 2.8)"));
    assert_null(strstr(buf, "4.0]"));
    /* Transitions with index, name and rate. */
    assert_non_null(strstr(buf, "     2  home:sel107->sel85                       0.07"));
    assert_non_null(strstr(buf, "fixed place costs are 61 % of that cost"));
    assert_non_null(strstr(buf, "sel85: 3 h/wk x 380 DKK/h"));
    assert_non_null(strstr(buf, "Træningsfællesskab"));
    /* the `none` rows count who is outside each flow at the start */
    int home_none = 0, work_none = 0;
    const char *row = strstr(buf, "\n  none ");
    assert_non_null(row);
    assert_int_equal(sscanf(row, " none %d", &home_none), 1);
    row = strstr(row + 1, "\n  none ");
    assert_non_null(row);
    assert_int_equal(sscanf(row, " none %d", &work_none), 1);
    assert_int_equal(home_none, 940);
    assert_int_equal(work_none, 2105);
    free(buf);
    model_destroy(m);

    /* A budget below the cost at the initial occupancy, and what a variant
     * changes relative to its base. */
    struct model *v = load_ok("scenarios/budget-cut-freeze.cfg");
    m = load_ok("scenarios/esbjerg.cfg");
    assert_non_null(v->base_path);
    out = open_memstream(&buf, &len);
    assert_non_null(out);
    model_print_table(v, out);
    setpath_print_changes(m, v, out);
    assert_int_equal(fclose(out), 0);
    assert_non_null(strstr(buf, "budget 372,300,000 DKK a year is 5.1 % below the cost at the "
                                "initial occupancy"));
    assert_non_null(strstr(buf, "budget.annual"));
    assert_non_null(strstr(buf, "0 -> 3.723e+08"));
    assert_null(strstr(buf, "sel108.capacity"));  /* unchanged settings are not listed */
    assert_non_null(strstr(buf, "budget.rule"));
    assert_non_null(strstr(buf, "\"report\" -> \"freeze\""));
    free(buf);
    model_destroy(v);
    model_destroy(m);
}

/* ---- bad input ---- */

struct bad { const char *old, *new_text, *msg; };

static const struct bad bad_cases[] = {
    { "replications = 3;", "replicatons = 3;",
      "%s:7: simulation.replicatons: unknown key (did you mean 'replications'?)" },
    { "description =", "descripton =",
      "%s:2: descripton: unknown key (did you mean 'description'?)" },
    { "capacity = 7;", "capacty = 7;",
      "%s:31: flows.home.rings.inner.capacty: unknown key (did you mean 'capacity'?)" },
    { "retirement_age = 66.0;", "retirement_age = 66.0; zebra = 1;",
      "%s:20: population.zebra: unknown key" },
    { "social = -0.3;", "socail = -0.3;",
      "%s:52: transitions[1].effects.socail: unknown key (did you mean 'social'?)" },
    { "  female_share = 0.47;\n", "\n",
      "%s:11: population.female_share: required key is missing" },
    { "name = \"tiny\";", "", "%s: name: required key is missing" },
    { "  arrivals_per_year = 11.3;\n", "\n",
      "%s:11: population.arrivals_per_year: required key is missing (or give arrivals_by_year)" },
    { "arrivals_per_year = 11.3;", "arrivals_per_year = 11.3; arrivals_by_year = [ 9.0 ];",
      "%s:15: population.arrivals_by_year: give arrivals_per_year or arrivals_by_year, not both" },
    { "        cost_per_hour = 380.0;\n", "\n",
      "%s:38: flows.home.rings.outer.cost_per_hour: required key is missing (hourly pricing "
      "needs hours_per_week and cost_per_hour)" },
    { "        citizen_cost_per_year = 123456.0;\n", "\n",
      "%s:30: flows.home.rings.inner.citizen_cost_per_year: required key is missing (or give "
      "hours_per_week and cost_per_hour)" },
    { "years = 4.5;", "years = \"4.5\";", "%s:5: simulation.years: must be a number (got a string)" },
    { "capacity = 7;", "capacity = 7.5;",
      "%s:31: flows.home.rings.inner.capacity: must be a whole number (got 7.5)" },
    { "caseworkers = 3;", "caseworkers = 3; reassess = \"replce\";",
      "%s:24: visitation.reassess: must be one of \"record\", \"replace\" (got \"replce\") "
      "(did you mean 'replace'?)" },
    { "{ id = \"outer\"; name = \"Outer\";", "{ id = \"inner\"; name = \"Outer\";",
      "%s:38: flows.home.rings.inner.id: ring id \"inner\" is used twice in flow home (first "
      "at line 30)" },
    { "    ); }\n);", "    ); },\n" ONE_RING_FLOW("home") "\n);",
      "%s:48: flows.home.id: flow id \"home\" is used twice" },
    { "{ id = \"inner\"; name", "{ id = \"none\"; name",
      "%s:30: flows.home.rings.none.id: \"none\" is reserved for outside the flow" },
    { "{ id = \"home\";", "{ id = \"ho.me\";",
      "%s:28: flows[0].id: must be a name of letters, digits, '_' and '-' that starts with a "
      "letter (got \"ho.me\")" },
    { "flow = \"home\"; from = \"inner\"", "flow = \"hom\"; from = \"inner\"",
      "%s:50: transitions[0].flow: no flow \"hom\" (did you mean 'home'?)" },
    { "to = \"outer\"; per_year = 0.21", "to = \"outr\"; per_year = 0.21",
      "%s:50: transitions[0].to: no ring \"outr\" in flow home (did you mean 'outer'?)" },
    { "to = \"outer\"; per_year = 0.21", "to = \"inner\"; per_year = 0.21",
      "%s:50: transitions[0].to: is the same state as from (\"inner\")" },
    { "from = \"outer\"; to = \"none\"; per_year = 0.13;",
      "from = \"inner\"; to = \"outer\"; per_year = 0.13;",
      "%s:51: transitions[1]: flow home already has a transition inner -> outer "
      "(transitions[0], line 50)" },
    { "per_year = 0.21", "per_year = -0.21",
      "%s:50: transitions[0].per_year: must be 0 or more (got -0.21)" },
    { "citizen_cost_per_year = 123456.0;", "citizen_cost_per_year = -123456.0;",
      "%s:33: flows.home.rings.inner.citizen_cost_per_year: must be 0 or more (got -123456)" },
    { "capacity = 7;", "capacity = -5;",
      "%s:31: flows.home.rings.inner.capacity: must be 0 or more (got -5)" },
    { "years = 4.5;", "years = 1e999;", "%s:5: simulation.years: must be a finite number (got inf)" },
    { "initial = 5;", "initial = 8;",
      "%s:32: flows.home.rings.inner.initial: must be at most capacity (7) (got 8)" },
    { "initial = 37;", "initial = 15;",
      "%s:29: flows.home.rings: the rings' initial counts sum to 16, more than "
      "population.initial (15)" },
    { "need = [0.0, 2.5];", "need = [0.0, 2.2];",
      "%s:29: flows.home.rings: need bands leave scores in [2.2, 2.5) with no ring" },
    { "need = [2.5, 4.0];", "need = [2.5, 3.9];",
      "%s:29: flows.home.rings: need bands leave scores in [3.9, 4] with no ring" },
    { "need = [0.0, 2.5];", "need = [0.1, 2.5];",
      "%s:29: flows.home.rings: need bands leave scores in [0, 0.1) with no ring" },
    { "need = [2.5, 4.0];", "need = [2.5, 4.2];",
      "%s:34: flows.home.rings.inner.need: must lie within 0..4 (got 4.2)" },
    { "need = [2.5, 4.0];", "need = [4.0, 2.5];",
      "%s:34: flows.home.rings.inner.need: lo must be below hi (got [4, 2.5])" },
    { "need = [2.5, 4.0];", "need = [2.5];",
      "%s:34: flows.home.rings.inner.need: must be a band [lo, hi] of two need scores" },
    { "need = [0.0, 2.5];", "need = [0, 2.5];",
      "%s:43: syntax: mismatched element type in array (write whole numbers as 1.0 in arrays "
      "of numbers)" },
    { "female_share = 0.47;", "female_share = 1.47;",
      "%s:14: population.female_share: must be between 0 and 1 (got 1.47)" },
    { "work_participation = 0.53;", "work_participation = -0.53;",
      "%s:18: population.work_participation: must be between 0 and 1 (got -0.53)" },
    { "\"2013-03-07\"", "\"2013-02-29\"",
      "%s:4: simulation.start_date: must be a date YYYY-MM-DD (got \"2013-02-29\")" },
    { "\"2013-03-07\"", "\"7 March 2013\"",
      "%s:4: simulation.start_date: must be a date YYYY-MM-DD (got \"7 March 2013\")" },
    { "replications = 3;", "replications = 0;",
      "%s:7: simulation.replications: must be at least 1 (got 0)" },
    { "years = 4.5;", "years = 0.0;", "%s:5: simulation.years: must be more than 0 (got 0)" },
    { "warmup_years = 0.5;", "warmup_years = 4.5;",
      "%s:6: simulation.warmup_years: must be less than simulation.years (4.5) (got 4.5)" },
    { "warmup_years = 0.5;", "warmup_years = -0.5;",
      "%s:6: simulation.warmup_years: must be 0 or more (got -0.5)" },
    { "seed = 41L;", "seed = 41L; snapshot_months = 0;",
      "%s:8: simulation.snapshot_months: must be more than 0 (got 0)" },
    { "seed = 41L;", "seed = 41L; rbs_interval_months = -6;",
      "%s:8: simulation.rbs_interval_months: must be more than 0 (got -6)" },
    { "seed = 41L;", "seed = -41L;", "%s:8: simulation.seed: must be 0 or more (got -41)" },
    { "caseworkers = 3;", "caseworkers = 0;",
      "%s:24: visitation.caseworkers: must be at least 1 (got 0)" },
    { "mean = 41.0;", "mean = -41.0;",
      "%s:25: visitation.assessment_days.mean: must be 0 or more (got -41)" },
    { "sd = 13.0;", "sd = -13.0;",
      "%s:25: visitation.assessment_days.sd: must be 0 or more (got -13)" },
    { "  age = { min = 18.0;", "  age = { min = 68.0;",
      "%s:13: population.age.max: must be at least min (68) (got 66)" },
    { "sd = 12.7;", "sd = -12.7;", "%s:13: population.age.sd: must be 0 or more (got -12.7)" },
    { "arrival_mean_level = 1.9;", "arrival_mean_level = 4.1;",
      "%s:17: population.arrival_mean_level: must be between 0 and 4 (got 4.1)" },
    { "initial_mean_level = 2.9;", "initial_mean_level = -2.9;",
      "%s:35: flows.home.rings.inner.initial_mean_level: must be between 0 and 4 (got -2.9)" },
    { "dimensions = [ \"physical\", \"social\" ];",
      "dimensions = [ \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\" ];",
      "%s:10: dimensions: must name 1 to 8 dimensions (got 9)" },
    { "dimensions = [ \"physical\", \"social\" ];", "dimensions = [ \"physical\", \"age\" ];",
      "%s:10: dimensions[1]: \"age\" is reserved (a covariate or column name)" },
    { "    ); }\n);", "    ); },\n" ONE_RING_FLOW("b") ",\n" ONE_RING_FLOW("c") ",\n"
      ONE_RING_FLOW("d") ",\n" ONE_RING_FLOW("e") "\n);",
      "%s:27: flows: at most 3 flows (got 5)" },
    { "name = \"tiny\";", "name = \"tiny\"; set = ();",
      "%s:1: set: only a variant (a file with base) may have set" },
    { "years = 4.5;", "years = = 4.5;", "%s:5: syntax: syntax error" },
};

static void test_bad_input(void **state)
{
    const struct tmp *t = *state;
    char path[128];
    path_in(t, "s.cfg", path, sizeof path);
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        char *text = replace_once(BASE, bad_cases[i].old, bad_cases[i].new_text);
        write_file(path, text);
        free(text);
        expect_error(path, t->dir, bad_cases[i].msg);
    }
}

static void test_bad_files(void **state)
{
    const struct tmp *t = *state;
    char path[128];
    path_in(t, "s.cfg", path, sizeof path);
    write_file(path, "This is not a scenario.\n");
    expect_error(path, t->dir, "%s:1: syntax: syntax error");
    write_file(path, "");
    expect_error(path, t->dir, "%s: the file is empty (a scenario needs name, simulation, "
                 "...; see scenarios/esbjerg.cfg)");
    path_in(t, "missing.cfg", path, sizeof path);
    expect_error(path, t->dir, "%s: cannot read: No such file or directory");
}

/* 65 rings: one over the limit of MODEL_MAX_RINGS. */
static void test_ring_limit(void **state)
{
    const struct tmp *t = *state;
    size_t cap = 65 * 200 + 64;
    char *rings = malloc(cap);
    assert_non_null(rings);
    rings[0] = '\0';
    for (int i = 0; i < 65; i++) {
        char one[200];
        snprintf(one, sizeof one, "{ id = \"r%d\"; name = \"R\"; capacity = 0; initial = 0; "
                 "citizen_cost_per_year = 1.0; need = [0.0, 4.0]; initial_mean_level = 1.0; "
                 "improve_per_year = 0.0; worsen_per_year = 0.0; }%s", i, i < 64 ? ", " : "");
        strcat(rings, one);
    }
    const char *start = strstr(BASE, "      { id = \"inner\"");
    const char *end = strstr(BASE, "    ); }\n);");
    size_t n = strlen(BASE) + strlen(rings) + 1;
    char *text = malloc(n);
    assert_non_null(text);
    snprintf(text, n, "%.*s%s\n%s", (int)(start - BASE), BASE, rings, end);
    /* the transitions name rings that no longer exist, but the limit comes first */
    char path[128];
    path_in(t, "s.cfg", path, sizeof path);
    write_file(path, text);
    expect_error(path, t->dir, "%s:29: flows.home.rings: at most 64 rings per flow (got 65)");
    free(text);
    free(rings);
}

/* An @include'd fragment reports its own file and line. */
static void test_include(void **state)
{
    const struct tmp *t = *state;
    char frag[128], path[128];
    path_in(t, "frag.cfg", frag, sizeof frag);
    write_file(frag, "# fitted\ntransitions = (\n"
                     "  { flow = \"home\"; from = \"inner\"; to = \"outer\"; per_year = 0.19; },\n"
                     "  { flow = \"home\"; from = \"outer\"; to = \"none\"; per_year = -0.11; }\n"
                     ");\n");
    const char *tr = strstr(BASE, "transitions = (");
    char *text = malloc(strlen(BASE) + 32);
    assert_non_null(text);
    sprintf(text, "%.*s@include \"frag.cfg\"\n", (int)(tr - BASE), BASE);
    path_in(t, "s.cfg", path, sizeof path);
    write_file(path, text);
    free(text);
    struct model *m = NULL;
    struct err e = { 0 };
    assert_int_equal(scenario_load(path, &m, &e), -1);
    char want[512];
    snprintf(want, sizeof want, "%s:4: transitions[1].per_year: must be 0 or more (got -0.11)", frag);
    assert_string_equal(e.msg, want);

    write_file(frag, "transitions = ( { flow = \"home\"; from = \"inner\"; to = \"outer\"; "
                     "per_year = 0.19; } );\n");
    m = load_ok(path);
    assert_int_equal(m->n_transitions, 1);
    assert_near(m->transitions[0].per_year, 0.19, 0.0);
    model_destroy(m);

    /* An absolute name works as well as a relative one (issue 17). */
    text = malloc(strlen(BASE) + 256);
    assert_non_null(text);
    sprintf(text, "%.*s@include \"%s\"\n", (int)(tr - BASE), BASE, frag);
    write_file(path, text);
    free(text);
    m = load_ok(path);
    assert_int_equal(m->n_transitions, 1);
    assert_near(m->transitions[0].per_year, 0.19, 0.0);
    model_destroy(m);
    /* An absolute name inside an @included file works too. */
    char inner[128];
    path_in(t, "a.cfg", inner, sizeof inner);
    write_file(inner, "transitions = ( { flow = \"home\"; from = \"inner\"; to = \"outer\"; "
                      "per_year = 0.31; } );\n");
    text = malloc(256);
    assert_non_null(text);
    snprintf(text, 256, "@include \"%s\"\n", inner);
    write_file(frag, text);
    free(text);
    m = load_ok(path);
    assert_int_equal(m->n_transitions, 1);
    assert_near(m->transitions[0].per_year, 0.31, 0.0);
    model_destroy(m);
}

/* BASE with its transitions replaced by `tail`, as s.cfg (lines 1-48 are
 * BASE's, tail starts on line 49). */
static void write_scenario_with(const struct tmp *t, const char *tail)
{
    const char *tr = strstr(BASE, "transitions = (");
    size_t n = (size_t)(tr - BASE) + strlen(tail) + 1;
    char *text = malloc(n), path[128];
    assert_non_null(text);
    snprintf(text, n, "%.*s%s", (int)(tr - BASE), BASE, tail);
    path_in(t, "s.cfg", path, sizeof path);
    write_file(path, text);
    free(text);
}

#define ONE_TRANSITION(RATE) \
    "{ flow = \"home\"; from = \"inner\"; to = \"outer\";\n  per_year = " RATE "; }\n"

/* The per_year of the one transition s.cfg loads with. */
static double loaded_rate(const struct tmp *t)
{
    char path[128];
    path_in(t, "s.cfg", path, sizeof path);
    struct model *m = load_ok(path);
    assert_int_equal(m->n_transitions, 1);
    double r = m->transitions[0].per_year;
    model_destroy(m);
    return r;
}

/* s.cfg written with tail (from line 49) is refused with fmt, whose %s
 * is s.cfg's path. */
static void expect_tail_error(const struct tmp *t, const char *tail, const char *fmt)
{
    char path[128];
    path_in(t, "s.cfg", path, sizeof path);
    write_scenario_with(t, tail);
    expect_error(path, t->dir, fmt);
}

/* An @include inside an @included file is read from that file's folder,
 * at every depth; an absolute name as it is; every message names the file
 * and line where the text is written (issue 17). */
/* Every file a scenario is read from is listed with the SHA-256 of its
 * bytes (summary.json "inputs"), and a run that reads the scenario again
 * for a parameter draw stops when an @included fragment changed, not only
 * the named file. */
static void test_include_inputs(void **state)
{
    const struct tmp *t = *state;
    char sub[128], frag[128], trans[128], path[128];
    path_in(t, "sub", sub, sizeof sub);
    assert_int_equal(mkdir(sub, 0700), 0);
    path_in(t, "sub/frag.cfg", frag, sizeof frag);
    path_in(t, "sub/trans.cfg", trans, sizeof trans);
    path_in(t, "s.cfg", path, sizeof path);
    static const char trans_text[] = ONE_TRANSITION("0.19");
    write_file(trans, trans_text);
    write_file(frag, "transitions = (\n  @include \"trans.cfg\"\n);\n"
                     "uncertainty = { parameters = ( { path = \"population.arrivals_per_year\";\n"
                     "  dist = \"gamma\"; mean = 11.0; sd = 1.0; } ); };\n");
    write_scenario_with(t, "@include \"sub/frag.cfg\"\n");
    struct model *m = load_ok(path);
    assert_int_equal(m->n_inputs, 3);
    assert_string_equal(m->inputs[0].path, path);
    assert_string_equal(m->inputs[0].sha256, m->sha256);
    assert_string_equal(m->inputs[1].path, frag);
    assert_string_equal(m->inputs[2].path, trans);
    char want[65];
    SHA256Data((const uint8_t *)trans_text, strlen(trans_text), want);
    assert_string_equal(m->inputs[2].sha256, want);

    struct model *again = NULL;
    struct err e = { 0 };
    if (scenario_rebuild(m, &again, &e) != 0) fail_msg("%s", e.msg);
    model_destroy(again);
    write_file(trans, ONE_TRANSITION("0.20"));            /* edited during the run */
    assert_int_equal(scenario_rebuild(m, &again, &e), -1);
    assert_null(again);
    assert_int_equal(e.status, EXIT_INPUT);
    char msg[256];
    snprintf(msg, sizeof msg, "%s: changed while the run read it again for a parameter draw", trans);
    assert_string_equal(e.msg, msg);
    model_destroy(m);
}

static void test_include_nested(void **state)
{
    const struct tmp *t = *state;
    char sub[128], frag[128], trans[128], decoy[128], path[128], text[512], want[1024];
    path_in(t, "sub", sub, sizeof sub);
    assert_int_equal(mkdir(sub, 0700), 0);
    path_in(t, "sub/frag.cfg", frag, sizeof frag);
    path_in(t, "sub/trans.cfg", trans, sizeof trans);
    path_in(t, "trans.cfg", decoy, sizeof decoy);
    path_in(t, "s.cfg", path, sizeof path);
    write_file(decoy, ONE_TRANSITION("0.77"));          /* the scenario's folder: not read */
    write_file(trans, ONE_TRANSITION("0.19"));
    write_file(frag, "# the fitted transitions\ntransitions = (\n"
                     "  @include \"trans.cfg\"   # from sub/, beside this file\n);\n");
    write_scenario_with(t, "@include \"sub/frag.cfg\"\n");
    assert_near(loaded_rate(t), 0.19, 0.0);

    /* Absolute inside an @included file: that very file (here the decoy). */
    snprintf(text, sizeof text, "transitions = (\n@include \"%s\"\n);\n", decoy);
    write_file(frag, text);
    assert_near(loaded_rate(t), 0.77, 0.0);

    /* A check that fails in the nested file names it and its line. */
    write_file(frag, "transitions = (\n  @include \"trans.cfg\"\n);\n");
    write_file(trans, ONE_TRANSITION("-0.19"));
    snprintf(want, sizeof want, "%s:2: transitions[0].per_year: must be 0 or more (got -0.19)",
             trans);
    expect_msg(path, want);
    /* So does a syntax error there. */
    write_file(trans, "{ flow = \"home\"; from = \"inner\";\n\n  to = = \"outer\"; per_year = 1; }\n");
    snprintf(want, sizeof want, "%s:3: syntax: syntax error", trans);
    expect_msg(path, want);
    /* And a transition written twice, once in each file, names the other file. */
    write_file(trans, ONE_TRANSITION("0.19"));
    write_file(frag, "transitions = (\n  @include \"trans.cfg\"\n  ,\n"
                     "  { flow = \"home\"; from = \"inner\"; to = \"outer\"; per_year = 0.2; }\n);\n");
    snprintf(want, sizeof want, "%s:4: transitions[1]: flow home already has a transition inner "
             "-> outer (transitions[0], %s:1)", frag, trans);
    expect_msg(path, want);

    /* In the scenario file after the include: its own file and line, though
     * libconfig read the fragments' lines in between. */
    write_file(frag, "transitions = (\n  @include \"trans.cfg\"\n);\n");
    expect_tail_error(t, "@include \"sub/frag.cfg\"\n\nwrong = ;\n",
                      "%s:51: syntax: syntax error");
    expect_tail_error(t, "@include \"sub/frag.cfg\"   // the fit\nwrong = 1;\n",
                      "%s:50: wrong: unknown key");

    /* Cycles through folders are named; a missing file is said so. */
    write_scenario_with(t, "@include \"sub/frag.cfg\"\n");
    write_file(frag, "\n@include \"../s.cfg\"\n");
    snprintf(want, sizeof want, "%s:2: @include: cycle of @includes: %s -> sub/frag.cfg -> ../s.cfg",
             frag, path);
    expect_msg(path, want);
    write_file(frag, "@include \"missing.cfg\"\n");
    snprintf(want, sizeof want, "%s:1: @include \"missing.cfg\": cannot read: %s", frag,
             strerror(ENOENT));
    expect_msg(path, want);
}

/* What libconfig reads as an @include, and only that, is expanded. */
static void test_include_where_libconfig_sees_one(void **state)
{
    const struct tmp *t = *state;
    char frag[128], path[128];
    path_in(t, "frag.cfg", frag, sizeof frag);
    path_in(t, "s.cfg", path, sizeof path);
    /* In a block comment: no @include (missing.cfg is never looked for);
     * a comment the fragment leaves open goes on in the includer, as in
     * libconfig; what follows the name on its line is read after the
     * fragment. */
    write_file(frag, "transitions = (\n" ONE_TRANSITION("0.23") "  /* open\n");
    write_scenario_with(t, "/*\n@include \"missing.cfg\"\n*/\n@include \"frag.cfg\" still */ );\n");
    assert_near(loaded_rate(t), 0.23, 0.0);
    /* Not at the start of a line, or no blank before the name: libconfig's
     * syntax error, at that line. */
    write_file(frag, "transitions = (\n" ONE_TRANSITION("0.23") ");\n");
    expect_tail_error(t, "x = 1; @include \"frag.cfg\"\n", "%s:49: syntax: syntax error");
    expect_tail_error(t, "\n@include\"frag.cfg\"\n", "%s:50: syntax: syntax error");
    /* A string after it follows the fragment's last token (libconfig 1.5
     * would leak it): refused like any string that cannot stand there. */
    expect_tail_error(t, "@include \"frag.cfg\"\n\"oops\";\n",
                      "%s:50: syntax: syntax error (a \"string\" cannot stand here)");
    /* Nor after another on its line. */
    expect_tail_error(t, "@include \"frag.cfg\" @include \"frag.cfg\"\n",
                      "%s:49: syntax: syntax error");
    /* In a string that spans lines, it is text. */
    char *text = replace_once(BASE, "\"minimal valid scenario for bad-input tests\"",
                              "\"two\n@include \" \"frag.cfg\" \"\n\"");
    write_file(path, text);
    free(text);
    struct model *m = load_ok(path);
    assert_string_equal(m->description, "two\n@include frag.cfg\n");
    model_destroy(m);
    /* A name that does not end on its line; a backslash that is no \\ or \". */
    expect_tail_error(t, "@include \"frag.cfg\n\";\n",
                      "%s:49: @include: the name's closing '\"' is missing");
    expect_tail_error(t, "@include \"sub\\frag.cfg\"\n",
                      "%s:49: @include: a '\\' in a file name is written \\\\");
}

/* ---- variants ---- *//* ---- variants ---- */

static void write_in(const struct tmp *t, const char *name, const char *text)
{
    char path[128];
    path_in(t, name, path, sizeof path);
    write_file(path, text);
}

static void test_variant(void **state)
{
    const struct tmp *t = *state;
    write_in(t, "base.cfg", BASE);
    write_in(t, "v.cfg",
             "base = \"base.cfg\";\n"
             "name = \"tiny-more\";\n"
             "set = ( ( \"flows.home.rings.inner.capacity\", 9 ),\n"
             "        ( \"population.female_share\", 0.61 ),\n"
             "        ( \"simulation.years\", 6 ),\n"
             "        ( \"transitions[1].per_year\", 0.17 ),\n"
             "        ( \"flows.home.rings.inner.need\", [2.25, 4.0] ),\n"
             "        ( \"flows.home.rings.outer.need\", [0.0, 2.25] ) );\n");
    char path[128], base[128], hex[65];
    path_in(t, "v.cfg", path, sizeof path);
    path_in(t, "base.cfg", base, sizeof base);
    struct model *m = load_ok(path);
    assert_string_equal(m->name, "tiny-more");
    assert_string_equal(m->description, "minimal valid scenario for bad-input tests");
    assert_int_equal(m->flows[0].rings[0].capacity, 9);
    assert_int_equal(m->flows[0].rings[1].capacity, 0);
    assert_near(m->female_share, 0.61, 0.0);
    assert_near(m->years, 6.0, 0.0);
    assert_near(m->transitions[1].per_year, 0.17, 0.0);
    assert_near(m->flows[0].rings[0].need_lo, 2.25, 0.0);
    assert_int_equal(model_band_ring(&m->flows[0], 2.3), 0);
    assert_string_equal(m->path, path);
    /* The fingerprint is of the variant file itself. */
    assert_non_null(SHA256File(path, hex));
    assert_string_equal(m->sha256, hex);
    assert_non_null(SHA256File(base, hex));
    assert_string_not_equal(m->sha256, hex);
    model_destroy(m);
}

static void test_variant_errors(void **state)
{
    const struct tmp *t = *state;
    char path[128];
    path_in(t, "v.cfg", path, sizeof path);
    write_in(t, "base.cfg", BASE);
    static const struct bad cases[] = {
        { "( \"simulation.years\", 6 )", "( \"flows.home.rings.middle.capacity\", 9 )",
          "%s:3: flows.home.rings.middle.capacity: names no setting of the base (no \"middle\" "
          "in flows.home.rings)" },
        { "( \"simulation.years\", 6 )", "( \"population.femal_share\", 0.5 )",
          "%s:3: population.femal_share: names no setting of the base (no \"femal_share\" in "
          "population (did you mean 'female_share'?))" },
        { "( \"simulation.years\", 6 )", "( \"simulation.threads\", 2 )",
          "%s:3: simulation.threads: names no setting of the base (no \"threads\" in simulation)" },
        { "( \"simulation.years\", 6 )", "( \"transitions[2].per_year\", 0.5 )",
          "%s:3: transitions[2].per_year: names no setting of the base (no element [2] in "
          "transitions)" },
        { "( \"simulation.years\", 6 )", "( \"flows.home.rings.inner.capacity\", \"nine\" )",
          "%s:3: flows.home.rings.inner.capacity: needs an integer, as in the base (got a string)" },
        { "( \"simulation.years\", 6 )", "( \"flows.home.rings.inner.capacity\", 9.5 )",
          "%s:3: flows.home.rings.inner.capacity: needs a whole number (got 9.5)" },
        { "( \"simulation.years\", 6 )", "( \"simulation.years\" )",
          "%s:3: set[0]: must be ( \"path\", value )" },
        /* A value that the base's key does not allow is reported at the set entry. */
        { "( \"simulation.years\", 6 )", "( \"flows.home.rings.inner.capacity\", -5 )",
          "%s:3: flows.home.rings.inner.capacity: must be 0 or more (got -5)" },
        /* A top-level key of the variant replaces the base's, errors at the variant. */
        { "name = \"tiny-more\";", "name = \"tiny-more\"; description = 5;",
          "%s:2: description: must be a string (got an integer)" },
        { "name = \"tiny-more\";", "name = \"tiny-more\"; colour = 5;",
          "%s:2: colour: unknown key" },
        { "base = \"base.cfg\";", "base = \"nope.cfg\";",
          "%s:1: base: cannot read %s/nope.cfg: No such file or directory" },
    };
    const char *variant = "base = \"base.cfg\";\nname = \"tiny-more\";\n"
                          "set = ( ( \"simulation.years\", 6 ) );\n";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = replace_once(variant, cases[i].old, cases[i].new_text);
        write_file(path, text);
        free(text);
        expect_error(path, t->dir, cases[i].msg);
    }
}

static void test_variant_chain(void **state)
{
    const struct tmp *t = *state;
    write_in(t, "base.cfg", BASE);
    write_in(t, "mid.cfg", "base = \"base.cfg\";\nname = \"mid\";\n"
                           "set = ( ( \"flows.home.rings.inner.capacity\", 9 ),\n"
                           "        ( \"visitation.caseworkers\", 4 ) );\n");
    write_in(t, "top.cfg", "base = \"mid.cfg\";\nname = \"top\";\n"
                           "set = ( ( \"flows.home.rings.inner.capacity\", 13 ),\n"
                           "        ( \"population.female_share\", 0.61 ) );\n");
    char path[128];
    path_in(t, "top.cfg", path, sizeof path);
    struct model *m = load_ok(path);
    assert_string_equal(m->name, "top");
    assert_int_equal(m->flows[0].rings[0].capacity, 13);   /* the nearer variant wins */
    assert_int_equal(m->caseworkers, 4);                   /* from mid */
    assert_near(m->female_share, 0.61, 0.0);
    model_destroy(m);

    /* An error in a setting mid changed is reported in mid.cfg. */
    write_in(t, "mid.cfg", "base = \"base.cfg\";\nname = \"mid\";\n"
                           "set = ( ( \"visitation.caseworkers\", 0 ) );\n");
    char mid[128], want[256];
    path_in(t, "mid.cfg", mid, sizeof mid);
    snprintf(want, sizeof want, "%s:3: visitation.caseworkers: must be at least 1 (got 0)", mid);
    struct err e = { 0 };
    assert_int_equal(scenario_load(path, &m, &e), -1);
    assert_string_equal(e.msg, want);
}

static void test_variant_cycle(void **state)
{
    const struct tmp *t = *state;
    write_in(t, "a.cfg", "base = \"b.cfg\";\nname = \"a\";\n");
    write_in(t, "b.cfg", "name = \"b\";\nbase = \"a.cfg\";\n");
    char a[128], b[128], want[1024];
    path_in(t, "a.cfg", a, sizeof a);
    path_in(t, "b.cfg", b, sizeof b);
    snprintf(want, sizeof want, "%s:2: base: cycle of bases: %s -> %s -> %s", b, a, b, a);
    expect_msg(a, want);
}

static void test_variant_self(void **state)
{
    const struct tmp *t = *state;
    write_in(t, "self.cfg", "name = \"self\";\n\nbase = \"self.cfg\";\n");
    char path[128], want[1024];
    path_in(t, "self.cfg", path, sizeof path);
    snprintf(want, sizeof want, "%s:3: base: cycle of bases: %s -> %s", path, path, path);
    expect_msg(path, want);
}

/* A capacity set by a variant below the base's `initial` lowers `initial`
 * with a note (as a sweep does); an error that a variant's set causes is
 * reported at the variant's line and says what to add. */
static void test_variant_capacity_clamps(void **state)
{
    const struct tmp *t = *state;
    write_in(t, "base.cfg", BASE);
    write_in(t, "v.cfg", "base = \"base.cfg\";\nname = \"v\";\n"
                         "set = ( ( \"flows.home.rings.inner.capacity\", 3 ) );\n");
    char path[128], want[1024];
    path_in(t, "v.cfg", path, sizeof path);
    struct model *m = load_ok(path);
    assert_int_equal(m->flows[0].rings[0].capacity, 3);
    assert_int_equal(m->flows[0].rings[0].initial, 3);
    snprintf(want, sizeof want, "flowsim: note: flows.home.rings.inner.initial (5) is lowered to "
             "the capacity (3) set by %s:3\n", path);
    assert_string_equal(m->notes, want);
    model_destroy(m);
    /* The same by --set. */
    char base[128];
    path_in(t, "base.cfg", base, sizeof base);
    const char *p[1] = { "flows.home.rings.inner.capacity" }, *v[1] = { "4" };
    struct err e = { 0 };
    assert_int_equal(scenario_load_set(base, 1, p, v, &m, &e), 0);
    assert_int_equal(m->flows[0].rings[0].initial, 4);
    assert_non_null(strstr(m->notes, "set by --set"));
    model_destroy(m);
    /* A variant that sets both consistently gets no note. */
    write_in(t, "v.cfg", "base = \"base.cfg\";\nname = \"v\";\n"
                         "set = ( ( \"flows.home.rings.inner.capacity\", 3 ),\n"
                         "        ( \"flows.home.rings.inner.initial\", 2 ) );\n");
    m = load_ok(path);
    assert_null(m->notes);
    model_destroy(m);
    /* A variant's initial above the base's capacity is still an error, there. */
    write_in(t, "v.cfg", "base = \"base.cfg\";\nname = \"v\";\n"
                         "set = ( ( \"flows.home.rings.inner.initial\", 9 ) );\n");
    snprintf(want, sizeof want, "%s:3: flows.home.rings.inner.initial: must be at most capacity "
             "(7) (got 9)", path);
    expect_msg(path, want);
    /* Too few citizens for the rings: at the variant's line, with what to add. */
    write_in(t, "v.cfg", "base = \"base.cfg\";\nname = \"v\";\n"
                         "set = ( ( \"population.initial\", 10 ) );\n");
    snprintf(want, sizeof want, "%s:3: population.initial: 10 is fewer than the 16 citizens the "
             "rings of flow home hold at t = 0; add lower ( \"flows.home.rings.<ring>.initial\", "
             "N ) entries to set, or raise population.initial", path);
    expect_msg(path, want);
    write_in(t, "v.cfg", "base = \"base.cfg\";\nname = \"v\";\n"
                         "set = ( ( \"flows.home.rings.outer.initial\", 40 ) );\n");
    snprintf(want, sizeof want, "%s:3: flows.home.rings.outer.initial: the rings' initial counts "
             "sum to 45, more than population.initial (37); add ( \"population.initial\", 45 ) "
             "to set", path);
    expect_msg(path, want);
    write_in(t, "v.cfg", "base = \"base.cfg\";\nname = \"v\";\n"
                         "set = ( ( \"simulation.years\", 0.5 ) );\n");
    snprintf(want, sizeof want, "%s:3: simulation.years: 0.5 is not more than the base's "
             "simulation.warmup_years (0.5); add ( \"simulation.warmup_years\", 0.25 ) or less "
             "to set", path);
    expect_msg(path, want);
    write_in(t, "v.cfg", "base = \"base.cfg\";\nname = \"v\";\n"
                         "set = ( ( \"population.age.min\", 70.0 ) );\n");
    snprintf(want, sizeof want, "%s:3: population.age.min: must be at most max (66) (got 70); "
             "add ( \"population.age.max\", 70 ) to set", path);
    expect_msg(path, want);
    write_in(t, "v.cfg", "base = \"base.cfg\";\nname = \"v\";\n"
                         "set = ( ( \"flows.home.rings.inner.need\", [3.0, 4.0] ) );\n");
    snprintf(want, sizeof want, "%s:3: flows.home.rings.inner.need: need bands leave scores in "
             "[2.5, 3) with no ring; add the neighbouring rings' bands to set, e.g. "
             "( \"flows.home.rings.<ring>.need\", [2.5, 3] )", path);
    expect_msg(path, want);
}

/* A variant without name or output.dir is named by its file and writes
 * beside its base's results, never over them. */
static void test_variant_own_name_and_dir(void **state)
{
    const struct tmp *t = *state;
    char *text = replace_once(BASE, "name = \"tiny\";", "name = \"tiny\"; output = { dir = "
                              "\"results/tiny\"; plots = false; };");
    write_in(t, "base.cfg", text);
    free(text);
    write_in(t, "mid.cfg", "base = \"base.cfg\";\n"
                           "set = ( ( \"visitation.caseworkers\", 4 ) );\n");
    char path[128];
    path_in(t, "mid.cfg", path, sizeof path);
    struct model *m = load_ok(path);
    assert_string_equal(m->name, "mid");
    assert_string_equal(m->out_dir, "results/mid");
    assert_false(m->out_plots);                  /* the rest of output is the base's */
    model_destroy(m);
    /* A variant's own name and dir win; a variant of a variant that names
     * itself not is named by its own file. */
    write_in(t, "mid.cfg", "base = \"base.cfg\";\nname = \"middle\";\n"
                           "set = ( ( \"output.dir\", \"elsewhere/m\" ) );\n");
    m = load_ok(path);
    assert_string_equal(m->name, "middle");
    assert_string_equal(m->out_dir, "elsewhere/m");
    model_destroy(m);
    write_in(t, "top.cfg", "base = \"mid.cfg\";\n");
    path_in(t, "top.cfg", path, sizeof path);
    m = load_ok(path);
    assert_string_equal(m->name, "top");
    assert_string_equal(m->out_dir, "elsewhere/top");
    model_destroy(m);
}

/* Any assessment sd >= 0 is valid (docs/scenario.md): a tiny one is the near-fixed
 * time it is, never NaN, and a vanishing one is the mean exactly. */
static void test_tiny_assessment_sd(void **state)
{
    const struct tmp *t = *state;
    char *text = replace_once(BASE, "sd = 13.0;", "sd = 0.0001;");
    struct model *m = load_text(t, text);
    free(text);
    assert_near(m->assess_sd_days, 0.0001, 0.0);
    model_destroy(m);
    text = replace_once(BASE, "sd = 13.0;", "sd = 1e-300;");
    m = load_text(t, text);
    free(text);
    struct rngs r;
    assert_int_equal(rngs_init(&r, 7, 0), 0);
    for (int i = 0; i < 100; i++) {
        assert_near(rngs_gamma_mean_sd(r.r[0], 41.0, m->assess_sd_days), 41.0, 0.0);
        assert_near(rngs_gamma_mean_sd(r.r[0], 41.0, 0.0001), 41.0, 1e-3);
    }
    rngs_fini(&r);
    model_destroy(m);
}

/* ---- the examples of the documentation ---- */

/* Every variant shown in a ``` block of the documentation (a block with
 * `base = "X"`) loads, with X taken from scenarios/; every `--set PATH=V`
 * (or PATH=FROM:TO:STEP) written in it names a setting of the Esbjerg
 * baseline that takes V (or FROM). Returns how many were tried. */
static int check_doc(const struct tmp *t, const char *doc)
{
    FILE *f = fopen(doc, "r");
    if (!f) fail_msg("cannot read %s", doc);
    char line[1024], block[8192] = "";
    bool in_block = false;
    int tried = 0;
    while (fgets(line, sizeof line, f)) {
        for (char *p = strstr(line, "--set "); p; p = strstr(p + 1, "--set ")) {
            char path[256], value[64];
            if (sscanf(p + 6, "%255[^= ]=%63[^: `\n]", path, value) != 2) continue;
            if (path[0] < 'a' || path[0] > 'z') continue;          /* PATH=VALUE in a usage line */
            const char *pp[1] = { path }, *vv[1] = { value };
            struct model *m = NULL;
            struct err e = { 0 };
            if (scenario_load_set("scenarios/esbjerg.cfg", 1, pp, vv, &m, &e) != 0)
                fail_msg("%s: --set %s=%s: %s", doc, path, value, e.msg);
            model_destroy(m);
            tried++;
        }
        if (!strncmp(line, "```", 3)) {
            if (in_block && !strstr(block, "base = \"") && strstr(block, "simulation = {") &&
                strstr(block, "transitions = (") && !strstr(block, "...")) {
                /* A whole scenario. */
                char path[128];
                path_in(t, "s.cfg", path, sizeof path);
                write_file(path, block);
                struct model *m = NULL;
                struct err e = { 0 };
                if (scenario_load(path, &m, &e) != 0) fail_msg("%s: example scenario: %s", doc, e.msg);
                model_destroy(m);
                tried++;
            }
            if (in_block && strstr(block, "base = \"")) {
                char base[128], *at = strstr(block, "base = \"") + 8;
                if (sscanf(at, "%127[^\"]", base) != 1) fail_msg("%s: a base without a name", doc);
                char abs[512], *cwd = getcwd(NULL, 0), old[160], new_text[600];
                assert_non_null(cwd);
                /* Named from the variant's folder: scenarios/ for the shipped
                 * ones, the top folder for the README's first variant. */
                const char *dir = strncmp(base, "scenarios/", 10) ? "/scenarios/" : "/";
                snprintf(abs, sizeof abs, "%s%s%s", cwd, dir, base);
                free(cwd);
                snprintf(old, sizeof old, "base = \"%s\"", base);
                snprintf(new_text, sizeof new_text, "base = \"%s\"", abs);
                char *text = replace_once(block, old, new_text), path[128];
                path_in(t, "v.cfg", path, sizeof path);
                write_file(path, text);
                free(text);
                struct model *m = NULL;
                struct err e = { 0 };
                if (scenario_load(path, &m, &e) != 0) fail_msg("%s: example variant: %s", doc, e.msg);
                model_destroy(m);
                tried++;
            }
            in_block = !in_block;
            block[0] = '\0';
            continue;
        }
        if (in_block && strlen(block) + strlen(line) < sizeof block) strcat(block, line);
    }
    fclose(f);
    return tried;
}

static void test_doc_examples(void **state)
{
    const struct tmp *t = *state;
    static const char *const docs[] = { "README.md", "scenarios/README.md", "docs/model.md",
                                        "docs/scenario.md", "docs/compare.md", "docs/limits.md",
                                        "docs/calibration.md", NULL };
    int tried = 0;
    for (int i = 0; docs[i]; i++)
        if (access(docs[i], R_OK) == 0) tried += check_doc(t, docs[i]);
    printf("  %d examples from the documentation load\n", tried);
    assert_true(tried >= 4);
}

/* docs/scenario.md documents every key the loader accepts, under the set
 * path that addresses it. */
static void test_doc_every_key(void **state)
{
    (void)state;
    FILE *f = fopen("docs/scenario.md", "r");
    assert_non_null(f);
    char *doc = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&doc, &cap, '\0', f);
    fclose(f);
    assert_true(n > 0);
    const char *section, *name;
    bool required;
    int i = 0, missing = 0;
    for (; keys_at(i, &section, &name, &required); i++) {
        char want[256];
        snprintf(want, sizeof want, "`%s%s%s`", section, section[0] ? "." : "", name);
        if (!strstr(doc, want)) {
            printf("  docs/scenario.md does not document %s\n", want);
            missing++;
        }
    }
    free(doc);
    assert_true(i > 80);
    assert_int_equal(missing, 0);
}

/* ---- set paths (model/setpath.h) ---- */

static void test_setpath_parse(void **state)
{
    (void)state;
    struct setpath p;
    char why[256];
    assert_int_equal(setpath_parse("flows.home.rings.sel108.capacity", &p, why, sizeof why), 0);
    assert_int_equal(p.n, 5);
    assert_string_equal(p.seg[3].name, "sel108");
    assert_int_equal(setpath_parse("transitions[15].per_year", &p, why, sizeof why), 0);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.seg[1].kind, SETPATH_INDEX);
    assert_int_equal(p.seg[1].index, 15);
    /* Ids may hold '-': the arrow is the first "->". */
    assert_int_equal(setpath_parse("transitions[home:a-->b-c].effects.age", &p, why, sizeof why), 0);
    assert_int_equal(p.seg[1].kind, SETPATH_TRANSITION);
    assert_string_equal(p.seg[1].flow, "home");
    assert_string_equal(p.seg[1].from, "a-");
    assert_string_equal(p.seg[1].to, "b-c");
    assert_int_equal(p.n, 4);
    static const char *const bad[][2] = {
        { "", "an empty path" },
        { "a..b", "malformed path (a name is missing before '.')" },
        { "a.", "malformed path (unexpected '.')" },
        { "a[3", "malformed path (a ']' is missing)" },
        { "a[-1]", "[-1] is no index (write [N], N from 0, or [FLOW:FROM->TO])" },
        { "a[home:x]", "[home:x] is no transition (write [FLOW:FROM->TO], e.g. [home:sel107->sel85])" },
        { "a[home:->x]", "an empty FROM state" },
        { "a[3]x", "malformed path (unexpected 'x')" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(setpath_parse(bad[i][0], &p, why, sizeof why), -1);
        assert_string_equal(why, bad[i][1]);
    }
}

/* A transition is named by flow and states in every path: a variant's
 * set, --set, and a loaded model's setpath_resolve. */
static void test_setpath_transition_by_name(void **state)
{
    const struct tmp *t = *state;
    write_in(t, "base.cfg", BASE);
    write_in(t, "v.cfg", "base = \"base.cfg\";\nname = \"v\";\n"
                         "set = ( ( \"transitions[home:outer->none].per_year\", 0.4 ),\n"
                         "        ( \"transitions[home:outer->none].effects.age\", 0.2 ) );\n");
    char path[128], base[128];
    path_in(t, "v.cfg", path, sizeof path);
    path_in(t, "base.cfg", base, sizeof base);
    struct model *m = load_ok(path);
    assert_near(m->transitions[1].per_year, 0.4, 0.0);
    assert_near(m->transitions[1].beta[COV_AGE], 0.2, 0.0);
    model_destroy(m);

    const char *p[1] = { "transitions[home:inner->outer].per_year" }, *v[1] = { "0.5" };
    struct err e = { 0 };
    assert_int_equal(scenario_load_set(base, 1, p, v, &m, &e), 0);
    assert_near(m->transitions[0].per_year, 0.5, 0.0);
    model_destroy(m);

    /* A name that is no transition, with the nearest one offered. */
    write_in(t, "v.cfg", "base = \"base.cfg\";\nname = \"v\";\n"
                         "set = ( ( \"transitions[home:outer->inner].per_year\", 0.4 ) );\n");
    char want[512];
    snprintf(want, sizeof want, "%s:3: transitions[home:outer->inner].per_year: names no "
             "setting of the base (no transition home:outer->inner in transitions (from "
             "home:outer there are outer->none))", path);
    expect_msg(path, want);

    /* On a loaded model. */
    m = load_ok(base);
    struct setpath_ref ref;
    assert_int_equal(setpath_resolve(m, "transitions[home:outer->none].per_year", &ref, &e), 0);
    assert_int_equal(ref.transition, 1);
    assert_near(setpath_get(m, &ref), 0.13, 0.0);
    assert_int_equal(setpath_set(m, &ref, 0.3, &e), 0);
    assert_near(m->transitions[1].per_year, 0.3, 0.0);
    assert_near(m->moves[m->flows[0].move_start[1]].per_year, 0.3, 0.0);   /* re-derived */
    char name[64];
    setpath_transition_name(m, 0, name, sizeof name);
    assert_string_equal(name, "home:inner->outer");
    assert_int_equal(setpath_resolve(m, "transitions[home:outer->nne].per_year", &ref, &e), -1);
    assert_string_equal(e.msg, "transitions[home:outer->nne].per_year: names no numeric "
                        "setting that can change (no transition home:outer->nne (did you mean "
                        "'home:outer->none'?))");
    assert_int_equal(setpath_resolve(m, "transitions[home:inner->none].per_year", &ref, &e), -1);
    assert_string_equal(e.msg, "transitions[home:inner->none].per_year: names no numeric "
                        "setting that can change (no transition home:inner->none (from home:inner "
                        "there are inner->outer))");
    model_destroy(m);
}

static void test_setpath_model_values(void **state)
{
    const struct tmp *t = *state;
    write_in(t, "base.cfg", BASE);
    char base[128];
    path_in(t, "base.cfg", base, sizeof base);
    struct model *m = load_ok(base);
    struct setpath_ref ref;
    struct err e = { 0 };
    /* Costs re-derive the variable cost of an hourly ring. */
    assert_int_equal(setpath_resolve(m, "flows.home.rings.outer.cost_per_hour", &ref, &e), 0);
    assert_int_equal(setpath_set(m, &ref, 400.0, &e), 0);
    assert_near(m->flows[0].rings[1].variable_cost_per_year, 3.0 * 400.0 * WEEKS_PER_YEAR, 1e-9);
    /* A capacity below initial lowers initial, with a note. */
    assert_int_equal(setpath_resolve(m, "flows.home.rings.inner.capacity", &ref, &e), 0);
    assert_true(ref.integer);
    assert_int_equal(setpath_set(m, &ref, 3, &e), 0);
    assert_int_equal(m->flows[0].rings[0].capacity, 3);
    assert_int_equal(m->flows[0].rings[0].initial, 3);
    assert_non_null(m->notes);
    assert_string_equal(m->notes, "flowsim: note: flows.home.rings.inner.initial (5) is lowered "
                        "to the capacity (3) set by flows.home.rings.inner.capacity\n");
    /* Refused values leave the model as it was. */
    assert_int_equal(setpath_set(m, &ref, 3.5, &e), -1);
    assert_string_equal(e.msg, "flows.home.rings.inner.capacity: must be a whole number (got 3.5)");
    assert_int_equal(setpath_resolve(m, "visitation.caseworkers", &ref, &e), 0);
    assert_int_equal(setpath_set(m, &ref, 0, &e), -1);
    assert_int_equal(m->caseworkers, 3);
    assert_int_equal(setpath_resolve(m, "flows.home.rings.inner.initial", &ref, &e), 0);
    assert_int_equal(setpath_set(m, &ref, 4, &e), -1);
    assert_string_equal(e.msg, "flows.home.rings.inner.initial: must be at most capacity (3) (got 4)");
    assert_int_equal(setpath_resolve(m, "flows.home.none.worsen_per_year", &ref, &e), 0);
    assert_int_equal(setpath_set(m, &ref, 0.2, &e), 0);
    assert_near(m->flows[0].none_worsen_per_year, 0.2, 0.0);
    assert_int_equal(setpath_resolve(m, "flows.home.rings.inner.capacty", &ref, &e), -1);
    assert_string_equal(e.msg, "flows.home.rings.inner.capacty: names no numeric setting that "
                        "can change (no number \"capacty\" in a ring (did you mean 'capacity'?))");
    assert_int_equal(setpath_resolve(m, "simulation.years", &ref, &e), -1);
    model_destroy(m);
}

/* Did-you-mean: the nearest (a swap of neighbours is one edit), or all
 * equally near. */
static void test_suggest(void **state)
{
    (void)state;
    char buf[128];
    const char *rings[] = { "sel108", "sel107", "sel85", "sel103" };
    assert_int_equal(suggest_distance("sel170", "sel107"), 1);
    assert_string_equal(suggest_nearest("sel170", rings, 4, buf, sizeof buf),
                        " (did you mean 'sel107'?)");
    assert_string_equal(suggest_nearest("sel10", rings, 4, buf, sizeof buf),
                        " (did you mean 'sel108', 'sel107' or 'sel103'?)");
    assert_string_equal(suggest_nearest("kraft", rings, 4, buf, sizeof buf), "");
}

int test_group_scenario(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esbjerg_loads),
        cmocka_unit_test(test_small_fixture),
        cmocka_unit_test_setup_teardown(test_defaults, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_band_ring),
        cmocka_unit_test(test_need_score),
        cmocka_unit_test_setup_teardown(test_calendar, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_arrival_rate, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_print_table),
        cmocka_unit_test_setup_teardown(test_bad_input, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_ring_limit, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_include, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_include_nested, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_include_inputs, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_include_where_libconfig_sees_one, tmp_setup,
                                        tmp_teardown),
        cmocka_unit_test_setup_teardown(test_variant, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_variant_errors, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_variant_chain, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_variant_cycle, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_variant_self, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_variant_capacity_clamps, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_variant_own_name_and_dir, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_doc_examples, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_doc_every_key),
        cmocka_unit_test_setup_teardown(test_tiny_assessment_sd, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_setpath_parse),
        cmocka_unit_test_setup_teardown(test_setpath_transition_by_name, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_setpath_model_values, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_suggest),
    };
    return RUN_GROUP(tests, n);
}
