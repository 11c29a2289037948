/* evq.c: a 4-ary min-heap on (t, seq) in one array of 24-byte events,
 * with a far tier of time buckets beside it (evq.h says how they share the
 * order). Heap invariant: for every i > 0, heap[(i-1)/4] <= heap[i] in
 * (t, seq) order. Keyed events in the heap are not indexed (evq.h).
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

/* pos[] of a keyed event in the far tier: EVQ_FAR set, then either
 * EVQ_OVER and its slot in the overflow, or its ring bucket (bits 18..29)
 * and slot (bits 0..17). An event whose bucket is full for its slot bits
 * (or cannot grow) goes to the heap instead, which is always correct. */
#define EVQ_FAR (UINT32_C(1) << 31)
#define EVQ_OVER (UINT32_C(1) << 30)
enum { RING_SLOT_BITS = 18 };
#define RING_SLOT_MAX ((UINT32_C(1) << RING_SLOT_BITS) - 1)
#define OVER_SLOT_MAX (EVQ_OVER - 1)
_Static_assert(EVQ_RING <= (1 << (30 - RING_SLOT_BITS)), "a ring bucket's number fits its bits");
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
    q->ring = NULL;
    q->over = (struct evq_bucket){ 0 };
    q->ring_n = q->far_n = 0;
    q->width = q->inv_width = 0.0;
    q->cur = q->win = 0;
    q->spill_at = EVQ_SPILL_AT;
    q->failed = false;
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
    if (q->ring)
        for (int b = 0; b < EVQ_RING; b++) free(q->ring[b].ev);
    free(q->ring);
    free(q->over.ev);
    q->ring = NULL;
    q->over = (struct evq_bucket){ 0 };
    q->ring_n = q->far_n = 0;
    q->width = 0.0;
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
    if (q->ring)
        for (int b = 0; b < EVQ_RING; b++) q->ring[b].n = 0;
    q->over.n = 0;
    q->ring_n = q->far_n = 0;
    q->width = q->inv_width = 0.0;
    q->cur = q->win = 0;
    q->failed = false;
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

/* Writes ev at heap index i. */
static inline void put(struct evq *q, size_t i, const struct event *ev)
{
    assert(i < q->cap);
    q->heap[i] = *ev;
}

#ifndef NDEBUG
/* The heap order around index i: its parent is not later, none of its
 * children earlier. */
static bool in_order_at(const struct evq *q, size_t i)
{
    const struct event *h = q->heap;
    if (i > 0 && ev_before(&h[i], &h[(i - 1) / ARITY])) return false;
    for (size_t k = ARITY * i + 1; k < q->n && k <= ARITY * i + ARITY; k++)
        if (ev_before(&h[k], &h[i])) return false;
    return true;
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

/* Removes the root. The hole goes down to a leaf along the earlier
 * children (ARITY - 1 comparisons a level instead of ARITY), and the last
 * event, which belongs near the bottom, is sifted up from there (Floyd). */
static void remove_root(struct evq *q)
{
    struct event *h = q->heap;
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

/* ---- the far tier (evq.h) ----------------------------------------------- */

static inline uint64_t bucket_of(const struct evq *q, double t)
{
    double b = t * q->inv_width;            /* monotone in t: so is the bucket */
    return b < 0x1p62 ? (uint64_t)b : UINT64_C(1) << 62;
}

static uint32_t far_code(const struct evq *q, const struct evq_bucket *b, uint32_t slot)
{
    if (b == &q->over) return EVQ_FAR | EVQ_OVER | slot;
    return EVQ_FAR | (uint32_t)(b - q->ring) << RING_SLOT_BITS | slot;
}

/* Appends ev to b; false when b is full or cannot grow. */
static bool bucket_add(struct evq *q, struct evq_bucket *b, const struct event *ev)
{
    uint32_t max = b == &q->over ? OVER_SLOT_MAX : RING_SLOT_MAX;
    if (b->n > max) return false;
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? 2 * b->cap : 16;
        struct event *e = realloc(b->ev, (size_t)cap * sizeof *e);
        if (!e) return false;
        b->ev = e;
        b->cap = cap;
    }
    b->ev[b->n] = *ev;
    if (ev->keyed) q->pos[ev->who] = far_code(q, b, b->n);
    b->n++;
    /* The tail's next cache line, before the next add writes it: the
     * buckets' tails are too many for the hardware's stream prefetcher. */
    if (b->n + 3 < b->cap) __builtin_prefetch(&b->ev[b->n + 3], 1);
    return true;
}

/* Removes the event at `slot` of b; the last one takes its place. */
static void bucket_remove(struct evq *q, struct evq_bucket *b, uint32_t slot)
{
    struct event *e = b->ev;
    if (e[slot].keyed) q->pos[e[slot].who] = 0;
    uint32_t last = --b->n;
    if (slot == last) return;
    e[slot] = e[last];
    if (e[slot].keyed) q->pos[e[slot].who] = far_code(q, b, slot);
}

/* Puts ev in the far tier if its bucket is not below cur; false when it
 * belongs to the heap (or its bucket cannot take it). */
static bool far_put(struct evq *q, const struct event *ev)
{
    if (q->width == 0.0) return false;
    uint64_t b = bucket_of(q, ev->t);
    if (b < q->cur) return false;
    bool in_ring = b - q->win < EVQ_RING;
    if (!bucket_add(q, in_ring ? &q->ring[b % EVQ_RING] : &q->over, ev)) return false;
    q->far_n++;
    q->ring_n += in_ring;
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A bucket width for n events of which the earliest is at t0: the
 * window of EVQ_RING buckets should hold about EVQ_BUCKET_TARGET events a
 * bucket, judged from an evenly spaced sample of their times. */
static void choose_width(struct evq *q, const struct event *ev, size_t n, double t0)
{
    enum { SAMPLE = 1024 };
    double s[SAMPLE];
    size_t k = n < SAMPLE ? n : SAMPLE, step = n / k;
    for (size_t i = 0; i < k; i++) s[i] = ev[i * step].t;
    qsort(s, k, sizeof *s, cmp_double);
    double share = (double)EVQ_RING * EVQ_BUCKET_TARGET / (double)n;
    double hi = share >= 1.0 ? s[k - 1] : s[(size_t)(share * (double)k)];
    double w = (hi - t0) / EVQ_RING;
    if (!(w > 0.0 && w < INFINITY)) w = (t0 > 1.0 ? t0 : 1.0) * 0x1p-30;  /* one time */
    q->width = w;
    q->inv_width = 1.0 / w;
}

/* Adds ev to the heap. 0, or -1 when out of memory. */
static int heap_add(struct evq *q, const struct event *ev)
{
    if (q->n == q->cap && evq_grow(q) != 0) return -1;
    sift_up(q, q->n++, ev);
    return 0;
}

/* Turns the far tier on once the heap has outgrown spill_at: cur just
 * after the earliest event's bucket, the heap's later events moved out
 * (the heap rebuilt from the rest), all of them to the overflow (an empty
 * window), so that the first pop spreads them over a window chosen from
 * all that were pushed meanwhile, such as a whole initial population.
 * Without memory for the ring it stays off: the heap alone is correct. */
static void far_start(struct evq *q)
{
    if (!q->ring && !(q->ring = calloc(EVQ_RING, sizeof *q->ring))) return;
    choose_width(q, q->heap, q->n, q->heap[0].t);
    q->cur = bucket_of(q, q->heap[0].t) + 1;
    q->win = UINT64_C(1) << 63;             /* no bucket is in the ring */
    if (!q->over.ev && q->cap <= OVER_SLOT_MAX) {
        /* room for as many as the heap had: grown, the overflow would be
         * copied while both copies are held */
        q->over.ev = malloc(q->cap * sizeof *q->over.ev);
        q->over.cap = q->over.ev ? (uint32_t)q->cap : 0;
    }
    size_t n = q->n, keep = 0;
    for (size_t i = 0; i < n; i++) {
        struct event ev = q->heap[i];       /* read before a sift writes it */
        if (far_put(q, &ev)) continue;
        q->n = keep + 1;
        sift_up(q, keep++, &ev);
    }
    q->n = keep;
}

/* Moves every event of b into the heap and frees b's array (a bucket is
 * full only while it is near: kept, every array would stay as large as
 * its busiest moment). False when out of memory. */
static bool bucket_to_heap(struct evq *q, struct evq_bucket *b, bool in_ring)
{
    while (b->n > 0) {
        struct event ev = b->ev[b->n - 1];
        if (heap_add(q, &ev) != 0) return false;
        b->n--;
        q->far_n--;
        q->ring_n -= in_ring;
    }
    free(b->ev);
    *b = (struct evq_bucket){ 0 };
    return true;
}

/* The ring is spent: a new window from the overflow's earliest bucket,
 * with a width chosen from the overflow's times, and the overflow's events
 * that fall in it moved to the ring. The overflow is walked from its end
 * and shrunk as it empties, so the moved events are not held twice. */
static void far_rewindow(struct evq *q)
{
    enum { SHRINK_STEP = 16384 };          /* events: 384 KiB */
    struct evq_bucket *o = &q->over;
    double t0 = INFINITY;
    for (uint32_t i = 0; i < o->n; i++) t0 = o->ev[i].t < t0 ? o->ev[i].t : t0;
    choose_width(q, o->ev, o->n, t0);
    q->cur = q->win = bucket_of(q, t0);
    for (uint32_t i = o->n; i-- > 0;) {
        struct event ev = o->ev[i];
        uint64_t b = bucket_of(q, ev.t);
        if (b - q->win < EVQ_RING && bucket_add(q, &q->ring[b % EVQ_RING], &ev)) {
            q->ring_n++;
            uint32_t last = --o->n;         /* the last one was walked: it stays */
            if (i != last) {
                o->ev[i] = o->ev[last];
                if (o->ev[i].keyed) q->pos[o->ev[i].who] = far_code(q, o, i);
            }
            if (o->cap - o->n >= SHRINK_STEP) {
                struct event *e = o->n ? realloc(o->ev, (size_t)o->n * sizeof *e) : NULL;
                if (e || !o->n) {
                    if (!o->n) free(o->ev);
                    o->ev = e;
                    o->cap = o->n;
                }
            }
        }
    }
}

/* Moves far buckets into the heap until the heap's earliest event comes
 * before every far event (its bucket below cur), or the far tier is empty,
 * which turns it off. False when out of memory (q->failed). */
static bool far_settle(struct evq *q)
{
    while (q->far_n > 0 && (q->n == 0 || bucket_of(q, q->heap[0].t) >= q->cur)) {
        if (q->ring_n == 0) far_rewindow(q);
        bool ok = q->ring_n > 0 ? bucket_to_heap(q, &q->ring[q->cur++ % EVQ_RING], true)
                                : bucket_to_heap(q, &q->over, false);   /* no memory for the ring */
        if (!ok) {
            q->failed = true;
            return false;
        }
    }
    if (q->far_n == 0) q->width = 0.0;
    return true;
}

/* Queues ev in the far tier or the heap. 0, or -1 when out of memory. */
static int place(struct evq *q, const struct event *ev)
{
    if (far_put(q, ev)) return 0;
    if (heap_add(q, ev) != 0) return -1;
    if (q->n > q->spill_at && q->width == 0.0) far_start(q);
    return 0;
}

/* Removes who's keyed event from the far tier if pos[who] still points at
 * one (its bucket may have moved into the heap since: evq.h). */
static void remove_key(struct evq *q, uint32_t who)
{
    uint32_t p = q->pos[who];
    if (!(p & EVQ_FAR)) return;
    bool in_ring = !(p & EVQ_OVER);
    struct evq_bucket *b = in_ring ? &q->ring[(p & ~EVQ_FAR) >> RING_SLOT_BITS] : &q->over;
    uint32_t slot = p & (in_ring ? RING_SLOT_MAX : OVER_SLOT_MAX);
    q->pos[who] = 0;
    if (!(slot < b->n && b->ev[slot].keyed && b->ev[slot].who == who)) return;
    bucket_remove(q, b, slot);
    q->far_n--;
    q->ring_n -= in_ring;
}

/* ---- the interface -------------------------------------------------------- */

int evq_set(struct evq *q, uint32_t who, double t, uint8_t kind, uint8_t flow, uint32_t stamp)
{
    assert(who < q->n_keys);
    remove_key(q, who);
    if (!(t < INFINITY)) return 0;      /* also NaN: never fires */
    assert(t >= 0.0 && !signbit(t));
    struct event ev = { .t = t, .seq = q->next_seq++, .keyed = 1, .kind = kind, .flow = flow,
                        .who = who, .stamp = stamp };
    return place(q, &ev);
}

void evq_cancel(struct evq *q, uint32_t who)
{
    if (who < q->n_keys) remove_key(q, who);
}

int evq_push(struct evq *q, double t, uint8_t kind, uint8_t flow,
             uint32_t who, uint32_t stamp)
{
    assert(t >= 0.0 && !signbit(t));
    struct event ev = { .t = t, .seq = q->next_seq++, .keyed = 0, .kind = kind, .flow = flow,
                        .who = who, .stamp = stamp };
    return place(q, &ev);
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
    if (q->far_n > 0 && !far_settle(q)) return false;
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
    /* Its key's far slot, if pos[] still names one, is another event's
     * now (or its own stale one): forget it, so that the next set need not
     * look (the caller has usually just loaded this line to handle it). */
    if (out->keyed) q->pos[out->who] = 0;
    return true;
}

const struct event *evq_peek(struct evq *q)
{
    if (q->far_n > 0 && !far_settle(q)) return NULL;
    if (q->lane_n > 0 && (q->n == 0 || ev_before(&q->lane[q->lane_head], &q->heap[0])))
        return &q->lane[q->lane_head];
    return q->n ? &q->heap[0] : NULL;
}
