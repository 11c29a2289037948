/* bounds.h: the hard limits of a scenario's values, which the loader
 * (model/scenario.c) enforces with file:line. Each protects memory or the
 * numerics; docs/limits.md gives the reasons. */
#ifndef FLOWSIM_BOUNDS_H
#define FLOWSIM_BOUNDS_H

#define BOUNDS_MAX_YEARS 1000.0        /* simulation.years */
#define BOUNDS_MAX_CHANGES 1000        /* dated changes of a plan */
#define BOUNDS_MIN_MONTHS 0.1          /* snapshot_months, rbs_interval_months */
#define BOUNDS_MAX_RATE 1.0e4          /* any rate per year, covariates included */
#define BOUNDS_MAX_AGE 150.0           /* every age in the file */
#define BOUNDS_MAX_DKK 1.0e12          /* any cost or budget, DKK per year or hour */
#define BOUNDS_MAX_DAYS 36525.0        /* assessment_days (100 years) */
#define BOUNDS_MAX_THREADS 4096        /* simulation.threads, as -j */
/* Citizens of one replication are numbered with 32 bits (pop.h, evq.h);
 * far below that, memory runs out first. */
#define BOUNDS_MAX_CITIZENS 2000000000.0

#endif
