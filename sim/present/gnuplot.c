/* gnuplot.c: find and run gnuplot with a time limit (fork + exec, polled
 * waitpid). Only async-signal-safe calls run between fork and exec, since
 * the parent may have threads. */
#include "present/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

int gnuplot_run(const char *dir, const char *script, double timeout_s, struct err *e)
{
    char exe[4096];
    if (!gnuplot_find(exe, sizeof exe))
        return err_set(e, EXIT_RUNTIME, "gnuplot not found (install gnuplot-nox or set FLOWSIM_GNUPLOT)");
    char log[4096];
    snprintf(log, sizeof log, "%s/gnuplot.log", dir);
    int log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
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
            return err_set(e, EXIT_RUNTIME, "gnuplot on %s/%s: %s", dir, script, strerror(errno));
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) * 1e-9 >= timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return err_set(e, EXIT_RUNTIME, "gnuplot on %s/%s took longer than %g s and was stopped",
                           dir, script, timeout_s);
        }
        nanosleep(&tick, NULL);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFEXITED(status))
        return err_set(e, EXIT_RUNTIME, "gnuplot failed on %s/%s (exit %d); see %s", dir, script,
                       WEXITSTATUS(status), log);
    return err_set(e, EXIT_RUNTIME, "gnuplot on %s/%s ended by signal %d", dir, script,
                   WTERMSIG(status));
}
