/* adam.h: Adam over one flat parameter block, through the fused kernel. */
#ifndef ADAM_H
#define ADAM_H

#include <stddef.h>

typedef struct adam {
    size_t n;
    float *p, *g;      /* parameters and gradients (n), the caller's */
    float *m, *v;      /* moments (n), owned */
    float lr, beta1, beta2, eps;
    size_t tail;       /* the last `tail` parameters step with tail_lr (0: none) */
    float tail_lr;
    int t;             /* steps taken */
} adam;

void adam_init(adam *a, size_t n, float *p, float *g, float lr, float beta1, float beta2, float eps);
void adam_free(adam *a);
/* The last n of the block step with learning rate lr (the same moments and step count). */
void adam_set_tail_lr(adam *a, size_t n, float lr);
/* One step with the gradients in g (t counts from 1). */
void adam_step(adam *a);
/* The same step in pieces, for a caller that does something with each piece while it is in
 * cache (net_adam_step): adam_begin_step counts the step, then adam_step_part steps
 * parameters [lo, hi) with their gradients in g + lo; every parameter once, in any order and
 * from any thread (elementwise: the bits of adam_step). */
void adam_begin_step(adam *a);
void adam_step_part(adam *a, size_t lo, size_t hi);
/* The same step for some ranges of the parameters only ([lo, hi) each, in order), with their
 * gradients one after another in g: a rank's shard in data-parallel training. Elementwise, so
 * the shards' bits are the whole step's. */
void adam_step_ranges(adam *a, int n_ranges, const size_t (*range)[2], const float *g);

#endif
