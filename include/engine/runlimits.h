/* runlimits.h: how big a scenario flowsim accepts, and whether this
 * machine can hold a run of it. (Not "limits.h": with -Iinclude that name
 * would hide the C library's <limits.h>, which GSL's headers include.)
 *
 * Two kinds of limit. Hard limits are what the engine is built for; the
 * loader (sim/scenario.c) refuses a scenario beyond them with file:line.
 * The memory limit depends on the machine: runlimits_check() estimates
 * what a run needs and refuses it, with one line naming the setting to
 * change, instead of being killed by the kernel halfway. docs/limits.md
 * (the README's "Limits") lists them all. */
#ifndef FLOWSIM_RUNLIMITS_H
#define FLOWSIM_RUNLIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "model/bounds.h"
#include "model/model.h"
#include "model/runopts.h"

/* ro: the run's options (replications, threads, records kept); NULL: the
 * scenario's own (runopts_of). */

/* What a run of m needs, roughly (see runlimits.c for the model of it). */
struct runlimits_estimate {
    double citizens;          /* created in one replication: initial + arrivals */
    double bytes_citizens;    /* citizens, their events and waits, over the threads */
    double bytes_series;      /* time series and KPIs kept for every replication */
    double bytes_records;     /* RBS panel and event log of replication 1 */
    double bytes_total;
    int threads;              /* replications running at once */
};
void runlimits_estimate(const struct model *m, const struct runopts *ro,
                        struct runlimits_estimate *est);

/* Bytes this process may use: the smallest of physical memory
 * (sysconf), the cgroup's memory.max and RLIMIT_AS. */
double runlimits_memory_bytes(void);

/* Checks that a run of m with ro (the command line's -r, -j applied) fits: at most BOUNDS_MAX_CITIZENS citizens, and the
 * estimate at most 80% of runlimits_memory_bytes() (the rest is the
 * system's, and the estimate's margin). Returns 0, or -1 with e set
 * (EXIT_INPUT) to one line naming m->path and the setting to change, e.g.
 * "x.cfg: population.initial: 100000000 citizens need about 52 GB of
 * memory; this machine has 23 GB (see README, Limits)". */
int runlimits_check(const struct model *m, const struct runopts *ro, struct err *e);

/* With the same figures against a memory size given in bytes (tests). */
int runlimits_check_with(const struct model *m, const struct runopts *ro, double memory_bytes,
                         struct err *e);

/* A note for a run that is valid but has no one in it (no initial
 * population and no arrivals): the run goes ahead, and the caller prints
 * this line on stderr. NULL when there is nothing to say. */
const char *runlimits_note(const struct model *m);

/* A bound on any one citizen's events a year: every transition's per_year
 * at its largest covariate factor (levels, age up to 120, sex), plus every
 * development rate. *worst (when not NULL): the transition that adds the
 * most, or -1. Loose on purpose: it is for warnings and the fuzzer's
 * budget, not for planning. */
double runlimits_event_rate_bound(const struct model *m, int *worst);

/* Events in one replication above which a run may take hours (about 300 ns
 * an event on one core: 1e9 is some five minutes a replication). */
#define RUNLIMITS_SLOW_EVENTS 1e9

/* A note for a valid run whose rates may make it very slow (a per_year or
 * effect mistyped, say): when the bound above over the citizen-years of a
 * replication exceeds RUNLIMITS_SLOW_EVENTS, one line in buf naming the
 * transition that adds the most; else NULL. The run goes ahead. */
const char *runlimits_slow_note(const struct model *m, char *buf, size_t n);

#endif
