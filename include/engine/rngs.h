/* rngs.h: one GSL random stream per purpose, seeded from (seed, replication,
 * purpose). Replication r of two scenarios run with one seed thus draws the
 * same numbers for the same purpose (common random numbers), and no result
 * depends on which thread ran which replication. */
#ifndef FLOWSIM_RNGS_H
#define FLOWSIM_RNGS_H

#include <math.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

enum rng_purpose {
    RNG_ARRIVAL,     /* arrival times and the arrivals' attributes */
    RNG_EXIT,        /* death, moving away (drawn once, at creation) */
    RNG_INIT,        /* the initial population */
    RNG_COUNT
    /* Assessment times, transitions and development are drawn from each
     * citizen's own stream (below). */
};

/* Besides the streams by purpose, every citizen has a stream of its own
 * for its own life: its assessments, transitions and development. Two
 * scenarios run with one seed then give a citizen the same draws for as long
 * as its history is the same, however other citizens' events reorder, which
 * keeps common random numbers in step (one shared stream falls out of step
 * at the first event that differs). It is GSL's taus2 generator, whose
 * 24-byte state lives in the citizen's record; one gsl_rng per replication
 * is pointed at the state of the citizen drawing. */
#define RNGS_CITIZEN_STATE_WORDS 3    /* uint64_t: room for taus2's state */

struct rngs {
    gsl_rng *r[RNG_COUNT];
    gsl_rng *citizen;          /* taus2, pointed at a citizen's state */
    gsl_rng *exit_redraw;      /* seeded at each plan change that redraws exits */
    void *citizen_own_state;   /* the state gsl_rng_alloc gave it, for free */
    uint64_t seed;
    uint32_t replication;
};

/* A well-mixed 64-bit stream seed from (seed, replication, purpose)
 * (SplitMix64 finaliser over the three). Distinct inputs give distinct,
 * uncorrelated seeds. */
uint64_t rngs_mix(uint64_t seed, uint32_t replication, uint32_t purpose);

/* A purpose with no stream in struct rngs: a replication's parameter draw
 * (engine/psa.c). Citizens' streams are purposes RNG_COUNT + citizen, and
 * citizens are fewer than 2^31, so this one is never a citizen's. */
#define RNGS_PURPOSE_UNCERTAINTY UINT32_MAX
/* A plan's change i that sets an exit rate draws the living citizens' exits
 * again from a stream of its own, purpose RNGS_PURPOSE_EXIT_REDRAW - i
 * (i < 64: never a citizen's nor the uncertainty's), so the RNG_EXIT stream
 * of the citizens created later stays in step with a scenario without the
 * change (common random numbers). */
#define RNGS_PURPOSE_EXIT_REDRAW (UINT32_MAX - 1)

/* The 32-bit seed of the GSL stream for (seed, replication, purpose), as
 * struct rngs seeds its streams. */
unsigned long rngs_stream_seed(uint64_t seed, uint32_t replication, uint32_t purpose);

/* Allocates and seeds every stream. Returns 0, or -1 when out of memory
 * (nothing stays allocated). Free with rngs_fini. */
int rngs_init(struct rngs *s, uint64_t seed, uint32_t replication);
/* Re-seeds existing streams for another replication (no allocation). */
void rngs_reseed(struct rngs *s, uint64_t seed, uint32_t replication);
void rngs_fini(struct rngs *s);

/* Seeds the citizen stream whose state is `state` (RNGS_CITIZEN_STATE_WORDS
 * words in the citizen's record) from (seed, replication, citizen number). */
void rngs_citizen_seed(struct rngs *s, uint64_t *state, uint32_t citizen);
/* The generator to draw a citizen's numbers with: valid until the next call
 * (it is one gsl_rng pointed at that citizen's state). */
static inline gsl_rng *rngs_citizen(struct rngs *s, uint64_t *state)
{
    s->citizen->state = state;
    return s->citizen;
}

/* Exponential waiting time at rate (per year); +INFINITY when rate <= 0.
 * GSL's gsl_ran_exponential(r, 1 / rate), written out so that the hot path
 * (every hazard draw) makes no library call besides the generator's. */
static inline double rngs_exp(gsl_rng *r, double rate)
{
    /* A zero, negative, NaN or infinite rate means "never": validation
     * rejects such rates, so an infinite one is not worth a special case. */
    if (!(rate > 0.0) || !isfinite(rate)) return INFINITY;
    double u = r->type->get_double(r->state);     /* gsl_rng_uniform */
    return -(1.0 / rate) * log1p(-u);
}
/* Gamma with this mean and sd (shape (mean/sd)^2); mean when sd == 0,
 * 0 when mean == 0. */
double rngs_gamma_mean_sd(gsl_rng *r, double mean, double sd);
/* Normal(mean, sd) truncated to [lo, hi], by inversion (one uniform per
 * draw, however far the mean lies from the interval). sd == 0 gives mean
 * clamped to [lo, hi]. */
double rngs_truncnorm(gsl_rng *r, double mean, double sd, double lo, double hi);
/* The same distribution prepared once (the normal CDF at its bounds), so
 * that each draw costs one inverse: the same numbers as rngs_truncnorm. */
enum truncnorm_shape { TRUNCNORM_POINT, TRUNCNORM_UPPER, TRUNCNORM_LOWER, TRUNCNORM_MIDDLE };
struct truncnorm {
    double mean, sd, lo, hi;
    enum truncnorm_shape shape;
    double a;                  /* tails: the near bound, standardised */
    double qa, qb;             /* tails: Q at the bounds; middle: P at them */
    double span;               /* tails: for the far tail's exponential */
};
void rngs_truncnorm_prepare(struct truncnorm *tn, double mean, double sd, double lo, double hi);
double rngs_truncnorm_draw(gsl_rng *r, const struct truncnorm *tn);
/* Binomial(n, p) with p clamped to [0, 1]. */
unsigned rngs_binomial(gsl_rng *r, double p, unsigned n);
/* Uniform on [0, 1). */
static inline double rngs_uniform(gsl_rng *r) { return gsl_rng_uniform(r); }

#endif
