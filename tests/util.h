/* util.h: what the end-to-end tests share: a temporary directory per test,
 * running the built program (FLOWSIM_BIN, which may be a command with
 * arguments such as a valgrind wrapper), and reading files back. */
#ifndef FLOWSIM_TESTS_UTIL_H
#define FLOWSIM_TESTS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct model;

struct tmp { char dir[64]; };

/* The program under test: $FLOWSIM_BIN, else build/flowsim. */
const char *tu_bin(void);
/* A fresh directory under /tmp; tu_tmp_remove deletes it and its content. */
void tu_tmp_make(struct tmp *t);
void tu_tmp_remove(struct tmp *t);
/* Runs `env flowsim args` (env may be NULL) with stdout and stderr into
 * t/stdout and t/stderr; returns the exit status (fails the test if the
 * program did not exit). */
int tu_flowsim(const struct tmp *t, const char *env, const char *args);
/* Starts flowsim args in the background (with env's assignments "A=1
 * B=2" when not NULL), stdout and stderr as for tu_flowsim; the shell and
 * env exec, so the pid is flowsim's. */
pid_t tu_spawn(const struct tmp *t, const char *env, const char *args);
/* A whole file as a NUL-terminated string (free it), or NULL. */
char *tu_slurp(const char *path, size_t *len);
char *tu_tmp_read(const struct tmp *t, const char *name);
void tu_tmp_write(const struct tmp *t, const char *name, const char *text);
bool tu_tmp_exists(const struct tmp *t, const char *name);
int tu_count_lines(const char *s);
/* Loads a scenario, failing the test with its message if it does not load. */
struct model *tu_load(const char *path);
/* model_finish again after a test changed the model by hand (capacities,
 * prices, rates), failing the test on an error. */
void tu_finish(struct model *m);

struct run_results;
/* Runs m's replications on 2 threads, failing the test on an error. */
void tu_run(const struct model *m, struct run_results *res);
/* Index of KPI name (flow, ring, calendar year; -1/-1/0 when not scoped,
 * not per dimension) in m's layout; fails the test when there is none. */
int tu_kpi(const struct model *m, const char *name, int flow, int ring, int year);

#endif
