/* test_hostile.c: hostile input, end to end (issue 8). Every file here is
 * made at test time in a temporary directory (the 100 MB one too) and fed
 * to the built program (FLOWSIM_BIN, which may be "valgrind ... flowsim":
 * make check-valgrind). Each bad input must give exit 2 and ONE line on
 * stderr naming the file and what is wrong, and leave the output
 * directory untouched; the few inputs with another documented handling
 * say so. Then the crashes the fuzzers found (tests/fuzz/regressions/),
 * replayed in-process, and the run limits (sim/engine/runlimits.c) on models
 * built here. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests.h"

#include "analysis/panel.h"
#include "base/err.h"
#include "engine/runlimits.h"
#include "model/setpath.h"
#include "model/model.h"
#include "model/scenario.h"
#include "util.h"


/* Under valgrind every process is ~30x slower: big loops shrink. */
static bool slow(void)
{
    return getenv("FLOWSIM_VALGRIND") != NULL;
}

static int setup(void **state)
{
    struct tmp *t = malloc(sizeof *t);
    if (!t) return -1;
    tu_tmp_make(t);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tmp *t = *state;
    tu_tmp_remove(t);
    free(t);
    return 0;
}

static void path_of(const struct tmp *t, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", t->dir, name);
}


static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

/* tests/data/small.cfg with `old` replaced by `new_text` (must occur). */
static char *small_with(const char *old, const char *new_text)
{
    char *base = tu_slurp("tests/data/small.cfg", NULL);
    assert_non_null(base);
    char *at = strstr(base, old);
    if (!at) fail_msg("small.cfg has no '%s'", old);
    size_t pre = (size_t)(at - base);
    char *out = malloc(strlen(base) + strlen(new_text) + 1);
    assert_non_null(out);
    memcpy(out, base, pre);
    strcpy(out + pre, new_text);
    strcat(out, at + strlen(old));
    free(base);
    return out;
}

/* Runs flowsim with args (stdout and stderr to files in t); the exit status. */
static int flowsim(const struct tmp *t, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s >'%s/stdout' 2>'%s/stderr' </dev/null", tu_bin(), args, t->dir,
             t->dir);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* The last command's stderr, in a static buffer: a failing assertion
 * jumps out of the test, and nothing on the heap may be left then. */
static char *stderr_of(const struct tmp *t)
{
    static char buf[8192];
    char p[128];
    path_of(t, "stderr", p, sizeof p);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* `flowsim run FILE -o OUT -q` must exit 2 with one line on stderr that
 * holds every one of the (NULL-ended) fragments, and create no OUT. */
static void expect_refused_cmd(const struct tmp *t, const char *cmd, const char *file,
                               const char *const *want)
{
    char out[128], args[1024];
    path_of(t, "out", out, sizeof out);
    snprintf(args, sizeof args, "%s '%s' -o '%s' -q", cmd, file, out);
    int rc = flowsim(t, args);
    char *err = stderr_of(t);
    if (rc != 2 || tu_count_lines(err) != 1) fail_msg("%s %s: exit %d, stderr:\n%s", cmd, file, rc, err);
    for (int i = 0; want[i]; i++)
        if (!strstr(err, want[i])) fail_msg("%s %s: stderr lacks '%s':\n%s", cmd, file, want[i], err);
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0);
}

#define REFUSED(t, file, ...) \
    expect_refused_cmd((t), "run", (file), (const char *const[]){ __VA_ARGS__, NULL })

/* ---- the files of the issue --------------------------------------------- */

static void test_empty_file(void **state)
{
    const struct tmp *t = *state;
    char p[128];
    path_of(t, "empty.cfg", p, sizeof p);
    write_text(p, "");
    REFUSED(t, p, "empty.cfg: the file is empty");
    write_text(p, "  \n\t\r\n\n");                      /* only white space */
    REFUSED(t, p, "empty.cfg: the file is empty");
    write_text(p, "# only a comment\n");
    REFUSED(t, p, "empty.cfg: name: required key is missing");
}

static void test_binary_file(void **state)
{
    const struct tmp *t = *state;
    char p[128];
    path_of(t, "binary.cfg", p, sizeof p);
    unsigned char b[4096];
    unsigned x = 2463534242u;                           /* xorshift: high entropy */
    for (size_t i = 0; i < sizeof b; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        b[i] = (unsigned char)x;
    }
    b[0] = 0;                                           /* binary data: NULs early */
    write_bytes(p, b, sizeof b);
    REFUSED(t, p, "binary.cfg:1: a NUL byte: this is not a text file");
    b[0] = 0xd7;                                        /* none: bad UTF-8 first */
    for (size_t i = 0; i < sizeof b; i++)
        if (!b[i]) b[i] = 1;
    write_bytes(p, b, sizeof b);
    REFUSED(t, p, "binary.cfg:1: bytes that are not UTF-8");
    /* Latin-1 text, as an old editor saves "Bøge": not UTF-8. */
    char *cfg = small_with("name = \"small\";", "name = \"B\xf8ge\";");
    write_text(p, cfg);
    free(cfg);
    REFUSED(t, p, "binary.cfg:3: ", "not UTF-8");
    /* The program itself. */
    char exe[256];
    snprintf(exe, sizeof exe, "build/flowsim");
    if (access(exe, R_OK) == 0) REFUSED(t, exe, "build/flowsim:", "not a text file");
    /* A directory and a device are not scenario files (/dev/zero never ends). */
    REFUSED(t, t->dir, "is a directory");
    REFUSED(t, "/dev/zero", "/dev/zero: is not a regular file");
}

/* small.cfg cut short at many points: never accepted, always one line. */
static void test_truncated_file(void **state)
{
    const struct tmp *t = *state;
    size_t len;
    char *whole = tu_slurp("tests/data/small.cfg", &len);
    assert_non_null(whole);
    char p[128], args[512];
    path_of(t, "cut.cfg", p, sizeof p);
    int step = slow() ? 601 : 97;
    for (size_t cut = 1; cut < len - 2; cut += (size_t)step) {
        write_bytes(p, whole, cut);
        snprintf(args, sizeof args, "check '%s'", p);
        int rc = flowsim(t, args);
        char *err = stderr_of(t);
        if (rc != 2 || tu_count_lines(err) != 1 || !strstr(err, "cut.cfg"))
            fail_msg("cut at %zu: exit %d, stderr:\n%s", cut, rc, err);
    }
    /* Cut inside a multi-byte character ("§" is 2 bytes). */
    char *para = strstr(whole, "\xc2\xa7");
    assert_non_null(para);
    write_bytes(p, whole, (size_t)(para - whole) + 1);
    REFUSED(t, p, "cut.cfg:", "not UTF-8");
    free(whole);
}

/* 100 MB: refused by its size before it is read (SCENARIO_MAX_BYTES). */
static void test_100mb_file(void **state)
{
    const struct tmp *t = *state;
    char p[128];
    path_of(t, "huge.cfg", p, sizeof p);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    char *head = tu_slurp("tests/data/small.cfg", NULL);
    fputs(head, f);
    free(head);
    static char pad[1 << 20];
    for (size_t i = 0; i < sizeof pad; i += 64) {
        memset(pad + i, ' ', 64);
        pad[i] = '#';
        pad[i + 63] = '\n';
    }
    for (int i = 0; i < 100; i++) assert_int_equal(fwrite(pad, 1, sizeof pad, f), sizeof pad);
    assert_int_equal(fclose(f), 0);
    REFUSED(t, p, "huge.cfg: too large", "at most 16 MB");
    /* A big fragment pulled in by @include counts too. */
    char q[128], text[256];
    path_of(t, "includer.cfg", q, sizeof q);
    snprintf(text, sizeof text, "@include \"huge.cfg\"\n");
    write_text(q, text);
    REFUSED(t, q, "includer.cfg:1: @include \"huge.cfg\": too large");
    unlink(p);
}

/* NaN, infinity and 1e308 as rates or costs; numbers libconfig would
 * silently change. */
static void test_nan_inf_huge_numbers(void **state)
{
    const struct tmp *t = *state;
    static const struct { const char *old, *new_text; const char *want[3]; } cases[] = {
        { "per_year = 0.0375;", "per_year = nan;", { "cut.cfg:60: syntax", NULL } },
        { "per_year = 0.0375;", "per_year = inf;", { "cut.cfg:60: syntax", NULL } },
        { "per_year = 0.0375;", "per_year = 1e309;",
          { "cut.cfg:60: transitions[0].per_year: must be a finite number", NULL } },
        { "per_year = 0.0375;", "per_year = 1e308;",
          { "cut.cfg:60: transitions[0].per_year: must be at most 1e+09 per year", NULL } },
        { "per_year = 0.0375;", "per_year = -1e308;",
          { "cut.cfg:60: transitions[0].per_year: must be 0 or more", NULL } },
        { "citizen_cost_per_year = 207500.0;", "citizen_cost_per_year = 1e308;",
          { "cut.cfg:32: flows.home.rings.residence.citizen_cost_per_year: must be at most 1e+12 DKK",
            NULL } },
        { "place_cost_per_year = 512500.0;", "place_cost_per_year = 1e309;",
          { "flows.home.rings.residence.place_cost_per_year: must be a finite number", NULL } },
        { "cost_per_hour = 395.0;", "cost_per_hour = 1e308;", { "cost_per_hour: must be at most", NULL } },
        { "annual = 4750000.0;", "annual = 1e308;", { "budget.annual: must be at most 1e+12 DKK", NULL } },
        { "[ 12.5, 17.25, 9.75 ]", "[ 12.5, 1e308, 9.75 ]",
          { "population.arrivals_by_year[1]: must be at most", NULL } },
        { "worsen_per_year = 0.045; }", "worsen_per_year = 1e308; }", { "worsen_per_year: must be at most 1e+09", NULL } },
        { "other_exit_per_year = 0.0315;", "other_exit_per_year = 1e300;", { "other_exit_per_year: must be at most", NULL } },
        { "b = 0.0875;", "b = 1e308;", { "population.mortality.b: must be at most 1 per year of age", NULL } },
        { "mean = 38.5;", "mean = 1e308;", { "population.age.mean: must be at most 150", NULL } },
        /* Effects that multiply a modest rate beyond the limit. */
        { "social = -0.25; physical = -0.15;", "social = 1e308; physical = -0.15;",
          { "transitions[0].effects: with per_year 0.0375 the rate reaches", "see README, Limits" } },
        { "social = -0.25; physical = -0.15;", "social = 20.0; physical = -0.15;",
          { "transitions[0].effects:", "per year for some citizens" } },
        /* libconfig 1.5 reads integers with atoi(): 99999999999 would be
         * 1215752191 replications, silently. */
        { "replications = 7;", "replications = 99999999999;",
          { "cut.cfg:6: 99999999999: an integer too large for libconfig", NULL } },
        { "replications = 7;", "replications = 99999999999L;",
          { "simulation.replications: must be at most 2147483647 (got 99999999999)", NULL } },
        { "capacity = 12;", "capacity = 0x1ffffffff;", { "0x1ffffffff: an integer too large", NULL } },
    };
    char p[128];
    path_of(t, "cut.cfg", p, sizeof p);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *cfg = small_with(cases[i].old, cases[i].new_text);
        write_text(p, cfg);
        free(cfg);
        const char *w[4] = { cases[i].want[0], cases[i].want[1], cases[i].want[2], NULL };
        expect_refused_cmd(t, "run", p, w);
    }
}

static void test_replications_zero_or_negative(void **state)
{
    const struct tmp *t = *state;
    char p[128], args[512];
    path_of(t, "reps.cfg", p, sizeof p);
    char *cfg = small_with("replications = 7;", "replications = 0;");
    write_text(p, cfg);
    free(cfg);
    REFUSED(t, p, "reps.cfg:6: simulation.replications: must be at least 1 (got 0)");
    cfg = small_with("replications = 7;", "replications = -40;");
    write_text(p, cfg);
    free(cfg);
    REFUSED(t, p, "reps.cfg:6: simulation.replications: must be at least 1 (got -40)");
    static const char *const bad[] = { "-r 0", "-r -3", "-r 1e3", "-r ''" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(args, sizeof args, "run tests/data/small.cfg %s -q -o '%s/out'", bad[i], t->dir);
        assert_int_equal(flowsim(t, args), 2);
        char *err = stderr_of(t);
        assert_int_equal(tu_count_lines(err), 1);
        assert_non_null(strstr(err, "-r"));
    }
}

static void test_horizon_10000_years(void **state)
{
    const struct tmp *t = *state;
    char p[128];
    path_of(t, "long.cfg", p, sizeof p);
    char *cfg = small_with("years = 3.5;", "years = 10000.0;");
    write_text(p, cfg);
    free(cfg);
    REFUSED(t, p, "long.cfg:5: simulation.years: must be at most 1000 years (got 10000",
            "see README, Limits");
    cfg = small_with("snapshot_months = 2;", "snapshot_months = 1e-9;");
    write_text(p, cfg);
    free(cfg);
    REFUSED(t, p, "long.cfg:6: simulation.snapshot_months: must be at least 1e-06 (got 1e-09");
}

/* Whether flowsim calls runlimits_check (cli_common_apply): should that
 * call ever go, the tests below would run for minutes or be killed for lack
 * of memory, so they fail at once instead. The probe is cheap. */
static void require_cli_wiring(const struct tmp *t)
{
    char cmd[1024];
    /* 10^8 replications' time series need some 200 GB: only the run
     * limits refuse that, and at once. */
    snprintf(cmd, sizeof cmd, "timeout 10 %s run tests/data/small.cfg -r 100000000 -j 1 -q "
             "-o '%s/probe' >/dev/null 2>&1 </dev/null", tu_bin(), t->dir);
    int st = system(cmd);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 2)
        fail_msg("flowsim does not call runlimits_check() after loading and applying the "
                 "options (cli_common_apply in sim/cli/cli.c)");
}

/* The same horizon from the command line is refused by the option
 * reader, before anything is loaded. */
static void test_years_option_10000(void **state)
{
    const struct tmp *t = *state;
    require_cli_wiring(t);
    expect_refused_cmd(t, "run --years 10000", "tests/data/small.cfg",
                       (const char *const[]){ "--years: 10000 years is more than flowsim simulates",
                                              "see README, Limits", NULL });
}

/* No one at the start, no one arriving: the run goes ahead and says so. */
static void test_empty_population_runs(void **state)
{
    const struct tmp *t = *state;
    char p[128], args[512];
    path_of(t, "nobody.cfg", p, sizeof p);
    static const char *const edits[][2] = {
        { "initial = 83;", "initial = 0;" }, { "initial = 11;", "initial = 0;" },
        { "initial = 5;", "initial = 0;" }, { "initial = 31;", "initial = 0;" },
        { "initial = 8;", "initial = 0;" }, { "initial = 14;", "initial = 0;" },
        { "[ 12.5, 17.25, 9.75 ]", "[ 0.0 ]" },
    };
    char *cfg = tu_slurp("tests/data/small.cfg", NULL);
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char *at = strstr(cfg, edits[i][0]);
        assert_non_null(at);
        size_t pre = (size_t)(at - cfg);
        char *next = malloc(strlen(cfg) + strlen(edits[i][1]) + 1);
        memcpy(next, cfg, pre);
        strcpy(next + pre, edits[i][1]);
        strcat(next, at + strlen(edits[i][0]));
        free(cfg);
        cfg = next;
    }
    write_text(p, cfg);
    free(cfg);
    snprintf(args, sizeof args, "run '%s' -o '%s/out' -r 2 -q", p, t->dir);
    int rc = flowsim(t, args);
    char *err = stderr_of(t);
    if (rc != 0) fail_msg("exit %d: %s", rc, err);
    char sum[160];
    snprintf(sum, sizeof sum, "%s/out/summary.json", t->dir);
    struct stat sb;
    assert_int_equal(stat(sum, &sb), 0);
    /* The note: exactly one line, the one runlimits_note() gives. */
    if (tu_count_lines(err) != 1 || !strstr(err, "the population is empty") ||
        !strstr(err, "no citizens"))
        fail_msg("expected one line with runlimits_note(), got:\n%s", err);
}

static void test_population_100_million(void **state)
{
    const struct tmp *t = *state;
    char p[128];
    require_cli_wiring(t);
    path_of(t, "city.cfg", p, sizeof p);
    char *cfg = small_with("initial = 83;", "initial = 100000000;");
    write_text(p, cfg);
    free(cfg);
    /* Refused before anything is allocated for it, with the setting. */
    REFUSED(t, p, "city.cfg: population.initial: 100000000 citizens need about",
            "of memory", "see README, Limits");
}

/* Thousands of rings: refused at MODEL_MAX_RINGS, quickly. */
static void test_thousands_of_rings(void **state)
{
    const struct tmp *t = *state;
    char *base = tu_slurp("tests/data/small.cfg", NULL);
    char *start = strstr(base, "      { id = \"sheltered\"");
    char *end = strstr(base, "    ); }\n);");
    assert_non_null(start);
    assert_non_null(end);
    size_t cap = strlen(base) + 3000 * 220;
    char *cfg = malloc(cap);
    assert_non_null(cfg);
    memcpy(cfg, base, (size_t)(start - base));
    size_t n = (size_t)(start - base);
    for (int i = 0; i < 3000; i++)
        n += (size_t)snprintf(cfg + n, cap - n,
                              "{ id = \"r%d\"; name = \"R\"; capacity = 0; initial = 0; "
                              "citizen_cost_per_year = 1.0; need = [0.0, 4.0]; "
                              "initial_mean_level = 1.0; improve_per_year = 0.0; "
                              "worsen_per_year = 0.0; }%s\n", i, i < 2999 ? "," : "");
    snprintf(cfg + n, cap - n, "%s", end);
    char p[128];
    path_of(t, "rings.cfg", p, sizeof p);
    write_text(p, cfg);
    free(cfg);
    free(base);
    REFUSED(t, p, "rings.cfg:", "flows.work.rings: at most 64 rings per flow (got 3000)");
}

static void test_transition_to_itself(void **state)
{
    const struct tmp *t = *state;
    char p[128];
    path_of(t, "self.cfg", p, sizeof p);
    char *cfg = small_with("from = \"support\"; to = \"none\";", "from = \"support\"; to = \"support\";");
    write_text(p, cfg);
    free(cfg);
    REFUSED(t, p, "self.cfg:67: transitions[3].to: is the same state as from (\"support\")");
}

static void test_include_cycle(void **state)
{
    const struct tmp *t = *state;
    char a[128], b[128], c[128];
    path_of(t, "a.cfg", a, sizeof a);
    path_of(t, "b.cfg", b, sizeof b);
    path_of(t, "c.cfg", c, sizeof c);
    write_text(a, "name = \"a\";\n@include \"b.cfg\"\n");
    write_text(b, "# b\n@include \"c.cfg\"\n");
    write_text(c, "\n\n@include \"b.cfg\"\n");
    REFUSED(t, a, "c.cfg:3: @include: cycle of @includes: b.cfg -> c.cfg -> b.cfg");
    write_text(c, "@include \"c.cfg\"\n");                 /* includes itself */
    REFUSED(t, a, "c.cfg:1: @include: cycle of @includes: c.cfg -> c.cfg");
    /* What libconfig would open but not read (a directory makes its
     * scanner exit() the process; a FIFO blocks it forever). */
    char sub[128];
    path_of(t, "sub", sub, sizeof sub);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_text(c, "@include \"sub\"\n");
    REFUSED(t, a, "c.cfg:1: @include \"sub\": is a directory");
    write_text(c, "@include \"\"\n");
    REFUSED(t, a, "c.cfg:1: @include: an empty file name");
    path_of(t, "fifo.cfg", sub, sizeof sub);
    assert_int_equal(mkfifo(sub, 0600), 0);
    write_text(c, "@include \"fifo.cfg\"\n");
    REFUSED(t, a, "c.cfg:1: @include \"fifo.cfg\": is not a regular file");
}

/* Output that cannot be written: exit 1 (a runtime failure, as for a full
 * disk), one line, and nothing left behind. */
static void test_unwritable_output(void **state)
{
    const struct tmp *t = *state;
    char file[128], args[512];
    path_of(t, "plainfile", file, sizeof file);
    write_text(file, "keep me\n");
    static const char *const subs[] = { "", "/out" };     /* -o FILE, -o FILE/out */
    for (size_t i = 0; i < 2; i++) {
        snprintf(args, sizeof args, "run tests/data/small.cfg -r 2 -q -o '%s%s'", file, subs[i]);
        assert_int_equal(flowsim(t, args), 1);
        char *err = stderr_of(t);
        assert_int_equal(tu_count_lines(err), 1);
        char *kept = tu_slurp(file, NULL);
        assert_string_equal(kept, "keep me\n");
        free(kept);
    }
}

/* ---- panel CSV (flowsim calibrate) --------------------------------------- */

static const char panel_head[] = "id,date,t,home,work,physical,communication,social,age,female\n";

static void calibrate_refused(const struct tmp *t, const char *csv, const char *const *want)
{
    char args[512];
    snprintf(args, sizeof args, "calibrate '%s' --scenario tests/data/small.cfg --fragment '%s/fit.cfg'",
             csv, t->dir);
    int rc = flowsim(t, args);
    char *err = stderr_of(t);
    if (rc != 2 || tu_count_lines(err) != 1) fail_msg("calibrate %s: exit %d:\n%s", csv, rc, err);
    for (int i = 0; want[i]; i++)
        if (!strstr(err, want[i])) fail_msg("calibrate %s: stderr lacks '%s':\n%s", csv, want[i], err);
    char fit[128];
    path_of(t, "fit.cfg", fit, sizeof fit);
    struct stat sb;
    assert_int_not_equal(stat(fit, &sb), 0);
}

#define CAL_REFUSED(t, csv, ...) calibrate_refused((t), (csv), (const char *const[]){ __VA_ARGS__, NULL })

static void test_panel_hostile_fields(void **state)
{
    const struct tmp *t = *state;
    char p[128];
    path_of(t, "panel.csv", p, sizeof p);
    size_t big = 1 << 20;
    char *buf = malloc(big + 4096);
    assert_non_null(buf);

    /* A 1 MB id field. */
    size_t n = (size_t)snprintf(buf, 4096, "%s", panel_head);
    memset(buf + n, 'x', big);
    n += big;
    n += (size_t)snprintf(buf + n, 4096, ",2014-06-15,0.0,residence,none,3,3,4,36.5,1\n");
    write_bytes(p, buf, n);
    CAL_REFUSED(t, p, "panel.csv:2:");

    /* A NUL inside a used field. */
    n = (size_t)snprintf(buf, 4096, "%s1,2014-06-15,0.0,resid", panel_head);
    buf[n++] = '\0';
    n += (size_t)snprintf(buf + n, 4096, "ence,none,3,3,4,36.5,1\n");
    write_bytes(p, buf, n);
    CAL_REFUSED(t, p, "panel.csv:2:");

    /* Non-UTF-8 bytes in a ring id. */
    n = (size_t)snprintf(buf, 4096, "%s1,2014-06-15,0.0,resid\xe9nce,none,3,3,4,36.5,1\n",
                         panel_head);
    write_bytes(p, buf, n);
    CAL_REFUSED(t, p, "panel.csv:2:");
    free(buf);
}

/* Mixed line ends are read as line ends: the same panel with LF, CRLF and
 * both gives the same fit. */
static void test_panel_mixed_line_ends(void **state)
{
    const struct tmp *t = *state;
    char run_dir[128], args[512];
    path_of(t, "run", run_dir, sizeof run_dir);
    snprintf(args, sizeof args, "run tests/data/small.cfg -r 1 -q -o '%s'", run_dir);
    assert_int_equal(flowsim(t, args), 0);
    char src[160];
    snprintf(src, sizeof src, "%s/rbs_panel.csv", run_dir);
    size_t len;
    char *lf = tu_slurp(src, &len);
    assert_non_null(lf);
    char *mixed = malloc(2 * len + 1);
    assert_non_null(mixed);
    size_t m = 0;
    int line = 0;
    for (size_t i = 0; i < len; i++) {
        if (lf[i] == '\n' && line++ % 2) mixed[m++] = '\r';
        mixed[m++] = lf[i];
    }
    char pa[128], pb[128];
    path_of(t, "lf.csv", pa, sizeof pa);
    path_of(t, "mixed.csv", pb, sizeof pb);
    write_bytes(pa, lf, len);
    write_bytes(pb, mixed, m);
    free(lf);
    free(mixed);
    char *fit[2];
    const char *const in[2] = { pa, pb };
    for (int k = 0; k < 2; k++) {
        char out[128];
        snprintf(out, sizeof out, "%s/cal%d/fitted.cfg", t->dir, k);
        snprintf(args, sizeof args, "calibrate '%s' --scenario tests/data/small.cfg -o '%s/cal%d'",
                 in[k], t->dir, k);
        int rc = flowsim(t, args);
        if (rc != 0) {
            if (k == 1) free(fit[0]);
            fail_msg("calibrate %s: exit %d:\n%s", in[k], rc, stderr_of(t));
        }
        fit[k] = tu_slurp(out, NULL);
        assert_non_null(fit[k]);
    }
    /* The fitted transitions are the same; only the panel's name differs. */
    const char *ta = strstr(fit[0], "transitions = ("), *tb = strstr(fit[1], "transitions = (");
    assert_non_null(ta);
    assert_non_null(tb);
    assert_string_equal(ta, tb);
    free(fit[0]);
    free(fit[1]);
}

/* A FIFO with no writer must not hang calibrate (open would block), nor
 * /dev/zero fill the memory: refuse what is not a regular file, as the
 * scenario loader does. */
static void test_panel_not_a_regular_file(void **state)
{
    const struct tmp *t = *state;
    char p[128], args[512];
    path_of(t, "fifo.csv", p, sizeof p);
    assert_int_equal(mkfifo(p, 0600), 0);
    snprintf(args, sizeof args, "calibrate '%s' --scenario tests/data/small.cfg --fragment '%s/fit.cfg'",
             p, t->dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "timeout 3 %s %s >/dev/null 2>'%s/stderr' </dev/null", tu_bin(), args,
             t->dir);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    int rc = WEXITSTATUS(st);
    char *err = stderr_of(t);
    if (rc != 2 || tu_count_lines(err) != 1)
        fail_msg("calibrate on a FIFO: exit %d (124 = hung, killed by timeout):\n%s", rc, err);
}

/* ---- fuzz regressions, in-process ---------------------------------------- */

/* Every input the fuzzers ever crashed on (tests/fuzz/regressions/) loads
 * or is refused with one line; under make check-asan this is sanitized. */
static void test_fuzz_regressions(void **state)
{
    (void)state;
    static const char *const dirs[] = { "tests/fuzz/regressions/scenario",
                                        "tests/fuzz/regressions/panel" };
    struct model *small = NULL;
    struct err e = { 0 };
    if (scenario_load("tests/data/small.cfg", &small, &e) != 0) fail_msg("%s", e.msg);
    int n = 0;
    for (int d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir) continue;                    /* git keeps no empty directory */
        struct dirent *de;
        while ((de = readdir(dir))) {
            if (de->d_name[0] == '.') continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], de->d_name);
            size_t len;
            char *bytes = tu_slurp(path, &len);
            assert_non_null(bytes);
            struct err fe = { 0 };
            int rc;
            if (d == 0) {
                struct model *m = NULL;
                rc = scenario_load_text("scenarios/fuzz.cfg", bytes, len, &m, &fe);
                model_destroy(m);
            } else {
                struct panel_opts o = { 0 };
                struct panel p;
                o.skip_bad_rows = len > 0 && (bytes[0] & 1);
                rc = len > 0 ? panel_parse("fuzz.csv", bytes + 1, len - 1, small, &o, &p, &fe) : 0;
                if (len > 0) panel_fini(&p);
            }
            if (rc != 0 && (!fe.msg[0] || strchr(fe.msg, '\n')))
                fail_msg("%s: refused without one line: '%s'", path, fe.msg);
            free(bytes);
            n++;
        }
        closedir(dir);
    }
    model_destroy(small);
    assert_true(n > 0);
}

/* ---- run limits on models built here -------------------------------------- */

static void test_limits_estimates(void **state)
{
    (void)state;
    struct model *m = tu_load("scenarios/esbjerg.cfg");
    struct runopts ro;
    runopts_of(m, &ro);
    struct err e = { 0 };
    const double gb = 1024.0 * 1024 * 1024;
    /* The baseline fits in 1 GB. */
    if (runlimits_check_with(m, &ro, 1.0 * gb, &e) != 0) fail_msg("%s", e.msg);
    struct runlimits_estimate est;
    runlimits_estimate(m, &ro, &est);
    assert_true(fabs(est.citizens - (2670 + 10 * 107.0)) < 1.0);   /* initial + 10 y x 107 */
    assert_true(est.bytes_total < 0.5 * gb);

    /* The note for a run whose rates may take hours: none for the
     * baseline; a per_year of 1573 with a level effect of 5.2 (a typo a
     * fuzzer found; some 50 million moves a year per citizen) names it. */
    char slow[512];
    assert_null(runlimits_slow_note(m, slow, sizeof slow));
    struct transition saved = m->transitions[0];
    memset(m->transitions[0].beta, 0, sizeof m->transitions[0].beta);
    m->transitions[0].per_year = 1573.0;
    m->transitions[0].beta[0] = 5.2;              /* exp(5.2 x 2) = 32860 */
    const char *note = runlimits_slow_note(m, slow, sizeof slow);
    assert_non_null(note);
    char name[160], want[256];
    setpath_transition_name(m, 0, name, sizeof name);
    snprintf(want, sizeof want, "note: transitions[%s] may reach 5.17e+07 moves a year", name);
    if (strncmp(note, want, strlen(want)) != 0) fail_msg("got: %s\nwant: %s...", note, want);
    assert_null(strchr(note, '\n'));
    int worst;
    assert_true(runlimits_event_rate_bound(m, &worst) >= 5.1e7);
    assert_int_equal(worst, 0);
    m->transitions[0] = saved;

    /* 100 million citizens on a 23 GB machine: about 2 x 100e6 x 340 B. */
    m->initial = 100000000;
    ro.threads = 2;
    assert_int_equal(runlimits_check_with(m, &ro, 23.0 * gb, &e), -1);
    assert_int_equal(e.status, EXIT_INPUT);
    assert_non_null(strstr(e.msg, "scenarios/esbjerg.cfg: population.initial: 100000000 "
                                  "citizens need about "));
    assert_non_null(strstr(e.msg, "this machine has 23 GB (see README, Limits)"));
    assert_null(strchr(e.msg, '\n'));

    /* A 1000-year horizon, monthly, 200000 replications: the series
     * (a tenth of each is kept for the quantiles, repagg.h). */
    m->initial = 2670;
    m->years = 1000.0;
    ro.replications = 200000;
    assert_int_equal(runlimits_check_with(m, &ro, 23.0 * gb, &e), -1);
    assert_non_null(strstr(e.msg, "simulation.snapshot_months: the time series of 200000 "
                                  "replications x 12001 snapshots"));
    assert_non_null(strstr(e.msg, "raise simulation.snapshot_months or lower"));
    m->snapshot_months = 12.0;
    ro.rbs_panel = false;
    if (runlimits_check_with(m, &ro, 23.0 * gb, &e) != 0) fail_msg("%s", e.msg);

    /* Beyond the hard limits (as --years would set them). */
    m->years = 10000.0;
    assert_int_equal(runlimits_check_with(m, &ro, 1e15, &e), -1);
    assert_non_null(strstr(e.msg, "simulation.years: 10000 years is more than flowsim simulates"));
    m->years = 10.0;
    m->arrivals_per_year = 1e9;
    assert_int_equal(runlimits_check_with(m, &ro, 1e30, &e), -1);
    assert_non_null(strstr(e.msg, "population.arrivals_per_year: about 1e+10 citizens"));

    /* The note for an empty run. */
    assert_null(runlimits_note(m));
    m->arrivals_per_year = 0.0;
    m->initial = 0;
    assert_non_null(runlimits_note(m));
    model_destroy(m);
    assert_true(runlimits_memory_bytes() > 64.0 * 1024 * 1024);
}

/* Every shipped scenario passes the limits on this machine. */
static void test_limits_pass_shipped(void **state)
{
    (void)state;
    static const char *const files[] = { "scenarios/esbjerg.cfg", "scenarios/more-107.cfg",
                                         "tests/data/small.cfg", "tests/data/mmc.cfg" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct model *m = tu_load(files[i]);
        struct err e = { 0 };
        if (runlimits_check(m, NULL, &e) != 0) fail_msg("%s", e.msg);
        model_destroy(m);
    }
}

int test_group_hostile(int *n)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_100mb_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nan_inf_huge_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replications_zero_or_negative, setup, teardown),
        cmocka_unit_test_setup_teardown(test_horizon_10000_years, setup, teardown),
        cmocka_unit_test_setup_teardown(test_years_option_10000, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_population_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_population_100_million, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thousands_of_rings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transition_to_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(test_include_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_panel_hostile_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_panel_mixed_line_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_panel_not_a_regular_file, setup, teardown),
        cmocka_unit_test(test_fuzz_regressions),
        cmocka_unit_test(test_limits_estimates),
        cmocka_unit_test(test_limits_pass_shipped),
    };
    return RUN_GROUP(tests, n);
}
