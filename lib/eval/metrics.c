/* metrics.c: contingency tables, majority / Hungarian accuracy, NMI, and the code-image MI. */
#include "eval/metrics.h"

#include <math.h>
#include <stdlib.h>

#include "base/util.h"

void metrics_contingency(int n, const int *cluster, int k, const int *label, int l, long *counts)
{
    CHECK(n > 0 && k > 0 && l > 0, "metrics: contingency table of %d items, %d clusters, %d labels",
          n, k, l);
    for (int i = 0; i < k * l; i++) counts[i] = 0;
    for (int i = 0; i < n; i++) {
        CHECK(cluster[i] >= 0 && cluster[i] < k, "metrics: cluster %d of item %d is outside 0..%d",
              cluster[i], i, k - 1);
        CHECK(label[i] >= 0 && label[i] < l, "metrics: label %d of item %d is outside 0..%d",
              label[i], i, l - 1);
        counts[cluster[i] * l + label[i]]++;
    }
}

static long table_total(const long *counts, int k, int l)
{
    long total = 0;
    for (int i = 0; i < k * l; i++) total += counts[i];
    CHECK(total > 0, "metrics: the contingency table is empty");
    return total;
}

double metrics_acc_majority(const long *counts, int k, int l)
{
    long hits = 0;
    for (int c = 0; c < k; c++) {
        long best = 0;
        for (int y = 0; y < l; y++)
            if (counts[c * l + y] > best) best = counts[c * l + y];
        hits += best;
    }
    return (double)hits / (double)table_total(counts, k, l);
}

void metrics_majority_per_label(const long *counts, int k, int l, double *recall, int *clusters)
{
    long *total = xcalloc(2 * (size_t)l, sizeof *total), *hit = total + l;
    for (int y = 0; y < l; y++) clusters[y] = 0;
    for (int c = 0; c < k; c++) {
        int best = 0;
        for (int y = 0; y < l; y++) {
            total[y] += counts[c * l + y];
            best = counts[c * l + y] > counts[c * l + best] ? y : best;
        }
        if (counts[c * l + best] == 0) continue;
        hit[best] += counts[c * l + best];
        clusters[best]++;
    }
    for (int y = 0; y < l; y++) recall[y] = total[y] ? (double)hit[y] / (double)total[y] : 0.0;
    free(total);
}

double metrics_hungarian(int n, const double *cost, int *row_to_col)
{
    CHECK(n > 0 && n <= METRICS_HUNGARIAN_MAX, "metrics: Hungarian on %dx%d (1..%d rows)", n, n,
          METRICS_HUNGARIAN_MAX);
    /* Kuhn-Munkres with row potentials u, column potentials v; 1-based, column 0 is the
     * virtual start. col_row[j] = row matched to column j, prev[j] = previous column on the
     * shortest augmenting path. */
    enum { M = METRICS_HUNGARIAN_MAX + 1 };
    double u[M] = {0}, v[M] = {0}, min_to[M];
    int col_row[M] = {0}, prev[M];
    _Bool used[M];
    for (int i = 1; i <= n; i++) {
        col_row[0] = i;
        int j0 = 0;
        for (int j = 0; j <= n; j++) min_to[j] = INFINITY, used[j] = 0;
        do {
            used[j0] = 1;
            int i0 = col_row[j0], j1 = 0;
            double delta = INFINITY;
            for (int j = 1; j <= n; j++) {
                if (used[j]) continue;
                double reduced = cost[(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
                if (reduced < min_to[j]) min_to[j] = reduced, prev[j] = j0;
                if (min_to[j] < delta) delta = min_to[j], j1 = j;
            }
            for (int j = 0; j <= n; j++) {
                if (used[j]) u[col_row[j]] += delta, v[j] -= delta;
                else min_to[j] -= delta;
            }
            j0 = j1;
        } while (col_row[j0] != 0);
        do {
            int j1 = prev[j0];
            col_row[j0] = col_row[j1];
            j0 = j1;
        } while (j0);
    }
    double total = 0.0;
    for (int j = 1; j <= n; j++) {
        row_to_col[col_row[j] - 1] = j - 1;
        total += cost[(col_row[j] - 1) * n + (j - 1)];
    }
    return total;
}

double metrics_acc_hungarian(const long *counts, int k, int l)
{
    int s = k > l ? k : l;
    CHECK(s <= METRICS_HUNGARIAN_MAX, "metrics: %d clusters x %d labels (at most %d each)", k, l,
          METRICS_HUNGARIAN_MAX);
    double *cost = xcalloc((size_t)s * s, sizeof *cost); /* (s,s), padded with zeros */
    int row_to_col[METRICS_HUNGARIAN_MAX];
    for (int c = 0; c < k; c++)
        for (int y = 0; y < l; y++) cost[c * s + y] = -(double)counts[c * l + y];
    double hits = -metrics_hungarian(s, cost, row_to_col);
    free(cost);
    return hits / (double)table_total(counts, k, l);
}

double metrics_entropy(const long *counts, int n)
{
    double total = 0.0, h = 0.0;
    for (int i = 0; i < n; i++) total += (double)counts[i];
    CHECK(total > 0.0, "metrics: entropy of %d empty counts", n);
    for (int i = 0; i < n; i++) {
        double p = (double)counts[i] / total;
        if (p > 0.0) h -= p * log(p);
    }
    return h;
}

/* I(C;Y) and the marginal entropies of a (K,L) table; the caller frees nothing. */
static double table_mi(const long *counts, int k, int l, double *h_c, double *h_y)
{
    double total = (double)table_total(counts, k, l);
    long *row = xcalloc((size_t)k, sizeof *row), *col = xcalloc((size_t)l, sizeof *col);
    for (int c = 0; c < k; c++)
        for (int y = 0; y < l; y++) row[c] += counts[c * l + y], col[y] += counts[c * l + y];
    double mi = 0.0;
    for (int c = 0; c < k; c++)
        for (int y = 0; y < l; y++) {
            double n_cy = (double)counts[c * l + y];
            if (n_cy > 0.0) mi += n_cy / total * log(n_cy * total / ((double)row[c] * (double)col[y]));
        }
    if (h_c) *h_c = metrics_entropy(row, k);
    if (h_y) *h_y = metrics_entropy(col, l);
    free(row);
    free(col);
    return mi < 0.0 ? 0.0 : mi; /* rounding can step below 0 */
}

double metrics_mi(const long *counts, int k, int l)
{
    return table_mi(counts, k, l, NULL, NULL);
}

double metrics_nmi(const long *counts, int k, int l)
{
    double h_c, h_y, mi = table_mi(counts, k, l, &h_c, &h_y);
    if (h_c == 0.0 && h_y == 0.0) return 1.0;
    double nmi = mi / (0.5 * (h_c + h_y));
    return nmi > 1.0 ? 1.0 : nmi; /* rounding can step above 1 */
}

static double pairs(double x) { return x * (x - 1) / 2; }

double metrics_ari(const long *counts, int k, int l)
{
    double index = 0, rows = 0, cols = 0, n = 0;
    for (int c = 0; c < k; c++) {
        double a = 0;
        for (int y = 0; y < l; y++) index += pairs((double)counts[c * l + y]), a += (double)counts[c * l + y];
        rows += pairs(a), n += a;
    }
    for (int y = 0; y < l; y++) {
        double b = 0;
        for (int c = 0; c < k; c++) b += (double)counts[c * l + y];
        cols += pairs(b);
    }
    double expected = rows * cols / pairs(n), max = 0.5 * (rows + cols);
    return max == expected ? 1.0 : (index - expected) / (max - expected);
}

cluster_scores metrics_cluster_scores_counts(const long *counts, int k, int l)
{
    return (cluster_scores){metrics_acc_majority(counts, k, l), metrics_acc_hungarian(counts, k, l),
                            metrics_nmi(counts, k, l)};
}

cluster_scores metrics_cluster_scores(int n, const int *cluster, int k, const int *label, int l)
{
    long *counts = xcalloc((size_t)k * l, sizeof *counts); /* (K,L) */
    metrics_contingency(n, cluster, k, label, l, counts);
    cluster_scores s = metrics_cluster_scores_counts(counts, k, l);
    free(counts);
    return s;
}

double metrics_mi_posterior(int n, int k, const float *post)
{
    CHECK(n > 0 && k > 0, "metrics: posterior MI of %d rows x %d classes", n, k);
    double *mean = xcalloc((size_t)k, sizeof *mean); /* (K) */
    double mean_h = 0.0;
    for (int i = 0; i < n; i++) {
        const float *p = post + (size_t)i * k;
        for (int j = 0; j < k; j++) {
            double pj = (double)p[j];
            CHECK(pj >= 0.0 && pj <= 1.0 + 1e-5, "metrics: posterior row %d has p[%d] = %g", i, j, pj);
            mean[j] += pj;
            if (pj > 0.0) mean_h -= pj * log(pj);
        }
    }
    double h_mean = 0.0;
    for (int j = 0; j < k; j++) {
        double m = mean[j] / n;
        if (m > 0.0) h_mean -= m * log(m);
    }
    free(mean);
    return h_mean - mean_h / n;
}

double metrics_sample_spread(int n, size_t d, const float *x)
{
    CHECK(n > 1 && d > 0, "metrics: sample spread of %d samples x %zu values", n, d);
    double total = 0.0;
    for (size_t j = 0; j < d; j++) {
        double mean = 0.0, var = 0.0;
        for (int i = 0; i < n; i++) mean += (double)x[(size_t)i * d + j];
        mean /= n;
        for (int i = 0; i < n; i++) {
            double e = (double)x[(size_t)i * d + j] - mean;
            var += e * e;
        }
        total += sqrt(var / n);
    }
    return total / (double)d;
}
