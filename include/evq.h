/* evq.h: the event queue of ONE replication. Earliest t first; equal t in
 * insertion order (seq), so a seed always gives the same run. Events are
 * never removed early: a handler cancels one by bumping the stamp it carries
 * (lazy cancellation), and the loop drops stale events when they surface. */
#ifndef FLOWSIM_EVQ_H
#define FLOWSIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event {                 /* 32 bytes: two to a cache line */
    double t;                  /* years since start */
    uint64_t seq;              /* insertion order: the tie-break */
    uint32_t who;              /* citizen index, or 0 for global events */
    uint32_t stamp;            /* version of the state it was drawn from */
    uint8_t kind;              /* the engine's event kind */
    uint8_t flow;
};

struct evq {
    struct event *heap;        /* binary min-heap on (t, seq) */
    size_t n, cap;
    uint64_t next_seq;
};

/* Caller-owned storage. cap_hint sizes the first allocation; the heap grows
 * geometrically. Returns 0, or -1 when out of memory. */
int evq_init(struct evq *q, size_t cap_hint);
void evq_fini(struct evq *q);
/* Empties the queue and restarts seq, keeping the allocation. */
void evq_clear(struct evq *q);

/* Returns 0, or -1 when out of memory (the queue is unchanged then). */
int evq_push(struct evq *q, double t, uint8_t kind, uint8_t flow,
             uint32_t who, uint32_t stamp);
/* Removes the earliest event into *out; false when the queue is empty. */
bool evq_pop(struct evq *q, struct event *out);
/* The earliest event without removing it, or NULL. */
const struct event *evq_peek(const struct evq *q);

static inline size_t evq_size(const struct evq *q) { return q->n; }

#endif
