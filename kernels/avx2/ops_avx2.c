/* ops_avx2.c: AVX2+FMA activations, softmax, bias and Adam.
 * 8 floats per step, the tail with maskload/maskstore (no scalar tail loops). exp, log and
 * tanh are SLEEF's vector functions (1.0-ULP). Large elementwise arrays are split over
 * OpenMP threads in fixed (static) blocks; reductions run in a fixed order per channel. */
#include <math.h>
#include <sleef.h>

#include "ops_avx2.h"

/* Elementwise arrays are split over threads from 128K floats (transcendental kernels from
 * 32K): below that a parallel region costs more than it saves. With the MNIST iteration's
 * activations (0.8M-1.6M floats) serial, the other core's data was pulled across and the
 * iteration ran at 5.14 it/s on 2 threads; threaded from these sizes, 5.41 (median of 5
 * interleaved runs each, AVX-512, Zen 5; AVX2 3.39 -> 3.50). */
#define PAR_MIN_FLOATS ((size_t)1 << 17)
#define PAR_MIN_FLOATS_EXP ((size_t)1 << 15)
/* Adam reads 4 and writes 3 floats per element and divides twice: 6.7M parameters took
 * 7.3 ms on one core (AVX-512, Zen 5), so threads from 1M. */
#define PAR_MIN_FLOATS_ADAM ((size_t)1 << 20)

void relu_fwd_avx2(size_t n, const float *x, float *y)
{
    const __m256 zero = _mm256_setzero_ps();
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 8)
        store8(y + i, _mm256_max_ps(load8(x + i, n - i), zero), n - i); /* NaN -> 0, as the reference */
}

void relu_bwd_avx2(size_t n, const float *x, const float *dy, float *dx)
{
    const __m256 zero = _mm256_setzero_ps();
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 8) {
        __m256 pos = _mm256_cmp_ps(load8(x + i, n - i), zero, _CMP_GT_OQ);
        store8(dx + i, _mm256_and_ps(pos, load8(dy + i, n - i)), n - i);
    }
}

void lrelu_fwd_avx2(size_t n, float slope, const float *x, float *y)
{
    const __m256 zero = _mm256_setzero_ps(), a = _mm256_set1_ps(slope);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 8) {
        __m256 v = load8(x + i, n - i);
        __m256 pos = _mm256_cmp_ps(v, zero, _CMP_GT_OQ);
        store8(y + i, _mm256_blendv_ps(_mm256_mul_ps(a, v), v, pos), n - i);
    }
}

void lrelu_bwd_avx2(size_t n, float slope, const float *x, const float *dy, float *dx)
{
    const __m256 zero = _mm256_setzero_ps(), a = _mm256_set1_ps(slope);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 8) {
        __m256 pos = _mm256_cmp_ps(load8(x + i, n - i), zero, _CMP_GT_OQ);
        __m256 g = load8(dy + i, n - i);
        store8(dx + i, _mm256_blendv_ps(_mm256_mul_ps(a, g), g, pos), n - i);
    }
}

void sigmoid_fwd_avx2(size_t n, const float *x, float *y)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_EXP)
    for (size_t i = 0; i < n; i += 8) {
        __m256 e = Sleef_expf8_u10avx2(_mm256_sub_ps(_mm256_setzero_ps(), load8(x + i, n - i)));
        store8(y + i, _mm256_div_ps(one, _mm256_add_ps(one, e)), n - i);
    }
}

void sigmoid_bwd_avx2(size_t n, const float *y, const float *dy, float *dx)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 8) {
        __m256 v = load8(y + i, n - i), g = load8(dy + i, n - i);
        store8(dx + i, _mm256_mul_ps(_mm256_mul_ps(g, v), _mm256_sub_ps(one, v)), n - i);
    }
}

void tanh_fwd_avx2(size_t n, const float *x, float *y)
{
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_EXP)
    for (size_t i = 0; i < n; i += 8) store8(y + i, Sleef_tanhf8_u10avx2(load8(x + i, n - i)), n - i);
}

void tanh_bwd_avx2(size_t n, const float *y, const float *dy, float *dx)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 8) {
        __m256 v = load8(y + i, n - i), g = load8(dy + i, n - i);
        store8(dx + i, _mm256_mul_ps(g, _mm256_fnmadd_ps(v, v, one)), n - i);
    }
}

/* Row maximum: full vectors, then the tail lanes one by one. */
static float row_max_avx2(int cols, const float *x)
{
    __m256 mx = _mm256_set1_ps(-INFINITY);
    int j = 0;
    for (; j + 8 <= cols; j += 8) mx = _mm256_max_ps(mx, _mm256_loadu_ps(x + j));
    float m = hmax8(mx);
    for (; j < cols; j++) m = x[j] > m ? x[j] : m;
    return m;
}

void softmax_avx2(int rows, int cols, const float *x, float *y)
{
    // x, y (rows, cols)
    #pragma omp parallel for schedule(static) if ((size_t)rows * cols >= PAR_MIN_FLOATS_EXP)
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *yr = y + (size_t)r * cols;
        __m256 mx = _mm256_set1_ps(row_max_avx2(cols, xr)), sum = _mm256_setzero_ps();
        for (int j = 0; j < cols; j += 8) {
            size_t left = (size_t)(cols - j);
            __m256 e = Sleef_expf8_u10avx2(_mm256_sub_ps(load8(xr + j, left), mx));
            sum = _mm256_add_ps(sum, keep8(e, left));
            store8(yr + j, e, left);
        }
        __m256 total = _mm256_set1_ps(hsum8(sum));
        for (int j = 0; j < cols; j += 8) {
            size_t left = (size_t)(cols - j);
            store8(yr + j, _mm256_div_ps(load8(yr + j, left), total), left);
        }
    }
}

void log_softmax_avx2(int rows, int cols, const float *x, float *y)
{
    // x, y (rows, cols)
    #pragma omp parallel for schedule(static) if ((size_t)rows * cols >= PAR_MIN_FLOATS_EXP)
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *yr = y + (size_t)r * cols;
        __m256 mx = _mm256_set1_ps(row_max_avx2(cols, xr)), sum = _mm256_setzero_ps();
        for (int j = 0; j < cols; j += 8) {
            size_t left = (size_t)(cols - j);
            sum = _mm256_add_ps(sum, keep8(Sleef_expf8_u10avx2(_mm256_sub_ps(load8(xr + j, left), mx)), left));
        }
        /* lse = max + log(sum exp(x - max)) */
        __m256 lse = _mm256_add_ps(mx, Sleef_logf8_u10avx2(_mm256_set1_ps(hsum8(sum))));
        for (int j = 0; j < cols; j += 8) {
            size_t left = (size_t)(cols - j);
            store8(yr + j, _mm256_sub_ps(load8(xr + j, left), lse), left);
        }
    }
}

void bias_add_avx2(int n, int c, int s, const float *bias, float *y)
{
    // bias (C), y (N,C,S) +=
    if (s == 1) { /* dense layer: vectorize over channels */
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch += 8) {
                size_t left = (size_t)(c - ch);
                float *yb = y + (size_t)b * c + ch;
                store8(yb, _mm256_add_ps(load8(yb, left), load8(bias + ch, left)), left);
            }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int row = 0; row < n * c; row++) {
        __m256 bv = _mm256_set1_ps(bias[row % c]);
        float *yr = y + (size_t)row * s;
        for (int i = 0; i < s; i += 8) {
            size_t left = (size_t)(s - i);
            store8(yr + i, _mm256_add_ps(load8(yr + i, left), bv), left);
        }
    }
}

void bias_grad_avx2(int n, int c, int s, const float *dy, float *db)
{
    // dy (N,C,S), db (C) +=; each channel is summed by one thread in a fixed order
    if (s == 1) { /* dense layer: 8 channels per vector, summed over the batch */
        for (int ch = 0; ch < c; ch += 8) {
            size_t left = (size_t)(c - ch);
            __m256 acc = _mm256_setzero_ps();
            for (int b = 0; b < n; b++) acc = _mm256_add_ps(acc, load8(dy + (size_t)b * c + ch, left));
            store8(db + ch, _mm256_add_ps(load8(db + ch, left), acc), left);
        }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int ch = 0; ch < c; ch++) {
        double total = 0.0; /* per-image float partial sums, added in double */
        for (int b = 0; b < n; b++) {
            const float *row = dy + ((size_t)b * c + ch) * s;
            __m256 acc = _mm256_setzero_ps();
            for (int i = 0; i < s; i += 8) acc = _mm256_add_ps(acc, load8(row + i, (size_t)(s - i)));
            total += (double)hsum8(acc);
        }
        db[ch] += (float)total;
    }
}

void adam_avx2(size_t n, float *p, const float *g, float *m, float *v, float lr,
               float beta1, float beta2, float eps, int t)
{
    // p, g, m, v (n); the same operations in the same order as the scalar reference
    float bc1 = (float)(1.0 - pow((double)beta1, t)), bc2 = (float)(1.0 - pow((double)beta2, t));
    const __m256 b1 = _mm256_set1_ps(beta1), b2 = _mm256_set1_ps(beta2);
    const __m256 c1 = _mm256_set1_ps(1.0f - beta1), c2 = _mm256_set1_ps(1.0f - beta2);
    const __m256 vbc1 = _mm256_set1_ps(bc1), vbc2 = _mm256_set1_ps(bc2);
    const __m256 vlr = _mm256_set1_ps(lr), veps = _mm256_set1_ps(eps);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_ADAM)
    for (size_t i = 0; i < n; i += 8) {
        size_t left = n - i;
        __m256 gi = load8(g + i, left);
        __m256 mi = _mm256_add_ps(_mm256_mul_ps(b1, load8(m + i, left)), _mm256_mul_ps(c1, gi));
        __m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, load8(v + i, left)), _mm256_mul_ps(_mm256_mul_ps(c2, gi), gi));
        __m256 step = _mm256_div_ps(_mm256_mul_ps(vlr, _mm256_div_ps(mi, vbc1)),
                                    _mm256_add_ps(_mm256_sqrt_ps(_mm256_div_ps(vi, vbc2)), veps));
        store8(m + i, mi, left);
        store8(v + i, vi, left);
        store8(p + i, _mm256_sub_ps(load8(p + i, left), step), left);
    }
}
