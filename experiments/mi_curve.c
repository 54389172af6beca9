/* mi_curve: Figure 1 of the paper. L_I against iteration on MNIST with c ~ Cat(10) only,
 * for InfoGAN and for a regular GAN that trains Q but gives G no information reward.
 * Writes <out>/figure1.csv (iteration,li_infogan,li_gan, with provenance) and
 * <out>/figure1.png (with the line H(c) = ln 10), and logs of both runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "infogan.h"
#include "mnist.h"
#include "plot.h"
#include "provenance.h"
#include "train.h"
#include "util.h"

static void usage(FILE *f)
{
    fputs("usage: mi_curve [--out DIR] [--data DIR] [--iterations N] [model flags]\n"
          "Figure 1: L_I of InfoGAN and of the regular GAN baseline (same seed) on MNIST with\n"
          "c ~ Cat(10) only (--latent noise:62,cat:10), one run each.\n"
          "  --out DIR         where figure1.csv, figure1.png and the run logs go (results)\n"
          "  --data DIR        data folder of `make data` (data)\n"
          "  --iterations N    iterations of each run (1000)\n"
          "  --quiet           no progress line\n", f);
    infogan_config_help(f);
}

typedef struct curve { int n; double *li; } curve;

static void record(void *ctx, const infogan *m, const infogan_stats *st)
{
    (void)m;
    curve *c = ctx;
    c->li[c->n++] = st->li;
}

static double mean_range(const double *v, int from, int to)
{
    double s = 0;
    for (int i = from; i < to; i++) s += v[i];
    return s / (to - from);
}

int main(int argc, char **argv)
{
    infogan_config cfg;
    infogan_config_default(&cfg);
    latent_parse(&cfg.latent, "noise:62,cat:10", "--latent");
    const char *out = "results", *data_dir = NULL;
    int iterations = 1000;
    bool progress = true;
    for (int i = 1; i < argc;) {
        int used = infogan_config_flag(&cfg, argc, argv, i);
        if (used) { i += used; continue; }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) { usage(stdout); return 0; }
        if (strcmp(argv[i], "--quiet") == 0) { progress = false; i++; continue; }
        CHECK(i + 1 < argc, "unknown flag %s or missing value (see mi_curve --help)", argv[i]);
        if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
        else if (strcmp(argv[i], "--data") == 0) data_dir = argv[i + 1];
        else if (strcmp(argv[i], "--iterations") == 0) {
            iterations = atoi(argv[i + 1]);
            CHECK(iterations >= 100, "--iterations %s: need at least 100", argv[i + 1]);
        } else die("unknown flag %s (see mi_curve --help)", argv[i]);
        i += 2;
    }
    CHECK(cfg.latent.n_codes >= 1 && cfg.latent.codes[0].kind == LATENT_CAT,
          "--latent %s: Figure 1 needs a categorical code first", cfg.latent.text);
    mkdir(out, 0755);

    provenance prov;
    provenance_init(&prov, argc, argv, cfg.seed);
    mnist_split split = mnist_open(data_dir);
    provenance_note(&prov, "data", split.description);
    provenance_note(&prov, "train_images", "the train split only; labels unused");

    curve curves[2];
    const char *names[2] = {"infogan", "gan"};
    double its_per_s[2];
    for (int run = 0; run < 2; run++) {
        infogan_config c = cfg;
        c.info_to_g = run == 0;
        char desc[1024], key[32], log_path[1024];
        infogan_config_describe(&c, desc, sizeof desc);
        snprintf(key, sizeof key, "model_%s", names[run]);
        provenance_note(&prov, key, desc);
        snprintf(log_path, sizeof log_path, "%s/figure1_%s.log.csv", out, names[run]);
        curves[run] = (curve){0, xcalloc((size_t)iterations, sizeof(double))};
        infogan *m = infogan_create(&c);
        train_opts o;
        train_opts_default(&o);
        o.iterations = iterations;
        o.log_path = log_path;
        o.progress = progress;
        o.on_iter = record, o.ctx = &curves[run];
        if (progress) fprintf(stderr, "mi_curve: %s, %d iterations\n", names[run], iterations);
        double t0 = provenance_wall_seconds(&prov);
        train_run(m, split.train, &o);
        its_per_s[run] = iterations / (provenance_wall_seconds(&prov) - t0);
        infogan_free(m);
    }

    char note[160];
    snprintf(note, sizeof note, "%.3f (infogan), %.3f (gan)", its_per_s[0], its_per_s[1]);
    provenance_note(&prov, "iterations_per_s", note);
    double h = latent_code_entropy(&cfg.latent.codes[0]);
    double at100 = curves[0].li[99], last_info = mean_range(curves[0].li, iterations - 100, iterations);
    double last_gan = mean_range(curves[1].li, iterations - 100, iterations);
    int peak = 0;
    for (int i = 0; i < iterations; i++) peak = curves[1].li[i] > curves[1].li[peak] ? i : peak;
    snprintf(note, sizeof note,
             "InfoGAN L_I %.3f at iteration 100, %.3f mean over the last 100; GAN %.3f mean over "
             "the last 100 (peak %.3f at %d); H(c) %.3f", at100, last_info, last_gan,
             curves[1].li[peak], peak + 1, h);
    provenance_note(&prov, "summary", note);

    char path[1024];
    snprintf(path, sizeof path, "%s/figure1.csv", out);
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    CHECK(f, "cannot write %s", tmp);
    provenance_write_comments(&prov, f);
    fprintf(f, "iteration,li_infogan,li_gan\n");
    for (int i = 0; i < iterations; i++) fprintf(f, "%d,%.6f,%.6f\n", i + 1, curves[0].li[i], curves[1].li[i]);
    CHECK(fclose(f) == 0 && rename(tmp, path) == 0, "cannot write %s", path);

    double *x = xmalloc((size_t)iterations * sizeof *x);
    for (int i = 0; i < iterations; i++) x[i] = i + 1;
    char *comments = provenance_comments_string(&prov);
    plot_spec ps = {
        .title = "Figure 1: L_I on MNIST, c ~ Cat(10)", .xlabel = "iteration", .ylabel = "L_I (nats)",
        .n_points = iterations, .x = x, .n_series = 2, .series_names = {"InfoGAN", "GAN (Q trained, no reward for G)"},
        .series_y = {curves[0].li, curves[1].li}, .has_hline = 1, .hline_y = h,
        .hline_label = "H(c) = ln 10", .comment = comments,
    };
    snprintf(path, sizeof path, "%s/figure1.png", out);
    plot_lines(path, &ps);
    printf("%s\nwrote %s/figure1.csv and %s\n", note, out, path);
    printf("speed: %.3f it/s (infogan), %.3f it/s (gan), isa %s, %d threads\n", its_per_s[0],
           its_per_s[1], prov.isa, prov.threads);
    free(comments), free(x), free(curves[0].li), free(curves[1].li);
    mnist_split_free(&split);
    return 0;
}
