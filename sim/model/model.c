/* model.c: the scenario value: defaults, derived indices, the small pure
 * functions the engine asks of it, and the table of `flowsim check`. */
#include "model/model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/caldate.h"

struct model *model_create(void)
{
    struct model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    /* Defaults of docs/scenario.md (keys shown with a value a file may leave out). */
    m->warmup_years = 0.0;
    m->snapshot_months = 1.0;
    m->rbs_interval_months = 6.0;
    m->threads = 0;
    m->discount_rate = 0.0;
    m->waiting_list = WL_FIFO;
    m->interim = INTERIM_STAY;
    m->reassess = REASSESS_RECORD;
    m->budget_annual = 0.0;
    m->budget_rule = BUDGET_REPORT;
    m->budget_tolerance = 0.001;
    m->out_events = false;
    m->out_rbs_panel = true;
    m->out_plots = true;
    memcpy(m->lang, "en", 3);
    /* Required keys: values that make a half-built model harmless. */
    m->years = 1.0;
    m->replications = 1;
    m->seed = 1;
    m->caseworkers = 1;
    memcpy(m->start_date, "2000-01-01", 11);
    m->start_day = caldate_days_from_civil(2000, 1, 1);
    m->age = (struct age_dist){ 18.0, 67.0, 40.0, 10.0 };
    m->arrival_age = m->age;
    m->retirement_age = 67.0;
    m->mort_ratio = 1.0;
    return m;
}

static void uncertainty_free(struct uncertainty *u)
{
    if (!u) return;
    free(u->p);
    free(u->mvn.path);
    free(u->mvn.mean);
    free(u->mvn.cov);
    free(u->mvn.chol);
    free(u->src.path);
    free(u->src.text);
    for (int i = 0; i < u->src.n_set; i++) {
        free(u->src.set_path[i]);
        free(u->src.set_value[i]);
    }
    free(u->src.set_path);
    free(u->src.set_value);
    free(u);
}

void model_destroy(struct model *m)
{
    if (!m) return;
    free(m->name);
    free(m->description);
    free(m->title);
    free(m->title_da);
    free(m->description_da);
    free(m->path);
    free(m->base_path);
    for (int i = 0; i < m->n_inputs; i++) free(m->inputs[i].path);
    free(m->inputs);
    for (int d = 0; d < m->n_dims; d++) free(m->dims[d]);
    free(m->arrivals_by_year);
    for (int f = 0; f < m->n_flows; f++) {
        struct flow *fl = &m->flows[f];
        for (int r = 0; r < fl->n_rings; r++) {
            free(fl->rings[r].id);
            free(fl->rings[r].name);
            free(fl->rings[r].law);
        }
        free(fl->rings);
        free(fl->id);
        free(fl->name);
    }
    free(m->transitions);
    free(m->moves);
    free(m->level_factor);
    free(m->out_dir);
    free(m->notes);
    for (int i = 0; i < m->n_changes; i++) model_destroy(m->changes[i].m);
    free(m->changes);
    uncertainty_free(m->uncertainty);
    free(m);
}

int model_note(struct model *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    size_t old = m->notes ? strlen(m->notes) : 0;
    char *p = realloc(m->notes, old + (size_t)n + 2);
    if (!p) return -1;
    m->notes = p;
    va_start(ap, fmt);
    vsnprintf(p + old, (size_t)n + 1, fmt, ap);
    va_end(ap);
    p[old + (size_t)n] = '\n';
    p[old + (size_t)n + 1] = '\0';
    return 0;
}

int model_clamp_initial(struct model *m, int f, int r, const char *by)
{
    struct ring *g = &m->flows[f].rings[r];
    if (g->capacity == 0 || g->initial <= g->capacity) return 0;
    int was = g->initial;
    g->initial = g->capacity;
    if (model_note(m, "flowsim: note: flows.%s.rings.%s.initial (%d) is lowered to the "
                      "capacity (%d) set by %s", m->flows[f].id, g->id, was, g->capacity,
                   by) != 0)
        return -1;
    return 1;
}

/* The level part of every move's covariate factor, for every vector of
 * levels (5^n_dims of them; only for n_dims <= 5, where it stays small). */
static int build_level_factors(struct model *m, struct err *e)
{
    free(m->level_factor);
    m->level_factor = NULL;
    m->n_level_codes = 0;
    if (m->n_dims > 5 || m->n_transitions == 0) return 0;
    int n_codes = 1;
    for (int d = 0; d < m->n_dims; d++) n_codes *= MODEL_LEVEL_MAX + 1;
    m->level_factor = malloc((size_t)m->n_transitions * n_codes * sizeof *m->level_factor);
    if (!m->level_factor) return err_set(e, EXIT_RUNTIME, "out of memory");
    m->n_level_codes = n_codes;
    for (int k = 0; k < m->n_transitions; k++)
        for (int code = 0; code < n_codes; code++) {
            double lp = 0.0;
            for (int d = 0, c = code; d < m->n_dims; d++, c /= MODEL_LEVEL_MAX + 1)
                lp += m->moves[k].beta[d] * (c % (MODEL_LEVEL_MAX + 1) - 2.0);
            m->level_factor[(size_t)k * n_codes + code] = exp(lp);
        }
    return 0;
}

/* Counting sort of the transitions into CSR order by (flow, from). Counting
 * keeps file order within a state, so a seed draws the same destinations
 * whatever the container's sort would have done with ties. */
static int build_moves(struct model *m, struct err *e)
{
    free(m->moves);
    m->moves = NULL;
    size_t n = (size_t)m->n_transitions;
    if (n > 0) {
        m->moves = malloc(n * sizeof *m->moves);
        if (!m->moves) return err_set(e, EXIT_RUNTIME, "out of memory");
    }
    int next = 0;
    for (int f = 0; f < m->n_flows; f++) {
        struct flow *fl = &m->flows[f];
        for (int s = 0; s <= fl->n_rings; s++) {
            fl->move_start[s] = next;
            for (int i = 0; i < m->n_transitions; i++) {
                const struct transition *t = &m->transitions[i];
                if (t->flow == f && t->from == s) m->moves[next++] = *t;
            }
        }
        fl->move_start[fl->n_rings + 1] = next;
    }
    return build_level_factors(m, e);
}

const char *const model_wl_order_names[] = { "fifo", "need", NULL };
const char *const model_interim_names[] = { "stay", "inner", "outer", NULL };
const char *const model_reassess_names[] = { "record", "replace", NULL };
const char *const model_budget_rule_names[] = { "report", "freeze", "step_down", NULL };

int model_finish(struct model *m, struct err *e)
{
    if (m->n_flows < 1 || m->n_flows > MODEL_MAX_FLOWS)
        return err_set(e, EXIT_INPUT, "%s: flows: need 1 to %d flows (got %d)",
                       m->path ? m->path : "model", MODEL_MAX_FLOWS, m->n_flows);
    for (int f = 0; f < m->n_flows; f++) {
        struct flow *fl = &m->flows[f];
        if (fl->n_rings < 1 || fl->n_rings > MODEL_MAX_RINGS)
            return err_set(e, EXIT_INPUT, "%s: flows.%s.rings: need 1 to %d rings (got %d)",
                           m->path ? m->path : "model", fl->id, MODEL_MAX_RINGS,
                           fl->n_rings);
        for (int r = 0; r < fl->n_rings; r++) {
            struct ring *g = &fl->rings[r];
            bool hourly = g->hours_per_week > 0.0 || g->cost_per_hour > 0.0;
            g->variable_cost_per_year = hourly
                ? g->hours_per_week * g->cost_per_hour * WEEKS_PER_YEAR
                : g->citizen_cost_per_year;
            g->fixed_cost_per_year = g->capacity > 0 ? g->place_cost_per_year * g->capacity : 0.0;
        }
    }
    /* The loader reports these with file and line; this guards models built
     * by hand (tests, calibrate) so the engine may trust the indices. */
    for (int i = 0; i < m->n_transitions; i++) {
        const struct transition *t = &m->transitions[i];
        if (t->flow < 0 || t->flow >= m->n_flows)
            return err_set(e, EXIT_INPUT, "transitions[%d]: no flow %d", i, t->flow);
        int n = m->flows[t->flow].n_rings;
        if (t->from < 0 || t->from > n || t->to < 0 || t->to > n || t->from == t->to)
            return err_set(e, EXIT_INPUT, "transitions[%d]: bad states %d -> %d",
                           i, t->from, t->to);
        if (!(t->per_year >= 0.0) || !isfinite(t->per_year))
            return err_set(e, EXIT_INPUT, "transitions[%d]: bad rate %g", i, t->per_year);
    }
    return build_moves(m, e);
}

double model_need_score(const struct model *m, const uint8_t *levels)
{
    if (m->n_dims <= 0) return 0.0;
    int sum = 0;
    for (int d = 0; d < m->n_dims; d++) sum += levels[d];
    return (double)sum / m->n_dims;
}

int model_band_ring(const struct flow *f, double score)
{
    /* Outermost first: the least intrusive ring that holds the score wins. */
    for (int r = f->n_rings - 1; r >= 0; r--) {
        const struct ring *g = &f->rings[r];
        if (score >= g->need_lo &&
            (score < g->need_hi || (g->need_hi >= MODEL_LEVEL_MAX && score <= g->need_hi)))
            return r;
    }
    return f->n_rings;
}

/* The year holding t is the last whose start is at or before t. Deciding by
 * model_year_start_t keeps the two functions exact inverses at year starts,
 * where start_day + t * 365.25 may round just below a whole day. */
int model_year_of(const struct model *m, double t)
{
    double day = floor((double)m->start_day + t * DAYS_PER_YEAR);
    int y, mo, d;
    caldate_civil_from_days((int32_t)day, &y, &mo, &d);
    if (model_year_start_t(m, y + 1) <= t) return y + 1;
    if (model_year_start_t(m, y) > t) return y - 1;
    return y;
}

double model_year_start_t(const struct model *m, int year)
{
    return (double)(caldate_days_from_civil(year, 1, 1) - m->start_day) / DAYS_PER_YEAR;
}

const struct model *model_at(const struct model *m, double t)
{
    const struct model *cur = m;
    for (int i = 0; i < m->n_changes && m->changes[i].t <= t; i++) cur = m->changes[i].m;
    return cur;
}

bool model_has_budget(const struct model *m)
{
    bool any = m->budget_annual > 0.0;
    for (int i = 0; i < m->n_changes; i++) any |= m->changes[i].m->budget_annual > 0.0;
    return any;
}

double model_next_change_t(const struct model *m, double t)
{
    for (int i = 0; i < m->n_changes; i++)
        if (m->changes[i].t > t) return m->changes[i].t;
    return INFINITY;
}

double model_budget_share(const struct model *m, double t0, double t1, double a, double b)
{
    double sum = 0.0;
    for (int i = 0; i <= m->n_changes && a < b; i++) {
        const struct model *e = i ? m->changes[i - 1].m : m;
        double end = i < m->n_changes ? m->changes[i].t : INFINITY;
        if (end <= a) continue;
        double seg = (end < b ? end : b) - a;
        sum += e->budget_annual * seg;
        a += seg;
    }
    return sum / (t1 - t0);
}

double model_fixed_cost_per_year(const struct model *m)
{
    double sum = 0.0;
    for (int f = 0; f < m->n_flows; f++)
        for (int r = 0; r < m->flows[f].n_rings; r++) sum += m->flows[f].rings[r].fixed_cost_per_year;
    return sum;
}

const char *model_state_id(const struct flow *f, int state)
{
    if (state >= 0 && state < f->n_rings) return f->rings[state].id;
    return "none";
}

double model_arrival_rate(const struct model *m, double t)
{
    if (!m->arrivals_by_year || m->n_arrivals_by_year <= 0) return m->arrivals_per_year;
    int y0, mo, d;
    caldate_civil_from_days(m->start_day, &y0, &mo, &d);
    int i = model_year_of(m, t) - y0;
    if (i < 0) i = 0;
    if (i >= m->n_arrivals_by_year) i = m->n_arrivals_by_year - 1;  /* last continues */
    return m->arrivals_by_year[i];
}

/* ---- the table of `flowsim check` ---- */

/* Whole DKK with thousands separators: 105000000 -> "105,000,000". */
static const char *money(double v, char buf[32])
{
    char digits[24];
    long long x = llround(fabs(v));
    snprintf(digits, sizeof digits, "%lld", x);
    size_t n = strlen(digits), k = 0;
    if (v < 0 && x != 0) buf[k++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = '\0';
    return buf;
}

/* Prints s left-aligned in width columns. printf counts bytes, and ring
 * names and laws are UTF-8 ("SEL §108"), so count code points instead. */
static void pad(FILE *out, const char *s, int width)
{
    int cols = 0;
    for (const char *p = s; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80) cols++;
    fputs(s, out);
    for (; cols < width; cols++) fputc(' ', out);
}

static void print_ring_row(FILE *out, const struct ring *g, bool *any_hourly)
{
    char a[32], b[32], band[40], stay[24], cap[24];
    bool hourly = g->hours_per_week > 0.0 || g->cost_per_hour > 0.0;
    if (g->capacity > 0) snprintf(cap, sizeof cap, "%d", g->capacity);
    else snprintf(cap, sizeof cap, "unlimited");
    /* One format for every bound; the top band holds 4 too (docs/model.md). */
    snprintf(band, sizeof band, "[%g, %g%c", g->need_lo, g->need_hi,
             g->need_hi >= MODEL_LEVEL_MAX ? ']' : ')');
    if (g->max_stay_years > 0.0) snprintf(stay, sizeof stay, "%g y", g->max_stay_years);
    else snprintf(stay, sizeof stay, "-");
    char var[40];
    snprintf(var, sizeof var, "%s%s", money(g->variable_cost_per_year, b), hourly ? "*" : "");
    *any_hourly |= hourly;
    fputs("  ", out);
    pad(out, g->id, 17);
    pad(out, g->law ? g->law : "", 14);
    fprintf(out, "%10s %8d %13s %14s  ", cap, g->initial, money(g->place_cost_per_year, a), var);
    pad(out, band, 12);
    fprintf(out, "%8s  %-8s  %s\n", stay, g->referral ? "yes" : "no", g->name ? g->name : "");
}

/* A flow's rings; returns their annual cost at the initial occupancy. */
static double print_flow(const struct model *m, const struct flow *fl, FILE *out)
{
    char a[32];
    bool any_hourly = false;
    int placed = 0;
    double at_start = 0.0;
    fprintf(out, "\nflow %s: %s\n", fl->id, fl->name ? fl->name : "");
    fprintf(out, "  %-17s%-14s%10s %8s %13s %14s  %-12s%8s  %-8s  %s\n", "ring", "law",
            "capacity", "initial", "DKK/place-yr", "DKK/occ.-yr", "need band",
            "max stay", "referral", "name");
    for (int r = 0; r < fl->n_rings; r++) {
        const struct ring *g = &fl->rings[r];
        print_ring_row(out, g, &any_hourly);
        placed += g->initial;
        at_start += g->fixed_cost_per_year + g->variable_cost_per_year * g->initial;
    }
    fprintf(out, "  %-17s%-14s%10s %8d\n", "none", "", "", m->initial - placed);
    for (int r = 0; any_hourly && r < fl->n_rings; r++) {
        const struct ring *g = &fl->rings[r];
        if (g->hours_per_week > 0.0 || g->cost_per_hour > 0.0)
            fprintf(out, "  * %s: %g h/wk x %s DKK/h x %.2f weeks\n", g->id,
                    g->hours_per_week, money(g->cost_per_hour, a), WEEKS_PER_YEAR);
    }
    return at_start;
}

/* Every transition with its index and its name, as paths address it. */
static void print_transitions(const struct model *m, FILE *out)
{
    static const char *const cov_name[] = { [COV_AGE] = "age", [COV_FEMALE] = "female" };
    fprintf(out, "\ntransitions (a path names one as transitions[N] or transitions[NAME])\n");
    fprintf(out, "  %4s  %-34s %10s  %s\n", "N", "NAME", "per year", "effects");
    for (int k = 0; k < m->n_transitions; k++) {
        const struct transition *t = &m->transitions[k];
        const struct flow *fl = &m->flows[t->flow];
        char name[3 * 64 + 4];
        snprintf(name, sizeof name, "%s:%s->%s", fl->id, model_state_id(fl, t->from),
                 model_state_id(fl, t->to));
        fprintf(out, "  %4d  %-34s %10g ", k, name, t->per_year);
        bool any = false;
        for (int c = 0; c < MODEL_MAX_COVS; c++) {
            if (t->beta[c] == 0.0 || (c >= m->n_dims && c < COV_AGE)) continue;
            fprintf(out, "%s%s %+g", any ? ", " : " ", c < m->n_dims ? m->dims[c] : cov_name[c],
                    t->beta[c]);
            any = true;
        }
        fputc('\n', out);
    }
}

/* Fixed costs, the cost at the initial occupancy, and the budget against
 * it: what a referral freeze could and could not touch. */
static void print_costs(const struct model *m, double at_start, FILE *out)
{
    char a[32], b[32];
    double fixed = model_fixed_cost_per_year(m);
    fprintf(out, "\nannual cost of all places (fixed):    %s DKK\n", money(fixed, a));
    fprintf(out, "annual cost at the initial occupancy: %s DKK\n", money(at_start, b));
    if (at_start > 0.0)
        fprintf(out, "fixed place costs are %.0f %% of that cost: a referral freeze cannot "
                     "touch them\n", 100.0 * fixed / at_start);
    if (m->budget_annual > 0.0 && at_start > 0.0) {
        double gap = 100.0 * (m->budget_annual - at_start) / at_start;
        fprintf(out, "budget %s DKK a year is %.1f %% %s the cost at the initial occupancy\n",
                money(m->budget_annual, a), fabs(gap), gap < 0.0 ? "below" : "above");
    }
}

void model_print_table(const struct model *m, FILE *out)
{
    char a[32];
    fprintf(out, "scenario      %s\n", m->name ? m->name : "");
    if (m->description && *m->description) fprintf(out, "description   %s\n", m->description);
    if (m->path) fprintf(out, "file          %s (sha256 %s)\n", m->path, m->sha256);
    for (int i = 1; i < m->n_inputs; i++)     /* inputs[0] is the file itself */
        fprintf(out, "reads         %s (sha256 %s)\n", m->inputs[i].path, m->inputs[i].sha256);
    fprintf(out, "simulation    %g years from %s (warm-up %g), %d replications, seed %llu\n",
            m->years, m->start_date, m->warmup_years, m->replications,
            (unsigned long long)m->seed);
    fprintf(out, "dimensions   ");
    for (int d = 0; d < m->n_dims; d++) fprintf(out, " %s", m->dims[d]);
    fprintf(out, "\npopulation    %s at the start\n", money(m->initial, a));
    if (m->arrivals_by_year) {
        fprintf(out, "arrivals      per calendar year from %.4s:", m->start_date);
        for (int i = 0; i < m->n_arrivals_by_year; i++) fprintf(out, " %g", m->arrivals_by_year[i]);
        fprintf(out, " (the last continues)\n");
    } else {
        fprintf(out, "arrivals      %g a year\n", m->arrivals_per_year);
    }

    fprintf(out, "visitation    %d caseworkers, assessment mean %g sd %g days, reassess %s\n",
            m->caseworkers, m->assess_mean_days, m->assess_sd_days,
            model_reassess_names[m->reassess]);
    fprintf(out, "policy        waiting list %s, interim %s\n",
            model_wl_order_names[m->waiting_list], model_interim_names[m->interim]);
    if (m->budget_annual > 0.0)
        fprintf(out, "budget        %s DKK a year, rule %s\n", money(m->budget_annual, a),
                model_budget_rule_names[m->budget_rule]);
    else
        fprintf(out, "budget        none\n");

    double at_start = 0.0;
    for (int f = 0; f < m->n_flows; f++) at_start += print_flow(m, &m->flows[f], out);
    print_transitions(m, out);
    print_costs(m, at_start, out);
}
