/* gemm.c: the blocked, packed, OpenMP-threaded SGEMM framework (see gemm.h). */
#include "gemm.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Below this many multiply-adds one thread is faster than waking a second one. */
#define GEMM_MIN_MACS_PER_THREAD (1 << 18)

static int min_int(int x, int y) { return x < y ? x : y; }
static int ceil_div(int x, int y) { return (x + y - 1) / y; }

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
 * reads, so the rows stream from memory while this panel is packed and used. */
static void pack_copy(const float *src, size_t ld, int cols, int kc, int w, int next_cols,
                      float *dst)
{
    for (int p = 0; p < kc; p++) {
        const float *row = src + (size_t)p * ld;
        for (int j = 0; j < next_cols; j += 16) __builtin_prefetch(row + w + j);
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
        pack_copy(a + ir, (size_t)lda, rows, kc, g->mr, next_rows, dst);
        return;
    }
    gemm_pack_fn transposed = g->pack_transposed ? g->pack_transposed : pack_transposed_portable;
    transposed(a + (size_t)ir * lda, (size_t)lda, rows, kc, g->mr, next_rows, dst); /* a (M,K) */
}

/* Panel jr / nr (kc,nr) of the (kc,nc) block of op(b) at b: columns jr.. of op(b). */
static void pack_b_panel(const gemm_config *g, bool trans_b, const float *b, int ldb, int nc,
                         int jr, int kc, float *dst)
{
    int cols = min_int(g->nr, nc - jr), next_cols = min_int(g->nr, nc - jr - cols);
    if (!trans_b) { /* b (K,N) */
        pack_copy(b + jr, (size_t)ldb, cols, kc, g->nr, next_cols, dst);
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

/* One thread's whole SGEMM on its own share of c. */
static void gemm_single(const gemm_config *g, bool trans_a, bool trans_b, int m, int n, int k,
                        float alpha, const float *a, int lda, const float *b, int ldb,
                        float beta, float *c, int ldc)
{
    const int mr = g->mr, nr = g->nr;
    /* Equal k blocks no longer than g->kc, so no block is a sliver. */
    const int kc_max = ceil_div(k, ceil_div(k, g->kc));
    const int mc_max = min_int(g->mc, ceil_div(m, mr) * mr);
    const int nc_max = min_int(g->nc, ceil_div(n, nr) * nr);
    const size_t apack_floats = ((size_t)kc_max * mc_max + 15) / 16 * 16; /* 64-byte multiple */
    float *buf = pack_buffer(apack_floats + (size_t)kc_max * nc_max);
    float *apack = buf;                /* (mc_max/mr panels of (kc,mr)) */
    float *bpack = buf + apack_floats; /* (nc_max/nr panels of (kc,nr)), 64-byte aligned */
    _Alignas(64) float tile[GEMM_MAX_MR * GEMM_MAX_NR]; /* (mr,nr) partial-tile scratch */

    for (int jc = 0; jc < n; jc += nc_max) {
        int nc = min_int(nc_max, n - jc);
        for (int pc = 0; pc < k; pc += kc_max) {
            int kc = min_int(kc_max, k - pc);
            float beta_pc = pc == 0 ? beta : 1.0f; /* later k blocks accumulate */
            const float *bblock = trans_b ? b + (size_t)jc * ldb + pc : b + (size_t)pc * ldb + jc;
            for (int ic = 0; ic < m; ic += mc_max) {
                int mc = min_int(mc_max, m - ic);
                const float *ablock = trans_a ? a + (size_t)pc * lda + ic : a + (size_t)ic * lda + pc;
                /* Each panel is packed right before its first use (b's in the first ic block,
                 * a's in the first jr column), so packing overlaps the microkernels and a fresh
                 * panel is still in L1 when first used. */
                for (int jr = 0; jr < nc; jr += nr) {
                    int cols = min_int(nr, nc - jr);
                    float *bpanel = bpack + (size_t)(jr / nr) * nr * kc;
                    if (ic == 0) pack_b_panel(g, trans_b, bblock, ldb, nc, jr, kc, bpanel);
                    for (int ir = 0; ir < mc; ir += mr) {
                        int rows = min_int(mr, mc - ir);
                        float *apanel = apack + (size_t)(ir / mr) * mr * kc;
                        if (jr == 0) pack_a_panel(g, trans_a, ablock, lda, mc, ir, kc, apanel);
                        float *ctile = c + (size_t)(ic + ir) * ldc + jc + jr;
                        if (cols == nr) {
                            g->ukernel((size_t)kc, rows, apanel, bpanel, ctile, (size_t)ldc, alpha, beta_pc);
                            continue;
                        }
                        g->ukernel((size_t)kc, rows, apanel, bpanel, tile, (size_t)nr, alpha, 0.0f);
                        for (int i = 0; i < rows; i++) {
                            float *crow = ctile + (size_t)i * ldc;
                            const float *trow = tile + (size_t)i * nr;
                            for (int j = 0; j < cols; j++)
                                crow[j] = beta_pc == 0.0f ? trow[j] : fmaf(beta_pc, crow[j], trow[j]);
                        }
                    }
                }
            }
        }
    }
}

void gemm_blocked(const gemm_config *g, bool trans_a, bool trans_b, int m, int n, int k,
                  float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                  float *c, int ldc)
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
    threads = min_int(threads, tiles);
    threads = min_int(threads, (int)(macs / GEMM_MIN_MACS_PER_THREAD) + 1);
    if (threads <= 1) {
        gemm_single(g, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        int t0 = (int)((long long)tiles * t / nt), t1 = (int)((long long)tiles * (t + 1) / nt);
        if (split_m) {
            int i0 = t0 * g->mr, i1 = min_int(t1 * g->mr, m);
            if (i1 > i0)
                gemm_single(g, trans_a, trans_b, i1 - i0, n, k, alpha,
                            trans_a ? a + i0 : a + (size_t)i0 * lda, lda, b, ldb, beta,
                            c + (size_t)i0 * ldc, ldc);
        } else {
            int j0 = t0 * g->nr, j1 = min_int(t1 * g->nr, n);
            if (j1 > j0)
                gemm_single(g, trans_a, trans_b, m, j1 - j0, k, alpha, a, lda,
                            trans_b ? b + (size_t)j0 * ldb : b + j0, ldb, beta,
                            c + j0, ldc);
        }
    }
}
