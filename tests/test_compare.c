/* test_compare.c: compare.c through the library (paired differences, common
 * random numbers, KPI matching, sweep ranges, --set overrides, the files)
 * and `flowsim compare` / `flowsim sweep` end to end (FLOWSIM_BIN): exit
 * statuses, one-line errors, nothing written on bad input. */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>

#include "tests.h"
#include "util.h"

#include "analysis/compare.h"
#include "analysis/sweep.h"
#include "model/scenario.h"

static void crun(struct model *m, struct cmp_run *c)
{
    struct err e = { 0 };
    struct runopts ro;
    runopts_of(m, &ro);
    ro.threads = 2;
    if (compare_run(m, &ro, false, NULL, false, c, &e) != 0) fail_msg("%s", e.msg);
}

static int find(const struct cmp_run *c, const char *name, int flow, int ring)
{
    for (int k = 0; k < c->n_kpi; k++)
        if (!strcmp(c->desc[k].name, name) && c->desc[k].flow == flow &&
            c->desc[k].ring == ring && c->desc[k].year == 0 && c->desc[k].dim < 0)
            return k;
    fail_msg("no KPI %s", name);
    return -1;
}

/* A scenario compared with itself: every difference is exactly zero. */
static void test_self_comparison_is_zero(void **state)
{
    (void)state;
    struct model *a = tu_load("tests/data/small.cfg"), *b = tu_load("tests/data/small.cfg");
    a->replications = b->replications = 4;
    struct cmp_run ra, rb;
    crun(a, &ra);
    crun(b, &rb);
    int *map = compare_match(&ra, &rb);
    assert_non_null(map);
    int defined = 0;
    for (int k = 0; k < ra.n_kpi; k++) {
        assert_int_equal(map[k], k);
        struct kpi_stat d;
        compare_paired(&ra, k, &rb, k, &d);
        assert_false(compare_real(&d));
        if (d.n == 0) continue;                 /* undefined in every replication */
        assert_true(d.mean == 0.0);
        if (d.n > 1) assert_true(d.sd == 0.0 && d.lo == 0.0 && d.hi == 0.0);
        defined++;
    }
    assert_true(defined > 50);
    free(map);
    compare_run_fini(&ra);
    compare_run_fini(&rb);
}

/* Common random numbers: one more place in the M/M/c ring (5 -> 6 places,
 * load 0.8 -> 0.67). The paired CI of the difference (same seed) must be
 * narrower than the CI of the difference of two independent runs (the
 * alternative on another seed, variances added). */
static void test_crn_narrows_the_ci(void **state)
{
    (void)state;
    struct model *mb = tu_load("tests/data/mmc.cfg"), *ma = tu_load("tests/data/mmc.cfg"),
                 *mi = tu_load("tests/data/mmc.cfg");
    struct model *ms[] = { mb, ma, mi };
    for (int i = 0; i < 3; i++) {
        ms[i]->years = 25.0;
        ms[i]->warmup_years = 5.0;
        ms[i]->replications = 30;
    }
    ma->flows[0].rings[0].capacity = 6;
    mi->flows[0].rings[0].capacity = 6;
    tu_finish(ma);
    tu_finish(mi);
    mi->seed = 1234567;                        /* independent streams */
    struct cmp_run b, a, ind;
    crun(mb, &b);
    crun(ma, &a);
    crun(mi, &ind);
    const char *names[] = { "wait_days_mean", "cost_total", "occupancy_mean" };
    for (int i = 0; i < 3; i++) {
        int ring = strcmp(names[i], "cost_total") ? 0 : -1;
        int k = find(&b, names[i], ring < 0 ? -1 : 0, ring);
        struct kpi_stat paired;
        compare_paired(&b, k, &a, k, &paired);
        double n = b.n_rep, sb = b.stat[k].sd, si = ind.stat[k].sd;
        double half_ind = 1.96 * sqrt(sb * sb / n + si * si / n);
        double half_paired = (paired.hi - paired.lo) / 2.0;
        printf("  %-16s paired diff %+.4g, CI half-width %.4g; independent %+.4g, %.4g; "
               "ratio %.3f\n",
               names[i], paired.mean, half_paired, ind.stat[k].mean - b.stat[k].mean, half_ind,
               half_paired / half_ind);
        assert_true(half_paired < half_ind);
        if (i == 0) assert_true(compare_real(&paired));   /* one place less wait: real */
    }
    compare_run_fini(&b);
    compare_run_fini(&a);
    compare_run_fini(&ind);
}

/* KPIs are matched by name and scope, not position: a shorter horizon has
 * fewer calendar years, and those left out get no difference. */
static void test_match_by_name(void **state)
{
    (void)state;
    struct model *a = tu_load("tests/data/small.cfg"), *b = tu_load("tests/data/small.cfg");
    a->replications = b->replications = 2;
    b->years = 2.5;                            /* ends in 2016: no 2017 */
    struct cmp_run ra, rb;
    crun(a, &ra);
    crun(b, &rb);
    assert_true(rb.n_kpi < ra.n_kpi);
    int *map = compare_match(&ra, &rb);
    int unmatched = 0;
    for (int k = 0; k < ra.n_kpi; k++) {
        if (map[k] < 0) {
            assert_int_equal(ra.desc[k].year, 2017);
            unmatched++;
            continue;
        }
        assert_string_equal(ra.desc[k].name, rb.desc[map[k]].name);
        assert_int_equal(ra.desc[k].year, rb.desc[map[k]].year);
        assert_int_equal(ra.desc[k].ring, rb.desc[map[k]].ring);
    }
    assert_int_equal(unmatched, ra.n_kpi - rb.n_kpi);
    free(map);
    compare_run_fini(&ra);
    compare_run_fini(&rb);
}

static void test_sweep_values(void **state)
{
    (void)state;
    double *v = NULL;
    int n = 0;
    bool integral = false;
    struct err e = { 0 };
    assert_int_equal(sweep_values("80:200:20", &v, &n, &integral, &e), 0);
    assert_int_equal(n, 7);
    assert_true(integral && v[0] == 80 && v[6] == 200);
    free(v);
    assert_int_equal(sweep_values("0.1:0.3:0.1", &v, &n, &integral, &e), 0);
    assert_int_equal(n, 3);                     /* 0.1 + 2 * 0.1 rounds just above 0.3 */
    assert_false(integral);
    char buf[32];
    sweep_format(v[2], integral, buf, sizeof buf);
    assert_true(fabs(atof(buf) - 0.3) < 1e-12);
    free(v);
    assert_int_equal(sweep_values("210:170:-20", &v, &n, &integral, &e), 0);
    assert_int_equal(n, 3);                     /* counting down, for a zip */
    assert_true(integral && v[0] == 210 && v[2] == 170);
    free(v);
    assert_int_equal(sweep_values("5:5:1", &v, &n, &integral, &e), 0);
    assert_int_equal(n, 1);
    free(v);
    sweep_format(120, true, buf, sizeof buf);
    assert_string_equal(buf, "120");
    static const char *const bad[] = { "200:80:20", "80:200:0", "80:200:-5", "80:200", "a:b:c",
                                       "1:2:3:4", "", "1::2" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        assert_int_equal(sweep_values(bad[i], &v, &n, &integral, &e), -1);
        assert_int_equal(e.status, EXIT_INPUT);
        assert_null(v);
    }
    assert_int_equal(sweep_values("200:80:20", &v, &n, &integral, &e), -1);
    assert_non_null(strstr(e.msg, "empty"));
}

static void test_load_set(void **state)
{
    (void)state;
    struct model *m = NULL;
    struct err e = { 0 };
    const char *p[] = { "flows.home.rings.training.capacity", "budget.annual" };
    const char *v[] = { "8", "123.5" };
    assert_int_equal(scenario_load_set("tests/data/small.cfg", 2, p, v, &m, &e), 0);
    assert_int_equal(m->flows[0].rings[1].capacity, 8);
    assert_true(m->budget_annual == 123.5);
    model_destroy(m);
    static const struct { const char *path, *value, *msg; } bad[] = {
        { "flows.home.rings.trainin.capacity", "8",
          "--set: flows.home.rings.trainin.capacity: names no setting of tests/data/small.cfg "
          "(no \"trainin\" in flows.home.rings (did you mean 'training'?))" },
        { "flows.home.rings.training.capacity", "7.5",
          "--set: flows.home.rings.training.capacity: needs a whole number (got 7.5)" },
        { "flows.home.rings.training.capacity", "-3",
          "--set: flows.home.rings.training.capacity: must be 0 or more (got -3)" },
        { "budget.rule", "\"fridge\"", "--set: budget.rule: " },
        { "budget.annual", "lots", "--set: budget.annual: 'lots' is not a value" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        m = NULL;
        assert_int_equal(scenario_load_set("tests/data/small.cfg", 1, &bad[i].path, &bad[i].value,
                                           &m, &e), -1);
        assert_null(m);
        assert_int_equal(e.status, EXIT_INPUT);
        if (strncmp(e.msg, bad[i].msg, strlen(bad[i].msg)) != 0)
            fail_msg("got: %s\nwant: %s", e.msg, bad[i].msg);
    }
}

/* ---- end to end ------------------------------------------------------------ */


/* A variant of tests/data/small.cfg in t, named name, with the given set. */
static void variant(const struct tmp *t, const char *name, const char *set)
{
    char cwd[2048], base[4096], text[8192];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(base, sizeof base, "%s/tests/data/small.cfg", cwd);
    snprintf(text, sizeof text, "base = \"%s\";\nname = \"%s\";\nset = ( %s );\n", base, name, set);
    char file[96];
    snprintf(file, sizeof file, "%s.cfg", name);
    tu_tmp_write(t, file, text);
}

/* Bad input: exit 2, one line on stderr containing want, no output dir. */
static void expect_bad(const struct tmp *t, const char *args, const char *want)
{
    char full[2048];
    snprintf(full, sizeof full, "%s -o %s/out", args, t->dir);
    assert_int_equal(tu_flowsim(t, NULL, full), 2);
    char *err = tu_tmp_read(t, "stderr");
    assert_non_null(err);
    assert_int_equal(tu_count_lines(err), 1);
    if (!strstr(err, want)) fail_msg("stderr: %s\nwant: %s", err, want);
    free(err);
    assert_false(tu_tmp_exists(t, "out"));
}

static void test_cli_bad_input(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[1024];
    /* A variant whose base does not exist. */
    tu_tmp_write(&t, "orphan.cfg", "name = \"orphan\";\nbase = \"nowhere.cfg\";\n");
    snprintf(args, sizeof args, "compare tests/data/small.cfg %s/orphan.cfg", t.dir);
    expect_bad(&t, args, "orphan.cfg:2: base: cannot read");
    /* A variant that sets a key its base does not have. */
    variant(&t, "typo", "( \"flows.home.rings.training.capacty\", 8 )");
    snprintf(args, sizeof args, "compare tests/data/small.cfg %s/typo.cfg", t.dir);
    expect_bad(&t, args, "typo.cfg:3: flows.home.rings.training.capacty: names no setting of the base");
    /* A variant with another horizon. */
    variant(&t, "short", "( \"simulation.years\", 2.0 )");
    snprintf(args, sizeof args, "compare tests/data/small.cfg %s/short.cfg", t.dir);
    expect_bad(&t, args, "simulation.years: must equal the base's (3.5)");
    expect_bad(&t, "compare tests/data/small.cfg", "needs a base scenario and at least one");
    /* Sweeps: an empty range, a missing key, a value the key refuses. */
    expect_bad(&t, "sweep tests/data/small.cfg --set flows.home.rings.training.capacity=9:3:1",
               "empty");
    expect_bad(&t, "sweep tests/data/small.cfg --set flows.home.rings.training.capacity=3:9:0",
               "empty");
    expect_bad(&t, "sweep tests/data/small.cfg --set flows.home.rings.nothere.capacity=3:9:3",
               "--set: flows.home.rings.nothere.capacity: names no setting");
    expect_bad(&t, "sweep tests/data/small.cfg --set flows.home.rings.training.capacity=5:6:0.5",
               "needs a whole number (got 5.5)");
    expect_bad(&t, "sweep tests/data/small.cfg", "needs --set");
    tu_tmp_remove(&t);
}

/* A plan that brings a budget in later gets the overview's "days rule
 * active" column and the budget rows, as a budget from the start does. */
static void test_cli_plan_budget_column(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    variant(&t, "nobudget", "( \"budget.annual\", 0.0 )");
    char cwd[2048], text[8192], args[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, "base = \"%s/tests/data/small.cfg\";\nname = \"later\";\n"
             "set = ( ( \"budget.annual\", 0.0 ) );\n"
             "changes = ( { date = \"2015-01-01\"; set = ( ( \"budget.annual\", 4000000.0 ) ); } );\n", cwd);
    tu_tmp_write(&t, "later.cfg", text);
    snprintf(args, sizeof args, "compare %s/nobudget.cfg %s/later.cfg -r 3 --lang en -o %s/cmp", t.dir,
             t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "days rule active"));
    free(out);
    /* Neither side with a budget at any time: no such column. */
    snprintf(args, sizeof args, "compare %s/nobudget.cfg %s/nobudget.cfg -r 3 --lang en -o %s/cmp", t.dir,
             t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "scenario"));
    assert_null(strstr(out, "days rule active"));
    free(out);
    tu_tmp_remove(&t);
}

/* Whether text holds a number with a decimal point ("17.0"). */
static bool has_decimal_point(const char *text)
{
    for (const char *p = strchr(text, '.'); p; p = strchr(p + 1, '.'))
        if (p > text && isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[1])) return true;
    return false;
}

/* The terminal table speaks the scenario's language in its numbers too:
 * Danish "17,0" and "3,5 år", a CI as "[lo; hi]"; English "17.0". */
static void test_cli_compare_danish_numbers(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    static const char *const lang[] = { "", "--lang en" };
    for (int i = 0; i < 2; i++) {
        char args[1024];
        snprintf(args, sizeof args, "compare tests/data/small.cfg tests/data/small.cfg -r 2 %s "
                 "-o %s/cmp", lang[i], t.dir);
        assert_int_equal(tu_flowsim(&t, NULL, args), 0);
        char *out = tu_tmp_read(&t, "stdout");
        assert_non_null(out);
        if (i == 0) {                                   /* small.cfg speaks Danish */
            assert_non_null(strstr(out, "Udgift pr. år, mio. kr."));
            if (has_decimal_point(out)) fail_msg("a decimal point in the Danish table:\n%s", out);
        }
        assert_non_null(strstr(out, i ? " 3.5 years;" : " 3,5 år;"));
        assert_non_null(strstr(out, i ? "[0.00, 0.00]" : "[0,00; 0,00]"));
        assert_true(i == 0 || has_decimal_point(out));
        free(out);
    }
    tu_tmp_remove(&t);
}

/* -q (--help: no summary line or table): compare, sweep and optimise
 * print nothing on stdout, and still write their results. */
static void test_cli_quiet_prints_nothing(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    static const char *const cmds[] = {
        "compare tests/data/small.cfg tests/data/small.cfg",
        "sweep tests/data/small.cfg --set flows.home.rings.training.capacity=5:6:1",
        "optimise tests/data/small.cfg --vary flows.home.rings.training.capacity=5:6:1 "
        "--target 'flows.home.rings.training.wait_days_mean<=100000'",
    };
    static const char *const files[] = { "out/comparison.json", "out/sweep.json", "out/optimise.json" };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char args[1024];
        snprintf(args, sizeof args, "%s -r 2 -q -o %s/out", cmds[i], t.dir);
        assert_int_equal(tu_flowsim(&t, NULL, args), 0);
        char *out = tu_tmp_read(&t, "stdout");
        assert_non_null(out);
        if (out[0]) fail_msg("%s -q printed: %s", cmds[i], out);
        free(out);
        assert_true(tu_tmp_exists(&t, files[i]));
    }
    tu_tmp_remove(&t);
}

static void test_cli_compare_and_sweep(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[1024];
    variant(&t, "bigger", "( \"flows.home.rings.residence.capacity\", 16 )");
    snprintf(args, sizeof args, "compare tests/data/small.cfg tests/data/small.cfg %s/bigger.cfg "
             "-r 5 -j 2 -o %s/cmp", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "Udgift pr. år, mio. kr."));  /* small.cfg speaks Danish */
    assert_non_null(strstr(out, "bigger ("));
    free(out);
    char *json = tu_tmp_read(&t, "cmp/comparison.json");
    assert_non_null(json);
    cJSON *root = cJSON_Parse(json);
    assert_non_null(root);
    cJSON *scen = cJSON_GetObjectItem(root, "scenarios"), *diff = cJSON_GetObjectItem(root, "differences");
    assert_int_equal(cJSON_GetArraySize(scen), 3);
    /* Never two scenarios under one name: the second small.cfg is small-2. */
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(scen, 0), "name")->valuestring,
                        "small");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(scen, 1), "name")->valuestring,
                        "small-2");
    assert_int_equal(cJSON_GetArraySize(diff), 2);
    assert_int_equal(cJSON_GetObjectItem(root, "replications")->valueint, 5);
    /* The base against itself: zero, not real. */
    cJSON *c0 = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(diff, 0), "kpis"),
                                    "cost_total");
    assert_true(cJSON_GetObjectItem(c0, "mean")->valuedouble == 0.0);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(c0, "real")));
    /* Four more places cost more, for sure. */
    cJSON *c1 = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(diff, 1), "kpis"),
                                    "cost_total");
    assert_true(cJSON_GetObjectItem(c1, "mean")->valuedouble > 0.0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c1, "real")));
    /* Each scenario's tree is summary.json's. */
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(scen, 2), "kpis"),
                                        "by_year"));
    cJSON_Delete(root);
    free(json);
    /* Each scenario's run files beside it, for plots; a repeated name gets -2. */
    assert_true(tu_tmp_exists(&t, "cmp/small/summary.json"));
    assert_true(tu_tmp_exists(&t, "cmp/small-2/timeseries.csv"));
    assert_true(tu_tmp_exists(&t, "cmp/bigger/summary.json"));
    char *csv = tu_tmp_read(&t, "cmp/comparison.csv");
    static const char head[] = "scenario,kpi,flow,ring,year,unit,n,base_mean,base_ci_lo,base_ci_hi,alt_mean,"
                               "alt_ci_lo,alt_ci_hi,diff_mean,diff_sd,diff_ci_lo,diff_ci_hi,real\n";
    assert_true(!strncmp(csv, head, strlen(head)));
    free(csv);
    /* Every replication of every scenario, led by the scenario's name. */
    csv = tu_tmp_read(&t, "cmp/replications.csv");
    assert_true(!strncmp(csv, "scenario,replication,kpi,flow,ring,year,value,unit\n", 51));
    assert_non_null(strstr(csv, "\nbigger,5,cost_per_year,,,,"));
    assert_null(strstr(csv, "\nbigger,6,"));
    free(csv);

    snprintf(args, sizeof args, "sweep tests/data/small.cfg --set flows.home.rings.training.capacity=4:8:2 "
             "-r 3 -o %s/sw", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "wait, days"));
    free(out);
    char *err = tu_tmp_read(&t, "stderr");         /* 4 places < 5 initial: said once */
    assert_non_null(strstr(err, "flows.home.rings.training.initial (5) is lowered"));
    free(err);
    csv = tu_tmp_read(&t, "sw/sweep.csv");
    static const char hdr[] = "point,flows.home.rings.training.capacity,kpi,flow,ring,year,mean,sd,"
                              "ci_lo,ci_hi,unit,n,diff_mean,diff_sd,diff_ci_lo,diff_ci_hi,real\n";
    assert_true(!strncmp(csv, hdr, strlen(hdr)));
    assert_non_null(strstr(csv, "\n0,4,cost_total,,,,"));
    assert_non_null(strstr(csv, "\n2,8,cost_total,,,,"));
    assert_non_null(strstr(csv, ",DKK,3,0,0,0,0,false\n"));    /* the first point against itself */
    assert_null(strstr(csv, "\n3,"));
    free(csv);
    json = tu_tmp_read(&t, "sw/sweep.json");
    root = cJSON_Parse(json);
    assert_non_null(root);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "points")), 3);
    /* More places at the last point cost more than at the first, for sure. */
    cJSON *d2 = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
                    cJSON_GetObjectItem(root, "points"), 2), "differences"), "cost_total");
    assert_true(cJSON_GetObjectItem(d2, "mean")->valuedouble > 0.0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(d2, "real")));
    cJSON_Delete(root);
    free(json);
    tu_tmp_remove(&t);
}

/* Several --set form a grid, --zip steps them together, a plain --set is
 * fixed at every point; progress names the point. */
static void test_cli_sweep_grid_zip(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[1024];
    snprintf(args, sizeof args, "sweep tests/data/small.cfg --set flows.home.rings.residence.capacity=12:14:2 "
             "--set visitation.caseworkers=3:5:1 --set budget.annual=9e6 -r 2 -o %s/g", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *json = tu_tmp_read(&t, "g/sweep.json");
    cJSON *root = cJSON_Parse(json);
    cJSON *pts = cJSON_GetObjectItem(root, "points");
    assert_int_equal(cJSON_GetArraySize(pts), 6);
    cJSON *s5 = cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 5), "settings");
    assert_int_equal(cJSON_GetObjectItem(s5, "flows.home.rings.residence.capacity")->valueint, 14);
    assert_int_equal(cJSON_GetObjectItem(s5, "visitation.caseworkers")->valueint, 5);
    cJSON *s1 = cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 1), "settings");
    assert_int_equal(cJSON_GetObjectItem(s1, "flows.home.rings.residence.capacity")->valueint, 12);
    assert_int_equal(cJSON_GetObjectItem(s1, "visitation.caseworkers")->valueint, 4);
    /* The fixed --set holds at every point: the budget of a whole year. */
    cJSON *by = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 3), "kpis"), "by_year");
    char *bys = cJSON_PrintUnformatted(by);
    assert_non_null(strstr(bys, "9000000"));
    free(bys);
    cJSON_Delete(root);
    free(json);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "caseworker use, %"));     /* columns fit what is swept */
    assert_non_null(strstr(out, "residence wait, days"));
    free(out);
    /* `flowsim plot` on a sweep directory: a report with the table, and a
     * figure per KPI shown (when gnuplot is there: exit 0, else 1). */
    snprintf(args, sizeof args, "plot %s/g", t.dir);
    int prc = tu_flowsim(&t, NULL, args);
    assert_true(prc == 0 || prc == 1);
    char *html = tu_tmp_read(&t, "g/report.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "<th>visitation.caseworkers</th>"));
    assert_non_null(strstr(html, "flows.home.rings.residence.wait_days_mean"));
    if (prc == 0) assert_non_null(strstr(html, "plots/sweep_1.svg"));
    free(html);
    assert_true(tu_tmp_exists(&t, "g/plots/sweep_1.gp"));
    snprintf(args, sizeof args, "sweep tests/data/small.cfg --zip --set flows.home.rings.residence.capacity=12:14:1 "
             "--set flows.home.rings.training.capacity=8:6:1 -r 2 -o %s/z", t.dir);
    expect_bad(&t, args, "empty");
    snprintf(args, sizeof args, "sweep tests/data/small.cfg --zip --set flows.home.rings.residence.capacity=12:14:1 "
             "--set flows.work.rings.sheltered.capacity=11:9:-1 -r 2 -o %s/z", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    json = tu_tmp_read(&t, "z/sweep.json");
    root = cJSON_Parse(json);
    pts = cJSON_GetObjectItem(root, "points");
    assert_int_equal(cJSON_GetArraySize(pts), 3);
    cJSON *z2 = cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 2), "settings");
    assert_int_equal(cJSON_GetObjectItem(z2, "flows.work.rings.sheltered.capacity")->valueint, 9);
    assert_int_equal(cJSON_GetObjectItem(z2, "flows.home.rings.residence.capacity")->valueint, 14);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(root, "zip")));
    cJSON_Delete(root);
    free(json);
    snprintf(args, sizeof args, "sweep tests/data/small.cfg --zip --set flows.home.rings.residence.capacity=12:14:1 "
             "--set visitation.caseworkers=3:4:1 -r 2 -o %s/z2", t.dir);
    expect_bad(&t, args, "--zip: every --set range needs the same number of values");
    tu_tmp_remove(&t);
}

/* --set PATH=VALUE on run, check and compare (every scenario). */
static void test_cli_set(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[1024];
    assert_int_equal(tu_flowsim(&t, NULL, "check tests/data/small.cfg --set "
                                "flows.home.rings.residence.capacity=40"), 0);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "40"));
    free(out);
    expect_bad(&t, "run tests/data/small.cfg --set flows.home.rings.residence.capacty=40",
               "--set: flows.home.rings.residence.capacty: names no setting");
    expect_bad(&t, "run tests/data/small.cfg --set visitation.caseworkers", "must be PATH=VALUE");
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -o %s/a --set budget.annual=1e9 "
             "--set visitation.caseworkers=7", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *json = tu_tmp_read(&t, "a/summary.json");
    assert_non_null(strstr(json, "1000000000"));
    free(json);
    snprintf(args, sizeof args, "compare tests/data/small.cfg tests/data/small.cfg -r 2 -o %s/c "
             "--set budget.annual=1e9", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    json = tu_tmp_read(&t, "c/small/summary.json");
    assert_non_null(strstr(json, "1000000000"));
    free(json);
    json = tu_tmp_read(&t, "c/small-2/summary.json");
    assert_non_null(strstr(json, "1000000000"));
    free(json);
    tu_tmp_remove(&t);
}

/* A run's options travel beside the model, never in it: compare_run turns
 * off replication 1's records in its own options, and the seed and
 * replications it ran with are those asked for, while the model keeps the
 * scenario's values (a model is a value from the moment it is loaded). */
static void test_runopts_leave_the_model_alone(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/small.cfg");
    assert_true(m->out_events && m->out_rbs_panel);
    const uint64_t seed = m->seed;
    const int reps = m->replications;
    struct runopts ro;
    runopts_of(m, &ro);
    ro.seed = seed + 1;
    ro.replications = 3;
    ro.threads = 2;
    struct cmp_run c;
    struct err e = { 0 };
    if (compare_run(m, &ro, false, NULL, true, &c, &e) != 0) fail_msg("%s", e.msg);
    assert_true(c.m->out_events && c.m->out_rbs_panel);
    assert_int_equal(c.m->seed, seed);
    assert_int_equal(c.m->replications, reps);
    assert_false(c.ro.events || c.ro.rbs_panel);
    assert_int_equal(c.n_rep, 3);
    assert_int_equal(c.res.ro.seed, seed + 1);
    assert_int_equal(c.res.rep[0].panel.len, 0);
    compare_run_fini(&c);
}

int test_group_compare(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_comparison_is_zero),
        cmocka_unit_test(test_runopts_leave_the_model_alone),
        cmocka_unit_test(test_crn_narrows_the_ci),
        cmocka_unit_test(test_match_by_name),
        cmocka_unit_test(test_sweep_values),
        cmocka_unit_test(test_load_set),
        cmocka_unit_test(test_cli_bad_input),
        cmocka_unit_test(test_cli_compare_and_sweep),
        cmocka_unit_test(test_cli_plan_budget_column),
        cmocka_unit_test(test_cli_compare_danish_numbers),
        cmocka_unit_test(test_cli_quiet_prints_nothing),
        cmocka_unit_test(test_cli_sweep_grid_zip),
        cmocka_unit_test(test_cli_set),
    };
    return RUN_GROUP(tests, n);
}
