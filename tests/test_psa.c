/* test_psa.c: parameter uncertainty (docs/uncertainty.md): the
 * loader's checks of the `uncertainty` block, the draws against their
 * declared moments, the MVN's covariance recovered, draws paired by
 * (seed, replication), and the law of total variance on a ring whose
 * arrival rate is uncertain. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "tests.h"
#include "util.h"

#include "engine/psa.h"
#include "engine/runner.h"
#include "engine/stats.h"
#include "engine/summary.h"
#include "io/output.h"
#include "model/model.h"
#include "model/scenario.h"
#include "model/uncertainty.h"

static char *slurp_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* tests/data/psa_ring.cfg with its uncertainty block replaced by `block`. */
static int load_with(const char *block, struct model **m, struct err *e)
{
    size_t len;
    char *base = slurp_file("tests/data/psa_ring.cfg", &len);
    char *cut = strstr(base, "uncertainty = {");
    assert_non_null(cut);
    *cut = '\0';
    size_t n = strlen(base) + strlen(block) + 2;
    char *text = malloc(n);
    assert_non_null(text);
    snprintf(text, n, "%s%s\n", base, block);
    int rc = scenario_load_text("tests/data/psa.cfg", text, strlen(text), m, e);
    free(text);
    free(base);
    return rc;
}

static const char FIVE[] =
    "uncertainty = { parameters = (\n"
    "  { path = \"population.arrivals_per_year\"; dist = \"lognormal\"; mean = 100.0; sd = 30.0; },\n"
    "  { path = \"flows.home.rings.ring.citizen_cost_per_year\"; dist = \"normal\"; mean = 500.0; sd = 50.0; },\n"
    "  { path = \"population.other_exit_per_year\"; dist = \"gamma\"; mean = 0.2; sd = 0.1; },\n"
    "  { path = \"flows.home.rings.ring.improve_per_year\"; dist = \"beta\"; mean = 0.3; sd = 0.1; },\n"
    "  { path = \"flows.home.rings.ring.place_cost_per_year\"; dist = \"uniform\"; min = 10.0; max = 40.0; } );\n"
    "};";

/* Every distribution's draws have the declared mean and sd, within four
 * standard errors of the sample mean and of the sample variance. */
static void test_psa_moments(void **state)
{
    (void)state;
    struct model *m = NULL;
    struct err e = { 0 };
    if (load_with(FIVE, &m, &e) != 0) fail_msg("%s", e.msg);
    const struct uncertainty *u = m->uncertainty;
    assert_int_equal(uncertainty_count(u), 5);
    enum { N = 40000 };
    int k = u->n;
    double *x = malloc(sizeof(double) * N * 5);
    assert_non_null(x);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2024);
    int truncated = 0;
    for (int i = 0; i < N; i++) psa_draw_from(m, r, &x[i * 5], &truncated);
    gsl_rng_free(r);
    assert_int_equal(truncated, 0);               /* a normal 10 sd above 0 */
    for (int j = 0; j < k; j++) {
        double mean = 0, m2 = 0, m4 = 0;
        for (int i = 0; i < N; i++) mean += x[i * 5 + j];
        mean /= N;
        for (int i = 0; i < N; i++) {
            double d = x[i * 5 + j] - mean;
            m2 += d * d;
            m4 += d * d * d * d;
        }
        m2 /= N;
        m4 /= N;
        double want_m = u->p[j].mean, want_v = u->p[j].sd * u->p[j].sd;
        double se_m = sqrt(want_v / N), se_v = sqrt((m4 - m2 * m2) / N);
        if (fabs(mean - want_m) > 4 * se_m || fabs(m2 - want_v) > 4 * se_v)
            fail_msg("%s: mean %g (want %g, se %g), var %g (want %g, se %g)",
                     uncertainty_dist_name(u->p[j].dist), mean, want_m, se_m, m2, want_v, se_v);
    }
    /* Quantiles: the median of a normal is its mean; 5 % below 95 %. */
    assert_true(fabs(uncertainty_quantile(&u->p[1], 0.5) - 500.0) < 1e-9);
    for (int j = 0; j < k; j++)
        assert_true(uncertainty_quantile(&u->p[j], 0.05) < uncertainty_quantile(&u->p[j], 0.95));
    free(x);
    model_destroy(m);
}

static const char MVN[] =
    "uncertainty = { mvn = {\n"
    "  paths = [ \"population.arrivals_per_year\", \"population.other_exit_per_year\",\n"
    "            \"flows.home.rings.ring.citizen_cost_per_year\" ];\n"
    "  mean = [ 4.6, -1.6, 6.2 ];\n"
    "  cov = [ 0.04, 0.01, -0.02,\n"
    "          0.01, 0.09, 0.0,\n"
    "          -0.02, 0.0, 0.16 ]; }; };";

/* The MVN's draws are exp of a normal whose covariance is cov: the sample
 * covariance of their logs recovers it within four standard errors. */
static void test_psa_mvn(void **state)
{
    (void)state;
    struct model *m = NULL;
    struct err e = { 0 };
    if (load_with(MVN, &m, &e) != 0) fail_msg("%s", e.msg);
    const struct unc_mvn *v = &m->uncertainty->mvn;
    assert_int_equal(v->k, 3);
    enum { N = 40000 };
    double (*y)[3] = malloc(sizeof(double[3]) * N);
    assert_non_null(y);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    int truncated = 0;
    for (int i = 0; i < N; i++) {
        double x[3];
        psa_draw_from(m, r, x, &truncated);
        for (int j = 0; j < 3; j++) y[i][j] = log(x[j]);
    }
    gsl_rng_free(r);
    double mu[3] = { 0 };
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 3; j++) mu[j] += y[i][j] / N;
    for (int a = 0; a < 3; a++) {
        assert_true(fabs(mu[a] - v->mean[a]) < 4 * sqrt(v->cov[a * 3 + a] / N));
        for (int b = 0; b < 3; b++) {
            double c = 0;
            for (int i = 0; i < N; i++) c += (y[i][a] - mu[a]) * (y[i][b] - mu[b]);
            c /= N - 1;
            double sab = v->cov[a * 3 + b];
            double se = sqrt((v->cov[a * 3 + a] * v->cov[b * 3 + b] + sab * sab) / N);
            if (fabs(c - sab) > 4 * se) fail_msg("cov[%d][%d] %g, want %g (se %g)", a, b, c, sab, se);
        }
    }
    /* Marginal quantiles: the median is exp(mean). */
    assert_true(fabs(uncertainty_mvn_quantile(v, 0, 0.5) - exp(4.6)) < 1e-9);
    free(y);
    model_destroy(m);
}

/* Bad blocks: one line naming the file, the line and the setting. */
static void test_psa_loader_errors(void **state)
{
    (void)state;
    static const struct { const char *block, *want; } bad[] = {
        { "uncertainty = { parameters = ( { path = \"flows.home.rings.ring.improve_per_year\"; dist = \"beta\"; "
          "mean = 0.3; sd = 0.5; } ); };", "needs sd < sqrt(mean (1 - mean))" },
        { "uncertainty = { parameters = ( { path = \"population.arrivals_per_year\"; dist = \"gamma\"; "
          "mean = 100.0; sd = 0.0; } ); };", "sd must be above 0" },
        { "uncertainty = { parameters = ( { path = \"population.arrivals_per_year\"; dist = \"lognormal\"; "
          "mean = -1.0; sd = 1.0; } ); };", "a lognormal needs mean > 0" },
        { "uncertainty = { parameters = ( { path = \"population.arivals_per_year\"; dist = \"gamma\"; "
          "mean = 100.0; sd = 10.0; } ); };", "uncertainty.parameters[0].path" },
        { "uncertainty = { parameters = ( { path = \"population.arrivals_per_year\"; dist = \"uniform\"; "
          "mean = 100.0; sd = 10.0; } ); };", "a uniform needs min and max" },
        { "uncertainty = { parameters = ( { path = \"population.arrivals_per_year\"; dist = \"weibull\"; "
          "mean = 100.0; sd = 10.0; } ); };", "dist" },
        { "uncertainty = { mvn = { paths = [ \"population.arrivals_per_year\", "
          "\"population.other_exit_per_year\" ]; mean = [ 1.0, 1.0 ]; cov = [ 1.0, 2.0, 2.0, 1.0 ]; }; };",
          "must be positive-definite" },
        { "uncertainty = { mvn = { paths = [ \"population.arrivals_per_year\", "
          "\"population.other_exit_per_year\" ]; mean = [ 1.0, 1.0 ]; cov = [ 1.0, 0.5, 0.2, 1.0 ]; }; };",
          "must be symmetric" },
        { "uncertainty = { mvn = { paths = [ \"population.arrivals_per_year\" ]; mean = [ 1.0 ]; "
          "cov = [ 1.0, 0.0 ]; }; };", "must hold 1 values" },
        { "uncertainty = { parameters = ( { path = \"flows.home.rings.ring.initial\"; dist = \"gamma\"; "
          "mean = 10.0; sd = 1.0; } ); };", "holds whole numbers" },
        { "uncertainty = { };", "declares nothing" },
        { "uncertainty = { parameters = ( { path = \"flows.home.rings.ring.capacity\"; dist = \"uniform\"; "
          "min = 10.0; max = 20.0; } ); };", "holds whole numbers" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct model *m = NULL;
        struct err e = { 0 };
        assert_int_not_equal(load_with(bad[i].block, &m, &e), 0);
        assert_null(m);
        assert_int_equal(e.status, EXIT_INPUT);
        if (!strstr(e.msg, bad[i].want) || strncmp(e.msg, "tests/data/psa.cfg:", 19) != 0)
            fail_msg("case %zu: %s (want %s)", i, e.msg, bad[i].want);
        assert_null(strchr(e.msg, '\n'));
    }
}

/* Index of an overall KPI; fails the test when missing. */
static int kpi(const struct model *m, const char *name)
{
    struct kpi_desc *d = NULL;
    int n = stats_kpi_layout(m, &d), found = -1;
    for (int k = 0; k < n && found < 0; k++)
        if (!strcmp(d[k].name, name) && d[k].flow < 0 && d[k].ring < 0 && d[k].year == 0 &&
            d[k].dim < 0)
            found = k;
    free(d);
    assert_true(found >= 0);
    return found;
}

/* Sample variance of KPI k over the replications, and the standard error
 * of that estimate from the fourth central moment. */
static void rep_variance(const struct run_results *res, int k, double *var, double *se)
{
    int n = res->n_rep;
    double mean = 0, m2 = 0, m4 = 0;
    for (int r = 0; r < n; r++) mean += res->rep[r].kpi[k] / n;
    for (int r = 0; r < n; r++) {
        double d = res->rep[r].kpi[k] - mean;
        m2 += d * d / n;
        m4 += d * d * d * d / n;
    }
    *var = m2 * n / (n - 1);
    *se = sqrt((m4 - m2 * m2) / n);
}

/* The interval with parameter uncertainty (ui95) of the arrivals: N given
 * L is Poisson(L T) and L T is gamma(shape (mu/sigma)^2, scale sigma^2
 * T/mu), so N is negative binomial with n = (mu/sigma)^2 and p = 1 / (1 +
 * scale): the interval holds about 95 % of that law (within the sampling
 * error of two percentiles of 800 values), and the simulation-only CI of
 * the mean is much narrower. */
static void ui_covers_negative_binomial(const struct run_results *res, int k, double mu,
                                        double sigma, double T)
{
    struct kpi_stat *stat = calloc((size_t)res->shape.n_kpi, sizeof *stat);
    assert_non_null(stat);
    assert_int_equal(output_kpi_stats(res, stat), 0);
    const struct kpi_stat *s = &stat[k];
    assert_true(s->has_ui);
    double shape = (mu / sigma) * (mu / sigma), p = 1.0 / (1.0 + sigma * sigma * T / mu);
    double cover = gsl_cdf_negative_binomial_P((unsigned)floor(s->ui_hi), p, shape) -
                   (s->ui_lo >= 1 ? gsl_cdf_negative_binomial_P((unsigned)ceil(s->ui_lo) - 1, p, shape) : 0);
    if (cover < 0.92 || cover > 0.98) fail_msg("ui95 [%g, %g] holds %g of the law", s->ui_lo, s->ui_hi, cover);
    assert_true(s->hi - s->lo < 0.25 * (s->ui_hi - s->ui_lo));
    free(stat);
}

/* Law of total variance: arrivals over T years at a rate L ~ gamma(mu,
 * sigma) are Poisson given L, so Var = E Var(N|L) + Var E(N|L) = mu T +
 * sigma^2 T^2. Without --uncertainty only the first term remains. */
static void test_psa_total_variance(void **state)
{
    (void)state;
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load("tests/data/psa_ring.cfg", &m, &e) != 0) fail_msg("%s", e.msg);
    const double mu = 100.0, sigma = 20.0, T = m->years;
    int k = kpi(m, "arrivals");
    struct runopts ro;
    runopts_of(m, &ro);
    ro.replications = 800;
    ro.threads = 2;
    for (int on = 0; on <= 1; on++) {
        ro.uncertainty = on;
        struct run_results res;
        if (runner_run(m, &ro, false, NULL, &res, &e) != 0) fail_msg("%s", e.msg);
        double var, se;
        rep_variance(&res, k, &var, &se);
        double want = mu * T + (on ? sigma * sigma * T * T : 0.0);
        if (fabs(var - want) > 4 * se)
            fail_msg("uncertainty %d: variance %g, want %g (se %g)", on, var, want, se);
        if (on) ui_covers_negative_binomial(&res, k, mu, sigma, T);
        runner_results_fini(&res);
    }
    model_destroy(m);
}

/* Replication r draws the same values whatever the threads, and two
 * replications draw different ones: the stream is (seed, replication). */
static void test_psa_paired_draws(void **state)
{
    (void)state;
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load("tests/data/psa_ring.cfg", &m, &e) != 0) fail_msg("%s", e.msg);
    double a, b, c;
    int t = 0;
    psa_draw(m, 5, 3, &a, &t);
    psa_draw(m, 5, 3, &b, &t);
    psa_draw(m, 5, 4, &c, &t);
    assert_true(a == b);
    assert_true(a != c);
    /* The drawn model holds the draw, and only there. */
    struct model *d = NULL;
    if (psa_model(m, &a, &d, &e) != 0) fail_msg("%s", e.msg);
    assert_true(d->arrivals_per_year == a);
    assert_true(m->arrivals_per_year == 100.0);
    model_destroy(d);
    int k = kpi(m, "arrivals");
    struct runopts ro;
    runopts_of(m, &ro);
    ro.replications = 6;
    ro.uncertainty = true;
    struct run_results r1, r2;
    ro.threads = 1;
    if (runner_run(m, &ro, false, NULL, &r1, &e) != 0) fail_msg("%s", e.msg);
    ro.threads = 3;
    if (runner_run(m, &ro, false, NULL, &r2, &e) != 0) fail_msg("%s", e.msg);
    for (int r = 0; r < 6; r++) assert_true(r1.rep[r].kpi[k] == r2.rep[r].kpi[k]);
    runner_results_fini(&r1);
    runner_results_fini(&r2);
    model_destroy(m);
}

/* A normal is cut at the lowest value its setting takes: 0 for a rate, but
 * nothing for a covariate effect (a log hazard ratio of either sign), so an
 * effect's draws keep their declared mean and sd, negative ones included. */
static void test_psa_normal_cut_at_setting_min(void **state)
{
    (void)state;
    size_t len;
    char *base = slurp_file("tests/data/calib_stay_cov.cfg", &len);
    static const char block[] =
        "\nuncertainty = { parameters = (\n"
        "  { path = \"transitions[home:b->c].effects.female\"; dist = \"normal\"; mean = -0.3; sd = 0.4; },\n"
        "  { path = \"transitions[home:a->b].per_year\"; dist = \"normal\"; mean = 0.1; sd = 0.1; } ); };\n";
    size_t n = len + sizeof block;
    char *text = malloc(n);
    assert_non_null(text);
    snprintf(text, n, "%s%s", base, block);
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load_text("tests/data/calib_stay_cov.cfg", text, strlen(text), &m, &e) != 0)
        fail_msg("%s", e.msg);
    free(text);
    free(base);
    enum { N = 20000 };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    int truncated = 0, negative = 0;
    double sum = 0, sum2 = 0, min_rate = INFINITY;
    for (int i = 0; i < N; i++) {
        double x[2];
        psa_draw_from(m, r, x, &truncated);
        negative += x[0] < 0;
        sum += x[0];
        sum2 += x[0] * x[0];
        if (x[1] < min_rate) min_rate = x[1];
    }
    gsl_rng_free(r);
    double mean = sum / N, var = sum2 / N - mean * mean;
    /* The effect: P(x < 0) = Phi(0.75) = 0.773, mean -0.3 within 4 SE. */
    assert_true(fabs(mean + 0.3) < 4 * 0.4 / sqrt(N));
    assert_true(fabs(var - 0.16) < 4 * 0.16 * sqrt(2.0 / N));
    assert_true(fabs((double)negative / N - gsl_cdf_ugaussian_P(0.75)) <
                4 * sqrt(0.773 * 0.227 / N));
    /* The rate: P(x < 0) = Phi(-1) = 0.159 of the draws cut at 0, and only those. */
    assert_true(min_rate == 0.0);
    double p_cut = gsl_cdf_ugaussian_P(-1.0);
    assert_true(fabs((double)truncated / N - p_cut) < 4 * sqrt(p_cut * (1 - p_cut) / N));
    /* And the drawn model takes a negative effect. */
    double v[2] = { -0.9, 0.2 };
    struct model *d = NULL;
    if (psa_model(m, v, &d, &e) != 0) fail_msg("%s", e.msg);
    model_destroy(d);
    model_destroy(m);
}

/* The files: summary.csv gains ui_lo, ui_hi and summary.json a ui95 per
 * KPI and an uncertainty block with --uncertainty; without, neither. */
static void test_psa_files(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run tests/data/psa_ring.cfg -r 5 -q -o %s/u --uncertainty", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *csv = tu_tmp_read(&t, "u/summary.csv"), *json = tu_tmp_read(&t, "u/summary.json");
    assert_non_null(csv);
    assert_non_null(json);
    assert_non_null(strstr(csv, "unit,n,ui_lo,ui_hi\n"));
    assert_non_null(strstr(json, "\"ui95\""));
    assert_non_null(strstr(json, "\"truncated_at_zero\""));
    free(csv);
    free(json);
    snprintf(args, sizeof args, "run tests/data/psa_ring.cfg -r 5 -q -o %s/n", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    csv = tu_tmp_read(&t, "n/summary.csv");
    json = tu_tmp_read(&t, "n/summary.json");
    assert_non_null(strstr(csv, "unit,n\n"));
    assert_null(strstr(json, "ui95"));
    free(csv);
    free(json);
    /* check lists the uncertain settings with their quantiles. */
    snprintf(args, sizeof args, "check tests/data/psa_ring.cfg");
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(out);
    const char *line = strstr(out, "  population.arrivals_per_year");
    assert_non_null(strstr(out, "uncertain settings"));
    assert_non_null(line);
    double mean, sd, q05, q95;
    assert_int_equal(sscanf(line, " population.arrivals_per_year gamma %lf %lf %lf %lf", &mean, &sd, &q05, &q95), 4);
    assert_true(mean == 100.0 && sd == 20.0 && q05 < mean && mean < q95);
    free(out);
    /* A comparison without --uncertainty: no ui95 in its differences either. */
    snprintf(args, sizeof args, "compare tests/data/psa_ring.cfg tests/data/psa_ring.cfg -r 3 -q -o %s/c",
             t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    json = tu_tmp_read(&t, "c/comparison.json");
    assert_non_null(json);
    assert_null(strstr(json, "ui95"));
    free(json);
    /* --uncertainty on a scenario without the block: one line, exit 2. */
    snprintf(args, sizeof args, "run tests/data/policy_arrivals.cfg -r 2 -q -o %s/x --uncertainty", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 2);
    char *err = tu_tmp_read(&t, "stderr");
    assert_non_null(strstr(err, "declares no uncertainty block"));
    assert_int_equal(tu_count_lines(err), 1);
    free(err);
    tu_tmp_remove(&t);
}

/* flowsim sensitivity on the ring with an uncertain arrival rate: the
 * arrivals at the rate's 5 % and 95 % quantiles (and at its mean) are the
 * rate times T, within 4 standard errors of a Poisson mean over the
 * replications; files written, exit 0. */
static void test_psa_sensitivity(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "sensitivity tests/data/psa_ring.cfg -r 40 -q -o %s/s", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *csv = tu_tmp_read(&t, "s/sensitivity.csv");
    assert_non_null(csv);
    assert_true(tu_tmp_exists(&t, "s/sensitivity.json"));
    const char *row = strstr(csv, "\npopulation.arrivals_per_year,gamma,");
    assert_non_null(row);
    const char *kp = NULL;
    for (const char *r = row; r && !kp; r = strstr(r + 1, "\npopulation.arrivals_per_year,"))
        if (strstr(r, ",arrivals,") && strstr(r, ",arrivals,") < strchr(r + 1, '\n')) kp = r;
    assert_non_null(kp);
    double vc, vl, vh, c, lo, hi;
    assert_int_equal(sscanf(kp, "\npopulation.arrivals_per_year,gamma,%lf,%lf,%lf,arrivals,,,,citizens,%lf,%lf,%lf",
                            &vc, &vl, &vh, &c, &lo, &hi), 6);
    assert_true(vl < vc && vc < vh);
    const double T = 4.0, R = 40.0;
    const double v[3] = { vc, vl, vh }, got[3] = { c, lo, hi };
    for (int i = 0; i < 3; i++)
        if (fabs(got[i] - v[i] * T) > 4 * sqrt(v[i] * T / R))
            fail_msg("arrivals %g at rate %g, want %g", got[i], v[i], v[i] * T);
    free(csv);
    /* Without an uncertainty block: one line, exit 2, nothing written. */
    snprintf(args, sizeof args, "sensitivity tests/data/policy_arrivals.cfg -r 2 -q -o %s/x", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 2);
    char *err = tu_tmp_read(&t, "stderr");
    assert_non_null(strstr(err, "declares no uncertainty block"));
    assert_false(tu_tmp_exists(&t, "x"));
    free(err);
    tu_tmp_remove(&t);
}

/* In a plan, a draw holds in every epoch that keeps the scenario's own
 * value; an epoch whose change sets the setting keeps the plan's value. */
static void test_psa_plan_epochs(void **state)
{
    (void)state;
    size_t len;
    char *base = slurp_file("tests/data/plan_cost.cfg", &len);
    const char *block =
        "uncertainty = { parameters = (\n"
        "  { path = \"flows.home.rings.ring.place_cost_per_year\"; dist = \"gamma\"; mean = 100000.0; sd = 10000.0; },\n"
        "  { path = \"transitions[home:ring->none].per_year\"; dist = \"uniform\"; min = 0.1; max = 0.3; } ); };\n";
    size_t n = len + strlen(block) + 1;
    char *text = malloc(n);
    assert_non_null(text);
    snprintf(text, n, "%s%s", base, block);
    struct model *m = NULL, *d = NULL;
    struct err e = { 0 };
    if (scenario_load_text("tests/data/plan_cost.cfg", text, strlen(text), &m, &e) != 0) fail_msg("%s", e.msg);
    const double v[2] = { 123456.0, 0.25 };
    if (psa_model(m, v, &d, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(d->n_changes, m->n_changes);
    assert_true(d->flows[0].rings[0].place_cost_per_year == 123456.0);
    for (int i = 0; i < d->n_changes; i++) {
        assert_true(d->changes[i].m->flows[0].rings[0].place_cost_per_year == 150000.0);  /* the plan's */
        assert_true(d->changes[i].m->transitions[0].per_year == 0.25);                 /* the draw's */
    }
    assert_true(d->transitions[0].per_year == 0.25);
    assert_true(m->transitions[0].per_year == 0.0);
    model_destroy(d);
    model_destroy(m);
    free(text);
    free(base);
}

int test_group_psa(int *n)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psa_moments),
        cmocka_unit_test(test_psa_mvn),
        cmocka_unit_test(test_psa_loader_errors),
        cmocka_unit_test(test_psa_paired_draws),
        cmocka_unit_test(test_psa_normal_cut_at_setting_min),
        cmocka_unit_test(test_psa_total_variance),
        cmocka_unit_test(test_psa_files),
        cmocka_unit_test(test_psa_sensitivity),
        cmocka_unit_test(test_psa_plan_epochs),
    };
    *n = (int)(sizeof tests / sizeof tests[0]);
    return cmocka_run_group_tests_name("psa", tests, NULL, NULL);
}
