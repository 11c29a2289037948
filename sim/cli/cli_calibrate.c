/* cli_calibrate.c: `flowsim calibrate PANEL.csv --scenario BASE.cfg
 * [-o FITTED.cfg] [--covariates a,b] [--skip-bad-rows] [--out-dir DIR]`.
 *
 * Everything is validated (arguments, scenario, covariates, every panel row)
 * before any directory is created. Files: DIR/calibration.json,
 * DIR/fitcheck.csv, DIR/fitcheck.gp + fitcheck-<flow>.dat + fitcheck.png,
 * and the fragment (FITTED.cfg, default DIR/fitted.cfg); DIR defaults to
 * output/calibrate-<scenario name>. */
#include "cli/cli.h"

#include <sha2.h>     /* libmd: the panel's fingerprint */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/calib.h"
#include "analysis/calib_out.h"
#include "analysis/panel.h"
#include "base/afile.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "present/fitcheck.h"

void cli_calibrate_usage(FILE *out)
{
    fputs("usage: flowsim calibrate PANEL.csv --scenario BASE.cfg [-o FITTED.cfg]\n"
          "                         [--covariates a,b] [--skip-bad-rows] [--out-dir DIR]\n"
          "\n"
          "Estimates the base scenario's transition rates (and, with --covariates, their\n"
          "effects: dimension names, age, female) from an RBS panel by maximum likelihood,\n"
          "prints them with 95% confidence intervals and a fit check, and writes\n"
          "  FITTED.cfg            the fitted `transitions`, for a scenario to @include\n"
          "                        (default DIR/fitted.cfg)\n"
          "  DIR/calibration.json  estimates, standard errors, CIs, counts, warnings\n"
          "  DIR/fitcheck.csv      observed vs expected prevalence per state over time\n"
          "  DIR/fitcheck.png      the same drawn by gnuplot (with fitcheck.gp and .dat)\n"
          "DIR defaults to output/calibrate-<scenario name>. See docs/calibration.md.\n"
          "\n"
          "  --skip-bad-rows  leave malformed rows out (and count them) instead of stopping\n",
          out);
}

/* Directory part of path ("." when none), into buf. */
static void dir_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(buf, n, ".");
    else if (slash == path) snprintf(buf, n, "/");
    else snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int cli_calibrate(int argc, char **argv)
{
    const char *panel_path = NULL, *scenario = NULL, *fitted = NULL, *covs = NULL,
               *out_dir = NULL;
    bool skip = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--skip-bad-rows")) {
            skip = true;
            continue;
        }
        static const char *const names[] = { "--scenario", "-o", "--covariates", "--out-dir" };
        const char **slots[] = { &scenario, &fitted, &covs, &out_dir };
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
        if (a[0] == '-' && a[1]) return cli_usage_error("unknown option '%s'", a);
        if (panel_path) return cli_usage_error("unexpected argument '%s'", a);
        panel_path = a;
    }
    if (!panel_path) return cli_usage_error("%s needs a panel file (PANEL.csv)", argv[1]);
    if (!scenario) return cli_usage_error("%s needs --scenario BASE.cfg", argv[1]);

    struct model *m = NULL;
    int rc = cli_load(scenario, &m);
    if (rc) return rc;
    if (fitted && same_file(fitted, scenario)) {
        model_destroy(m);
        return cli_usage_error("-o %s would overwrite the base scenario", fitted);
    }
    struct err e = { 0 };
    struct calib_opts co = { .stop = interrupt_flag() };
    if (covs && calib_parse_covariates(m, covs, &co, &e) != 0) {
        fprintf(stderr, "flowsim: %s\n", e.msg);
        model_destroy(m);
        return EXIT_INPUT;
    }
    struct panel_opts po = { .skip_bad_rows = skip };
    calib_panel_needs(&co, &po);
    struct panel p;
    if (panel_read(panel_path, m, &po, &p, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        model_destroy(m);
        return e.status ? e.status : EXIT_INPUT;
    }
    if (p.n_bad) {
        fprintf(stderr, "flowsim: skipped %zu malformed row%s of %zu in %s; the first:\n", p.n_bad,
                p.n_bad == 1 ? "" : "s", p.n_rows_read, panel_path);
        for (int i = 0; i < p.n_bad_shown; i++) fprintf(stderr, "  %s\n", p.bad_msg[i]);
    }

    struct calib_result r;
    char *cmd = NULL;
    char dir[4096], frag[4096], fdir[4096], path[4200], sha[65];
    if (calib_fit(m, &p, &co, &r, &e) != 0) {
        if (interrupt_requested())
            fprintf(stderr, "flowsim: interrupted: nothing written; earlier results are untouched\n");
        else
            fprintf(stderr, "flowsim: %s\n", e.msg);
        rc = e.status ? e.status : EXIT_RUNTIME;
        goto out_panel;
    }
    if (out_dir) snprintf(dir, sizeof dir, "%s", out_dir);
    else snprintf(dir, sizeof dir, "output/calibrate-%s", m->name);
    if (fitted) snprintf(frag, sizeof frag, "%s", fitted);
    else snprintf(frag, sizeof frag, "%.4000s/fitted.cfg", dir);
    dir_of(frag, fdir, sizeof fdir);
    cmd = cli_join_args(argc, argv);
    struct calib_source src = { panel_path, SHA256File(panel_path, sha),
                                cmd, &p };
    snprintf(path, sizeof path, "%s/calibration.json", dir);
    struct err plot_err = { 0 };
    bool drawn = false;
    if (afile_mkdirs(dir, &e) != 0 || afile_mkdirs(fdir, &e) != 0 ||
        calib_write_fragment(frag, m, &r, &src, &e) != 0 ||
        calib_write_json(path, m, &r, &src, frag, &e) != 0 ||
        fitcheck_write(dir, m, &r, &drawn, &plot_err, &e) != 0) {
        fprintf(stderr, "flowsim: %s\n", e.msg);
        rc = e.status ? e.status : EXIT_RUNTIME;
        goto out;
    }
    calib_print_table(m, &r, &src, stdout);
    printf("\nwrote %s (fitted transitions), %s, %s/fitcheck.csv%s\n", frag, path, dir,
           drawn ? " and fitcheck.png" : "");
    fflush(stdout);
    for (int f = 0; f < r.n_flows; f++)
        for (int w = 0; w < r.flow[f].n_warn; w++)
            fprintf(stderr, "flowsim: warning: flow %s: %s\n", m->flows[f].id, r.flow[f].warn[w]);
    if (plot_err.msg[0]) fprintf(stderr, "flowsim: %s\n", plot_err.msg);
    rc = EXIT_DONE;
out:
    free(cmd);
    calib_result_fini(&r);
out_panel:
    panel_fini(&p);
    model_destroy(m);
    return rc;
}
