/* ops_avx2.c: avx2 kernels (ops). */
#include "kernels.h"

void kern_fill_ops_avx2(kern_table *t)
{
    (void)t;
}
