/* i18n.h: the words and number formats of plots and reports, in English and
 * Danish. Pure functions over constant tables: safe from any thread.
 *
 * Numbers: English groups thousands with ',' and uses '.' for decimals
 * (1,234,567.8); Danish groups with '.' and uses ',' (1.234.567,8), and
 * writes money as "1.234.568 kr.". Scenario texts (ring names, laws) are
 * never translated: they appear as the scenario writes them. */
#ifndef FLOWSIM_I18N_H
#define FLOWSIM_I18N_H

#include <stdbool.h>
#include <stddef.h>

enum lang { LANG_EN, LANG_DA };

/* "da" gives LANG_DA; anything else (NULL, "en", unknown) LANG_EN. */
enum lang i18n_lang(const char *code);
const char *i18n_code(enum lang l);           /* "en" or "da" */

/* v with `decimals` decimals and grouped thousands, into buf (always
 * terminated). NaN and infinities give "–". -0 after rounding gives "0".
 * Returns buf. */
char *i18n_num(char *buf, size_t n, double v, int decimals, enum lang l);

/* Money, whole kroner: "DKK 1,234,568" / "1.234.568 kr.". */
char *i18n_dkk(char *buf, size_t n, double v, enum lang l);

/* Money in millions with `decimals` decimals: "DKK 391.9 million" /
 * "391,9 mio. kr.". */
char *i18n_mdkk(char *buf, size_t n, double v, int decimals, enum lang l);

/* A share 0..1 as a percentage: "43.7%" / "43,7 %". */
char *i18n_pct(char *buf, size_t n, double share, int decimals, enum lang l);

/* A KPI value v in its unit's format ("share" as per cent, money in
 * millions from 1e6 up): ref (the mean) picks scale and decimals so that a
 * mean and its CI read alike; a whole count shows no decimals from 10 up
 * (or when whole), one below. with_unit appends the unit. Returns buf. */
char *i18n_value(char *buf, size_t n, double v, double ref, const char *unit, bool whole, enum lang l,
                 bool with_unit);
/* The unit of a column of values formatted by i18n_value(.., false) with
 * reference ref: "%", "mio. kr.", "days", ... */
const char *i18n_unit_col(double ref, const char *unit, enum lang l);

/* Decimals that show v to about 3-4 significant figures (0 from 1000 up). */
int i18n_auto_decimals(double v);

/* Fixed texts of plots and reports, by key ("year", "occupancy_axis", ...).
 * Unknown keys come back as the key itself, so a missing translation shows
 * up in the output instead of crashing. */
const char *i18n_text(const char *key, enum lang l);

/* A function dimension's name ("physical" -> "fysisk"); unknown ids as is. */
const char *i18n_dimension(const char *id, enum lang l);

/* Entry i of the fixed texts (for tests that look for untranslated
 * words): false past the last. */
bool i18n_text_entry(int i, const char **key, const char **en, const char **da);

/* A KPI's readable label from its key in summary.json ("occupancy_mean" ->
 * "Occupancy (mean)"); unknown keys come back unchanged. */
const char *i18n_kpi(const char *key, enum lang l);

/* A unit as summary.json writes it ("DKK/year", "citizens", ...) in words;
 * unknown units unchanged. */
const char *i18n_unit(const char *unit, enum lang l);

#endif
