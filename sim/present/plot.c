/* plot.c: writes gnuplot scripts and data for a finished output directory
 * (read through io/resultsdir.h), then runs gnuplot on each script.
 *
 * The plots of a run are here, a comparison's in plotcmp.c; both are
 * written with plotkit.h.
 *
 * Why scripts and not a plotting library: a user restyles a plot by editing
 * NAME.gp, and gnuplot stays an optional external program (gnuplot.h).
 * Every text is written noenhanced, so ring names with '_' or '^' print as
 * written. */
#include "present/plot.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/afile.h"
#include "base/sbuf.h"
#include "io/resultsdir.h"
#include "present/gnuplot.h"
#include "present/plotcmp.h"
#include "present/plotkit.h"

_Static_assert(PLOT_NAME_MAX == PLOTKIT_NAME_MAX && PLOT_MAX == PLOTKIT_MAX, "plot.h and plotkit.h agree");

#define PATH_LEN 4096

/* The places of ring in force from change i on (a plan may change them). */
static int capacity_at(const struct results_ring *ring, int i)
{
    int cap = ring->capacity;
    for (int k = 0; k <= i; k++)
        if (ring->change_capacity[k] >= 0) cap = ring->change_capacity[k];
    return cap;
}

/* True when a plan changes ring's places within the plotted years. */
static bool capacity_steps(const struct results_run *r, const struct results_ring *ring)
{
    for (int i = 0; i < r->n_changes; i++)
        if (r->change_x[i] < r->x_year[r->n_snap - 1] && capacity_at(ring, i) != ring->capacity)
            return true;
    return false;
}

/* The most places ring has at any time of the plan. */
static int capacity_max(const struct results_run *r, const struct results_ring *ring)
{
    int max = ring->capacity;
    for (int i = 0; i < r->n_changes; i++)
        if (capacity_at(ring, i) > max) max = capacity_at(ring, i);
    return max;
}

/* ring's places over the plotted years as a step line (x, places), one
 * point at each end of each period; a blank line breaks it where the ring
 * is unlimited (0), so the dashed line follows the plan's capacity. */
static void write_capacity_steps(FILE *d, const struct results_run *r, const struct results_ring *ring)
{
    double x0 = r->x_year[0], x1 = r->x_year[r->n_snap - 1];
    double from = x0;
    int cap = ring->capacity;
    for (int i = 0; i <= r->n_changes; i++) {
        double to = i < r->n_changes ? fmin(fmax(r->change_x[i], x0), x1) : x1;
        if (cap > 0 && to > from) fprintf(d, "%.6f %d\n%.6f %d\n", from, cap, to, cap);
        else if (cap <= 0) fputc('\n', d);
        if (i < r->n_changes) cap = capacity_at(ring, i);
        from = to;
    }
}

/* The data of plot_series: one block per ring, then (occupancy) the places
 * in force of each ring whose capacity a plan changes. */
static void write_series_data(FILE *d, const struct results_run *r, const struct results_flow *fl,
                              int col)
{
    fprintf(d, "# one block per ring (gnuplot index = ring number, innermost first);\n"
               "# columns: decimal calendar year, mean, 5th and 95th percentile over replications\n");
    for (int s = 0; s < fl->n_rings; s++) {
        fputs(s ? "\n\n" : "", d);
        plotkit_dat_comment(d, "# ring %d: %s (%s)\n", s, fl->rings[s].id, fl->rings[s].name);
        for (int k = 0; k < r->n_snap; k++) {
            const double *v = results_ts(r, k, fl->slot0 + s) + col;
            fprintf(d, "%.6f %.6g %.6g %.6g\n", r->x_year[k], v[0], v[1], v[2]);
        }
    }
    /* Where a plan changes a ring's places, its capacity line follows them. */
    for (int s = 0; col == TS_OCC && s < fl->n_rings; s++) {
        if (!capacity_steps(r, &fl->rings[s])) continue;
        fputs("\n\n", d);
        plotkit_dat_comment(d, "# places of ring %d (%s) in force (gnuplot index %d): year, places\n",
                            s, fl->rings[s].id, fl->n_rings + s);
        write_capacity_steps(d, r, &fl->rings[s]);
    }
}

/* The last cell of plot_series holds the legend, so no panel's data hides
 * under it: the band, the mean and (occupancy) the places line. */
static void series_legend(FILE *g, uint32_t band, uint32_t line, bool occ, enum lang l)
{
    fputs("  unset title\n  unset xlabel\n  unset ylabel\n  unset border\n  unset xtics\n  unset ytics\n  unset grid\n"
          "  set xrange [0:1]\n  set yrange [0:1]\n"
          "  set key center center vertical Left reverse samplen 3 spacing 1.5 font \",11\"\n"
          "  plot NaN with filledcurves y1=0 fs solid 1.0 fc ", g);
    plotkit_color(g, band);
    fputs(" title ", g);
    gnuplot_quote(g, i18n_text("band90", l));
    fputs(", \\\n       NaN with lines lw 2 lc ", g);
    plotkit_color(g, line);
    fputs(" title ", g);
    gnuplot_quote(g, i18n_text("mean", l));
    if (occ) {
        fputs(", \\\n       NaN with lines dt 2 lw 1.5 lc rgb \"#777777\" title ", g);
        gnuplot_quote(g, i18n_text("capacity", l));
    }
    fputc('\n', g);
}

/* Occupancy (col TS_OCC) or waiting list (TS_WAIT) of each ring of a flow
 * over time: mean line and the band holding 90% of replications. */
static int plot_series(struct plot_ctx *c, const struct results_run *r, int fi, int col)
{
    const struct results_flow *fl = &r->flows[fi];
    if (r->n_snap < 2 || fl->n_rings == 0) return 0;
    bool occ = col == TS_OCC;
    char name[PLOT_NAME_MAX];
    plotkit_safe_name(name, sizeof name, occ ? "occupancy_" : "waiting_", fl->id);
    int rows, cols;
    plotkit_grid_shape(fl->n_rings + 1, &rows, &cols);
    struct plot_files p;
    if (plotkit_open(c, &p, name, 370 * cols + 40, 270 * rows + 70) != 0) return -1;
    FILE *g = p.g;
    write_series_data(p.d, r, fl, col);
    uint32_t line = plotkit_flow_color(fi), band = plotkit_lighten(line, 0.55);
    char title[512];
    snprintf(title, sizeof title, "%s: %s", fl->name,
             i18n_text(occ ? "occupancy_title" : "waiting_title", c->l));
    fprintf(g, "  set multiplot layout %d,%d title ", rows, cols);
    gnuplot_quote(g, title);
    fputs(" font \",14\"\n", g);
    plotkit_year_axis(g, r->x_year[0], r->x_year[r->n_snap - 1], c->l);
    plotkit_change_marks(g, r);
    for (int s = 0; s < fl->n_rings; s++) {
        const struct results_ring *ring = &fl->rings[s];
        int cap_max = capacity_max(r, ring);
        double max = occ && cap_max > 0 ? cap_max : 0.0;
        for (int k = 0; k < r->n_snap; k++) {
            const double *v = results_ts(r, k, fl->slot0 + s) + col;
            if (isfinite(v[2]) && v[2] > max) max = v[2];
            if (isfinite(v[0]) && v[0] > max) max = v[0];
        }
        double top = plotkit_axis_top(max);
        plotkit_ring_panel(g, ring, occ, s % cols == 0, top, c->l);
        if (!occ && max == 0.0) {       /* say so rather than show an empty frame */
            fputs("  set label 5 ", g);
            gnuplot_quote(g, i18n_text("nobody_waited", c->l));
            fputs(" at graph 0.5, graph 0.5 center tc rgb \"#666666\"\n", g);
        }
        fprintf(g, "  plot '%s.dat' index %d using 1:3:4 with filledcurves fc ", name, s);
        plotkit_color(g, band);
        fprintf(g, " fs solid 1.0 noborder, \\\n       '' index %d using 1:2 with lines lw 2 lc ", s);
        plotkit_color(g, line);
        if (occ && capacity_steps(r, ring))
            fprintf(g, ", \\\n       '' index %d using 1:2 with lines dt 2 lw 1.5 lc rgb \"#777777\"",
                    fl->n_rings + s);
        else if (occ && ring->capacity > 0)
            fprintf(g, ", \\\n       %d with lines dt 2 lw 1.5 lc rgb \"#777777\"", ring->capacity);
        fputc('\n', g);
        fputs("  unset label 5\n", g);
    }
    series_legend(g, band, line, occ, c->l);
    return plotkit_close(c, &p);
}

/* Integral over [a, b] of the piecewise-linear interpolation of y(x). */
static double integrate(const double *x, const double *y, int n, size_t ystride, double a, double b)
{
    double sum = 0.0;
    for (int k = 0; k + 1 < n; k++) {
        double x0 = x[k], x1 = x[k + 1];
        double lo = fmax(a, x0), hi = fmin(b, x1);
        if (!(hi > lo) || !(x1 > x0)) continue;
        double y0 = y[k * ystride], y1 = y[(k + 1) * ystride];
        if (!isfinite(y0) || !isfinite(y1)) continue;
        double ylo = y0 + (y1 - y0) * (lo - x0) / (x1 - x0);
        double yhi = y0 + (y1 - y0) * (hi - x0) / (x1 - x0);
        sum += 0.5 * (ylo + yhi) * (hi - lo);
    }
    return sum;
}

static double kpi_mean(const cJSON *kpis, const char *path)
{
    const cJSON *k = results_kpi(kpis, path);
    return results_json_num(k, "mean", NAN);
}

/* Spending per calendar year and ring, and the budget of each year. */
struct spend_years {
    int y0, n_years, n_rings;
    double xa, xb;                  /* the simulated span after warm-up */
    double *val;                    /* [n_years][n_rings] DKK */
    double *budget;                 /* [n_years] DKK; NaN: none */
    bool *part;                     /* [n_years] only part of the year simulated */
    double top;                     /* largest year total or budget */
    bool any_budget, any_part;
};

/* The ring split integrates each ring's spending rate from timeseries.csv;
 * the year totals are summary.json's by_year spending (exact) when
 * present. */
static void spending_by_year(const struct results_run *r, struct spend_years *sy)
{
    for (int y = 0; y < sy->n_years; y++) {
        double a = fmax(sy->xa, sy->y0 + y), b = fmin(sy->xb, sy->y0 + y + 1.0);
        double *val = &sy->val[(size_t)y * sy->n_rings], sum = 0.0;
        sy->part[y] = b - a < 0.99;
        sy->any_part |= sy->part[y];
        int j = 0;
        for (int f = 0; f < r->n_flows; f++)
            for (int s = 0; s < r->flows[f].n_rings; s++, j++) {
                const double *col = &r->ts[(size_t)(r->flows[f].slot0 + s) * RESULTS_TS_COLS + TS_SPEND];
                val[j] = integrate(r->x_year, col, r->n_snap, (size_t)r->n_slots * RESULTS_TS_COLS, a, b);
                sum += val[j];
            }
        char path[64];
        snprintf(path, sizeof path, "by_year/%d/spending", sy->y0 + y);
        double total = kpi_mean(r->kpis, path);
        if (isfinite(total) && sum > 0)
            for (j = 0; j < sy->n_rings; j++) val[j] *= total / sum;
        else total = sum;
        snprintf(path, sizeof path, "by_year/%d/budget", sy->y0 + y);
        double bud = kpi_mean(r->kpis, path);
        if (!isfinite(bud)) bud = r->budget_annual;
        sy->any_budget |= bud > 0;
        sy->budget[y] = bud > 0 ? bud : NAN;
        sy->top = fmax(sy->top, fmax(total, bud > 0 ? bud : 0.0));
    }
}

/* The stacked columns, one per ring with its name in the key under its
 * flow's heading, and the budget as a red bar over each year. */
static void spending_plot(FILE *g, const struct results_run *r, int n_rings, bool any_budget, enum lang l)
{
    fputs("  plot \\\n", g);
    int j = 0;
    for (int f = 0; f < r->n_flows; f++) {
        fputs("    keyentry with boxes fc rgb \"white\" fs solid 0 noborder title ", g);
        char head[256], name[256];
        plotkit_key_title(name, sizeof name, r->flows[f].name, PLOTKIT_KEY_CHARS - 1);
        sbuf_fmt(head, sizeof head, "%s:", name);
        gnuplot_quote(g, head);
        fputs(", \\\n", g);
        for (int s = 0; s < r->flows[f].n_rings; s++, j++) {
            char t[512];
            plotkit_key_title(t, sizeof t, r->flows[f].rings[s].name, PLOTKIT_KEY_CHARS);
            fprintf(g, "    'spending.dat' using %d%s title ", j + 2, j == 0 ? ":xtic(1)" : "");
            gnuplot_quote(g, t);
            fputs(" lc ", g);
            plotkit_color(g, plotkit_ring_color(f, s, r->flows[f].n_rings));
            fputs(", \\\n", g);
        }
    }
    if (any_budget) {
        fprintf(g, "    'spending.dat' using ($0-0.45):%d:(0.9):(0) with vectors nohead lw 3 lc rgb \"#c0392b\" title ",
                n_rings + 2);
        gnuplot_quote(g, i18n_text("budget", l));
        fputs(", \\\n", g);
    }
}

/* Spending per calendar year, stacked by ring, with the budget. */
static int plot_spending(struct plot_ctx *c, const struct results_run *r)
{
    if (r->n_snap < 2) return 0;
    int n_rings = 0;
    for (int f = 0; f < r->n_flows; f++) n_rings += r->flows[f].n_rings;
    if (n_rings == 0) return 0;
    double xa = r->x_year[0] + r->warmup_years, xb = r->x_year[r->n_snap - 1];
    int y0 = (int)floor(xa + 1e-9), y1 = (int)ceil(xb - 1e-9);
    int n_years = y1 - y0;
    if (n_years <= 0 || n_years > 500) return 0;
    double *val = calloc((size_t)n_years * n_rings, sizeof *val);
    double *budget = calloc((size_t)n_years, sizeof *budget);
    bool *part = calloc((size_t)n_years, sizeof *part);
    struct plot_files p;
    if (!val || !budget || !part) {
        free(val); free(budget); free(part);
        return err_set(c->e, EXIT_RUNTIME, "out of memory drawing spending");
    }
    struct spend_years sy = { y0, n_years, n_rings, xa, xb, val, budget, part, 0.0, false, false };
    spending_by_year(r, &sy);
    if (plotkit_open(c, &p, "spending", 1150, 620) != 0) {
        free(val); free(budget); free(part);
        return -1;
    }
    FILE *g = p.g, *d = p.d;
    double top = sy.top;
    bool any_budget = sy.any_budget, any_part = sy.any_part;
    fprintf(d, "# one row per calendar year (* = only part of the year simulated after warm-up);\n"
               "# columns: year, spending in DKK million per ring (innermost first, flow by flow), budget\n"
               "# year");
    for (int f = 0; f < r->n_flows; f++)
        for (int s = 0; s < r->flows[f].n_rings; s++) plotkit_dat_comment(d, " %s/%s", r->flows[f].id, r->flows[f].rings[s].id);
    fputs(" budget\n", d);
    for (int y = 0; y < n_years; y++) {
        fprintf(d, "\"%d%s\"", y0 + y, part[y] ? "*" : "");
        for (int j = 0; j < n_rings; j++) fprintf(d, " %.6f", val[y * n_rings + j] / 1e6);
        if (isfinite(budget[y])) fprintf(d, " %.6f\n", budget[y] / 1e6);
        else fputs(" NaN\n", d);
    }
    double ytop = plotkit_axis_top(top / 1e6);
    fputs("  set title ", g);
    gnuplot_quote(g, i18n_text("spending_title", c->l));
    fputs(" font \",14\"\n", g);
    fputs("  set style data histograms\n  set style histogram rowstacked\n"
          "  set style fill solid 1.0 border rgb \"white\"\n  set boxwidth 0.72\n"
          "  set key outside right top vertical Left reverse samplen 2 spacing 1.25 font \",9\"\n"
          "  set xtics scale 0\n  set grid noxtics\n", g);
    fputs("  set ylabel ", g);
    gnuplot_quote(g, i18n_text("spending_axis", c->l));
    fprintf(g, "\n  set yrange [0:%.10g]\n", ytop);
    plotkit_tics(g, "y", 0.0, ytop, 6, c->l);
    if (any_part) {
        char note[128];
        snprintf(note, sizeof note, "* %s", i18n_text("partial_year", c->l));
        fputs("  set label 1 ", g);
        gnuplot_quote(g, note);
        fputs(" at screen 0.01, screen 0.03 font \",9\"\n", g);
    }
    spending_plot(g, r, n_rings, any_budget, c->l);
    fputs("    NaN notitle\n", g);
    free(val);
    free(budget);
    free(part);
    return plotkit_close(c, &p);
}

/* Where the citizens of each flow are at the first and the last snapshot:
 * 100% stacked columns, innermost ring at the bottom, `none` on top. */
static int plot_outward(struct plot_ctx *c, const struct results_run *r)
{
    if (r->n_snap < 2 || r->n_flows == 0) return 0;
    /* Keys below the columns, titles wrapped: a long name ("... på
     * almindelige vilkår") neither squeezes the columns nor leaves the
     * picture. */
    int key_lines = 0;
    for (int f = 0; f < r->n_flows; f++)
        if (r->flows[f].n_rings + 1 > key_lines) key_lines = r->flows[f].n_rings + 1;
    int key_px = 16 * key_lines + 16, height = 540 + key_px;
    struct plot_files p;
    if (plotkit_open(c, &p, "outward", 420 * r->n_flows + 80, height) != 0) return -1;
    FILE *g = p.g, *d = p.d;
    fprintf(d, "# one block per flow; one row per (time, state), innermost first, then outside the flow;\n"
               "# columns: x (0 start, 1 end), share from, share to (%%), share (%%), colour, dark (1: white label)\n");
    int ks[2] = { 0, r->n_snap - 1 };
    for (int f = 0; f < r->n_flows; f++) {
        const struct results_flow *fl = &r->flows[f];
        if (f) fputs("\n\n", d);
        plotkit_dat_comment(d, "# flow %d: %s\n", f, fl->id);
        for (int i = 0; i < 2; i++) {
            double total = 0.0;
            for (int s = 0; s <= fl->n_rings; s++) {
                double v = results_ts(r, ks[i], fl->slot0 + s)[TS_OCC];
                if (isfinite(v)) total += v;
            }
            double cum = 0.0;
            for (int s = 0; s <= fl->n_rings; s++) {
                double v = results_ts(r, ks[i], fl->slot0 + s)[TS_OCC];
                double share = total > 0 && isfinite(v) ? 100.0 * v / total : 0.0;
                uint32_t col = s < fl->n_rings ? plotkit_ring_color(f, s, fl->n_rings) : 0xd9d9d9;
                fprintf(d, "%d %.4f %.4f %.4f %u %d\n", i, cum, cum + share, share, (unsigned)col, plotkit_is_dark(col));
                cum += share;
            }
        }
    }
    fputs("  set multiplot layout 1,", g);
    fprintf(g, "%d title ", r->n_flows);
    gnuplot_quote(g, i18n_text("outward_title", c->l));
    fputs(" font \",14\"\n", g);
    char lab0[64], lab1[64];
    snprintf(lab0, sizeof lab0, "%s\n%.0f", i18n_text("start", c->l), floor(r->x_year[0] + 1e-9));
    snprintf(lab1, sizeof lab1, "%s\n%.0f", i18n_text("end", c->l), floor(r->x_year[r->n_snap - 1] - 1e-9));
    fputs("  set xrange [-0.6:1.6]\n  set yrange [0:100]\n  set xtics scale 0 (", g);
    gnuplot_quote(g, lab0);
    fputs(" 0, ", g);
    gnuplot_quote(g, lab1);
    fputs(" 1)\n", g);
    plotkit_tics(g, "y", 0.0, 100.0, 5, c->l);
    fputs("  set ylabel ", g);
    gnuplot_quote(g, i18n_text("outward_axis", c->l));
    fprintf(g, "\n  set key outside center bottom vertical Left reverse maxcols 1 samplen 1.5 spacing 1.1 font \",9\"\n"
               "  set style fill solid 1.0 border lc rgb \"white\"\n  set bmargin at screen %.4f\n",
            (key_px + 40.0) / height);
    const char *fmt = c->l == LANG_DA ? "%.0f %%" : "%.0f%%";
    for (int f = 0; f < r->n_flows; f++) {
        const struct results_flow *fl = &r->flows[f];
        fputs("  set title ", g);
        gnuplot_quote(g, fl->name);
        fputs(" font \",12\"\n", g);
        fprintf(g, "  plot 'outward.dat' index %d using 1:(($2+$3)/2):($1-0.32):($1+0.32):2:3:5 "
                   "with boxxyerror fc rgb variable, \\\n", f);
        fprintf(g, "       '' index %d using 1:(($2+$3)/2):($4 >= 4 && $6 == 1 ? sprintf(\"%s\", $4) : \"\") "
                   "with labels tc rgb \"white\" font \",9\", \\\n", f, fmt);
        fprintf(g, "       '' index %d using 1:(($2+$3)/2):($4 >= 4 && $6 == 0 ? sprintf(\"%s\", $4) : \"\") "
                   "with labels tc rgb \"#222222\" font \",9\"", f, fmt);
        /* Key from the top of the column down: outside first. */
        for (int s = fl->n_rings; s >= 0; s--) {
            char t[512];
            if (s == fl->n_rings) snprintf(t, sizeof t, "%s", i18n_text("outside_flow", c->l));
            else plotkit_key_title(t, sizeof t, fl->rings[s].name, PLOTKIT_KEY_CHARS);
            fputs(", \\\n       keyentry with boxes fc ", g);
            plotkit_color(g, s < fl->n_rings ? plotkit_ring_color(f, s, fl->n_rings) : 0xd9d9d9);
            fputs(" title ", g);
            gnuplot_quote(g, t);
        }
        fputc('\n', g);
        if (f == 0) fputs("  unset ylabel\n", g);
    }
    return plotkit_close(c, &p);
}

/* True when ring s of flow f has a waits curve: requests, and not all
 * placed at once (that would be a flat line at 100%). */
static bool wait_shown(const struct results_run *r, int f, int s)
{
    int slot = r->flows[f].slot0 + s;
    return r->wait_count[slot] > 0 && 1.0 - r->wait_share[slot * r->n_bins] > 1e-9;
}

/* The data of plot_waits: one block per ring of every flow, the share
 * placed within each bin's days, cumulated. Returns the longest wait
 * anyone had (the x axis's reach). */
static double write_waits_data(FILE *d, const struct results_run *r)
{
    int nb = r->n_bins - 1;            /* the last bin is open-ended */
    fprintf(d, "# one block per ring (all flows, innermost first); columns: days, %% of requests placed\n"
               "# within that many days (NaN: the ring had no requests)\n");
    double xmax = 0.0;
    int block = 0;
    for (int f = 0; f < r->n_flows; f++)
        for (int s = 0; s < r->flows[f].n_rings; s++, block++) {
            const struct results_ring *ring = &r->flows[f].rings[s];
            int slot = r->flows[f].slot0 + s;
            fputs(block ? "\n\n" : "", d);
            plotkit_dat_comment(d, "# block %d: %s/%s (%s)\n", block, r->flows[f].id, ring->id, ring->name);
            double cum = 0.0;
            for (int b = 0; b < nb; b++) {
                double sh = r->wait_share[slot * r->n_bins + b];
                if (isfinite(sh)) cum += sh;
                if (isfinite(sh) && sh > 0 && b > 0 && isfinite(r->wait_to[b])) xmax = fmax(xmax, r->wait_to[b]);
                fprintf(d, "%.6g ", isfinite(r->wait_to[b]) ? r->wait_to[b] : 0.0);
                if (r->wait_count[slot] > 0) fprintf(d, "%.6f\n", 100.0 * cum);
                else fputs("NaN\n", d);
            }
        }
    return xmax;
}

/* Waiting time until placement, per ring: the share of requests placed
 * within x days (cumulative), from waits.csv. */
static int plot_waits(struct plot_ctx *c, const struct results_run *r)
{
    if (r->n_bins < 2 || r->n_flows == 0) return 0;
    /* The keys go below the panels (never over a curve): room for the
     * longest one, its titles wrapped to the panel's width. */
    int key_lines = 1;
    for (int f = 0; f < r->n_flows; f++) {
        int lines = 0;
        for (int s = 0; s < r->flows[f].n_rings; s++) lines += wait_shown(r, f, s);
        key_lines = lines > key_lines ? lines : key_lines;
    }
    int key_px = 16 * key_lines + 16, height = 470 + key_px;
    struct plot_files p;
    if (plotkit_open(c, &p, "waits", 560 * r->n_flows + 40, height) != 0) return -1;
    FILE *g = p.g;
    int nb = r->n_bins - 1;            /* the last bin is open-ended */
    double xmax = write_waits_data(p.d, r);
    double xtop = plotkit_axis_top(fmax(xmax, 60.0));
    if (isfinite(r->wait_to[nb - 1])) xtop = fmin(xtop, r->wait_to[nb - 1]);
    fputs("  set multiplot layout 1,", g);
    fprintf(g, "%d title ", r->n_flows);
    gnuplot_quote(g, i18n_text("waits_title", c->l));
    fprintf(g, " font \",14\"\n  set xrange [0:%.10g]\n  set yrange [0:100]\n", xtop);
    plotkit_tics(g, "x", 0.0, xtop, 6, c->l);
    plotkit_tics(g, "y", 0.0, 100.0, 5, c->l);
    fputs("  set grid xtics ytics\n  set xlabel ", g);
    gnuplot_quote(g, i18n_text("waits_axis_x", c->l));
    fputs("\n  set ylabel ", g);
    gnuplot_quote(g, i18n_text("waits_axis_y", c->l));
    fprintf(g, "\n  set key outside center bottom vertical Left reverse maxcols 1 samplen 4 spacing 1.1 font \",9\"\n"
               "  set bmargin at screen %.4f\n", (key_px + 56.0) / height);
    int block = 0;
    for (int f = 0; f < r->n_flows; f++) {
        fputs("  set title ", g);
        gnuplot_quote(g, r->flows[f].name);
        fputs(" font \",12\"\n", g);
        int shown = 0;
        for (int s = 0; s < r->flows[f].n_rings; s++) shown += wait_shown(r, f, s);
        if (!shown) {
            fputs("  set label 2 ", g);
            gnuplot_quote(g, i18n_text("no_waits", c->l));
            fputs(" at graph 0.5, graph 0.5 center\n  plot NaN notitle\n  unset label 2\n", g);
            block += r->flows[f].n_rings;
        } else {
            shown = 0;
            fputs("  plot ", g);
            for (int s = 0; s < r->flows[f].n_rings; s++, block++) {
                if (!wait_shown(r, f, s)) continue;
                char t[512];
                plotkit_key_title(t, sizeof t, r->flows[f].rings[s].name, PLOTKIT_KEY_CHARS);
                /* Rings of one flow told apart by hue, dashes and marks. */
                fprintf(g, "%s'waits.dat' index %d using 1:2 with linespoints pt %d ps 0.5 lw 2 dt %d lc ",
                        shown ? ", \\\n       " : "", block, plotkit_line_point(shown), plotkit_line_dash(shown));
                plotkit_color(g, plotkit_line_color(shown));
                fputs(" title ", g);
                gnuplot_quote(g, t);
                shown++;
            }
            fputc('\n', g);
        }
        if (f == 0) fputs("  unset ylabel\n", g);
    }
    return plotkit_close(c, &p);
}

/* ---------------------------------------------------------------- driving */

static int write_plots(struct plot_ctx *c)
{
    if (resultsdir_is_comparison(c->dir)) {
        struct results_cmp m;
        if (resultsdir_read_cmp(c->dir, &m, c->e) != 0) { results_cmp_fini(&m); return -1; }
        int rc = plotcmp_write(c, &m);
        results_cmp_fini(&m);
        return rc;
    }
    struct results_run *r = NULL;
    if (resultsdir_read_run(c->dir, &r, c->e) != 0) return -1;
    int rc = 0;
    for (int f = 0; rc == 0 && f < r->n_flows; f++) {
        rc = plot_series(c, r, f, TS_OCC);
        if (rc == 0) rc = plot_series(c, r, f, TS_WAIT);
    }
    if (rc == 0) rc = plot_spending(c, r);
    if (rc == 0) rc = plot_outward(c, r);
    if (rc == 0) rc = plot_waits(c, r);
    results_run_free(r);
    return rc;
}

static const char *const image_ext[2] = { "png", "svg" };

/* Removes NAME.png and NAME.svg (unlink removes a link, never its target). */
static void remove_images(const struct plot_ctx *c, const char *name)
{
    for (int x = 0; x < 2; x++) {
        char path[PATH_LEN + PLOT_NAME_MAX + 16];
        snprintf(path, sizeof path, "%s/%s.%s", c->pdir, name, image_ext[x]);
        unlink(path);
    }
}

/* Draws plot name in session d; on success its SVG goes into fig and both
 * images into plots/. */
static int draw_one(struct gnuplot_draw *d, const char *name, struct plot_figure *fig, struct err *e)
{
    char script[PLOT_NAME_MAX + 8], file[PLOT_NAME_MAX + 8], path[sizeof d->tmp + PLOT_NAME_MAX + 16];
    snprintf(script, sizeof script, "%s.gp", name);
    if (gnuplot_draw(d, script, name, PLOT_TIMEOUT_S, e) != 0) return -1;
    snprintf(file, sizeof file, "%s.svg", name);
    gnuplot_draw_path(d, file, path, sizeof path);
    char *svg = resultsdir_slurp(path, &fig->svg_len);
    if (!svg) return err_set(e, EXIT_RUNTIME, "%s: %s", path, strerror(errno ? errno : EIO));
    for (int x = 0; x < 2; x++) {
        snprintf(file, sizeof file, "%s.%s", name, image_ext[x]);
        if (gnuplot_draw_keep(d, file, e) != 0) { free(svg); return -1; }
    }
    snprintf(fig->name, sizeof fig->name, "%s", name);
    fig->svg = (unsigned char *)svg;
    return 0;
}

/* Runs gnuplot on every script written, in a private directory (gnuplot.h).
 * An image not drawn now is removed, so none is left from an older run. */
static int draw_all(struct plot_ctx *c, struct plot_figures *figs)
{
    struct gnuplot_draw d;
    int failed = 0;
    if (gnuplot_draw_begin(&d, c->pdir, &figs->gnuplot_found, c->e) != 0) failed = -1;
    for (int i = 0; i < c->n_names; i++) {
        const char *name = c->names[i];
        struct err e = { 0 };
        if (failed >= 0 && figs->gnuplot_found && draw_one(&d, name, &figs->fig[figs->n], &e) == 0) {
            figs->n++;
            continue;
        }
        remove_images(c, name);
        if (failed >= 0 && figs->gnuplot_found && failed++ == 0)    /* name the plot */
            err_set(c->e, EXIT_RUNTIME, "%s.gp: %s", name, e.msg);
    }
    gnuplot_draw_end(&d);
    if (failed > 1) {
        char first[sizeof c->e->msg];
        snprintf(first, sizeof first, "%s", c->e->msg);
        err_set(c->e, EXIT_RUNTIME, "%s (and %d more plots failed)", first, failed - 1);
    }
    return failed ? -1 : 0;
}

void plot_figures_free(struct plot_figures *f)
{
    for (int i = 0; i < f->n; i++) free(f->fig[i].svg);
    memset(f, 0, sizeof *f);
}

enum lang plot_lang(const char *dir, const char *code)
{
    if (code && *code) return i18n_lang(code);
    char own[16];
    resultsdir_lang(dir, own, sizeof own);
    return i18n_lang(own);
}

int plot_dir(const char *dir, const char *lang, struct plot_figures *figs, struct err *e)
{
    memset(figs, 0, sizeof *figs);
    struct plot_ctx *c = calloc(1, sizeof *c);
    if (!c) return err_set(e, EXIT_RUNTIME, "out of memory");
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    snprintf(c->pdir, sizeof c->pdir, "%s/plots", dir);
    c->l = plot_lang(dir, lang);
    c->e = e;
    int rc = afile_mkdirs(c->pdir, e);
    struct stat sb;
    /* plots/ must be a directory of its own, not a link to elsewhere. */
    if (rc == 0 && (lstat(c->pdir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        rc = err_set(e, EXIT_RUNTIME, "%s: not a directory", c->pdir);
    if (rc == 0) rc = write_plots(c);
    if (rc == 0) rc = draw_all(c, figs);
    free(c);
    return rc;
}
