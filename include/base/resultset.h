/* resultset.h: a result set (the directory of a run, comparison, sweep or
 * calibration) is replaced as a whole. Everything is written into a fresh
 * private directory beside the target; resultset_commit() swaps it in
 * (renameat2 RENAME_EXCHANGE, else two renames) and removes the old set.
 * At every moment the target is the complete old set or the complete new
 * one, whatever fails (a full disk, a blocked name, a signal, a crash), and
 * no file of the old set survives beside the new one.
 *
 * Two runs on one target: the first holds "<target>.lock" (flock) until it
 * commits or aborts; the second is refused at once with one line.
 *
 * An existing target is replaced only when it looks like a result set
 * (empty, or holding summary.json, comparison.json, sweep.json,
 * optimise.json, calibration.json or sensitivity.json): `-o ~` must never delete a home
 * directory.
 *
 * Usage:
 *   struct resultset rd;
 *   if (resultset_begin(&rd, "output/x", &e) != 0) fail;
 *   write into rd.work ...;
 *   if (failed or interrupted) resultset_abort(&rd);
 *   else if (resultset_commit(&rd, &e) != 0) fail;   (commit releases rd)
 */
#ifndef FLOWSIM_RESULTSET_H
#define FLOWSIM_RESULTSET_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct resultset {
    char *target;     /* the directory the new set replaces */
    char *work;       /* write here: a fresh directory beside target */
    char *lock_path;  /* target + ".lock" */
    char *made;       /* topmost parent this run created, removed on abort */
    int lock_fd;      /* -1 when not held */
};

/* Creates target's parents, takes the lock, clears what a killed earlier
 * run left behind, and creates rd->work. 0, or -1 with e set and nothing
 * left behind: EXIT_INPUT for a target named ".", ".." or "/", else
 * EXIT_RUNTIME (not a directory of results, locked by another run, or
 * refused by the file system). */
int resultset_begin(struct resultset *rd, const char *target, struct err *e);

/* Swaps rd->work in as target, removes the old set and the lock. Always
 * releases rd; on failure the old set is still in place and the new one
 * is removed. 0, or -1 with e set. Block signals around it (interrupt.h)
 * so a Ctrl-C cannot land between the swap and the clean-up. */
int resultset_commit(struct resultset *rd, struct err *e);

/* Gives up: removes rd->work and every parent this run created, releases
 * the lock and rd. Safe on a zeroed or released struct. */
void resultset_abort(struct resultset *rd);

/* A scenario name as one safe directory entry: control characters, '/',
 * '\', quotes, '`' and '$' become '_', so does a leading '.' (no hidden
 * entry, no ".."); empty becomes "scenario"; cut at n-1 bytes (at most
 * 100) on a UTF-8 character boundary. Ordinary names ("Budget -5 %",
 * "Bolig æ") stay as they are. */
void resultset_safe_name(const char *name, char *out, size_t n);
/* True when s is what resultset_safe_name makes of itself: a directory
 * entry that cannot climb out of its directory or hide. */
bool resultset_name_is_safe(const char *s);

#endif
