/* parfor.c: independent iterations on worker threads (see parfor.h). */
#include "base/parfor.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct parfor {
    parfor_fn fn;
    void *ctx;
    int n;
    atomic_int next;            /* the next iteration to take */
    atomic_int failed;          /* an iteration failed: take no more */
    pthread_mutex_t lock;       /* guards err and err_k */
    struct err err;
    int err_k;                  /* the failed iteration kept in err */
};

static void *worker(void *arg)
{
    struct parfor *p = arg;
    for (;;) {
        if (atomic_load(&p->failed)) break;
        int k = atomic_fetch_add(&p->next, 1);
        if (k >= p->n) break;
        struct err e = { 0 };
        if (p->fn(p->ctx, k, &e) == 0) continue;
        pthread_mutex_lock(&p->lock);
        if (k < p->err_k) {
            p->err = e;
            p->err_k = k;
        }
        pthread_mutex_unlock(&p->lock);
        atomic_store(&p->failed, 1);
    }
    return NULL;
}

int parfor_run(int threads, int n, parfor_fn fn, void *ctx, struct err *e)
{
    if (threads > n) threads = n;
    if (threads <= 1) {
        for (int k = 0; k < n; k++)
            if (fn(ctx, k, e) != 0) return -1;
        return 0;
    }
    struct parfor p = { .fn = fn, .ctx = ctx, .n = n, .err_k = n };
    atomic_init(&p.next, 0);
    atomic_init(&p.failed, 0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    int started = 0;
    /* Without memory for the ids, or when a thread cannot start, the
     * threads started (or this one) do the work. */
    while (tid && started < threads && pthread_create(&tid[started], NULL, worker, &p) == 0)
        started++;
    if (started == 0) worker(&p);
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    free(tid);
    pthread_mutex_destroy(&p.lock);
    if (p.err_k < n) {
        if (e) *e = p.err;
        return -1;
    }
    return 0;
}
