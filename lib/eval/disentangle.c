/* disentangle.c: normalized MI matrix, MIG, SAP and the FactorVAE metric. */
#include "eval/disentangle.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"
#include "base/rng.h"
#include "base/util.h"

void dis_discretize(int n, const float *x, int stride, int bins, int *bin)
{
    CHECK(n > 0 && bins > 0, "disentangle: %d values into %d bins", n, bins);
    float lo = x[0], hi = x[0];
    for (int i = 1; i < n; i++) {
        float v = x[(size_t)i * stride];
        lo = v < lo ? v : lo, hi = v > hi ? v : hi;
    }
    double width = ((double)hi - (double)lo) / bins;
    for (int i = 0; i < n; i++) {
        int b = width > 0.0 ? (int)(((double)x[(size_t)i * stride] - (double)lo) / width) : 0;
        bin[i] = b < bins ? b : bins - 1; /* the maximum falls in the last bin */
    }
}

static void check_inputs(const dis_codes *c, const dataset *d)
{
    CHECK(c->n > 0 && c->n_codes > 0, "disentangle: %d items with %d codes", c->n, c->n_codes);
    CHECK(d->n_factors > 0 && d->n == c->n, "disentangle: data set %s has %d factors for %d items, "
          "the codes %d items", d->name, d->n_factors, d->n, c->n);
}

/* bin (n) = the code's category, or its DIS_BINS-bin index; returns the number of values. */
static int code_bins(const dis_codes *c, int code, int *bin)
{
    int k = c->levels[code];
    if (k == 0) {
        dis_discretize(c->n, c->value + code, c->n_codes, DIS_BINS, bin);
        return DIS_BINS;
    }
    for (int i = 0; i < c->n; i++) {
        int v = (int)c->value[(size_t)i * c->n_codes + code];
        CHECK(v >= 0 && v < k, "disentangle: categorical code %d of item %d is %d, outside 0..%d",
              code, i, v, k - 1);
        bin[i] = v;
    }
    return k;
}

/* f (n) = factor `fi` of every item. */
static void factor_column(const dataset *d, int fi, int *f)
{
    for (int i = 0; i < d->n; i++) f[i] = d->factor_index[(size_t)i * d->n_factors + fi];
}

void dis_nmi_matrix(const dis_codes *c, const dataset *d, double *nmi)
{
    check_inputs(c, d);
    int n = c->n, nf = d->n_factors;
    int *bin = xmalloc((size_t)n * sizeof *bin), *f = xmalloc((size_t)n * sizeof *f);
    long *counts = NULL;
    for (int j = 0; j < c->n_codes; j++) {
        int k = code_bins(c, j, bin);
        for (int fi = 0; fi < nf; fi++) {
            int l = d->factor_levels[fi];
            factor_column(d, fi, f);
            counts = realloc(counts, (size_t)k * l * sizeof *counts);
            CHECK(counts, "out of memory");
            metrics_contingency(n, bin, k, f, l, counts); /* (K,L) */
            long *marg = xcalloc((size_t)l, sizeof *marg);
            for (int a = 0; a < k; a++)
                for (int b = 0; b < l; b++) marg[b] += counts[a * l + b];
            double h = metrics_entropy(marg, l);
            free(marg);
            nmi[j * nf + fi] = h > 0.0 ? metrics_mi(counts, k, l) / h : 0.0;
        }
    }
    free(counts), free(bin), free(f);
}

/* Mean over factors of (best - second best) of score (n_codes, F). */
static double mean_top_gap(const double *score, int n_codes, int nf, double *gap)
{
    double sum = 0.0;
    for (int fi = 0; fi < nf; fi++) {
        double top = 0.0, second = 0.0;
        for (int j = 0; j < n_codes; j++) {
            double s = score[j * nf + fi];
            if (s > top) second = top, top = s;
            else if (s > second) second = s;
        }
        if (gap) gap[fi] = top - second;
        sum += top - second;
    }
    return sum / nf;
}

double dis_mig(const double *nmi, int n_codes, int n_factors, double *gap)
{
    CHECK(n_codes > 0 && n_factors > 0, "disentangle: MIG of %d codes x %d factors", n_codes, n_factors);
    return mean_top_gap(nmi, n_codes, n_factors, gap);
}

/* R^2 on the odd items of predicting y from the code (bins: per-bin means fit on the even
 * items; x: a line fit on them when bin is NULL). */
static double heldout_r2(int n, const float *x, int stride, const int *bin, int k, const float *y, int ystride)
{
    double *sum = xcalloc((size_t)k + 1, sizeof *sum), *cnt = xcalloc((size_t)k + 1, sizeof *cnt);
    double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
    for (int i = 0; i < n; i += 2) {
        double yi = (double)y[(size_t)i * ystride];
        if (bin) sum[bin[i]] += yi, cnt[bin[i]] += 1;
        else {
            double xi = (double)x[(size_t)i * stride];
            sx += xi, sy += yi, sxx += xi * xi, sxy += xi * yi;
        }
        m += 1, sum[k] += yi;
    }
    double ybar = sum[k] / m, vx = sxx - sx * sx / m;
    double slope = !bin && vx > 0 ? (sxy - sx * sy / m) / vx : 0.0, icept = (sy - slope * sx) / m;
    double sse = 0, sst = 0;
    for (int i = 1; i < n; i += 2) {
        double yi = (double)y[(size_t)i * ystride], pred;
        if (bin) pred = cnt[bin[i]] > 0 ? sum[bin[i]] / cnt[bin[i]] : ybar;
        else pred = icept + slope * (double)x[(size_t)i * stride];
        sse += (yi - pred) * (yi - pred), sst += (yi - ybar) * (yi - ybar);
    }
    free(sum), free(cnt);
    double r2 = sst > 0 ? 1.0 - sse / sst : 0.0;
    return r2 < 0.0 ? 0.0 : r2;
}

/* Accuracy on the odd items of predicting factor f (L levels) by each bin's majority level
 * on the even items. */
static double heldout_acc(int n, const int *bin, int k, const int *f, int l)
{
    long *counts = xcalloc((size_t)k * l, sizeof *counts); /* (K,L) from the even items */
    for (int i = 0; i < n; i += 2) counts[bin[i] * l + f[i]]++;
    int *pick = xmalloc((size_t)k * sizeof *pick);
    for (int a = 0; a < k; a++) {
        pick[a] = -1;
        long best = 0;
        for (int b = 0; b < l; b++)
            if (counts[a * l + b] > best) best = counts[a * l + b], pick[a] = b;
    }
    long hits = 0, total = 0;
    for (int i = 1; i < n; i += 2) hits += pick[bin[i]] == f[i], total++;
    free(counts), free(pick);
    return total ? (double)hits / (double)total : 0.0;
}

double dis_sap(const dis_codes *c, const dataset *d, const bool *categorical, double *score_out)
{
    check_inputs(c, d);
    CHECK(c->n >= 4, "disentangle: SAP needs at least 4 items (has %d)", c->n);
    int n = c->n, nf = d->n_factors;
    double *score = xcalloc((size_t)c->n_codes * nf, sizeof *score); /* (n_codes, F) */
    int *bin = xmalloc((size_t)n * sizeof *bin), *f = xmalloc((size_t)n * sizeof *f);
    for (int j = 0; j < c->n_codes; j++) {
        int k = code_bins(c, j, bin);
        bool cat_code = c->levels[j] > 0;
        for (int fi = 0; fi < nf; fi++) {
            double *s = &score[j * nf + fi];
            if (categorical && categorical[fi]) {
                factor_column(d, fi, f);
                *s = heldout_acc(n, bin, k, f, d->factor_levels[fi]);
            } else {
                *s = heldout_r2(n, c->value + j, c->n_codes, cat_code ? bin : NULL, k,
                                d->factor_value + fi, nf);
            }
        }
    }
    double sap = mean_top_gap(score, c->n_codes, nf, NULL);
    if (score_out) memcpy(score_out, score, (size_t)c->n_codes * nf * sizeof *score);
    free(score), free(bin), free(f);
    return sap;
}

void dis_fvae_opts_default(dis_fvae_opts *o)
{
    o->batch = 64;
    o->train_votes = 5000;
    o->eval_votes = 2500;
    o->seed = 1;
}

/* Spread of code j over the items idx (m): variance, or Gini impurity for K categories. */
static double spread(const dis_codes *c, int j, const int *idx, int m)
{
    int k = c->levels[j];
    if (k == 0) {
        double s = 0, ss = 0;
        for (int i = 0; i < m; i++) {
            double v = (double)c->value[(size_t)idx[i] * c->n_codes + j];
            s += v, ss += v * v;
        }
        double var = ss / m - (s / m) * (s / m);
        return var > 0.0 ? var : 0.0;
    }
    int hist[256] = {0};
    CHECK(k <= 256, "disentangle: categorical code %d has %d categories (at most 256)", j, k);
    for (int i = 0; i < m; i++) hist[(int)c->value[(size_t)idx[i] * c->n_codes + j]]++;
    double g = 1.0;
    for (int a = 0; a < k; a++) g -= ((double)hist[a] / m) * ((double)hist[a] / m);
    return g;
}

double dis_factorvae(const dis_codes *c, const dataset *d, const dis_fvae_opts *o)
{
    check_inputs(c, d);
    CHECK(o->batch > 1 && o->train_votes > 0 && o->eval_votes > 0,
          "disentangle: FactorVAE metric needs a batch > 1 and votes (%d, %d, %d)", o->batch,
          o->train_votes, o->eval_votes);
    int n = c->n, nf = d->n_factors, nc = c->n_codes;
    int *all = xmalloc((size_t)n * sizeof *all);
    for (int i = 0; i < n; i++) all[i] = i;
    double *global = xmalloc((size_t)nc * sizeof *global);
    bool active = false;
    for (int j = 0; j < nc; j++) global[j] = spread(c, j, all, n), active |= global[j] > 0.0;
    if (!active) {
        free(all), free(global);
        return 0.0;
    }
    /* Items of each (factor, level): pool[fi] sorted by level, from start[fi][level]. */
    int stride = 1;
    for (int fi = 0; fi < nf; fi++) stride = d->factor_levels[fi] + 1 > stride ? d->factor_levels[fi] + 1 : stride;
    int *pool = xmalloc((size_t)n * nf * sizeof *pool), *start = xmalloc((size_t)nf * stride * sizeof *start);
    for (int fi = 0; fi < nf; fi++) {
        int l = d->factor_levels[fi], *st = start + (size_t)fi * stride, *p = pool + (size_t)fi * n;
        for (int v = 0; v <= l; v++) st[v] = 0;
        for (int i = 0; i < n; i++) st[d->factor_index[(size_t)i * nf + fi] + 1]++;
        for (int v = 0; v < l; v++) st[v + 1] += st[v];
        int *fill = xmalloc((size_t)l * sizeof *fill);
        memcpy(fill, st, (size_t)l * sizeof *fill);
        for (int i = 0; i < n; i++) p[fill[d->factor_index[(size_t)i * nf + fi]]++] = i;
        free(fill);
    }
    long *votes = xcalloc((size_t)nc * nf, sizeof *votes); /* (n_codes, F) training votes */
    int *batch = xmalloc((size_t)o->batch * sizeof *batch), *pick = xmalloc((size_t)nc * sizeof *pick);
    long hits = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            for (int j = 0; j < nc; j++) {
                pick[j] = 0;
                for (int fi = 1; fi < nf; fi++) pick[j] = votes[j * nf + fi] > votes[j * nf + pick[j]] ? fi : pick[j];
            }
        int count = pass == 0 ? o->train_votes : o->eval_votes;
        for (int v = 0; v < count; v++) {
            rng r = rng_make(o->seed, RNG_EVAL, (uint64_t)pass << 32 | (uint64_t)v);
            int fi = (int)rng_below(&r, (uint32_t)nf);
            int level = d->factor_index[(size_t)rng_below(&r, (uint32_t)n) * nf + fi];
            const int *st = start + (size_t)fi * stride, *p = pool + (size_t)fi * n;
            int size = st[level + 1] - st[level];
            for (int b = 0; b < o->batch; b++) batch[b] = p[st[level] + (int)rng_below(&r, (uint32_t)size)];
            int best = -1;
            double best_ratio = INFINITY;
            for (int j = 0; j < nc; j++) {
                if (global[j] <= 0.0) continue;
                double ratio = spread(c, j, batch, o->batch) / global[j];
                if (ratio < best_ratio) best_ratio = ratio, best = j;
            }
            if (pass == 0) votes[best * nf + fi]++;
            else hits += pick[best] == fi;
        }
    }
    free(all), free(global), free(pool), free(start), free(votes), free(batch), free(pick);
    return (double)hits / o->eval_votes;
}
