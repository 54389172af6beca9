/* lib_metrics.c: contingency table, majority vs Hungarian accuracy, NMI, posterior MI. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "eval/metrics.h"

Test(lib_metrics, contingency_counts_pairs)
{
    int cluster[6] = {0, 0, 1, 2, 2, 2}, label[6] = {1, 1, 0, 0, 1, 1};
    long counts[3 * 2];
    metrics_contingency(6, cluster, 3, label, 2, counts);
    long want[6] = {0, 2, 1, 0, 1, 2};
    for (int i = 0; i < 6; i++) cr_assert_eq(counts[i], want[i], "cell %d", i);
}

Test(lib_metrics, contingency_rejects_out_of_range, .exit_code = 1)
{
    int cluster[2] = {0, 3}, label[2] = {0, 0};
    long counts[3];
    metrics_contingency(2, cluster, 3, label, 1, counts); /* cluster 3 of 0..2 */
}

/* Majority and Hungarian differ when two clusters share their most frequent label:
 *            label 0  1  2
 *  cluster 0      50 10  0
 *  cluster 1      40  5 20
 *  cluster 2       0 30 45
 * majority: 50 + 40 + 45 = 135 / 200; one-to-one best: 0->0, 1->2, 2->1: 50+20+30 = 100
 * (vs 0->1,1->0,2->2: 10+40+45 = 95) -> 100 / 200. */
Test(lib_metrics, majority_and_hungarian_differ)
{
    long counts[9] = {50, 10, 0, 40, 5, 20, 0, 30, 45};
    cr_assert_float_eq(metrics_acc_majority(counts, 3, 3), 135.0 / 200.0, 1e-12);
    cr_assert_float_eq(metrics_acc_hungarian(counts, 3, 3), 100.0 / 200.0, 1e-12);
}

/* Per label on the same table: clusters 0 and 1 both go to label 0 (all 90 of its items),
 * label 1 is the majority of none, cluster 2 takes 45 of label 2's 65. */
Test(lib_metrics, majority_per_label_finds_shared_and_missing_labels)
{
    long counts[9] = {50, 10, 0, 40, 5, 20, 0, 30, 45};
    double recall[3];
    int clusters[3];
    metrics_majority_per_label(counts, 3, 3, recall, clusters);
    cr_assert_float_eq(recall[0], 1.0, 1e-12);
    cr_assert_float_eq(recall[1], 0.0, 1e-12);
    cr_assert_float_eq(recall[2], 45.0 / 65.0, 1e-12);
    cr_assert_eq(clusters[0], 2);
    cr_assert_eq(clusters[1], 0);
    cr_assert_eq(clusters[2], 1);
}

Test(lib_metrics, permuted_perfect_clustering)
{
    /* 10 clusters, each exactly one label, in a shuffled order: both accuracies and NMI = 1. */
    int perm[10] = {3, 7, 0, 9, 1, 4, 8, 2, 6, 5};
    int n = 1000, *cluster = malloc(n * sizeof *cluster), *label = malloc(n * sizeof *label);
    for (int i = 0; i < n; i++) label[i] = i % 10, cluster[i] = perm[label[i]];
    cluster_scores s = metrics_cluster_scores(n, cluster, 10, label, 10);
    cr_assert_float_eq(s.acc_majority, 1.0, 1e-12);
    cr_assert_float_eq(s.acc_hungarian, 1.0, 1e-12);
    cr_assert_float_eq(s.nmi, 1.0, 1e-12);
    free(cluster);
    free(label);
}

Test(lib_metrics, independent_clustering_has_zero_nmi)
{
    /* Every cluster holds every label equally often: I(C;Y) = 0. */
    int n = 10 * 10 * 3, *cluster = malloc(n * sizeof *cluster), *label = malloc(n * sizeof *label);
    for (int i = 0; i < n; i++) cluster[i] = i % 10, label[i] = (i / 10) % 10;
    cluster_scores s = metrics_cluster_scores(n, cluster, 10, label, 10);
    cr_assert_float_eq(s.nmi, 0.0, 1e-12);
    cr_assert_float_eq(s.acc_majority, 0.1, 1e-12);
    cr_assert_float_eq(s.acc_hungarian, 0.1, 1e-12);
    free(cluster);
    free(label);
}

Test(lib_metrics, nmi_hand_computed)
{
    /* counts {{2,0},{1,1}}, n = 4: I = 0.5 ln 4/3 + 0.25 ln 2/3 + 0.25 ln 2 ... computed in
     * full: sum p(c,y) ln(p(c,y) / p(c) p(y)). */
    long counts[4] = {2, 0, 1, 1};
    double p[4] = {0.5, 0.0, 0.25, 0.25}, pc[2] = {0.5, 0.5}, py[2] = {0.75, 0.25};
    double mi = 0.0, hc = 0.0, hy = 0.0;
    for (int c = 0; c < 2; c++)
        for (int y = 0; y < 2; y++)
            if (p[c * 2 + y] > 0) mi += p[c * 2 + y] * log(p[c * 2 + y] / (pc[c] * py[y]));
    for (int i = 0; i < 2; i++) hc -= pc[i] * log(pc[i]), hy -= py[i] * log(py[i]);
    cr_assert_float_eq(metrics_nmi(counts, 2, 2), mi / (0.5 * (hc + hy)), 1e-12);
}

/* ARI: {{2,0},{1,1}} by hand: sum C(n_ij,2) = 1, rows 1 + 1, columns 3 + 0, C(4,2) = 6:
 * (1 - 2*3/6) / (2.5 - 1) = 0; a permuted perfect clustering 1; a split cluster in between. */
Test(lib_metrics, ari_hand_computed)
{
    long half[4] = {2, 0, 1, 1}, perfect[9] = {0, 5, 0, 0, 0, 3, 4, 0, 0}, split[6] = {3, 0, 2, 0, 0, 5};
    cr_assert_float_eq(metrics_ari(half, 2, 2), 0.0, 1e-12);
    cr_assert_float_eq(metrics_ari(perfect, 3, 3), 1.0, 1e-12);
    /* split: index 3 + 1 + 10 = 14; rows 3 + 1 + 10 = 14; columns C(5,2) + C(5,2) = 20;
     * C(10,2) = 45: (14 - 14*20/45) / (17 - 14*20/45) */
    double e = 14.0 * 20 / 45;
    cr_assert_float_eq(metrics_ari(split, 3, 2), (14 - e) / (17 - e), 1e-12);
}

Test(lib_metrics, more_clusters_than_labels)
{
    /* 4 clusters, 2 labels: majority maps two clusters to each label; one-to-one leaves
     * two clusters unmatched.  counts {{5,1},{4,0},{0,6},{2,3}}: majority 5+4+6+3 = 18/21;
     * Hungarian best 5 + 6 = 11 (cluster 0 -> 0, 2 -> 1) / 21. */
    long counts[8] = {5, 1, 4, 0, 0, 6, 2, 3};
    cr_assert_float_eq(metrics_acc_majority(counts, 4, 2), 18.0 / 21.0, 1e-12);
    cr_assert_float_eq(metrics_acc_hungarian(counts, 4, 2), 11.0 / 21.0, 1e-12);
}

/* Brute force over all permutations of n <= 7. */
static double brute_min(int n, const double *cost, int *perm, int depth, double sum, double best)
{
    if (depth == n) return sum < best ? sum : best;
    for (int i = depth; i < n; i++) {
        int t = perm[depth];
        perm[depth] = perm[i], perm[i] = t;
        best = brute_min(n, cost, perm, depth + 1, sum + cost[depth * n + perm[depth]], best);
        t = perm[depth], perm[depth] = perm[i], perm[i] = t;
    }
    return best;
}

Test(lib_metrics, hungarian_matches_brute_force)
{
    unsigned state = 12345;
    for (int n = 1; n <= 7; n++)
        for (int trial = 0; trial < 20; trial++) {
            double cost[49];
            for (int i = 0; i < n * n; i++) {
                state = state * 1103515245u + 12345u;
                cost[i] = (double)((state >> 16) % 100) - 30.0; /* ties and negatives */
            }
            int assign[7], perm[7], used[7] = {0};
            for (int i = 0; i < n; i++) perm[i] = i;
            double got = metrics_hungarian(n, cost, assign), check = 0.0;
            for (int i = 0; i < n; i++) {
                cr_assert(assign[i] >= 0 && assign[i] < n && !used[assign[i]], "a permutation");
                used[assign[i]] = 1;
                check += cost[i * n + assign[i]];
            }
            cr_assert_float_eq(got, check, 1e-9, "returned cost is the assignment's");
            cr_assert_float_eq(got, brute_min(n, cost, perm, 0, 0.0, INFINITY), 1e-9,
                               "n = %d trial %d: optimal", n, trial);
        }
}

Test(lib_metrics, hungarian_64_identity_optimum)
{
    /* cost 0 on a shifted diagonal, 1 elsewhere: the optimum is that permutation, cost 0. */
    int n = METRICS_HUNGARIAN_MAX, assign[METRICS_HUNGARIAN_MAX];
    double *cost = malloc((size_t)n * n * sizeof *cost);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) cost[i * n + j] = j == (i + 5) % n ? 0.0 : 1.0;
    cr_assert_float_eq(metrics_hungarian(n, cost, assign), 0.0, 1e-12);
    for (int i = 0; i < n; i++) cr_assert_eq(assign[i], (i + 5) % n);
    free(cost);
}

Test(lib_metrics, posterior_mi_one_hot_and_uniform)
{
    /* One-hot rows using each of 10 classes equally: MI = ln 10; uniform rows: MI = 0. */
    int n = 50, k = 10;
    float *onehot = calloc((size_t)n * k, sizeof *onehot), *uniform = malloc((size_t)n * k * sizeof *uniform);
    for (int i = 0; i < n; i++) {
        onehot[i * k + i % k] = 1.0f;
        for (int j = 0; j < k; j++) uniform[i * k + j] = 0.1f;
    }
    cr_assert_float_eq(metrics_mi_posterior(n, k, onehot), log(10.0), 1e-9);
    cr_assert_float_eq(metrics_mi_posterior(n, k, uniform), 0.0, 1e-6);
    /* One-hot but always the same class: confident yet uninformative, MI = 0. */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < k; j++) onehot[i * k + j] = j == 3 ? 1.0f : 0.0f;
    cr_assert_float_eq(metrics_mi_posterior(n, k, onehot), 0.0, 1e-12);
    free(onehot);
    free(uniform);
}

Test(lib_metrics, posterior_mi_hand_computed)
{
    /* Rows (0.9, 0.1) and (0.2, 0.8): mean (0.55, 0.45). */
    float post[4] = {0.9f, 0.1f, 0.2f, 0.8f};
    double h = -(0.55 * log(0.55) + 0.45 * log(0.45));
    double h1 = -(0.9 * log(0.9) + 0.1 * log(0.1)), h2 = -(0.2 * log(0.2) + 0.8 * log(0.8));
    cr_assert_float_eq(metrics_mi_posterior(2, 2, post), h - 0.5 * (h1 + h2), 1e-6);
}

Test(lib_metrics, sample_spread_of_identical_and_known_samples)
{
    /* 4 identical samples: 0. Samples (0,0), (2,0), (0,4), (2,4): the first value is 0 or 2
     * (std 1), the second 0 or 4 (std 2); mean 1.5. */
    float same[4 * 3] = {0.3f, -1.0f, 0.7f, 0.3f, -1.0f, 0.7f, 0.3f, -1.0f, 0.7f, 0.3f, -1.0f, 0.7f};
    cr_assert_float_eq(metrics_sample_spread(4, 3, same), 0.0, 1e-7);
    float x[4 * 2] = {0, 0, 2, 0, 0, 4, 2, 4};
    cr_assert_float_eq(metrics_sample_spread(4, 2, x), 1.5, 1e-12);
}
