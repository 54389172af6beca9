/* losses.h: GAN losses on logits and the information term L_I, each returning the batch
 * mean and writing its gradient (scaled) into the caller's buffer (overwrite). */
#ifndef LOSSES_H
#define LOSSES_H

#include <stdbool.h>

#include "model/latent.h"

/* The GAN value V(D, G) of the paper's Eq. (1), as two losses on D's logits. */

/* -mean log sigmoid(l) over logits (n): D on real data, and G's non-saturating loss.
 * dlogits (n) = scale * d/dl. */
double loss_gan_real(int n, const float *logits, float *dlogits, double scale);
/* -mean log(1 - sigmoid(l)): D on fake data. */
double loss_gan_fake(int n, const float *logits, float *dlogits, double scale);

/* Mean cross-entropy -log softmax(logits)[target] over n rows of k logits (row stride ld);
 * dlogits (same layout) = scale * (softmax - onehot) / n. */
double loss_cat_ce(int n, int k, const float *logits, int ld, const int *target,
                   float *dlogits, double scale);
/* Mean Gaussian negative log-likelihood of targets t under N(mean, std): std = exp(logstd)
 * when logstd is not NULL (learned), else 1 (fixed). All strided by ld (t by ldt). Writes
 * dmean (and dlogstd) = scale * gradient / n. */
double loss_gauss_nll(int n, const float *mean, const float *logstd, int ld, const float *t,
                      int ldt, float *dmean, float *dlogstd, double scale);

/* Eq. (5): L_I(G, Q) = E[log Q(c|x)] + H(c), the lower bound of I(c; G(z, c)).
 * The information term of a batch. q (n, q_dim): Q's output on G(z); z (n, in_dim): the
 * latent rows G got. Writes li[code] = H(c) - NLL (the per-code lower bound of L_I) and
 * dq (n, q_dim) = gradient of -(lambda_cat * sum_cat L_I + lambda_cont * sum_cont L_I).
 * Returns the weighted sum lambda * L_I. */
double loss_info(const latent_spec *s, bool learned_std, int n, const float *q, const float *z,
                 float lambda_cat, float lambda_cont, double *li, float *dq);

#endif
