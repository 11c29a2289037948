/* publish.h: the end of `run` and `compare` (and `flowsim plot`): a results
 * directory's plots, then its report.html, embedding the figures drawn in
 * this call and nothing else. */
#ifndef FLOWSIM_PUBLISH_H
#define FLOWSIM_PUBLISH_H

#include <stdio.h>

/* Plots, then report.html for dir; for a comparison first each scenario's
 * own DIR/<name>/ (names that are safe directory names only). Prints at
 * most one line to msg: the hint when gnuplot is missing, or a warning
 * "flowsim: warning: ..." naming what failed. Returns 0 when all was drawn
 * and written, 1 when gnuplot is missing (hint printed), -1 on failure
 * (warning printed). Never affects the simulation's results. */
int publish_results(const char *dir, const char *lang, FILE *msg);

#endif
