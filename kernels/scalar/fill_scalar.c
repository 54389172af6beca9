/* fill_scalar.c: puts every scalar reference kernel into the table. */
#include "scalar.h"

void kern_fill_scalar(kern_table *t)
{
    t->sgemm = sgemm_scalar;
}
