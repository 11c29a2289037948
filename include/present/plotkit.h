/* plotkit.h: the shared kit of flowsim's plot scripts (present/plot.c for a
 * run, present/plotcmp.c for a comparison): the frame of NAME.gp and
 * NAME.dat, axes whose tick labels follow the language's number format,
 * colours, and titles. Every text from the results reaches a script through
 * gnuplot_quote and a data file through plotkit_dat_comment (gnuplot.h). */
#ifndef FLOWSIM_PLOTKIT_H
#define FLOWSIM_PLOTKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/afile.h"
#include "base/err.h"
#include "io/resultsdir.h"
#include "present/i18n.h"

#define PLOTKIT_NAME_MAX 96         /* a plot's name (file names without extension) */
#define PLOTKIT_MAX 64              /* plots of one directory */
#define PLOTKIT_KEY_CHARS 56        /* a key title below a panel (about 6 px each at 9 pt) */

/* The plots of one directory being written. */
struct plot_ctx {
    char dir[4096];                 /* the run or comparison */
    char pdir[4096];                /* dir/plots */
    enum lang l;
    struct err *e;
    char names[PLOTKIT_MAX][PLOTKIT_NAME_MAX];    /* scripts written, to draw */
    int n_names;
};

/* NAME.gp (g) and NAME.dat (d) of one plot, written through afile. */
struct plot_files {
    struct afile gp, dat;
    FILE *g, *d;
    char name[PLOTKIT_NAME_MAX];
};

/* Opens NAME.gp and NAME.dat in c->pdir and writes the script's frame (a
 * loop over the PNG and SVG terminals, size w x h px). 0, or -1 with c->e. */
int plotkit_open(struct plot_ctx *c, struct plot_files *p, const char *name, int w, int h);
/* Closes the frame, commits both files and lists NAME to be drawn. */
int plotkit_close(struct plot_ctx *c, struct plot_files *p);

/* A '#' comment of a data file from fmt, its arguments' line breaks and
 * control characters made spaces; a final '\n' in fmt ends the line. */
void plotkit_dat_comment(FILE *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s broken at spaces into lines of at most width characters (UTF-8). */
void plotkit_wrap(char *dst, size_t n, const char *s, int width);
/* A key title: one line of at most max characters, cut with "…". */
void plotkit_key_title(char *dst, size_t n, const char *s, int max);
/* "Name\n(law)" wrapped to width: a panel title. */
void plotkit_ring_title(char *dst, size_t n, const struct results_ring *g, int width, bool with_law);
/* prefix + id with every character outside [A-Za-z0-9_-] made '_'. */
void plotkit_safe_name(char *dst, size_t n, const char *prefix, const char *id);

/* `set <axis>tics (...)` from lo to hi, about target ticks, labelled in the
 * language's format; returns the last tick. */
double plotkit_tics(FILE *f, const char *axis, double lo, double hi, int target, enum lang l);
/* A round step (1, 2, 2.5 or 5 times a power of 10) cutting span into
 * about target parts. */
double plotkit_nice_step(double span, int target);
/* The top of a value axis from 0: a round number a little above max. */
double plotkit_axis_top(double max);
/* A ring's panel of an occupancy or waiting-list plot: its title, the
 * value axis's label (only in the first column) and its range [0, top]
 * with ticks. */
void plotkit_ring_panel(FILE *g, const struct results_ring *ring, bool occ, bool first_col,
                        double top, enum lang l);
/* x axis in calendar years from x0 to x1, labelled "Year". */
void plotkit_year_axis(FILE *g, double x0, double x1, enum lang l);
/* A dashed vertical line at each date of r's plan. */
void plotkit_change_marks(FILE *g, const struct results_run *r);
/* Rows and columns of a grid of cells panels. */
void plotkit_grid_shape(int cells, int *rows, int *cols);

/* Colours: ring i of n in flow fl (the flow's hue, darkest innermost); a
 * flow's line; scenario i of a comparison (the base dark grey); lines that
 * must be told apart (Okabe and Ito's hues, with dash and point types). */
uint32_t plotkit_ring_color(int fl, int i, int n);
uint32_t plotkit_flow_color(int fl);
uint32_t plotkit_scenario_color(int i);
uint32_t plotkit_line_color(int i);
int plotkit_line_dash(int i);
int plotkit_line_point(int i);
uint32_t plotkit_lighten(uint32_t c, double t);
bool plotkit_is_dark(uint32_t c);
/* Writes `rgb "#rrggbb"`. */
void plotkit_color(FILE *f, uint32_t rgb);

#endif
