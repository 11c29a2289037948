/* summary.h: statistics over replications. Values are aggregated in
 * replication order after all replications finished, so sums and hence the
 * bytes written do not depend on the number of threads. */
#ifndef FLOWSIM_SUMMARY_H
#define FLOWSIM_SUMMARY_H

#include <stddef.h>

struct kpi_stat {
    double mean, sd;        /* over the replications where it is defined */
    double lo, hi;          /* 95% CI of the mean (Student t); NaN if n < 2 */
    int n;                  /* replications where it is defined (finite) */
};

/* Statistics of x[0], x[stride], ..., x[(n-1)*stride], skipping NaN. */
void summary_stat(const double *x, size_t stride, int n, struct kpi_stat *out);
/* Statistics of the differences x[i*sx] - y[i*sy], i < n, skipping NaN;
 * allocates nothing, so it cannot fail. */
void summary_stat_diff(const double *x, size_t sx, const double *y, size_t sy, int n,
                       struct kpi_stat *out);

/* The p-quantile (0..1) of n values, which it sorts in place. NaN if n=0. */
double summary_quantile(double *x, size_t n, double p);

#endif
