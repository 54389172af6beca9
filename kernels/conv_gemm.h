/* conv_gemm.h: convolution as im2col + GEMM, written once and shared by every ISA. */
#ifndef KERNELS_CONV_GEMM_H
#define KERNELS_CONV_GEMM_H

#include "kernels.h"

/* Images per im2col batch (depends on sizes only); conv2d_workspace_floats sizes for it. */
int conv2d_batch_images(const conv_geom *g, int n);

#endif
