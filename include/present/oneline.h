/* oneline.h: the summary printed at the end of `flowsim run`, in the
 * scenario's language, within 100 columns: a line naming the run, then the
 * catalogue's one-line KPIs one a line (model/kpi.h) and
 * a caveat for each ring where most requests were still open. */
#ifndef FLOWSIM_ONELINE_H
#define FLOWSIM_ONELINE_H

#include <stdio.h>

#include "engine/runner.h"
#include "model/model.h"

void oneline_print(const struct model *m, const struct run_results *res, const char *dir, FILE *out);

#endif
