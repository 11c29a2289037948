/* afile.h: every output file goes through here. afile_open() creates a
 * temporary file (mkstemp) beside the final name; afile_commit() flushes,
 * fsyncs and renames it into place, so a failed or interrupted run never
 * leaves a half-written file under a final name. */
#ifndef FLOWSIM_AFILE_H
#define FLOWSIM_AFILE_H

#include <stdio.h>

#include "base/err.h"

struct afile {
    FILE *f;                   /* write here */
    char *tmp_path;            /* owned */
    char *final_path;          /* owned */
};

/* Creates the temporary file for final_path (its directory must exist).
 * Returns 0, or -1 with e set (EXIT_RUNTIME) and nothing created. */
int afile_open(struct afile *a, const char *final_path, struct err *e);
/* Checks every write, fsyncs, renames into place, then fsyncs the directory.
 * On any failure removes the temporary file and returns -1 with e set.
 * Always releases a. */
int afile_commit(struct afile *a, struct err *e);
/* Gives up: closes and removes the temporary file, releases a. Safe on a
 * zeroed or already released struct. */
void afile_abort(struct afile *a);

/* Creates dir and its parents (like mkdir -p). Returns 0, or -1 with e set. */
int afile_mkdirs(const char *dir, struct err *e);
/* The same, and *made is the topmost directory this call created
 * (malloc'd), or NULL when all existed: what to remove if the caller's
 * work fails. Even on failure, *made names what was created. */
int afile_mkdirs_made(const char *dir, char **made, struct err *e);

#endif
