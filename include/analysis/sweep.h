/* sweep.h: `flowsim sweep` (SPEC §4, §9): the base scenario at each value
 * of a setting, every point with common random numbers (compare.h). */
#ifndef FLOWSIM_SWEEP_H
#define FLOWSIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis/compare.h"
#include "base/err.h"
#include "model/model.h"

/* Parses "FROM:TO:STEP" (numbers; FROM <= TO, STEP > 0) into the values
 * FROM, FROM+STEP, ... up to TO (within 1e-9 of STEP), at most 10000.
 * *integral: FROM and STEP are whole numbers (values are printed as
 * integers). *values is malloc'd. 0, or -1 with e set (EXIT_INPUT), e.g.
 * for an empty range. */
int sweep_values(const char *range, double **values, int *n, bool *integral,
                         struct err *e);

/* A sweep value in libconfig syntax for scenario_load_set: whole numbers
 * without a decimal point when integral. buf of at least 32 bytes. */
void sweep_format(double v, bool integral, char *buf, size_t n);

/* The flow and ring a set path addresses ("flows.F.rings.R...."), or -1. */
void sweep_path_ring(const struct model *m, const char *path, int *flow, int *ring);

/* Writes sweep.csv (value,kpi,flow,ring,year,mean,sd,ci_lo,ci_hi) and
 * sweep.json into dir; runs[i] ran at values[i]. 0, or -1 with e set. */
int sweep_write(const struct cmp_run *runs, const double *values, int n,
                        const char *path, const char *dir, struct err *e);
/* A short table: the value against headline KPIs. */
void sweep_print(const struct cmp_run *runs, const double *values, int n,
                         const char *path, const char *dir, FILE *out);

#endif
