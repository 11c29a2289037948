/* pathname.h: the directory and last name of a path, as text (no file is
 * looked at). Unlike POSIX dirname/basename these never change their
 * argument and keep a trailing slash's meaning simple: the split is at the
 * last '/'. */
#ifndef FLOWSIM_PATHNAME_H
#define FLOWSIM_PATHNAME_H

/* The directory part of path: "a/b/c" -> "a/b", "/c" -> "/", "c" -> ".".
 * A new string (free it), or NULL when out of memory. */
char *path_dirname(const char *path);

/* The last name of path, a pointer into it: "a/b/c" -> "c", "c" -> "c",
 * "a/" -> "". */
const char *path_basename(const char *path);

#endif
