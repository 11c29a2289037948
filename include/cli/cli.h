/* cli.h: the command line of docs/flowsim.1. cli_main() dispatches to one function
 * per command; each parses its own arguments with the shared option reader
 * below, prints errors and returns the exit status (0 done, 1 runtime
 * failure, 2 bad usage or input). Only these functions print errors. */
#ifndef FLOWSIM_CLI_H
#define FLOWSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "model/model.h"
#include "model/runopts.h"

int cli_main(int argc, char **argv);

/* The usage text (also what the README shows). */
void cli_usage(FILE *out);
/* One command's usage (`flowsim CMD --help`); the whole usage for a
 * command without an entry of its own. */
void cli_command_usage(const char *cmd, FILE *out);
/* True when an argument after the command is --help or -h. */
bool cli_asks_help(int argc, char **argv);

/* The option reader every command uses for an option with a value: reads
 * argv[*i] as `name value` (advancing *i) or, for a long option, as
 * `name=value`. Returns 1 with *value set, 0 when argv[*i] is not this
 * option, or EXIT_INPUT after printing that the value is missing. */
int cli_option_value(int argc, char **argv, int *i, const char *name, const char **value);
/* True when arg is option name, as `name` or (long) `name=value`. */
bool cli_is_option(const char *arg, const char *name);

#define CLI_MAX_SETS 64

/* Options shared by run, compare, sweep, check and optimise. */
struct cli_common {
    const char *sets[CLI_MAX_SETS];  /* --set PATH=VALUE, as given, in order */
    int n_sets;
    const char *out_dir, *lang;
    long reps, threads;              /* -1: from the scenario */
    uint64_t seed;
    bool has_seed, quiet;
    bool uncertainty;                /* --uncertainty */
    double years;                    /* <= 0: from the scenario */
    bool keep_notes;                 /* cli_load_set leaves the loader's notes
                                      * (model.notes) to the caller to print */
};
void cli_common_init(struct cli_common *c);

/* Reads the common option at argv[*i] (and its value, advancing *i).
 * Returns 1 when it was one, 0 when argv[*i] is not a common option, or
 * EXIT_INPUT after printing a one-line usage error. */
int cli_common_option(int argc, char **argv, int *i, struct cli_common *c);

/* The run options of m (runopts_of) with the common options over them;
 * then checks that this machine can hold the run (runlimits_check) and
 * prints runlimits_note's line if any. m is not changed (--years and --set
 * were applied when it was loaded, by cli_load_set). 0, or EXIT_INPUT
 * after printing the one-line error. */
int cli_common_apply(const struct model *m, const struct cli_common *c, struct runopts *ro);

/* Prints "flowsim: <message> (see flowsim --help)" and returns EXIT_INPUT.
 * fmt takes one string argument. */
int cli_usage_error(const char *fmt, const char *arg);

/* Loads a scenario, printing its one-line error. 0, or EXIT_INPUT. */
int cli_load(const char *path, struct model **out);

/* As cli_load, with c's --set PATH=VALUE and --years written over the
 * scenario (after its bases and variants, before validation) and then
 * `extra` more (n_extra "PATH=VALUE" strings, e.g. a sweep's point; may
 * be 0). */
int cli_load_set(const char *path, const struct cli_common *c, int n_extra,
                 const char *const *extra, struct model **out);

/* --years changes what is simulated, so the model is built with it: as a
 * --set of simulation.years after the user's own. Writes that "PATH=VALUE"
 * into buf and returns 1, or returns 0 without --years. */
int cli_years_set(const struct cli_common *c, char *buf, size_t n);

/* Splits "PATH=VALUE" at its first '=' into path (malloc'd) and *value
 * (pointing into s). 0, or EXIT_INPUT after printing a usage error. */
int cli_split_set(const char *s, char **path, const char **value);

/* "output/<kind>-<scenario name>" (malloc'd; NULL on OOM). */
char *cli_default_dir(const char *kind, const struct model *m);

struct cmp_run;
/* Runs models[0..n-1] with run options ros[0..n-1] into runs[]
 * (compare_run, keeping whole results with keep), taking the models over (each slot is NULL afterwards); progress
 * names each by labels[i] (NULL: the scenario's name). Stops at the first
 * failure: 0, or the exit status after printing the error. */
int cli_run_all(struct model **models, const struct runopts *ros, int n,
                const char *const *labels, bool keep, struct cmp_run *runs);

/* A command's result set (resultset.h), with its one-line messages.
 * begin: 0, or the exit status after printing the error. Only the root
 * writes under MPI: elsewhere rd stays empty and both calls do nothing. */
struct resultset;
int cli_results_begin(struct resultset *rd, const char *dir);
/* Ends the command: when rc is 0 and no signal came, swaps the new set in
 * (signals held) and returns 0; otherwise removes it, prints e's message
 * (or, when interrupted, that earlier results are untouched) and returns
 * the exit status (1 when interrupted). */
int cli_results_finish(struct resultset *rd, int rc, const struct err *e);
/* Draws the plots and report into rd->work (optional: a failure is one
 * warning line), its messages naming the final directory. */
void cli_results_plot(const struct resultset *rd, const char *lang);

/* The command line as one string, for run.json (malloc'd; NULL on OOM). */
char *cli_join_args(int argc, char **argv);

/* Commands (argv[1] is the command's name). */
int cli_run(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_compare(int argc, char **argv);     /* sim/cli_compare.c */
int cli_sweep(int argc, char **argv);       /* sim/cli_sweep.c */
int cli_sensitivity(int argc, char **argv); /* sim/cli_sensitivity.c */
int cli_optimise(int argc, char **argv);    /* sim/cli_optimise.c */
int cli_calibrate(int argc, char **argv);   /* sim/cli_calibrate.c */
void cli_calibrate_usage(FILE *out);
int cli_plot(int argc, char **argv);        /* sim/cli_plot.c */

#endif
