/* test_plan.c: plans over time (docs/plans.md `changes`): the loader, and whole
 * runs against results known exactly: spending follows a price change from
 * its date to the day, a capacity cut with relocate empties the places
 * above it at once, and an M/M/c ring whose capacity is raised at a date
 * waits as Erlang C says for the new capacity after it, and a change of an
 * exit setting leaves the later citizens' exits paired with a scenario
 * without it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "tests.h"
#include "util.h"

#include "base/caldate.h"
#include "base/sbuf.h"
#include "engine/runner.h"
#include "engine/stats.h"
#include "model/model.h"
#include "model/scenario.h"
#include "model/setpath.h"

static double t_of(const struct model *m, const char *date)
{
    int32_t day;
    assert_true(caldate_parse(date, &day));
    return (double)(day - m->start_day) / DAYS_PER_YEAR;
}

static void test_plan_loader(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/plan_cost.cfg");
    assert_int_equal(m->n_changes, 2);
    assert_string_equal(m->changes[0].date, "2015-07-01");
    assert_true(fabs(m->changes[0].t - 546.0 / DAYS_PER_YEAR) < 1e-12);
    /* Change i holds every change up to i. */
    assert_true(m->changes[0].m->flows[0].rings[0].place_cost_per_year == 150000.0);
    assert_true(m->changes[0].m->flows[0].rings[0].citizen_cost_per_year == 200000.0);
    assert_true(m->changes[1].m->flows[0].rings[0].place_cost_per_year == 150000.0);
    assert_true(m->changes[1].m->flows[0].rings[0].citizen_cost_per_year == 100000.0);
    assert_true(m->changes[1].m->budget_annual == 4000000.0);
    assert_true(m->flows[0].rings[0].place_cost_per_year == 100000.0);  /* base untouched */
    assert_ptr_equal(model_at(m, 1.0), m);
    assert_ptr_equal(model_at(m, 1.6), m->changes[0].m);
    assert_ptr_equal(model_at(m, 3.0), m->changes[1].m);
    model_destroy(m);
    m = tu_load("tests/data/plan_relocate.cfg");       /* a cut below `initial` is a plan */
    assert_true(m->changes[0].relocate);
    assert_int_equal(m->changes[0].m->flows[0].rings[0].capacity, 6);
    model_destroy(m);

    static const struct { const char *change, *want; } bad[] = {
        { "{ date = \"2013-01-01\"; set = ( ( \"budget.annual\", 1.0 ) ); }",
          "changes[0].date: must come after simulation.start_date" },
        { "{ date = \"2015-13-01\"; set = ( ( \"budget.annual\", 1.0 ) ); }",
          "changes[0].date: must be a date" },
        { "{ date = \"2016-01-01\"; set = ( ( \"budget.annual\", 1.0 ) ); },"
          "{ date = \"2015-01-01\"; set = ( ( \"budget.annual\", 2.0 ) ); }",
          "changes must be in date order" },
        { "{ date = \"2015-01-01\"; set = ( ( \"visitation.reassess\", 1 ) ); }",
          "cannot change at a date" },
        { "{ date = \"2015-01-01\"; set = ( ( \"simulation.years\", 9.0 ) ); }",
          "cannot change at a date" },
        { "{ date = \"2015-01-01\"; set = ( ( \"flows.home.rings.ring.initial\", 3 ) ); }",
          "cannot change at a date" },
        { "{ date = \"2015-01-01\"; set = ( ( \"flows.home.rings.rng.capacity\", 3 ) ); }",
          "names no setting of the scenario" },
        { "{ date = \"2015-01-01\"; set = ( ( \"flows.home.rings.ring.capacity\", -3 ) ); }",
          "capacity" },
        { "{ date = \"2015-01-01\"; set = ( ( \"budget.annual\", \"x\" ) ); }", "needs a number" },
        { "{ date = \"2015-01-01\"; sets = ( ); }", "sets" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "base = \"plan_cost.cfg\";\nchanges = (\n%s\n);\n", bad[i].change);
        struct err e = { 0 };
        struct model *mb = NULL;
        assert_int_equal(scenario_load_text("tests/data/bad_plan.cfg", text, strlen(text), &mb, &e), -1);
        assert_null(mb);
        if (!strstr(e.msg, bad[i].want)) fail_msg("got: %s\nwant: %s", e.msg, bad[i].want);
        assert_non_null(strstr(e.msg, "bad_plan.cfg:3: "));     /* file:line of the change */
    }
}

/* Spending follows each price from its date on, to the day: 10 citizens in
 * 12 places for four years, nothing moving. */
/* The fixed cost of a ring is derived once (model_finish): in the base, in
 * each change's model, and again when setpath_set changes a capacity or a
 * price; an unlimited ring has none. */
static void test_fixed_cost_derived(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/plan_cost.cfg");
    assert_true(m->flows[0].rings[0].fixed_cost_per_year == 12 * 100000.0);
    assert_true(m->changes[0].m->flows[0].rings[0].fixed_cost_per_year == 12 * 150000.0);
    assert_true(model_fixed_cost_per_year(m->changes[1].m) == 12 * 150000.0);
    struct setpath_ref ref;
    struct err e = { 0 };
    if (setpath_resolve(m, "flows.home.rings.ring.capacity", &ref, &e) != 0 ||
        setpath_set(m, &ref, 15, &e) != 0)
        fail_msg("%s", e.msg);
    assert_true(m->flows[0].rings[0].fixed_cost_per_year == 15 * 100000.0);
    if (setpath_resolve(m, "flows.home.rings.ring.place_cost_per_year", &ref, &e) != 0 ||
        setpath_set(m, &ref, 90000.0, &e) != 0)
        fail_msg("%s", e.msg);
    assert_true(m->flows[0].rings[0].fixed_cost_per_year == 15 * 90000.0);
    if (setpath_resolve(m, "flows.home.rings.ring.capacity", &ref, &e) != 0 ||
        setpath_set(m, &ref, 0, &e) != 0)
        fail_msg("%s", e.msg);
    assert_true(m->flows[0].rings[0].fixed_cost_per_year == 0.0);      /* unlimited */
    model_destroy(m);
}

static void test_plan_cost_from_date(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/plan_cost.cfg");
    struct run_results res;
    tu_run(m, &res);
    double tc1 = t_of(m, "2015-07-01"), tc2 = t_of(m, "2016-01-01");
    for (int year = 2014; year <= 2017; year++) {
        double t0 = fmax(model_year_start_t(m, year), 0.0), t1 = model_year_start_t(m, year + 1);
        /* rate of the place and citizen prices over [a, b) */
        double want = 0.0;
        const double cut[] = { t0, fmax(t0, fmin(t1, tc1)), fmax(t0, fmin(t1, tc2)), t1 };
        const double rate[] = { 12 * 100000.0 + 10 * 200000.0, 12 * 150000.0 + 10 * 200000.0,
                                12 * 150000.0 + 10 * 100000.0 };
        for (int s = 0; s < 3; s++) want += rate[s] * (cut[s + 1] - cut[s]);
        double got = res.rep[1].kpi[tu_kpi(m, "spending", -1, -1, year)];
        printf("  plan spending %d: %.2f (exact %.2f)\n", year, got, want);
        assert_true(fabs(got - want) < 1e-6 * want);
        double budget = res.rep[1].kpi[tu_kpi(m, "budget", -1, -1, year)];
        assert_true(fabs(budget - (year < 2016 ? 5e6 : 4e6)) < 1e-3);
    }
    double total = res.rep[0].kpi[tu_kpi(m, "cost_total", -1, -1, 0)];
    double want = 3.2e6 * tc1 + 3.8e6 * (tc2 - tc1) + 2.8e6 * (m->years - tc2);
    assert_true(fabs(total - want) < 1e-6 * want);
    runner_results_fini(&res);
    model_destroy(m);
}

/* Caseworkers cost money: visitation.cost_per_caseworker_year times the
 * caseworkers, in every cost KPI and calendar year, following a plan that
 * hires two more on 2015-07-01; 0 (the default) adds nothing. */
static void test_caseworker_cost(void **state)
{
    (void)state;
    /* The same plan (its `changes` replace plan_cost.cfg's) at 0 and 60,000. */
    struct model *base = NULL, *m = NULL;
    for (int i = 0; i < 2; i++) {
        char text[512];
        snprintf(text, sizeof text, "base = \"plan_cost.cfg\";\n"
                 "set = ( ( \"visitation.cost_per_caseworker_year\", %s ) );\n"
                 "changes = ( { date = \"2015-07-01\"; set = ( ( \"visitation.caseworkers\", 3 ) ); } );\n",
                 i ? "60000.0" : "0.0");
        struct err e = { 0 };
        if (scenario_load_text("tests/data/cw.cfg", text, strlen(text), i ? &m : &base, &e) != 0)
            fail_msg("%s", e.msg);
    }
    struct run_results rb, rm;
    tu_run(base, &rb);
    tu_run(m, &rm);
    double tc = t_of(m, "2015-07-01");
    double want = 60000.0 * (1.0 * tc + 3.0 * (m->years - tc));
    double got = rm.rep[0].kpi[tu_kpi(m, "visitation_cost", -1, -1, 0)];
    printf("  caseworker cost %.2f (exact %.2f)\n", got, want);
    assert_true(fabs(got - want) < 1e-6 * want);
    assert_true(rb.rep[0].kpi[tu_kpi(base, "visitation_cost", -1, -1, 0)] == 0.0);
    double d_total = rm.rep[0].kpi[tu_kpi(m, "cost_total", -1, -1, 0)] -
                     rb.rep[0].kpi[tu_kpi(base, "cost_total", -1, -1, 0)];
    assert_true(fabs(d_total - want) < 1e-6 * want);
    for (int year = 2014; year <= 2017; year++) {
        double t0 = fmax(model_year_start_t(m, year), 0.0), t1 = model_year_start_t(m, year + 1);
        double a = fmin(fmax(tc, t0), t1);
        double w = 60000.0 * (1.0 * (a - t0) + 3.0 * (t1 - a));
        double d = rm.rep[0].kpi[tu_kpi(m, "spending", -1, -1, year)] -
                   rb.rep[0].kpi[tu_kpi(base, "spending", -1, -1, year)];
        assert_true(fabs(d - w) < 1e-6 * w);
    }
    runner_results_fini(&rb);
    runner_results_fini(&rm);
    model_destroy(base);
    model_destroy(m);
}

/* A cut with relocate leaves no one above the new capacity after its date;
 * without relocate no one is moved out. */
static void test_plan_relocate(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/plan_relocate.cfg");
    struct run_results res;
    tu_run(m, &res);
    double tc = t_of(m, "2015-01-01");
    double want_occ = (10.0 * tc + 6.0 * (m->years - tc)) / m->years;
    double occ = res.rep[0].kpi[tu_kpi(m, "occupancy_mean", 0, 0, 0)];
    double util = res.rep[0].kpi[tu_kpi(m, "utilisation", 0, 0, 0)];
    printf("  relocate: occupancy %.6f (exact %.6f), utilisation %.6f\n", occ, want_occ, util);
    assert_true(fabs(occ - want_occ) < 1e-9);
    assert_true(fabs(util - want_occ * m->years / (12.0 * tc + 6.0 * (m->years - tc))) < 1e-9);
    runner_results_fini(&res);
    model_destroy(m);

    const char *text = "base = \"plan_cost.cfg\";\nchanges = ( { date = \"2015-01-01\";\n"
                       "set = ( ( \"flows.home.rings.ring.capacity\", 6 ) ); } );\n";
    struct err e = { 0 };
    assert_int_equal(scenario_load_text("tests/data/keep.cfg", text, strlen(text), &m, &e), 0);
    tu_run(m, &res);
    assert_true(fabs(res.rep[0].kpi[tu_kpi(m, "occupancy_mean", 0, 0, 0)] - 10.0) < 1e-9);
    runner_results_fini(&res);
    model_destroy(m);
}

/* Erlang C waiting probability, via the stable Erlang B recursion. */
static double erlang_c(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++) b = a * b / (k + a * b);
    return c * b / (c - a * (1.0 - b));
}

/* M/M/3 until t = 100, then M/M/5: the window after the change waits as
 * Erlang C says for 5 places, far from what 3 would give. */
static void test_plan_mmc_capacity_raised(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/mmc_plan.cfg");
    m->replications = 300;
    struct run_results res;
    tu_run(m, &res);
    int k = tu_kpi(m, "wait_days_mean", 0, 0, 0);
    double s = 0.0, s2 = 0.0;
    for (int r = 0; r < res.n_rep; r++) s += res.rep[r].kpi[k];
    double mean = s / res.n_rep;
    for (int r = 0; r < res.n_rep; r++) s2 += pow(res.rep[r].kpi[k] - mean, 2);
    double se = sqrt(s2 / (res.n_rep - 1) / res.n_rep);
    double lambda = 5.0, mu = 2.0;
    double wq5 = erlang_c(5, lambda / mu) / (5 * mu - lambda) * DAYS_PER_YEAR;
    double wq3 = erlang_c(3, lambda / mu) / (3 * mu - lambda) * DAYS_PER_YEAR;
    printf("  plan M/M/3 -> M/M/5: Wq %.3f days (Erlang C c=5 %.3f, se %.3f; c=3 %.1f)\n", mean,
           wq5, se, wq3);
    assert_true(se > 0.0);
    assert_true(fabs(mean - wq5) < 4.0 * se);
    assert_true(fabs(mean - wq3) > 20.0 * se);
    runner_results_fini(&res);
    model_destroy(m);
}

/* The exits (citizen, cause, time) of replication 1's citizens that arrive
 * after t0, from an events.csv, one line each, in the file's order. */
static void exits_after(const char *csv, double t0, struct sbuf *out)
{
    enum { MAX_ID = 1 << 16 };
    char *arrived = calloc(MAX_ID, 1);
    assert_non_null(arrived);
    for (const char *p = csv; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        char date[16], ev[32];
        double t;
        unsigned id;
        if (sscanf(p, "%15[^,],%lf,%u,%31[^,\n]", date, &t, &id, ev) != 4 || id >= MAX_ID) continue;
        if (!strcmp(ev, "arrival") && t > t0) arrived[id] = 1;
        else if (arrived[id] && (!strcmp(ev, "death") || !strcmp(ev, "retirement") || !strcmp(ev, "moved_away")))
            sbuf_printf(out, "%u %s %.6f\n", id, ev, t);
    }
    free(arrived);
}

/* A change of an exit setting draws the living citizens' exits again from
 * a stream of its own: the citizens who arrive after it draw their exits as
 * in a scenario without the change (common random numbers stay paired).
 * Retirement at 110 or 111 never comes first, so their laws are the same;
 * moving away is made frequent so that many of them leave. */
static void test_plan_exit_redraw_keeps_pairing(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char cwd[2048], text[8192], args[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, "base = \"%s/tests/data/small.cfg\";\nname = \"still\";\n"
             "set = ( ( \"population.retirement_age\", 110.0 ), ( \"population.other_exit_per_year\", 0.8 ) );\n", cwd);
    tu_tmp_write(&t, "still.cfg", text);
    snprintf(text, sizeof text, "base = \"%s/tests/data/small.cfg\";\nname = \"moved\";\n"
             "set = ( ( \"population.retirement_age\", 110.0 ), ( \"population.other_exit_per_year\", 0.8 ) );\n"
             "changes = ( { date = \"2015-06-15\"; set = ( ( \"population.retirement_age\", 111.0 ) ); } );\n", cwd);
    tu_tmp_write(&t, "moved.cfg", text);
    snprintf(args, sizeof args, "run %s/still.cfg -r 1 -q -o %s/a", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(args, sizeof args, "run %s/moved.cfg -r 1 -q -o %s/b", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *ea = tu_tmp_read(&t, "a/events.csv"), *eb = tu_tmp_read(&t, "b/events.csv");
    assert_non_null(ea);
    assert_non_null(eb);
    const char *pc = strstr(eb, ",plan_change,");
    assert_non_null(pc);
    while (pc > eb && pc[-1] != ',') pc--;          /* back to the citizen column */
    pc--;
    while (pc > eb && pc[-1] != ',') pc--;          /* the t column */
    double t0 = atof(pc);
    assert_true(t0 > 0.9 && t0 < 1.1);
    struct sbuf xa = { 0 }, xb = { 0 };
    exits_after(ea, t0, &xa);
    exits_after(eb, t0, &xb);
    assert_non_null(xa.s);
    assert_true(tu_count_lines(xa.s) >= 3);         /* some to compare */
    assert_non_null(xb.s);
    assert_string_equal(xa.s, xb.s);
    free(xa.s);
    free(xb.s);
    free(ea);
    free(eb);
    tu_tmp_remove(&t);
}

/* A budget that a plan brings in later: years over it are counted and the
 * largest overshoot is a number (it was left undefined when the scenario
 * had no budget at the start). */
static void test_plan_budget_later_overshoot(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char cwd[2048], text[8192], args[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, "base = \"%s/tests/data/small.cfg\";\nname = \"later\";\n"
             "set = ( ( \"budget.annual\", 0.0 ), ( \"budget.rule\", \"report\" ) );\n"
             "changes = ( { date = \"2015-01-01\"; set = ( ( \"budget.annual\", 1000000.0 ) ); } );\n", cwd);
    tu_tmp_write(&t, "later.cfg", text);
    snprintf(args, sizeof args, "run %s/later.cfg -r 2 -q -o %s/o", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *js = tu_tmp_read(&t, "o/summary.json");
    cJSON *root = cJSON_Parse(js);
    free(js);
    const cJSON *k = cJSON_GetObjectItem(root, "kpis");
    const cJSON *over = cJSON_GetObjectItem(cJSON_GetObjectItem(k, "budget_overshoot_max"), "mean");
    const cJSON *years = cJSON_GetObjectItem(cJSON_GetObjectItem(k, "years_over_budget"), "mean");
    assert_true(cJSON_IsNumber(years) && years->valuedouble >= 1.0);
    assert_true(cJSON_IsNumber(over) && over->valuedouble > 0.0);
    cJSON_Delete(root);
    tu_tmp_remove(&t);
}

int test_group_plan(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_loader),
        cmocka_unit_test(test_fixed_cost_derived),
        cmocka_unit_test(test_plan_cost_from_date),
        cmocka_unit_test(test_plan_relocate),
        cmocka_unit_test(test_caseworker_cost),
        cmocka_unit_test(test_plan_mmc_capacity_raised),
        cmocka_unit_test(test_plan_exit_redraw_keeps_pairing),
        cmocka_unit_test(test_plan_budget_later_overshoot),
    };
    *n = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
