/* tests.h: each tests/test_X.c exposes one group runner; tests/main.c runs
 * them all and prints the closing line. */
#ifndef FLOWSIM_TESTS_H
#define FLOWSIM_TESTS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* A group runner sets *n_tests to the number of tests in its group and
 * returns how many failed (cmocka_run_group_tests' result). */
typedef int (*test_group_fn)(int *n_tests);

/* Runs a cmocka group and reports its size: use as
 *   return RUN_GROUP(tests, n_tests); */
#define RUN_GROUP(array, n_out) \
    (*(n_out) = (int)(sizeof(array) / sizeof((array)[0])), \
     cmocka_run_group_tests_name(__FILE__, array, NULL, NULL))

int test_group_basics(int *n);     /* evq, rngs, afile, libmd's sha256, caldate */
int test_group_scenario(int *n);   /* loader and validation */
int test_group_validation(int *n); /* whole runs against exact results */
int test_group_cli(int *n);        /* the program end to end */
int test_group_panel(int *n);      /* RBS panel reader */
int test_group_calib(int *n);      /* calibration and `flowsim calibrate` */
int test_group_calib_sim(int *n);  /* calibrate --simulate (indirect inference) */
int test_group_calib_mvn(int *n);  /* the uncertainty block calibrate writes */
int test_group_budget(int *n);     /* budget rules: report, freeze, step_down */
int test_group_kpi(int *n);        /* the KPI catalogue: labels, units, scopes */
int test_group_answer(int *n);     /* the comparison report answers first, in Danish */
int test_group_plan(int *n);       /* plans over time: changes at dates */
int test_group_psa(int *n);        /* parameter uncertainty: draws, total variance */
int test_group_optimise(int *n);   /* flowsim optimise against known answers */
int test_group_compare(int *n);    /* compare, common random numbers, sweeps */
int test_group_policy(int *n);     /* policy.c driven directly */
int test_group_handlers(int *n);   /* event handlers through whole runs */
int test_group_plot(int *n);       /* i18n, plots, report.html, missing gnuplot */
int test_group_hostile(int *n);    /* hostile input, fuzz regressions, run limits */
int test_group_results(int *n);    /* whole result sets, signals, CSV cells, seeds */
int test_group_layers(int *n);     /* the source tree's layering rule */

#endif
