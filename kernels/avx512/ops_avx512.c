/* ops_avx512.c: the activations, softmax, bias and Adam of simd/ops_simd.h on AVX-512F. */
#include "vec_avx512.h"

/* The thresholds of ops_avx2.c, which says why (measured on both ISAs). */
#define PAR_MIN_FLOATS ((size_t)1 << 17)
#define PAR_MIN_FLOATS_EXP ((size_t)1 << 15)
#define PAR_MIN_FLOATS_ADAM ((size_t)1 << 20)

#include "simd/ops_simd.h"
