/* cli_plot.c: `flowsim plot DIR [--lang da|en]`: (re)draws the plots and
 * report.html of a finished run or comparison. Without gnuplot it still
 * writes the scripts, data and report, prints the hint and exits 1: drawing
 * was what the user asked for. */
#include "cli/cli.h"

#include <string.h>

#include "base/err.h"
#include "io/resultsdir.h"
#include "present/publish.h"
#include "present/sweepfig.h"

int cli_plot(int argc, char **argv)
{
    const char *dir = NULL, *lang = NULL;
    for (int i = 2; i < argc; i++) {
        int r = cli_option_value(argc, argv, &i, "--lang", &lang);
        if (r == EXIT_INPUT) return r;
        if (r == 1) {
            if (strcmp(lang, "da") && strcmp(lang, "en"))
                return cli_usage_error("--lang: must be 'da' or 'en' (got '%s')", lang);
        } else if (argv[i][0] == '-') {
            return cli_usage_error("unknown option '%s'", argv[i]);
        } else if (dir) {
            return cli_usage_error("unexpected argument '%s'", argv[i]);
        } else {
            dir = argv[i];
        }
    }
    if (!dir) return cli_usage_error("%s needs the output directory of a run or comparison", argv[1]);
    struct results_run *r = NULL;
    struct err e = { 0 };
    /* A directory that is neither a run nor a comparison is bad input. */
    if (!resultsdir_is_comparison(dir) && !sweepfig_is_sweep(dir) && !sweepfig_is_optimise(dir)) {
        if (resultsdir_read_run(dir, &r, &e) != 0) {
            fprintf(stderr, "flowsim: %s\n", e.msg);
            return e.status ? e.status : EXIT_INPUT;
        }
        results_run_free(r);
    }
    int rc = publish_results(dir, lang, stderr);
    return rc == 0 ? EXIT_DONE : EXIT_RUNTIME;
}
