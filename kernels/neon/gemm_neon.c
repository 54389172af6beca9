/* gemm_neon.c: NEON kernels (gemm). */
#include "kernels.h"

void kern_fill_gemm_neon(kern_table *t)
{
    (void)t;
}
