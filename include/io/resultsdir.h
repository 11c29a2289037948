/* resultsdir.h: a finished results directory read back, for `flowsim plot`,
 * the plots and the report: one run (summary.json, timeseries.csv,
 * waits.csv, as output.c writes them) or one comparison (comparison.json and
 * a run directory DIR/<scenario name>/ per scenario).
 *
 * A results directory may come from someone else: every string in it is
 * untrusted text. Readers here never turn one into a path except a
 * comparison's scenario names, and only those that are one plain file-name
 * component (resultsdir_safe_name). */
#ifndef FLOWSIM_RESULTSDIR_H
#define FLOWSIM_RESULTSDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct cJSON;

#define RESULTS_TS_COLS 9           /* timeseries.csv: 3 series x mean,p05,p95 */
enum { TS_OCC = 0, TS_WAIT = 3, TS_SPEND = 6 };   /* + 0 mean, 1 p05, 2 p95 */
#define RESULTS_MAX_SCEN 16         /* scenarios of a comparison read back */
#define RESULTS_MAX_CHANGES 64      /* a plan's dates marked in the plots */

struct results_ring {
    const char *id, *name, *law;    /* point into summary (or strings) */
    int capacity;                   /* 0 = unlimited, -1 = not known */
    int change_capacity[RESULTS_MAX_CHANGES];   /* in force from change i
                                                 * (same codes; -1 also when
                                                 * unchanged or not written) */
};

struct results_flow {
    const char *id, *name;
    int n_rings;                    /* states 0..n_rings-1, n_rings = none */
    struct results_ring *rings;
    int slot0;                      /* timeseries slot of state 0 */
};

/* One finished run's output directory, read back. Everything is owned by
 * the struct; strings point into `summary` or `strings`. */
struct results_run {
    struct cJSON *summary;          /* summary.json */
    const struct cJSON *kpis;       /* its "kpis" object (never NULL) */
    const char *name, *description, *start_date, *lang;
    const char *title, *title_da, *description_da;   /* "" when the scenario sets none */
    int prices_year;                /* price basis of DKK figures (0: not stated) */
    int replications;
    double years, warmup_years, budget_annual;
    char seed[32];                  /* as written ("?" when absent) */
    int n_changes;                  /* a plan's dates, as decimal calendar years */
    double change_x[RESULTS_MAX_CHANGES];
    char change_date[RESULTS_MAX_CHANGES][11];   /* checked YYYY-MM-DD */
    const struct cJSON *change_json[RESULTS_MAX_CHANGES];   /* its summary.json entry */
    int n_flows;
    struct results_flow *flows;
    int n_slots;                    /* sum over flows of n_rings + 1 */
    int n_snap;
    double *x_year;                 /* [n_snap] decimal calendar year */
    double *ts;                     /* [n_snap][n_slots][RESULTS_TS_COLS]; NaN if absent */
    int n_bins;                     /* waits.csv bins per ring (0: no file) */
    double *wait_to;                /* [n_bins] upper edge (days); NaN: open */
    double *wait_share;             /* [n_slots][n_bins]; none slots unused */
    double *wait_count;             /* [n_slots] requests per replication */
    char **strings;                 /* ids/names made up when absent */
    int n_strings;
};

/* Reads dir/summary.json, dir/timeseries.csv and dir/waits.csv. Returns 0
 * and *out (free with results_run_free), or -1 with e set (EXIT_INPUT when
 * the directory holds no finished run). */
int resultsdir_read_run(const char *dir, struct results_run **out, struct err *e);
void results_run_free(struct results_run *r);       /* NULL is a no-op */

/* Index of flow id in r, or -1; index of state id ("none": n_rings) in fl,
 * or -1. */
int results_flow_index(const struct results_run *r, const char *id);
int results_state_index(const struct results_flow *fl, const char *id);

/* The timeseries row of snapshot k and slot: RESULTS_TS_COLS values. */
const double *results_ts(const struct results_run *r, int k, int slot);

/* A comparison directory read back. */
struct results_cmp {
    struct cJSON *root;             /* comparison.json */
    const char *base;               /* base scenario's name (NULL: none) */
    int n_scen;                     /* base first, then alternatives */
    const char *scen[RESULTS_MAX_SCEN];
    bool has_dir[RESULTS_MAX_SCEN]; /* dir[i] is a safe directory name */
    const char *dir[RESULTS_MAX_SCEN];  /* its run directory under DIR: "dir" in
                                         * comparison.json, else the name; NULL
                                         * when not a safe directory name */
    struct results_run *run[RESULTS_MAX_SCEN];   /* DIR/<name>/, NULL when absent */
    const struct cJSON *diff[RESULTS_MAX_SCEN];  /* differences' kpis tree; [0] unused */
    const struct cJSON *kpis[RESULTS_MAX_SCEN];  /* comparison.json's kpis, NULL if absent */
};

/* Reads dir/comparison.json and the run directory of each scenario whose
 * name is a safe directory name (if there). Returns 0, or -1 with e set;
 * always call results_cmp_fini. */
int resultsdir_read_cmp(const char *dir, struct results_cmp *m, struct err *e);
void results_cmp_fini(struct results_cmp *m);

/* True when dir holds a comparison (comparison.json). */
bool resultsdir_is_comparison(const char *dir);

/* The language code dir's results were made in ("da", "en"), into buf: a
 * run's summary.json "lang", a comparison's base scenario's; "" when not
 * known. */
void resultsdir_lang(const char *dir, char *buf, size_t n);

/* True when name can be one directory name below a comparison: not empty,
 * no '/', no leading '.', no control characters, at most 200 bytes. */
bool resultsdir_safe_name(const char *name);

/* A KPI leaf of a kpis tree by path ("cost_per_year",
 * "flows/home/rings/sel108/waiting_list_mean"); NULL when absent. */
const struct cJSON *results_kpi(const struct cJSON *kpis, const char *path);

/* o[key] as a string (dflt when absent or not a string) or a number (dflt
 * when absent or not a number). */
const char *results_json_str(const struct cJSON *o, const char *key, const char *dflt);
double results_json_num(const struct cJSON *o, const char *key, double dflt);
/* o[key] as an int: dflt when absent, not a number or out of int's range. */
int results_json_int(const struct cJSON *o, const char *key, int dflt);

/* A seed as the results write it, into buf: an integer number, or a string
 * of digits (a seed above 2^53 does not survive a double); "?" otherwise. */
void results_seed_text(const struct cJSON *v, char *buf, size_t n);

/* A whole file as a NUL-terminated buffer (free it), *len its size when
 * len is not NULL; NULL when it cannot be read. */
char *resultsdir_slurp(const char *path, size_t *len);
/* A whole JSON file parsed (cJSON_Delete it); NULL when it cannot be read
 * (errno says why) or is no JSON (errno 0). */
struct cJSON *resultsdir_read_json(const char *path);
/* True when dir/file is a regular file. */
bool resultsdir_has_file(const char *dir, const char *file);

#endif
