/* gemm_avx512.c: AVX-512F SGEMM microkernel, 14 rows x 32 columns (28 zmm accumulators),
 * on the blocked framework of gemm.c. */
#include <immintrin.h>

#include "gemm.h"
#include "gemm_pack_x86.h"

/* c[0..16) = alpha * x, plus beta * c unless beta_zero (then c is not read). */
static inline void store16(float *c, __m512 x, __m512 valpha, __m512 vbeta, bool beta_zero)
{
    x = _mm512_mul_ps(valpha, x);
    if (!beta_zero) x = _mm512_fmadd_ps(vbeta, _mm512_loadu_ps(c), x);
    _mm512_storeu_ps(c, x);
}

/* c (rows, 16 * halves) = alpha * a (kc,14 packed; rows used) x the first 16 * halves
 * columns of b (kc,32 packed) [+ beta * c], for compile-time `rows` and `halves` (the
 * accumulator arrays then live in registers). Per k: `halves` vector loads of b, `rows`
 * broadcasts of a, halves * rows independent FMAs (Zen 5: 2 FMA pipes x 4 cycles latency
 * need >= 8 in flight; 14 rows give 28, or 14 for the narrow edge tile). */
static inline __attribute__((always_inline)) void tile_rows(size_t kc, const int rows,
                                                            const int halves, const float *a,
                                                            const float *b, float *c,
                                                            size_t ldc, float alpha, float beta)
{
    __m512 acc0[14], acc1[14];
#pragma GCC unroll 14
    for (int i = 0; i < rows; i++) { /* c's lines arrive while the k loop runs */
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 16 * halves - 1), _MM_HINT_T0);
    }
#pragma GCC unroll 14
    for (int i = 0; i < rows; i++) acc0[i] = acc1[i] = _mm512_setzero_ps();
    for (size_t p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(b), b1 = halves == 2 ? _mm512_load_ps(b + 16) : b0;
#pragma GCC unroll 14
        for (int i = 0; i < rows; i++) {
            __m512 ai = _mm512_set1_ps(a[i]);
            acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
            if (halves == 2) acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
        }
        a += 14;
        b += 32;
    }
    __m512 valpha = _mm512_set1_ps(alpha), vbeta = _mm512_set1_ps(beta);
#pragma GCC unroll 14
    for (int i = 0; i < rows; i++) {
        store16(c + i * ldc, acc0[i], valpha, vbeta, beta == 0.0f);
        if (halves == 2) store16(c + i * ldc + 16, acc1[i], valpha, vbeta, beta == 0.0f);
    }
}

/* The 14 x (16 * halves) tile for any 1 <= rows <= 14: a last row panel with fewer rows
 * runs only those rows. */
static inline __attribute__((always_inline)) void tile_any_rows(size_t kc, int rows,
                                                                const int halves,
                                                                const float *a, const float *b,
                                                                float *c, size_t ldc,
                                                                float alpha, float beta)
{
    switch (rows) {
    case 14: tile_rows(kc, 14, halves, a, b, c, ldc, alpha, beta); break;
    case 13: tile_rows(kc, 13, halves, a, b, c, ldc, alpha, beta); break;
    case 12: tile_rows(kc, 12, halves, a, b, c, ldc, alpha, beta); break;
    case 11: tile_rows(kc, 11, halves, a, b, c, ldc, alpha, beta); break;
    case 10: tile_rows(kc, 10, halves, a, b, c, ldc, alpha, beta); break;
    case 9: tile_rows(kc, 9, halves, a, b, c, ldc, alpha, beta); break;
    case 8: tile_rows(kc, 8, halves, a, b, c, ldc, alpha, beta); break;
    case 7: tile_rows(kc, 7, halves, a, b, c, ldc, alpha, beta); break;
    case 6: tile_rows(kc, 6, halves, a, b, c, ldc, alpha, beta); break;
    case 5: tile_rows(kc, 5, halves, a, b, c, ldc, alpha, beta); break;
    case 4: tile_rows(kc, 4, halves, a, b, c, ldc, alpha, beta); break;
    case 3: tile_rows(kc, 3, halves, a, b, c, ldc, alpha, beta); break;
    case 2: tile_rows(kc, 2, halves, a, b, c, ldc, alpha, beta); break;
    default: tile_rows(kc, 1, halves, a, b, c, ldc, alpha, beta); break;
    }
}

/* The 14x32 microkernel. */
static void f32_gemm_14x32__avx512(size_t kc, int rows, const float *a, const float *b, float *c,
                                   size_t ldc, float alpha, float beta)
{
    tile_any_rows(kc, rows, 2, a, b, c, ldc, alpha, beta);
}

/* Its first 16 columns, for edge tiles of at most 16 columns: half the FMAs. */
static void f32_gemm_14x16_of_32__avx512(size_t kc, int rows, const float *a, const float *b,
                                         float *c, size_t ldc, float alpha, float beta)
{
    tile_any_rows(kc, rows, 1, a, b, c, ldc, alpha, beta);
}

const gemm_config sgemm_config_avx512 = {
    .name = "f32_gemm_14x32__avx512", .mr = 14, .nr = 32,
    .mc = 14 * 12, .kc = 512, .nc = 1024,
    .pack_transposed = pack_transposed_avx,
    .ukernel = f32_gemm_14x32__avx512,
    .nr_narrow = 16, .ukernel_narrow = f32_gemm_14x16_of_32__avx512,
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
