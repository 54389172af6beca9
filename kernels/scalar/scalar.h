/* scalar.h: the scalar reference kernels (every table slot starts with one of these).
 * Plain loops with double accumulators: slow, obviously correct, the yardstick for tests. */
#ifndef KERNELS_SCALAR_H
#define KERNELS_SCALAR_H

#include "kernels.h"

void sgemm_scalar(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
/* The twin of the bfloat16 GEMM (INFOGAN_ISA=avx512bf16): every element of op(a) and op(b)
 * rounded by round_bf16 first, then as sgemm_scalar. */
void gemm_bf16_scalar(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                      const float *a, int lda, const float *b, int ldb, float beta, float *c,
                      int ldc);
/* Products with op(b) packed ahead: op(b) copied (K,N) row-major, then sgemm_scalar. */
size_t sgemm_packed_b_floats_scalar(int k, int n);
void sgemm_pack_b_scalar(bool trans_b, int k, int n, const float *b, int ldb, float *packed);
int sgemm_pack_b_boundary_scalar(bool trans_b, int k, int n, int r);
void sgemm_pack_b_rows_scalar(bool trans_b, int k, int n, const float *b, int ldb, int r0, int r1,
                              float *packed);
void sgemm_packed_b_scalar(bool trans_a, int m, int n, int k, float alpha, const float *a,
                           int lda, const float *packed_b, float beta, float *c, int ldc);
/* x rounded to bfloat16 (to nearest, ties to even), as a float; subnormals become signed
 * zeros (VDPBF16PS reads bfloat16 subnormals as zero); NaN stays NaN. */
float round_bf16(float x);

/* conv_scalar.c: im2col/col2im and direct (nested-loop) convolutions; ws is unused. */
void im2col_scalar(const conv_geom *g, const float *img, float *col);
void col2im_scalar(const conv_geom *g, const float *col, float *img);
void conv2d_fwd_scalar(const conv_geom *g, int n, const float *x, const float *w,
                       const float *bias, float *y, float *ws);
void conv2d_bwd_data_scalar(const conv_geom *g, int n, const float *dy, const float *w,
                            float *dx, float *ws);
void conv2d_bwd_weights_scalar(const conv_geom *g, int n, const float *x, const float *dy,
                               float *dw, float *db, float *ws);

/* batchnorm_scalar.c. Running statistics follow PyTorch: r = (1 - momentum) r + momentum b. */
void batchnorm_fwd_train_scalar(int n, int c, int s, const float *x, const float *gamma,
                                const float *beta, float eps, float momentum, float *y,
                                float *mean, float *invstd, float *running_mean,
                                float *running_var);
void batchnorm_fwd_eval_scalar(int n, int c, int s, const float *x, const float *gamma,
                               const float *beta, const float *running_mean,
                               const float *running_var, float eps, float *y);
void batchnorm_bwd_scalar(int n, int c, int s, const float *dy, const float *x,
                          const float *gamma, const float *mean, const float *invstd,
                          float *dx, float *dgamma, float *dbeta);
void batchnorm_act_fwd_train_scalar(int n, int c, int s, const float *x, const float *gamma,
                                    const float *beta, float eps, kern_act act, float slope,
                                    float *z, float *mean, float *invstd);
void batchnorm_act_bwd_scalar(int n, int c, int s, const float *dz, const float *z, kern_act act,
                              float slope, const float *x, const float *gamma, const float *mean,
                              const float *invstd, float *dx, float *dgamma, float *dbeta);

/* ops_scalar.c: activations, softmax, bias, Adam. */
void relu_fwd_scalar(size_t n, const float *x, float *y);
void relu_bwd_scalar(size_t n, const float *x, const float *dy, float *dx);
void lrelu_fwd_scalar(size_t n, float slope, const float *x, float *y);
void lrelu_bwd_scalar(size_t n, float slope, const float *x, const float *dy, float *dx);
void sigmoid_fwd_scalar(size_t n, const float *x, float *y);
void sigmoid_bwd_scalar(size_t n, const float *y, const float *dy, float *dx);
void tanh_fwd_scalar(size_t n, const float *x, float *y);
void tanh_bwd_scalar(size_t n, const float *y, const float *dy, float *dx);
void softmax_scalar(int rows, int cols, const float *x, float *y);
void log_softmax_scalar(int rows, int cols, const float *x, float *y);
void bias_add_scalar(int n, int c, int s, const float *bias, float *y);
void bias_grad_scalar(int n, int c, int s, const float *dy, float *db);
void adam_scalar(size_t n, float *p, const float *g, float *m, float *v, float lr,
                 float beta1, float beta2, float eps, int t);

#endif
