/* model.h: the scenario as an immutable value. scenario_load() builds it,
 * model_finish() derives the indices the engine needs, and nothing changes it
 * while replications run, so every thread may read it without locks.
 *
 * States of a flow are numbered innermost first: ring 0 is the most intensive,
 * ring n_rings-1 the least, and state n_rings is `none` (outside the flow),
 * which counts as the outermost. So "to > from" is an outward move. */
#ifndef FLOWSIM_MODEL_H
#define FLOWSIM_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

#define MODEL_MAX_DIMS 8
#define MODEL_MAX_FLOWS 3               /* per citizen state: keep it small */
#define MODEL_MAX_RINGS 64            /* per flow */
#define MODEL_LEVEL_MAX 4             /* VUM scale 0..4 */
/* Covariate slots of a transition's beta[] (docs/model.md). */
#define COV_AGE MODEL_MAX_DIMS          /* z = (age - 40) / 10 */
#define COV_FEMALE (MODEL_MAX_DIMS + 1) /* z = 1 for women */
#define MODEL_MAX_COVS (MODEL_MAX_DIMS + 2)

#define DAYS_PER_YEAR 365.25
#define WEEKS_PER_YEAR 52.18            /* docs/model.md, hourly-priced rings */

enum wl_order { WL_FIFO, WL_NEED };
enum interim_policy { INTERIM_STAY, INTERIM_INNER, INTERIM_OUTER };
enum reassess_policy { REASSESS_RECORD, REASSESS_REPLACE };
enum budget_rule { BUDGET_REPORT, BUDGET_FREEZE, BUDGET_STEP_DOWN };
/* The words a scenario writes for each, indexed by value and NULL-ended:
 * the one table of each that the loader, check, setpath and summary.json
 * read. */
extern const char *const model_wl_order_names[];
extern const char *const model_interim_names[];
extern const char *const model_reassess_names[];
extern const char *const model_budget_rule_names[];

struct ring {
    char *id, *name, *law;          /* law may be "" */
    int capacity;                   /* places; 0 = unlimited */
    int initial;                    /* citizens here at t = 0 */
    double place_cost_per_year;     /* fixed, per staffed place */
    double citizen_cost_per_year;   /* as written (0 when hourly) */
    double hours_per_week;          /* 0 when not hourly */
    double cost_per_hour;
    double variable_cost_per_year;  /* derived: per occupant-year */
    double fixed_cost_per_year;     /* derived: capacity x place cost, 0 when unlimited */
    bool referral;
    double need_lo, need_hi;        /* band [lo, hi); hi == 4 holds 4 too */
    double initial_mean_level;
    double improve_per_year, worsen_per_year;   /* per dimension */
    double max_stay_years;          /* 0 = no limit */
    int line;                       /* where the ring is written */
};

struct transition {
    int flow, from, to;             /* state indices, see above */
    double per_year;
    double beta[MODEL_MAX_COVS];    /* log hazard ratios; 0 = no effect */
    bool has_effects;
    int line;
};

struct flow {
    char *id, *name;
    int n_rings;                    /* state n_rings is `none` */
    struct ring *rings;
    double none_improve_per_year, none_worsen_per_year;
    double none_initial_mean_level;
    /* Built by model_finish(): the transitions out of state s are
     * m->moves[move_start[s] .. move_start[s+1]-1] (CSR over states). */
    int move_start[MODEL_MAX_RINGS + 2];
};

struct age_dist { double min, max, mean, sd; };   /* truncated normal */

struct model;

/* ---- what the scenario does not know (docs/uncertainty.md; model/uncertainty.h reads
 * it and computes its quantiles, engine/psa.h draws from it) ---- */
enum unc_dist { UNC_LOGNORMAL, UNC_NORMAL, UNC_GAMMA, UNC_BETA, UNC_UNIFORM };

/* One uncertain setting. a, b are the distribution's own parameters,
 * derived from what the file declares (mean/sd, or min/max for uniform):
 * lognormal: mu, sigma of the log; normal: mean, sd; gamma: shape, scale;
 * beta: alpha, beta; uniform: min, max. */
struct unc_param {
    char path[256];
    enum unc_dist dist;
    double mean, sd;                /* as declared (uniform: of the uniform) */
    double a, b;
    int line;
};

/* The multivariate normal on log values: value_i = exp(mean_i + (L z)_i),
 * L the lower Cholesky factor of cov (k x k, row-major). */
struct unc_mvn {
    int k;
    char (*path)[256];
    double *mean, *cov, *chol;
    int line;
};

/* How the scenario was loaded, so that the loader can build it again, a
 * whole model, for each replication's draw (as `changes` build one per
 * epoch): the file or text, and the --set pairs. */
struct unc_source {
    char *path;
    char *text;                     /* NULL: read from path */
    size_t len;
    int n_set;
    char **set_path, **set_value;
};

struct uncertainty {
    int n;
    struct unc_param *p;
    struct unc_mvn mvn;             /* k == 0: none */
    struct unc_source src;
};


/* A dated change of a plan (docs/plans.md): from t on, the replication reads m,
 * the scenario with this change and every earlier one applied. */
struct model_change {
    char date[11];                  /* ISO */
    double t;                       /* years from the start, > 0 */
    bool relocate;                  /* re-place citizens above a cut capacity */
    struct model *m;                /* owned; same shape as the base */
};

/* A file the scenario was read from, and the SHA-256 of its bytes. */
struct model_input {
    char *path;
    char sha256[65];
};

struct model {
    char *name, *description;
    char *title, *title_da, *description_da;   /* display texts; "" = name, description */
    int prices_year;                /* price basis of every DKK figure; 0 = the start year */
    char *path;                     /* scenario file as given */
    char *base_path;                /* a variant's base file, as found; else NULL */
    char sha256[65];                /* of the scenario file's bytes */
    /* Every file read for it, in reading order: the named file, its bases
     * and every @include'd fragment (summary.json "inputs"). */
    struct model_input *inputs;
    int n_inputs;

    /* simulation */
    char start_date[11];            /* ISO, validated */
    int32_t start_day;              /* days since 1970-01-01 */
    double years, warmup_years;
    int replications;               /* the scenario's; a run's are in runopts.h */
    uint64_t seed;
    double snapshot_months, rbs_interval_months;
    int threads;                    /* 0 = all cores */
    double discount_rate;
    bool draw_uncertainty;          /* simulation.uncertainty: draw parameters (runopts) */

    int n_dims;
    char *dims[MODEL_MAX_DIMS];

    /* population */
    int initial;
    struct age_dist age;
    double female_share;
    double arrivals_per_year;
    double *arrivals_by_year;       /* NULL, or n_arrivals_by_year rates */
    int n_arrivals_by_year;
    struct age_dist arrival_age;
    double arrival_mean_level;
    double work_participation;
    double mort_a, mort_b, mort_ratio;
    double retirement_age;
    double other_exit_per_year;

    /* visitation */
    int caseworkers;
    double caseworker_cost_per_year;  /* DKK per caseworker-year; 0 = not counted */
    double assess_mean_days, assess_sd_days;
    enum reassess_policy reassess;

    /* policy and budget */
    enum wl_order waiting_list;
    enum interim_policy interim;
    double budget_annual;           /* DKK per calendar year; 0 = none */
    enum budget_rule budget_rule;
    double budget_tolerance;        /* a year is over budget beyond budget x (1 + this) */

    int n_flows;
    struct flow flows[MODEL_MAX_FLOWS];

    int n_transitions;
    struct transition *transitions; /* in file order */
    struct transition *moves;       /* the same, sorted by (flow, from) */
    /* exp(sum_d beta_d (level_d - 2)) of moves[k] for every vector of
     * levels, at [k * n_level_codes + code], code = levels in base 5: the
     * engine's covariates without an exp per draw. NULL when n_dims > 5
     * (the engine computes it then). Rebuilt by model_finish. */
    double *level_factor;
    int n_level_codes;

    /* plans over time: in date order; none when n_changes == 0 */
    int n_changes;
    struct model_change *changes;

    /* what the scenario does not know (docs/model.md), or NULL */
    struct uncertainty *uncertainty;

    /* output (the scenario's; a run's, with the command line's, in runopts.h) */
    char *out_dir;
    bool out_events, out_rbs_panel, out_plots;
    char lang[3];                   /* "en" or "da" */

    /* Lines for the user that are no error (a clamped `initial`), each
     * ending in '\n', or NULL; the command line prints them on stderr. */
    char *notes;
};

/* An empty model with every default of docs/scenario.md filled in. Caller frees with
 * model_destroy(). Returns NULL when out of memory. */
struct model *model_create(void);
void model_destroy(struct model *m);        /* NULL is a no-op */

/* Derives what the engine needs (variable and fixed costs, the transition
 * index, the covariate table) and checks the invariants that span sections.
 * Call it again after changing transitions, a capacity or a price (setpath_set
 * does). Returns 0, or -1 with e set. */
int model_finish(struct model *m, struct err *e);

/* Appends one line (no trailing newline needed) to m->notes. 0, or -1
 * when out of memory. */
int model_note(struct model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A capacity set (by a variant, --set, a sweep or a dated change) below
 * ring r's `initial` lowers `initial` to the capacity and says so in
 * m->notes, naming `by` (what set the capacity). The one place where this
 * rule lives. 1 when lowered, 0 when nothing to do, -1 out of memory. */
int model_clamp_initial(struct model *m, int f, int r, const char *by);

/* Code of a vector of levels in model.level_factor. */
static inline int model_level_code(const struct model *m, const uint8_t *levels)
{
    int code = 0;
    for (int d = m->n_dims - 1; d >= 0; d--) code = code * (MODEL_LEVEL_MAX + 1) + levels[d];
    return code;
}

/* Need score: the mean of the citizen's function levels. */
double model_need_score(const struct model *m, const uint8_t *levels);

/* The outermost ring of flow f whose band holds score (docs/model.md). */
int model_band_ring(const struct flow *f, double score);

/* Calendar year (e.g. 2014) of time t, and the time at which calendar year
 * `year` begins (may be negative for the start year). */
int model_year_of(const struct model *m, double t);
double model_year_start_t(const struct model *m, int year);

/* Annual cost of all staffed places (capacity * place cost), all flows. */
double model_fixed_cost_per_year(const struct model *m);

/* Prints the model as the table of `flowsim check`. */
void model_print_table(const struct model *m, FILE *out);

/* State name: ring id, or "none" for state n_rings. */
const char *model_state_id(const struct flow *f, int state);

/* The model in force at time t: m itself before its first change, else
 * the model of the last change dated at or before t. */
const struct model *model_at(const struct model *m, double t);
/* True when m has a budget at some time: from the start or from a change. */
bool model_has_budget(const struct model *m);
/* The date (t) of m's first change after t, or INFINITY. */
double model_next_change_t(const struct model *m, double t);
/* The integral of budget.annual over [a, b] (following the changes), per
 * (t1 - t0): the share of a calendar year [t0, t1) that [a, b] carries. */
double model_budget_share(const struct model *m, double t0, double t1, double a, double b);

/* Arrival rate at time t (arrivals_by_year or arrivals_per_year). */
double model_arrival_rate(const struct model *m, double t);

#endif
