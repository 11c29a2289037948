/* numtext.c: numbers with either decimal mark (base/numtext.h). */
#include "base/numtext.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

char *numtext(char *buf, size_t n, double v, int decimals, char mark, char group)
{
    if (n == 0) return buf;
    if (!isfinite(v)) {
        snprintf(buf, n, "-");
        return buf;
    }
    if (decimals < 0) decimals = 0;
    if (decimals > 9) decimals = 9;
    char digits[400];                               /* |v| < 1e308: fits */
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
    bool neg = v < 0 && strpbrk(digits, "123456789") != NULL;    /* "-0.0" reads as noise */
    const char *dot = strchr(digits, '.');
    size_t int_len = dot ? (size_t)(dot - digits) : strlen(digits);
    char out[512];
    size_t o = 0;
    if (neg) out[o++] = '-';
    for (size_t i = 0; i < int_len; i++) {
        if (group && i > 0 && (int_len - i) % 3 == 0) out[o++] = group;
        out[o++] = digits[i];
    }
    if (dot) {
        out[o++] = mark;
        for (const char *p = dot + 1; *p; p++) out[o++] = *p;
    }
    out[o] = '\0';
    snprintf(buf, n, "%s", out);
    return buf;
}

char *numtext_g(char *buf, size_t n, double v, char mark)
{
    if (n == 0) return buf;
    snprintf(buf, n, "%g", v);
    char *dot = strchr(buf, '.');                   /* %g in the C locale: at most one */
    if (dot) *dot = mark;
    return buf;
}
