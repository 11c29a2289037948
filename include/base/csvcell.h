/* csvcell.h: the one writer of text cells in flowsim's CSV files. A name
 * from a scenario (a scenario, flow, ring or dimension name) must neither
 * add columns or rows (RFC 4180 quoting) nor become a spreadsheet formula
 * when the file is opened in Excel or LibreOffice (OWASP's "CSV
 * injection"): a text cell that starts with = + - @, a tab or a CR gets a
 * leading ' and is quoted. Numbers never pass through here: -3 stays a
 * number. */
#ifndef FLOWSIM_CSVCELL_H
#define FLOWSIM_CSVCELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/sbuf.h"

/* True when s must be written quoted (and perhaps with a leading '). */
bool csv_cell_needs_quoting(const char *s);
/* Writes s (NULL: empty) as one CSV text cell. */
void csv_cell(FILE *f, const char *s);
/* The same into a text buffer. */
void csv_cell_sbuf(struct sbuf *b, const char *s);

#endif
