/* bench.c: `make bench`. Speed and memory of flowsim on the Esbjerg
 * baseline at 1x, 10x and 100x its population, against a bare event-queue
 * loop of the same heap size. Each measurement runs in a child process so
 * that its peak memory (ru_maxrss) is its own. Prints a table and writes
 * output/bench.json. Wall times depend on the machine and its load: this is
 * a benchmark, not a test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "base/afile.h"
#include "engine/evq.h"
#include "engine/rngs.h"
#include "engine/runner.h"
#include "engine/sim.h"
#include "model/scenario.h"

struct measure {                 /* what a child sends back */
    double seconds;
    double events;
    double citizens;             /* citizens ever created (last replication) */
    double heap;                 /* mean heap size seen (bare loop: given) */
    double reps;
    double peak_kb;              /* the child's own peak RSS */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct model *load_scaled(const char *path, int k)
{
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load(path, &m, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        exit(2);
    }
    /* k times the population: initial, arrivals, places, caseworkers. */
    m->initial *= k;
    m->arrivals_per_year *= k;
    for (int i = 0; i < m->n_arrivals_by_year; i++) m->arrivals_by_year[i] *= k;
    m->caseworkers *= k;
    for (int f = 0; f < m->n_flows; f++)
        for (int r = 0; r < m->flows[f].n_rings; r++) {
            m->flows[f].rings[r].capacity *= k;
            m->flows[f].rings[r].initial *= k;
        }
    m->out_rbs_panel = false;
    m->out_events = false;
    return m;
}

/* Replications one after another on one thread. */
static struct measure run_serial(const char *path, int k, int reps)
{
    struct model *m = load_scaled(path, k);
    struct sim_shape shape;
    sim_shape_of(m, &shape);
    struct rep_result res;
    struct sim_workspace *w = sim_workspace_create(m);
    if (!w || sim_result_init(&res, &shape) != 0) exit(1);
    struct err e = { 0 };
    struct measure out = { 0 };
    double t0 = now();
    for (int r = 0; r < reps; r++) {
        if (sim_run(w, (uint32_t)r, false, false, &res, &e) != 0) {
            fprintf(stderr, "%s\n", e.msg);
            exit(1);
        }
        out.events += (double)res.n_events;
    }
    out.seconds = now() - t0;
    out.reps = reps;
    out.citizens = sim_workspace_citizens(w);
    out.heap = sim_workspace_heap_peak(w);
    sim_result_fini(&res);
    sim_workspace_destroy(w);
    model_destroy(m);
    return out;
}

/* Replications through the runner with n threads. */
static struct measure run_threads(const char *path, int reps, int threads)
{
    struct model *m = load_scaled(path, 1);
    m->replications = reps;
    struct run_results res;
    struct err e = { 0 };
    if (runner_run(m, threads, false, NULL, &res, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        exit(1);
    }
    struct measure out = { .seconds = res.wall_seconds, .events = (double)res.n_events, .reps = reps };
    runner_results_fini(&res);
    model_destroy(m);
    return out;
}

/* The floor: the queue alone at heap size n, each pop followed by a push an
 * exponential time later (the hold model), with GSL's draws. */
static struct measure bare_queue(size_t n, long ops)
{
    struct evq q;
    struct rngs s;
    if (evq_init(&q, n) != 0 || rngs_init(&s, 1, 0) != 0) exit(1);
    gsl_rng *g = s.r[RNG_ARRIVAL];
    for (size_t i = 0; i < n; i++) evq_push(&q, rngs_exp(g, 0.5), 1, 0, (uint32_t)i, 0);
    struct event ev;
    double t0 = now();
    for (long i = 0; i < ops; i++) {
        evq_pop(&q, &ev);
        evq_push(&q, ev.t + rngs_exp(g, 0.5), ev.kind, 0, ev.who, 0);
    }
    struct measure out = { .seconds = now() - t0, .events = (double)ops, .heap = (double)n };
    evq_fini(&q);
    rngs_fini(&s);
    return out;
}

enum job_kind { JOB_SERIAL, JOB_THREADS, JOB_BARE, JOB_IDLE };

/* Runs one measurement in a child; returns it with the child's peak RSS. */
static struct measure in_child(enum job_kind kind, const char *path, int k, int reps,
                               int threads, size_t heap, long ops, long *peak_kb)
{
    int fd[2];
    if (pipe(fd) != 0) exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        struct measure m = { 0 };
        if (kind == JOB_SERIAL) m = run_serial(path, k, reps);
        else if (kind == JOB_THREADS) m = run_threads(path, reps, threads);
        else if (kind == JOB_BARE) m = bare_queue(heap, ops);
        else { struct model *mm = load_scaled(path, 1); model_destroy(mm); }
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        m.peak_kb = (double)ru.ru_maxrss;
        if (write(fd[1], &m, sizeof m) != (ssize_t)sizeof m) _exit(1);
        _exit(0);
    }
    close(fd[1]);
    struct measure m = { 0 };
    if (read(fd[0], &m, sizeof m) != (ssize_t)sizeof m) {
        fprintf(stderr, "bench: a measurement failed\n");
        exit(1);
    }
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    *peak_kb = (long)m.peak_kb;
    return m;
}

static cJSON *add_obj(cJSON *parent, const char *name) { return cJSON_AddObjectToObject(parent, name); }

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    const char *path = argc > 1 ? argv[1] : "scenarios/esbjerg.cfg";
    const char *out_path = argc > 2 ? argv[2] : "output/bench.json";
    int cores = runner_cores();
    long idle_kb;
    in_child(JOB_IDLE, path, 1, 0, 0, 0, 0, &idle_kb);

    cJSON *root = cJSON_CreateObject();
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    cJSON_AddStringToObject(root, "host", host);
    cJSON_AddNumberToObject(root, "cores", cores);
    cJSON_AddStringToObject(root, "scenario", path);
    cJSON *scales = cJSON_AddArrayToObject(root, "population_scales");

    printf("flowsim benchmark on %s (%d cores), %s\n", host, cores, path);
    printf("%6s %10s %12s %12s %12s %11s %11s %13s\n", "scale", "citizens", "events/rep",
           "events/s", "queue ops/s", "sim/queue", "peak MB", "bytes/citizen");
    const int scale[] = { 1, 10, 100 };
    const int reps_at[] = { 20, 3, 1 };
    double base_eps = 0.0;
    for (int i = 0; i < 3; i++) {
        long kb, bare_kb;
        struct measure s = in_child(JOB_SERIAL, path, scale[i], reps_at[i], 1, 0, 0, &kb);
        size_t heap = (size_t)fmax(s.heap, 64.0);
        struct measure b = in_child(JOB_BARE, path, 1, 0, 0, heap, 4000000L, &bare_kb);
        double eps = s.events / s.seconds, qps = b.events / b.seconds;
        double bytes = (double)(kb - idle_kb) * 1024.0 / s.citizens;
        if (i == 0) base_eps = eps;
        printf("%5dx %10.0f %12.0f %12.3g %12.3g %11.2f %11.1f %13.0f\n", scale[i], s.citizens,
               s.events / s.reps, eps, qps, qps / eps, kb / 1024.0, bytes);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(scales, o);
        cJSON_AddNumberToObject(o, "scale", scale[i]);
        cJSON_AddNumberToObject(o, "replications_timed", s.reps);
        cJSON_AddNumberToObject(o, "citizens_per_replication", s.citizens);
        cJSON_AddNumberToObject(o, "events_per_replication", s.events / s.reps);
        cJSON_AddNumberToObject(o, "seconds_per_replication", s.seconds / s.reps);
        cJSON_AddNumberToObject(o, "events_per_second_one_core", eps);
        cJSON_AddNumberToObject(o, "heap_peak_events", s.heap);
        cJSON_AddNumberToObject(o, "bare_queue_ops_per_second", qps);
        cJSON_AddNumberToObject(o, "bare_queue_over_sim", qps / eps);
        cJSON_AddNumberToObject(o, "peak_rss_mb", kb / 1024.0);
        cJSON_AddNumberToObject(o, "bytes_per_citizen", bytes);
    }
    long kb1, kbn, kb1000;
    struct measure t1 = in_child(JOB_THREADS, path, 1, 200, 1, 0, 0, &kb1);
    struct measure tn = in_child(JOB_THREADS, path, 1, 200, cores, 0, 0, &kbn);
    struct measure t1000 = in_child(JOB_THREADS, path, 1, 1000, cores, 0, 0, &kb1000);
    printf("\nbaseline replications/s: %.1f on 1 thread, %.1f on %d threads (speed-up %.2f)\n",
           t1.reps / t1.seconds, tn.reps / tn.seconds, cores, t1.seconds / tn.seconds);
    printf("1000 replications of the baseline on %d threads: %.2f s\n", cores, t1000.seconds);
    printf("events/s per core on the baseline: %.3g\n", base_eps);
    cJSON *rep = add_obj(root, "replications");
    cJSON_AddNumberToObject(rep, "per_second_1_thread", t1.reps / t1.seconds);
    cJSON_AddNumberToObject(rep, "per_second_all_cores", tn.reps / tn.seconds);
    cJSON_AddNumberToObject(rep, "speedup", t1.seconds / tn.seconds);
    cJSON_AddNumberToObject(rep, "seconds_for_1000_all_cores", t1000.seconds);

    struct err e = { 0 };
    struct afile af = { 0 };
    char *text = cJSON_Print(root);
    int rc = 0;
    if (!text || afile_open(&af, out_path, &e) != 0) {
        fprintf(stderr, "bench: %s\n", e.msg);
        rc = 1;
    } else {
        fputs(text, af.f);
        fputc('\n', af.f);
        if (afile_commit(&af, &e) != 0) {
            fprintf(stderr, "bench: %s\n", e.msg);
            rc = 1;
        } else {
            printf("figures written to %s\n", out_path);
        }
    }
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}
