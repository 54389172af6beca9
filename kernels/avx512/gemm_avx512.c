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

/* c (14,32) = alpha * a (kc,14 packed) x b (kc,32 packed) [+ beta * c]. Per k: two vector
 * loads of b, 14 broadcasts of a, 28 independent FMAs (Zen 5: 2 FMA pipes x 4-5 cycles
 * latency need >= 10 in flight). */
static void f32_gemm_14x32__avx512(size_t kc, const float *a, const float *b, float *c,
                                   size_t ldc, float alpha, float beta)
{
#define ROW_ZERO(i) __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps();
#define ROW_FMA(i)                                                                         \
    {                                                                                      \
        __m512 ai = _mm512_set1_ps(a[i]);                                                  \
        c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0);                                        \
        c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1);                                        \
    }
#define ROW_STORE(i) store_row(c + (i) * ldc, c##i##0, c##i##1, valpha, vbeta, beta == 0.0f);
    ROW_ZERO(0) ROW_ZERO(1) ROW_ZERO(2) ROW_ZERO(3) ROW_ZERO(4) ROW_ZERO(5) ROW_ZERO(6)
    ROW_ZERO(7) ROW_ZERO(8) ROW_ZERO(9) ROW_ZERO(10) ROW_ZERO(11) ROW_ZERO(12) ROW_ZERO(13)
    for (size_t p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        ROW_FMA(0) ROW_FMA(1) ROW_FMA(2) ROW_FMA(3) ROW_FMA(4) ROW_FMA(5) ROW_FMA(6)
        ROW_FMA(7) ROW_FMA(8) ROW_FMA(9) ROW_FMA(10) ROW_FMA(11) ROW_FMA(12) ROW_FMA(13)
        a += 14;
        b += 32;
    }
    __m512 valpha = _mm512_set1_ps(alpha), vbeta = _mm512_set1_ps(beta);
    ROW_STORE(0) ROW_STORE(1) ROW_STORE(2) ROW_STORE(3) ROW_STORE(4) ROW_STORE(5) ROW_STORE(6)
    ROW_STORE(7) ROW_STORE(8) ROW_STORE(9) ROW_STORE(10) ROW_STORE(11) ROW_STORE(12) ROW_STORE(13)
#undef ROW_ZERO
#undef ROW_FMA
#undef ROW_STORE
}

const gemm_config sgemm_config_avx512 = {
    .name = "f32_gemm_14x32__avx512", .mr = 14, .nr = 32,
    .mc = 14 * 12, .kc = 256, .nc = 1024,
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
