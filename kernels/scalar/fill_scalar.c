/* fill_scalar.c: puts every scalar reference kernel into the table. */
#include "scalar.h"

void kern_fill_scalar(kern_table *t)
{
    t->sgemm = sgemm_scalar;
    t->sgemm_packed_b_floats = sgemm_packed_b_floats_scalar;
    t->sgemm_pack_b = sgemm_pack_b_scalar;
    t->sgemm_pack_b_boundary = sgemm_pack_b_boundary_scalar;
    t->sgemm_pack_b_rows = sgemm_pack_b_rows_scalar;
    t->sgemm_packed_b = sgemm_packed_b_scalar;
    t->im2col = im2col_scalar;
    t->col2im = col2im_scalar;
    t->conv2d_fwd = conv2d_fwd_scalar;
    t->conv2d_bwd_data = conv2d_bwd_data_scalar;
    t->conv2d_bwd_weights = conv2d_bwd_weights_scalar;
    t->batchnorm_fwd_train = batchnorm_fwd_train_scalar;
    t->batchnorm_fwd_eval = batchnorm_fwd_eval_scalar;
    t->batchnorm_bwd = batchnorm_bwd_scalar;
    t->batchnorm_act_fwd_train = batchnorm_act_fwd_train_scalar;
    t->batchnorm_act_bwd = batchnorm_act_bwd_scalar;
    t->relu_fwd = relu_fwd_scalar;
    t->relu_bwd = relu_bwd_scalar;
    t->lrelu_fwd = lrelu_fwd_scalar;
    t->lrelu_bwd = lrelu_bwd_scalar;
    t->sigmoid_fwd = sigmoid_fwd_scalar;
    t->sigmoid_bwd = sigmoid_bwd_scalar;
    t->tanh_fwd = tanh_fwd_scalar;
    t->tanh_bwd = tanh_bwd_scalar;
    t->softmax = softmax_scalar;
    t->log_softmax = log_softmax_scalar;
    t->bias_add = bias_add_scalar;
    t->bias_grad = bias_grad_scalar;
    t->adam = adam_scalar;
}
