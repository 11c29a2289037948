/* bench.c: `make bench`. Speed and memory of flowsim, each figure the
 * median of several runs, CPU time (user + sys of the measured work) beside
 * wall time, so that a loaded machine shows as one (CPU close to the idle
 * figure, wall far above it):
 *   - the Esbjerg baseline at 1x, 10x, 100x and 1000x its population: CPU
 *     per event (flat cost per citizen) and bytes per citizen;
 *   - an M/M/c queue as a scenario (bench/mmc.cfg) against the same queue in
 *     bare C (floor.c): the 100x queue (lambda 4,000/yr, c 8,100, 16 x 20
 *     years) and the 1,000-year M/M/90 form (citizens who left the ring stay
 *     in the population);
 *   - 1,000 replications of the baseline on one thread and on two.
 * Each measurement runs in a child process so that its peak memory
 * (ru_maxrss) is its own. Prints tables and writes output/bench.json.
 * Usage: flowsim-bench [BASELINE.cfg [OUT.json [RUNS [MAX_SCALE]]]]. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <gsl/gsl_errno.h>

#include "base/afile.h"
#include "engine/runner.h"
#include "engine/sim.h"
#include "model/scenario.h"

#include "floor.h"

#define MMC_CFG "bench/mmc.cfg"

struct measure {                 /* what a child sends back */
    double cpu, wall;            /* seconds of the measured work */
    double events;
    double customers;            /* the queue's arrivals (floor) */
    double citizens;             /* citizens ever created (last replication) */
    double reps;
    double peak_kb;              /* the child's own peak RSS */
};

/* The M/M/c work measured against the floor. */
struct queue_job { const char *name; double lambda; int c; double mu, years; int reps; };
static const struct queue_job QUEUES[] = {
    { "queue_100x", 4000.0, 8100, 0.55, 20.0, 16 },
    { "mmc90_1000_years", 120.0, 90, 1.5, 1000.0, 4 },
};

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* user + sys of this process, all its threads */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct model *load(const char *path)
{
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load(path, &m, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        exit(2);
    }
    m->out_rbs_panel = false;
    m->out_events = false;
    m->out_plots = false;
    return m;
}

/* k times the population: initial, arrivals, places, caseworkers. */
static struct model *load_scaled(const char *path, int k)
{
    struct model *m = load(path);
    m->initial *= k;
    m->arrivals_per_year *= k;
    for (int i = 0; i < m->n_arrivals_by_year; i++) m->arrivals_by_year[i] *= k;
    m->caseworkers *= k;
    for (int f = 0; f < m->n_flows; f++)
        for (int r = 0; r < m->flows[f].n_rings; r++) {
            m->flows[f].rings[r].capacity *= k;
            m->flows[f].rings[r].initial *= k;
        }
    return m;
}

static struct model *load_queue(const struct queue_job *q)
{
    struct model *m = load(MMC_CFG);
    m->arrivals_per_year = q->lambda;
    m->flows[0].rings[0].capacity = q->c;
    m->moves[0].per_year = m->transitions[0].per_year = q->mu;
    m->years = q->years;
    m->replications = q->reps;
    return m;
}

/* Replications one after another on one thread. */
static struct measure run_serial(struct model *m, int reps)
{
    struct sim_shape shape;
    sim_shape_of(m, &shape);
    struct rep_result res;
    struct sim_workspace *w = sim_workspace_create(m);
    if (!w || sim_result_init(&res, &shape) != 0) exit(1);
    struct err e = { 0 };
    struct measure out = { 0 };
    double c0 = cpu_now(), t0 = wall_now();
    for (int r = 0; r < reps; r++) {
        if (sim_run(w, (uint32_t)r, false, false, &res, &e) != 0) {
            fprintf(stderr, "%s\n", e.msg);
            exit(1);
        }
        out.events += (double)res.n_events;
    }
    out.cpu = cpu_now() - c0;
    out.wall = wall_now() - t0;
    out.reps = reps;
    out.citizens = sim_workspace_citizens(w);
    sim_result_fini(&res);
    sim_workspace_destroy(w);
    model_destroy(m);
    return out;
}

/* Replications through the runner with n threads. */
static struct measure run_threads(const char *path, int reps, int threads)
{
    struct model *m = load(path);
    struct runopts ro;
    runopts_of(m, &ro);
    ro.replications = reps;
    ro.threads = threads;
    struct run_results res;
    struct err e = { 0 };
    double c0 = cpu_now(), t0 = wall_now();
    if (runner_run(m, &ro, false, NULL, &res, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        exit(1);
    }
    struct measure out = { .cpu = cpu_now() - c0, .wall = wall_now() - t0,
                           .events = (double)res.n_events, .reps = reps };
    runner_results_fini(&res);
    model_destroy(m);
    return out;
}

static struct measure run_floor(const struct queue_job *q)
{
    double c0 = cpu_now(), t0 = wall_now();
    struct floor_result f = floor_mmc(q->lambda, q->c, q->mu, q->years, q->reps, 7);
    struct measure out = { .cpu = cpu_now() - c0, .wall = wall_now() - t0, .events = f.events,
                           .customers = f.customers, .reps = q->reps };
    if (!(f.mean_wait >= 0.0)) exit(1);        /* uses the result */
    return out;
}

enum job_kind { JOB_SCALE, JOB_THREADS, JOB_QUEUE, JOB_FLOOR, JOB_IDLE };
struct job { enum job_kind kind; const char *path; int arg; int reps; };

static struct measure do_job(const struct job *j)
{
    struct measure m = { 0 };
    switch (j->kind) {
    case JOB_SCALE: m = run_serial(load_scaled(j->path, j->arg), j->reps); break;
    case JOB_THREADS: m = run_threads(j->path, j->reps, j->arg); break;
    case JOB_QUEUE:
        m = run_serial(load_queue(&QUEUES[j->arg]), QUEUES[j->arg].reps);
        break;
    case JOB_FLOOR: m = run_floor(&QUEUES[j->arg]); break;
    case JOB_IDLE: model_destroy(load(j->path)); break;
    }
    return m;
}

/* Runs one measurement in a child; returns it with the child's peak RSS. */
static struct measure in_child(const struct job *j)
{
    int fd[2];
    if (pipe(fd) != 0) exit(1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        struct measure m = do_job(j);
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
    return m;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The median over `runs` children of CPU, wall and peak memory (the other
 * figures are the same in every run). */
static struct measure measured(const struct job *j, int runs)
{
    double cpu[32], wall[32], kb[32];
    struct measure m = { 0 };
    if (runs > 32) runs = 32;
    for (int i = 0; i < runs; i++) {
        m = in_child(j);
        cpu[i] = m.cpu;
        wall[i] = m.wall;
        kb[i] = m.peak_kb;
    }
    m.cpu = median(cpu, runs);
    m.wall = median(wall, runs);
    m.peak_kb = median(kb, runs);
    return m;
}

static cJSON *timing(cJSON *parent, const char *name, const struct measure *m)
{
    cJSON *o = cJSON_AddObjectToObject(parent, name);
    cJSON_AddNumberToObject(o, "cpu_seconds", m->cpu);
    cJSON_AddNumberToObject(o, "wall_seconds", m->wall);
    cJSON_AddNumberToObject(o, "events", m->events);
    cJSON_AddNumberToObject(o, "replications", m->reps);
    return o;
}

static void bench_scales(cJSON *root, const char *path, int runs, int max_scale, double idle_kb)
{
    static const int scale[] = { 1, 10, 100, 1000 };
    static const int reps_at[] = { 40, 6, 2, 1 };
    cJSON *arr = cJSON_AddArrayToObject(root, "population_scales");
    printf("%6s %10s %12s %12s %12s %12s %10s %10s\n", "scale", "citizens", "events/rep",
           "CPU s/rep", "wall s/rep", "CPU ns/event", "vs 1x", "B/citizen");
    double ns_1x = 0.0;
    for (int i = 0; i < 4 && scale[i] <= max_scale; i++) {
        struct job j = { JOB_SCALE, path, scale[i], reps_at[i] };
        struct measure s = measured(&j, runs);
        double ns = 1e9 * s.cpu / s.events;
        if (i == 0) ns_1x = ns;
        double bytes = (s.peak_kb - idle_kb) * 1024.0 / s.citizens;
        printf("%5dx %10.0f %12.0f %12.4f %12.4f %12.1f %10.2f %10.0f\n", scale[i], s.citizens,
               s.events / s.reps, s.cpu / s.reps, s.wall / s.reps, ns, ns / ns_1x, bytes);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddNumberToObject(o, "scale", scale[i]);
        cJSON_AddNumberToObject(o, "replications_timed", s.reps);
        cJSON_AddNumberToObject(o, "citizens_per_replication", s.citizens);
        cJSON_AddNumberToObject(o, "events_per_replication", s.events / s.reps);
        cJSON_AddNumberToObject(o, "cpu_seconds_per_replication", s.cpu / s.reps);
        cJSON_AddNumberToObject(o, "wall_seconds_per_replication", s.wall / s.reps);
        cJSON_AddNumberToObject(o, "cpu_ns_per_event", ns);
        cJSON_AddNumberToObject(o, "cpu_per_event_over_1x", ns / ns_1x);
        cJSON_AddNumberToObject(o, "peak_rss_mb", s.peak_kb / 1024.0);
        cJSON_AddNumberToObject(o, "bytes_per_citizen", bytes);
    }
}

static void bench_queues(cJSON *root, int runs)
{
    cJSON *obj = cJSON_AddObjectToObject(root, "queue_against_floor");
    printf("\n%-18s %10s %12s %12s %12s %12s %8s\n", "M/M/c work", "customers", "floor CPU s",
           "flowsim CPU", "floor wall", "flowsim wall", "ratio");
    for (int i = 0; i < (int)(sizeof QUEUES / sizeof QUEUES[0]); i++) {
        const struct queue_job *q = &QUEUES[i];
        struct job jf = { JOB_FLOOR, NULL, i, 0 }, js = { JOB_QUEUE, NULL, i, 0 };
        struct measure f = measured(&jf, runs), s = measured(&js, runs);
        printf("%-18s %10.0f %12.3f %12.3f %12.3f %12.3f %8.2f\n", q->name, f.customers, f.cpu,
               s.cpu, f.wall, s.wall, s.cpu / f.cpu);
        cJSON *o = cJSON_AddObjectToObject(obj, q->name);
        cJSON_AddNumberToObject(o, "lambda_per_year", q->lambda);
        cJSON_AddNumberToObject(o, "places", q->c);
        cJSON_AddNumberToObject(o, "mu_per_year", q->mu);
        cJSON_AddNumberToObject(o, "years", q->years);
        cJSON_AddNumberToObject(o, "customers", f.customers);
        timing(o, "floor", &f);
        timing(o, "flowsim", &s);
        cJSON_AddNumberToObject(o, "cpu_ratio", s.cpu / f.cpu);
    }
}

/* The 1-minute load average (Linux), or -1. */
static double load_average(void)
{
    double load = -1.0;
    FILE *lf = fopen("/proc/loadavg", "r");
    if (lf) {
        if (fscanf(lf, "%lf", &load) != 1) load = -1.0;
        fclose(lf);
    }
    return load;
}

/* Seconds of CPU the whole machine has spent busy (Linux /proc/stat: all
 * but idle and iowait), or -1. */
static double machine_busy_seconds(void)
{
    unsigned long long v[8] = { 0 };
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return -1.0;
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n != 8) return -1.0;
    long hz = sysconf(_SC_CLK_TCK);
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)(hz > 0 ? hz : 100);
}

/* CPU seconds of this process's waited-for children. */
static double children_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

/* measured(), and how many cores other processes kept busy meanwhile, on
 * average (the machine's busy time less this benchmark's), or -1. */
static struct measure measured_alone(const struct job *j, int runs, double *others)
{
    double busy0 = machine_busy_seconds(), own0 = children_cpu(), t0 = wall_now();
    struct measure m = measured(j, runs);
    double busy1 = machine_busy_seconds(), own1 = children_cpu(), t1 = wall_now();
    *others = busy0 < 0.0 || busy1 < 0.0 || t1 <= t0
                  ? -1.0 : fmax(0.0, (busy1 - busy0 - (own1 - own0)) / (t1 - t0));
    return m;
}

/* Two threads against one on the baseline's 1,000 replications. The wall
 * speed-up is what the target is about, and it needs two cores nobody else
 * uses: the other processes' use of the machine during each measurement
 * says whether there were, and CPU two/one whether the work itself grew
 * with the threads. */
static void bench_threads(cJSON *root, const char *path, int runs)
{
    const int reps = 1000;
    const double target = 1.8, idle_below = 0.2;    /* cores used by others */
    struct job j1 = { JOB_THREADS, path, 1, reps }, j2 = { JOB_THREADS, path, 2, reps };
    double others1, others2;
    struct measure t1 = measured_alone(&j1, runs, &others1), t2 = measured_alone(&j2, runs, &others2);
    int cores = runner_cores();
    bool idle = cores >= 2 && others1 >= 0.0 && others1 < idle_below && others2 >= 0.0 &&
                others2 < idle_below;
    double speedup = t1.wall / t2.wall, cpu_ratio = t2.cpu / t1.cpu;
    printf("\n%d replications of the baseline (%d cores; other processes kept %.2f and %.2f "
           "cores busy meanwhile):\n"
           "  1 thread  %7.2f s wall %7.2f s CPU\n"
           "  2 threads %7.2f s wall %7.2f s CPU\n"
           "  wall speed-up %.2f (target >= %.2f on an idle machine: %s); CPU 2 threads / 1 thread %.2f\n",
           reps, cores, others1, others2, t1.wall, t1.cpu, t2.wall, t2.cpu, speedup, target,
           !idle ? "not measurable here, the machine was busy"
                 : speedup >= target ? "met" : "not met",
           cpu_ratio);
    cJSON *o = cJSON_AddObjectToObject(root, "threads");
    timing(o, "one_thread", &t1);
    timing(o, "two_threads", &t2);
    cJSON_AddNumberToObject(o, "speedup_wall", speedup);
    cJSON_AddNumberToObject(o, "cpu_two_over_one", cpu_ratio);
    cJSON_AddNumberToObject(o, "other_cores_busy_one_thread", others1);
    cJSON_AddNumberToObject(o, "other_cores_busy_two_threads", others2);
    cJSON_AddBoolToObject(o, "machine_idle", idle);
    cJSON_AddNumberToObject(o, "speedup_target", target);
}

static int write_json(cJSON *root, const char *out_path)
{
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
    return rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    const char *path = argc > 1 ? argv[1] : "scenarios/esbjerg.cfg";
    const char *out_path = argc > 2 ? argv[2] : "output/bench.json";
    int runs = argc > 3 ? atoi(argv[3]) : 3;
    int max_scale = argc > 4 ? atoi(argv[4]) : 1000;
    if (runs < 1) runs = 1;
    struct job idle = { JOB_IDLE, path, 0, 0 };
    double idle_kb = in_child(&idle).peak_kb;

    cJSON *root = cJSON_CreateObject();
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    cJSON_AddStringToObject(root, "host", host);
    cJSON_AddNumberToObject(root, "cores", runner_cores());
    cJSON_AddStringToObject(root, "scenario", path);
    cJSON_AddNumberToObject(root, "runs_per_figure", runs);
    double load = load_average();           /* the machine's load: Linux only */
    cJSON_AddNumberToObject(root, "load_average_1min", load);
    printf("flowsim benchmark on %s (%d cores, load %.2f), %s; each figure the median of %d "
           "runs; CPU = user + sys of the measured work\n\n",
           host, runner_cores(), load, path, runs);
    bench_scales(root, path, runs, max_scale, idle_kb);
    bench_queues(root, runs);
    bench_threads(root, path, runs);
    int rc = write_json(root, out_path);
    cJSON_Delete(root);
    return rc;
}
