/* infogan.h: the InfoGAN model (G, the D/Q trunk, D's head, Q's head) and one training
 * iteration as the official code runs it.
 *
 * One iteration (infogan_step):
 *   1. D/Q step: z ~ prior (stream RNG_LATENT_D, index = iteration); D on the real batch and
 *      on G(z) (batch statistics, real and fake separately); loss
 *        D_loss - lambda * L_I = -mean log D(x) - mean log(1 - D(G(z))) - lambda * L_I
 *      updates the trunk and both heads with the D optimizer (lr_d).
 *   2. G step (g_steps of them): fresh z (stream RNG_LATENT_G); loss -mean log D(G(z)) - lambda * L_I
 *      (without the L_I term when info_to_g is false: the paper's "regular GAN" baseline,
 *      whose Q is still trained in step 1) updates G with the G optimizer (lr_g). With
 *      info_warmup N, G's first N steps are regular GAN steps (not in the paper).
 * Defaults are the official MNIST code's; where the paper differs there is a flag. */
#ifndef INFOGAN_H
#define INFOGAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "nn/adam.h"
#include "model/arch.h"
#include "model/latent.h"
#include "nn/nn.h"

typedef struct infogan_config {
    char arch[32];          /* architecture table: "mnist" */
    latent_spec latent;     /* --latent, default noise:62,cat:10,cont:2 */
    int batch;              /* 128 */
    float lr_d, lr_g;       /* 2e-4 (D and Q), 1e-3 */
    float lr_q;             /* Q's head alone (0: lr_d, the official code's one D/Q optimizer) */
    float beta1, beta2, adam_eps; /* 0.5, 0.999, 1e-8 */
    float lambda_cat, lambda_cont; /* 1, 1 */
    float leaky_slope;      /* 0.01 (official code) or 0.1 (paper) */
    bool learned_std;       /* false: Q's std fixed to 1 (official); true: exp of Q's output (paper) */
    float std_min;          /* a learned std is clamped to [std_min, e] (0.1; 0: not clamped) */
    bool info_to_g;         /* true: InfoGAN; false: regular GAN with a Q network */
    int info_warmup;        /* iterations before G gets the L_I reward (0: from the start) */
    int g_steps;            /* G steps per D/Q step (1; not in the paper) */
    float instance_noise;   /* std of Gaussian noise on D's inputs, real and fake (0: none; not
                               in the paper), falling linearly to 0 at iteration
                               instance_noise_decay (0: constant) */
    int instance_noise_decay;
    float init_std;         /* 0.02 */
    float bn_eps;           /* 1e-5 */
    uint64_t seed;
} infogan_config;

/* The official MNIST setup. */
void infogan_config_default(infogan_config *c);
/* Parses the model flag at argv[i] (with its value at argv[i+1]); returns how many
 * arguments it used (2, or 1 for switches), 0 if argv[i] is not a model flag. Dies with a
 * clear message on a bad value (sizes are capped: --batch at most 4096, --latent as in
 * latent.h). */
int infogan_config_flag(infogan_config *c, int argc, char **argv, int i);
/* The same, but returns -1 and writes that sentence into err instead of exiting. */
int infogan_config_flag_try(infogan_config *c, int argc, char **argv, int i, char *err,
                            size_t err_len);
/* Prints the model flags and their defaults. */
void infogan_config_help(FILE *f);
/* One line "key=value ..." of every setting, for logs and result files. */
void infogan_config_describe(const infogan_config *c, char *buf, size_t len);

typedef struct infogan_stats {
    int iteration;          /* the iteration these numbers belong to (1-based) */
    double d_loss;          /* GAN part of D's loss (without L_I) */
    double g_loss;          /* GAN part of G's loss (-mean log D(G(z))) */
    double d_real, d_fake;  /* mean D(x), mean D(G(z)) in the D step */
    double d_fake_max;      /* max D(G(z)) over the D step's batch */
    double li;              /* sum of every code's L_I on the D step's fake batch */
    double li_code[LATENT_MAX_CODES]; /* per code, same batch */
    double std_code[LATENT_MAX_CODES]; /* continuous codes: mean std Q used, same batch */
    double li_g;            /* sum of L_I on the G step's batch */
} infogan_stats;

typedef struct infogan {
    infogan_config cfg;
    const arch *arch;
    int q_dim;
    net *g, *trunk, *d_head, *q_head;
    float *g_params, *g_grads;    /* G's block */
    float *d_params, *d_grads;    /* trunk + D head + Q head, one block */
    size_t n_g_params, n_d_params;
    adam opt_g, opt_d;
    int iteration;                /* iterations completed */
    int data_epoch, data_cursor;  /* the trainer's position in the data */
    double train_seconds;         /* the training loop's wall time over every invocation so far
                                     (model/checkpoint.h keeps it beside the checkpoint); < 0:
                                     unknown (resumed from a checkpoint without it) */
    float *z;                     /* (batch, in_dim) */
    float *d_logit_grad;          /* (batch) */
    float *dq;                    /* (batch, q_dim) */
    float *d_trunk_out;           /* (batch, trunk out) */
    float *noisy;                 /* (batch, C, H, W): D's input with instance noise (NULL: none) */
    /* Data-parallel training (base/dist.h): this rank trains on rows [local_first,
     * local_first + local_batch) of every step's batch (all of it with one process). */
    int local_first, local_batch;
    float *shard_grads;           /* (this rank's shard of the wider block): summed gradients; NULL with one process */
} infogan;

/* What infogan_create allocates for cfg (weights, gradients, Adam state, activations at
 * cfg->batch), from the shapes alone: checked before a run allocates it. */
size_t infogan_memory_bytes(const infogan_config *cfg);
/* Builds the model and draws the initial weights from the seed. */
infogan *infogan_create(const infogan_config *cfg);
void infogan_free(infogan *m);
/* The networks keep their linear weights packed for the GEMM between updates
 * (net_cache_weights): whoever writes g_params or d_params outside infogan_step and
 * checkpoint loading calls this before the next forward. */
void infogan_weights_changed(infogan *m);
/* One D/Q step and g_steps G steps on real (local_batch, C, H, W): this rank's rows of the
 * batch; fills st (may be NULL) with the whole batch's numbers. */
void infogan_step(infogan *m, const float *real, infogan_stats *st);
/* With several ranks each steps only its shard of Adam's moments: this gathers them whole on
 * every rank (all ranks call it), as a checkpoint needs. */
void infogan_gather_moments(infogan *m);
/* The std of the instance noise at (0-based) iteration it of cfg's schedule. */
float infogan_instance_noise_std(const infogan_config *cfg, int it);
/* images (n, C, H, W) = G(z (n, in_dim)), in equal chunks of up to `batch` rows with batch
 * statistics (as in training). */
void infogan_generate(infogan *m, int n, const float *z, float *images);
/* q (n, q_dim) = Q's output on images (n, C, H, W), run in chunks of up to `batch` images
 * with batch statistics (as in training). */
void infogan_q_forward(infogan *m, int n, const float *images, float *q);
/* probs (n, K) = softmax of categorical code `code`'s logits (code indexes latent codes). */
void infogan_q_cat_probs(infogan *m, int code, int n, const float *images, float *probs);

#endif
