/* main.c: flowsim's entry point; all of it lives in cli.c. Built with
 * MPI (make MPI=1), it starts MPI, and only rank 0 speaks: the others'
 * stdout and stderr go to /dev/null, and cli.c lets only rank 0 write
 * files (runner_is_root). */
#include "cli/cli.h"

#ifdef FLOWSIM_MPI
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0 && (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)))
        MPI_Abort(MPI_COMM_WORLD, 1);
    int rc = cli_main(argc, argv);
    MPI_Finalize();
    return rc;
}
#else
int main(int argc, char **argv) { return cli_main(argc, argv); }
#endif
