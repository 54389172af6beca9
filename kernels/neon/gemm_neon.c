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

/* c (rows,12) = alpha * a (kc,8 packed; rows used) x b (kc,12 packed) [+ beta * c], for a
 * compile-time `rows`. Per k: three vector loads of b, two of a, 3 * rows lane-indexed FMAs;
 * 8 rows use 24 + 3 + 2 of the 32 q registers. */
static inline __attribute__((always_inline)) void tile_rows_x12(size_t kc, const int rows,
                                                                const float *a, const float *b,
                                                                float *c, size_t ldc,
                                                                float alpha, float beta)
{
    float32x4_t acc0[8], acc1[8], acc2[8];
#pragma GCC unroll 8
    for (int i = 0; i < rows; i++) acc0[i] = acc1[i] = acc2[i] = vdupq_n_f32(0.0f);
    for (size_t p = 0; p < kc; p++) {
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
        float32x4_t a03 = vld1q_f32(a), a47 = vld1q_f32(a + 4);
#pragma GCC unroll 8
        for (int i = 0; i < rows; i++) {
            /* lane i % 4 of a03 or a47 (vfmaq_laneq_f32 needs a constant lane) */
            float32x4_t ai = i < 4 ? a03 : a47;
            switch (i % 4) {
            case 0:
                acc0[i] = vfmaq_laneq_f32(acc0[i], b0, ai, 0);
                acc1[i] = vfmaq_laneq_f32(acc1[i], b1, ai, 0);
                acc2[i] = vfmaq_laneq_f32(acc2[i], b2, ai, 0);
                break;
            case 1:
                acc0[i] = vfmaq_laneq_f32(acc0[i], b0, ai, 1);
                acc1[i] = vfmaq_laneq_f32(acc1[i], b1, ai, 1);
                acc2[i] = vfmaq_laneq_f32(acc2[i], b2, ai, 1);
                break;
            case 2:
                acc0[i] = vfmaq_laneq_f32(acc0[i], b0, ai, 2);
                acc1[i] = vfmaq_laneq_f32(acc1[i], b1, ai, 2);
                acc2[i] = vfmaq_laneq_f32(acc2[i], b2, ai, 2);
                break;
            default:
                acc0[i] = vfmaq_laneq_f32(acc0[i], b0, ai, 3);
                acc1[i] = vfmaq_laneq_f32(acc1[i], b1, ai, 3);
                acc2[i] = vfmaq_laneq_f32(acc2[i], b2, ai, 3);
                break;
            }
        }
        a += 8;
        b += 12;
    }
#pragma GCC unroll 8
    for (int i = 0; i < rows; i++)
        store_row(c + i * ldc, acc0[i], acc1[i], acc2[i], alpha, beta, beta == 0.0f);
}

/* The 8x12 microkernel; a last row panel with fewer rows runs only those rows. */
static void f32_gemm_8x12__neon(size_t kc, int rows, const float *a, const float *b, float *c,
                                size_t ldc, float alpha, float beta)
{
    switch (rows) {
    case 8: tile_rows_x12(kc, 8, a, b, c, ldc, alpha, beta); break;
    case 7: tile_rows_x12(kc, 7, a, b, c, ldc, alpha, beta); break;
    case 6: tile_rows_x12(kc, 6, a, b, c, ldc, alpha, beta); break;
    case 5: tile_rows_x12(kc, 5, a, b, c, ldc, alpha, beta); break;
    case 4: tile_rows_x12(kc, 4, a, b, c, ldc, alpha, beta); break;
    case 3: tile_rows_x12(kc, 3, a, b, c, ldc, alpha, beta); break;
    case 2: tile_rows_x12(kc, 2, a, b, c, ldc, alpha, beta); break;
    default: tile_rows_x12(kc, 1, a, b, c, ldc, alpha, beta); break;
    }
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

GEMM_PACKED_B_ISA(neon, sgemm_config_neon)
