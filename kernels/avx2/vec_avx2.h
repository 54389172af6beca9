/* vec_avx2.h: the vector vocabulary of kernels/simd/ on AVX2+FMA: 8 floats per vector.
 * Tails go through maskload/maskstore, which never touch memory past the last lane asked for.
 * exp, log and tanh are SLEEF's vector functions (1.0-ULP). Include before a simd/ body. */
#ifndef KERNELS_VEC_AVX2_H
#define KERNELS_VEC_AVX2_H

#include <immintrin.h>
#include <sleef.h>
#include <stddef.h>
#include <stdint.h>

#define VEC_LANES 8
#define VEC_FN(name) name##_avx2 /* the ISA's name of a kernel */
#define VEC_TAIL_FILL 0          /* no masked load with a fill value (see vec_avx512.h) */

typedef __m256 vec_f;
typedef __m256 vec_mask; /* all-ones lanes where true */
typedef size_t vec_tail; /* lanes left (may exceed 8): lanes [0, min(left, 8)) are in */

static inline vec_tail vec_tail_of(size_t left) { return left; }

/* All-ones in lanes [0, n) (n may exceed 8), as an integer mask for maskload/maskstore. */
static inline __m256i tail_mask8(size_t n)
{
    static const int32_t bits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(bits + 8 - (n < 8 ? n : 8)));
}

static inline vec_f vec_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vec_store(float *p, vec_f v) { _mm256_storeu_ps(p, v); }

/* The tail's lanes of p (zeros above). */
static inline vec_f vec_load_tail(const float *p, vec_tail t)
{
    return t >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, tail_mask8(t));
}

static inline void vec_store_tail(float *p, vec_f v, vec_tail t)
{
    if (t >= 8) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, tail_mask8(t), v);
}

/* v with the lanes past the tail set to zero. */
static inline vec_f vec_keep(vec_f v, vec_tail t)
{
    return t >= 8 ? v : _mm256_and_ps(v, _mm256_castsi256_ps(tail_mask8(t)));
}

static inline vec_f vec_zero(void) { return _mm256_setzero_ps(); }
static inline vec_f vec_set1(float x) { return _mm256_set1_ps(x); }
static inline vec_f vec_add(vec_f a, vec_f b) { return _mm256_add_ps(a, b); }
static inline vec_f vec_sub(vec_f a, vec_f b) { return _mm256_sub_ps(a, b); }
static inline vec_f vec_mul(vec_f a, vec_f b) { return _mm256_mul_ps(a, b); }
static inline vec_f vec_div(vec_f a, vec_f b) { return _mm256_div_ps(a, b); }
static inline vec_f vec_sqrt(vec_f a) { return _mm256_sqrt_ps(a); }
static inline vec_f vec_neg(vec_f a) { return _mm256_sub_ps(_mm256_setzero_ps(), a); } /* 0 - a */
/* a * b + c and c - a * b, each rounded once. */
static inline vec_f vec_fmadd(vec_f a, vec_f b, vec_f c) { return _mm256_fmadd_ps(a, b, c); }
static inline vec_f vec_fnmadd(vec_f a, vec_f b, vec_f c) { return _mm256_fnmadd_ps(a, b, c); }
static inline vec_f vec_max(vec_f a, vec_f b) { return _mm256_max_ps(a, b); }
/* a > 0 ? a : 0 (NaN -> 0). */
static inline vec_f vec_max0(vec_f a) { return _mm256_max_ps(a, _mm256_setzero_ps()); }
/* a - b; past the tail too (AVX-512 zeroes those lanes): for lanes that meet a zero factor. */
static inline vec_f vec_sub_tailz(vec_f a, vec_f b, vec_tail t)
{
    (void)t;
    return _mm256_sub_ps(a, b);
}

static inline vec_mask vec_gt(vec_f a, vec_f b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
/* a where m, else b. */
static inline vec_f vec_select(vec_mask m, vec_f a, vec_f b) { return _mm256_blendv_ps(b, a, m); }
/* a where m, else 0. */
static inline vec_f vec_keep_if(vec_mask m, vec_f a) { return _mm256_and_ps(m, a); }

/* Sum and maximum of the lanes, in a fixed order. */
static inline float vec_hsum(vec_f v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float vec_hmax(vec_f v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline vec_f vec_exp(vec_f a) { return Sleef_expf8_u10avx2(a); }
static inline vec_f vec_log(vec_f a) { return Sleef_logf8_u10avx2(a); }
static inline vec_f vec_tanh(vec_f a) { return Sleef_tanhf8_u10avx2(a); }

#endif
