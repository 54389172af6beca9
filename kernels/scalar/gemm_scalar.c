/* gemm_scalar.c: the reference GEMMs, a plain triple loop with a double accumulator. */
#include <stdint.h>
#include <string.h>

#include "scalar.h"

float round_bf16(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return x;                /* NaN */
    if ((u & 0x7f800000u) == 0) u &= 0x80000000u;                 /* subnormal: signed zero */
    else u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;      /* to nearest, ties to even */
    memcpy(&x, &u, sizeof x);
    return x;
}

/* c = alpha * op(a) op(b) + beta * c, each operand rounded to bfloat16 first when bf16. */
static void gemm_reference(bool bf16, bool trans_a, bool trans_b, int m, int n, int k,
                           float alpha, const float *a, int lda, const float *b, int ldb,
                           float beta, float *c, int ldc)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double acc = 0.0;
            for (int p = 0; p < k; p++) {
                float aip = trans_a ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
                float bpj = trans_b ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j];
                if (bf16) aip = round_bf16(aip), bpj = round_bf16(bpj);
                acc += (double)aip * (double)bpj;
            }
            float *cij = &c[(size_t)i * ldc + j];
            *cij = beta == 0.0f ? alpha * (float)acc : alpha * (float)acc + beta * *cij;
        }
}

void sgemm_scalar(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    gemm_reference(false, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_bf16_scalar(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                      const float *a, int lda, const float *b, int ldb, float beta, float *c,
                      int ldc)
{
    gemm_reference(true, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

size_t sgemm_packed_b_floats_scalar(int k, int n) { return k > 0 && n > 0 ? (size_t)k * n : 0; }

void sgemm_pack_b_scalar(bool trans_b, int k, int n, const float *b, int ldb, float *packed)
{
    // packed (K,N) = op(b)
    for (int p = 0; p < k; p++)
        for (int j = 0; j < n; j++)
            packed[(size_t)p * n + j] = trans_b ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j];
}

int sgemm_pack_b_boundary_scalar(bool trans_b, int k, int n, int r)
{
    int rows = trans_b ? n : k;
    return r < rows ? r : rows; /* every row */
}

void sgemm_pack_b_rows_scalar(bool trans_b, int k, int n, const float *b, int ldb, int r0, int r1,
                              float *packed)
{
    // packed (K,N) = op(b), where it comes from b's stored rows r0..r1
    if (trans_b) {
        for (int p = 0; p < k; p++)
            for (int j = r0; j < r1; j++) packed[(size_t)p * n + j] = b[(size_t)j * ldb + p];
    } else {
        for (int p = r0; p < r1; p++)
            for (int j = 0; j < n; j++) packed[(size_t)p * n + j] = b[(size_t)p * ldb + j];
    }
}

void sgemm_packed_b_scalar(bool trans_a, int m, int n, int k, float alpha, const float *a,
                           int lda, const float *packed_b, float beta, float *c, int ldc)
{
    gemm_reference(false, trans_a, false, m, n, k, alpha, a, lda, packed_b, n, beta, c, ldc);
}
