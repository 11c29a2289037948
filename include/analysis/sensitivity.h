/* sensitivity.h: `flowsim sensitivity` (docs/uncertainty.md): each
 * uncertain setting of the scenario's `uncertainty` block at its 5 % and
 * 95 % quantiles, every other at its centre (a parameter's mean, an MVN
 * component's exp(mean), i.e. its marginal median), all runs with common
 * random numbers (compare.h), against the run with every setting at its
 * centre: the one-way swings of a tornado plot. */
#ifndef FLOWSIM_SENSITIVITY_H
#define FLOWSIM_SENSITIVITY_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/compare.h"
#include "base/err.h"
#include "model/model.h"

#define SENSITIVITY_LOW 0.05
#define SENSITIVITY_HIGH 0.95

/* The 2 n + 1 models of a sensitivity analysis of m (n uncertain
 * settings): [0] every setting at its centre, [1 + 2 i] setting i at its
 * 5 % quantile, [2 + 2 i] at its 95 % quantile. *out is malloc'd, each
 * model owned by the caller. 0, or -1 with e set (a quantile a setting
 * refuses: EXIT_INPUT). */
int sensitivity_models(const struct model *m, struct model ***out, int *n_models, struct err *e);

/* The setting's value in model j of sensitivity_models (j = 0: centre). */
double sensitivity_value(const struct model *m, int setting, int j);

/* KPI k is defined with every setting at its centre and differs from that
 * value in some run: worth a table row or a tornado. */
bool sensitivity_moves(const struct cmp_run *runs, int n_settings, int k);

/* Writes sensitivity.csv and sensitivity.json into dir from the runs of
 * those models (runs[0] the centre), for the headline KPIs of the whole
 * run and of each flow and ring. 0, or -1 with e set. */
int sensitivity_write(const struct model *m, const struct cmp_run *runs, const char *dir,
                      struct err *e);

/* The table for a person: for each headline KPI of the whole run, the
 * settings by swing, largest first, with the KPI at the low and high
 * quantile and the paired differences' CIs. */
void sensitivity_print(const struct model *m, const struct cmp_run *runs, const char *dir,
                       FILE *out);

#endif
