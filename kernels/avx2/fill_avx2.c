/* fill_avx2.c: puts every AVX2+FMA kernel into the table, over the scalar references. */
#include "conv_gemm.h"
#include "gemm.h"
#include "vec_avx2.h"
#include "simd/simd_kernels.h"

void kern_fill_avx2(kern_table *t)
{
    t->sgemm = sgemm_avx2;
    t->sgemm_packed_b_floats = sgemm_packed_b_floats_avx2;
    t->sgemm_pack_b = sgemm_pack_b_avx2;
    t->sgemm_pack_b_boundary = sgemm_pack_b_boundary_avx2;
    t->sgemm_pack_b_rows = sgemm_pack_b_rows_avx2;
    t->sgemm_packed_b = sgemm_packed_b_avx2;
    t->im2col = im2col_avx2;
    t->col2im = col2im_avx2;
    t->conv2d_fwd = conv2d_fwd_avx2;
    t->conv2d_bwd_data = conv2d_bwd_data_avx2;
    t->conv2d_bwd_weights = conv2d_bwd_weights_avx2;
    t->batchnorm_fwd_train = batchnorm_fwd_train_avx2;
    t->batchnorm_fwd_eval = batchnorm_fwd_eval_avx2;
    t->batchnorm_bwd = batchnorm_bwd_avx2;
    t->batchnorm_act_fwd_train = batchnorm_act_fwd_train_avx2;
    t->batchnorm_act_bwd = batchnorm_act_bwd_avx2;
    t->relu_fwd = relu_fwd_avx2;
    t->relu_bwd = relu_bwd_avx2;
    t->lrelu_fwd = lrelu_fwd_avx2;
    t->lrelu_bwd = lrelu_bwd_avx2;
    t->sigmoid_fwd = sigmoid_fwd_avx2;
    t->sigmoid_bwd = sigmoid_bwd_avx2;
    t->tanh_fwd = tanh_fwd_avx2;
    t->tanh_bwd = tanh_bwd_avx2;
    t->softmax = softmax_avx2;
    t->log_softmax = log_softmax_avx2;
    t->bias_add = bias_add_avx2;
    t->bias_grad = bias_grad_avx2;
    t->adam = adam_avx2;
}
