/* plotcmp.c: the plots of a comparison (plotcmp.h): spending against the
 * budget per year of every scenario, each ring's waiting list in the base
 * and every alternative over time, the differences of the headline KPIs
 * with their confidence intervals, and each ring's occupancy over time. */
#include "present/plotcmp.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/sbuf.h"
#include "present/answer.h"
#include "present/gnuplot.h"

struct cmp_row { char path[256]; char label[256]; };

static int add_row(struct cmp_row *rows, int n, int max, const char *path, const char *label)
{
    if (n >= max) return n;
    snprintf(rows[n].path, sizeof rows[n].path, "%s", path);
    snprintf(rows[n].label, sizeof rows[n].label, "%s", label);
    return n + 1;
}

/* True when some alternative's difference at path is not exactly zero. */
static bool cmp_nonzero(const struct results_cmp *m, const char *path)
{
    for (int i = 1; i < m->n_scen; i++) {
        const cJSON *k = results_kpi(m->diff[i], path);
        double mean = results_json_num(k, "mean", 0.0), sd = results_json_num(k, "sd", 0.0);
        if (mean != 0.0 || sd != 0.0) return true;
    }
    return false;
}

enum { PANEL_ROWS = 48 };

/* One panel of compare_kpis: a unit, and the KPIs shown in it. */
struct cmp_panel {
    const char *title_en, *title_da;
    double scale;
    int n;
    struct cmp_row rows[PANEL_ROWS];
};

/* The rows of each panel: the whole-run figures, then per flow and ring
 * those that differ somewhere (names from the base's run directory, ids
 * from the tree when it is missing). */
static void cmp_panels(const struct plot_ctx *c, const struct results_cmp *m, struct cmp_panel pan[4])
{
    pan[0] = (struct cmp_panel){ "Cost per year (DKK million)", "Udgift pr. år (mio. kr.)", 1e-6, 0, { { "", "" } } };
    pan[1] = (struct cmp_panel){ "Waiting list, mean (citizens)", "Venteliste, gns. (borgere)", 1.0, 0, { { "", "" } } };
    pan[2] = (struct cmp_panel){ "Waiting time, mean (days)", "Ventetid, gns. (dage)", 1.0, 0, { { "", "" } } };
    pan[3] = (struct cmp_panel){ "Moves outward per 100 citizen-years", "Bevægelser udad pr. 100 borgerår", 1.0, 0,
                                 { { "", "" } } };
    pan[0].n = add_row(pan[0].rows, 0, PANEL_ROWS, "cost_per_year", i18n_text("all_flows", c->l));
    char wrapped[256];
    plotkit_wrap(wrapped, sizeof wrapped, i18n_kpi("referral_to_placement_days", c->l), 30);
    pan[2].n = add_row(pan[2].rows, 0, PANEL_ROWS, "referral_to_placement_days", wrapped);
    pan[3].n = add_row(pan[3].rows, 0, PANEL_ROWS, "progressions_per_100_citizen_years", i18n_text("all_flows", c->l));
    const struct results_run *b = m->run[0];
    const cJSON *fl, *g, *flows = results_kpi(m->diff[1], "flows");
    int n_flows = b ? b->n_flows : cJSON_GetArraySize(flows);
    for (int f = 0; f < n_flows; f++) {
        fl = b ? NULL : cJSON_GetArrayItem(flows, f);
        const char *fid = b ? b->flows[f].id : fl->string;
        char path[256], label[256];
        snprintf(path, sizeof path, "flows/%s/progressions_per_100_citizen_years", fid);
        pan[3].n = add_row(pan[3].rows, pan[3].n, PANEL_ROWS, path, b ? b->flows[f].name : fid);
        int n_rings = b ? b->flows[f].n_rings : cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fl, "rings"));
        for (int s = 0; s < n_rings; s++) {
            g = b ? NULL : cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fl, "rings"), s);
            const char *rid = b ? b->flows[f].rings[s].id : g->string;
            plotkit_wrap(label, sizeof label, b ? b->flows[f].rings[s].name : rid, 30);
            snprintf(path, sizeof path, "flows/%s/rings/%s/waiting_list_mean", fid, rid);
            if (cmp_nonzero(m, path)) pan[1].n = add_row(pan[1].rows, pan[1].n, PANEL_ROWS, path, label);
            snprintf(path, sizeof path, "flows/%s/rings/%s/wait_days_mean", fid, rid);
            if (cmp_nonzero(m, path)) pan[2].n = add_row(pan[2].rows, pan[2].n, PANEL_ROWS, path, label);
        }
    }
}

/* The legend under the panels: rows of at most three "alternative − base"
 * labels in the alternatives' colours, then the note on pale bars. */
static void cmp_legend(FILE *g, const struct results_cmp *m, int leg_rows, int height, enum lang l)
{
    int n_alt = m->n_scen - 1;
    for (int a = 1; a <= n_alt; a++) {
        char t[300], cut[300];
        int row = (a - 1) / 3, col = (a - 1) % 3, in_row = n_alt - 3 * row < 3 ? n_alt - 3 * row : 3;
        snprintf(t, sizeof t, "\xe2\x96\xa0 %s \xe2\x88\x92 %s", answer_title(m->run[a], m->scen[a], l),
                 answer_title(m->run[0], m->base, l));
        plotkit_key_title(cut, sizeof cut, t, 46);
        fprintf(g, "  set label %d ", 10 + a);
        gnuplot_quote(g, cut);
        fprintf(g, " at screen %.4f, screen %.4f center font \",11\" tc ",
                0.5 + (col - (in_row - 1) / 2.0) * 0.33, (24.0 + 22 * (leg_rows - 1 - row) + 11) / height);
        plotkit_color(g, plotkit_scenario_color(a));
        fputc('\n', g);
    }
    fputs("  set label 4 ", g);
    gnuplot_quote(g, i18n_text("not_real", l));
    fprintf(g, " at screen 0.5, screen %.4f center font \",9\" tc rgb \"#555555\"\n", 12.0 / height);
}

/* Data block `block` of one panel (a row per KPI and alternative); *lo and
 * *hi receive the range of the values. Returns the bar height. */
static double cmp_panel_data(FILE *d, const struct results_cmp *m, const struct cmp_panel *pn, int block,
                             double *lo, double *hi)
{
    int n_alt = m->n_scen - 1;
    double h = 0.8 / n_alt;
    if (block) fputs("\n\n", d);
    fprintf(d, "# panel %d: %s\n", block, pn->title_en);
    *lo = *hi = 0.0;
    for (int rI = 0; rI < pn->n; rI++)
        for (int a = 1; a <= n_alt; a++) {
            const cJSON *k = results_kpi(m->diff[a], pn->rows[rI].path);
            const cJSON *ci = cJSON_GetObjectItemCaseSensitive(k, "ci95");
            const cJSON *c0 = cJSON_GetArrayItem(ci, 0), *c1 = cJSON_GetArrayItem(ci, 1);
            double mean = results_json_num(k, "mean", NAN) * pn->scale;
            double cl = cJSON_IsNumber(c0) ? c0->valuedouble * pn->scale : NAN;
            double ch = cJSON_IsNumber(c1) ? c1->valuedouble * pn->scale : NAN;
            bool real = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "real"));
            double y = pn->n - 1 - rI + (n_alt > 1 ? 0.4 - h * (a - 0.5) : 0.0);
            uint32_t col = plotkit_scenario_color(a);
            if (!real) col = plotkit_lighten(col, 0.62);
            fprintf(d, "%.4f %.10g %.10g %.10g %d %u\n", y, mean, cl, ch, real, (unsigned)col);
            double vals[3] = { mean, cl, ch };
            for (int v = 0; v < 3; v++)
                if (isfinite(vals[v])) { *lo = fmin(*lo, vals[v]); *hi = fmax(*hi, vals[v]); }
        }
    return h;
}

/* One panel's part of the script: title, axes, the KPIs' names, the bars. */
static void cmp_panel_script(FILE *g, const struct cmp_panel *pn, int block, double lo, double hi, double h,
                             enum lang l)
{
    double pad = (hi - lo) * 0.08;
    if (!(hi - lo > 0)) { lo = -1; hi = 1; pad = 0; }
    lo -= pad;
    hi += pad;
    fputs("  set title ", g);
    gnuplot_quote(g, l == LANG_DA ? pn->title_da : pn->title_en);
    fprintf(g, " font \",11\"\n  set xrange [%.10g:%.10g]\n  set yrange [-0.6:%.4f]\n", lo, hi, pn->n - 0.4);
    plotkit_tics(g, "x", lo, hi, 5, l);
    fputs("  set ytics (", g);
    for (int rI = 0; rI < pn->n; rI++) {
        fprintf(g, "%s", rI ? ", " : "");
        gnuplot_quote(g, pn->rows[rI].label);
        fprintf(g, " %d", pn->n - 1 - rI);
    }
    fputs(")\n  set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb \"#444444\" lw 1\n", g);
    fprintf(g, "  plot 'compare_kpis.dat' index %d using ($2/2):1:(0 < $2 ? 0 : $2):(0 < $2 ? $2 : 0):"
               "($1-%.4f):($1+%.4f):6 with boxxyerror fc rgb variable, \\\n"
               "       '' index %d using 2:1:3:4 with xerrorbars pt 7 ps 0.5 lw 1.5 lc rgb \"#222222\"\n",
            block, h * 0.42, h * 0.42, block);
}

/* The KPI differences with their 95% CIs as horizontal bars, one panel per
 * unit; pale bars are not real differences (their CI holds 0). */
static int plot_cmp_kpis(struct plot_ctx *c, const struct results_cmp *m)
{
    if (m->n_scen < 2) return 0;
    struct cmp_panel *pan = calloc(4, sizeof *pan);
    if (!pan) return err_set(c->e, EXIT_RUNTIME, "out of memory");
    cmp_panels(c, m, pan);
    int n_pan = 0, rows_total = 0, last = -1;
    for (int i = 0; i < 4; i++) {
        n_pan += pan[i].n > 0;
        rows_total += pan[i].n;
        if (pan[i].n) last = i;
    }
    int n_alt = m->n_scen - 1, leg_rows = (n_alt + 2) / 3, leg_px = 22 * leg_rows + 24;
    int height = 260 + 26 * rows_total * n_alt / 2 + 96 + leg_px;
    struct plot_files p;
    if (plotkit_open(c, &p, "compare_kpis", 1150, height) != 0) { free(pan); return -1; }
    FILE *g = p.g, *d = p.d;
    fprintf(d, "# one block per panel; one row per (KPI, alternative);\n"
               "# columns: y, difference (alternative - base), 95%% CI low, high, real (1/0), colour\n");
    int pan_rows = (n_pan + 1) / 2, pan_cols = n_pan > 1 ? 2 : 1;
    /* Fixed margins leave room for the ring names left of each panel and
     * for the legend at the bottom. */
    fprintf(g, "  set multiplot layout %d,%d margins %.2f,0.98,%.4f,0.90 spacing %.2f,0.10 title ",
            pan_rows, pan_cols, pan_cols > 1 ? 0.21 : 0.30, (leg_px + 50.0) / height, 0.21);
    gnuplot_quote(g, i18n_text("diff_title", c->l));
    fputs(" font \",14\"\n  set grid xtics noytics\n  set ytics scale 0\n"
          "  set style fill solid 1.0 noborder\n", g);
    for (int i = 0, block = 0; i < 4; i++) {
        if (!pan[i].n) continue;
        double lo, hi, h = cmp_panel_data(d, m, &pan[i], block, &lo, &hi);
        if (i == last) cmp_legend(g, m, leg_rows, height, c->l);     /* drawn once */
        cmp_panel_script(g, &pan[i], block++, lo, hi, h, c->l);
    }
    fputs("  unset arrow 1\n  unset label\n", g);
    free(pan);
    return plotkit_close(c, &p);
}

/* compare_occupancy_<flow>.dat (col TS_OCC) or compare_waiting_<flow>.dat
 * (TS_WAIT): a block per (ring, scenario), the base first; [*x0, *x1]
 * receives the years spanned. */
static void cmp_series_data(FILE *d, const struct results_cmp *m, const struct results_flow *fl, int col,
                            double *x0, double *x1)
{
    fprintf(d, "# one block per (ring, scenario): index = ring * %d + scenario (base first);\n"
               "# columns: decimal calendar year, mean, 5th and 95th percentile of citizens %s\n",
            m->n_scen, col == TS_OCC ? "in the ring" : "on its waiting list");
    for (int s = 0; s < fl->n_rings; s++)
        for (int j = 0; j < m->n_scen; j++) {
            const struct results_run *r = m->run[j];
            fputs(s || j ? "\n\n" : "", d);
            plotkit_dat_comment(d, "# ring %s, scenario %s\n", fl->rings[s].id, m->scen[j]);
            int f2 = r ? results_flow_index(r, fl->id) : -1;
            int s2 = f2 >= 0 ? results_state_index(&r->flows[f2], fl->rings[s].id) : -1;
            if (s2 < 0 || s2 >= r->flows[f2].n_rings || r->n_snap == 0) { fputs("NaN NaN NaN NaN\n", d); continue; }
            for (int k = 0; k < r->n_snap; k++) {
                const double *v = results_ts(r, k, r->flows[f2].slot0 + s2) + col;
                fprintf(d, "%.6f %.6g %.6g %.6g\n", r->x_year[k], v[0], v[1], v[2]);
                *x0 = fmin(*x0, r->x_year[k]);
                *x1 = fmax(*x1, r->x_year[k]);
            }
        }
}

/* Occupancy (col TS_OCC) or waiting list (TS_WAIT) of the base and the
 * alternatives, one panel per ring. */
static int plot_cmp_series(struct plot_ctx *c, const struct results_cmp *m, int fi, int col)
{
    const struct results_run *b = m->run[0];
    if (!b || fi >= b->n_flows || b->n_snap < 2) return 0;
    const struct results_flow *fl = &b->flows[fi];
    const bool occ = col == TS_OCC;
    char name[PLOTKIT_NAME_MAX];
    plotkit_safe_name(name, sizeof name, occ ? "compare_occupancy_" : "compare_waiting_", fl->id);
    int rows, cols;
    plotkit_grid_shape(fl->n_rings + 1, &rows, &cols);
    struct plot_files p;
    if (plotkit_open(c, &p, name, 370 * cols + 40, 270 * rows + 70) != 0) return -1;
    FILE *g = p.g, *d = p.d;
    double x0 = INFINITY, x1 = -INFINITY;
    cmp_series_data(d, m, fl, col, &x0, &x1);
    char title[512];
    snprintf(title, sizeof title, "%s: %s", fl->name, i18n_text(occ ? "cmp_occ_title" : "cmp_wait_title", c->l));
    fprintf(g, "  set multiplot layout %d,%d title ", rows, cols);
    gnuplot_quote(g, title);
    fputs(" font \",14\"\n", g);
    plotkit_year_axis(g, x0, x1, c->l);
    for (int j = 0; j < m->n_scen; j++) plotkit_change_marks(g, m->run[j]);
    for (int s = 0; s < fl->n_rings; s++) {
        double max = 0.0;
        for (int j = 0; j < m->n_scen; j++) {
            const struct results_run *r = m->run[j];
            int f2 = r ? results_flow_index(r, fl->id) : -1;
            int s2 = f2 >= 0 ? results_state_index(&r->flows[f2], fl->rings[s].id) : -1;
            if (s2 < 0) continue;
            for (int k = 0; k < r->n_snap; k++) {
                const double *v = results_ts(r, k, r->flows[f2].slot0 + s2) + col;
                if (isfinite(v[2])) max = fmax(max, v[2]);
            }
        }
        double top = plotkit_axis_top(max);
        plotkit_ring_panel(g, &fl->rings[s], occ, s % cols == 0, top, c->l);
        /* Bands first, then the alternatives' lines, the base's line last:
         * gnuplot draws in order, so the base stays visible where they meet. */
        fputs("  plot ", g);
        for (int j = 0; j < m->n_scen; j++) {
            fprintf(g, "%s'%s.dat' index %d using 1:3:4 with filledcurves fc ", j ? ", \\\n       " : "", name,
                    s * m->n_scen + j);
            plotkit_color(g, plotkit_scenario_color(j));
            fputs(" fs transparent solid 0.15 noborder", g);
        }
        for (int k = 1; k <= m->n_scen; k++) {
            int j = k % m->n_scen;
            fprintf(g, ", \\\n       '%s.dat' index %d using 1:2 with lines lw %s lc ", name, s * m->n_scen + j,
                    j == 0 ? "2.5" : "2");
            plotkit_color(g, plotkit_scenario_color(j));
        }
        fputc('\n', g);
    }
    fputs("  unset title\n  unset xlabel\n  unset ylabel\n  unset border\n  unset xtics\n  unset ytics\n  unset grid\n"
          "  set xrange [0:1]\n  set yrange [0:1]\n"
          "  set key center center vertical Left reverse samplen 3 spacing 1.5 font \",11\"\n  plot ", g);
    for (int j = 0; j < m->n_scen; j++) {
        char t[256], cut[256];
        plotkit_key_title(cut, sizeof cut, answer_title(m->run[j], m->scen[j], c->l), 32);  /* one panel's cell */
        sbuf_fmt(t, sizeof t, "%s%s", cut, j == 0 ? (c->l == LANG_DA ? " (basis)" : " (base)") : "");
        fprintf(g, "%sNaN with lines lw 2 lc ", j ? ", \\\n       " : "");
        plotkit_color(g, plotkit_scenario_color(j));
        fputs(" title ", g);
        gnuplot_quote(g, t);
    }
    fputs(", \\\n       NaN with filledcurves y1=0 fs solid 1.0 fc rgb \"#dddddd\" title ", g);
    gnuplot_quote(g, i18n_text("band90", c->l));
    fputc('\n', g);
    return plotkit_close(c, &p);
}

static double kpi_mean(const cJSON *kpis, const char *path)
{
    return results_json_num(results_kpi(kpis, path), "mean", NAN);
}

/* compare_spending.dat: a block per scenario (base first), a row per
 * calendar year: spending and budget in DKK million, a part year scaled to
 * a whole one. Returns the extent of the values in *lo, *hi. */
static void cmp_spending_data(FILE *d, const struct results_cmp *m, int y0, int y1, double xa, double xb,
                              bool *budget, double *lo, double *hi)
{
    fprintf(d, "# one block per scenario (base first); columns: calendar year, spending and budget in DKK\n"
               "# million (a part year scaled to a whole year; NaN: no budget)\n");
    for (int j = 0; j < m->n_scen; j++) {
        fputs(j ? "\n\n" : "", d);
        plotkit_dat_comment(d, "# scenario %s\n", m->scen[j]);
        for (int y = y0; y < y1; y++) {
            char path[64];
            double share = fmin(xb, y + 1.0) - fmax(xa, y);
            if (!(share > 0.05)) continue;          /* a sliver of a year says nothing */
            snprintf(path, sizeof path, "by_year/%d/spending", y);
            double sp = kpi_mean(m->kpis[j], path) / share / 1e6;
            snprintf(path, sizeof path, "by_year/%d/budget", y);
            double bu = kpi_mean(m->kpis[j], path) / share / 1e6;
            if (!(bu > 0)) bu = NAN;
            budget[j] |= isfinite(bu);
            if (isfinite(sp)) *hi = fmax(*hi, sp), *lo = fmin(*lo, sp);
            if (isfinite(bu)) *hi = fmax(*hi, bu), *lo = fmin(*lo, bu);
            fprintf(d, "%d %.6f ", y, sp);
            if (isfinite(bu)) fprintf(d, "%.6f\n", bu);
            else fputs("NaN\n", d);
        }
    }
}

/* Spending per calendar year of every scenario in one plot, each with its
 * budget (dashed, same colour) where it has one: summary's by_year figures. */
static int plot_cmp_spending(struct plot_ctx *c, const struct results_cmp *m)
{
    const struct results_run *b = m->run[0];
    if (!b || b->n_snap < 2 || !m->kpis[0]) return 0;
    double xa = b->x_year[0] + b->warmup_years, xb = b->x_year[b->n_snap - 1];
    int y0 = (int)floor(xa + 1e-9), y1 = (int)ceil(xb - 1e-9);
    if (y1 - y0 <= 0 || y1 - y0 > 500) return 0;
    struct plot_files p;
    if (plotkit_open(c, &p, "compare_spending", 1150, 560) != 0) return -1;
    FILE *g = p.g;
    double top = 0.0, low = INFINITY;
    bool budget[RESULTS_MAX_SCEN] = { false };
    cmp_spending_data(p.d, m, y0, y1, xa, xb, budget, &low, &top);
    fputs("  set title ", g);
    gnuplot_quote(g, i18n_text("cmp_spending_title", c->l));
    fprintf(g, " font \",14\"\n  set xrange [%d:%d]\n  set xtics 1 scale 0\n  set grid xtics ytics\n", y0, y1 - 1);
    fputs("  set ylabel ", g);
    gnuplot_quote(g, i18n_text("spending_axis", c->l));
    /* Not from 0: a 5 % cut would be a hair's breadth; the axis says where
     * it starts. */
    double span = top - (isfinite(low) ? low : 0.0), ylo = 0.0, ytop = plotkit_axis_top(top * 1.02);
    if (isfinite(low) && span > 0 && low - span > 0) {
        double step = plotkit_nice_step(span, 5);
        ylo = step * floor((low - 0.5 * span) / step);
        ytop = step * ceil((top + 0.5 * span) / step);
    }
    fprintf(g, "\n  set yrange [%.10g:%.10g]\n", ylo, ytop);
    plotkit_tics(g, "y", ylo, ytop, 6, c->l);
    fputs("  set key outside right top vertical Left reverse samplen 3 spacing 1.3 font \",10\"\n  plot ", g);
    for (int j = 0; j < m->n_scen; j++) {
        char t[256], bt[300];
        plotkit_key_title(t, sizeof t, answer_title(m->run[j], m->scen[j], c->l), 36);
        fprintf(g, "%s'compare_spending.dat' index %d using 1:2 with linespoints lw 2.5 pt 7 ps 0.7 lc ",
                j ? ", \\\n       " : "", j);
        plotkit_color(g, plotkit_scenario_color(j));
        fputs(" title ", g);
        gnuplot_quote(g, t);
        if (!budget[j]) continue;
        snprintf(bt, sizeof bt, "%s: %s", i18n_text("budget", c->l), t);
        fprintf(g, ", \\\n       'compare_spending.dat' index %d using 1:3 with lines lw 1.5 dt 2 lc ", j);
        plotkit_color(g, plotkit_scenario_color(j));
        fputs(" title ", g);
        gnuplot_quote(g, bt);
    }
    fputc('\n', g);
    return plotkit_close(c, &p);
}

/* The order of the report: spending against budget, waiting lists, the
 * differences, occupancy. */
int plotcmp_write(struct plot_ctx *c, const struct results_cmp *m)
{
    int rc = plot_cmp_spending(c, m);
    for (int f = 0; rc == 0 && m->run[0] && f < m->run[0]->n_flows; f++) rc = plot_cmp_series(c, m, f, TS_WAIT);
    if (rc == 0) rc = plot_cmp_kpis(c, m);
    for (int f = 0; rc == 0 && m->run[0] && f < m->run[0]->n_flows; f++) rc = plot_cmp_series(c, m, f, TS_OCC);
    return rc;
}
