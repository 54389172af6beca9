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
/* A learned std is at most e (log std <= 1): a U(-1,1) code has std 0.58, so a larger std
 * says Q knows nothing, and the cap keeps the mean's gradient (1/std^2) from fading. */
#define LOSS_LOG_STD_MAX 1.0

/* Mean Gaussian negative log-likelihood of targets t under N(mean, std): std = exp(logstd)
 * with logstd clamped to [log_lo, log_hi] when logstd is not NULL (learned), else 1 (fixed).
 * All strided by ld (t by ldt). Writes dmean (and dlogstd, 0 where clamped) = scale *
 * gradient / n. */
double loss_gauss_nll(int n, const float *mean, const float *logstd, int ld, const float *t,
                      int ldt, double log_lo, double log_hi, float *dmean, float *dlogstd,
                      double scale);

/* Eq. (5): L_I(G, Q) = E[log Q(c|x)] + H(c), the lower bound of I(c; G(z, c)).
 * The information term of a batch. q (n, q_dim): Q's output on G(z); z (n, in_dim): the
 * latent rows G got. A learned std lies in [std_min, e] (std_min 0: not clamped). Writes
 * li[code] = H(c) - NLL (the per-code lower bound of L_I), std_mean[code] (continuous codes;
 * may be NULL) = the batch mean of the std Q used, and dq (n, q_dim) = gradient of
 * -(lambda_cat * sum_cat L_I + lambda_cont * sum_cont L_I). Returns the weighted sum
 * lambda * L_I. */
double loss_info(const latent_spec *s, bool learned_std, float std_min, int n, const float *q,
                 const float *z, float lambda_cat, float lambda_cont, double *li,
                 double *std_mean, float *dq);

#endif
