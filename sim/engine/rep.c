/* rep.c: the replication's plumbing (storage, reset, scheduling, the event
 * log) and its hazard draws: the rates out of a citizen's states and its
 * development, with the covariate factors (docs/model.md). The event handlers
 * that use them are sim.c's. */
#include "engine/rep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/caldate.h"

static int models_init(struct rep *r);

/* ---- the replication's plumbing ----------------------------------------- */

void rep_schedule(struct rep *r, double t, enum ev_kind kind, int flow,
                  uint32_t who, uint32_t stamp)
{
    if (!(t < r->horizon)) return;          /* also drops NaN and +inf */
    /* RBS follow-ups come a fixed interval after the event that schedules
     * them, so they arrive in time order, and so do events due now (an
     * instant assessment): the queue's ordered lane. */
    int rc = kind == EV_RBS || t == r->t
                 ? evq_push_ordered(&r->q, t, (uint8_t)kind, (uint8_t)flow, who, stamp)
                 : evq_push(&r->q, t, (uint8_t)kind, (uint8_t)flow, who, stamp);
    if (rc != 0) r->oom = true;
}

/* date,t,citizen,event,flow,dimension,from,to: the date is the calendar day
 * of t (start date + floor(t x 365.25) days), as in timeseries.csv. */
static void log_row(struct rep *r, uint32_t who, const char *event, const char *flow, const char *dim,
                    const char *from, const char *to)
{
    char date[16];
    caldate_format(r->m->start_day + (int32_t)floor(r->t * DAYS_PER_YEAR + 1e-9), date);
    sbuf_printf(r->events, "%s,%.6f,%u,%s,%s,%s,%s,%s\n", date, r->t, who + 1, event, flow, dim, from, to);
}

void rep_log(struct rep *r, uint32_t who, const char *event, const char *flow,
             const char *from, const char *to)
{
    log_row(r, who, event, flow, "", from, to);
}

void rep_log_development(struct rep *r, uint32_t who, const char *event, const char *dim,
                         const char *from, const char *to)
{
    log_row(r, who, event, "", dim, from, to);
}

int rep_init(struct rep *r, const struct model *m)
{
    memset(r, 0, sizeof *r);
    r->m = r->base = m;
    r->seed = m->seed;
    /* Room for the expected citizens and a margin of several SDs, so the
     * population array and the key index almost never grow (and copy). */
    double expected = rep_expected_citizens(m);
    double want = expected + 4.0 * sqrt(expected) + 64.0;
    uint32_t cap = want < (double)(POP_NIL / 2) ? (uint32_t)want : POP_NIL / 2;
    if (evq_init(&r->q, (size_t)m->initial + 64) != 0 || evq_reserve_keys(&r->q, cap) != 0 ||
        rngs_init(&r->rng, r->seed, 0) != 0 || pop_init(&r->pop, cap, m->n_flows) != 0 ||
        stats_init(&r->st, m) != 0)
        goto fail;
    for (int k = 0; k < m->n_transitions; k++)
        for (int i = -1; i < m->n_changes; i++) {     /* the plan's models too */
            const struct transition *tr = &(i < 0 ? m : m->changes[i].m)->moves[k];
            if (tr->per_year != 0.0 && tr->beta[COV_AGE] != 0.0) r->age_rates = true;
        }
    r->occ = calloc((size_t)r->st.n_slots, sizeof *r->occ);
    r->wl = calloc((size_t)r->st.n_slots, sizeof *r->wl);
    if (!r->occ || !r->wl || models_init(r) != 0) goto fail;
    rep_reset(r, 0);
    return 0;
fail:
    rep_fini(r);
    return -1;
}

void rep_fini(struct rep *r)
{
    evq_fini(&r->q);
    rngs_fini(&r->rng);
    pop_fini(&r->pop);
    if (r->st.m) stats_fini(&r->st);
    free(r->occ);
    free(r->wl);
    free(r->vq.buf);
    if (r->models)
        for (int i = 0; i <= r->base->n_changes; i++) free(r->models[i].out_rate);
    free(r->models);
    memset(r, 0, sizeof *r);
}

void rep_reset(struct rep *r, uint32_t replication)
{
    evq_clear(&r->q);
    r->m = r->base;               /* a plan starts from the scenario */
    r->mc = &r->models[0];
    rngs_reseed(&r->rng, r->seed, replication);
    pop_clear(&r->pop);
    stats_reset(&r->st);
    r->t = 0.0;
    r->horizon = r->m->years;
    r->n_alive = 0;
    r->n_events = 0;
    r->oom = false;
    int n_slots = r->st.n_slots;
    memset(r->occ, 0, (size_t)n_slots * sizeof *r->occ);
    for (int i = 0; i < n_slots; i++) r->wl[i] = (struct wlist){ POP_NIL, POP_NIL, 0 };
    r->vq.head = r->vq.count = 0;
    r->vq.live = r->vq.busy = 0;
    r->panel = r->events = NULL;
}

/* ---- hazards -------------------------------------------------------------- */

int rep_level_code(const struct model *m, const struct citizen *c)
{
    return m->level_factor ? model_level_code(m, c->level) : -1;
}

/* exp(beta . z) of moves[k] at the citizen's state when its hazards were
 * drawn (t_rates); the level part comes from the model's table when it has
 * one. */
double rep_covariate_factor(const struct model *m, int k, const struct citizen *c, int code,
                            double t_rates)
{
    const struct transition *tr = &m->moves[k];
    if (!tr->has_effects) return 1.0;
    double lp = 0.0, f;
    if (code >= 0) {
        f = m->level_factor[(size_t)k * m->n_level_codes + code];
    } else {
        for (int d = 0; d < m->n_dims; d++) lp += tr->beta[d] * (c->level[d] - 2.0);
        f = 1.0;
    }
    if (tr->beta[COV_AGE] != 0.0) lp += tr->beta[COV_AGE] * (pop_age(c, t_rates) - 40.0) / 10.0;
    if (c->female) lp += tr->beta[COV_FEMALE];
    return lp != 0.0 ? f * exp(lp) : f;
}

static double flow_out_rate(const struct model *m, int f, const struct citizen *c, int code,
                            double t_rates)
{
    const struct flow *fl = &m->flows[f];
    int s = c->state[f];
    double total = 0.0;
    for (int k = fl->move_start[s]; k < fl->move_start[s + 1]; k++)
        total += m->moves[k].per_year * rep_covariate_factor(m, k, c, code, t_rates);
    return total;
}

/* The rate-out table (rep.h): the rate out of every state for every sex
 * and vector of levels, computed by flow_out_rate itself, so a lookup gives
 * the very same number. Only when no rate has an age effect and the model
 * has its covariate table; left NULL when it would be large. */
enum { OUT_RATE_MAX_ENTRIES = 1 << 16 };

static int out_rate_init(const struct rep *r, const struct model *m, double **out)
{
    *out = NULL;
    if (!m->level_factor) return 0;
    for (int k = 0; k < m->n_transitions; k++)
        if (m->moves[k].beta[COV_AGE] != 0.0) return 0;
    size_t n_codes = (size_t)m->n_level_codes, n = (size_t)r->st.n_slots * 2 * n_codes;
    if (n > OUT_RATE_MAX_ENTRIES) return 0;
    double *tab = malloc(n * sizeof *tab);
    if (!tab) return -1;
    struct citizen c = { 0 };
    for (int f = 0; f < m->n_flows; f++)
        for (int s = 0; s <= m->flows[f].n_rings; s++)
            for (int female = 0; female < 2; female++)
                for (size_t code = 0; code < n_codes; code++) {
                    for (int d = 0, rest = (int)code; d < m->n_dims; d++, rest /= MODEL_LEVEL_MAX + 1)
                        c.level[d] = (uint8_t)(rest % (MODEL_LEVEL_MAX + 1));
                    c.state[f] = (int8_t)s;
                    c.female = female;
                    size_t i = ((size_t)rep_slot(r, f, s) * 2 + (size_t)female) * n_codes + code;
                    tab[i] = flow_out_rate(m, f, &c, (int)code, 0.0);
                }
    *out = tab;
    return 0;
}

/* The derived data of the scenario's model and of each plan change's. */
static int models_init(struct rep *r)
{
    const struct model *base = r->base;
    r->models = calloc((size_t)base->n_changes + 1, sizeof *r->models);
    if (!r->models) return -1;
    for (int i = 0; i <= base->n_changes; i++) {
        const struct model *m = i == 0 ? base : base->changes[i - 1].m;
        struct rep_model *d = &r->models[i];
        rngs_truncnorm_prepare(&d->age_initial, m->age.mean, m->age.sd, m->age.min, m->age.max);
        rngs_truncnorm_prepare(&d->age_arrival, m->arrival_age.mean, m->arrival_age.sd,
                               m->arrival_age.min, m->arrival_age.max);
        if (out_rate_init(r, m, &d->out_rate) != 0) return -1;
    }
    r->mc = &r->models[0];
    return 0;
}

void rep_switch_model(struct rep *r, int change)
{
    r->m = r->base->changes[change].m;
    r->mc = &r->models[change + 1];
}

/* Per-dimension improve and worsen rates: the sum over flows of the current
 * state's rates (docs/model.md). */
void rep_develop_rates(const struct model *m, const struct citizen *c,
                       double *improve, double *worsen)
{
    *improve = *worsen = 0.0;
    for (int f = 0; f < m->n_flows; f++) {
        const struct flow *fl = &m->flows[f];
        int s = c->state[f];
        if (s < fl->n_rings) {
            *improve += fl->rings[s].improve_per_year;
            *worsen += fl->rings[s].worsen_per_year;
        } else {
            *improve += fl->none_improve_per_year;
            *worsen += fl->none_worsen_per_year;
        }
    }
}

double rep_develop_total(const struct model *m, const struct citizen *c,
                         double improve, double worsen)
{
    double total = 0.0;
    for (int d = 0; d < m->n_dims; d++) {
        if (c->level[d] > 0) total += improve;
        if (c->level[d] < MODEL_LEVEL_MAX) total += worsen;
    }
    return total;
}

/* Rates out of the citizen's state in each flow (0 for flows it takes no
 * part in) and its development rate, at the covariates of time t_rates. */
double rep_hazard_rates(const struct rep *r, const struct citizen *c, double t_rates,
                        double flow_rate[MODEL_MAX_FLOWS], double *develop)
{
    const struct model *m = r->m;
    const double *tab = r->mc->out_rate;
    const int code = rep_level_code(m, c);
    const size_t n_codes = (size_t)m->n_level_codes;
    double total = 0.0;
    for (int f = 0; f < m->n_flows; f++) {
        if (!(c->in_flow & (1u << f))) flow_rate[f] = 0.0;
        else if (tab)
            flow_rate[f] = tab[((size_t)rep_slot(r, f, c->state[f]) * 2 + c->female) * n_codes +
                               (size_t)code];
        else flow_rate[f] = flow_out_rate(m, f, c, code, t_rates);
        total += flow_rate[f];
    }
    double imp, wor;
    rep_develop_rates(m, c, &imp, &wor);
    *develop = rep_develop_total(m, c, imp, wor);
    return total + *develop;
}

/* Sets the citizen's keyed event: its hazard at t_hazard or its exit,
 * whichever comes first (an exit wins a tie); none past the horizon. */
static void set_next_event(struct rep *r, uint32_t ci, double t_hazard)
{
    struct citizen *c = &r->pop.c[ci];
    double t = t_hazard;
    uint8_t kind = EV_HAZARD, flow = 0;
    if (c->t_exit <= t) {
        t = c->t_exit;
        kind = EV_EXIT;
        flow = c->exit_cause;
    }
    if (ci >= r->q.n_keys && evq_reserve_keys(&r->q, (size_t)ci + 1) != 0) {
        r->oom = true;
        return;
    }
    c->key_stamp++;                       /* any earlier keyed event is stale */
    if (evq_set(&r->q, ci, t < r->horizon ? t : INFINITY, kind, flow, c->key_stamp) != 0)
        r->oom = true;
}

void rep_hazards_draw(struct rep *r, uint32_t ci)
{
    struct citizen *c = &r->pop.c[ci];
    if (!c->rates_fresh || r->age_rates) {
        double flow_rate[MODEL_MAX_FLOWS], develop;
        if (r->age_rates) pop_cold(&r->pop, ci)->hz_t = r->t;   /* rep_rates_t */
        c->hz_total = rep_hazard_rates(r, c, r->t, flow_rate, &develop);
        c->rates_fresh = true;
    }
    set_next_event(r, ci, r->t + rngs_exp(rngs_citizen(&r->rng, c->rng_state), c->hz_total));
}

/* Draws the citizen's exit once (docs/model.md): Gompertz death by inverting the
 * cumulative hazard from the current age, retirement at retirement_age,
 * moving away exponential; the first wins. It becomes the citizen's keyed
 * event when no hazard comes first (rep_hazards_draw). A plan's change of
 * the exit rates draws it again (plan.c). */
void rep_draw_exit(struct rep *r, uint32_t ci)
{
    rep_draw_exit_from(r, ci, r->rng.r[RNG_EXIT]);
}

void rep_draw_exit_from(struct rep *r, uint32_t ci, gsl_rng *g)
{
    const struct model *m = r->m;
    struct citizen *c = &r->pop.c[ci];
    double age = pop_age(c, r->t);
    double e = gsl_ran_exponential(g, 1.0);
    double a = m->mort_a * m->mort_ratio, b = m->mort_b;
    double t_death = INFINITY;
    if (a > 0.0)
        t_death = b > 0.0 ? log1p(e * b / a * exp(-b * age)) / b : e / a;
    double t_move = rngs_exp(g, m->other_exit_per_year);
    double t_retire = m->retirement_age - age;
    if (t_retire < 0.0) t_retire = 0.0;
    double dt = t_death;
    int cause = EXIT_DEATH;
    if (t_retire < dt) { dt = t_retire; cause = EXIT_RETIREMENT; }
    if (t_move < dt) { dt = t_move; cause = EXIT_MOVED_AWAY; }
    c->t_exit = r->t + dt;
    c->exit_cause = (uint8_t)cause;
}

void rep_hazards_update(struct rep *r, uint32_t ci)
{
    if (!r->pop.c[ci].rates_fresh || r->age_rates) rep_hazards_draw(r, ci);
}

/* Mean arrivals over [0, years]: the rate integrated month by month
 * (arrivals_by_year changes it only at calendar-year starts). */
double rep_expected_citizens(const struct model *m)
{
    double total = m->initial;
    int n = (int)ceil(m->years * 12.0);
    double dt = m->years / (n > 0 ? n : 1);
    for (int k = 0; k < n; k++) total += model_arrival_rate(m, (k + 0.5) * dt) * dt;
    return total;
}
