/* conv_avx512.c: AVX-512F im2col/col2im and the im2col + GEMM convolutions.
 * Vectorized: each output row (a strided run of a zero-padded input row), 16 outputs at a
 * time, the tail stored with a mask; stride 1 is a plain copy, stride 2 loads 32 inputs
 * and keeps the even ones (permutex2var), other strides use a masked gather; rows shorter
 * than a vector are laid end to end and copied 16 outputs at a time across them. col2im adds
 * stride-1 runs directly and stride-2 runs by spreading 16 values onto the even lanes of
 * two vectors (permutexvar + masked add); other strides are scalar. */
#include <stdint.h>

#include "conv_gemm.h"
#include "gemm.h"
#include "pack_bf16_avx512.h"
#include "vec_avx512.h"
#include "simd/simd_kernels.h"

static void row_copy_avx512(float *dst, const float *prow, int ow, int stride)
{
    if (stride == 1) {
        for (int o = 0; o < ow; o += 16)
            _mm512_mask_storeu_ps(dst + o, tail_mask16((size_t)(ow - o)), _mm512_loadu_ps(prow + o));
    } else if (stride == 2) {
        const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22,
                                               24, 26, 28, 30);
        for (int o = 0; o < ow; o += 16) {
            __m512 lo = _mm512_loadu_ps(prow + 2 * o), hi = _mm512_loadu_ps(prow + 2 * o + 16);
            _mm512_mask_storeu_ps(dst + o, tail_mask16((size_t)(ow - o)), _mm512_permutex2var_ps(lo, even, hi));
        }
    } else {
        const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        const __m512i step = _mm512_mullo_epi32(lane, _mm512_set1_epi32(stride));
        for (int o = 0; o < ow; o += 16) {
            __mmask16 m = tail_mask16((size_t)(ow - o));
            __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, step, prow + (size_t)o * stride, 4);
            _mm512_mask_storeu_ps(dst + o, m, v);
        }
    }
}

static void row_add_avx512(float *prow, const float *src, int ow, int stride)
{
    if (stride == 1) {
        for (int o = 0; o < ow; o += 16) {
            __m512 s = _mm512_maskz_loadu_ps(tail_mask16((size_t)(ow - o)), src + o);
            _mm512_storeu_ps(prow + o, _mm512_add_ps(_mm512_loadu_ps(prow + o), s));
        }
    } else if (stride == 2) {
        const __m512i dup_lo = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        const __m512i dup_hi = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
                                                 14, 14, 15, 15);
        for (int o = 0; o < ow; o += 16) {
            __m512 s = _mm512_maskz_loadu_ps(tail_mask16((size_t)(ow - o)), src + o);
            float *d = prow + 2 * o;
            __m512 lo = _mm512_loadu_ps(d), hi = _mm512_loadu_ps(d + 16);
            _mm512_storeu_ps(d, _mm512_mask_add_ps(lo, 0x5555, lo, _mm512_permutexvar_ps(dup_lo, s)));
            _mm512_storeu_ps(d + 16, _mm512_mask_add_ps(hi, 0x5555, hi, _mm512_permutexvar_ps(dup_hi, s)));
        }
    } else {
        for (int o = 0; o < ow; o++) prow[(size_t)o * stride] += src[o];
    }
}

/* im2col for output rows shorter than a vector (OW < 16) at stride 1 or 2 (MNIST's 7x7,
 * the 8x8 of the 32x32 sets), a group of images at once: per channel, kernel row i and shift
 * a < ceil(KW/s), the input rows of every output row of every image are laid end to end
 * (s*OW columns each, image b from b*s*OH*OW), read straight from the images by masked loads
 * that zero the padding columns. Tap j's outputs Q = 0..nb*OH*OW-1 are then
 * flat[j/s][s*Q + j%s]: one strided run across the output rows and images, 16 outputs per
 * load (stride 1) or per permute of 32 inputs (stride 2), stored whole and aligned with the
 * panels (the group starts a panel). Channel c + 1's rows are laid out while channel c's taps
 * are read, so the taps' loads do not wait on the stores just made. Copies only: the same
 * col as im2col_rows. */
#define FLAT_MAX_SHIFTS 16

static bool flat_fits(const conv_geom *g, const col_dst *dst)
{
    return (g->stride == 1 || g->stride == 2) && g->ow < 16 &&
           (g->kw + g->stride - 1) / g->stride <= FLAT_MAX_SHIFTS && dst->q0 == 0 &&
           (!dst->panels || dst->panels->nr % 16 == 0);
}

/* The layout of one channel's rows: kh x shifts runs of len floats. */
typedef struct flat_plan {
    int s, p, run, shifts, nb;
    size_t len, img; /* img: floats per image */
    __mmask16 lo[FLAT_MAX_SHIFTS], hi[FLAT_MAX_SHIFTS]; /* lanes of shift a inside the image */
} flat_plan;

/* flat (kh, shifts, len) = channel chan (H,W) of each image's input rows of every output row,
 * per kernel row and shift; lanes past a row's run spill zeros into the next row, which
 * overwrites them. */
static void flat_rows(const conv_geom *g, const flat_plan *pl, const float *chan, float *flat)
{
    for (int i = 0; i < g->kh; i++)
        for (int a = 0; a < pl->shifts; a++) {
            float *d = flat + (size_t)(i * pl->shifts + a) * pl->len;
            for (int b = 0; b < pl->nb; b++) {
                const float *col0 = chan + b * pl->img + pl->s * a - g->pad_l; /* lane l: column s*a - pad_l + l */
                for (int oy = 0; oy < g->oh; oy++, d += pl->run) {
                    int iy = oy * pl->s - g->pad_t + i;
                    bool in = iy >= 0 && iy < g->h;
                    const float *src = col0 + (size_t)(in ? iy : 0) * g->w;
                    _mm512_storeu_ps(d, in ? _mm512_maskz_loadu_ps(pl->lo[a], src) : _mm512_setzero_ps());
                    if (pl->run > 16)
                        _mm512_storeu_ps(d + 16, in ? _mm512_maskz_loadu_ps(pl->hi[a], src + 16) : _mm512_setzero_ps());
                }
            }
        }
}

/* Tap (i, j)'s flat run: outputs q.. of it are tap_outputs(f, q, s) (16 of them). */
static inline const float *tap_run(const flat_plan *pl, const float *flat, int i, int j)
{
    return flat + (size_t)(i * pl->shifts + j / pl->s) * pl->len + j % pl->s;
}

static inline __m512 tap_outputs(const float *f, int q, int s)
{
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return s == 1 ? _mm512_loadu_ps(f + q)
                  : _mm512_permutex2var_ps(_mm512_loadu_ps(f + 2 * q), even, _mm512_loadu_ps(f + 2 * q + 16));
}

/* Channel c's col rows from its flat rows. */
static void flat_taps(const conv_geom *g, const flat_plan *pl, int c, const float *flat,
                      const col_dst *dst)
{
    const int s = pl->s, total = pl->nb * pl->p;
    for (int i = 0; i < g->kh; i++)
        for (int j = 0; j < g->kw; j++) {
            const float *f = tap_run(pl, flat, i, j);
            col_row row = col_row_start(dst, (c * g->kh + i) * g->kw + j);
            for (int q = 0; q < total; q += 16) {
                __m512 x = tap_outputs(f, q, s);
                if (total - q >= 16) _mm512_storeu_ps(row.at, x);
                else _mm512_mask_storeu_ps(row.at, tail_mask16((size_t)(total - q)), x);
                row.at += 16, row.lane += 16;
                if (row.lane == row.nr) row.at += row.next_panel, row.lane = 0;
            }
        }
}

/* The same rows as bfloat16 k pairs (dst->panels->k_pairs, im2col_pairs_avx512 held): taps
 * j and j + 1 (j even) are col rows r and r + 1 of one k block with r - pc even, so each
 * output column takes one word, bf16(tap j) | bf16(tap j+1) << 16, rounded as the GEMM's
 * packers round (bf16_pairs). Lanes past the columns are left to the padding. */
static void flat_taps_pairs(const conv_geom *g, const flat_plan *pl, int c, const float *flat,
                            const col_dst *dst)
{
    const gemm_b_layout *l = dst->panels;
    const int s = pl->s, total = pl->nb * pl->p;
    for (int i = 0; i < g->kh; i++)
        for (int j = 0; j < g->kw; j += 2) {
            int r = (c * g->kh + i) * g->kw + j, kc, pc = gemm_packed_b_block(l, r, &kc);
            size_t panel = (size_t)l->nr * gemm_panel_depth(l->k_tile, kc); /* floats (words) */
            float *words = dst->base + gemm_packed_b_offset(l, pc, 0) + (size_t)(r - pc) / 2 * l->nr;
            const float *even = tap_run(pl, flat, i, j), *odd = tap_run(pl, flat, i, j + 1);
            for (int q = 0; q < total; q += 16) {
                __m512i w = bf16_pairs(tap_outputs(even, q, s), tap_outputs(odd, q, s));
                float *at = words + (size_t)(q / l->nr) * panel + q % l->nr;
                _mm512_mask_storeu_epi32(at, tail_mask16((size_t)(total - q)), w);
            }
        }
}

static bool im2col_pairs_avx512(const conv_geom *g, const gemm_b_layout *l)
{
    const col_dst whole = {.panels = l, .q0 = 0};
    return l->k_pairs && flat_fits(g, &whole) && g->kw % 2 == 0 && l->kc_max % 2 == 0;
}

static void im2col_flat(const conv_geom *g, int nb, const float *imgs, const col_dst *dst)
{
    // imgs (nb,C,H,W), col (C*KH*KW, nb*OH*OW) at dst; scratch: two channels' flat rows
    flat_plan pl = {.s = g->stride, .p = g->oh * g->ow, .shifts = (g->kw + g->stride - 1) / g->stride,
                    .nb = nb, .img = (size_t)g->c * g->h * g->w};
    pl.run = pl.s * g->ow;
    /* the last row spills 16 floats past its run, the taps read 32 past s*nb*p */
    pl.len = ((size_t)pl.s * pl.p * nb + 32 + 15) / 16 * 16;
    for (int a = 0; a < pl.shifts; a++) {
        unsigned lanes = 0;
        for (int l = 0; l < pl.run; l++) {
            int x = pl.s * a - g->pad_l + l;
            if (x >= 0 && x < g->w) lanes |= 1u << l;
        }
        pl.lo[a] = (__mmask16)lanes, pl.hi[a] = (__mmask16)(lanes >> 16);
    }
    const size_t chan = (size_t)g->h * g->w, per = (size_t)g->kh * pl.shifts * pl.len;
    float *flat = conv_row_scratch(2 * per);
    flat_rows(g, &pl, imgs, flat);
    for (int c = 0; c < g->c; c++) {
        if (c + 1 < g->c) flat_rows(g, &pl, imgs + (c + 1) * chan, flat + ((c + 1) & 1) * per);
        if (dst->panels && dst->panels->k_pairs) flat_taps_pairs(g, &pl, c, flat + (c & 1) * per, dst);
        else flat_taps(g, &pl, c, flat + (c & 1) * per, dst);
    }
}

static void im2col_to_avx512(const conv_geom *g, int nb, const float *imgs, const col_dst *dst)
{
    if (flat_fits(g, dst)) im2col_flat(g, nb, imgs, dst);
    else im2col_rows(g, nb, imgs, dst, row_copy_avx512);
}

/* col2im by image row: an in-image row of a channel sums its taps (i, then j, ascending) in
 * registers, 16 padded columns per vector, and is written to img (or added to it) once,
 * shifted by pad_l in registers. Padded column x takes
 * the value o = (x - j) / stride of tap (i, j)'s output row when that divides and o < ow;
 * the (at most 16) values a 16-column chunk takes are loaded at o0 and moved into place by
 * a permute. Same sums in the same order as col2im_rows (which stays the fallback for rows
 * wider than COL2IM_MAX_CHUNKS vectors or pad_l >= 16), without its overlapping
 * read-modify-writes, which stall on store forwarding. */
#define COL2IM_MAX_CHUNKS 8
#define COL2IM_MAX_KW 16

/* Per tap column j and 16-column chunk q: first source value o0, permute index, lanes
 * taking a value, source lanes to load. */
typedef struct col2im_plan {
    __m512i idx[COL2IM_MAX_KW][COL2IM_MAX_CHUNKS];
    __mmask16 lanes[COL2IM_MAX_KW][COL2IM_MAX_CHUNKS], loads[COL2IM_MAX_KW][COL2IM_MAX_CHUNKS];
    int o0[COL2IM_MAX_KW][COL2IM_MAX_CHUNKS];
} col2im_plan;

/* The rows of every channel with `chunks` accumulators (a compile-time count when inlined
 * from the switch below, so they stay in registers). */
static inline __attribute__((always_inline)) void col2im_chunks(const conv_geom *g,
                                                                 const col2im_plan *pl,
                                                                 const float *col, size_t ldcol,
                                                                 float *img, bool add,
                                                                 const int chunks)
{
    const int s = g->stride, ow = g->ow;
    /* image column x + l is padded column x + pad_l + l: lane pad_l + l of two chunks */
    _Alignas(64) int32_t sh[16];
    for (int l = 0; l < 16; l++) sh[l] = g->pad_l + l;
    const __m512i shift = _mm512_load_si512(sh);
    for (int c = 0; c < g->c; c++)
        for (int iy = 0; iy < g->h; iy++) {
            __m512 acc[COL2IM_MAX_CHUNKS];
            for (int q = 0; q < chunks; q++) acc[q] = _mm512_setzero_ps();
            for (int i = 0; i < g->kh; i++) {
                int t = iy + g->pad_t - i;
                if (t < 0 || t % s != 0 || t / s >= g->oh) continue;
                const float *tap = col + (size_t)(c * g->kh + i) * g->kw * ldcol + (size_t)(t / s) * ow;
                for (int j = 0; j < g->kw; j++, tap += ldcol)
                    for (int q = 0; q < chunks; q++) {
                        if (!pl->lanes[j][q]) continue;
                        __m512 v = _mm512_maskz_loadu_ps(pl->loads[j][q], tap + pl->o0[j][q]);
                        acc[q] = _mm512_mask_add_ps(acc[q], pl->lanes[j][q], acc[q],
                                                    _mm512_permutexvar_ps(pl->idx[j][q], v));
                    }
            }
            float *dst = img + ((size_t)c * g->h + iy) * g->w;
            for (int k = 0; k < chunks && 16 * k < g->w; k++) { /* image columns 16k.. (pad_l < 16) */
                __mmask16 m = tail_mask16((size_t)(g->w - 16 * k));
                __m512 v = _mm512_permutex2var_ps(acc[k], shift, k + 1 < chunks ? acc[k + 1] : _mm512_setzero_ps());
                if (add) v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst + 16 * k), v);
                _mm512_mask_storeu_ps(dst + 16 * k, m, v);
            }
        }
}

static void col2im_ld_avx512(const conv_geom *g, const float *col, size_t ldcol, float *img, bool add)
{
    // col (C*KH*KW, OH*OW) row stride ldcol, img (C,H,W) = or +=
    const int s = g->stride, ow = g->ow;
    int span = (ow - 1) * s + g->kw, need = g->pad_l + g->w;
    int chunks = ((span > need ? span : need) + 15) / 16;
    if (chunks > COL2IM_MAX_CHUNKS || g->kw > COL2IM_MAX_KW || g->pad_l >= 16) {
        col2im_rows(g, col, ldcol, img, add, row_add_avx512);
        return;
    }
    col2im_plan pl;
    for (int j = 0; j < g->kw; j++)
        for (int q = 0; q < chunks; q++) {
            _Alignas(64) int32_t ix[16];
            int first = -1;
            pl.lanes[j][q] = 0;
            for (int l = 0; l < 16; l++) {
                int d = 16 * q + l - j;
                ix[l] = 0;
                if (d < 0 || d % s != 0 || d / s >= ow) continue;
                if (first < 0) first = d / s;
                ix[l] = d / s - first;
                pl.lanes[j][q] |= (__mmask16)(1u << l);
            }
            pl.o0[j][q] = first < 0 ? 0 : first;
            pl.idx[j][q] = _mm512_load_si512(ix);
            pl.loads[j][q] = first < 0 ? 0 : tail_mask16((size_t)(ow - first));
        }
    switch (chunks) {
    case 1: col2im_chunks(g, &pl, col, ldcol, img, add, 1); break;
    case 2: col2im_chunks(g, &pl, col, ldcol, img, add, 2); break;
    case 3: col2im_chunks(g, &pl, col, ldcol, img, add, 3); break;
    case 4: col2im_chunks(g, &pl, col, ldcol, img, add, 4); break;
    default: col2im_chunks(g, &pl, col, ldcol, img, add, chunks); break;
    }
}

void im2col_avx512(const conv_geom *g, const float *img, float *col)
{
    im2col_to_avx512(g, 1, img, &(col_dst){.base = col, .ld = (size_t)g->oh * g->ow});
}

void col2im_avx512(const conv_geom *g, const float *col, float *img)
{
    col2im_ld_avx512(g, col, (size_t)g->oh * g->ow, img, true);
}

CONV_GEMM_ISA(avx512, sgemm_config_avx512, im2col_to_avx512, NULL, col2im_ld_avx512,
              bias_grad_avx512)

/* The same convolutions on the bfloat16 GEMM (INFOGAN_ISA=avx512bf16). */
CONV_GEMM_ISA(avx512bf16, gemm_config_avx512bf16, im2col_to_avx512, im2col_pairs_avx512,
              col2im_ld_avx512, bias_grad_avx512)

/* And on the AMX tile GEMM (INFOGAN_ISA=amx). */
CONV_GEMM_ISA(amx, gemm_config_amx, im2col_to_avx512, im2col_pairs_avx512, col2im_ld_avx512,
              bias_grad_avx512)
