/* ops_simd.h: activations, softmax, bias and Adam, written once for every SIMD ISA in the
 * vocabulary of its vec header (VEC_LANES floats per step, the last vector partial: no scalar
 * tail loops). Included by <isa>/ops_<isa>.c after vec_<isa>.h and the thread thresholds
 * PAR_MIN_FLOATS (memory-bound kernels), PAR_MIN_FLOATS_EXP (exp, log, tanh) and
 * PAR_MIN_FLOATS_ADAM: large arrays are split over OpenMP threads in fixed (static) blocks;
 * reductions run in a fixed order per row or channel. */
#include <math.h>

#include "simd/simd_kernels.h"

void VEC_FN(relu_fwd)(size_t n, const float *x, float *y)
{
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += VEC_LANES) {
        vec_tail t = vec_tail_of(n - i);
        vec_store_tail(y + i, vec_max0(vec_load_tail(x + i, t)), t); /* NaN -> 0, as the reference */
    }
}

void VEC_FN(relu_bwd)(size_t n, const float *x, const float *dy, float *dx)
{
    const vec_f zero = vec_zero();
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += VEC_LANES) {
        vec_tail t = vec_tail_of(n - i);
        vec_mask pos = vec_gt(vec_load_tail(x + i, t), zero);
        vec_store_tail(dx + i, vec_keep_if(pos, vec_load_tail(dy + i, t)), t);
    }
}

void VEC_FN(lrelu_fwd)(size_t n, float slope, const float *x, float *y)
{
    const vec_f zero = vec_zero(), a = vec_set1(slope);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += VEC_LANES) {
        vec_tail t = vec_tail_of(n - i);
        vec_f v = vec_load_tail(x + i, t);
        vec_store_tail(y + i, vec_select(vec_gt(v, zero), v, vec_mul(a, v)), t);
    }
}

void VEC_FN(lrelu_bwd)(size_t n, float slope, const float *x, const float *dy, float *dx)
{
    const vec_f zero = vec_zero(), a = vec_set1(slope);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += VEC_LANES) {
        vec_tail t = vec_tail_of(n - i);
        vec_mask pos = vec_gt(vec_load_tail(x + i, t), zero);
        vec_f g = vec_load_tail(dy + i, t);
        vec_store_tail(dx + i, vec_select(pos, g, vec_mul(a, g)), t);
    }
}

void VEC_FN(sigmoid_fwd)(size_t n, const float *x, float *y)
{
    const vec_f one = vec_set1(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_EXP)
    for (size_t i = 0; i < n; i += VEC_LANES) {
        vec_tail t = vec_tail_of(n - i);
        vec_f e = vec_exp(vec_neg(vec_load_tail(x + i, t)));
        vec_store_tail(y + i, vec_div(one, vec_add(one, e)), t);
    }
}

void VEC_FN(sigmoid_bwd)(size_t n, const float *y, const float *dy, float *dx)
{
    const vec_f one = vec_set1(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += VEC_LANES) {
        vec_tail t = vec_tail_of(n - i);
        vec_f v = vec_load_tail(y + i, t), g = vec_load_tail(dy + i, t);
        vec_store_tail(dx + i, vec_mul(vec_mul(g, v), vec_sub(one, v)), t);
    }
}

void VEC_FN(tanh_fwd)(size_t n, const float *x, float *y)
{
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_EXP)
    for (size_t i = 0; i < n; i += VEC_LANES) {
        vec_tail t = vec_tail_of(n - i);
        vec_store_tail(y + i, vec_tanh(vec_load_tail(x + i, t)), t);
    }
}

void VEC_FN(tanh_bwd)(size_t n, const float *y, const float *dy, float *dx)
{
    const vec_f one = vec_set1(1.0f);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS)
    for (size_t i = 0; i < n; i += VEC_LANES) {
        vec_tail t = vec_tail_of(n - i);
        vec_f v = vec_load_tail(y + i, t), g = vec_load_tail(dy + i, t);
        vec_store_tail(dx + i, vec_mul(g, vec_fnmadd(v, v, one)), t); /* dy * (1 - y^2) */
    }
}

/* Maximum of x (cols). */
static float row_max(int cols, const float *x)
{
    vec_f mx = vec_set1(-INFINITY);
#if VEC_TAIL_FILL /* the tail's missing lanes read -inf */
    for (int j = 0; j < cols; j += VEC_LANES)
        mx = vec_max(mx, vec_load_tail_or(x + j, vec_tail_of((size_t)(cols - j)), -INFINITY));
    return vec_hmax(mx);
#else /* full vectors, then the tail lanes one by one */
    int j = 0;
    for (; j + VEC_LANES <= cols; j += VEC_LANES) mx = vec_max(mx, vec_load(x + j));
    float m = vec_hmax(mx);
    for (; j < cols; j++) m = x[j] > m ? x[j] : m;
    return m;
#endif
}

/* The lanes of sum exp(xr - mx) over a row (cols); with yr, each exp is stored there too. */
static inline vec_f row_exp_sum(int cols, const float *xr, vec_f mx, float *yr)
{
    vec_f sum = vec_zero();
    for (int j = 0; j < cols; j += VEC_LANES) {
        vec_tail t = vec_tail_of((size_t)(cols - j));
        vec_f e = vec_exp(vec_sub(vec_load_tail(xr + j, t), mx));
        sum = vec_add(sum, vec_keep(e, t));
        if (yr) vec_store_tail(yr + j, e, t);
    }
    return sum;
}

/* y = softmax(x) row by row, or log softmax when log_out (x, y (rows, cols)). */
static inline void softmax_rows(int rows, int cols, const float *x, float *y, bool log_out)
{
    #pragma omp parallel for schedule(static) if ((size_t)rows * cols >= PAR_MIN_FLOATS_EXP)
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float *yr = y + (size_t)r * cols;
        vec_f mx = vec_set1(row_max(cols, xr)), sum = row_exp_sum(cols, xr, mx, log_out ? NULL : yr);
        /* softmax: exp(x - max) / sum; log softmax: x - lse, lse = max + log(sum) */
        vec_f total = vec_set1(vec_hsum(sum)), lse = log_out ? vec_add(mx, vec_log(total)) : total;
        for (int j = 0; j < cols; j += VEC_LANES) {
            vec_tail t = vec_tail_of((size_t)(cols - j));
            vec_f v = log_out ? vec_sub(vec_load_tail(xr + j, t), lse)
                              : vec_div(vec_load_tail(yr + j, t), total);
            vec_store_tail(yr + j, v, t);
        }
    }
}

void VEC_FN(softmax)(int rows, int cols, const float *x, float *y)
{
    softmax_rows(rows, cols, x, y, false);
}

void VEC_FN(log_softmax)(int rows, int cols, const float *x, float *y)
{
    softmax_rows(rows, cols, x, y, true);
}

void VEC_FN(bias_add)(int n, int c, int s, const float *bias, float *y)
{
    // bias (C), y (N,C,S) +=
    if (s == 1) { /* dense layer: vectorize over channels */
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch += VEC_LANES) {
                vec_tail t = vec_tail_of((size_t)(c - ch));
                float *yb = y + (size_t)b * c + ch;
                vec_store_tail(yb, vec_add(vec_load_tail(yb, t), vec_load_tail(bias + ch, t)), t);
            }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int row = 0; row < n * c; row++) {
        vec_f bv = vec_set1(bias[row % c]);
        float *yr = y + (size_t)row * s;
        for (int i = 0; i < s; i += VEC_LANES) {
            vec_tail t = vec_tail_of((size_t)(s - i));
            vec_store_tail(yr + i, vec_add(vec_load_tail(yr + i, t), bv), t);
        }
    }
}

void VEC_FN(bias_grad)(int n, int c, int s, const float *dy, float *db)
{
    // dy (N,C,S), db (C) +=; each channel is summed by one thread in a fixed order
    if (s == 1) { /* dense layer: VEC_LANES channels per vector, summed over the batch */
        for (int ch = 0; ch < c; ch += VEC_LANES) {
            vec_tail t = vec_tail_of((size_t)(c - ch));
            vec_f acc = vec_zero();
            for (int b = 0; b < n; b++) acc = vec_add(acc, vec_load_tail(dy + (size_t)b * c + ch, t));
            vec_store_tail(db + ch, vec_add(vec_load_tail(db + ch, t), acc), t);
        }
        return;
    }
    #pragma omp parallel for schedule(static) if ((size_t)n * c * s >= PAR_MIN_FLOATS)
    for (int ch = 0; ch < c; ch++) {
        double total = 0.0; /* per-image float partial sums, added in double */
        for (int b = 0; b < n; b++) {
            const float *row = dy + ((size_t)b * c + ch) * s;
            vec_f acc = vec_zero();
            for (int i = 0; i < s; i += VEC_LANES)
                acc = vec_add(acc, vec_load_tail(row + i, vec_tail_of((size_t)(s - i))));
            total += (double)vec_hsum(acc);
        }
        db[ch] += (float)total;
    }
}

void VEC_FN(adam)(size_t n, float *p, const float *g, float *m, float *v, float lr,
                  float beta1, float beta2, float eps, int t)
{
    // p, g, m, v (n); the same operations in the same order as the scalar reference
    float bc1 = (float)(1.0 - pow((double)beta1, t)), bc2 = (float)(1.0 - pow((double)beta2, t));
    const vec_f b1 = vec_set1(beta1), b2 = vec_set1(beta2);
    const vec_f c1 = vec_set1(1.0f - beta1), c2 = vec_set1(1.0f - beta2);
    const vec_f vbc1 = vec_set1(bc1), vbc2 = vec_set1(bc2);
    const vec_f vlr = vec_set1(lr), veps = vec_set1(eps);
    #pragma omp parallel for schedule(static) if (n >= PAR_MIN_FLOATS_ADAM)
    for (size_t i = 0; i < n; i += VEC_LANES) {
        vec_tail k = vec_tail_of(n - i);
        vec_f gi = vec_load_tail(g + i, k);
        vec_f mi = vec_add(vec_mul(b1, vec_load_tail(m + i, k)), vec_mul(c1, gi));
        vec_f vi = vec_add(vec_mul(b2, vec_load_tail(v + i, k)), vec_mul(vec_mul(c2, gi), gi));
        vec_f step = vec_div(vec_mul(vlr, vec_div(mi, vbc1)), vec_add(vec_sqrt(vec_div(vi, vbc2)), veps));
        vec_store_tail(m + i, mi, k);
        vec_store_tail(v + i, vi, k);
        vec_store_tail(p + i, vec_sub(vec_load_tail(p + i, k), step), k);
    }
}
