/* stats.h: what ONE replication measures, accumulated online (time-weighted
 * areas, simlib's `area += level * dt`), and the KPI vector it yields.
 *
 * Accumulators are indexed by state slot: slot = model slot_base(f) + s for
 * state s of flow f (rings and `none`), so the time series can show `none`.
 * KPIs cover the window [warmup_years, years] (docs/model.md); an accumulator is
 * flushed before every change of its level and at every window or calendar
 * mark, so a period never straddles a mark. */
#ifndef FLOWSIM_STATS_H
#define FLOWSIM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/kpi.h"
#include "model/model.h"

struct tw {                       /* time-weighted level */
    double level, last_t, area;   /* area within the KPI window */
};

struct slot_stats {
    struct tw occ, wl;            /* occupancy and waiting-list length */
    double occ_disc;              /* discounted occupancy-years */
    double *occ_year;             /* occupancy-years per calendar year index */
    double *wl_hist;              /* years spent at each list length */
    size_t wl_hist_cap;
    double *waits;                /* completed waits (years), requests in window */
    size_t n_waits, cap_waits;
    double *cens;                 /* censored waits (years): abandoned or open at the end */
    size_t n_cens, cap_cens;
    uint32_t n_abandoned, n_open_at_end;
    uint32_t n_entries;           /* executed entries (any cause) in window */
    uint32_t n_departures;        /* leavings in window (moves and exits) */
    double stay_sum;              /* their stays, from entry (may predate window) */
    /* Plans over time: the cost and capacity-years that the current
     * prices and capacity, applied to the whole window, get wrong for the
     * time before the last change (stats_switch). 0 without changes. */
    double cost_adj, cost_adj_disc, *cost_adj_year, cap_adj;
};

struct rep_stats {
    const struct model *m;        /* the scenario: the KPI layout */
    const struct model *cur;      /* the model in force now (a plan's change) */
    double cw_adj;                /* caseworker-years, as cap_adj */
    /* the caseworkers' cost, as cost_adj: whole window, discounted, per year */
    double vcost_adj, vcost_adj_disc, *vcost_adj_year;
    int n_slots;
    int slot_base[MODEL_MAX_FLOWS];
    int first_year, n_years;      /* calendar years of the run */
    double *year_start;           /* n_years + 1 bounds, clipped to [0, years] */
    bool counting;                /* t >= warmup */
    int year_idx;                 /* calendar year index of the clock */
    double log1p_disc;            /* log(1 + discount_rate) */
    struct slot_stats *slot;
    struct tw alive, vqueue, vbusy;
    /* counts within the window */
    uint32_t arrivals, deaths, retirements, other_exits;
    uint32_t prog[MODEL_MAX_FLOWS], regr[MODEL_MAX_FLOWS];
    double decision_sum; uint32_t n_decisions;     /* referral to decision */
    double placement_sum; uint32_t n_placements;   /* referral to first place */
    double *frozen_days_year;     /* budget rule active (days), per calendar year */
    uint32_t *deferred_year;      /* entries refused by `freeze` alone (room was free) */
    uint32_t *stepped_year;       /* placements stepped down by `step_down` */
    /* filled at the end of the run */
    double end_size;
    double outward_share[MODEL_MAX_FLOWS];
    double level_change[MODEL_MAX_DIMS];
};

/* Caller-owned storage. Returns 0, or -1 when out of memory. */
int stats_init(struct rep_stats *st, const struct model *m);
void stats_fini(struct rep_stats *st);
/* Back to t = 0 for another replication, keeping allocations. */
void stats_reset(struct rep_stats *st);

static inline int stats_slot(const struct rep_stats *st, int flow, int state)
{
    return st->slot_base[flow] + state;
}

/* Level changes; each flushes the accumulator to t first. */
void stats_tw_set(const struct rep_stats *st, struct tw *a, double t, double level);
int stats_occ_add(struct rep_stats *st, int slot, double t, int delta);
int stats_wl_add(struct rep_stats *st, int slot, double t, int delta);
/* A citizen left the slot at t after entering it at t_entered. */
void stats_departure(struct rep_stats *st, int slot, double t_entered, double t);
/* A completed wait: request at t_req, entry at t. 0, or -1 when OOM. */
int stats_wait_done(struct rep_stats *st, int slot, double t_req, double t);
/* A wait requested at t_req that ended at t without entry: abandoned
 * (open_at_end false) or still open at the horizon. Counted and kept as a
 * censored wait when requested in the window. 0, or -1 when OOM. */
int stats_wait_censored(struct rep_stats *st, int slot, double t_req, double t, bool open_at_end);

/* Flushes every accumulator to t and re-reads the window and calendar year:
 * called at warmup end, at each calendar-year start and at the horizon. */
void stats_mark(struct rep_stats *st, double t);
/* A plan's change at t to model next (call stats_mark(st, t) first): the
 * costs, capacity and caseworkers accrued so far keep the old values. */
void stats_switch(struct rep_stats *st, double t, const struct model *next);

/* After the last mark: orders what quantiles need. */
void stats_finish(struct rep_stats *st);

/* ---- KPIs -------------------------------------------------------------- */

/* One emitted KPI: its catalogue row (name, unit, labels: model/kpi.h) and
 * where it applies (flow, ring, calendar year, dimension; -1 or 0 when not
 * scoped). name and unit repeat the catalogue's for the writers. */
struct kpi_desc {
    const char *name;
    int flow;                     /* -1: not per flow */
    int ring;                     /* -1: not per ring */
    int year;                     /* 0: not per calendar year */
    int dim;                      /* -1: not per function dimension */
    const char *unit;
    enum kpi_id id;               /* its row in the KPI catalogue */
};

/* The KPI layout of a model (same order as stats_kpi_values). Returns the
 * number of KPIs; *out (may be NULL to count) gets a malloc'd array. */
int stats_kpi_layout(const struct model *m, struct kpi_desc **out);
/* Fills values[] (stats_kpi_layout's length) from a finished replication.
 * NaN marks a value undefined in this replication (e.g. no one waited). */
void stats_kpi_values(const struct rep_stats *st, double *values);

#endif
