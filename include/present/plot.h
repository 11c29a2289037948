/* plot.h: the plots of a finished run or comparison (SPEC §5), drawn from
 * its output DIRECTORY alone, so `flowsim plot DIR` and the end of `run` and
 * `compare` are the same code.
 *
 * For each plot NAME, DIR/plots/ holds NAME.gp (draws NAME.png with pngcairo
 * and NAME.svg, with relative paths only: `cd DIR/plots && gnuplot NAME.gp`)
 * and NAME.dat (its data, '#' comment header, blocks separated by two blank
 * lines as gnuplot's `index` expects). .gp and .dat go through afile; gnuplot
 * draws to hidden temporary names that are renamed into place when it
 * succeeds, so a failed drawing never leaves a half-written image.
 *
 * A run directory holds summary.json, timeseries.csv and waits.csv (written by
 * output.c); summary.json's "model" gives flow and ring names (ids are used
 * when it is absent). A comparison directory holds comparison.json and one
 * run directory per scenario, DIR/<scenario name>/. */
#ifndef FLOWSIM_PLOT_H
#define FLOWSIM_PLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"
#include "present/i18n.h"

struct cJSON;

#define PLOT_NAME_MAX 96
#define PLOT_TIMEOUT_S 30.0         /* per gnuplot script */
#define PLOT_TS_COLS 9              /* timeseries.csv: 3 series x mean,p05,p95 */
enum { TS_OCC = 0, TS_WAIT = 3, TS_SPEND = 6 };   /* + 0 mean, 1 p05, 2 p95 */

struct plot_ring {
    const char *id, *name, *law;    /* point into summary (or ids) */
    int capacity;                   /* 0 = unlimited, -1 = not known */
};

struct plot_flow {
    const char *id, *name;
    int n_rings;                    /* states 0..n_rings-1, n_rings = none */
    struct plot_ring *rings;
    int slot0;                      /* timeseries slot of state 0 */
};

/* One finished run's output directory, read back. Everything is owned by
 * the struct; strings point into `summary` or `strings`. */
struct plot_run {
    struct cJSON *summary;          /* summary.json */
    const struct cJSON *kpis;       /* its "kpis" object (never NULL) */
    const char *name, *description, *start_date, *lang;
    int replications;
    double years, warmup_years, budget_annual, seed;
    int n_flows;
    struct plot_flow *flows;
    int n_slots;                    /* sum over flows of n_rings + 1 */
    int n_snap;
    double *x_year;                 /* [n_snap] decimal calendar year */
    double *ts;                     /* [n_snap][n_slots][PLOT_TS_COLS]; NaN if absent */
    int n_bins;                     /* waits.csv bins per ring (0: no file) */
    double *wait_to;                /* [n_bins] upper edge (days); NaN: open */
    double *wait_share;             /* [n_slots][n_bins]; none slots unused */
    double *wait_count;             /* [n_slots] requests per replication */
    char **strings;                 /* ids/names made up when absent */
    int n_strings;
};

/* Reads dir/summary.json, dir/timeseries.csv and dir/waits.csv. Returns 0
 * and *out (free with plot_run_destroy), or -1 with e set (EXIT_INPUT when
 * the directory holds no finished run). */
int plot_run_load(const char *dir, struct plot_run **out, struct err *e);
void plot_run_destroy(struct plot_run *r);      /* NULL is a no-op */

/* A KPI leaf of a kpis tree by path ("cost_per_year",
 * "flows/home/rings/sel108/waiting_list_mean"); NULL when absent. */
const struct cJSON *plot_kpi(const struct cJSON *kpis, const char *path);

/* The language to use: code if given, else the run's "lang", else en. */
enum lang plot_lang(const char *code, const struct plot_run *r);

/* True when dir holds a comparison (comparison.json). */
bool plot_is_comparison(const char *dir);

/* The plot names (without extension) that plot_dir writes for dir, in the
 * order a report shows them. Returns how many (at most max). */
int plot_names(const char *dir, char (*names)[PLOT_NAME_MAX], int max);

/* Writes dir/plots/ for the run or comparison in dir, labelled in lang
 * (NULL: the run's own). Draws them with gnuplot when it is found; *drawn
 * tells whether it did (false: not found, scripts and data written).
 * Returns 0, or -1 with e set: unreadable results, a file not written, or
 * gnuplot failing or timing out on a script (the others are still tried). */
int plot_dir(const char *dir, const char *lang, bool *drawn, struct err *e);

/* The end of `run` and `compare` (and `flowsim plot`): plots, then
 * report.html; for a comparison also each scenario's own DIR/<name>/ first.
 * Prints at most one line to msg: the hint when gnuplot is missing, or a
 * warning "flowsim: warning: ..." naming what failed. Returns 0 when all was
 * drawn and written, 1 when gnuplot is missing (hint printed), -1 on
 * failure (warning printed). Never affects the simulation's results. */
int plot_and_report(const char *dir, const char *lang, FILE *msg);

#endif
