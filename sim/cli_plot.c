/* cli_plot.c: placeholder until its issue lands; says so and exits 2. */
#include "cli.h"

#include "err.h"

int cli_plot(int argc, char **argv)
{
    (void)argc;
    return cli_usage_error("'%s' is not available in this version yet", argv[1]);
}
