/* kern_gemm.c: every optimized SGEMM against sgemm_scalar, per supported ISA (the bfloat16
 * GEMMs against their twin gemm_bf16_scalar, which rounds the operands the same way; the
 * AMX GEMM also with its tile instructions emulated in C, on every CPU).
 *
 * Tolerance: |c - ref| <= (k + 2) * FLT_EPSILON * (|alpha| * sum_p |a_ip| |b_pj| +
 * |beta| |c0_ij|), the worst-case rounding of a float dot product of length k (relative
 * error scaled by K), with ref computed in double by the scalar reference. Every case also
 * checks guard words after the output buffer and in the row padding (ldc > n), and fills c
 * with NaN when beta == 0 (it must be overwritten, never read). */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "scalar/scalar.h"

#define GUARD 37           /* guard floats after c */
#define SENTINEL 12345.25f /* value of every guard float and row-padding float */

typedef void (*sgemm_fn)(bool, bool, int, int, int, float, const float *, int, const float *,
                         int, float, float *, int);

/* A GEMM under test: its function, its blocked configuration and the reference it must
 * match (gemm_bf16_scalar for the bfloat16 GEMMs, else sgemm_scalar). */
typedef struct gemm_target {
    const char *name;
    sgemm_fn gemm;
    const gemm_config *cfg;
    sgemm_fn reference;
} gemm_target;

/* The table's sgemm and the tile of `isa`; skips the test when the CPU lacks the ISA. */
static gemm_target isa_target(kern_isa isa)
{
    if (!kern_isa_supported(isa))
        cr_skip_test("ISA %s not supported by this CPU or build: skipped", kern_isa_name(isa));
    kern_table t;
    kern_fill(isa, &t);
    cr_assert(t.sgemm != sgemm_scalar, "ISA %s: the sgemm slot still holds the scalar reference",
              kern_isa_name(isa));
    gemm_target g = {kern_isa_name(isa), t.sgemm, NULL, sgemm_scalar};
#if defined(__x86_64__)
    if (isa == KERN_AVX2) g.cfg = &sgemm_config_avx2;
    if (isa == KERN_AVX512) g.cfg = &sgemm_config_avx512;
    if (isa == KERN_AVX512_BF16) g.cfg = &gemm_config_avx512bf16;
    if (isa == KERN_AMX) g.cfg = &gemm_config_amx;
#endif
#if defined(__aarch64__)
    if (isa == KERN_NEON) g.cfg = &sgemm_config_neon;
#endif
    if (kern_isa_reduced(isa)) g.reference = gemm_bf16_scalar;
    cr_assert(g.cfg != NULL, "no gemm_config for ISA %s", kern_isa_name(isa));
    return g;
}

/* The AMX GEMM's packers and loops on the tile instructions emulated in C: any CPU. */
static gemm_target amx_emulated_target(void)
{
    return (gemm_target){"amx-emulated", gemm_bf16_amx_emulated, &gemm_config_amx_emulated,
                         gemm_bf16_scalar};
}

/* Deterministic uniform values in [-1, 1). */
static void fill_random(float *x, size_t n, uint32_t seed)
{
    uint32_t s = seed * 2654435761u + 12345u;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)(s >> 8) * (2.0f / 16777216.0f) - 1.0f;
    }
}

typedef struct gemm_case {
    bool ta, tb;
    int m, n, k;
    float alpha, beta;
    int pad; /* extra floats per row of a, b and c (odd pads give odd leading dimensions) */
} gemm_case;

/* Operands of one case: op(a) (m,k), op(b) (k,n), c (m,ldc) + GUARD, c0 the initial c. */
typedef struct gemm_data {
    int lda, ldb, ldc;
    float *a, *b, *c0, *ref, *bound;
    size_t a_len, b_len, c_len;
} gemm_data;

static gemm_data make_data(const gemm_target *g, const gemm_case *t, uint32_t seed)
{
    sgemm_fn reference = g->reference;
    gemm_data d;
    d.lda = (t->ta ? t->m : t->k) + t->pad;
    d.ldb = (t->tb ? t->k : t->n) + t->pad;
    d.ldc = t->n + t->pad;
    d.a_len = (size_t)d.lda * (t->ta ? t->k : t->m);
    d.b_len = (size_t)d.ldb * (t->tb ? t->n : t->k);
    d.c_len = (size_t)d.ldc * t->m;
    d.a = malloc(d.a_len * sizeof(float));
    d.b = malloc(d.b_len * sizeof(float));
    d.c0 = malloc((d.c_len + GUARD) * sizeof(float));
    d.ref = malloc((d.c_len + GUARD) * sizeof(float));
    d.bound = malloc(d.c_len * sizeof(float));
    cr_assert(d.a && d.b && d.c0 && d.ref && d.bound, "out of memory");
    fill_random(d.a, d.a_len, seed);
    fill_random(d.b, d.b_len, seed + 1);
    fill_random(d.c0, d.c_len, seed + 2);
    for (int i = 0; i < t->m; i++)
        for (int j = t->n; j < d.ldc; j++) d.c0[(size_t)i * d.ldc + j] = SENTINEL;
    for (int g = 0; g < GUARD; g++) d.c0[d.c_len + g] = SENTINEL;
    if (t->beta == 0.0f)
        for (int i = 0; i < t->m; i++)
            for (int j = 0; j < t->n; j++) d.c0[(size_t)i * d.ldc + j] = NAN;

    memcpy(d.ref, d.c0, (d.c_len + GUARD) * sizeof(float));
    reference(t->ta, t->tb, t->m, t->n, t->k, t->alpha, d.a, d.lda, d.b, d.ldb, t->beta, d.ref,
              d.ldc);
    /* bound = |alpha| |a| |b| + |beta| |c0|, from the reference on absolute values */
    float *abs_a = malloc(d.a_len * sizeof(float)), *abs_b = malloc(d.b_len * sizeof(float));
    cr_assert(abs_a && abs_b, "out of memory");
    for (size_t i = 0; i < d.a_len; i++) abs_a[i] = fabsf(d.a[i]);
    for (size_t i = 0; i < d.b_len; i++) abs_b[i] = fabsf(d.b[i]);
    for (size_t i = 0; i < d.c_len; i++) d.bound[i] = t->beta == 0.0f ? 0.0f : fabsf(d.c0[i]);
    reference(t->ta, t->tb, t->m, t->n, t->k, fabsf(t->alpha), abs_a, d.lda, abs_b, d.ldb,
              fabsf(t->beta), d.bound, d.ldc);
    free(abs_a);
    free(abs_b);
    return d;
}

static void free_data(gemm_data *d)
{
    free(d->a);
    free(d->b);
    free(d->c0);
    free(d->ref);
    free(d->bound);
}

/* Runs sgemm on a fresh copy of c0 into out (c_len + GUARD floats). */
static void run(sgemm_fn sgemm, const gemm_case *t, const gemm_data *d, float *out)
{
    memcpy(out, d->c0, (d->c_len + GUARD) * sizeof(float));
    sgemm(t->ta, t->tb, t->m, t->n, t->k, t->alpha, d->a, d->lda, d->b, d->ldb, t->beta, out,
          d->ldc);
}

/* Checks out against the reference within the tolerance, and every guard float. Returns
 * false (after one failed expectation) on the first wrong element. */
static bool check(const char *isa, const gemm_case *t, const gemm_data *d, const float *out)
{
    for (int i = 0; i < t->m; i++)
        for (int j = 0; j < d->ldc; j++) {
            size_t at = (size_t)i * d->ldc + j;
            if (j >= t->n) {
                if (out[at] != SENTINEL) {
                    cr_expect(false, "%s ta=%d tb=%d m=%d n=%d k=%d: row padding c[%d][%d] was "
                              "written (%g)", isa, t->ta, t->tb, t->m, t->n, t->k, i, j,
                              (double)out[at]);
                    return false;
                }
                continue;
            }
            float tol = (float)(t->k + 2) * FLT_EPSILON * d->bound[at];
            float err = fabsf(out[at] - d->ref[at]);
            if (!(err <= tol)) { /* also catches NaN */
                cr_expect(false, "%s ta=%d tb=%d m=%d n=%d k=%d alpha=%g beta=%g ld pad %d: "
                          "c[%d][%d] = %g, reference %g, |error| %g > tolerance %g", isa, t->ta,
                          t->tb, t->m, t->n, t->k, (double)t->alpha, (double)t->beta, t->pad,
                          i, j, (double)out[at], (double)d->ref[at], (double)err, (double)tol);
                return false;
            }
        }
    for (int g = 0; g < GUARD; g++)
        if (out[d->c_len + g] != SENTINEL) {
            cr_expect(false, "%s m=%d n=%d k=%d: guard word %d after c was written", isa, t->m,
                      t->n, t->k, g);
            return false;
        }
    return true;
}

/* One case against the reference; false on the first failure. */
static bool check_case(const gemm_target *g, const gemm_case *t, uint32_t seed)
{
    gemm_data d = make_data(g, t, seed);
    float *out = malloc((d.c_len + GUARD) * sizeof(float));
    cr_assert(out, "out of memory");
    run(g->gemm, t, &d, out);
    bool ok = check(g->name, t, &d, out);
    free(out);
    free_data(&d);
    return ok;
}

/* Sizes 1, tile/2 and tile/2 + 1 (AMX: one row or column of 16 x 16 tiles, or two), tile-1,
 * tile, tile+1, between 1x and 2x (edges of nr/2 and nr/2 + 1 columns: the narrow edge
 * kernel and not), primes; k around 16 and 32 (AMX: a k step is 32) and 100; in all four
 * transpose combinations, alpha != 1, beta != 0, odd leading dimensions. */
static void sizes_around_tile(const gemm_target *g)
{
    const gemm_config *cfg = g->cfg;
    const int ms[] = {1, cfg->mr / 2, cfg->mr / 2 + 1, cfg->mr - 1, cfg->mr, cfg->mr + 1,
                      cfg->mr + cfg->mr / 2, 2 * cfg->mr + 1, 37};
    const int ns[] = {1, cfg->nr / 2, cfg->nr / 2 + 1, cfg->nr - 1, cfg->nr, cfg->nr + 1,
                      cfg->nr + cfg->nr / 2, cfg->nr + cfg->nr / 2 + 1, 2 * cfg->nr + 3, 53};
    const int ks[] = {1, 2, 7, 15, 16, 17, 31, 33, 61, 100};
    uint32_t seed = 1;
    for (int tr = 0; tr < 4; tr++)
        for (size_t im = 0; im < sizeof ms / sizeof ms[0]; im++)
            for (size_t in = 0; in < sizeof ns / sizeof ns[0]; in++)
                for (size_t ik = 0; ik < sizeof ks / sizeof ks[0]; ik++) {
                    gemm_case t = {tr & 1, tr >> 1, ms[im], ns[in], ks[ik], 1.5f, 0.75f,
                                   (int)(ik % 2) * 3};
                    if (!check_case(g, &t, seed++)) return;
                }
}

/* beta 0 (c NaN-filled), 1 and -0.6; alpha 1 and -2.5; sizes past the kc block. */
static void alpha_beta(const gemm_target *g)
{
    const gemm_config *cfg = g->cfg;
    const float betas[] = {0.0f, 1.0f, -0.6f}, alphas[] = {1.0f, -2.5f};
    uint32_t seed = 100;
    for (int tr = 0; tr < 4; tr++)
        for (int ib = 0; ib < 3; ib++)
            for (int ia = 0; ia < 2; ia++) {
                gemm_case t = {tr & 1, tr >> 1, 2 * cfg->mr + 3, 3 * cfg->nr - 1, cfg->kc + 13,
                               alphas[ia], betas[ib], 5};
                if (!check_case(g, &t, seed++)) return;
            }
}

/* Larger than every cache block (mc, nc, kc) of the ISA, with a partial last block of each. */
static void large(const gemm_target *g)
{
    const gemm_config *cfg = g->cfg;
    for (int tr = 0; tr < 4; tr++) {
        gemm_case t = {tr & 1, tr >> 1, cfg->mc + cfg->mr + 5, cfg->nc + cfg->nr + 7,
                       cfg->kc + cfg->kc / 3, 0.5f, 1.0f, 1};
        if (!check_case(g, &t, 200 + (uint32_t)tr)) return;
    }
}

/* k == 0 and alpha == 0 leave beta * c (zeros for beta == 0, even over NaN). */
static void empty_product(const gemm_target *g)
{
    const gemm_case cases[] = {
        {false, false, 9, 17, 0, 1.0f, 0.0f, 2},
        {false, true, 9, 17, 0, 1.0f, 0.5f, 2},
        {true, false, 9, 17, 5, 0.0f, 0.0f, 2},
        {true, true, 9, 17, 5, 0.0f, 2.0f, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!check_case(g, &cases[i], 300 + (uint32_t)i)) return;
}

static bool same_bits(const float *x, const float *y, size_t n)
{
    return memcmp(x, y, n * sizeof(float)) == 0;
}

/* 1 and 2 threads: each within tolerance and bitwise the same on repeat, and (as gemm.h
 * promises) the same bits as each other; splits of M (m >= n) and of N. */
static void threads(const gemm_target *g)
{
    const gemm_config *cfg = g->cfg;
    const gemm_case cases[] = {
        {false, false, 7 * cfg->mr + 3, 3 * cfg->nr + 1, 300, 1.0f, 0.0f, 1}, /* split M */
        {true, true, 2 * cfg->mr + 1, 9 * cfg->nr + 5, 280, -1.0f, 0.5f, 3},  /* split N */
    };
    int saved = omp_get_max_threads();
    int most = saved > 1 ? 2 : 1; /* OMP_NUM_THREADS=1 (the qemu run): compare repeats only */
    if (most == 1) cr_log_info("one OpenMP thread only: comparing two runs");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const gemm_case *t = &cases[i];
        gemm_data d = make_data(g, t, 400 + (uint32_t)i);
        size_t len = d.c_len + GUARD;
        float *out[2][2];
        for (int th = 0; th < 2; th++)
            for (int rep = 0; rep < 2; rep++) {
                out[th][rep] = malloc(len * sizeof(float));
                cr_assert(out[th][rep], "out of memory");
                omp_set_num_threads(th == 0 ? 1 : most);
                run(g->gemm, t, &d, out[th][rep]);
            }
        omp_set_num_threads(saved);
        for (int th = 0; th < 2; th++) {
            char name[64];
            snprintf(name, sizeof name, "%s, %d thread(s)", g->name, th == 0 ? 1 : most);
            check(name, t, &d, out[th][0]);
            cr_expect(same_bits(out[th][0], out[th][1], len),
                      "%s: two runs of case %zu gave different bits", name, i);
        }
        /* gemm.h promises more: the k order never depends on the split */
        cr_expect(same_bits(out[0][0], out[1][0], len),
                  "%s: 1 and 2 threads gave different bits for case %zu", g->name, i);
        for (int th = 0; th < 2; th++)
            for (int rep = 0; rep < 2; rep++) free(out[th][rep]);
        free_data(&d);
    }
}

/* gemm_blocked_packed (one thread) on gemm_pack_a / gemm_pack_b (and on gemm_pack_a with b
 * itself) against gemm_blocked on the operands themselves: the same bits, for both layouts of a and b, one and several row
 * blocks and k blocks, and narrow edge tiles. */
/* n floats, 64-byte aligned (as packed operands must be). */
static float *aligned_floats(size_t n)
{
    return aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
}

static void packed_operands(const gemm_target *g)
{
    const gemm_config *cfg = g->cfg;
    const int ms[] = {1, cfg->mr + 1, cfg->mc + cfg->mr + 5};
    const int ns[] = {cfg->nr / 2 + 1, cfg->nr + 3, 2 * cfg->nr};
    const int ks[] = {7, cfg->kc + cfg->kc / 3, 2 * cfg->kc - 1}; /* k blocks equal, unequal */
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    uint32_t seed = 500;
    for (int tr = 0; tr < 4; tr++)
        for (size_t im = 0; im < sizeof ms / sizeof ms[0]; im++)
            for (size_t in = 0; in < sizeof ns / sizeof ns[0]; in++)
                for (size_t ik = 0; ik < sizeof ks / sizeof ks[0]; ik++) {
                    gemm_case t = {tr & 1, tr >> 1, ms[im], ns[in], ks[ik], 1.5f, 0.75f, 3};
                    gemm_data d = make_data(g, &t, seed++);
                    size_t len = d.c_len + GUARD;
                    float *want = malloc(len * sizeof(float)), *got = malloc(len * sizeof(float));
                    gemm_b_layout lb = gemm_packed_b_layout(cfg, t.k, t.n);
                    float *packed = aligned_floats(gemm_packed_a_floats(cfg, t.m, t.k));
                    float *packed_b = aligned_floats(lb.floats);
                    cr_assert(want && got && packed && packed_b, "out of memory");
                    memcpy(want, d.c0, len * sizeof(float));
                    gemm_blocked(cfg, t.ta, t.tb, t.m, t.n, t.k, t.alpha, d.a, d.lda, d.b, d.ldb,
                                 t.beta, want, d.ldc);
                    memcpy(got, d.c0, len * sizeof(float));
                    gemm_pack_a(cfg, t.ta, t.m, t.k, d.a, d.lda, packed);
                    gemm_pack_b(cfg, t.tb, t.k, t.n, d.b, d.ldb, packed_b);
                    gemm_blocked_packed(cfg, t.m, t.n, t.k, t.alpha, packed, packed_b, NULL, 0,
                                        t.beta, got, d.ldc);
                    bool ok = check(g->name, &t, &d, got);
                    cr_expect(same_bits(want, got, len), "%s ta=%d tb=%d m=%d n=%d k=%d: packed "
                              "operands gave other bits", g->name, t.ta, t.tb, t.m,
                              t.n, t.k);
                    ok = ok && same_bits(want, got, len);
                    if (!t.tb) { /* packed op(a), b itself */
                        memcpy(got, d.c0, len * sizeof(float));
                        gemm_blocked_packed(cfg, t.m, t.n, t.k, t.alpha, packed, NULL, d.b, d.ldb,
                                            t.beta, got, d.ldc);
                        cr_expect(same_bits(want, got, len), "%s ta=%d m=%d n=%d k=%d: packed "
                                  "op(a) and b itself gave other bits", g->name, t.ta,
                                  t.m, t.n, t.k);
                        ok = ok && same_bits(want, got, len);
                    }
                    free(want), free(got), free(packed), free(packed_b);
                    free_data(&d);
                    if (!ok) goto done;
                }
done:
    omp_set_num_threads(saved);
}

/* op(b) packed ahead (gemm_pack_b, threaded) and gemm_blocked_b_packed on 1 and 2 threads
 * against gemm_blocked on b itself: the same bits, for both layouts of a and b, splits of M
 * and of N, several k blocks, and narrow edge tiles. */
static void b_packed_ahead(const gemm_target *g)
{
    const gemm_config *cfg = g->cfg;
    const gemm_case shapes[] = {
        {false, false, 7 * cfg->mr + 3, 3 * cfg->nr + 1, 2 * cfg->kc + 5, 1.0f, 0.0f, 1},
        {false, false, 2 * cfg->mr + 1, 9 * cfg->nr + 5, cfg->kc / 3 + 2, -1.0f, 0.5f, 3},
        {false, false, 3, cfg->nr / 2 + 1, 37, 1.5f, 0.75f, 0},
    };
    int saved = omp_get_max_threads(), most = saved > 1 ? 2 : 1;
    uint32_t seed = 700;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (int tr = 0; tr < 4; tr++) {
            gemm_case t = shapes[i];
            t.ta = tr & 1, t.tb = tr >> 1;
            gemm_data d = make_data(g, &t, seed++);
            size_t len = d.c_len + GUARD;
            float *want = malloc(len * sizeof(float)), *got = malloc(len * sizeof(float));
            float *packed_b = aligned_floats(gemm_packed_b_layout(cfg, t.k, t.n).floats);
            cr_assert(want && got && packed_b, "out of memory");
            memcpy(want, d.c0, len * sizeof(float));
            gemm_blocked(cfg, t.ta, t.tb, t.m, t.n, t.k, t.alpha, d.a, d.lda, d.b, d.ldb, t.beta,
                         want, d.ldc);
            for (int th = 1; th <= most; th++) {
                omp_set_num_threads(th);
                gemm_pack_b(cfg, t.tb, t.k, t.n, d.b, d.ldb, packed_b);
                memcpy(got, d.c0, len * sizeof(float));
                gemm_blocked_b_packed(cfg, t.ta, t.m, t.n, t.k, t.alpha, d.a, d.lda, packed_b,
                                      t.beta, got, d.ldc);
                cr_expect(same_bits(want, got, len), "%s ta=%d tb=%d m=%d n=%d k=%d, %d "
                          "thread(s): op(b) packed ahead gave other bits", g->name, t.ta, t.tb,
                          t.m, t.n, t.k, th);
            }
            omp_set_num_threads(saved);
            free(want), free(got), free(packed_b);
            free_data(&d);
        }
}

/* The edge microkernels (ukernel_narrow, ukernel_narrowest) against the full tile on the
 * same packed panels: the same bits in their first columns, for every row count, beta 0
 * and not, a k that is not a multiple of anything. */
static void edge_kernels(const gemm_target *g)
{
    const gemm_config *cfg = g->cfg;
    const int kc = 37, mr = cfg->mr, nr = cfg->nr;
    const size_t words = gemm_panel_depth(cfg->k_tile, kc);
    float *a = aligned_floats(words * mr), *b = aligned_floats(words * nr);
    float *full = aligned_floats((size_t)mr * nr), *edge = aligned_floats((size_t)mr * nr);
    cr_assert(a && b && full && edge, "out of memory");
    fill_random(a, words * mr, 7);
    fill_random(b, words * nr, 8);
    const struct { int cols; gemm_ukernel_fn fn; } edges[] = {
        {cfg->nr_narrow, cfg->ukernel_narrow}, {cfg->nr_narrowest, cfg->ukernel_narrowest}};
    for (int e = 0; e < 2; e++) {
        if (!edges[e].fn) continue;
        for (int rows = 1; rows <= mr; rows++)
            for (int beta_one = 0; beta_one < 2; beta_one++) {
                float beta = beta_one ? 0.75f : 0.0f;
                fill_random(full, (size_t)mr * nr, 9);
                memcpy(edge, full, sizeof(float) * (size_t)mr * nr);
                cfg->ukernel(kc, rows, a, b, full, nr, 1.5f, beta);
                edges[e].fn(kc, rows, a, b, edge, nr, 1.5f, beta);
                for (int i = 0; i < rows; i++)
                    cr_assert(memcmp(full + i * nr, edge + i * nr, sizeof(float) * edges[e].cols) == 0,
                              "%s: the %d-column edge kernel differs from the full tile in row %d "
                              "of %d (beta %g)", g->name, edges[e].cols, i, rows, (double)beta);
            }
    }
    free(a), free(b), free(full), free(edge);
}

/* Every test above on the GEMM `target` gives (an expression; it may skip the test). */
#define GEMM_TESTS(name, target)                                                             \
    Test(gemm, name##_sizes_around_tile) { gemm_target g = target; sizes_around_tile(&g); }  \
    Test(gemm, name##_alpha_beta_nan) { gemm_target g = target; alpha_beta(&g); }            \
    Test(gemm, name##_large) { gemm_target g = target; large(&g); }                          \
    Test(gemm, name##_empty_product) { gemm_target g = target; empty_product(&g); }          \
    Test(gemm, name##_threads_deterministic) { gemm_target g = target; threads(&g); }        \
    Test(gemm, name##_packed_operands_same_bits) { gemm_target g = target; packed_operands(&g); } \
    Test(gemm, name##_b_packed_ahead_same_bits) { gemm_target g = target; b_packed_ahead(&g); } \
    Test(gemm, name##_edge_kernels_same_bits) { gemm_target g = target; edge_kernels(&g); }

GEMM_TESTS(avx2, isa_target(KERN_AVX2))
GEMM_TESTS(avx512, isa_target(KERN_AVX512))
GEMM_TESTS(avx512bf16, isa_target(KERN_AVX512_BF16))
GEMM_TESTS(amx, isa_target(KERN_AMX))
GEMM_TESTS(amx_emulated, amx_emulated_target())
GEMM_TESTS(neon, isa_target(KERN_NEON))

/* Every supported ISA's table (scalar too): sgemm_pack_b and sgemm_packed_b give the bits of
 * its sgemm, op(b) transposed and not. */
Test(gemm, table_packed_b_slots_match_sgemm)
{
    const int m = 5, n = 70, k = 600;
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n);
    float *want = malloc(sizeof(float) * m * n), *got = malloc(sizeof(float) * m * n);
    cr_assert(a && b && want && got, "out of memory");
    fill_random(a, (size_t)m * k, 11);
    fill_random(b, (size_t)k * n, 12);
    for (int isa = 0; isa < KERN_ISA_COUNT; isa++) {
        if (!kern_isa_supported((kern_isa)isa)) {
            cr_log_info("ISA %s not supported by this CPU or build: skipped",
                        kern_isa_name((kern_isa)isa));
            continue;
        }
        kern_table t;
        kern_fill((kern_isa)isa, &t);
        for (int tb = 0; tb < 2; tb++) {
            int ldb = tb ? k : n;
            t.sgemm(false, tb, m, n, k, 1.0f, a, k, b, ldb, 0.0f, want, n);
            float *packed = aligned_floats(t.sgemm_packed_b_floats(k, n));
            cr_assert(packed, "out of memory");
            t.sgemm_pack_b(tb, k, n, b, ldb, packed);
            t.sgemm_packed_b(false, m, n, k, 1.0f, a, k, packed, 0.0f, got, n);
            cr_expect(same_bits(want, got, (size_t)m * n), "%s, tb=%d: the packed-b slots give "
                      "other bits than sgemm", kern_isa_name((kern_isa)isa), tb);
            free(packed);
        }
    }
    free(a), free(b), free(want), free(got);
}

/* b packed a few stored rows at a time (pack_b_rows, at the boundaries pack_b_boundary gives;
 * Adam's step repacks so) gives every float of pack_b's output, padding included: on every
 * supported ISA's table and the emulated AMX config, op(b) transposed and not, k blocks of odd
 * depth (1100 = 3 x 367), chunks below and above a panel. */
typedef struct pack_fns {
    const char *name;
    const gemm_config *cfg; /* NULL: the table's */
    kern_table t;
} pack_fns;

static size_t fns_floats(const pack_fns *f, int k, int n)
{
    return f->cfg ? gemm_packed_b_layout(f->cfg, k, n).floats : f->t.sgemm_packed_b_floats(k, n);
}

static int fns_boundary(const pack_fns *f, bool tb, int k, int n, int r)
{
    return f->cfg ? gemm_pack_b_boundary(f->cfg, tb, k, n, r) : f->t.sgemm_pack_b_boundary(tb, k, n, r);
}

static void fns_rows(const pack_fns *f, bool tb, int k, int n, const float *b, int ldb, int r0, int r1,
                     float *packed)
{
    if (f->cfg) gemm_pack_b_rows(f->cfg, tb, k, n, b, ldb, r0, r1, packed);
    else f->t.sgemm_pack_b_rows(tb, k, n, b, ldb, r0, r1, packed);
}

static void pack_in_chunks(const pack_fns *f, bool tb, int k, int n, const float *b, int ldb, int chunk,
                           float *packed)
{
    const int rows = tb ? n : k;
    for (int r = 0, r1, want = 0; r < rows; r = r1) {
        do {
            want = want + chunk < rows ? want + chunk : rows;
            r1 = fns_boundary(f, tb, k, n, want);
        } while (r1 <= r);
        cr_assert_eq(fns_boundary(f, tb, k, n, r1), r1, "%s: boundary of a boundary", f->name);
        fns_rows(f, tb, k, n, b, ldb, r, r1, packed);
    }
}

Test(gemm, pack_b_rows_give_pack_b_bits)
{
    pack_fns fns[KERN_ISA_COUNT + 1];
    int n_fns = 0;
    for (int isa = 0; isa < KERN_ISA_COUNT; isa++) {
        if (!kern_isa_supported((kern_isa)isa)) {
            cr_log_info("ISA %s not supported by this CPU or build: skipped", kern_isa_name((kern_isa)isa));
            continue;
        }
        fns[n_fns].name = kern_isa_name((kern_isa)isa), fns[n_fns].cfg = NULL;
        kern_fill((kern_isa)isa, &fns[n_fns++].t);
    }
    fns[n_fns++] = (pack_fns){.name = "amx_emulated", .cfg = &gemm_config_amx_emulated};
    const int shapes[][2] = {{1100, 70}, {700, 1100}, {33, 5}, {600, 97}}; /* k, n */
    const int chunks[] = {1, 37, 200};
    float *b = malloc(sizeof(float) * 1100 * 1100);
    cr_assert(b, "out of memory");
    fill_random(b, (size_t)1100 * 1100, 21);
    for (int f = 0; f < n_fns; f++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            for (int tb = 0; tb < 2; tb++)
                for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
                    int k = shapes[s][0], n = shapes[s][1], ldb = tb ? k : n;
                    size_t floats = fns_floats(&fns[f], k, n);
                    float *want = aligned_floats(floats), *got = aligned_floats(floats);
                    cr_assert(want && got, "out of memory");
                    memset(want, 0xA5, floats * sizeof(float)); /* what neither writes stays equal */
                    memset(got, 0xA5, floats * sizeof(float));
                    if (fns[f].cfg) gemm_pack_b(fns[f].cfg, tb, k, n, b, ldb, want);
                    else fns[f].t.sgemm_pack_b(tb, k, n, b, ldb, want);
                    pack_in_chunks(&fns[f], tb, k, n, b, ldb, chunks[c], got);
                    cr_expect(same_bits(want, got, floats), "%s, k %d, n %d, tb %d, chunks of %d rows: other "
                              "bits than pack_b", fns[f].name, k, n, tb, chunks[c]);
                    free(want), free(got);
                }
    free(b);
}

/* On AMX hardware: the tile instructions and the AVX-512 BF16 packers against the emulation
 * and its C packers, on every layout: the same bits (as measured on the AMX Xeon of
 * 2026-12-06, family 6 model 167, the emulation follows the SDM's pseudo-code to the bit), so
 * a packer that rounds or places one word otherwise fails here even inside the tolerance. */
Test(gemm, amx_against_its_emulation)
{
    gemm_target hw = isa_target(KERN_AMX), emulated = amx_emulated_target();
    /* every layout (each has its own packer on AMX hardware), k odd, past one tile and past
     * one k block, m and n cut inside a tile */
    const gemm_case cases[] = {
        {false, true, 70, 90, 300, 1.5f, 0.75f, 3}, {false, false, 33, 47, 31, 1.0f, 0.0f, 1},
        {true, false, 45, 17, 545, -0.5f, 1.0f, 2}, {true, true, 16, 65, 1029, 2.0f, 0.5f, 5},
        {false, false, 1, 129, 1, 1.0f, 1.0f, 0},   {true, false, 64, 64, 64, 1.0f, 0.0f, 0},
    };
    size_t differ = 0, total = 0;
    for (size_t ic = 0; ic < sizeof cases / sizeof cases[0]; ic++) {
        const gemm_case *t = &cases[ic];
        gemm_data d = make_data(&hw, t, 600 + (uint32_t)ic);
        size_t len = d.c_len + GUARD, here = 0;
        float *x = malloc(len * sizeof(float)), *y = malloc(len * sizeof(float));
        cr_assert(x && y, "out of memory");
        run(hw.gemm, t, &d, x);
        run(emulated.gemm, t, &d, y);
        check(hw.name, t, &d, x);
        check(emulated.name, t, &d, y);
        for (size_t i = 0; i < len; i++) here += memcmp(&x[i], &y[i], sizeof(float)) != 0;
        cr_expect(here == 0, "amx against amx-emulated, ta=%d tb=%d m=%d n=%d k=%d: %zu floats differ",
                  t->ta, t->tb, t->m, t->n, t->k, here);
        differ += here, total += len;
        free(x), free(y);
        free_data(&d);
    }
    cr_log_info("amx against amx-emulated: %zu of %zu floats of c differ in their bits", differ, total);
}

/* gemm_packed_a_floats_max (which sizes a conv's packed weights) holds op(a) packed by any
 * config of the build: AMX pads rows to 32 and each k block to whole tiles of 32 k. */
Test(gemm, packed_a_bound_holds_for_every_config)
{
    const gemm_config *cfgs[] = {
        &gemm_config_amx_emulated,
#if defined(__x86_64__)
        &sgemm_config_avx2, &sgemm_config_avx512, &gemm_config_avx512bf16, &gemm_config_amx,
#endif
#if defined(__aarch64__)
        &sgemm_config_neon,
#endif
    };
    const int ks[] = {1, 2, 15, 16, 17, 31, 33, 100, 511, 512, 513, 1023, 1025, 1537, 4097};
    for (size_t c = 0; c < sizeof cfgs / sizeof cfgs[0]; c++)
        for (int m = 1; m <= 70; m++)
            for (size_t ik = 0; ik < sizeof ks / sizeof ks[0]; ik++) {
                size_t need = gemm_packed_a_floats(cfgs[c], m, ks[ik]);
                size_t bound = gemm_packed_a_floats_max(m, ks[ik]);
                if (need > bound) {
                    cr_expect(false, "%s: m=%d k=%d packs %zu floats > bound %zu", cfgs[c]->name,
                              m, ks[ik], need, bound);
                    return;
                }
            }
}

/* The reference itself on a hand-computed case, so the comparisons above mean something. */
Test(gemm, scalar_reference_by_hand)
{
    const float a[2 * 3] = {1, 2, 3, 4, 5, 6};   /* (2,3) */
    const float b[3 * 2] = {7, 8, 9, 10, 11, 12}; /* (3,2) */
    float c[2 * 2] = {1, 1, 1, 1};                /* (2,2) */
    sgemm_scalar(false, false, 2, 2, 3, 2.0f, a, 3, b, 2, -1.0f, c, 2);
    const float want[4] = {2 * 58 - 1, 2 * 64 - 1, 2 * 139 - 1, 2 * 154 - 1};
    for (int i = 0; i < 4; i++) cr_expect_eq(c[i], want[i], "c[%d] = %g, want %g", i, (double)c[i], (double)want[i]);
}

/* The bfloat16 twin rounds to nearest, ties to even: 1 + 2^-8 lies halfway between 1 and
 * 1 + 2^-7 (goes to 1), 1 + 3 * 2^-8 halfway between 1 + 2^-7 and 1 + 2^-6 (goes to the
 * latter); so does the AVX-512 BF16 GEMM. */
static void bf16_ties_to_even(sgemm_fn gemm, const char *what)
{
    const float a[2] = {1.0f + 0x1p-8f, 1.0f + 0x3p-8f}; /* (1,2) */
    const float b[2] = {1.0f, 1.0f};                      /* (2,1) */
    float c = NAN;
    gemm(false, false, 1, 1, 2, 1.0f, a, 2, b, 1, 0.0f, &c, 1);
    cr_expect_eq(c, 2.0f + 0x1p-6f, "%s: c = %a, want %a", what, (double)c, (double)(2.0f + 0x1p-6f));
}

Test(gemm, bf16_reference_ties_to_even) { bf16_ties_to_even(gemm_bf16_scalar, "gemm_bf16_scalar"); }

Test(gemm, avx512bf16_ties_to_even)
{
    bf16_ties_to_even(isa_target(KERN_AVX512_BF16).gemm, "avx512bf16");
}
Test(gemm, amx_ties_to_even) { bf16_ties_to_even(isa_target(KERN_AMX).gemm, "amx"); }
Test(gemm, amx_emulated_ties_to_even) { bf16_ties_to_even(gemm_bf16_amx_emulated, "amx-emulated"); }
