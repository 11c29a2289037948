/* calib_validate.h: validation of the whole simulation against the panel
 * (`flowsim calibrate --validate N`). The scenario with the fitted rates
 * (as the fragment writes them) is run N times; each replication's RBS
 * panel is read like the observed one, and the two are compared on what a
 * planner sees: the share of citizens under observation in each state over
 * time (on the fit check's grid), and the number of each move per year
 * (pairs of consecutive measurements, by the year of the later one). A gap
 * is measured in standard errors that hold both the simulation's spread
 * over replications and the panel's own sampling error (binomial for
 * shares, Poisson for counts). */
#ifndef FLOWSIM_CALIB_VALIDATE_H
#define FLOWSIM_CALIB_VALIDATE_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "analysis/calib.h"
#include "analysis/panel.h"
#include "base/err.h"
#include "model/model.h"

/* A gap beyond this many standard errors is more than sampling explains
 * (with hundreds of cells compared, 4 rather than 2 keeps false alarms
 * rare). */
#define CALIB_VALIDATE_Z 4.0

struct calib_val_flow {
    bool done;                        /* fitted and compared */
    int n_states, n_grid, n_years;
    const double *grid_t;             /* the fit check's grid (not owned) */
    double *obs_n;                    /* n_grid: observed citizens under observation */
    double *obs_share, *sim_mean, *sim_sd, *z;           /* [g * S + s] */
    double *obs_moves, *sim_moves, *sim_moves_sd, *moves_z;   /* [(y * S + a) * S + b] */
    double worst_z, worst_moves_z;    /* largest |z| of each kind */
    int worst_g, worst_s, worst_y, worst_a, worst_b;
};

struct calib_validation {
    int reps;
    int n_flows;
    struct calib_val_flow flow[MODEL_MAX_FLOWS];
};

/* The base scenario with the fitted rates and effects of r, exactly as the
 * fragment writes them (values not identified keep the base's): loaded
 * again from base->path and patched. 0, or -1 with e set. */
int calib_refitted_model(const struct model *base, const struct calib_result *r,
                         struct model **out, struct err *e);

/* Runs `reps` replications of the refitted model and compares (see above).
 * Returns 0 (free v with calib_validation_fini), or -1 with e set
 * (EXIT_RUNTIME: out of memory, or "interrupted" when stop is raised). */
int calib_validate(const struct model *refit, const struct panel *observed,
                   const struct calib_result *r, int reps, const volatile sig_atomic_t *stop,
                   struct calib_validation *v, struct err *e);
void calib_validation_fini(struct calib_validation *v);

/* validation.csv (shares per flow, grid time and state) and
 * validation_moves.csv (moves per flow, year, from and to) in dir. */
int calib_validation_write(const char *dir, const struct model *m,
                           const struct calib_validation *v, struct err *e);

/* The worst gaps of each flow; returns how many flows have a gap beyond
 * CALIB_VALIDATE_Z standard errors. */
int calib_validation_print(const struct model *m, const struct calib_validation *v, FILE *out);

#endif
