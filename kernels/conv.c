/* conv.c: conv geometry, workspace sizing and the transposed convolution built on the conv
 * slots of a kernel table. */
#include "conv_gemm.h"

/* Images per im2col batch: as many as fit in ~4M floats of workspace (at least one), so
 * the GEMM sees a wide N = images * OH * OW. Depends on sizes only, never on timing. */
int conv2d_batch_images(const conv_geom *g, int n)
{
    size_t per_image = ((size_t)g->c * g->kh * g->kw + (size_t)g->k) * g->oh * g->ow;
    size_t cap = (size_t)4 << 20;
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
