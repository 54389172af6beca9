/* parse.c: whole-string, range-checked numbers. */
#include "base/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "base/util.h"

bool parse_long_try(const char *what, const char *v, long lo, long hi, long *out, char *err, size_t err_len)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    bool digits = (v[0] >= '0' && v[0] <= '9') || (v[0] == '-' && v[1] >= '0' && v[1] <= '9');
    if (!digits || *end || errno == ERANGE || x < lo || x > hi) {
        set_err(err, err_len, "%s: '%s' is not an integer in %ld..%ld", what, v, lo, hi);
        return false;
    }
    *out = x;
    return true;
}

bool parse_u64_try(const char *what, const char *v, uint64_t *out, char *err, size_t err_len)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || errno == ERANGE) {
        set_err(err, err_len, "%s: '%s' is not an integer in 0..2^64-1", what, v);
        return false;
    }
    *out = x;
    return true;
}

bool parse_float_try(const char *what, const char *v, double lo, double hi, float *out, char *err,
                     size_t err_len)
{
    char *end;
    double d = strtod(v, &end);
    if (!*v || isspace((unsigned char)v[0]) || *end || !(d >= lo && d <= hi)) {
        set_err(err, err_len, "%s: '%s' is not a number in [%g, %g]", what, v, lo, hi);
        return false;
    }
    *out = (float)d;
    return true;
}

long parse_long(const char *what, const char *v, long lo, long hi)
{
    char err[256];
    long x = 0;
    if (!parse_long_try(what, v, lo, hi, &x, err, sizeof err)) die("%s", err);
    return x;
}

uint64_t parse_u64(const char *what, const char *v)
{
    char err[256];
    uint64_t x = 0;
    if (!parse_u64_try(what, v, &x, err, sizeof err)) die("%s", err);
    return x;
}

float parse_float(const char *what, const char *v, double lo, double hi)
{
    char err[256];
    float x = 0.0f;
    if (!parse_float_try(what, v, lo, hi, &x, err, sizeof err)) die("%s", err);
    return x;
}
