/* dataset.c: allocation and slicing of in-memory image sets. */
#include "data/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

dataset *dataset_alloc(const char *name, int n, int c, int h, int w, int n_factors)
{
    CHECK(n > 0 && c > 0 && h > 0 && w > 0, "dataset %s: bad shape %dx%dx%dx%d", name, n, c, h, w);
    CHECK(n_factors >= 0 && n_factors <= DATASET_MAX_FACTORS,
          "dataset %s: %d factors (at most %d)", name, n_factors, DATASET_MAX_FACTORS);
    dataset *d = xcalloc(1, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    d->n = n, d->c = c, d->h = h, d->w = w;
    d->images = xalloc_floats((size_t)n * c * h * w);
    d->n_factors = n_factors;
    if (n_factors > 0) {
        d->factor_index = xcalloc((size_t)n * n_factors, sizeof *d->factor_index);
        d->factor_value = xcalloc((size_t)n * n_factors, sizeof *d->factor_value);
    }
    return d;
}

void dataset_free(dataset *d)
{
    if (!d) return;
    free(d->images);
    free(d->factor_index);
    free(d->factor_value);
    free(d);
}

dataset *dataset_slice(const dataset *d, int first, int count)
{
    CHECK(first >= 0 && count > 0 && first + count <= d->n,
          "dataset %s: slice [%d, %d) outside its %d images", d->name, first, first + count, d->n);
    dataset *s = dataset_alloc(d->name, count, d->c, d->h, d->w, d->n_factors);
    size_t img = (size_t)d->c * d->h * d->w, f = (size_t)d->n_factors;
    memcpy(s->images, d->images + first * img, count * img * sizeof(float));
    memcpy(s->factor_names, d->factor_names, sizeof d->factor_names);
    memcpy(s->factor_levels, d->factor_levels, sizeof d->factor_levels);
    if (f) {
        memcpy(s->factor_index, d->factor_index + first * f, count * f * sizeof(int));
        memcpy(s->factor_value, d->factor_value + first * f, count * f * sizeof(float));
    }
    return s;
}
