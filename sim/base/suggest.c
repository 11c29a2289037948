/* suggest.c: did-you-mean by edit distance. */
#include "base/suggest.h"

#include <string.h>

#include "base/sbuf.h"

#define MAX_NAME 63
#define MAX_EDITS 2

int suggest_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > MAX_NAME || nb > MAX_NAME) return 99;
    /* Three rows of the dynamic programme: i-2, i-1 and i. */
    int d[3][MAX_NAME + 1];
    for (size_t j = 0; j <= nb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        int *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];
        cur[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
    }
    return d[na % 3][nb];
}

const char *suggest_nearest(const char *word, const char *const *cand, int n, char *buf,
                            size_t size)
{
    int best = MAX_EDITS + 1;
    for (int i = 0; i < n; i++) {
        if (!cand[i]) continue;
        int d = suggest_distance(word, cand[i]);
        if (d < best && d < (int)strlen(word)) best = d;
    }
    buf[0] = '\0';
    if (best > MAX_EDITS) return buf;
    /* Every candidate at that distance, in the order given. */
    const char *pick[8];
    int n_pick = 0;
    for (int i = 0; i < n && n_pick < 8; i++) {
        if (!cand[i] || suggest_distance(word, cand[i]) != best) continue;
        int seen = 0;
        for (int k = 0; k < n_pick && !seen; k++) seen = strcmp(pick[k], cand[i]) == 0;
        if (!seen) pick[n_pick++] = cand[i];
    }
    size_t len = 0;
    for (int k = 0; k < n_pick; k++) {
        const char *sep = k == 0 ? " (did you mean '" : k == n_pick - 1 ? "' or '" : "', '";
        sbuf_fmt(buf + len, size - len, "%s%s", sep, pick[k]);
        len = strlen(buf);
    }
    sbuf_fmt(buf + len, size - len, "'?)");
    return buf;
}
