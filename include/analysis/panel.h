/* panel.h: reads an RBS panel (docs/calibration.md) for `flowsim calibrate`. A CSV file
 * with a header line; one row per measurement of one citizen. The columns
 * are named by the scenario: `id`, `t` (years since the scenario's start) or
 * `date` (ISO; used when there is no `t`), one column per flow (ring ids or
 * `none`), one per dimension (levels 0..4), `age` and `female` (0/1).
 * Unknown columns are ignored; rows may come in any order.
 *
 * The reader takes the whole file into memory and parses it by hand: RFC
 * 4180 quoting ("" inside quotes; quoted fields may hold commas and line
 * breaks), CRLF or LF line ends, a UTF-8 byte-order mark, blank lines. Bytes
 * are data: a NUL byte or a field longer than PANEL_FIELD_MAX in a column the
 * reader uses is an error, never undefined behaviour. Every malformed row is
 * an input error "file:line: column: problem" (line of the row's first byte),
 * or, with skip_bad_rows, is left out and counted.
 *
 * Invariant of a read panel: obs[] sorted by (citizen, t); the measurements
 * of citizen c are obs[cit_start[c] .. cit_start[c+1]-1], strictly
 * increasing in t. */
#ifndef FLOWSIM_PANEL_H
#define FLOWSIM_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/model.h"

#define PANEL_FIELD_MAX 256        /* bytes of a used field, after unquoting */
#define PANEL_MAX_COLUMNS 4096     /* header fields */
#define PANEL_BAD_SHOWN 5          /* skipped rows whose message is kept */
#define PANEL_MISSING 255          /* state/level/female not in the file */

#define PANEL_MAP_MAX 256          /* entries of a ring-name map */
#define PANEL_MAP_NAME 64          /* bytes of a name in it, with the NUL */

/* Ring names as an export writes them -> the scenario's state ids
 * (`--map FILE`: CSV lines `from,to`). */
struct panel_map {
    int n;
    char from[PANEL_MAP_MAX][PANEL_MAP_NAME], to[PANEL_MAP_MAX][PANEL_MAP_NAME];
};

struct panel_opts {
    bool skip_bad_rows;            /* skip and count malformed rows */
    const char *id_column;         /* the citizen column; NULL: "id" */
    const struct panel_map *map;   /* applied to flow columns; NULL: none */
    /* Columns that must exist (covariates asked for). Level, age and female
     * columns that are not needed are not read at all. */
    bool need_level[MODEL_MAX_DIMS];
    bool need_age, need_female;
};

struct panel_obs {                 /* one measurement: 48 bytes */
    double t;                      /* years since the scenario's start */
    double age;                    /* NaN when there is no age column */
    uint32_t cit;                  /* citizen index, 0 .. n_cit-1 */
    uint32_t line;                 /* row's line in the file (saturates) */
    uint8_t state[MODEL_MAX_FLOWS];/* state index, or PANEL_MISSING */
    uint8_t level[MODEL_MAX_DIMS]; /* 0..4, or PANEL_MISSING */
    uint8_t female;                /* 0/1, or PANEL_MISSING */
};

struct panel {
    int n_flows, n_dims;           /* as in the model */
    bool has_flow[MODEL_MAX_FLOWS], has_level[MODEL_MAX_DIMS];
    bool has_age, has_female, time_from_date;
    size_t n_obs;                  /* rows kept */
    struct panel_obs *obs;         /* owned; sorted, see above */
    size_t n_cit;
    size_t *cit_start;             /* owned; n_cit + 1 entries */
    char *id_pool;                 /* owned; citizen ids, NUL-separated */
    size_t *id_off;                /* owned; id of citizen c at id_pool + id_off[c] */
    size_t n_rows_read;            /* data rows seen (blank lines excluded) */
    size_t n_bad;                  /* rows skipped (skip_bad_rows) */
    int n_bad_shown;
    char bad_msg[PANEL_BAD_SHOWN][320];
};

/* Reads the panel file at path against model m. Returns 0 with p filled
 * (free with panel_fini), or -1 with e set: EXIT_INPUT for a bad file or
 * row (p is then empty), EXIT_RUNTIME when the file cannot be read or
 * memory runs out. With skip_bad_rows, a bad header is still an error, and
 * so is a file with no usable row. */
int panel_read(const char *path, const struct model *m, const struct panel_opts *o,
               struct panel *p, struct err *e);

/* The same over bytes in memory (buf need not be NUL-terminated; may hold
 * any bytes). name is the file name used in messages. */
int panel_parse(const char *name, const char *buf, size_t len, const struct model *m,
                const struct panel_opts *o, struct panel *p, struct err *e);

void panel_fini(struct panel *p);

/* Reads a ring-name map: one `from,to` per line (a first line `from,to` is
 * a header; blank lines and lines starting with '#' are skipped); `to` must
 * be a state id of a flow of m (or `none`), `from` unique. 0, or -1 with e
 * set ("file:line: map: problem", EXIT_INPUT; EXIT_RUNTIME when the file
 * cannot be read). */
int panel_map_read(const char *path, const struct model *m, struct panel_map *map, struct err *e);  /* safe on a zeroed or finished panel */

/* Writes bytes s[0..n) for a one-line message into out: printable ASCII as
 * is, other bytes (and '\\') as \\xHH, cut after 40 bytes with "...". */
void panel_escape(const char *s, size_t n, char *out, size_t outn);

/* Citizen c's id as written in the file (may hold any bytes but NUL). */
const char *panel_citizen_id(const struct panel *p, size_t c);

#endif
