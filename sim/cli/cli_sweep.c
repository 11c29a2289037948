/* cli_sweep.c: `flowsim sweep` (docs/compare.md). Every point is loaded and
 * checked before the first replication runs, and files are written only
 * after every run succeeded: bad input writes nothing. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/sweep.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "base/resultset.h"
#include "engine/runner.h"
#include "model/scenario.h"

/* Reads the command line into the common options, the plan and zip. */
static int sweep_args(int argc, char **argv, struct cli_common *o, const char **scenario,
                      struct sweep_plan *plan)
{
    bool zip = false;
    for (int i = 2; i < argc; i++) {
        int r = cli_common_option(argc, argv, &i, o);
        if (r == 1) continue;
        if (r) return r;
        if (!strcmp(argv[i], "--zip")) zip = true;
        else if (argv[i][0] == '-') return cli_usage_error("unknown option '%s'", argv[i]);
        else if (*scenario) return cli_usage_error("unexpected argument '%s'", argv[i]);
        else *scenario = argv[i];
    }
    if (!*scenario) return cli_usage_error("%s needs a scenario file", argv[1]);
    /* A --set whose value is FROM:TO:STEP is swept; any other is fixed. */
    int w = 0;
    struct err e = { 0 };
    for (int k = 0; k < o->n_sets; k++) {
        const char *eq = strchr(o->sets[k], '=');
        if (!sweep_is_range(eq + 1)) {
            o->sets[w++] = o->sets[k];
            continue;
        }
        char *path = strndup(o->sets[k], (size_t)(eq - o->sets[k]));
        if (!path) return EXIT_RUNTIME;
        int rc = sweep_plan_add(plan, path, eq + 1, &e);
        free(path);
        if (rc != 0) return e.status == EXIT_INPUT ? cli_usage_error("%s", e.msg) : EXIT_RUNTIME;
    }
    o->n_sets = w;
    if (plan->n_axes == 0) {
        /* An ill-formed range reads as a fixed value: name the range's rule. */
        for (int k = 0; k < o->n_sets; k++) {
            const char *v = strchr(o->sets[k], '=') + 1;
            double *vals = NULL;
            int nv;
            bool integral;
            if (strchr(v, ':') && sweep_values(v, &vals, &nv, &integral, &e) != 0)
                return cli_usage_error("%s", e.msg);
            free(vals);
        }
        return cli_usage_error("%s needs --set PATH=FROM:TO:STEP", argv[1]);
    }
    if (sweep_plan_finish(plan, zip, &e) != 0) return cli_usage_error("%s", e.msg);
    return 0;
}

/* Loads the point's model (the plan's settings after the fixed --set). A
 * capacity swept below a ring's `initial` lowers `initial` in the loader
 * (model_clamp_initial), which notes it in model.notes. */
static int load_point(const char *scenario, const struct cli_common *o,
                      const struct sweep_plan *plan, int i, struct model **out,
                      struct runopts *ro)
{
    char buf[SWEEP_MAX_AXES][4200];
    const char *extra[SWEEP_MAX_AXES];
    for (int a = 0; a < plan->n_axes; a++) {
        sweep_point_set(plan, i, a, buf[a], sizeof buf[a]);
        extra[a] = buf[a];
    }
    int rc = cli_load_set(scenario, o, plan->n_axes, extra, out);
    return rc ? rc : cli_common_apply(*out, o, ro);
}

/* The loader's notes once for the whole sweep: the first point's that has
 * any, and at how many points there were some. */
static void sweep_notes(struct model **models, int n)
{
    int first = -1, count = 0;
    for (int i = 0; i < n; i++)
        if (models[i]->notes) {
            if (first < 0) first = i;
            count++;
        }
    if (first < 0 || !runner_is_root()) return;
    fputs(models[first]->notes, stderr);
    if (count > 1)
        fprintf(stderr, "flowsim: note: (and so at %d more points of the sweep)\n", count - 1);
}

int cli_sweep(int argc, char **argv)
{
    struct cli_common o;
    cli_common_init(&o);
    const char *scenario = NULL;
    struct sweep_plan plan;
    memset(&plan, 0, sizeof plan);
    int rc = sweep_args(argc, argv, &o, &scenario, &plan);
    int n = plan.n_points;
    struct model **models = rc ? NULL : calloc((size_t)n, sizeof *models);
    struct cmp_run *runs = rc ? NULL : calloc((size_t)n, sizeof *runs);
    char **labels = rc ? NULL : calloc((size_t)n, sizeof *labels);
    struct runopts *ros = rc ? NULL : calloc((size_t)n, sizeof *ros);
    if (rc == 0 && (!models || !runs || !labels || !ros)) rc = EXIT_RUNTIME;
    o.keep_notes = true;
    /* Every point is loaded and validated before anything runs. */
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = load_point(scenario, &o, &plan, i, &models[i], &ros[i]);
        char label[512];
        sweep_point_label(&plan, i, label, sizeof label);
        if (rc == 0 && !(labels[i] = strdup(label))) rc = EXIT_RUNTIME;
    }
    if (rc == 0 && !o.quiet) sweep_notes(models, n);
    char *dir = NULL;
    if (rc == 0) {
        dir = o.out_dir ? strdup(o.out_dir) : cli_default_dir("sweep", models[0]);
        if (!dir) rc = EXIT_RUNTIME;
    }
    /* As for compare: claimed before the runs, swapped in at the end. */
    struct resultset rd = { .lock_fd = -1 };
    bool begun = false;
    if (rc == 0) begun = (rc = cli_results_begin(&rd, dir)) == 0;
    if (rc == 0) rc = cli_run_all(models, ros, n, (const char *const *)labels, false, runs);
    struct err e = { 0 };
    if (rc == 0 && rd.work && sweep_write(runs, &plan, rd.work, &e) != 0)   /* MPI: rank 0 */
        rc = e.status ? e.status : EXIT_RUNTIME;
    else if (rc == 0 && rd.work && runs[0].ro.plots)   /* optional: a failure is a warning */
        cli_results_plot(&rd, runs[0].ro.lang);
    if (begun) rc = cli_results_finish(&rd, rc, &e);
    if (rc == 0 && runner_is_root() && !o.quiet) sweep_print(runs, &plan, dir, stdout);
    for (int i = 0; models && i < n; i++) model_destroy(models[i]);
    for (int i = 0; runs && i < n; i++) compare_run_fini(&runs[i]);
    for (int i = 0; labels && i < n; i++) free(labels[i]);
    free(labels);
    free(ros);
    free(models);
    free(runs);
    free(dir);
    sweep_plan_fini(&plan);
    return rc;
}
