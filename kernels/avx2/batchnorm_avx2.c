/* batchnorm_avx2.c: the batch norm of simd/batchnorm_simd.h on AVX2+FMA. */
#include "vec_avx2.h"

/* Channels are split over threads from this many floats (64K: the MNIST trunk's (128,128,49)
 * batch norm took 3.2 ms forward per iteration serial, 1.3 ms on two threads). */
#define PAR_MIN_FLOATS ((size_t)1 << 16)

#include "simd/batchnorm_simd.h"
