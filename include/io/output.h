/* output.h: the files of a run (docs/files.md). All are written to temporary
 * names first and renamed into place only when every one is complete, so a
 * failure leaves the previous results untouched. */
#ifndef FLOWSIM_OUTPUT_H
#define FLOWSIM_OUTPUT_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "engine/runner.h"
#include "engine/stats.h"
#include "engine/summary.h"
#include "model/model.h"

struct cJSON;

struct run_info {                 /* what varies between runs: run.json only */
    const char *command_line;
    double wall_seconds;
    int threads;
    /* Not written: when it becomes non-zero (Ctrl-C, see interrupt.h),
     * writing stops between files and rows and fails with "interrupted".
     * NULL: never. */
    const volatile sig_atomic_t *stop;
};

/* Writes summary.json, summary.csv, replications.csv, timeseries.csv, waits.csv, rbs_panel.csv (when
 * m->out_rbs_panel), events.csv (when m->out_events) and run.json into dir
 * (created if missing). Returns 0, or -1 with e set (nothing left under a
 * final name that was not there before). */
int output_write_run(const struct model *m, const struct run_results *res,
                     const char *dir, const struct run_info *info, struct err *e);

/* ---- pieces shared with compare.c --------------------------------------- */

/* stat[k] over the replications of res for every KPI (res->shape.n_kpi).
 * 0, or -1 when out of memory. */
int output_kpi_stats(const struct run_results *res, struct kpi_stat *stat);
/* A KPI's name in CSV files: its name, with "_<dimension>" when per dimension. */
void output_kpi_name(const struct model *m, const struct kpi_desc *d, char *buf, size_t n);
/* The columns kpi,flow,ring,year of a KPI's CSV row (no trailing comma),
 * text cells through csv_cell. */
void output_csv_kpi_cols(FILE *f, const struct model *m, const struct kpi_desc *d);
/* {"mean", "sd", "ci95": [lo, hi], "n" (when short of n_rep), "unit"}; NULL on OOM. */
struct cJSON *output_kpi_stat_json(const struct kpi_stat *s, int n_rep, const char *unit);
/* Puts item where KPI d sits in a "kpis" tree of summary.json (by_year,
 * flows.<id>.rings.<id>, <name>.<dimension>); the tree takes ownership,
 * also on failure (item NULL or OOM: -1). */
int output_kpi_add(const struct model *m, struct cJSON *kpis, const struct kpi_desc *d,
                   struct cJSON *item);
/* The "kpis" tree of summary.json; the caller owns it. NULL on OOM. */
struct cJSON *output_kpi_tree(const struct model *m, const struct kpi_desc *desc, int n_kpi,
                              const struct kpi_stat *stat, int n_rep);
/* Adds v as an exact integer (a raw number: cJSON's doubles would round
 * seeds above 2^53). The item, or NULL on OOM. */
struct cJSON *output_json_add_u64(struct cJSON *o, const char *key, uint64_t v);
/* Rows of replications.csv for one replication (1-based): replication,kpi,
 * flow,ring,year,value,unit, led by a scenario column when scenario is not
 * NULL (compare's file). */
void output_replication_rows(FILE *f, const char *scenario, const struct model *m,
                             const struct kpi_desc *desc, int n_kpi, int replication, const double *kpi);
/* Adds a scenario's display texts to o: "title", "title_da",
 * "description_da" ("" when not set) and "prices_year" (the price basis of
 * its DKK figures: prices_year, or the start year). */
void output_display_texts(struct cJSON *o, const struct model *m);
/* Writes root, pretty-printed, and a newline. 0, or -1 on OOM. */
int output_json_write(FILE *f, const struct cJSON *root);
/* A number for CSV: %.12g, or nothing when not finite. */
void output_csv_num(FILE *f, double v);

#endif
