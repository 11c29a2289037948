/* repagg.h: what the files need of the replications' time series and
 * waiting-time histograms, kept without keeping every replication's
 * arrays (timeseries.csv and waits.csv, docs/files.md):
 *   - each series cell's sum, folded in replication order, so the mean is
 *     the same double as a sum over all replications in order, whatever
 *     the number of threads;
 *   - the values the 5 % and 95 % quantiles need: per cell the k smallest
 *     and the k largest (k about 5 % of the replications, a heap each); a
 *     multiset, so the order of folding does not matter, and the quantiles
 *     are exactly those of all values (GSL's interpolation rule);
 *   - the histogram's counts.
 * Memory per replication is about a tenth of its series, below its KPIs,
 * instead of the whole series (17 kB per replication for Esbjerg). */
#ifndef FLOWSIM_REPAGG_H
#define FLOWSIM_REPAGG_H

#include <stdint.h>

#include "engine/sim.h"

#define REPAGG_P_LO 0.05
#define REPAGG_P_HI 0.95

struct repagg {
    int n_rep;              /* replications it will hold */
    int folded;             /* replications folded so far */
    size_t n_cells;         /* series values per replication */
    size_t n_hist;          /* histogram bins per replication */
    int k_lo, k_hi;         /* values kept per cell for REPAGG_P_LO and _HI */
    double *sum;            /* [cell] */
    float *lo, *hi;         /* [cell][k_lo] max-heap, [cell][k_hi] min-heap */
    uint64_t *hist;         /* [bin] */
};

/* For n_rep replications of shape s. 0, or -1 when out of memory. */
int repagg_init(struct repagg *a, const struct sim_shape *s, int n_rep);
void repagg_fini(struct repagg *a);            /* zeroed struct: no-op */

/* Adds one replication (series as sim_run writes it, hist its
 * wait_hist). Sums depend on the order: fold replication 0, 1, 2, ... */
void repagg_fold(struct repagg *a, const float *series, const uint32_t *hist);

/* Over the folded replications (all n_rep of them for the quantiles). */
double repagg_mean(const struct repagg *a, size_t cell);
/* The REPAGG_P_LO or REPAGG_P_HI quantile of cell; scratch holds at least
 * max(k_lo, k_hi) doubles. */
double repagg_quantile(const struct repagg *a, size_t cell, double p, double *scratch);
/* Sum of bin over the replications. */
static inline uint64_t repagg_hist(const struct repagg *a, size_t bin) { return a->hist[bin]; }

#endif
