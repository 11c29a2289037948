/* pop.c: citizen storage. */
#include "engine/pop.h"

#include <stdlib.h>
#include <string.h>

int pop_init(struct pop *p, uint32_t cap_hint)
{
    p->n = 0;
    p->cap = cap_hint ? cap_hint : 1024;
    p->c = malloc((size_t)p->cap * sizeof *p->c);
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
        struct citizen *c = realloc(p->c, (size_t)cap * sizeof *c);
        if (!c) return POP_NIL;
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
    rngs_citizen_seed(rng, c->rng_state, p->n);
    return p->n++;
}
