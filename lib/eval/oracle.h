/* oracle.h: a classifier of a stand-in's ground-truth factors, trained on its labelled
 * images (fair here: we rendered them), to read what a generator's samples show.
 *
 * Network (our engine): 4x4 stride-2 convolutions of 32, 64, 128, ... channels, each with a
 * leaky ReLU (0.1), until the map is at most 8x8 (two on 32x32, three on 64x64), then FC
 * 256 + leaky ReLU and one FC layer holding every factor's logits side by side: one softmax
 * head per factor over its grid levels (cyclic and nominal factors alike). No batch norm:
 * ours normalizes with the batch's statistics, so a prediction would depend on the other
 * images of its batch. Trained with Adam (lr 1e-3) on the sum of the heads' cross-entropies.
 *
 * What it measures of a generator (both from the oracle's predictions, so tests can feed
 * constructed ones):
 * - coverage of factor f: H(argmax level over n samples of G) / H(argmax level over n real
 *   images), natural logs of the histograms' shares: about 1 when G draws the factor's
 *   levels as often as the data has them, low when it collapsed to a few. NaN when the real
 *   images show a single level.
 * - traversal score of (code, factor f): sweep the code over its values (columns) at `draws`
 *   fixed random draws of every other latent (rows); p(d,v) is the oracle's predicted
 *   distribution of f (a vector of the factor's level probabilities) for draw d, value v.
 *   score = 1 - mean_v Var_d p(d,v) / Var_{d,v} p(d,v)
 *         = Var_v(mean_d p(d,v)) / Var_{d,v} p(d,v),
 *   variances of vectors taken as mean squared Euclidean distances to the mean: the share of
 *   the variance of the predicted factor over the sweep that the code's value alone
 *   explains. 0 for a code that changes nothing (and 0 when nothing varies at all), 1 when
 *   each value of the code gives the same prediction whatever the other latents; a code
 *   whose effect depends on the other latents scores little (about 1/draws for a random
 *   one). A distribution is the value, not an expected level, so the score treats every
 *   factor as categorical: it does not tell a far move along an ordered factor from a
 *   near one, only whether the code decides the level. */
#ifndef ORACLE_H
#define ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/dataset.h"
#include "nn/nn.h"

#define ORACLE_BATCH 64          /* training batch and prediction chunk */

typedef struct oracle {
    char name[64];               /* the data set */
    int c, h, w;                 /* image (C,H,W), values in [0,1] */
    int n_factors;
    char factor_names[DATASET_MAX_FACTORS][32];
    int factor_levels[DATASET_MAX_FACTORS];
    int logit_offset[DATASET_MAX_FACTORS]; /* first logit of each factor's head */
    int n_logits;                /* sum of the levels */
    /* What the caller keys it to (the stand-in's render_spec.version and seed), and how it was
     * trained; kept in the file. */
    int data_version;
    uint64_t data_seed;
    int iterations, n_train, n_heldout;
    double accuracy[DATASET_MAX_FACTORS]; /* held-out accuracy per factor */
    char about[1024];            /* one line: command, commit, ISA, threads, wall time */
    net *net;
    float *params, *grads;       /* (n_params) */
} oracle;

typedef struct oracle_opts {
    int iterations;              /* Adam steps of batch ORACLE_BATCH (3000) */
    float lr;                    /* 1e-3 */
    uint64_t seed;               /* weights and batches (1) */
    bool progress;               /* a loss line every 100 iterations on stderr */
} oracle_opts;
void oracle_opts_default(oracle_opts *o);

/* An untrained oracle for d's image shape and factors (dies if d has none). */
oracle *oracle_create(const dataset *d);
void oracle_free(oracle *o);
/* Draws the weights from opts->seed and trains on d's images (values in [0,1]) and factor
 * indices; sets iterations and n_train. */
void oracle_train(oracle *o, const dataset *d, const oracle_opts *opts);
/* probs (n, n_logits) = each factor's softmax over its levels for images (n, C, H, W). */
void oracle_predict(oracle *o, int n, const float *images, float *probs);
/* acc (F) = share of d's images whose most probable level is their true one; sets
 * n_heldout and accuracy. */
void oracle_accuracy(oracle *o, const dataset *d, double *acc);
/* Whether o has d's image shape, factor names and levels. */
bool oracle_fits(const oracle *o, const dataset *d);

/* File (little-endian): magic "IGORACLE", u32 version, the fields above (name, shape,
 * factors, data key, training counts, accuracies, the about line), u64 parameter count, the
 * parameters (f32), then the SHA-256 of every byte before it. Written atomically
 * (base/fs.h); dies naming path on an I/O error. */
void oracle_save(const oracle *o, const char *path);
/* NULL with one sentence naming path in err when it is missing, not an oracle, of another
 * version, truncated, damaged (checksum) or inconsistent. */
oracle *oracle_load_try(const char *path, char *err, size_t err_len);

/* coverage (F), see above: fake (n_fake, n_logits) and real (n_real, n_logits) are
 * oracle_predict's outputs on G's samples and on real images. */
void oracle_coverage(const oracle *o, int n_fake, const float *fake, int n_real, const float *real,
                     double *coverage);
/* The traversal score of factor f, see above; probs (draws, values, n_logits) are
 * oracle_predict's outputs on the sweep's images, row d * values + v. */
double oracle_traversal(const oracle *o, int f, int draws, int values, const float *probs);

#endif
