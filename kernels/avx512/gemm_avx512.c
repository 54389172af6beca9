/* gemm_avx512.c: the AVX-512 GEMM microkernels, 14 rows x 32 columns (28 zmm accumulators),
 * on the blocked framework of gemm.c: f32 with FMA (avx512), and bfloat16 with VDPBF16PS
 * (avx512bf16, reduced precision, only when INFOGAN_ISA=avx512bf16 selects it). The bfloat16
 * packers round op(a) and op(b) to bfloat16 (to nearest even) and put k 2p and 2p+1 side by
 * side in one 32-bit word; VDPBF16PS multiplies two k per lane and adds both products to f32
 * accumulators: twice the multiply-adds of an f32 FMA per instruction. This file is compiled
 * with AVX-512 BF16 enabled; its f32 path uses no BF16 instruction, so it runs on any
 * AVX-512 CPU. */
#include <immintrin.h>
#include <stdint.h>

#include "gemm.h"
#include "gemm_pack_x86.h"
#include "pack_bf16_avx512.h"
#include "vec_avx512.h"

/* ---- microkernels ---- */

/* c[0..16) = alpha * x, plus beta * c unless beta_zero (then c is not read). */
static inline void store16(float *c, __m512 x, __m512 valpha, __m512 vbeta, bool beta_zero)
{
    x = _mm512_mul_ps(valpha, x);
    if (!beta_zero) x = _mm512_fmadd_ps(vbeta, _mm512_loadu_ps(c), x);
    _mm512_storeu_ps(c, x);
}

/* The first 8 columns of the 14 x 32 tile on 256-bit FMAs, for edge tiles of at most 8
 * columns: Zen 4 issues two 256-bit FMAs a cycle but one 512-bit, so this costs half the
 * 16-column tile there (the same on Zen 5). The same products summed in the same order as
 * tile_rows, then the same alpha and beta steps: the same bits. */
static inline __attribute__((always_inline)) void tile_rows8(size_t kc, const int rows,
                                                             const float *a, const float *b,
                                                             float *c, size_t ldc, float alpha,
                                                             float beta)
{
    __m256 acc[14];
#pragma GCC unroll 14
    for (int i = 0; i < rows; i++) acc[i] = _mm256_setzero_ps();
    for (size_t p = 0; p < kc; p++) {
        __m256 b0 = _mm256_load_ps(b);
#pragma GCC unroll 14
        for (int i = 0; i < rows; i++) acc[i] = _mm256_fmadd_ps(_mm256_set1_ps(a[i]), b0, acc[i]);
        a += 14;
        b += 32;
    }
    __m256 valpha = _mm256_set1_ps(alpha), vbeta = _mm256_set1_ps(beta);
#pragma GCC unroll 14
    for (int i = 0; i < rows; i++) {
        __m256 x = _mm256_mul_ps(valpha, acc[i]);
        if (beta != 0.0f) x = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(c + i * ldc), x);
        _mm256_storeu_ps(c + i * ldc, x);
    }
}

/* c (rows, 16 * halves) = alpha * a (kc,14 packed; rows used) x the first 16 * halves
 * columns of b (kc,32 packed) [+ beta * c] (halves 0: 8 columns, tile_rows8, f32 only), for
 * compile-time `rows`, `halves` and `bf16` (the accumulator arrays then live in registers). Per k: `halves` vector loads of b, `rows`
 * broadcasts of a, halves * rows independent FMAs (Zen 5: 2 FMA pipes x 4 cycles latency
 * need >= 8 in flight; 14 rows give 28, or 14 for the narrow edge tile). With bf16 the
 * panels hold words of two k (ceil(kc/2) of them) and each FMA is a VDPBF16PS. */
static inline __attribute__((always_inline)) void tile_rows(size_t kc, const int rows,
                                                            const int halves, const bool bf16,
                                                            const float *a, const float *b,
                                                            float *c, size_t ldc, float alpha,
                                                            float beta)
{
    if (halves == 0) { /* 8 columns */
        tile_rows8(kc, rows, a, b, c, ldc, alpha, beta);
        return;
    }
    __m512 acc0[14], acc1[14];
#pragma GCC unroll 14
    for (int i = 0; i < rows; i++) { /* c's lines arrive while the k loop runs */
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 16 * halves - 1), _MM_HINT_T0);
    }
#pragma GCC unroll 14
    for (int i = 0; i < rows; i++) acc0[i] = acc1[i] = _mm512_setzero_ps();
    const size_t steps = bf16 ? (kc + 1) / 2 : kc;
    for (size_t p = 0; p < steps; p++) {
        __m512 b0 = _mm512_load_ps(b), b1 = halves == 2 ? _mm512_load_ps(b + 16) : b0;
#pragma GCC unroll 14
        for (int i = 0; i < rows; i++) {
            __m512 ai = _mm512_set1_ps(a[i]); /* bf16: the word's bits, not a float */
            if (bf16) {
                acc0[i] = _mm512_dpbf16_ps(acc0[i], (__m512bh)ai, (__m512bh)b0);
                if (halves == 2) acc1[i] = _mm512_dpbf16_ps(acc1[i], (__m512bh)ai, (__m512bh)b1);
            } else {
                acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
                if (halves == 2) acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
            }
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
                                                                const int halves, const bool bf16,
                                                                const float *a, const float *b,
                                                                float *c, size_t ldc,
                                                                float alpha, float beta)
{
    switch (rows) {
    case 14: tile_rows(kc, 14, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 13: tile_rows(kc, 13, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 12: tile_rows(kc, 12, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 11: tile_rows(kc, 11, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 10: tile_rows(kc, 10, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 9: tile_rows(kc, 9, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 8: tile_rows(kc, 8, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 7: tile_rows(kc, 7, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 6: tile_rows(kc, 6, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 5: tile_rows(kc, 5, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 4: tile_rows(kc, 4, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 3: tile_rows(kc, 3, halves, bf16, a, b, c, ldc, alpha, beta); break;
    case 2: tile_rows(kc, 2, halves, bf16, a, b, c, ldc, alpha, beta); break;
    default: tile_rows(kc, 1, halves, bf16, a, b, c, ldc, alpha, beta); break;
    }
}

/* The 14x32 microkernel. */
static void f32_gemm_14x32__avx512(size_t kc, int rows, const float *a, const float *b, float *c,
                                   size_t ldc, float alpha, float beta)
{
    tile_any_rows(kc, rows, 2, false, a, b, c, ldc, alpha, beta);
}

/* Its first 8 columns, for edge tiles of at most 8 columns. */
static void f32_gemm_14x8_of_32__avx512(size_t kc, int rows, const float *a, const float *b,
                                        float *c, size_t ldc, float alpha, float beta)
{
    tile_any_rows(kc, rows, 0, false, a, b, c, ldc, alpha, beta);
}

/* Its first 16 columns, for edge tiles of at most 16 columns: half the FMAs. */
static void f32_gemm_14x16_of_32__avx512(size_t kc, int rows, const float *a, const float *b,
                                         float *c, size_t ldc, float alpha, float beta)
{
    tile_any_rows(kc, rows, 1, false, a, b, c, ldc, alpha, beta);
}

const gemm_config sgemm_config_avx512 = {
    .name = "f32_gemm_14x32__avx512", .mr = 14, .nr = 32,
    .mc = 14 * 12, .kc = 512, .nc = 1024,
    .pack_transposed = pack_transposed_avx,
    .ukernel = f32_gemm_14x32__avx512,
    .nr_narrow = 16, .ukernel_narrow = f32_gemm_14x16_of_32__avx512,
    .nr_narrowest = 8, .ukernel_narrowest = f32_gemm_14x8_of_32__avx512,
};

void sgemm_avx512(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    gemm_blocked(&sgemm_config_avx512, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

GEMM_PACKED_B_ISA(avx512, sgemm_config_avx512)

/* The bfloat16 14x32 microkernel, and its first 16 columns for narrow edge tiles. */
static void bf16_gemm_14x32__avx512bf16(size_t kc, int rows, const float *a, const float *b,
                                        float *c, size_t ldc, float alpha, float beta)
{
    tile_any_rows(kc, rows, 2, true, a, b, c, ldc, alpha, beta);
}

static void bf16_gemm_14x16_of_32__avx512bf16(size_t kc, int rows, const float *a,
                                              const float *b, float *c, size_t ldc, float alpha,
                                              float beta)
{
    tile_any_rows(kc, rows, 1, true, a, b, c, ldc, alpha, beta);
}

/* kc counts k, not words: 1024 k fill as many bytes of panel as the f32 kernel's 512. */
const gemm_config gemm_config_avx512bf16 = {
    .name = "bf16_gemm_14x32__avx512bf16", .mr = 14, .nr = 32,
    .mc = 14 * 12, .kc = 1024, .nc = 1024,
    .pack_transposed = pack_transposed_bf16, .pack_copy = pack_copy_bf16, .k_pairs = true,
    .ukernel = bf16_gemm_14x32__avx512bf16,
    .nr_narrow = 16, .ukernel_narrow = bf16_gemm_14x16_of_32__avx512bf16,
};

void gemm_bf16_avx512(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                      const float *a, int lda, const float *b, int ldb, float beta, float *c,
                      int ldc)
{
    gemm_blocked(&gemm_config_avx512bf16, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta,
                 c, ldc);
}

GEMM_PACKED_B_ISA(avx512bf16, gemm_config_avx512bf16)
