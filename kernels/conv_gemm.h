/* conv_gemm.h: convolution as im2col + GEMM, written once and shared by every ISA.
 *
 * An ISA supplies a row copy (im2col) and a row add (col2im) with its intrinsics; the loops
 * over channels, taps and output rows, the zero borders and the batching of images into one
 * wide GEMM live here and in conv.c. */
#ifndef KERNELS_CONV_GEMM_H
#define KERNELS_CONV_GEMM_H

#include <string.h>

#include "kernels.h"

/* Images per im2col batch (depends on sizes only); conv2d_workspace_floats sizes for it. */
int conv2d_batch_images(const conv_geom *g, int n);

typedef void (*sgemm_fn)(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                         const float *a, int lda, const float *b, int ldb, float beta,
                         float *c, int ldc);
/* col (C*KH*KW, OH*OW) with row stride ldcol = patches of img (C,H,W). */
typedef void (*im2col_ld_fn)(const conv_geom *g, const float *img, float *col, size_t ldcol);
/* img (C,H,W) += scatter of col (C*KH*KW, OH*OW) with row stride ldcol. */
typedef void (*col2im_ld_fn)(const conv_geom *g, const float *col, size_t ldcol, float *img);
typedef void (*bias_grad_fn)(int n, int c, int s, const float *dy, float *db);

/* One ISA's pieces of the im2col + GEMM convolution. */
typedef struct conv_gemm_ops {
    sgemm_fn sgemm;
    im2col_ld_fn im2col;
    col2im_ld_fn col2im;
    bias_grad_fn bias_grad;
} conv_gemm_ops;

/* The conv2d_* slots on an ISA's pieces (same contracts as kernels.h). */
void conv2d_fwd_gemm(const conv_gemm_ops *ops, const conv_geom *g, int n, const float *x,
                     const float *w, const float *bias, float *y, float *ws);
void conv2d_bwd_data_gemm(const conv_gemm_ops *ops, const conv_geom *g, int n,
                          const float *dy, const float *w, float *dx, float *ws);
void conv2d_bwd_weights_gemm(const conv_gemm_ops *ops, const conv_geom *g, int n,
                             const float *x, const float *dy, float *dw, float *db, float *ws);

/* dst[o] = src[o * stride] for o < count (im2col), and dst[o * stride] += src[o] (col2im). */
typedef void (*row_copy_fn)(float *dst, const float *src, int count, int stride);
typedef void (*row_add_fn)(float *dst, const float *src, int count, int stride);

/* Outputs o in [*lo, *hi) read input o * stride + off inside [0, len). */
static inline void conv_tap_range(int n_out, int stride, int off, int len, int *lo, int *hi)
{
    *lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
    *hi = len - 1 - off >= 0 ? (len - 1 - off) / stride + 1 : 0;
    if (*hi > n_out) *hi = n_out;
    if (*lo > n_out) *lo = n_out;
    if (*hi < *lo) *hi = *lo;
}

/* im2col with an ISA's row copy (inlined when `copy` is a constant): per (channel, tap,
 * output row) the in-image run is copied, the border outside it set to 0. */
static inline void im2col_rows(const conv_geom *g, const float *img, float *col, size_t ldcol,
                               row_copy_fn copy)
{
    // img (C,H,W), col (C*KH*KW, OH*OW) row stride ldcol
    for (int c = 0; c < g->c; c++)
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                float *row = col + ((size_t)(c * g->kh + i) * g->kw + j) * ldcol;
                int off_x = j - g->pad_l, lo, hi;
                conv_tap_range(g->ow, g->stride, off_x, g->w, &lo, &hi);
                for (int oy = 0; oy < g->oh; oy++) {
                    float *dst = row + (size_t)oy * g->ow;
                    int iy = oy * g->stride - g->pad_t + i;
                    if (iy < 0 || iy >= g->h) {
                        memset(dst, 0, sizeof(float) * (size_t)g->ow);
                        continue;
                    }
                    memset(dst, 0, sizeof(float) * (size_t)lo);
                    copy(dst + lo, img + ((size_t)c * g->h + iy) * g->w + lo * g->stride + off_x,
                         hi - lo, g->stride);
                    memset(dst + hi, 0, sizeof(float) * (size_t)(g->ow - hi));
                }
            }
}

/* col2im with an ISA's row add: the in-image run of each (channel, tap, output row) is
 * added into img, in a fixed order. */
static inline void col2im_rows(const conv_geom *g, const float *col, size_t ldcol, float *img,
                               row_add_fn add)
{
    // col (C*KH*KW, OH*OW) row stride ldcol, img (C,H,W) +=
    for (int c = 0; c < g->c; c++)
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                const float *row = col + ((size_t)(c * g->kh + i) * g->kw + j) * ldcol;
                int off_x = j - g->pad_l, lo, hi;
                conv_tap_range(g->ow, g->stride, off_x, g->w, &lo, &hi);
                if (hi == lo) continue;
                for (int oy = 0; oy < g->oh; oy++) {
                    int iy = oy * g->stride - g->pad_t + i;
                    if (iy < 0 || iy >= g->h) continue;
                    add(img + ((size_t)c * g->h + iy) * g->w + lo * g->stride + off_x,
                        row + (size_t)oy * g->ow + lo, hi - lo, g->stride);
                }
            }
}

#endif
