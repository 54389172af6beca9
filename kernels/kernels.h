/* kernels.h: the SIMD kernel library, one table of function pointers.
 *
 * kern_init() fills the global table `kern` once: every slot first with the scalar
 * reference, then overridden by the best ISA the CPU and OS support (or the one forced by
 * the environment variable INFOGAN_ISA=scalar|avx2|avx512|avx512bf16|amx|neon). No slot is
 * ever empty. avx512bf16 and amx are AVX-512 with reduced-precision GEMMs and convolutions
 * (operands rounded to bfloat16, sums in f32; amx on AMX tiles): never picked by default,
 * only when forced, by name or as INFOGAN_ISA=bf16, the best of them here (amx first).
 *
 * Conventions (all f32, row-major, NCHW):
 *   - shapes are written next to every pointer, e.g. x (N,C,H,W);
 *   - (N,C,S) means N samples, C channels, S = H*W positions (S = 1 for a dense layer);
 *   - input gradients (dx) are overwritten; parameter gradients (dw, db, dgamma, dbeta)
 *     are accumulated (+=), so a layer run on two batches sums both;
 *   - elementwise kernels allow y == x (and dx == dy);
 *   - threaded kernels split work in a fixed way: the bits never depend on timing.
 */
#ifndef KERNELS_H
#define KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum kern_isa {
    KERN_SCALAR, KERN_AVX2, KERN_AVX512, KERN_AVX512_BF16, KERN_AMX, KERN_NEON, KERN_ISA_COUNT
} kern_isa;

/* Geometry of a 2D convolution from x (N,C,H,W) to y (N,K,OH,OW) with kernel (KH,KW).
 * Padding is given as top/left; bottom/right follow from OH, OW, so asymmetric ("same")
 * padding of stride-1 4x4 layers is expressible. A transposed convolution ("upconv") from
 * (N,K,OH,OW) to (N,C,H,W) is the adjoint of the conv with the same geometry. */
typedef struct conv_geom {
    int c, h, w;     /* input channels, height, width */
    int k, oh, ow;   /* output channels, height, width */
    int kh, kw;      /* kernel height, width */
    int stride;
    int pad_t, pad_l;
} conv_geom;

/* The activation a batch norm is fused with (batchnorm_act_*). */
typedef enum kern_act { KERN_ACT_RELU, KERN_ACT_LRELU } kern_act;

typedef struct kern_table {
    /* c (M,N) = alpha * op(a) * op(b) + beta * c, op(a) (M,K), op(b) (K,N);
     * a is (M,K) with row stride lda, or (K,M) when trans_a; likewise b. beta == 0 never
     * reads c (so NaN in c is overwritten). */
    void (*sgemm)(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta,
                  float *c, int ldc);
    /* The same product with op(b) (K,N) packed ahead, for a weight that several products
     * use until it changes: sgemm_pack_b fills sgemm_packed_b_floats(k, n) floats (64-byte
     * aligned) from b, then sgemm_packed_b gives sgemm's bits without packing op(b) again.
     * The packed form is the ISA's own: pack and multiply with the same table. */
    size_t (*sgemm_packed_b_floats)(int k, int n);
    void (*sgemm_pack_b)(bool trans_b, int k, int n, const float *b, int ldb, float *packed);
    /* The part of sgemm_pack_b's output made from b's stored rows r0..r1 (b (N,K) when
     * trans_b, its rows being op(b)'s columns; else (K,N)), for a caller that changes b a few
     * rows at a time (Adam's step with the repacking folded in): the same bits. r0 and r1
     * must be boundaries: sgemm_pack_b_boundary gives the largest one <= r (0 and the row
     * count are ones). On the calling thread (threads may pack disjoint ranges at once). */
    int (*sgemm_pack_b_boundary)(bool trans_b, int k, int n, int r);
    void (*sgemm_pack_b_rows)(bool trans_b, int k, int n, const float *b, int ldb, int r0, int r1,
                              float *packed);
    void (*sgemm_packed_b)(bool trans_a, int m, int n, int k, float alpha, const float *a,
                           int lda, const float *packed_b, float beta, float *c, int ldc);

    /* col (C*KH*KW, OH*OW) = patches of img (C,H,W); out-of-image taps are 0. */
    void (*im2col)(const conv_geom *g, const float *img, float *col);
    /* img (C,H,W) += scatter of col (C*KH*KW, OH*OW): the adjoint of im2col. */
    void (*col2im)(const conv_geom *g, const float *col, float *img);

    /* y (N,K,OH,OW) = conv(x (N,C,H,W), w (K,C,KH,KW)) + bias (K) (bias may be NULL).
     * Each conv2d_* call overwrites its workspace ws, conv2d_workspace_floats(g, n) floats. */
    void (*conv2d_fwd)(const conv_geom *g, int n, const float *x, const float *w,
                       const float *bias, float *y, float *ws);
    /* dx (N,C,H,W) = conv^T(dy (N,K,OH,OW), w (K,C,KH,KW)). */
    void (*conv2d_bwd_data)(const conv_geom *g, int n, const float *dy, const float *w,
                            float *dx, float *ws);
    /* dw (K,C,KH,KW) += x (N,C,H,W) correlated with dy (N,K,OH,OW); db (K) += sum of dy
     * (db may be NULL). */
    void (*conv2d_bwd_weights)(const conv_geom *g, int n, const float *x, const float *dy,
                               float *dw, float *db, float *ws);

    /* Batch norm over (N,C,S), per channel over the N*S values. Training: batch
     * statistics, biased variance; writes mean (C) and invstd (C) for backward; updates
     * running_mean/running_var (C, unbiased variance) with `momentum` when not NULL. */
    void (*batchnorm_fwd_train)(int n, int c, int s, const float *x, const float *gamma,
                                const float *beta, float eps, float momentum, float *y,
                                float *mean, float *invstd, float *running_mean,
                                float *running_var);
    /* Evaluation: running statistics. */
    void (*batchnorm_fwd_eval)(int n, int c, int s, const float *x, const float *gamma,
                               const float *beta, const float *running_mean,
                               const float *running_var, float eps, float *y);
    /* dx (N,C,S) = ...; dgamma (C) += ...; dbeta (C) += ... from x, mean, invstd of fwd. */
    void (*batchnorm_bwd)(int n, int c, int s, const float *dy, const float *x,
                          const float *gamma, const float *mean, const float *invstd,
                          float *dx, float *dgamma, float *dbeta);

    /* Batch norm (batchnorm_fwd_train without running statistics) and then relu_fwd
     * (KERN_ACT_RELU) or lrelu_fwd with slope >= 0: z (N,C,S) in one pass over memory, the
     * same bits as the two kernels in turn. */
    void (*batchnorm_act_fwd_train)(int n, int c, int s, const float *x, const float *gamma,
                                    const float *beta, float eps, kern_act act, float slope,
                                    float *z, float *mean, float *invstd);
    /* The backward of that pair from dz and z: relu_bwd / lrelu_bwd gated by z (z > 0 exactly
     * where the activation's input is > 0) feeding batchnorm_bwd, without storing the
     * gradient in between; the same bits as the two kernels in turn. */
    void (*batchnorm_act_bwd)(int n, int c, int s, const float *dz, const float *z, kern_act act,
                              float slope, const float *x, const float *gamma, const float *mean,
                              const float *invstd, float *dx, float *dgamma, float *dbeta);

    /* y (n) = max(x, 0); dx = dy * (x > 0). */
    void (*relu_fwd)(size_t n, const float *x, float *y);
    void (*relu_bwd)(size_t n, const float *x, const float *dy, float *dx);
    /* y = x > 0 ? x : slope * x; dx = dy * (x > 0 ? 1 : slope). */
    void (*lrelu_fwd)(size_t n, float slope, const float *x, float *y);
    void (*lrelu_bwd)(size_t n, float slope, const float *x, const float *dy, float *dx);
    /* y = 1 / (1 + exp(-x)); dx = dy * y * (1 - y) (from y). */
    void (*sigmoid_fwd)(size_t n, const float *x, float *y);
    void (*sigmoid_bwd)(size_t n, const float *y, const float *dy, float *dx);
    /* y = tanh(x); dx = dy * (1 - y^2) (from y). */
    void (*tanh_fwd)(size_t n, const float *x, float *y);
    void (*tanh_bwd)(size_t n, const float *y, const float *dy, float *dx);
    /* Row-wise over x (rows, cols): softmax and log-softmax, max-subtracted. */
    void (*softmax)(int rows, int cols, const float *x, float *y);
    void (*log_softmax)(int rows, int cols, const float *x, float *y);

    /* y (N,C,S) += bias (C); db (C) += sum of dy (N,C,S) over N and S. */
    void (*bias_add)(int n, int c, int s, const float *bias, float *y);
    void (*bias_grad)(int n, int c, int s, const float *dy, float *db);

    /* Adam step t (1-based) with bias correction, on p, g, m, v (n):
     * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps). */
    void (*adam)(size_t n, float *p, const float *g, float *m, float *v, float lr,
                 float beta1, float beta2, float eps, int t);
} kern_table;

/* The table every caller uses; valid after kern_init(). */
extern kern_table kern;

/* Fills `kern` once (later calls do nothing) with kern_isa_from_env()'s ISA. */
void kern_init(void);
/* The ISA INFOGAN_ISA names (bf16: kern_best_bf16_isa()), or kern_best_isa() when unset;
 * exits (status 2) with one line saying why if it names no ISA or one this CPU, OS or build
 * cannot run. */
kern_isa kern_isa_from_env(void);
kern_isa kern_active_isa(void);
const char *kern_isa_name(kern_isa isa);
/* Parses "scalar", "avx2", "avx512", "avx512bf16", "amx", "neon"; KERN_ISA_COUNT if unknown. */
kern_isa kern_isa_parse(const char *name);
/* True when this build has kernels for `isa` and the CPU and OS can run them (for amx: the
 * first call asks Linux for the tile state, and false if refused). */
bool kern_isa_supported(kern_isa isa);
/* True for the ISAs whose GEMMs round operands to bfloat16 (avx512bf16, amx). */
bool kern_isa_reduced(kern_isa isa);
/* The best supported full-precision ISA (never a reduced one). */
kern_isa kern_best_isa(void);
/* The best supported bfloat16 ISA: amx, else avx512bf16; KERN_ISA_COUNT if neither. */
kern_isa kern_best_bf16_isa(void);
/* Fills t with the scalar references, then isa's kernels on top (isa must be supported). */
void kern_fill(kern_isa isa, kern_table *t);
/* The ISA whose GEMM t holds (a table kern_fill filled, perhaps changed by a test since). */
kern_isa kern_table_isa(const kern_table *t);
/* Prints the active ISA and, per slot, which ISA's kernel it holds. */
void kern_print(FILE *f);

/* SGEMM wall time for profiles (bench/train_step): while kern_gemm_timing(true), every
 * blocked SGEMM call (AVX2, AVX-512, NEON; not the scalar reference) adds its seconds to a
 * counter that kern_gemm_seconds reads (a call inside a parallel region adds its seconds
 * divided by the team size). Off by default. */
void kern_gemm_timing(bool on);
double kern_gemm_seconds(void);

/* Floats of workspace ws the conv2d_* slots (and upconv2d_*) need for a batch of n, for any
 * ISA and thread count: the scratch a call needs once, the weights packed for the GEMM or
 * the weight gradient of half of the images. 0 when the n images fit one im2col group; ws
 * may then be NULL. A buffer sized for n serves any smaller batch.
 * The per-thread scratch of a call (a group's im2col columns and GEMM operand, about 1 MB,
 * and the zero-padded input rows) stays in each OpenMP thread's own buffers, kept across
 * calls: it takes one share per thread of the team that runs the call, a count the caller
 * does not fix when it sizes ws (omp_set_num_threads may raise it later), and the im2col and
 * col2im slots, which take no ws, need the padded rows too. */
size_t conv2d_workspace_floats(const conv_geom *g, int n);
/* Fills g for a conv with TensorFlow-style padding: "same" (oh = ceil(h/stride), extra
 * padding at bottom/right) when same is true, else "valid" (no padding). */
conv_geom conv_geom_make(int c, int h, int w, int k, int kh, int kw, int stride, bool same);

/* Transposed convolution ("upconv"), the adjoint of the conv with geometry g:
 * y (N,C,H,W) = upconv(x (N,K,OH,OW), w (K,C,KH,KW)) + bias (C) (bias may be NULL).
 * Built on the conv2d_* slots of t. */
void upconv2d_fwd(const kern_table *t, const conv_geom *g, int n, const float *x,
                  const float *w, const float *bias, float *y, float *ws);
/* dx (N,K,OH,OW) from dy (N,C,H,W). */
void upconv2d_bwd_data(const kern_table *t, const conv_geom *g, int n, const float *dy,
                       const float *w, float *dx, float *ws);
/* dw (K,C,KH,KW) += ..., db (C) += sum of dy (db may be NULL). */
void upconv2d_bwd_weights(const kern_table *t, const conv_geom *g, int n, const float *x,
                          const float *dy, float *dw, float *db, float *ws);

/* Per-ISA fillers (<isa>/fill_<isa>.c), called by kern_fill: kern_fill_scalar fills every
 * slot, the others override the slots their ISA implements (all of them). avx512bf16 is
 * kern_fill_avx512, then kern_fill_avx512bf16 for the GEMM and the conv slots; amx likewise
 * with kern_fill_amx. */
void kern_fill_scalar(kern_table *t);
void kern_fill_avx2(kern_table *t);
void kern_fill_avx512(kern_table *t);
void kern_fill_avx512bf16(kern_table *t);
void kern_fill_amx(kern_table *t);
void kern_fill_neon(kern_table *t);

#endif
