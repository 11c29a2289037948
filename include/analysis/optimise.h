/* optimise.h: `flowsim optimise` (docs/plans.md), the planner's question: the
 * cheapest combination of the --vary settings whose --targets hold with 95%
 * confidence (the CI's far end meets each target), under common random
 * numbers throughout.
 *
 * The search. Every point runs replications 0..n-1 of one seed, so points
 * differ only by their settings (common random numbers) and a point rerun
 * with more replications extends its own sample. A point's verdict is
 * "met" (every target's far CI end meets it), "fails" (some target's near
 * end misses it) or "close" (otherwise); a close point gets twice the
 * replications, up to 4 x the replications asked for, until it is decided
 * (still close then: not proven, so not met). The chosen point is finally
 * confirmed with at least the replications asked for.
 *  - One --vary: bisection over its values for the boundary between points
 *    that meet the targets and points that do not, assuming the targets
 *    change monotonically along the setting (more places, shorter waits)
 *    and the cost too: O(log n) points instead of n.
 *  - Several: every grid point is screened with a quarter of the
 *    replications; then, cheapest first by the screened objective, each is
 *    decided; the first that meets the targets (confirmed) is the answer:
 *    a cheaper point was either shown to fail or not shown to meet them.
 * The frontier is every evaluated point that no other evaluated point
 * beats on the objective and on every target KPI at once. */
#ifndef FLOWSIM_OPTIMISE_H
#define FLOWSIM_OPTIMISE_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "analysis/compare.h"
#include "analysis/sweep.h"
#include "base/err.h"
#include "model/model.h"
#include "model/runopts.h"

#define OPT_MAX_TARGETS 8

struct opt_target {
    char kpi[256];               /* summary.json path joined by '.' */
    bool le;                     /* KPI <= value (else >=) */
    double value;
    int k;                       /* KPI index (after optimise_resolve) */
};

enum opt_verdict { OPT_FAILS = -1, OPT_CLOSE = 0, OPT_MET = 1 };

struct opt_point {
    int n_rep;                   /* 0: not evaluated */
    struct cmp_run run;          /* its latest evaluation */
    enum opt_verdict verdict;
    bool frontier;
};

/* Loads the model of point i of the plan (the caller's scenario, --set and
 * the point's settings) and its run options, with n_rep replications. 0,
 * or an exit status after printing the error. */
typedef int (*opt_load_fn)(void *ctx, int point, int n_rep, struct model **out,
                           struct runopts *ro);

struct optimise {
    struct sweep_plan plan;      /* the --vary settings, a grid */
    struct opt_target target[OPT_MAX_TARGETS];
    int n_targets;
    char minimise[256];          /* objective KPI path (default cost_per_year) */
    int k_obj;
    int reps;                    /* replications asked for per decided point */
    bool progress;
    const volatile sig_atomic_t *stop;
    opt_load_fn load;
    void *load_ctx;
    /* results */
    struct opt_point *pt;        /* plan.n_points */
    long replications;           /* spent, every evaluation counted */
    int evaluations;
    int chosen;                  /* point index, or -1: nothing meets the targets */
    double seconds;
    const char *search;          /* "bisection" or "grid" */
};

/* Parses "KPI<=VALUE" or "KPI>=VALUE" into t. 0, or -1 with e set. */
int optimise_parse_target(const char *text, struct opt_target *t, struct err *e);

/* The summary.json path of KPI d ("cost_per_year",
 * "flows.home.rings.sel108.wait_days_mean", "by_year.2015.spending",
 * "level_change.social"). */
void optimise_kpi_path(const struct model *m, const struct kpi_desc *d, char *buf, size_t n);

/* Finds the target and objective KPIs in m's layout. 0, or -1 with e set
 * (EXIT_INPUT: an unknown KPI, with the nearest names). */
int optimise_resolve(struct optimise *o, const struct model *m, struct err *e);

/* Runs the search (see above). 0, or -1 with e set. */
int optimise_run(struct optimise *o, struct err *e);
void optimise_fini(struct optimise *o);

/* Writes optimise.json and optimise.csv into dir. 0, or -1 with e set. */
int optimise_write(const struct optimise *o, const char *dir, struct err *e);

/* The answer for a person: the chosen point with its KPIs and CIs (or a
 * clear line that nothing meets the targets), the frontier, and the
 * replications and time spent. */
void optimise_print(const struct optimise *o, const char *dir, FILE *out);

#endif
