/* suggest.h: the did-you-mean of every "unknown name" message. */
#ifndef FLOWSIM_SUGGEST_H
#define FLOWSIM_SUGGEST_H

#include <stddef.h>

/* Edit distance between a and b where inserting, deleting or changing a
 * letter, or swapping two neighbours, is one edit (optimal string
 * alignment), so "sel170" is one edit from "sel107". Names longer than 63
 * bytes are 99 apart. */
int suggest_distance(const char *a, const char *b);

/* Writes into buf " (did you mean 'x'?)" naming the candidate nearest to
 * word, or " (did you mean 'x' or 'y'?)" ... when several are equally near;
 * only candidates within two edits, and fewer edits than word has letters.
 * Writes "" when none is that near. NULL candidates are skipped; a name
 * listed twice is named once. Returns buf. */
const char *suggest_nearest(const char *word, const char *const *cand, int n, char *buf,
                            size_t size);

#endif
