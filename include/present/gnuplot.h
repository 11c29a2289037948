/* gnuplot.h: runs gnuplot as an external program, and writes text into
 * gnuplot scripts and data files so that no input can run a command.
 *
 * Found as $FLOWSIM_GNUPLOT, else `gnuplot` on PATH; given a time limit; its
 * failure is reported as an error, never a crash. Plots are optional:
 * callers turn a failure into a warning so the simulation's results stand.
 *
 * Text from a scenario, a panel or a results directory is untrusted: it
 * reaches a script only through gnuplot_quote (gnuplot expands backquotes
 * and `@` macros in double-quoted strings, never in single-quoted ones) and a
 * data file only through gnuplot_comment. gnuplot draws into a fresh private
 * directory (gnuplot_draw_begin), so it never writes through a link planted
 * in the output directory; finished images are renamed into place. */
#ifndef FLOWSIM_GNUPLOT_H
#define FLOWSIM_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

/* Finds the gnuplot executable; writes its path into buf. false when there
 * is none (or FLOWSIM_GNUPLOT names no executable file). */
bool gnuplot_find(char *buf, size_t n);

/* s as a gnuplot string expression: single-quoted pieces with ' doubled,
 * joined by "\n" where s has a line break. Other control characters and
 * invalid UTF-8 become '?', and "]]>" becomes "]] >" (it may not appear in
 * the text of an SVG). NULL writes ''. */
void gnuplot_quote(FILE *f, const char *s);

/* s for a '#' comment line of a data file: line breaks and control
 * characters become spaces, so no text can start a data row. */
void gnuplot_comment(FILE *f, const char *s);

/* A drawing session for scripts of one directory. */
struct gnuplot_draw {
    char dir[4096];                 /* where the scripts and their data are */
    char tmp[4200];                 /* dir/.gnuplot-XXXXXX, mode 0700 */
    const char *rel;                /* tmp relative to dir */
    char log[4300];                 /* tmp/gnuplot.log */
};

/* Starts a session in dir: *found false (and nothing made) when gnuplot is
 * not found. Returns 0, or -1 with e set when the private directory cannot
 * be made. Always call gnuplot_draw_end. */
int gnuplot_draw_begin(struct gnuplot_draw *d, const char *dir, bool *found, struct err *e);

/* Runs `gnuplot script` in dir (script relative to dir) with the variable
 * out set to "<private dir>/<name>": the script draws to out.".png" and the
 * like. Kills gnuplot after timeout_s seconds. Returns 0, or -1 with e set
 * (EXIT_RUNTIME): could not start, timed out, or exited with an error. */
int gnuplot_draw(struct gnuplot_draw *d, const char *script, const char *name, double timeout_s,
                 struct err *e);

/* Path of file in the private directory, into buf. */
void gnuplot_draw_path(const struct gnuplot_draw *d, const char *file, char *buf, size_t n);

/* Renames file from the private directory to dir/file (replacing, never
 * following, what is there). 0, or -1 with e set. */
int gnuplot_draw_keep(struct gnuplot_draw *d, const char *file, struct err *e);

/* Ends the session: gnuplot's messages become dir/gnuplot.log when there
 * were any (an old log is removed otherwise); the private directory and
 * everything left in it are removed. */
void gnuplot_draw_end(struct gnuplot_draw *d);

#endif
