/* runner.c: replications on POSIX threads. */
#include "engine/runner.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "engine/psa.h"
#include "model/uncertainty.h"

struct job {
    const struct model *m;
    struct run_results *res;
    int hi;                     /* this process runs replications [next0, hi) */
    const volatile sig_atomic_t *stop;   /* Ctrl-C, or NULL */
    atomic_int next;            /* next replication to take */
    atomic_int done;
    atomic_int failed;          /* first failure stops the others */
    atomic_ullong events;
    atomic_int truncated;       /* parameter draws set to 0 (psa_draw) */
    pthread_mutex_t err_lock;   /* guards err: only the first error is kept */
    struct err err;
    /* Folding into res->agg in replication order (rank 0 only). */
    bool fold;
    pthread_mutex_t fold_lock;  /* guards the three below and res->agg */
    pthread_cond_t folded;      /* next_fold moved, or a failure */
    int next_fold;              /* replications below are folded */
    unsigned char *ready;       /* [r - first]: run, waiting to be folded */
    int first, window;          /* a worker holds r only while r < next_fold + window */
};

/* Folds every ready replication from next_fold on; fold_lock held. */
static void fold_ready(struct job *j)
{
    struct run_results *out = j->res;
    while (j->next_fold < j->hi && j->ready[j->next_fold - j->first]) {
        struct rep_result *res = &out->rep[j->next_fold];
        repagg_fold(&out->agg, res->series, res->wait_hist);
        free(res->series);
        free(res->wait_hist);
        res->series = NULL;
        res->wait_hist = NULL;
        j->next_fold++;
    }
    pthread_cond_broadcast(&j->folded);
}

/* Replication r has run: fold it when its turn comes. A worker far ahead
 * of the oldest unfolded replication waits, so buffers stay few. false
 * when the job failed or was stopped meanwhile. */
static bool deposit(struct job *j, int r)
{
    if (!j->fold) return true;
    pthread_mutex_lock(&j->fold_lock);
    j->ready[r - j->first] = 1;
    fold_ready(j);
    while (r >= j->next_fold + j->window && !atomic_load(&j->failed) && !interrupt_seen(j->stop))
        pthread_cond_wait(&j->folded, &j->fold_lock);
    bool ok = !atomic_load(&j->failed);
    pthread_mutex_unlock(&j->fold_lock);
    return ok;
}

#ifdef FLOWSIM_MPI
#include <mpi.h>

/* This process's rank and the number of ranks (1 when MPI is not running). */
static int mpi_rank(int *size)
{
    int on = 0, rank = 0;
    *size = 1;
    MPI_Initialized(&on);
    if (!on) return 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return rank;
}

/* Ranks other than 0 send their replications' results to rank 0, which
 * puts them in replication order: the files are those of a serial run.
 * Returns 0, or -1 when any rank failed (all ranks agree on it). */
static int mpi_gather(struct run_results *out, int failed_here)
{
    int size, rank = mpi_rank(&size), failed = 0;
    if (size == 1) return failed_here ? -1 : 0;
    MPI_Allreduce(&failed_here, &failed, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    if (failed) return -1;
    const struct sim_shape *sh = &out->shape;
    const int n_series = sh->n_snap * sh->n_slots * SERIES_COLS;
    const int n_hist = sh->n_slots * WAIT_BINS;
    for (int k = 1; k < size; k++) {
        int lo = (int)((long)out->n_rep * k / size), hi = (int)((long)out->n_rep * (k + 1) / size);
        for (int r = lo; r < hi; r++) {
            struct rep_result *res = &out->rep[r];
            if (rank == k) {
                MPI_Send(res->kpi, sh->n_kpi, MPI_DOUBLE, 0, 4 * r, MPI_COMM_WORLD);
                MPI_Send(res->series, n_series, MPI_FLOAT, 0, 4 * r + 1, MPI_COMM_WORLD);
                MPI_Send(res->wait_hist, n_hist, MPI_UINT32_T, 0, 4 * r + 2, MPI_COMM_WORLD);
                MPI_Send(&res->n_events, 1, MPI_UINT64_T, 0, 4 * r + 3, MPI_COMM_WORLD);
            } else if (rank == 0) {
                if (sim_result_init(res, sh) != 0) MPI_Abort(MPI_COMM_WORLD, EXIT_RUNTIME);
                MPI_Recv(res->kpi, sh->n_kpi, MPI_DOUBLE, k, 4 * r, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Recv(res->series, n_series, MPI_FLOAT, k, 4 * r + 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Recv(res->wait_hist, n_hist, MPI_UINT32_T, k, 4 * r + 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Recv(&res->n_events, 1, MPI_UINT64_T, k, 4 * r + 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                /* In replication order: rank 0's own block came first. */
                repagg_fold(&out->agg, res->series, res->wait_hist);
                free(res->series);
                free(res->wait_hist);
                res->series = NULL;
                res->wait_hist = NULL;
            }
        }
    }
    uint64_t sum = 0;
    for (int r = 0; r < out->n_rep; r++) sum += out->rep[r].n_events;
    out->n_events = sum;
    out->ranks = size;
    return 0;
}
#else
static int mpi_rank(int *size)
{
    *size = 1;
    return 0;
}

static int mpi_gather(struct run_results *out, int failed_here)
{
    (void)out;
    return failed_here ? -1 : 0;
}
#endif

bool runner_is_root(void)
{
    int size;
    return mpi_rank(&size) == 0;
}

int runner_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void job_fail(struct job *j, const struct err *e)
{
    pthread_mutex_lock(&j->err_lock);
    if (!atomic_load(&j->failed)) j->err = *e;
    atomic_store(&j->failed, 1);
    pthread_mutex_unlock(&j->err_lock);
    if (j->fold) {                        /* wake workers waiting to fold */
        pthread_mutex_lock(&j->fold_lock);
        pthread_cond_broadcast(&j->folded);
        pthread_mutex_unlock(&j->fold_lock);
    }
}

/* Replication r on w, or, with parameter uncertainty, on a workspace of
 * its own for the model of its draw. */
static int run_one(struct job *j, struct sim_workspace *w, int r, struct rep_result *res,
                   struct err *e)
{
    bool first = r == 0;
    const struct runopts *ro = &j->res->ro;
    if (!ro->uncertainty) return sim_run(w, (uint32_t)r, first && ro->rbs_panel, first && ro->events, res, e);
    int n = uncertainty_count(j->m->uncertainty), truncated = 0;
    double *values = malloc(((size_t)n + 1) * sizeof *values);
    if (!values) return err_set(e, EXIT_RUNTIME, "out of memory for a parameter draw");
    psa_draw(j->m, ro->seed, (uint32_t)r, values, &truncated);
    struct model *d = NULL;
    int rc = psa_model(j->m, values, &d, e);
    free(values);
    struct sim_workspace *own = rc == 0 ? sim_workspace_create(d) : NULL;
    if (rc == 0 && !own) rc = err_set(e, EXIT_RUNTIME, "out of memory creating a replication");
    if (rc == 0) {
        sim_workspace_set_stop(own, j->stop);
        sim_workspace_set_seed(own, ro->seed);
        rc = sim_run(own, (uint32_t)r, first && ro->rbs_panel, first && ro->events, res, e);
    }
    sim_workspace_destroy(own);
    model_destroy(d);
    atomic_fetch_add(&j->truncated, truncated);
    return rc;
}

static void *worker(void *arg)
{
    struct job *j = arg;
    struct err e = { 0 };
    struct sim_workspace *w = sim_workspace_create(j->m);
    if (!w) {
        err_set(&e, EXIT_RUNTIME, "out of memory creating a replication");
        job_fail(j, &e);
        return NULL;
    }
    sim_workspace_set_stop(w, j->stop);
    sim_workspace_set_seed(w, j->res->ro.seed);
    for (;;) {
        int r = atomic_fetch_add(&j->next, 1);
        if (r >= j->hi || atomic_load(&j->failed)) break;
        if (interrupt_seen(j->stop)) {
            err_set(&e, EXIT_RUNTIME, "interrupted");
            job_fail(j, &e);
            break;
        }
        /* The result's arrays are made here, when the replication runs,
         * not all up front: a huge -r starts at once and a signal is seen. */
        struct rep_result *res = &j->res->rep[r];
        if (sim_result_init(res, &j->res->shape) != 0) {
            err_set(&e, EXIT_RUNTIME, "out of memory for replication %d", r + 1);
            job_fail(j, &e);
            break;
        }
        if (run_one(j, w, r, res, &e) != 0) {
            job_fail(j, &e);
            break;
        }
        atomic_fetch_add(&j->events, res->n_events);
        atomic_fetch_add(&j->done, 1);
        if (!deposit(j, r)) break;
    }
    sim_workspace_destroy(w);
    return NULL;
}

static void draw_progress(struct job *j, double t0)
{
    int done = atomic_load(&j->done), n = j->res->n_rep;
    double el = now_seconds() - t0;
    double eps = el > 0 ? (double)atomic_load(&j->events) / el : 0.0;
    double left = done > 0 ? el * (n - done) / done : 0.0;
    fprintf(stderr, "\r  %d/%d replications, %.2f M events/s, %.0f s left   ",
            done, n, eps / 1e6, left);
    fflush(stderr);
}

int runner_run(const struct model *m, const struct runopts *ro, bool progress,
               const volatile sig_atomic_t *stop, struct run_results *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    out->m = m;
    out->ro = *ro;
    sim_shape_of(m, &out->shape);
    out->n_rep = ro->replications;
    /* Empty results (calloc'd pages arrive lazily); each worker fills in
     * the arrays of the replication it runs (worker()). */
    out->rep = calloc((size_t)out->n_rep, sizeof *out->rep);
    if (!out->rep) return err_set(e, EXIT_RUNTIME, "out of memory for %d replications", out->n_rep);
    /* With MPI, this rank runs one contiguous block of replications; rank 0
     * runs the block from 0, so replication 1's panel and log stay here. */
    int size, rank = mpi_rank(&size);
    int lo = (int)((long)out->n_rep * rank / size), hi = (int)((long)out->n_rep * (rank + 1) / size);
    out->ranks = size;
    int n_threads = ro->threads;
    if (n_threads <= 0) n_threads = runner_cores();
    if (n_threads > hi - lo) n_threads = hi - lo > 0 ? hi - lo : 1;
    out->threads = n_threads;
    progress = progress && rank == 0;

    /* Rank 0 folds the series as they come; other ranks keep theirs for
     * mpi_gather, which rank 0 folds after its own block. */
    struct job j = { .m = m, .res = out, .hi = hi, .stop = stop, .fold = rank == 0,
                     .next_fold = lo, .first = lo, .window = 4 * n_threads + 4 };
    atomic_init(&j.next, lo);
    atomic_init(&j.truncated, 0);
    pthread_mutex_init(&j.err_lock, NULL);
    pthread_mutex_init(&j.fold_lock, NULL);
    pthread_cond_init(&j.folded, NULL);
    pthread_t *tid = calloc((size_t)n_threads, sizeof *tid);
    j.ready = calloc((size_t)(hi - lo > 0 ? hi - lo : 1), 1);
    if (!tid || !j.ready || (rank == 0 && repagg_init(&out->agg, &out->shape, out->n_rep) != 0)) {
        free(tid);
        free(j.ready);
        pthread_mutex_destroy(&j.err_lock);
        pthread_mutex_destroy(&j.fold_lock);
        pthread_cond_destroy(&j.folded);
        runner_results_fini(out);
        return err_set(e, EXIT_RUNTIME, "out of memory for %d replications", out->n_rep);
    }
    double t0 = now_seconds();
    int started = 0;
    for (; started < n_threads; started++)
        if (pthread_create(&tid[started], NULL, worker, &j) != 0) break;
    if (started == 0) {
        struct err te;
        err_set(&te, EXIT_RUNTIME, "cannot start a worker thread");
        job_fail(&j, &te);
    }
    if (progress) {
        /* Wait for the workers while showing progress; joined below. */
        while (atomic_load(&j.done) < hi - lo && !atomic_load(&j.failed) && started > 0 &&
               !interrupt_seen(stop)) {
            struct timespec ts = { 0, 200 * 1000 * 1000 };
            nanosleep(&ts, NULL);
            if (now_seconds() - t0 > 1.0) draw_progress(&j, t0);
        }
    }
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
    if (progress && now_seconds() - t0 > 1.0) fprintf(stderr, "\r%70s\r", "");
    free(tid);
    free(j.ready);
    pthread_mutex_destroy(&j.err_lock);
    pthread_mutex_destroy(&j.fold_lock);
    pthread_cond_destroy(&j.folded);
    out->n_events = atomic_load(&j.events);
    out->psa_truncated = atomic_load(&j.truncated);
    int failed = atomic_load(&j.failed);
    if (mpi_gather(out, failed) != 0) {
        if (e) {
            if (failed) *e = j.err;
            else err_set(e, EXIT_RUNTIME, "another MPI rank failed");
        }
        runner_results_fini(out);
        return -1;
    }
    out->wall_seconds = now_seconds() - t0;
    return 0;
}

void runner_results_fini(struct run_results *res)
{
    repagg_fini(&res->agg);
    if (res->rep)
        for (int r = 0; r < res->n_rep; r++) sim_result_fini(&res->rep[r]);
    free(res->rep);
    res->rep = NULL;
    res->n_rep = 0;
}
