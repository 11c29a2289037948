/* fitcheck.h: the fit check of `flowsim calibrate` on disk and drawn. */
#ifndef FLOWSIM_FITCHECK_H
#define FLOWSIM_FITCHECK_H

#include <stdbool.h>

#include "analysis/calib.h"
#include "analysis/calib_validate.h"
#include "base/err.h"
#include "model/model.h"

/* fitcheck.csv, and fitcheck.gp with fitcheck-<flow>.dat beside it, in dir.
 * Then draws fitcheck.png with gnuplot when it is there: *drawn says whether
 * it was; a gnuplot failure is put into plot_err (not an error). */
int fitcheck_write(const char *dir, const struct model *m, const struct calib_result *r,
                   bool *drawn, struct err *plot_err, struct err *e);

/* validation.gp with validation-<flow>.dat beside it, in dir: observed
 * share against the simulated mean and its 95% band, one panel per state;
 * then validation.png as above. */
int validation_plot_write(const char *dir, const struct model *m, const struct calib_validation *v,
                          bool *drawn, struct err *plot_err, struct err *e);

#endif
