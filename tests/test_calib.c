/* test_calib.c: calibration (calib.c) and `flowsim calibrate`.
 *
 * - The likelihood against the closed form of a two-state chain, and its
 *   analytic gradient against central differences (with covariates).
 * - Nearly continuous observation: the MLE approaches the count/exposure
 *   estimator n_ij / T_i of the underlying path.
 * - Round trips: panels simulated by flowsim itself at known rates (with
 *   and without covariate effects) are calibrated, and every true value
 *   must lie within 3.5 standard errors of its estimate; coverage of the 95%
 *   intervals is printed and must be at least 80% of the parameters. Seeds
 *   are fixed, so the outcome is deterministic.
 * - The fragment is @include'd by a scenario that loads and runs.
 * - What the data cannot estimate is held and warned about; impossible
 *   moves are counted, not fatal.
 * - The command end to end: exit statuses, one-line errors with nothing
 *   written, --skip-bad-rows. */
#include <math.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "tests.h"
#include "util.h"

#include "analysis/calib.h"
#include "analysis/calib_out.h"
#include "analysis/calib_validate.h"
#include "analysis/panel.h"
#include "base/sbuf.h"
#include "engine/sim.h"
#include "model/model.h"
#include "model/scenario.h"

/* A whole file as a string (free it); fails the test when unreadable. */
static char *tu_slurp_file(const char *path, size_t *n)
{
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    char *s = calloc(1, 1 << 20);
    assert_non_null(s);
    *n = fread(s, 1, (1 << 20) - 1, in);
    fclose(in);
    return s;
}

static void parse_panel(const struct model *m, const char *text, size_t len,
                        const struct calib_opts *co, struct panel *p)
{
    struct panel_opts po = { 0 };
    calib_panel_needs(co, &po);
    struct err e = { 0 };
    if (panel_parse("test.csv", text, len, m, &po, p, &e) != 0) fail_msg("%s", e.msg);
}

/* The RBS panels of replications 0..reps-1, ids prefixed "r<rep>-" so
 * that citizens of different replications stay apart. Caller frees. */
static char *simulate_panel(const struct model *m, int reps, size_t *len)
{
    struct sbuf b = { 0 };
    sim_panel_header(m, &b);
    struct sim_workspace *w = sim_workspace_create(m);
    assert_non_null(w);
    struct sim_shape sh;
    sim_shape_of(m, &sh);
    for (int r = 0; r < reps; r++) {
        struct rep_result res;
        struct err e = { 0 };
        assert_int_equal(sim_result_init(&res, &sh), 0);
        if (sim_run(w, (uint32_t)r, true, false, &res, &e) != 0) fail_msg("%s", e.msg);
        const char *s = res.panel.s, *end = s + res.panel.len;
        while (s && s < end) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
            sbuf_printf(&b, "r%d-", r);
            sbuf_append(&b, s, n);
            s += n;
        }
        sim_result_fini(&res);
    }
    sim_workspace_destroy(w);
    assert_false(b.failed);
    *len = b.len;
    return b.s;
}

/* ---- the likelihood ----------------------------------------------------- */

static double p2(int from, int to, double a, double b, double t)
{
    double s = a + b, move = (from == 0 ? a : b) / s * (1.0 - exp(-s * t));
    return from == to ? 1.0 - move : move;
}

static const char TWO_PANEL[] = "id,t,home\n"
                                "1,0,in\n1,0.37,in\n1,1.9,none\n1,2.05,none\n1,3.4,in\n"
                                "2,0.1,none\n2,0.6,in\n2,2.75,in\n"
                                "3,0.5,in\n3,0.51,none\n3,0.52,none\n"
                                "4,1.0,none\n4,3.0,none\n";

/* -log L of TWO_PANEL by the closed form. */
static double two_closed(double a, double b)
{
    static const struct { int from, to; double dt; } pairs[] = {
        { 0, 0, 0.37 }, { 0, 1, 1.53 }, { 1, 1, 0.15 }, { 1, 0, 1.35 },
        { 1, 0, 0.5 },  { 0, 0, 2.15 }, { 0, 1, 0.01 }, { 1, 1, 0.01 }, { 1, 1, 2.0 },
    };
    double f = 0.0;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        f -= log(p2(pairs[i].from, pairs[i].to, a, b, pairs[i].dt));
    return f;
}

static void test_two_state_closed_form(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_two.cfg");
    struct calib_opts co = { 0 };
    struct panel p;
    parse_panel(m, TWO_PANEL, strlen(TWO_PANEL), &co, &p);
    struct err e = { 0 };
    struct calib_lik *L = calib_lik_create(m, &p, 0, &co, &e);
    assert_non_null(L);
    assert_int_equal(calib_lik_n_params(L), 2);
    static const double rates[][2] = { { 0.7, 0.45 }, { 1.93, 0.214 }, { 0.0317, 5.25 } };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        double a = rates[i][0], b = rates[i][1];
        double theta[2] = { log(a), log(b) }, g[2];
        double f = calib_lik_eval(L, theta, g);
        double want = two_closed(a, b);
        if (fabs(f - want) > 1e-11 * fabs(want)) fail_msg("f = %.17g, closed form %.17g", f, want);
        /* d/dlog a of the closed form, by central differences. */
        double h = 1e-6;
        double ga = (two_closed(a * exp(h), b) - two_closed(a * exp(-h), b)) / (2 * h);
        double gb = (two_closed(a, b * exp(h)) - two_closed(a, b * exp(-h))) / (2 * h);
        if (fabs(g[0] - ga) > 1e-6 * (1 + fabs(ga)) || fabs(g[1] - gb) > 1e-6 * (1 + fabs(gb)))
            fail_msg("gradient (%.10g, %.10g), closed form (%.10g, %.10g)", g[0], g[1], ga, gb);
    }
    calib_lik_destroy(L);

    /* The fit: the closed-form optimum, found by a fine search along both
     * axes from the fit's answer, is not better than the fit. */
    struct calib_result r;
    if (calib_fit(m, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    const struct calib_flow *cf = &r.flow[0];
    assert_true(cf->fitted && cf->converged && cf->hessian_pd);
    double a = cf->params[0].est, b = cf->params[1].est, best = two_closed(a, b);
    assert_true(fabs(cf->minus2ll - 2 * best) < 1e-8 * best);
    for (int k = -20; k <= 20; k++) {
        if (!k) continue;
        assert_true(two_closed(a * exp(0.001 * k), b) >= best - 1e-9);
        assert_true(two_closed(a, b * exp(0.001 * k)) >= best - 1e-9);
    }
    calib_result_fini(&r);
    panel_fini(&p);
    model_destroy(m);
}

static void test_gradient_with_covariates(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt_cov.cfg");
    m->initial = 300;                  /* a small panel is enough here */
    m->flows[0].rings[0].initial = 100;
    m->flows[0].rings[1].initial = 100;
    m->flows[0].rings[2].initial = 100;
    size_t len;
    char *text = simulate_panel(m, 1, &len);
    struct calib_opts co = { 0 };
    struct err e = { 0 };
    assert_int_equal(calib_parse_covariates(m, "female,social,age", &co, &e), 0);
    struct panel p;
    parse_panel(m, text, len, &co, &p);
    struct calib_lik *L = calib_lik_create(m, &p, 0, &co, &e);
    assert_non_null(L);
    int P = calib_lik_n_params(L);
    assert_int_equal(P, 6 * 4);
    double theta[24], g[24];
    for (int i = 0; i < P; i++)
        theta[i] = i < 6 ? log(0.1 + 0.07 * i) : 0.05 * ((i * 7) % 11) - 0.25;
    calib_lik_eval(L, theta, g);
    for (int i = 0; i < P; i++) {
        double h = 1e-5, keep = theta[i];
        theta[i] = keep + h;
        double fp = calib_lik_eval(L, theta, NULL);
        theta[i] = keep - h;
        double fm = calib_lik_eval(L, theta, NULL);
        theta[i] = keep;
        double fd = (fp - fm) / (2 * h);
        if (fabs(g[i] - fd) > 1e-4 + 1e-6 * fabs(fd))
            fail_msg("parameter %d: gradient %.10g, central difference %.10g", i, g[i], fd);
    }
    calib_lik_destroy(L);
    panel_fini(&p);
    free(text);
    model_destroy(m);
}

/* ---- nearly continuous observation --------------------------------------- */

static void test_dense_count_exposure(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt.cfg");
    const struct flow *fl = &m->flows[0];
    int S = fl->n_rings + 1, K = m->n_transitions;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 20240611);
    const double h = 0.01, horizon = 4.0;
    const int n_cit = 400;
    double moves[8][8] = { { 0 } }, time_in[8] = { 0 };
    struct sbuf b = { 0 };
    sbuf_printf(&b, "id,t,home\n");
    for (int c = 0; c < n_cit; c++) {
        int s = c % S;
        double t = 0.0, next_obs = 0.0;
        for (;;) {
            double out = 0.0;
            for (int k = 0; k < K; k++)
                if (m->transitions[k].from == s) out += m->transitions[k].per_year;
            double jump = t + gsl_ran_exponential(g, 1.0 / out);
            double until = fmin(jump, horizon);
            while (next_obs <= until + 1e-12 && next_obs <= horizon + 1e-12) {
                sbuf_printf(&b, "%d,%.6f,%s\n", c, next_obs, model_state_id(fl, s));
                next_obs = round((next_obs + h) / h) * h;
            }
            time_in[s] += until - t;
            if (jump >= horizon) break;
            double u = gsl_rng_uniform(g) * out;
            int k = 0;
            while (m->transitions[k].from != s || (u -= m->transitions[k].per_year) > 0) k++;
            moves[s][m->transitions[k].to] += 1;
            s = m->transitions[k].to;
            t = jump;
        }
    }
    gsl_rng_free(g);
    struct calib_opts co = { 0 };
    struct panel p;
    parse_panel(m, b.s, b.len, &co, &p);
    struct calib_result r;
    struct err e = { 0 };
    if (calib_fit(m, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    const struct calib_flow *cf = &r.flow[0];
    assert_true(cf->converged && cf->hessian_pd);
    print_message("  dense panel (every %.2f y, %d citizens): MLE vs count/exposure\n", h, n_cit);
    for (int k = 0; k < K; k++) {
        const struct transition *t = &m->transitions[k];
        double ce = moves[t->from][t->to] / time_in[t->from];
        const struct calib_param *q = &cf->params[k];
        print_message("    %s -> %-4s MLE %.5f  n/T %.5f  (%.0f moves)  se %.5f\n",
                      model_state_id(fl, t->from), model_state_id(fl, t->to), q->est, ce,
                      moves[t->from][t->to], q->se);
        /* Observation every 0.01 y hides at most a few double jumps: the
         * two agree to well within a tenth of a standard error. */
        if (fabs(q->est - ce) > 0.1 * q->se) fail_msg("MLE %.6g vs n/T %.6g (se %.3g)", q->est, ce, q->se);
        /* and the standard error is the Poisson one, sqrt(n)/T. */
        double se_ce = sqrt(moves[t->from][t->to]) / time_in[t->from];
        assert_true(fabs(q->se - se_ce) < 0.05 * se_ce);
    }
    calib_result_fini(&r);
    panel_fini(&p);
    sbuf_free(&b);
    model_destroy(m);
}

/* ---- round trips ------------------------------------------------------- */

/* Checks a fit of flowsim's own panel against the scenario's true values:
 * every one within 3.5 standard errors, and at least 80% inside their 95%
 * intervals. Prints the table. */
static void check_roundtrip(const struct model *m, const struct calib_result *r, const char *what)
{
    const struct calib_flow *cf = &r->flow[0];
    const struct flow *fl = &m->flows[0];
    assert_true(cf->fitted);
    assert_true(cf->converged);
    assert_true(cf->hessian_pd);
    assert_int_equal(cf->n_impossible, 0);
    int inside = 0;
    print_message("  round trip %s: %zu citizens, %zu pairs, %zu moves, -2logL %.2f, %.2f s\n",
                  what, cf->n_cit, cf->n_pairs, cf->n_moves, cf->minus2ll, cf->seconds);
    for (int i = 0; i < cf->n_params; i++) {
        const struct calib_param *q = &cf->params[i];
        const struct transition *t = &m->transitions[q->trans];
        double truth = q->cov < 0 ? t->per_year : t->beta[q->cov];
        double z = (q->est - truth) / q->se;
        bool in = q->lo <= truth && truth <= q->hi;
        inside += in;
        print_message("    %s -> %-4s %-8s true %7.3f  est %8.4f  se %.4f  95%% CI [%.4f, %.4f]  "
                      "z %+.2f%s\n", model_state_id(fl, t->from), model_state_id(fl, t->to),
                      q->cov < 0 ? "per_year" : calib_cov_name(m, q->cov), truth, q->est, q->se,
                      q->lo, q->hi, z, in ? "" : "  (outside)");
        assert_false(q->fixed);
        assert_true(isfinite(q->se) && q->se > 0);
        if (!(fabs(z) < 3.5)) fail_msg("%s: estimate %g is %.2f se from the truth %g", what, q->est, z, truth);
    }
    print_message("    %d of %d true values inside their 95%% CI\n", inside, cf->n_params);
    assert_true(inside >= (int)ceil(0.8 * cf->n_params));
}

static void test_roundtrip_rates(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt.cfg");
    size_t len;
    char *text = simulate_panel(m, 2, &len);
    struct calib_opts co = { 0 };
    struct panel p;
    parse_panel(m, text, len, &co, &p);
    struct calib_result r;
    struct err e = { 0 };
    if (calib_fit(m, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    check_roundtrip(m, &r, "rates only (tests/data/calib_rt.cfg, 2 replications)");
    /* The fit check: expected prevalence follows the observed. */
    const struct calib_flow *cf = &r.flow[0];
    assert_true(cf->n_grid > 2);
    for (int g = 0; g < cf->n_grid; g++)
        for (int s = 0; s < cf->n_states; s++) {
            double n = cf->at_risk[g], o = cf->observed[g * cf->n_states + s] / n,
                   x = cf->expected[g * cf->n_states + s] / n;
            assert_true(fabs(o - x) < 4.0 * sqrt(x * (1 - x) / n) + 1e-9);
        }
    calib_result_fini(&r);
    panel_fini(&p);
    free(text);
    model_destroy(m);
}

static void test_roundtrip_covariates(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt_cov.cfg");
    size_t len;
    char *text = simulate_panel(m, 2, &len);
    struct calib_opts co = { 0 };
    struct err e = { 0 };
    assert_int_equal(calib_parse_covariates(m, "female,social", &co, &e), 0);
    struct panel p;
    parse_panel(m, text, len, &co, &p);
    struct calib_result r;
    if (calib_fit(m, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    check_roundtrip(m, &r, "with effects of female and social (tests/data/calib_rt_cov.cfg)");

    /* The fragment, @include'd by the scenario in place of its own list,
     * loads with the fitted values and runs. */
    char dir[] = "/tmp/flowsim-calib-XXXXXX", path[128], frag[128];
    assert_non_null(mkdtemp(dir));
    snprintf(frag, sizeof frag, "%s/fitted.cfg", dir);
    struct calib_source src = { "test.csv", NULL, "test", &p };
    if (calib_write_fragment(frag, m, &r, &src, &e) != 0) fail_msg("%s", e.msg);
    FILE *in = fopen("tests/data/calib_rt_cov.cfg", "r");
    assert_non_null(in);
    char *cfg = calloc(1, 1 << 16);
    assert_non_null(cfg);
    size_t n = fread(cfg, 1, (1 << 16) - 1, in);
    fclose(in);
    cfg[n] = '\0';
    char *from = strstr(cfg, "transitions = ("), *to = from ? strstr(from, ");\n") : NULL;
    assert_non_null(to);
    snprintf(path, sizeof path, "%s/fitted-scenario.cfg", dir);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fprintf(out, "%.*s@include \"fitted.cfg\"\n%s", (int)(from - cfg), cfg, to + 3);
    fclose(out);
    free(cfg);
    struct model *fitted = tu_load(path);
    const struct calib_flow *cf = &r.flow[0];
    assert_int_equal(fitted->n_transitions, m->n_transitions);
    for (int i = 0; i < cf->n_params; i++) {
        const struct calib_param *q = &cf->params[i];
        const struct transition *t = &fitted->transitions[q->trans];
        double got = q->cov < 0 ? t->per_year : t->beta[q->cov];
        assert_true(fabs(got - q->est) <= 1e-7 * fabs(q->est));
    }
    struct sim_workspace *w = sim_workspace_create(fitted);
    struct sim_shape sh;
    sim_shape_of(fitted, &sh);
    struct rep_result res;
    assert_int_equal(sim_result_init(&res, &sh), 0);
    if (sim_run(w, 0, false, false, &res, &e) != 0) fail_msg("%s", e.msg);
    assert_true(res.n_events > 1000);
    sim_result_fini(&res);
    sim_workspace_destroy(w);
    model_destroy(fitted);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);

    calib_result_fini(&r);
    panel_fini(&p);
    free(text);
    model_destroy(m);
}

/* ---- what the data cannot say ------------------------------------------- */

static bool has_warning(const struct calib_flow *cf, const char *part)
{
    for (int i = 0; i < cf->n_warn; i++)
        if (strstr(cf->warn[i], part)) return true;
    return false;
}

static void test_held_and_impossible(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt.cfg");
    /* Nobody measured in b; a -> b never seen; everyone male. */
    struct sbuf b = { 0 };
    sbuf_printf(&b, "id,t,home,female\n");
    uint32_t x = 12345;
    for (int c = 0; c < 200; c++) {
        bool in_c = c % 2;
        for (int k = 0; k < 8; k++) {
            x = x * 1664525u + 1013904223u;          /* c <-> none, 1 in 5 per step */
            if (k && (x >> 16) % 5 == 0) in_c = !in_c;
            const char *s = c < 20 ? "a" : in_c ? "c" : "none";
            sbuf_printf(&b, "%d,%.2f,%s,0\n", c, 0.5 * k + 0.01 * (c % 7), s);
        }
    }
    struct calib_opts co = { 0 };
    struct err e = { 0 };
    assert_int_equal(calib_parse_covariates(m, "female", &co, &e), 0);
    struct panel p;
    parse_panel(m, b.s, b.len, &co, &p);
    struct calib_result r;
    if (calib_fit(m, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    const struct calib_flow *cf = &r.flow[0];
    assert_true(has_warning(cf, "no pair of measurements starts in b"));
    assert_true(has_warning(cf, "female does not vary among pairs starting in a"));
    assert_true(has_warning(cf, "no move a -> b observed"));
    /* a -> b at the boundary, b's rates held at the base, the rest fitted. */
    assert_true(cf->params[0].fixed && cf->params[0].est == 0.0 && cf->params[0].lo == 0.0);
    assert_true(cf->params[1].fixed && cf->params[1].est == m->transitions[1].per_year);
    assert_true(isnan(cf->params[1].se));
    assert_true(has_warning(cf, "no move c -> b observed"));
    assert_false(cf->params[4].fixed);        /* c -> none and none -> c are fitted */
    assert_false(cf->params[5].fixed);
    assert_true(cf->converged && cf->hessian_pd && isfinite(cf->params[4].se));
    calib_result_fini(&r);
    panel_fini(&p);
    sbuf_free(&b);

    /* A move the listed transitions cannot make is counted and left out. */
    struct model *two = tu_load("tests/data/calib_two.cfg");
    two->n_transitions = 1;            /* only in -> none: none -> in is impossible */
    co.n_cov = 0;
    parse_panel(two, TWO_PANEL, strlen(TWO_PANEL), &co, &p);
    if (calib_fit(two, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(r.flow[0].n_impossible, 2);
    assert_true(has_warning(&r.flow[0], "2 pairs of consecutive measurements show a move the "
                                        "listed transitions cannot make (citizen 1: none -> in, "
                                        "lines 5 and 6)"));
    calib_result_fini(&r);
    panel_fini(&p);
    two->n_transitions = 2;
    model_destroy(two);
    model_destroy(m);
}

/* ---- what the plain fit cannot see -------------------------------------- */

static const struct calib_param *param_of(const struct model *m, const struct calib_flow *cf,
                                          const char *from, const char *to, int cov)
{
    for (int i = 0; i < cf->n_params; i++) {
        const struct calib_param *q = &cf->params[i];
        const struct transition *t = &m->transitions[q->trans];
        const struct flow *fl = &m->flows[t->flow];
        if (q->cov == cov && !strcmp(model_state_id(fl, t->from), from) &&
            !strcmp(model_state_id(fl, t->to), to))
            return q;
    }
    fail_msg("no parameter %s -> %s", from, to);
    return NULL;
}

/* A move out of a ring with a stay limit, and a move into a ring full at
 * its initial occupancy, are flagged as biased; the others are not. */
static void test_system_bias_flagged(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt.cfg");
    size_t len;
    char *text = simulate_panel(m, 1, &len);
    m->flows[0].rings[0].max_stay_years = 2.0;                  /* a */
    m->flows[0].rings[2].capacity = m->flows[0].rings[2].initial;   /* c full */
    struct calib_opts co = { 0 };
    struct panel p;
    parse_panel(m, text, len, &co, &p);
    struct calib_result r;
    struct err e = { 0 };
    if (calib_fit(m, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    const struct calib_flow *cf = &r.flow[0];
    assert_string_equal(param_of(m, cf, "a", "b", -1)->biased_by, "stay limit");
    assert_string_equal(param_of(m, cf, "b", "c", -1)->biased_by, "full ring");
    assert_string_equal(param_of(m, cf, "none", "c", -1)->biased_by, "full ring");
    assert_null(param_of(m, cf, "c", "none", -1)->biased_by);
    assert_true(has_warning(cf, "a has a stay limit of 2 years in the base scenario"));
    assert_true(has_warning(cf, "c is full in the base scenario"));
    calib_result_fini(&r);
    panel_fini(&p);
    free(text);
    model_destroy(m);
}

/* Writes the fragment of r and loads base_cfg with its transitions list
 * replaced by an @include of it; returns the fragment's text (free it). */
static char *fragment_loaded(const char *base_cfg, const struct model *m,
                             const struct calib_result *r, const struct panel *p,
                             struct model **loaded)
{
    char dir[] = "/tmp/flowsim-calfrag-XXXXXX", frag[128], path[128], cmd[160];
    assert_non_null(mkdtemp(dir));
    snprintf(frag, sizeof frag, "%s/fitted.cfg", dir);
    struct calib_source src = { "test.csv", NULL, "test", p };
    struct err e = { 0 };
    if (calib_write_fragment(frag, m, r, &src, &e) != 0) fail_msg("%s", e.msg);
    size_t n;
    char *cfg = tu_slurp_file(base_cfg, &n);
    char *from = strstr(cfg, "transitions = ("), *to = from ? strstr(from, ");\n") : NULL;
    assert_non_null(to);
    snprintf(path, sizeof path, "%s/s.cfg", dir);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fprintf(out, "%.*s@include \"fitted.cfg\"\n%s", (int)(from - cfg), cfg, to + 3);
    fclose(out);
    free(cfg);
    *loaded = tu_load(path);
    char *text = tu_slurp_file(frag, &n);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return text;
}

/* Rates the panel cannot bound are not written as if known: the fragment
 * keeps the base's value, says why, and still loads. */
static void test_unidentified_keeps_base(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_two.cfg");
    struct calib_opts co = { 0 };
    struct panel p;
    parse_panel(m, TWO_PANEL, strlen(TWO_PANEL), &co, &p);
    struct calib_result r;
    struct err e = { 0 };
    if (calib_fit(m, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    const struct calib_flow *cf = &r.flow[0];
    assert_true(cf->params[0].unidentified && cf->params[1].unidentified);
    assert_true(has_warning(cf, "in -> none rate is not identified by this panel"));
    struct model *fitted;
    char *text = fragment_loaded("tests/data/calib_two.cfg", m, &r, &p, &fitted);
    assert_non_null(strstr(text, "# per_year: not identified by the panel"));
    for (int i = 0; i < 2; i++)
        assert_true(fitted->transitions[i].per_year == m->transitions[i].per_year);
    free(text);
    model_destroy(fitted);
    calib_result_fini(&r);
    panel_fini(&p);
    model_destroy(m);
}

/* A fit without covariates says loudly that it drops the base's effects,
 * and the fragment (which loads) says it beside each transition. */
static void test_dropped_effects_said(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt_cov.cfg");
    size_t len;
    char *ptext = simulate_panel(m, 1, &len);
    struct calib_opts co = { 0 };
    struct panel p;
    parse_panel(m, ptext, len, &co, &p);
    struct calib_result r;
    struct err e = { 0 };
    if (calib_fit(m, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    assert_true(has_warning(&r.flow[0], "the base scenario's effects of social, female on 6 "
                                        "transitions are DROPPED"));
    struct model *fitted;
    char *text = fragment_loaded("tests/data/calib_rt_cov.cfg", m, &r, &p, &fitted);
    assert_non_null(strstr(text, "# effect of female (0.4 in the base) dropped: not fitted"));
    for (int i = 0; i < fitted->n_transitions; i++)
        for (int s = 0; s < MODEL_MAX_COVS; s++) assert_true(fitted->transitions[i].beta[s] == 0.0);
    free(text);
    model_destroy(fitted);
    calib_result_fini(&r);
    panel_fini(&p);
    free(ptext);
    model_destroy(m);
}

/* Validation: the refitted scenario of a correctly specified panel (a pure
 * Markov system) reproduces it within sampling error; a scenario with
 * rates three times too high does not, and the gap is found. */
static void test_validation(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt.cfg");
    size_t len;
    char *text = simulate_panel(m, 1, &len);
    struct calib_opts co = { 0 };
    struct panel p;
    parse_panel(m, text, len, &co, &p);
    struct calib_result r;
    struct err e = { 0 };
    if (calib_fit(m, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    struct model *refit = NULL;
    if (calib_refitted_model(m, &r, &refit, &e) != 0) fail_msg("%s", e.msg);
    assert_true(fabs(refit->transitions[0].per_year - r.flow[0].params[0].est) < 1e-12);
    struct calib_validation v;
    if (calib_validate(refit, &p, &r, 20, NULL, &v, &e) != 0) fail_msg("%s", e.msg);
    const struct calib_val_flow *vf = &v.flow[0];
    printf("  validation, right model: largest |z| share %.2f, moves %.2f\n", vf->worst_z,
           vf->worst_moves_z);
    assert_true(vf->done && vf->n_grid > 0 && vf->n_years >= 5);
    assert_true(vf->worst_z < CALIB_VALIDATE_Z && vf->worst_moves_z < CALIB_VALIDATE_Z);
    /* Observed moves per year are the panel's own pairs. */
    double moves = 0;
    for (int i = 0; i < vf->n_years * vf->n_states * vf->n_states; i++) moves += vf->obs_moves[i];
    assert_true(moves > 0 && moves <= (double)r.flow[0].n_moves);
    calib_validation_fini(&v);
    for (int i = 0; i < refit->n_transitions; i++) refit->transitions[i].per_year *= 3.0;
    assert_int_equal(model_finish(refit, &e), 0);
    if (calib_validate(refit, &p, &r, 5, NULL, &v, &e) != 0) fail_msg("%s", e.msg);
    printf("  validation, rates x3: largest |z| share %.2f, moves %.2f\n", v.flow[0].worst_z,
           v.flow[0].worst_moves_z);
    assert_true(v.flow[0].worst_z > CALIB_VALIDATE_Z && v.flow[0].worst_moves_z > CALIB_VALIDATE_Z);
    calib_validation_fini(&v);
    /* A raised stop flag ends it. */
    volatile sig_atomic_t stop = 1;
    assert_int_equal(calib_validate(refit, &p, &r, 5, &stop, &v, &e), -1);
    assert_string_equal(e.msg, "interrupted");
    model_destroy(refit);
    calib_result_fini(&r);
    panel_fini(&p);
    free(text);
    model_destroy(m);
}

/* ---- the command -------------------------------------------------------- */

static const char *bin(void)
{
    const char *b = getenv("FLOWSIM_BIN");
    return b ? b : "build/flowsim";
}

static int run_cmd(const char *dir, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s calibrate %s >'%s/stdout' 2>'%s/stderr'", bin(), args, dir, dir);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static char *slurp(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *s = calloc(1, 1 << 20);
    assert_non_null(s);
    size_t n = fread(s, 1, (1 << 20) - 1, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

static bool exists(const char *dir, const char *name)
{
    char path[256];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0;
}

static void test_command(void **state)
{
    (void)state;
    char dir[] = "/tmp/flowsim-calcli-XXXXXX", args[1024], panel[128];
    assert_non_null(mkdtemp(dir));
    snprintf(panel, sizeof panel, "%s/panel.csv", dir);
    FILE *f = fopen(panel, "w");
    assert_non_null(f);
    fputs(TWO_PANEL, f);
    fputs("5,0.0,in\n5,1.0,nowhere\n5,2.0,none\n", f);
    fclose(f);

    /* A bad row: exit 2, one line naming file, line and column; nothing written. */
    snprintf(args, sizeof args, "%s --scenario tests/data/calib_two.cfg --out-dir %s/out", panel, dir);
    assert_int_equal(run_cmd(dir, args), 2);
    char *err = slurp(dir, "stderr");
    char want[256];
    snprintf(want, sizeof want, "%s:16: home: no ring 'nowhere' in flow home (nor 'none')\n", panel);
    assert_string_equal(err, want);
    free(err);
    assert_false(exists(dir, "out"));

    /* Usage errors. */
    assert_int_equal(run_cmd(dir, panel), 2);
    snprintf(args, sizeof args, "%s --scenario tests/data/calib_two.cfg --covariates sex", panel);
    assert_int_equal(run_cmd(dir, args), 2);
    err = slurp(dir, "stderr");
    assert_string_equal(err, "flowsim: --covariates: no covariate 'sex' (the scenario has: social, "
                             "age, female)\n");
    free(err);

    /* Skipping: exit 0, the count on stderr, every file written. */
    snprintf(args, sizeof args, "%s --scenario tests/data/calib_two.cfg --skip-bad-rows "
             "-o %s/out --fragment %s/frag/fitted.cfg", panel, dir, dir);
    assert_int_equal(run_cmd(dir, args), 0);
    err = slurp(dir, "stderr");
    assert_non_null(strstr(err, "flowsim: skipped 1 malformed row of 16 in"));
    free(err);
    char *out = slurp(dir, "stdout");
    assert_non_null(strstr(out, "in -> none"));
    assert_non_null(strstr(out, "fit check"));
    free(out);
    assert_true(exists(dir, "out/calibration.json"));
    assert_true(exists(dir, "out/fitcheck.csv"));
    assert_true(exists(dir, "out/fitcheck.gp"));
    assert_true(exists(dir, "out/fitcheck-home.dat"));
    assert_true(exists(dir, "frag/fitted.cfg"));
    char *json = slurp(dir, "out/calibration.json");
    assert_non_null(strstr(json, "\"rows_skipped\":\t1"));
    assert_non_null(strstr(json, "\"minus2loglik\""));
    free(json);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- bounded and interruptible ------------------------------------------ */

/* Where a log-rate is beyond the explored cap the likelihood is flat in it,
 * and the analytic gradient must say so (it did not, and BFGS's line search
 * then spent hundreds of evaluations per step: an 815-second fit). */
static void test_gradient_agrees_beyond_cap(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_two.cfg");
    struct calib_opts co = { 0 };
    struct panel p;
    parse_panel(m, TWO_PANEL, strlen(TWO_PANEL), &co, &p);
    struct err e = { 0 };
    struct calib_lik *L = calib_lik_create(m, &p, 0, &co, &e);
    assert_non_null(L);
    double th[2] = { 40.0, log(0.7) }, g[2], h = 1e-4;
    calib_lik_eval(L, th, g);
    th[0] += h;
    double fp = calib_lik_eval(L, th, NULL);
    th[0] -= 2 * h;
    double fm = calib_lik_eval(L, th, NULL);
    assert_true(fabs(g[0] - (fp - fm) / (2 * h)) < 1e-6 * (1.0 + fabs(g[0])));
    calib_lik_destroy(L);
    panel_fini(&p);
    model_destroy(m);
}

/* A covariate that separates the data (every a -> b move by a woman, none
 * by a man) has no finite maximum likelihood: the fit must end well inside
 * its evaluation bound instead of running the effect off to infinity. */
static void test_separated_effect_ends(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt.cfg");
    struct sbuf b = { 0 };
    sbuf_printf(&b, "id,t,home,female\n");
    for (int c = 0; c < 120; c++) {
        int fem = c % 2;
        for (int k = 0; k < 6; k++) {
            const char *s = k < 2 || !fem ? "a" : "b";
            if (fem && k > 3) s = "c";
            sbuf_printf(&b, "%d,%.2f,%s,%d\n", c, 0.5 * k, s, fem);
        }
    }
    struct calib_opts co = { 0 };
    struct err e = { 0 };
    assert_int_equal(calib_parse_covariates(m, "female", &co, &e), 0);
    struct panel p;
    parse_panel(m, b.s, b.len, &co, &p);
    struct calib_result r;
    if (calib_fit(m, &p, &co, &r, &e) != 0) fail_msg("%s", e.msg);
    const struct calib_flow *cf = &r.flow[0];
    printf("  separated effect: %d iterations, %ld evaluations\n", cf->iterations, cf->evaluations);
    assert_true(cf->evaluations < CALIB_MAX_EVALS / 2);
    assert_false(cf->eval_capped);
    calib_result_fini(&r);
    panel_fini(&p);
    sbuf_free(&b);
    model_destroy(m);
}

/* A raised stop flag ends the fit with "interrupted". */
static void test_stop_flag(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/calib_rt.cfg");
    size_t len;
    char *text = simulate_panel(m, 1, &len);
    volatile sig_atomic_t stop = 1;
    struct calib_opts co = { .stop = &stop };
    struct panel p;
    parse_panel(m, text, len, &co, &p);
    struct calib_result r;
    struct err e = { 0 };
    assert_int_equal(calib_fit(m, &p, &co, &r, &e), -1);
    assert_string_equal(e.msg, "interrupted");
    assert_int_equal(e.status, EXIT_RUNTIME);
    panel_fini(&p);
    free(text);
    model_destroy(m);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* SIGINT, SIGTERM and SIGHUP each stop a long covariate fit (minutes on
 * the Esbjerg panel with four covariates): exit 1, one line, nothing
 * written. A command that ignored the signal would finish the fit (minutes)
 * and exit 0 with its files; no wall-clock bound is asserted. */
static void test_signal_stops_fit(void **state)
{
    (void)state;
    char dir[] = "/tmp/flowsim-calsig-XXXXXX", cmd[1024];
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "%s run scenarios/esbjerg.cfg -r 1 -q -o %s/run >/dev/null 2>&1",
             bin(), dir);
    assert_int_equal(system(cmd), 0);
    const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        snprintf(cmd, sizeof cmd, "exec %s calibrate %s/run/rbs_panel.csv --scenario "
                 "scenarios/esbjerg.cfg --covariates social,age,female,physical -o %s/cal "
                 ">/dev/null 2>'%s/stderr'", bin(), dir, dir, dir);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
            _exit(127);
        }
        struct timespec wait = { 1, 0 };
        nanosleep(&wait, NULL);
        double t0 = mono_now();
        assert_int_equal(kill(pid, sigs[i]), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        double took = mono_now() - t0;
        /* Printed, not asserted: a fit that ignored the signal would run to
         * its end and exit 0, which the checks below catch. */
        printf("  calibrate stopped %.3f s after signal %d\n", took, sigs[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 1);
        char *err = slurp(dir, "stderr");
        assert_non_null(strstr(err, "interrupted"));
        free(err);
        assert_false(exists(dir, "cal"));
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* -o names the result directory, replaced as a whole; --fragment puts the
 * fragment elsewhere; --id and --map read an export's own names; the
 * "wrote" line names every file with its directory; citizens observed once
 * are counted. */
static void test_command_options(void **state)
{
    (void)state;
    char dir[] = "/tmp/flowsim-calopt-XXXXXX", args[1024], path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/export.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("person,t,home\n"
          "1,0,IN\n1,0.37,IN\n1,1.9,OUT\n1,2.05,OUT\n1,3.4,IN\n"
          "2,0.1,OUT\n2,0.6,IN\n2,2.75,IN\n3,0.5,IN\n3,0.51,OUT\n3,0.52,OUT\n"
          "4,1.0,OUT\n4,3.0,OUT\n5,2.0,IN\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/map.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("from,to\nIN,in\n# outside the flow\nOUT,none\n", f);
    fclose(f);
    /* An old file in the result directory does not survive the new set. */
    snprintf(args, sizeof args, "mkdir -p %s/out && echo '{}' > %s/out/calibration.json && "
             "touch %s/out/stale.txt", dir, dir, dir);
    assert_int_equal(system(args), 0);
    snprintf(args, sizeof args, "%s/export.csv --scenario tests/data/calib_two.cfg --id person "
             "--map %s/map.csv -o %s/out", dir, dir, dir);
    assert_int_equal(run_cmd(dir, args), 0);
    char *out = slurp(dir, "stdout");
    assert_non_null(strstr(out, "14 measurements of 5 citizens, 1 observed once"));
    char want[512];
    snprintf(want, sizeof want, "wrote %s/out/fitted.cfg (fitted transitions), "
             "%s/out/calibration.json, %s/out/fitcheck.csv", dir, dir, dir);
    assert_non_null(strstr(out, want));
    free(out);
    assert_true(exists(dir, "out/fitted.cfg"));
    assert_false(exists(dir, "out/stale.txt"));
    /* --validate: its files and its summary. */
    snprintf(args, sizeof args, "%s/export.csv --scenario tests/data/calib_two.cfg --id person "
             "--map %s/map.csv -o %s/outv --validate 3", dir, dir, dir);
    assert_int_equal(run_cmd(dir, args), 0);
    out = slurp(dir, "stdout");
    assert_non_null(strstr(out, "validation: 3 simulated replications"));
    free(out);
    assert_true(exists(dir, "outv/validation.csv"));
    assert_true(exists(dir, "outv/validation_moves.csv"));
    assert_true(exists(dir, "outv/validation.gp"));
    assert_true(exists(dir, "outv/validation-home.dat"));
    snprintf(args, sizeof args, "%s/export.csv --scenario tests/data/calib_two.cfg --validate 0",
             dir);
    assert_int_equal(run_cmd(dir, args), 2);
    char *json = slurp(dir, "out/calibration.json");
    assert_non_null(strstr(json, "\"citizens_observed_once\":\t1"));
    free(json);
    /* Without the map the export's names are refused; without --id, the id. */
    snprintf(args, sizeof args, "%s/export.csv --scenario tests/data/calib_two.cfg --id person "
             "-o %s/out2", dir, dir);
    assert_int_equal(run_cmd(dir, args), 2);
    snprintf(args, sizeof args, "%s/export.csv --scenario tests/data/calib_two.cfg --map %s/map.csv "
             "-o %s/out2", dir, dir, dir);
    assert_int_equal(run_cmd(dir, args), 2);
    char *err = slurp(dir, "stderr");
    assert_non_null(strstr(err, "no column 'id' (name the citizen column with --id COLUMN)"));
    free(err);
    assert_false(exists(dir, "out2"));
    /* A map naming no ring: file:line, exit 2. */
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("from,to\nIN,inn\n", f);
    fclose(f);
    snprintf(args, sizeof args, "%s/export.csv --scenario tests/data/calib_two.cfg --id person "
             "--map %s -o %s/out2", dir, path, dir);
    assert_int_equal(run_cmd(dir, args), 2);
    err = slurp(dir, "stderr");
    snprintf(want, sizeof want, "%s:2: map: 'inn' is no ring of the scenario (nor 'none')\n", path);
    assert_string_equal(err, want);
    free(err);
    /* --fragment elsewhere: the set holds no fitted.cfg. */
    snprintf(args, sizeof args, "%s/export.csv --scenario tests/data/calib_two.cfg --id=person "
             "--map %s/map.csv -o %s/out --fragment %s/elsewhere/fit.cfg", dir, dir, dir, dir);
    assert_int_equal(run_cmd(dir, args), 0);
    assert_true(exists(dir, "elsewhere/fit.cfg"));
    assert_false(exists(dir, "out/fitted.cfg"));
    assert_true(exists(dir, "out/calibration.json"));
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    assert_int_equal(system(args), 0);
}

int test_group_calib(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_state_closed_form),
        cmocka_unit_test(test_gradient_with_covariates),
        cmocka_unit_test(test_dense_count_exposure),
        cmocka_unit_test(test_roundtrip_rates),
        cmocka_unit_test(test_roundtrip_covariates),
        cmocka_unit_test(test_held_and_impossible),
        cmocka_unit_test(test_system_bias_flagged),
        cmocka_unit_test(test_unidentified_keeps_base),
        cmocka_unit_test(test_dropped_effects_said),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_command_options),
        cmocka_unit_test(test_gradient_agrees_beyond_cap),
        cmocka_unit_test(test_separated_effect_ends),
        cmocka_unit_test(test_stop_flag),
        cmocka_unit_test(test_signal_stops_fit),
    };
    return RUN_GROUP(tests, n);
}
