/* gemm_amx.c: the bfloat16 GEMM on AMX tiles (INFOGAN_ISA=amx) on the blocked framework of
 * gemm.c, with the semantics of the avx512bf16 GEMM (and its twin gemm_bf16_scalar): op(a)
 * and op(b) rounded to bfloat16 (to nearest even, subnormals to signed zero), products summed
 * in f32, c = alpha * sum [+ beta * c].
 *
 * Tiles (palette 1, every tile 16 rows x 64 bytes; configured once per thread, kept for the
 * thread's life):
 *   tmm0 tmm1   c rows 0-15,  columns 0-15 | 16-31   (16 x 16 f32 each: the 32x32 block
 *   tmm2 tmm3   c rows 16-31, columns 0-15 | 16-31    of c as 2x2 accumulators)
 *   tmm4 tmm5   a rows 0-15 | 16-31: 16 rows x 16 words, a word two bfloat16 of k 2q, 2q+1
 *   tmm6 tmm7   b columns 0-15 | 16-31: 16 rows (k pairs) x 16 words (the VNNI layout)
 * One k step of 32 k: 4 tile loads and 4 TDPBF16PS, c[r][s] += a[r] b[s].
 *
 * Panels (words: two bfloat16, the even k in the low half; k zero-padded to a multiple of 32,
 * a group of 16 words per lane):
 *   a, 32 rows of op(a): group g is (32, 16) words row-major, word [i][q] = the k pair
 *      32g+2q, 32g+2q+1 of row i: tmm4 loads its rows 0-15, tmm5 rows 16-31 (stride 64 B).
 *   b, 32 columns of op(b): (pairs, 32) words row-major, word [p][j] = the k pair 2p, 2p+1 of
 *      column j; group g is rows 16g..16g+15: tmm6 loads its words 0-15, tmm7 16-31
 *      (stride 128 B).
 * The packers round with VCVTNE2PS2BF16 (AVX-512 BF16; b's panels are the avx512bf16 GEMM's
 * layout and packers, padded); the emulated build packs in plain C (bf16_bits), and a test
 * on AMX hardware requires the two to give the same bits. Vector packers made the GEMM 3-4x
 * faster on the AMX Xeon of 2026-12-06: the C ones took 60% of its time.
 *
 * Compiled twice: as gemm_amx.c with the tile instructions (x86-64 builds; runs where the CPU
 * and OS have AMX, see dispatch.c), and as gemm_amx_emulated.c, this file with AMX_EMULATE:
 * the tile instructions as C on per-thread tile registers, so that the packers, the loops and
 * the tile layouts are tested on every CPU against gemm_bf16_scalar. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "gemm.h"

#ifdef AMX_EMULATE
#include <stdio.h>
#include <stdlib.h>
#define GEMM_AMX_CONFIG gemm_config_amx_emulated
#define GEMM_AMX_NAME "bf16_gemm_32x32__amx_emulated"
#define GEMM_BF16_AMX gemm_bf16_amx_emulated
#define GEMM_AMX_TILES_READY gemm_amx_emulated_tiles_ready
#else
#include <immintrin.h>

#include "avx512/pack_bf16_avx512.h"
#define GEMM_AMX_CONFIG gemm_config_amx
#define GEMM_AMX_NAME "bf16_gemm_32x32__amx"
#define GEMM_BF16_AMX gemm_bf16_amx
#define GEMM_AMX_TILES_READY gemm_amx_tiles_ready
#endif

/* k of one tile product: 16 words of two k per a row. */
#define AMX_K_TILE 32

/* Tile numbers (macros: the intrinsics paste them into the instruction). */
#define TILE_C00 0
#define TILE_C01 1
#define TILE_C10 2
#define TILE_C11 3
#define TILE_A0 4
#define TILE_A1 5
#define TILE_B0 6
#define TILE_B1 7

/* What LDTILECFG reads: palette, then bytes per row and rows of each tile. */
typedef struct tile_config {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} tile_config;
_Static_assert(sizeof(tile_config) == 64, "LDTILECFG reads 64 bytes");

/* Every tile 16 rows x 64 bytes: c 16 x 16 f32, a 16 rows x 32 k, b 32 k x 16 columns. */
static const tile_config amx_tiles = {
    .palette = 1,
    .colsb = {64, 64, 64, 64, 64, 64, 64, 64},
    .rows = {16, 16, 16, 16, 16, 16, 16, 16},
};

#ifdef AMX_EMULATE
/* ---- the tile instructions in C ---- */

typedef union tile_row {
    uint32_t w[16];
    float f[16];
} tile_row;

/* This thread's tile registers, as the CPU keeps them per thread. */
static _Thread_local struct {
    bool configured;
    tile_config cfg;
    tile_row t[8][16]; /* 8 tiles of 16 rows x 64 bytes */
} emu;

static void emu_fail(const char *what)
{
    fprintf(stderr, "error: gemm_amx (emulated): %s\n", what);
    abort();
}

static void emu_check(int t)
{
    if (!emu.configured) emu_fail("tile instruction before LDTILECFG (the CPU raises #UD)");
    if (emu.cfg.rows[t] > 16 || emu.cfg.colsb[t] > 64 || emu.cfg.colsb[t] % 4)
        emu_fail("tile shape out of palette 1");
}

/* LDTILECFG: the shapes; every tile zeroed. */
static void emu_loadconfig(const tile_config *cfg)
{
    if (cfg->palette != 1) emu_fail("only palette 1 is emulated");
    emu.cfg = *cfg;
    emu.configured = true;
    memset(emu.t, 0, sizeof emu.t);
}

static void emu_zero(int t)
{
    emu_check(t);
    memset(emu.t[t], 0, sizeof emu.t[t]);
}

/* TILELOADD: row r (r < rows) = colsb bytes at base + r * stride; the rest of the tile 0. */
static void emu_load(int t, const void *base, size_t stride)
{
    emu_check(t);
    memset(emu.t[t], 0, sizeof emu.t[t]);
    for (int r = 0; r < emu.cfg.rows[t]; r++)
        memcpy(&emu.t[t][r], (const char *)base + (size_t)r * stride, emu.cfg.colsb[t]);
}

/* TILESTORED: colsb bytes of each of the rows to base + r * stride. */
static void emu_store(int t, void *base, size_t stride)
{
    emu_check(t);
    for (int r = 0; r < emu.cfg.rows[t]; r++)
        memcpy((char *)base + (size_t)r * stride, &emu.t[t][r], emu.cfg.colsb[t]);
}

/* Output denormals flushed to signed zero (FTZ). */
static float ftz(float x) { return fabsf(x) < 0x1p-126f ? copysignf(0.0f, x) : x; }

/* The f32 of a bfloat16 half of a word; input denormals read as zero (DAZ). */
static float bf16_half(uint32_t word, int high)
{
    uint32_t u = high ? word & 0xffff0000u : word << 16;
    if ((u & 0x7f800000u) == 0) u &= 0x80000000u;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* TDPBF16PS c, a, b as the SDM's pseudo-code: per row m of c, even and odd products summed
 * apart over k (each add one rounding: the bfloat16 product is exact in f32), then their sum
 * added to c[m][n]. */
static void emu_dpbf16ps(int c, int a, int b)
{
    emu_check(c), emu_check(a), emu_check(b);
    /* c (m_rows, n_cols f32), a (m_rows, k_words), b (k_words, n_cols words) */
    const tile_config *s = &emu.cfg;
    const int m_rows = s->rows[c], k_words = s->colsb[a] / 4, n_cols = s->colsb[c] / 4;
    if (s->rows[a] != m_rows || s->rows[b] != k_words || s->colsb[b] != s->colsb[c])
        emu_fail("TDPBF16PS on tiles of mismatched shapes (the CPU raises #UD)");
    for (int m = 0; m < m_rows; m++) {
        float even[16] = {0}, odd[16] = {0};
        for (int k = 0; k < k_words; k++) {
            uint32_t aw = emu.t[a][m].w[k];
            float a0 = bf16_half(aw, 0), a1 = bf16_half(aw, 1);
            for (int n = 0; n < n_cols; n++) {
                uint32_t bw = emu.t[b][k].w[n];
                even[n] = ftz(even[n] + a0 * bf16_half(bw, 0));
                odd[n] = ftz(odd[n] + a1 * bf16_half(bw, 1));
            }
        }
        for (int n = 0; n < n_cols; n++)
            emu.t[c][m].f[n] = ftz(emu.t[c][m].f[n] + ftz(even[n] + odd[n]));
    }
}

#define TILE_CONFIGURE(cfg) emu_loadconfig(cfg)
#define TILE_ZERO(t) emu_zero(t)
#define TILE_LOAD(t, base, stride) emu_load(t, base, stride)
#define TILE_STORE(t, base, stride) emu_store(t, base, stride)
#define TILE_DPBF16PS(c, a, b) emu_dpbf16ps(c, a, b)
#else
#define TILE_CONFIGURE(cfg) _tile_loadconfig(cfg)
#define TILE_ZERO(t) _tile_zero(t)
#define TILE_LOAD(t, base, stride) _tile_loadd(t, base, stride)
#define TILE_STORE(t, base, stride) _tile_stored(t, base, stride)
#define TILE_DPBF16PS(c, a, b) _tile_dpbf16ps(c, a, b)
#endif

/* Configures this thread's tiles on its first use; they stay configured (no TILERELEASE: the
 * configuration is the same for every call). */
static _Thread_local bool tiles_configured;

void GEMM_AMX_TILES_READY(void)
{
    if (tiles_configured) return;
    TILE_CONFIGURE(&amx_tiles);
    tiles_configured = true;
}

/* ---- packers ---- */

/* Word of lane i (a row of op(a) or a column of op(b)), k pair p, in a panel of w lanes. */
static inline size_t a_word(int w, int i, int p)
{
    return (size_t)(p / 16) * w * 16 + (size_t)i * 16 + p % 16; /* groups of (w, 16) */
}

#ifdef AMX_EMULATE
static inline size_t b_word(int w, int i, int p) { return (size_t)p * w + i; } /* (pairs, w) */

/* bfloat16 bits of x as round_bf16 (and VCVTNEPS2BF16) round it: to nearest, ties to even;
 * subnormals to signed zero; NaN stays NaN (quiet). */
static inline uint32_t bf16_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u >> 16) | 0x40u;
    if ((u & 0x7f800000u) == 0) return (u >> 16) & 0x8000u;
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

static inline uint32_t pair_word(float even, float odd)
{
    return bf16_bits(even) | bf16_bits(odd) << 16;
}

/* One panel of w lanes from src: lane i < lanes at src + i * ld with its k contiguous
 * (lane_rows: a (M,K), b (N,K)), or k at src + k * ld with the lanes contiguous (a (K,M),
 * b (K,N)); k pairs up to the padded depth, zeros past kc and past the lanes. */
static inline __attribute__((always_inline)) void pack_pairs(const float *src, size_t ld,
                                                             int lanes, int kc, int w,
                                                             bool a_layout, bool lane_rows,
                                                             float *dst)
{
    uint32_t *d = (uint32_t *)dst;
    const int pairs = (int)gemm_panel_depth(AMX_K_TILE, kc), full = kc / 2;
#define AT(i, p) d[a_layout ? a_word(w, i, p) : b_word(w, i, p)]
    if (lane_rows) {
        for (int i = 0; i < lanes; i++) {
            const float *row = src + (size_t)i * ld;
            for (int p = 0; p < full; p++) AT(i, p) = pair_word(row[2 * p], row[2 * p + 1]);
            if (kc % 2) AT(i, full) = pair_word(row[kc - 1], 0.0f);
            for (int p = (kc + 1) / 2; p < pairs; p++) AT(i, p) = 0;
        }
    } else {
        for (int p = 0; p < full; p++) {
            const float *even = src + (size_t)(2 * p) * ld, *odd = even + ld;
            for (int i = 0; i < lanes; i++) AT(i, p) = pair_word(even[i], odd[i]);
        }
        if (kc % 2) {
            const float *even = src + (size_t)(kc - 1) * ld;
            for (int i = 0; i < lanes; i++) AT(i, full) = pair_word(even[i], 0.0f);
        }
        for (int p = (kc + 1) / 2; p < pairs; p++)
            for (int i = 0; i < lanes; i++) AT(i, p) = 0;
    }
    for (int i = lanes; i < w; i++)
        for (int p = 0; p < pairs; p++) AT(i, p) = 0;
#undef AT
}
#endif

#ifdef AMX_EMULATE
/* The framework's gemm_pack_fn for each operand and layout (next_rows: no prefetch). */
static void pack_a_transposed(const float *src, size_t ld, int rows, int kc, int w,
                              int next_rows, float *dst)
{
    (void)next_rows;
    pack_pairs(src, ld, rows, kc, w, true, true, dst); /* a (M,K) */
}

static void pack_a_copy(const float *src, size_t ld, int rows, int kc, int w, int next_rows,
                        float *dst)
{
    (void)next_rows;
    pack_pairs(src, ld, rows, kc, w, true, false, dst); /* a (K,M) */
}

static void pack_b_transposed(const float *src, size_t ld, int cols, int kc, int w,
                              int next_cols, float *dst)
{
    (void)next_cols;
    pack_pairs(src, ld, cols, kc, w, false, true, dst); /* b (N,K) */
}

static void pack_b_copy(const float *src, size_t ld, int cols, int kc, int w, int next_cols,
                        float *dst)
{
    (void)next_cols;
    pack_pairs(src, ld, cols, kc, w, false, false, dst); /* b (K,N) */
}
#else
/* The same panels on AVX-512 BF16 (VCVTNE2PS2BF16 rounds as bf16_bits; the tests compare
 * every panel's bits with the C packers above, through the emulated GEMM). b's layout is the
 * avx512bf16 GEMM's (pairs, w), so its packers serve, with the pairs past kc zeroed. */

/* Words (k pairs) (kc+1)/2 .. of a (pairs, w) panel up to the padded depth: zero. */
static void zero_padded_pairs(int kc, int w, float *dst)
{
    const size_t from = (size_t)(kc + 1) / 2, to = gemm_panel_depth(AMX_K_TILE, kc);
    memset(dst + from * w, 0, (to - from) * w * sizeof(float));
}

static void pack_b_transposed(const float *src, size_t ld, int cols, int kc, int w,
                              int next_cols, float *dst)
{
    pack_transposed_bf16(src, ld, cols, kc, w, next_cols, dst); /* b (N,K) */
    zero_padded_pairs(kc, w, dst);
}

static void pack_b_copy(const float *src, size_t ld, int cols, int kc, int w, int next_cols,
                        float *dst)
{
    pack_copy_bf16(src, ld, cols, kc, w, next_cols, dst); /* b (K,N) */
    zero_padded_pairs(kc, w, dst);
}

/* a (M,K): a row's 32 k of group g round to 32 bfloat16 in k order, which are the group's 16
 * words of that row. */
static void pack_a_transposed(const float *src, size_t ld, int rows, int kc, int w,
                              int next_rows, float *dst)
{
    (void)next_rows;
    const int groups = (kc + AMX_K_TILE - 1) / AMX_K_TILE;
    for (int i = 0; i < w; i++) {
        const float *row = src + (size_t)i * ld;
        for (int g = 0; g < groups; g++) {
            __m512i words = _mm512_setzero_si512();
            if (i < rows) {
                const int k0 = g * AMX_K_TILE;
                __m512 lo = _mm512_maskz_loadu_ps(tail_mask16((size_t)(kc - k0)), row + k0);
                __m512 hi = _mm512_maskz_loadu_ps(
                    tail_mask16(kc - k0 > 16 ? (size_t)(kc - k0 - 16) : 0), row + k0 + 16);
                words = (__m512i)_mm512_cvtne2ps_pbh(hi, lo); /* lo's 16, then hi's 16 */
            }
            _mm512_store_si512(dst + a_word(w, i, 16 * g), words);
        }
    }
}

/* a (K,M): each group's (16 pairs, w) words as the b packer lays them, then transposed to
 * (w, 16). */
static void pack_a_copy(const float *src, size_t ld, int rows, int kc, int w, int next_rows,
                        float *dst)
{
    const int groups = (kc + AMX_K_TILE - 1) / AMX_K_TILE;
    _Alignas(64) uint32_t pairs[16 * GEMM_MAX_MR]; /* (16, w) words */
    for (int g = 0; g < groups; g++) {
        const int k0 = g * AMX_K_TILE, kg = kc - k0 < AMX_K_TILE ? kc - k0 : AMX_K_TILE;
        memset(pairs, 0, sizeof pairs);
        pack_copy_bf16(src + (size_t)k0 * ld, ld, rows, kg, w, g + 1 < groups ? 0 : next_rows,
                       (float *)pairs);
        uint32_t *d = (uint32_t *)dst + (size_t)g * w * 16;
        for (int i = 0; i < w; i++)
            for (int q = 0; q < 16; q++) d[i * 16 + q] = pairs[q * w + i];
    }
}
#endif

/* ---- microkernels ---- */

/* c (rows, 16 * halves) = alpha * a panel (rows used) x the first 16 * halves columns of the
 * b panel, over kc k [+ beta * c: one fused multiply-add after the alpha product, as the
 * AVX-512 kernels]. Rows 16-31 (tmm5, tmm2, tmm3) only when rows > 16. */
static inline __attribute__((always_inline)) void tile_block(size_t kc, int rows,
                                                             const int halves, const float *a,
                                                             const float *b, float *c,
                                                             size_t ldc, float alpha,
                                                             float beta)
{
    GEMM_AMX_TILES_READY();
    const bool lower = rows > 16;
    for (int i = 0; i < rows; i++) { /* c's lines arrive while the tiles multiply */
        __builtin_prefetch(c + i * ldc, 1, 3);
        if (halves == 2) __builtin_prefetch(c + i * ldc + 31, 1, 3);
    }
    TILE_ZERO(TILE_C00);
    TILE_ZERO(TILE_C01);
    TILE_ZERO(TILE_C10);
    TILE_ZERO(TILE_C11);
    const size_t groups = (kc + AMX_K_TILE - 1) / AMX_K_TILE;
    for (size_t g = 0; g < groups; g++) {
        const float *ag = a + g * 32 * 16, *bg = b + g * 16 * 32; /* (32,16) and (16,32) words */
        TILE_LOAD(TILE_A0, ag, 64);
        TILE_LOAD(TILE_B0, bg, 128);
        if (halves == 2) TILE_LOAD(TILE_B1, bg + 16, 128);
        if (lower) TILE_LOAD(TILE_A1, ag + 16 * 16, 64);
        TILE_DPBF16PS(TILE_C00, TILE_A0, TILE_B0);
        if (halves == 2) TILE_DPBF16PS(TILE_C01, TILE_A0, TILE_B1);
        if (lower) TILE_DPBF16PS(TILE_C10, TILE_A1, TILE_B0);
        if (lower && halves == 2) TILE_DPBF16PS(TILE_C11, TILE_A1, TILE_B1);
    }
    if (alpha == 1.0f && beta == 0.0f && (rows == 16 || rows == 32)) { /* c = the tiles: same bits */
        const size_t stride = ldc * sizeof(float);
        TILE_STORE(TILE_C00, c, stride);
        if (halves == 2) TILE_STORE(TILE_C01, c + 16, stride);
        if (lower) TILE_STORE(TILE_C10, c + 16 * ldc, stride);
        if (lower && halves == 2) TILE_STORE(TILE_C11, c + 16 * ldc + 16, stride);
        return;
    }
    _Alignas(64) float acc[32 * 32]; /* (32,32) f32, row stride 128 bytes */
    TILE_STORE(TILE_C00, acc, 128);
    if (halves == 2) TILE_STORE(TILE_C01, acc + 16, 128);
    if (lower) TILE_STORE(TILE_C10, acc + 16 * 32, 128);
    if (lower && halves == 2) TILE_STORE(TILE_C11, acc + 16 * 32 + 16, 128);
    for (int i = 0; i < rows; i++) {
        float *crow = c + (size_t)i * ldc;
        const float *arow = acc + i * 32;
        if (beta == 0.0f)
            for (int j = 0; j < 16 * halves; j++) crow[j] = alpha * arow[j];
        else
            for (int j = 0; j < 16 * halves; j++) crow[j] = fmaf(beta, crow[j], alpha * arow[j]);
    }
}

/* The 32x32 microkernel, and its first 16 columns for edge tiles of at most 16 columns. */
static void bf16_gemm_32x32(size_t kc, int rows, const float *a, const float *b, float *c,
                            size_t ldc, float alpha, float beta)
{
    tile_block(kc, rows, 2, a, b, c, ldc, alpha, beta);
}

static void bf16_gemm_32x16_of_32(size_t kc, int rows, const float *a, const float *b, float *c,
                                  size_t ldc, float alpha, float beta)
{
    tile_block(kc, rows, 1, a, b, c, ldc, alpha, beta);
}

/* Blocks (mc 128-512, kc 256-1024, nc 512-1024 measured alike on that Xeon): a's block 256
 * rows x 512 k (256 KB of words, in L2), a b panel 512 k x 32 columns (32 KB, in L1), b's
 * block 1024 columns (1 MB). */
const gemm_config GEMM_AMX_CONFIG = {
    .name = GEMM_AMX_NAME, .mr = 32, .nr = 32,
    .mc = 32 * 8, .kc = 512, .nc = 1024,
    .ukernel = bf16_gemm_32x32,
    .nr_narrow = 16, .ukernel_narrow = bf16_gemm_32x16_of_32,
    .pack_transposed = pack_b_transposed, .pack_copy = pack_b_copy,
    .pack_a_transposed = pack_a_transposed, .pack_a_copy = pack_a_copy,
    .k_pairs = true, .k_tile = AMX_K_TILE,
};

void GEMM_BF16_AMX(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float *a,
                   int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    gemm_blocked(&GEMM_AMX_CONFIG, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

#ifndef AMX_EMULATE
GEMM_PACKED_B_ISA(amx, gemm_config_amx)
#endif
