/* main.c: runs every test group and closes with one line of totals.
 * FLOWSIM_TEST_GROUPS=cli,hostile runs only the groups named (make
 * check-valgrind uses it). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

int main(void)
{
    static const struct { const char *name; test_group_fn run; } groups[] = {
        { "basics", test_group_basics },
        { "scenario", test_group_scenario },
        { "validation", test_group_validation },
        { "policy", test_group_policy },
        { "handlers", test_group_handlers },
        { "budget", test_group_budget },
        { "kpi", test_group_kpi },
        { "answer", test_group_answer },
        { "plan", test_group_plan },
        { "psa", test_group_psa },
        { "optimise", test_group_optimise },
        { "compare", test_group_compare },
        { "panel", test_group_panel },
        { "calib", test_group_calib },
        { "calib_sim", test_group_calib_sim },
        { "calib_mvn", test_group_calib_mvn },
        { "cli", test_group_cli },
        { "plot", test_group_plot },
        { "hostile", test_group_hostile },
        { "results", test_group_results },
        { "layers", test_group_layers },
    };
    const char *only = getenv("FLOWSIM_TEST_GROUPS");
    int total = 0, failed = 0;
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        if (only && *only) {                 /* a comma-separated list of names */
            size_t len = strlen(groups[i].name);
            bool named = false;
            for (const char *p = only; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
                if (strcspn(p, ",") == len && !strncmp(p, groups[i].name, len)) named = true;
            if (!named) continue;
        }
        int n = 0;
        int f = groups[i].run(&n);
        total += n;
        failed += f;
    }
    printf("flowsim tests: %d passed, %d failed (of %d)\n", total - failed, failed, total);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
