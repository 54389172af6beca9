/* fill_avx512.c: puts every AVX-512 kernel into the table, over the scalar references; for
 * avx512bf16, then the bfloat16 GEMM and the convolutions on it. */
#include "conv_gemm.h"
#include "gemm.h"
#include "vec_avx512.h"
#include "simd/simd_kernels.h"

void kern_fill_avx512(kern_table *t)
{
    t->sgemm = sgemm_avx512;
    t->sgemm_packed_b_floats = sgemm_packed_b_floats_avx512;
    t->sgemm_pack_b = sgemm_pack_b_avx512;
    t->sgemm_pack_b_boundary = sgemm_pack_b_boundary_avx512;
    t->sgemm_pack_b_rows = sgemm_pack_b_rows_avx512;
    t->sgemm_packed_b = sgemm_packed_b_avx512;
    t->im2col = im2col_avx512;
    t->col2im = col2im_avx512;
    t->conv2d_fwd = conv2d_fwd_avx512;
    t->conv2d_bwd_data = conv2d_bwd_data_avx512;
    t->conv2d_bwd_weights = conv2d_bwd_weights_avx512;
    t->batchnorm_fwd_train = batchnorm_fwd_train_avx512;
    t->batchnorm_fwd_eval = batchnorm_fwd_eval_avx512;
    t->batchnorm_bwd = batchnorm_bwd_avx512;
    t->batchnorm_act_fwd_train = batchnorm_act_fwd_train_avx512;
    t->batchnorm_act_bwd = batchnorm_act_bwd_avx512;
    t->relu_fwd = relu_fwd_avx512;
    t->relu_bwd = relu_bwd_avx512;
    t->lrelu_fwd = lrelu_fwd_avx512;
    t->lrelu_bwd = lrelu_bwd_avx512;
    t->sigmoid_fwd = sigmoid_fwd_avx512;
    t->sigmoid_bwd = sigmoid_bwd_avx512;
    t->tanh_fwd = tanh_fwd_avx512;
    t->tanh_bwd = tanh_bwd_avx512;
    t->softmax = softmax_avx512;
    t->log_softmax = log_softmax_avx512;
    t->bias_add = bias_add_avx512;
    t->bias_grad = bias_grad_avx512;
    t->adam = adam_avx512;
}

void kern_fill_avx512bf16(kern_table *t)
{
    t->sgemm = gemm_bf16_avx512;
    t->sgemm_packed_b_floats = sgemm_packed_b_floats_avx512bf16;
    t->sgemm_pack_b = sgemm_pack_b_avx512bf16;
    t->sgemm_pack_b_boundary = sgemm_pack_b_boundary_avx512bf16;
    t->sgemm_pack_b_rows = sgemm_pack_b_rows_avx512bf16;
    t->sgemm_packed_b = sgemm_packed_b_avx512bf16;
    t->conv2d_fwd = conv2d_fwd_avx512bf16;
    t->conv2d_bwd_data = conv2d_bwd_data_avx512bf16;
    t->conv2d_bwd_weights = conv2d_bwd_weights_avx512bf16;
}
