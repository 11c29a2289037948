/* compare.h: scenarios side by side with common random numbers (docs/compare.md): `flowsim compare`, and the runs and files sweep.c builds on.
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

#include <cJSON.h>

#include "base/err.h"
#include "engine/runner.h"
#include "engine/stats.h"
#include "engine/summary.h"
#include "model/model.h"
#include "model/runopts.h"

/* One scenario's replications, KPIs only (the time series are dropped). */
struct cmp_run {
    struct model *m;             /* owned */
    struct runopts ro;           /* how it ran (seed, replications, language) */
    int n_kpi, n_rep;
    struct kpi_desc *desc;       /* n_kpi, owned */
    double *kpi;                 /* [r * n_kpi + k], owned */
    struct kpi_stat *stat;       /* n_kpi, over replications, owned */
    struct run_results res;      /* whole results, when kept (has_res) */
    bool has_res;
};

/* Runs m's replications (ro->seed, ro->replications) on ro->threads
 * workers (0 = all cores) and keeps their KPIs, and with keep the whole results
 * (for output_write_run; no RBS panel or event log is recorded). Takes
 * ownership of m, also on failure. stop: as for runner_run. 0, or -1 with e
 * set (out is then empty). */
int compare_run(struct model *m, const struct runopts *ro, bool progress,
                const volatile sig_atomic_t *stop, bool keep, struct cmp_run *out, struct err *e);
void compare_run_fini(struct cmp_run *c);             /* zeroed struct: no-op */

/* For each KPI k of base, the index of the same KPI in alt, or -1.
 * malloc'd (base->n_kpi entries); NULL when out of memory. */
int *compare_match(const struct cmp_run *base, const struct cmp_run *alt);

/* Paired difference of KPI kb of base and ka of alt: statistics over
 * replications of alt[r] - base[r] (replications where both are defined).
 * Allocates nothing: it cannot fail into NaN. */
void compare_paired(const struct cmp_run *base, int kb, const struct cmp_run *alt, int ka,
                    struct kpi_stat *out);
/* The CI excludes zero: the difference is "real" at the 95% level. */
bool compare_real(const struct kpi_stat *d);

/* The directory under DIR that holds each scenario's own run files:
 * its name made safe (resultset_safe_name), then "-2", "-3", ... when an
 * earlier scenario or one of the comparison's own files ("plots",
 * "comparison.json", ...) has it. comparison.json records it as "dir". */
#define COMPARE_DIR_LEN 128
void compare_dir_names(const struct cmp_run *runs, int n_runs, char (*dirs)[COMPARE_DIR_LEN]);

/* Writes comparison.json and comparison.csv into dir (created if missing),
 * runs[0] being the base. Files appear only when both are complete. 0, or
 * -1 with e set. */
int compare_write(const struct cmp_run *runs, int n_runs, const char *dir, struct err *e);

/* The table for a person: headline KPIs of the base and each alternative,
 * the paired difference with its 95% CI, and '*' where the CI excludes 0.
 * 0, or -1 when out of memory (the table is then incomplete). */
int compare_print(const struct cmp_run *runs, int n_runs, const char *dir, FILE *out);

/* ---- shared with sweep.c and optimise.c ---------------------------------- */

/* What comparison.json and sweep.json open with: version, seed,
 * replications, horizon and the base scenario. NULL when out of memory. */
cJSON *compare_json_head(const struct cmp_run *b);
/* Opens the n named files in dir (created if missing), lets write() fill
 * them and commits them only when all are complete (n <= 4). 0, or -1 with
 * e set. */
int compare_write_files(const char *dir, int n, const char *const *names, struct err *e,
                        int (*write)(FILE **f, const void *ctx), const void *ctx);
/* The index of catalogue KPI id for flow/ring (-1: none), not per year or
 * dimension, or -1. */
int compare_find_kpi(const struct cmp_run *c, enum kpi_id id, int flow, int ring);
/* v with dec decimals, or "-" when not finite. */
void compare_cell(char *buf, size_t n, double v, int dec);

#endif
