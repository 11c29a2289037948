/* sim.h: runs ONE replication of a model and hands back what it measured.
 * A workspace holds the replication's state between replications on one
 * thread, so allocations are reused; it is never shared between threads. */
#ifndef FLOWSIM_SIM_H
#define FLOWSIM_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "model/model.h"

enum series_col { SERIES_OCC, SERIES_WL, SERIES_SPEND, SERIES_COLS };

/* Waiting-time distribution per ring: bin 0 holds the zero waits, bin k in
 * 1..WAIT_BINS-2 waits in ((k-1)*WAIT_BIN_DAYS, k*WAIT_BIN_DAYS] days, the
 * last bin the longer ones. */
#define WAIT_BIN_DAYS 30
/* 122 bins of 30 days reach 3,660 days: the waits of a 10-year run (a
 * freeze keeps requests waiting for years), so the waits plot's axis covers
 * the waits that occur; longer ones fall into the last, open-ended bin. */
#define WAIT_BINS 124

/* Sizes of what a replication yields, fixed by the model. */
struct sim_shape {
    int n_kpi;          /* stats_kpi_layout length */
    int n_snap;         /* snapshots at t = 0, dt, ..., years */
    int n_slots;        /* states of all flows, rings and none */
    double snap_dt;     /* years between snapshots */
};
void sim_shape_of(const struct model *m, struct sim_shape *s);

struct rep_result {
    double *kpi;        /* n_kpi values; NaN = undefined in this replication */
    float *series;      /* [snap][slot][SERIES_COLS] */
    uint32_t *wait_hist;/* [slot][WAIT_BINS]: completed waits in the window */
    struct sbuf panel;  /* RBS rows (when asked for) */
    struct sbuf events; /* event log rows (when asked for) */
    uint64_t n_events;  /* events handled */
};

/* Allocates a result's arrays for the shape. 0, or -1 when out of memory. */
int sim_result_init(struct rep_result *res, const struct sim_shape *s);
void sim_result_fini(struct rep_result *res);

struct sim_workspace;
struct sim_workspace *sim_workspace_create(const struct model *m);
void sim_workspace_destroy(struct sim_workspace *w);   /* NULL is a no-op */

/* A flag that, once non-zero, makes sim_run stop early and fail with
 * "interrupted" (checked every few thousand events). NULL: never. */
void sim_workspace_set_stop(struct sim_workspace *w, const volatile sig_atomic_t *stop);

/* The seed of the replications sim_run runs from now on (the run's -s);
 * a new workspace has the scenario's, m->seed. */
void sim_workspace_set_seed(struct sim_workspace *w, uint64_t seed);

/* Citizens the last replication created, and the most events it had
 * queued at once: for the benchmark's bytes per citizen and its bare-queue
 * floor. */
double sim_workspace_citizens(const struct sim_workspace *w);
double sim_workspace_heap_peak(const struct sim_workspace *w);

/* Runs replication `replication` (0-based) with streams from (the
 * workspace's seed, replication). Records the RBS panel and event log only when asked.
 * Returns 0, or -1 with e set (out of memory). */
int sim_run(struct sim_workspace *w, uint32_t replication, bool want_panel,
            bool want_events, struct rep_result *res, struct err *e);

/* Header lines of the panel and event log, matching sim_run's rows. */
void sim_panel_header(const struct model *m, struct sbuf *b);
void sim_events_header(struct sbuf *b);

#endif
