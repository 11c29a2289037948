/* test_validation.c: whole runs against results known exactly. Every
 * tolerance comes from the replications' standard error (or the exact
 * sampling variance where it is known), not from a loose constant. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "tests.h"

#include "model.h"
#include "runner.h"
#include "scenario.h"
#include "stats.h"

/* Index of a KPI in the layout; fails the test when it does not exist. */
static int kpi_index(const struct model *m, const char *name, int flow, int ring)
{
    struct kpi_desc *d = NULL;
    int n = stats_kpi_layout(m, &d);
    int found = -1;
    for (int k = 0; k < n && found < 0; k++)
        if (!strcmp(d[k].name, name) && d[k].flow == flow && d[k].ring == ring &&
            d[k].year == 0 && d[k].dim < 0)
            found = k;
    free(d);
    assert_true(found >= 0);
    return found;
}

/* Mean over replications and its standard error. */
static void kpi_mean_se(const struct run_results *res, int k, double *mean, double *se)
{
    double s = 0.0, s2 = 0.0;
    int n = res->n_rep;
    for (int r = 0; r < n; r++) s += res->rep[r].kpi[k];
    *mean = s / n;
    for (int r = 0; r < n; r++) s2 += pow(res->rep[r].kpi[k] - *mean, 2);
    *se = sqrt(s2 / (n - 1) / n);
}

static struct model *load(const char *path)
{
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load(path, &m, &e) != 0) fail_msg("%s", e.msg);
    return m;
}

static void run(const struct model *m, struct run_results *res)
{
    struct err e = { 0 };
    if (runner_run(m, 2, false, res, &e) != 0) fail_msg("%s", e.msg);
}

/* ---- M/M/c against Erlang C ------------------------------------------- */

/* Erlang C waiting probability, via the stable Erlang B recursion. */
static double erlang_c(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++) b = a * b / (k + a * b);
    return c * b / (c - a * (1.0 - b));
}

static void check_mmc(double lambda, double mu, int c)
{
    struct model *m = load("tests/data/mmc.cfg");
    m->arrivals_per_year = lambda;
    m->moves[0].per_year = mu;
    m->transitions[0].per_year = mu;
    m->flows[0].rings[0].capacity = c;
    struct run_results res;
    run(m, &res);

    double a = lambda / mu;
    double wq_days = erlang_c(c, a) / (c * mu - lambda) * DAYS_PER_YEAR;
    double lq = lambda * wq_days / DAYS_PER_YEAR;
    double l = lq + a;
    double mean, se;
    kpi_mean_se(&res, kpi_index(m, "wait_days_mean", 0, 0), &mean, &se);
    printf("  M/M/%d lambda=%g mu=%g: Wq %.3f days (Erlang C %.3f, se %.3f)\n", c, lambda, mu,
           mean, wq_days, se);
    assert_true(se > 0.0);
    assert_true(fabs(mean - wq_days) < 4.0 * se);
    kpi_mean_se(&res, kpi_index(m, "waiting_list_mean", 0, 0), &mean, &se);
    printf("  M/M/%d: Lq %.4f (Erlang C %.4f, se %.4f)\n", c, mean, lq, se);
    assert_true(fabs(mean - lq) < 4.0 * se);
    kpi_mean_se(&res, kpi_index(m, "occupancy_mean", 0, 0), &mean, &se);
    printf("  M/M/%d: L in service %.4f (exact %.4f, se %.4f)\n", c, mean, a, se);
    assert_true(fabs(mean - a) < 4.0 * se);
    (void)l;
    runner_results_fini(&res);
    model_destroy(m);
}

static void test_mmc_5(void **state) { (void)state; check_mmc(8.0, 2.0, 5); }
static void test_mmc_2(void **state) { (void)state; check_mmc(3.1, 1.9, 2); }

/* ---- closed CTMC against p0 * expm(Q t) ---------------------------------- */

static void test_ctmc_expm(void **state)
{
    (void)state;
    struct model *m = load("tests/data/ctmc.cfg");
    const struct flow *fl = &m->flows[0];
    const int n = fl->n_rings + 1;      /* rings and none */
    gsl_matrix *q = gsl_matrix_calloc((size_t)n, (size_t)n);
    gsl_matrix *qt = gsl_matrix_alloc((size_t)n, (size_t)n);
    gsl_matrix *p = gsl_matrix_alloc((size_t)n, (size_t)n);
    for (int k = 0; k < m->n_transitions; k++) {
        const struct transition *tr = &m->transitions[k];
        gsl_matrix_set(q, (size_t)tr->from, (size_t)tr->to, tr->per_year);
        *gsl_matrix_ptr(q, (size_t)tr->from, (size_t)tr->from) -= tr->per_year;
    }
    double p0[MODEL_MAX_RINGS + 1] = { 0 };
    int placed = 0;
    for (int s = 0; s < fl->n_rings; s++) {
        p0[s] = fl->rings[s].initial;
        placed += fl->rings[s].initial;
    }
    p0[fl->n_rings] = m->initial - placed;

    struct run_results res;
    run(m, &res);
    const double times[] = { 1.0, 2.0, 5.0 };
    for (size_t it = 0; it < sizeof times / sizeof times[0]; it++) {
        gsl_matrix_memcpy(qt, q);
        gsl_matrix_scale(qt, times[it]);
        assert_int_equal(gsl_linalg_exponential_ss(qt, p, GSL_PREC_DOUBLE), 0);
        int snap = (int)lround(times[it] / res.shape.snap_dt);
        for (int s = 0; s < n; s++) {
            /* Expected count: each citizen moves independently. */
            double expect = 0.0, var = 0.0;
            for (int i = 0; i < n; i++) {
                double pij = gsl_matrix_get(p, (size_t)i, (size_t)s);
                expect += p0[i] * pij;
                var += p0[i] * pij * (1.0 - pij);
            }
            double sum = 0.0;
            for (int r = 0; r < res.n_rep; r++)
                sum += res.rep[r].series[((size_t)snap * res.shape.n_slots + s) * SERIES_COLS + SERIES_OCC];
            double mean = sum / res.n_rep, se = sqrt(var / res.n_rep);
            printf("  t=%g %-4s: %.2f (expm %.2f, se %.2f)\n", times[it],
                   model_state_id(fl, s), mean, expect, se);
            assert_true(fabs(mean - expect) < 4.0 * se);
        }
    }
    runner_results_fini(&res);
    gsl_matrix_free(q);
    gsl_matrix_free(qt);
    gsl_matrix_free(p);
    model_destroy(m);
}

int test_group_validation(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmc_5),
        cmocka_unit_test(test_mmc_2),
        cmocka_unit_test(test_ctmc_expm),
    };
    return RUN_GROUP(tests, n);
}
