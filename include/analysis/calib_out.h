/* calib_out.h: what a fit writes: the table for a terminal,
 * calibration.json and the scenario fragment. */
#ifndef FLOWSIM_CALIB_OUT_H
#define FLOWSIM_CALIB_OUT_H

#include <stdio.h>

#include "analysis/calib.h"
#include "analysis/panel.h"
#include "base/err.h"
#include "model/model.h"

struct calib_source {                 /* provenance for the files */
    const char *panel_path, *panel_sha256, *command;
    const struct panel *panel;
};

/* Citizens with a single measurement (they give the likelihood nothing). */
size_t calib_observed_once(const struct panel *p);

/* The table of estimates and the fit check, for a terminal. */
void calib_print_table(const struct model *m, const struct calib_result *r,
                       const struct calib_source *src, FILE *out);

/* calibration.json. Returns 0, or -1 with e set (EXIT_RUNTIME). */
int calib_write_json(const char *path, const struct model *m, const struct calib_result *r,
                     const struct calib_source *src, const char *fragment_path, struct err *e);

/* The scenario fragment: `transitions = ( ... );` with the fitted rates and
 * effects (flows not fitted keep the base scenario's). */
int calib_write_fragment(const char *path, const struct model *m, const struct calib_result *r,
                         const struct calib_source *src, struct err *e);

#endif
