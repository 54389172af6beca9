/* mnist: the MNIST experiments of section 7.2 on the one harness (lib/harness): training
 * runs, the classifier test (Table 1 of this suite: c1 as a classifier of held-out digits)
 * and Figure 2's code traversals. `mnist --help` lists the commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "base/image.h"
#include "base/parse.h"
#include "base/rng.h"
#include "base/util.h"
#include "data/mnist.h"
#include "eval/metrics.h"
#include "harness/experiment.h"

#define PAPER_ACC 0.95

/* ---- train: data, model check and the classifier test --------------------------------- */

static void open_mnist(const exp_spec *s, const exp_run *r, dataset **train, dataset **eval, char *desc,
                       size_t desc_len)
{
    (void)s;
    mnist_split split = mnist_open(r->data);
    *train = split.train, *eval = split.eval;
    snprintf(desc, desc_len, "%s", split.description);
}

static void check_classifier_code(const exp_spec *s, const infogan_config *cfg)
{
    (void)s;
    CHECK(cfg->latent.n_codes > 0 && cfg->latent.codes[0].kind == LATENT_CAT,
          "--latent %s: the classifier test needs a categorical code first", cfg->latent.text);
}

/* cluster (n) = argmax Q(c1|x) of each image. */
static void classify(infogan *m, const dataset *d, int *cluster, float *probs_out)
{
    int k = m->cfg.latent.codes[0].k;
    float *probs = probs_out ? probs_out : xalloc_floats((size_t)d->n * k);
    infogan_q_cat_probs(m, 0, d->n, d->images, probs);
    for (int i = 0; i < d->n; i++) {
        int best = 0;
        for (int j = 1; j < k; j++) best = probs[(size_t)i * k + j] > probs[(size_t)i * k + best] ? j : best;
        cluster[i] = best;
    }
    if (!probs_out) free(probs);
}

/* counts (k,10): the held-out digits of each category argmax Q(c1|x). */
static void heldout_counts(infogan *m, const dataset *ev, int k, long *counts)
{
    int *cluster = xmalloc((size_t)ev->n * sizeof *cluster), *label = xmalloc((size_t)ev->n * sizeof *label);
    classify(m, ev, cluster, NULL);
    for (int i = 0; i < ev->n; i++) label[i] = ev->factor_index[(size_t)i * ev->n_factors];
    metrics_contingency(ev->n, cluster, k, label, 10, counts);
    free(cluster), free(label);
}

/* result.csv: c1 as a classifier of the held-out digits; the label-free MI on the train split. */
static void score_classifier(const exp_spec *s, const exp_run *r, infogan *m, const dataset *tr,
                             const dataset *ev, provenance *prov, const char *run_dir)
{
    (void)s, (void)r;
    int k = m->cfg.latent.codes[0].k;
    long *counts = xcalloc((size_t)k * 10, sizeof *counts); /* (k,10) */
    heldout_counts(m, ev, k, counts);
    cluster_scores sc = metrics_cluster_scores_counts(counts, k, 10);
    float *post = xalloc_floats((size_t)tr->n * k); /* (n,k) */
    infogan_q_cat_probs(m, 0, tr->n, tr->images, post);
    double mi_real = metrics_mi_posterior(tr->n, k, post);
    provenance_note(prov, "eval", "argmax Q(c1|x) on the held-out split; mi_real on the train split");

    char path[1024];
    out_file o;
    path_join(path, sizeof path, run_dir, "result.csv");
    FILE *f = out_open(&o, path, "w");
    provenance_write_comments(prov, f);
    fprintf(f, "seed,iterations,acc_majority,acc_hungarian,nmi,mi_real,wall_s\n");
    fprintf(f, "%llu,%d,%.4f,%.4f,%.4f,%.4f,%.1f\n", (unsigned long long)m->cfg.seed, m->iteration,
            sc.acc_majority, sc.acc_hungarian, sc.nmi, mi_real, provenance_wall_seconds(prov));
    out_commit(&o);
    printf("%s seed %llu, %d iterations: accuracy %.2f%% (majority), %.2f%% (Hungarian), NMI %.3f, "
           "MI on real images %.3f nats\n", m->cfg.info_to_g ? "InfoGAN" : "GAN",
           (unsigned long long)m->cfg.seed, m->iteration, 100 * sc.acc_majority,
           100 * sc.acc_hungarian, sc.nmi, mi_real);
    free(counts), free(post);
}

/* ---- table 1 ------------------------------------------------------------------------- */

typedef struct run_row {
    unsigned long long seed;
    int iterations;
    double acc_majority, acc_hungarian, nmi, mi_real, wall_s;
    char commit[64];
} run_row;

static void read_result(const char *dir, run_row *r)
{
    char path[1024], line[2048];
    path_join(path, sizeof path, dir, "result.csv");
    FILE *f = fopen(path, "r");
    CHECK(f, "cannot read %s (run `mnist train --run-dir %s` first)", path, dir);
    bool header = false, got = false;
    int lineno = 0;
    snprintf(r->commit, sizeof r->commit, "unknown");
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (strncmp(line, "# commit: ", 10) == 0) {
            line[strcspn(line, "\n")] = 0;
            snprintf(r->commit, sizeof r->commit, "%.63s", line + 10);
        }
        if (line[0] == '#') continue;
        if (!header) { header = true; continue; }
        got = sscanf(line, "%llu,%d,%lf,%lf,%lf,%lf,%lf", &r->seed, &r->iterations, &r->acc_majority,
                     &r->acc_hungarian, &r->nmi, &r->mi_real, &r->wall_s) == 7;
        break;
    }
    fclose(f);
    CHECK(got, "%s has no result row", path);
    /* Scores are shares, MI at most ln K nats: NaN or out-of-range numbers are refused. */
    CHECK(r->iterations > 0 && r->acc_majority >= 0 && r->acc_majority <= 1 && r->acc_hungarian >= 0 &&
          r->acc_hungarian <= 1 && r->nmi >= 0 && r->nmi <= 1 && r->mi_real >= 0 && r->mi_real <= 20 &&
          r->wall_s >= 0, "%s:%d: a number is NaN or out of range (iterations > 0, accuracies and NMI "
          "in 0..1, mi_real in 0..20 nats, wall_s >= 0)", path, lineno);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The trained model of the run in dir. */
static infogan *load_run(const exp_spec *s, const char *dir)
{
    exp_run r;
    exp_run_load(s, dir, &r);
    return exp_model_load(s, &r, dir);
}

/* Per run and digit, the share of its held-out images the majority matching gets right
 * (recall, (n,10)), how many categories the digit is the majority of (cats, (n,10)), and
 * the held-out split's description. */
static void digit_errors(const exp_spec *s, int n, const char *const *dirs, const char *data_dir, double *recall,
                         int *cats, char *split_desc, size_t desc_len)
{
    mnist_split split = mnist_open(data_dir);
    for (int i = 0; i < n; i++) {
        infogan *m = load_run(s, dirs[i]);
        int k = m->cfg.latent.codes[0].k;
        long *counts = xcalloc((size_t)k * 10, sizeof *counts); /* (k,10) */
        heldout_counts(m, split.eval, k, counts);
        metrics_majority_per_label(counts, k, 10, recall + i * 10, cats + i * 10);
        free(counts);
        infogan_free(m);
    }
    snprintf(split_desc, desc_len, "%s", split.description);
    mnist_split_free(&split);
}

/* table1.md's section on where each run's errors are (see digit_errors). */
static void write_digit_section(FILE *f, int n, const run_row *rows, const char *split_desc,
                                const double *recall, const int *cats)
{
    fprintf(f, "## Where the errors are\n\n"
               "Per digit, the share of its held-out images that fall in a category whose\n"
               "majority is that digit (what the majority matching gets right of it), and in\n"
               "brackets how many of the categories that is: a digit with 0%% is the majority of\n"
               "no category (it shares one with another digit), and a digit with two categories\n"
               "takes one that another digit lacks. Held-out split: %s.\n\n"
               "| seed | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |\n"
               "|---|---|---|---|---|---|---|---|---|---|---|\n", split_desc);
    for (int i = 0; i < n; i++) {
        fprintf(f, "| %llu |", rows[i].seed);
        for (int d = 0; d < 10; d++) fprintf(f, " %.0f%% (%d) |", 100 * recall[i * 10 + d], cats[i * 10 + d]);
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static int cmd_table1(const exp_spec *s, int argc, char **argv)
{
    const char *out = "results", *gan_dir = NULL, *data_dir = NULL;
    int n = 0;
    const char *dirs[256];
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) data_dir = argv[++i];
        else if (strcmp(argv[i], "--gan") == 0 && i + 1 < argc) gan_dir = argv[++i];
        else {
            CHECK(argv[i][0] != '-', "unknown flag %s (see mnist --help)", argv[i]);
            CHECK(n < 256, "more than 256 runs");
            dirs[n++] = argv[i];
        }
    }
    CHECK(n > 0, "mnist table1 needs run folders");
    path_check_output_dir("--out", out);
    run_row rows[256];
    double acc[256];
    int best_mi = 0, reach = 0, reach93 = 0;
    for (int i = 0; i < n; i++) {
        read_result(dirs[i], &rows[i]);
        acc[i] = rows[i].acc_majority;
        reach += acc[i] >= PAPER_ACC;
        reach93 += acc[i] >= 0.93;
        if (rows[i].mi_real > rows[best_mi].mi_real) best_mi = i;
    }
    run_row gan;
    if (gan_dir) read_result(gan_dir, &gan);
    /* Every input (data, models) is read before the first output is written. */
    double recall[256 * 10];
    int cats[256 * 10];
    char split_desc[256];
    digit_errors(s, n, dirs, data_dir, recall, cats, split_desc, sizeof split_desc);
    qsort(acc, (size_t)n, sizeof acc[0], cmp_double);
    double median = n % 2 ? acc[n / 2] : (acc[n / 2 - 1] + acc[n / 2]) / 2, mean = 0;
    for (int i = 0; i < n; i++) mean += acc[i] / n;
    path_make_output_dir("--out", out);
    provenance prov;
    provenance_init(&prov, argc, argv, rows[0].seed);
    char note[160];
    snprintf(note, sizeof note, "%d runs; each run's own provenance is in its result.csv", n);
    provenance_note(&prov, "runs", note);

    char path[1024];
    out_file o;
    path_join(path, sizeof path, out, "table1.csv");
    FILE *f = out_open(&o, path, "w");
    provenance_write_comments(&prov, f);
    fprintf(f, "seed,iterations,acc_majority,acc_hungarian,nmi,mi_real,wall_s\n");
    for (int i = 0; i < n; i++)
        fprintf(f, "%llu,%d,%.4f,%.4f,%.4f,%.4f,%.1f\n", rows[i].seed, rows[i].iterations,
                rows[i].acc_majority, rows[i].acc_hungarian, rows[i].nmi, rows[i].mi_real, rows[i].wall_s);
    out_file o_md;
    path_join(path, sizeof path, out, "table1.md");
    f = out_open(&o_md, path, "w");
    fprintf(f, "# MNIST classifier test: c1 as a classifier of held-out digits\n\n"
               "Each row is one training run (no labels in training). Held-out digits are\n"
               "classified by argmax Q(c1|x); `majority` maps each category to the digit most of\n"
               "its members carry (the paper's matching), `Hungarian` is the best one-to-one map,\n"
               "`MI real` is the label-free mutual information between c1 and the training images\n"
               "(nats, at most ln 10 = 2.303).\n\n"
               "| seed | iterations | majority | Hungarian | NMI | MI real | wall (s) | commit |\n"
               "|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < n; i++)
        fprintf(f, "| %llu | %d | %.2f%% | %.2f%% | %.3f | %.3f | %.0f | %.12s |\n", rows[i].seed,
                rows[i].iterations, 100 * rows[i].acc_majority, 100 * rows[i].acc_hungarian,
                rows[i].nmi, rows[i].mi_real, rows[i].wall_s, rows[i].commit);
    if (gan_dir)
        fprintf(f, "\nBaseline, the regular GAN with a Q network (G gets no L_I reward), seed %llu, %d "
                   "iterations: majority %.2f%%, Hungarian %.2f%%, NMI %.3f, MI real %.3f.\n",
                gan.seed, gan.iterations, 100 * gan.acc_majority, 100 * gan.acc_hungarian, gan.nmi,
                gan.mi_real);
    fprintf(f, "\n| | majority accuracy |\n|---|---|\n| best | %.2f%% |\n| median | %.2f%% |\n"
               "| mean | %.2f%% |\n| paper (5%% error) | 95%% |\n\n", 100 * acc[n - 1], 100 * median, 100 * mean);
    fprintf(f, "%d of %d runs reach the paper's 95%%; %d of %d reach 93%%.\n\n", reach, n, reach93, n);
    fprintf(f, "Label-free choice: the run with the highest MI on real images is seed %llu "
               "(MI %.3f nats), whose accuracy is %.2f%% (majority).\n\n",
            rows[best_mi].seed, rows[best_mi].mi_real, 100 * rows[best_mi].acc_majority);
    write_digit_section(f, n, rows, split_desc, recall, cats);
    provenance_write_markdown(&prov, f);
    out_commit(&o);
    out_commit(&o_md);
    printf("table1: best %.2f%%, median %.2f%%, mean %.2f%% over %d runs; %d reach 95%%; "
           "label-free pick seed %llu (%.2f%%)\n", 100 * acc[n - 1], 100 * median, 100 * mean, n,
           reach, rows[best_mi].seed, 100 * rows[best_mi].acc_majority);
    return 0;
}

/* ---- figure 2 ------------------------------------------------------------------------ */

/* order (k): categories sorted by the digit most of their held-out members carry (ties by
 * how many carry it), so column j of panel (a) shows digit j where the code found it. */
static void digit_order(infogan *m, const dataset *ev, int k, int *order)
{
    long *counts = xcalloc((size_t)k * 10, sizeof *counts);
    heldout_counts(m, ev, k, counts);
    double key[64];
    for (int c = 0; c < k; c++) {
        int best = 0;
        for (int l = 1; l < 10; l++) best = counts[c * 10 + l] > counts[c * 10 + best] ? l : best;
        key[c] = best - 1e-6 * (double)counts[c * 10 + best];
        order[c] = c;
    }
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && key[order[j]] < key[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1], order[j - 1] = t;
        }
    free(counts);
}

/* Rows of different samples of everything else; column j sets code `code` to values[j]. */
static void traversal(infogan *m, int code, int rows, int cols, const float *values,
                      const int *row_category, const char *path)
{
    const latent_spec *ls = &m->cfg.latent;
    int n = rows * cols;
    float *z = xalloc_floats((size_t)n * ls->in_dim), *row = xalloc_floats((size_t)ls->in_dim);
    float *img = xalloc_floats((size_t)n * 784);
    rng r = rng_make(m->cfg.seed, RNG_EVAL, (uint64_t)code);
    for (int i = 0; i < rows; i++) {
        latent_sample(ls, &r, 1, row, NULL);
        /* Continuous codes other than the varied one at 0, the paper's convention. */
        for (int c = 0; c < ls->n_codes; c++)
            if (c != code && ls->codes[c].kind == LATENT_CONT) latent_set_code(ls, c, row, 0.0f);
        if (row_category) latent_set_code(ls, 0, row, (float)row_category[i]);
        for (int j = 0; j < cols; j++) {
            float *zz = z + (size_t)(i * cols + j) * ls->in_dim;
            memcpy(zz, row, (size_t)ls->in_dim * sizeof(float));
            latent_set_code(ls, code, zz, values[j]);
        }
    }
    infogan_generate(m, n, z, img);
    image_write_grid_png(path, img, n, 1, 28, 28, rows, cols, 2);
    free(z), free(row), free(img);
}

/* Appends a run's result.csv (provenance and scores) as a fenced block. */
static void append_result(FILE *f, const char *dir)
{
    char path[1024], line[2048];
    path_join(path, sizeof path, dir, "result.csv");
    FILE *in = fopen(path, "r");
    CHECK(in, "cannot read %s", path);
    fprintf(f, "Run `%s` (its result.csv):\n\n```\n", dir);
    while (fgets(line, sizeof line, in)) fputs(line, f);
    fprintf(f, "```\n\n");
    fclose(in);
}

/* figure2.md: what the panels show and where they came from. */
static void write_figure2_md(const char *out, const char *info_dir, const char *gan_dir,
                             const int *order, int rows, int argc, char **argv, uint64_t seed)
{
    char path[1024];
    out_file o;
    path_join(path, sizeof path, out, "figure2.md");
    FILE *f = out_open(&o, path, "w");
    fprintf(f, "# Figure 2: MNIST code traversals\n\n"
               "Each panel has %d rows x 10 columns; a row keeps the noise (and the other codes)\n"
               "fixed, a column sets one code.\n\n"
               "- figure2a.png: c1 (Cat(10)) on InfoGAN; column j is category order[j] (below), the\n"
               "  categories sorted by the digit most of their held-out members carry.\n"
               "- figure2b.png: c1 on the regular GAN (Q trained, no information reward for G),\n"
               "  categories 0..9 in their own order.\n"
               "- figure2c.png: c2 from -2 to 2 on InfoGAN (row i: category of column i of (a), c3 = 0).\n"
               "- figure2d.png: c3 from -2 to 2 on InfoGAN (row i: category of column i of (a), c2 = 0).\n\n",
            rows);
    fprintf(f, "Category order of panel (a):");
    for (int j = 0; j < 10; j++) fprintf(f, " %d", order[j]);
    fprintf(f, "\n\n");
    append_result(f, info_dir);
    append_result(f, gan_dir);
    provenance prov;
    provenance_init(&prov, argc, argv, seed);
    provenance_write_markdown(&prov, f);
    out_commit(&o);
}

static int cmd_figure2(const exp_spec *s, int argc, char **argv)
{
    const char *info_dir = NULL, *gan_dir = NULL, *out = "results", *data_dir = NULL;
    int rows = 10;
    for (int i = 2; i < argc; i += 2) {
        CHECK(i + 1 < argc, "%s needs a value (see mnist --help)", argv[i]);
        if (strcmp(argv[i], "--infogan") == 0) info_dir = argv[i + 1];
        else if (strcmp(argv[i], "--gan") == 0) gan_dir = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
        else if (strcmp(argv[i], "--data") == 0) data_dir = argv[i + 1];
        else if (strcmp(argv[i], "--rows") == 0) rows = (int)parse_long("--rows", argv[i + 1], 5, 12);
        else die("unknown flag %s (see mnist --help)", argv[i]);
    }
    CHECK(info_dir && gan_dir, "mnist figure2 needs --infogan RUN_DIR and --gan RUN_DIR");
    CHECK(rows >= 5 && rows <= 12, "--rows %d: use 5..12", rows);
    path_check_output_dir("--out", out);
    mnist_split split = mnist_open(data_dir);
    infogan *m = load_run(s, info_dir);
    const latent_spec *ls = &m->cfg.latent;
    int k = ls->codes[0].k;
    CHECK(ls->codes[0].kind == LATENT_CAT && k == 10 && ls->n_codes >= 3,
          "%s: figure 2 needs the latent spec noise:N,cat:10,cont:2 (has %s)", info_dir, ls->text);
    int order[64];
    digit_order(m, split.eval, k, order);
    float cats[10], span[10], ordered[10];
    for (int j = 0; j < 10; j++) cats[j] = (float)j, ordered[j] = (float)order[j], span[j] = -2.0f + 4.0f * j / 9;
    path_make_output_dir("--out", out);
    char path[1024];
    int row_cat[12];
    for (int i = 0; i < rows; i++) row_cat[i] = order[i % 10];
    path_join(path, sizeof path, out, "figure2a.png");
    traversal(m, 0, rows, 10, ordered, NULL, path);
    path_join(path, sizeof path, out, "figure2c.png");
    traversal(m, 1, rows, 10, span, row_cat, path);
    path_join(path, sizeof path, out, "figure2d.png");
    traversal(m, 2, rows, 10, span, row_cat, path);
    infogan *g = load_run(s, gan_dir);
    path_join(path, sizeof path, out, "figure2b.png");
    traversal(g, 0, rows, 10, cats, NULL, path);
    write_figure2_md(out, info_dir, gan_dir, order, rows, argc, argv, m->cfg.seed);
    printf("figure2: wrote %s/figure2a.png .. figure2d.png (%d rows x 10 columns) and figure2.md; "
           "panel (a) columns are categories", out, rows);
    for (int j = 0; j < 10; j++) printf(" %d", order[j]);
    printf(" (sorted by held-out majority digit)\n");
    infogan_free(m), infogan_free(g);
    mnist_split_free(&split);
    return 0;
}


static const exp_spec mnist = {
    .name = "mnist",
    .latent = "noise:62,cat:10,cont:2",
    .iterations = 5000,
    .batch = 128,
    .ckpt_every = 1000,
    .n_configs = 1,
    .configs = {{"official", 2e-4f, 1e-3f, 1.0f, 1.0f}},
    .n_commands = 2,
    .commands = {
        {"table1", "table1 --out DIR [--gan RUN_DIR] [--data DIR] RUN_DIR...", cmd_table1},
        {"figure2", "figure2 --infogan RUN_DIR --gan RUN_DIR [--out DIR] [--rows N] [--data DIR]", cmd_figure2},
    },
    .open_data = open_mnist,
    .check_model = check_classifier_code,
    .score = score_classifier,
    .about =
        "  The data: MNIST's train split (labels unused); result.csv: seed, iterations,\n"
        "  acc_majority, acc_hungarian, nmi, mi_real, wall_s: argmax Q(c1|x) on the held-out split\n"
        "  scored by the paper's majority matching, the one-to-one (Hungarian) matching and NMI;\n"
        "  mi_real is the label-free MI of Q's posterior on the training images.\n"
        "table1: the runs' result.csv -> DIR/table1.csv and DIR/table1.md; --gan adds a regular\n"
        "  GAN run as the baseline row (not counted in best/median/mean); table1.md also shows,\n"
        "  per run and digit, what the majority matching gets right (loads each run's model and\n"
        "  the held-out split from --data).\n"
        "figure2: DIR/figure2a.png (c1, InfoGAN, columns ordered by majority digit), figure2b.png\n"
        "  (c1, GAN), figure2c.png (c2 from -2 to 2), figure2d.png (c3 from -2 to 2); rows (10)\n"
        "  are other samples of the remaining inputs; DIR/figure2.md.\n",
    .choices =
        "  The official InfoGAN MNIST code's settings (Table 1's networks, batch 128, Adam beta1\n"
        "  0.5, lr 2e-4 for D/Q and 1e-3 for G, lambda 1, Q's std fixed to 1, leaky slope 0.01).\n",
};

int main(int argc, char **argv)
{
    return experiment_main(&mnist, argc, argv);
}
