/* err.h: errors travel up as a return code plus one struct err; only main()
 * prints the message and picks the exit status (docs/flowsim.1: 0 done, 1 runtime
 * failure, 2 bad usage or input). A message is one line, no trailing newline. */
#ifndef FLOWSIM_ERR_H
#define FLOWSIM_ERR_H

#include <stdarg.h>

enum exit_status { EXIT_DONE = 0, EXIT_RUNTIME = 1, EXIT_INPUT = 2 };

struct err {
    int status;          /* an enum exit_status; EXIT_DONE while no error */
    char msg[1024];
};

/* Sets e (if not NULL) and returns -1, so callers can `return err_set(...)`.
 * status is EXIT_INPUT or EXIT_RUNTIME. */
int err_set(struct err *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int err_vset(struct err *e, int status, const char *fmt, va_list ap);

/* Input error at a position: "file:line: setting: problem". line <= 0 omits
 * the line number. */
int err_at(struct err *e, const char *file, int line, const char *setting,
           const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
