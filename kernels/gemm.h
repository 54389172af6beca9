/* gemm.h: the blocked SGEMM framework shared by the ISAs, and each ISA's SGEMM.
 *
 * Every sgemm_<isa> has the `sgemm` slot signature of kernels.h: c (M,N) = alpha * op(a)
 * op(b) + beta * c, row-major, beta == 0 never reads c. sgemm_avx2/sgemm_avx512 exist only
 * in x86-64 builds, sgemm_neon only in aarch64 builds.
 *
 * The framework (BLIS loop order jc, pc, ic, jr, ir) packs a (kc, nc) block of op(b) into
 * NR-wide panels and an (mc, kc) block of op(a) into MR-tall panels (each panel right before
 * its first use), then calls the ISA's register-tiled microkernel on each MR x NR tile of c.
 * Tiles cut by the right edge of c go through an aligned scratch tile; the last row panel
 * runs only its rows, so nothing outside c (or in its row padding) is read or written.
 * OpenMP threads split the MR-row (or NR-column) tiles of the larger of M and N into blocks:
 * each thread works through its contiguous share of blocks and then takes blocks from the
 * back of the largest share left (so a thread slowed by other load does less), keeping the
 * blocks it took for all k steps. Every tile is thus written by one thread, k block after
 * k block, and the k blocking depends on K alone, so every element is summed in the same
 * order for any thread count or claim order: an ISA gives the same bits with 1 or 2 threads.
 */
#ifndef KERNELS_GEMM_H
#define KERNELS_GEMM_H

#include <stddef.h>

#include "kernels.h"

void sgemm_avx2(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
void sgemm_avx512(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                  const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
/* Reduced precision: op(a) and op(b) rounded to bfloat16 (to nearest even), products
 * summed in f32. */
void gemm_bf16_avx512(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                      const float *a, int lda, const float *b, int ldb, float beta, float *c,
                      int ldc);
/* The same on AMX tiles (amx/gemm_amx.c; x86-64 builds, CPUs with AMX-BF16), and that file
 * with the tile instructions emulated in C (every build; for the tests). */
void gemm_bf16_amx(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float *a,
                   int lda, const float *b, int ldb, float beta, float *c, int ldc);
void gemm_bf16_amx_emulated(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                            const float *a, int lda, const float *b, int ldb, float beta,
                            float *c, int ldc);
/* Configures this thread's AMX tiles as the GEMM uses them (palette 1, all 8 tiles 16 rows x
 * 64 bytes), once per thread; they stay so (bench/ runs its peak loop on them). */
void gemm_amx_tiles_ready(void);
void gemm_amx_emulated_tiles_ready(void);
void sgemm_neon(bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/* Microkernel: acc (rows,NR) = sum over kc of a (kc,MR packed; first rows used) x b (kc,NR
 * packed), then c (rows,NR; row stride ldc) = alpha * acc, plus beta * c (one fused
 * multiply-add, after the alpha product is rounded) unless beta == 0, when c is not read.
 * 1 <= rows <= MR: the last row panel of c runs only its rows and touches no others. */
typedef void (*gemm_ukernel_fn)(size_t kc, int rows, const float *a, const float *b, float *c,
                                size_t ldc, float alpha, float beta);

/* Packs one panel: dst (kc,w)[p*w + i] = src[i*ld + p] for i < rows, 0 for rows <= i < w
 * (transposing), or dst[p*w + i] = src[p*ld + i] (copying). When rows == w, the next_rows
 * rows (columns) after them, the next panel's, may be prefetched. A config with k_pairs
 * packs 32-bit words instead, each two bfloat16 of k 2p and 2p+1 (the low half first; a
 * zero after an odd kc): dst (ceil(kc/2),w); with k_tile, k is zero-padded to whole tiles
 * and the layout is the config's own (gemm_panel_depth words per lane). */
typedef void (*gemm_pack_fn)(const float *src, size_t ld, int rows, int kc, int w,
                             int next_rows, float *dst);

/* A microkernel and the block sizes it runs best with (mc a multiple of mr, nc of nr). */
typedef struct gemm_config {
    const char *name; /* XNNPACK-style, e.g. "f32_gemm_14x32__avx512" */
    int mr, nr;       /* register tile, nr <= GEMM_MAX_NR and mr <= GEMM_MAX_MR */
    int mc, kc, nc;   /* cache blocks of op(a) rows, the shared dimension, op(b) columns */
    gemm_ukernel_fn ukernel;
    /* For edge tiles of at most nr_narrow columns (0: none): the first nr_narrow columns of
     * ukernel's tile (same b panel, same sums), at less cost. */
    int nr_narrow;
    gemm_ukernel_fn ukernel_narrow;
    /* For edge tiles of at most nr_narrowest (< nr_narrow) columns (0: none): cheaper still. */
    int nr_narrowest;
    gemm_ukernel_fn ukernel_narrowest;
    gemm_pack_fn pack_transposed; /* for a (M,K) and b (N,K); NULL: a portable loop */
    gemm_pack_fn pack_copy;       /* for a (K,M) and b (K,N); NULL: a portable loop */
    /* For a's panels when their layout is not b's (AMX: rows of k pairs); NULL: as b. */
    gemm_pack_fn pack_a_transposed, pack_a_copy;
    /* Panels hold bfloat16 pairs of k (both packers set, the microkernel reads words).
     * gemm_pack_a/gemm_pack_b still work; writing b's panels row by row at
     * gemm_packed_b_offset does not. */
    bool k_pairs;
    /* With k_pairs: each panel's k zero-padded to a multiple of k_tile (AMX: 32, the depth
     * of one tile product), <= GEMM_MAX_K_TILE and <= kc; 0: no padding. */
    int k_tile;
} gemm_config;

/* Each ISA's configuration (defined where its sgemm_<isa> is), e.g. for tests to sweep
 * sizes around the tile. */
extern const gemm_config sgemm_config_avx2, sgemm_config_avx512, sgemm_config_neon;
extern const gemm_config gemm_config_avx512bf16, gemm_config_amx, gemm_config_amx_emulated;

#define GEMM_MAX_MR 32
#define GEMM_MAX_NR 64
#define GEMM_MAX_K_TILE 32

/* Floats per lane of one packed panel holding kc k: kc (f32, and k pairs without k_tile,
 * which fill half), or the words of kc rounded up to whole k tiles. */
static inline size_t gemm_panel_depth(int k_tile, int kc)
{
    return k_tile ? (size_t)((kc + k_tile - 1) / k_tile) * (size_t)k_tile / 2 : (size_t)kc;
}

/* The whole SGEMM on the framework with the microkernel of cfg, threaded with OpenMP. */
void gemm_blocked(const gemm_config *cfg, bool trans_a, bool trans_b, int m, int n, int k,
                  float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                  float *c, int ldc);

/* Operands packed once for many products (a conv's weights across its groups of images)
 * or written straight in packed form (im2col into B's panels). Packed buffers are 64-byte
 * aligned (the microkernels load b's panels with aligned loads).
 * op(a) (M,K): gemm_packed_a_floats floats, filled by gemm_pack_a (threaded when large and
 * called outside a parallel region). */
size_t gemm_packed_a_floats(const gemm_config *cfg, int m, int k);
/* At least gemm_packed_a_floats(cfg, m, k) for every config (a conv sizes its workspace
 * for any ISA). */
size_t gemm_packed_a_floats_max(int m, int k);
void gemm_pack_a(const gemm_config *cfg, bool trans_a, int m, int k, const float *a, int lda,
                 float *packed);

/* op(b) (K,N) packed: per k block (kc_max rows, the last one shorter) its nr-wide column
 * panels, each (kc, nr) row-major (k_tile: gemm_panel_depth words per column); columns
 * n..n_pad-1 of the last panel are padding. */
typedef struct gemm_b_layout {
    int nr, k, n, kc_max, k_tile;
    bool k_pairs; /* words of two bfloat16 of k 2p, 2p+1 (the config's k_pairs) */
    size_t n_pad, floats;
} gemm_b_layout;
gemm_b_layout gemm_packed_b_layout(const gemm_config *cfg, int k, int n);

/* The first row pc of row r's k block, and the block's depth kc. */
static inline int gemm_packed_b_block(const gemm_b_layout *l, int r, int *kc)
{
    int pc = r / l->kc_max * l->kc_max;
    *kc = l->k - pc < l->kc_max ? l->k - pc : l->kc_max;
    return pc;
}

/* Where row r, column q of op(b) goes; columns q..q+nr-1-(q % nr) of the row are contiguous.
 * With k pairs only the panel starts (r = pc, q a multiple of nr) are meaningful. */
static inline size_t gemm_packed_b_offset(const gemm_b_layout *l, int r, int q)
{
    int kc, pc = gemm_packed_b_block(l, r, &kc);
    size_t full_block = gemm_panel_depth(l->k_tile, l->kc_max) * l->n_pad;
    size_t panel = (size_t)l->nr * gemm_panel_depth(l->k_tile, kc);
    return (size_t)(pc / l->kc_max) * full_block + (size_t)(q / l->nr) * panel +
           (size_t)(r - pc) * l->nr + q % l->nr;
}
/* op(b) packed from b; zeroes the padding. Threaded when large and called outside a
 * parallel region. */
void gemm_pack_b(const gemm_config *cfg, bool trans_b, int k, int n, const float *b, int ldb,
                 float *packed);
/* The largest row boundary <= r of op(b)'s packed form, r in the rows of b as stored (b (N,K)
 * when trans_b: the columns of op(b); else its k): a column panel's start for trans_b, else a
 * k block's start plus whole k tiles (words with k pairs); 0 and the row count are ones. */
int gemm_pack_b_boundary(const gemm_config *cfg, bool trans_b, int k, int n, int r);
/* The part of gemm_pack_b's output made from b's stored rows r0..r1 (boundaries; aborts if
 * not): the same bits, for a caller that changes b a few rows at a time. On the calling
 * thread only (threads may pack disjoint ranges at once). */
void gemm_pack_b_rows(const gemm_config *cfg, bool trans_b, int k, int n, const float *b, int ldb,
                      int r0, int r1, float *packed);
/* Zeroes the padding columns (for packed b written column by column), and with k pairs the
 * padding words of each panel up to the depth its microkernel reads (not the odd half of
 * the last word of an odd k block: its writer's). */
void gemm_packed_b_zero_padding(const gemm_b_layout *l, float *packed);

/* c (M,N) = alpha * op(a) op(b) + beta * c on this thread, from packed op(a) and op(b) (or,
 * when packed_b is NULL, b (K,N) row-major with row stride ldb): the same bits as
 * gemm_blocked on the operands themselves. */
void gemm_blocked_packed(const gemm_config *cfg, int m, int n, int k, float alpha,
                         const float *packed_a, const float *packed_b, const float *b, int ldb,
                         float beta, float *c, int ldc);

/* c (M,N) = alpha * op(a) op(b) + beta * c, threaded as gemm_blocked, from op(b) packed ahead
 * by gemm_pack_b (a weight packed once for several products): gemm_blocked's bits. */
void gemm_blocked_b_packed(const gemm_config *cfg, bool trans_a, int m, int n, int k,
                           float alpha, const float *a, int lda, const float *packed_b,
                           float beta, float *c, int ldc);

/* An ISA's kern_table slots for products with op(b) packed ahead, on its config cfg:
 * sgemm_packed_b_floats_<isa>, sgemm_pack_b_<isa>, sgemm_pack_b_boundary_<isa>,
 * sgemm_pack_b_rows_<isa>, sgemm_packed_b_<isa>. */
#define GEMM_PACKED_B_DECLARE(isa)                                                               \
    size_t sgemm_packed_b_floats_##isa(int k, int n);                                            \
    void sgemm_pack_b_##isa(bool trans_b, int k, int n, const float *b, int ldb, float *packed); \
    int sgemm_pack_b_boundary_##isa(bool trans_b, int k, int n, int r);                          \
    void sgemm_pack_b_rows_##isa(bool trans_b, int k, int n, const float *b, int ldb, int r0,     \
                                 int r1, float *packed);                                         \
    void sgemm_packed_b_##isa(bool trans_a, int m, int n, int k, float alpha, const float *a,    \
                              int lda, const float *packed_b, float beta, float *c, int ldc);
GEMM_PACKED_B_DECLARE(avx2)
GEMM_PACKED_B_DECLARE(avx512)
GEMM_PACKED_B_DECLARE(avx512bf16)
GEMM_PACKED_B_DECLARE(amx)
GEMM_PACKED_B_DECLARE(neon)

#define GEMM_PACKED_B_ISA(isa, cfg)                                                              \
    size_t sgemm_packed_b_floats_##isa(int k, int n)                                             \
    {                                                                                            \
        return gemm_packed_b_layout(&(cfg), k, n).floats;                                        \
    }                                                                                            \
    void sgemm_pack_b_##isa(bool trans_b, int k, int n, const float *b, int ldb, float *packed)  \
    {                                                                                            \
        gemm_pack_b(&(cfg), trans_b, k, n, b, ldb, packed);                                      \
    }                                                                                            \
    int sgemm_pack_b_boundary_##isa(bool trans_b, int k, int n, int r)                           \
    {                                                                                            \
        return gemm_pack_b_boundary(&(cfg), trans_b, k, n, r);                                   \
    }                                                                                            \
    void sgemm_pack_b_rows_##isa(bool trans_b, int k, int n, const float *b, int ldb, int r0,     \
                                 int r1, float *packed)                                          \
    {                                                                                            \
        gemm_pack_b_rows(&(cfg), trans_b, k, n, b, ldb, r0, r1, packed);                         \
    }                                                                                            \
    void sgemm_packed_b_##isa(bool trans_a, int m, int n, int k, float alpha, const float *a,    \
                              int lda, const float *packed_b, float beta, float *c, int ldc)     \
    {                                                                                            \
        gemm_blocked_b_packed(&(cfg), trans_a, m, n, k, alpha, a, lda, packed_b, beta, c, ldc);  \
    }

#endif
