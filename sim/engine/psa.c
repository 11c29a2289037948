/* psa.c: one parameter set per replication (engine/psa.h). */
#include "engine/psa.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "engine/rngs.h"
#include "model/scenario.h"
#include "model/setpath.h"
#include "model/uncertainty.h"

/* lo: the setting's lowest value (setpath_min), where a normal is cut. */
static double draw_param(const struct unc_param *p, double lo, gsl_rng *r, int *truncated)
{
    switch (p->dist) {
    case UNC_LOGNORMAL: return gsl_ran_lognormal(r, p->a, p->b);
    case UNC_GAMMA: return gsl_ran_gamma(r, p->a, p->b);
    case UNC_BETA: return gsl_ran_beta(r, p->a, p->b);
    case UNC_UNIFORM: return gsl_ran_flat(r, p->a, p->b);
    case UNC_NORMAL: {
        double v = p->a + gsl_ran_gaussian(r, p->b);
        if (v < lo) {
            (*truncated)++;
            v = lo;
        }
        return v;
    }
    }
    return NAN;
}

void psa_draw_from(const struct model *m, gsl_rng *r, double *values, int *truncated)
{
    const struct uncertainty *u = m->uncertainty;
    if (!u) return;
    for (int i = 0; i < u->n; i++) {
        struct setpath_ref ref;
        struct err e = { 0 };
        /* The loader resolved every path; 0 stands in should one not. */
        double lo = setpath_resolve(m, u->p[i].path, &ref, &e) == 0 ? setpath_min(&ref) : 0.0;
        values[i] = draw_param(&u->p[i], lo, r, truncated);
    }
    const struct unc_mvn *v = &u->mvn;
    if (v->k == 0) return;
    double z[v->k];
    for (int i = 0; i < v->k; i++) z[i] = gsl_ran_gaussian(r, 1.0);
    for (int i = 0; i < v->k; i++) {          /* exp(mean + L z), L lower-triangular */
        double x = v->mean[i];
        for (int j = 0; j <= i; j++) x += v->chol[i * v->k + j] * z[j];
        values[u->n + i] = exp(x);
    }
}

void psa_draw(const struct model *m, uint64_t seed, uint32_t replication, double *values,
              int *truncated)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) abort();                          /* a few kB: as the engine's streams */
    gsl_rng_set(r, rngs_stream_seed(seed, replication, RNGS_PURPOSE_UNCERTAINTY));
    psa_draw_from(m, r, values, truncated);
    gsl_rng_free(r);
}

/* Writes v into the setting `path` of d and of each epoch of its plan that
 * holds the scenario's own value there. */
static int set_everywhere(struct model *d, const char *path, double v, struct err *e)
{
    struct setpath_ref ref;
    if (setpath_resolve(d, path, &ref, e) < 0) return -1;
    double own = setpath_get(d, &ref);
    for (int i = -1; i < d->n_changes; i++) {
        struct model *em = i < 0 ? d : d->changes[i].m;
        struct setpath_ref er;
        if (setpath_resolve(em, path, &er, e) < 0) return -1;
        if (i >= 0 && setpath_get(em, &er) != own) continue;     /* the plan's value stands */
        if (setpath_set(em, &er, v, e) < 0) {
            char msg[sizeof e->msg];
            snprintf(msg, sizeof msg, "%s", e->msg);
            return err_set(e, EXIT_INPUT, "uncertainty: a draw of %s is %g, which it refuses: %s",
                           path, v, msg);
        }
    }
    return 0;
}

int psa_model(const struct model *m, const double *values, struct model **out, struct err *e)
{
    struct model *d;
    if (scenario_rebuild(m, &d, e) != 0) return -1;
    const struct uncertainty *u = m->uncertainty;
    for (int i = 0; i < uncertainty_count(u); i++)
        if (set_everywhere(d, uncertainty_path(u, i), values[i], e) < 0) {
            model_destroy(d);
            return -1;
        }
    *out = d;
    return 0;
}
