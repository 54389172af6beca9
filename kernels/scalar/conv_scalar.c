/* conv_scalar.c: reference im2col/col2im and direct convolutions (nested loops, double
 * accumulators, gather form so every output is one sum). */
#include "scalar.h"

void im2col_scalar(const conv_geom *g, const float *img, float *col)
{
    // img (C,H,W), col (C*KH*KW, OH*OW)
    size_t p = (size_t)g->oh * g->ow;
    for (int c = 0; c < g->c; c++)
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                float *row = col + ((size_t)(c * g->kh + i) * g->kw + j) * p;
                for (int oy = 0; oy < g->oh; oy++)
                    for (int ox = 0; ox < g->ow; ox++) {
                        int iy = oy * g->stride - g->pad_t + i, ix = ox * g->stride - g->pad_l + j;
                        bool inside = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w;
                        row[oy * g->ow + ox] = inside ? img[((size_t)c * g->h + iy) * g->w + ix] : 0.0f;
                    }
            }
}

void col2im_scalar(const conv_geom *g, const float *col, float *img)
{
    // col (C*KH*KW, OH*OW), img (C,H,W) +=
    size_t p = (size_t)g->oh * g->ow;
    for (int c = 0; c < g->c; c++)
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                const float *row = col + ((size_t)(c * g->kh + i) * g->kw + j) * p;
                for (int oy = 0; oy < g->oh; oy++)
                    for (int ox = 0; ox < g->ow; ox++) {
                        int iy = oy * g->stride - g->pad_t + i, ix = ox * g->stride - g->pad_l + j;
                        if (iy >= 0 && iy < g->h && ix >= 0 && ix < g->w)
                            img[((size_t)c * g->h + iy) * g->w + ix] += row[oy * g->ow + ox];
                    }
            }
}

void conv2d_fwd_scalar(const conv_geom *g, int n, const float *x, const float *w,
                       const float *bias, float *y, float *ws)
{
    // x (N,C,H,W), w (K,C,KH,KW), bias (K), y (N,K,OH,OW)
    (void)ws;
    for (int b = 0; b < n; b++)
        for (int k = 0; k < g->k; k++)
            for (int oy = 0; oy < g->oh; oy++)
                for (int ox = 0; ox < g->ow; ox++) {
                    double acc = bias ? (double)bias[k] : 0.0;
                    for (int c = 0; c < g->c; c++)
                        for (int i = 0; i < g->kh; i++)
                            for (int j = 0; j < g->kw; j++) {
                                int iy = oy * g->stride - g->pad_t + i;
                                int ix = ox * g->stride - g->pad_l + j;
                                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
                                acc += (double)x[(((size_t)b * g->c + c) * g->h + iy) * g->w + ix] *
                                       (double)w[(((size_t)k * g->c + c) * g->kh + i) * g->kw + j];
                            }
                    y[(((size_t)b * g->k + k) * g->oh + oy) * g->ow + ox] = (float)acc;
                }
}

void conv2d_bwd_data_scalar(const conv_geom *g, int n, const float *dy, const float *w,
                            float *dx, float *ws)
{
    // dy (N,K,OH,OW), w (K,C,KH,KW), dx (N,C,H,W) overwritten
    (void)ws;
    for (int b = 0; b < n; b++)
        for (int c = 0; c < g->c; c++)
            for (int iy = 0; iy < g->h; iy++)
                for (int ix = 0; ix < g->w; ix++) {
                    double acc = 0.0;
                    for (int i = 0; i < g->kh; i++) {
                        int ty = iy + g->pad_t - i; /* = oy * stride */
                        if (ty < 0 || ty % g->stride || ty / g->stride >= g->oh) continue;
                        for (int j = 0; j < g->kw; j++) {
                            int tx = ix + g->pad_l - j;
                            if (tx < 0 || tx % g->stride || tx / g->stride >= g->ow) continue;
                            int oy = ty / g->stride, ox = tx / g->stride;
                            for (int k = 0; k < g->k; k++)
                                acc += (double)dy[(((size_t)b * g->k + k) * g->oh + oy) * g->ow + ox] *
                                       (double)w[(((size_t)k * g->c + c) * g->kh + i) * g->kw + j];
                        }
                    }
                    dx[(((size_t)b * g->c + c) * g->h + iy) * g->w + ix] = (float)acc;
                }
}

void conv2d_bwd_weights_scalar(const conv_geom *g, int n, const float *x, const float *dy,
                               float *dw, float *db, float *ws)
{
    // x (N,C,H,W), dy (N,K,OH,OW), dw (K,C,KH,KW) +=, db (K) +=
    (void)ws;
    for (int k = 0; k < g->k; k++)
        for (int c = 0; c < g->c; c++)
            for (int i = 0; i < g->kh; i++)
                for (int j = 0; j < g->kw; j++) {
                    double acc = 0.0;
                    for (int b = 0; b < n; b++)
                        for (int oy = 0; oy < g->oh; oy++)
                            for (int ox = 0; ox < g->ow; ox++) {
                                int iy = oy * g->stride - g->pad_t + i;
                                int ix = ox * g->stride - g->pad_l + j;
                                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
                                acc += (double)x[(((size_t)b * g->c + c) * g->h + iy) * g->w + ix] *
                                       (double)dy[(((size_t)b * g->k + k) * g->oh + oy) * g->ow + ox];
                            }
                    dw[(((size_t)k * g->c + c) * g->kh + i) * g->kw + j] += (float)acc;
                }
    if (db) bias_grad_scalar(n, g->k, g->oh * g->ow, dy, db);
}
