/* rngs.c: per-purpose GSL streams (MT19937) and the few distributions the
 * model draws from. Stream p of replication r is seeded from
 * rngs_mix(seed, r, p) only, so it never depends on thread scheduling. */
#include "engine/rngs.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

/* SplitMix64's increment (2^64 / golden ratio, odd) and finaliser. */
#define MIX_GAMMA UINT64_C(0x9e3779b97f4a7c15)

static inline uint64_t mix_fin(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t rngs_mix(uint64_t seed, uint32_t replication, uint32_t purpose)
{
    /* The finaliser is a bijection and so is k -> h + GAMMA * (k + 1)
     * (GAMMA is odd), so for one seed distinct (replication, purpose)
     * pairs always give distinct values. */
    uint64_t h = mix_fin(seed + MIX_GAMMA);
    uint64_t key = ((uint64_t)replication << 32) | purpose;
    return mix_fin(h + MIX_GAMMA * (key + 1));
}

/* GSL's mt19937_set keeps only the low 32 bits of its seed, so fold the
 * high half in rather than drop it. It maps 0 to its default 4357; a fold of
 * 0 is a 2^-32 event and merely shares a stream, so it is left alone. */
unsigned long rngs_stream_seed(uint64_t seed, uint32_t replication, uint32_t purpose)
{
    uint64_t h = rngs_mix(seed, replication, purpose);
    return (unsigned long)(uint32_t)(h ^ (h >> 32));
}

int rngs_init(struct rngs *s, uint64_t seed, uint32_t replication)
{
    for (int p = 0; p < RNG_COUNT; p++) s->r[p] = NULL;
    s->citizen = NULL;
    s->citizen_own_state = NULL;
    s->exit_redraw = NULL;
    if (gsl_rng_taus2->size > RNGS_CITIZEN_STATE_WORDS * sizeof(uint64_t)) return -1;
    s->citizen = gsl_rng_alloc(gsl_rng_taus2);
    if (!s->citizen) return -1;
    s->citizen_own_state = s->citizen->state;
    for (int p = 0; p < RNG_COUNT; p++) {
        /* gsl_rng_alloc calls the GSL error handler on failure: main must
         * have called gsl_set_error_handler_off() for this to return. */
        s->r[p] = gsl_rng_alloc(gsl_rng_mt19937);
        if (!s->r[p]) {
            rngs_fini(s);
            return -1;
        }
    }
    if (!(s->exit_redraw = gsl_rng_alloc(gsl_rng_mt19937))) {
        rngs_fini(s);
        return -1;
    }
    rngs_reseed(s, seed, replication);
    return 0;
}

void rngs_reseed(struct rngs *s, uint64_t seed, uint32_t replication)
{
    s->seed = seed;
    s->replication = replication;
    for (int p = 0; p < RNG_COUNT; p++)
        gsl_rng_set(s->r[p], rngs_stream_seed(seed, replication, (uint32_t)p));
}

/* Citizen numbers are purposes after the named ones: rngs_mix keeps every
 * (replication, purpose) pair distinct. */
void rngs_citizen_seed(struct rngs *s, uint64_t *state, uint32_t citizen)
{
    gsl_rng_set(rngs_citizen(s, state),
                rngs_stream_seed(s->seed, s->replication, (uint32_t)RNG_COUNT + citizen));
}

void rngs_fini(struct rngs *s)
{
    if (s->citizen) {
        s->citizen->state = s->citizen_own_state;   /* give GSL back its own */
        gsl_rng_free(s->citizen);
        s->citizen = NULL;
    }
    for (int p = 0; p < RNG_COUNT; p++) {
        gsl_rng_free(s->r[p]);        /* NULL-safe */
        s->r[p] = NULL;
    }
    gsl_rng_free(s->exit_redraw);
    s->exit_redraw = NULL;
}


double rngs_gamma_mean_sd(gsl_rng *r, double mean, double sd)
{
    /* Durations: a non-positive mean is 0, a non-positive sd is no spread. */
    if (!(mean > 0.0)) return 0.0;
    if (!(sd > 0.0)) return mean;
    double shape = (mean / sd) * (mean / sd);
    /* A spread below a millionth of the mean is a fixed time (and a shape
     * of inf, from a vanishing sd, would make the draw NaN). */
    if (!(shape <= 1e12)) return mean;
    double scale = sd * sd / mean;
    return gsl_ran_gamma(r, shape, scale);
}

/* Upper tail [a, b], a >= 0: works with the upper-tail Q functions, where
 * P(a) rounds towards 1 and would lose every digit that matters. Past
 * a ~ 37 Q(a) is subnormal; there Z - a given Z > a is exponential with rate
 * a to O(1/a^2) (Mills ratio), inverted and truncated at b. */
static void upper_prepare(struct truncnorm *tn, double a, double b)
{
    tn->a = a;
    tn->qa = gsl_cdf_ugaussian_Q(a);
    tn->qb = gsl_cdf_ugaussian_Q(b);
    tn->span = -expm1(-a * (b - a));               /* 1 when b is infinite */
}

static double upper_draw(const struct truncnorm *tn, double u)
{
    if (tn->qa > DBL_MIN) return gsl_cdf_ugaussian_Qinv(tn->qa - u * (tn->qa - tn->qb));
    return tn->a - log1p(-u * tn->span) / tn->a;
}

void rngs_truncnorm_prepare(struct truncnorm *tn, double mean, double sd, double lo, double hi)
{
    *tn = (struct truncnorm){ .mean = mean, .sd = sd, .lo = lo, .hi = hi,
                              .shape = TRUNCNORM_POINT };
    if (!(sd > 0.0 && lo < hi)) return;
    double a = (lo - mean) / sd, b = (hi - mean) / sd;
    if (a >= 0.0) {
        tn->shape = TRUNCNORM_UPPER;
        upper_prepare(tn, a, b);
    } else if (b <= 0.0) {
        tn->shape = TRUNCNORM_LOWER;                /* mirror the lower tail */
        upper_prepare(tn, -b, -a);
    } else {
        tn->shape = TRUNCNORM_MIDDLE;               /* straddles 0: P is fine */
        tn->qa = gsl_cdf_ugaussian_P(a);
        tn->qb = gsl_cdf_ugaussian_P(b);
    }
}

double rngs_truncnorm_draw(gsl_rng *r, const struct truncnorm *tn)
{
    /* Always one uniform, so streams stay aligned across scenarios that
     * differ only in these parameters (common random numbers). */
    double u = gsl_rng_uniform(r);
    double x = tn->mean;
    switch (tn->shape) {
    case TRUNCNORM_POINT: break;
    case TRUNCNORM_UPPER: x = tn->mean + tn->sd * upper_draw(tn, u); break;
    case TRUNCNORM_LOWER: x = tn->mean + tn->sd * -upper_draw(tn, u); break;
    case TRUNCNORM_MIDDLE:
        x = tn->mean + tn->sd * gsl_cdf_ugaussian_Pinv(tn->qa + u * (tn->qb - tn->qa));
        break;
    }
    /* Rounding (and the infinities the inverses return at 0 and 1) can put
     * x a hair outside; the contract is [lo, hi]. */
    if (x < tn->lo) x = tn->lo;
    if (x > tn->hi) x = tn->hi;
    return x;
}

double rngs_truncnorm(gsl_rng *r, double mean, double sd, double lo, double hi)
{
    struct truncnorm tn;
    rngs_truncnorm_prepare(&tn, mean, sd, lo, hi);
    return rngs_truncnorm_draw(r, &tn);
}

unsigned rngs_binomial(gsl_rng *r, double p, unsigned n)
{
    if (n == 0 || !(p > 0.0)) return 0;     /* also catches NaN */
    if (p >= 1.0) return n;
    return gsl_ran_binomial(r, p, n);
}
