/* disentangle.h: how well learned codes capture ground-truth factors (evaluation only).
 *
 * The codes of n items (e.g. held-out images encoded by Q) are one value per code: a
 * continuous code's posterior mean, or a categorical code's argmax as a number 0..K-1. The
 * factors are a data set's factor_index (grid index per factor) and factor_value.
 *
 * - Normalized MI matrix (codes x factors): I(code; factor) / H(factor) in [0,1], with a
 *   continuous code cut into DIS_BINS equal-width bins over its range and categorical codes
 *   and factor grid indices taken as they are.
 * - MIG (Chen et al. 2018): mean over factors of the gap between the highest and the
 *   second-highest normalized MI of any code with that factor.
 * - SAP (Kumar et al. 2018): a score per (code, factor) from predicting the factor from that
 *   one code on held-out items (odd items; fit on even ones): R^2 for an ordinal factor
 *   (from its values; a linear fit for a continuous code, per-category means for a
 *   categorical one), accuracy for a categorical factor (majority level per code bin). SAP
 *   is the mean over factors of the gap between the two best codes' scores.
 * - FactorVAE metric (Kim and Mnih 2018): a vote fixes one factor at one level and draws
 *   `batch` items having it; each code's spread over them (variance for a continuous code,
 *   Gini impurity 1 - sum p^2 for a categorical one) divided by its spread over all items;
 *   the code with the smallest ratio votes for the factor. A majority-vote classifier (code
 *   -> factor) is fit on the training votes; the metric is its accuracy on the other votes.
 *   Codes whose overall spread is 0 (collapsed) never vote. */
#ifndef DISENTANGLE_H
#define DISENTANGLE_H

#include <stdbool.h>
#include <stdint.h>

#include "data/dataset.h"

#define DIS_BINS 20

typedef struct dis_codes {
    int n, n_codes;
    const float *value;     /* (N, n_codes) */
    const int *levels;      /* (n_codes) K of a categorical code, 0 for a continuous one */
} dis_codes;

/* bin (n) = index of each x[i * stride] among `bins` equal-width bins over [min, max] of the
 * n values (all 0 when they are equal). */
void dis_discretize(int n, const float *x, int stride, int bins, int *bin);

/* nmi (n_codes, F) = I(code; factor) / H(factor) (0 for a factor with a single level in
 * the data). Dies unless d has factors for the n items. */
void dis_nmi_matrix(const dis_codes *c, const dataset *d, double *nmi);
/* MIG from nmi (n_codes, F); gap (F) receives each factor's gap when not NULL. With one code
 * the gap is its normalized MI. */
double dis_mig(const double *nmi, int n_codes, int n_factors, double *gap);
/* SAP; categorical (F) marks nominal factors (NULL: every factor ordinal); score (n_codes,
 * F) receives the scores when not NULL. */
double dis_sap(const dis_codes *c, const dataset *d, const bool *categorical, double *score);

typedef struct dis_fvae_opts {
    int batch;              /* items per vote (64) */
    int train_votes;        /* votes the classifier is fit on (5000) */
    int eval_votes;         /* votes it is scored on (2500) */
    uint64_t seed;          /* of every draw (1) */
} dis_fvae_opts;
void dis_fvae_opts_default(dis_fvae_opts *o);
/* The FactorVAE metric's accuracy in [0,1]; 0 when every code collapsed. */
double dis_factorvae(const dis_codes *c, const dataset *d, const dis_fvae_opts *o);

#endif
