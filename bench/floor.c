/* floor.c: the bare M/M/c loop (floor.h). Deliberately plain: a binary
 * min-heap of (time, kind) events, no citizens, no statistics but the mean
 * wait (so that the work cannot be optimised away). */
#include "floor.h"

#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

enum { ARRIVAL, DEPARTURE };

struct fev { double t; int kind; };

struct fheap { struct fev *a; size_t n, cap; };

static void fheap_push(struct fheap *h, double t, int kind)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        h->a = realloc(h->a, h->cap * sizeof *h->a);
        if (!h->a) abort();
    }
    size_t i = h->n++;
    while (i > 0 && h->a[(i - 1) / 2].t > t) {
        h->a[i] = h->a[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->a[i] = (struct fev){ t, kind };
}

static struct fev fheap_pop(struct fheap *h)
{
    struct fev top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && h->a[c + 1].t < h->a[c].t) c++;
        if (!(h->a[c].t < last.t)) break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n > 0) h->a[i] = last;
    return top;
}

/* FIFO of the waiting customers' arrival times (a growing ring). */
struct fifo { double *a; size_t head, n, cap; };

static void fifo_push(struct fifo *q, double t)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 1024;
        double *a = malloc(cap * sizeof *a);
        if (!a) abort();
        for (size_t i = 0; i < q->n; i++) a[i] = q->a[(q->head + i) % q->cap];
        free(q->a);
        q->a = a;
        q->cap = cap;
        q->head = 0;
    }
    q->a[(q->head + q->n++) % q->cap] = t;
}

static double fifo_pop(struct fifo *q)
{
    double t = q->a[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    return t;
}

struct floor_result floor_mmc(double lambda, int c, double mu, double years, int reps,
                              uint64_t seed)
{
    struct floor_result res = { 0 };
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    if (!g) abort();
    struct fheap h = { 0 };
    struct fifo q = { 0 };
    double wait_sum = 0.0, served = 0.0;
    for (int r = 0; r < reps; r++) {
        gsl_rng_set(g, (unsigned long)(seed + (uint64_t)r));
        h.n = 0;
        q.n = q.head = 0;
        int busy = 0;
        fheap_push(&h, gsl_ran_exponential(g, 1.0 / lambda), ARRIVAL);
        while (h.n > 0) {
            struct fev e = fheap_pop(&h);
            if (e.t >= years) break;
            res.events++;
            if (e.kind == ARRIVAL) {
                res.customers++;
                fheap_push(&h, e.t + gsl_ran_exponential(g, 1.0 / lambda), ARRIVAL);
                if (busy < c) {
                    busy++;
                    served++;
                    fheap_push(&h, e.t + gsl_ran_exponential(g, 1.0 / mu), DEPARTURE);
                } else {
                    fifo_push(&q, e.t);
                }
            } else if (q.n > 0) {               /* the place goes to the head */
                wait_sum += e.t - fifo_pop(&q);
                served++;
                fheap_push(&h, e.t + gsl_ran_exponential(g, 1.0 / mu), DEPARTURE);
            } else {
                busy--;
            }
        }
    }
    res.mean_wait = served > 0 ? wait_sum / served : 0.0;
    free(h.a);
    free(q.a);
    gsl_rng_free(g);
    return res;
}
