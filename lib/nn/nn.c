/* nn.c: layers (forward/backward over the kernel table) and sequential networks. */
#include "nn/nn.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/util.h"

const char *layer_kind_name(layer_kind k)
{
    static const char *const names[] = {"linear", "conv", "upconv", "batchnorm",
                                        "relu", "lrelu", "sigmoid", "tanh"};
    return k <= LAYER_TANH ? names[k] : "unknown";
}

/* The kind of the last layer with weights, after a layer of kind k (prev before it). */
static layer_kind weights_kind(layer_kind prev, layer_kind k)
{
    return k == LAYER_LINEAR || k == LAYER_CONV || k == LAYER_UPCONV ? k : prev;
}

/* Fills l's shapes and parameter sizes from its spec and input shape. prev: the kind of the
 * last layer with weights before it. A BN after a linear layer (directly, or after its
 * activation as in InfoGAN-CR's G) normalizes each feature (TF's batch norm of a 2-D
 * tensor); elsewhere each channel. */
static void layer_plan(layer *l, const layer_spec *s, int c, int h, int w, layer_kind prev)
{
    memset(l, 0, sizeof *l);
    l->kind = s->kind;
    l->in_c = c, l->in_h = h, l->in_w = w;
    l->out_c = c, l->out_h = h, l->out_w = w;
    int in_size = c * h * w;
    switch (s->kind) {
    case LAYER_LINEAR:
        CHECK(s->out_c > 0, "linear layer needs an output size");
        l->out_c = s->out_c;
        l->out_h = s->out_h > 0 ? s->out_h : 1;
        l->out_w = s->out_w > 0 ? s->out_w : 1;
        l->n_w = (size_t)l->out_c * l->out_h * l->out_w * in_size;
        l->n_b = (size_t)l->out_c * l->out_h * l->out_w;
        break;
    case LAYER_CONV:
        CHECK(s->out_c > 0 && s->kernel > 0 && s->stride > 0, "conv layer needs channels, kernel and stride");
        l->geom = conv_geom_make(c, h, w, s->out_c, s->kernel, s->kernel, s->stride, true);
        l->out_c = s->out_c, l->out_h = l->geom.oh, l->out_w = l->geom.ow;
        l->n_w = (size_t)s->out_c * c * s->kernel * s->kernel;
        l->n_b = (size_t)s->out_c;
        break;
    case LAYER_UPCONV:
        CHECK(s->out_c > 0 && s->kernel > 0 && s->stride > 0, "upconv layer needs channels, kernel and stride");
        l->out_c = s->out_c, l->out_h = h * s->stride, l->out_w = w * s->stride;
        /* The adjoint conv maps the output (out_c, out_h, out_w) to the input (c, h, w). */
        l->geom = conv_geom_make(l->out_c, l->out_h, l->out_w, c, s->kernel, s->kernel, s->stride, true);
        CHECK(l->geom.oh == h && l->geom.ow == w, "upconv %dx%d -> %dx%d does not invert", h, w,
              l->out_h, l->out_w);
        l->n_w = (size_t)c * s->out_c * s->kernel * s->kernel;
        l->n_b = (size_t)s->out_c;
        break;
    case LAYER_BN: {
        int channels = prev == LAYER_LINEAR ? in_size : c;
        l->n_w = l->n_b = (size_t)channels;
        break;
    }
    default: break;
    }
    l->in_size = (size_t)in_size;
    l->out_size = (size_t)l->out_c * l->out_h * l->out_w;
    if (s->sn) {
        CHECK(s->kind == LAYER_LINEAR || s->kind == LAYER_CONV, "spectral norm needs a linear or conv layer");
        l->sn = true;
        l->n_u = s->kind == LAYER_LINEAR ? l->out_size : (size_t)l->out_c;
    }
}

size_t net_param_count(const layer_spec *specs, int n, int c, int h, int w, int *out_chw)
{
    size_t total = 0;
    layer_kind prev = LAYER_RELU;
    for (int i = 0; i < n; i++) {
        layer l;
        layer_plan(&l, &specs[i], c, h, w, prev);
        total += l.n_w + l.n_b + l.n_u;
        c = l.out_c, h = l.out_h, w = l.out_w, prev = weights_kind(prev, specs[i].kind);
    }
    if (out_chw) out_chw[0] = c, out_chw[1] = h, out_chw[2] = w;
    return total;
}

static size_t layer_ws_floats(const layer *l, int n)
{
    return l->kind == LAYER_CONV || l->kind == LAYER_UPCONV ? conv2d_workspace_floats(&l->geom, n) : 0;
}

/* A layer's activations and input gradients for max_batch rows, rounded to 16 floats (64
 * bytes) so every buffer stays aligned. */
static size_t layer_buf_floats(const layer *l, int max_batch)
{
    return ((size_t)max_batch * (l->out_size + l->in_size) + 15) / 16 * 16;
}

static size_t layer_bn_floats(const layer *l)
{
    return l->kind == LAYER_BN ? (2 * l->n_w + 15) / 16 * 16 : 0;
}

/* Spectral norm's w_sn, sn_g (n_w each), sn_u (n_u) and sn_v (n_w / n_u), then (64-byte
 * aligned) the doubles of sn_acc (the larger of n_u and n_w / n_u). */
static size_t layer_sn_acc_offset(const layer *l)
{
    return (2 * l->n_w + l->n_u + l->n_w / l->n_u + 15) / 16 * 16;
}

static size_t layer_sn_floats(const layer *l)
{
    if (!l->sn) return 0;
    size_t cols = l->n_w / l->n_u, acc = 2 * (l->n_u > cols ? l->n_u : cols);
    return layer_sn_acc_offset(l) + (acc + 15) / 16 * 16;
}

size_t net_buffer_floats(const layer_spec *specs, int n, int c, int h, int w, int max_batch)
{
    size_t bufs = 0, ws = 0;
    layer_kind prev = LAYER_RELU;
    for (int i = 0; i < n; i++) {
        layer l;
        layer_plan(&l, &specs[i], c, h, w, prev);
        bufs += layer_buf_floats(&l, max_batch) + layer_bn_floats(&l) + layer_sn_floats(&l);
        size_t lw = layer_ws_floats(&l, max_batch);
        ws = lw > ws ? lw : ws;
        c = l.out_c, h = l.out_h, w = l.out_w, prev = weights_kind(prev, l.kind);
    }
    return bufs + ws;
}

net *net_create(const layer_spec *specs, int n, int c, int h, int w, int max_batch,
                float leaky_slope, float bn_eps, float *params, float *grads)
{
    CHECK(n > 0 && max_batch > 0, "a network needs layers and a batch size");
    net *nt = xcalloc(1, sizeof *nt);
    nt->n_layers = n;
    nt->layers = xcalloc((size_t)n, sizeof *nt->layers);
    nt->max_batch = max_batch;
    nt->in_c = c, nt->in_h = h, nt->in_w = w;
    nt->params = params, nt->grads = grads;
    nt->bn_eps = bn_eps;
    nt->fuse_bn_act = true;
    size_t p = 0, bufs = 0, ws = 0, bn_width = 0;
    layer_kind prev = LAYER_RELU;
    for (int i = 0; i < n; i++) {
        layer *l = &nt->layers[i];
        layer_plan(l, &specs[i], c, h, w, prev);
        l->slope = leaky_slope;
        l->w = params + p, l->dw = grads + p, p += l->n_w;
        l->b = params + p, l->db = grads + p, p += l->n_b;
        l->u = params + p, p += l->n_u;
        if (!l->n_w) l->w = l->dw = NULL;
        if (!l->n_b) l->b = l->db = NULL;
        if (!l->n_u) l->u = NULL;
        bufs += layer_buf_floats(l, max_batch) + layer_bn_floats(l) + layer_sn_floats(l);
        size_t lw = layer_ws_floats(l, max_batch);
        ws = lw > ws ? lw : ws;
        if (l->kind == LAYER_BN && l->n_w > bn_width) bn_width = l->n_w;
        c = l->out_c, h = l->out_h, w = l->out_w, prev = weights_kind(prev, l->kind);
    }
    nt->n_params = p;
    nt->out_c = c, nt->out_h = h, nt->out_w = w;
    nt->bufs = xalloc_floats(bufs);
    memset(nt->bufs, 0, bufs * sizeof(float));
    nt->ws = ws ? xalloc_floats(ws) : NULL;
    if (bn_width) {
        nt->sync_d = xmalloc(2 * bn_width * sizeof *nt->sync_d);
        nt->sync_f = xalloc_floats(2 * bn_width);
    }
    float *b = nt->bufs;
    for (int i = 0; i < n; i++) {
        layer *l = &nt->layers[i];
        l->y = b;
        l->dx = b + (size_t)max_batch * l->out_size;
        b += layer_buf_floats(l, max_batch);
        if (l->kind == LAYER_BN) l->mean = b, l->invstd = b + l->n_w;
        b += layer_bn_floats(l);
        if (l->sn) {
            l->w_sn = b, l->sn_g = b + l->n_w, l->sn_u = b + 2 * l->n_w, l->sn_v = l->sn_u + l->n_u;
            l->sn_acc = (double *)(b + layer_sn_acc_offset(l));
            l->sn_fresh = true;
        }
        b += layer_sn_floats(l);
    }
    return nt;
}

void net_free(net *nt)
{
    if (!nt) return;
    for (int i = 0; i < nt->n_layers; i++) {
        layer *l = &nt->layers[i];
        free(l->w_packed[0]), free(l->w_packed[1]), free(l->kept_x), free(l->kept_dy);
    }
    free(nt->layers);
    free(nt->bufs);
    free(nt->ws);
    free(nt->sync_d);
    free(nt->sync_f);
    free(nt);
}

void net_init_params(net *nt, const nn_init *init, rng *r)
{
    for (int i = 0; i < nt->n_layers; i++) {
        layer *l = &nt->layers[i];
        for (size_t j = 0; j < l->n_w; j++) {
            if (l->kind == LAYER_CONV) l->w[j] = rng_truncated_normal(r, init->std);
            else if (l->kind == LAYER_BN) l->w[j] = rng_normal(r, 1.0f, init->std);
            else l->w[j] = rng_normal(r, 0.0f, init->std);
        }
        for (size_t j = 0; j < l->n_b; j++) l->b[j] = 0.0f;
        if (l->sn) {
            double norm = 0.0;
            for (size_t j = 0; j < l->n_u; j++) {
                l->u[j] = rng_normal(r, 0.0f, 1.0f);
                norm += (double)l->u[j] * (double)l->u[j];
            }
            for (size_t j = 0; j < l->n_u; j++) l->u[j] = (float)((double)l->u[j] / sqrt(norm));
        }
    }
    net_weights_changed(nt);
}

/* Floats of linear layer l's packed form `which` on the kernel table, or 0 when it is not
 * worth keeping: only bfloat16 panels are (half the bytes of w, which every product then
 * reads); f32 panels are as large as w, and keeping them made the f32 iteration 5% slower
 * (one more pass over w) where amx gained 3% (Xeon, family 6 model 167, 2026-12-06). */
static size_t packed_floats(const layer *l, int which)
{
    if (l->kind != LAYER_LINEAR || l->sn || !kern_isa_reduced(kern_table_isa(&kern))) return 0;
    int in = (int)l->in_size, out = (int)l->out_size;
    return which ? kern.sgemm_packed_b_floats(out, in) : kern.sgemm_packed_b_floats(in, out);
}

size_t net_weight_cache_floats(const layer_spec *specs, int n, int c, int h, int w)
{
    kern_init();
    size_t floats = 0;
    layer_kind prev = LAYER_RELU;
    for (int i = 0; i < n; i++) {
        layer l;
        layer_plan(&l, &specs[i], c, h, w, prev);
        floats += packed_floats(&l, 0) + packed_floats(&l, 1);
        c = l.out_c, h = l.out_h, w = l.out_w, prev = weights_kind(prev, l.kind);
    }
    return floats;
}

/* Room for `floats` floats of packed form `which`. */
static void grow_packed(layer *l, int which, size_t floats)
{
    if (floats <= l->w_packed_cap[which]) return;
    free(l->w_packed[which]);
    l->w_packed[which] = xalloc_floats(floats);
    l->w_packed_cap[which] = floats;
}

void net_cache_weights(net *nt, bool on)
{
    for (int i = 0; i < nt->n_layers; i++) {
        layer *l = &nt->layers[i];
        l->cache_w = on && l->kind == LAYER_LINEAR && !l->sn;
        l->w_version++;
        for (int which = 0; which < 2 && l->cache_w; which++) grow_packed(l, which, packed_floats(l, which));
    }
}

void net_weights_changed(net *nt)
{
    for (int i = 0; i < nt->n_layers; i++) nt->layers[i].w_version++;
}

/* Floats of w per chunk of net_adam_step: 256 KB, 1 MB with its gradient and moments. */
#define ADAM_CHUNK_FLOATS ((size_t)1 << 16)

/* The smallest boundary >= r of w's packed form as b (N = OUT, K = IN) (trans_b) or as b
 * (K = OUT, N = IN), r in w's rows. */
static int boundary_at_or_after(bool trans_b, int in, int out, int r)
{
    int k = trans_b ? in : out, n = trans_b ? out : in, c = r;
    while (kern.sgemm_pack_b_boundary(trans_b, k, n, c) < r) c++;
    return c;
}

/* Adam's step of linear layer l's w (its first parameter at lo in a's block), with the packed
 * forms `form` made again as it goes. Each thread steps a share of w's rows (split at form 1's
 * boundaries), a chunk at a time, and after each chunk packs what it completes: form 1 (w as b
 * (K = OUT, N = IN)) the chunk's k rows; form 0 (w as b (N = OUT, K = IN)) its column panels
 * wholly inside the share. No barrier until the end; then the panels of form 0 across a
 * share's start. */
static void adam_step_packing(layer *l, adam *a, size_t lo, const bool form[2])
{
    const int in = (int)l->in_size, out = (int)l->out_size;
    const int chunk = (int)(ADAM_CHUNK_FLOATS / l->in_size) > 0 ? (int)(ADAM_CHUNK_FLOATS / l->in_size) : 1;
    const bool by1 = form[1]; /* shares and chunks end at form 1's boundaries, else anywhere */
    enum { MAX_SHARES = 64 };
    int starts[MAX_SHARES]; /* each share's first row */
    int shares = 1;
#pragma omp parallel num_threads(omp_get_max_threads() < MAX_SHARES ? omp_get_max_threads() : MAX_SHARES)
    {
        const int t = omp_get_thread_num(), threads = omp_get_num_threads();
        const int split_lo = (int)((long)out * t / threads), split_hi = (int)((long)out * (t + 1) / threads);
        const int r_lo = by1 ? boundary_at_or_after(false, in, out, split_lo) : split_lo;
        const int r_hi = by1 ? boundary_at_or_after(false, in, out, split_hi) : split_hi;
        starts[t] = r_lo;
        if (t == 0) shares = threads;
        int packed0 = boundary_at_or_after(true, in, out, r_lo); /* form 0: panels done from here */
        for (int r = r_lo, r1; r < r_hi; r = r1) {
            int want = r + chunk < r_hi ? r + chunk : r_hi;
            r1 = by1 ? boundary_at_or_after(false, in, out, want) : want;
            adam_step_part(a, lo + (size_t)r * in, lo + (size_t)r1 * in);
            if (form[1]) kern.sgemm_pack_b_rows(false, out, in, l->w, in, r, r1, l->w_packed[1]);
            int done = r1 == out ? out : kern.sgemm_pack_b_boundary(true, in, out, r1);
            if (form[0] && done > packed0)
                kern.sgemm_pack_b_rows(true, in, out, l->w, in, packed0, done, l->w_packed[0]), packed0 = done;
        }
    }
    for (int t = 1; t < shares && form[0]; t++) { /* the panel holding a share's first row */
        int from = kern.sgemm_pack_b_boundary(true, in, out, starts[t]);
        if (from < starts[t])
            kern.sgemm_pack_b_rows(true, in, out, l->w, in, from, boundary_at_or_after(true, in, out, starts[t]),
                                   l->w_packed[0]);
    }
}

void net_adam_step(net *nt, adam *a)
{
    CHECK(nt->params >= a->p && nt->params + nt->n_params <= a->p + a->n,
          "net_adam_step: the network's parameters are not in the optimizer's block");
    const size_t base = (size_t)(nt->params - a->p);
    size_t next = base; /* parameters before it are stepped */
    bool packed[nt->n_layers][2];
    for (int i = 0; i < nt->n_layers; i++) {
        layer *l = &nt->layers[i];
        for (int which = 0; which < 2; which++) /* the forms in use since the last step */
            packed[i][which] = l->cache_w && packed_floats(l, which) && l->w_packed_by[which] == kern.sgemm_pack_b &&
                               l->w_packed_version[which] == l->w_version;
        if (!packed[i][0] && !packed[i][1]) continue;
        size_t lo = base + (size_t)(l->w - nt->params);
        adam_step_part(a, next, lo);
        adam_step_packing(l, a, lo, packed[i]);
        next = lo + l->n_w;
    }
    adam_step_part(a, next, base + nt->n_params);
    net_weights_changed(nt);
    for (int i = 0; i < nt->n_layers; i++)
        for (int which = 0; which < 2; which++)
            if (packed[i][which]) nt->layers[i].w_packed_version[which] = nt->layers[i].w_version;
}

/* Linear layer l's op(w) packed for the forward (which 0: w^T, K = IN, N = OUT) or the input
 * gradient (1: w, K = OUT, N = IN), packed again when w or the kernel table changed since;
 * NULL where not worth keeping (packed_floats). */
static const float *packed_weights(layer *l, int which)
{
    int in = (int)l->in_size, out = (int)l->out_size, k = which ? out : in, n = which ? in : out;
    if (l->w_packed_by[which] == kern.sgemm_pack_b && l->w_packed_version[which] == l->w_version)
        return l->w_packed[which];
    size_t floats = packed_floats(l, which); /* more than allocated: the table changed */
    if (!floats) return NULL;
    grow_packed(l, which, floats);
    kern.sgemm_pack_b(which == 0, k, n, l->w, in, l->w_packed[which]);
    l->w_packed_by[which] = kern.sgemm_pack_b;
    l->w_packed_version[which] = l->w_version;
    return l->w_packed[which];
}

/* Threads for a pass over n floats of weights: all of them from 64K on. */
#define SN_PAR_MIN ((size_t)1 << 16)

/* out = op(w) in / |op(w) in| with op(w) = w (rows, cols) or its transpose; returns the norm
 * (at least 1e-12). Each output is summed in double over in's entries in order (the
 * transpose row by row of w, so that w is read in order), the outputs split over threads
 * and the norm summed in order after them: the same bits on any thread count. acc: scratch
 * of the outputs in double. */
static double sn_matvec_unit(const float *w, size_t rows, size_t cols, bool trans, const float *in,
                             float *out, double *acc)
{
    size_t n_out = trans ? cols : rows;
    if (trans) {
        #pragma omp parallel if (rows * cols >= SN_PAR_MIN)
        {
            size_t t = (size_t)omp_get_thread_num(), nt = (size_t)omp_get_num_threads();
            size_t o0 = cols * t / nt, o1 = cols * (t + 1) / nt; /* this thread's outputs */
            for (size_t o = o0; o < o1; o++) acc[o] = 0.0;
            for (size_t i = 0; i < rows; i++) {
                const float *wi = w + i * cols;
                double x = (double)in[i];
                for (size_t o = o0; o < o1; o++) acc[o] += (double)wi[o] * x;
            }
        }
    } else {
        #pragma omp parallel for schedule(static) if (rows * cols >= SN_PAR_MIN)
        for (size_t o = 0; o < rows; o++) {
            double s = 0.0;
            for (size_t i = 0; i < cols; i++) s += (double)w[o * cols + i] * (double)in[i];
            acc[o] = s;
        }
    }
    double norm2 = 0.0;
    for (size_t o = 0; o < n_out; o++) {
        out[o] = (float)acc[o];
        norm2 += acc[o] * acc[o];
    }
    double norm = sqrt(norm2) > 1e-12 ? sqrt(norm2) : 1e-12;
    for (size_t o = 0; o < n_out; o++) out[o] = (float)((double)out[o] / norm);
    return norm;
}

/* One power iteration from u: v = w^T u / |w^T u|, sn_u = w v / |w v|, sigma = |w v|;
 * w_sn = w / sigma. w (n_u, cols). Stores sn_u into u on the step's first forward. */
static void sn_forward(layer *l)
{
    size_t rows = l->n_u, cols = l->n_w / l->n_u;
    sn_matvec_unit(l->w, rows, cols, true, l->u, l->sn_v, l->sn_acc);
    double sigma = sn_matvec_unit(l->w, rows, cols, false, l->sn_v, l->sn_u, l->sn_acc);
    l->sigma = (float)sigma;
    #pragma omp parallel for schedule(static) if (l->n_w >= SN_PAR_MIN)
    for (size_t k = 0; k < l->n_w; k++) l->w_sn[k] = (float)((double)l->w[k] / sigma);
    if (l->sn_fresh) {
        memcpy(l->u, l->sn_u, rows * sizeof(float));
        l->sn_fresh = false;
    }
}

/* dw = (overwrite ? 0 : dw) + (g - <g, w_sn> sn_u sn_v^T) / sigma, g = sn_g = dL/dw_sn: the
 * gradient through w_sn = w / (sn_u^T w sn_v) with both vectors held constant. */
static void sn_backward(layer *l, bool overwrite)
{
    size_t rows = l->n_u, cols = l->n_w / l->n_u;
    double dot = 0.0;
    for (size_t k = 0; k < l->n_w; k++) dot += (double)l->sn_g[k] * (double)l->w_sn[k];
    #pragma omp parallel for schedule(static) if (l->n_w >= SN_PAR_MIN)
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            size_t k = i * cols + j;
            float d = (float)(((double)l->sn_g[k] - dot * (double)l->sn_u[i] * (double)l->sn_v[j]) / (double)l->sigma);
            l->dw[k] = overwrite ? d : l->dw[k] + d;
        }
}

/* BN's normalization shape: per feature after a linear layer (s = 1), else per channel
 * (layer_plan). */
static void bn_shape(const layer *l, int *c, int *s)
{
    *c = (int)l->n_w;
    *s = (int)(l->in_size / l->n_w);
}

static bool timing;

void nn_timing(bool on)
{
    timing = on;
    kern_gemm_timing(on);
}

static void layer_forward_run(layer *l, const float *x, int n, float bn_eps, float *ws)
{
    l->x = x;
    size_t total = (size_t)n * l->out_size;
    if (l->sn) sn_forward(l);
    const float *w = l->sn ? l->w_sn : l->w;
    switch (l->kind) {
    case LAYER_LINEAR: {
        int in = (int)l->in_size, out = (int)l->out_size;
        const float *packed = l->cache_w ? packed_weights(l, 0) : NULL;
        if (packed) kern.sgemm_packed_b(false, n, out, in, 1.0f, x, in, packed, 0.0f, l->y, out);
        else kern.sgemm(false, true, n, out, in, 1.0f, x, in, w, in, 0.0f, l->y, out);
        kern.bias_add(n, out, 1, l->b, l->y);
        break;
    }
    case LAYER_CONV: kern.conv2d_fwd(&l->geom, n, x, w, l->b, l->y, ws); break;
    case LAYER_UPCONV: upconv2d_fwd(&kern, &l->geom, n, x, l->w, l->b, l->y, ws); break;
    case LAYER_BN: {
        int c, s;
        bn_shape(l, &c, &s);
        kern.batchnorm_fwd_train(n, c, s, x, l->w, l->b, bn_eps, 0.0f, l->y, l->mean, l->invstd,
                                 NULL, NULL);
        break;
    }
    case LAYER_RELU: kern.relu_fwd(total, x, l->y); break;
    case LAYER_LRELU: kern.lrelu_fwd(total, l->slope, x, l->y); break;
    case LAYER_SIGMOID: kern.sigmoid_fwd(total, x, l->y); break;
    case LAYER_TANH: kern.tanh_fwd(total, x, l->y); break;
    }
}

void layer_forward(layer *l, const float *x, int n, float bn_eps, float *ws)
{
    if (!timing) {
        layer_forward_run(l, x, n, bn_eps, ws);
        return;
    }
    double t0 = omp_get_wtime(), g0 = kern_gemm_seconds();
    layer_forward_run(l, x, n, bn_eps, ws);
    l->time.fwd += omp_get_wtime() - t0;
    l->time.fwd_gemm += kern_gemm_seconds() - g0;
}

/* dw (OUT, IN) += dy^T x over rows of x (rows, IN) and dy (rows, OUT); a stale dw is
 * overwritten. */
static void add_weight_grad(layer *l, int rows, const float *x, const float *dy)
{
    int in = (int)l->in_size, out = (int)l->out_size;
    kern.sgemm(true, false, out, in, rows, 1.0f, dy, out, x, in, l->dw_stale ? 0.0f : 1.0f, l->dw, in);
    l->dw_stale = false;
}

/* The kept rows' weight gradient, in one product. */
static void finish_weight_grad(layer *l)
{
    if (!l->kept) return;
    add_weight_grad(l, l->kept, l->kept_x, l->kept_dy);
    l->kept = 0;
}

/* A linear layer's weight gradient from n rows of x (n, IN) and dy (n, OUT): kept for
 * finish_weight_grad when the layer defers it (net_defer_weight_grads), else added now. */
static void weight_grad_rows(layer *l, int n, const float *x, const float *dy)
{
    int in = (int)l->in_size, out = (int)l->out_size;
    if (l->kept + n > l->kept_cap) finish_weight_grad(l);
    if (n > l->kept_cap) {
        add_weight_grad(l, n, x, dy);
        return;
    }
    memcpy(l->kept_x + (size_t)l->kept * in, x, sizeof(float) * (size_t)n * in);
    memcpy(l->kept_dy + (size_t)l->kept * out, dy, sizeof(float) * (size_t)n * out);
    l->kept += n;
}

static void layer_backward_run(layer *l, const float *dy, int n, bool param_grads,
                               bool input_grad, float *ws)
{
    size_t total = (size_t)n * l->in_size;
    const float *x = l->x, *w = l->sn ? l->w_sn : l->w;
    switch (l->kind) {
    case LAYER_LINEAR: {
        int in = (int)l->in_size, out = (int)l->out_size;
        const float *packed = input_grad && l->cache_w ? packed_weights(l, 1) : NULL;
        if (packed) kern.sgemm_packed_b(false, n, in, out, 1.0f, dy, out, packed, 0.0f, l->dx, in);
        else if (input_grad) kern.sgemm(false, false, n, in, out, 1.0f, dy, out, w, in, 0.0f, l->dx, in);
        if (param_grads) {
            if (l->sn) {
                kern.sgemm(true, false, out, in, n, 1.0f, dy, out, x, in, 0.0f, l->sn_g, in);
                sn_backward(l, l->dw_stale);
                l->dw_stale = false;
            } else {
                weight_grad_rows(l, n, x, dy);
            }
            kern.bias_grad(n, out, 1, dy, l->db);
        }
        break;
    }
    case LAYER_CONV:
        if (input_grad) kern.conv2d_bwd_data(&l->geom, n, dy, w, l->dx, ws);
        if (param_grads && l->sn) {
            memset(l->sn_g, 0, l->n_w * sizeof(float));
            kern.conv2d_bwd_weights(&l->geom, n, x, dy, l->sn_g, l->db, ws);
            sn_backward(l, false);
        } else if (param_grads) {
            kern.conv2d_bwd_weights(&l->geom, n, x, dy, l->dw, l->db, ws);
        }
        break;
    case LAYER_UPCONV:
        if (input_grad) upconv2d_bwd_data(&kern, &l->geom, n, dy, l->w, l->dx, ws);
        if (param_grads) upconv2d_bwd_weights(&kern, &l->geom, n, x, dy, l->dw, l->db, ws);
        break;
    case LAYER_BN: {
        int c, s;
        bn_shape(l, &c, &s);
        kern.batchnorm_bwd(n, c, s, dy, x, l->w, l->mean, l->invstd, l->dx, l->dw, l->db);
        break;
    }
    default: break;
    }
    if (!input_grad) return;
    switch (l->kind) {
    case LAYER_RELU: kern.relu_bwd(total, x, dy, l->dx); break;
    case LAYER_LRELU: kern.lrelu_bwd(total, l->slope, x, dy, l->dx); break;
    case LAYER_SIGMOID: kern.sigmoid_bwd(total, l->y, dy, l->dx); break;
    case LAYER_TANH: kern.tanh_bwd(total, l->y, dy, l->dx); break;
    default: break;
    }
}

void layer_backward(layer *l, const float *dy, int n, bool param_grads, bool input_grad,
                    float *ws)
{
    if (!timing) {
        layer_backward_run(l, dy, n, param_grads, input_grad, ws);
        return;
    }
    double t0 = omp_get_wtime(), g0 = kern_gemm_seconds();
    layer_backward_run(l, dy, n, param_grads, input_grad, ws);
    l->time.bwd += omp_get_wtime() - t0;
    l->time.bwd_gemm += kern_gemm_seconds() - g0;
}

/* Batch norm over the batch of every rank (base/dist.h), on the kernels: each rank's own
 * statistics first, then the whole batch's from them (Chan et al.'s pairwise combination:
 * M2 = sum over ranks of M2_r + m_r (mean_r - mean)^2; two sums across the ranks), and the
 * output normalized with those. */
static void bn_forward_synced(net *nt, layer *l, const float *x, int n)
{
    int c, s;
    float eps = nt->bn_eps;
    bn_shape(l, &c, &s);
    l->x = x;
    kern.batchnorm_fwd_train(n, c, s, x, l->w, l->b, eps, 0.0f, l->y, l->mean, l->invstd, NULL, NULL);
    double *mean = nt->sync_d, *m2 = mean + c;  /* (C) each */
    float *fmean = nt->sync_f, *fvar = fmean + c; /* (C) each */
    double m = (double)n * s, total = m * dist_size();
    for (int ch = 0; ch < c; ch++) mean[ch] = (double)l->mean[ch] * m;
    dist_sum_doubles(mean, (size_t)c);
    for (int ch = 0; ch < c; ch++) {
        mean[ch] /= total;
        double is = (double)l->invstd[ch], var = 1.0 / (is * is) - (double)eps, d = (double)l->mean[ch] - mean[ch];
        m2[ch] = m * (var > 0 ? var : 0.0) + m * d * d;
    }
    dist_sum_doubles(m2, (size_t)c);
    for (int ch = 0; ch < c; ch++) {
        fmean[ch] = (float)mean[ch], fvar[ch] = (float)(m2[ch] / total);
        l->mean[ch] = fmean[ch];
        l->invstd[ch] = (float)(1.0 / sqrt(m2[ch] / total + (double)eps));
    }
    kern.batchnorm_fwd_eval(n, c, s, x, l->w, l->b, fmean, fvar, eps, l->y);
}

/* The kernel's backward with this rank's sums of dy and dy * xhat, corrected to the whole
 * batch's: dx += gamma invstd ((S1_r / m_r - S1 / M) + xhat (S2_r / m_r - S2 / M)). */
static void bn_backward_synced(net *nt, layer *l, const float *dy, int n)
{
    int c, s;
    bn_shape(l, &c, &s);
    const float *x = l->x;
    float *local = nt->sync_f; /* (2, C): this rank's dbeta, dgamma */
    memset(local, 0, 2 * (size_t)c * sizeof *local);
    kern.batchnorm_bwd(n, c, s, dy, x, l->w, l->mean, l->invstd, l->dx, local + c, local);
    double *sums = nt->sync_d; /* (2, C): S1 = sum dy, S2 = sum dy xhat */
    for (int ch = 0; ch < 2 * c; ch++) sums[ch] = (double)local[ch];
    dist_sum_doubles(sums, 2 * (size_t)c);
    double m = (double)n * s, total = m * dist_size();
#pragma omp parallel for
    for (int ch = 0; ch < c; ch++) {
        /* This rank's share of beta's and gamma's gradients: the step sums the ranks'. */
        l->db[ch] += local[ch];
        l->dw[ch] += local[c + ch];
        float mu = l->mean[ch], is = l->invstd[ch], scale = l->w[ch] * is;
        float d1 = (float)(sums[ch] / total - (double)local[ch] / m);
        float d2 = (float)(sums[c + ch] / total - (double)local[c + ch] / m);
        for (int b = 0; b < n; b++) {
            float *dx = l->dx + ((size_t)b * c + ch) * s;
            const float *xs = x + ((size_t)b * c + ch) * s;
#pragma omp simd
            for (int i = 0; i < s; i++) dx[i] -= scale * (d1 + (xs[i] - mu) * is * d2);
        }
    }
}

void net_defer_weight_grads(net *nt, int rows)
{
    for (int i = 0; i < nt->n_layers; i++) {
        layer *l = &nt->layers[i];
        if (l->kind != LAYER_LINEAR || l->sn) continue;
        finish_weight_grad(l);
        free(l->kept_x), free(l->kept_dy);
        l->kept_x = rows > 0 ? xalloc_floats((size_t)rows * l->in_size) : NULL;
        l->kept_dy = rows > 0 ? xalloc_floats((size_t)rows * l->out_size) : NULL;
        l->kept_cap = rows > 0 ? rows : 0;
    }
}

size_t net_deferred_grad_floats(const layer_spec *specs, int n, int c, int h, int w, int rows)
{
    size_t floats = 0;
    layer_kind prev = LAYER_RELU;
    for (int i = 0; i < n; i++) {
        layer l;
        layer_plan(&l, &specs[i], c, h, w, prev);
        if (l.kind == LAYER_LINEAR && !l.sn) floats += (size_t)rows * (l.in_size + l.out_size);
        c = l.out_c, h = l.out_h, w = l.out_w, prev = weights_kind(prev, l.kind);
    }
    return floats;
}

void net_finish_weight_grads(net *nt)
{
    for (int i = 0; i < nt->n_layers; i++) finish_weight_grad(&nt->layers[i]);
}

void net_zero_grads(net *nt)
{
    for (int i = 0; i < nt->n_layers; i++) {
        layer *l = &nt->layers[i];
        l->kept = 0;
        if (l->kind == LAYER_LINEAR) l->dw_stale = true; /* its next backward overwrites dw */
        else if (l->dw) memset(l->dw, 0, l->n_w * sizeof(float));
        if (l->sn) l->sn_fresh = true;
        if (l->db) memset(l->db, 0, l->n_b * sizeof(float));
    }
}

/* Whether layers i (batch norm) and i + 1 (ReLU, or leaky ReLU with a slope >= 0, so that its
 * output is > 0 exactly where its input is) run fused. */
static bool bn_act_fused(const net *nt, int i)
{
    if (!nt->fuse_bn_act || nt->bn_sync || i + 1 >= nt->n_layers) return false;
    const layer *l = &nt->layers[i], *a = l + 1;
    return l->kind == LAYER_BN &&
           (a->kind == LAYER_RELU || (a->kind == LAYER_LRELU && a->slope >= 0.0f));
}

static kern_act act_of(const layer *a) { return a->kind == LAYER_RELU ? KERN_ACT_RELU : KERN_ACT_LRELU; }

/* The fused forward of batch norm bn and activation a: z into a->y (bn->y is not written). */
static void bn_act_forward(net *nt, layer *bn, layer *a, const float *x, int n)
{
    int c, s;
    bn_shape(bn, &c, &s);
    double t0 = timing ? omp_get_wtime() : 0.0;
    bn->x = x;
    a->x = a->y; /* z: its sign is the activation input's */
    kern.batchnorm_act_fwd_train(n, c, s, x, bn->w, bn->b, nt->bn_eps, act_of(a), a->slope, a->y,
                                 bn->mean, bn->invstd);
    if (timing) bn->time.fwd += omp_get_wtime() - t0;
}

/* Its backward from dz: bn->dx, and bn's gamma and beta gradients added. */
static void bn_act_backward(net *nt, layer *bn, layer *a, const float *dz)
{
    int c, s;
    bn_shape(bn, &c, &s);
    double t0 = timing ? omp_get_wtime() : 0.0;
    kern.batchnorm_act_bwd(nt->batch, c, s, dz, a->y, act_of(a), a->slope, bn->x, bn->w, bn->mean,
                           bn->invstd, bn->dx, bn->dw, bn->db);
    if (timing) bn->time.bwd += omp_get_wtime() - t0;
}

const float *net_forward(net *nt, const float *x, int batch)
{
    CHECK(batch > 0 && batch <= nt->max_batch, "batch %d outside 1..%d of this network", batch,
          nt->max_batch);
    nt->batch = batch;
    for (int i = 0; i < nt->n_layers; i++) {
        layer *l = &nt->layers[i];
        if (bn_act_fused(nt, i)) {
            bn_act_forward(nt, l, l + 1, x, batch);
            x = l[1].y;
            i++;
            continue;
        }
        if (nt->bn_sync && l->kind == LAYER_BN) bn_forward_synced(nt, l, x, batch);
        else layer_forward(l, x, batch, nt->bn_eps, nt->ws);
        x = l->y;
    }
    return x;
}

const float *net_backward(net *nt, const float *dy, bool param_grads, bool input_grad)
{
    for (int i = nt->n_layers - 1; i >= 0; i--) {
        layer *l = &nt->layers[i];
        if (i > 0 && bn_act_fused(nt, i - 1)) {
            bn_act_backward(nt, l - 1, l, dy);
            dy = l[-1].dx;
            i--;
            continue;
        }
        if (nt->bn_sync && l->kind == LAYER_BN) bn_backward_synced(nt, l, dy, nt->batch);
        else layer_backward(l, dy, nt->batch, param_grads, i > 0 || input_grad, nt->ws);
        dy = l->dx;
    }
    return input_grad ? dy : NULL;
}
