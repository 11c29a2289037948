/* sweep.h: `flowsim sweep` (docs/compare.md): the base scenario at each point
 * of a grid of settings (or, zipped, at points stepping every setting
 * together), every point with common random numbers (compare.h), and
 * every KPI's paired difference to the first point. */
#ifndef FLOWSIM_SWEEP_H
#define FLOWSIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis/compare.h"
#include "base/err.h"
#include "model/model.h"

#define SWEEP_MAX_AXES 8
#define SWEEP_MAX_POINTS 10000

/* Parses "FROM:TO:STEP" (numbers; STEP != 0 and pointing from FROM to TO)
 * into the values FROM, FROM+STEP, ... up to TO (within 1e-9 of STEP), at
 * most 10000; a negative STEP counts down.
 * *integral: FROM and STEP are whole numbers (values are printed as
 * integers). *values is malloc'd. 0, or -1 with e set (EXIT_INPUT), e.g.
 * for an empty range. */
int sweep_values(const char *range, double **values, int *n, bool *integral, struct err *e);

/* True when s reads as FROM:TO:STEP (three numbers), i.e. a range. */
bool sweep_is_range(const char *s);

/* A sweep value in libconfig syntax for scenario_load_set: whole numbers
 * without a decimal point when integral. buf of at least 32 bytes. */
void sweep_format(double v, bool integral, char *buf, size_t n);

/* The flow and ring a set path addresses ("flows.F.rings.R...." gives both,
 * "flows.F..." and "transitions[F:a->b]..." or "transitions[N]..." the
 * flow), or -1. */
void sweep_path_ring(const struct model *m, const char *path, int *flow, int *ring);

/* One swept setting. */
struct sweep_axis {
    char *path;                  /* owned */
    double *values;              /* n, owned */
    int n;
    bool integral;
};

/* The points of a sweep: the grid of the axes (the last axis fastest), or
 * with zip the i-th value of every axis at point i. */
struct sweep_plan {
    struct sweep_axis axis[SWEEP_MAX_AXES];
    int n_axes;
    bool zip;
    int n_points;
};

/* Adds the axis PATH=FROM:TO:STEP. 0, or -1 with e set (EXIT_INPUT). */
int sweep_plan_add(struct sweep_plan *p, const char *path, const char *range, struct err *e);
/* Counts the points (zip: every axis of the same length). 0, or -1 with e
 * set (EXIT_INPUT). */
int sweep_plan_finish(struct sweep_plan *p, bool zip, struct err *e);
void sweep_plan_fini(struct sweep_plan *p);          /* zeroed struct: no-op */
/* The value of axis a at point i. */
double sweep_point_value(const struct sweep_plan *p, int i, int a);
/* "PATH=VALUE" of axis a at point i, for cli_load_set. */
void sweep_point_set(const struct sweep_plan *p, int i, int a, char *buf, size_t n);
/* "sel108.capacity=200, sel107.capacity=150": the point for a person. */
void sweep_point_label(const struct sweep_plan *p, int i, char *buf, size_t n);
/* A short name of a path: its last two segments ("sel108.capacity"). */
void sweep_short_path(const char *path, char *buf, size_t n);

/* Writes sweep.csv (point, one column per swept path, kpi, flow, ring,
 * year, mean, sd, ci_lo, ci_hi, unit, n, and the paired difference to
 * point 0: diff_mean, diff_sd, diff_ci_lo, diff_ci_hi, real) and sweep.json
 * into dir; runs[i] ran at point i. 0, or -1 with e set. */
int sweep_write(const struct cmp_run *runs, const struct sweep_plan *p, const char *dir,
                struct err *e);
/* The table for a person: per point, the swept values and the KPIs that fit
 * what is swept, each with its 95% CI and its difference to point 0. */
void sweep_print(const struct cmp_run *runs, const struct sweep_plan *p, const char *dir,
                 FILE *out);

/* The headline KPIs of a sweep, for the table and the plots: the cost per
 * year, then what fits each swept path (a ring: its wait and occupancy;
 * visitation: time to decision and caseworker use; the budget: years over
 * budget and days frozen; a flow or transition: the flow's outward share),
 * then referral to first place. */
struct sweep_kpi {
    int k;                       /* KPI index in runs[0] */
    char title[48];              /* names its flow or ring */
    double scale;                /* shown = value * scale */
    int dec;
};
int sweep_headlines(const struct cmp_run *base, const struct sweep_plan *p,
                    struct sweep_kpi *out, int cap);

#endif
