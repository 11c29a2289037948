/* summary.c: mean, sd, confidence interval and quantiles with GSL. */
#include "engine/summary.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* x[i*sx] - y[i*sy] (y NULL: x alone). Welford's update: one pass, stable,
 * over the finite values, and no memory to allocate. */
static void stat_of(const double *x, size_t sx, const double *y, size_t sy, int n,
                    struct kpi_stat *out)
{
    double mean = 0.0, m2 = 0.0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        double v = y ? x[(size_t)i * sx] - y[(size_t)i * sy] : x[(size_t)i * sx];
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

void summary_stat(const double *x, size_t stride, int n, struct kpi_stat *out)
{
    stat_of(x, stride, NULL, 0, n, out);
}

void summary_stat_diff(const double *x, size_t sx, const double *y, size_t sy, int n,
                       struct kpi_stat *out)
{
    stat_of(x, sx, y, sy, n, out);
}

double summary_quantile(double *x, size_t n, double p)
{
    if (n == 0) return NAN;
    gsl_sort(x, 1, n);
    return gsl_stats_quantile_from_sorted_data(x, 1, n, p);
}
