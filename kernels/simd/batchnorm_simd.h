/* batchnorm_simd.h: batch norm forward (train, eval) and backward, written once for every
 * SIMD ISA in the vocabulary of its vec header (VEC_LANES floats per vector). Included by
 * <isa>/batchnorm_<isa>.c after vec_<isa>.h and PAR_MIN_FLOATS (from how many floats
 * channels are split over threads).
 * Conv layout (S > 1): per channel, VEC_LANES positions per step with a partial last vector;
 * each image's run is summed in float lanes and the per-image sums are added in double, in a
 * fixed order. Dense layout (S == 1): VEC_LANES channels per vector, summed over the batch.
 * Blocks of channels (dense: of whole vectors) are split over OpenMP threads statically, so
 * the bits never depend on the thread count. */
#include <math.h>

#include "simd/simd_kernels.h"

/* Channels are taken in blocks: a block's n x cb x s floats (~256 KB) stay in L2 between the
 * passes, and each image's cb x s floats are read as one stream. In training the tensors come
 * from far caches, and one channel at a time read them as short runs (64 to 800 bytes every
 * c x s floats) the prefetchers did not follow: MNIST's G FC batch norm (128 x 6272) took
 * 3.0 ms forward and backward, 1.5 ms in blocks. Each channel's sums are the same operations
 * in the same order either way: the bits do not depend on the blocks. */
#define BLOCK_BYTES ((size_t)256 << 10)
#define MAX_BLOCK 1024 /* channels; a multiple of every VEC_LANES */

/* Channels per block for (N,C,S): at least 4 blocks where c allows (2 per thread); whole
 * vectors of channels when S == 1. */
static int block_channels(int n, int c, int s)
{
    size_t cb = BLOCK_BYTES / ((size_t)n * s * sizeof(float)), quarter = ((size_t)c + 3) / 4;
    if (cb > quarter) cb = quarter;
    if (cb > MAX_BLOCK) cb = MAX_BLOCK;
    if (cb < 1) cb = 1;
    if (s == 1) cb = (cb + VEC_LANES - 1) / VEC_LANES * VEC_LANES;
    return (int)cb;
}

/* Sum of one run of s floats (mu == NULL), or of its (x - mu)^2, in float lanes. */
static double run_sum(int s, const float *row, const float *mu)
{
    vec_f vm = vec_set1(mu ? *mu : 0.0f), acc = vec_zero();
    for (int i = 0; i < s; i += VEC_LANES) {
        vec_tail t = vec_tail_of((size_t)(s - i));
        vec_f v = vec_load_tail(row + i, t);
        if (mu) {
            vec_f d = vec_keep(vec_sub(v, vm), t);
            acc = vec_fmadd(d, d, acc);
        } else {
            acc = vec_add(acc, v);
        }
    }
    return (double)vec_hsum(acc);
}

/* Per channel lo..lo+w-1 of x (N,C,S): tot[j] = the sum over images of run_sum, image 0 first. */
static void block_sums(int n, int c, int s, int lo, int w, const float *x, const float *mu, double *tot)
{
    for (int j = 0; j < w; j++) tot[j] = 0.0;
    for (int b = 0; b < n; b++)
        for (int j = 0; j < w; j++)
            tot[j] += run_sum(s, x + ((size_t)b * c + lo + j) * s, mu ? mu + j : NULL);
}

/* running_mean, running_var (C) at ch move towards mu and the unbiased var of m values. */
static void update_running(float *running_mean, float *running_var, int ch, float momentum,
                           double mu, double var, size_t m)
{
    if (!running_mean || !running_var) return;
    double mo = (double)momentum, unbiased = m > 1 ? var * (double)m / (double)(m - 1) : var;
    running_mean[ch] = (float)((1.0 - mo) * (double)running_mean[ch] + mo * mu);
    running_var[ch] = (float)((1.0 - mo) * (double)running_var[ch] + mo * unbiased);
}

/* 1 / sqrt(var + eps) */
static vec_f inv_sqrt(vec_f var, float eps)
{
    return vec_div(vec_set1(1.0f), vec_sqrt(vec_add(var, vec_set1(eps))));
}

/* The activation after a batch norm: none (act < 0), relu_fwd's or lrelu_fwd's operations. */
static inline vec_f activate(vec_f v, int act, vec_f slope)
{
    if (act == KERN_ACT_RELU) return vec_max0(v);
    if (act == KERN_ACT_LRELU) return vec_select(vec_gt(v, vec_zero()), v, vec_mul(slope, v));
    return v;
}

/* The gradient reaching the batch norm: dy itself (z NULL), or relu_bwd's or lrelu_bwd's
 * operations on it with z for the activation's input (z > 0 exactly where that input is). */
static inline vec_f gate(vec_f g, const float *z, vec_tail t, int act, vec_f slope)
{
    if (!z) return g;
    vec_mask pos = vec_gt(vec_load_tail(z, t), vec_zero());
    return act == KERN_ACT_RELU ? vec_keep_if(pos, g) : vec_select(pos, g, vec_mul(slope, g));
}

/* Dense layout (S == 1), x (N,C): batchnorm_fwd_train's channels lo..lo+w-1 (whole vectors). */
static void dense_fwd_block(int n, int c, int lo, int w, const float *x, const float *gamma,
                            const float *beta, float eps, float momentum, int act, vec_f slope,
                            float *y, float *mean, float *invstd, float *running_mean,
                            float *running_var)
{
    float sum[MAX_BLOCK], sq[MAX_BLOCK], mu[MAX_BLOCK], scale[MAX_BLOCK]; /* (w) */
    vec_f inv_n = vec_set1(1.0f / (float)n);
    for (int j = 0; j < w; j += VEC_LANES) vec_store(sum + j, vec_zero()), vec_store(sq + j, vec_zero());
    for (int b = 0; b < n; b++)
        for (int j = 0; j < w; j += VEC_LANES)
            vec_store(sum + j, vec_add(vec_load(sum + j), vec_load_tail(x + (size_t)b * c + lo + j, vec_tail_of((size_t)(w - j)))));
    for (int j = 0; j < w; j += VEC_LANES) vec_store(mu + j, vec_mul(vec_load(sum + j), inv_n));
    for (int b = 0; b < n; b++)
        for (int j = 0; j < w; j += VEC_LANES) {
            vec_f d = vec_sub(vec_load_tail(x + (size_t)b * c + lo + j, vec_tail_of((size_t)(w - j))), vec_load(mu + j));
            vec_store(sq + j, vec_fmadd(d, d, vec_load(sq + j)));
        }
    for (int j = 0; j < w; j += VEC_LANES) {
        vec_tail t = vec_tail_of((size_t)(w - j));
        vec_f var = vec_mul(vec_load(sq + j), inv_n), is = inv_sqrt(var, eps);
        vec_store(scale + j, vec_mul(vec_load_tail(gamma + lo + j, t), is));
        vec_store_tail(mean + lo + j, vec_load(mu + j), t);
        vec_store_tail(invstd + lo + j, is, t);
        vec_store(sq + j, var);
    }
    for (int j = 0; j < w; j++)
        update_running(running_mean, running_var, lo + j, momentum, (double)mu[j], (double)sq[j], (size_t)n);
    for (int b = 0; b < n; b++)
        for (int j = 0; j < w; j += VEC_LANES) {
            vec_tail t = vec_tail_of((size_t)(w - j));
            size_t at = (size_t)b * c + lo + j;
            vec_f d = vec_sub(vec_load_tail(x + at, t), vec_load(mu + j));
            vec_store_tail(y + at, activate(vec_fmadd(d, vec_load(scale + j), vec_load_tail(beta + lo + j, t)), act, slope), t);
        }
}

/* Conv layout (S > 1), x (N,C,S): batchnorm_fwd_train's channels lo..lo+w-1. */
static void conv_fwd_block(int n, int c, int s, int lo, int w, const float *x, const float *gamma,
                           const float *beta, float eps, float momentum, int act, vec_f slope,
                           float *y, float *mean, float *invstd, float *running_mean,
                           float *running_var)
{
    double tot[MAX_BLOCK], mu_d[MAX_BLOCK]; /* (w) */
    float scale[MAX_BLOCK];
    size_t m = (size_t)n * s;
    block_sums(n, c, s, lo, w, x, NULL, tot);
    for (int j = 0; j < w; j++) mu_d[j] = tot[j] / (double)m, mean[lo + j] = (float)mu_d[j];
    block_sums(n, c, s, lo, w, x, mean + lo, tot);
    for (int j = 0; j < w; j++) {
        double var = tot[j] / (double)m;
        float is = (float)(1.0 / sqrt(var + (double)eps));
        invstd[lo + j] = is;
        scale[j] = gamma[lo + j] * is;
        update_running(running_mean, running_var, lo + j, momentum, mu_d[j], var, m);
    }
    for (int b = 0; b < n; b++)
        for (int j = 0; j < w; j++) {
            size_t base = ((size_t)b * c + lo + j) * s;
            vec_f vmu = vec_set1(mean[lo + j]), vscale = vec_set1(scale[j]), shift = vec_set1(beta[lo + j]);
            for (int i = 0; i < s; i += VEC_LANES) {
                vec_tail t = vec_tail_of((size_t)(s - i));
                vec_f d = vec_sub(vec_load_tail(x + base + i, t), vmu);
                vec_store_tail(y + base + i, activate(vec_fmadd(d, vscale, shift), act, slope), t);
            }
        }
}

/* batchnorm_fwd_train, then the activation act (< 0: none) on y. */
static inline void fwd_train(int n, int c, int s, const float *x, const float *gamma,
                             const float *beta, float eps, float momentum, int act, float slope_f,
                             float *y, float *mean, float *invstd, float *running_mean,
                             float *running_var)
{
    // x, y (N,C,S); gamma, beta, mean, invstd, running_mean, running_var (C)
    const vec_f slope = vec_set1(slope_f);
    int cb = block_channels(n, c, s), blocks = (c + cb - 1) / cb;
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int k = 0; k < blocks; k++) {
        int lo = k * cb, w = c - lo < cb ? c - lo : cb;
        if (s == 1)
            dense_fwd_block(n, c, lo, w, x, gamma, beta, eps, momentum, act, slope, y, mean,
                            invstd, running_mean, running_var);
        else
            conv_fwd_block(n, c, s, lo, w, x, gamma, beta, eps, momentum, act, slope, y, mean,
                           invstd, running_mean, running_var);
    }
}

void VEC_FN(batchnorm_fwd_train)(int n, int c, int s, const float *x, const float *gamma,
                                 const float *beta, float eps, float momentum, float *y,
                                 float *mean, float *invstd, float *running_mean,
                                 float *running_var)
{
    fwd_train(n, c, s, x, gamma, beta, eps, momentum, -1, 0.0f, y, mean, invstd, running_mean,
              running_var);
}

void VEC_FN(batchnorm_act_fwd_train)(int n, int c, int s, const float *x, const float *gamma,
                                     const float *beta, float eps, kern_act act, float slope,
                                     float *z, float *mean, float *invstd)
{
    fwd_train(n, c, s, x, gamma, beta, eps, 0.0f, (int)act, slope, z, mean, invstd, NULL, NULL);
}

void VEC_FN(batchnorm_fwd_eval)(int n, int c, int s, const float *x, const float *gamma,
                                const float *beta, const float *running_mean,
                                const float *running_var, float eps, float *y)
{
    // x, y (N,C,S); gamma, beta, running_mean, running_var (C)
    if (s == 1) {
        for (int ch = 0; ch < c; ch += VEC_LANES) {
            vec_tail t = vec_tail_of((size_t)(c - ch));
            vec_f is = inv_sqrt(vec_load_tail(running_var + ch, t), eps);
            vec_f scale = vec_mul(vec_load_tail(gamma + ch, t), is);
            vec_f mu = vec_load_tail(running_mean + ch, t), shift = vec_load_tail(beta + ch, t);
            for (int b = 0; b < n; b++) {
                vec_f d = vec_sub(vec_load_tail(x + (size_t)b * c + ch, t), mu);
                vec_store_tail(y + (size_t)b * c + ch, vec_fmadd(d, scale, shift), t);
            }
        }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int row = 0; row < n * c; row++) {
        int ch = row % c;
        float is = (float)(1.0 / sqrt((double)running_var[ch] + (double)eps));
        vec_f mu = vec_set1(running_mean[ch]), scale = vec_set1(gamma[ch] * is);
        vec_f shift = vec_set1(beta[ch]);
        const float *xr = x + (size_t)row * s;
        float *yr = y + (size_t)row * s;
        for (int i = 0; i < s; i += VEC_LANES) {
            vec_tail t = vec_tail_of((size_t)(s - i));
            vec_store_tail(yr + i, vec_fmadd(vec_sub(vec_load_tail(xr + i, t), mu), scale, shift), t);
        }
    }
}

/* dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)), xhat = (x - mean) invstd,
 * with dy gated by z (gate) when z is not NULL. */

/* Dense layout (S == 1): the backward of channels lo..lo+w-1 (whole vectors). */
static void dense_bwd_block(int n, int c, int lo, int w, const float *dy, const float *z, int act,
                            vec_f slope, const float *x, const float *gamma, const float *mean,
                            const float *invstd, float *dx, float *dgamma, float *dbeta)
{
    float sdy[MAX_BLOCK], sdyx[MAX_BLOCK]; /* (w) */
    vec_f inv_m = vec_set1(1.0f / (float)n);
    for (int j = 0; j < w; j += VEC_LANES) vec_store(sdy + j, vec_zero()), vec_store(sdyx + j, vec_zero());
    for (int b = 0; b < n; b++)
        for (int j = 0; j < w; j += VEC_LANES) {
            vec_tail t = vec_tail_of((size_t)(w - j));
            size_t at = (size_t)b * c + lo + j;
            vec_f g = gate(vec_load_tail(dy + at, t), z ? z + at : NULL, t, act, slope);
            vec_f xh = vec_mul(vec_sub(vec_load_tail(x + at, t), vec_load_tail(mean + lo + j, t)), vec_load_tail(invstd + lo + j, t));
            vec_store(sdy + j, vec_add(vec_load(sdy + j), g));
            vec_store(sdyx + j, vec_fmadd(g, xh, vec_load(sdyx + j)));
        }
    float scale[MAX_BLOCK]; /* (w); then sdy, sdyx hold their means */
    for (int j = 0; j < w; j += VEC_LANES) {
        vec_tail t = vec_tail_of((size_t)(w - j));
        vec_store_tail(dbeta + lo + j, vec_add(vec_load_tail(dbeta + lo + j, t), vec_load(sdy + j)), t);
        vec_store_tail(dgamma + lo + j, vec_add(vec_load_tail(dgamma + lo + j, t), vec_load(sdyx + j)), t);
        vec_store(scale + j, vec_mul(vec_load_tail(gamma + lo + j, t), vec_load_tail(invstd + lo + j, t)));
        vec_store(sdy + j, vec_mul(vec_load(sdy + j), inv_m));
        vec_store(sdyx + j, vec_mul(vec_load(sdyx + j), inv_m));
    }
    for (int b = 0; b < n; b++)
        for (int j = 0; j < w; j += VEC_LANES) {
            vec_tail t = vec_tail_of((size_t)(w - j));
            size_t at = (size_t)b * c + lo + j;
            vec_f xh = vec_mul(vec_sub(vec_load_tail(x + at, t), vec_load_tail(mean + lo + j, t)), vec_load_tail(invstd + lo + j, t));
            vec_f g = gate(vec_load_tail(dy + at, t), z ? z + at : NULL, t, act, slope);
            vec_f d = vec_fnmadd(xh, vec_load(sdyx + j), vec_sub(g, vec_load(sdy + j)));
            vec_store_tail(dx + at, vec_mul(vec_load(scale + j), d), t);
        }
}

/* Conv layout (S > 1): the backward of channels lo..lo+w-1. */
static void conv_bwd_block(int n, int c, int s, int lo, int w, const float *dy, const float *z,
                           int act, vec_f slope, const float *x, const float *gamma,
                           const float *mean, const float *invstd, float *dx, float *dgamma,
                           float *dbeta)
{
    double sum_dy[MAX_BLOCK], sum_dyx[MAX_BLOCK]; /* (w) */
    double inv_m = (double)(1.0f / (float)((size_t)n * s));
    for (int j = 0; j < w; j++) sum_dy[j] = sum_dyx[j] = 0.0;
    for (int b = 0; b < n; b++)
        for (int j = 0; j < w; j++) {
            size_t base = ((size_t)b * c + lo + j) * s;
            vec_f mu = vec_set1(mean[lo + j]), is = vec_set1(invstd[lo + j]);
            vec_f sdy = vec_zero(), sdyx = vec_zero();
            for (int i = 0; i < s; i += VEC_LANES) {
                vec_tail t = vec_tail_of((size_t)(s - i));
                /* zero past the tail (so is z: the gate keeps 0): adds g * xh = 0 */
                vec_f g = gate(vec_load_tail(dy + base + i, t), z ? z + base + i : NULL, t, act, slope);
                vec_f xh = vec_mul(vec_sub_tailz(vec_load_tail(x + base + i, t), mu, t), is);
                sdy = vec_add(sdy, g);
                sdyx = vec_fmadd(g, xh, sdyx);
            }
            sum_dy[j] += (double)vec_hsum(sdy);
            sum_dyx[j] += (double)vec_hsum(sdyx);
        }
    for (int j = 0; j < w; j++) {
        dbeta[lo + j] += (float)sum_dy[j];
        dgamma[lo + j] += (float)sum_dyx[j];
    }
    for (int b = 0; b < n; b++)
        for (int j = 0; j < w; j++) {
            size_t base = ((size_t)b * c + lo + j) * s;
            vec_f mu = vec_set1(mean[lo + j]), is = vec_set1(invstd[lo + j]);
            vec_f scale = vec_set1(gamma[lo + j] * invstd[lo + j]);
            vec_f mdy = vec_set1((float)(sum_dy[j] * inv_m)), mdyx = vec_set1((float)(sum_dyx[j] * inv_m));
            for (int i = 0; i < s; i += VEC_LANES) {
                vec_tail t = vec_tail_of((size_t)(s - i));
                vec_f xh = vec_mul(vec_sub(vec_load_tail(x + base + i, t), mu), is);
                vec_f g = gate(vec_load_tail(dy + base + i, t), z ? z + base + i : NULL, t, act, slope);
                vec_f d = vec_fnmadd(xh, mdyx, vec_sub(g, mdy));
                vec_store_tail(dx + base + i, vec_mul(scale, d), t);
            }
        }
}

static inline void bwd(int n, int c, int s, const float *dy, const float *z, int act,
                       float slope_f, const float *x, const float *gamma, const float *mean,
                       const float *invstd, float *dx, float *dgamma, float *dbeta)
{
    // dy, z, x, dx (N,C,S); gamma, mean, invstd, dgamma +=, dbeta += (C)
    const vec_f slope = vec_set1(slope_f);
    int cb = block_channels(n, c, s), blocks = (c + cb - 1) / cb;
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int k = 0; k < blocks; k++) {
        int lo = k * cb, w = c - lo < cb ? c - lo : cb;
        if (s == 1)
            dense_bwd_block(n, c, lo, w, dy, z, act, slope, x, gamma, mean, invstd, dx, dgamma, dbeta);
        else
            conv_bwd_block(n, c, s, lo, w, dy, z, act, slope, x, gamma, mean, invstd, dx, dgamma, dbeta);
    }
}

void VEC_FN(batchnorm_bwd)(int n, int c, int s, const float *dy, const float *x,
                           const float *gamma, const float *mean, const float *invstd,
                           float *dx, float *dgamma, float *dbeta)
{
    bwd(n, c, s, dy, NULL, -1, 0.0f, x, gamma, mean, invstd, dx, dgamma, dbeta);
}

void VEC_FN(batchnorm_act_bwd)(int n, int c, int s, const float *dz, const float *z, kern_act act,
                               float slope, const float *x, const float *gamma, const float *mean,
                               const float *invstd, float *dx, float *dgamma, float *dbeta)
{
    bwd(n, c, s, dz, z, (int)act, slope, x, gamma, mean, invstd, dx, dgamma, dbeta);
}
