/* report.h: report.html, one self-contained page for a finished run or
 * comparison: no network, no JavaScript; plots embedded as SVG data URIs
 * (each keeps its own ids and styles). Written from the output DIRECTORY
 * (summary.json or comparison.json, read through io/resultsdir.h) and the
 * figures drawn for it in this call, never from whatever lies in plots/. */
#ifndef FLOWSIM_REPORT_H
#define FLOWSIM_REPORT_H

#include <stdio.h>

#include "base/err.h"
#include "present/plot.h"

/* Writes dir/report.html (through afile) in lang ("da" or "en"; NULL: the
 * run's own, else en). Holds the scenario's name and description, headline
 * figures with 95% CIs, a table per ring, the figures in figs (NULL or
 * none: a note that the plots were not drawn), every KPI of summary.json
 * (by its path, e.g. flows/home/rings/sel108/occupancy_mean), and "how to
 * read this"; for a comparison, the differences with real ones marked and
 * links to each scenario's own report. Returns 0, or -1 with e set. */
int report_write(const char *dir, const char *lang, const struct plot_figures *figs, struct err *e);

/* Writes s (NULL: nothing) as HTML text or a quoted attribute value: the
 * five markup characters as entities, control characters but tab and line
 * break dropped. The one escaper of flowsim's HTML pages. */
void report_html_esc(FILE *f, const char *s);

#endif
