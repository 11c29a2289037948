/* bounds.h: the hard limits of a scenario's values, which the loader
 * (model/scenario.c) and setpath_set enforce with file:line. Each protects
 * memory or the numerics, and says how; docs/limits.md lists them for users.
 * Nothing else is refused: a valid value of docs/scenario.md is never
 * turned away by a bound chosen for taste. */
#ifndef FLOWSIM_BOUNDS_H
#define FLOWSIM_BOUNDS_H

/* simulation.years: one KPI set per calendar year and the time series grow
 * with the horizon, and every date is written with four-digit years. */
#define BOUNDS_MAX_YEARS 1000.0
/* Dated changes of a plan: memory, each change is a whole model built at
 * load (model/changes). */
#define BOUNDS_MAX_CHANGES 1000
/* snapshot_months, rbs_interval_months: the clock must advance. t + step
 * must differ from t for t up to BOUNDS_MAX_YEARS (a double resolves about
 * 1e-13 years there); 1e-6 months is 8e-8 years. Memory for the snapshots
 * is checked apart (engine/runlimits.c). */
#define BOUNDS_MIN_MONTHS 1.0e-6
/* Any rate per year, covariates included: a citizen's next event comes
 * about 1/rate years later, which must stay far above the clock's
 * resolution (1e-13 years at t = 1000) for time to advance. */
#define BOUNDS_MAX_RATE 1.0e9
/* Every age in the file: the Gompertz hazard is a * exp(b * age), b <= 1,
 * and stays a finite double for ages below about 700; ages grow with the
 * clock, so the start is kept well below. */
#define BOUNDS_MAX_AGE 150.0
/* Any cost or budget (DKK per year or hour): sums over citizens and years
 * keep whole-krone precision (below 2^53). */
#define BOUNDS_MAX_DKK 1.0e12
/* simulation.threads, as -j: each thread holds a replication's workspace. */
#define BOUNDS_MAX_THREADS 4096
/* Citizens of one replication are numbered with 32 bits (pop.h, evq.h);
 * far below that, memory runs out first. */
#define BOUNDS_MAX_CITIZENS 2000000000.0

#endif
