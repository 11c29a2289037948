/* psa.h: probabilistic sensitivity analysis (docs/uncertainty.md "Parameter
 * uncertainty"). With --uncertainty every replication
 * draws one value for each uncertain setting of the scenario's
 * `uncertainty` block, from the stream of (seed, replication,
 * RNGS_PURPOSE_UNCERTAINTY), and runs on a model of its own: the loader
 * builds the scenario again (scenario_rebuild, a whole model as dated
 * changes get one) and the draws are written into it with setpath_set. Two
 * scenarios that declare the same settings in the same order thus draw the
 * same values in replication r: compare stays paired. */
#ifndef FLOWSIM_PSA_H
#define FLOWSIM_PSA_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "base/err.h"
#include "model/model.h"

/* Draws replication `replication`'s values of every uncertain setting of m
 * into values[uncertainty_count(m->uncertainty)], in declaration order
 * (parameters, then the MVN's components). A normal draw below the
 * setting's lowest value (0, except for a covariate effect, which has
 * none: setpath_min) is set to that value and counted in *truncated. */
void psa_draw(const struct model *m, uint64_t seed, uint32_t replication, double *values,
              int *truncated);

/* The same from a given generator (for tests of the distributions). */
void psa_draw_from(const struct model *m, gsl_rng *r, double *values, int *truncated);

/* A new model: m rebuilt, with values[i] written into setting i. A plan's
 * epochs take the value too, unless the plan itself sets that setting to
 * another value (the plan's value then stands from its date). A value the
 * setting refuses is an input error naming the path and the value.
 * 0, or -1 with e set. */
int psa_model(const struct model *m, const double *values, struct model **out, struct err *e);

#endif
