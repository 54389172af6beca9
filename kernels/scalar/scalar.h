/* scalar.h: the scalar reference kernels (every table slot starts with one of these). */
#ifndef KERNELS_SCALAR_H
#define KERNELS_SCALAR_H

#include "kernels.h"

void sgemm_scalar(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

#endif
