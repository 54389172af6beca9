/* kernels.c: kernel benchmark. Measures this CPU's multiply-add peak (AVX2 and AVX-512 FMA,
 * AVX-512 VDPBF16PS, AMX TDPBF16PS; 1 and 2 threads), GEMM GFLOP/s on the InfoGAN MNIST layer
 * shapes for every supported ISA (avx512bf16 and amx: the bfloat16 GEMMs) against OpenBLAS's and BLIS's
 * cblas_sgemm (loaded at run time when installed, each naming the kernel it chose for this
 * CPU) and our ratio to the better of the two, and GB/s of batch norm
 * (training forward) and leaky ReLU forward through the kern_fill(isa) tables. Writes
 * <out>/kernels-<cpu>.csv (with provenance comments) and .png, and prints the table. */
#include <dlfcn.h>
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"
#include "kernels.h"
#include "report/provenance.h"
#include "base/fs.h"
#include "base/util.h"

static const char *usage =
    "usage: kernels [--out DIR] [--reps N] [--help]\n"
    "  Benchmarks the kernel library on this CPU: multiply-add peak (AVX2, AVX-512 FMA;\n"
    "  VDPBF16PS for avx512bf16; TDPBF16PS on tiles for amx), SGEMM (avx512bf16, amx:\n"
    "  the bfloat16 GEMMs) on the\n"
    "  InfoGAN MNIST layer shapes at batch 128 for each ISA with 1 and 2 threads against\n"
    "  OpenBLAS's and BLIS's cblas_sgemm (dlopen libopenblas.so.0 and libblis.so.4, each\n"
    "  skipped when absent; x_best_blas = ours / the better of the two), batch norm and\n"
    "  leaky ReLU bandwidth. Each number is the best of N repetitions. Each BLAS runs its\n"
    "  best kernel for this CPU: OPENBLAS_CORETYPE is dropped from the environment so\n"
    "  OpenBLAS detects the CPU, and BLIS gets BLIS_ARCH_TYPE = skx (AVX-512) or haswell\n"
    "  (AVX2) unless set (BLIS 0.9 runs generic C on CPUs it does not know).\n"
    "  --out DIR   write DIR/kernels-<cpu>.csv and DIR/kernels-<cpu>.png (default results/bench)\n"
    "  --reps N    repetitions per number (default 15)\n"
    "  Progress goes to stderr, the table to stdout.\n";

static int reps = 15;

/* ---- BLAS libraries beside ours, optional: OpenBLAS and BLIS ---- */

typedef void (*cblas_sgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k,
                               float alpha, const float *a, int lda, const float *b, int ldb,
                               float beta, float *c, int ldc);
typedef struct blas_lib {
    const char *name, *soname;
    cblas_sgemm_fn sgemm;            /* NULL: not installed */
    void (*set_threads_int)(int);    /* openblas_set_num_threads */
    void (*set_threads_i64)(int64_t); /* bli_thread_set_num_threads */
    char config[200];                /* version and the kernel it chose for this CPU */
} blas_lib;

enum { BLAS_OPENBLAS, BLAS_BLIS, N_BLAS };
static blas_lib blas[N_BLAS] = {{.name = "openblas", .soname = "libopenblas.so.0"},
                                {.name = "blis", .soname = "libblis.so.4"}};

/* BLIS_ARCH_TYPE for BLIS's kernels matching this CPU's ISA (skx for AVX-512, haswell for
 * AVX2), unless the environment sets it: BLIS 0.9 falls back to its generic C kernels on CPUs
 * it does not know (Zen 5: about 14 times slower than skx there). */
static void blis_pick_arch(void *h)
{
    const char *(*arch_name)(int) = (const char *(*)(int))dlsym(h, "bli_arch_string");
    const char *want = kern_isa_supported(KERN_AVX512) ? "skx"
                       : kern_isa_supported(KERN_AVX2) ? "haswell" : NULL;
    if (getenv("BLIS_ARCH_TYPE") || !arch_name || !want) return;
    for (int id = 0; id < 64 && arch_name(id); id++)
        if (strcmp(arch_name(id), want) == 0) {
            char v[16];
            snprintf(v, sizeof v, "%d", id);
            setenv("BLIS_ARCH_TYPE", v, 1);
            return;
        }
}

static void blas_load(blas_lib *b)
{
    void *h = dlopen(b->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "bench: %s not found (%s): its column is left empty\n", b->soname, dlerror());
        return;
    }
    b->sgemm = (cblas_sgemm_fn)dlsym(h, "cblas_sgemm");
    if (b == &blas[BLAS_OPENBLAS]) {
        b->set_threads_int = (void (*)(int))dlsym(h, "openblas_set_num_threads");
        char *(*config)(void) = (char *(*)(void))dlsym(h, "openblas_get_config");
        char *(*core)(void) = (char *(*)(void))dlsym(h, "openblas_get_corename");
        snprintf(b->config, sizeof b->config, "%s; kernel %s", config ? config() : "unknown",
                 core ? core() : "unknown");
    } else {
        blis_pick_arch(h);
        void (*init)(void) = (void (*)(void))dlsym(h, "bli_init");
        if (init) init(); /* reads BLIS_ARCH_TYPE */
        b->set_threads_i64 = (void (*)(int64_t))dlsym(h, "bli_thread_set_num_threads");
        const char *(*version)(void) = (const char *(*)(void))dlsym(h, "bli_info_get_version_str");
        int (*arch_id)(void) = (int (*)(void))dlsym(h, "bli_arch_query_id");
        const char *(*arch_name)(int) = (const char *(*)(int))dlsym(h, "bli_arch_string");
        snprintf(b->config, sizeof b->config, "BLIS %s; kernel %s", version ? version() : "unknown",
                 arch_id && arch_name ? arch_name(arch_id()) : "unknown");
    }
    if (!b->sgemm || !(b->set_threads_int || b->set_threads_i64)) {
        fprintf(stderr, "bench: %s lacks cblas_sgemm or a thread setter: its column is left empty\n",
                b->soname);
        b->sgemm = NULL;
    }
}

static void blas_set_threads(const blas_lib *b, int threads)
{
    if (b->set_threads_int) b->set_threads_int(threads);
    else b->set_threads_i64(threads);
}

/* ---- results ---- */

typedef struct row {
    char kernel[32], isa[16], shape[32];
    int threads;
    double value;         /* GFLOP/s, or GB/s for *_gbs kernels */
    double pct_of_peak;   /* < 0: none */
    double blas[N_BLAS];  /* GFLOP/s of each BLAS on the same shape; < 0: none */
} row;

static row rows[256];
static int n_rows;

static void add_row(const char *kernel, const char *isa, const char *shape, int threads,
                    double value, double pct, const double *blas_gflops)
{
    CHECK(n_rows < (int)(sizeof rows / sizeof rows[0]), "bench: too many result rows");
    row *r = &rows[n_rows++];
    snprintf(r->kernel, sizeof r->kernel, "%s", kernel);
    snprintf(r->isa, sizeof r->isa, "%s", isa);
    snprintf(r->shape, sizeof r->shape, "%s", shape);
    r->threads = threads;
    r->value = value;
    r->pct_of_peak = pct;
    for (int b = 0; b < N_BLAS; b++) r->blas[b] = blas_gflops ? blas_gflops[b] : -1.0;
}

/* ---- SGEMM ---- */

typedef struct gemm_shape {
    int m, n, k;
    bool ta, tb;
    const char *what;
} gemm_shape;

/* InfoGAN MNIST at batch 128 (FC 6272 <-> 1024 and conv layers as GEMMs), forward and
 * backward, plus the square 1024^3. */
static const gemm_shape shapes[] = {
    {6272, 128, 1024, false, false, "conv as GEMM, 1024-deep"},
    {128, 1024, 6272, false, true, "D FC forward: x (128,6272) w^T"},
    {128, 6272, 1024, false, false, "D FC backward data / G FC forward"},
    {6272, 1024, 128, true, false, "G FC weight gradient: dy^T x"},
    {1024, 128, 6272, false, false, "6272-deep reduction"},
    {1024, 1024, 1024, false, false, "square"},
};
#define N_SHAPES (int)(sizeof shapes / sizeof shapes[0])

typedef struct gemm_bufs {
    float *a, *b, *c;
} gemm_bufs;

static gemm_bufs gemm_alloc(const gemm_shape *s)
{
    gemm_bufs g = {xalloc_floats((size_t)s->m * s->k), xalloc_floats((size_t)s->k * s->n),
                   xalloc_floats((size_t)s->m * s->n)};
    for (size_t i = 0; i < (size_t)s->m * s->k; i++) g.a[i] = (float)(i % 97) * 0.01f - 0.5f;
    for (size_t i = 0; i < (size_t)s->k * s->n; i++) g.b[i] = (float)(i % 89) * 0.01f - 0.4f;
    memset(g.c, 0, (size_t)s->m * s->n * sizeof(float));
    return g;
}

static void gemm_free(gemm_bufs *g)
{
    free(g->a);
    free(g->b);
    free(g->c);
}

/* Best GFLOP/s of reps calls (after one warm-up) of sgemm, or of the BLAS lib when sgemm is NULL. */
static double time_gemm(void (*sgemm)(bool, bool, int, int, int, float, const float *, int,
                                      const float *, int, float, float *, int),
                        const blas_lib *lib, const gemm_shape *s, const gemm_bufs *g, int threads)
{
    int lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n;
    omp_set_num_threads(threads);
    if (!sgemm) blas_set_threads(lib, threads);
    double best = INFINITY;
    for (int r = 0; r <= reps; r++) {
        double t0 = bench_now();
        if (sgemm)
            sgemm(s->ta, s->tb, s->m, s->n, s->k, 1.0f, g->a, lda, g->b, ldb, 0.0f, g->c, s->n);
        else /* CblasRowMajor 101, CblasNoTrans 111, CblasTrans 112 */
            lib->sgemm(101, s->ta ? 112 : 111, s->tb ? 112 : 111, s->m, s->n, s->k, 1.0f,
                           g->a, lda, g->b, ldb, 0.0f, g->c, s->n);
        double dt = bench_now() - t0;
        if (r > 0 && dt < best) best = dt;
    }
    return 2.0 * s->m * s->n * s->k / best * 1e-9;
}

static void shape_name(const gemm_shape *s, char *out, size_t len)
{
    snprintf(out, len, "%dx%dx%d", s->m, s->n, s->k);
}

static const char *gemm_kernel_name(const gemm_shape *s)
{
    return s->ta ? (s->tb ? "sgemm_tt" : "sgemm_tn") : (s->tb ? "sgemm_nt" : "sgemm_nn");
}

static void bench_gemm(const double peak[KERN_ISA_COUNT][3])
{
    /* each BLAS per shape and thread count, measured once and shown on every ISA's row */
    double lib_gf[N_SHAPES][3][N_BLAS];
    for (int si = 0; si < N_SHAPES; si++) {
        const gemm_shape *s = &shapes[si];
        gemm_bufs g = gemm_alloc(s);
        for (int th = 1; th <= 2; th++)
            for (int b = 0; b < N_BLAS; b++) {
                lib_gf[si][th][b] = -1.0;
                if (!blas[b].sgemm) continue;
                fprintf(stderr, "bench: %s sgemm %dx%dx%d, %d thread(s)\n", blas[b].name, s->m,
                        s->n, s->k, th);
                lib_gf[si][th][b] = time_gemm(NULL, &blas[b], s, &g, th);
            }
        for (int isa = KERN_AVX2; isa < KERN_ISA_COUNT; isa++) {
            if (!kern_isa_supported((kern_isa)isa)) continue;
            kern_table t;
            kern_fill((kern_isa)isa, &t);
            for (int th = 1; th <= 2; th++) {
                fprintf(stderr, "bench: %s sgemm %dx%dx%d, %d thread(s)\n",
                        kern_isa_name((kern_isa)isa), s->m, s->n, s->k, th);
                double gf = time_gemm(t.sgemm, NULL, s, &g, th);
                char name[32];
                shape_name(s, name, sizeof name);
                add_row(gemm_kernel_name(s), kern_isa_name((kern_isa)isa), name, th, gf,
                        peak[isa][th] > 0 ? 100.0 * gf / peak[isa][th] : -1.0, lib_gf[si][th]);
            }
        }
        gemm_free(&g);
    }
    /* the scalar reference only on a small shape: it is slow */
    const gemm_shape small = {256, 256, 256, false, false, "small"};
    gemm_bufs g = gemm_alloc(&small);
    kern_table t;
    kern_fill(KERN_SCALAR, &t);
    fprintf(stderr, "bench: scalar sgemm 256x256x256\n");
    double gf = time_gemm(t.sgemm, NULL, &small, &g, 1), small_gf[N_BLAS];
    for (int b = 0; b < N_BLAS; b++)
        small_gf[b] = blas[b].sgemm ? time_gemm(NULL, &blas[b], &small, &g, 1) : -1.0;
    add_row("sgemm_nn", "scalar", "256x256x256", 1, gf, -1.0, small_gf);
    gemm_free(&g);
}

/* ---- batch norm and leaky ReLU bandwidth ---- */

/* Bytes counted: one read of x and one write of y per element (the least traffic). */
static void bench_elementwise(void)
{
    const int n = 128, c = 64, s = 14 * 14; /* D conv 1 output at batch 128: (N,C,S) */
    const size_t len = (size_t)n * c * s;
    float *x = xalloc_floats(len), *y = xalloc_floats(len);
    float *gamma = xalloc_floats(c), *beta = xalloc_floats(c), *mean = xalloc_floats(c);
    float *invstd = xalloc_floats(c), *rmean = xalloc_floats(c), *rvar = xalloc_floats(c);
    for (size_t i = 0; i < len; i++) x[i] = (float)(i % 101) * 0.02f - 1.0f;
    for (int i = 0; i < c; i++) gamma[i] = 1.0f, beta[i] = 0.0f, rmean[i] = 0.0f, rvar[i] = 1.0f;
    char shape[32];
    snprintf(shape, sizeof shape, "%dx%dx%d", n, c, s);
    for (int isa = 0; isa < KERN_ISA_COUNT; isa++) {
        /* avx512bf16 and amx differ from avx512 in their GEMMs only */
        if (!kern_isa_supported((kern_isa)isa) || kern_isa_reduced((kern_isa)isa)) continue;
        kern_table t;
        kern_fill((kern_isa)isa, &t);
        for (int th = 1; th <= 2; th++) {
            omp_set_num_threads(th);
            fprintf(stderr, "bench: %s batchnorm/lrelu, %d thread(s)\n", kern_isa_name((kern_isa)isa), th);
            double best_bn = INFINITY, best_lr = INFINITY;
            for (int r = 0; r <= reps; r++) {
                double t0 = bench_now();
                t.batchnorm_fwd_train(n, c, s, x, gamma, beta, 1e-5f, 0.1f, y, mean, invstd,
                                      rmean, rvar);
                double t1 = bench_now();
                t.lrelu_fwd(len, 0.2f, x, y);
                double t2 = bench_now();
                if (r > 0 && t1 - t0 < best_bn) best_bn = t1 - t0;
                if (r > 0 && t2 - t1 < best_lr) best_lr = t2 - t1;
            }
            double bytes = 2.0 * sizeof(float) * (double)len;
            add_row("batchnorm_fwd_gbs", kern_isa_name((kern_isa)isa), shape, th,
                    bytes / best_bn * 1e-9, -1.0, NULL);
            add_row("lrelu_fwd_gbs", kern_isa_name((kern_isa)isa), shape, th,
                    bytes / best_lr * 1e-9, -1.0, NULL);
        }
    }
    free(x), free(y), free(gamma), free(beta), free(mean), free(invstd), free(rmean), free(rvar);
}

/* ---- output ---- */

/* The better BLAS's GFLOP/s on r's shape, or < 0 when none was measured. */
static double best_blas(const row *r)
{
    double best = -1.0;
    for (int b = 0; b < N_BLAS; b++) best = r->blas[b] > best ? r->blas[b] : best;
    return best;
}

static void write_csv(FILE *f)
{
    fprintf(f, "kernel,isa,shape,threads,gflops,pct_of_peak,openblas_gflops,blis_gflops\n");
    for (int i = 0; i < n_rows; i++) {
        const row *r = &rows[i];
        fprintf(f, "%s,%s,%s,%d,%.2f,", r->kernel, r->isa, r->shape, r->threads, r->value);
        if (r->pct_of_peak >= 0) fprintf(f, "%.1f", r->pct_of_peak);
        for (int b = 0; b < N_BLAS; b++) {
            fprintf(f, ",");
            if (r->blas[b] >= 0) fprintf(f, "%.2f", r->blas[b]);
        }
        fprintf(f, "\n");
    }
}

static void print_table(FILE *f)
{
    fprintf(f, "%-18s %-10s %-16s %7s %10s %11s %9s %9s %11s\n", "kernel", "isa", "shape", "threads",
            "gflops", "pct_of_peak", "openblas", "blis", "x_best_blas");
    for (int i = 0; i < n_rows; i++) {
        const row *r = &rows[i];
        char pct[16] = "", lib[N_BLAS][16] = {"", ""}, ratio[16] = "";
        if (r->pct_of_peak >= 0) snprintf(pct, sizeof pct, "%.1f", r->pct_of_peak);
        for (int b = 0; b < N_BLAS; b++)
            if (r->blas[b] >= 0) snprintf(lib[b], sizeof lib[b], "%.2f", r->blas[b]);
        if (best_blas(r) > 0) snprintf(ratio, sizeof ratio, "%.2f", r->value / best_blas(r));
        fprintf(f, "%-18s %-10s %-16s %7d %10.2f %11s %9s %9s %11s\n", r->kernel, r->isa, r->shape,
                r->threads, r->value, pct, lib[0], lib[1], ratio);
    }
}

/* Wide data for the plot: one line per SGEMM shape, columns per (isa, threads). */
static void write_plot_data(FILE *f)
{
    static const char *const isas[] = {"avx2", "avx512", "avx512bf16", "amx"};
    enum { N_ISAS = 4, COLS = 2 * N_ISAS + 2 * N_BLAS };
    fprintf(f, "# shape avx2_1t avx2_2t avx512_1t avx512_2t avx512bf16_1t avx512bf16_2t amx_1t amx_2t "
               "openblas_1t openblas_2t blis_1t blis_2t\n");
    for (int si = 0; si < N_SHAPES; si++) {
        char name[32];
        shape_name(&shapes[si], name, sizeof name);
        double v[COLS];
        for (int c = 0; c < COLS; c++) v[c] = NAN;
        for (int i = 0; i < n_rows; i++) {
            const row *r = &rows[i];
            if (strcmp(r->shape, name) != 0 || strncmp(r->kernel, "sgemm", 5) != 0) continue;
            for (int col = 0; col < N_ISAS; col++)
                if (strcmp(r->isa, isas[col]) == 0) v[2 * col + r->threads - 1] = r->value;
            for (int b = 0; b < N_BLAS; b++)
                if (r->blas[b] >= 0) v[2 * N_ISAS + 2 * b + r->threads - 1] = r->blas[b];
        }
        fprintf(f, "%s", name);
        for (int c = 0; c < COLS; c++) fprintf(f, isnan(v[c]) ? " NaN" : " %.2f", v[c]);
        fprintf(f, "\n");
    }
}

/* Renders path_png from the data with bench/kernels.gp, into its temp file (base/fs.h). */
static void draw_png(const char *dat_path, const char *png_path, const char *title)
{
    char cmd[4096];
    out_file o;
    out_open(&o, png_path, "wb");
    snprintf(cmd, sizeof cmd,
             "gnuplot -e \"datafile='%s'; outfile='%s'; plottitle='%s'\" bench/kernels.gp",
             dat_path, o.tmp, title);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench: gnuplot failed on bench/kernels.gp: no %s drawn\n", png_path);
        out_abort(&o);
        return;
    }
    out_commit(&o);
}

int main(int argc, char **argv)
{
    const char *out_dir = "results/bench";
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"reps", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    for (int o; (o = getopt_long(argc, argv, "o:r:h", opts, NULL)) != -1;) {
        switch (o) {
        case 'o': out_dir = optarg; break;
        case 'r':
            reps = atoi(optarg);
            CHECK(reps >= 1 && reps <= 1000, "--reps %s: give a count from 1 to 1000", optarg);
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    CHECK(optind == argc, "unexpected argument '%s'; see --help", argv[optind]);

    provenance prov;
    provenance_init(&prov, argc, argv, 0);
    bench_machine host;
    bench_machine_read(&host, &prov);
    /* OpenBLAS picks its kernel from the CPU's features when the environment does not force
     * one (an OPENBLAS_CORETYPE=Haswell would hide its AVX-512 kernels) */
    char coretype_env[64];
    snprintf(coretype_env, sizeof coretype_env, "%s", getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "unset");
    unsetenv("OPENBLAS_CORETYPE");
    for (int b = 0; b < N_BLAS; b++) blas_load(&blas[b]);

    double peak[KERN_ISA_COUNT][3] = {{0}};
    for (int isa = KERN_AVX2; isa <= KERN_AMX; isa++) {
        if (!kern_isa_supported((kern_isa)isa)) continue;
        for (int th = 1; th <= 2; th++) {
            fprintf(stderr, "bench: %s multiply-add peak, %d thread(s)\n", kern_isa_name((kern_isa)isa), th);
            peak[isa][th] = bench_fma_peak((kern_isa)isa, th, reps);
            add_row("fma_peak", kern_isa_name((kern_isa)isa), "-", th, peak[isa][th], 100.0, NULL);
        }
    }
    bench_gemm((const double(*)[3])peak);
    bench_elementwise();

    char isas[64] = "";
    for (int isa = 0; isa < KERN_ISA_COUNT; isa++)
        if (kern_isa_supported((kern_isa)isa)) {
            strcat(isas, isas[0] ? " " : "");
            strcat(isas, kern_isa_name((kern_isa)isa));
        }
    provenance_note(&prov, "isas_benchmarked", isas);
    provenance_note(&prov, "threads_benchmarked", "1 2 (threads column)");
    provenance_note(&prov, "repetitions", "best of --reps after one warm-up");
    for (int b = 0; b < N_BLAS; b++)
        provenance_note(&prov, blas[b].name, blas[b].sgemm ? blas[b].config : "not installed");
    provenance_note(&prov, "OPENBLAS_CORETYPE", coretype_env);
    provenance_note(&prov, "blas_kernels", "each BLAS at its best kernel for this CPU: OPENBLAS_CORETYPE "
                    "dropped (OpenBLAS detects), BLIS_ARCH_TYPE set to skx (AVX-512) or haswell (AVX2) "
                    "unless the environment sets it");
    const char *blis_arch = getenv("BLIS_ARCH_TYPE");
    provenance_note(&prov, "BLIS_ARCH_TYPE", blis_arch ? blis_arch : "unset");
    provenance_note(&prov, "units", "gflops = GFLOP/s; *_gbs kernels: GB/s (read x + write y)");

    path_make_output_dir("--out", out_dir);
    char csv[1024], dat[1024], png[1024], name[128];
    snprintf(name, sizeof name, "kernels-%s.csv", host.slug);
    path_join(csv, sizeof csv, out_dir, name);
    snprintf(name, sizeof name, "kernels-%s.dat", host.slug);
    path_join(dat, sizeof dat, out_dir, name);
    snprintf(name, sizeof name, "kernels-%s.png", host.slug);
    path_join(png, sizeof png, out_dir, name);

    out_file o;
    FILE *f = out_open(&o, csv, "w");
    provenance_write_comments(&prov, f);
    write_csv(f);
    out_commit(&o);

    f = out_open(&o, dat, "w");
    write_plot_data(f);
    out_commit(&o);
    char title[400];
    snprintf(title, sizeof title, "SGEMM on %s (%s)", host.model, prov.commit);
    draw_png(dat, png, title);
    remove(dat);

    provenance_write_comments(&prov, stdout);
    print_table(stdout);
    fprintf(stderr, "bench: wrote %s and %s\n", csv, png);
    return 0;
}
