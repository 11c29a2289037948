/* pop.c: citizen storage. */
#include "engine/pop.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(MODEL_MAX_FLOWS + 2 + 3 <= 8, "the hot record's flags share one byte");
_Static_assert(offsetof(struct citizen, fl) == POP_HOT_BYTES,
               "the hot fields of a citizen should fill its first cache line");
_Static_assert(sizeof(struct citizen) == POP_CITIZEN_BYTES &&
                   POP_IN_RECORD_FLOWS * POP_FLOW_BYTES == POP_CITIZEN_BYTES - POP_HOT_BYTES,
               "a citizen's record should be its hot line and a line of two flows");
_Static_assert(sizeof(struct citizen_cold) == POP_COLD_BYTES,
               "struct citizen_cold should be POP_COLD_BYTES bytes");
_Static_assert(sizeof(struct citizen_flow) == POP_FLOW_BYTES, "struct citizen_flow size");

/* 64-byte aligned, so that a record's lines are cache lines. NULL when out
 * of memory. */
static void *alloc_lines(size_t n, size_t size)
{
    void *p = NULL;
    if (n > SIZE_MAX / size || posix_memalign(&p, POP_HOT_BYTES, n * size) != 0) return NULL;
    return p;
}

static void free_arrays(struct pop *p)
{
    free(p->c);
    free(p->cold);
    free(p->fl_more);
    p->c = NULL;
    p->cold = NULL;
    p->fl_more = NULL;
}

/* Arrays for cap citizens with the first n copied from p's; p is unchanged
 * when this fails (-1). */
static int realloc_arrays(struct pop *p, uint32_t cap)
{
    size_t more = p->n_flows > POP_IN_RECORD_FLOWS ? (size_t)(p->n_flows - POP_IN_RECORD_FLOWS) : 0;
    struct citizen *c = alloc_lines(cap, sizeof *c);
    struct citizen_cold *cold = alloc_lines(cap, sizeof *cold);
    struct citizen_flow *fl = more ? alloc_lines((size_t)cap * more, sizeof *fl) : NULL;
    if (!c || !cold || (more && !fl)) {
        free(c);
        free(cold);
        free(fl);
        return -1;
    }
    if (p->n) {
        memcpy(c, p->c, (size_t)p->n * sizeof *c);
        memcpy(cold, p->cold, (size_t)p->n * sizeof *cold);
        if (more) memcpy(fl, p->fl_more, (size_t)p->n * more * sizeof *fl);
    }
    free_arrays(p);
    p->c = c;
    p->cold = cold;
    p->fl_more = fl;
    p->cap = cap;
    return 0;
}

int pop_init(struct pop *p, uint32_t cap_hint, int n_flows)
{
    *p = (struct pop){ .n_flows = n_flows };
    if (n_flows < 1 || n_flows > MODEL_MAX_FLOWS) return -1;
    return realloc_arrays(p, cap_hint ? cap_hint : 1024);
}

void pop_fini(struct pop *p)
{
    free_arrays(p);
    p->n = p->cap = 0;
}

void pop_clear(struct pop *p) { p->n = 0; }

uint32_t pop_add(struct pop *p, const struct model *m, struct rngs *rng)
{
    if (p->n == p->cap && (p->cap >= POP_NIL / 2 || realloc_arrays(p, p->cap * 2) != 0))
        return POP_NIL;
    uint32_t ci = p->n;
    struct citizen *c = &p->c[ci];
    memset(c, 0, sizeof *c);
    memset(pop_cold(p, ci), 0, sizeof *p->cold);
    for (int f = 0; f < MODEL_MAX_FLOWS; f++)
        c->state[f] = (int8_t)(f < m->n_flows ? m->flows[f].n_rings : 0);
    for (int f = 0; f < p->n_flows; f++)
        *pop_flow(p, ci, f) = (struct citizen_flow){
            .wl_next = POP_NIL, .wl_prev = POP_NIL, .wait_ring = POP_NO_RING,
            .first_ring = POP_NO_RING, .expired = POP_NO_RING };
    c->alive = true;
    c->t_exit = INFINITY;             /* until its exit is drawn */
    rngs_citizen_seed(rng, c->rng_state, ci);
    return p->n++;
}
