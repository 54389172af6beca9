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

/* c (6,16) = alpha * a (kc,6 packed) x b (kc,16 packed) [+ beta * c]. Per k: two vector
 * loads of b, 6 broadcasts of a, 12 independent FMAs; 12 + 2 + 1 of the 16 ymm registers. */
static void f32_gemm_6x16__avx2(size_t kc, const float *a, const float *b, float *c,
                                size_t ldc, float alpha, float beta)
{
#define ROW_ZERO(i) __m256 c##i##0 = _mm256_setzero_ps(), c##i##1 = _mm256_setzero_ps();
#define ROW_FMA(i)                                                                         \
    {                                                                                      \
        __m256 ai = _mm256_broadcast_ss(a + (i));                                          \
        c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);                                        \
        c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);                                        \
    }
#define ROW_STORE(i) store_row(c + (i) * ldc, c##i##0, c##i##1, valpha, vbeta, beta == 0.0f);
    ROW_ZERO(0) ROW_ZERO(1) ROW_ZERO(2) ROW_ZERO(3) ROW_ZERO(4) ROW_ZERO(5)
    for (size_t p = 0; p < kc; p++) {
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        ROW_FMA(0) ROW_FMA(1) ROW_FMA(2) ROW_FMA(3) ROW_FMA(4) ROW_FMA(5)
        a += 6;
        b += 16;
    }
    __m256 valpha = _mm256_set1_ps(alpha), vbeta = _mm256_set1_ps(beta);
    ROW_STORE(0) ROW_STORE(1) ROW_STORE(2) ROW_STORE(3) ROW_STORE(4) ROW_STORE(5)
#undef ROW_ZERO
#undef ROW_FMA
#undef ROW_STORE
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

void kern_fill_gemm_avx2(kern_table *t)
{
    t->sgemm = sgemm_avx2;
}
