/* pop.c: citizen storage. */
#include "engine/pop.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(offsetof(struct citizen, hz_t) == POP_HOT_BYTES,
               "the hot fields of struct citizen should fill one cache line");
_Static_assert(sizeof(struct citizen) == POP_CITIZEN_BYTES,
               "struct citizen should be POP_CITIZEN_BYTES bytes");

/* 64-byte aligned, so that every record's hot part is one cache line. */
static struct citizen *alloc_citizens(uint32_t cap)
{
    void *p = NULL;
    if (posix_memalign(&p, POP_HOT_BYTES, (size_t)cap * sizeof(struct citizen)) != 0) return NULL;
    return p;
}

int pop_init(struct pop *p, uint32_t cap_hint)
{
    p->n = 0;
    p->cap = cap_hint ? cap_hint : 1024;
    p->c = alloc_citizens(p->cap);
    return p->c ? 0 : -1;
}

void pop_fini(struct pop *p)
{
    free(p->c);
    p->c = NULL;
    p->n = p->cap = 0;
}

void pop_clear(struct pop *p) { p->n = 0; }

uint32_t pop_add(struct pop *p, const struct model *m, struct rngs *rng)
{
    if (p->n == p->cap) {
        if (p->cap >= POP_NIL / 2) return POP_NIL;
        uint32_t cap = p->cap * 2;
        struct citizen *c = alloc_citizens(cap);
        if (!c) return POP_NIL;
        memcpy(c, p->c, (size_t)p->n * sizeof *c);
        free(p->c);
        p->c = c;
        p->cap = cap;
    }
    struct citizen *c = &p->c[p->n];
    memset(c, 0, sizeof *c);
    for (int f = 0; f < MODEL_MAX_FLOWS; f++) {
        c->state[f] = (int8_t)(f < m->n_flows ? m->flows[f].n_rings : 0);
        c->wait_ring[f] = POP_NO_RING;
        c->first_ring[f] = POP_NO_RING;
        c->expired[f] = POP_NO_RING;
        c->wl_next[f] = c->wl_prev[f] = POP_NIL;
    }
    c->alive = true;
    c->t_exit = INFINITY;             /* until its exit is drawn */
    rngs_citizen_seed(rng, c->rng_state, p->n);
    return p->n++;
}
