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

/* Parameters [lo, hi) with their gradients in g: one kernel call per learning rate. */
static void step_range(adam *a, size_t lo, size_t hi, const float *g)
{
    CHECK(lo <= hi && hi <= a->n, "adam: the range [%zu, %zu) of a block of %zu", lo, hi, a->n);
    size_t head = a->tail && a->tail_lr != a->lr ? a->n - a->tail : a->n; /* [head, n): tail_lr */
    size_t mid = head < lo ? lo : head > hi ? hi : head;
    if (mid > lo)
        kern.adam(mid - lo, a->p + lo, g, a->m + lo, a->v + lo, a->lr, a->beta1, a->beta2, a->eps, a->t);
    if (hi > mid)
        kern.adam(hi - mid, a->p + mid, g + (mid - lo), a->m + mid, a->v + mid, a->tail_lr, a->beta1,
                  a->beta2, a->eps, a->t);
}

void adam_step_ranges(adam *a, int n_ranges, const size_t (*range)[2], const float *g)
{
    a->t++;
    for (int k = 0; k < n_ranges; k++) {
        step_range(a, range[k][0], range[k][1], g);
        g += range[k][1] - range[k][0];
    }
}

void adam_begin_step(adam *a) { a->t++; }

void adam_step_part(adam *a, size_t lo, size_t hi) { step_range(a, lo, hi, a->g + lo); }

void adam_step(adam *a)
{
    adam_begin_step(a);
    adam_step_part(a, 0, a->n);
}
