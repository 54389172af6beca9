/* ops_neon.c: NEON activations, softmax, bias and Adam.
 * 4 floats per step, the partial last vector through a scratch buffer. exp, log and tanh
 * are SLEEF's vector functions (1.0-ULP). Large elementwise arrays are split over OpenMP
 * threads in fixed (static) blocks; reductions run in a fixed order per channel. */
#include <math.h>
#include <sleef.h>

#include "ops_neon.h"

/* Threads only for arrays that take about a millisecond on one core: on a loaded machine a
 * parallel region can wait a whole scheduler slice for its second thread. Memory-bound
 * kernels (ReLU, bias, Adam) need this many floats; transcendental ones (exp, tanh) fewer. */
#define PAR_MIN_FLOATS ((size_t)1 << 23)
#define PAR_MIN_FLOATS_EXP ((size_t)1 << 21)

void relu_fwd_neon(size_t n, const float *x, float *y)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 4) {
        float32x4_t v = load4(x + i, n - i);
        store4(y + i, vbslq_f32(vcgtq_f32(v, zero), v, zero), n - i); /* NaN -> 0, as the reference */
    }
}

void relu_bwd_neon(size_t n, const float *x, const float *dy, float *dx)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 4) {
        uint32x4_t pos = vcgtq_f32(load4(x + i, n - i), zero);
        store4(dx + i, vbslq_f32(pos, load4(dy + i, n - i), zero), n - i);
    }
}

void lrelu_fwd_neon(size_t n, float slope, const float *x, float *y)
{
    const float32x4_t zero = vdupq_n_f32(0.0f), a = vdupq_n_f32(slope);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 4) {
        float32x4_t v = load4(x + i, n - i);
        store4(y + i, vbslq_f32(vcgtq_f32(v, zero), v, vmulq_f32(a, v)), n - i);
    }
}

void lrelu_bwd_neon(size_t n, float slope, const float *x, const float *dy, float *dx)
{
    const float32x4_t zero = vdupq_n_f32(0.0f), a = vdupq_n_f32(slope);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 4) {
        uint32x4_t pos = vcgtq_f32(load4(x + i, n - i), zero);
        float32x4_t g = load4(dy + i, n - i);
        store4(dx + i, vbslq_f32(pos, g, vmulq_f32(a, g)), n - i);
    }
}

void sigmoid_fwd_neon(size_t n, const float *x, float *y)
{
    const float32x4_t one = vdupq_n_f32(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_EXP)
    for (size_t i = 0; i < n; i += 4) {
        float32x4_t e = Sleef_expf4_u10advsimd(vnegq_f32(load4(x + i, n - i)));
        store4(y + i, vdivq_f32(one, vaddq_f32(one, e)), n - i);
    }
}

void sigmoid_bwd_neon(size_t n, const float *y, const float *dy, float *dx)
{
    const float32x4_t one = vdupq_n_f32(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 4) {
        float32x4_t v = load4(y + i, n - i), g = load4(dy + i, n - i);
        store4(dx + i, vmulq_f32(vmulq_f32(g, v), vsubq_f32(one, v)), n - i);
    }
}

void tanh_fwd_neon(size_t n, const float *x, float *y)
{
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_EXP)
    for (size_t i = 0; i < n; i += 4) store4(y + i, Sleef_tanhf4_u10advsimd(load4(x + i, n - i)), n - i);
}

void tanh_bwd_neon(size_t n, const float *y, const float *dy, float *dx)
{
    const float32x4_t one = vdupq_n_f32(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 4) {
        float32x4_t v = load4(y + i, n - i), g = load4(dy + i, n - i);
        store4(dx + i, vmulq_f32(g, vfmsq_f32(one, v, v)), n - i); /* dy * (1 - y^2) */
    }
}

/* Row maximum: full vectors, then the tail one by one. */
static float row_max_neon(int cols, const float *x)
{
    float32x4_t mx = vdupq_n_f32(-INFINITY);
    int j = 0;
    for (; j + 4 <= cols; j += 4) mx = vmaxq_f32(mx, vld1q_f32(x + j));
    float m = vmaxvq_f32(mx);
    for (; j < cols; j++) m = x[j] > m ? x[j] : m;
    return m;
}

void softmax_neon(int rows, int cols, const float *x, float *y)
{
    // x, y (rows, cols)
    #pragma omp parallel for schedule(static) if ((size_t)rows * cols >= PAR_MIN_FLOATS_EXP)
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *yr = y + (size_t)r * cols;
        float32x4_t mx = vdupq_n_f32(row_max_neon(cols, xr)), sum = vdupq_n_f32(0.0f);
        for (int j = 0; j < cols; j += 4) {
            size_t left = (size_t)(cols - j);
            float32x4_t e = Sleef_expf4_u10advsimd(vsubq_f32(load4(xr + j, left), mx));
            sum = vaddq_f32(sum, keep4(e, left));
            store4(yr + j, e, left);
        }
        float32x4_t total = vdupq_n_f32(vaddvq_f32(sum));
        for (int j = 0; j < cols; j += 4) {
            size_t left = (size_t)(cols - j);
            store4(yr + j, vdivq_f32(load4(yr + j, left), total), left);
        }
    }
}

void log_softmax_neon(int rows, int cols, const float *x, float *y)
{
    // x, y (rows, cols)
    #pragma omp parallel for schedule(static) if ((size_t)rows * cols >= PAR_MIN_FLOATS_EXP)
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *yr = y + (size_t)r * cols;
        float32x4_t mx = vdupq_n_f32(row_max_neon(cols, xr)), sum = vdupq_n_f32(0.0f);
        for (int j = 0; j < cols; j += 4) {
            size_t left = (size_t)(cols - j);
            sum = vaddq_f32(sum, keep4(Sleef_expf4_u10advsimd(vsubq_f32(load4(xr + j, left), mx)), left));
        }
        /* lse = max + log(sum exp(x - max)) */
        float32x4_t lse = vaddq_f32(mx, Sleef_logf4_u10advsimd(vdupq_n_f32(vaddvq_f32(sum))));
        for (int j = 0; j < cols; j += 4) {
            size_t left = (size_t)(cols - j);
            store4(yr + j, vsubq_f32(load4(xr + j, left), lse), left);
        }
    }
}

void bias_add_neon(int n, int c, int s, const float *bias, float *y)
{
    // bias (C), y (N,C,S) +=
    if (s == 1) { /* dense layer: vectorize over channels */
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch += 4) {
                size_t left = (size_t)(c - ch);
                float *yb = y + (size_t)b * c + ch;
                store4(yb, vaddq_f32(load4(yb, left), load4(bias + ch, left)), left);
            }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int row = 0; row < n * c; row++) {
        float32x4_t bv = vdupq_n_f32(bias[row % c]);
        float *yr = y + (size_t)row * s;
        for (int i = 0; i < s; i += 4) {
            size_t left = (size_t)(s - i);
            store4(yr + i, vaddq_f32(load4(yr + i, left), bv), left);
        }
    }
}

void bias_grad_neon(int n, int c, int s, const float *dy, float *db)
{
    // dy (N,C,S), db (C) +=; each channel is summed by one thread in a fixed order
    if (s == 1) { /* dense layer: 4 channels per vector, summed over the batch */
        for (int ch = 0; ch < c; ch += 4) {
            size_t left = (size_t)(c - ch);
            float32x4_t acc = vdupq_n_f32(0.0f);
            for (int b = 0; b < n; b++) acc = vaddq_f32(acc, load4(dy + (size_t)b * c + ch, left));
            store4(db + ch, vaddq_f32(load4(db + ch, left), acc), left);
        }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int ch = 0; ch < c; ch++) {
        double total = 0.0; /* per-image float partial sums, added in double */
        for (int b = 0; b < n; b++) {
            const float *row = dy + ((size_t)b * c + ch) * s;
            float32x4_t acc = vdupq_n_f32(0.0f);
            for (int i = 0; i < s; i += 4) acc = vaddq_f32(acc, load4(row + i, (size_t)(s - i)));
            total += (double)vaddvq_f32(acc);
        }
        db[ch] += (float)total;
    }
}

void adam_neon(size_t n, float *p, const float *g, float *m, float *v, float lr,
               float beta1, float beta2, float eps, int t)
{
    // p, g, m, v (n); the same operations in the same order as the scalar reference
    float bc1 = (float)(1.0 - pow((double)beta1, t)), bc2 = (float)(1.0 - pow((double)beta2, t));
    const float32x4_t b1 = vdupq_n_f32(beta1), b2 = vdupq_n_f32(beta2);
    const float32x4_t c1 = vdupq_n_f32(1.0f - beta1), c2 = vdupq_n_f32(1.0f - beta2);
    const float32x4_t vbc1 = vdupq_n_f32(bc1), vbc2 = vdupq_n_f32(bc2);
    const float32x4_t vlr = vdupq_n_f32(lr), veps = vdupq_n_f32(eps);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 4) {
        size_t left = n - i;
        float32x4_t gi = load4(g + i, left);
        float32x4_t mi = vaddq_f32(vmulq_f32(b1, load4(m + i, left)), vmulq_f32(c1, gi));
        float32x4_t vi = vaddq_f32(vmulq_f32(b2, load4(v + i, left)), vmulq_f32(vmulq_f32(c2, gi), gi));
        float32x4_t step = vdivq_f32(vmulq_f32(vlr, vdivq_f32(mi, vbc1)),
                                     vaddq_f32(vsqrtq_f32(vdivq_f32(vi, vbc2)), veps));
        store4(m + i, mi, left);
        store4(v + i, vi, left);
        store4(p + i, vsubq_f32(load4(p + i, left), step), left);
    }
}
