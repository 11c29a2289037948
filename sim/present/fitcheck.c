/* fitcheck.c: the files of calibrate's fit check (observed against
 * expected share per state over time) and its gnuplot drawing. */
#include "present/fitcheck.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "base/afile.h"
#include "base/caldate.h"
#include "present/gnuplot.h"

#define FITCHECK_COLS 3             /* panels in a row of the drawing */

/* Draws <name>.png from <name>.gp in a private directory (gnuplot.h) and
 * renames it into place; a failure goes into plot_err. */
static int draw(const char *dir, const char *name, bool *drawn, struct err *plot_err)
{
    struct gnuplot_draw d;
    bool found = false;
    char gp[64], png[64];
    snprintf(gp, sizeof gp, "%s.gp", name);
    snprintf(png, sizeof png, "%s.png", name);
    if (gnuplot_draw_begin(&d, dir, &found, plot_err) == 0 && !found) {
        err_set(plot_err, EXIT_RUNTIME, "gnuplot not found: %s was not drawn; "
                "draw it with: cd %s && gnuplot %s", png, dir, gp);
    } else if (found && gnuplot_draw(&d, gp, name, 60.0, plot_err) == 0 &&
               gnuplot_draw_keep(&d, png, plot_err) == 0) {
        *drawn = true;
    }
    gnuplot_draw_end(&d);
    return 0;
}

/* fitcheck.csv: every flow, grid time and state. */
static int write_csv(const char *dir, const struct model *m, const struct calib_result *r,
                     struct err *e)
{
    char path[4096];
    struct afile a;
    snprintf(path, sizeof path, "%s/fitcheck.csv", dir);
    if (afile_open(&a, path, e) != 0) return -1;
    fprintf(a.f, "flow,t,date,state,under_observation,observed,expected,observed_share,expected_share\n");
    for (int fi = 0; fi < r->n_flows; fi++) {
        const struct calib_flow *cf = &r->flow[fi];
        const struct flow *fl = &m->flows[fi];
        int S = cf->n_states;
        if (!cf->fitted) continue;
        for (int g = 0; g < cf->n_grid; g++) {
            char date[11];
            int32_t day = m->start_day + (int32_t)floor(cf->grid_t[g] * DAYS_PER_YEAR + 1e-9);
            caldate_format(day, date);
            for (int s = 0; s < S; s++) {
                double n = cf->at_risk[g];
                fprintf(a.f, "%s,%.6f,%s,%s,%.0f,%.0f,%.4f,%.6f,%.6f\n", fl->id, cf->grid_t[g],
                        date, model_state_id(fl, s), n, cf->observed[g * S + s],
                        cf->expected[g * S + s], n > 0 ? cf->observed[g * S + s] / n : NAN,
                        n > 0 ? cf->expected[g * S + s] / n : NAN);
            }
        }
    }
    if (afile_commit(&a, e) != 0) return -1;
    return 0;
}

/* fitcheck-<flow>.dat for the drawing; returns how many, or -1. */
static int write_dat(const char *dir, const struct model *m, const struct calib_result *r,
                     struct err *e)
{
    char path[4096];
    struct afile a;
    /* One data file per flow: t, n, observed shares, expected shares. */
    int n_plots = 0;
    for (int fi = 0; fi < r->n_flows; fi++) {
        const struct calib_flow *cf = &r->flow[fi];
        if (!cf->fitted) continue;
        int S = cf->n_states;
        snprintf(path, sizeof path, "%s/fitcheck-%s.dat", dir, m->flows[fi].id);
        if (afile_open(&a, path, e) != 0) return -1;
        fprintf(a.f, "# t n");
        for (int s = 0; s < S; s++) fprintf(a.f, " obs_%s", model_state_id(&m->flows[fi], s));
        for (int s = 0; s < S; s++) fprintf(a.f, " exp_%s", model_state_id(&m->flows[fi], s));
        fprintf(a.f, "\n");
        for (int g = 0; g < cf->n_grid; g++) {
            double n = cf->at_risk[g];
            fprintf(a.f, "%.6f %.0f", cf->grid_t[g], n);
            for (int s = 0; s < S; s++) fprintf(a.f, " %.6f", n > 0 ? 100.0 * cf->observed[g * S + s] / n : NAN);
            for (int s = 0; s < S; s++) fprintf(a.f, " %.6f", n > 0 ? 100.0 * cf->expected[g * S + s] / n : NAN);
            fprintf(a.f, "\n");
        }
        if (afile_commit(&a, e) != 0) return -1;
        n_plots++;
    }
    return n_plots;
}

int fitcheck_write(const char *dir, const struct model *m, const struct calib_result *r,
                         bool *drawn, struct err *plot_err, struct err *e)
{
    char path[4096];
    *drawn = false;
    struct afile a;
    if (write_csv(dir, m, r, e) != 0) return -1;
    int n_plots = write_dat(dir, m, r, e);
    if (n_plots < 0) return -1;
    if (!n_plots) return 0;

    snprintf(path, sizeof path, "%s/fitcheck.gp", dir);
    if (afile_open(&a, path, e) != 0) return -1;
    FILE *f = a.f;
    /* One panel per state, each with its own scale (a ring holding 1 %
     * would vanish beside `none` at 80 %); each flow starts a row of three. */
    int rows = 0;
    for (int fi = 0; fi < r->n_flows; fi++)
        if (r->flow[fi].fitted) rows += (r->flow[fi].n_states + FITCHECK_COLS - 1) / FITCHECK_COLS;
    fprintf(f, "# Fit check of flowsim calibrate: observed (points) and expected (line)\n"
               "# share of citizens under observation in each state, one panel per state.\n"
               "# Redraw: gnuplot fitcheck.gp\n"
               "if (!exists(\"out\")) out = 'fitcheck'\n"
               "set terminal pngcairo size %d,%d noenhanced font ',10'\n"
               "set output out.'.png'\n"
               "set multiplot layout %d,%d title 'Fit check: observed (points) and expected (line) share of "
               "citizens under observation (%%)' font ',13'\n"
               "set key off\n"
               "set grid\n"
               "set yrange [0:*]\n"
               "set xlabel ",
            340 * FITCHECK_COLS, 250 * rows + 50, rows, FITCHECK_COLS);
    char text[512];
    snprintf(text, sizeof text, "years since %s", m->start_date);
    gnuplot_quote(f, text);
    fputc('\n', f);
    for (int fi = 0; fi < r->n_flows; fi++) {
        const struct calib_flow *cf = &r->flow[fi];
        if (!cf->fitted) continue;
        int S = cf->n_states;
        char data[160];
        snprintf(data, sizeof data, "fitcheck-%s.dat", m->flows[fi].id);
        for (int s = 0; s < S; s++) {
            snprintf(text, sizeof text, "%s: %s", m->flows[fi].id, model_state_id(&m->flows[fi], s));
            fputs("set title ", f);
            gnuplot_quote(f, text);
            fputs("\nplot ", f);
            gnuplot_quote(f, data);
            fprintf(f, " using 1:%d with points pt 7 ps 0.7 lc rgb '#0072b2', '' using 1:%d with lines lw 2 "
                       "lc rgb '#d55e00'\n", 3 + s, 3 + S + s);
        }
        for (int s = S; s % FITCHECK_COLS; s++) fputs("set multiplot next\n", f);
    }
    fprintf(f, "unset multiplot\n");
    if (afile_commit(&a, e) != 0) return -1;
    return draw(dir, "fitcheck", drawn, plot_err);
}

/* ---- the validation's drawing ------------------------------------------- */

int validation_plot_write(const char *dir, const struct model *m, const struct calib_validation *v,
                          bool *drawn, struct err *plot_err, struct err *e)
{
    char path[4200], text[512], data[160];
    struct afile a;
    *drawn = false;
    int rows = 0;
    for (int fi = 0; fi < v->n_flows; fi++) {
        const struct calib_val_flow *vf = &v->flow[fi];
        if (!vf->done) continue;
        int S = vf->n_states;
        rows += (S + FITCHECK_COLS - 1) / FITCHECK_COLS;
        /* t, then per state: observed %, simulated mean %, mean -/+ 1.96 sd */
        snprintf(path, sizeof path, "%s/validation-%s.dat", dir, m->flows[fi].id);
        if (afile_open(&a, path, e) != 0) return -1;
        fprintf(a.f, "# t, then per state: observed, simulated mean, low, high (%% of citizens)\n");
        for (int g = 0; g < vf->n_grid; g++) {
            fprintf(a.f, "%.6f", vf->grid_t[g]);
            for (int st = 0; st < S; st++) {
                size_t i = (size_t)g * S + st;
                fprintf(a.f, " %.4f %.4f %.4f %.4f", 100 * vf->obs_share[i], 100 * vf->sim_mean[i],
                        100 * fmax(0.0, vf->sim_mean[i] - 1.96 * vf->sim_sd[i]),
                        100 * (vf->sim_mean[i] + 1.96 * vf->sim_sd[i]));
            }
            fputc('\n', a.f);
        }
        if (afile_commit(&a, e) != 0) return -1;
    }
    if (!rows) return 0;
    snprintf(path, sizeof path, "%s/validation.gp", dir);
    if (afile_open(&a, path, e) != 0) return -1;
    FILE *f = a.f;
    fprintf(f, "# Validation of flowsim calibrate: observed share (points) against the\n"
               "# refitted scenario's simulations (line: mean; band: 95%% of replications),\n"
               "# one panel per state. Redraw: gnuplot validation.gp\n"
               "if (!exists(\"out\")) out = 'validation'\n"
               "set terminal pngcairo size %d,%d noenhanced font ',10'\n"
               "set output out.'.png'\n"
               "set multiplot layout %d,%d title 'Validation: observed (points) and simulated "
               "(line, 95%% band) share of citizens under observation (%%)' font ',13'\n"
               "set key off\nset grid\nset yrange [0:*]\nset xlabel ",
            340 * FITCHECK_COLS, 250 * rows + 50, rows, FITCHECK_COLS);
    snprintf(text, sizeof text, "years since %s", m->start_date);
    gnuplot_quote(f, text);
    fputc('\n', f);
    for (int fi = 0; fi < v->n_flows; fi++) {
        const struct calib_val_flow *vf = &v->flow[fi];
        if (!vf->done) continue;
        snprintf(data, sizeof data, "validation-%s.dat", m->flows[fi].id);
        for (int st = 0; st < vf->n_states; st++) {
            int c = 2 + 4 * st;
            snprintf(text, sizeof text, "%s: %s", m->flows[fi].id, model_state_id(&m->flows[fi], st));
            fputs("set title ", f);
            gnuplot_quote(f, text);
            fputs("\nplot ", f);
            gnuplot_quote(f, data);
            fprintf(f, " using 1:%d:%d with filledcurves lc rgb '#cfe3f3', '' using 1:%d with lines "
                       "lw 2 lc rgb '#0072b2', '' using 1:%d with points pt 7 ps 0.7 lc rgb "
                       "'#d55e00'\n", c + 2, c + 3, c + 1, c);
        }
        for (int st = vf->n_states; st % FITCHECK_COLS; st++) fputs("set multiplot next\n", f);
    }
    fprintf(f, "unset multiplot\n");
    if (afile_commit(&a, e) != 0) return -1;
    return draw(dir, "validation", drawn, plot_err);
}
