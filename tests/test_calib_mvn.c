/* test_calib_mvn.c: the parameter uncertainty calibrate writes into its
 * fragment (analysis/calib_mvn.h, docs/calibration.md "What the fragment
 * carries").
 *
 * - The plain fit's block, read back by the loader from a variant that
 *   @includes the fragment, holds exactly the fit's numbers: the log rates
 *   and the inverse information's entries (their square roots the
 *   standard errors the fit reports).
 * - The draws a run with --uncertainty makes from it (psa_draw with the
 *   scenario's seed, replication by replication, as the runner does):
 *   the sample covariance of the log rates recovers the fitted covariance
 *   within four standard errors, and each replication's model carries the
 *   drawn rates.
 * - --simulate: the block holds the simulating fit's covariance (its
 *   standard errors, inflation included).
 * - A base with its own block: the fragment's block keeps what the fit
 *   does not set (a price, an MVN component on the exit rate, with their
 *   numbers) and leaves out the rates the fit sets; a variant of that base
 *   including the fragment draws both.
 * - A file with its own block that also @includes the fragment is refused
 *   in one line naming the key and both places.
 * - --simulate --covariates end to end on a stay-limited system with
 *   effects of sex: every true rate and effect within 3.5 standard errors,
 *   the effects written into the fragment, no effect in the block.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "tests.h"
#include "util.h"

#include "analysis/calib.h"
#include "analysis/calib_mvn.h"
#include "analysis/calib_out.h"
#include "analysis/calib_sim.h"
#include "analysis/panel.h"
#include "base/sbuf.h"
#include "engine/psa.h"
#include "model/model.h"
#include "model/scenario.h"

#define STAY_CFG "tests/data/calib_stay.cfg"
#define STAY_COV_CFG "tests/data/calib_stay_cov.cfg"
#define PANEL_SEED 999u               /* not the scenario's seed (41) */

/* A panel of one replication of m (PANEL_SEED), fitted plainly (as a
 * simulating fit starts when simulated is set). */
static void fit_panel(const struct model *m, bool simulated, struct panel *p,
                      struct calib_result *r)
{
    struct sbuf text = { 0 };
    struct err e = { 0 };
    if (calib_sim_panels(m, PANEL_SEED, 1, NULL, &text, &e) != 0) fail_msg("%s", e.msg);
    struct calib_opts co = { .simulated = simulated };
    struct panel_opts po = { 0 };
    calib_panel_needs(&co, &po);
    if (panel_parse("observed.csv", text.s, text.len, m, &po, p, &e) != 0) fail_msg("%s", e.msg);
    sbuf_free(&text);
    if (calib_fit(m, p, &co, r, &e) != 0) fail_msg("%s", e.msg);
}

/* Writes r's fragment into t and a variant of cfg that @includes it, and
 * loads the variant. */
static struct model *load_variant(const struct tmp *t, const char *cfg, const struct model *m,
                                  const struct calib_result *r, const struct panel *p)
{
    char frag[256], var[1024], cwd[512];
    snprintf(frag, sizeof frag, "%s/fitted.cfg", t->dir);
    struct calib_source src = { "observed.csv", NULL, "test", p };
    struct err e = { 0 };
    if (calib_write_fragment(frag, m, r, &src, &e) != 0) fail_msg("%s", e.msg);
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(var, sizeof var, "base = \"%s/%s\";\n@include \"fitted.cfg\"\n", cwd, cfg);
    tu_tmp_write(t, "variant.cfg", var);
    snprintf(var, sizeof var, "%s/variant.cfg", t->dir);
    return tu_load(var);
}

/* The block the variant read equals the fit's numbers exactly: the
 * identified rates in order, their log rates, the fit's covariance. */
static void check_block(const struct model *v, const struct calib_result *r)
{
    assert_non_null(v->uncertainty);
    assert_int_equal(v->uncertainty->n, 0);
    const struct unc_mvn *u = &v->uncertainty->mvn;
    const struct calib_flow *cf = &r->flow[0];
    int K = cf->n_params / (1 + r->opts.n_cov), k = 0;
    for (int i = 0; i < K; i++) {
        const struct calib_param *q = &cf->params[i];
        if (q->fixed || q->unidentified) continue;
        assert_true(k < u->k);
        char want[256];
        snprintf(want, sizeof want, "transitions[home:%s->%s].per_year",
                 model_state_id(&v->flows[0], v->transitions[q->trans].from),
                 model_state_id(&v->flows[0], v->transitions[q->trans].to));
        assert_string_equal(u->path[k], want);
        assert_true(u->mean[k] == q->theta);              /* written to 17 digits */
        assert_true(fabs(v->transitions[q->trans].per_year / exp(q->theta) - 1) < 1e-7);
        assert_true(fabs(sqrt(u->cov[k * u->k + k]) / q->theta_se - 1) < 1e-12);
        int l = 0;
        for (int j = 0; j < K; j++) {
            const struct calib_param *o = &cf->params[j];
            if (o->fixed || o->unidentified) continue;
            double want_c = cf->cov[i * cf->n_params + j];
            assert_true(fabs(u->cov[k * u->k + l] - want_c) <= 1e-15 * fabs(want_c));
            l++;
        }
        k++;
    }
    assert_int_equal(u->k, k);
    assert_true(k >= 5);
}

/* A fit of a calib_stay panel (plain, or simulating with sim_reps
 * replications), and the variant including its fragment. */
struct fit_fx {
    struct model *m, *v;
    struct panel p;
    struct calib_result r;
    struct tmp t;
};

static void fx_setup(struct fit_fx *x, int sim_reps)
{
    x->m = tu_load(STAY_CFG);
    fit_panel(x->m, sim_reps > 0, &x->p, &x->r);
    struct err e = { 0 };
    if (sim_reps > 0 && calib_simulate(x->m, &x->p, sim_reps, &x->r, &e) != 0) fail_msg("%s", e.msg);
    tu_tmp_make(&x->t);
    x->v = load_variant(&x->t, STAY_CFG, x->m, &x->r, &x->p);
}

static void fx_teardown(struct fit_fx *x)
{
    model_destroy(x->v);
    tu_tmp_remove(&x->t);
    calib_result_fini(&x->r);
    panel_fini(&x->p);
    model_destroy(x->m);
}

static void test_plain_block_round_trip(void **state)
{
    (void)state;
    struct fit_fx x;
    fx_setup(&x, 0);
    check_block(x.v, &x.r);
    char *frag = tu_tmp_read(&x.t, "fitted.cfg");
    assert_non_null(strstr(frag, "uncertainty = {\n  mvn = {"));
    assert_null(strstr(frag, "effects."));
    free(frag);
    fx_teardown(&x);
}

/* What a run with --uncertainty draws: replication r's values are
 * psa_draw(m, seed, r) and its model carries them (psa_model). */
static void test_draws_recover_fitted_cov(void **state)
{
    (void)state;
    struct fit_fx fx;
    fx_setup(&fx, 0);
    const struct model *v = fx.v;
    const struct calib_result *r = &fx.r;
    const struct unc_mvn *u = &v->uncertainty->mvn;
    enum { N = 20000, KMAX = 8 };
    int k = u->k;
    assert_int_equal(k, 6);           /* every rate identified: component a is rate a */
    assert_true(k <= KMAX);
    double (*y)[KMAX] = malloc(sizeof(double[KMAX]) * N), mu[KMAX] = { 0 };
    assert_non_null(y);
    for (int i = 0; i < N; i++) {
        double x[KMAX];
        int truncated = 0;
        psa_draw(v, v->seed, (uint32_t)i, x, &truncated);
        assert_int_equal(truncated, 0);
        for (int a = 0; a < k; a++) mu[a] += (y[i][a] = log(x[a])) / N;
        if (i == 0) {                 /* replication 0 runs on these rates */
            struct model *d = NULL;
            struct err e = { 0 };
            if (psa_model(v, x, &d, &e) != 0) fail_msg("%s", e.msg);
            for (int a = 0; a < k; a++)
                assert_true(d->transitions[r->flow[0].params[a].trans].per_year == x[a]);
            model_destroy(d);
        }
    }
    for (int a = 0; a < k; a++) {
        assert_true(fabs(mu[a] - u->mean[a]) < 4 * sqrt(u->cov[a * k + a] / N));
        for (int b = 0; b < k; b++) {
            double c = 0;
            for (int i = 0; i < N; i++) c += (y[i][a] - mu[a]) * (y[i][b] - mu[b]);
            c /= N - 1;
            double sab = r->flow[0].cov[r->flow[0].n_params * a + b];
            double se = sqrt((u->cov[a * k + a] * u->cov[b * k + b] + sab * sab) / N);
            if (fabs(c - sab) > 4 * se) fail_msg("cov[%d][%d] %g, fitted %g (se %g)", a, b, c, sab, se);
        }
    }
    free(y);
    fx_teardown(&fx);
}

/* --simulate: the block is the simulating fit's covariance, whose square
 * roots are its standard errors (the simulation noise included). */
static void test_simulated_block(void **state)
{
    (void)state;
    struct fit_fx x, plain;
    fx_setup(&x, 2);
    fx_setup(&plain, 0);
    assert_true(x.r.flow[0].params[0].theta_se != plain.r.flow[0].params[0].theta_se);
    check_block(x.v, &x.r);
    fx_teardown(&plain);
    fx_teardown(&x);
}

/* The base (a variant of calib_stay) declares a price, a rate the fit
 * sets, and an MVN on the exit rate and another fitted rate. */
static void test_base_block_carried(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char text[2048], cwd[512], path[256];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "base = \"%s/" STAY_CFG "\";\n"
             "uncertainty = {\n"
             "  parameters = (\n"
             "    { path = \"transitions[home:a->b].per_year\"; dist = \"lognormal\"; mean = 0.3; sd = 0.05; },\n"
             "    { path = \"flows.home.rings.a.citizen_cost_per_year\"; dist = \"gamma\"; mean = 100.0; sd = 15.0; } );\n"
             "  mvn = { paths = [ \"transitions[home:b->c].per_year\", \"population.other_exit_per_year\" ];\n"
             "          mean = [ -1.4, -3.5 ]; cov = [ 0.04, 0.01, 0.01, 0.0625 ]; };\n"
             "};\n", cwd);
    tu_tmp_write(&t, "base.cfg", text);
    snprintf(path, sizeof path, "%s/base.cfg", t.dir);
    struct model *m = tu_load(path);
    struct panel p;
    struct calib_result r;
    fit_panel(m, false, &p, &r);
    struct err e = { 0 };
    struct calib_source src = { "observed.csv", NULL, "test", &p };
    snprintf(path, sizeof path, "%s/fitted.cfg", t.dir);
    if (calib_write_fragment(path, m, &r, &src, &e) != 0) fail_msg("%s", e.msg);
    tu_tmp_write(&t, "variant.cfg", "base = \"base.cfg\";\n@include \"fitted.cfg\"\n");
    snprintf(path, sizeof path, "%s/variant.cfg", t.dir);
    struct model *v = tu_load(path);
    const struct uncertainty *u = v->uncertainty;
    assert_int_equal(u->n, 1);
    assert_string_equal(u->p[0].path, "flows.home.rings.a.citizen_cost_per_year");
    assert_int_equal(u->p[0].dist, UNC_GAMMA);
    assert_true(u->p[0].mean == 100.0 && u->p[0].sd == 15.0);
    const struct unc_mvn *w = &u->mvn;
    assert_int_equal(w->k, 7);        /* the six fitted rates, then the exit rate */
    assert_string_equal(w->path[6], "population.other_exit_per_year");
    assert_true(w->mean[6] == -3.5 && w->cov[6 * 7 + 6] == 0.0625);
    for (int a = 0; a < 6; a++) {
        assert_true(w->cov[a * 7 + 6] == 0.0 && w->cov[6 * 7 + a] == 0.0);
        assert_true(w->mean[a] == r.flow[0].params[a].theta);
    }
    char *frag = tu_tmp_read(&t, "fitted.cfg");
    assert_non_null(strstr(frag, "left out, since the fit sets them:\n"
                                 "#   transitions[home:a->b].per_year\n"
                                 "#   transitions[home:b->c].per_year\n"));
    free(frag);
    /* Both blocks in one file: libconfig takes a key once. */
    snprintf(text, sizeof text, "base = \"%s/" STAY_CFG "\";\n@include \"fitted.cfg\"\n"
             "uncertainty = { parameters = ( { path = \"population.other_exit_per_year\"; "
             "dist = \"gamma\"; mean = 0.03; sd = 0.01; } ); };\n", cwd);
    tu_tmp_write(&t, "both.cfg", text);
    snprintf(text, sizeof text, "check %s/both.cfg", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, text), 2);
    char *err = tu_tmp_read(&t, "stderr");
    printf("  %s", err);
    assert_int_equal(tu_count_lines(err), 1);
    assert_non_null(strstr(err, "both.cfg:3: uncertainty: declared twice (also at "));
    assert_non_null(strstr(err, "/fitted.cfg:"));
    free(err);
    /* A key repeated inside a group keeps libconfig's words. */
    tu_tmp_write(&t, "inner.cfg", "name = \"x\";\nsimulation = { years = 1.0;\n  years = 2.0; };\n");
    snprintf(text, sizeof text, "check %s/inner.cfg", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, text), 2);
    err = tu_tmp_read(&t, "stderr");
    assert_non_null(strstr(err, "inner.cfg:3: syntax: duplicate setting name"));
    free(err);
    model_destroy(v);
    calib_result_fini(&r);
    panel_fini(&p);
    model_destroy(m);
    tu_tmp_remove(&t);
}

/* The value of key in the object o, or NaN. */
static double jnum(const cJSON *o, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

/* The transition of m's first flow from a to b (state ids). */
static int transition_of(const struct model *m, const char *a, const char *b)
{
    for (int i = 0; i < m->n_transitions; i++) {
        const struct transition *t = &m->transitions[i];
        if (!strcmp(model_state_id(&m->flows[t->flow], t->from), a) &&
            !strcmp(model_state_id(&m->flows[t->flow], t->to), b))
            return i;
    }
    fail_msg("no transition %s -> %s", a, b);
    return -1;
}

/* calibrate --simulate --covariates female on a panel of the stay-limited
 * system with effects of sex: the effects are estimated and written, every
 * true value within 3.5 standard errors and at least 10 of the 12 inside
 * their 95% CIs (fixed seeds: deterministic); the fragment carries the
 * fitted effects, and its block the six rates only. */
static void test_simulate_covariates(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run " STAY_COV_CFG " -r 1 -s 5 -q -o %s/run", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(args, sizeof args, "calibrate %s/run/rbs_panel.csv --scenario " STAY_COV_CFG
             " -o %s/cal --simulate --simulate-reps 2 --covariates female", t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *json = tu_tmp_read(&t, "cal/calibration.json");
    cJSON *doc = cJSON_Parse(json);
    assert_non_null(doc);
    const cJSON *flow = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "flows"), 0);
    const cJSON *q;
    int n = 0, inside = 0, betas = 0;
    struct model *m = tu_load(STAY_COV_CFG);
    char var[1024], cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(var, sizeof var, "base = \"%s/" STAY_COV_CFG "\";\n@include \"cal/fitted.cfg\"\n", cwd);
    tu_tmp_write(&t, "variant.cfg", var);
    snprintf(var, sizeof var, "%s/variant.cfg", t.dir);
    struct model *v = tu_load(var);
    cJSON_ArrayForEach(q, cJSON_GetObjectItem(flow, "parameters")) {
        const char *par = cJSON_GetObjectItem(q, "parameter")->valuestring;
        bool rate = !strcmp(par, "per_year");
        double est = jnum(q, "estimate"), se = jnum(q, "se"), truth = jnum(q, "base");
        const cJSON *ci = cJSON_GetObjectItem(q, "ci95");
        double lo = cJSON_GetArrayItem(ci, 0)->valuedouble, hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
        double z = rate ? (log(est) - log(truth)) / jnum(q, "log_rate_se") : (est - truth) / se;
        printf("  %s -> %s %s: %.4f [%.4f, %.4f] true %.2f (z %.2f)\n",
               cJSON_GetObjectItem(q, "from")->valuestring, cJSON_GetObjectItem(q, "to")->valuestring,
               par, est, lo, hi, truth, z);
        assert_true(fabs(z) < 3.5);
        inside += lo <= truth && truth <= hi;
        n++;
        if (rate) continue;
        betas++;
        /* The fragment holds the fitted effect (to its 8 digits). */
        int i = transition_of(v, cJSON_GetObjectItem(q, "from")->valuestring,
                              cJSON_GetObjectItem(q, "to")->valuestring);
        assert_true(fabs(v->transitions[i].beta[COV_FEMALE] - est) < 1e-7 * fmax(1, fabs(est)));
    }
    assert_int_equal(n, 12);
    assert_int_equal(betas, 6);
    assert_true(inside >= 10);
    assert_int_equal(v->uncertainty->mvn.k, 6);
    for (int a = 0; a < v->uncertainty->mvn.k; a++)
        assert_non_null(strstr(v->uncertainty->mvn.path[a], ".per_year"));
    model_destroy(v);
    model_destroy(m);
    cJSON_Delete(doc);
    free(json);
    tu_tmp_remove(&t);
}

int test_group_calib_mvn(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_block_round_trip),
        cmocka_unit_test(test_draws_recover_fitted_cov),
        cmocka_unit_test(test_simulated_block),
        cmocka_unit_test(test_base_block_carried),
        cmocka_unit_test(test_simulate_covariates),
    };
    return RUN_GROUP(tests, n);
}
