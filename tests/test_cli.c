/* test_cli.c: the built program end to end (FLOWSIM_BIN): exit statuses,
 * one-line errors with nothing written, determinism across thread counts,
 * the files of a run. */
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <cJSON.h>
#include <unistd.h>

#include "tests.h"
#include "util.h"


static void test_help_and_usage(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    assert_int_equal(tu_flowsim(&t, NULL, "--help"), 0);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "flowsim run SCENARIO.cfg"));
    free(out);
    assert_int_equal(tu_flowsim(&t, NULL, "--version"), 0);
    assert_int_equal(tu_flowsim(&t, NULL, ""), 2);
    assert_int_equal(tu_flowsim(&t, NULL, "frobnicate"), 2);
    assert_int_equal(tu_flowsim(&t, NULL, "run"), 2);
    assert_int_equal(tu_flowsim(&t, NULL, "run scenarios/esbjerg.cfg -r 0"), 2);
    assert_int_equal(tu_flowsim(&t, NULL, "run scenarios/esbjerg.cfg -j -1"), 2);
    assert_int_equal(tu_flowsim(&t, NULL, "run scenarios/esbjerg.cfg --years abc"), 2);
    char *err = tu_tmp_read(&t, "stderr");
    assert_int_equal(tu_count_lines(err), 1);
    assert_non_null(strstr(err, "--years"));
    free(err);
    tu_tmp_remove(&t);
}

/* Every command answers --help with its own usage and exit 0, before it
 * reads any argument: `check --help` opens no file named --help. */
static void test_command_help(void **state)
{
    (void)state;
    static const char *const cmds[] = { "run", "compare", "sweep", "check", "calibrate", "plot" };
    struct tmp t;
    tu_tmp_make(&t);
    for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
        char args[64], want[64];
        snprintf(args, sizeof args, "%s --help", cmds[k]);
        assert_int_equal(tu_flowsim(&t, NULL, args), 0);
        char *out = tu_tmp_read(&t, "stdout"), *err = tu_tmp_read(&t, "stderr");
        snprintf(want, sizeof want, "flowsim %s ", cmds[k]);
        assert_non_null(strstr(out, want));
        /* Its own usage only: no other command's line. */
        assert_null(strstr(out, strcmp(cmds[k], "plot") ? "flowsim plot DIR" : "flowsim run SCENARIO"));
        assert_string_equal(err, "");
        free(out);
        free(err);
    }
    /* -h after other arguments, even a scenario that does not exist. */
    assert_int_equal(tu_flowsim(&t, NULL, "run no-such.cfg -r 3 -h"), 0);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "-r REPS"));
    free(out);
    tu_tmp_remove(&t);
}

/* A long option's value may follow an '=': the same run, the same bytes. */
static void test_option_equals_value(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -o %s/spaced --years 1.5 --lang da "
             "--set simulation.seed=5", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -o %s/equals --years=1.5 --lang=da "
             "--set=simulation.seed=5", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/spaced/summary.json", t.dir);
    snprintf(b, sizeof b, "%s/equals/summary.json", t.dir);
    size_t na, nb;
    char *sa = tu_slurp(a, &na), *sb = tu_slurp(b, &nb);
    assert_non_null(sa);
    assert_non_null(sb);
    assert_true(na == nb && !memcmp(sa, sb, na));
    assert_non_null(strstr(sa, "\"years\":\t1.5,"));
    free(sa);
    free(sb);
    /* --years=1.5 was read as 1.5 years, not as an unknown option. */
    assert_int_equal(tu_flowsim(&t, NULL, "run tests/data/small.cfg --years=abc"), 2);
    char *err = tu_tmp_read(&t, "stderr");
    assert_non_null(strstr(err, "--years: must be a number above 0 (got 'abc')"));
    free(err);
    assert_int_equal(tu_flowsim(&t, NULL, "check tests/data/small.cfg --set=simulation.years=2"), 0);
    assert_int_equal(tu_flowsim(&t, NULL, "plot --lang=xx somewhere"), 2);
    /* Short options take their value as the next argument only. */
    assert_int_equal(tu_flowsim(&t, NULL, "run tests/data/small.cfg -r=2"), 2);
    tu_tmp_remove(&t);
}

/* The README's usage block is what `flowsim --help` prints (STYLE: keep
 * the README true): from "usage:" to the "--help | --version" line. */
static char *usage_block(const char *text)
{
    const char *a = strstr(text, "usage:\n");
    assert_non_null(a);
    const char *b = strstr(a, "flowsim --help | --version\n");
    assert_non_null(b);
    b += strlen("flowsim --help | --version\n");
    return strndup(a, (size_t)(b - a));
}

static void test_readme_usage_matches_help(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    assert_int_equal(tu_flowsim(&t, NULL, "--help"), 0);
    char *help = tu_tmp_read(&t, "stdout");
    char *readme = tu_slurp("README.md", NULL);
    assert_non_null(readme);
    char *h = usage_block(help), *r = usage_block(readme);
    assert_string_equal(r, h);
    free(h);
    free(r);
    free(help);
    free(readme);
    tu_tmp_remove(&t);
}

/* The project documents itself: no page, scenario or Makefile points to a
 * document outside the repository (a clone has no ../shared). */
static void test_docs_stay_inside(void **state)
{
    (void)state;
    const char *const dirs[] = { "docs", "scenarios", "." };
    int read = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        DIR *dir = opendir(dirs[d]);
        assert_non_null(dir);
        for (struct dirent *de; (de = readdir(dir));) {
            size_t n = strlen(de->d_name);
            bool text = (n > 3 && !strcmp(de->d_name + n - 3, ".md")) ||
                        (n > 4 && !strcmp(de->d_name + n - 4, ".cfg")) ||
                        !strcmp(de->d_name, "Makefile") || !strcmp(de->d_name, "flowsim.1");
            if (!text) continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], de->d_name);
            char *body = tu_slurp(path, NULL);
            assert_non_null(body);
            if (strstr(body, "../shared") || strstr(body, "shared/docs"))
                fail_msg("%s points outside the repository (../shared)", path);
            free(body);
            read++;
        }
        closedir(dir);
    }
    assert_true(read >= 10);
}

/* The README's documentation index names every page in docs/. */
static void test_readme_indexes_docs(void **state)
{
    (void)state;
    char *readme = tu_slurp("README.md", NULL);
    assert_non_null(readme);
    DIR *dir = opendir("docs");
    assert_non_null(dir);
    int pages = 0;
    for (struct dirent *de; (de = readdir(dir));) {
        size_t n = strlen(de->d_name);
        if (n < 4 || strcmp(de->d_name + n - 3, ".md")) continue;
        char row[600];
        snprintf(row, sizeof row, "| [docs/%s](docs/%s) |", de->d_name, de->d_name);
        if (!strstr(readme, row)) fail_msg("README's documentation index lacks docs/%s", de->d_name);
        pages++;
    }
    closedir(dir);
    assert_true(pages >= 5);
    free(readme);
}

/* The README's install command installs every package CI installs, so its
 * two commands work on a fresh machine as .ci/run does. */
static void test_readme_installs_what_ci_installs(void **state)
{
    (void)state;
    char *readme = tu_slurp("README.md", NULL), *ci = tu_slurp(".ci/run", NULL);
    assert_non_null(readme);
    assert_non_null(ci);
    const char *rl = strstr(readme, "apt-get install -y ");
    assert_non_null(rl);
    size_t rlen = strcspn(rl, "\n");
    const char *p = strstr(ci, "apt-get install -y ");
    assert_non_null(p);
    p += strlen("apt-get install -y ");
    int packages = 0;
    /* .ci/run's list runs over continuation lines ("\\" then newline) */
    while (*p && *p != '\n') {
        while (*p == ' ' || (p[0] == '\\' && p[1] == '\n')) p += *p == ' ' ? 1 : 2;
        size_t n = strcspn(p, " \\\n");
        if (n == 0) break;
        if (p[0] != '-') {
            char name[128];
            snprintf(name, sizeof name, " %.*s", (int)n, p);
            const char *hit = strstr(rl, name);
            if (!hit || hit > rl + rlen) fail_msg("README's install command lacks%s", name);
            packages++;
        }
        p += n;
    }
    assert_true(packages >= 10);
    free(readme);
    free(ci);
}

static void test_check_prints_table(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    assert_int_equal(tu_flowsim(&t, NULL, "check scenarios/esbjerg.cfg"), 0);
    char *out = tu_tmp_read(&t, "stdout");
    assert_non_null(strstr(out, "sel108"));
    assert_non_null(strstr(out, "kraftcenter"));
    assert_non_null(strstr(out, "ordinary"));
    free(out);
    tu_tmp_remove(&t);
}

/* Bad input: one line naming file and line, exit 2, no output directory. */
static void test_bad_input_touches_nothing(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char cfg[128], args[512], out[128];
    snprintf(cfg, sizeof cfg, "%s/bad.cfg", t.dir);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fputs("name = \"bad\";\nsimulation = { years = ; };\n", f);
    fclose(f);
    snprintf(out, sizeof out, "%s/out", t.dir);
    snprintf(args, sizeof args, "run %s -o %s", cfg, out);
    assert_int_equal(tu_flowsim(&t, NULL, args), 2);
    char *err = tu_tmp_read(&t, "stderr");
    assert_int_equal(tu_count_lines(err), 1);
    assert_non_null(strstr(err, "bad.cfg:2:"));
    free(err);
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0);
    tu_tmp_remove(&t);
}

static void run_to(const struct tmp *t, const char *sub, const char *extra)
{
    char args[512];
    snprintf(args, sizeof args, "run tests/data/small.cfg -o %s/%s -r 6 -q %s", t->dir, sub, extra);
    assert_int_equal(tu_flowsim(t, NULL, args), 0);
}

static void assert_same_file(const struct tmp *t, const char *a, const char *b, const char *name, bool same)
{
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/%s/%s", t->dir, a, name);
    snprintf(pb, sizeof pb, "%s/%s/%s", t->dir, b, name);
    size_t na, nb;
    char *x = tu_slurp(pa, &na), *y = tu_slurp(pb, &nb);
    assert_non_null(x);
    assert_non_null(y);
    assert_true(na > 100);
    bool eq = na == nb && !memcmp(x, y, na);
    if (eq != same) fail_msg("%s: %s and %s are %s", name, a, b, same ? "different" : "identical");
    free(x);
    free(y);
}

static void test_determinism_across_threads(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    run_to(&t, "j1", "-j 1");
    run_to(&t, "j2", "-j 2");
    run_to(&t, "j3", "-j 3");
    run_to(&t, "seed2", "-j 2 -s 99");
    static const char *const files[] = { "summary.json", "summary.csv", "timeseries.csv",
                                         "waits.csv", "rbs_panel.csv" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        assert_same_file(&t, "j1", "j2", files[i], true);
        assert_same_file(&t, "j1", "j3", files[i], true);
        assert_same_file(&t, "j1", "seed2", files[i], false);
    }
    tu_tmp_remove(&t);
}

static void test_run_writes_every_file(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    run_to(&t, "out", "-j 2");
    static const char *const files[] = { "summary.json", "summary.csv", "replications.csv", "timeseries.csv",
                                         "waits.csv", "rbs_panel.csv", "events.csv", "run.json" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char name[128];
        snprintf(name, sizeof name, "out/%s", files[i]);
        char *s = tu_tmp_read(&t, name);
        assert_non_null(s);
        free(s);
    }
    /* No temporary file is left behind. */
    char dir[128];
    snprintf(dir, sizeof dir, "%s/out", t.dir);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        assert_null(strstr(de->d_name, ".tmp"));
        n++;
    }
    closedir(d);
    assert_int_equal(n, 8);
    char *csv = tu_tmp_read(&t, "out/summary.csv");
    assert_true(!strncmp(csv, "kpi,flow,ring,year,mean,sd,ci_lo,ci_hi,unit,n\n", 46));
    assert_non_null(strstr(csv, "\ncost_per_year,,,,"));
    /* replications.csv: one row per KPI and replication, whose mean is
     * summary.csv's mean (docs/files.md). */
    char *reps = tu_tmp_read(&t, "out/replications.csv");
    assert_true(!strncmp(reps, "replication,kpi,flow,ring,year,value,unit\n", 42));
    int rows_sum = -1, rows_rep = -1, n_rep = 0;
    double total = 0.0, mean = NAN;
    for (const char *p = csv; p; p = strchr(p + 1, '\n')) rows_sum += p[1] != '\0';
    for (const char *p = reps; p; p = strchr(p + 1, '\n')) {
        rows_rep += p[1] != '\0';
        double v;
        int r;
        if (sscanf(p + 1, "%d,cost_per_year,,,,%lf,DKK/year", &r, &v) == 2) {
            total += v;
            n_rep++;
        }
    }
    const char *line = strstr(csv, "\ncost_per_year,,,,");
    assert_int_equal(sscanf(line, "\ncost_per_year,,,,%lf", &mean), 1);
    assert_true(n_rep > 1);
    assert_int_equal(rows_rep, rows_sum * n_rep);
    assert_true(fabs(total / n_rep - mean) <= 1e-9 * fabs(mean));
    free(reps);
    free(csv);
    char *ts = tu_tmp_read(&t, "out/timeseries.csv");
    assert_true(!strncmp(ts, "date,t,flow,ring,occupancy_mean,", 32));
    free(ts);
    char *run = tu_tmp_read(&t, "out/run.json");
    assert_non_null(strstr(run, "wall_seconds"));
    free(run);
    char *sum = tu_tmp_read(&t, "out/summary.json");
    assert_null(strstr(sum, "wall_seconds"));
    /* scenario.inputs: every file read, here the scenario file alone. */
    cJSON *doc = cJSON_Parse(sum);
    assert_non_null(doc);
    const cJSON *sc = cJSON_GetObjectItem(doc, "scenario");
    const cJSON *inputs = cJSON_GetObjectItem(sc, "inputs");
    assert_int_equal(cJSON_GetArraySize(inputs), 1);
    const cJSON *in = cJSON_GetArrayItem(inputs, 0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(in, "file")), "tests/data/small.cfg");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(in, "sha256")),
                        cJSON_GetStringValue(cJSON_GetObjectItem(sc, "sha256")));
    cJSON_Delete(doc);
    free(sum);
    tu_tmp_remove(&t);
}

/* No KPI that cannot be negative gets an interval reaching below 0: the
 * baseline's rare waits for §85 (waits_open_at_end 0.31, sd 2.8) had a t
 * interval from -0.25 citizens. Signed KPIs (level changes, the budget's
 * differences) keep theirs. */
static void test_ci_cut_at_zero(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run scenarios/esbjerg.cfg -r 100 -q -o %s/out --set output.plots=false",
             t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *csv = tu_tmp_read(&t, "out/summary.csv");
    int cut = 0, rows = 0;
    for (char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char kpi[64] = "", f[10][64] = { { 0 } };
        const char *p = line + 1;
        for (int i = 0; i < 10 && *p && *p != '\n'; i++) {
            size_t n = strcspn(p, ",\n");
            snprintf(f[i], sizeof f[i], "%.*s", (int)(n < 63 ? n : 63), p);
            p += n + (p[n] == ',');
        }
        snprintf(kpi, sizeof kpi, "%s", f[0]);
        if (!f[6][0]) continue;                    /* undefined: no interval */
        double mean = strtod(f[4], NULL), lo = strtod(f[6], NULL);
        rows++;
        bool is_signed = !strncmp(kpi, "level_change", 12) || !strcmp(kpi, "over_budget") ||
                         !strcmp(kpi, "budget_overshoot_max");
        if (!is_signed && lo < 0.0) fail_msg("%s %s %s: ci_lo %g below 0", kpi, f[1], f[2], lo);
        cut += !is_signed && lo == 0.0 && mean > 0.0;
    }
    assert_true(rows > 100);
    assert_true(cut >= 1);                           /* the rare waits' intervals */
    free(csv);
    tu_tmp_remove(&t);
}

/* MPI: mpirun -np 2 splits the replications over two ranks and gathers
 * them on rank 0; the files must be those of a serial run, byte for byte.
 * Skipped when flowsim was not built with MPI here (no mpicc/mpirun). */
static void test_mpi_matches_serial(void **state)
{
    (void)state;
    const char *mpi = getenv("FLOWSIM_MPI_BIN");
    if (!mpi || !*mpi) {
        printf("  (no MPI build: mpicc and mpirun are not installed)\n");
        skip();
    }
    struct tmp t;
    tu_tmp_make(&t);
    run_to(&t, "serial", "-j 1");
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "mpirun --allow-run-as-root --oversubscribe -np 2 %s run tests/data/small.cfg "
             "-o %s/mpi -r 6 -q -j 1 >%s/mpi.log 2>&1", mpi, t.dir, t.dir);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    static const char *const files[] = { "summary.json", "summary.csv", "timeseries.csv",
                                         "waits.csv", "rbs_panel.csv", "events.csv" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        assert_same_file(&t, "serial", "mpi", files[i], true);
    tu_tmp_remove(&t);
}

/* SIGKILL at any moment never leaves a half-written file under a final
 * name: each file is the previous complete one or a new complete one. */
static void test_sigkill_never_half_written(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char dir[128], args[512], path[256];
    snprintf(dir, sizeof dir, "%s/out", t.dir);
    /* small.cfg draws no plots: nothing outlives the killed process. */
    snprintf(args, sizeof args, "run tests/data/small.cfg -o %s -r 3000 -q", dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    const int delays_ms[] = { 50, 150, 300, 450, 600, 750 };
    for (size_t i = 0; i < sizeof delays_ms / sizeof delays_ms[0]; i++) {
        pid_t pid = tu_spawn(&t, NULL, args);
        struct timespec wait = { 0, delays_ms[i] * 1000L * 1000L };
        nanosleep(&wait, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        size_t n;
        char *text = tu_slurp(path, &n);
        assert_non_null(text);
        cJSON *doc = cJSON_Parse(text);
        assert_non_null(doc);               /* complete, whichever run wrote it */
        assert_non_null(cJSON_GetObjectItem(doc, "kpis"));
        cJSON_Delete(doc);
        free(text);
        char *csv = NULL;
        snprintf(path, sizeof path, "%s/timeseries.csv", dir);
        csv = tu_slurp(path, &n);
        assert_non_null(csv);
        assert_true(n > 0 && csv[n - 1] == '\n');
        free(csv);
        snprintf(path, sizeof path, "%s/summary.json", dir);
    }
    tu_tmp_remove(&t);
}

/* An output directory that cannot be created: exit 1, one line. */
static void test_unwritable_output(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -o /proc/flowsim-cannot-be-here");
    assert_int_equal(tu_flowsim(&t, NULL, args), 1);
    char *err = tu_tmp_read(&t, "stderr");
    assert_int_equal(tu_count_lines(err), 1);
    free(err);
    tu_tmp_remove(&t);
}

int test_group_cli(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_usage),
        cmocka_unit_test(test_command_help),
        cmocka_unit_test(test_option_equals_value),
        cmocka_unit_test(test_check_prints_table),
        cmocka_unit_test(test_readme_usage_matches_help),
        cmocka_unit_test(test_docs_stay_inside),
        cmocka_unit_test(test_readme_indexes_docs),
        cmocka_unit_test(test_readme_installs_what_ci_installs),
        cmocka_unit_test(test_bad_input_touches_nothing),
        cmocka_unit_test(test_determinism_across_threads),
        cmocka_unit_test(test_run_writes_every_file),
        cmocka_unit_test(test_unwritable_output),
        cmocka_unit_test(test_ci_cut_at_zero),
        cmocka_unit_test(test_mpi_matches_serial),
        cmocka_unit_test(test_sigkill_never_half_written),
    };
    return RUN_GROUP(tests, n);
}
