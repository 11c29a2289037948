/* kpi.h: the KPI catalogue. One constant table holds every KPI flowsim
 * emits: its name, the scopes it is emitted at, its unit, its English and
 * Danish label and how it is shown. The statistics walk (engine/stats.c)
 * emits KPIs by id, so a KPI cannot be emitted without a row here; the
 * summary files, the one-line summary, compare's table and the report read
 * names, units, labels and headline flags from here.
 *
 * A KPI is identified in files by its name and its scope (a name may appear
 * at several scopes, e.g. `days_frozen` for the run and per calendar year;
 * the label is the same at every scope, the scope says where). */
#ifndef FLOWSIM_KPI_H
#define FLOWSIM_KPI_H

#include <stdbool.h>
#include <stddef.h>

enum kpi_id {
    KPI_COST_TOTAL,
    KPI_COST_TOTAL_DISCOUNTED,
    KPI_COST_PER_YEAR,
    KPI_CITIZEN_YEARS,
    KPI_PROGRESSIONS,
    KPI_REGRESSIONS,
    KPI_COST_PER_PROGRESSION,
    KPI_REFERRAL_TO_DECISION,
    KPI_REFERRAL_TO_PLACEMENT,
    KPI_VISITATION_QUEUE,
    KPI_CASEWORKER_UTILISATION,
    KPI_VISITATION_COST,
    KPI_YEARS_OVER_BUDGET,
    KPI_BUDGET_OVERSHOOT_MAX,
    KPI_BUDGET_HOLDS_FROM,
    KPI_DAYS_FROZEN,
    KPI_PLACEMENTS_DEFERRED,
    KPI_PLACEMENTS_STEPPED_DOWN,
    KPI_ARRIVALS,
    KPI_DEATHS,
    KPI_RETIREMENTS,
    KPI_OTHER_EXITS,
    KPI_END_SIZE,
    KPI_LEVEL_CHANGE,
    KPI_SPENDING,
    KPI_BUDGET,
    KPI_OVER_BUDGET,
    KPI_COST,
    KPI_OUTWARD_SHARE,
    KPI_OCCUPANCY_MEAN,
    KPI_UTILISATION,
    KPI_WAITING_LIST_MEAN,
    KPI_WAITING_LIST_P95,
    KPI_WAIT_DAYS_MEAN,
    KPI_WAIT_SHARE_WAITED,
    KPI_WAIT_DAYS_MEAN_IF_WAITED,
    KPI_WAIT_DAYS_P95,
    KPI_WAIT_DAYS_KM_MEDIAN,
    KPI_WAIT_SHARE_OVER_90_DAYS,
    KPI_WAIT_SHARE_OVER_365_DAYS,
    KPI_REQUESTS_SERVED,
    KPI_ENTRIES,
    KPI_DEPARTURES,
    KPI_STAY_YEARS_MEAN,
    KPI_STAY_YEARS_LITTLE,
    KPI_WAITS_ABANDONED,
    KPI_WAITS_OPEN_AT_END,
    KPI_N                         /* number of catalogue rows */
};

/* Where a KPI is emitted (a bit set: some names appear at several). */
enum kpi_scope {
    KPI_SCOPE_RUN = 1 << 0,       /* the whole KPI window */
    KPI_SCOPE_DIM = 1 << 1,       /* per function dimension */
    KPI_SCOPE_YEAR = 1 << 2,      /* per calendar year */
    KPI_SCOPE_FLOW = 1 << 3,      /* per flow */
    KPI_SCOPE_RING = 1 << 4,      /* per ring of a flow */
};

/* How a KPI is shown (a bit set). */
enum kpi_show {
    KPI_HEADLINE = 1 << 0,        /* in the headline tables of report and compare */
    KPI_ONELINE = 1 << 1,         /* in the one-line summary of `flowsim run` */
    KPI_CARD = 1 << 2,            /* a card at the top of the run report */
    KPI_WHOLE = 1 << 3,           /* a count: whole per replication, whole when shown */
    KPI_NEEDS_BUDGET = 1 << 4,    /* says nothing without a budget */
    KPI_SKEWED = 1 << 5,          /* skewed over replications: bootstrap-t interval */
    KPI_SIGNED = 1 << 6,          /* may be negative (a change, a difference from the
                                   * budget); any other KPI's interval is cut at 0 */
};

struct kpi_def {
    const char *name;             /* key in summary.json and name in CSV files */
    unsigned scopes;              /* enum kpi_scope bits */
    const char *unit;             /* as written to files: "DKK", "days", "share", ... */
    const char *en, *da;          /* labels */
    unsigned show;                /* enum kpi_show bits */
};

/* The row of id (0 <= id < KPI_N). */
const struct kpi_def *kpi_def(enum kpi_id id);
/* The row named `name`, or NULL when no KPI has that name. */
const struct kpi_def *kpi_find(const char *name);
/* The label of the KPI named `name` in English (danish false) or Danish;
 * NULL when no KPI has that name. */
const char *kpi_label(const char *name, bool danish);

#endif
