/* conv_neon.c: NEON im2col/col2im and the im2col + GEMM convolutions.
 * Vectorized: each output row (a strided run of a zero-padded input row), 4 outputs at a
 * time, the partial last vector stored through a scratch buffer; stride 1 is a plain copy,
 * stride 2 uses the de-interleaving load vld2q (even inputs in val[0]). col2im adds stride-1
 * runs directly and stride-2 runs through vld2q/vst2q on the even lanes. Other strides are
 * scalar. */
#include "conv_gemm.h"
#include "gemm.h"
#include "vec_neon.h"
#include "simd/simd_kernels.h"

static void row_copy_neon(float *dst, const float *prow, int ow, int stride)
{
    if (stride == 1) {
        for (int o = 0; o < ow; o += 4)
            vec_store_tail(dst + o, vld1q_f32(prow + o), vec_tail_of((size_t)(ow - o)));
    } else if (stride == 2) {
        for (int o = 0; o < ow; o += 4)
            vec_store_tail(dst + o, vld2q_f32(prow + 2 * o).val[0], vec_tail_of((size_t)(ow - o)));
    } else {
        for (int o = 0; o < ow; o++) dst[o] = prow[(size_t)o * stride];
    }
}

static void row_add_neon(float *prow, const float *src, int ow, int stride)
{
    if (stride == 1) {
        for (int o = 0; o < ow; o += 4) {
            float32x4_t s = vec_load_tail(src + o, vec_tail_of((size_t)(ow - o)));
            vst1q_f32(prow + o, vaddq_f32(vld1q_f32(prow + o), s));
        }
    } else if (stride == 2) {
        for (int o = 0; o < ow; o += 4) {
            float32x4x2_t d = vld2q_f32(prow + 2 * o); /* odd lanes are written back unchanged */
            d.val[0] = vaddq_f32(d.val[0], vec_load_tail(src + o, vec_tail_of((size_t)(ow - o))));
            vst2q_f32(prow + 2 * o, d);
        }
    } else {
        for (int o = 0; o < ow; o++) prow[(size_t)o * stride] += src[o];
    }
}

static void im2col_to_neon(const conv_geom *g, int nb, const float *imgs, const col_dst *dst)
{
    im2col_rows(g, nb, imgs, dst, row_copy_neon);
}

static void col2im_ld_neon(const conv_geom *g, const float *col, size_t ldcol, float *img, bool add)
{
    col2im_rows(g, col, ldcol, img, add, row_add_neon);
}

void im2col_neon(const conv_geom *g, const float *img, float *col)
{
    im2col_to_neon(g, 1, img, &(col_dst){.base = col, .ld = (size_t)g->oh * g->ow});
}

void col2im_neon(const conv_geom *g, const float *col, float *img)
{
    col2im_ld_neon(g, col, (size_t)g->oh * g->ow, img, true);
}

CONV_GEMM_ISA(neon, sgemm_config_neon, im2col_to_neon, NULL, col2im_ld_neon, bias_grad_neon)
