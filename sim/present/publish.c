/* publish.c: plots, then the report, for a results directory (publish.h).
 * The report is handed the figures plot_dir drew in this call, so it can
 * never show an image of an older run or one planted in plots/. */
#include "present/publish.h"

#include <stdbool.h>
#include <stdlib.h>

#include "base/err.h"
#include "io/resultsdir.h"
#include "present/plot.h"
#include "present/report.h"
#include "present/sweepfig.h"

#define PATH_LEN 4096

/* Plots and report of one directory. *missing is set when gnuplot was not
 * found. The report is written even when a plot failed: its tables stand.
 * Returns 0, or -1 with e set (the first failure). */
static int publish_one(const char *dir, const char *lang, bool *missing, struct err *e)
{
    struct plot_figures *figs = calloc(1, sizeof *figs);
    if (!figs) return err_set(e, EXIT_RUNTIME, "out of memory");
    struct err pe = { 0 };
    int rc = plot_dir(dir, lang, figs, &pe);
    if (rc == 0 && !figs->gnuplot_found) *missing = true;
    int rc2 = report_write(dir, lang, figs, e);
    plot_figures_free(figs);
    free(figs);
    if (rc != 0) {
        err_set(e, pe.status ? pe.status : EXIT_RUNTIME, "plots not complete: %s", pe.msg);
        return -1;
    }
    if (rc2 != 0) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%s", e->msg);
        err_set(e, e->status, "report not written: %s", msg);
    }
    return rc2;
}

int publish_results(const char *dir, const char *lang, FILE *msg)
{
    /* A sweep or optimise directory has figures and a report of its own. */
    if (sweepfig_is_sweep(dir) || sweepfig_is_optimise(dir)) return sweepfig_publish(dir, msg);
    struct err e = { 0 };
    bool missing = false;
    int rc = 0;
    if (resultsdir_is_comparison(dir)) {
        struct results_cmp m;
        if (resultsdir_read_cmp(dir, &m, &e) == 0)
            for (int i = 0; i < m.n_scen; i++) {
                if (!m.run[i]) continue;        /* also a name that is no safe directory */
                char sub[PATH_LEN];
                snprintf(sub, sizeof sub, "%s/%s", dir, m.dir[i]);
                struct err se = { 0 };
                if (publish_one(sub, lang, &missing, &se) != 0 && rc == 0) {
                    rc = -1;
                    e = se;
                }
            }
        results_cmp_fini(&m);
    }
    struct err ce = { 0 };
    if (publish_one(dir, lang, &missing, &ce) != 0 && rc == 0) {
        rc = -1;
        e = ce;
    }
    if (rc != 0) {
        fprintf(msg, "flowsim: warning: %s\n", e.msg);
        return -1;
    }
    if (missing) {
        fprintf(msg, "flowsim: gnuplot not found; plots not drawn. To draw them: cd %s/plots && gnuplot *.gp "
                     "(or install gnuplot, or set FLOWSIM_GNUPLOT, and run flowsim plot %s to put them in "
                     "the report too)\n", dir, dir);
        return 1;
    }
    return 0;
}
