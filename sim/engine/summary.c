/* summary.c: mean, sd, confidence interval and quantiles with GSL. */
#include "engine/summary.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
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
    out->has_ui = false;                /* summary_stat_ui adds the interval */
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

/* Studentised means of the bootstrap resamples, sorted into tb[B]. The
 * resampling stream is fixed (GSL taus2, seed 1), so the interval depends
 * on the values alone: same seed, same bytes, whatever the threads. */
#define BOOT_B 999

static int boot_t(const double *x, size_t stride, int n, double mean, double *tb)
{
    double *v = malloc((size_t)n * sizeof *v);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    if (!v || !rng) {
        free(v);
        if (rng) gsl_rng_free(rng);
        return -1;
    }
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[(size_t)i * stride])) v[k++] = x[(size_t)i * stride];
    gsl_rng_set(rng, 1);
    for (int b = 0; b < BOOT_B; b++) {
        double m = 0.0, m2 = 0.0;
        for (int i = 0; i < k; i++) {
            double y = v[gsl_rng_uniform_int(rng, (unsigned long)k)], d = y - m;
            m += d / (i + 1);
            m2 += d * (y - m);
        }
        double se = sqrt(m2 / (k - 1) / k);
        tb[b] = se > 0.0 ? (m - mean) / se : 0.0;   /* all alike: no spread to scale */
    }
    gsl_sort(tb, 1, BOOT_B);
    gsl_rng_free(rng);
    free(v);
    return 0;
}

void summary_stat_skewed(const double *x, size_t stride, int n, struct kpi_stat *out)
{
    stat_of(x, stride, NULL, 0, n, out);
    if (out->n < 5 || !(out->sd > 0.0)) return;      /* too few to resample: Student t */
    double tb[BOOT_B];
    if (boot_t(x, stride, n, out->mean, tb) != 0) return;
    double se = out->sd / sqrt((double)out->n);
    /* (B + 1) p - 1: the 25th and 975th of 999 ordered values. */
    out->lo = out->mean - tb[(int)(0.975 * (BOOT_B + 1)) - 1] * se;
    out->hi = out->mean - tb[(int)(0.025 * (BOOT_B + 1)) - 1] * se;
}

double summary_quantile(double *x, size_t n, double p)
{
    if (n == 0) return NAN;
    gsl_sort(x, 1, n);
    return gsl_stats_quantile_from_sorted_data(x, 1, n, p);
}

void summary_stat_ui(double *x, int n, struct kpi_stat *out)
{
    size_t k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i])) x[k++] = x[i];
    out->has_ui = true;
    out->ui_lo = summary_quantile(x, k, 0.025);
    out->ui_hi = k ? gsl_stats_quantile_from_sorted_data(x, 1, k, 0.975) : NAN;
}
