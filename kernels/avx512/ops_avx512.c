/* ops_avx512.c: avx512 kernels (ops). */
#include "kernels.h"

void kern_fill_ops_avx512(kern_table *t)
{
    (void)t;
}
