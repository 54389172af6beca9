/* ops_scalar.c: reference activations, softmax, bias and Adam. Elementwise kernels read
 * x[i] before writing y[i], so y == x (and dx == dy) is fine. */
#include "scalar.h"

#include <math.h>

void relu_fwd_scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_bwd_scalar(size_t n, const float *x, const float *dy, float *dx)
{
    for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

void lrelu_fwd_scalar(size_t n, float slope, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
}

void lrelu_bwd_scalar(size_t n, float slope, const float *x, const float *dy, float *dx)
{
    for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : slope * dy[i];
}

void sigmoid_fwd_scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++) y[i] = (float)(1.0 / (1.0 + exp(-(double)x[i])));
}

void sigmoid_bwd_scalar(size_t n, const float *y, const float *dy, float *dx)
{
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

void tanh_fwd_scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++) y[i] = (float)tanh((double)x[i]);
}

void tanh_bwd_scalar(size_t n, const float *y, const float *dy, float *dx)
{
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

/* Sets *mx to the row's maximum and returns sum exp(xr - mx) (cols), in double. */
static double row_exp_sum(int cols, const float *xr, float *mx)
{
    *mx = -INFINITY;
    for (int j = 0; j < cols; j++) *mx = xr[j] > *mx ? xr[j] : *mx;
    double sum = 0.0;
    for (int j = 0; j < cols; j++) sum += exp((double)xr[j] - (double)*mx);
    return sum;
}

/* y = softmax(x) row by row, or log softmax when log_out (x, y (rows, cols)). */
static void softmax_rows(int rows, int cols, const float *x, float *y, bool log_out)
{
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *yr = y + (size_t)r * cols;
        float mx;
        double sum = row_exp_sum(cols, xr, &mx);
        double lse = (double)mx + log(sum);
        for (int j = 0; j < cols; j++)
            yr[j] = log_out ? (float)((double)xr[j] - lse) : (float)(exp((double)xr[j] - (double)mx) / sum);
    }
}

void softmax_scalar(int rows, int cols, const float *x, float *y)
{
    softmax_rows(rows, cols, x, y, false);
}

void log_softmax_scalar(int rows, int cols, const float *x, float *y)
{
    softmax_rows(rows, cols, x, y, true);
}

void bias_add_scalar(int n, int c, int s, const float *bias, float *y)
{
    // bias (C), y (N,C,S) +=
    for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < s; i++) y[((size_t)b * c + ch) * s + i] += bias[ch];
}

void bias_grad_scalar(int n, int c, int s, const float *dy, float *db)
{
    // dy (N,C,S), db (C) +=
    for (int ch = 0; ch < c; ch++) {
        double acc = 0.0;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < s; i++) acc += (double)dy[((size_t)b * c + ch) * s + i];
        db[ch] += (float)acc;
    }
}

void adam_scalar(size_t n, float *p, const float *g, float *m, float *v, float lr,
                 float beta1, float beta2, float eps, int t)
{
    // p, g, m, v (n)
    float bc1 = (float)(1.0 - pow((double)beta1, t)), bc2 = (float)(1.0 - pow((double)beta2, t));
    for (size_t i = 0; i < n; i++) {
        m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        p[i] -= lr * (m[i] / bc1) / (sqrtf(v[i] / bc2) + eps);
    }
}
