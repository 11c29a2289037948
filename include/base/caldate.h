/* caldate.h: proleptic Gregorian dates as day numbers (days since
 * 1970-01-01), so time t in years maps to a date by start + t * 365.25. */
#ifndef FLOWSIM_CALDATE_H
#define FLOWSIM_CALDATE_H

#include <stdbool.h>
#include <stdint.h>

int32_t caldate_days_from_civil(int y, int m, int d);
void caldate_civil_from_days(int32_t z, int *y, int *m, int *d);

/* Parses "YYYY-MM-DD" (exactly that form, a real date). */
bool caldate_parse(const char *s, int32_t *days);

/* Writes "YYYY-MM-DD" into buf (at least 11 bytes). */
void caldate_format(int32_t days, char *buf);

#endif
