/* output.h: the files of a run (SPEC §5). All are written to temporary
 * names first and renamed into place only when every one is complete, so a
 * failure leaves the previous results untouched. */
#ifndef FLOWSIM_OUTPUT_H
#define FLOWSIM_OUTPUT_H

#include "err.h"
#include "model.h"
#include "runner.h"

struct run_info {                 /* what varies between runs: run.json only */
    const char *command_line;
    double wall_seconds;
    int threads;
};

/* Writes summary.json, summary.csv, timeseries.csv, waits.csv, rbs_panel.csv (when
 * m->out_rbs_panel), events.csv (when m->out_events) and run.json into dir
 * (created if missing). Returns 0, or -1 with e set. */
int output_write_run(const struct model *m, const struct run_results *res,
                     const char *dir, const struct run_info *info, struct err *e);

/* The one-line summary printed at the end of a run. */
void output_print_oneline(const struct model *m, const struct run_results *res,
                          const char *dir, FILE *out);

#endif
