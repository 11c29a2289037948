/* fuzz_scenario.c: libFuzzer harness for the scenario loader and validator
 * (sim/scenario.c, sim/model.c) and the run limits (sim/runlimits.c).
 *
 * The input is the text of a scenario file, read as "scenarios/fuzz.cfg",
 * so `base = "esbjerg.cfg"` and @include reach the shipped scenarios
 * (make fuzz runs from the repository's top directory). Properties:
 *   - loading never crashes, leaks or trips a sanitizer;
 *   - a refusal is one line with status 2 (bad input) or 1 (out of memory);
 *   - a loaded model prints as a table, passes or fails runlimits_check in
 *     one line, and one short replication of it runs (shrunk to a year and
 *     a few hundred citizens so that one input takes milliseconds).
 * Build and run: make fuzz (tests/fuzz/README.md). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "engine/runlimits.h"
#include "engine/sim.h"
#include "model/model.h"
#include "model/scenario.h"

static void check_message(const struct err *e)
{
    if (e->status != EXIT_INPUT && e->status != EXIT_RUNTIME) abort();
    if (!e->msg[0] || strchr(e->msg, '\n')) abort();
}

/* One replication of m, made small: the engine must take any valid model.
 * At most about FUZZ_MAX_EVENTS transitions and developments (from the
 * engine's bound on a citizen's event rate), so that one input stays far
 * below libFuzzer's -timeout (10 s, under ASan): a valid scenario may ask
 * for 1573 moves a year at a level effect of 5.2. */
#define FUZZ_MAX_EVENTS 2.0e5
static void run_small(struct model *m)
{
    if (m->initial > 400) return;
    double rate = m->arrivals_per_year;
    for (int i = 0; i < m->n_arrivals_by_year; i++)
        if (m->arrivals_by_year[i] > rate) rate = m->arrivals_by_year[i];
    if (rate > 400.0) return;
    if (m->years > 1.0) m->years = 1.0;
    double work = (m->initial + rate + 1.0) * runlimits_event_rate_bound(m, NULL);   /* events a year */
    if (work * m->years > FUZZ_MAX_EVENTS) {
        if (FUZZ_MAX_EVENTS / work < 1e-6) return;    /* half a minute */
        m->years = FUZZ_MAX_EVENTS / work;
    }
    if (m->warmup_years >= m->years) m->warmup_years = m->years / 2.0;
    m->replications = 1;
    struct sim_workspace *w = sim_workspace_create(m);
    if (!w) return;
    struct sim_shape sh;
    sim_shape_of(m, &sh);
    struct rep_result res;
    if (sim_result_init(&res, &sh) == 0) {
        struct err e = { 0 };
        if (sim_run(w, 0, true, true, &res, &e) != 0) check_message(&e);
        sim_result_fini(&res);
    }
    sim_workspace_destroy(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load_text("scenarios/fuzz.cfg", (const char *)data, size, &m, &e) != 0) {
        if (m) abort();
        check_message(&e);
        return 0;
    }
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        model_print_table(m, devnull);
        fclose(devnull);
    }
    struct err le = { 0 };
    if (runlimits_check_with(m, NULL, 8.0e9, &le) != 0) check_message(&le);
    else if (getenv("FUZZ_NO_SIM") == NULL) run_small(m);
    (void)runlimits_note(m);
    model_destroy(m);
    return 0;
}
