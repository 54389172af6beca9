/* conv.c: conv geometry, workspace sizing, the im2col + GEMM convolution every ISA wraps,
 * and the transposed convolution built on the conv slots of a kernel table. */
#include "conv_gemm.h"

#include <stdio.h>
#include <stdlib.h>

/* Below this many floats of im2col per batch, threads cost more than they give. */
#define CONV_MIN_PARALLEL_FLOATS (1 << 20)

/* Per-thread padded-row scratch of im2col/col2im, grown on demand, kept across calls. */
static _Thread_local float *row_scratch;
static _Thread_local size_t row_scratch_cap;

float *conv_row_scratch(size_t floats)
{
    if (floats > row_scratch_cap) {
        free(row_scratch);
        size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
        row_scratch = aligned_alloc(64, bytes);
        if (!row_scratch) {
            fprintf(stderr, "error: conv.c: cannot allocate %zu bytes of im2col scratch\n", bytes);
            exit(1);
        }
        row_scratch_cap = floats;
    }
    return row_scratch;
}

/* Images per im2col batch: as many as fit in 256K floats (1 MB) of workspace, at least one,
 * so col and the GEMM's output stay in a core's L2 between im2col, GEMM and col2im (with 4M
 * floats, MNIST conv 2 ran 1.3-2x slower in CPU time) while N = images * OH * OW is still a
 * few hundred. Depends on sizes only, never on timing. */
int conv2d_batch_images(const conv_geom *g, int n)
{
    size_t per_image = ((size_t)g->c * g->kh * g->kw + (size_t)g->k) * g->oh * g->ow;
    size_t cap = (size_t)256 << 10;
    size_t fit = per_image ? cap / per_image : (size_t)n;
    if (fit < 1) fit = 1;
    return fit < (size_t)n ? (int)fit : n;
}

size_t conv2d_workspace_floats(const conv_geom *g, int n)
{
    // col (C*KH*KW, B*OH*OW) and out (K, B*OH*OW) for B = conv2d_batch_images(g, n) images
    int b = n > 0 ? conv2d_batch_images(g, n) : 1;
    return ((size_t)g->c * g->kh * g->kw + (size_t)g->k) * g->oh * g->ow * (size_t)b;
}

conv_geom conv_geom_make(int c, int h, int w, int k, int kh, int kw, int stride, bool same)
{
    conv_geom g = {.c = c, .h = h, .w = w, .k = k, .kh = kh, .kw = kw, .stride = stride};
    if (same) {
        g.oh = (h + stride - 1) / stride;
        g.ow = (w + stride - 1) / stride;
        int pad_h = (g.oh - 1) * stride + kh - h, pad_w = (g.ow - 1) * stride + kw - w;
        g.pad_t = pad_h > 0 ? pad_h / 2 : 0; /* TensorFlow: the odd pixel goes bottom/right */
        g.pad_l = pad_w > 0 ? pad_w / 2 : 0;
    } else {
        g.oh = (h - kh) / stride + 1;
        g.ow = (w - kw) / stride + 1;
    }
    return g;
}

/* im2col of images x[0..nb) (C,H,W each) into col (C*KH*KW, nb*P), image b at column b*P. */
static void im2col_batch(const conv_gemm_ops *ops, const conv_geom *g, int nb, const float *x,
                         float *col)
{
    size_t p = (size_t)g->oh * g->ow, img = (size_t)g->c * g->h * g->w;
    size_t ld = (size_t)nb * p;
    bool par = nb > 1 && ld * g->c * g->kh * g->kw >= CONV_MIN_PARALLEL_FLOATS;
    #pragma omp parallel for schedule(static) if (par)
    for (int b = 0; b < nb; b++) ops->im2col(g, x + b * img, col + b * p, ld);
}

void conv2d_fwd_gemm(const conv_gemm_ops *ops, const conv_geom *g, int n, const float *x,
                     const float *w, const float *bias, float *y, float *ws)
{
    // x (N,C,H,W), w (K,C*KH*KW), bias (K), y (N,K,P) with P = OH*OW
    int ckk = g->c * g->kh * g->kw, bmax = conv2d_batch_images(g, n);
    size_t p = (size_t)g->oh * g->ow, img = (size_t)g->c * g->h * g->w;
    float *col = ws;                                  // col (CKK, nb*P)
    float *out = ws + (size_t)ckk * p * bmax;         // out (K, nb*P)
    for (int b0 = 0; b0 < n; b0 += bmax) {
        int nb = n - b0 < bmax ? n - b0 : bmax;
        int ld = nb * (int)p;
        im2col_batch(ops, g, nb, x + b0 * img, col);
        float *dst = nb == 1 ? y + b0 * g->k * p : out; /* one image: straight into y */
        ops->sgemm(false, false, g->k, ld, ckk, 1.0f, w, ckk, col, ld, 0.0f, dst, ld);
        #pragma omp parallel for schedule(static) if (nb > 1 && (size_t)ld * g->k >= CONV_MIN_PARALLEL_FLOATS)
        for (int b = 0; b < nb; b++)
            for (int k = 0; k < g->k; k++) {
                float *yk = y + ((size_t)(b0 + b) * g->k + k) * p;
                if (nb > 1) memcpy(yk, out + (size_t)k * ld + b * p, sizeof(float) * p);
                if (bias)
                    for (size_t q = 0; q < p; q++) yk[q] += bias[k];
            }
    }
}

void conv2d_bwd_data_gemm(const conv_gemm_ops *ops, const conv_geom *g, int n,
                          const float *dy, const float *w, float *dx, float *ws)
{
    // dy (N,K,P), w (K,C*KH*KW), dx (N,C,H,W) overwritten
    int ckk = g->c * g->kh * g->kw, bmax = conv2d_batch_images(g, n);
    size_t p = (size_t)g->oh * g->ow, img = (size_t)g->c * g->h * g->w;
    float *col = ws;                                  // col (CKK, nb*P)
    float *dyb = ws + (size_t)ckk * p * bmax;         // dyb (K, nb*P)
    for (int b0 = 0; b0 < n; b0 += bmax) {
        int nb = n - b0 < bmax ? n - b0 : bmax;
        int ld = nb * (int)p;
        const float *src = dy + b0 * g->k * p;
        if (nb > 1) {
            for (int b = 0; b < nb; b++)
                for (int k = 0; k < g->k; k++)
                    memcpy(dyb + (size_t)k * ld + b * p, src + ((size_t)b * g->k + k) * p,
                           sizeof(float) * p);
            src = dyb;
        }
        ops->sgemm(true, false, ckk, ld, g->k, 1.0f, w, ckk, src, ld, 0.0f, col, ld);
        bool par = nb > 1 && (size_t)ld * ckk >= CONV_MIN_PARALLEL_FLOATS;
        #pragma omp parallel for schedule(static) if (par)
        for (int b = 0; b < nb; b++) {
            float *dxb = dx + (b0 + b) * img;
            memset(dxb, 0, sizeof(float) * img);
            ops->col2im(g, col + b * p, (size_t)ld, dxb);
        }
    }
}

void conv2d_bwd_weights_gemm(const conv_gemm_ops *ops, const conv_geom *g, int n,
                             const float *x, const float *dy, float *dw, float *db, float *ws)
{
    // x (N,C,H,W), dy (N,K,P), dw (K,C*KH*KW) +=, db (K) +=
    int ckk = g->c * g->kh * g->kw, bmax = conv2d_batch_images(g, n);
    size_t p = (size_t)g->oh * g->ow, img = (size_t)g->c * g->h * g->w;
    float *col = ws;                                  // col (CKK, nb*P)
    float *dyb = ws + (size_t)ckk * p * bmax;         // dyb (K, nb*P)
    for (int b0 = 0; b0 < n; b0 += bmax) {
        int nb = n - b0 < bmax ? n - b0 : bmax;
        int ld = nb * (int)p;
        im2col_batch(ops, g, nb, x + b0 * img, col);
        const float *src = dy + b0 * g->k * p;
        if (nb > 1) {
            for (int b = 0; b < nb; b++)
                for (int k = 0; k < g->k; k++)
                    memcpy(dyb + (size_t)k * ld + b * p, src + ((size_t)b * g->k + k) * p,
                           sizeof(float) * p);
            src = dyb;
        }
        /* dw (K, CKK) += dyb (K, nb*P) col^T (nb*P, CKK) */
        ops->sgemm(false, true, g->k, ckk, ld, 1.0f, src, ld, col, ld, 1.0f, dw, ckk);
    }
    if (db) ops->bias_grad(n, g->k, (int)p, dy, db);
}

void upconv2d_fwd(const kern_table *t, const conv_geom *g, int n, const float *x,
                  const float *w, const float *bias, float *y, float *ws)
{
    // x (N,K,OH,OW), w (K,C,KH,KW), bias (C), y (N,C,H,W)
    t->conv2d_bwd_data(g, n, x, w, y, ws);
    if (bias) t->bias_add(n, g->c, g->h * g->w, bias, y);
}

void upconv2d_bwd_data(const kern_table *t, const conv_geom *g, int n, const float *dy,
                       const float *w, float *dx, float *ws)
{
    // dy (N,C,H,W), w (K,C,KH,KW), dx (N,K,OH,OW)
    t->conv2d_fwd(g, n, dy, w, NULL, dx, ws);
}

void upconv2d_bwd_weights(const kern_table *t, const conv_geom *g, int n, const float *x,
                          const float *dy, float *dw, float *db, float *ws)
{
    // x (N,K,OH,OW), dy (N,C,H,W), dw (K,C,KH,KW) +=, db (C) +=
    t->conv2d_bwd_weights(g, n, dy, x, dw, NULL, ws);
    if (db) t->bias_grad(n, g->c, g->h * g->w, dy, db);
}
