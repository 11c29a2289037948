/* tornado.h: the tornado plots of `flowsim sensitivity` (analysis/
 * sensitivity.h): for each headline KPI of the whole run, one horizontal
 * bar per uncertain setting from the KPI at the setting's 5 % quantile to
 * the KPI at its 95 % quantile, around the value with every setting at its
 * centre, the largest swing on top. DIR/plots/tornado-<kpi>.gp/.dat/.png/.svg. */
#ifndef FLOWSIM_TORNADO_H
#define FLOWSIM_TORNADO_H

#include "analysis/compare.h"
#include "base/err.h"
#include "model/model.h"

/* Writes the scripts and data and draws them with gnuplot (optional: the
 * caller makes a failure a warning). 0, or -1 with e set (also when
 * gnuplot is not found: nothing was drawn). */
int tornado_draw(const struct model *m, const struct cmp_run *runs, const char *dir, struct err *e);

#endif
