/* err.c: formatting of the one-line error messages. */
#include "base/err.h"

#include <stdio.h>
#include <string.h>

int err_vset(struct err *e, int status, const char *fmt, va_list ap)
{
    if (e) {
        e->status = status;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        /* One line, always: a stray newline in user data must not split it. */
        for (char *p = e->msg; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
    }
    return -1;
}

int err_set(struct err *e, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, status, fmt, ap);
    va_end(ap);
    return -1;
}

int err_at(struct err *e, const char *file, int line, const char *setting,
           const char *fmt, ...)
{
    if (!e) return -1;
    char problem[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    if (line > 0)
        return err_set(e, EXIT_INPUT, "%s:%d: %s: %s", file ? file : "?", line,
                       setting ? setting : "?", problem);
    return err_set(e, EXIT_INPUT, "%s: %s: %s", file ? file : "?",
                   setting ? setting : "?", problem);
}
