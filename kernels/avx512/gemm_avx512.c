/* gemm_avx512.c: avx512 kernels (gemm). */
#include "kernels.h"

void kern_fill_gemm_avx512(kern_table *t)
{
    (void)t;
}
