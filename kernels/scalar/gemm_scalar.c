/* gemm_scalar.c: the reference SGEMM, a plain triple loop with a double accumulator. */
#include "scalar.h"

void sgemm_scalar(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double acc = 0.0;
            for (int p = 0; p < k; p++) {
                float aip = trans_a ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
                float bpj = trans_b ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j];
                acc += (double)aip * (double)bpj;
            }
            float *cij = &c[(size_t)i * ldc + j];
            *cij = beta == 0.0f ? alpha * (float)acc : alpha * (float)acc + beta * *cij;
        }
}
