/* report.h: report.html, one self-contained page for a finished run or
 * comparison: no network, no JavaScript; plots embedded as SVG data URIs
 * (each keeps its own ids and styles). Written from the output DIRECTORY
 * alone (summary.json or comparison.json, and plots/NAME.svg when gnuplot
 * drew them), like plot.h. */
#ifndef FLOWSIM_REPORT_H
#define FLOWSIM_REPORT_H

#include "base/err.h"

/* Writes dir/report.html (through afile) in lang ("da" or "en"; NULL: the
 * run's own, else en). Holds the scenario's name and description, headline
 * figures with 95% CIs, a table per ring, the plots, every KPI of
 * summary.json (by its path, e.g. flows/home/rings/sel108/occupancy_mean),
 * and "how to read this"; for a comparison, the differences with real ones
 * marked and links to each scenario's own report. Returns 0, or -1 with e
 * set. */
int report_write(const char *dir, const char *lang, struct err *e);

#endif
