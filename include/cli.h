/* cli.h: the command line of SPEC §4. Parses, dispatches, prints errors and
 * returns the exit status (0 done, 1 runtime failure, 2 bad usage or input). */
#ifndef FLOWSIM_CLI_H
#define FLOWSIM_CLI_H

#include <stdio.h>

int cli_main(int argc, char **argv);

/* The usage text (also what the README shows). */
void cli_usage(FILE *out);

#endif
