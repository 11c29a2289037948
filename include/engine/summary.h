/* summary.h: statistics over replications. Values are aggregated in
 * replication order after all replications finished, so sums and hence the
 * bytes written do not depend on the number of threads. */
#ifndef FLOWSIM_SUMMARY_H
#define FLOWSIM_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

struct kpi_stat {
    double mean, sd;        /* over the replications where it is defined */
    double lo, hi;          /* 95% CI of the mean (Student t); NaN if n < 2 */
    int n;                  /* replications where it is defined (finite) */
    bool has_ui;            /* ui_lo, ui_hi set (a run with parameter uncertainty) */
    double ui_lo, ui_hi;    /* 2.5 % and 97.5 % percentiles of the replications'
                             * values: where one outcome falls (docs/uncertainty.md) */
};

/* Statistics of x[0], x[stride], ..., x[(n-1)*stride], skipping NaN. */
void summary_stat(const double *x, size_t stride, int n, struct kpi_stat *out);
/* Statistics of the differences x[i*sx] - y[i*sy], i < n, skipping NaN;
 * allocates nothing, so it cannot fail. */
void summary_stat_diff(const double *x, size_t sx, const double *y, size_t sy, int n,
                       struct kpi_stat *out);

/* As summary_stat, with the interval for a skewed KPI (waits, waiting
 * lists): the bootstrap-t interval, mean - t*_{0.975} se .. mean -
 * t*_{0.025} se, where t* are the studentised means of 999 resamples of
 * the replications drawn from a fixed stream (so the bytes depend on the
 * values alone). Below 5 finite values, or with no spread, Student t's.
 * Why: with few replications the per-replication means of a congested
 * queue are right-skewed and Student t misses on the low side (coverage
 * test in tests/test_validation.c, figures in docs/model.md). */
void summary_stat_skewed(const double *x, size_t stride, int n, struct kpi_stat *out);

/* Sets out's ui_lo, ui_hi (and has_ui) to the 2.5 % and 97.5 % quantiles
 * of the finite values among x[0..n-1], which it reorders in place: the
 * interval with parameter uncertainty (NaN when none is finite). */
void summary_stat_ui(double *x, int n, struct kpi_stat *out);

/* The p-quantile (0..1) of n values, which it sorts in place. NaN if n=0. */
double summary_quantile(double *x, size_t n, double p);

#endif
