/* simd_kernels.h: the kernels every SIMD ISA has (AVX2, AVX-512, NEON), declared under the
 * names VEC_FN of the ISA's vec header gives them (relu_fwd -> relu_fwd_avx2); include after
 * that header. Each has the contract of its slot in kernels.h. The batch norm and the
 * elementwise ops are written once (batchnorm_simd.h, ops_simd.h); im2col and col2im are
 * each ISA's own (<isa>/conv_<isa>.c). fill_<isa>.c puts them into the table. */
#ifndef KERNELS_SIMD_KERNELS_H
#define KERNELS_SIMD_KERNELS_H

#include "kernels.h"

void VEC_FN(im2col)(const conv_geom *g, const float *img, float *col);
void VEC_FN(col2im)(const conv_geom *g, const float *col, float *img);

void VEC_FN(batchnorm_fwd_train)(int n, int c, int s, const float *x, const float *gamma,
                                 const float *beta, float eps, float momentum, float *y,
                                 float *mean, float *invstd, float *running_mean,
                                 float *running_var);
void VEC_FN(batchnorm_fwd_eval)(int n, int c, int s, const float *x, const float *gamma,
                                const float *beta, const float *running_mean,
                                const float *running_var, float eps, float *y);
void VEC_FN(batchnorm_bwd)(int n, int c, int s, const float *dy, const float *x,
                           const float *gamma, const float *mean, const float *invstd,
                           float *dx, float *dgamma, float *dbeta);
void VEC_FN(batchnorm_act_fwd_train)(int n, int c, int s, const float *x, const float *gamma,
                                     const float *beta, float eps, kern_act act, float slope,
                                     float *z, float *mean, float *invstd);
void VEC_FN(batchnorm_act_bwd)(int n, int c, int s, const float *dz, const float *z, kern_act act,
                               float slope, const float *x, const float *gamma, const float *mean,
                               const float *invstd, float *dx, float *dgamma, float *dbeta);

void VEC_FN(relu_fwd)(size_t n, const float *x, float *y);
void VEC_FN(relu_bwd)(size_t n, const float *x, const float *dy, float *dx);
void VEC_FN(lrelu_fwd)(size_t n, float slope, const float *x, float *y);
void VEC_FN(lrelu_bwd)(size_t n, float slope, const float *x, const float *dy, float *dx);
void VEC_FN(sigmoid_fwd)(size_t n, const float *x, float *y);
void VEC_FN(sigmoid_bwd)(size_t n, const float *y, const float *dy, float *dx);
void VEC_FN(tanh_fwd)(size_t n, const float *x, float *y);
void VEC_FN(tanh_bwd)(size_t n, const float *y, const float *dy, float *dx);
void VEC_FN(softmax)(int rows, int cols, const float *x, float *y);
void VEC_FN(log_softmax)(int rows, int cols, const float *x, float *y);
void VEC_FN(bias_add)(int n, int c, int s, const float *bias, float *y);
void VEC_FN(bias_grad)(int n, int c, int s, const float *dy, float *db);
void VEC_FN(adam)(size_t n, float *p, const float *g, float *m, float *v, float lr,
                  float beta1, float beta2, float eps, int t);

#endif
