/* plot.h: the plots of a finished run or comparison (docs/files.md), drawn from
 * its output DIRECTORY alone (read through io/resultsdir.h), so `flowsim
 * plot DIR` and the end of `run` and `compare` are the same code.
 *
 * For each plot NAME, DIR/plots/ holds NAME.gp (draws NAME.png with pngcairo
 * and NAME.svg, with relative paths only: `cd DIR/plots && gnuplot NAME.gp`)
 * and NAME.dat (its data, '#' comment header, blocks separated by two blank
 * lines as gnuplot's `index` expects). .gp and .dat go through afile;
 * gnuplot draws in a private directory (gnuplot.h) and the images are
 * renamed into place when it succeeds, so a failed drawing never leaves a
 * half-written image. An image whose drawing failed or was not tried this
 * time is removed: what lies beside NAME.gp was drawn from it. */
#ifndef FLOWSIM_PLOT_H
#define FLOWSIM_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "present/i18n.h"

#define PLOT_NAME_MAX 96
#define PLOT_MAX 64                 /* plots of one directory */
#define PLOT_TIMEOUT_S 30.0         /* per gnuplot script */

/* One figure drawn: its name and the SVG gnuplot wrote (owned). */
struct plot_figure {
    char name[PLOT_NAME_MAX];
    unsigned char *svg;
    size_t svg_len;
};

/* The figures drawn for one directory in this call, in the order a report
 * shows them. */
struct plot_figures {
    bool gnuplot_found;
    int n;
    struct plot_figure fig[PLOT_MAX];
};

void plot_figures_free(struct plot_figures *f);     /* leaves it empty */

/* The language of dir's plots and report: code if given, else the run's
 * (a comparison's base scenario's) own, else en. */
enum lang plot_lang(const char *dir, const char *code);

/* Writes dir/plots/ for the run or comparison in dir, labelled in lang
 * (NULL: the run's own), and draws the plots with gnuplot when it is found.
 * figs receives what was drawn (empty when gnuplot is not found: scripts
 * and data are written all the same); free it with plot_figures_free, also
 * after a failure. Returns 0, or -1 with e set: unreadable results, a file
 * not written, or gnuplot failing or timing out on a script (the others
 * are still tried and kept). */
int plot_dir(const char *dir, const char *lang, struct plot_figures *figs, struct err *e);

#endif
