/* runopts.h: how one run is carried out, apart from what it simulates: how
 * many replications, from which seed, on how many threads, which optional
 * files, in which language, into which directory. They start as the
 * scenario's simulation.* and output.* settings (runopts_of) and the
 * command line overrides them here (-r, -s, -j, -o, --lang), never in the
 * model: a model is a value from the moment it is loaded, shared read-only
 * by every thread and every scenario of a comparison. (--years changes what
 * is simulated, so it is applied when the model is built, like --set.) */
#ifndef FLOWSIM_RUNOPTS_H
#define FLOWSIM_RUNOPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"

struct runopts {
    int replications;           /* simulation.replications, -r */
    uint64_t seed;              /* simulation.seed, -s */
    int threads;                /* simulation.threads, -j; 0 = all cores */
    bool events, rbs_panel;     /* output.events, output.rbs_panel: replication 1's records */
    bool plots;                 /* output.plots: draw plots and report.html */
    char lang[3];               /* output.lang, --lang: "en" or "da" */
    const char *out_dir;        /* output.dir, -o (not owned) */
    bool uncertainty;           /* simulation.uncertainty, --uncertainty: one
                                 * parameter draw per replication (engine/psa.h) */
};

/* The scenario's own settings. ro->out_dir points into m. */
void runopts_of(const struct model *m, struct runopts *ro);

#endif
