/* ops_avx2.h: helpers and the AVX2+FMA kernels shared between the files of this folder. */
#ifndef KERNELS_OPS_AVX2_H
#define KERNELS_OPS_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#include "kernels.h"

/* All-ones in lanes [0, n) (n may exceed 8), as an integer mask for maskload/maskstore. */
static inline __m256i tail_mask8(size_t n)
{
    static const int32_t bits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(bits + 8 - (n < 8 ? n : 8)));
}

/* Loads min(n, 8) floats (zeros above); masked loads never touch memory past p[n-1]. */
static inline __m256 load8(const float *p, size_t n)
{
    return n >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, tail_mask8(n));
}

/* Stores lanes [0, min(n, 8)) of v. */
static inline void store8(float *p, __m256 v, size_t n)
{
    if (n >= 8) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, tail_mask8(n), v);
}

/* v with lanes [n, 8) set to zero. */
static inline __m256 keep8(__m256 v, size_t n)
{
    return n >= 8 ? v : _mm256_and_ps(v, _mm256_castsi256_ps(tail_mask8(n)));
}

/* Sum and maximum of the 8 lanes, in a fixed order. */
static inline float hsum8(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float hmax8(__m256 v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#define VEC_FN(name) name##_avx2 /* the AVX2+FMA name of a kernel */
#include "simd/simd_kernels.h"

#endif
