/* cli_calibrate.c: `flowsim calibrate PANEL.csv --scenario BASE.cfg
 * [-o DIR] [--fragment FILE] [--covariates a,b] [--id COLUMN] [--map FILE]
 * [--validate N] [--simulate [--simulate-reps M]] [--skip-bad-rows]`.
 *
 * Everything is validated (arguments, scenario, covariates, the map, every
 * panel row) and the fit is done before any directory is created. DIR
 * (default output/calibrate-<scenario name>) is a result set, replaced as a
 * whole (resultset.h): calibration.json, fitcheck.csv, fitcheck.gp +
 * fitcheck-<flow>.dat + fitcheck.png, and fitted.cfg. --fragment FILE puts
 * the fragment elsewhere instead (written atomically, after the set). */
#include "cli/cli.h"

#include <sha2.h>     /* libmd: the panel's fingerprint */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/calib.h"
#include "analysis/calib_out.h"
#include "analysis/calib_sim.h"
#include "analysis/calib_validate.h"
#include "analysis/panel.h"
#include "base/afile.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "base/pathname.h"
#include "base/resultset.h"
#include "present/fitcheck.h"

void cli_calibrate_usage(FILE *out)
{
    fputs("usage: flowsim calibrate PANEL.csv --scenario BASE.cfg [-o DIR] [--fragment FILE]\n"
          "                         [--covariates a,b] [--id COLUMN] [--map FILE] [--validate N]\n"
          "                         [--simulate [--simulate-reps M]] [--skip-bad-rows]\n"
          "\n"
          "Estimates the base scenario's transition rates (and, with --covariates, their\n"
          "effects: dimension names, age, female) from an RBS panel by maximum likelihood,\n"
          "prints them with 95% confidence intervals and a fit check, and writes to DIR\n"
          "(default output/calibrate-<scenario name>; replaced as a whole)\n"
          "  fitted.cfg            the fitted `transitions`, for a scenario to @include\n"
          "  calibration.json      estimates, standard errors, CIs, counts, warnings\n"
          "  fitcheck.csv          observed vs expected prevalence per state over time\n"
          "  fitcheck.png          the same drawn by gnuplot (with fitcheck.gp and .dat)\n"
          "See docs/calibration.md.\n"
          "\n"
          "  --fragment FILE  write the fitted transitions to FILE instead of DIR/fitted.cfg\n"
          "  --id COLUMN      the column that names the citizen (default id)\n"
          "  --map FILE       CSV `from,to`: ring names of the export -> the scenario's ids\n"
          "  --validate N     run the refitted scenario N times and compare its panels with\n"
          "                   this one (validation.csv, validation_moves.csv)\n"
          "  --simulate       fit the scenario's rates so that the simulated system (its\n"
          "                   capacities, waiting lists, stay limits) reproduces the plain fit\n"
          "                   of the panel (indirect inference; method \"simulated\")\n"
          "  --simulate-reps M  replications per iteration of --simulate (default 10)\n"
          "  --skip-bad-rows  leave malformed rows out (and count them) instead of stopping\n",
          out);
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

struct cal_args {
    const char *panel, *scenario, *dir, *fragment, *covs, *id, *map, *validate, *sim_reps;
    bool skip, simulate;
};

static int parse_args(int argc, char **argv, struct cal_args *a)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--skip-bad-rows")) {
            a->skip = true;
            continue;
        }
        if (!strcmp(arg, "--simulate")) {
            a->simulate = true;
            continue;
        }
        /* --out-dir: the old name of -o, still understood. */
        static const char *const names[] = { "--scenario", "-o", "--out-dir", "--fragment",
                                             "--covariates", "--id", "--map", "--validate",
                                             "--simulate-reps" };
        const char **slots[] = { &a->scenario, &a->dir, &a->dir, &a->fragment, &a->covs, &a->id,
                                 &a->map, &a->validate, &a->sim_reps };
        const char *v = NULL;
        size_t k = 0;
        for (; k < sizeof names / sizeof names[0]; k++) {
            int r = cli_option_value(argc, argv, &i, names[k], &v);
            if (r == 1) break;
            if (r) return r;
        }
        if (v) {
            if (*slots[k]) return cli_usage_error("option %s is given twice", names[k]);
            if (!*v) return cli_usage_error("option %s needs a non-empty value", names[k]);
            *slots[k] = v;
            continue;
        }
        if (arg[0] == '-' && arg[1]) return cli_usage_error("unknown option '%s'", arg);
        if (a->panel) return cli_usage_error("unexpected argument '%s'", arg);
        a->panel = arg;
    }
    if (!a->panel) return cli_usage_error("%s needs a panel file (PANEL.csv)", argv[1]);
    if (!a->scenario) return cli_usage_error("%s needs --scenario BASE.cfg", argv[1]);
    if (a->validate) {
        char *end;
        long n = strtol(a->validate, &end, 10);
        if (*end || n < 1 || n > 10000)
            return cli_usage_error("--validate: must be a whole number of replications 1..10000 "
                                   "(got '%s')", a->validate);
    }
    if (a->sim_reps) {
        char *end;
        long n = strtol(a->sim_reps, &end, 10);
        if (*end || n < 1 || n > 1000)
            return cli_usage_error("--simulate-reps: must be a whole number of replications "
                                   "1..1000 (got '%s')", a->sim_reps);
        if (!a->simulate) return cli_usage_error("%s needs --simulate", "--simulate-reps");
    }
    return 0;
}

/* Reads the panel (and the ring map) as the options say; prints what was
 * skipped. 0, or the exit status after one line. */
static int read_panel(const struct cal_args *a, const struct model *m, const struct calib_opts *co,
                      struct panel_map *map, struct panel *p)
{
    struct err e = { 0 };
    if (a->map && panel_map_read(a->map, m, map, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return e.status ? e.status : EXIT_INPUT;
    }
    struct panel_opts po = { .skip_bad_rows = a->skip, .id_column = a->id,
                             .map = a->map ? map : NULL };
    calib_panel_needs(co, &po);
    if (panel_read(a->panel, m, &po, p, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return e.status ? e.status : EXIT_INPUT;
    }
    if (p->n_bad) {
        fprintf(stderr, "flowsim: skipped %zu malformed row%s of %zu in %s; the first:\n", p->n_bad,
                p->n_bad == 1 ? "" : "s", p->n_rows_read, a->panel);
        for (int i = 0; i < p->n_bad_shown; i++) fprintf(stderr, "  %s\n", p->bad_msg[i]);
    }
    return 0;
}

/* Writes the result set into rd->work (the fragment too, unless it goes
 * elsewhere), then swaps it in, then writes a separate fragment. */
static int write_results(const struct cal_args *a, const struct model *m,
                         const struct calib_result *r, const struct calib_validation *v,
                         const struct calib_source *src, const char *dir, const char *frag,
                         bool drawn[2], struct err *plot_err)
{
    struct resultset rd;
    int rc = cli_results_begin(&rd, dir);
    if (rc) return rc;
    struct err e = { 0 };
    char path[4200];
    if (rd.work) {
        snprintf(path, sizeof path, "%s/fitted.cfg", rd.work);
        if (!a->fragment && calib_write_fragment(path, m, r, src, &e) != 0) rc = EXIT_RUNTIME;
        snprintf(path, sizeof path, "%s/calibration.json", rd.work);
        if (!rc && calib_write_json(path, m, r, src, frag, &e) != 0) rc = EXIT_RUNTIME;
        if (!rc && fitcheck_write(rd.work, m, r, &drawn[0], plot_err, &e) != 0) rc = EXIT_RUNTIME;
        if (!rc && v->reps && calib_validation_write(rd.work, m, v, &e) != 0) rc = EXIT_RUNTIME;
        if (!rc && v->reps && validation_plot_write(rd.work, m, v, &drawn[1], plot_err, &e) != 0)
            rc = EXIT_RUNTIME;
        if (rc) rc = e.status ? e.status : EXIT_RUNTIME;
    }
    rc = cli_results_finish(&rd, rc, &e);
    if (rc || !a->fragment) return rc;
    char *fdir = strchr(frag, '/') ? path_dirname(frag) : NULL;   /* made when named */
    if (strchr(frag, '/') && !fdir) err_set(&e, EXIT_RUNTIME, "out of memory");
    int made = fdir ? afile_mkdirs(fdir, &e) : strchr(frag, '/') ? -1 : 0;
    free(fdir);
    if (made != 0 || calib_write_fragment(frag, m, r, src, &e) != 0) {
        fprintf(stderr, "flowsim: %s\n", e.msg);
        return e.status ? e.status : EXIT_RUNTIME;
    }
    return 0;
}

/* A step that failed: interrupted, or its message after `what`. */
static void say_failed(const char *what, const struct err *e)
{
    if (interrupt_requested())
        fprintf(stderr, "flowsim: interrupted: nothing written; earlier results are untouched\n");
    else
        fprintf(stderr, "flowsim: %s%s\n", what, e->msg);
}

/* The fit's warnings per flow, then the validation's (beyond: flows whose
 * refitted scenario misses the panel by more than sampling explains). */
static void warn_after(const struct model *m, const struct calib_result *r, int beyond)
{
    for (int f = 0; f < r->n_flows; f++)
        for (int w = 0; w < r->flow[f].n_warn; w++)
            fprintf(stderr, "flowsim: warning: flow %s: %s\n", m->flows[f].id, r->flow[f].warn[w]);
    if (beyond)
        fprintf(stderr, "flowsim: warning: the refitted scenario reproduces the panel worse than "
                "sampling explains (a gap beyond %.0f standard errors) in %d flow%s: see "
                "validation.csv; a plain fit ignores capacities, waiting lists and stay limits "
                "(docs/calibration.md)\n", CALIB_VALIDATE_Z, beyond, beyond == 1 ? "" : "s");
}

int cli_calibrate(int argc, char **argv)
{
    struct cal_args a = { 0 };
    int rc = parse_args(argc, argv, &a);
    if (rc) return rc;
    struct model *m = NULL;
    if ((rc = cli_load(a.scenario, &m))) return rc;
    if (a.fragment && same_file(a.fragment, a.scenario)) {
        model_destroy(m);
        return cli_usage_error("--fragment %s would overwrite the base scenario", a.fragment);
    }
    struct err e = { 0 };
    struct calib_opts co = { .stop = interrupt_flag(), .simulated = a.simulate };
    if (a.covs && calib_parse_covariates(m, a.covs, &co, &e) != 0) {
        fprintf(stderr, "flowsim: %s\n", e.msg);
        model_destroy(m);
        return EXIT_INPUT;
    }
    struct panel p = { 0 };
    struct panel_map map = { 0 };
    struct calib_result r;
    char *cmd = NULL;
    char dir[4096], frag[4200], sha[65];
    if ((rc = read_panel(&a, m, &co, &map, &p))) goto out_panel;
    struct calib_validation v = { 0 };
    struct model *refit = NULL;
    if (calib_fit(m, &p, &co, &r, &e) != 0) {
        say_failed("", &e);
        rc = interrupt_requested() ? EXIT_RUNTIME : e.status ? e.status : EXIT_RUNTIME;
        goto out_panel;
    }
    if (a.simulate && calib_simulate(m, &p, a.sim_reps ? atoi(a.sim_reps) : CALIB_SIM_REPS, &r,
                                     &e) != 0) {
        say_failed("simulate: ", &e);
        rc = EXIT_RUNTIME;
        goto out;
    }
    if (a.validate && (calib_refitted_model(m, &r, &refit, &e) != 0 ||
                       calib_validate(refit, &p, &r, atoi(a.validate), interrupt_flag(), &v, &e) != 0)) {
        say_failed("validation: ", &e);
        rc = EXIT_RUNTIME;
        goto out;
    }
    snprintf(dir, sizeof dir, "%s", a.dir ? a.dir : "");
    if (!a.dir) snprintf(dir, sizeof dir, "output/calibrate-%s", m->name);
    if (a.fragment) snprintf(frag, sizeof frag, "%s", a.fragment);
    else snprintf(frag, sizeof frag, "%s/fitted.cfg", dir);
    cmd = cli_join_args(argc, argv);
    struct calib_source src = { a.panel, SHA256File(a.panel, sha), cmd, &p };
    struct err plot_err = { 0 };
    bool drawn[2] = { false, false };
    if ((rc = write_results(&a, m, &r, &v, &src, dir, frag, drawn, &plot_err))) goto out;
    calib_print_table(m, &r, &src, stdout);
    int beyond = v.reps ? calib_validation_print(m, &v, stdout) : 0;
    printf("\nwrote %s (fitted transitions), %s/calibration.json, %s/fitcheck.csv", frag, dir, dir);
    if (v.reps) printf(", %s/validation.csv, %s/validation_moves.csv", dir, dir);
    if (drawn[0]) printf(", %s/fitcheck.png", dir);
    if (drawn[1]) printf(", %s/validation.png", dir);
    printf("\n");
    fflush(stdout);
    warn_after(m, &r, beyond);
    if (plot_err.msg[0]) fprintf(stderr, "flowsim: %s\n", plot_err.msg);
    rc = EXIT_DONE;
out:
    free(cmd);
    calib_validation_fini(&v);
    model_destroy(refit);
    calib_result_fini(&r);
out_panel:
    panel_fini(&p);
    model_destroy(m);
    return rc;
}
