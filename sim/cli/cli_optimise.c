/* cli_optimise.c: `flowsim optimise` (docs/compare.md): the cheapest combination of
 * the --vary settings whose --targets hold with 95% confidence. The
 * scenario and every target are checked before the first replication. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/optimise.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "base/resultset.h"
#include "engine/runner.h"
#include "model/scenario.h"

struct loader_ctx {
    const char *scenario;
    const struct cli_common *o;
    const struct sweep_plan *plan;
    int loads;
};

/* The model of one point: the scenario, --set, --years, then the point's
 * settings; n_rep replications (<= 0: as -r or the scenario say). */
static int load_point(void *ctx, int point, int n_rep, struct model **out, struct runopts *ro)
{
    struct loader_ctx *c = ctx;
    char years[64];
    int n_years = cli_years_set(c->o, years, sizeof years);
    int n_user = c->o->n_sets + n_years, n = n_user + c->plan->n_axes, rc = 0;
    char *paths[CLI_MAX_SETS + 1 + SWEEP_MAX_AXES] = { NULL };
    const char *values[CLI_MAX_SETS + 1 + SWEEP_MAX_AXES] = { NULL };
    char buf[SWEEP_MAX_AXES][4200];
    for (int i = 0; rc == 0 && i < n; i++) {
        const char *s = i < c->o->n_sets ? c->o->sets[i] : years;
        if (i >= n_user) {
            sweep_point_set(c->plan, point, i - n_user, buf[i - n_user], sizeof buf[0]);
            s = buf[i - n_user];
        }
        rc = cli_split_set(s, &paths[i], &values[i]);
    }
    struct err e = { 0 };
    if (rc == 0 && scenario_load_set(c->scenario, n, (const char *const *)paths, values, out, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        rc = e.status ? e.status : EXIT_INPUT;
    }
    for (int i = 0; i < n; i++) free(paths[i]);
    if (rc != 0) return rc;
    /* The loader's notes (a clamped `initial`) once, not at every point. */
    if (c->loads++ == 0 && (*out)->notes && runner_is_root()) fputs((*out)->notes, stderr);
    struct cli_common quiet = *c->o;
    if (n_rep > 0) quiet.reps = n_rep;
    if ((rc = cli_common_apply(*out, &quiet, ro)) != 0) {
        model_destroy(*out);
        *out = NULL;
    }
    return rc;
}

static int optimise_args(int argc, char **argv, struct cli_common *o, const char **scenario,
                         struct optimise *opt)
{
    struct err e = { 0 };
    const char *v;
    for (int i = 2; i < argc; i++) {
        int r = cli_common_option(argc, argv, &i, o);
        if (r == 1) continue;
        if (r) return r;
        if ((r = cli_option_value(argc, argv, &i, "--vary", &v)) == 1) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) return cli_usage_error("--vary: must be PATH=FROM:TO:STEP (got '%s')", v);
            char *path = strndup(v, (size_t)(eq - v));
            if (!path) return EXIT_RUNTIME;
            int rc = sweep_plan_add(&opt->plan, path, eq + 1, &e);
            free(path);
            if (rc) return e.status == EXIT_INPUT ? cli_usage_error("%s", e.msg) : EXIT_RUNTIME;
        } else if (r == 0 && (r = cli_option_value(argc, argv, &i, "--target", &v)) == 1) {
            if (opt->n_targets == OPT_MAX_TARGETS)
                return cli_usage_error("--target: at most 8 (got more at '%s')", v);
            if (optimise_parse_target(v, &opt->target[opt->n_targets++], &e) != 0)
                return cli_usage_error("%s", e.msg);
        } else if (r == 0 && (r = cli_option_value(argc, argv, &i, "--minimise", &v)) == 1) {
            snprintf(opt->minimise, sizeof opt->minimise, "%s", v);
        } else if (r) {
            return r;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("unknown option '%s'", argv[i]);
        } else if (*scenario) {
            return cli_usage_error("unexpected argument '%s'", argv[i]);
        } else {
            *scenario = argv[i];
        }
    }
    if (!*scenario) return cli_usage_error("%s needs a scenario file", argv[1]);
    if (opt->plan.n_axes == 0) return cli_usage_error("%s needs --vary PATH=FROM:TO:STEP", argv[1]);
    if (opt->n_targets == 0) return cli_usage_error("%s needs --target 'KPI<=VALUE'", argv[1]);
    if (sweep_plan_finish(&opt->plan, false, &e) != 0) return cli_usage_error("%s", e.msg);
    return 0;
}

int cli_optimise(int argc, char **argv)
{
    struct cli_common o;
    cli_common_init(&o);
    const char *scenario = NULL;
    struct optimise opt;
    memset(&opt, 0, sizeof opt);
    snprintf(opt.minimise, sizeof opt.minimise, "cost_per_year");
    int rc = optimise_args(argc, argv, &o, &scenario, &opt);
    struct loader_ctx lc = { scenario, &o, &opt.plan, 0 };
    struct model *m0 = NULL;
    struct runopts ro0;
    memset(&ro0, 0, sizeof ro0);
    struct err e = { 0 };
    /* Every point loads (bad values are refused before anything runs);
     * the first names the KPIs. */
    for (int i = 0; rc == 0 && i < opt.plan.n_points; i++) {
        struct model *m = NULL;
        struct runopts ro;
        rc = load_point(&lc, i, 0, &m, &ro);
        if (rc == 0 && i == 0) {
            m0 = m;
            ro0 = ro;
        } else {
            model_destroy(m);
        }
    }
    if (rc == 0 && optimise_resolve(&opt, m0, &e) != 0) {
        fprintf(stderr, "flowsim: %s\n", e.msg);
        rc = e.status;
    }
    char *dir = NULL;
    if (rc == 0) {
        opt.reps = o.reps > 0 ? (int)o.reps : m0->replications;
        dir = o.out_dir ? strdup(o.out_dir) : cli_default_dir("optimise", m0);
        if (!dir) rc = EXIT_RUNTIME;
    }
    model_destroy(m0);
    opt.progress = isatty(STDERR_FILENO) && runner_is_root();
    opt.stop = interrupt_flag();
    opt.load = load_point;
    opt.load_ctx = &lc;
    /* As for sweep: the result set is claimed before the runs and swapped
     * in whole at the end (resultset.h). */
    struct resultset rd = { .lock_fd = -1 };
    bool begun = false;
    if (rc == 0) begun = (rc = cli_results_begin(&rd, dir)) == 0;
    if (rc == 0 && optimise_run(&opt, &e) != 0) {
        if (e.msg[0] && !interrupt_requested()) fprintf(stderr, "flowsim: %s\n", e.msg);
        rc = e.status ? e.status : EXIT_RUNTIME;
    }
    struct err we = { 0 };
    if (rc == 0 && rd.work && optimise_write(&opt, rd.work, &we) != 0)   /* MPI: rank 0 */
        rc = we.status ? we.status : EXIT_RUNTIME;
    else if (rc == 0 && rd.work && ro0.plots)    /* optional: a failure is a warning */
        cli_results_plot(&rd, ro0.lang);
    if (begun) rc = cli_results_finish(&rd, rc, &we);
    if (rc == 0 && runner_is_root() && !o.quiet) optimise_print(&opt, dir, stdout);
    optimise_fini(&opt);
    free(dir);
    return rc;
}
