/* batchnorm_scalar.c: reference batch norm, two-pass statistics in double. */
#include "scalar.h"

#include <math.h>

void batchnorm_fwd_train_scalar(int n, int c, int s, const float *x, const float *gamma,
                                const float *beta, float eps, float momentum, float *y,
                                float *mean, float *invstd, float *running_mean,
                                float *running_var)
{
    // x, y (N,C,S); gamma, beta, mean, invstd, running_mean, running_var (C)
    size_t m = (size_t)n * s;
    for (int ch = 0; ch < c; ch++) {
        double sum = 0.0, sq = 0.0;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < s; i++) sum += (double)x[((size_t)b * c + ch) * s + i];
        double mu = sum / (double)m;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < s; i++) {
                double d = (double)x[((size_t)b * c + ch) * s + i] - mu;
                sq += d * d;
            }
        double var = sq / (double)m;
        double is = 1.0 / sqrt(var + (double)eps);
        double ga = (double)gamma[ch], be = (double)beta[ch];
        mean[ch] = (float)mu;
        invstd[ch] = (float)is;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < s; i++) {
                size_t at = ((size_t)b * c + ch) * s + i;
                y[at] = (float)(ga * ((double)x[at] - mu) * is + be);
            }
        if (running_mean && running_var) {
            double mo = (double)momentum;
            double unbiased = m > 1 ? sq / (double)(m - 1) : var;
            running_mean[ch] = (float)((1.0 - mo) * (double)running_mean[ch] + mo * mu);
            running_var[ch] = (float)((1.0 - mo) * (double)running_var[ch] + mo * unbiased);
        }
    }
}

void batchnorm_fwd_eval_scalar(int n, int c, int s, const float *x, const float *gamma,
                               const float *beta, const float *running_mean,
                               const float *running_var, float eps, float *y)
{
    // x, y (N,C,S); gamma, beta, running_mean, running_var (C)
    for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++) {
            double is = 1.0 / sqrt((double)running_var[ch] + (double)eps);
            double ga = (double)gamma[ch], be = (double)beta[ch], mu = (double)running_mean[ch];
            for (int i = 0; i < s; i++) {
                size_t at = ((size_t)b * c + ch) * s + i;
                y[at] = (float)(ga * ((double)x[at] - mu) * is + be);
            }
        }
}

/* dy at `at`, or with z the activation's backward of it: relu_bwd_scalar / lrelu_bwd_scalar
 * with z for the activation's input (z > 0 exactly where that input is). */
static float gated(const float *dy, const float *z, kern_act act, float slope, size_t at)
{
    if (!z) return dy[at];
    if (act == KERN_ACT_RELU) return z[at] > 0.0f ? dy[at] : 0.0f;
    return z[at] > 0.0f ? dy[at] : slope * dy[at];
}

/* batchnorm_bwd_scalar from dy, gated by z when z is not NULL. */
static void bwd(int n, int c, int s, const float *dy, const float *z, kern_act act, float slope,
                const float *x, const float *gamma, const float *mean, const float *invstd,
                float *dx, float *dgamma, float *dbeta)
{
    // dy, z, x, dx (N,C,S); gamma, mean, invstd, dgamma +=, dbeta += (C)
    size_t m = (size_t)n * s;
    for (int ch = 0; ch < c; ch++) {
        double mu = (double)mean[ch], is = (double)invstd[ch];
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < s; i++) {
                size_t at = ((size_t)b * c + ch) * s + i;
                double g = (double)gated(dy, z, act, slope, at);
                sum_dy += g;
                sum_dy_xhat += g * (((double)x[at] - mu) * is);
            }
        dbeta[ch] += (float)sum_dy;
        dgamma[ch] += (float)sum_dy_xhat;
        /* dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)) */
        double scale = (double)gamma[ch] * is;
        double mdy = sum_dy / (double)m, mdyx = sum_dy_xhat / (double)m;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < s; i++) {
                size_t at = ((size_t)b * c + ch) * s + i;
                double xhat = ((double)x[at] - mu) * is;
                dx[at] = (float)(scale * ((double)gated(dy, z, act, slope, at) - mdy - xhat * mdyx));
            }
    }
}

void batchnorm_bwd_scalar(int n, int c, int s, const float *dy, const float *x,
                          const float *gamma, const float *mean, const float *invstd,
                          float *dx, float *dgamma, float *dbeta)
{
    bwd(n, c, s, dy, NULL, KERN_ACT_RELU, 0.0f, x, gamma, mean, invstd, dx, dgamma, dbeta);
}

void batchnorm_act_fwd_train_scalar(int n, int c, int s, const float *x, const float *gamma,
                                    const float *beta, float eps, kern_act act, float slope,
                                    float *z, float *mean, float *invstd)
{
    // x, z (N,C,S); gamma, beta, mean, invstd (C): the reference is the two kernels in turn
    batchnorm_fwd_train_scalar(n, c, s, x, gamma, beta, eps, 0.0f, z, mean, invstd, NULL, NULL);
    size_t len = (size_t)n * c * s;
    if (act == KERN_ACT_RELU) relu_fwd_scalar(len, z, z);
    else lrelu_fwd_scalar(len, slope, z, z);
}

void batchnorm_act_bwd_scalar(int n, int c, int s, const float *dz, const float *z, kern_act act,
                              float slope, const float *x, const float *gamma, const float *mean,
                              const float *invstd, float *dx, float *dgamma, float *dbeta)
{
    bwd(n, c, s, dz, z, act, slope, x, gamma, mean, invstd, dx, dgamma, dbeta);
}
