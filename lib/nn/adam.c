/* adam.c: Adam state and step. */
#include "nn/adam.h"

#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "base/util.h"

void adam_init(adam *a, size_t n, float *p, float *g, float lr, float beta1, float beta2, float eps)
{
    *a = (adam){.n = n, .p = p, .g = g, .lr = lr, .beta1 = beta1, .beta2 = beta2, .eps = eps};
    a->m = xalloc_floats(n);
    a->v = xalloc_floats(n);
    memset(a->m, 0, n * sizeof(float));
    memset(a->v, 0, n * sizeof(float));
}

void adam_free(adam *a)
{
    free(a->m);
    free(a->v);
    a->m = a->v = NULL;
}

void adam_step(adam *a)
{
    a->t++;
    kern.adam(a->n, a->p, a->g, a->m, a->v, a->lr, a->beta1, a->beta2, a->eps, a->t);
}
