/* setpath.c: the path grammar of setpath.h, transition names, and the
 * numeric settings of a loaded model that a path may change. */
#include "model/setpath.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"
#include "base/suggest.h"
#include "model/bounds.h"

/* ---- the grammar ---------------------------------------------------------- */

static int copy_name(char *dst, const char *src, size_t len, const char *what, char *why,
                     size_t n_why)
{
    if (len == 0 || len >= SETPATH_MAX_NAME) {
        sbuf_fmt(why, n_why, len ? "%s is too long" : "an empty %s", what);
        return -1;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 0;
}

/* The inside of one [...] (text, len bytes) as an index or a transition. */
static int parse_bracket(const char *text, size_t len, struct setpath_seg *s, char *why,
                         size_t n_why)
{
    const char *colon = memchr(text, ':', len);
    if (!colon) {
        char *end;
        char num[24];
        if (len == 0 || len >= sizeof num) goto bad_index;
        memcpy(num, text, len);
        num[len] = '\0';
        long v = strtol(num, &end, 10);
        if (*end || v < 0 || num[0] == '-' || num[0] == '+' || num[0] == ' ') goto bad_index;
        s->kind = SETPATH_INDEX;
        s->index = v;
        return 0;
    bad_index:
        sbuf_fmt(why, n_why, "[%.*s] is no index (write [N], N from 0, or [FLOW:FROM->TO])",
                 (int)len, text);
        return -1;
    }
    const char *rest = colon + 1, *end = text + len;
    const char *arrow = NULL;
    for (const char *p = rest; p + 1 < end && !arrow; p++)
        if (p[0] == '-' && p[1] == '>') arrow = p;
    if (!arrow) {
        sbuf_fmt(why, n_why, "[%.*s] is no transition (write [FLOW:FROM->TO], e.g. "
                 "[home:sel107->sel85])", (int)len, text);
        return -1;
    }
    s->kind = SETPATH_TRANSITION;
    if (copy_name(s->flow, text, (size_t)(colon - text), "flow", why, n_why) < 0 ||
        copy_name(s->from, rest, (size_t)(arrow - rest), "FROM state", why, n_why) < 0 ||
        copy_name(s->to, arrow + 2, (size_t)(end - arrow - 2), "TO state", why, n_why) < 0)
        return -1;
    return 0;
}

static int add_seg(struct setpath *p, char *why, size_t n_why)
{
    if (p->n == SETPATH_MAX_SEGS) {
        sbuf_fmt(why, n_why, "more than %d parts", SETPATH_MAX_SEGS);
        return -1;
    }
    memset(&p->seg[p->n], 0, sizeof p->seg[p->n]);
    return p->n++;
}

int setpath_parse(const char *text, struct setpath *p, char *why, size_t n_why)
{
    p->n = 0;
    const char *s = text;
    if (!*s) {
        sbuf_fmt(why, n_why, "an empty path");
        return -1;
    }
    for (;;) {
        size_t len = strcspn(s, ".[");
        if (len == 0) {
            sbuf_fmt(why, n_why, "malformed path (a name is missing before '%c')", *s ? *s : '.');
            return -1;
        }
        int k = add_seg(p, why, n_why);
        if (k < 0) return -1;
        p->seg[k].kind = SETPATH_NAME;
        if (copy_name(p->seg[k].name, s, len, "name", why, n_why) < 0) return -1;
        s += len;
        while (*s == '[') {
            const char *close = strchr(s, ']');
            if (!close) {
                sbuf_fmt(why, n_why, "malformed path (a ']' is missing)");
                return -1;
            }
            if ((k = add_seg(p, why, n_why)) < 0 ||
                parse_bracket(s + 1, (size_t)(close - s - 1), &p->seg[k], why, n_why) < 0)
                return -1;
            s = close + 1;
        }
        if (!*s) return 0;
        if (*s != '.' || !s[1]) {
            sbuf_fmt(why, n_why, "malformed path (unexpected '%c')", *s == '.' ? '.' : *s);
            return -1;
        }
        s++;
    }
}

/* ---- transitions by name ---------------------------------------------------- */

void setpath_transition_name(const struct model *m, int k, char *buf, size_t n)
{
    const struct transition *t = &m->transitions[k];
    const struct flow *fl = &m->flows[t->flow];
    sbuf_fmt(buf, n, "%s:%s->%s", fl->id, model_state_id(fl, t->from),
             model_state_id(fl, t->to));
}

const char *setpath_transition_hint(const char *want, const char *const *names, int n,
                                    char *buf, size_t size)
{
    suggest_nearest(want, names, n, buf, size);
    if (buf[0]) return buf;
    const char *arrow = strstr(want, "->");
    size_t stem = arrow ? (size_t)(arrow - want) : 0;
    size_t len = 0;
    for (int k = 0; k < n && stem; k++) {
        if (!names[k] || strncmp(names[k], want, stem) != 0 || strncmp(names[k] + stem, "->", 2))
            continue;
        const char *state = strchr(names[k], ':') + 1;
        sbuf_fmt(buf + len, size - len, "%s%s", len ? ", " : "", state);
        len = strlen(buf);
    }
    if (len == 0) return buf;
    char list[512];
    sbuf_fmt(list, sizeof list, "%s", buf);
    sbuf_fmt(buf, size, " (from %.*s there are %s)", (int)stem, want, list);
    return buf;
}

int setpath_find_transition(const struct model *m, const struct setpath_seg *s, char *why,
                            size_t n_why)
{
    char want[3 * SETPATH_MAX_NAME + 4];
    sbuf_fmt(want, sizeof want, "%s:%s->%s", s->flow, s->from, s->to);
    char (*names)[3 * SETPATH_MAX_NAME + 4] = calloc((size_t)m->n_transitions + 1, sizeof *names);
    const char **cand = calloc((size_t)m->n_transitions + 1, sizeof *cand);
    int found = -1;
    for (int k = 0; names && cand && k < m->n_transitions && found < 0; k++) {
        setpath_transition_name(m, k, names[k], sizeof names[k]);
        cand[k] = names[k];
        if (strcmp(names[k], want) == 0) found = k;
    }
    if (found < 0) {
        char hint[256] = "";
        if (names && cand) setpath_transition_hint(want, cand, m->n_transitions, hint, sizeof hint);
        sbuf_fmt(why, n_why, "no transition %s%s", want, hint);
    }
    free(names);
    free(cand);
    return found;
}

/* ---- numeric settings of a loaded model -------------------------------------- */

enum where { W_MODEL, W_BY_YEAR, W_RING, W_NONE, W_TRANSITION, W_EFFECT };

/* One numeric setting: where it lives, its offset there, and the loader's
 * limits for it (model/scenario.c reads the same keys with the same
 * bounds.h limits). */
struct numkey {
    const char *path;          /* W_MODEL: the whole path; else the last name */
    enum where where;
    size_t off;
    bool integer;
    double lo, hi;
};

#define M_(field) offsetof(struct model, field)
#define R_(field) offsetof(struct ring, field)
#define F_(field) offsetof(struct flow, field)
static const struct numkey numkeys[] = {
    { "population.arrivals_per_year", W_MODEL, M_(arrivals_per_year), false, 0, BOUNDS_MAX_CITIZENS },
    { "population.arrivals_by_year", W_BY_YEAR, 0, false, 0, BOUNDS_MAX_CITIZENS },
    { "population.other_exit_per_year", W_MODEL, M_(other_exit_per_year), false, 0, BOUNDS_MAX_RATE },
    { "population.mortality.a", W_MODEL, M_(mort_a), false, 0, BOUNDS_MAX_RATE },
    { "population.mortality.b", W_MODEL, M_(mort_b), false, 0, 1.0 },
    { "population.mortality.ratio", W_MODEL, M_(mort_ratio), false, 0, 1000.0 },
    { "population.retirement_age", W_MODEL, M_(retirement_age), false, 0, INFINITY },
    { "visitation.caseworkers", W_MODEL, M_(caseworkers), true, 1, INT32_MAX },
    { "visitation.cost_per_caseworker_year", W_MODEL, M_(caseworker_cost_per_year), false, 0,
      BOUNDS_MAX_DKK },
    { "visitation.assessment_days.mean", W_MODEL, M_(assess_mean_days), false, 0, INFINITY },
    { "visitation.assessment_days.sd", W_MODEL, M_(assess_sd_days), false, 0, INFINITY },
    { "budget.annual", W_MODEL, M_(budget_annual), false, 0, BOUNDS_MAX_DKK },
    { "capacity", W_RING, R_(capacity), true, 0, INT32_MAX },
    { "initial", W_RING, R_(initial), true, 0, INT32_MAX },
    { "place_cost_per_year", W_RING, R_(place_cost_per_year), false, 0, BOUNDS_MAX_DKK },
    { "citizen_cost_per_year", W_RING, R_(citizen_cost_per_year), false, 0, BOUNDS_MAX_DKK },
    { "hours_per_week", W_RING, R_(hours_per_week), false, 0, 168.0 },
    { "cost_per_hour", W_RING, R_(cost_per_hour), false, 0, BOUNDS_MAX_DKK },
    { "initial_mean_level", W_RING, R_(initial_mean_level), false, 0, MODEL_LEVEL_MAX },
    { "improve_per_year", W_RING, R_(improve_per_year), false, 0, BOUNDS_MAX_RATE },
    { "worsen_per_year", W_RING, R_(worsen_per_year), false, 0, BOUNDS_MAX_RATE },
    { "max_stay_years", W_RING, R_(max_stay_years), false, 0, BOUNDS_MAX_YEARS },
    { "improve_per_year", W_NONE, F_(none_improve_per_year), false, 0, BOUNDS_MAX_RATE },
    { "worsen_per_year", W_NONE, F_(none_worsen_per_year), false, 0, BOUNDS_MAX_RATE },
    { "initial_mean_level", W_NONE, F_(none_initial_mean_level), false, 0, MODEL_LEVEL_MAX },
    { "per_year", W_TRANSITION, offsetof(struct transition, per_year), false, 0, BOUNDS_MAX_RATE },
    { "effects", W_EFFECT, 0, false, -INFINITY, INFINITY },
};
#undef M_
#undef R_
#undef F_
#define N_NUMKEYS ((int)(sizeof numkeys / sizeof numkeys[0]))

static int find_key(enum where w, const char *name)
{
    for (int i = 0; i < N_NUMKEYS; i++)
        if (numkeys[i].where == w && strcmp(numkeys[i].path, name) == 0) return i;
    return -1;
}

/* The names of one kind of setting, for a did-you-mean. */
static const char *key_hint(enum where w, const char *name, char *buf, size_t n)
{
    const char *cand[N_NUMKEYS];
    int nc = 0;
    for (int i = 0; i < N_NUMKEYS; i++)
        if (numkeys[i].where == w) cand[nc++] = numkeys[i].path;
    return suggest_nearest(name, cand, nc, buf, n);
}

static int no_setting(struct err *e, const char *path, const char *why)
{
    return err_set(e, EXIT_INPUT, "%s: names no numeric setting that can change (%s)", path, why);
}

/* flows.F.rings.R.KEY or flows.F.none.KEY. */
static int resolve_flow(const struct model *m, const struct setpath *p, const char *path,
                        struct setpath_ref *ref, struct err *e)
{
    char hint[128], why[256];
    const char *cand[MODEL_MAX_RINGS + 1];
    if (p->n < 4 || p->seg[1].kind != SETPATH_NAME)
        return no_setting(e, path, "write flows.FLOW.rings.RING.KEY or flows.FLOW.none.KEY");
    for (int f = 0; f < m->n_flows; f++) cand[f] = m->flows[f].id;
    for (ref->flow = 0; ref->flow < m->n_flows; ref->flow++)
        if (!strcmp(m->flows[ref->flow].id, p->seg[1].name)) break;
    if (ref->flow == m->n_flows) {
        sbuf_fmt(why, sizeof why, "no flow \"%s\"%s", p->seg[1].name,
                 suggest_nearest(p->seg[1].name, cand, m->n_flows, hint, sizeof hint));
        return no_setting(e, path, why);
    }
    const struct flow *fl = &m->flows[ref->flow];
    const struct setpath_seg *last = &p->seg[p->n - 1];
    if (!strcmp(p->seg[2].name, "none") && p->n == 4 && last->kind == SETPATH_NAME) {
        ref->key = find_key(W_NONE, last->name);
        if (ref->key < 0) {
            sbuf_fmt(why, sizeof why, "no number \"%s\" in a none group%s", last->name,
                     key_hint(W_NONE, last->name, hint, sizeof hint));
            return no_setting(e, path, why);
        }
        return 0;
    }
    if (strcmp(p->seg[2].name, "rings") != 0 || p->n != 5 || p->seg[3].kind != SETPATH_NAME ||
        last->kind != SETPATH_NAME)
        return no_setting(e, path, "write flows.FLOW.rings.RING.KEY or flows.FLOW.none.KEY");
    for (int r = 0; r < fl->n_rings; r++) cand[r] = fl->rings[r].id;
    for (ref->ring = 0; ref->ring < fl->n_rings; ref->ring++)
        if (!strcmp(fl->rings[ref->ring].id, p->seg[3].name)) break;
    if (ref->ring == fl->n_rings) {
        sbuf_fmt(why, sizeof why, "no ring \"%s\" in flow %s%s", p->seg[3].name, fl->id,
                 suggest_nearest(p->seg[3].name, cand, fl->n_rings, hint, sizeof hint));
        return no_setting(e, path, why);
    }
    ref->key = find_key(W_RING, last->name);
    if (ref->key < 0) {
        sbuf_fmt(why, sizeof why, "no number \"%s\" in a ring%s", last->name,
                 key_hint(W_RING, last->name, hint, sizeof hint));
        return no_setting(e, path, why);
    }
    return 0;
}

/* transitions[N|F:A->B].per_year or .effects.COVARIATE. */
static int resolve_transition(const struct model *m, const struct setpath *p, const char *path,
                              struct setpath_ref *ref, struct err *e)
{
    char why[512];
    if (p->n < 3 || p->seg[1].kind == SETPATH_NAME)
        return no_setting(e, path, "write transitions[N].per_year or "
                          "transitions[FLOW:FROM->TO].per_year");
    if (p->seg[1].kind == SETPATH_INDEX) {
        if (p->seg[1].index >= m->n_transitions) {
            sbuf_fmt(why, sizeof why, "no transitions[%ld]: there are %d", p->seg[1].index,
                     m->n_transitions);
            return no_setting(e, path, why);
        }
        ref->transition = (int)p->seg[1].index;
    } else if ((ref->transition = setpath_find_transition(m, &p->seg[1], why, sizeof why)) < 0) {
        return no_setting(e, path, why);
    }
    const struct setpath_seg *k = &p->seg[2];
    if (p->n == 3 && k->kind == SETPATH_NAME && !strcmp(k->name, "per_year")) {
        ref->key = find_key(W_TRANSITION, "per_year");
        return 0;
    }
    if (p->n == 4 && k->kind == SETPATH_NAME && !strcmp(k->name, "effects") &&
        p->seg[3].kind == SETPATH_NAME) {
        const char *cov = p->seg[3].name;
        ref->key = find_key(W_EFFECT, "effects");
        for (int d = 0; d < m->n_dims; d++)
            if (!strcmp(m->dims[d], cov)) ref->slot = d;
        if (!strcmp(cov, "age")) ref->slot = COV_AGE;
        if (!strcmp(cov, "female")) ref->slot = COV_FEMALE;
        if (ref->slot >= 0) return 0;
        sbuf_fmt(why, sizeof why, "no covariate \"%s\" (a dimension, age or female)", cov);
        return no_setting(e, path, why);
    }
    return no_setting(e, path, "a transition has per_year and effects.COVARIATE");
}

int setpath_resolve(const struct model *m, const char *path, struct setpath_ref *ref,
                    struct err *e)
{
    struct setpath p;
    char why[256];
    *ref = (struct setpath_ref){ .key = -1, .flow = -1, .ring = -1, .transition = -1, .slot = -1 };
    sbuf_fmt(ref->path, sizeof ref->path, "%s", path);
    if (setpath_parse(path, &p, why, sizeof why) < 0)
        return err_set(e, EXIT_INPUT, "%s: %s", path, why);
    int rc;
    if (!strcmp(p.seg[0].name, "flows")) {
        rc = resolve_flow(m, &p, path, ref, e);
    } else if (!strcmp(p.seg[0].name, "transitions")) {
        rc = resolve_transition(m, &p, path, ref, e);
    } else if (p.n == 3 && !strcmp(p.seg[1].name, "arrivals_by_year") &&
               !strcmp(p.seg[0].name, "population") && p.seg[2].kind == SETPATH_INDEX) {
        ref->key = find_key(W_BY_YEAR, "population.arrivals_by_year");
        ref->slot = (int)p.seg[2].index;
        rc = p.seg[2].index < m->n_arrivals_by_year ? 0
           : no_setting(e, path, "no such element of population.arrivals_by_year");
    } else {
        ref->key = find_key(W_MODEL, path);
        rc = ref->key >= 0 ? 0
           : no_setting(e, path, "rings, none groups, transitions, visitation, budget.annual "
                        "and population's arrival and exit rates can");
    }
    if (rc == 0) ref->integer = numkeys[ref->key].integer;
    return rc;
}

/* The storage of the setting: a double, or an int when integer. */
static void *slot_of(const struct model *m, const struct setpath_ref *ref)
{
    const struct numkey *k = &numkeys[ref->key];
    char *base;
    switch (k->where) {
    case W_MODEL: base = (char *)m; break;
    case W_BY_YEAR: return &m->arrivals_by_year[ref->slot];
    case W_RING: base = (char *)&m->flows[ref->flow].rings[ref->ring]; break;
    case W_NONE: base = (char *)&m->flows[ref->flow]; break;
    case W_TRANSITION: base = (char *)&m->transitions[ref->transition]; break;
    case W_EFFECT: return &m->transitions[ref->transition].beta[ref->slot];
    default: return NULL;
    }
    return base + k->off;
}

double setpath_get(const struct model *m, const struct setpath_ref *ref)
{
    void *p = slot_of(m, ref);
    return ref->integer ? (double)*(int *)p : *(double *)p;
}

double setpath_min(const struct setpath_ref *ref) { return numkeys[ref->key].lo; }

int setpath_set(struct model *m, const struct setpath_ref *ref, double v, struct err *e)
{
    const struct numkey *k = &numkeys[ref->key];
    if (!isfinite(v)) return err_set(e, EXIT_INPUT, "%s: must be a finite number (got %g)", ref->path, v);
    if (k->integer && v != floor(v))
        return err_set(e, EXIT_INPUT, "%s: must be a whole number (got %g)", ref->path, v);
    if (v < k->lo || v > k->hi) {
        if (isinf(k->hi))
            return err_set(e, EXIT_INPUT, "%s: must be at least %g (got %g)", ref->path, k->lo, v);
        return err_set(e, EXIT_INPUT, "%s: must be between %g and %g (got %g)", ref->path,
                       k->lo, k->hi, v);
    }
    if (k->where == W_RING && k->off == offsetof(struct ring, initial)) {
        const struct flow *fl = &m->flows[ref->flow];
        int cap = fl->rings[ref->ring].capacity;
        long long placed = (long long)v - fl->rings[ref->ring].initial;
        for (int r = 0; r < fl->n_rings; r++) placed += fl->rings[r].initial;
        if (cap > 0 && v > cap)
            return err_set(e, EXIT_INPUT, "%s: must be at most capacity (%d) (got %g)",
                           ref->path, cap, v);
        if (placed > m->initial)
            return err_set(e, EXIT_INPUT, "%s: the rings' initial counts would sum to %lld, "
                           "more than population.initial (%d)", ref->path, placed, m->initial);
    }
    void *p = slot_of(m, ref);
    if (k->integer) *(int *)p = (int)v;
    else *(double *)p = v;
    if (k->where == W_EFFECT) {
        struct transition *t = &m->transitions[ref->transition];
        t->has_effects = false;
        for (int c = 0; c < MODEL_MAX_COVS; c++) t->has_effects |= t->beta[c] != 0.0;
    }
    if (k->where == W_BY_YEAR && ref->slot == 0) m->arrivals_per_year = v;
    if (k->where == W_RING && k->off == offsetof(struct ring, capacity) &&
        model_clamp_initial(m, ref->flow, ref->ring, ref->path) < 0)
        return err_set(e, EXIT_RUNTIME, "out of memory");
    return model_finish(m, e);
}

/* ---- every numeric setting, and what a variant changes ------------------------ */

static void emit_group(const struct model *m, enum where w, const void *base, const char *prefix,
                       void (*fn)(const char *, double, void *), void *ctx)
{
    char path[256];
    for (int i = 0; i < N_NUMKEYS; i++) {
        const struct numkey *k = &numkeys[i];
        if (k->where != w || w == W_EFFECT) continue;
        const char *p = (const char *)base + k->off;
        double v = k->integer ? (double)*(const int *)p : *(const double *)p;
        if (w == W_MODEL) sbuf_fmt(path, sizeof path, "%s", k->path);
        else sbuf_fmt(path, sizeof path, "%s.%s", prefix, k->path);
        fn(path, v, ctx);
    }
    (void)m;
}

void setpath_for_each(const struct model *m,
                      void (*fn)(const char *path, double value, void *ctx), void *ctx)
{
    char prefix[256], name[3 * SETPATH_MAX_NAME + 4], path[512];
    emit_group(m, W_MODEL, m, "", fn, ctx);
    for (int i = 0; i < m->n_arrivals_by_year; i++) {
        sbuf_fmt(path, sizeof path, "population.arrivals_by_year[%d]", i);
        fn(path, m->arrivals_by_year[i], ctx);
    }
    for (int f = 0; f < m->n_flows; f++) {
        const struct flow *fl = &m->flows[f];
        sbuf_fmt(prefix, sizeof prefix, "flows.%s.none", fl->id);
        emit_group(m, W_NONE, fl, prefix, fn, ctx);
        for (int r = 0; r < fl->n_rings; r++) {
            sbuf_fmt(prefix, sizeof prefix, "flows.%s.rings.%s", fl->id, fl->rings[r].id);
            emit_group(m, W_RING, &fl->rings[r], prefix, fn, ctx);
        }
    }
    for (int k = 0; k < m->n_transitions; k++) {
        const struct transition *t = &m->transitions[k];
        setpath_transition_name(m, k, name, sizeof name);
        sbuf_fmt(path, sizeof path, "transitions[%s].per_year", name);
        fn(path, t->per_year, ctx);
        for (int c = 0; c < MODEL_MAX_COVS; c++) {
            if (c >= m->n_dims && c < COV_AGE) continue;
            const char *cov = c < m->n_dims ? m->dims[c] : c == COV_AGE ? "age" : "female";
            sbuf_fmt(path, sizeof path, "transitions[%s].effects.%s", name, cov);
            fn(path, t->beta[c], ctx);
        }
    }
}

struct diff_ctx {
    const struct model *other;
    FILE *out;
    int n;
    bool missing_only;          /* list the paths `other` lacks, not changed values */
};

static void diff_one(const char *path, double v, void *p)
{
    struct diff_ctx *d = p;
    struct setpath_ref ref;
    struct err e = { 0 };
    bool has = setpath_resolve(d->other, path, &ref, &e) == 0;
    if (d->missing_only) {
        if (!has && strstr(path, ".per_year")) {
            fprintf(d->out, "  %-52s only in the base (%g)\n", path, v);
            d->n++;
        }
        return;
    }
    if (!has) {
        if (strstr(path, ".per_year")) {
            fprintf(d->out, "  %-52s new: %g\n", path, v);
            d->n++;
        }
        return;
    }
    double was = setpath_get(d->other, &ref);
    if (was == v) return;
    fprintf(d->out, "  %-52s %g -> %g\n", path, was, v);
    d->n++;
}

/* The settings that are words: names, policies, switches. */
static int print_word_changes(const struct model *b, const struct model *v, FILE *out)
{
    const char *const *wl = model_wl_order_names, *const *interim = model_interim_names,
                      *const *reassess = model_reassess_names, *const *rule = model_budget_rule_names;
    static const char *const yes[] = { "false", "true" };
    const struct { const char *path, *was, *is; } w[] = {
        { "name", b->name, v->name },
        { "description", b->description, v->description },
        { "policy.waiting_list", wl[b->waiting_list], wl[v->waiting_list] },
        { "policy.interim", interim[b->interim], interim[v->interim] },
        { "visitation.reassess", reassess[b->reassess], reassess[v->reassess] },
        { "budget.rule", rule[b->budget_rule], rule[v->budget_rule] },
        { "output.dir", b->out_dir, v->out_dir },
        { "output.events", yes[b->out_events], yes[v->out_events] },
        { "output.rbs_panel", yes[b->out_rbs_panel], yes[v->out_rbs_panel] },
        { "output.plots", yes[b->out_plots], yes[v->out_plots] },
        { "output.lang", b->lang, v->lang },
    };
    int n = 0;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        if (!w[i].was || !w[i].is || strcmp(w[i].was, w[i].is) == 0) continue;
        fprintf(out, "  %-52s \"%s\" -> \"%s\"\n", w[i].path, w[i].was, w[i].is);
        n++;
    }
    return n;
}

void setpath_print_changes(const struct model *base, const struct model *variant, FILE *out)
{
    struct diff_ctx d = { base, out, 0, false };
    int n = print_word_changes(base, variant, out);
    setpath_for_each(variant, diff_one, &d);
    struct diff_ctx back = { variant, out, 0, true };
    setpath_for_each(base, diff_one, &back);
    if (n + d.n + back.n == 0) fprintf(out, "  (nothing differs)\n");
}
