/* answer.h: what a comparison answers first, in plain sentences: per
 * alternative, the saving against its target budget, the year from which
 * the budget holds, the change in waits in days for the rings where it is
 * largest, how many fewer citizens each offer holds, and the outward flow.
 * The sentences are plain text (the report escapes them); their numbers
 * come from comparison.json and each scenario's summary.json. */
#ifndef FLOWSIM_ANSWER_H
#define FLOWSIM_ANSWER_H

#include "base/sbuf.h"
#include "io/resultsdir.h"
#include "present/i18n.h"

#define ANSWER_MAX_LINES 6
#define ANSWER_MAX_CARDS 4

struct answer {
    int n_lines;
    struct sbuf line[ANSWER_MAX_LINES];    /* sentences, plain text */
    int n_cards;
    struct { char value[96], label[160]; } card[ANSWER_MAX_CARDS];
};

/* The answer for alternative `alt` (1 .. m->n_scen - 1) of comparison m. */
void answer_build(const struct results_cmp *m, int alt, enum lang l, struct answer *a);
void answer_free(struct answer *a);

/* A scenario's display name in language l: title_da (Danish), title, else
 * name; its description: description_da (Danish), else description. */
const char *answer_title(const struct results_run *r, const char *name, enum lang l);
const char *answer_description(const struct results_run *r, enum lang l);

/* "(2012 prices)" / "(2012-priser)" for a money heading, or "" when the
 * price basis is not known. */
const char *answer_prices(const struct results_run *r, enum lang l, char *buf, size_t n);

#endif
