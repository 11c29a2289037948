/* test_validation.c: whole runs against results known exactly. Every
 * tolerance comes from the replications' standard error (or the exact
 * sampling variance where it is known), not from a loose constant. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "tests.h"
#include "util.h"

#include "engine/runner.h"
#include "engine/stats.h"
#include "engine/summary.h"
#include "io/output.h"
#include "model/model.h"
#include "model/scenario.h"

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
    struct model *m = tu_load("tests/data/mmc.cfg");
    m->arrivals_per_year = lambda;
    m->moves[0].per_year = mu;
    m->transitions[0].per_year = mu;
    m->flows[0].rings[0].capacity = c;
    tu_finish(m);
    m->replications = 200;         /* cheap (0.1 s): a tighter check */
    struct run_results res;
    tu_run(m, &res);

    double a = lambda / mu;
    double wq_days = erlang_c(c, a) / (c * mu - lambda) * DAYS_PER_YEAR;
    double lq = lambda * wq_days / DAYS_PER_YEAR;
    double l = lq + a;
    double mean, se;
    kpi_mean_se(&res, tu_kpi(m, "wait_days_mean", 0, 0, 0), &mean, &se);
    printf("  M/M/%d lambda=%g mu=%g: Wq %.3f days (Erlang C %.3f, se %.3f)\n", c, lambda, mu,
           mean, wq_days, se);
    assert_true(se > 0.0);
    assert_true(fabs(mean - wq_days) < 4.0 * se);
    kpi_mean_se(&res, tu_kpi(m, "waiting_list_mean", 0, 0, 0), &mean, &se);
    printf("  M/M/%d: Lq %.4f (Erlang C %.4f, se %.4f)\n", c, mean, lq, se);
    assert_true(fabs(mean - lq) < 4.0 * se);
    kpi_mean_se(&res, tu_kpi(m, "occupancy_mean", 0, 0, 0), &mean, &se);
    printf("  M/M/%d: L in service %.4f (exact %.4f, se %.4f)\n", c, mean, a, se);
    assert_true(fabs(mean - a) < 4.0 * se);
    (void)l;
    /* Little's law: expected stay = occupancy / entry rate = 1 / mu. */
    kpi_mean_se(&res, tu_kpi(m, "stay_years_little", 0, 0, 0), &mean, &se);
    printf("  M/M/%d: stay by Little %.4f years (exact %.4f, se %.4f)\n", c, mean, 1.0 / mu, se);
    assert_true(fabs(mean - 1.0 / mu) < 4.0 * se);
    /* The Kaplan-Meier waits against P(W > t) = C exp(-(c mu - lambda) t). */
    double pc = erlang_c(c, a), rate = c * mu - lambda;
    double median = pc <= 0.5 ? 0.0 : log(2.0 * pc) / rate * DAYS_PER_YEAR;
    kpi_mean_se(&res, tu_kpi(m, "wait_days_median_km", 0, 0, 0), &mean, &se);
    printf("  M/M/%d: median wait %.3f days (exact %.3f, se %.3f)\n", c, mean, median, se);
    /* A quantile of one replication's strongly autocorrelated waits is biased
     * (up, at these loads: 23.0 against 18.8 days for M/M/5, 225 against 200
     * for M/M/2); its mean is held to 4 se plus 15 %. The share still waiting
     * at a fixed time is a mean, so it is held to 4 se alone. */
    assert_true(fabs(mean - median) < 4.0 * se + 0.15 * median + 1e-9);
    double over90 = pc * exp(-rate * 90.0 / DAYS_PER_YEAR);
    kpi_mean_se(&res, tu_kpi(m, "wait_share_over_90_days", 0, 0, 0), &mean, &se);
    printf("  M/M/%d: still waiting after 90 days %.4f (exact %.4f, se %.4f)\n", c, mean, over90, se);
    assert_true(fabs(mean - over90) < 4.0 * se);
    runner_results_fini(&res);
    model_destroy(m);
}

static void test_mmc_5(void **state) { (void)state; check_mmc(8.0, 2.0, 5); }
static void test_mmc_2(void **state) { (void)state; check_mmc(3.1, 1.9, 2); }

/* ---- closed CTMC against p0 * expm(Q t) ---------------------------------- */

static void test_ctmc_expm(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/ctmc.cfg");
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
    tu_run(m, &res);
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
            double mean = repagg_mean(&res.agg, ((size_t)snap * res.shape.n_slots + s) * SERIES_COLS + SERIES_OCC);
            double se = sqrt(var / res.n_rep);
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

/* ---- cost identity: replaying the event log ----------------------------- */

#define MOVE_EVENTS "|initial|intake|transition|stay_limit|reassess|interim|"

static int state_index(const struct flow *fl, const char *id)
{
    for (int s = 0; s < fl->n_rings; s++)
        if (!strcmp(fl->rings[s].id, id)) return s;
    assert_string_equal(id, "none");
    return fl->n_rings;
}

static int flow_index(const struct model *m, const char *id)
{
    for (int f = 0; f < m->n_flows; f++)
        if (!strcmp(m->flows[f].id, id)) return f;
    fail_msg("no flow '%s' in the event log", id);
    return -1;
}

static double var_cost(const struct flow *fl, int s)
{
    return s < fl->n_rings ? fl->rings[s].variable_cost_per_year : 0.0;
}

/* Total cost over [0, years] rebuilt from replication 1's event log alone:
 * occupancy is replayed move by move and integrated exactly. The log prints
 * times to 1e-6 years, so each move may shift cost by half that times the
 * cost rates it changes: *bound sums those. */
static double replay_cost(const struct model *m, const char *log, double *bound)
{
    const double half_tick = 0.5e-6;
    *bound = 0.0;
    int8_t (*state)[MODEL_MAX_FLOWS] = NULL;      /* by citizen id */
    size_t n_cit = 0;
    double occ[MODEL_MAX_FLOWS][MODEL_MAX_RINGS + 1] = { { 0 } };
    double area[MODEL_MAX_FLOWS][MODEL_MAX_RINGS + 1] = { { 0 } };
    double last_t = 0.0;
    char *text = strdup(log), *save = NULL;
    assert_non_null(text);
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* date,t,citizen,event,flow,dimension,from,to: the date is skipped. */
        char *col[8] = { 0 }, *p = line;
        for (int i = 0; i < 8; i++) {
            col[i] = p;
            p = strchr(p, ',');
            if (p) *p++ = '\0';
            else { assert_int_equal(i, 7); }
        }
        char *field[6] = { col[1], col[2], col[3], col[4], col[6], col[7] };
        double t = strtod(field[0], NULL);
        size_t id = strtoul(field[1], NULL, 10);
        if (id >= n_cit) {
            size_t n = n_cit ? 2 * n_cit : 4096;
            while (n <= id) n *= 2;
            state = realloc(state, n * sizeof *state);
            assert_non_null(state);
            for (size_t i = n_cit; i < n; i++)
                for (int f = 0; f < m->n_flows; f++) state[i][f] = (int8_t)m->flows[f].n_rings;
            n_cit = n;
        }
        for (int f = 0; f < m->n_flows; f++)
            for (int s = 0; s < m->flows[f].n_rings; s++) area[f][s] += occ[f][s] * (t - last_t);
        last_t = t;
        char key[64];
        snprintf(key, sizeof key, "|%s|", field[2]);
        if (strstr(MOVE_EVENTS, key)) {
            int f = flow_index(m, field[3]);
            int from = state_index(&m->flows[f], field[4]), to = state_index(&m->flows[f], field[5]);
            assert_int_equal(state[id][f], from);
            *bound += half_tick * (var_cost(&m->flows[f], from) + var_cost(&m->flows[f], to));
            occ[f][from]--;
            occ[f][to]++;
            state[id][f] = (int8_t)to;
        } else if (!strcmp(field[2], "death") || !strcmp(field[2], "retirement") ||
                   !strcmp(field[2], "moved_away")) {
            for (int f = 0; f < m->n_flows; f++) {
                occ[f][state[id][f]]--;
                *bound += half_tick * var_cost(&m->flows[f], state[id][f]);
            }
        }
    }
    double cost = 0.0;
    for (int f = 0; f < m->n_flows; f++)
        for (int s = 0; s < m->flows[f].n_rings; s++) {
            const struct ring *ring = &m->flows[f].rings[s];
            area[f][s] += occ[f][s] * (m->years - last_t);
            double fixed = ring->capacity > 0 ? ring->place_cost_per_year * ring->capacity : 0.0;
            cost += fixed * m->years + ring->variable_cost_per_year * area[f][s];
        }
    free(state);
    free(text);
    return cost;
}

static void test_cost_identity(void **state)
{
    (void)state;
    struct model *m = tu_load("scenarios/esbjerg.cfg");
    m->replications = 2;
    m->out_events = true;
    struct run_results res;
    tu_run(m, &res);
    const double *kpi = res.rep[0].kpi;
    double total = kpi[tu_kpi(m, "cost_total", -1, -1, 0)];
    double bound;
    double replayed = replay_cost(m, res.rep[0].events.s, &bound);
    printf("  cost over %g years: %.2f DKK; replayed from the event log: %.2f "
           "(log rounding allows %.2f)\n", m->years, total, replayed, bound);
    assert_true(fabs(total - replayed) <= bound + 1e-12 * total);

    /* The same total, summed by calendar year, by flow and by ring. */
    struct kpi_desc *d = NULL;
    int n = stats_kpi_layout(m, &d);
    double by_year = 0.0, by_flow = 0.0, by_ring = 0.0;
    for (int k = 0; k < n; k++) {
        if (d[k].year > 0 && !strcmp(d[k].name, "spending")) by_year += kpi[k];
        if (d[k].flow >= 0 && d[k].ring < 0 && !strcmp(d[k].name, "cost")) by_flow += kpi[k];
        if (d[k].ring >= 0 && !strcmp(d[k].name, "cost")) by_ring += kpi[k];
    }
    free(d);
    assert_true(fabs(by_year - total) <= 1e-9 * total);
    assert_true(fabs(by_flow - total) <= 1e-9 * total);
    assert_true(fabs(by_ring - total) <= 1e-9 * total);
    /* Without discounting the discounted total is the nominal one. */
    assert_true(fabs(kpi[tu_kpi(m, "cost_total_discounted", -1, -1, 0)] - total) <= 1e-9 * total);
    runner_results_fini(&res);
    model_destroy(m);
}

/* Discounting: with only fixed costs, the present value is known exactly:
 * C * integral_0^T (1+r)^-t dt = C * (1 - (1+r)^-T) / ln(1+r). */
static void test_discounting(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/mmc.cfg");
    m->discount_rate = 0.035;
    m->warmup_years = 0.0;
    m->years = 7.5;
    m->replications = 2;
    m->flows[0].rings[0].variable_cost_per_year = 0.0;
    struct run_results res;
    tu_run(m, &res);
    double c = m->flows[0].rings[0].place_cost_per_year * m->flows[0].rings[0].capacity;
    double exact = c * (1.0 - pow(1.035, -7.5)) / log(1.035);
    double got = res.rep[0].kpi[tu_kpi(m, "cost_total_discounted", -1, -1, 0)];
    assert_true(fabs(got - exact) <= 1e-9 * exact);
    assert_true(fabs(res.rep[0].kpi[tu_kpi(m, "cost_total", -1, -1, 0)] - c * 7.5) <= 1e-9 * c);
    runner_results_fini(&res);
    model_destroy(m);
}

/* ---- intervals that cover ---------------------------------------------- */

/* Coverage of Erlang's Lq by the 95 % interval of the mean waiting list
 * over `seeds` runs of an M/M/2 ring at rho = 0.5 (relaxation ~3 years:
 * a 10-year warm-up, a 20-year window). The time-averaged list has no
 * ratio bias, so a miss is the interval's fault. *skewed gets the interval
 * summary.json states (bootstrap-t), *student Student t's. */
static void lq_coverage(int replications, int seeds, double *skewed, double *student)
{
    struct model *m = tu_load("tests/data/mmc.cfg");
    const double lambda = 2.0, mu = 2.0;
    const int c = 2;
    m->arrivals_per_year = lambda;
    m->moves[0].per_year = mu;
    m->transitions[0].per_year = mu;
    m->flows[0].rings[0].capacity = c;
    tu_finish(m);
    m->warmup_years = 10.0;
    m->years = 30.0;
    m->replications = replications;
    const double lq = lambda * erlang_c(c, lambda / mu) / (c * mu - lambda);
    const int k = tu_kpi(m, "waiting_list_mean", 0, 0, 0);
    int cov_s = 0, cov_t = 0, low = 0;
    double *col = malloc((size_t)replications * sizeof *col);
    assert_non_null(col);
    for (int s = 0; s < seeds; s++) {
        m->seed = 5000 + (uint64_t)s;
        struct run_results res;
        tu_run(m, &res);
        for (int r = 0; r < res.n_rep; r++) col[r] = res.rep[r].kpi[k];
        struct kpi_stat bt, t;
        summary_stat_skewed(col, 1, res.n_rep, &bt);
        summary_stat(col, 1, res.n_rep, &t);
        if (s == 0) {              /* summary.json states this interval */
            struct kpi_stat *stat = calloc((size_t)res.shape.n_kpi, sizeof *stat);
            assert_non_null(stat);
            assert_int_equal(output_kpi_stats(&res, stat), 0);
            assert_true(stat[k].lo == bt.lo && stat[k].hi == bt.hi && bt.lo != t.lo);
            free(stat);
        }
        cov_s += bt.lo <= lq && lq <= bt.hi;
        low += bt.hi < lq;
        cov_t += t.lo <= lq && lq <= t.hi;
        runner_results_fini(&res);
    }
    free(col);
    *skewed = (double)cov_s / seeds;
    *student = (double)cov_t / seeds;
    printf("  M/M/2 rho 0.5, %d replications x %d seeds: 95%% CI of Lq covers %.1f%% "
           "(misses low %d, high %d); Student t %.1f%%\n",
           replications, seeds, 100.0 * *skewed, low, seeds - cov_s - low, 100.0 * *student);
    model_destroy(m);
}

/* At the shipped default of replications (scenarios/esbjerg.cfg) the
 * interval covers 93-97 %. At 10 replications, where Student t misses on
 * the low side (88 %), it covers clearly more (92 %) but not 95 %: hence
 * the warning below 30 replications (oneline.c, report). */
static void test_interval_coverage(void **state)
{
    (void)state;
    struct model *shipped = tu_load("scenarios/esbjerg.cfg");
    int r_default = shipped->replications;
    model_destroy(shipped);
    double bt, t;
    lq_coverage(r_default, 300, &bt, &t);
    assert_true(bt >= 0.93 && bt <= 0.97);
    lq_coverage(10, 1000, &bt, &t);
    assert_true(bt >= 0.90 && bt <= 0.97);
    assert_true(bt - t >= 0.03);
}

/* ---- Little's law on every ring of the Esbjerg model ---------------------- */

/* L = lambda * W with lambda the departure rate and W the mean stay of
 * those departing, per replication; the long warm-up lets the stays of the
 * initial population (which start at t = 0) wash out. */
static void test_little_esbjerg(void **state)
{
    (void)state;
    struct model *m = tu_load("scenarios/esbjerg.cfg");
    m->replications = 24;
    m->warmup_years = 40.0;
    m->years = 80.0;
    struct run_results res;
    tu_run(m, &res);
    const double W = m->years - m->warmup_years;
    for (int f = 0; f < m->n_flows; f++)
        for (int s = 0; s < m->flows[f].n_rings; s++) {
            int kl = tu_kpi(m, "occupancy_mean", f, s, 0);
            int kd = tu_kpi(m, "departures", f, s, 0);
            int ks = tu_kpi(m, "stay_years_mean", f, s, 0);
            double *diff = malloc((size_t)res.n_rep * sizeof *diff);
            double mean = 0.0, sd = 0.0, lsum = 0.0;
            for (int r = 0; r < res.n_rep; r++) {
                const double *k = res.rep[r].kpi;
                diff[r] = k[kl] - k[kd] / W * k[ks];
                mean += diff[r] / res.n_rep;
                lsum += k[kl] / res.n_rep;
            }
            for (int r = 0; r < res.n_rep; r++) sd += pow(diff[r] - mean, 2);
            double se = sqrt(sd / (res.n_rep - 1) / res.n_rep);
            printf("  %-18s L %8.2f, L - lambda W = %7.3f (se %.3f)\n",
                   m->flows[f].rings[s].id, lsum, mean, se);
            assert_true(fabs(mean) < 4.0 * se);
            free(diff);
        }
    runner_results_fini(&res);
    model_destroy(m);
}

int test_group_validation(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmc_5),
        cmocka_unit_test(test_mmc_2),
        cmocka_unit_test(test_ctmc_expm),
        cmocka_unit_test(test_cost_identity),
        cmocka_unit_test(test_discounting),
        cmocka_unit_test(test_little_esbjerg),
        cmocka_unit_test(test_interval_coverage),
    };
    return RUN_GROUP(tests, n);
}
