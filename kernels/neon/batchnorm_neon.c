/* batchnorm_neon.c: the batch norm of simd/batchnorm_simd.h on NEON. */
#include "vec_neon.h"

/* Channels are split over threads from this many floats (about a millisecond of work). */
#define PAR_MIN_FLOATS ((size_t)1 << 22)

#include "simd/batchnorm_simd.h"
