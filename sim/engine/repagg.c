/* repagg.c: the replications' series and histograms folded (repagg.h). */
#include "engine/repagg.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>

/* The rank GSL's quantile_from_sorted_data reads first for p over n
 * sorted values (it also reads the next one unless it is the last). */
static size_t quantile_rank(double p, int n)
{
    return (size_t)(int)(p * (n - 1));
}

int repagg_init(struct repagg *a, const struct sim_shape *s, int n_rep)
{
    memset(a, 0, sizeof *a);
    a->n_rep = n_rep;
    a->n_cells = (size_t)s->n_snap * s->n_slots * SERIES_COLS;
    a->n_hist = (size_t)s->n_slots * WAIT_BINS;
    if (n_rep <= 0) return 0;
    size_t lo = quantile_rank(REPAGG_P_LO, n_rep) + 2, hi = (size_t)n_rep - quantile_rank(REPAGG_P_HI, n_rep);
    a->k_lo = (int)(lo < (size_t)n_rep ? lo : (size_t)n_rep);
    a->k_hi = (int)hi;
    a->sum = calloc(a->n_cells ? a->n_cells : 1, sizeof *a->sum);
    a->lo = malloc((a->n_cells ? a->n_cells : 1) * (size_t)a->k_lo * sizeof *a->lo);
    a->hi = malloc((a->n_cells ? a->n_cells : 1) * (size_t)a->k_hi * sizeof *a->hi);
    a->hist = calloc(a->n_hist ? a->n_hist : 1, sizeof *a->hist);
    if (!a->sum || !a->lo || !a->hi || !a->hist) {
        repagg_fini(a);
        return -1;
    }
    return 0;
}

void repagg_fini(struct repagg *a)
{
    free(a->sum);
    free(a->lo);
    free(a->hi);
    free(a->hist);
    memset(a, 0, sizeof *a);
}

/* A bounded heap of the k most extreme values seen: with `max`, a max-heap
 * whose root is the largest of the k smallest; else a min-heap. h holds n
 * values; adds v, keeping at most k. */
static void heap_add(float *h, int n, int k, float v, int max)
{
    int i;
    if (n < k) {                               /* not full: sift up */
        for (i = n; i > 0; i = (i - 1) / 2) {
            int up = (i - 1) / 2;
            if (max ? h[up] >= v : h[up] <= v) break;
            h[i] = h[up];
        }
        h[i] = v;
        return;
    }
    if (max ? v >= h[0] : v <= h[0]) return;   /* not among the k */
    for (i = 0;;) {                            /* replace the root: sift down */
        int c = 2 * i + 1;
        if (c >= k) break;
        if (c + 1 < k && (max ? h[c + 1] > h[c] : h[c + 1] < h[c])) c++;
        if (max ? h[c] <= v : h[c] >= v) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
}

void repagg_fold(struct repagg *a, const float *series, const uint32_t *hist)
{
    int n = a->folded;
    for (size_t c = 0; c < a->n_cells; c++) {
        float v = series[c];
        a->sum[c] += v;
        heap_add(a->lo + c * (size_t)a->k_lo, n, a->k_lo, v, 1);
        heap_add(a->hi + c * (size_t)a->k_hi, n, a->k_hi, v, 0);
    }
    for (size_t b = 0; b < a->n_hist; b++) a->hist[b] += hist[b];
    a->folded++;
}

double repagg_mean(const struct repagg *a, size_t cell)
{
    return a->sum[cell] / a->folded;
}

double repagg_quantile(const struct repagg *a, size_t cell, double p, double *x)
{
    int n = a->n_rep;
    if (n == 0 || a->folded != n) return NAN;
    bool low = p == REPAGG_P_LO;
    int k = low ? a->k_lo : a->k_hi;
    const float *h = (low ? a->lo : a->hi) + cell * (size_t)k;
    for (int i = 0; i < k; i++) x[i] = h[i];
    gsl_sort(x, 1, (size_t)k);
    /* x holds ranks [first, first + k) of all n values, sorted. */
    size_t first = low ? 0 : (size_t)(n - k);
    /* As gsl_stats_quantile_from_sorted_data, on ranks lhs and lhs + 1. */
    const double index = p * (n - 1);
    const size_t lhs = (int)index;
    const double delta = index - lhs;
    if (lhs == (size_t)n - 1) return x[lhs - first];
    return (1 - delta) * x[lhs - first] + delta * x[lhs + 1 - first];
}
