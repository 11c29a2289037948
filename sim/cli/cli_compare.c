/* cli_compare.c: `flowsim compare` (docs/flowsim.1). Every
 * scenario is loaded and checked before the first replication runs, and
 * files are written only after every run succeeded: bad input writes
 * nothing. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/compare.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "base/resultset.h"
#include "engine/runner.h"
#include "io/output.h"
#include "model/scenario.h"

/* Same calendar and window as the base, or the differences mean nothing. */
static int same_horizon(const struct model *b, const struct model *a)
{
    const char *what = NULL;
    char got[64], want[64];
    if (strcmp(a->start_date, b->start_date) != 0) {
        what = "simulation.start_date";
        snprintf(got, sizeof got, "%s", a->start_date);
        snprintf(want, sizeof want, "%s", b->start_date);
    } else if (a->years != b->years) {
        what = "simulation.years";
        snprintf(got, sizeof got, "%g", a->years);
        snprintf(want, sizeof want, "%g", b->years);
    } else if (a->warmup_years != b->warmup_years) {
        what = "simulation.warmup_years";
        snprintf(got, sizeof got, "%g", a->warmup_years);
        snprintf(want, sizeof want, "%g", b->warmup_years);
    }
    if (!what) return 0;
    fprintf(stderr, "%s: %s: must equal the base's (%s) to compare (got %s)\n", a->path, what,
            want, got);
    return EXIT_INPUT;
}

char *cli_default_dir(const char *kind, const struct model *m)
{
    char name[COMPARE_DIR_LEN];
    resultset_safe_name(m->name, name, sizeof name);    /* never "../x" */
    size_t n = strlen(kind) + strlen(name) + 16;
    char *d = malloc(n);
    if (d) snprintf(d, n, "output/%s-%s", kind, name);
    return d;
}

int cli_run_all(struct model **models, const struct runopts *ros, int n,
                const char *const *labels, bool keep, struct cmp_run *runs)
{
    bool progress = isatty(STDERR_FILENO) && runner_is_root();
    int rc = 0;
    for (int i = 0; i < n; i++) {
        struct err e = { 0 };
        if (rc == 0 && progress) fprintf(stderr, "%s (%d of %d)\n", labels ? labels[i] : models[i]->name, i + 1, n);
        if (rc != 0) {
            model_destroy(models[i]);
        } else if (compare_run(models[i], &ros[i], progress, interrupt_flag(), keep, &runs[i], &e) != 0) {
            /* Interrupted: cli_results_finish says so, in one line. */
            if (!interrupt_requested()) fprintf(stderr, "flowsim: %s\n", e.msg);
            rc = e.status ? e.status : EXIT_RUNTIME;
        }
        models[i] = NULL;
    }
    return rc;
}

/* Each scenario's own run files (summary.json, timeseries.csv, ...) in
 * DIR/<its directory>/ (compare_dir_names), for the comparison plots and
 * report. */
static int write_runs(const struct cmp_run *runs, int n, const char *dir, int argc, char **argv,
                      struct err *e)
{
    char *cmd = cli_join_args(argc, argv);
    char (*dirs)[COMPARE_DIR_LEN] = malloc((size_t)n * sizeof *dirs);
    if (!cmd || !dirs) {
        free(cmd);
        free(dirs);
        return err_set(e, EXIT_RUNTIME, "out of memory writing results to %s", dir);
    }
    compare_dir_names(runs, n, dirs);
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", dir, dirs[i]);
        struct run_info info = { cmd, runs[i].res.wall_seconds, runs[i].res.threads,
                                 interrupt_flag() };
        rc = output_write_run(runs[i].m, &runs[i].res, sub, &info, e);
    }
    free(cmd);
    free(dirs);
    return rc;
}

/* Two scenarios never show under one name: a name used before gets
 * "-<k>" (the smallest k >= 2 that is free), said once on stderr. */
static int distinct_names(struct model **models, int n, const char **files)
{
    for (int i = 1; i < n; i++) {
        bool dup = false;
        for (int j = 0; j < i && !dup; j++) dup = !strcmp(models[j]->name, models[i]->name);
        if (!dup) continue;
        size_t len = strlen(models[i]->name) + 16;
        char *name = malloc(len);
        if (!name) return EXIT_RUNTIME;
        for (int k = 2; dup; k++) {
            snprintf(name, len, "%s-%d", models[i]->name, k);
            dup = false;
            for (int j = 0; j < n && !dup; j++) dup = j != i && !strcmp(models[j]->name, name);
        }
        if (runner_is_root())
            fprintf(stderr, "flowsim: note: %s is also named \"%s\": shown as \"%s\"\n", files[i],
                    models[i]->name, name);
        free(models[i]->name);
        models[i]->name = name;
    }
    return 0;
}

int cli_compare(int argc, char **argv)
{
    struct cli_common o;
    cli_common_init(&o);
    const char **files = calloc((size_t)argc, sizeof *files);
    if (!files) return EXIT_RUNTIME;
    int n = 0, rc = 0;
    for (int i = 2; i < argc && rc == 0; i++) {
        int r = cli_common_option(argc, argv, &i, &o);
        if (r == 1) continue;
        if (r) rc = r;
        else if (argv[i][0] == '-') rc = cli_usage_error("unknown option '%s'", argv[i]);
        else files[n++] = argv[i];
    }
    if (rc == 0 && n < 2)
        rc = cli_usage_error("%s needs a base scenario and at least one alternative", argv[1]);
    struct model **models = rc ? NULL : calloc((size_t)n, sizeof *models);
    struct cmp_run *runs = rc ? NULL : calloc((size_t)n, sizeof *runs);
    struct runopts *ros = rc ? NULL : calloc((size_t)n, sizeof *ros);
    if (rc == 0 && (!models || !runs || !ros)) rc = EXIT_RUNTIME;
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = cli_load_set(files[i], &o, 0, NULL, &models[i]);
        if (rc == 0) rc = cli_common_apply(models[i], &o, &ros[i]);
        if (rc == 0 && i > 0) {
            /* Common random numbers: the base's seed and replications. */
            ros[i].seed = ros[0].seed;
            ros[i].replications = ros[0].replications;
            ros[i].threads = ros[0].threads;
            rc = same_horizon(models[0], models[i]);
        }
    }
    if (rc == 0) rc = distinct_names(models, n, files);
    char *dir = NULL;
    if (rc == 0) {
        dir = o.out_dir ? strdup(o.out_dir) : cli_default_dir("compare", models[0]);
        if (!dir) rc = EXIT_RUNTIME;
    }
    /* Claimed before the runs; everything goes to rd.work, swapped in at
     * the end. */
    struct resultset rd = { .lock_fd = -1 };
    bool begun = false;
    if (rc == 0) begun = (rc = cli_results_begin(&rd, dir)) == 0;
    if (rc == 0) rc = cli_run_all(models, ros, n, NULL, true, runs);
    struct err e = { 0 };
    if (rc == 0 && rd.work) {               /* MPI: rank 0 writes */
        if (compare_write(runs, n, rd.work, &e) != 0 || write_runs(runs, n, rd.work, argc, argv, &e) != 0)
            rc = e.status ? e.status : EXIT_RUNTIME;
        /* Optional, as for run: a failure is one warning line. */
        else if (runs[0].ro.plots)
            cli_results_plot(&rd, runs[0].ro.lang);
    }
    if (begun) rc = cli_results_finish(&rd, rc, &e);
    if (rc == 0 && runner_is_root() && !o.quiet) {
        if (compare_print(runs, n, dir, stdout) != 0) {
            fprintf(stderr, "flowsim: out of memory printing the comparison\n");
            rc = EXIT_RUNTIME;
        }
        fflush(stdout);
    }
    for (int i = 0; models && i < n; i++) model_destroy(models[i]);
    for (int i = 0; runs && i < n; i++) compare_run_fini(&runs[i]);
    free(models);
    free(runs);
    free(ros);
    free(files);
    free(dir);
    return rc;
}
