/* gnuplot.h: runs gnuplot as an external program. Found as $FLOWSIM_GNUPLOT,
 * else `gnuplot` on PATH; given a time limit; its failure is reported as an
 * error, never a crash. Plots are optional: callers turn a failure into a
 * warning so the simulation's results stand. */
#ifndef FLOWSIM_GNUPLOT_H
#define FLOWSIM_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Finds the gnuplot executable; writes its path into buf. false when there
 * is none (or FLOWSIM_GNUPLOT names no executable file). */
bool gnuplot_find(char *buf, size_t n);

/* Runs `gnuplot script` in directory dir (script relative to dir), its
 * stderr appended to dir/gnuplot.log. Kills it after timeout_s seconds.
 * Returns 0, or -1 with e set (EXIT_RUNTIME): not found, could not start,
 * timed out, or exited with an error. */
int gnuplot_run(const char *dir, const char *script, double timeout_s, struct err *e);

#endif
