/* batchnorm_simd.h: batch norm forward (train, eval) and backward, written once for every
 * SIMD ISA in the vocabulary of its vec header (VEC_LANES floats per vector). Included by
 * <isa>/batchnorm_<isa>.c after vec_<isa>.h and PAR_MIN_FLOATS (from how many floats
 * channels are split over threads).
 * Conv layout (S > 1): per channel, VEC_LANES positions per step with a partial last vector;
 * each image's run is summed in float lanes and the per-image sums are added in double, in a
 * fixed order. Dense layout (S == 1): VEC_LANES channels per vector, summed over the batch.
 * Channels (dense: vectors of channels) are split over OpenMP threads statically, so the bits
 * never depend on the thread count. */
#include <math.h>

#include "simd/simd_kernels.h"

/* Sum of x (N,C,S) over the images' runs of channel ch (mu == NULL), or of (x - mu)^2. */
static double channel_sum(int n, int c, int s, int ch, const float *x, const float *mu)
{
    double total = 0.0;
    vec_f vm = vec_set1(mu ? *mu : 0.0f);
    for (int b = 0; b < n; b++) {
        const float *row = x + ((size_t)b * c + ch) * s;
        vec_f acc = vec_zero();
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
        total += (double)vec_hsum(acc);
    }
    return total;
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

/* Dense layout, x (N,C): mean and biased variance of the channels of t from ch, over the batch. */
static void dense_stats(int n, int c, int ch, vec_tail t, const float *x, vec_f *mean, vec_f *var)
{
    vec_f sum = vec_zero(), sq = vec_zero(), inv_n = vec_set1(1.0f / (float)n);
    for (int b = 0; b < n; b++) sum = vec_add(sum, vec_load_tail(x + (size_t)b * c + ch, t));
    *mean = vec_mul(sum, inv_n);
    for (int b = 0; b < n; b++) {
        vec_f d = vec_sub(vec_load_tail(x + (size_t)b * c + ch, t), *mean);
        sq = vec_fmadd(d, d, sq);
    }
    *var = vec_mul(sq, inv_n);
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

/* batchnorm_fwd_train, then the activation act (< 0: none) on y. */
static inline void fwd_train(int n, int c, int s, const float *x, const float *gamma,
                             const float *beta, float eps, float momentum, int act, float slope_f,
                             float *y, float *mean, float *invstd, float *running_mean,
                             float *running_var)
{
    // x, y (N,C,S); gamma, beta, mean, invstd, running_mean, running_var (C)
    size_t m = (size_t)n * s;
    const vec_f slope = vec_set1(slope_f);
    if (s == 1) {
        int vecs = (c + VEC_LANES - 1) / VEC_LANES;
        #pragma omp parallel for schedule(static) if ((size_t)n * c >= PAR_MIN_FLOATS)
        for (int cv = 0; cv < vecs; cv++) {
            int ch = cv * VEC_LANES;
            vec_tail t = vec_tail_of((size_t)(c - ch));
            vec_f mu, var;
            dense_stats(n, c, ch, t, x, &mu, &var);
            vec_f is = inv_sqrt(var, eps);
            vec_f scale = vec_mul(vec_load_tail(gamma + ch, t), is), shift = vec_load_tail(beta + ch, t);
            for (int b = 0; b < n; b++) {
                vec_f d = vec_sub(vec_load_tail(x + (size_t)b * c + ch, t), mu);
                vec_store_tail(y + (size_t)b * c + ch, activate(vec_fmadd(d, scale, shift), act, slope), t);
            }
            vec_store_tail(mean + ch, mu, t);
            vec_store_tail(invstd + ch, is, t);
            float mus[VEC_LANES], vars[VEC_LANES];
            vec_store(mus, mu);
            vec_store(vars, var);
            for (int j = 0; j < VEC_LANES && ch + j < c; j++)
                update_running(running_mean, running_var, ch + j, momentum, (double)mus[j], (double)vars[j], m);
        }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int ch = 0; ch < c; ch++) {
        double mu = channel_sum(n, c, s, ch, x, NULL) / (double)m;
        float muf = (float)mu;
        double var = channel_sum(n, c, s, ch, x, &muf) / (double)m;
        float is = (float)(1.0 / sqrt(var + (double)eps));
        mean[ch] = muf;
        invstd[ch] = is;
        update_running(running_mean, running_var, ch, momentum, mu, var, m);
        vec_f vmu = vec_set1(muf), scale = vec_set1(gamma[ch] * is), shift = vec_set1(beta[ch]);
        for (int b = 0; b < n; b++) {
            const float *xr = x + ((size_t)b * c + ch) * s;
            float *yr = y + ((size_t)b * c + ch) * s;
            for (int i = 0; i < s; i += VEC_LANES) {
                vec_tail t = vec_tail_of((size_t)(s - i));
                vec_f d = vec_sub(vec_load_tail(xr + i, t), vmu);
                vec_store_tail(yr + i, activate(vec_fmadd(d, scale, shift), act, slope), t);
            }
        }
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

/* batchnorm_bwd from dy, gated by z (gate) when z is not NULL. */
static inline void bwd(int n, int c, int s, const float *dy, const float *z, int act,
                       float slope_f, const float *x, const float *gamma, const float *mean,
                       const float *invstd, float *dx, float *dgamma, float *dbeta)
{
    // dy, z, x, dx (N,C,S); gamma, mean, invstd, dgamma +=, dbeta += (C)
    const vec_f slope = vec_set1(slope_f);
    /* dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)), xhat = (x - mean) invstd */
    float inv_m = 1.0f / (float)((size_t)n * s);
    if (s == 1) {
        int vecs = (c + VEC_LANES - 1) / VEC_LANES;
        #pragma omp parallel for schedule(static) if ((size_t)n * c >= PAR_MIN_FLOATS)
        for (int cv = 0; cv < vecs; cv++) {
            int ch = cv * VEC_LANES;
            vec_tail t = vec_tail_of((size_t)(c - ch));
            vec_f mu = vec_load_tail(mean + ch, t), is = vec_load_tail(invstd + ch, t);
            vec_f sdy = vec_zero(), sdyx = vec_zero();
            for (int b = 0; b < n; b++) {
                size_t at = (size_t)b * c + ch;
                vec_f g = gate(vec_load_tail(dy + at, t), z ? z + at : NULL, t, act, slope);
                vec_f xh = vec_mul(vec_sub(vec_load_tail(x + at, t), mu), is);
                sdy = vec_add(sdy, g);
                sdyx = vec_fmadd(g, xh, sdyx);
            }
            vec_store_tail(dbeta + ch, vec_add(vec_load_tail(dbeta + ch, t), sdy), t);
            vec_store_tail(dgamma + ch, vec_add(vec_load_tail(dgamma + ch, t), sdyx), t);
            vec_f scale = vec_mul(vec_load_tail(gamma + ch, t), is);
            vec_f mdy = vec_mul(sdy, vec_set1(inv_m)), mdyx = vec_mul(sdyx, vec_set1(inv_m));
            for (int b = 0; b < n; b++) {
                size_t at = (size_t)b * c + ch;
                vec_f xh = vec_mul(vec_sub(vec_load_tail(x + at, t), mu), is);
                vec_f g = gate(vec_load_tail(dy + at, t), z ? z + at : NULL, t, act, slope);
                vec_f d = vec_fnmadd(xh, mdyx, vec_sub(g, mdy));
                vec_store_tail(dx + at, vec_mul(scale, d), t);
            }
        }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int ch = 0; ch < c; ch++) {
        vec_f mu = vec_set1(mean[ch]), is = vec_set1(invstd[ch]);
        double sum_dy = 0.0, sum_dyx = 0.0;
        for (int b = 0; b < n; b++) {
            size_t base = ((size_t)b * c + ch) * s;
            vec_f sdy = vec_zero(), sdyx = vec_zero();
            for (int i = 0; i < s; i += VEC_LANES) {
                vec_tail t = vec_tail_of((size_t)(s - i));
                /* zero past the tail (so is z: the gate keeps 0): adds g * xh = 0 */
                vec_f g = gate(vec_load_tail(dy + base + i, t), z ? z + base + i : NULL, t, act, slope);
                vec_f xh = vec_mul(vec_sub_tailz(vec_load_tail(x + base + i, t), mu, t), is);
                sdy = vec_add(sdy, g);
                sdyx = vec_fmadd(g, xh, sdyx);
            }
            sum_dy += (double)vec_hsum(sdy);
            sum_dyx += (double)vec_hsum(sdyx);
        }
        dbeta[ch] += (float)sum_dy;
        dgamma[ch] += (float)sum_dyx;
        vec_f scale = vec_set1(gamma[ch] * invstd[ch]);
        vec_f mdy = vec_set1((float)(sum_dy * (double)inv_m)), mdyx = vec_set1((float)(sum_dyx * (double)inv_m));
        for (int b = 0; b < n; b++) {
            size_t base = ((size_t)b * c + ch) * s;
            for (int i = 0; i < s; i += VEC_LANES) {
                vec_tail t = vec_tail_of((size_t)(s - i));
                vec_f xh = vec_mul(vec_sub(vec_load_tail(x + base + i, t), mu), is);
                vec_f g = gate(vec_load_tail(dy + base + i, t), z ? z + base + i : NULL, t, act, slope);
                vec_f d = vec_fnmadd(xh, mdyx, vec_sub(g, mdy));
                vec_store_tail(dx + base + i, vec_mul(scale, d), t);
            }
        }
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
