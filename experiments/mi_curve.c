/* mi_curve: Figure 1 of the paper. L_I against iteration on MNIST with c ~ Cat(10) only,
 * for InfoGAN and for a regular GAN that trains Q but gives G no information reward, and
 * for InfoGAN with Q's head at learning rate 1e-3 (as PyTorch ports train it; the official
 * code trains Q with D at 2e-4).
 *
 * Each run writes <out>/figure1_<run>.log.csv (the training log) and figure1_<run>.prov
 * (its provenance); the plot step reads the three logs and writes <out>/figure1.csv
 * (iteration,li_infogan,li_gan,li_infogan_qlr, with provenance) and <out>/figure1.png (with
 * the line H(c) = ln 10). By default one invocation does it all; --run and --plot-only
 * split it so `make -j` trains the runs in parallel. A run trains in <runs>/figure1-<run>/
 * (model.ckpt every 100 iterations, log.csv) and resumes from there when interrupted; its
 * log reaches <out> whole (an atomic copy) only when the run is done. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/infogan.h"
#include "data/mnist.h"
#include "report/plot.h"
#include "report/provenance.h"
#include "model/train.h"
#include "base/dist.h"
#include "base/fs.h"
#include "base/parse.h"
#include "model/checkpoint.h"
#include "model/stop.h"
#include "base/util.h"

#define N_RUNS 3
static const char *const run_names[N_RUNS] = {"infogan", "gan", "infogan-qlr"};
static const char *const run_columns[N_RUNS] = {"li_infogan", "li_gan", "li_infogan_qlr"};
#define RUN_GAN 1
#define RUN_QLR 2
#define Q_LR_FAST 1e-3f /* Q's head in the third run */

static void usage(FILE *f)
{
    fputs("usage: mi_curve [--out DIR] [--data DIR] [--iterations N] [--run RUN|all]\n"
          "                [--plot-only] [--stop-rule on|off] [--stop-patience N] [model flags]\n"
          "Figure 1: L_I of InfoGAN and of the regular GAN baseline (same seed) on MNIST with\n"
          "c ~ Cat(10) only (--latent noise:62,cat:10), and of InfoGAN with Q's head at\n"
          "learning rate 1e-3 (--lr-q 1e-3; the official code trains Q with D, at --lr-d).\n"
          "  --out DIR         where figure1.csv, figure1.png and the run logs go (results)\n"
          "  --data DIR        data folder of `make data` (data)\n"
          "  --runs DIR        where each run trains and checkpoints: DIR/figure1-<run>/\n"
          "                    (checkpoints); an interrupted run resumes from there\n"
          "  --iterations N    iterations of each run (1000)\n"
          "  --run R           train only R (infogan, gan or infogan-qlr) and write its log;\n"
          "                    all (default) trains the three, then plots\n"
          "  --plot-only       plot from the three runs' logs in DIR\n"
          "  --quiet           no progress line\n"
          "Under mpirun -np N each run trains data-parallel (each batch split over N ranks).\n", f);
    stop_rule_help(f, false);
    infogan_config_help(f);
}

static void out_path(char *buf, size_t len, const char *out, const char *run, const char *suffix)
{
    CHECK(snprintf(buf, len, "%s/figure1%s%s%s", out, run ? "_" : "", run ? run : "", suffix) < (int)len,
          "output path under %s is too long", out);
}

/* Copies the file at from to `to` through a temp file (so `to` is whole or untouched). */
static void publish(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    CHECK(in, "cannot read %s", from);
    out_file o;
    FILE *f = out_open(&o, to, "wb");
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, f);
    CHECK(!ferror(in), "cannot read %s", from);
    fclose(in);
    out_commit(&o);
}

static void train_one(const infogan_config *base, int run, const char *out, const char *runs,
                      int iterations, int stop_patience, bool progress, const mnist_split *split,
                      int argc, char **argv)
{
    infogan_config c = *base;
    c.info_to_g = run != RUN_GAN;
    if (run == RUN_QLR) c.lr_q = Q_LR_FAST;
    provenance prov;
    provenance_init(&prov, argc, argv, c.seed);
    provenance_note(&prov, "data", split->description);
    provenance_note(&prov, "train_images", "the train split only; labels unused");
    char desc[1024], log_path[1024], prov_path[1024], note[160], dir[1024], name[64], ckpt[1100],
         work_log[1100], collapsed[1100];
    infogan_config_describe(&c, desc, sizeof desc);
    provenance_note(&prov, "model", desc);
    out_path(log_path, sizeof log_path, out, run_names[run], ".log.csv");
    out_path(prov_path, sizeof prov_path, out, run_names[run], ".prov");
    snprintf(name, sizeof name, "figure1-%s", run_names[run]);
    path_join(dir, sizeof dir, runs, name);
    path_join(ckpt, sizeof ckpt, dir, "model.ckpt");
    path_join(work_log, sizeof work_log, dir, "log.csv");
    path_join(collapsed, sizeof collapsed, dir, "collapsed.txt");

    infogan *m = infogan_create(&c);
    if (access(ckpt, F_OK) == 0) checkpoint_load(m, ckpt); /* checked before any write */
    int first = m->iteration;
    bool writer = dist_rank() == 0; /* under mpirun every rank trains, rank 0 writes */
    if (writer) path_make_output_dir("--runs", runs);
    if (writer) path_make_output_dir("--runs", dir);
    train_opts o;
    train_opts_default(&o);
    o.iterations = iterations;
    o.log_path = work_log, o.ckpt_path = ckpt, o.ckpt_every = 100, o.resume = true;
    o.progress = progress;
    o.stop_patience = stop_patience, o.collapsed_path = collapsed;
    if (progress && writer) fprintf(stderr, "mi_curve: %s, %d iterations\n", run_names[run], iterations);
    double t0 = provenance_wall_seconds(&prov);
    if (train_run(m, split->train, &o) && writer)
        fprintf(stderr, "mi_curve: the %s run collapsed at iteration %d; its log ends there\n",
                run_names[run], m->iteration);
    snprintf(note, sizeof note, "%.3f", (iterations - first) / (provenance_wall_seconds(&prov) - t0));
    provenance_note(&prov, "iterations_per_s", note);
    infogan_free(m);
    if (!writer) return;

    publish(work_log, log_path);
    out_file prov_file;
    FILE *f = out_open(&prov_file, prov_path, "w");
    provenance_write_comments(&prov, f);
    out_commit(&prov_file);
    printf("mi_curve: %s run done, %s it/s; log %s\n", run_names[run], note, log_path);
}

/* li (iterations) = the "li" column of the first `iterations` rows of a training log. */
static void read_li(const char *path, int iterations, double *li)
{
    FILE *f = fopen(path, "r");
    CHECK(f, "cannot read %s: train that run first (mi_curve --run)", path);
    char line[8192];
    CHECK(fgets(line, sizeof line, f), "%s is empty", path);
    int col = -1, k = 0;
    for (char *save = NULL, *t = strtok_r(line, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save), k++)
        if (strcmp(t, "li") == 0) col = k;
    CHECK(col >= 0, "%s has no column li", path);
    int n = 0;
    while (n < iterations && fgets(line, sizeof line, f)) {
        char *p = line;
        for (int c = 0; c < col && p; c++) p = strchr(p, ','), p = p ? p + 1 : NULL;
        CHECK(p, "%s: row %d has fewer than %d columns", path, n + 2, col + 1);
        CHECK(atoi(line) == n + 1, "%s: row %d is iteration %d, not %d", path, n + 2, atoi(line), n + 1);
        li[n++] = strtod(p, NULL);
    }
    fclose(f);
    CHECK(n == iterations, "%s has %d iterations, fewer than %d (did the stop rule end that run?)", path, n,
          iterations);
}

static double mean_range(const double *v, int from, int to)
{
    double s = 0;
    for (int i = from; i < to; i++) s += v[i];
    return s / (to - from);
}

/* Appends a run's provenance file as "# <run>.<key>: value" lines. */
static void copy_prov(FILE *f, const char *out, int run)
{
    char path[1024], line[2048];
    out_path(path, sizeof path, out, run_names[run], ".prov");
    FILE *in = fopen(path, "r");
    CHECK(in, "cannot read %s: train that run first (mi_curve --run)", path);
    while (fgets(line, sizeof line, in)) fprintf(f, "# %s.%s", run_names[run], line[0] == '#' ? line + 2 : line);
    fclose(in);
}

static void plot(const infogan_config *cfg, const char *out, int iterations, int argc, char **argv)
{
    double *li[N_RUNS];
    char path[1024], note[512];
    for (int run = 0; run < N_RUNS; run++) {
        li[run] = xmalloc((size_t)iterations * sizeof(double));
        out_path(path, sizeof path, out, run_names[run], ".log.csv");
        read_li(path, iterations, li[run]);
    }
    provenance prov;
    provenance_init(&prov, argc, argv, cfg->seed);
    double h = latent_code_entropy(&cfg->latent.codes[0]);
    double at100 = li[0][99], last_info = mean_range(li[0], iterations - 100, iterations);
    double last_gan = mean_range(li[1], iterations - 100, iterations);
    double qlr100 = li[RUN_QLR][99], last_qlr = mean_range(li[RUN_QLR], iterations - 100, iterations);
    int peak = 0;
    for (int i = 0; i < iterations; i++) peak = li[1][i] > li[1][peak] ? i : peak;
    snprintf(note, sizeof note,
             "InfoGAN L_I %.3f at iteration 100, %.3f mean over the last 100; GAN %.3f mean over "
             "the last 100 (peak %.3f at %d); InfoGAN with Q at lr %g: %.3f at 100, %.3f over the last "
             "100; H(c) %.3f", at100, last_info, last_gan, li[1][peak], peak + 1, (double)Q_LR_FAST, qlr100,
             last_qlr, h);
    provenance_note(&prov, "summary", note);

    out_path(path, sizeof path, out, NULL, ".csv");
    out_file o;
    FILE *f = out_open(&o, path, "w");
    provenance_write_comments(&prov, f);
    for (int run = 0; run < N_RUNS; run++) copy_prov(f, out, run);
    fprintf(f, "iteration");
    for (int run = 0; run < N_RUNS; run++) fprintf(f, ",%s", run_columns[run]);
    fprintf(f, "\n");
    for (int i = 0; i < iterations; i++) {
        fprintf(f, "%d", i + 1);
        for (int run = 0; run < N_RUNS; run++) fprintf(f, ",%.6f", li[run][i]);
        fprintf(f, "\n");
    }
    out_commit(&o);

    double *x = xmalloc((size_t)iterations * sizeof *x);
    for (int i = 0; i < iterations; i++) x[i] = i + 1;
    char *comments = provenance_comments_string(&prov);
    plot_spec ps = {
        .title = "Figure 1: L_I on MNIST, c ~ Cat(10)", .xlabel = "iteration", .ylabel = "L_I (nats)",
        .n_points = iterations, .x = x, .n_series = N_RUNS,
        .series_names = {"InfoGAN (official: Q at D's lr 2e-4)", "GAN (Q trained, no reward for G)",
                         "InfoGAN, Q's head at lr 1e-3"},
        .series_y = {li[0], li[1], li[2]}, .has_hline = 1, .hline_y = h, .hline_label = "H(c) = ln 10",
        .comment = comments,
    };
    char png[1024];
    out_path(png, sizeof png, out, NULL, ".png");
    plot_lines(png, &ps);
    printf("%s\nwrote %s and %s\n", note, path, png);
    free(comments), free(x);
    for (int run = 0; run < N_RUNS; run++) free(li[run]);
}

int main(int argc, char **argv)
{
    dist_init(&argc, &argv);
    infogan_config cfg;
    infogan_config_default(&cfg);
    latent_parse(&cfg.latent, "noise:62,cat:10", "--latent");
    const char *out = "results", *data_dir = NULL, *which = "all", *runs = "checkpoints";
    int iterations = 1000, stop_patience = STOP_PATIENCE_DEFAULT;
    bool stop_rule = false;
    bool progress = true, plot_only = false;
    for (int i = 1; i < argc;) {
        int used = infogan_config_flag(&cfg, argc, argv, i);
        if (used) { i += used; continue; }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { usage(stdout); return 0; }
        if (strcmp(argv[i], "--quiet") == 0) { progress = false; i++; continue; }
        if (strcmp(argv[i], "--plot-only") == 0) { plot_only = true; i++; continue; }
        CHECK(i + 1 < argc, "unknown flag %s or missing value (see mi_curve --help)", argv[i]);
        if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
        else if (strcmp(argv[i], "--data") == 0) data_dir = argv[i + 1];
        else if (strcmp(argv[i], "--runs") == 0) runs = argv[i + 1];
        else if (strcmp(argv[i], "--run") == 0) which = argv[i + 1];
        else if (strcmp(argv[i], "--iterations") == 0)
            iterations = (int)parse_long("--iterations", argv[i + 1], 100, (1L << 30) - 1);
        else if (strcmp(argv[i], "--stop-patience") == 0)
            stop_patience = (int)parse_long("--stop-patience", argv[i + 1], 1, (1L << 30) - 1);
        else if (strcmp(argv[i], "--stop-rule") == 0) {
            CHECK(strcmp(argv[i + 1], "on") == 0 || strcmp(argv[i + 1], "off") == 0,
                  "--stop-rule: '%s' is neither on nor off", argv[i + 1]);
            stop_rule = strcmp(argv[i + 1], "on") == 0;
        }
        else die("unknown flag %s (see mi_curve --help)", argv[i]);
        i += 2;
    }
    bool known = strcmp(which, "all") == 0;
    for (int run = 0; run < N_RUNS; run++) known |= strcmp(which, run_names[run]) == 0;
    CHECK(known, "--run %s: use infogan, gan, infogan-qlr or all", which);
    CHECK(cfg.latent.n_codes >= 1 && cfg.latent.codes[0].kind == LATENT_CAT,
          "--latent %s: Figure 1 needs a categorical code first", cfg.latent.text);
    path_check_output_dir("--runs", runs);
    if (dist_rank() == 0) path_make_output_dir("--out", out);
    if (!plot_only) {
        mnist_split split = mnist_open(data_dir);
        for (int run = 0; run < N_RUNS; run++)
            if (strcmp(which, "all") == 0 || strcmp(which, run_names[run]) == 0)
                train_one(&cfg, run, out, runs, iterations, stop_rule ? stop_patience : 0, progress,
                          &split, argc, argv);
        mnist_split_free(&split);
    }
    if ((plot_only || strcmp(which, "all") == 0) && dist_rank() == 0) plot(&cfg, out, iterations, argc, argv);
    return 0;
}
