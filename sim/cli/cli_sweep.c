/* cli_sweep.c: `flowsim sweep` (SPEC §4, §9). Every point is loaded and
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

/* A ring's capacity swept below its `initial` would be refused: the
 * initial occupants are lowered to the capacity instead (said once). Fills
 * init[a] with the initial's path and base[a] with its value for every
 * capacity axis of a ring (else init[a][0] = 0). */
static void clamp_paths(const char *scenario, const struct sweep_plan *p,
                        char init[][512], int *base)
{
    struct model *m = NULL;
    struct err e = { 0 };
    for (int a = 0; a < p->n_axes; a++) init[a][0] = '\0';
    if (scenario_load(scenario, &m, &e) != 0) return;   /* the points' loads say why */
    for (int a = 0; a < p->n_axes; a++) {
        const char *path = p->axis[a].path;
        size_t len = strlen(path);
        int f, r;
        sweep_path_ring(m, path, &f, &r);
        if (r < 0 || len < 9 || strcmp(path + len - 9, ".capacity")) continue;
        base[a] = m->flows[f].rings[r].initial;
        snprintf(init[a], sizeof init[a], "%.*sinitial", (int)(len - 8), path);
    }
    model_destroy(m);
}

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

/* Loads the point's model (the plan's settings after the fixed --set). */
static int load_point(const char *scenario, const struct cli_common *o,
                      const struct sweep_plan *plan, int i, char init[][512], const int *base,
                      bool *lowered, struct model **out, struct runopts *ro)
{
    char buf[2 * SWEEP_MAX_AXES][4200];
    const char *extra[2 * SWEEP_MAX_AXES];
    int n = 0;
    for (int a = 0; a < plan->n_axes; a++) {
        sweep_point_set(plan, i, a, buf[n], sizeof buf[n]);
        extra[n] = buf[n];
        n++;
        double v = sweep_point_value(plan, i, a);
        if (init[a][0] && v > 0 && v < base[a]) {
            snprintf(buf[n], sizeof buf[n], "%s=%d", init[a], (int)v);
            extra[n] = buf[n];
            n++;
            *lowered = true;
        }
    }
    int rc = cli_load_set(scenario, o, n, extra, out);
    return rc ? rc : cli_common_apply(*out, o, ro);
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
    char init[SWEEP_MAX_AXES][512];
    int base[SWEEP_MAX_AXES] = { 0 };
    if (rc == 0) clamp_paths(scenario, &plan, init, base);
    bool lowered = false;
    /* Every point is loaded and validated before anything runs. */
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = load_point(scenario, &o, &plan, i, init, base, &lowered, &models[i], &ros[i]);
        char label[512];
        sweep_point_label(&plan, i, label, sizeof label);
        if (rc == 0 && !(labels[i] = strdup(label))) rc = EXIT_RUNTIME;
    }
    for (int a = 0; rc == 0 && lowered && a < plan.n_axes && !o.quiet && runner_is_root(); a++)
        if (init[a][0])
            fprintf(stderr, "flowsim: note: %s (%d) is lowered to the capacity where the capacity "
                            "is smaller\n", init[a], base[a]);
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
