/* ops_neon.h: helpers and the NEON (AArch64 Advanced SIMD) kernels shared between the
 * files of this folder. NEON has no masked loads: a partial vector goes through a small
 * scratch buffer, so no load or store ever touches memory past the buffer's end. */
#ifndef KERNELS_OPS_NEON_H
#define KERNELS_OPS_NEON_H

#include <arm_neon.h>

#include "kernels.h"

/* Loads min(n, 4) floats (zeros above). */
static inline float32x4_t load4(const float *p, size_t n)
{
    if (n >= 4) return vld1q_f32(p);
    float buf[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (size_t i = 0; i < n; i++) buf[i] = p[i];
    return vld1q_f32(buf);
}

/* Stores lanes [0, min(n, 4)) of v. */
static inline void store4(float *p, float32x4_t v, size_t n)
{
    if (n >= 4) {
        vst1q_f32(p, v);
        return;
    }
    float buf[4];
    vst1q_f32(buf, v);
    for (size_t i = 0; i < n; i++) p[i] = buf[i];
}

/* v with lanes [n, 4) set to zero. */
static inline float32x4_t keep4(float32x4_t v, size_t n)
{
    if (n >= 4) return v;
    static const uint32_t bits[8] = {~0u, ~0u, ~0u, ~0u, 0, 0, 0, 0};
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), vld1q_u32(bits + 4 - n)));
}

#define VEC_FN(name) name##_neon /* the NEON name of a kernel */
#include "simd/simd_kernels.h"

#endif
