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

void adam_set_tail_lr(adam *a, size_t n, float lr)
{
    CHECK(n <= a->n, "adam: a tail of %zu parameters in a block of %zu", n, a->n);
    a->tail = n, a->tail_lr = lr;
}

void adam_step(adam *a)
{
    a->t++;
    /* One call when the whole block has one rate: the bits do not depend on a split. */
    size_t head = a->tail && a->tail_lr != a->lr ? a->n - a->tail : a->n;
    kern.adam(head, a->p, a->g, a->m, a->v, a->lr, a->beta1, a->beta2, a->eps, a->t);
    if (head < a->n)
        kern.adam(a->n - head, a->p + head, a->g + head, a->m + head, a->v + head, a->tail_lr, a->beta1,
                  a->beta2, a->eps, a->t);
}
