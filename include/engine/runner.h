/* runner.h: runs a model's replications on worker threads. Workers take
 * replication indices from an atomic counter and write results[r]; nothing
 * is aggregated until all have joined, so no result depends on -j. */
#ifndef FLOWSIM_RUNNER_H
#define FLOWSIM_RUNNER_H

#include <stdbool.h>
#include <signal.h>
#include <stdint.h>

#include "base/err.h"
#include "engine/repagg.h"
#include "engine/sim.h"
#include "model/model.h"
#include "model/runopts.h"

struct run_results {
    const struct model *m;
    struct runopts ro;          /* how it was run: replications, seed, files, language */
    struct sim_shape shape;
    int n_rep;
    struct rep_result *rep;     /* n_rep, in replication order; on rank 0 the
                                 * series and wait_hist of each are folded into
                                 * agg and freed (NULL) */
    struct repagg agg;          /* rank 0: every replication's series, folded */
    uint64_t n_events;          /* over all replications */
    double wall_seconds;
    int threads;                /* threads actually used (per rank) */
    int ranks;                  /* MPI processes (1 without MPI) */
    int psa_truncated;          /* with ro.uncertainty: normal draws set to 0 (this rank) */
};

/* Runs ro->replications replications of m from ro->seed with ro->threads
 * workers (0 = all cores). Under MPI (make MPI=1, mpirun) the replications
 * are split in contiguous blocks over the ranks and gathered on rank 0 in
 * replication order; other ranks' results hold only their own block.
 * Replication 0 records the RBS panel and the event log if ro asks.
 * Each replication's arrays are allocated by the worker that runs it, so
 * a huge -r starts at once and stops at once; its time series and waiting
 * histogram are folded into out->agg in replication order (at most a few
 * replications per thread wait for an earlier one) and freed, so memory
 * grows with -r by the KPIs and the quantiles' share only.
 * progress: draw a progress line on stderr (the caller checks isatty).
 * stop (may be NULL): when it becomes non-zero the run stops within a
 * fraction of a second and fails with "interrupted" (see interrupt.h).
 * Returns 0, or -1 with e set; out is released on failure. */
int runner_run(const struct model *m, const struct runopts *ro, bool progress,
               const volatile sig_atomic_t *stop, struct run_results *out, struct err *e);
void runner_results_fini(struct run_results *res);

/* True unless this is an MPI rank other than 0: only the root writes
 * files and prints. Built without MPI (the default), always true. */
bool runner_is_root(void);

/* Number of online processors (at least 1). */
int runner_cores(void);

#endif
