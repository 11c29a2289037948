/* evq.h: the event queue of ONE replication. Earliest t first; equal t in
 * insertion order (seq), so a seed always gives the same run.
 *
 * Two kinds of events. Plain events are never removed early: a handler
 * cancels one by bumping the stamp it carries (lazy cancellation), and the
 * loop drops stale events when they surface. Keyed events (one key per
 * citizen, such as its next hazard) carry a stamp too, the key's version
 * that the caller keeps: evq_set supersedes the key's previous event. A
 * superseded event in the far tier, where events wait long, is removed at
 * once (found through pos[key]), so the queue stays about as small as the
 * number of pending things; one in the heap or the lane stays, and pops
 * with its old stamp: the caller drops a keyed event whose stamp is not
 * its key's latest, as it drops stale plain events. So moving an event in
 * the heap never writes pos[]: at large populations those writes, one per
 * level of every sift into an array of 4 bytes per citizen, were cache
 * misses.
 *
 * Three places hold events; the order of pops is (t, seq) whichever holds
 * them, so the structure never changes a result:
 *   - the near heap: a 4-ary min-heap on (t, seq), kept small so that it
 *     stays in the caches;
 *   - the far tier, on once the heap outgrows spill_at: a ring of
 *     EVQ_RING unsorted buckets, each `width` years wide, covering the
 *     buckets win .. win + EVQ_RING - 1, and an unsorted overflow for later
 *     events. Bucket b holds events with floor(t / width) == b. Invariant:
 *     every far event's bucket is >= cur, so a heap event whose bucket is
 *     below cur comes before every far event. When the heap's earliest is
 *     not below cur, bucket cur moves into the heap and cur advances; when
 *     the ring is spent, the overflow is spread over a new window whose
 *     width is chosen from the overflow's times (about EVQ_BUCKET_TARGET
 *     events a bucket). Pushing to or removing from a bucket is O(1), so a
 *     large population no longer means a deep heap that misses the cache
 *     at every level;
 *   - the FIFO lane (evq_push_ordered).
 * pos[key] is 0 or EVQ_FAR with the bucket and slot the key's latest far
 * event was put in (see evq.c); it is not cleared when that bucket moves
 * into the heap, so it counts only while that slot still holds a keyed
 * event of the key (any such event is superseded by the next set). */
#ifndef FLOWSIM_EVQ_H
#define FLOWSIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event {                 /* 24 bytes: the heap's working set stays small */
    double t;                  /* years since start: never negative (nor -0) */
    uint64_t seq : 47;         /* insertion order: the tie-break */
    uint64_t keyed : 1;        /* a keyed event; its key is who */
    uint64_t kind : 8;         /* the engine's event kind */
    uint64_t flow : 8;
    uint32_t who;              /* citizen index, or 0 for global events */
    uint32_t stamp;            /* version of the state it was drawn from */
};

enum { EVQ_RING = 4096, EVQ_BUCKET_TARGET = 512, EVQ_SPILL_AT = 8192 };

struct evq_bucket {            /* unsorted events of one far bucket */
    struct event *ev;
    uint32_t n, cap;
};

struct evq {
    struct event *heap;        /* near tier: 4-ary min-heap on (t, seq) */
    size_t n, cap;
    struct event *lane;        /* FIFO ring of events pushed in time order */
    size_t lane_head, lane_n, lane_cap;
    uint64_t next_seq;
    uint32_t *pos;             /* pos[key]: where its far event may be (above) */
    size_t n_keys;
    /* far tier (above); width == 0 while it is off */
    struct evq_bucket *ring;   /* EVQ_RING buckets, bucket b at b % EVQ_RING */
    struct evq_bucket over;    /* events beyond the ring's window */
    size_t ring_n, far_n;      /* events in the ring; in ring + overflow */
    double width, inv_width;   /* years a bucket */
    uint64_t cur, win;         /* next bucket for the heap; window's first */
    size_t spill_at;           /* heap size that turns the far tier on */
    bool failed;               /* out of memory moving a bucket */
};

/* Caller-owned storage. cap_hint sizes the first allocation; the heap grows
 * geometrically. spill_at starts at EVQ_SPILL_AT (the tests lower it to
 * exercise the far tier with few events). Returns 0, or -1 when out of
 * memory. */
int evq_init(struct evq *q, size_t cap_hint);
void evq_fini(struct evq *q);
/* Empties the queue and restarts seq, keeping the allocation. */
void evq_clear(struct evq *q);

/* Returns 0, or -1 when out of memory (the queue is unchanged then). */
int evq_push(struct evq *q, double t, uint8_t kind, uint8_t flow,
             uint32_t who, uint32_t stamp);
/* Makes room for keys 0..n_keys-1. 0, or -1 when out of memory. */
int evq_reserve_keys(struct evq *q, size_t n_keys);
/* Schedules the keyed event of `who` (its key) at t with the caller's
 * stamp, superseding the one it had: that one is removed if it is in the
 * far tier, else it stays and pops with its own stamp (above: the caller
 * gives each set a new stamp and drops the others). t = +inf or NaN
 * queues nothing. The key must be reserved. 0, or -1 when out of memory. */
int evq_set(struct evq *q, uint32_t who, double t, uint8_t kind, uint8_t flow, uint32_t stamp);
/* Supersedes the keyed event of `who` with none: removed if it is in the
 * far tier (the caller's new stamp makes any other one stale). */
void evq_cancel(struct evq *q, uint32_t who);
/* Like evq_push, for events that arrive in time order (each at least as
 * late as the lane's last one, such as "again in six months" pushed by the
 * event being handled): they wait in a FIFO lane beside the heap, which
 * costs O(1) instead of two heap sifts. An event out of order goes to the
 * heap, so the order of pops is the same either way. */
int evq_push_ordered(struct evq *q, double t, uint8_t kind, uint8_t flow,
                     uint32_t who, uint32_t stamp);
/* Removes the earliest event into *out; false when the queue is empty, or
 * when it ran out of memory moving far events into the heap (q->failed
 * says so; the queue is unusable then). */
bool evq_pop(struct evq *q, struct event *out);
/* The earliest event without removing it (it may move a bucket into the
 * heap), or NULL. */
const struct event *evq_peek(struct evq *q);

static inline size_t evq_size(const struct evq *q) { return q->n + q->lane_n + q->far_n; }

#endif
