/* vec_avx512.h: the vector vocabulary of kernels/simd/ on AVX-512F: 16 floats per vector.
 * A tail is an opmask; masked loads and stores never touch memory outside it. exp, log and
 * tanh are SLEEF's vector functions (1.0-ULP). Include before a simd/ body. */
#ifndef KERNELS_VEC_AVX512_H
#define KERNELS_VEC_AVX512_H

#include <immintrin.h>
#include <sleef.h>
#include <stddef.h>

#define VEC_LANES 16
#define VEC_FN(name) name##_avx512 /* the ISA's name of a kernel */
#define VEC_TAIL_FILL 1            /* vec_load_tail_or exists: a tail can read a fill value */

typedef __m512 vec_f;
typedef __mmask16 vec_mask;
typedef __mmask16 vec_tail;

/* Lanes [0, n) of a 16-lane vector (n may exceed 16). */
static inline __mmask16 tail_mask16(size_t n)
{
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1u);
}

static inline vec_tail vec_tail_of(size_t left) { return tail_mask16(left); }

static inline vec_f vec_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vec_store(float *p, vec_f v) { _mm512_storeu_ps(p, v); }
/* The tail's lanes of p (zeros above). */
static inline vec_f vec_load_tail(const float *p, vec_tail t) { return _mm512_maskz_loadu_ps(t, p); }
/* The tail's lanes of p, `fill` above. */
static inline vec_f vec_load_tail_or(const float *p, vec_tail t, float fill)
{
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), t, p);
}
static inline void vec_store_tail(float *p, vec_f v, vec_tail t) { _mm512_mask_storeu_ps(p, t, v); }
/* v with the lanes past the tail set to zero. */
static inline vec_f vec_keep(vec_f v, vec_tail t) { return _mm512_maskz_mov_ps(t, v); }

static inline vec_f vec_zero(void) { return _mm512_setzero_ps(); }
static inline vec_f vec_set1(float x) { return _mm512_set1_ps(x); }
static inline vec_f vec_add(vec_f a, vec_f b) { return _mm512_add_ps(a, b); }
static inline vec_f vec_sub(vec_f a, vec_f b) { return _mm512_sub_ps(a, b); }
static inline vec_f vec_mul(vec_f a, vec_f b) { return _mm512_mul_ps(a, b); }
static inline vec_f vec_div(vec_f a, vec_f b) { return _mm512_div_ps(a, b); }
static inline vec_f vec_sqrt(vec_f a) { return _mm512_sqrt_ps(a); }
static inline vec_f vec_neg(vec_f a) { return _mm512_sub_ps(_mm512_setzero_ps(), a); } /* 0 - a */
/* a * b + c and c - a * b, each rounded once. */
static inline vec_f vec_fmadd(vec_f a, vec_f b, vec_f c) { return _mm512_fmadd_ps(a, b, c); }
static inline vec_f vec_fnmadd(vec_f a, vec_f b, vec_f c) { return _mm512_fnmadd_ps(a, b, c); }
static inline vec_f vec_max(vec_f a, vec_f b) { return _mm512_max_ps(a, b); }
/* a > 0 ? a : 0 (NaN -> 0). */
static inline vec_f vec_max0(vec_f a) { return _mm512_max_ps(a, _mm512_setzero_ps()); }
/* a - b, zero past the tail (a masked subtract costs nothing here). */
static inline vec_f vec_sub_tailz(vec_f a, vec_f b, vec_tail t) { return _mm512_maskz_sub_ps(t, a, b); }

static inline vec_mask vec_gt(vec_f a, vec_f b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
/* a where m, else b. */
static inline vec_f vec_select(vec_mask m, vec_f a, vec_f b) { return _mm512_mask_blend_ps(m, b, a); }
/* a where m, else 0. */
static inline vec_f vec_keep_if(vec_mask m, vec_f a) { return _mm512_maskz_mov_ps(m, a); }

/* Sum and maximum of the lanes, in a fixed order. */
static inline float vec_hsum(vec_f v) { return _mm512_reduce_add_ps(v); }
static inline float vec_hmax(vec_f v) { return _mm512_reduce_max_ps(v); }

static inline vec_f vec_exp(vec_f a) { return Sleef_expf16_u10avx512f(a); }
static inline vec_f vec_log(vec_f a) { return Sleef_logf16_u10avx512f(a); }
static inline vec_f vec_tanh(vec_f a) { return Sleef_tanhf16_u10avx512f(a); }

#endif
