/* gemm_pack_x86.h: the transposing panel packer for the x86 SGEMMs (AVX; included by the
 * AVX2 and AVX-512 files, which are compiled with AVX enabled). */
#ifndef KERNELS_GEMM_PACK_X86_H
#define KERNELS_GEMM_PACK_X86_H

#include <immintrin.h>

/* In-register transpose of the 8x8 block held by rows r[0..8). */
static inline void transpose_8x8(__m256 r[8])
{
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xee);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xee);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xee);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xee);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/* How far ahead along each source row the packer prefetches (the rows are short streams). */
#define PACK_PREFETCH_FLOATS 128

/* dst (kc,w) panel: dst[p*w + i] = src[i*ld + p] for i < rows, 0 for rows <= i < w
 * (rows <= w). Groups of 8 source rows are transposed 8x8 in registers; the last group of
 * a panel whose width is not a multiple of 8 is stored with a lane mask, so nothing is
 * written past the panel. Prefetches the rows ahead in each source row, and the next_rows
 * rows of the next panel (src + w*ld onwards) into L2. */
static inline void pack_transposed_avx(const float *src, size_t ld, int rows, int kc, int w,
                                       int next_rows, float *dst)
{
    for (int i0 = 0; i0 < w; i0 += 8) {
        const int valid = rows - i0 < 0 ? 0 : rows - i0 > 8 ? 8 : rows - i0; /* source rows */
        const int width = w - i0 < 8 ? w - i0 : 8;                           /* stored lanes */
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(width),
                                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        int p = 0;
        for (; p + 8 <= kc; p += 8) {
            if (p % 16 == 0) {
                if (p + PACK_PREFETCH_FLOATS < kc)
                    for (int q = 0; q < valid; q++)
                        _mm_prefetch((const char *)(src + (size_t)(i0 + q) * ld + p + PACK_PREFETCH_FLOATS),
                                     _MM_HINT_T0);
                for (int q = i0; q < next_rows && q < i0 + 8; q++) /* the next panel, to L2 */
                    _mm_prefetch((const char *)(src + (size_t)(w + q) * ld + p), _MM_HINT_T1);
            }
            __m256 r[8];
#pragma GCC unroll 8
            for (int q = 0; q < 8; q++)
                r[q] = q < valid ? _mm256_loadu_ps(src + (size_t)(i0 + q) * ld + p)
                                 : _mm256_setzero_ps();
            transpose_8x8(r);
            float *d = dst + (size_t)p * w + i0;
            if (width == 8) {
#pragma GCC unroll 8
                for (int q = 0; q < 8; q++) _mm256_storeu_ps(d + (size_t)q * w, r[q]);
            } else {
#pragma GCC unroll 8
                for (int q = 0; q < 8; q++) _mm256_maskstore_ps(d + (size_t)q * w, mask, r[q]);
            }
        }
        for (; p < kc; p++)
            for (int q = 0; q < width; q++)
                dst[(size_t)p * w + i0 + q] = q < valid ? src[(size_t)(i0 + q) * ld + p] : 0.0f;
    }
}

#endif
