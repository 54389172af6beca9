/* conv_avx512.c: AVX-512F im2col/col2im and the im2col + GEMM convolutions.
 * Vectorized: each output row (a strided run of a zero-padded input row), 16 outputs at a
 * time, the tail stored with a mask; stride 1 is a plain copy, stride 2 loads 32 inputs
 * and keeps the even ones (permutex2var), other strides use a masked gather. col2im adds
 * stride-1 runs directly and stride-2 runs by spreading 16 values onto the even lanes of
 * two vectors (permutexvar + masked add); other strides are scalar. */
#include "conv_gemm.h"
#include "gemm.h"
#include "ops_avx512.h"

static void row_copy_avx512(float *dst, const float *prow, int ow, int stride)
{
    if (stride == 1) {
        for (int o = 0; o < ow; o += 16)
            _mm512_mask_storeu_ps(dst + o, tail_mask16((size_t)(ow - o)), _mm512_loadu_ps(prow + o));
    } else if (stride == 2) {
        const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22,
                                               24, 26, 28, 30);
        for (int o = 0; o < ow; o += 16) {
            __m512 lo = _mm512_loadu_ps(prow + 2 * o), hi = _mm512_loadu_ps(prow + 2 * o + 16);
            _mm512_mask_storeu_ps(dst + o, tail_mask16((size_t)(ow - o)), _mm512_permutex2var_ps(lo, even, hi));
        }
    } else {
        const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        const __m512i step = _mm512_mullo_epi32(lane, _mm512_set1_epi32(stride));
        for (int o = 0; o < ow; o += 16) {
            __mmask16 m = tail_mask16((size_t)(ow - o));
            __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, step, prow + (size_t)o * stride, 4);
            _mm512_mask_storeu_ps(dst + o, m, v);
        }
    }
}

static void row_add_avx512(float *prow, const float *src, int ow, int stride)
{
    if (stride == 1) {
        for (int o = 0; o < ow; o += 16) {
            __m512 s = _mm512_maskz_loadu_ps(tail_mask16((size_t)(ow - o)), src + o);
            _mm512_storeu_ps(prow + o, _mm512_add_ps(_mm512_loadu_ps(prow + o), s));
        }
    } else if (stride == 2) {
        const __m512i dup_lo = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        const __m512i dup_hi = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
                                                 14, 14, 15, 15);
        for (int o = 0; o < ow; o += 16) {
            __m512 s = _mm512_maskz_loadu_ps(tail_mask16((size_t)(ow - o)), src + o);
            float *d = prow + 2 * o;
            __m512 lo = _mm512_loadu_ps(d), hi = _mm512_loadu_ps(d + 16);
            _mm512_storeu_ps(d, _mm512_mask_add_ps(lo, 0x5555, lo, _mm512_permutexvar_ps(dup_lo, s)));
            _mm512_storeu_ps(d + 16, _mm512_mask_add_ps(hi, 0x5555, hi, _mm512_permutexvar_ps(dup_hi, s)));
        }
    } else {
        for (int o = 0; o < ow; o++) prow[(size_t)o * stride] += src[o];
    }
}

static void im2col_ld_avx512(const conv_geom *g, const float *img, float *col, size_t ldcol)
{
    im2col_rows(g, img, col, ldcol, row_copy_avx512);
}

static void col2im_ld_avx512(const conv_geom *g, const float *col, size_t ldcol, float *img)
{
    col2im_rows(g, col, ldcol, img, row_add_avx512);
}

static void im2col_avx512(const conv_geom *g, const float *img, float *col)
{
    im2col_ld_avx512(g, img, col, (size_t)g->oh * g->ow);
}

static void col2im_avx512(const conv_geom *g, const float *col, float *img)
{
    col2im_ld_avx512(g, col, (size_t)g->oh * g->ow, img);
}

static const conv_gemm_ops conv_ops_avx512 = {
    .sgemm = sgemm_avx512, .im2col = im2col_ld_avx512, .col2im = col2im_ld_avx512,
    .bias_grad = bias_grad_avx512,
};

static void conv2d_fwd_avx512(const conv_geom *g, int n, const float *x, const float *w,
                              const float *bias, float *y, float *ws)
{
    conv2d_fwd_gemm(&conv_ops_avx512, g, n, x, w, bias, y, ws);
}

static void conv2d_bwd_data_avx512(const conv_geom *g, int n, const float *dy, const float *w,
                                   float *dx, float *ws)
{
    conv2d_bwd_data_gemm(&conv_ops_avx512, g, n, dy, w, dx, ws);
}

static void conv2d_bwd_weights_avx512(const conv_geom *g, int n, const float *x,
                                      const float *dy, float *dw, float *db, float *ws)
{
    conv2d_bwd_weights_gemm(&conv_ops_avx512, g, n, x, dy, dw, db, ws);
}

void kern_fill_conv_avx512(kern_table *t)
{
    t->im2col = im2col_avx512;
    t->col2im = col2im_avx512;
    t->conv2d_fwd = conv2d_fwd_avx512;
    t->conv2d_bwd_data = conv2d_bwd_data_avx512;
    t->conv2d_bwd_weights = conv2d_bwd_weights_avx512;
}
