/* uncertainty.h: what a scenario declares it does not know (docs/uncertainty.md
 * "Parameter uncertainty"). The `uncertainty` block
 * names numeric settings by set path (model/setpath.h), each with a
 * distribution, and a multivariate normal on the log of some rates (as
 * calibrate writes it from its covariance). The loader checks the block and
 * keeps it here; engine/psa.c draws from it, one parameter set per
 * replication, each on a model of its own rebuilt by the loader. */
#ifndef FLOWSIM_UNCERTAINTY_H
#define FLOWSIM_UNCERTAINTY_H

#include <stdbool.h>
#include <stddef.h>

#include "model/cfgread.h"
#include "model/model.h"

/* The block's data (struct uncertainty) is part of the model (model.h). */

/* Whether path names a setting of m that a draw may write: 0, or -1 with
 * the problem in why (the loader passes setpath_resolve's verdict; a
 * callback, so that the model, which owns the block, need not depend on
 * the set-path module, which depends on the model). */
typedef int uncertainty_path_check(const struct model *m, const char *path, char *why, size_t n);

/* Reads `uncertainty` of tree into m->uncertainty (NULL when absent), each
 * path checked by resolves. 0, or -1 with L->e set ("file:line: setting:
 * problem"). */
int uncertainty_read(struct loader *L, const config_setting_t *tree, struct model *m,
                     uncertainty_path_check *resolves);

/* Quantile p in (0, 1) of parameter i's distribution. */
double uncertainty_quantile(const struct unc_param *p, double prob);
/* Marginal quantile p of the MVN's component i, exp(mean_i + z_p sqrt(cov_ii)). */
double uncertainty_mvn_quantile(const struct unc_mvn *v, int i, double prob);
/* The distribution's name as the file writes it. */
const char *uncertainty_dist_name(enum unc_dist d);

/* Number of uncertain settings (parameters and MVN components), and the
 * path and central value ("at its mean": the mean; an MVN component's
 * exp(mean_i), its median) of setting i. */
int uncertainty_count(const struct uncertainty *u);
const char *uncertainty_path(const struct uncertainty *u, int i);
double uncertainty_center(const struct uncertainty *u, int i);
/* Quantile p of setting i (parameter or MVN marginal). */
double uncertainty_quantile_at(const struct uncertainty *u, int i, double prob);

/* For `flowsim check`: each uncertain setting with its distribution as
 * declared, its centre and its 5 % and 95 % quantiles. Nothing when u is
 * NULL. */
void uncertainty_print(const struct uncertainty *u, FILE *out);

#endif
