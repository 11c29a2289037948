/* caldate.c: civil-date arithmetic after H. Hinnant's days_from_civil. */
#include "base/caldate.h"

#include <stdio.h>
#include <string.h>

int32_t caldate_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void caldate_civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool caldate_parse(const char *s, int32_t *days)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    if (!is_digits(s, 4) || !is_digits(s + 5, 2) || !is_digits(s + 8, 2))
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > 31) return false;
    /* A real date: it must survive the round trip (rejects 2013-02-29). */
    int32_t z = caldate_days_from_civil(y, m, d);
    int y2, m2, d2;
    caldate_civil_from_days(z, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d) return false;
    *days = z;
    return true;
}

void caldate_format(int32_t days, char *buf)
{
    int y, m, d;
    caldate_civil_from_days(days, &y, &m, &d);
    /* Years outside 0..9999 cannot occur for validated scenarios; clamp so
     * the text always fits its 11 bytes. */
    unsigned yy = (unsigned)(y < 0 ? 0 : y > 9999 ? 9999 : y);
    snprintf(buf, 11, "%04u-%02u-%02u", yy % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}
