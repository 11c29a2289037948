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
#include "engine/runner.h"
#include "model/scenario.h"

int cli_sweep(int argc, char **argv)
{
    struct cli_common o;
    cli_common_init(&o);
    const char *scenario = NULL, *set = NULL;
    for (int i = 2; i < argc; i++) {
        int r = cli_common_option(argc, argv, &i, &o);
        if (r == 1) continue;
        if (r) return r;
        if (!strcmp(argv[i], "--set")) {
            if (i + 1 >= argc) return cli_usage_error("option %s needs PATH=FROM:TO:STEP", "--set");
            if (set) return cli_usage_error("%s takes one --set", argv[1]);
            set = argv[++i];
        } else if (argv[i][0] == '-') {
            return cli_usage_error("unknown option '%s'", argv[i]);
        } else if (scenario) {
            return cli_usage_error("unexpected argument '%s'", argv[i]);
        } else {
            scenario = argv[i];
        }
    }
    if (!scenario) return cli_usage_error("%s needs a scenario file", argv[1]);
    if (!set) return cli_usage_error("%s needs --set PATH=FROM:TO:STEP", argv[1]);
    const char *eq = strchr(set, '=');
    if (!eq || eq == set)
        return cli_usage_error("--set: must be PATH=FROM:TO:STEP (got '%s')", set);
    char *path = strndup(set, (size_t)(eq - set));
    if (!path) return EXIT_RUNTIME;
    double *values = NULL;
    int n = 0, rc = 0;
    bool integral = false;
    struct err e = { 0 };
    if (sweep_values(eq + 1, &values, &n, &integral, &e) != 0) {
        rc = e.status == EXIT_INPUT ? cli_usage_error("%s", e.msg) : EXIT_RUNTIME;
        free(path);
        return rc;
    }
    struct model **models = calloc((size_t)n, sizeof *models);
    struct cmp_run *runs = calloc((size_t)n, sizeof *runs);
    if (!models || !runs) rc = EXIT_RUNTIME;
    /* A ring's capacity swept below its `initial` would be refused; the
     * initial occupants are lowered to the capacity instead (said once). */
    struct model *base = NULL;
    int cf = -1, cr = -1, base_initial = 0;
    char init_path[512] = "";
    size_t plen = strlen(path);
    if (rc == 0 && plen > 9 && !strcmp(path + plen - 9, ".capacity") &&
        scenario_load(scenario, &base, &e) == 0) {
        sweep_path_ring(base, path, &cf, &cr);
        if (cr >= 0) {
            base_initial = base->flows[cf].rings[cr].initial;
            snprintf(init_path, sizeof init_path, "%.*sinitial", (int)(plen - 8), path);
        }
        model_destroy(base);
    }
    bool lowered = false;
    /* Every value is loaded and validated before anything runs. */
    for (int i = 0; rc == 0 && i < n; i++) {
        char val[64], ini[32];
        sweep_format(values[i], integral, val, sizeof val);
        const char *p[2] = { path, init_path }, *v[2] = { val, ini };
        int n_set = 1;
        if (init_path[0] && values[i] > 0 && values[i] < base_initial) {
            snprintf(ini, sizeof ini, "%d", (int)values[i]);
            n_set = 2;
            lowered = true;
        }
        if (scenario_load_set(scenario, n_set, p, v, &models[i], &e) != 0) {
            fprintf(stderr, "%s\n", e.msg);
            rc = e.status ? e.status : EXIT_INPUT;
        } else {
            rc = cli_common_apply(models[i], &o);
        }
    }
    if (rc == 0 && lowered && !o.quiet && runner_is_root())
        fprintf(stderr, "flowsim: note: %s (%d) is lowered to the capacity where the capacity "
                        "is smaller\n", init_path, base_initial);
    char *dir = NULL;
    if (rc == 0) {
        dir = o.out_dir ? strdup(o.out_dir) : cli_default_dir("sweep", models[0]);
        if (!dir) rc = EXIT_RUNTIME;
    }
    if (rc == 0) rc = cli_run_all(models, n, false, runs);
    if (rc == 0 && runner_is_root()) {      /* MPI: rank 0 writes */
        interrupt_hold();
        int wrc = sweep_write(runs, values, n, path, dir, &e);
        interrupt_release();
        if (wrc != 0) {
            fprintf(stderr, "flowsim: %s\n", e.msg);
            rc = e.status ? e.status : EXIT_RUNTIME;
        } else if (!o.quiet) {
            sweep_print(runs, values, n, path, dir, stdout);
        }
    }
    for (int i = 0; models && i < n; i++) model_destroy(models[i]);
    for (int i = 0; runs && i < n; i++) compare_run_fini(&runs[i]);
    free(models);
    free(runs);
    free(values);
    free(path);
    free(dir);
    return rc;
}
