/* gemm_neon.c: NEON SGEMM microkernel, 8 rows x 12 columns (24 q-register accumulators),
 * on the blocked framework of gemm.c. */
#include <arm_neon.h>

#include "gemm.h"

/* c[0..12) = alpha * (x0, x1, x2), plus beta * c unless beta_zero (then c is not read). */
static inline void store_row(float *c, float32x4_t x0, float32x4_t x1, float32x4_t x2,
                             float alpha, float beta, bool beta_zero)
{
    x0 = vmulq_n_f32(x0, alpha);
    x1 = vmulq_n_f32(x1, alpha);
    x2 = vmulq_n_f32(x2, alpha);
    if (!beta_zero) {
        float32x4_t vbeta = vdupq_n_f32(beta);
        x0 = vfmaq_f32(x0, vbeta, vld1q_f32(c));
        x1 = vfmaq_f32(x1, vbeta, vld1q_f32(c + 4));
        x2 = vfmaq_f32(x2, vbeta, vld1q_f32(c + 8));
    }
    vst1q_f32(c, x0);
    vst1q_f32(c + 4, x1);
    vst1q_f32(c + 8, x2);
}

/* c (8,12) = alpha * a (kc,8 packed) x b (kc,12 packed) [+ beta * c]. Per k: three vector
 * loads of b, two of a, 24 lane-indexed FMAs; 24 + 3 + 2 of the 32 q registers. */
static void f32_gemm_8x12__neon(size_t kc, const float *a, const float *b, float *c,
                                size_t ldc, float alpha, float beta)
{
#define ROW_ZERO(i) float32x4_t c##i##0 = vdupq_n_f32(0.0f), c##i##1 = c##i##0, c##i##2 = c##i##0;
#define ROW_FMA(i, av, lane)                                                               \
    {                                                                                      \
        c##i##0 = vfmaq_laneq_f32(c##i##0, b0, av, lane);                                  \
        c##i##1 = vfmaq_laneq_f32(c##i##1, b1, av, lane);                                  \
        c##i##2 = vfmaq_laneq_f32(c##i##2, b2, av, lane);                                  \
    }
#define ROW_STORE(i) store_row(c + (i) * ldc, c##i##0, c##i##1, c##i##2, alpha, beta, beta == 0.0f);
    ROW_ZERO(0) ROW_ZERO(1) ROW_ZERO(2) ROW_ZERO(3) ROW_ZERO(4) ROW_ZERO(5) ROW_ZERO(6) ROW_ZERO(7)
    for (size_t p = 0; p < kc; p++) {
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
        float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
        ROW_FMA(0, a0, 0) ROW_FMA(1, a0, 1) ROW_FMA(2, a0, 2) ROW_FMA(3, a0, 3)
        ROW_FMA(4, a1, 0) ROW_FMA(5, a1, 1) ROW_FMA(6, a1, 2) ROW_FMA(7, a1, 3)
        a += 8;
        b += 12;
    }
    ROW_STORE(0) ROW_STORE(1) ROW_STORE(2) ROW_STORE(3) ROW_STORE(4) ROW_STORE(5) ROW_STORE(6) ROW_STORE(7)
#undef ROW_ZERO
#undef ROW_FMA
#undef ROW_STORE
}

const gemm_config sgemm_config_neon = {
    .name = "f32_gemm_8x12__neon", .mr = 8, .nr = 12,
    .mc = 8 * 16, .kc = 256, .nc = 12 * 64,
    .ukernel = f32_gemm_8x12__neon,
};

void sgemm_neon(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    gemm_blocked(&sgemm_config_neon, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void kern_fill_gemm_neon(kern_table *t)
{
    t->sgemm = sgemm_neon;
}
