/* parfor.h: a loop whose iterations are independent, run on worker threads.
 * Each iteration writes only its own slot of the caller's arrays, so the
 * result does not depend on the number of threads. */
#ifndef FLOWSIM_PARFOR_H
#define FLOWSIM_PARFOR_H

#include "base/err.h"

/* One iteration: 0, or -1 with e set. */
typedef int (*parfor_fn)(void *ctx, int k, struct err *e);

/* Runs fn(ctx, k, ...) for k = 0..n-1 on at most `threads` threads
 * (1 or fewer: in this thread, in order), taking iterations from a shared
 * counter. After the first failure no new iteration starts, and the
 * error returned is that of the lowest failed k. 0, or -1 with e set. */
int parfor_run(int threads, int n, parfor_fn fn, void *ctx, struct err *e);

#endif
