/* ops_avx512.c: AVX-512F activations, softmax, bias and Adam.
 * 16 floats per step, tails with masked loads/stores (no scalar tail loops). exp, log and
 * tanh are SLEEF's vector functions (1.0-ULP). Large elementwise arrays are split over
 * OpenMP threads in fixed (static) blocks; reductions run in a fixed order per channel. */
#include <math.h>
#include <sleef.h>

#include "ops_avx512.h"

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

void relu_fwd_avx512(size_t n, const float *x, float *y)
{
    const __m512 zero = _mm512_setzero_ps();
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask16(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_max_ps(v, zero)); /* NaN -> 0, as the reference */
    }
}

void relu_bwd_avx512(size_t n, const float *x, const float *dy, float *dx)
{
    const __m512 zero = _mm512_setzero_ps();
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask16(n - i);
        __mmask16 pos = _mm512_mask_cmp_ps_mask(m, _mm512_maskz_loadu_ps(m, x + i), zero, _CMP_GT_OQ);
        _mm512_mask_storeu_ps(dx + i, m, _mm512_maskz_loadu_ps(pos, dy + i));
    }
}

void lrelu_fwd_avx512(size_t n, float slope, const float *x, float *y)
{
    const __m512 zero = _mm512_setzero_ps(), a = _mm512_set1_ps(slope);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask16(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        __mmask16 pos = _mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ);
        _mm512_mask_storeu_ps(y + i, m, _mm512_mask_blend_ps(pos, _mm512_mul_ps(a, v), v));
    }
}

void lrelu_bwd_avx512(size_t n, float slope, const float *x, const float *dy, float *dx)
{
    const __m512 zero = _mm512_setzero_ps(), a = _mm512_set1_ps(slope);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask16(n - i);
        __mmask16 pos = _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(m, x + i), zero, _CMP_GT_OQ);
        __m512 g = _mm512_maskz_loadu_ps(m, dy + i);
        _mm512_mask_storeu_ps(dx + i, m, _mm512_mask_blend_ps(pos, _mm512_mul_ps(a, g), g));
    }
}

void sigmoid_fwd_avx512(size_t n, const float *x, float *y)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_EXP)
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask16(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        __m512 e = Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_setzero_ps(), v));
        _mm512_mask_storeu_ps(y + i, m, _mm512_div_ps(one, _mm512_add_ps(one, e)));
    }
}

void sigmoid_bwd_avx512(size_t n, const float *y, const float *dy, float *dx)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask16(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, y + i), g = _mm512_maskz_loadu_ps(m, dy + i);
        _mm512_mask_storeu_ps(dx + i, m, _mm512_mul_ps(_mm512_mul_ps(g, v), _mm512_sub_ps(one, v)));
    }
}

void tanh_fwd_avx512(size_t n, const float *x, float *y)
{
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_EXP)
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask16(n - i);
        _mm512_mask_storeu_ps(y + i, m, Sleef_tanhf16_u10avx512f(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

void tanh_bwd_avx512(size_t n, const float *y, const float *dy, float *dx)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = tail_mask16(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, y + i), g = _mm512_maskz_loadu_ps(m, dy + i);
        _mm512_mask_storeu_ps(dx + i, m, _mm512_mul_ps(g, _mm512_fnmadd_ps(v, v, one)));
    }
}

/* Row maximum; masked-off lanes read -inf. */
static float row_max_avx512(int cols, const float *x)
{
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    __m512 mx = ninf;
    for (int j = 0; j < cols; j += 16)
        mx = _mm512_max_ps(mx, _mm512_mask_loadu_ps(ninf, tail_mask16((size_t)(cols - j)), x + j));
    return _mm512_reduce_max_ps(mx);
}

void softmax_avx512(int rows, int cols, const float *x, float *y)
{
    // x, y (rows, cols)
    #pragma omp parallel for schedule(static) if ((size_t)rows * cols >= PAR_MIN_FLOATS_EXP)
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *yr = y + (size_t)r * cols;
        __m512 mx = _mm512_set1_ps(row_max_avx512(cols, xr)), sum = _mm512_setzero_ps();
        for (int j = 0; j < cols; j += 16) {
            __mmask16 m = tail_mask16((size_t)(cols - j));
            __m512 e = Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, xr + j), mx));
            sum = _mm512_add_ps(sum, _mm512_maskz_mov_ps(m, e));
            _mm512_mask_storeu_ps(yr + j, m, e);
        }
        __m512 total = _mm512_set1_ps(_mm512_reduce_add_ps(sum));
        for (int j = 0; j < cols; j += 16) {
            __mmask16 m = tail_mask16((size_t)(cols - j));
            _mm512_mask_storeu_ps(yr + j, m, _mm512_div_ps(_mm512_maskz_loadu_ps(m, yr + j), total));
        }
    }
}

void log_softmax_avx512(int rows, int cols, const float *x, float *y)
{
    // x, y (rows, cols)
    #pragma omp parallel for schedule(static) if ((size_t)rows * cols >= PAR_MIN_FLOATS_EXP)
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *yr = y + (size_t)r * cols;
        __m512 mx = _mm512_set1_ps(row_max_avx512(cols, xr)), sum = _mm512_setzero_ps();
        for (int j = 0; j < cols; j += 16) {
            __mmask16 m = tail_mask16((size_t)(cols - j));
            __m512 e = Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, xr + j), mx));
            sum = _mm512_add_ps(sum, _mm512_maskz_mov_ps(m, e));
        }
        /* lse = max + log(sum exp(x - max)) */
        __m512 lse = _mm512_add_ps(mx, Sleef_logf16_u10avx512f(_mm512_set1_ps(_mm512_reduce_add_ps(sum))));
        for (int j = 0; j < cols; j += 16) {
            __mmask16 m = tail_mask16((size_t)(cols - j));
            _mm512_mask_storeu_ps(yr + j, m, _mm512_sub_ps(_mm512_maskz_loadu_ps(m, xr + j), lse));
        }
    }
}

void bias_add_avx512(int n, int c, int s, const float *bias, float *y)
{
    // bias (C), y (N,C,S) +=
    if (s == 1) { /* dense layer: vectorize over channels */
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch += 16) {
                __mmask16 m = tail_mask16((size_t)(c - ch));
                float *yb = y + (size_t)b * c + ch;
                _mm512_mask_storeu_ps(yb, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, yb),
                                                           _mm512_maskz_loadu_ps(m, bias + ch)));
            }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int row = 0; row < n * c; row++) {
        __m512 bv = _mm512_set1_ps(bias[row % c]);
        float *yr = y + (size_t)row * s;
        for (int i = 0; i < s; i += 16) {
            __mmask16 m = tail_mask16((size_t)(s - i));
            _mm512_mask_storeu_ps(yr + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, yr + i), bv));
        }
    }
}

void bias_grad_avx512(int n, int c, int s, const float *dy, float *db)
{
    // dy (N,C,S), db (C) +=; each channel is summed by one thread in a fixed order
    if (s == 1) { /* dense layer: 16 channels per vector, summed over the batch */
        for (int ch = 0; ch < c; ch += 16) {
            __mmask16 m = tail_mask16((size_t)(c - ch));
            __m512 acc = _mm512_setzero_ps();
            for (int b = 0; b < n; b++)
                acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m, dy + (size_t)b * c + ch));
            _mm512_mask_storeu_ps(db + ch, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, db + ch), acc));
        }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int ch = 0; ch < c; ch++) {
        double total = 0.0; /* per-image float partial sums, added in double */
        for (int b = 0; b < n; b++) {
            const float *row = dy + ((size_t)b * c + ch) * s;
            __m512 acc = _mm512_setzero_ps();
            for (int i = 0; i < s; i += 16)
                acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(tail_mask16((size_t)(s - i)), row + i));
            total += (double)_mm512_reduce_add_ps(acc);
        }
        db[ch] += (float)total;
    }
}

void adam_avx512(size_t n, float *p, const float *g, float *m, float *v, float lr,
                 float beta1, float beta2, float eps, int t)
{
    // p, g, m, v (n); the same operations in the same order as the scalar reference
    float bc1 = (float)(1.0 - pow((double)beta1, t)), bc2 = (float)(1.0 - pow((double)beta2, t));
    const __m512 b1 = _mm512_set1_ps(beta1), b2 = _mm512_set1_ps(beta2);
    const __m512 c1 = _mm512_set1_ps(1.0f - beta1), c2 = _mm512_set1_ps(1.0f - beta2);
    const __m512 vbc1 = _mm512_set1_ps(bc1), vbc2 = _mm512_set1_ps(bc2);
    const __m512 vlr = _mm512_set1_ps(lr), veps = _mm512_set1_ps(eps);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_ADAM)
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 k = tail_mask16(n - i);
        __m512 gi = _mm512_maskz_loadu_ps(k, g + i);
        __m512 mi = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_maskz_loadu_ps(k, m + i)), _mm512_mul_ps(c1, gi));
        __m512 vi = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_maskz_loadu_ps(k, v + i)),
                                  _mm512_mul_ps(_mm512_mul_ps(c2, gi), gi));
        __m512 step = _mm512_div_ps(_mm512_mul_ps(vlr, _mm512_div_ps(mi, vbc1)),
                                    _mm512_add_ps(_mm512_sqrt_ps(_mm512_div_ps(vi, vbc2)), veps));
        _mm512_mask_storeu_ps(m + i, k, mi);
        _mm512_mask_storeu_ps(v + i, k, vi);
        _mm512_mask_storeu_ps(p + i, k, _mm512_sub_ps(_mm512_maskz_loadu_ps(k, p + i), step));
    }
}
