/* test_optimise.c: `flowsim optimise` end to end on cases with a known
 * answer: an M/M/c ring, where Erlang C gives the smallest c whose mean
 * wait meets the target (the answer must be that c, or c + 1 when the CI
 * straddles the target), and two M/M/c rings at once, with and without a
 * budget that cannot pay for both. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "tests.h"
#include "util.h"

#include "model/model.h"

static double erlang_c(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++) b = a * b / (k + a * b);
    return c * b / (c - a * (1.0 - b));
}

/* Smallest c whose Erlang C mean wait (days) is at most target. */
static int smallest_c(double lambda, double mu, double target)
{
    for (int c = (int)floor(lambda / mu) + 1;; c++)
        if (erlang_c(c, lambda / mu) / (c * mu - lambda) * DAYS_PER_YEAR <= target) return c;
}

static cJSON *read_json(struct tmp *t, const char *file)
{
    char *text = tu_tmp_read(t, file);
    assert_non_null(text);
    cJSON *j = cJSON_Parse(text);
    free(text);
    assert_non_null(j);
    return j;
}

static int chosen_int(const cJSON *root, const char *path)
{
    const cJSON *s = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "chosen"), "settings");
    const cJSON *v = cJSON_GetObjectItem(s, path);
    assert_non_null(v);
    return v->valueint;
}

static void test_optimise_mmc(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[1024];
    snprintf(args, sizeof args, "optimise tests/data/mmc.cfg --vary flows.home.rings.ring.capacity=5:12:1 "
             "--target 'flows.home.rings.ring.wait_days_mean<=15' -r 40 -o %s/o", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    cJSON *root = read_json(&t, "o/optimise.json");
    int want = smallest_c(8.0, 2.0, 15.0), got = chosen_int(root, "flows.home.rings.ring.capacity");
    printf("  optimise M/M/c: c = %d (Erlang C: %d), %d replications\n", got, want,
           cJSON_GetObjectItem(root, "replications")->valueint);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(root, "met")));
    assert_true(got == want || got == want + 1);
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(root, "frontier")) >= 1);
    /* Every evaluation counted: more than the confirmed point's 40. */
    assert_true(cJSON_GetObjectItem(root, "replications")->valueint > 40);
    /* The chosen point's KPIs: summary.json's tree, with CIs. */
    const cJSON *k = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "chosen"), "kpis");
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(k, "cost_per_year"), "ci95"));
    cJSON_Delete(root);
    char *csv = tu_tmp_read(&t, "o/optimise.csv");
    assert_true(!strncmp(csv, "point,flows.home.rings.ring.capacity,replications,verdict,frontier,"
                              "chosen,cost_per_year_mean,", 88));
    free(csv);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "answer: ring.capacity="));
    assert_non_null(strstr(out, "replications in"));
    free(out);
    snprintf(args, sizeof args, "plot %s/o", t.dir);
    int prc = tu_flowsim(&t, NULL, args);
    assert_true(prc == 0 || prc == 1);           /* 1: no gnuplot, report still written */
    char *html = tu_tmp_read(&t, "o/report.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "<h2>Answer</h2>"));
    free(html);
    assert_true(tu_tmp_exists(&t, "o/plots/optimise_1.gp"));
    tu_tmp_remove(&t);
}

static void test_optimise_two_rings(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[1024];
    const char *grid = "optimise tests/data/mmc2.cfg --vary flows.one.rings.a.capacity=6:10:1 "
                       "--vary flows.two.rings.b.capacity=3:7:1 "
                       "--target 'flows.one.rings.a.wait_days_mean<=35' "
                       "--target 'flows.two.rings.b.wait_days_mean<=20'";
    snprintf(args, sizeof args, "%s -o %s/o", grid, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    cJSON *root = read_json(&t, "o/optimise.json");
    int a = chosen_int(root, "flows.one.rings.a.capacity");
    int b = chosen_int(root, "flows.two.rings.b.capacity");
    int wa = smallest_c(5.0, 1.0, 35.0), wb = smallest_c(5.0, 2.0, 20.0);
    printf("  optimise two rings: (%d, %d) (Erlang C: (%d, %d))\n", a, b, wa, wb);
    assert_true(a == wa || a == wa + 1);
    assert_true(b == wb || b == wb + 1);
    cJSON_Delete(root);
    /* A budget below the cheapest answer: nothing meets the targets. */
    snprintf(args, sizeof args, "%s --target 'cost_per_year<=%d' -o %s/tight", grid,
             1000 * wa + 3000 * wb - 1, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    root = read_json(&t, "tight/optimise.json");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(root, "met")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(root, "chosen")));
    cJSON_Delete(root);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "no point meets the targets"));
    free(out);
    tu_tmp_remove(&t);
}

static void test_optimise_bad_input(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    static const struct { const char *args, *want; } bad[] = {
        { "optimise tests/data/mmc.cfg --vary flows.home.rings.ring.capacity=5:9:1 "
          "--target 'ring.wait_days_mean<=15'", "--target: no KPI ring.wait_days_mean in summary.json "
          "(e.g. flows.home.rings.ring.wait_days_mean)" },
        { "optimise tests/data/mmc.cfg --vary flows.home.rings.ring.capacity=5:9:1 "
          "--target flows.home.rings.ring.wait_days_mean=15", "must be 'KPI<=VALUE'" },
        { "optimise tests/data/mmc.cfg --target 'flows.home.rings.ring.wait_days_mean<=15'",
          "needs --vary" },
        { "optimise tests/data/mmc.cfg --vary flows.home.rings.ring.capacity=5:9:1", "needs --target" },
        { "optimise tests/data/mmc.cfg --vary flows.home.rings.rng.capacity=5:9:1 "
          "--target 'cost_per_year<=1'", "names no setting" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char full[1024];
        snprintf(full, sizeof full, "%s -o %s/out", bad[i].args, t.dir);
        assert_int_equal(tu_flowsim(&t, NULL, full), 2);
        char *err = tu_tmp_read(&t, "stderr");
        assert_non_null(err);
        if (!strstr(err, bad[i].want)) fail_msg("stderr: %s\nwant: %s", err, bad[i].want);
        free(err);
        assert_false(tu_tmp_exists(&t, "out"));
    }
    tu_tmp_remove(&t);
}

int test_group_optimise(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimise_mmc),
        cmocka_unit_test(test_optimise_two_rings),
        cmocka_unit_test(test_optimise_bad_input),
    };
    *n = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("optimise", tests, NULL, NULL);
}
