/* arch.h: the paper's architecture tables as data, one per data set.
 *
 * A table lists G (input: the latent row, (in_dim,1,1)), the D/Q trunk shared by D and Q
 * (input: the image), D's head and Q's head (both on the trunk's output). Q's last layer
 * has out_c = ARCH_Q_OUT, replaced by the latent spec's Q width when the model is built. */
#ifndef ARCH_H
#define ARCH_H

#include "nn/nn.h"

#define ARCH_Q_OUT (-1)

typedef struct arch {
    const char *name;
    int img_c, img_h, img_w;
    const layer_spec *g;     int n_g;
    const layer_spec *trunk; int n_trunk;
    const layer_spec *d_head; int n_d_head;
    const layer_spec *q_head; int n_q_head;
} arch;

/* The table called `name` ("mnist", "faces", "chairs", "svhn", "celeba", "toy"); dies listing the known ones if there is none. */
const arch *arch_find(const char *name);
/* How many tables there are, and table i (0 <= i < arch_count()), for listings. */
int arch_count(void);
const arch *arch_at(int i);
/* Copies q_head into out (n_q_head rows) with ARCH_Q_OUT replaced by q_dim. */
void arch_q_head(const arch *a, int q_dim, layer_spec *out);

#endif
