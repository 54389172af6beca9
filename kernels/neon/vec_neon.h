/* vec_neon.h: the vector vocabulary of kernels/simd/ on NEON (AArch64 Advanced SIMD): 4 floats
 * per vector. NEON has no masked loads: a partial vector goes through a small scratch buffer,
 * so no load or store ever touches memory past the buffer's end. exp, log and tanh are
 * SLEEF's vector functions (1.0-ULP). Include before a simd/ body. */
#ifndef KERNELS_VEC_NEON_H
#define KERNELS_VEC_NEON_H

#include <arm_neon.h>
#include <sleef.h>
#include <stddef.h>
#include <stdint.h>

#define VEC_LANES 4
#define VEC_FN(name) name##_neon /* the ISA's name of a kernel */
#define VEC_TAIL_FILL 0          /* no masked load with a fill value (see vec_avx512.h) */

typedef float32x4_t vec_f;
typedef uint32x4_t vec_mask; /* all-ones lanes where true */
typedef size_t vec_tail;     /* lanes left (may exceed 4): lanes [0, min(left, 4)) are in */

static inline vec_tail vec_tail_of(size_t left) { return left; }

static inline vec_f vec_load(const float *p) { return vld1q_f32(p); }
static inline void vec_store(float *p, vec_f v) { vst1q_f32(p, v); }

/* The tail's lanes of p (zeros above). */
static inline vec_f vec_load_tail(const float *p, vec_tail t)
{
    if (t >= 4) return vld1q_f32(p);
    float buf[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (size_t i = 0; i < t; i++) buf[i] = p[i];
    return vld1q_f32(buf);
}

static inline void vec_store_tail(float *p, vec_f v, vec_tail t)
{
    if (t >= 4) {
        vst1q_f32(p, v);
        return;
    }
    float buf[4];
    vst1q_f32(buf, v);
    for (size_t i = 0; i < t; i++) p[i] = buf[i];
}

/* v with the lanes past the tail set to zero. */
static inline vec_f vec_keep(vec_f v, vec_tail t)
{
    if (t >= 4) return v;
    static const uint32_t bits[8] = {~0u, ~0u, ~0u, ~0u, 0, 0, 0, 0};
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), vld1q_u32(bits + 4 - t)));
}

static inline vec_f vec_zero(void) { return vdupq_n_f32(0.0f); }
static inline vec_f vec_set1(float x) { return vdupq_n_f32(x); }
static inline vec_f vec_add(vec_f a, vec_f b) { return vaddq_f32(a, b); }
static inline vec_f vec_sub(vec_f a, vec_f b) { return vsubq_f32(a, b); }
static inline vec_f vec_mul(vec_f a, vec_f b) { return vmulq_f32(a, b); }
static inline vec_f vec_div(vec_f a, vec_f b) { return vdivq_f32(a, b); }
static inline vec_f vec_sqrt(vec_f a) { return vsqrtq_f32(a); }
static inline vec_f vec_neg(vec_f a) { return vnegq_f32(a); } /* -a */
/* a * b + c and c - a * b, each rounded once. */
static inline vec_f vec_fmadd(vec_f a, vec_f b, vec_f c) { return vfmaq_f32(c, a, b); }
static inline vec_f vec_fnmadd(vec_f a, vec_f b, vec_f c) { return vfmsq_f32(c, a, b); }
static inline vec_f vec_max(vec_f a, vec_f b) { return vmaxq_f32(a, b); } /* NaN propagates */
/* a > 0 ? a : 0 (NaN -> 0). */
static inline vec_f vec_max0(vec_f a)
{
    return vbslq_f32(vcgtq_f32(a, vdupq_n_f32(0.0f)), a, vdupq_n_f32(0.0f));
}
/* a - b; past the tail too (AVX-512 zeroes those lanes): for lanes that meet a zero factor. */
static inline vec_f vec_sub_tailz(vec_f a, vec_f b, vec_tail t)
{
    (void)t;
    return vsubq_f32(a, b);
}

static inline vec_mask vec_gt(vec_f a, vec_f b) { return vcgtq_f32(a, b); }
/* a where m, else b. */
static inline vec_f vec_select(vec_mask m, vec_f a, vec_f b) { return vbslq_f32(m, a, b); }
/* a where m, else 0. */
static inline vec_f vec_keep_if(vec_mask m, vec_f a) { return vbslq_f32(m, a, vdupq_n_f32(0.0f)); }

/* Sum and maximum of the lanes, in a fixed order. */
static inline float vec_hsum(vec_f v) { return vaddvq_f32(v); }
static inline float vec_hmax(vec_f v) { return vmaxvq_f32(v); }

static inline vec_f vec_exp(vec_f a) { return Sleef_expf4_u10advsimd(a); }
static inline vec_f vec_log(vec_f a) { return Sleef_logf4_u10advsimd(a); }
static inline vec_f vec_tanh(vec_f a) { return Sleef_tanhf4_u10advsimd(a); }

#endif
