/* afile.c: atomic output files. The data goes to "<final>.tmp.XXXXXX" in the
 * final file's own directory (rename is atomic only within one filesystem);
 * commit makes it durable and renames it into place, as Redis's rdbSave
 * does. Invariant: while a->f is open, a->tmp_path names a file we created
 * and must either rename or unlink. */
#include "base/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/pathname.h"

static const char TMP_SUFFIX[] = ".tmp.XXXXXX";

/* Frees the strings and zeroes a; unlinks the temporary file if asked. */
static void afile_release(struct afile *a, int unlink_tmp)
{
    if (a->f) fclose(a->f);
    if (unlink_tmp && a->tmp_path) unlink(a->tmp_path);
    free(a->tmp_path);
    free(a->final_path);
    a->f = NULL;
    a->tmp_path = NULL;
    a->final_path = NULL;
}

int afile_open(struct afile *a, const char *final_path, struct err *e)
{
    a->f = NULL;
    a->tmp_path = NULL;
    a->final_path = strdup(final_path);
    size_t n = strlen(final_path);
    a->tmp_path = malloc(n + sizeof TMP_SUFFIX);
    if (!a->final_path || !a->tmp_path) {
        afile_release(a, 0);
        return err_set(e, EXIT_RUNTIME, "cannot create %s: out of memory",
                       final_path);
    }
    memcpy(a->tmp_path, final_path, n);
    memcpy(a->tmp_path + n, TMP_SUFFIX, sizeof TMP_SUFFIX);

    int fd = mkstemp(a->tmp_path);
    if (fd < 0) {
        int saved = errno;
        afile_release(a, 0);           /* nothing was created */
        return err_set(e, EXIT_RUNTIME, "cannot create %s: %s", final_path,
                       strerror(saved));
    }
    /* mkstemp makes the file 0600; outputs should read like any file.
     * Honouring the umask would mean umask() calls, which change
     * process-wide state under other threads, so use a plain 0644. */
    if (fchmod(fd, 0644) != 0 || !(a->f = fdopen(fd, "w"))) {
        int saved = errno;
        close(fd);
        afile_release(a, 1);
        return err_set(e, EXIT_RUNTIME, "cannot create %s: %s", final_path,
                       strerror(saved));
    }
    return 0;
}

/* Makes the rename durable. Like Redis's fsyncFileDir, a directory we may
 * not open, or a filesystem that cannot fsync one, is not an error: the
 * data itself is already on disk. */
static int fsync_parent_dir(const char *path)
{
    char *dir = path_dirname(path);
    if (!dir) return ENOMEM;
    int rc = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        if (fsync(fd) != 0 && errno != EINVAL && errno != EBADF
            && errno != ENOTSUP)
            rc = errno;
        close(fd);
    }
    free(dir);
    return rc;
}

int afile_commit(struct afile *a, struct err *e)
{
    if (!a->f) {
        afile_release(a, 1);
        return err_set(e, EXIT_RUNTIME, "output file was not open");
    }
    int saved = 0;
    errno = 0;
    if (fflush(a->f) != 0) {
        saved = errno ? errno : EIO;
    } else if (ferror(a->f)) {
        saved = EIO;                   /* an earlier write failed; its errno is gone */
    } else if (fsync(fileno(a->f)) != 0) {
        saved = errno;
    }
    /* fclose releases the stream even when it fails. */
    int closed = fclose(a->f);
    a->f = NULL;
    if (!saved && closed != 0) saved = errno;
    if (!saved && rename(a->tmp_path, a->final_path) != 0) saved = errno;
    if (saved) {
        err_set(e, EXIT_RUNTIME, "cannot write %s: %s", a->final_path,
                strerror(saved));
        afile_release(a, 1);
        return -1;
    }
    /* Renamed: the temporary name is gone, so do not unlink it. */
    int rc = fsync_parent_dir(a->final_path);
    if (rc) {
        err_set(e, EXIT_RUNTIME, "cannot sync the directory of %s: %s",
                a->final_path, strerror(rc));
        afile_release(a, 0);
        return -1;
    }
    afile_release(a, 0);
    return 0;
}

void afile_abort(struct afile *a)
{
    afile_release(a, 1);
}

/* mkdir that accepts an existing directory, whatever errno mkdir gave
 * (some systems report EACCES or EROFS for an existing one). */
static int mkdir_one(const char *path, const char *whole, struct err *e)
{
    if (mkdir(path, 0755) == 0) return 0;
    int saved = errno;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        return err_set(e, EXIT_RUNTIME,
                       "cannot create directory %s: %s is not a directory",
                       whole, path);
    }
    return err_set(e, EXIT_RUNTIME, "cannot create directory %s: %s", whole,
                   strerror(saved));
}

/* Creates path unless it exists; records it in *made (when asked and not
 * yet set) if this call created it. */
static int mkdir_noting(const char *path, const char *whole, char **made, struct err *e)
{
    struct stat st;
    bool existed = stat(path, &st) == 0;
    if (mkdir_one(path, whole, e) != 0) return -1;
    if (!existed && made && !*made && !(*made = strdup(path)))
        return err_set(e, EXIT_RUNTIME, "cannot create directory %s: out of memory", whole);
    return 0;
}

int afile_mkdirs_made(const char *dir, char **made, struct err *e)
{
    if (made) *made = NULL;
    if (!dir || !*dir)
        return err_set(e, EXIT_RUNTIME, "cannot create directory '': empty path");
    char *p = strdup(dir);
    if (!p)
        return err_set(e, EXIT_RUNTIME, "cannot create directory %s: out of memory",
                       dir);
    int rc = 0;
    /* Each prefix ending before a '/', then the whole path; skip the root
     * and runs of slashes ("a//b", "a/b/"). */
    for (char *s = p + 1; *s && rc == 0; s++) {
        if (*s != '/' || s[-1] == '/') continue;
        *s = '\0';
        rc = mkdir_noting(p, dir, made, e);
        *s = '/';
    }
    if (rc == 0) rc = mkdir_noting(p, dir, made, e);
    free(p);
    return rc;
}

int afile_mkdirs(const char *dir, struct err *e)
{
    return afile_mkdirs_made(dir, NULL, e);
}
