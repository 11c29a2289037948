/* pathname.c: directory and last name of a path (see pathname.h). */
#include "base/pathname.h"

#include <stdlib.h>
#include <string.h>

char *path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);   /* "/x" -> "/" */
    return strndup(path, n);
}

const char *path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}
