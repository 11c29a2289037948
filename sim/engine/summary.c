/* summary.c: mean, sd, confidence interval and quantiles with GSL. */
#include "engine/summary.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

void summary_stat(const double *x, size_t stride, int n, struct kpi_stat *out)
{
    /* Welford's update: one pass, stable, over the finite values. */
    double mean = 0.0, m2 = 0.0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        double v = x[(size_t)i * stride];
        if (!isfinite(v)) continue;
        k++;
        double d = v - mean;
        mean += d / k;
        m2 += d * (v - mean);
    }
    out->n = k;
    out->mean = k ? mean : NAN;
    out->sd = k > 1 ? sqrt(m2 / (k - 1)) : NAN;
    if (k > 1) {
        double half = gsl_cdf_tdist_Pinv(0.975, k - 1) * out->sd / sqrt((double)k);
        out->lo = mean - half;
        out->hi = mean + half;
    } else {
        out->lo = out->hi = NAN;
    }
}

double summary_quantile(double *x, size_t n, double p)
{
    if (n == 0) return NAN;
    gsl_sort(x, 1, n);
    return gsl_stats_quantile_from_sorted_data(x, 1, n, p);
}
