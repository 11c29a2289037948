/* csvcell.h: CSV cells: the one writer of text cells in flowsim's CSV
 * files, and the one field splitter that reads them (and panels) back. A name
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

/* ---- reading (RFC 4180) ---- */

enum csv_status { CSV_OK, CSV_UNTERMINATED, CSV_AFTER_QUOTE };

struct csv_field {
    const char *s;      /* an unquoted field: into the buffer; a quoted one: out */
    size_t n;           /* its length; a quoted field longer than out_cap: out_cap */
    bool quoted;
};

/* Reads the field at b[*pos] of b[0..len) (any bytes, no NUL needed).
 * Blanks around a field and a CR before a line end are dropped; a quoted
 * field may hold commas, line ends and doubled quotes, and is unquoted
 * into out (its first out_cap bytes; out NULL: only measured; out may lie
 * at or before the field in b, which is then unquoted in place). Leaves
 * *pos after the field's ',' or line end; *more is true after a ','.
 * *lines counts the line ends passed. CSV_UNTERMINATED: a quote that
 * never closes (*pos = len, f holds what was read); CSV_AFTER_QUOTE: text after a
 * closing quote (skipped up to the next ',' or line end). */
enum csv_status csv_field(const char *b, size_t len, size_t *pos, char *out, size_t out_cap,
                          struct csv_field *f, bool *more, size_t *lines);

/* Reads the record at text[*pos] of the NUL-terminated text[0..len),
 * changing it in place: each field unquoted and NUL-terminated, the first
 * max in field[]. Returns how many it stored (at most max), or -1 at the
 * end of the text. A quote left open ends the record at the end. */
int csv_record(char *text, size_t len, size_t *pos, char **field, int max);

#endif
