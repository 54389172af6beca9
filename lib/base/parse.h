/* parse.h: the one number parser for flags and run files: the whole string must be a number
 * in the stated range ("100abc", "", "4294967396" for an int are refused); the message names
 * `what` (a flag such as "--iterations", or "file:line"). */
#ifndef BASE_PARSE_H
#define BASE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool parse_long_try(const char *what, const char *v, long lo, long hi, long *out, char *err, size_t err_len);
bool parse_u64_try(const char *what, const char *v, uint64_t *out, char *err, size_t err_len);
bool parse_float_try(const char *what, const char *v, double lo, double hi, float *out, char *err,
                     size_t err_len);
/* The same, dying with the message. */
long parse_long(const char *what, const char *v, long lo, long hi);
uint64_t parse_u64(const char *what, const char *v);
float parse_float(const char *what, const char *v, double lo, double hi);

#endif
