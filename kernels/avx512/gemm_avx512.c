/* gemm_avx512.c: AVX-512F SGEMM microkernel, 14 rows x 32 columns (28 zmm accumulators),
 * on the blocked framework of gemm.c. */
#include <immintrin.h>

#include "gemm.h"
#include "gemm_pack_x86.h"

/* c[0..32) = alpha * (x0, x1), plus beta * c unless beta_zero (then c is not read). */
static inline void store_row(float *c, __m512 x0, __m512 x1, __m512 valpha, __m512 vbeta,
                             bool beta_zero)
{
    x0 = _mm512_mul_ps(valpha, x0);
    x1 = _mm512_mul_ps(valpha, x1);
    if (!beta_zero) {
        x0 = _mm512_fmadd_ps(vbeta, _mm512_loadu_ps(c), x0);
        x1 = _mm512_fmadd_ps(vbeta, _mm512_loadu_ps(c + 16), x1);
    }
    _mm512_storeu_ps(c, x0);
    _mm512_storeu_ps(c + 16, x1);
}

/* c (rows,32) = alpha * a (kc,14 packed; rows used) x b (kc,32 packed) [+ beta * c], for a
 * compile-time `rows` (the accumulator arrays then live in registers). Per k: two vector
 * loads of b, `rows` broadcasts of a, 2 * rows independent FMAs (Zen 5: 2 FMA pipes x 4
 * cycles latency need >= 8 in flight; 14 rows give 28). */
static inline __attribute__((always_inline)) void tile_rows_x32(size_t kc, const int rows,
                                                                const float *a, const float *b,
                                                                float *c, size_t ldc,
                                                                float alpha, float beta)
{
    __m512 acc0[14], acc1[14];
#pragma GCC unroll 14
    for (int i = 0; i < rows; i++) { /* c's lines arrive while the k loop runs */
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 32 - 1), _MM_HINT_T0);
    }
#pragma GCC unroll 14
    for (int i = 0; i < rows; i++) acc0[i] = acc1[i] = _mm512_setzero_ps();
    for (size_t p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 14
        for (int i = 0; i < rows; i++) {
            __m512 ai = _mm512_set1_ps(a[i]);
            acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
            acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
        }
        a += 14;
        b += 32;
    }
    __m512 valpha = _mm512_set1_ps(alpha), vbeta = _mm512_set1_ps(beta);
#pragma GCC unroll 14
    for (int i = 0; i < rows; i++) store_row(c + i * ldc, acc0[i], acc1[i], valpha, vbeta, beta == 0.0f);
}

/* The 14x32 microkernel; a last row panel with fewer rows runs only those rows. */
static void f32_gemm_14x32__avx512(size_t kc, int rows, const float *a, const float *b, float *c,
                                   size_t ldc, float alpha, float beta)
{
    switch (rows) {
    case 14: tile_rows_x32(kc, 14, a, b, c, ldc, alpha, beta); break;
    case 13: tile_rows_x32(kc, 13, a, b, c, ldc, alpha, beta); break;
    case 12: tile_rows_x32(kc, 12, a, b, c, ldc, alpha, beta); break;
    case 11: tile_rows_x32(kc, 11, a, b, c, ldc, alpha, beta); break;
    case 10: tile_rows_x32(kc, 10, a, b, c, ldc, alpha, beta); break;
    case 9: tile_rows_x32(kc, 9, a, b, c, ldc, alpha, beta); break;
    case 8: tile_rows_x32(kc, 8, a, b, c, ldc, alpha, beta); break;
    case 7: tile_rows_x32(kc, 7, a, b, c, ldc, alpha, beta); break;
    case 6: tile_rows_x32(kc, 6, a, b, c, ldc, alpha, beta); break;
    case 5: tile_rows_x32(kc, 5, a, b, c, ldc, alpha, beta); break;
    case 4: tile_rows_x32(kc, 4, a, b, c, ldc, alpha, beta); break;
    case 3: tile_rows_x32(kc, 3, a, b, c, ldc, alpha, beta); break;
    case 2: tile_rows_x32(kc, 2, a, b, c, ldc, alpha, beta); break;
    default: tile_rows_x32(kc, 1, a, b, c, ldc, alpha, beta); break;
    }
}

const gemm_config sgemm_config_avx512 = {
    .name = "f32_gemm_14x32__avx512", .mr = 14, .nr = 32,
    .mc = 14 * 12, .kc = 512, .nc = 1024,
    .pack_transposed = pack_transposed_avx,
    .ukernel = f32_gemm_14x32__avx512,
};

void sgemm_avx512(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    gemm_blocked(&sgemm_config_avx512, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void kern_fill_gemm_avx512(kern_table *t)
{
    t->sgemm = sgemm_avx512;
}
