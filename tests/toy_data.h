/* toy_data.h: a tiny labelled image set for training tests. */
#ifndef TOY_DATA_H
#define TOY_DATA_H

#include "data/dataset.h"
#include "base/rng.h"

/* n 8x8 images: class i % 10 is a 3x3 bright block at one of ten places, plus faint noise. */
static inline dataset *toy_data(int n)
{
    dataset *d = dataset_alloc("toy", n, 1, 8, 8, 1);
    rng r = rng_make(99, 1, 0);
    for (int i = 0; i < n; i++) {
        int k = i % 10, y0 = (k / 5) * 4 + (k % 2), x0 = (k % 5) + (k / 5);
        float *img = d->images + (size_t)i * 64;
        for (int p = 0; p < 64; p++) img[p] = 0.1f * rng_uniform(&r);
        for (int y = y0; y < y0 + 3; y++)
            for (int x = x0; x < x0 + 3; x++) img[y * 8 + x] = 0.9f;
        d->factor_index[i] = k;
    }
    return d;
}

#endif
