/* main.c: flowsim's entry point; all of it lives in cli.c. */
#include "cli.h"

int main(int argc, char **argv) { return cli_main(argc, argv); }
