/* gnuplot.c: find and run gnuplot with a time limit (fork + exec, polled
 * waitpid), and the quoting that keeps untrusted text inert in its scripts.
 * Only async-signal-safe calls run between fork and exec, since the parent
 * may have threads. */
#include "present/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "base/pathname.h"

static bool is_executable(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

bool gnuplot_find(char *buf, size_t n)
{
    const char *env = getenv("FLOWSIM_GNUPLOT");
    if (env && *env) {
        if (!is_executable(env)) return false;
        snprintf(buf, n, "%s", env);
        return true;
    }
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    while (*path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        if (len > 0 && (size_t)snprintf(buf, n, "%.*s/gnuplot", (int)len, path) < n &&
            is_executable(buf))
            return true;
        path += len + (end != NULL);
    }
    return false;
}

/* Runs `gnuplot script` in dir, stderr appended to log (opened without
 * following a link); messages name the script as shown and dir/gnuplot.log,
 * where gnuplot_draw_end puts the log. */
static int gnuplot_run(const char *dir, const char *script, const char *shown, const char *log,
                       double timeout_s, struct err *e)
{
    char exe[4096];
    if (!gnuplot_find(exe, sizeof exe))
        return err_set(e, EXIT_RUNTIME, "gnuplot not found (install gnuplot-nox or set FLOWSIM_GNUPLOT)");
    int log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    pid_t pid = fork();
    if (pid < 0) {
        if (log_fd >= 0) close(log_fd);
        return err_set(e, EXIT_RUNTIME, "cannot start gnuplot: %s", strerror(errno));
    }
    if (pid == 0) {
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);   /* dies with flowsim, if killed */
#endif
        if (chdir(dir) != 0) _exit(126);
        int null_fd = open("/dev/null", O_RDWR);
        if (null_fd >= 0) {
            dup2(null_fd, STDIN_FILENO);
            dup2(null_fd, STDOUT_FILENO);
        }
        if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
        execl(exe, "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    if (log_fd >= 0) close(log_fd);
    struct timespec tick = { 0, 10 * 1000 * 1000 }, t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR)
            return err_set(e, EXIT_RUNTIME, "gnuplot on %s/%s: %s", dir, shown, strerror(errno));
        if (interrupt_requested()) {           /* Ctrl-C: stop drawing at once */
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return err_set(e, EXIT_RUNTIME, "interrupted");
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) * 1e-9 >= timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return err_set(e, EXIT_RUNTIME, "gnuplot on %s/%s took longer than %g s and was stopped",
                           dir, shown, timeout_s);
        }
        nanosleep(&tick, NULL);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFEXITED(status))
        return err_set(e, EXIT_RUNTIME, "gnuplot failed on %s/%s (exit %d); see %s/gnuplot.log", dir, shown,
                       WEXITSTATUS(status), dir);
    return err_set(e, EXIT_RUNTIME, "gnuplot on %s/%s ended by signal %d", dir, shown,
                   WTERMSIG(status));
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one:
 * overlong forms, surrogates, code points above U+10FFFF and the
 * non-characters U+FFFE/U+FFFF (not allowed in XML, hence in SVG) fail. */
static int utf8_len(const unsigned char *p)
{
    unsigned c = p[0], cp, n;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
    else return 0;
    for (unsigned i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
    return (int)n;
}

void gnuplot_quote(FILE *f, const char *s)
{
    const unsigned char *b = (const unsigned char *)(s ? s : "");
    fputc('\'', f);
    for (const unsigned char *p = b; *p;) {
        int n = utf8_len(p);
        if (*p == '\n') fputs("'.\"\\n\".'", f);      /* a constant "\n" between pieces */
        else if (*p == '\'') fputs("''", f);
        else if (*p == '>' && p - b >= 2 && p[-1] == ']' && p[-2] == ']') fputs(" >", f);
        else if (n == 0 || *p < 0x20 || *p == 0x7F) fputc('?', f);
        else fwrite(p, 1, (size_t)n, f);
        p += n ? n : 1;
    }
    fputc('\'', f);
}

void gnuplot_comment(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        fputc(*p < 0x20 || *p == 0x7F ? ' ' : *p, f);
}

int gnuplot_draw_begin(struct gnuplot_draw *d, const char *dir, bool *found, struct err *e)
{
    char exe[4096];
    memset(d, 0, sizeof *d);
    *found = gnuplot_find(exe, sizeof exe);
    if (!*found) return 0;
    snprintf(d->dir, sizeof d->dir, "%s", dir);
    snprintf(d->tmp, sizeof d->tmp, "%s/.gnuplot-XXXXXX", dir);
    if (!mkdtemp(d->tmp)) {
        d->tmp[0] = '\0';
        return err_set(e, EXIT_RUNTIME, "cannot make a drawing directory in %s: %s", dir, strerror(errno));
    }
    d->rel = path_basename(d->tmp);
    snprintf(d->log, sizeof d->log, "%s/gnuplot.log", d->tmp);
    return 0;
}

void gnuplot_draw_path(const struct gnuplot_draw *d, const char *file, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", d->tmp, file);
}

int gnuplot_draw(struct gnuplot_draw *d, const char *script, const char *name, double timeout_s,
                 struct err *e)
{
    /* The wrapper sets `out` and loads the script: the user's own script
     * stays runnable as it is, drawing beside itself. */
    char path[4400], out[4400];
    snprintf(path, sizeof path, "%s/draw.gp", d->tmp);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0) close(fd);
        return err_set(e, EXIT_RUNTIME, "cannot write %s: %s", path, strerror(errno));
    }
    snprintf(out, sizeof out, "%s/%s", d->rel, name);
    fputs("out = ", f);
    gnuplot_quote(f, out);
    fputs("\nload ", f);
    gnuplot_quote(f, script);
    fputc('\n', f);
    if (fclose(f) != 0) return err_set(e, EXIT_RUNTIME, "cannot write %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/draw.gp", d->rel);
    return gnuplot_run(d->dir, path, script, d->log, timeout_s, e);
}

int gnuplot_draw_keep(struct gnuplot_draw *d, const char *file, struct err *e)
{
    char from[4400], to[4400];
    snprintf(from, sizeof from, "%s/%s", d->tmp, file);
    snprintf(to, sizeof to, "%s/%s", d->dir, file);
    if (rename(from, to) != 0) return err_set(e, EXIT_RUNTIME, "cannot rename %s: %s", from, strerror(errno));
    return 0;
}

void gnuplot_draw_end(struct gnuplot_draw *d)
{
    if (!d->tmp[0]) return;
    char to[4400];
    snprintf(to, sizeof to, "%s/gnuplot.log", d->dir);
    struct stat sb;
    if (stat(d->log, &sb) == 0 && sb.st_size > 0) rename(d->log, to);
    else unlink(to);                    /* an old run's messages would mislead */
    DIR *dh = opendir(d->tmp);
    struct dirent *de;
    while (dh && (de = readdir(dh))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char p[4700];
        snprintf(p, sizeof p, "%s/%s", d->tmp, de->d_name);
        unlink(p);
    }
    if (dh) closedir(dh);
    rmdir(d->tmp);
    d->tmp[0] = '\0';
}
