/* batchnorm_avx512.c: the batch norm of simd/batchnorm_simd.h on AVX-512F. */
#include "vec_avx512.h"

/* The threshold of batchnorm_avx2.c, which says why. */
#define PAR_MIN_FLOATS ((size_t)1 << 16)

#include "simd/batchnorm_simd.h"
