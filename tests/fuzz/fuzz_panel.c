/* fuzz_panel.c: libFuzzer harness for the RBS panel reader (sim/panel.c,
 * include/panel.h) against the scenario tests/data/small.cfg (two flows,
 * three dimensions). The first input byte picks the options (skip bad
 * rows; which covariate columns are required), the rest is the CSV file.
 * Properties: no crash, leak or sanitizer report; a refusal is one line;
 * a read panel keeps panel.h's invariant (rows sorted by citizen, times
 * strictly increasing within a citizen, indices in range).
 * Build and run: make fuzz (tests/fuzz/README.md). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/panel.h"
#include "base/err.h"
#include "model/model.h"
#include "model/scenario.h"

static struct model *model;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct err e = { 0 };
    if (scenario_load("tests/data/small.cfg", &model, &e) != 0) {
        fprintf(stderr, "fuzz_panel: %s (run from the repository's top directory)\n", e.msg);
        exit(1);
    }
    return 0;
}

static void check_panel(const struct panel *p)
{
    if (p->n_obs > 0 && (!p->obs || !p->cit_start)) abort();
    if (p->n_cit > 0 && p->cit_start[p->n_cit] != p->n_obs) abort();
    for (size_t c = 0; c < p->n_cit; c++) {
        if (p->cit_start[c] > p->cit_start[c + 1]) abort();
        if (!panel_citizen_id(p, c)) abort();
        for (size_t k = p->cit_start[c]; k < p->cit_start[c + 1]; k++) {
            const struct panel_obs *o = &p->obs[k];
            if (o->cit != c || !isfinite(o->t)) abort();
            if (k > p->cit_start[c] && !(o->t > p->obs[k - 1].t)) abort();
            for (int f = 0; f < p->n_flows; f++)
                if (o->state[f] != PANEL_MISSING && o->state[f] > model->flows[f].n_rings) abort();
            for (int d = 0; d < p->n_dims; d++)
                if (o->level[d] != PANEL_MISSING && o->level[d] > MODEL_LEVEL_MAX) abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct panel_opts o = { 0 };
    o.skip_bad_rows = data[0] & 1;
    o.need_age = data[0] & 2;
    o.need_female = data[0] & 4;
    for (int d = 0; d < model->n_dims && d < 4; d++) o.need_level[d] = data[0] & (8 << d);
    struct panel p;
    memset(&p, 0xa5, sizeof p);           /* the reader must not trust p */
    struct err e = { 0 };
    if (panel_parse("fuzz.csv", (const char *)data + 1, size - 1, model, &o, &p, &e) == 0) {
        check_panel(&p);
    } else {
        if (e.status != EXIT_INPUT && e.status != EXIT_RUNTIME) abort();
        if (!e.msg[0] || strchr(e.msg, '\n')) abort();
    }
    panel_fini(&p);
    return 0;
}
