/* test_calib_sim.c: `flowsim calibrate --simulate` (analysis/calib_sim.h).
 *
 * - On a panel from a scenario with a stay limit (tests/data/calib_stay.cfg)
 *   the plain fit's rate out of the limited ring is biased (its 95% CI
 *   misses the true rate); the simulating fit's CI holds it, and every true
 *   rate is within 3.5 of its standard errors.
 * - A simulating fit keeps the base's effects of covariates it does not fit.
 * - A raised stop flag ends it with "interrupted", the plain fit untouched.
 * - The command: method "simulated" in calibration.json, its options. */
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

int test_group_calib_sim(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stay_limit_recovered),
        cmocka_unit_test(test_effects_kept),
        cmocka_unit_test(test_stop_leaves_plain_fit),
        cmocka_unit_test(test_command),
    };
    return RUN_GROUP(tests, n);
}
