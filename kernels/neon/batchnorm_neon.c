/* batchnorm_neon.c: NEON batch norm forward (train, eval) and backward.
 * Conv layout (S > 1): per channel, 4 positions per step, the partial vector through a
 * scratch buffer; each image's run is summed in float lanes and the per-image sums are
 * added in double, in a fixed order. Dense layout (S == 1): 4 channels per vector, summed over the batch. Channels
 * are split over OpenMP threads statically, so the bits never depend on the thread count. */
#include <math.h>

#include "ops_neon.h"

/* Channels are split over threads from this many floats (about a millisecond of work). */
#define PAR_MIN_FLOATS ((size_t)1 << 22)

/* Sum of x over the images' runs of channel ch (mu == NULL), or of (x - mu)^2. */
static double channel_sum(int n, int c, int s, int ch, const float *x, const float *mu)
{
    double total = 0.0;
    float32x4_t vm = vdupq_n_f32(mu ? *mu : 0.0f);
    for (int b = 0; b < n; b++) {
        const float *row = x + ((size_t)b * c + ch) * s;
        float32x4_t acc = vdupq_n_f32(0.0f);
        for (int i = 0; i < s; i += 4) {
            size_t left = (size_t)(s - i);
            float32x4_t v = load4(row + i, left);
            if (mu) {
                float32x4_t d = keep4(vsubq_f32(v, vm), left);
                acc = vfmaq_f32(acc, d, d);
            } else {
                acc = vaddq_f32(acc, v);
            }
        }
        total += (double)vaddvq_f32(acc);
    }
    return total;
}

static void update_running(float *running_mean, float *running_var, int ch, float momentum,
                           double mu, double var, size_t m)
{
    if (!running_mean || !running_var) return;
    double mo = (double)momentum, unbiased = m > 1 ? var * (double)m / (double)(m - 1) : var;
    running_mean[ch] = (float)((1.0 - mo) * (double)running_mean[ch] + mo * mu);
    running_var[ch] = (float)((1.0 - mo) * (double)running_var[ch] + mo * unbiased);
}

/* Dense layout: mean and biased variance of 4 channels from ch, over the batch. */
static void dense_stats(int n, int c, int ch, const float *x, float32x4_t *mean, float32x4_t *var)
{
    size_t left = (size_t)(c - ch);
    float32x4_t sum = vdupq_n_f32(0.0f), sq = vdupq_n_f32(0.0f), inv_n = vdupq_n_f32(1.0f / (float)n);
    for (int b = 0; b < n; b++) sum = vaddq_f32(sum, load4(x + (size_t)b * c + ch, left));
    *mean = vmulq_f32(sum, inv_n);
    for (int b = 0; b < n; b++) {
        float32x4_t d = vsubq_f32(load4(x + (size_t)b * c + ch, left), *mean);
        sq = vfmaq_f32(sq, d, d);
    }
    *var = vmulq_f32(sq, inv_n);
}

static float32x4_t inv_sqrt4(float32x4_t var, float eps)
{
    return vdivq_f32(vdupq_n_f32(1.0f), vsqrtq_f32(vaddq_f32(var, vdupq_n_f32(eps))));
}

void batchnorm_fwd_train_neon(int n, int c, int s, const float *x, const float *gamma,
                              const float *beta, float eps, float momentum, float *y,
                              float *mean, float *invstd, float *running_mean,
                              float *running_var)
{
    // x, y (N,C,S); gamma, beta, mean, invstd, running_mean, running_var (C)
    size_t m = (size_t)n * s;
    if (s == 1) {
        for (int ch = 0; ch < c; ch += 4) {
            size_t left = (size_t)(c - ch);
            float32x4_t mu, var;
            dense_stats(n, c, ch, x, &mu, &var);
            float32x4_t is = inv_sqrt4(var, eps);
            float32x4_t scale = vmulq_f32(load4(gamma + ch, left), is), shift = load4(beta + ch, left);
            for (int b = 0; b < n; b++) {
                float32x4_t d = vsubq_f32(load4(x + (size_t)b * c + ch, left), mu);
                store4(y + (size_t)b * c + ch, vfmaq_f32(shift, d, scale), left);
            }
            store4(mean + ch, mu, left);
            store4(invstd + ch, is, left);
            float mus[4], vars[4];
            vst1q_f32(mus, mu);
            vst1q_f32(vars, var);
            for (int j = 0; j < 4 && ch + j < c; j++)
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
        float32x4_t vmu = vdupq_n_f32(muf), scale = vdupq_n_f32(gamma[ch] * is);
        float32x4_t shift = vdupq_n_f32(beta[ch]);
        for (int b = 0; b < n; b++) {
            const float *xr = x + ((size_t)b * c + ch) * s;
            float *yr = y + ((size_t)b * c + ch) * s;
            for (int i = 0; i < s; i += 4) {
                size_t left = (size_t)(s - i);
                float32x4_t d = vsubq_f32(load4(xr + i, left), vmu);
                store4(yr + i, vfmaq_f32(shift, d, scale), left);
            }
        }
    }
}

void batchnorm_fwd_eval_neon(int n, int c, int s, const float *x, const float *gamma,
                             const float *beta, const float *running_mean,
                             const float *running_var, float eps, float *y)
{
    // x, y (N,C,S); gamma, beta, running_mean, running_var (C)
    if (s == 1) {
        for (int ch = 0; ch < c; ch += 4) {
            size_t left = (size_t)(c - ch);
            float32x4_t is = inv_sqrt4(load4(running_var + ch, left), eps);
            float32x4_t scale = vmulq_f32(load4(gamma + ch, left), is);
            float32x4_t mu = load4(running_mean + ch, left), shift = load4(beta + ch, left);
            for (int b = 0; b < n; b++) {
                float32x4_t d = vsubq_f32(load4(x + (size_t)b * c + ch, left), mu);
                store4(y + (size_t)b * c + ch, vfmaq_f32(shift, d, scale), left);
            }
        }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int row = 0; row < n * c; row++) {
        int ch = row % c;
        float is = (float)(1.0 / sqrt((double)running_var[ch] + (double)eps));
        float32x4_t mu = vdupq_n_f32(running_mean[ch]), scale = vdupq_n_f32(gamma[ch] * is);
        float32x4_t shift = vdupq_n_f32(beta[ch]);
        const float *xr = x + (size_t)row * s;
        float *yr = y + (size_t)row * s;
        for (int i = 0; i < s; i += 4) {
            size_t left = (size_t)(s - i);
            store4(yr + i, vfmaq_f32(shift, vsubq_f32(load4(xr + i, left), mu), scale), left);
        }
    }
}

void batchnorm_bwd_neon(int n, int c, int s, const float *dy, const float *x,
                        const float *gamma, const float *mean, const float *invstd,
                        float *dx, float *dgamma, float *dbeta)
{
    // dy, x, dx (N,C,S); gamma, mean, invstd, dgamma +=, dbeta += (C)
    /* dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)), xhat = (x - mean) invstd */
    float inv_m = 1.0f / (float)((size_t)n * s);
    if (s == 1) {
        for (int ch = 0; ch < c; ch += 4) {
            size_t left = (size_t)(c - ch);
            float32x4_t mu = load4(mean + ch, left), is = load4(invstd + ch, left);
            float32x4_t sdy = vdupq_n_f32(0.0f), sdyx = vdupq_n_f32(0.0f);
            for (int b = 0; b < n; b++) {
                size_t at = (size_t)b * c + ch;
                float32x4_t g = load4(dy + at, left);
                float32x4_t xh = vmulq_f32(vsubq_f32(load4(x + at, left), mu), is);
                sdy = vaddq_f32(sdy, g);
                sdyx = vfmaq_f32(sdyx, g, xh);
            }
            store4(dbeta + ch, vaddq_f32(load4(dbeta + ch, left), sdy), left);
            store4(dgamma + ch, vaddq_f32(load4(dgamma + ch, left), sdyx), left);
            float32x4_t scale = vmulq_f32(load4(gamma + ch, left), is);
            float32x4_t mdy = vmulq_f32(sdy, vdupq_n_f32(inv_m)), mdyx = vmulq_f32(sdyx, vdupq_n_f32(inv_m));
            for (int b = 0; b < n; b++) {
                size_t at = (size_t)b * c + ch;
                float32x4_t xh = vmulq_f32(vsubq_f32(load4(x + at, left), mu), is);
                float32x4_t t = vfmsq_f32(vsubq_f32(load4(dy + at, left), mdy), xh, mdyx);
                store4(dx + at, vmulq_f32(scale, t), left);
            }
        }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int ch = 0; ch < c; ch++) {
        float32x4_t mu = vdupq_n_f32(mean[ch]), is = vdupq_n_f32(invstd[ch]);
        double sum_dy = 0.0, sum_dyx = 0.0;
        for (int b = 0; b < n; b++) {
            size_t base = ((size_t)b * c + ch) * s;
            float32x4_t sdy = vdupq_n_f32(0.0f), sdyx = vdupq_n_f32(0.0f);
            for (int i = 0; i < s; i += 4) {
                size_t left = (size_t)(s - i);
                float32x4_t g = load4(dy + base + i, left); /* zero past the tail, so no mask below */
                float32x4_t xh = vmulq_f32(vsubq_f32(load4(x + base + i, left), mu), is);
                sdy = vaddq_f32(sdy, g);
                sdyx = vfmaq_f32(sdyx, g, xh);
            }
            sum_dy += (double)vaddvq_f32(sdy);
            sum_dyx += (double)vaddvq_f32(sdyx);
        }
        dbeta[ch] += (float)sum_dy;
        dgamma[ch] += (float)sum_dyx;
        float32x4_t scale = vdupq_n_f32(gamma[ch] * invstd[ch]);
        float32x4_t mdy = vdupq_n_f32((float)(sum_dy * (double)inv_m)), mdyx = vdupq_n_f32((float)(sum_dyx * (double)inv_m));
        for (int b = 0; b < n; b++) {
            size_t base = ((size_t)b * c + ch) * s;
            for (int i = 0; i < s; i += 4) {
                size_t left = (size_t)(s - i);
                float32x4_t xh = vmulq_f32(vsubq_f32(load4(x + base + i, left), mu), is);
                float32x4_t t = vfmsq_f32(vsubq_f32(load4(dy + base + i, left), mdy), xh, mdyx);
                store4(dx + base + i, vmulq_f32(scale, t), left);
            }
        }
    }
}
