/* test_results.c: result sets a reader can trust: replaced as a whole,
 * locked against a second run, names that stay inside the output
 * directory, CSV cells that a name cannot turn into rows or formulas,
 * seeds written exactly. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/csvcell.h"
#include "base/resultset.h"
#include "base/sbuf.h"
#include "engine/repagg.h"
#include "engine/runner.h"
#include "engine/summary.h"
#include "io/output.h"
#include "io/resultsdir.h"
#include "model/model.h"
#include "tests.h"
#include "util.h"

/* ---- whole result sets ------------------------------------------------------ */

/* The names in dir (without . and ..), sorted, one per line. */
static char *listing(const char *dir)
{
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    assert_true(n >= 0);
    size_t cap = 1;
    for (int i = 0; i < n; i++) cap += strlen(list[i]->d_name) + 1;
    char *s = calloc(cap, 1);
    assert_non_null(s);
    for (int i = 0; i < n; i++) {
        if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
            strcat(s, list[i]->d_name);
            strcat(s, "\n");
        }
        free(list[i]);
    }
    free(list);
    return s;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void run_small(const struct tmp *t, const char *out, const char *extra, int want)
{
    char args[1024];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -o %s %s", out, extra);
    assert_int_equal(tu_flowsim(t, NULL, args), want);
}

/* A second run replaces the set: a file the run did not write (a stray
 * file, an old log) is gone, a blocked name (a directory where a file goes)
 * is no obstacle, and nothing is left beside the set. */
static void test_set_replaced_as_a_whole(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char out[128], path[256];
    snprintf(out, sizeof out, "%s/res", t.dir);
    run_small(&t, out, "", 0);
    snprintf(path, sizeof path, "%s/stray.csv", out);
    tu_tmp_write(&t, "res/stray.csv", "old\n");
    snprintf(path, sizeof path, "%s/waits.csv", out);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkdir(path, 0755), 0);           /* a blocked name */
    run_small(&t, out, "", 0);
    char *names = listing(out);
    assert_null(strstr(names, "stray.csv"));
    assert_non_null(strstr(names, "summary.json"));
    free(names);
    assert_false(is_dir(path));
    names = listing(t.dir);
    assert_string_equal(names, "res\nstderr\nstdout\n");   /* no lock, no work dir */
    free(names);
    tu_tmp_remove(&t);
}

/* sweep and optimise replace their sets as a whole too: a stray file of
 * an earlier set does not survive a second run. */
static void test_sweep_and_optimise_sets(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    static const char *const cmds[] = {
        "sweep tests/data/small.cfg --set flows.home.rings.training.capacity=5:6:1",
        "optimise tests/data/small.cfg --vary flows.home.rings.training.capacity=5:6:1 "
        "--target 'cost_per_year<=1e12'",
    };
    for (int i = 0; i < 2; i++) {
        char args[1024], out[128], stray[160];
        snprintf(out, sizeof out, "%s/set%d", t.dir, i);
        snprintf(args, sizeof args, "%s -r 2 -q -o %s", cmds[i], out);
        assert_int_equal(tu_flowsim(&t, NULL, args), 0);
        snprintf(stray, sizeof stray, "set%d/stray.csv", i);
        tu_tmp_write(&t, stray, "old\n");
        assert_int_equal(tu_flowsim(&t, NULL, args), 0);
        char *names = listing(out);
        assert_null(strstr(names, "stray.csv"));
        assert_non_null(strstr(names, i ? "optimise.json" : "sweep.json"));
        free(names);
    }
    char *names = listing(t.dir);
    assert_string_equal(names, "set0\nset1\nstderr\nstdout\n");
    free(names);
    tu_tmp_remove(&t);
}

/* A write that fails halfway (a file size limit standing in for a full
 * disk): exit 1, one line naming the final path, the old set exactly as it
 * was, and the parents a failed run created are gone. */
static void test_failed_write_keeps_old_set(void **state)
{
    (void)state;
    if (getenv("FLOWSIM_SLOW_BIN")) {          /* ThreadSanitizer dies under ulimit -f */
        printf("  (skipped under a sanitizer wrapper: FLOWSIM_SLOW_BIN)\n");
        skip();
    }
    struct tmp t;
    tu_tmp_make(&t);
    char out[128], args[1024], path[256];
    snprintf(out, sizeof out, "%s/res", t.dir);
    run_small(&t, out, "", 0);
    snprintf(path, sizeof path, "%s/summary.json", out);
    size_t n0, n1;
    char *before = tu_slurp(path, &n0);
    char *names0 = listing(out);
    /* ulimit -f counts 512-byte blocks in dash and bash -o posix; the files
     * here are bigger than 10 kB, so some write fails either way. */
    snprintf(args, sizeof args, "sh -c \"trap '' XFSZ; ulimit -f 20; exec %s run tests/data/small.cfg "
             "-r 3 -q -o %s\" >%s/stdout 2>%s/stderr", tu_bin(), out, t.dir, t.dir);
    int st = system(args);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 1);
    char *err = tu_tmp_read(&t, "stderr");
    assert_int_equal(tu_count_lines(err), 1);
    assert_non_null(strstr(err, out));
    assert_null(strstr(err, ".new-"));
    free(err);
    char *after = tu_slurp(path, &n1);
    assert_true(n0 == n1 && !memcmp(before, after, n0));
    char *names1 = listing(out);
    assert_string_equal(names0, names1);
    free(before);
    free(after);
    free(names0);
    free(names1);
    char *names = listing(t.dir);
    assert_string_equal(names, "res\nstderr\nstdout\n");
    free(names);
    /* Into a new deep directory: the failed run leaves no parent behind. */
    snprintf(args, sizeof args, "sh -c \"trap '' XFSZ; ulimit -f 20; exec %s run tests/data/small.cfg "
             "-r 3 -q -o %s/new/deep/res\" >%s/stdout 2>%s/stderr", tu_bin(), t.dir, t.dir, t.dir);
    st = system(args);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 1);
    names = listing(t.dir);
    assert_string_equal(names, "res\nstderr\nstdout\n");
    free(names);
    tu_tmp_remove(&t);
}

/* While one run holds the lock, a second on the same -o is refused at once
 * with one line, and touches nothing. */
static void test_second_run_is_refused(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char out[128], lock[160];
    snprintf(out, sizeof out, "%s/res", t.dir);
    run_small(&t, out, "", 0);
    snprintf(lock, sizeof lock, "%s.lock", out);
    int fd = open(lock, O_RDWR | O_CREAT, 0644);      /* as a running flowsim holds it */
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    char *names0 = listing(out);
    run_small(&t, out, "", 1);
    char *err = tu_tmp_read(&t, "stderr");
    assert_int_equal(tu_count_lines(err), 1);
    assert_non_null(strstr(err, "another flowsim"));
    free(err);
    char *names1 = listing(out);
    assert_string_equal(names0, names1);
    free(names0);
    free(names1);
    close(fd);
    unlink(lock);
    run_small(&t, out, "", 0);                          /* released: fine again */
    tu_tmp_remove(&t);
}

/* A directory that holds something else is never replaced (-o ~ must not
 * delete a home directory); "." is refused as a name. */
static void test_foreign_directory_refused(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char out[128];
    snprintf(out, sizeof out, "%s/mine", t.dir);
    assert_int_equal(mkdir(out, 0755), 0);
    tu_tmp_write(&t, "mine/thesis.tex", "keep\n");
    run_small(&t, out, "", 1);
    char *err = tu_tmp_read(&t, "stderr");
    assert_int_equal(tu_count_lines(err), 1);
    assert_non_null(strstr(err, "no flowsim results"));
    free(err);
    char *names = listing(out);
    assert_string_equal(names, "thesis.tex\n");
    free(names);
    snprintf(out, sizeof out, "%s/.", t.dir);
    run_small(&t, out, "", 2);
    tu_tmp_remove(&t);
}

/* What a killed run leaves (a work directory; with the two-rename swap, an
 * old set without its new one) is cleared, or put back, by the next run. */
static void test_leftovers_of_killed_runs(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char out[128], path[256];
    snprintf(out, sizeof out, "%s/res", t.dir);
    snprintf(path, sizeof path, "%s/.res.new-AbC123", t.dir);
    assert_int_equal(mkdir(path, 0755), 0);
    tu_tmp_write(&t, ".res.new-AbC123/summary.json", "half");
    snprintf(path, sizeof path, "%s/.res.old-XyZ789", t.dir);
    assert_int_equal(mkdir(path, 0755), 0);
    tu_tmp_write(&t, ".res.old-XyZ789/summary.json", "the old set");
    snprintf(path, sizeof path, "%s/.resx.new-AbC123", t.dir);     /* another target's */
    assert_int_equal(mkdir(path, 0755), 0);
    struct resultset rd;
    struct err e = { 0 };
    assert_int_equal(resultset_begin(&rd, out, &e), 0);
    snprintf(path, sizeof path, "%s/summary.json", out);
    char *text = tu_slurp(path, NULL);
    assert_non_null(text);
    assert_string_equal(text, "the old set");            /* put back */
    free(text);
    resultset_abort(&rd);
    char *names = listing(t.dir);
    assert_string_equal(names, ".resx.new-AbC123\nres\n");
    free(names);
    tu_tmp_remove(&t);
}

/* Scenario names become safe directory entries. */
static void test_safe_names(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        { "esbjerg-baseline", "esbjerg-baseline" },
        { "Budget -5 % (freeze)", "Budget -5 % (freeze)" },
        { "Bolig \xc3\xa6ndring", "Bolig \xc3\xa6ndring" },
        { "../../x", "_._.._x" },
        { "..", "_." },
        { ".hidden", "_hidden" },
        { "a/b\\c", "a_b_c" },
        { "tab\there\n", "tab_here_" },
        { "`touch x` $(y) 'q' \"d\"", "_touch x_ _(y) _q_ _d_" },
        { "", "scenario" },
    };
    char buf[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        resultset_safe_name(cases[i].in, buf, sizeof buf);
        assert_string_equal(buf, cases[i].out);
        assert_true(resultset_name_is_safe(buf));
    }
    assert_false(resultset_name_is_safe("../x"));
    assert_false(resultset_name_is_safe(".x"));
    /* Cut on a character boundary: 99 x's and a two-byte letter. */
    char name[128];
    memset(name, 'x', 99);
    strcpy(name + 99, "\xc3\xa6");
    resultset_safe_name(name, buf, sizeof buf);
    assert_int_equal(strlen(buf), 99);
}

/* A scenario's default output directory comes from its name made safe:
 * "../../x" stays under output/. */
static void test_default_dir_stays_under_output(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char *small = tu_slurp("tests/data/small.cfg", NULL);
    assert_non_null(small);
    const char *line = "name = \"small\";";
    char *at = strstr(small, line);
    char *dir = strstr(small, "dir = \"output/test-small\"; ");
    assert_non_null(at);
    assert_non_null(dir);
    memmove(dir, dir + strlen("dir = \"output/test-small\"; "), strlen(dir + strlen("dir = \"output/test-small\"; ")) + 1);
    char *text = malloc(strlen(small) + 64);
    assert_non_null(text);
    sprintf(text, "%.*s%s%s", (int)(at - small), small, "name = \"../../x\";", at + strlen(line));
    tu_tmp_write(&t, "s.cfg", text);
    char path[128];
    snprintf(path, sizeof path, "%s/s.cfg", t.dir);
    struct model *m = tu_load(path);
    assert_string_equal(m->out_dir, "output/_._.._x");
    model_destroy(m);
    free(text);
    free(small);
    tu_tmp_remove(&t);
}

/* compare: hostile names stay inside -o, each scenario in its own
 * directory, recorded in comparison.json; nothing beside -o changes. */
static void test_compare_names_stay_inside(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char *small = tu_slurp("tests/data/small.cfg", NULL);
    assert_non_null(small);
    const char *line = "name = \"small\";";
    char *at = strstr(small, line);
    assert_non_null(at);
    static const char *const names[] = { "../../evil", ".hidden", "plots", "../../evil" };
    char args[2048], file[64], text[64];
    snprintf(args, sizeof args, "compare tests/data/small.cfg");
    for (int i = 0; i < 4; i++) {
        snprintf(file, sizeof file, "s%d.cfg", i);
        snprintf(text, sizeof text, "name = \"%s\";", names[i]);
        char *cfg = malloc(strlen(small) + strlen(text) + 1);
        assert_non_null(cfg);
        sprintf(cfg, "%.*s%s%s", (int)(at - small), small, text, at + strlen(line));
        tu_tmp_write(&t, file, cfg);
        free(cfg);
        size_t len = strlen(args);
        snprintf(args + len, sizeof args - len, " %s/%s", t.dir, file);
    }
    size_t len = strlen(args);
    snprintf(args + len, sizeof args - len, " -r 2 -q -o %s/a/b/cmp", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    char *top = listing(t.dir);
    assert_string_equal(top, "a\ns0.cfg\ns1.cfg\ns2.cfg\ns3.cfg\nstderr\nstdout\n");
    free(top);
    char dir[256];
    snprintf(dir, sizeof dir, "%s/a", t.dir);
    top = listing(dir);
    assert_string_equal(top, "b\n");
    free(top);
    snprintf(dir, sizeof dir, "%s/a/b/cmp", t.dir);
    char *inside = listing(dir);
    assert_string_equal(inside, "_._.._evil\n_._.._evil-2\n_hidden\ncomparison.csv\n"
                                "comparison.json\nplots-2\nreplications.csv\nsmall\n");
    free(inside);
    char path[300];
    snprintf(path, sizeof path, "%s/comparison.json", dir);
    char *json = tu_slurp(path, NULL);
    cJSON *doc = cJSON_Parse(json);
    assert_non_null(doc);
    const cJSON *sc = cJSON_GetObjectItem(doc, "scenarios");
    static const char *const dirs[] = { "small", "_._.._evil", "_hidden", "plots-2", "_._.._evil-2" };
    assert_int_equal(cJSON_GetArraySize(sc), 5);
    for (int i = 0; i < 5; i++) {
        const cJSON *s = cJSON_GetArrayItem(sc, i);
        assert_string_equal(cJSON_GetObjectItem(s, "dir")->valuestring, dirs[i]);
        /* compare names a second "../../evil" "../../evil-2" */
        const char *want = i == 0 ? "small" : i == 4 ? "../../evil-2" : names[i - 1];
        assert_string_equal(cJSON_GetObjectItem(s, "name")->valuestring, want);
    }
    cJSON_Delete(doc);
    free(json);
    free(small);
    tu_tmp_remove(&t);
}

/* The report of a comparison finds each scenario's run under the
 * directory compare recorded, also when the name had to be made safe. */
static void test_report_follows_recorded_dirs(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char *small = tu_slurp("tests/data/small.cfg", NULL);
    assert_non_null(small);
    char *text = malloc(strlen(small) + 64);
    assert_non_null(text);
    const char *line = "name = \"small\";";
    char *at = strstr(small, line);
    char *pl = strstr(small, "plots = false");
    assert_non_null(at);
    assert_non_null(pl);
    memcpy(pl, "plots = true ", 13);
    sprintf(text, "%.*s%s%s", (int)(at - small), small, "name = \"quote's $cut\";", at + strlen(line));
    tu_tmp_write(&t, "q.cfg", text);
    tu_tmp_write(&t, "base.cfg", small);
    char args[1024], path[256];
    snprintf(args, sizeof args, "compare %s/base.cfg %s/q.cfg -r 2 -q -o %s/cmp", t.dir, t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, "FLOWSIM_GNUPLOT=/nonexistent", args), 0);   /* no drawing */
    snprintf(path, sizeof path, "%s/cmp/quote_s _cut/report.html", t.dir);
    assert_true(exists(path));
    snprintf(path, sizeof path, "%s/cmp/report.html", t.dir);
    char *report = tu_slurp(path, NULL);
    assert_non_null(report);
    assert_non_null(strstr(report, "href=\"quote_s%20_cut/report.html\""));
    free(report);
    free(text);
    free(small);
    tu_tmp_remove(&t);
}

/* ---- signals --------------------------------------------------------------- */

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

/* Something in dir whose name starts with prefix. */
static bool has_entry(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d) return false;
    bool found = false;
    struct dirent *de;
    while ((de = readdir(d))) found |= !strncmp(de->d_name, prefix, strlen(prefix));
    closedir(d);
    return found;
}

/* A copy of small.cfg with one line replaced. */
static void small_with(const struct tmp *t, const char *name, const char *line, const char *with)
{
    char *small = tu_slurp("tests/data/small.cfg", NULL);
    assert_non_null(small);
    char *at = strstr(small, line);
    assert_non_null(at);
    char *text = malloc(strlen(small) + strlen(with) + 1);
    assert_non_null(text);
    sprintf(text, "%.*s%s%s", (int)(at - small), small, with, at + strlen(line));
    tu_tmp_write(t, name, text);
    free(text);
    free(small);
}

/* The signal reaches each phase of a run once the phase has begun (seen in
 * the file system where it can be). No test here asserts speed: a phase
 * must answer within a bound far above the fraction of a second it takes
 * on an idle machine, and each phase is made long (a million replications,
 * a gnuplot that never ends) so that one that ignores the signal runs far
 * beyond the bound. Every phase ends with exit 1, one line, the earlier
 * results byte for byte, and nothing left beside them. */
static void test_signal_in_every_phase(void **state)
{
    (void)state;
    const double bound = 20.0;
    struct tmp t;
    tu_tmp_make(&t);
    small_with(&t, "pop.cfg", "  initial = 83;", "  initial = 1000000;");
    small_with(&t, "plots.cfg", "plots = false", "plots = true");
    tu_tmp_write(&t, "gnuplot", "#!/bin/sh\ntouch \"$FLOWSIM_TEST_MARK\"\nexec sleep 600\n");
    char path[256], out[128], summary[160], mark[128];
    snprintf(path, sizeof path, "%s/gnuplot", t.dir);
    assert_int_equal(chmod(path, 0755), 0);
    snprintf(out, sizeof out, "%s/res", t.dir);
    snprintf(summary, sizeof summary, "%s/summary.json", out);
    snprintf(mark, sizeof mark, "%s/gnuplot-started", t.dir);
    run_small(&t, out, "", 0);
    size_t n0;
    char *before = tu_slurp(summary, &n0);
    char *names0 = listing(out);
    const struct {
        const char *phase, *args, *ready;   /* ready: a name to wait for, or NULL */
        int sig;
        double delay;                       /* after ready, to be inside the phase */
    } phases[] = {
        { "replications", "run tests/data/small.cfg -r 1000000 -j 2", NULL, SIGINT, 0.3 },
        { "initial population", "run %s/pop.cfg -r 1 -j 1 --years 0.6", NULL, SIGTERM, 0.2 },
        { "gnuplot", "run %s/plots.cfg -r 2", mark, SIGHUP, 0.0 },
    };
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        char args[1024], env[512];
        int len = snprintf(args, sizeof args, phases[i].args, t.dir);
        snprintf(args + len, sizeof args - (size_t)len, " -q -o %s", out);
        snprintf(env, sizeof env, "FLOWSIM_GNUPLOT=%s/gnuplot FLOWSIM_TEST_MARK=%s", t.dir, mark);
        unlink(mark);
        pid_t pid = tu_spawn(&t, env, args);
        /* The run has claimed its result set (its work directory exists)
         * and reached the phase: no time limit, a loaded machine may be
         * slow to start it; a run that ends first fails the test. */
        int early = 0;
        while (!has_entry(t.dir, ".res.new-") || (phases[i].ready && !exists(phases[i].ready))) {
            if (waitpid(pid, &early, WNOHANG) == pid)
                fail_msg("%s: the run ended (status %d) before it reached the phase", phases[i].phase,
                         early);
            sleep_s(0.001);
        }
        sleep_s(phases[i].delay);
        double sent = seconds_now();
        assert_int_equal(kill(pid, phases[i].sig), 0);
        int status = 0;
        pid_t w = 0;
        while ((w = waitpid(pid, &status, WNOHANG)) == 0 && seconds_now() - sent < bound)
            sleep_s(0.001);
        if (w == 0) {                                  /* did not answer: fail, tidily */
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fail_msg("%s: no answer to signal %d within %.0f s", phases[i].phase, phases[i].sig, bound);
        }
        printf("  %-20s signal %d answered in %.3f s\n", phases[i].phase, phases[i].sig,
               seconds_now() - sent);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 1);
        char *err = tu_tmp_read(&t, "stderr");
        assert_int_equal(tu_count_lines(err), 1);
        assert_non_null(strstr(err, "interrupted"));
        free(err);
        size_t n1;
        char *after = tu_slurp(summary, &n1);
        assert_true(n0 == n1 && !memcmp(before, after, n0));
        free(after);
        char *names1 = listing(out);
        assert_string_equal(names0, names1);
        free(names1);
        assert_false(has_entry(t.dir, ".res."));
        assert_false(has_entry(t.dir, "res.lock"));
    }
    free(before);
    free(names0);
    tu_tmp_remove(&t);
}

/* Writing stops between files and rows: with the flag raised, nothing
 * is written and the call fails with "interrupted". */
static void test_writing_sees_the_signal(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    struct model *m = tu_load("tests/data/small.cfg");
    struct runopts ro;
    runopts_of(m, &ro);
    ro.replications = 2;
    ro.threads = 1;
    struct run_results res;
    struct err e = { 0 };
    assert_int_equal(runner_run(m, &ro, false, NULL, &res, &e), 0);
    volatile sig_atomic_t stop = 1;
    struct run_info info = { "test", 0.0, 1, &stop };
    char dir[128];
    snprintf(dir, sizeof dir, "%s/w", t.dir);
    assert_int_equal(output_write_run(m, &res, dir, &info, &e), -1);
    assert_string_equal(e.msg, "interrupted");
    char *names = listing(dir);
    assert_string_equal(names, "");
    free(names);
    stop = 0;
    assert_int_equal(output_write_run(m, &res, dir, &info, &e), 0);
    assert_true(exists(dir));
    runner_results_fini(&res);
    model_destroy(m);
    tu_tmp_remove(&t);
}

/* ---- replications folded ------------------------------------------------------ */

/* The folded mean, 5 % and 95 % quantiles are exactly those of all values
 * (summary_quantile sorts them all), whatever the count, with ties. */
static void test_repagg_matches_all_values(void **state)
{
    (void)state;
    struct sim_shape sh = { .n_kpi = 1, .n_snap = 1, .n_slots = 2, .snap_dt = 1.0 };
    const size_t cells = (size_t)sh.n_snap * sh.n_slots * SERIES_COLS;
    const int counts[] = { 1, 2, 3, 19, 20, 21, 40, 101, 1000 };
    uint32_t seed = 12345;
    for (size_t t = 0; t < sizeof counts / sizeof counts[0]; t++) {
        int n = counts[t];
        struct repagg a;
        assert_int_equal(repagg_init(&a, &sh, n), 0);
        float *all = malloc((size_t)n * cells * sizeof *all);
        uint32_t *hist = calloc((size_t)sh.n_slots * WAIT_BINS, sizeof *hist);
        assert_non_null(all);
        assert_non_null(hist);
        for (int r = 0; r < n; r++) {
            for (size_t c = 0; c < cells; c++) {
                seed = seed * 1103515245u + 12345u;
                /* cell 0: few distinct values (ties); others spread */
                all[(size_t)r * cells + c] = c == 0 ? (float)((seed >> 16) % 4)
                                                    : (float)((seed >> 8) % 100000) / 7.0f;
            }
            hist[3] = (uint32_t)r;
            repagg_fold(&a, all + (size_t)r * cells, hist);
        }
        double *x = malloc((size_t)n * sizeof *x), *scratch = malloc((size_t)n * sizeof *scratch + 8);
        for (size_t c = 0; c < cells; c++) {
            double sum = 0.0;
            for (int r = 0; r < n; r++) {
                x[r] = all[(size_t)r * cells + c];
                sum += x[r];
            }
            assert_true(repagg_mean(&a, c) == sum / n);
            assert_true(repagg_quantile(&a, c, REPAGG_P_LO, scratch) == summary_quantile(x, (size_t)n, 0.05));
            assert_true(repagg_quantile(&a, c, REPAGG_P_HI, scratch) == summary_quantile(x, (size_t)n, 0.95));
        }
        assert_true(repagg_hist(&a, 3) == (uint64_t)n * (uint64_t)(n - 1) / 2);
        /* Kept per cell: a tenth of the values, not all of them. */
        if (n >= 1000) assert_true(a.k_lo + a.k_hi < n / 8);
        free(x);
        free(scratch);
        free(all);
        free(hist);
        repagg_fini(&a);
    }
}

/* A run keeps each replication's KPIs, not its series: those are folded
 * and freed as the run goes. */
static void test_runner_keeps_no_series(void **state)
{
    (void)state;
    struct model *m = tu_load("tests/data/small.cfg");
    struct runopts ro;
    runopts_of(m, &ro);
    ro.replications = 23;
    ro.threads = 3;
    struct run_results res;
    struct err e = { 0 };
    assert_int_equal(runner_run(m, &ro, false, NULL, &res, &e), 0);
    assert_int_equal(res.agg.folded, 23);
    for (int r = 0; r < res.n_rep; r++) {
        assert_non_null(res.rep[r].kpi);
        assert_null(res.rep[r].series);
        assert_null(res.rep[r].wait_hist);
    }
    runner_results_fini(&res);
    model_destroy(m);
}

/* ---- CSV cells ------------------------------------------------------------- */

static char *cell_text(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    csv_cell(f, s);
    fclose(f);
    struct sbuf b = { 0 };
    csv_cell_sbuf(&b, s);
    assert_string_equal(b.s ? b.s : "", buf);      /* both writers agree */
    sbuf_free(&b);
    return buf;
}

static void test_csv_cell_quotes_and_neutralises(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        { "plain_id-2", "plain_id-2" },
        { "", "" },
        { "Bolig \xc3\xa6ndring", "Bolig \xc3\xa6ndring" },
        { "a,b", "\"a,b\"" },
        { "a;b", "\"a;b\"" },
        { "say \"hi\"", "\"say \"\"hi\"\"\"" },
        { "two\nlines", "\"two\nlines\"" },
        { "cr\rx", "\"cr\rx\"" },
        { "=1+2", "\"'=1+2\"" },
        { "+1", "\"'+1\"" },
        { "-3", "\"'-3\"" },               /* a text cell, not a number */
        { "@SUM(A1)", "\"'@SUM(A1)\"" },
        { "\tx", "\"'\tx\"" },
        { "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = cell_text(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
    char *none = cell_text(NULL);
    assert_string_equal(none, "");
    free(none);
}

/* RFC 4180 reader for the checks below: rows of fields. */
struct csv { int n_rows; int n_fields[4096]; char *field[4096][24]; };

static void csv_parse(const char *s, struct csv *c)
{
    memset(c, 0, sizeof *c);
    char buf[4096];
    size_t n = 0;
    bool quoted = false, in_row = false;
    for (;; s++) {
        if (quoted) {
            assert_true(*s != '\0');                   /* a quote left open */
            if (*s == '"' && s[1] == '"') { buf[n++] = '"'; s++; }
            else if (*s == '"') quoted = false;
            else buf[n++] = *s;
            assert_true(n < sizeof buf);
            continue;
        }
        if (*s == '"' && n == 0) { quoted = true; in_row = true; continue; }
        if (*s == ',' || *s == '\n' || (*s == '\0' && in_row)) {
            assert_true(c->n_rows < 4096 && c->n_fields[c->n_rows] < 24);
            c->field[c->n_rows][c->n_fields[c->n_rows]++] = strndup(buf, n);
            n = 0;
            if (*s != ',') { c->n_rows++; in_row = false; }
            else in_row = true;
            if (*s == '\0') break;
            continue;
        }
        if (*s == '\0') break;
        buf[n++] = *s;
        in_row = true;
        assert_true(n < sizeof buf);
    }
}

static void csv_free(struct csv *c)
{
    for (int r = 0; r < c->n_rows; r++)
        for (int i = 0; i < c->n_fields[r]; i++) free(c->field[r][i]);
}

static bool is_number(const char *s)
{
    char *end;
    strtod(s, &end);
    return *s && !*end;
}

/* A scenario named like a spreadsheet formula with a comma, quotes and a
 * newline adds no row, no column and no formula to comparison.csv. */
static void test_hostile_name_in_comparison_csv(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char *small = tu_slurp("tests/data/small.cfg", NULL);
    assert_non_null(small);
    const char *line = "name = \"small\";";
    char *at = strstr(small, line);
    assert_non_null(at);
    static const char hostile_cfg[] = "name = \"=HYPERLINK(\\\"http://x\\\",\\\"y\\\"),1\\nfake,row\";";
    static const char hostile[] = "=HYPERLINK(\"http://x\",\"y\"),1\nfake,row";
    char *text = malloc(strlen(small) + sizeof hostile_cfg);
    assert_non_null(text);
    sprintf(text, "%.*s%s%s", (int)(at - small), small, hostile_cfg, at + strlen(line));
    tu_tmp_write(&t, "hostile.cfg", text);
    char args[512], path[256];
    snprintf(args, sizeof args, "compare tests/data/small.cfg %s/hostile.cfg -r 2 -q -o %s/cmp",
             t.dir, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(path, sizeof path, "%s/cmp/comparison.csv", t.dir);
    char *csv_text = tu_slurp(path, NULL);
    assert_non_null(csv_text);
    static struct csv c;
    csv_parse(csv_text, &c);
    assert_true(c.n_rows > 10);
    int hostile_rows = 0;
    for (int r = 0; r < c.n_rows; r++) {
        assert_int_equal(c.n_fields[r], 18);
        for (int i = 0; i < c.n_fields[r]; i++) {
            const char *v = c.field[r][i];
            if (strchr("=+-@\t\r", v[0]) && v[0]) assert_true(is_number(v));
        }
        if (r > 0) {
            assert_true(c.field[r][0][0] == '\'');
            assert_string_equal(c.field[r][0] + 1, hostile);
            hostile_rows++;
        }
    }
    assert_true(hostile_rows > 10);
    csv_free(&c);
    free(csv_text);
    free(text);
    free(small);
    tu_tmp_remove(&t);
}

/* ---- seeds ------------------------------------------------------------------ */

/* The digits after "seed": in a JSON file, as written. */
static char *seed_text(const char *path)
{
    char *text = tu_slurp(path, NULL);
    assert_non_null(text);
    char *at = strstr(text, "\"seed\":");
    assert_non_null(at);
    at += strlen("\"seed\":");
    at += strspn(at, " \t");
    char *seed = strndup(at, strspn(at, "0123456789"));
    free(text);
    return seed;
}

static void assert_same_bytes(const char *a, const char *b)
{
    size_t na, nb;
    char *x = tu_slurp(a, &na), *y = tu_slurp(b, &nb);
    assert_non_null(x);
    assert_non_null(y);
    assert_true(na == nb && memcmp(x, y, na) == 0);
    free(x);
    free(y);
}

/* -s above 2^53 comes back exactly, and a rerun from the recorded seed
 * gives the same bytes (summary.json, comparison.json). */
static void test_seed_round_trips(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    char args[512], a[256], b[256];
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -s 9007199254740993 -o %s/a", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(a, sizeof a, "%s/a/summary.json", t.dir);
    char *seed = seed_text(a);
    assert_string_equal(seed, "9007199254740993");
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -s %s -o %s/b", seed, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(b, sizeof b, "%s/b/summary.json", t.dir);
    assert_same_bytes(a, b);
    free(seed);
    /* A neighbouring seed gives other results: the seed is really used. */
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -s 9007199254740992 -o %s/c", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(b, sizeof b, "%s/c/summary.json", t.dir);
    size_t na, nb;
    char *x = tu_slurp(a, &na), *y = tu_slurp(b, &nb);
    assert_false(na == nb && memcmp(x, y, na) == 0);
    free(x);
    free(y);

    snprintf(args, sizeof args, "compare tests/data/small.cfg tests/data/small.cfg -r 2 -q "
             "-s 18446744073709551615 -o %s/cmp1", t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(a, sizeof a, "%s/cmp1/comparison.json", t.dir);
    seed = seed_text(a);
    assert_string_equal(seed, "18446744073709551615");
    snprintf(args, sizeof args, "compare tests/data/small.cfg tests/data/small.cfg -r 2 -q "
             "-s %s -o %s/cmp2", seed, t.dir);
    assert_int_equal(tu_flowsim(&t, NULL, args), 0);
    snprintf(b, sizeof b, "%s/cmp2/comparison.json", t.dir);
    assert_same_bytes(a, b);
    free(seed);
    tu_tmp_remove(&t);
}

/* resultsdir reads timeseries.csv with the one CSV splitter: a ring id
 * that csv_cell had to quote comes back whole, not cut at its comma. */
static void test_results_read_quoted_ids(void **state)
{
    (void)state;
    struct tmp t;
    tu_tmp_make(&t);
    tu_tmp_write(&t, "summary.json", "{ \"start_date\": \"2014-01-01\", \"kpis\": {} }");
    struct sbuf b = { 0 };
    sbuf_printf(&b, "date,t,flow,ring,occupancy_mean,occupancy_p05,occupancy_p95,waiting_mean,"
                    "waiting_p05,waiting_p95,spending_mean,spending_p05,spending_p95\r\n");
    for (int k = 0; k < 2; k++) {
        sbuf_printf(&b, "2014-0%d-01,%d,home,", 1 + 6 * k, k);
        csv_cell_sbuf(&b, "a,\"b\"");
        sbuf_printf(&b, ",%d,0,9,0,0,0,0,0,0\r\n", 5 + k);
    }
    tu_tmp_write(&t, "timeseries.csv", b.s);
    sbuf_free(&b);
    struct results_run *r = NULL;
    struct err e = { 0 };
    if (resultsdir_read_run(t.dir, &r, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(r->n_flows, 1);
    assert_int_equal(r->flows[0].n_rings, 1);
    assert_string_equal(r->flows[0].rings[0].id, "a,\"b\"");
    assert_int_equal(r->n_snap, 2);
    assert_true(results_ts(r, 1, r->flows[0].slot0)[0] == 6.0);
    results_run_free(r);
    tu_tmp_remove(&t);
}

int test_group_results(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_read_quoted_ids),
        cmocka_unit_test(test_set_replaced_as_a_whole),
        cmocka_unit_test(test_sweep_and_optimise_sets),
        cmocka_unit_test(test_failed_write_keeps_old_set),
        cmocka_unit_test(test_second_run_is_refused),
        cmocka_unit_test(test_foreign_directory_refused),
        cmocka_unit_test(test_leftovers_of_killed_runs),
        cmocka_unit_test(test_safe_names),
        cmocka_unit_test(test_default_dir_stays_under_output),
        cmocka_unit_test(test_compare_names_stay_inside),
        cmocka_unit_test(test_report_follows_recorded_dirs),
        cmocka_unit_test(test_repagg_matches_all_values),
        cmocka_unit_test(test_runner_keeps_no_series),
        cmocka_unit_test(test_signal_in_every_phase),
        cmocka_unit_test(test_writing_sees_the_signal),
        cmocka_unit_test(test_csv_cell_quotes_and_neutralises),
        cmocka_unit_test(test_hostile_name_in_comparison_csv),
        cmocka_unit_test(test_seed_round_trips),
    };
    return RUN_GROUP(tests, n);
}
