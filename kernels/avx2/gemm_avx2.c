/* gemm_avx2.c: AVX2+FMA SGEMM microkernel, 6 rows x 16 columns (12 ymm accumulators),
 * on the blocked framework of gemm.c. */
#include <immintrin.h>

#include "gemm.h"
#include "gemm_pack_x86.h"

/* c[0..16) = alpha * (x0, x1), plus beta * c unless beta_zero (then c is not read). */
static inline void store_row(float *c, __m256 x0, __m256 x1, __m256 valpha, __m256 vbeta,
                             bool beta_zero)
{
    x0 = _mm256_mul_ps(valpha, x0);
    x1 = _mm256_mul_ps(valpha, x1);
    if (!beta_zero) {
        x0 = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(c), x0);
        x1 = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(c + 8), x1);
    }
    _mm256_storeu_ps(c, x0);
    _mm256_storeu_ps(c + 8, x1);
}

/* c (rows,16) = alpha * a (kc,6 packed; rows used) x b (kc,16 packed) [+ beta * c], for a
 * compile-time `rows`. Per k: two vector loads of b, `rows` broadcasts of a, 2 * rows
 * independent FMAs; 6 rows use 12 + 2 + 1 of the 16 ymm registers. */
static inline __attribute__((always_inline)) void tile_rows_x16(size_t kc, const int rows,
                                                                const float *a, const float *b,
                                                                float *c, size_t ldc,
                                                                float alpha, float beta)
{
    __m256 acc0[6], acc1[6];
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) { /* c's lines arrive while the k loop runs */
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 16 - 1), _MM_HINT_T0);
    }
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) acc0[i] = acc1[i] = _mm256_setzero_ps();
    for (size_t p = 0; p < kc; p++) {
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            __m256 ai = _mm256_broadcast_ss(a + i);
            acc0[i] = _mm256_fmadd_ps(ai, b0, acc0[i]);
            acc1[i] = _mm256_fmadd_ps(ai, b1, acc1[i]);
        }
        a += 6;
        b += 16;
    }
    __m256 valpha = _mm256_set1_ps(alpha), vbeta = _mm256_set1_ps(beta);
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) store_row(c + i * ldc, acc0[i], acc1[i], valpha, vbeta, beta == 0.0f);
}

/* The 6x16 microkernel; a last row panel with fewer rows runs only those rows. */
static void f32_gemm_6x16__avx2(size_t kc, int rows, const float *a, const float *b, float *c,
                                size_t ldc, float alpha, float beta)
{
    switch (rows) {
    case 6: tile_rows_x16(kc, 6, a, b, c, ldc, alpha, beta); break;
    case 5: tile_rows_x16(kc, 5, a, b, c, ldc, alpha, beta); break;
    case 4: tile_rows_x16(kc, 4, a, b, c, ldc, alpha, beta); break;
    case 3: tile_rows_x16(kc, 3, a, b, c, ldc, alpha, beta); break;
    case 2: tile_rows_x16(kc, 2, a, b, c, ldc, alpha, beta); break;
    default: tile_rows_x16(kc, 1, a, b, c, ldc, alpha, beta); break;
    }
}

const gemm_config sgemm_config_avx2 = {
    .name = "f32_gemm_6x16__avx2", .mr = 6, .nr = 16,
    .mc = 6 * 24, .kc = 256, .nc = 1024,
    .pack_transposed = pack_transposed_avx,
    .ukernel = f32_gemm_6x16__avx2,
};

void sgemm_avx2(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    gemm_blocked(&sgemm_config_avx2, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

GEMM_PACKED_B_ISA(avx2, sgemm_config_avx2)
