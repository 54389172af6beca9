/* fill_neon.c: puts every NEON kernel into the table, over the scalar references. */
#include "conv_gemm.h"
#include "gemm.h"
#include "vec_neon.h"
#include "simd/simd_kernels.h"

void kern_fill_neon(kern_table *t)
{
    t->sgemm = sgemm_neon;
    t->sgemm_packed_b_floats = sgemm_packed_b_floats_neon;
    t->sgemm_pack_b = sgemm_pack_b_neon;
    t->sgemm_pack_b_boundary = sgemm_pack_b_boundary_neon;
    t->sgemm_pack_b_rows = sgemm_pack_b_rows_neon;
    t->sgemm_packed_b = sgemm_packed_b_neon;
    t->im2col = im2col_neon;
    t->col2im = col2im_neon;
    t->conv2d_fwd = conv2d_fwd_neon;
    t->conv2d_bwd_data = conv2d_bwd_data_neon;
    t->conv2d_bwd_weights = conv2d_bwd_weights_neon;
    t->batchnorm_fwd_train = batchnorm_fwd_train_neon;
    t->batchnorm_fwd_eval = batchnorm_fwd_eval_neon;
    t->batchnorm_bwd = batchnorm_bwd_neon;
    t->batchnorm_act_fwd_train = batchnorm_act_fwd_train_neon;
    t->batchnorm_act_bwd = batchnorm_act_bwd_neon;
    t->relu_fwd = relu_fwd_neon;
    t->relu_bwd = relu_bwd_neon;
    t->lrelu_fwd = lrelu_fwd_neon;
    t->lrelu_bwd = lrelu_bwd_neon;
    t->sigmoid_fwd = sigmoid_fwd_neon;
    t->sigmoid_bwd = sigmoid_bwd_neon;
    t->tanh_fwd = tanh_fwd_neon;
    t->tanh_bwd = tanh_bwd_neon;
    t->softmax = softmax_neon;
    t->log_softmax = log_softmax_neon;
    t->bias_add = bias_add_neon;
    t->bias_grad = bias_grad_neon;
    t->adam = adam_neon;
}
