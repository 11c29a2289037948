/* evq.c: 4-ary min-heap on (t, seq) in one array of 24-byte events.
 * Invariant: for every i > 0, heap[(i-1)/4] <= heap[i] in (t, seq) order;
 * pos[who] == i + 1 for every keyed event at index i.
 * seq is unique per push, so the order is total and pops are deterministic.
 * Sifts move a "hole" and write the moving event once, instead of swapping
 * at every level: this is the hot path of every replication. The assert()s
 * check the invariant where a sift ends (the event against its parent and
 * its children) in the debug and sanitizer builds; the plain build has
 * NDEBUG, so they cost it nothing. */
#include "engine/evq.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct event) == 24, "struct event should be 24 bytes");

enum { EVQ_MIN_CAP = 64 };
/* A 4-ary heap: half the levels of a binary one, and a node's children lie
 * in two adjacent cache lines, which pays off on pops (profiled). */
enum { ARITY = 4 };

/* True when a must come out before b. Evaluated without short-circuit
 * branches (bitwise | and &): choosing the earliest child is a coin toss a
 * branch predictor loses half the time, and a conditional move does not. */
static inline uint64_t time_key(double t)
{
    /* Times are never negative (evq.h), and the bits of non-negative IEEE
     * doubles order as the numbers do: they compare as integers. */
    uint64_t u;
    memcpy(&u, &t, sizeof u);
    return u;
}

static inline bool ev_before(const struct event *a, const struct event *b)
{
    /* One comparison of (time, seq) as a 128-bit number: no branch. */
    __extension__ typedef unsigned __int128 u128;
    u128 x = (u128)time_key(a->t) << 64 | a->seq, y = (u128)time_key(b->t) << 64 | b->seq;
    return x < y;
}

/* Index of the earliest of the children first .. end-1 (end > first). */
static inline size_t earliest_child(const struct event *h, size_t first, size_t end)
{
    size_t c = first;
    for (size_t k = first + 1; k < end; k++) c = ev_before(&h[k], &h[c]) ? k : c;
    return c;
}

int evq_init(struct evq *q, size_t cap_hint)
{
    size_t cap = cap_hint < EVQ_MIN_CAP ? EVQ_MIN_CAP : cap_hint;
    q->n = 0;
    q->next_seq = 0;
    q->pos = NULL;
    q->n_keys = 0;
    q->lane = NULL;
    q->lane_head = q->lane_n = q->lane_cap = 0;
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
    free(q->pos);
    free(q->lane);
    q->lane = NULL;
    q->lane_head = q->lane_n = q->lane_cap = 0;
    q->pos = NULL;
    q->n_keys = 0;
    q->heap = NULL;
    q->n = q->cap = 0;
    q->next_seq = 0;
}

void evq_clear(struct evq *q)
{
    q->n = 0;
    q->next_seq = 0;
    q->lane_head = q->lane_n = 0;
    if (q->pos) memset(q->pos, 0, q->n_keys * sizeof *q->pos);
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

int evq_reserve_keys(struct evq *q, size_t n_keys)
{
    if (n_keys <= q->n_keys) return 0;
    size_t n = q->n_keys ? q->n_keys : n_keys > 1024 ? n_keys : 1024;
    while (n < n_keys) n *= 2;
    if (n > (size_t)UINT32_MAX) return -1;
    uint32_t *pos = realloc(q->pos, n * sizeof *pos);
    if (!pos) return -1;
    memset(pos + q->n_keys, 0, (n - q->n_keys) * sizeof *pos);
    q->pos = pos;
    q->n_keys = n;
    return 0;
}

/* Writes ev at heap index i, keeping its key's position current. */
static inline void put(struct evq *q, size_t i, const struct event *ev)
{
    assert(i < q->cap);
    assert(!ev->keyed || ev->who < q->n_keys);
    q->heap[i] = *ev;
    if (ev->keyed) q->pos[ev->who] = (uint32_t)(i + 1);
}

#ifndef NDEBUG
/* The heap order around index i: its parent is not later, none of its
 * children earlier; and its key points at it. */
static bool in_order_at(const struct evq *q, size_t i)
{
    const struct event *h = q->heap;
    if (i > 0 && ev_before(&h[i], &h[(i - 1) / ARITY])) return false;
    for (size_t k = ARITY * i + 1; k < q->n && k <= ARITY * i + ARITY; k++)
        if (ev_before(&h[k], &h[i])) return false;
    return !h[i].keyed || q->pos[h[i].who] == i + 1;
}
#endif

/* Sift the hole at i up until ev fits; returns where it went. */
static size_t sift_up(struct evq *q, size_t i, const struct event *ev)
{
    struct event *h = q->heap;
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!ev_before(ev, &h[parent])) break;
        put(q, i, &h[parent]);
        i = parent;
    }
    put(q, i, ev);
    assert(in_order_at(q, i));
    return i;
}

/* Sift the hole at i down until ev fits, pulling the smaller child up. */
static void sift_down(struct evq *q, size_t i, const struct event *ev)
{
    struct event *h = q->heap;
    size_t n = q->n;
    for (;;) {
        size_t first = ARITY * i + 1;
        if (first >= n) break;
        size_t end = first + ARITY < n ? first + ARITY : n;
        size_t c = earliest_child(h, first, end);
        if (!ev_before(&h[c], ev)) break;
        put(q, i, &h[c]);
        i = c;
    }
    put(q, i, ev);
    assert(in_order_at(q, i));
}

/* Removes the event at heap index i. */
static void remove_at(struct evq *q, size_t i)
{
    if (q->heap[i].keyed) q->pos[q->heap[i].who] = 0;
    size_t n = --q->n;
    if (i == n) return;
    struct event last = q->heap[n];
    if (i > 0 && ev_before(&last, &q->heap[(i - 1) / ARITY])) sift_up(q, i, &last);
    else sift_down(q, i, &last);
}

/* Removes the root. The hole goes down to a leaf along the earlier
 * children (ARITY - 1 comparisons a level instead of ARITY), and the last
 * event, which belongs near the bottom, is sifted up from there (Floyd). */
static void remove_root(struct evq *q)
{
    struct event *h = q->heap;
    if (h[0].keyed) q->pos[h[0].who] = 0;
    size_t n = --q->n;
    if (n == 0) return;
    struct event last = h[n];
    size_t i = 0;
    for (;;) {
        size_t first = ARITY * i + 1;
        if (first >= n) break;
        size_t end = first + ARITY < n ? first + ARITY : n;
        size_t c = earliest_child(h, first, end);
        put(q, i, &h[c]);
        i = c;
    }
    sift_up(q, i, &last);
}

int evq_set(struct evq *q, uint32_t who, double t, uint8_t kind, uint8_t flow)
{
    uint32_t p = q->pos[who];
    if (!(t < INFINITY)) {              /* also NaN: never fires */
        if (p) remove_at(q, p - 1);
        return 0;
    }
    assert(t >= 0.0 && !signbit(t));
    struct event ev = { .t = t, .seq = q->next_seq++, .keyed = 1, .kind = kind, .flow = flow,
                        .who = who, .stamp = 0 };
    if (!p) {
        if (q->n == q->cap && evq_grow(q) != 0) return -1;
        sift_up(q, q->n++, &ev);
        return 0;
    }
    size_t i = p - 1;
    /* A later time or seq never moves it up; an earlier time never down. */
    if (ev_before(&ev, &q->heap[i])) sift_up(q, i, &ev);
    else sift_down(q, i, &ev);
    return 0;
}

void evq_cancel(struct evq *q, uint32_t who)
{
    if (who < q->n_keys && q->pos[who]) remove_at(q, q->pos[who] - 1);
}

int evq_push(struct evq *q, double t, uint8_t kind, uint8_t flow,
             uint32_t who, uint32_t stamp)
{
    assert(t >= 0.0 && !signbit(t));
    if (q->n == q->cap && evq_grow(q) != 0) return -1;
    struct event ev = { .t = t, .seq = q->next_seq++, .keyed = 0, .kind = kind, .flow = flow,
                        .who = who, .stamp = stamp };
    sift_up(q, q->n++, &ev);
    return 0;
}

static const struct event *lane_last(const struct evq *q)
{
    return &q->lane[(q->lane_head + q->lane_n - 1) % q->lane_cap];
}

int evq_push_ordered(struct evq *q, double t, uint8_t kind, uint8_t flow,
                     uint32_t who, uint32_t stamp)
{
    if (q->lane_n > 0 && t < lane_last(q)->t) return evq_push(q, t, kind, flow, who, stamp);
    if (q->lane_n == q->lane_cap) {
        /* Grow in place; the part that wrapped round to the front moves to
         * just after the old end, so the ring stays in order. */
        size_t old = q->lane_cap, cap = old ? 2 * old : EVQ_MIN_CAP;
        struct event *l = realloc(q->lane, cap * sizeof *l);
        if (!l) return -1;
        size_t wrapped = q->lane_head + q->lane_n > old ? q->lane_head + q->lane_n - old : 0;
        memcpy(l + old, l, wrapped * sizeof *l);
        q->lane = l;
        q->lane_cap = cap;
    }
    struct event ev = { .t = t, .seq = q->next_seq++, .keyed = 0, .kind = kind, .flow = flow,
                        .who = who, .stamp = stamp };
    q->lane[(q->lane_head + q->lane_n++) % q->lane_cap] = ev;
    return 0;
}

bool evq_pop(struct evq *q, struct event *out)
{
    /* The lane is sorted, so its head is its earliest: compare it with the
     * heap's root on (t, seq), the one order of the queue. */
    if (q->lane_n > 0 && (q->n == 0 || ev_before(&q->lane[q->lane_head], &q->heap[0]))) {
        *out = q->lane[q->lane_head];
        q->lane_head = (q->lane_head + 1) % q->lane_cap;
        q->lane_n--;
        return true;
    }
    if (q->n == 0) return false;
    *out = q->heap[0];
    remove_root(q);
    return true;
}

const struct event *evq_peek(const struct evq *q)
{
    if (q->lane_n > 0 && (q->n == 0 || ev_before(&q->lane[q->lane_head], &q->heap[0])))
        return &q->lane[q->lane_head];
    return q->n ? &q->heap[0] : NULL;
}
