/* nn.h: layers as forward/backward pairs over the kernel table, and sequential networks.
 *
 * A network is a list of layers built from a table of layer specs (see arch.h). Its
 * parameters and gradients live in memory the caller hands in (so several networks can
 * share one allocation and one Adam call); activations, their gradients and the conv
 * workspace are allocated once, for the largest batch, when the network is built.
 *
 * Activations are (N,C,H,W); a linear layer reads its input as (N, C*H*W) and writes
 * (N, out_c, out_h, out_w), so "FC 7x7x128" followed by an upconv needs no reshape. */
#ifndef NN_H
#define NN_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels.h"
#include "base/rng.h"
#include "nn/adam.h"

typedef enum layer_kind {
    LAYER_LINEAR,   /* y = x w^T + b; w (OUT, IN), b (OUT) */
    LAYER_CONV,     /* 2D conv, w (K,C,KH,KW), b (K) */
    LAYER_UPCONV,   /* transposed conv, w (IN_C, OUT_C, KH, KW), b (OUT_C) */
    LAYER_BN,       /* batch norm over batch statistics, gamma (C), beta (C) */
    LAYER_RELU,
    LAYER_LRELU,
    LAYER_SIGMOID,
    LAYER_TANH,
} layer_kind;

/* One row of an architecture table. Sizes: out_c/out_h/out_w for linear (out_h = out_w = 1
 * for a plain FC), out_c and stride for conv/upconv (spatial size from "same" padding). */
typedef struct layer_spec {
    layer_kind kind;
    int out_c, out_h, out_w;
    int kernel, stride;
    bool sn;                      /* linear or conv: spectrally normalized weight (see layer) */
} layer_spec;

/* Weight init (official InfoGAN code): linear and upconv N(0, std), conv truncated normal
 * with std, biases 0, BN gamma N(1, std), beta 0. */
typedef struct nn_init { float std; } nn_init;

/* Wall time of a layer's passes, accumulated while nn_timing(true) (for bench/train_step):
 * forward and backward, each in total and the part spent in SGEMM calls. */
typedef struct layer_time { double fwd, fwd_gemm, bwd, bwd_gemm; } layer_time;

typedef struct layer {
    layer_kind kind;
    int in_c, in_h, in_w, out_c, out_h, out_w;
    size_t in_size, out_size;     /* floats per sample */
    conv_geom geom;               /* conv: in -> out; upconv: out -> in (the adjoint conv) */
    float slope;                  /* leaky ReLU */
    float *w, *b, *dw, *db;       /* weights/gamma, bias/beta and their gradients */
    size_t n_w, n_b;
    float *mean, *invstd;         /* BN: batch statistics of the last forward (C) */
    const float *x;               /* input of the last forward (N, in) */
    float *y;                     /* output (N, out) */
    float *dx;                    /* input gradient (N, in) */
    layer_time time;              /* filled only while nn_timing(true) */
    bool dw_stale;                /* linear: dw is due to be zeroed (see net_zero_grads) */
    /* Spectral norm (Miyato et al. 2018): the layer computes with w_sn = w / sigma, sigma
     * w's largest singular value as one power iteration from u estimates it (w as a matrix
     * of n_u rows: OUT for linear, K for conv). Each forward runs that iteration; the first
     * forward after net_zero_grads (one per training step) also stores its new u. The
     * gradient treats u and v as constants, as PyTorch's spectral_norm does. */
    bool sn, sn_fresh;
    size_t n_u;
    float *u;                     /* (n_u), in the parameter block after b; its gradient stays 0 */
    float *w_sn, *sn_g;           /* w / sigma, and dL/dw_sn of one backward (n_w each) */
    float *sn_u, *sn_v;           /* the last forward's left (n_u) and right (n_w / n_u) vectors */
    double *sn_acc;               /* the power iteration's sums (the larger of n_u, n_w / n_u) */
    float sigma;                  /* the last forward's estimate */
    /* Linear without spectral norm, in a net with cached weights (net_cache_weights): op(w)
     * packed by the kernel table for the forward ([0]: w^T (IN, OUT)) and for the input
     * gradient ([1]: w (OUT, IN)), reused while w_version and the packing kernel stay. */
    float *w_packed[2];
    size_t w_packed_cap[2];
    void (*w_packed_by[2])(bool, int, int, const float *, int, float *);
    unsigned long w_packed_version[2];
    unsigned long w_version;      /* bumped by net_weights_changed */
    bool cache_w;
    /* Linear, deferring its weight gradient (net_defer_weight_grads): the rows of x and dy
     * of this step's backwards so far, kept (OUT and IN floats each) of kept_cap. */
    float *kept_x, *kept_dy;      /* (kept_cap, IN), (kept_cap, OUT) */
    int kept, kept_cap;
} layer;

typedef struct net {
    int n_layers;
    layer *layers;
    int max_batch, batch;         /* batch = size of the last forward */
    int in_c, in_h, in_w, out_c, out_h, out_w;
    size_t n_params;
    float *params, *grads;        /* (n_params), owned by the caller */
    float *bufs;                  /* every activation, gradient and BN statistic */
    float *ws;                    /* conv workspace */
    float bn_eps;
    bool bn_sync;                 /* BN statistics over every rank's batch (base/dist.h) */
    /* A batch norm and the ReLU or leaky ReLU right after it run as one kernel pass each way
     * (kern.batchnorm_act_*: the same bits; not with bn_sync). On from net_create; the
     * per-layer timing books the pair's time to the batch norm. */
    bool fuse_bn_act;
    double *sync_d;               /* (2 x largest BN width): the synced BN's sums */
    float *sync_f;                /* (2 x largest BN width): its per-rank statistics */
} net;

/* Parameters a network of `specs` needs for input (c,h,w); out_chw (3) receives the output
 * shape when not NULL. */
size_t net_param_count(const layer_spec *specs, int n, int c, int h, int w, int *out_chw);
/* The floats net_create allocates for max_batch rows (activations, gradients, BN statistics,
 * conv workspace), computed from the shapes alone. */
size_t net_buffer_floats(const layer_spec *specs, int n, int c, int h, int w, int max_batch);
/* Builds the network; params and grads (net_param_count floats each) stay the caller's. */
net *net_create(const layer_spec *specs, int n, int c, int h, int w, int max_batch,
                float leaky_slope, float bn_eps, float *params, float *grads);
void net_free(net *nt);
/* Draws every parameter from the official init (a spectral norm's u: a random unit vector). */
void net_init_params(net *nt, const nn_init *init, rng *r);
/* Keeps each linear layer's weights packed for the GEMM (kern.sgemm_pack_b) from one product
 * to the next, instead of packing them again in every forward and backward: the same bits,
 * less work when a batch passes several times between weight updates. Only where packing
 * shrinks the weights (the bfloat16 GEMMs); with f32 GEMMs it does nothing. Off by default: a
 * caller that turns it on must call net_weights_changed after every write to the parameters
 * (an optimizer step, a load) other than net_init_params. */
void net_cache_weights(net *nt, bool on);
/* The floats net_cache_weights allocates for a network of `specs` on the kernel table. */
size_t net_weight_cache_floats(const layer_spec *specs, int n, int c, int h, int w);
void net_weights_changed(net *nt);
/* Adam's step (a, begun with adam_begin_step) of the network's parameters, which lie in a's
 * block, then net_weights_changed: the bits of adam_step's share. With cached weights, the
 * packed forms that were in use are made again during the step, a few rows of w at a time
 * while they are in cache, instead of from memory in the next products. */
void net_adam_step(net *nt, adam *a);
/* The linear layers (not spectrally normalized) put their weight gradient off: each backward
 * with param_grads keeps its rows of x and dy (up to `rows` in all; then the kept ones are
 * added first), and net_finish_weight_grads adds them in one product over every kept row:
 * one pass over dw for several backwards (the MNIST trunk's FC gradient is 25 MB). Its bits
 * are those of one GEMM over all the rows. rows 0: off (the default). The caller must call
 * net_finish_weight_grads before reading the gradients. */
void net_defer_weight_grads(net *nt, int rows);
/* The floats net_defer_weight_grads allocates for a network of `specs`. */
size_t net_deferred_grad_floats(const layer_spec *specs, int n, int c, int h, int w, int rows);
void net_finish_weight_grads(net *nt);
/* Zeroes the network's parameter gradients before the backward passes of a step. A linear
 * layer's weight gradient (the bulk of them) is zeroed lazily: its next backward with
 * param_grads writes it instead of adding to it, saving a pass over memory; until then it
 * holds stale values, so read gradients only after such a backward. */
void net_zero_grads(net *nt);
/* Forward on x (batch, in); returns the output (batch, out), owned by the network. x must
 * stay valid until the backward. */
const float *net_forward(net *nt, const float *x, int batch);
/* Backward of the last forward from dy (batch, out); returns dx (batch, in), or NULL when
 * !input_grad (then the first layer skips it). Parameter gradients are accumulated into
 * grads when param_grads, else conv/linear weight gradients are skipped (BN's small
 * gamma/beta gradients are still added). */
const float *net_backward(net *nt, const float *dy, bool param_grads, bool input_grad);

/* Single-layer forward/backward (what net_forward/net_backward run, exposed for tests). */
void layer_forward(layer *l, const float *x, int n, float bn_eps, float *ws);
void layer_backward(layer *l, const float *dy, int n, bool param_grads, bool input_grad,
                    float *ws);

const char *layer_kind_name(layer_kind k);

/* Turns per-layer timing (layer.time, and the kernels' SGEMM timer) on or off; off by
 * default. Timing adds two clock reads per layer pass. */
void nn_timing(bool on);

#endif
