/* cli_sensitivity.c: `flowsim sensitivity` (docs/uncertainty.md).
 * Every model is built and checked before the first replication runs, and
 * files are written only after every run succeeded. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/sensitivity.h"
#include "base/err.h"
#include "base/resultset.h"
#include "engine/runner.h"
#include "model/uncertainty.h"
#include "present/tornado.h"

static int sensitivity_args(int argc, char **argv, struct cli_common *o, const char **scenario)
{
    for (int i = 2; i < argc; i++) {
        int r = cli_common_option(argc, argv, &i, o);
        if (r == 1) continue;
        if (r) return r;
        if (argv[i][0] == '-') return cli_usage_error("unknown option '%s'", argv[i]);
        if (*scenario) return cli_usage_error("unexpected argument '%s'", argv[i]);
        *scenario = argv[i];
    }
    if (!*scenario) return cli_usage_error("%s needs a scenario file", argv[1]);
    if (o->uncertainty)
        return cli_usage_error("%s runs fixed quantiles: it takes no --uncertainty", argv[1]);
    return 0;
}

/* The base and the 2 n + 1 models of the analysis, each with its run
 * options (the same seed: common random numbers). */
static int build(const char *scenario, const struct cli_common *o, struct model **base,
                 struct model ***models, int *n, struct runopts **ros)
{
    int rc = cli_load_set(scenario, o, 0, NULL, base);
    if (rc) return rc;
    if (!(*base)->uncertainty) {
        fprintf(stderr, "flowsim: sensitivity: %s declares no uncertainty block "
                        "(docs/uncertainty.md)\n", (*base)->path);
        return EXIT_INPUT;
    }
    struct err e = { 0 };
    if (sensitivity_models(*base, models, n, &e) != 0) {
        fprintf(stderr, "flowsim: %s\n", e.msg);
        return e.status ? e.status : EXIT_RUNTIME;
    }
    if (!(*ros = calloc((size_t)*n, sizeof **ros))) return EXIT_RUNTIME;
    for (int i = 0; i < *n; i++) {
        rc = cli_common_apply((*models)[i], o, &(*ros)[i]);
        if (rc) return rc;
        (*ros)[i].uncertainty = false;
    }
    return 0;
}

int cli_sensitivity(int argc, char **argv)
{
    struct cli_common o;
    cli_common_init(&o);
    const char *scenario = NULL;
    struct model *base = NULL, **models = NULL;
    struct runopts *ros = NULL;
    struct cmp_run *runs = NULL;
    int n = 0;
    int rc = sensitivity_args(argc, argv, &o, &scenario);
    if (rc == 0) rc = build(scenario, &o, &base, &models, &n, &ros);
    if (rc == 0 && !(runs = calloc((size_t)n, sizeof *runs))) rc = EXIT_RUNTIME;
    char *dir = NULL;
    if (rc == 0 && !(dir = o.out_dir ? strdup(o.out_dir) : cli_default_dir("sensitivity", base)))
        rc = EXIT_RUNTIME;
    struct resultset rd = { .lock_fd = -1 };
    bool begun = false;
    if (rc == 0) begun = (rc = cli_results_begin(&rd, dir)) == 0;
    char **labels = rc ? NULL : calloc((size_t)n, sizeof *labels);
    for (int j = 0; labels && j < n; j++) {
        char buf[400];
        int i = (j - 1) / 2;
        if (j == 0) snprintf(buf, sizeof buf, "every setting at its centre");
        else snprintf(buf, sizeof buf, "%s at its %s quantile", uncertainty_path(base->uncertainty, i),
                      j % 2 ? "5 %" : "95 %");
        labels[j] = strdup(buf);
        if (!labels[j]) rc = EXIT_RUNTIME;
    }
    if (rc == 0 && !labels) rc = EXIT_RUNTIME;
    if (rc == 0) rc = cli_run_all(models, ros, n, (const char *const *)labels, false, runs);
    struct err e = { 0 };
    if (rc == 0 && rd.work && sensitivity_write(base, runs, rd.work, &e) != 0)
        rc = e.status ? e.status : EXIT_RUNTIME;
    else if (rc == 0 && rd.work && ros[0].plots && tornado_draw(base, runs, rd.work, &e) != 0)
        fprintf(stderr, "flowsim: warning: no tornado plot: %s\n", e.msg);  /* optional */
    if (begun) rc = cli_results_finish(&rd, rc, &e);
    if (rc == 0 && runner_is_root() && !o.quiet) sensitivity_print(base, runs, dir, stdout);
    for (int j = 0; models && j < n; j++) model_destroy(models[j]);
    for (int j = 0; runs && j < n; j++) compare_run_fini(&runs[j]);
    for (int j = 0; labels && j < n; j++) free(labels[j]);
    free(labels);
    free(models);
    free(runs);
    free(ros);
    free(dir);
    model_destroy(base);
    return rc;
}
