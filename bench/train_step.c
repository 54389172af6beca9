/* train_step.c: training-iteration benchmark. Runs exactly the iteration experiments/mnist
 * trains with (infogan_step, official MNIST config, batch 128), or the one model flags give
 * (--arch faces ...), for each ISA and 1 and 2 threads: warm-up, then N timed iterations.
 * Prints iterations/s, the FLOPs of one iteration counted from the layer shapes, GFLOP/s,
 * its share of its ISA's multiply-add peak measured in the same run (FMA; VDPBF16PS for
 * avx512bf16; TDPBF16PS for amx), and a per-layer breakdown
 * (forward/backward, SGEMM vs the rest). Writes <out>/train-<cpu>.csv with provenance
 * comments, and the breakdown as <out>/layers-<cpu>.csv and a stacked-bar
 * <out>/layers-<cpu>.png (with model flags: <arch>-train-<cpu>.csv, <arch>-layers-<cpu>.*). */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "model/infogan.h"
#include "kernels.h"
#include "report/plot.h"
#include "report/provenance.h"
#include "base/dist.h"
#include "base/fs.h"
#include "base/rng.h"
#include "base/util.h"

static const char *usage =
    "usage: train_step [--iters N] [--warmup W] [--isa LIST] [--threads LIST] [--out DIR]\n"
    "                  [--no-layers] [model flags] [--help]\n"
    "  Times the MNIST InfoGAN training iteration (infogan_step as experiments/mnist runs\n"
    "  it: official config, batch 128, seed 1, one D/Q step and one G step) on a fixed\n"
    "  synthetic batch (the time does not depend on pixel values).\n"
    "  Model flags (those of the experiment programs: --arch, --latent, --batch, ...) time\n"
    "  another setting, e.g. Faces: --arch faces --latent noise:128,cont:5; its files are\n"
    "  then named <arch>-train-<cpu>.csv and <arch>-layers-<cpu>.* (not read by make\n"
    "  bench-cpus, which compares the MNIST iteration across CPUs).\n"
    "  --iters N      timed iterations per configuration (default 10)\n"
    "  --warmup W     untimed iterations first (default 2)\n"
    "  --isa LIST     comma-separated ISAs (default: every supported one but scalar, with\n"
    "                 avx512bf16 and amx, the bfloat16 GEMMs, where the CPU has them)\n"
    "  --threads LIST comma-separated OpenMP thread counts (default 1,2)\n"
    "  --out DIR      write DIR/train-<cpu>.csv (default results/bench); --out - writes none\n"
    "  --no-layers    skip the per-layer breakdown (a batch norm fused with the (leaky)\n"
    "                 ReLU after it books both layers' time: the activation's row shows 0)\n"
    "  Under mpirun -np N (an MPI build) each rank steps on its share of the batch, as\n"
    "  `mnist train` does; rank 0 prints the rows (--out -) and the traffic per iteration.\n"
    "  The table goes to stdout, progress to stderr.\n";

/* Multiply-adds per sample of one forward pass of layer l (0 for layers without a GEMM).
 * Backward data and backward weights cost the same each. */
static const char *env_or_unset(const char *name)
{
    const char *v = getenv(name);
    return v ? v : "unset";
}

static double layer_macs(const layer *l)
{
    const conv_geom *g = &l->geom;
    switch (l->kind) {
    case LAYER_LINEAR: return (double)l->in_size * (double)l->out_size;
    case LAYER_CONV:
    case LAYER_UPCONV: /* the upconv's geometry is its adjoint conv: same count */
        return (double)g->k * g->oh * g->ow * (double)g->c * g->kh * g->kw;
    default: return 0.0;
    }
}

static double net_macs(const net *nt)
{
    double s = 0.0;
    for (int i = 0; i < nt->n_layers; i++) s += layer_macs(&nt->layers[i]);
    return s;
}

/* Passes of each network per iteration (see infogan.h's infogan_step): forward, backward
 * data, backward weights. */
typedef struct passes { int fwd, bwd_data, bwd_weights; } passes;
static const passes pass_g = {2, 1, 1};      /* D step: fwd; G step: fwd + bwd */
static const passes pass_trunk = {3, 3, 2};  /* real and fake in the D step, once in G's */
static const passes pass_d_head = {3, 3, 2};
static const passes pass_q_head_info = {2, 2, 1}; /* fake in the D step, G step with L_I */
static const passes pass_q_head_gan = {2, 1, 1};  /* --gan: Q gets no backward in G's step */

static const char *counting_rule =
    "FLOPs/iteration = 2 x multiply-adds of each linear/conv/upconv pass of infogan_step at "
    "batch 128 (G 2 fwd + 1 bwd-data + 1 bwd-weights; trunk, D head 3+3+2; Q head 2+2+1; a "
    "pass = the forward's multiply-adds); BN, activations, losses, Adam not counted";

static double iteration_flops(const infogan *m)
{
    const passes *pq = m->cfg.info_to_g ? &pass_q_head_info : &pass_q_head_gan;
    const struct { const net *nt; const passes *p; } nets[] = {
        {m->g, &pass_g}, {m->trunk, &pass_trunk}, {m->d_head, &pass_d_head}, {m->q_head, pq}};
    double macs = 0.0;
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        const passes *p = nets[i].p;
        macs += net_macs(nets[i].nt) * (p->fwd + p->bwd_data + p->bwd_weights);
    }
    return 2.0 * macs * m->cfg.batch;
}

typedef struct result {
    kern_isa isa;
    int threads;
    double it_per_s, best_it_per_s, gflop_per_iter, gflops, pct_of_peak;
} result;

/* One row of the time breakdown: a layer's ms per iteration, or (layer < 0) the time
 * outside the layers (latent sampling, losses, Adam, gradient sums). */
typedef struct breakdown_row {
    kern_isa isa;
    int threads, layer;
    const char *net, *kind;
    double fwd_ms, fwd_gemm_ms, bwd_ms, bwd_gemm_ms;
} breakdown_row;
#define MAX_BREAKDOWN 1024
static breakdown_row breakdown[MAX_BREAKDOWN];
static int n_breakdown;

static void add_breakdown(breakdown_row r)
{
    CHECK(n_breakdown < MAX_BREAKDOWN, "train_step: more than %d breakdown rows", MAX_BREAKDOWN);
    breakdown[n_breakdown++] = r;
}

static void print_layer_breakdown(const infogan *m, kern_isa isa, int threads, int iters, double seconds)
{
    const struct { const char *name; const net *nt; } nets[] = {
        {"G", m->g}, {"trunk", m->trunk}, {"D head", m->d_head}, {"Q head", m->q_head}};
    printf("  %-7s %-3s %-10s %-14s %9s %9s %9s %9s\n", "net", "#", "layer", "out (C,H,W)",
           "fwd_ms", "fwd_gemm", "bwd_ms", "bwd_gemm");
    double sum = 0.0, sum_gemm = 0.0, sum_fwd = 0.0, sum_bwd = 0.0;
    for (size_t n = 0; n < sizeof nets / sizeof nets[0]; n++) {
        const net *nt = nets[n].nt;
        for (int i = 0; i < nt->n_layers; i++) {
            const layer *l = &nt->layers[i];
            char shape[32];
            snprintf(shape, sizeof shape, "%d,%d,%d", l->out_c, l->out_h, l->out_w);
            double k = 1e3 / iters;
            printf("  %-7s %-3d %-10s %-14s %9.2f %9.2f %9.2f %9.2f\n", nets[n].name, i,
                   layer_kind_name(l->kind), shape, l->time.fwd * k, l->time.fwd_gemm * k,
                   l->time.bwd * k, l->time.bwd_gemm * k);
            add_breakdown((breakdown_row){isa, threads, i, nets[n].name, layer_kind_name(l->kind),
                                          l->time.fwd * k, l->time.fwd_gemm * k, l->time.bwd * k,
                                          l->time.bwd_gemm * k});
            sum += l->time.fwd + l->time.bwd;
            sum_fwd += l->time.fwd, sum_bwd += l->time.bwd;
            sum_gemm += l->time.fwd_gemm + l->time.bwd_gemm;
        }
    }
    double k = 1e3 / iters;
    printf("  layers: %.1f ms/iteration (forward %.1f, backward %.1f; SGEMM %.1f, rest %.1f); "
           "outside layers (latent sampling, losses, Adam, gradient sums): %.1f ms\n",
           sum * k, sum_fwd * k, sum_bwd * k, sum_gemm * k, (sum - sum_gemm) * k,
           (seconds - sum) * k);
    add_breakdown((breakdown_row){isa, threads, -1, "outside", "-", (seconds - sum) * k, 0, 0, 0});
}

/* out_dir/layers-<cpu>.csv (every breakdown row) and .png: one stacked bar per ISA and
 * thread count, the ms of one iteration split into each layer's SGEMM, the rest of the
 * layers (im2col, batch norm, activations, copies) and the time outside the layers. */
static void write_breakdown(const char *out_dir, const char *prefix, const char *slug,
                            const char *setting, provenance *prov)
{
    char path[1024], name[128], title[128];
    snprintf(name, sizeof name, "%slayers-%s.csv", prefix, slug);
    path_join(path, sizeof path, out_dir, name);
    out_file o;
    FILE *f = out_open(&o, path, "w");
    provenance_write_comments(prov, f);
    fprintf(f, "isa,threads,net,layer,kind,fwd_ms,fwd_gemm_ms,bwd_ms,bwd_gemm_ms\n");
    for (int i = 0; i < n_breakdown; i++) {
        const breakdown_row *r = &breakdown[i];
        fprintf(f, "%s,%d,%s,%d,%s,%.3f,%.3f,%.3f,%.3f\n", kern_isa_name(r->isa), r->threads,
                r->net, r->layer, r->kind, r->fwd_ms, r->fwd_gemm_ms, r->bwd_ms, r->bwd_gemm_ms);
    }
    out_commit(&o);

    enum { MAX_BARS = 32, MAX_GEMM = PLOT_MAX_SERIES - 2 };
    char labels[MAX_BARS][32], names[MAX_GEMM][32];
    const char *label_of[MAX_BARS];
    double gemm_ms[MAX_GEMM][MAX_BARS] = {{0}}, rest_ms[MAX_BARS] = {0}, outside_ms[MAX_BARS] = {0};
    int n_bars = 0, n_gemm = 0;
    for (int i = 0; i < n_breakdown; i++) {
        const breakdown_row *r = &breakdown[i];
        if (i == 0 || r->isa != breakdown[i - 1].isa || r->threads != breakdown[i - 1].threads) {
            CHECK(n_bars < MAX_BARS, "train_step: more than %d configurations to draw", MAX_BARS);
            snprintf(labels[n_bars], sizeof labels[0], "%s %dt", kern_isa_name(r->isa), r->threads);
            label_of[n_bars] = labels[n_bars];
            n_bars++;
        }
        int b = n_bars - 1;
        if (r->layer < 0) { outside_ms[b] += r->fwd_ms; continue; }
        double gemm = r->fwd_gemm_ms + r->bwd_gemm_ms;
        rest_ms[b] += r->fwd_ms + r->bwd_ms - gemm;
        if (gemm <= 0) continue;
        char key[32];
        snprintf(key, sizeof key, "%s %d %s", r->net, r->layer, r->kind);
        int k = 0;
        while (k < n_gemm && strcmp(names[k], key)) k++;
        if (k == n_gemm) {
            CHECK(n_gemm < MAX_GEMM, "train_step: more than %d GEMM layers to draw", MAX_GEMM);
            snprintf(names[n_gemm++], sizeof names[0], "%s", key);
        }
        gemm_ms[k][b] += gemm;
    }
    snprintf(title, sizeof title, "Where one %s training iteration's time goes", setting);
    plot_spec sp = {.title = title,
                    .ylabel = "ms per iteration", .n_points = n_bars, .stacked_bars = 1,
                    .bar_labels = label_of, .n_series = n_gemm + 2, .width = 1000, .height = 560,
                    .key_position = "outside right top"};
    for (int k = 0; k < n_gemm; k++) sp.series_names[k] = names[k], sp.series_y[k] = gemm_ms[k];
    sp.series_names[n_gemm] = "rest of the layers", sp.series_y[n_gemm] = rest_ms;
    sp.series_names[n_gemm + 1] = "outside the layers", sp.series_y[n_gemm + 1] = outside_ms;
    snprintf(name, sizeof name, "%slayers-%s.png", prefix, slug);
    path_join(path, sizeof path, out_dir, name);
    plot_lines(path, &sp);
    fprintf(stderr, "train_step: wrote %s\n", path);
}

/* CPU time of every thread of this process: on a shared machine, time spent waiting for a
 * core does not count. */
static double process_cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Times one configuration; prints the per-layer breakdown when `layers`. */
static result run_config(const infogan_config *cfg, kern_isa isa, int threads, int warmup,
                         int iters, const float *real, double peak, bool layers)
{
    kern_fill(isa, &kern);
    omp_set_num_threads(threads);
    infogan *m = infogan_create(cfg);
    for (int i = 0; i < warmup; i++) infogan_step(m, real, NULL);
    nn_timing(layers);
    double best = INFINITY, t_all = bench_now(), cpu0 = process_cpu_seconds();
    for (int i = 0; i < iters; i++) {
        double t0 = bench_now();
        infogan_step(m, real, NULL);
        double dt = bench_now() - t0;
        best = dt < best ? dt : best;
    }
    double seconds = bench_now() - t_all, cpu = process_cpu_seconds() - cpu0;
    nn_timing(false);
    result r = {.isa = isa, .threads = threads};
    r.it_per_s = iters / seconds;
    r.best_it_per_s = 1.0 / best;
    r.gflop_per_iter = iteration_flops(m) * 1e-9;
    r.gflops = r.gflop_per_iter * r.it_per_s;
    r.pct_of_peak = peak > 0 ? 100.0 * r.gflops / peak : -1.0;
    printf("%s, %d thread(s): %.2f it/s (fastest iteration %.2f it/s; %.2f it per CPU-second), "
           "%.2f GFLOP/s", kern_isa_name(isa), threads, r.it_per_s, r.best_it_per_s, iters / cpu,
           r.gflops);
    if (r.pct_of_peak >= 0)
        printf(", %.1f%% of the %.0f GFLOP/s %s peak", r.pct_of_peak, peak,
               isa == KERN_AVX512_BF16 ? "VDPBF16PS" : isa == KERN_AMX ? "TDPBF16PS" : "FMA");
    printf("\n");
    if (layers) print_layer_breakdown(m, isa, threads, iters, seconds);
    fflush(stdout);
    infogan_free(m);
    return r;
}

/* Parses a comma-separated list of counts into out (at most max); returns how many. */
static int parse_int_list(const char *flag, const char *v, int *out, int max)
{
    int n = 0;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", v);
    for (char *t = strtok(copy, ","); t; t = strtok(NULL, ",")) {
        char *end;
        long x = strtol(t, &end, 10);
        CHECK(*end == 0 && x >= 1 && x <= 256 && n < max, "%s: '%s' is not a list of counts 1..256", flag, v);
        out[n++] = (int)x;
    }
    CHECK(n > 0, "%s: empty list", flag);
    return n;
}

int main(int argc, char **argv)
{
    dist_init(&argc, &argv);
    /* Under mpirun every rank times its share of each batch; rank 0 reports. */
    if (dist_rank() > 0) CHECK(freopen("/dev/null", "w", stdout), "cannot silence rank %d's output", dist_rank());
    /* The model flags first (they are the experiment programs'); the rest go to getopt. */
    infogan_config cfg;
    infogan_config_default(&cfg);
    bool model_flags = false;
    const int argc_all = argc;
    char **argv_all = argv, *rest[argc + 1]; /* the flags left for getopt */
    int kept = 1;
    rest[0] = argv[0];
    for (int i = 1; i < argc;) {
        int used = infogan_config_flag(&cfg, argc, argv, i);
        if (used == 0) rest[kept++] = argv[i++];
        else i += used, model_flags = true;
    }
    argc = kept;
    argv = rest;
    argv[argc] = NULL;
    const char *out_dir = "results/bench";
    int iters = 10, warmup = 2, threads[8] = {1, 2}, n_threads = 2;
    bool want_isa[KERN_ISA_COUNT] = {false}, isa_given = false, layers = true;
    static const struct option opts[] = {{"iters", required_argument, NULL, 'n'},
                                         {"warmup", required_argument, NULL, 'w'},
                                         {"isa", required_argument, NULL, 'i'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"no-layers", no_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    for (int o; (o = getopt_long(argc, argv, "n:w:i:t:o:Lh", opts, NULL)) != -1;) {
        switch (o) {
        case 'n':
            iters = atoi(optarg);
            CHECK(iters >= 1 && iters <= 100000, "--iters %s: give a count from 1 to 100000", optarg);
            break;
        case 'w':
            warmup = atoi(optarg);
            CHECK(warmup >= 0 && warmup <= 1000, "--warmup %s: give a count from 0 to 1000", optarg);
            break;
        case 'i': {
            char copy[256];
            snprintf(copy, sizeof copy, "%s", optarg);
            for (char *t = strtok(copy, ","); t; t = strtok(NULL, ",")) {
                kern_isa isa = kern_isa_parse(t);
                CHECK(isa != KERN_ISA_COUNT,
                      "--isa: '%s' is not an ISA (scalar, avx2, avx512, avx512bf16, amx, neon)", t);
                CHECK(kern_isa_supported(isa), "--isa: this CPU or build cannot run %s", t);
                want_isa[isa] = true;
            }
            isa_given = true;
            break;
        }
        case 't': n_threads = parse_int_list("--threads", optarg, threads, 8); break;
        case 'o': out_dir = optarg; break;
        case 'L': layers = false; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    CHECK(optind == argc, "unexpected argument '%s'; see --help", argv[optind]);
    CHECK(dist_size() == 1 || strcmp(out_dir, "-") == 0, "under mpirun train_step prints its rows "
          "and writes no CSV: give --out - (bench/mpi_scaling.py collects them)");
    if (!isa_given)
        for (int isa = KERN_AVX2; isa < KERN_ISA_COUNT; isa++) want_isa[isa] = kern_isa_supported((kern_isa)isa);
    bool any = false;
    for (int isa = 0; isa < KERN_ISA_COUNT; isa++) any |= want_isa[isa];
    if (!any) want_isa[KERN_SCALAR] = true; /* a CPU without SIMD kernels */

    provenance prov;
    provenance_init(&prov, argc_all, argv_all, 1);
    bench_machine host;
    bench_machine_read(&host, &prov);

    const arch *a = arch_find(cfg.arch);
    size_t img = (size_t)a->img_c * a->img_h * a->img_w;
    float *real = xalloc_floats((size_t)cfg.batch * img); // (batch,C,H,W) in [0,1]
    rng r = rng_make(1, RNG_EVAL, 0);
    for (size_t i = 0; i < (size_t)cfg.batch * img; i++) real[i] = rng_uniform(&r);

    /* Without model flags the setting is MNIST's (bench/mpi_scaling.py reads this line). */
    char setting[64], prefix[64] = "", config_line[1024];
    snprintf(setting, sizeof setting, "%s", model_flags ? cfg.arch : "MNIST");
    if (model_flags) snprintf(prefix, sizeof prefix, "%s-", cfg.arch);
    infogan_config_describe(&cfg, config_line, sizeof config_line);
    printf("%s InfoGAN training iteration (batch %d), %s (cpu slug %s)\n", setting, cfg.batch,
           host.model, host.slug);
    if (model_flags) printf("model: %s\n", config_line);
    printf("load average at start: %s; OMP_WAIT_POLICY=%s, GOMP_SPINCOUNT=%s\n", host.load,
           env_or_unset("OMP_WAIT_POLICY"), env_or_unset("GOMP_SPINCOUNT"));
    printf("%s\n", counting_rule);
    if (dist_size() > 1)
        printf("%d MPI ranks (%s), %d images of each batch per rank\n", dist_size(), dist_library(),
               cfg.batch / dist_size());

    result res[KERN_ISA_COUNT * 8];
    int n_res = 0;
    for (int isa = 0; isa < KERN_ISA_COUNT; isa++) {
        if (!want_isa[isa]) continue;
        for (int ti = 0; ti < n_threads; ti++) {
            double peak = bench_fma_peak((kern_isa)isa, threads[ti], 5);
            fprintf(stderr, "train_step: %s, %d thread(s): %d warm-up + %d timed iterations\n",
                    kern_isa_name((kern_isa)isa), threads[ti], warmup, iters);
            res[n_res++] = run_config(&cfg, (kern_isa)isa, threads[ti], warmup, iters, real, peak, layers);
        }
    }
    free(real);
    uint64_t calls, bytes, pieces;
    dist_traffic(&calls, &bytes, &pieces);
    if (dist_size() > 1) {
        int timed = 0;
        for (int i = 0; i < n_res; i++) timed += warmup + iters;
        printf("summed across the ranks per iteration: %.1f calls, %.0f bytes, %.1f of the calls gradient "
               "pieces\n", (double)calls / timed, (double)bytes / timed, (double)pieces / timed);
    }

    printf("\n%-10s %7s %5s %8s %14s %8s %11s\n", "isa", "threads", "batch", "it_per_s",
           "gflop_per_iter", "gflops", "pct_of_peak");
    for (int i = 0; i < n_res; i++) {
        const result *x = &res[i];
        char pct[16] = "";
        if (x->pct_of_peak >= 0) snprintf(pct, sizeof pct, "%.1f", x->pct_of_peak);
        printf("%-10s %7d %5d %8.2f %14.2f %8.2f %11s\n", kern_isa_name(x->isa), x->threads,
               cfg.batch, x->it_per_s, x->gflop_per_iter, x->gflops, pct);
    }

    if (strcmp(out_dir, "-") == 0) return 0;
    char iters_note[64];
    snprintf(iters_note, sizeof iters_note, "%d warm-up + %d timed per row; it_per_s = timed / wall",
             warmup, iters);
    provenance_note(&prov, "iterations", iters_note);
    provenance_note(&prov, "model", config_line);
    provenance_note(&prov, "flop_counting", counting_rule);
    provenance_note(&prov, "pct_of_peak", "of the multiply-add loop peak of the row's ISA and threads (FMA; VDPBF16PS for avx512bf16; TDPBF16PS for amx), measured in the same run");
    provenance_note(&prov, "batch_data", "synthetic uniform [0,1) images (the time does not depend on them)");
    provenance_note(&prov, "OMP_WAIT_POLICY", env_or_unset("OMP_WAIT_POLICY"));
    provenance_note(&prov, "GOMP_SPINCOUNT", env_or_unset("GOMP_SPINCOUNT"));
    path_make_output_dir("--out", out_dir);
    char csv[1024], name[128];
    snprintf(name, sizeof name, "%strain-%s.csv", prefix, host.slug);
    path_join(csv, sizeof csv, out_dir, name);
    out_file o;
    FILE *f = out_open(&o, csv, "w");
    provenance_write_comments(&prov, f);
    fprintf(f, "isa,threads,batch,it_per_s,gflop_per_iter,gflops,pct_of_peak\n");
    for (int i = 0; i < n_res; i++) {
        const result *x = &res[i];
        fprintf(f, "%s,%d,%d,%.3f,%.3f,%.2f,", kern_isa_name(x->isa), x->threads, cfg.batch,
                x->it_per_s, x->gflop_per_iter, x->gflops);
        if (x->pct_of_peak >= 0) fprintf(f, "%.1f", x->pct_of_peak);
        fprintf(f, "\n");
    }
    out_commit(&o);
    fprintf(stderr, "train_step: wrote %s\n", csv);
    if (n_breakdown > 0) write_breakdown(out_dir, prefix, host.slug, setting, &prov);
    return 0;
}
