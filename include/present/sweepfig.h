/* sweepfig.h: the plots and report.html of a sweep directory (sweep.json:
 * a plot per headline KPI against the swept value with its 95% CI band)
 * and of an optimise directory (optimise.json: the objective against each
 * target KPI, the frontier and the answer marked). Read back from the
 * files, so `flowsim plot DIR` redraws them; every text in them is
 * untrusted (gnuplot_quote, HTML-escaped). */
#ifndef FLOWSIM_SWEEPFIG_H
#define FLOWSIM_SWEEPFIG_H

#include <stdbool.h>
#include <stdio.h>

/* True when dir holds sweep.json or optimise.json. */
bool sweepfig_is_sweep(const char *dir);
bool sweepfig_is_optimise(const char *dir);

/* Plots into dir/plots, then dir/report.html. Prints at most one line to
 * msg (as publish_results). 0 done, 1 gnuplot missing (report written
 * without figures), -1 failure (warning printed). */
int sweepfig_publish(const char *dir, FILE *msg);

#endif
