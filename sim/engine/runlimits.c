/* runlimits.c: the memory a run needs, against what the machine has.
 *
 * The estimate is deliberately simple and errs high: it must refuse what
 * cannot fit, and a run that passes it with room to spare is not slowed.
 *   - Citizens: every citizen a replication creates keeps its record to the
 *     end (pop.h), with about three pending events, a key slot and its
 *     waits; arrays grow geometrically, so half as much again is counted.
 *     Each running replication (thread) holds its own.
 *   - KPIs: kept for every replication until the end (sim.h, struct
 *     rep_result). Time series: folded as replications finish (repagg.h),
 *     which keeps about a tenth of each replication's n_snap * n_slots * 3
 *     floats for the quantiles, plus the series of the replications run
 *     but not yet folded (runner.c: about five per thread).
 *   - Records: replication 1's RBS panel and event log are text held in
 *     memory until written (sim.h); a row per measurement and per event.
 * Measured on the Esbjerg baseline (make bench): 210-225 bytes per
 * citizen in a replication's workspace at 100x and 1000x; this counts
 * about 340. */
#include "engine/runlimits.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/evq.h"
#include "engine/pop.h"
#include "engine/rep.h"
#include "engine/sim.h"
#include "model/setpath.h"

/* Share of the memory a run may plan to use. */
#define MEMORY_SHARE 0.8

static int run_threads(const struct runopts *ro)
{
    int t = ro->threads;
    if (t <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        t = n > 0 ? (int)n : 1;
    }
    if (t > ro->replications) t = ro->replications;
    return t > 0 ? t : 1;
}

/* Citizen-years of one replication: no one stays longer than the run or
 * than from the youngest age to retirement. Exits are ignored, so this
 * errs high. */
static double citizen_years(const struct model *m, double arrivals)
{
    double youngest = fmin(m->age.min, m->arrival_age.min);
    double life = fmax(0.0, fmin(m->years, m->retirement_age - youngest));
    return m->initial * life + arrivals * fmin(life, m->years / 2.0);
}

void runlimits_estimate(const struct model *m, const struct runopts *ro,
                        struct runlimits_estimate *est)
{
    struct runopts own;
    if (!ro) {
        runopts_of(m, &own);
        ro = &own;
    }
    memset(est, 0, sizeof *est);
    est->citizens = rep_expected_citizens(m);
    const double arrivals = est->citizens - m->initial;
    est->threads = run_threads(ro);
    double per_citizen = 1.5 * ((double)pop_bytes_per_citizen(m->n_flows) + 3.0 * sizeof(struct event)) +
                         sizeof(uint32_t) + 2.0 * sizeof(double) * m->n_flows;
    est->bytes_citizens = est->citizens * per_citizen * est->threads;

    struct sim_shape sh;
    sim_shape_of(m, &sh);
    double cells = (double)sh.n_snap * sh.n_slots * SERIES_COLS;
    double one_series = cells * sizeof(float) + (double)sh.n_slots * WAIT_BINS * sizeof(uint32_t);
    double per_rep = 0.1 * cells * sizeof(float) + (double)sh.n_kpi * sizeof(double) +
                     sizeof(struct rep_result);
    /* Per thread: each calendar year's accumulators of every state, and
     * the series of replications waiting to be folded. */
    double per_thread = (double)sh.n_slots * (m->years + 2.0) * 4.0 * sizeof(double) + 5.0 * one_series;
    /* The sums and the quantiles' first few values of every cell. */
    double folded = cells * (sizeof(double) + 4.0 * sizeof(float)) + 4.0 * one_series;
    est->bytes_series = per_rep * ro->replications + per_thread * est->threads + folded;

    double cit_years = citizen_years(m, arrivals);
    double rows = est->citizens + cit_years * 12.0 / m->rbs_interval_months;
    double records = 0.0;
    if (ro->rbs_panel) records += rows * (40.0 + 8.0 * m->n_flows + 2.0 * m->n_dims);
    if (ro->events) records += (rows + 2.0 * cit_years + 8.0 * est->citizens) * 48.0;
    est->bytes_records = 1.5 * records;              /* text buffers grow by doubling */
    est->bytes_total = est->bytes_citizens + est->bytes_series + est->bytes_records +
                       64.0 * 1024 * 1024;           /* the program itself */
}

double runlimits_memory_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    double mem = pages > 0 && page > 0 ? (double)pages * page : INFINITY;
    /* A container's limit (cgroup v2, then v1): "max" or a number. */
    static const char *const cg[] = { "/sys/fs/cgroup/memory.max",
                                      "/sys/fs/cgroup/memory/memory.limit_in_bytes" };
    for (size_t i = 0; i < sizeof cg / sizeof cg[0]; i++) {
        FILE *f = fopen(cg[i], "r");
        if (!f) continue;
        double v;
        if (fscanf(f, "%lf", &v) == 1 && v > 0 && v < mem) mem = v;
        fclose(f);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (double)rl.rlim_cur < mem)
        mem = (double)rl.rlim_cur;
    return mem;
}

/* "23 GB", "750 MB", "1.5 GB". */
static void fmt_bytes(char *buf, size_t n, double b)
{
    double gb = b / (1024.0 * 1024 * 1024);
    if (!isfinite(b) || gb >= 1e6) snprintf(buf, n, "more than a million GB");
    else if (gb >= 10.0) snprintf(buf, n, "%.0f GB", gb);
    else if (gb >= 1.0) snprintf(buf, n, "%.1f GB", gb);
    else snprintf(buf, n, "%.0f MB", b / (1024.0 * 1024));
}

int runlimits_check_with(const struct model *m, const struct runopts *ro, double memory_bytes,
                         struct err *e)
{
    struct runopts own;
    if (!ro) {
        runopts_of(m, &own);
        ro = &own;
    }
    const char *path = m->path ? m->path : "scenario";
    if (!(m->years <= BOUNDS_MAX_YEARS))
        return err_set(e, EXIT_INPUT, "%s: simulation.years: %g years is more than flowsim "
                       "simulates (at most %g; see README, Limits)", path, m->years,
                       BOUNDS_MAX_YEARS);
    if (!(m->snapshot_months >= BOUNDS_MIN_MONTHS) ||
        !(m->rbs_interval_months >= BOUNDS_MIN_MONTHS))
        return err_set(e, EXIT_INPUT, "%s: simulation: snapshot_months and rbs_interval_months "
                       "must be at least %g (see README, Limits)", path, BOUNDS_MIN_MONTHS);
    struct runlimits_estimate est;
    runlimits_estimate(m, ro, &est);
    bool initial_most = m->initial >= est.citizens - m->initial;
    const char *pop_key = initial_most ? "population.initial"
                        : m->arrivals_by_year ? "population.arrivals_by_year"
                                              : "population.arrivals_per_year";
    if (!(est.citizens <= BOUNDS_MAX_CITIZENS))
        return err_set(e, EXIT_INPUT, "%s: %s: about %.3g citizens in one replication; flowsim "
                       "holds at most %.0f (see README, Limits)", path, pop_key, est.citizens,
                       BOUNDS_MAX_CITIZENS);
    if (est.bytes_total <= MEMORY_SHARE * memory_bytes) return 0;

    char need[48], have[48];
    fmt_bytes(need, sizeof need, est.bytes_total);
    fmt_bytes(have, sizeof have, memory_bytes);
    /* Blame the part that alone does not fit; else the largest. The
     * population comes first: the records grow with it too. */
    double limit = MEMORY_SHARE * memory_bytes, base = 64.0 * 1024 * 1024;
    bool cit = est.bytes_citizens + base > limit, ser = est.bytes_series + base > limit,
         rec = est.bytes_records + base > limit;
    if (!cit && !ser && !rec) {
        cit = est.bytes_citizens >= est.bytes_series && est.bytes_citizens >= est.bytes_records;
        ser = !cit && est.bytes_series >= est.bytes_records;
    }
    if (cit) {
        char who[96];
        if (initial_most) snprintf(who, sizeof who, "%d citizens", m->initial);
        else snprintf(who, sizeof who, "about %.0f citizens (initial and arrivals over %g years)",
                      est.citizens, m->years);
        return err_set(e, EXIT_INPUT, "%s: %s: %s need about %s of memory with %d "
                       "replication%s at once (-j); this machine has %s (see README, Limits)",
                       path, pop_key, who, need, est.threads, est.threads == 1 ? "" : "s", have);
    }
    if (ser) {
        struct sim_shape sh;
        sim_shape_of(m, &sh);
        return err_set(e, EXIT_INPUT, "%s: simulation.snapshot_months: the time series of %d "
                       "replications x %d snapshots need about %s of memory; this machine has "
                       "%s: raise simulation.snapshot_months or lower simulation.replications "
                       "(-r) (see README, Limits)", path, ro->replications, sh.n_snap, need, have);
    }
    return err_set(e, EXIT_INPUT, "%s: output.%s: replication 1's %s needs about %s of memory; "
                   "this machine has %s: raise simulation.rbs_interval_months or set "
                   "output.%s = false (see README, Limits)", path,
                   ro->events ? "events" : "rbs_panel",
                   ro->events ? "event log" : "RBS panel", need, have,
                   ro->events ? "events" : "rbs_panel");
}

int runlimits_check(const struct model *m, const struct runopts *ro, struct err *e)
{
    return runlimits_check_with(m, ro, runlimits_memory_bytes(), e);
}

const char *runlimits_note(const struct model *m)
{
    if (m->initial > 0) return NULL;
    if (m->arrivals_per_year > 0.0) return NULL;
    for (int i = 0; i < m->n_arrivals_by_year; i++)
        if (m->arrivals_by_year[i] > 0.0) return NULL;
    return "note: the population is empty (population.initial = 0) and no one arrives: "
           "the run has no citizens, so every count is zero and every mean undefined";
}

/* A transition's largest covariate factor: levels 0..4 enter as level - 2,
 * age as (age - 40) / 10 up to age 120 (both signs bounded alike), sex as
 * 0 or 1. */
static double largest_factor(const struct model *m, const struct transition *t)
{
    double lp = fabs(t->beta[COV_AGE]) * 8.0 + fmax(0.0, t->beta[COV_FEMALE]);
    for (int d = 0; d < m->n_dims; d++) lp += fabs(t->beta[d]) * 2.0;
    return exp(fmin(lp, 700.0));
}

double runlimits_event_rate_bound(const struct model *m, int *worst)
{
    double total = 0.0, most = 0.0;
    if (worst) *worst = -1;
    for (int k = 0; k < m->n_transitions; k++) {
        double r = m->transitions[k].per_year * largest_factor(m, &m->transitions[k]);
        total += r;
        if (r > most && worst) {
            most = r;
            *worst = k;
        }
    }
    for (int f = 0; f < m->n_flows; f++) {
        const struct flow *fl = &m->flows[f];
        total += fl->none_improve_per_year + fl->none_worsen_per_year;
        for (int r = 0; r < fl->n_rings; r++)
            total += fl->rings[r].improve_per_year + fl->rings[r].worsen_per_year;
    }
    return total;
}

const char *runlimits_slow_note(const struct model *m, char *buf, size_t n)
{
    int worst;
    double bound = runlimits_event_rate_bound(m, &worst);
    double arrivals = rep_expected_citizens(m) - m->initial;
    double events = bound * citizen_years(m, arrivals);
    if (!(events > RUNLIMITS_SLOW_EVENTS) || worst < 0) return NULL;
    const struct transition *t = &m->transitions[worst];
    char name[160];
    setpath_transition_name(m, worst, name, sizeof name);
    snprintf(buf, n, "note: transitions[%s] may reach %.3g moves a year per citizen "
             "(per_year %g times its largest covariate factor %.3g): a replication could "
             "simulate up to %.2g events and take hours (check its per_year and effects)",
             name, t->per_year * largest_factor(m, t), t->per_year, largest_factor(m, t), events);
    return buf;
}
