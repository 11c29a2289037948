/* test_calib_sim.c: `flowsim calibrate --simulate` (analysis/calib_sim.h).
 *
 * - On a panel from a scenario with a stay limit (tests/data/calib_stay.cfg)
 *   the plain fit's rate out of the limited ring is biased (its 95% CI
 *   misses the true rate); the simulating fit's CI holds it, and every true
 *   rate is within 3.5 of its standard errors.
 * - A simulating fit keeps the base's effects of covariates it does not fit.
 * - A raised stop flag ends it with "interrupted", the plain fit untouched.
 * - The command: method "simulated" in calibration.json, its options.
 * - The regression (calib_sim_regress) recovers a known Jacobian with
 *   strong off-diagonal terms and a known noise covariance, with missing
 *   responses; calib_sim_cov gives the closed form, wider where two
 *   parameters move the fits alike (a flat direction) than the diagonal.
 * - The simulated panels, and the whole fit, are the same on 1 and 2
 *   threads.
 * - Two rates competing for a full ring (tests/data/calib_full.cfg): the
 *   plain fit's intervals miss them by far, the former diagonal method's
 *   by 3.7 and 5.1 of its standard errors; the regression's standard
 *   errors are more than 3 times the plain fit's and put the truth within
 *   3 of them. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "util.h"

#include "analysis/calib.h"
#include "analysis/calib_sim.h"
#include "analysis/calib_validate.h"
#include "analysis/panel.h"
#include "base/sbuf.h"
#include "model/model.h"
#include "model/scenario.h"

#define STAY_CFG "tests/data/calib_stay.cfg"
#define PANEL_SEED 999u               /* not the scenario's seed (41): a fresh panel */

/* A panel of one replication of m with seed, fitted plainly as the
 * simulating fit starts. */
static void observed_fit(const struct model *m, struct panel *p, struct calib_result *r,
                         struct calib_opts *co)
{
    struct sbuf text = { 0 };
    struct err e = { 0 };
    if (calib_sim_panels(m, PANEL_SEED, 1, NULL, &text, &e) != 0) fail_msg("%s", e.msg);
    struct panel_opts po = { 0 };
    calib_panel_needs(co, &po);
    if (panel_parse("observed.csv", text.s, text.len, m, &po, p, &e) != 0) fail_msg("%s", e.msg);
    sbuf_free(&text);
    co->simulated = true;
    if (calib_fit(m, p, co, r, &e) != 0) fail_msg("%s", e.msg);
}

static void test_stay_limit_recovered(void **state)
{
    (void)state;
    struct model *m = tu_load(STAY_CFG);
    struct panel p;
    struct calib_result r;
    struct calib_opts co = { 0 };
    observed_fit(m, &p, &r, &co);
    const struct calib_param *ab = &r.flow[0].params[0];
    double truth = m->transitions[ab->trans].per_year;
    printf("  plain a -> b %.4f [%.4f, %.4f], true %.2f\n", ab->est, ab->lo, ab->hi, truth);
    assert_true(ab->lo > truth);                   /* the stay limit biases it upwards */
    struct err e = { 0 };
    if (calib_simulate(m, &p, 5, &r, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(r.sim.reps, 5);
    assert_true(r.sim.iterations >= 1 && r.sim.evaluations >= r.sim.iterations);
    assert_true(r.sim.max_gap_se < 1.0);
    printf("  simulated: %d iterations, %d simulated fits, largest gap %.3f se\n",
           r.sim.iterations, r.sim.evaluations, r.sim.max_gap_se);
    for (int i = 0; i < r.flow[0].n_params; i++) {
        const struct calib_param *q = &r.flow[0].params[i];
        double t = m->transitions[q->trans].per_year;
        double z = (log(t) - q->theta) / q->theta_se;
        printf("  %d: %.4f [%.4f, %.4f] true %.2f (z %.2f), plain %.4f, gap %.2f\n", i, q->est,
               q->lo, q->hi, t, z, exp(q->plain_theta), q->gap_se);
        assert_true(isfinite(q->gap_se) && fabs(q->gap_se) <= r.sim.max_gap_se + 1e-12);
        assert_true(fabs(z) < 3.5);
        assert_false(q->biased_by);
    }
    assert_true(ab->lo <= truth && truth <= ab->hi);
    calib_result_fini(&r);
    panel_fini(&p);
    model_destroy(m);
}

/* The scenario a simulating fit builds keeps the base's effects of the
 * covariates it does not fit (they are part of the simulated system), and
 * the fit says nothing of dropping them. */
static void test_effects_kept(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt_cov.cfg");
    struct panel p;
    struct calib_result r;
    struct calib_opts co = { 0 };
    observed_fit(m, &p, &r, &co);
    for (int w = 0; w < r.flow[0].n_warn; w++) assert_null(strstr(r.flow[0].warn[w], "DROPPED"));
    struct model *refit = NULL;
    struct err e = { 0 };
    if (calib_refitted_model(m, &r, &refit, &e) != 0) fail_msg("%s", e.msg);
    bool any = false;
    for (int i = 0; i < m->n_transitions; i++)
        for (int s = 0; s < MODEL_MAX_COVS; s++) {
            assert_true(refit->transitions[i].beta[s] == m->transitions[i].beta[s]);
            any |= m->transitions[i].beta[s] != 0.0;
        }
    assert_true(any);
    model_destroy(refit);
    calib_result_fini(&r);
    panel_fini(&p);
    model_destroy(m);
}

static void test_stop_leaves_plain_fit(void **state)
{
    (void)state;
    struct model *m = tu_load(STAY_CFG);
    struct panel p;
    struct calib_result r;
    volatile sig_atomic_t stop = 1;
    struct calib_opts co = { 0 };
    observed_fit(m, &p, &r, &co);
    double est = r.flow[0].params[0].est, se = r.flow[0].params[0].se;
    r.opts.stop = &stop;
    struct err e = { 0 };
    assert_int_equal(calib_simulate(m, &p, 3, &r, &e), -1);
    assert_string_equal(e.msg, "interrupted");
    assert_true(r.flow[0].params[0].est == est && r.flow[0].params[0].se == se);
    assert_int_equal(r.sim.reps, 0);
    calib_result_fini(&r);
    panel_fini(&p);
    model_destroy(m);
}

static void test_command(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run " STAY_CFG " -r 1 -s 5 -o %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(args, sizeof args, "calibrate %s/run/rbs_panel.csv --scenario " STAY_CFG
             " -o %s/cal --simulate --simulate-reps 2", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *json = tu_tmp_read(&t, "cal/calibration.json"), *out = tu_tmp_read(&t, "stdout");
    assert_non_null(json);
    assert_non_null(strstr(json, "\"method\":\t\"simulated\""));
    assert_non_null(strstr(json, "\"replications\":\t2"));
    assert_non_null(strstr(json, "\"gap_se\""));
    assert_non_null(strstr(out, "method: simulated (indirect inference)"));
    assert_true(tu_tmp_exists(&t, "cal/fitted.cfg"));
    free(json);
    free(out);
    snprintf(args, sizeof args, "calibrate %s/run/rbs_panel.csv --scenario " STAY_CFG
             " -o %s/cal2 --simulate-reps 2", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 2);
    snprintf(args, sizeof args, "calibrate %s/run/rbs_panel.csv --scenario " STAY_CFG
             " -o %s/cal2 --simulate --simulate-reps 0", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 2);
    snprintf(args, sizeof args, "calibrate %s/run/rbs_panel.csv --scenario " STAY_CFG
             " -o %s/cal2", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    json = tu_tmp_read(&t, "cal2/calibration.json");
    assert_non_null(strstr(json, "\"method\":\t\"markov\""));
    free(json);
    tu_tmp_remove(&t);
}

/* A linear system b = a + J x + e with J far from diagonal and e
 * correlated normal noise (covariance V = L L^T): the regression returns J
 * and V within their sampling error, also when some responses are
 * missing; a response seen too rarely is flagged. */
static void test_regress_known(void **state)
{
    (void)state;
    enum { N = 600, n = 3 };
    const double J[n * n] = { 0.8, 0.6, 0.0, -0.5, 1.0, 0.3, 0.0, 0.7, 0.4 };
    const double Lc[n * n] = { 0.2, 0.0, 0.0, 0.1, 0.3, 0.0, -0.05, 0.1, 0.25 };
    const double h = 0.3, a[n] = { -1.0, 2.0, 0.5 };
    static double x[N * n], b[N * n];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    for (int k = 0; k < N; k++) {
        double z[n];
        for (int j = 0; j < n; j++) {
            x[k * n + j] = gsl_rng_uniform(rng) < 0.5 ? -h : h;
            z[j] = gsl_ran_gaussian(rng, 1.0);
        }
        for (int i = 0; i < n; i++) {
            b[k * n + i] = a[i];
            for (int j = 0; j < n; j++) b[k * n + i] += J[i * n + j] * x[k * n + j] + Lc[i * n + j] * z[j];
        }
        if (k % 5 == 0) b[k * n + 1] = NAN;          /* a fit that held it */
    }
    double Je[n * n], Ve[n * n];
    bool ok[n];
    assert_int_equal(calib_sim_regress(N, n, x, b, Je, Ve, ok), 0);
    for (int i = 0; i < n; i++) {
        assert_true(ok[i]);
        double var = 0.0;                             /* V_ii */
        for (int j = 0; j < n; j++) var += Lc[i * n + j] * Lc[i * n + j];
        /* the least-squares slope's standard error: sd / (sqrt(N) h) */
        double se = sqrt(var / (0.8 * N)) / h;
        for (int j = 0; j < n; j++) {
            printf("  J[%d][%d] %.3f (true %.2f, se %.3f)\n", i, j, Je[i * n + j], J[i * n + j], se);
            assert_true(fabs(Je[i * n + j] - J[i * n + j]) < 4.0 * se);
        }
        for (int l = 0; l < n; l++) {
            double v = 0.0;
            for (int j = 0; j < n; j++) v += Lc[i * n + j] * Lc[l * n + j];
            assert_true(fabs(Ve[i * n + l] - v) < 0.25 * var + 0.002);
        }
    }
    /* A response fitted in too few samples: not ok, NaN row. */
    for (int k = 0; k < N; k++)
        if (k >= n + 1 + CALIB_SIM_MIN_DOF - 1) b[k * n + 2] = NAN;
    assert_int_equal(calib_sim_regress(N, n, x, b, Je, Ve, ok), 0);
    assert_true(ok[0] && ok[1] && !ok[2]);
    assert_true(isnan(Je[2 * n]) && isnan(Ve[2 * n + 2]));
    gsl_rng_free(rng);
}

/* (1 + 1/M) J^-1 V J^-T against its closed form; two parameters that move
 * the fits alike (J = [[1, 0.9], [0.9, 1]]) get far wider intervals than
 * the diagonal alone would give; a singular J is refused. */
static void test_cov_flat_direction(void **state)
{
    (void)state;
    const double J[4] = { 1.0, 0.9, 0.9, 1.0 }, V[4] = { 0.04, 0.01, 0.01, 0.09 };
    double out[4];
    assert_int_equal(calib_sim_cov(2, J, V, 10, out), 0);
    /* J^-1 = [[1, -0.9], [-0.9, 1]] / 0.19 */
    double ji[4] = { 1.0 / 0.19, -0.9 / 0.19, -0.9 / 0.19, 1.0 / 0.19 };
    for (int i = 0; i < 2; i++)
        for (int l = 0; l < 2; l++) {
            double want = 0.0;
            for (int p = 0; p < 2; p++)
                for (int q = 0; q < 2; q++) want += ji[i * 2 + p] * V[p * 2 + q] * ji[l * 2 + q];
            want *= 1.1;
            assert_true(fabs(out[i * 2 + l] - want) < 1e-9 * fabs(want));
        }
    /* the diagonal method's (1 + 1/M) V_ii / J_ii^2 */
    assert_true(out[0] > 10.0 * 1.1 * V[0] && out[3] > 10.0 * 1.1 * V[3]);
    assert_true(out[1] < 0.0);                       /* the flat direction: opposed */
    assert_true(out[1] == out[2]);                   /* exactly symmetric (the fragment's mvn) */
    double D[4] = { 1.0, 0.0, 0.0, 1.0 };
    assert_int_equal(calib_sim_cov(2, D, V, 10, out), 0);
    assert_true(fabs(out[0] - 1.1 * V[0]) < 1e-12 && fabs(out[1] - 1.1 * V[1]) < 1e-12);
    const double S[4] = { 1.0, 2.0, 0.5, 1.0 };
    assert_int_equal(calib_sim_cov(2, S, V, 10, out), -1);
}

static struct model *load_threads(const char *path, const char *threads)
{
    const char *paths[] = { "simulation.threads" }, *values[] = { threads };
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load_set(path, 1, paths, values, &m, &e) != 0) fail_msg("%s", e.msg);
    return m;
}

/* Same panels, and the same simulating fit to the last bit, on 1 and 2
 * threads. */
static void test_threads_same(void **state)
{
    (void)state;
    struct model *m1 = load_threads(STAY_CFG, "1"), *m2 = load_threads(STAY_CFG, "2");
    struct sbuf t1 = { 0 }, t2 = { 0 };
    struct err e = { 0 };
    assert_int_equal(calib_sim_panels(m1, 5, 3, NULL, &t1, &e), 0);
    assert_int_equal(calib_sim_panels(m2, 5, 3, NULL, &t2, &e), 0);
    assert_true(t1.len == t2.len && t1.len > 0 && memcmp(t1.s, t2.s, t1.len) == 0);
    sbuf_free(&t1), sbuf_free(&t2);
    struct panel p1, p2;
    struct calib_result r1, r2;
    struct calib_opts c1 = { 0 }, c2 = { 0 };
    observed_fit(m1, &p1, &r1, &c1);
    observed_fit(m2, &p2, &r2, &c2);
    if (calib_simulate(m1, &p1, 2, &r1, &e) != 0) fail_msg("%s", e.msg);
    if (calib_simulate(m2, &p2, 2, &r2, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(r1.sim.iterations, r2.sim.iterations);
    const struct calib_flow *f1 = &r1.flow[0], *f2 = &r2.flow[0];
    for (int i = 0; i < f1->n_params; i++) {
        assert_memory_equal(&f1->params[i].theta, &f2->params[i].theta, sizeof(double));
        assert_memory_equal(&f1->params[i].theta_se, &f2->params[i].theta_se, sizeof(double));
    }
    calib_result_fini(&r1), calib_result_fini(&r2);
    panel_fini(&p1), panel_fini(&p2);
    model_destroy(m1), model_destroy(m2);
}

/* b -> a and c -> a both fill ring a, which is full with a queue: the
 * panel shows the places freed and who took them, and the two rates are
 * identified only jointly and weakly (the former diagonal method put the
 * truth 5.1 and 3.7 of its standard errors away). The truth lies 2.2
 * standard errors above both estimates: with a queue that only grows, the
 * panel bounds the demand from below, and the fit stops near that bound
 * (docs/calibration.md). */
static void test_competing_rates_widen(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_full.cfg");
    struct panel p;
    struct calib_result r;
    struct calib_opts co = { 0 };
    observed_fit(m, &p, &r, &co);
    int n = r.flow[0].n_params;
    double plain_se[16];
    assert_true(n <= 16);
    for (int i = 0; i < n; i++) plain_se[i] = r.flow[0].params[i].theta_se;
    struct err e = { 0 };
    if (calib_simulate(m, &p, 3, &r, &e) != 0) fail_msg("%s", e.msg);
    int into_a = 0;
    for (int i = 0; i < n; i++) {
        const struct calib_param *q = &r.flow[0].params[i];
        const struct transition *t = &m->transitions[q->trans];
        double z = (log(t->per_year) - q->theta) / q->theta_se;
        printf("  %d -> %d: %.4f [%.4f, %.4f] true %.2f, log se %.3f (plain %.3f), z %.2f\n",
               t->from, t->to, q->est, q->lo, q->hi, t->per_year, q->theta_se, plain_se[i], z);
        assert_true(fabs(z) < 3.0);
        if (t->to == 0) {                             /* into the full ring a */
            into_a++;
            assert_true(q->theta_se > 3.0 * plain_se[i]);
        }
    }
    assert_int_equal(into_a, 2);
    calib_result_fini(&r);
    panel_fini(&p);
    model_destroy(m);
}

int test_group_calib_sim(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stay_limit_recovered),
        cmocka_unit_test(test_effects_kept),
        cmocka_unit_test(test_stop_leaves_plain_fit),
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_regress_known),
        cmocka_unit_test(test_cov_flat_direction),
        cmocka_unit_test(test_threads_same),
        cmocka_unit_test(test_competing_rates_widen),
    };
    return RUN_GROUP(tests, n);
}
