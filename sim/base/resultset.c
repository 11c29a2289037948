/* resultset.c: whole result sets (see resultset.h). Names beside the
 * target "<parent>/<base>":
 *   <base>.lock                 the lock file, present only during a run
 *   .<base>.new-XXXXXX          the set being written (rd->work)
 *   .<base>.old-XXXXXX          the old set between two renames (fallback)
 * All three live in the target's parent, so every rename stays within one
 * file system. Whoever holds the lock may remove dot-names of dead runs. */
#define _GNU_SOURCE                 /* renameat2, flock, nftw */
#include "base/resultset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/pathname.h"

#define RANDOM_TAIL 6               /* mkdtemp's XXXXXX */

static const char *const RESULT_MARKERS[] = {
    "summary.json", "comparison.json", "sweep.json", "optimise.json", "calibration.json", "sensitivity.json", NULL,
};

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -r without following links. Missing path: fine. */
static void remove_tree(const char *path)
{
    if (path) nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *str_printf(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + (b ? strlen(b) : 0) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, fmt, a, b ? b : "");
    return s;
}

/* Splits a target into parent ("." when none) and last name. */
static int split(const char *target, char **parent, char **base)
{
    *parent = path_dirname(target);
    *base = strdup(path_basename(target));
    return *parent && *base ? 0 : -1;
}

/* Empty, or holding a file only flowsim writes at a set's top. */
static bool looks_like_results(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return false;
    bool empty = true, marked = false;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        empty = false;
        for (int i = 0; RESULT_MARKERS[i]; i++) marked |= !strcmp(de->d_name, RESULT_MARKERS[i]);
    }
    closedir(d);
    return empty || marked;
}

/* flock on a file that is still the one at its path: a run that commits
 * unlinks its lock file while holding it, so a file locked after that is
 * stale; open again. */
static int take_lock(struct resultset *rd, struct err *e)
{
    for (int tries = 0; tries < 100; tries++) {
        int fd = open(rd->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
            return err_set(e, EXIT_RUNTIME, "cannot create %s: %s", rd->lock_path, strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int saved = errno;
            close(fd);
            if (saved == EWOULDBLOCK)
                return err_set(e, EXIT_RUNTIME, "%s: another flowsim is writing there (it holds %s); "
                               "wait for it or choose another -o", rd->target, rd->lock_path);
            return err_set(e, EXIT_RUNTIME, "cannot lock %s: %s", rd->lock_path, strerror(saved));
        }
        struct stat held, now;
        if (fstat(fd, &held) == 0 && stat(rd->lock_path, &now) == 0 && held.st_ino == now.st_ino &&
            held.st_dev == now.st_dev) {
            rd->lock_fd = fd;
            return 0;
        }
        close(fd);
    }
    return err_set(e, EXIT_RUNTIME, "cannot lock %s: it keeps changing", rd->lock_path);
}

/* ".<base>.<kind>-XXXXXX" exactly. */
static bool is_leftover(const char *entry, const char *base, const char *kind)
{
    size_t nb = strlen(base), nk = strlen(kind);
    return entry[0] == '.' && strlen(entry) == 1 + nb + 1 + nk + 1 + RANDOM_TAIL &&
           !strncmp(entry + 1, base, nb) && entry[1 + nb] == '.' &&
           !strncmp(entry + 2 + nb, kind, nk) && entry[2 + nb + nk] == '-';
}

/* Under the lock: what killed runs left. An old set whose new one never
 * arrived goes back into place; everything else goes. */
static void clear_leftovers(const struct resultset *rd, const char *parent, const char *base)
{
    DIR *d = opendir(parent);
    if (!d) return;
    struct stat st;
    bool have_target = lstat(rd->target, &st) == 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        bool old = is_leftover(de->d_name, base, "old");
        if (!old && !is_leftover(de->d_name, base, "new")) continue;
        char *path = str_printf("%s/%s", parent, de->d_name);
        if (!path) break;
        if (old && !have_target && rename(path, rd->target) == 0) have_target = true;
        else remove_tree(path);
        free(path);
    }
    closedir(d);
}

static void release(struct resultset *rd)
{
    if (rd->lock_fd >= 0) {
        unlink(rd->lock_path);          /* still held: see take_lock */
        close(rd->lock_fd);
    }
    free(rd->target);
    free(rd->work);
    free(rd->lock_path);
    free(rd->made);
    memset(rd, 0, sizeof *rd);
    rd->lock_fd = -1;
}

/* The target as given, without trailing slashes; refuses "", "." and "..". */
static char *clean_target(const char *target, struct err *e)
{
    size_t n = strlen(target);
    while (n > 1 && target[n - 1] == '/') n--;
    char *t = strndup(target, n);
    if (!t) {
        err_set(e, EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    const char *last = path_basename(t);
    if (!*last || !strcmp(last, ".") || !strcmp(last, "..")) {
        err_set(e, EXIT_INPUT, "%s: name the output directory itself (not '.', '..' or '/')", target);
        free(t);
        return NULL;
    }
    return t;
}

/* Target exists: it must be a directory that holds results. A link to a
 * directory is followed (the directory it names is replaced). */
static int check_existing(struct resultset *rd, struct err *e)
{
    struct stat st;
    if (lstat(rd->target, &st) != 0) return 0;
    if (S_ISLNK(st.st_mode)) {
        char *real = realpath(rd->target, NULL);
        if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
            free(real);
            return err_set(e, EXIT_RUNTIME, "%s: is a link, not a directory of results", rd->target);
        }
        free(rd->target);
        rd->target = real;
        return check_existing(rd, e);
    }
    if (!S_ISDIR(st.st_mode))
        return err_set(e, EXIT_RUNTIME, "%s: exists and is not a directory", rd->target);
    if (!looks_like_results(rd->target))
        return err_set(e, EXIT_RUNTIME, "%s: holds files but no flowsim results (no summary.json, "
                       "comparison.json, sweep.json, optimise.json, calibration.json or sensitivity.json); flowsim "
                       "replaces its "
                       "output directory as a whole, so choose a new or empty one", rd->target);
    return 0;
}

int resultset_begin(struct resultset *rd, const char *target, struct err *e)
{
    memset(rd, 0, sizeof *rd);
    rd->lock_fd = -1;
    char *parent = NULL, *base = NULL;
    if (!(rd->target = clean_target(target, e))) goto fail;
    if (check_existing(rd, e) != 0) goto fail;
    if (split(rd->target, &parent, &base) != 0) goto oom;
    if (afile_mkdirs_made(parent, &rd->made, e) != 0) goto fail;
    if (!(rd->lock_path = str_printf("%s%s.lock", rd->target, NULL))) goto oom;
    if (take_lock(rd, e) != 0) goto fail;
    clear_leftovers(rd, parent, base);
    if (check_existing(rd, e) != 0) goto fail;      /* again: it may have come back */
    if (!(rd->work = str_printf("%s/.%s.new-XXXXXX", parent, base))) goto oom;
    if (!mkdtemp(rd->work) || chmod(rd->work, 0755) != 0) {
        err_set(e, EXIT_RUNTIME, "cannot create a directory beside %s: %s", rd->target,
                strerror(errno));
        free(rd->work);
        rd->work = NULL;
        goto fail;
    }
    free(parent);
    free(base);
    return 0;
oom:
    err_set(e, EXIT_RUNTIME, "out of memory");
fail:
    free(parent);
    free(base);
    resultset_abort(rd);
    return -1;
}

/* Puts work at target when target exists, without a moment with neither:
 * an atomic exchange where the file system has one, else two renames
 * (a crash between them is mended by the next run's clear_leftovers). On
 * success *old names where the old set now is. */
static int swap_in(const struct resultset *rd, char **old)
{
    *old = NULL;
    if (renameat2(AT_FDCWD, rd->work, AT_FDCWD, rd->target, RENAME_EXCHANGE) == 0) {
        *old = strdup(rd->work);
        return *old ? 0 : ENOMEM;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return errno;
    char *parent = NULL, *base = NULL;
    int rc = split(rd->target, &parent, &base) ? ENOMEM : 0;
    char *trash = rc ? NULL : str_printf("%s/.%s.old-XXXXXX", parent, base);
    if (!rc && !trash) rc = ENOMEM;
    if (!rc && !mkdtemp(trash)) rc = errno;        /* reserves a name: rename onto it */
    if (!rc && rename(rd->target, trash) != 0) rc = errno;
    if (!rc && rename(rd->work, rd->target) != 0) {
        rc = errno;
        rename(trash, rd->target);                 /* put the old set back */
    }
    if (rc && trash) rmdir(trash);
    free(parent);
    free(base);
    if (rc) free(trash);
    else *old = trash;
    return rc;
}

int resultset_commit(struct resultset *rd, struct err *e)
{
    if (!rd->work) {
        resultset_abort(rd);
        return err_set(e, EXIT_RUNTIME, "no result set is being written");
    }
    struct stat st;
    char *old = NULL;
    int rc = 0;
    if (lstat(rd->target, &st) == 0) rc = swap_in(rd, &old);
    else if (rename(rd->work, rd->target) != 0) rc = errno;
    if (rc) {
        err_set(e, EXIT_RUNTIME, "cannot put the results in place at %s: %s", rd->target,
                strerror(rc));
        resultset_abort(rd);
        return -1;
    }
    /* Make the swap durable, as afile does for a file. */
    char *parent = NULL, *base = NULL;
    if (split(rd->target, &parent, &base) == 0) {
        int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
    free(parent);
    free(base);
    remove_tree(old);
    free(old);
    free(rd->made);                     /* the parents now hold results: keep them */
    rd->made = NULL;
    release(rd);
    return 0;
}

void resultset_abort(struct resultset *rd)
{
    if (!rd->target && !rd->work && !rd->lock_path && !rd->made) {
        rd->lock_fd = -1;
        return;
    }
    remove_tree(rd->work);
    if (rd->lock_fd >= 0) {
        unlink(rd->lock_path);
        close(rd->lock_fd);
        rd->lock_fd = -1;
    }
    /* Parents this run created, from the target's parent up to the
     * topmost: each is empty now unless someone else wrote there. */
    if (rd->made && rd->target) {
        char *p = strdup(rd->target);
        size_t made_len = strlen(rd->made);
        for (char *slash; p && (slash = strrchr(p, '/')) && slash != p;) {
            *slash = '\0';
            if (strlen(p) < made_len || rmdir(p) != 0) break;
        }
        free(p);
    }
    release(rd);
}

void resultset_safe_name(const char *name, char *out, size_t n)
{
    if (n == 0) return;
    size_t cap = n - 1 < 100 ? n - 1 : 100, k = 0;
    for (const unsigned char *s = (const unsigned char *)name; *s && k < cap; s++) {
        unsigned char c = *s;
        bool ok = c >= 0x20 && c != 0x7f && !strchr("/\\`$\"'", c);
        if (k == 0 && c == '.') ok = false;          /* no hidden entries, no ".." */
        out[k++] = ok ? (char)c : '_';
    }
    /* Do not end inside a UTF-8 sequence: drop continuation bytes and
     * their lead byte when the cut fell inside them. */
    if (name[k] && (unsigned char)name[k] >= 0x80 && ((unsigned char)name[k] & 0xC0) == 0x80) {
        while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80) k--;
        if (k > 0 && (unsigned char)out[k - 1] >= 0xC0) k--;
    }
    out[k] = '\0';
    if (k == 0) snprintf(out, n, "scenario");
}

bool resultset_name_is_safe(const char *s)
{
    char buf[128];
    if (!s || strlen(s) >= sizeof buf) return false;
    resultset_safe_name(s, buf, sizeof buf);
    return strcmp(buf, s) == 0;
}
