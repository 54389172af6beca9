/* gemm_avx2.c: avx2 kernels (gemm). */
#include "kernels.h"

void kern_fill_gemm_avx2(kern_table *t)
{
    (void)t;
}
