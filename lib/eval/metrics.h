/* metrics.h: scoring a clustering against true labels (evaluation only), the mutual
 * information between a categorical code and the images from Q's posteriors, and how much
 * samples differ from each other. */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

/* counts (K,L): counts[k * L + l] = how many of the n items are in cluster k with label l.
 * cluster[i] must be in 0..K-1 and label[i] in 0..L-1 (dies otherwise). */
void metrics_contingency(int n, const int *cluster, int k, const int *label, int l, long *counts);

/* Accuracy when each cluster maps to its most frequent label (several clusters may map to
 * the same label: the paper's matching). From a (K,L) contingency table. */
double metrics_acc_majority(const long *counts, int k, int l);
/* The majority matching per label: recall[y] = the share of label y's items in clusters whose
 * most frequent label is y (0 when y has no items), clusters[y] = how many clusters those
 * are (0: y is the majority of none). Empty clusters count for no label. */
void metrics_majority_per_label(const long *counts, int k, int l, double *recall, int *clusters);
/* Accuracy of the best one-to-one map of clusters to labels (Hungarian); with K != L the
 * table is padded with empty rows or columns, so some clusters or labels stay unmatched. */
double metrics_acc_hungarian(const long *counts, int k, int l);
/* Normalized mutual information I(C;Y) / ((H(C) + H(Y)) / 2), natural logs (the arithmetic
 * normalization, as scikit-learn's default); 1 when both have a single class. */
double metrics_nmi(const long *counts, int k, int l);

/* Adjusted Rand index (Hubert and Arabie 1985) of a (K,L) contingency table: 1 for the
 * same partition, about 0 for independent ones (it can go below 0); 1 when both are a
 * single class. */
double metrics_ari(const long *counts, int k, int l);

/* Mutual information I(C;Y) in nats of a (K,L) contingency table. */
double metrics_mi(const long *counts, int k, int l);
/* Entropy (nats) of the distribution given by n counts (not all zero). */
double metrics_entropy(const long *counts, int n);

/* The three scores at once from predicted clusters and labels. */
typedef struct cluster_scores {
    double acc_majority, acc_hungarian, nmi;
} cluster_scores;
cluster_scores metrics_cluster_scores(int n, const int *cluster, int k, const int *label, int l);
/* The same from a (K,L) contingency table (metrics_contingency). */
cluster_scores metrics_cluster_scores_counts(const long *counts, int k, int l);

/* Minimum-cost assignment on a square (n,n) cost matrix, n <= METRICS_HUNGARIAN_MAX,
 * O(n^3) Kuhn-Munkres with potentials. Fills row_to_col[i] (a permutation) and returns the
 * total cost. */
#define METRICS_HUNGARIAN_MAX 64
double metrics_hungarian(int n, const double *cost, int *row_to_col);

/* Mutual information (nats) between a categorical code and the images from posteriors
 * post (N,K), each row summing to 1: H(mean_i post_i) - mean_i H(post_i). 0 for a constant
 * posterior, ln K for one-hot rows used equally often. */
double metrics_mi_posterior(int n, int k, const float *post);

/* How much n samples x (N,D) differ from each other: the standard deviation across the
 * samples of each of the D values (pixels), averaged over the D. 0 when all samples are
 * the same; a generator's samples against real images' shows a collapse. */
double metrics_sample_spread(int n, size_t d, const float *x);

#endif
