/* ops_neon.c: NEON kernels (ops). */
#include "kernels.h"

void kern_fill_ops_neon(kern_table *t)
{
    (void)t;
}
