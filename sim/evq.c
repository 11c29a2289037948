/* evq.c: binary min-heap on (t, seq) in one array of 32-byte events.
 * Invariant: for every i > 0, heap[(i-1)/2] <= heap[i] in (t, seq) order.
 * seq is unique per push, so the order is total and pops are deterministic.
 * Sifts move a "hole" and write the moving event once, instead of swapping
 * at every level: this is the hot path of every replication. */
#include "evq.h"

#include <stdlib.h>

_Static_assert(sizeof(struct event) == 32, "struct event should be 32 bytes");

enum { EVQ_MIN_CAP = 64 };

/* True when a must come out before b. */
static inline bool ev_before(const struct event *a, const struct event *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

int evq_init(struct evq *q, size_t cap_hint)
{
    size_t cap = cap_hint < EVQ_MIN_CAP ? EVQ_MIN_CAP : cap_hint;
    q->n = 0;
    q->next_seq = 0;
    q->heap = cap <= SIZE_MAX / sizeof *q->heap
                  ? malloc(cap * sizeof *q->heap) : NULL;
    if (!q->heap) {
        q->cap = 0;
        return -1;
    }
    q->cap = cap;
    return 0;
}

void evq_fini(struct evq *q)
{
    free(q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
    q->next_seq = 0;
}

void evq_clear(struct evq *q)
{
    q->n = 0;
    q->next_seq = 0;
}

/* Doubles the array; the queue is untouched when this fails. */
static int evq_grow(struct evq *q)
{
    size_t cap = q->cap ? q->cap : EVQ_MIN_CAP;
    if (q->cap) {
        if (cap > SIZE_MAX / 2 / sizeof *q->heap) return -1;
        cap *= 2;
    }
    struct event *h = realloc(q->heap, cap * sizeof *h);
    if (!h) return -1;
    q->heap = h;
    q->cap = cap;
    return 0;
}

int evq_push(struct evq *q, double t, uint8_t kind, uint8_t flow,
             uint32_t who, uint32_t stamp)
{
    if (q->n == q->cap && evq_grow(q) != 0) return -1;
    struct event ev = { .t = t, .seq = q->next_seq++, .who = who,
                        .stamp = stamp, .kind = kind, .flow = flow };
    struct event *h = q->heap;
    size_t i = q->n++;
    /* Sift up: move parents down into the hole until ev fits. */
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ev_before(&ev, &h[parent])) break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = ev;
    return 0;
}

bool evq_pop(struct evq *q, struct event *out)
{
    if (q->n == 0) return false;
    struct event *h = q->heap;
    *out = h[0];
    size_t n = --q->n;
    if (n == 0) return true;
    /* The last event fills the root's hole; sift the hole down to where
     * it fits, pulling the smaller child up at each level. */
    struct event last = h[n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && ev_before(&h[c + 1], &h[c])) c++;
        if (!ev_before(&h[c], &last)) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = last;
    return true;
}

const struct event *evq_peek(const struct evq *q)
{
    return q->n ? &q->heap[0] : NULL;
}
