/* gemm.c: the blocked, packed, OpenMP-threaded SGEMM framework (see gemm.h). */
#include "gemm.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Below this many multiply-adds one thread is faster than waking a second one. */
#define GEMM_MIN_MACS_PER_THREAD (1 << 18)
/* Most threads one SGEMM runs on. */
#define GEMM_MAX_THREADS 256
/* Threads claim blocks of tiles dynamically: about this many per thread. */
#ifndef GEMM_BLOCKS_PER_THREAD
#define GEMM_BLOCKS_PER_THREAD 8
#endif

static int min_int(int x, int y) { return x < y ? x : y; }

static bool gemm_timing_on;
static double gemm_seconds_total;

void kern_gemm_timing(bool on) { gemm_timing_on = on; }
double kern_gemm_seconds(void) { return gemm_seconds_total; }

/* Adds the seconds since t0; a call on one thread of a parallel region counts its share of
 * the team's wall time. */
static void gemm_timing_add(double t0)
{
    double dt = (omp_get_wtime() - t0) / omp_get_num_threads();
#pragma omp atomic
    gemm_seconds_total += dt;
}
static int ceil_div(int x, int y) { return (x + y - 1) / y; }

/* Floats per lane of a packed panel of kc k (kc for f32). */
static size_t depth(const gemm_config *g, int kc) { return gemm_panel_depth(g->k_tile, kc); }

/* Per-thread packing buffer, kept across calls (grown when a config needs more). */
static _Thread_local float *pack_buf;
static _Thread_local size_t pack_cap;

static float *pack_buffer(size_t floats)
{
    if (floats > pack_cap) {
        free(pack_buf);
        void *p = NULL;
        if (posix_memalign(&p, 64, floats * sizeof(float)) != 0) {
            fprintf(stderr, "error: gemm.c: cannot allocate %zu bytes for packed panels\n",
                    floats * sizeof(float));
            exit(1);
        }
        pack_buf = p;
        pack_cap = floats;
    }
    return pack_buf;
}

/* A per-thread int buffer of at least n, kept across calls like pack_buf: the threaded GEMM's
 * block lists, so that a training step allocates nothing once its largest GEMM has run. */
static int *int_buffer(int **buf, size_t *cap, size_t n)
{
    if (n > *cap) {
        free(*buf);
        *buf = malloc(n * sizeof(int));
        if (!*buf) {
            fprintf(stderr, "error: gemm.c: cannot allocate %zu bytes for block lists\n", n * sizeof(int));
            exit(1);
        }
        *cap = n;
    }
    return *buf;
}
static _Thread_local int *own_buf, *claims_buf; /* a thread's own blocks; the caller's block list */
static _Thread_local size_t own_cap, claims_cap;

/* The portable gemm_pack_fn: reads each source row contiguously, writes with stride w. */
static void pack_transposed_portable(const float *src, size_t ld, int rows, int kc, int w,
                                     int next_rows, float *dst)
{
    (void)next_rows;
    for (int i = 0; i < rows; i++)
        for (int p = 0; p < kc; p++) dst[(size_t)p * w + i] = src[(size_t)i * ld + p];
    for (int i = rows; i < w; i++)
        for (int p = 0; p < kc; p++) dst[(size_t)p * w + i] = 0.0f;
}

/* dst (kc,w) panel: dst[p*w + j] = src[p*ld + j] for j < cols, 0 for cols <= j < w. Also
 * prefetches the next panel's next_cols columns of each row (0: none), which the next call
 * reads, so the rows stream from memory while this panel is packed and used. Into L2, not
 * L1: a panel of kc = 512 rows is 64 KB, more than a Zen 4 L1, so L1 prefetches evicted the
 * panel in use (the InfoGAN FC shapes that pack b this way ran 5-6% faster with L2). */
static void pack_copy(const float *src, size_t ld, int cols, int kc, int w, int next_cols,
                      float *dst)
{
    for (int p = 0; p < kc; p++) {
        const float *row = src + (size_t)p * ld;
        for (int j = 0; j < next_cols; j += 16) __builtin_prefetch(row + w + j, 0, 2);
        float *d = dst + (size_t)p * w;
        memcpy(d, row, (size_t)cols * sizeof(float));
        for (int j = cols; j < w; j++) d[j] = 0.0f;
    }
}

/* Panel ir / mr (kc,mr) of the (mc,kc) block of op(a) at a: rows ir.. of op(a), zero-padded. */
static void pack_a_panel(const gemm_config *g, bool trans_a, const float *a, int lda, int mc,
                         int ir, int kc, float *dst)
{
    int rows = min_int(g->mr, mc - ir), next_rows = min_int(g->mr, mc - ir - rows);
    if (trans_a) { /* a (K,M) */
        gemm_pack_fn copy = g->pack_a_copy ? g->pack_a_copy
                            : g->pack_copy ? g->pack_copy
                                           : pack_copy;
        copy(a + ir, (size_t)lda, rows, kc, g->mr, next_rows, dst);
        return;
    }
    gemm_pack_fn transposed = g->pack_a_transposed  ? g->pack_a_transposed
                              : g->pack_transposed ? g->pack_transposed
                                                   : pack_transposed_portable;
    transposed(a + (size_t)ir * lda, (size_t)lda, rows, kc, g->mr, next_rows, dst); /* a (M,K) */
}

/* Panel jr / nr (kc,nr) of the (kc,nc) block of op(b) at b: columns jr.. of op(b). */
static void pack_b_panel(const gemm_config *g, bool trans_b, const float *b, int ldb, int nc,
                         int jr, int kc, float *dst)
{
    int cols = min_int(g->nr, nc - jr), next_cols = min_int(g->nr, nc - jr - cols);
    if (!trans_b) { /* b (K,N) */
        gemm_pack_fn copy = g->pack_copy ? g->pack_copy : pack_copy;
        copy(b + jr, (size_t)ldb, cols, kc, g->nr, next_cols, dst);
        return;
    }
    gemm_pack_fn transposed = g->pack_transposed ? g->pack_transposed : pack_transposed_portable;
    transposed(b + (size_t)jr * ldb, (size_t)ldb, cols, kc, g->nr, next_cols, dst); /* b (N,K) */
}

/* c (m,n) = beta * c, where beta == 0 writes zeros without reading c. */
static void scale_c(int m, int n, float beta, float *c, int ldc)
{
    for (int i = 0; i < m; i++) {
        float *row = c + (size_t)i * ldc;
        for (int j = 0; j < n; j++) row[j] = beta == 0.0f ? 0.0f : beta * row[j];
    }
}

/* The blocking of an SGEMM: equal k blocks no longer than g->kc (no block is a sliver), so
 * the k order of every element depends on K alone. */
typedef struct blocking {
    int kc_max, mc_max, nc_max;
    size_t apack_floats; /* 64-byte multiple: the b panels after the a panels stay aligned */
    size_t bpack_floats;
} blocking;

static int k_block_max(const gemm_config *g, int k) { return ceil_div(k, ceil_div(k, g->kc)); }

static blocking make_blocking(const gemm_config *g, int m_block, int n_block, int k)
{
    blocking bl;
    bl.kc_max = k_block_max(g, k);
    bl.mc_max = m_block;
    bl.nc_max = n_block;
    bl.apack_floats = (depth(g, bl.kc_max) * bl.mc_max + 15) / 16 * 16;
    bl.bpack_floats = depth(g, bl.kc_max) * bl.nc_max;
    return bl;
}

/* Floats per lane of all k blocks of op(a) or op(b) packed (k for f32). */
static size_t packed_depth(const gemm_config *g, int k)
{
    if (k <= 0) return 0;
    int kc_max = k_block_max(g, k), rest = k % kc_max;
    return (size_t)(k / kc_max) * depth(g, kc_max) + (rest ? depth(g, rest) : 0);
}

/* Where k block pc of op(a) packed with m_pad rows starts (every earlier block is full). */
static size_t packed_a_block(const gemm_config *g, size_t m_pad, int kc_max, int pc)
{
    return (size_t)(pc / kc_max) * m_pad * depth(g, kc_max);
}

/* One (ic, jc, pc) block: c rows ic..ic+mc, columns jc..jc+nc += op(a) op(b) over k block
 * pc..pc+kc. pack_a: pack the a panels (in the first jr column), else they are already in
 * apack; pack_b likewise for the b panels (in the first row panel). Each panel is packed
 * right before its first use, so packing overlaps the microkernels and a fresh panel is
 * still in L1 when first used. */
static void gemm_block(const gemm_config *g, bool trans_a, bool trans_b, int ic, int mc, int jc,
                       int nc, int pc, int kc, float alpha, const float *a, int lda,
                       const float *b, int ldb, float beta, float *c, int ldc, float *apack,
                       float *bpack, bool pack_a, bool pack_b)
{
    const int mr = g->mr, nr = g->nr;
    _Alignas(64) float tile[GEMM_MAX_MR * GEMM_MAX_NR]; /* (mr,nr) partial-tile scratch */
    float beta_pc = pc == 0 ? beta : 1.0f; /* later k blocks accumulate */
    const float *bblock = !pack_b  ? NULL /* b may be NULL then */
                          : trans_b ? b + (size_t)jc * ldb + pc
                                    : b + (size_t)pc * ldb + jc;
    const float *ablock = trans_a ? a + (size_t)pc * lda + ic : a + (size_t)ic * lda + pc;
    for (int jr = 0; jr < nc; jr += nr) {
        int cols = min_int(nr, nc - jr);
        float *bpanel = bpack + (size_t)(jr / nr) * nr * depth(g, kc);
        if (pack_b) pack_b_panel(g, trans_b, bblock, ldb, nc, jr, kc, bpanel);
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = min_int(mr, mc - ir);
            float *apanel = apack + (size_t)(ir / mr) * mr * depth(g, kc);
            if (pack_a && jr == 0) pack_a_panel(g, trans_a, ablock, lda, mc, ir, kc, apanel);
            float *ctile = c + (size_t)(ic + ir) * ldc + jc + jr;
            if (cols == nr) {
                g->ukernel((size_t)kc, rows, apanel, bpanel, ctile, (size_t)ldc, alpha, beta_pc);
                continue;
            }
            gemm_ukernel_fn edge = cols <= g->nr_narrowest ? g->ukernel_narrowest
                                   : cols <= g->nr_narrow  ? g->ukernel_narrow
                                                           : g->ukernel;
            edge((size_t)kc, rows, apanel, bpanel, tile, (size_t)nr, alpha, 0.0f);
            for (int i = 0; i < rows; i++) {
                float *crow = ctile + (size_t)i * ldc;
                const float *trow = tile + (size_t)i * nr;
                for (int j = 0; j < cols; j++)
                    crow[j] = beta_pc == 0.0f ? trow[j] : fmaf(beta_pc, crow[j], trow[j]);
            }
        }
    }
}

/* The whole SGEMM on one thread (BLIS loop order jc, pc, ic). packed_a, packed_b: op(a)
 * from gemm_pack_a, op(b) in gemm_packed_b_layout (then a, b, their ld and trans flags are
 * unused), or NULL to pack here. */
static void gemm_single(const gemm_config *g, bool trans_a, bool trans_b, int m, int n, int k,
                        float alpha, const float *a, int lda, const float *packed_a,
                        const float *b, int ldb, const float *packed_b, float beta, float *c,
                        int ldc)
{
    const size_t m_pad = (size_t)ceil_div(m, g->mr) * g->mr;
    const gemm_b_layout lb = gemm_packed_b_layout(g, k, n);
    blocking bl = make_blocking(g, min_int(g->mc, (int)m_pad), min_int(g->nc, (int)lb.n_pad), k);
    float *buf = pack_buffer(bl.apack_floats + bl.bpack_floats);
    for (int jc = 0; jc < n; jc += bl.nc_max)
        for (int pc = 0; pc < k; pc += bl.kc_max)
            for (int ic = 0; ic < m; ic += bl.mc_max) {
                int kc = min_int(bl.kc_max, k - pc);
                /* packed a: row ic of k block pc; both packed operands are read only (pack
                 * flags false) */
                float *apack = buf;
                if (packed_a)
                    apack = (float *)packed_a + packed_a_block(g, m_pad, bl.kc_max, pc) +
                            (size_t)ic * depth(g, kc);
                float *bpack = packed_b ? (float *)packed_b + gemm_packed_b_offset(&lb, pc, jc)
                                        : buf + bl.apack_floats;
                gemm_block(g, trans_a, trans_b, ic, min_int(bl.mc_max, m - ic), jc,
                           min_int(bl.nc_max, n - jc), pc, kc, alpha, a, lda, b, ldb, beta, c,
                           ldc, apack, bpack, !packed_a, !packed_b && ic == 0);
            }
}

size_t gemm_packed_a_floats(const gemm_config *g, int m, int k)
{
    return (size_t)ceil_div(m, g->mr) * g->mr * packed_depth(g, k);
}

/* Rows pad to fewer than GEMM_MAX_MR more. With k_tile, each k block pads by less than a
 * tile, so the words per lane stay below (k + blocks * k_tile) / 2, and blocks <= k / kc + 1
 * <= k / k_tile + 1 (k_tile <= kc): below k + k_tile / 2. */
size_t gemm_packed_a_floats_max(int m, int k)
{
    return m <= 0 || k <= 0 ? 0 : (size_t)(m + GEMM_MAX_MR - 1) * (size_t)(k + GEMM_MAX_K_TILE);
}

void gemm_pack_a(const gemm_config *g, bool trans_a, int m, int k, const float *a, int lda,
                 float *packed)
{
    if (m <= 0 || k <= 0) return;
    const size_t m_pad = (size_t)ceil_div(m, g->mr) * g->mr;
    const int kc_max = k_block_max(g, k), panels = ceil_div(m, g->mr);
    const int blocks = ceil_div(k, kc_max);
    /* the same panels gemm_block packs, for every (k block, row panel) */
#pragma omp parallel for schedule(static) if (m_pad * k >= (1 << 16) && !omp_in_parallel())
    for (int t = 0; t < blocks * panels; t++) {
        int pc = t / panels * kc_max, ir = t % panels * g->mr, kc = min_int(kc_max, k - pc);
        const float *ablock = trans_a ? a + (size_t)pc * lda : a + pc;
        pack_a_panel(g, trans_a, ablock, lda, m, ir, kc,
                     packed + packed_a_block(g, m_pad, kc_max, pc) + (size_t)ir * depth(g, kc));
    }
}

gemm_b_layout gemm_packed_b_layout(const gemm_config *g, int k, int n)
{
    gemm_b_layout l = {.nr = g->nr, .k = k, .n = n, .k_tile = g->k_tile, .k_pairs = g->k_pairs};
    l.kc_max = k > 0 ? k_block_max(g, k) : 1;
    l.n_pad = (size_t)ceil_div(n, g->nr) * g->nr;
    l.floats = l.n_pad * packed_depth(g, k);
    return l;
}

void gemm_pack_b(const gemm_config *g, bool trans_b, int k, int n, const float *b, int ldb,
                 float *packed)
{
    if (k <= 0 || n <= 0) return;
    double t0 = gemm_timing_on ? omp_get_wtime() : 0.0; /* the SGEMM time includes packing */
    const gemm_b_layout l = gemm_packed_b_layout(g, k, n);
    const int panels = ceil_div(n, g->nr), blocks = ceil_div(k, l.kc_max);
    /* every (k block, column panel), as gemm_block packs them */
#pragma omp parallel for schedule(static) if (l.floats >= (1 << 16) && !omp_in_parallel())
    for (int t = 0; t < blocks * panels; t++) {
        int pc = t / panels * l.kc_max, jr = t % panels * g->nr, kc = min_int(l.kc_max, k - pc);
        const float *bblock = trans_b ? b + pc : b + (size_t)pc * ldb;
        pack_b_panel(g, trans_b, bblock, ldb, n, jr, kc, packed + gemm_packed_b_offset(&l, pc, jr));
    }
    if (gemm_timing_on) gemm_timing_add(t0);
}

int gemm_pack_b_boundary(const gemm_config *g, bool trans_b, int k, int n, int r)
{
    if (trans_b) return r >= n ? n : r / g->nr * g->nr; /* whole column panels */
    if (r >= k) return k;
    const gemm_b_layout l = gemm_packed_b_layout(g, k, n);
    int kc, pc = gemm_packed_b_block(&l, r, &kc);
    int step = g->k_tile ? g->k_tile : g->k_pairs ? 2 : 1; /* a panel's k tiles or words */
    return pc + (r - pc) / step * step;
}

void gemm_pack_b_rows(const gemm_config *g, bool trans_b, int k, int n, const float *b, int ldb,
                      int r0, int r1, float *packed)
{
    const int rows = trans_b ? n : k;
    if (r0 >= r1 || k <= 0 || n <= 0) return;
    if (r0 != gemm_pack_b_boundary(g, trans_b, k, n, r0) || r1 != gemm_pack_b_boundary(g, trans_b, k, n, r1) ||
        r0 < 0 || r1 > rows) {
        fprintf(stderr, "error: gemm_pack_b_rows: rows %d..%d of %d are not boundaries of %s's packed b\n", r0, r1,
                rows, g->name);
        abort();
    }
    const gemm_b_layout l = gemm_packed_b_layout(g, k, n);
    if (trans_b) { /* b (N,K): the column panels r0..r1 of op(b), every k block */
        const int panels = ceil_div(r1 - r0, g->nr), blocks = ceil_div(k, l.kc_max);
        for (int t = 0; t < blocks * panels; t++) {
            int pc = t / panels * l.kc_max, jr = r0 + t % panels * g->nr, kc = min_int(l.kc_max, k - pc);
            pack_b_panel(g, true, b + pc, ldb, n, jr, kc, packed + gemm_packed_b_offset(&l, pc, jr));
        }
        return;
    }
    /* b (K,N): rows r0..r1 of op(b), a k range of one block or of several */
    const int panels = ceil_div(n, g->nr);
    for (int r = r0; r < r1;) {
        int kc, pc = gemm_packed_b_block(&l, r, &kc), end = min_int(r1, pc + kc);
        size_t lane_rows = (size_t)(r - pc) / (g->k_pairs ? 2 : 1); /* rows (words) of the panel above r */
        for (int t = 0; t < panels; t++)
            pack_b_panel(g, false, b + (size_t)r * ldb, ldb, n, t * g->nr, end - r,
                         packed + gemm_packed_b_offset(&l, pc, t * g->nr) + lane_rows * g->nr);
        r = end;
    }
}

void gemm_packed_b_zero_padding(const gemm_b_layout *l, float *packed)
{
    int q0 = l->n, lanes = (int)l->n_pad - l->n;
    if (!l->k_pairs) {
        if (lanes == 0) return;
        for (int r = 0; r < l->k; r++) memset(packed + gemm_packed_b_offset(l, r, q0), 0, sizeof(float) * lanes);
        return;
    }
    for (int pc = 0; pc < l->k; pc += l->kc_max) {
        int kc = min_int(l->kc_max, l->k - pc);
        /* words past the k pairs: only with k tiles does the microkernel read them */
        size_t used = (size_t)(kc + 1) / 2, read = l->k_tile ? gemm_panel_depth(l->k_tile, kc) : used;
        for (int q = 0; q < (int)l->n_pad; q += l->nr) {
            float *panel = packed + gemm_packed_b_offset(l, pc, q);
            int from_lane = l->n - q < l->nr ? l->n - q : l->nr; /* first padding lane */
            for (size_t p = 0; p < read; p++) {
                int from = p < used ? from_lane : 0;
                if (from < l->nr) memset(panel + p * l->nr + from, 0, sizeof(float) * (size_t)(l->nr - from));
            }
        }
    }
}

void gemm_blocked_packed(const gemm_config *g, int m, int n, int k, float alpha,
                         const float *packed_a, const float *packed_b, const float *b, int ldb,
                         float beta, float *c, int ldc)
{
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0.0f) {
        scale_c(m, n, beta, c, ldc);
        return;
    }
    double t0 = gemm_timing_on ? omp_get_wtime() : 0.0;
    gemm_single(g, false, false, m, n, k, alpha, NULL, 0, packed_a, b, ldb, packed_b, beta, c, ldc);
    if (gemm_timing_on) gemm_timing_add(t0);
}

/* The blocks left to claim: thread t's own share is blocks lo[t] .. hi[t]-1 (contiguous
 * equal shares, as a static split would give), which it takes from the front; a thread
 * whose share is gone takes blocks from the back of the largest share left. */
typedef struct claims {
    int lo[GEMM_MAX_THREADS], hi[GEMM_MAX_THREADS], threads;
    int *first, *count; /* block b: tiles first[b] .. first[b]+count[b]-1 */
} claims;

/* The next block for thread t, or -1 when none is left. */
static int claim(claims *cl, int t)
{
    int blk = -1;
#pragma omp critical(gemm_claim)
    {
        if (cl->lo[t] < cl->hi[t]) {
            blk = cl->lo[t]++;
        } else {
            int u = -1, left = 0;
            for (int v = 0; v < cl->threads; v++)
                if (cl->hi[v] - cl->lo[v] > left) u = v, left = cl->hi[v] - cl->lo[v];
            if (u >= 0) blk = --cl->hi[u];
        }
    }
    return blk;
}

/* The i-th block thread t runs in this k step: on the first step it claims blocks (and
 * records them in own), later steps replay the same blocks; -1 when there are no more. */
static int next_block(claims *cl, int t, bool first, int i, int *own, int *owned)
{
    if (!first) return i < *owned ? own[i] : -1;
    int blk = claim(cl, t);
    if (blk >= 0) own[(*owned)++] = blk;
    return blk;
}

/* Threaded SGEMM over blocks of `unit` tiles of the larger of M and N. The threads claim the
 * blocks dynamically in the first k step (so a thread slowed by other load on its core just
 * takes fewer) and each keeps its blocks for all later k steps, so every tile of c is
 * written by one thread, k block after k block, with the same k blocking and microkernel
 * calls as gemm_single: the bits do not depend on the thread count or on who took what. */
static void gemm_threaded(const gemm_config *g, bool split_m, int unit, int blocks, claims *cl,
                          bool trans_a, bool trans_b, int m, int n, int k, float alpha,
                          const float *a, int lda, const float *b, int ldb,
                          const float *packed_b, float beta, float *c, int ldc)
{
    const int mr = g->mr, nr = g->nr, t = omp_get_thread_num();
    const gemm_b_layout lb = gemm_packed_b_layout(g, k, n);
    if (split_m) { /* blocks of rows; the loop order jc, pc, own row blocks */
        const int rows = unit * mr;
        blocking bl = make_blocking(g, rows, min_int(g->nc, ceil_div(n, nr) * nr), k);
        float *buf = pack_buffer(bl.apack_floats + bl.bpack_floats);
        int *own = int_buffer(&own_buf, &own_cap, (size_t)blocks), owned = 0;
        for (int jc = 0; jc < n; jc += bl.nc_max) {
            int nc = min_int(bl.nc_max, n - jc);
            for (int pc = 0; pc < k; pc += bl.kc_max) {
                const bool first = jc == 0 && pc == 0;
                for (int i = 0, blk; (blk = next_block(cl, t, first, i, own, &owned)) >= 0; i++) {
                    int ic = cl->first[blk] * mr;
                    float *bpack = packed_b ? (float *)packed_b + gemm_packed_b_offset(&lb, pc, jc)
                                            : buf + bl.apack_floats;
                    gemm_block(g, trans_a, trans_b, ic, min_int(cl->count[blk] * mr, m - ic), jc,
                               nc, pc, min_int(bl.kc_max, k - pc), alpha, a, lda, b, ldb, beta,
                               c, ldc, buf, bpack, true, !packed_b && i == 0);
                }
            }
        }
        return;
    }
    /* blocks of columns; the loop order pc, own column blocks, ic */
    const int cols = unit * nr;
    blocking bl = make_blocking(g, min_int(g->mc, ceil_div(m, mr) * mr), cols, k);
    const bool one_ic = m <= bl.mc_max; /* then a's block is packed once per k step */
    float *buf = pack_buffer(bl.apack_floats + bl.bpack_floats);
    int *own = int_buffer(&own_buf, &own_cap, (size_t)blocks), owned = 0;
    for (int pc = 0; pc < k; pc += bl.kc_max) {
        const bool first = pc == 0;
        int kc = min_int(bl.kc_max, k - pc);
        for (int i = 0, blk; (blk = next_block(cl, t, first, i, own, &owned)) >= 0; i++) {
            int jc = cl->first[blk] * nr, nc = min_int(cl->count[blk] * nr, n - jc);
            float *bpack = packed_b ? (float *)packed_b + gemm_packed_b_offset(&lb, pc, jc)
                                    : buf + bl.apack_floats;
            for (int ic = 0; ic < m; ic += bl.mc_max)
                gemm_block(g, trans_a, trans_b, ic, min_int(bl.mc_max, m - ic), jc, nc, pc, kc,
                           alpha, a, lda, b, ldb, beta, c, ldc, buf, bpack, !one_ic || i == 0,
                           !packed_b && ic == 0);
        }
    }
}

/* packed_b: op(b) in gemm_packed_b_layout (b, ldb and trans_b unused), or NULL. */
static void gemm_run(const gemm_config *g, bool trans_a, bool trans_b, int m, int n, int k,
                     float alpha, const float *a, int lda, const float *b, int ldb,
                     const float *packed_b, float beta, float *c, int ldc)
{
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0.0f) {
        scale_c(m, n, beta, c, ldc);
        return;
    }
    /* Threads split the larger of M and N in whole tiles; the k order never changes. */
    const bool split_m = m >= n;
    const int tiles = split_m ? ceil_div(m, g->mr) : ceil_div(n, g->nr);
    double macs = (double)m * n * k;
    int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
    threads = min_int(threads, min_int(tiles, GEMM_MAX_THREADS));
    threads = min_int(threads, (int)(macs / GEMM_MIN_MACS_PER_THREAD) + 1);
    if (threads <= 1) {
        gemm_single(g, trans_a, trans_b, m, n, k, alpha, a, lda, NULL, b, ldb, packed_b, beta, c,
                    ldc);
        return;
    }
    /* About GEMM_BLOCKS_PER_THREAD blocks per thread, each at most a cache block wide. */
    const int max_unit = split_m ? g->mc / g->mr : g->nc / g->nr;
    /* (Column blocks repack a's block for each of them when it has several row blocks: then
     * one block per thread, as a static split.) */
    const bool one_block_each = !split_m && m > g->mc;
    const int per_thread = one_block_each ? 1 : GEMM_BLOCKS_PER_THREAD;
    const int unit = min_int(max_unit, ceil_div(tiles, per_thread * threads));
    /* Thread t's share: tiles t0 .. t1-1 (as a static split), cut into near-equal blocks of
     * at most unit tiles. */
    claims cl = {.threads = threads};
    int *first = int_buffer(&claims_buf, &claims_cap, 2 * (size_t)(tiles + threads)), blocks = 0;
    cl.first = first, cl.count = first + tiles + threads;
    for (int t = 0; t < threads; t++) {
        int t0 = (int)((long long)tiles * t / threads);
        int t1 = (int)((long long)tiles * (t + 1) / threads);
        int nb = ceil_div(t1 - t0, unit);
        cl.lo[t] = blocks;
        for (int b = 0; b < nb; b++, blocks++) {
            cl.first[blocks] = t0 + (int)((long long)(t1 - t0) * b / nb);
            cl.count[blocks] = t0 + (int)((long long)(t1 - t0) * (b + 1) / nb) - cl.first[blocks];
        }
        cl.hi[t] = blocks;
    }
#pragma omp parallel num_threads(threads)
    gemm_threaded(g, split_m, unit, blocks, &cl, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb,
                  packed_b, beta, c, ldc);
}

void gemm_blocked(const gemm_config *g, bool trans_a, bool trans_b, int m, int n, int k,
                  float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                  float *c, int ldc)
{
    double t0 = gemm_timing_on ? omp_get_wtime() : 0.0;
    gemm_run(g, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, NULL, beta, c, ldc);
    if (gemm_timing_on) gemm_timing_add(t0);
}

void gemm_blocked_b_packed(const gemm_config *g, bool trans_a, int m, int n, int k, float alpha,
                           const float *a, int lda, const float *packed_b, float beta, float *c,
                           int ldc)
{
    double t0 = gemm_timing_on ? omp_get_wtime() : 0.0;
    gemm_run(g, trans_a, false, m, n, k, alpha, a, lda, NULL, 0, packed_b, beta, c, ldc);
    if (gemm_timing_on) gemm_timing_add(t0);
}
