/* ops_avx512.h: the AVX-512F kernels shared between the files of this folder. */
#ifndef KERNELS_OPS_AVX512_H
#define KERNELS_OPS_AVX512_H

#include <immintrin.h>

#include "kernels.h"

/* Lanes [0, n) of a 16-lane vector (n may exceed 16). Tails use masked loads and stores,
 * which never touch memory outside the mask. */
static inline __mmask16 tail_mask16(size_t n)
{
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1u);
}

#define VEC_FN(name) name##_avx512 /* the AVX-512F name of a kernel */
#include "simd/simd_kernels.h"

#endif
