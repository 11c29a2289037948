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
    out->ui_lo = out->ui_hi = NAN;
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
 * on the values alone: same seed, same bytes, whatever the threads.
 * BOOT_LANES resamples at a time: their indices are drawn first, in the
 * stream's order, then their running means are updated side by side. Each
 * resample sees the same operations in the same order as alone (the same
 * bytes), but the lanes' divisions no longer wait for each other. */
#define BOOT_B 999
#define BOOT_LANES 4

static int boot_t(const double *x, size_t stride, int n, double mean, double *tb)
{
    double *v = malloc((size_t)n * sizeof *v);
    unsigned long *idx = malloc((size_t)n * BOOT_LANES * sizeof *idx);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    if (!v || !idx || !rng) {
        free(v);
        free(idx);
        if (rng) gsl_rng_free(rng);
        return -1;
    }
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[(size_t)i * stride])) v[k++] = x[(size_t)i * stride];
    gsl_rng_set(rng, 1);
    for (int b0 = 0; b0 < BOOT_B; b0 += BOOT_LANES) {
        /* The last group's spare lanes draw past the stream's used part:
         * nothing reads them. */
        for (int l = 0; l < BOOT_LANES; l++)
            for (int i = 0; i < k; i++)
                idx[(size_t)i * BOOT_LANES + l] = gsl_rng_uniform_int(rng, (unsigned long)k);
        double m[BOOT_LANES] = { 0 }, m2[BOOT_LANES] = { 0 };
        for (int i = 0; i < k; i++)
            for (int l = 0; l < BOOT_LANES; l++) {
                double y = v[idx[(size_t)i * BOOT_LANES + l]], d = y - m[l];
                m[l] += d / (i + 1);
                m2[l] += d * (y - m[l]);
            }
        for (int l = 0; l < BOOT_LANES && b0 + l < BOOT_B; l++) {
            double se = sqrt(m2[l] / (k - 1) / k);
            tb[b0 + l] = se > 0.0 ? (m[l] - mean) / se : 0.0;   /* all alike: no spread */
        }
    }
    gsl_sort(tb, 1, BOOT_B);
    gsl_rng_free(rng);
    free(idx);
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
