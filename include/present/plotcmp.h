/* plotcmp.h: the plots of a comparison directory (docs/files.md), written with
 * the kit of plotkit.h: compare_kpis (each alternative minus the base, with
 * its 95% CI, pale where the CI holds 0) and compare_occupancy_<flow> (each
 * ring's citizens over time in the base, drawn on top, and the
 * alternatives). */
#ifndef FLOWSIM_PLOTCMP_H
#define FLOWSIM_PLOTCMP_H

#include "io/resultsdir.h"
#include "present/plotkit.h"

/* Writes the comparison's scripts and data into c->pdir. 0, or -1 with
 * c->e set. */
int plotcmp_write(struct plot_ctx *c, const struct results_cmp *m);

#endif
