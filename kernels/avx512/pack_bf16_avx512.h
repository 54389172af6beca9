/* pack_bf16_avx512.h: the bfloat16 panel packers of the AVX-512 GEMMs (avx512bf16, and the
 * AMX GEMM's b panels): op(a) or op(b) rounded to bfloat16 by VCVTNE(2)PS2BF16 (to nearest
 * even, subnormals to signed zero, NaN quiet: round_bf16's rounding), k 2p and 2p+1 side by
 * side in one 32-bit word, the even k in the low half. Include from a file compiled with
 * AVX-512 BF16. */
#ifndef KERNELS_PACK_BF16_AVX512_H
#define KERNELS_PACK_BF16_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#include "gemm_pack_x86.h"
#include "vec_avx512.h"

/* Word j = bf16(even[j]) | bf16(odd[j]) << 16: a k pair per lane. */
static inline __m512i bf16_pairs(__m512 even, __m512 odd)
{
    static const uint16_t order[32] = {0,  16, 1,  17, 2,  18, 3,  19, 4,  20, 5,
                                       21, 6,  22, 7,  23, 8,  24, 9,  25, 10, 26,
                                       11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
    const __m512i interleave = _mm512_loadu_si512(order);
    __m512i halves = (__m512i)_mm512_cvtne2ps_pbh(odd, even); /* even's 16, then odd's 16 */
    return _mm512_permutexvar_epi16(interleave, halves);
}

/* Copying packer, src (kc, cols) with row stride ld: dst word [p][j] = the pair of rows 2p and 2p+1
 * in column j (j < cols; 0 up to w; row kc, past an odd kc, is 0). Prefetches the next panel's
 * next_cols columns of each row. */
static inline void pack_copy_bf16(const float *src, size_t ld, int cols, int kc, int w,
                                  int next_cols, float *dst)
{
    for (int p = 0; p < kc; p += 2) {
        const float *r0 = src + (size_t)p * ld, *r1 = r0 + ld;
        for (int j = 0; j < next_cols; j += 16) {
            __builtin_prefetch(r0 + w + j, 0, 2); /* into L2, as pack_copy in gemm.c */
            if (p + 1 < kc) __builtin_prefetch(r1 + w + j, 0, 2);
        }
        float *d = dst + (size_t)(p / 2) * w;
        for (int j = 0; j < w; j += 16) {
            __mmask16 load = tail_mask16(cols > j ? (size_t)(cols - j) : 0);
            __m512 even = _mm512_maskz_loadu_ps(load, r0 + j);
            __m512 odd = p + 1 < kc ? _mm512_maskz_loadu_ps(load, r1 + j) : _mm512_setzero_ps();
            _mm512_mask_storeu_epi32(d + j, tail_mask16((size_t)(w - j)), bf16_pairs(even, odd));
        }
    }
}

/* Transposing packer, src (rows, kc) with row stride ld: dst word [p][i] = the pair src[i][2p],
 * src[i][2p+1] (i < rows; 0 up to w). A row's 16 floats convert to 8 words in k order, then groups
 * of 8 rows are transposed 8x8 as in the f32 packer. */
static inline void pack_transposed_bf16(const float *src, size_t ld, int rows, int kc, int w,
                                        int next_rows, float *dst)
{
    const int words = (kc + 1) / 2;
    for (int i0 = 0; i0 < w; i0 += 8) {
        const int valid = rows - i0 < 0 ? 0 : rows - i0 > 8 ? 8 : rows - i0; /* source rows */
        const __mmask8 lanes = (__mmask8)((1u << (w - i0 < 8 ? w - i0 : 8)) - 1u);
        for (int p = 0; p < kc; p += 16) {
            if (p % 32 == 0) {
                if (p + PACK_PREFETCH_FLOATS < kc)
                    for (int q = 0; q < valid; q++)
                        _mm_prefetch(
                            (const char *)(src + (size_t)(i0 + q) * ld + p + PACK_PREFETCH_FLOATS),
                            _MM_HINT_T0);
                for (int q = i0; q < next_rows && q < i0 + 8; q++) /* the next panel, to L2 */
                    _mm_prefetch((const char *)(src + (size_t)(w + q) * ld + p), _MM_HINT_T1);
            }
            const __mmask16 load = tail_mask16((size_t)(kc - p));
            __m256 r[8];
#pragma GCC unroll 8
            for (int q = 0; q < 8; q++) {
                __m512 x = q < valid ? _mm512_maskz_loadu_ps(load, src + (size_t)(i0 + q) * ld + p)
                                     : _mm512_setzero_ps();
                r[q] = (__m256)_mm512_cvtneps_pbh(x); /* 8 words: pairs of k p.. p+15 */
            }
            transpose_8x8(r);
            const int n = words - p / 2 < 8 ? words - p / 2 : 8; /* words of this step */
            for (int q = 0; q < n; q++)
                _mm256_mask_storeu_epi32(dst + (size_t)(p / 2 + q) * w + i0, lanes, (__m256i)r[q]);
        }
    }
}

#endif
