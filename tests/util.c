/* util.c: shared helpers of the test groups (see util.h). */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/runner.h"
#include "engine/stats.h"
#include "model/runopts.h"
#include "model/model.h"
#include "model/scenario.h"
#include "tests.h"

const char *tu_bin(void)
{
    const char *b = getenv("FLOWSIM_BIN");
    return b && *b ? b : "build/flowsim";
}

void tu_tmp_make(struct tmp *t)
{
    strcpy(t->dir, "/tmp/flowsim-test-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
}

void tu_tmp_remove(struct tmp *t)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
}

int tu_flowsim(const struct tmp *t, const char *env, const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s %s >'%s/stdout' 2>'%s/stderr'", env ? env : "", tu_bin(),
             args, t->dir, t->dir);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

char *tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return s;
}

char *tu_tmp_read(const struct tmp *t, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", t->dir, name);
    return tu_slurp(path, NULL);
}

void tu_tmp_write(const struct tmp *t, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", t->dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

bool tu_tmp_exists(const struct tmp *t, const char *name)
{
    char path[512];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", t->dir, name);
    return stat(path, &sb) == 0;
}

int tu_count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

struct model *tu_load(const char *path)
{
    struct model *m = NULL;
    struct err e = { 0 };
    if (scenario_load(path, &m, &e) != 0) fail_msg("%s", e.msg);
    return m;
}

void tu_finish(struct model *m)
{
    struct err e = { 0 };
    if (model_finish(m, &e) != 0) fail_msg("%s", e.msg);
}

void tu_run(const struct model *m, struct run_results *res)
{
    struct err e = { 0 };
    struct runopts ro;
    runopts_of(m, &ro);
    ro.threads = 2;
    if (runner_run(m, &ro, false, NULL, res, &e) != 0) fail_msg("%s", e.msg);
}

int tu_kpi(const struct model *m, const char *name, int flow, int ring, int year)
{
    struct kpi_desc *d = NULL;
    int n = stats_kpi_layout(m, &d), found = -1;
    for (int k = 0; k < n && found < 0; k++)
        if (!strcmp(d[k].name, name) && d[k].flow == flow && d[k].ring == ring &&
            d[k].year == year && d[k].dim < 0)
            found = k;
    free(d);
    if (found < 0) fail_msg("no KPI %s (%d, %d, %d)", name, flow, ring, year);
    return found;
}

pid_t tu_spawn(const struct tmp *t, const char *env, const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "exec %s%s %s %s >'%s/stdout' 2>'%s/stderr'", env ? "env " : "",
             env ? env : "", tu_bin(), args, t->dir, t->dir);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}
