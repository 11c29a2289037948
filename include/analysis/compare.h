/* compare.h: scenarios side by side with common random numbers (SPEC §4,
 * §5): `flowsim compare` and `flowsim sweep`.
 *
 * Every scenario of one comparison or sweep runs with the same seed and
 * replication count, so replication r of each draws from the same streams
 * (rngs.h). A difference is then taken per replication (alternative minus
 * base) and summarised over replications: the paired 95% CI, much narrower
 * than that of two independent runs when the change is small. KPIs are
 * matched between scenarios by (name, flow id, ring id, year, dimension);
 * only matched ones get a difference. */
#ifndef FLOWSIM_COMPARE_H
#define FLOWSIM_COMPARE_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"
#include "engine/runner.h"
#include "engine/stats.h"
#include "engine/summary.h"
#include "model/model.h"

/* One scenario's replications, KPIs only (the time series are dropped). */
struct cmp_run {
    struct model *m;             /* owned */
    int n_kpi, n_rep;
    struct kpi_desc *desc;       /* n_kpi, owned */
    double *kpi;                 /* [r * n_kpi + k], owned */
    struct kpi_stat *stat;       /* n_kpi, over replications, owned */
    struct run_results res;      /* whole results, when kept (has_res) */
    bool has_res;
};

/* Runs m's replications (m->seed, m->replications) on n_threads workers
 * (0 = all cores) and keeps their KPIs, and with keep the whole results
 * (for output_write_run; no RBS panel or event log is recorded). Takes
 * ownership of m, also on failure. stop: as for runner_run. 0, or -1 with e
 * set (out is then empty). */
int compare_run(struct model *m, int n_threads, bool progress, const volatile sig_atomic_t *stop,
                bool keep, struct cmp_run *out, struct err *e);
void compare_run_fini(struct cmp_run *c);             /* zeroed struct: no-op */

/* For each KPI k of base, the index of the same KPI in alt, or -1.
 * malloc'd (base->n_kpi entries); NULL when out of memory. */
int *compare_match(const struct cmp_run *base, const struct cmp_run *alt);

/* Paired difference of KPI kb of base and ka of alt: statistics over
 * replications of alt[r] - base[r] (replications where both are defined). */
void compare_paired(const struct cmp_run *base, int kb, const struct cmp_run *alt, int ka,
                    struct kpi_stat *out);
/* The CI excludes zero: the difference is "real" at the 95% level. */
bool compare_real(const struct kpi_stat *d);

/* Writes comparison.json and comparison.csv into dir (created if missing),
 * runs[0] being the base. Files appear only when both are complete. 0, or
 * -1 with e set. */
int compare_write(const struct cmp_run *runs, int n_runs, const char *dir, struct err *e);

/* The table for a person: headline KPIs of the base and each alternative,
 * the paired difference with its 95% CI, and '*' where the CI excludes 0. */
void compare_print(const struct cmp_run *runs, int n_runs, const char *dir, FILE *out);

/* ---- sweeps -------------------------------------------------------------- */

/* Parses "FROM:TO:STEP" (numbers; FROM <= TO, STEP > 0) into the values
 * FROM, FROM+STEP, ... up to TO (within 1e-9 of STEP), at most 10000.
 * *integral: FROM and STEP are whole numbers (values are printed as
 * integers). *values is malloc'd. 0, or -1 with e set (EXIT_INPUT), e.g.
 * for an empty range. */
int compare_sweep_values(const char *range, double **values, int *n, bool *integral,
                         struct err *e);

/* A sweep value in libconfig syntax for scenario_load_set: whole numbers
 * without a decimal point when integral. buf of at least 32 bytes. */
void compare_sweep_format(double v, bool integral, char *buf, size_t n);

/* The flow and ring a set path addresses ("flows.F.rings.R...."), or -1. */
void compare_path_ring(const struct model *m, const char *path, int *flow, int *ring);

/* Writes sweep.csv (value,kpi,flow,ring,year,mean,sd,ci_lo,ci_hi) and
 * sweep.json into dir; runs[i] ran at values[i]. 0, or -1 with e set. */
int compare_sweep_write(const struct cmp_run *runs, const double *values, int n,
                        const char *path, const char *dir, struct err *e);
/* A short table: the value against headline KPIs. */
void compare_sweep_print(const struct cmp_run *runs, const double *values, int n,
                         const char *path, const char *dir, FILE *out);

#endif
