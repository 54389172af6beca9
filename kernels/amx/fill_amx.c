/* fill_amx.c: over the AVX-512 kernels, the AMX tile GEMM and the convolutions on it (the
 * rest of the amx table is avx512's: only the GEMMs run on tiles). */
#include "conv_gemm.h"
#include "gemm.h"

void kern_fill_amx(kern_table *t)
{
    t->sgemm = gemm_bf16_amx;
    t->sgemm_packed_b_floats = sgemm_packed_b_floats_amx;
    t->sgemm_pack_b = sgemm_pack_b_amx;
    t->sgemm_pack_b_boundary = sgemm_pack_b_boundary_amx;
    t->sgemm_pack_b_rows = sgemm_pack_b_rows_amx;
    t->sgemm_packed_b = sgemm_packed_b_amx;
    t->conv2d_fwd = conv2d_fwd_amx;
    t->conv2d_bwd_data = conv2d_bwd_data_amx;
    t->conv2d_bwd_weights = conv2d_bwd_weights_amx;
}
