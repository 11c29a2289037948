/* numtext.h: numbers written for people with either decimal mark, without
 * the C library's locale (global state, which flowsim never sets): the one
 * formatter behind the report's and plots' numbers (present/i18n) and the
 * terminal tables of compare (analysis), which sit in different layers. */
#ifndef FLOWSIM_NUMTEXT_H
#define FLOWSIM_NUMTEXT_H

#include <stddef.h>

/* v with `decimals` decimals (0 to 9), `mark` as the decimal mark and
 * `group` between groups of three digits ('\0': not grouped), into buf
 * (always terminated): numtext(.., 1234.56, 1, ',', '.') is "1.234,6". A
 * value that rounds to zero has no minus sign; a value that is not finite
 * gives "-". Returns buf. */
char *numtext(char *buf, size_t n, double v, int decimals, char mark, char group);

/* v as printf's %g writes it, with `mark` as the decimal mark ("4,5").
 * Returns buf. */
char *numtext_g(char *buf, size_t n, double v, char mark);

#endif
