/* conv.c: conv geometry, workspace sizing, the im2col + GEMM convolution every ISA wraps,
 * and the transposed convolution built on the conv slots of a kernel table. */
#include "conv_gemm.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

/* A per-thread buffer grown on demand and kept across calls (64-byte aligned). */
static float *thread_buffer(float **buf, size_t *cap, size_t floats, const char *what)
{
    if (floats > *cap) {
        free(*buf);
        size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
        *buf = aligned_alloc(64, bytes);
        if (!*buf) {
            fprintf(stderr, "error: conv.c: cannot allocate %zu bytes of %s\n", bytes, what);
            exit(1);
        }
        *cap = floats;
    }
    return *buf;
}

static _Thread_local float *row_scratch, *group_scratch;
static _Thread_local size_t row_scratch_cap, group_scratch_cap;

float *conv_row_scratch(size_t floats)
{
    return thread_buffer(&row_scratch, &row_scratch_cap, floats, "im2col row scratch");
}

/* This thread's workspace for one group of images: col (C*KH*KW, nb*P) and the GEMM's
 * other operand (K, nb*P), either of them row-major or in packed B panels (up to
 * GEMM_MAX_NR padding columns). */
typedef struct group_ws {
    float *col, *other;
} group_ws;

static group_ws group_workspace(const conv_geom *g, int bmax)
{
    size_t cols = (size_t)g->oh * g->ow * bmax + GEMM_MAX_NR;
    size_t col_floats = ((size_t)g->c * g->kh * g->kw * cols + 15) / 16 * 16; /* 64-byte aligned */
    float *buf = thread_buffer(&group_scratch, &group_scratch_cap, col_floats + (size_t)g->k * cols,
                               "im2col workspace");
    return (group_ws){buf, buf + col_floats};
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

static int ceil_div_int(int x, int y) { return (x + y - 1) / y; }

size_t conv2d_workspace_floats(const conv_geom *g, int n)
{
    // one group: none; else the packed weights, op(w) (K, C*KH*KW) forward or op(w)^T
    // (C*KH*KW, K) backward data, or dw2 (K, C*KH*KW), the weight gradient of the second
    // half of the groups (no more than either)
    if (ceil_div_int(n, conv2d_batch_images(g, n)) < 2) return 0;
    int ckk = g->c * g->kh * g->kw;
    size_t fwd = gemm_packed_a_floats_max(g->k, ckk), bwd = gemm_packed_a_floats_max(ckk, g->k);
    return fwd > bwd ? fwd : bwd;
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

/* The im2col + GEMM convolutions run on groups of conv2d_batch_images images, each group on
 * one thread from im2col to its outputs with the thread's own L2-sized workspace (one
 * parallel region per call; the GEMM inside is single-threaded then, and threaded when
 * there is one group). With several groups, forward and backward data pack the weights
 * once per call for all groups (into ws), and write im2col (or the gathered dy) straight
 * into the GEMM's packed panels. Groups write disjoint outputs, so forward and backward data give the
 * same bits for any thread count. The weight gradient sums the groups in two fixed halves:
 * the first into dw, the second into ws, added at the end: two threads at most, and the
 * same bits for any thread count. */

/* op(w) (M,K) packed once for the groups' GEMMs, into ws (gemm_packed_a_floats_max(m, k)
 * floats); NULL for a single group, which multiplies by w itself (on all threads). */
static const float *pack_weights(const conv_gemm_ops *ops, int groups, bool trans, int m,
                                 int k, const float *w, int ldw, float *ws)
{
    if (groups < 2) return NULL;
    gemm_pack_a(ops->gemm, trans, m, k, w, ldw, ws);
    return ws;
}

/* Where a group's gathered dy goes: straight into the GEMM's packed B panels when the
 * weights are packed, unless the GEMM packs bfloat16 pairs of k, which the gathering does not
 * write (then row-major, packed by the GEMM). */
static const gemm_b_layout *direct_panels(const conv_gemm_ops *ops, const float *packed,
                                          const gemm_b_layout *panels)
{
    return packed && !ops->gemm->k_pairs ? panels : NULL;
}

/* Where a group's im2col goes: the same, and into k-pair panels where the ISA's im2col
 * writes them for this geometry. */
static const gemm_b_layout *im2col_panels(const conv_gemm_ops *ops, const conv_geom *g,
                                          const float *packed, const gemm_b_layout *panels)
{
    if (packed && panels->k_pairs && ops->im2col_pairs && ops->im2col_pairs(g, panels)) return panels;
    return direct_panels(ops, packed, panels);
}

/* c (M,N) = op(w) (M,K) b (K,N): with the packed op(w) when there is one (several groups),
 * b in packed panels or row-major (panels NULL). */
static void weights_gemm(const conv_gemm_ops *ops, const float *packed, bool trans, int m,
                         int n, int k, const float *w, int ldw, const float *b,
                         const gemm_b_layout *panels, float *c)
{
    if (packed)
        gemm_blocked_packed(ops->gemm, m, n, k, 1.0f, packed, panels ? b : NULL, b, n, 0.0f, c, n);
    else gemm_blocked(ops->gemm, trans, false, m, n, k, 1.0f, w, ldw, b, n, 0.0f, c, n);
}

/* col (CKK, nb*P) = im2col of images x[0..nb) (C,H,W each), image b at column b*P:
 * row-major (panels NULL) or in packed B panels with the padding zeroed. */
static void im2col_group(const conv_gemm_ops *ops, const conv_geom *g, int nb, const float *x,
                         float *col, const gemm_b_layout *panels)
{
    size_t p = (size_t)g->oh * g->ow;
    ops->im2col(g, nb, x, &(col_dst){col, (size_t)nb * p, panels, 0});
    if (panels) gemm_packed_b_zero_padding(panels, col);
}

static void copy_run(float *dst, const float *src, int n, int stride)
{
    (void)stride; /* always 1 */
    memcpy(dst, src, sizeof(float) * (size_t)n);
}

/* dst (K, nb*P) = src (nb, K, P), the images' outputs side by side: row-major (panels NULL)
 * or in packed B panels with the padding zeroed. */
static void gather_images(const conv_geom *g, int nb, const float *src, float *dst,
                          const gemm_b_layout *panels)
{
    int p = g->oh * g->ow;
    for (int b = 0; b < nb; b++)
        for (int k = 0; k < g->k; k++) {
            col_row row = col_row_start(&(col_dst){dst, (size_t)nb * p, panels, b * p}, k);
            col_row_put(&row, src + ((size_t)b * g->k + k) * p, p, 1, copy_run);
        }
    if (panels) gemm_packed_b_zero_padding(panels, dst);
}

void conv2d_fwd_gemm(const conv_gemm_ops *ops, const conv_geom *g, int n, const float *x,
                     const float *w, const float *bias, float *y, float *ws)
{
    // x (N,C,H,W), w (K,C*KH*KW), bias (K), y (N,K,P) with P = OH*OW, ws: op(w) packed
    int ckk = g->c * g->kh * g->kw, bmax = conv2d_batch_images(g, n), groups = ceil_div_int(n, bmax);
    size_t p = (size_t)g->oh * g->ow, img = (size_t)g->c * g->h * g->w;
    const float *packed = pack_weights(ops, groups, false, g->k, ckk, w, ckk, ws);
    #pragma omp parallel for schedule(dynamic, 1) if (groups > 1)
    for (int gi = 0; gi < groups; gi++) {
        int b0 = gi * bmax, nb = n - b0 < bmax ? n - b0 : bmax, ld = nb * (int)p;
        gemm_b_layout layout = gemm_packed_b_layout(ops->gemm, ckk, ld);
        const gemm_b_layout *panels = im2col_panels(ops, g, packed, &layout);
        group_ws ws = group_workspace(g, bmax);
        float *col = ws.col, *out = ws.other;             // col (CKK, nb*P), out (K, nb*P)
        im2col_group(ops, g, nb, x + b0 * img, col, panels);
        float *dst = nb == 1 ? y + b0 * g->k * p : out; /* one image: straight into y */
        weights_gemm(ops, packed, false, g->k, ld, ckk, w, ckk, col, panels, dst);
        for (int b = 0; b < nb; b++)
            for (int k = 0; k < g->k; k++) {
                float *yk = y + ((size_t)(b0 + b) * g->k + k) * p;
                const float *ok = nb > 1 ? out + (size_t)k * ld + b * p : yk;
                if (bias)
                    for (size_t q = 0; q < p; q++) yk[q] = ok[q] + bias[k];
                else if (nb > 1) memcpy(yk, ok, sizeof(float) * p);
            }
    }
}

void conv2d_bwd_data_gemm(const conv_gemm_ops *ops, const conv_geom *g, int n,
                          const float *dy, const float *w, float *dx, float *ws)
{
    // dy (N,K,P), w (K,C*KH*KW), dx (N,C,H,W) overwritten, ws: op(w)^T packed
    int ckk = g->c * g->kh * g->kw, bmax = conv2d_batch_images(g, n), groups = ceil_div_int(n, bmax);
    size_t p = (size_t)g->oh * g->ow, img = (size_t)g->c * g->h * g->w;
    const float *packed = pack_weights(ops, groups, true, ckk, g->k, w, ckk, ws);
    #pragma omp parallel for schedule(dynamic, 1) if (groups > 1)
    for (int gi = 0; gi < groups; gi++) {
        int b0 = gi * bmax, nb = n - b0 < bmax ? n - b0 : bmax, ld = nb * (int)p;
        gemm_b_layout layout = gemm_packed_b_layout(ops->gemm, g->k, ld);
        const gemm_b_layout *panels = direct_panels(ops, packed, &layout);
        group_ws ws = group_workspace(g, bmax);
        float *col = ws.col, *dyb = ws.other;             // col (CKK, nb*P), dyb (K, nb*P)
        const float *src = dy + b0 * g->k * p;
        if (nb > 1 || panels) {
            gather_images(g, nb, src, dyb, panels);
            src = dyb;
        }
        weights_gemm(ops, packed, true, ckk, ld, g->k, w, ckk, src, panels, col);
        for (int b = 0; b < nb; b++) ops->col2im(g, col + b * p, (size_t)ld, dx + (b0 + b) * img, false);
    }
}

/* dw (K, CKK) += the weight gradient of groups [g0, g1), each summed in turn; the first
 * group overwrites dw when `overwrite`. */
static void bwd_weights_groups(const conv_gemm_ops *ops, const conv_geom *g, int n, int g0,
                               int g1, const float *x, const float *dy, float *dw, bool overwrite)
{
    int ckk = g->c * g->kh * g->kw, bmax = conv2d_batch_images(g, n);
    size_t p = (size_t)g->oh * g->ow, img = (size_t)g->c * g->h * g->w;
    group_ws ws = group_workspace(g, bmax);
    float *col = ws.col, *dyb = ws.other;                 // col (CKK, nb*P), dyb (K, nb*P)
    for (int gi = g0; gi < g1; gi++) {
        int b0 = gi * bmax, nb = n - b0 < bmax ? n - b0 : bmax, ld = nb * (int)p;
        im2col_group(ops, g, nb, x + b0 * img, col, NULL);
        const float *src = dy + b0 * g->k * p;
        if (nb > 1) {
            gather_images(g, nb, src, dyb, NULL);
            src = dyb;
        }
        /* dw (K, CKK) += dyb (K, nb*P) col^T (nb*P, CKK) */
        float beta = overwrite && gi == g0 ? 0.0f : 1.0f;
        gemm_blocked(ops->gemm, false, true, g->k, ckk, ld, 1.0f, src, ld, col, ld, beta, dw, ckk);
    }
}

void conv2d_bwd_weights_gemm(const conv_gemm_ops *ops, const conv_geom *g, int n,
                             const float *x, const float *dy, float *dw, float *db, float *ws)
{
    // x (N,C,H,W), dy (N,K,P), dw (K,C*KH*KW) +=, db (K) +=, ws: dw2 (K, C*KH*KW)
    int bmax = conv2d_batch_images(g, n), groups = ceil_div_int(n, bmax), half = ceil_div_int(groups, 2);
    size_t nw = (size_t)g->k * g->c * g->kh * g->kw;
    int threads = omp_get_max_threads() < 2 ? 1 : 2;
    #pragma omp parallel for num_threads(threads) schedule(static, 1) if (groups > 1)
    for (int h = 0; h < 2; h++) {
        if (h == 0) bwd_weights_groups(ops, g, n, 0, half, x, dy, dw, false);
        else if (half < groups) bwd_weights_groups(ops, g, n, half, groups, x, dy, ws, true);
    }
    if (half < groups)
        for (size_t i = 0; i < nw; i++) dw[i] += ws[i];
    if (db) ops->bias_grad(n, g->k, g->oh * g->ow, dy, db);
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
