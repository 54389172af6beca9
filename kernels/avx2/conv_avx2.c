/* conv_avx2.c: AVX2 im2col/col2im and the im2col + GEMM convolutions.
 * Vectorized: each output row (a strided run of a zero-padded input row), 8 outputs at a
 * time, the tail stored with maskstore; stride 1 is a plain copy, stride 2 loads 16 inputs
 * and keeps the even ones (shuffle + lane permute), other strides use a masked gather.
 * col2im adds stride-1 runs directly and stride-2 runs by spreading 8 values onto the even
 * lanes of two vectors (unpack with zero, blend); other strides are scalar. */
#include "conv_gemm.h"
#include "gemm.h"
#include "vec_avx2.h"
#include "simd/simd_kernels.h"

static void row_copy_avx2(float *dst, const float *prow, int ow, int stride)
{
    if (stride == 1) {
        for (int o = 0; o < ow; o += 8)
            vec_store_tail(dst + o, _mm256_loadu_ps(prow + o), vec_tail_of((size_t)(ow - o)));
    } else if (stride == 2) {
        for (int o = 0; o < ow; o += 8) {
            __m256 lo = _mm256_loadu_ps(prow + 2 * o), hi = _mm256_loadu_ps(prow + 2 * o + 8);
            __m256 ev = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)); /* lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6 */
            ev = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(ev), _MM_SHUFFLE(3, 1, 2, 0)));
            vec_store_tail(dst + o, ev, vec_tail_of((size_t)(ow - o)));
        }
    } else {
        const __m256i step = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride));
        for (int o = 0; o < ow; o += 8) {
            size_t left = (size_t)(ow - o);
            __m256 m = _mm256_castsi256_ps(tail_mask8(left));
            __m256 v = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), prow + (size_t)o * stride, step, m, 4);
            vec_store_tail(dst + o, v, vec_tail_of(left));
        }
    }
}

static void row_add_avx2(float *prow, const float *src, int ow, int stride)
{
    if (stride == 1) {
        for (int o = 0; o < ow; o += 8) {
            __m256 s = vec_load_tail(src + o, vec_tail_of((size_t)(ow - o)));
            _mm256_storeu_ps(prow + o, _mm256_add_ps(_mm256_loadu_ps(prow + o), s));
        }
    } else if (stride == 2) {
        const __m256 zero = _mm256_setzero_ps();
        for (int o = 0; o < ow; o += 8) {
            __m256 s = vec_load_tail(src + o, vec_tail_of((size_t)(ow - o)));
            __m256 ul = _mm256_unpacklo_ps(s, zero), uh = _mm256_unpackhi_ps(s, zero);
            __m256 spread_lo = _mm256_permute2f128_ps(ul, uh, 0x20); /* s0 . s1 . s2 . s3 . */
            __m256 spread_hi = _mm256_permute2f128_ps(ul, uh, 0x31); /* s4 . s5 . s6 . s7 . */
            float *d = prow + 2 * o;
            __m256 lo = _mm256_loadu_ps(d), hi = _mm256_loadu_ps(d + 8);
            _mm256_storeu_ps(d, _mm256_blend_ps(lo, _mm256_add_ps(lo, spread_lo), 0x55));
            _mm256_storeu_ps(d + 8, _mm256_blend_ps(hi, _mm256_add_ps(hi, spread_hi), 0x55));
        }
    } else {
        for (int o = 0; o < ow; o++) prow[(size_t)o * stride] += src[o];
    }
}

static void im2col_to_avx2(const conv_geom *g, int nb, const float *imgs, const col_dst *dst)
{
    im2col_rows(g, nb, imgs, dst, row_copy_avx2);
}

static void col2im_ld_avx2(const conv_geom *g, const float *col, size_t ldcol, float *img, bool add)
{
    col2im_rows(g, col, ldcol, img, add, row_add_avx2);
}

void im2col_avx2(const conv_geom *g, const float *img, float *col)
{
    im2col_to_avx2(g, 1, img, &(col_dst){.base = col, .ld = (size_t)g->oh * g->ow});
}

void col2im_avx2(const conv_geom *g, const float *col, float *img)
{
    col2im_ld_avx2(g, col, (size_t)g->oh * g->ow, img, true);
}

CONV_GEMM_ISA(avx2, sgemm_config_avx2, im2col_to_avx2, NULL, col2im_ld_avx2, bias_grad_avx2)
