/* conv_gemm.h: convolution as im2col + GEMM, written once and shared by every ISA.
 *
 * An ISA supplies a row copy (im2col) and a row add (col2im) with its intrinsics; the loops
 * over channels, taps and output rows, the zero-padded row scratch and the batching of
 * images into one wide GEMM live here and in conv.c. */
#ifndef KERNELS_CONV_GEMM_H
#define KERNELS_CONV_GEMM_H

#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "gemm.h"
#include "kernels.h"

/* Images per im2col batch (depends on sizes only); conv2d_workspace_floats sizes for it. */
int conv2d_batch_images(const conv_geom *g, int n);

/* Where im2col puts an image's patches, col (C*KH*KW, OH*OW) at columns q0.. of a wider
 * matrix: row-major with row stride ld (panels NULL), or straight into a GEMM's packed B
 * panels (gemm.h's layout), which spares the GEMM a copy of col: f32 panels, or bfloat16
 * k-pair panels (panels->k_pairs) where the ISA's im2col_pairs says it writes them. */
typedef struct col_dst {
    float *base;
    size_t ld;
    const gemm_b_layout *panels;
    int q0;
} col_dst;
/* im2col of nb images imgs[0..nb) (C,H,W each), image b at columns q0 + b*OH*OW. */
typedef void (*im2col_fn)(const conv_geom *g, int nb, const float *imgs, const col_dst *dst);
/* img (C,H,W) = (add ? img : 0) + scatter of col (C*KH*KW, OH*OW) with row stride ldcol. */
typedef void (*col2im_ld_fn)(const conv_geom *g, const float *col, size_t ldcol, float *img, bool add);
typedef void (*bias_grad_fn)(int n, int c, int s, const float *dy, float *db);

/* Whether im2col writes geometry g's patches of a whole group (q0 = 0) straight into the
 * k-pair panels l (rounded to bfloat16 as the GEMM's packers round them). */
typedef bool (*im2col_pairs_fn)(const conv_geom *g, const gemm_b_layout *l);

/* One ISA's pieces of the im2col + GEMM convolution. */
typedef struct conv_gemm_ops {
    const gemm_config *gemm; /* the ISA's SGEMM on the blocked framework */
    im2col_fn im2col;
    im2col_pairs_fn im2col_pairs; /* NULL: never (then the GEMM packs col) */
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

/* Each ISA's conv2d_* slots on its GEMM, conv2d_fwd_<isa> etc., defined in its conv_<isa>.c
 * by CONV_GEMM_ISA (avx512bf16 and amx: the AVX-512 conv on a bfloat16 GEMM). */
#define CONV_GEMM_DECLARE(isa)                                                                   \
    void conv2d_fwd_##isa(const conv_geom *g, int n, const float *x, const float *w,             \
                          const float *bias, float *y, float *ws);                               \
    void conv2d_bwd_data_##isa(const conv_geom *g, int n, const float *dy, const float *w,       \
                               float *dx, float *ws);                                            \
    void conv2d_bwd_weights_##isa(const conv_geom *g, int n, const float *x, const float *dy,    \
                                  float *dw, float *db, float *ws);
CONV_GEMM_DECLARE(avx2)
CONV_GEMM_DECLARE(avx512)
CONV_GEMM_DECLARE(avx512bf16)
CONV_GEMM_DECLARE(amx)
CONV_GEMM_DECLARE(neon)

/* Defines an ISA's conv on the GEMM of gemm_cfg: its conv_gemm_ops conv_ops_<isa> and the
 * slot functions conv2d_fwd_<isa>, conv2d_bwd_data_<isa>, conv2d_bwd_weights_<isa>. */
#define CONV_GEMM_ISA(isa, gemm_cfg, im2col_fn_, im2col_pairs_fn_, col2im_fn_, bias_grad_fn_)    \
    static const conv_gemm_ops conv_ops_##isa = {                                                \
        .gemm = &(gemm_cfg), .im2col = im2col_fn_, .im2col_pairs = im2col_pairs_fn_,             \
        .col2im = col2im_fn_, .bias_grad = bias_grad_fn_,                                        \
    };                                                                                           \
    void conv2d_fwd_##isa(const conv_geom *g, int n, const float *x, const float *w,             \
                          const float *bias, float *y, float *ws)                                \
    {                                                                                            \
        conv2d_fwd_gemm(&conv_ops_##isa, g, n, x, w, bias, y, ws);                               \
    }                                                                                            \
    void conv2d_bwd_data_##isa(const conv_geom *g, int n, const float *dy, const float *w,       \
                               float *dx, float *ws)                                             \
    {                                                                                            \
        conv2d_bwd_data_gemm(&conv_ops_##isa, g, n, dy, w, dx, ws);                              \
    }                                                                                            \
    void conv2d_bwd_weights_##isa(const conv_geom *g, int n, const float *x, const float *dy,    \
                                  float *dw, float *db, float *ws)                               \
    {                                                                                            \
        conv2d_bwd_weights_gemm(&conv_ops_##isa, g, n, x, dy, dw, db, ws);                       \
    }

/* im2col and col2im work on one channel at a time through a scratch copy of its rows with
 * zero padding on both sides: padded row q holds input column q - pad_l. Then every output
 * row is a plain strided run with no border logic, and vector loads may run up to
 * CONV_ROW_OVERRUN floats past the last tap. */
#define CONV_ROW_OVERRUN 64

/* Floats per padded row. */
static inline int conv_padded_width(const conv_geom *g)
{
    int taps = (g->ow - 1) * g->stride + g->kw, data = g->pad_l + g->w;
    return ((taps > data ? taps : data) + CONV_ROW_OVERRUN + 15) / 16 * 16;
}

/* This thread's scratch of at least `floats` floats, 64-byte aligned, kept across calls. */
float *conv_row_scratch(size_t floats);

/* dst[o] = prow[o * stride] for o < ow (im2col); prow[o * stride] += src[o] (col2im). Both
 * may read (and the add rewrite unchanged) prow up to CONV_ROW_OVERRUN floats past the run;
 * neither touches dst or src past ow. */
typedef void (*row_copy_fn)(float *dst, const float *prow, int ow, int stride);
typedef void (*row_add_fn)(float *prow, const float *src, int ow, int stride);

/* The write position in one row of a col_dst: runs of columns go to `at` onwards, split
 * where a panel of nr columns ends (row-major: never). */
typedef struct col_row {
    float *at;
    int lane, nr;
    size_t next_panel; /* floats from a panel's end in this row to the next panel's start */
} col_row;

static inline col_row col_row_start(const col_dst *d, int r)
{
    if (!d->panels) return (col_row){d->base + r * d->ld + d->q0, 0, INT_MAX, 0};
    const gemm_b_layout *l = d->panels;
    int kc;
    gemm_packed_b_block(l, r, &kc);
    return (col_row){d->base + gemm_packed_b_offset(l, r, d->q0), d->q0 % l->nr, l->nr,
                     (size_t)l->nr * (kc - 1)};
}

/* The next len columns of the row: prow[o * stride] (o < len) by `copy`, or zeros when
 * prow is NULL. */
static inline void col_row_put(col_row *cr, const float *prow, int len, int stride,
                               row_copy_fn copy)
{
    while (len > 0) {
        int n = cr->nr - cr->lane < len ? cr->nr - cr->lane : len;
        if (prow) copy(cr->at, prow, n, stride), prow += (size_t)n * stride;
        else memset(cr->at, 0, sizeof(float) * (size_t)n);
        cr->at += n, cr->lane += n, len -= n;
        if (cr->lane == cr->nr) cr->at += cr->next_panel, cr->lane = 0;
    }
}

/* Rows of pad (H, wp) = channel c of img (C,H,W) at column pad_l (the padding stays zero). */
static inline void pad_channel(const conv_geom *g, const float *img, int c, float *pad, int wp)
{
    for (int iy = 0; iy < g->h; iy++)
        memcpy(pad + (size_t)iy * wp + g->pad_l, img + ((size_t)c * g->h + iy) * g->w,
               sizeof(float) * (size_t)g->w);
}

/* im2col with an ISA's row copy (inlined when `copy` is a constant), image by image. */
static inline void im2col_rows(const conv_geom *g, int nb, const float *imgs, const col_dst *dst,
                               row_copy_fn copy)
{
    // imgs (nb,C,H,W), col (C*KH*KW, nb*OH*OW) at dst, pad (H, wp) scratch
    int wp = conv_padded_width(g);
    float *pad = conv_row_scratch((size_t)g->h * wp);
    memset(pad, 0, sizeof(float) * (size_t)g->h * wp);
    for (int b = 0; b < nb; b++) {
        const float *img = imgs + (size_t)b * g->c * g->h * g->w;
        col_dst d = *dst;
        d.q0 += b * g->oh * g->ow;
        for (int c = 0; c < g->c; c++) {
            pad_channel(g, img, c, pad, wp);
            for (int i = 0; i < g->kh; i++)
                for (int j = 0; j < g->kw; j++) {
                    col_row row = col_row_start(&d, (c * g->kh + i) * g->kw + j);
                    for (int oy = 0; oy < g->oh; oy++) {
                        int iy = oy * g->stride - g->pad_t + i;
                        const float *prow = iy < 0 || iy >= g->h ? NULL : pad + (size_t)iy * wp + j;
                        col_row_put(&row, prow, g->ow, g->stride, copy);
                    }
                }
        }
    }
}

/* col2im with an ISA's row add: per channel the taps are summed into the zeroed padded
 * rows in a fixed order, then the in-image part is added to img (add) or written to it. */
static inline void col2im_rows(const conv_geom *g, const float *col, size_t ldcol, float *img,
                               bool add_to_img, row_add_fn add)
{
    // col (C*KH*KW, OH*OW) row stride ldcol, img (C,H,W) = or +=, pad (H, wp) scratch
    int wp = conv_padded_width(g);
    float *pad = conv_row_scratch((size_t)g->h * wp);
    for (int c = 0; c < g->c; c++) {
        memset(pad, 0, sizeof(float) * (size_t)g->h * wp);
        for (int i = 0; i < g->kh; i++)
            for (int j = 0; j < g->kw; j++) {
                const float *row = col + ((size_t)(c * g->kh + i) * g->kw + j) * ldcol;
                for (int oy = 0; oy < g->oh; oy++) {
                    int iy = oy * g->stride - g->pad_t + i;
                    if (iy >= 0 && iy < g->h)
                        add(pad + (size_t)iy * wp + j, row + (size_t)oy * g->ow, g->ow, g->stride);
                }
            }
        for (int iy = 0; iy < g->h; iy++) {
            float *dst = img + ((size_t)c * g->h + iy) * g->w;
            const float *src = pad + (size_t)iy * wp + g->pad_l;
            /* 0 + src: the bits of adding to a zeroed image (-0 becomes +0) */
            for (int ix = 0; ix < g->w; ix++) dst[ix] = add_to_img ? dst[ix] + src[ix] : 0.0f + src[ix];
        }
    }
}

#endif
