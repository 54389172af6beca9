/* figures.c: the traversal panels of the factor data sets, each from the InfoGAN run of its
 * setting whose panel code the oracle scores highest (else the best-MIG run), and NAME.md
 * saying what each shows and how spread G's samples are. */
#include "harness/harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "base/image.h"
#include "base/rng.h"
#include "base/util.h"
#include "data/catalog.h"
#include "eval/metrics.h"

/* Rows of other fixed noise (other continuous codes 0, categorical ones drawn); column j
 * sets `code` to values[j]. */
static void traversal(infogan *m, int code, int rows, int cols, const float *values, uint64_t stream,
                      const char *path)
{
    const latent_spec *ls = &m->cfg.latent;
    int n = rows * cols;
    size_t img = (size_t)m->arch->img_c * m->arch->img_h * m->arch->img_w;
    float *z = xalloc_floats((size_t)n * ls->in_dim), *images = xalloc_floats((size_t)n * img);
    rng r = rng_make(m->cfg.seed, RNG_EVAL, stream);
    for (int i = 0; i < rows; i++) {
        float *row = z + (size_t)i * cols * ls->in_dim;
        latent_sample(ls, &r, 1, row, NULL);
        for (int c = 0; c < ls->n_codes; c++)
            if (c != code && ls->codes[c].kind == LATENT_CONT) latent_set_code(ls, c, row, 0.0f);
        for (int j = 0; j < cols; j++) {
            float *zz = row + (size_t)j * ls->in_dim;
            memmove(zz, row, (size_t)ls->in_dim * sizeof(float));
            latent_set_code(ls, code, zz, values[j]);
        }
    }
    infogan_generate(m, n, z, images);
    if (tanh_output(m))
        for (size_t i = 0; i < (size_t)n * img; i++) images[i] = 0.5f * (images[i] + 1.0f);
    image_write_grid_png(path, images, n, m->arch->img_c, m->arch->img_h, m->arch->img_w, rows, cols, 2);
    free(z), free(images);
}

/* The spread of G's samples over that of the training images (metrics_sample_spread of
 * SPREAD_N each, pixels in [0,1]): near 1 when G's samples differ from each other as much as
 * the data's do, near 0 when G has collapsed to a few images whatever its input. */
#define SPREAD_N 256
static double sample_spread_ratio(const exp_spec *s, const exp_run *r, infogan *m)
{
    const latent_spec *ls = &m->cfg.latent;
    size_t img = (size_t)m->arch->img_c * m->arch->img_h * m->arch->img_w;
    float *z = xalloc_floats((size_t)SPREAD_N * ls->in_dim), *fake = xalloc_floats(SPREAD_N * img);
    rng g = rng_make(m->cfg.seed, RNG_EVAL, 1000); /* apart from the traversals' streams */
    latent_sample(ls, &g, SPREAD_N, z, NULL);
    infogan_generate(m, SPREAD_N, z, fake);
    if (tanh_output(m))
        for (size_t i = 0; i < SPREAD_N * img; i++) fake[i] = 0.5f * (fake[i] + 1.0f);
    dataset *real = datasets_open(s->name, r->data, SPREAD_N, 1);
    double ratio = metrics_sample_spread(SPREAD_N, img, fake) /
                   fmax(metrics_sample_spread(real->n, img, real->images), 1e-12);
    dataset_free(real);
    free(z), free(fake);
    return ratio;
}

static void append_file(FILE *f, const char *dir, const char *name)
{
    char path[1024], line[4096];
    path_join(path, sizeof path, dir, name);
    FILE *in = fopen(path, "r");
    if (!in) return;
    fprintf(f, "`%s`:\n\n```\n", path);
    while (fgets(line, sizeof line, in)) fputs(line, f);
    fprintf(f, "```\n\n");
    fclose(in);
}

/* The oracle's traversal score (dir/oracle.csv) of panel p's code in a run, the code its
 * result.csv names for the panel (the best of the paper's kind by normalized MI), and in
 * *coverage that factor's coverage in G's samples; NaN when the run has no oracle.csv or no
 * such pair. */
static double panel_traversal(const exp_spec *s, int p, const char *dir, const exp_row *row, double *coverage)
{
    int k = 0; /* result.csv names one factor=code pair per panel of the run's setting */
    for (int q = 0; q < p; q++) k += strcmp(s->panels[q].config, s->panels[p].config) == 0;
    char factor[32], code[16];
    double nmi, score = (double)NAN;
    *coverage = (double)NAN;
    if (!factor_code_at(row->field[9], k, factor, code, &nmi)) return score;
    oracle_table *t = xmalloc(sizeof *t);
    if (oracle_read(dir, t)) score = oracle_score(t, factor, code, coverage);
    free(t);
    return score;
}

int cmd_figures(const exp_spec *s, int argc, char **argv)
{
    const char *out = "results", *dirs[EXP_MAX_RUNS];
    bool partial = false; /* draw the panels whose setting has a run, list the others */
    int n = parse_runs(argc, argv, 2, s->name, &out, dirs, &partial);
    exp_row *rows = xcalloc((size_t)n, sizeof *rows);
    exp_run *runs = xcalloc((size_t)n, sizeof *runs);
    for (int i = 0; i < n; i++) {
        exp_run_load(s, dirs[i], &runs[i]);
        read_row(dirs[i], &rows[i]);
        CHECK(strcmp(rows[i].field[0], s->name) == 0, "%s is a %s run, not %s", dirs[i], rows[i].field[0], s->name);
    }
    /* Each panel's run, among the InfoGAN runs of its setting that did not collapse: the one
     * whose panel code the oracle scores highest when every one has an oracle.csv, else the
     * best-MIG one (all found before drawing). With the oracle, runs whose samples cover the
     * panel's factor (coverage >= EXP_COVER_MIN) come first: a G collapsed to a texture can
     * carry the codes in it, and the oracle then scores its traversals high. */
    int pick[EXP_MAX_PANELS], used[EXP_MAX_RUNS] = {0};
    double trav[EXP_MAX_PANELS][EXP_MAX_RUNS], cover[EXP_MAX_PANELS][EXP_MAX_RUNS];
    bool by_oracle[EXP_MAX_PANELS], covered[EXP_MAX_PANELS];
    for (int p = 0; p < s->n_panels; p++) {
        const exp_panel *pn = &s->panels[p];
        pick[p] = -1;
        by_oracle[p] = true;
        int collapsed = 0;
        covered[p] = false;
        for (int i = 0; i < n; i++) {
            trav[p][i] = cover[p][i] = (double)NAN;
            if (runs[i].gan || strcmp(runs[i].config, pn->config) != 0) continue;
            if (row_collapsed(&rows[i])) { collapsed++; continue; }
            trav[p][i] = panel_traversal(s, p, dirs[i], &rows[i], &cover[p][i]);
            by_oracle[p] &= !isnan(trav[p][i]);
            covered[p] |= cover[p][i] >= EXP_COVER_MIN;
            if (pick[p] < 0 || row_mig(&rows[i]) > row_mig(&rows[pick[p]])) pick[p] = i;
        }
        CHECK(pick[p] >= 0 || partial,
              "%s: no InfoGAN run of setting %s among the run directories%s (--partial draws the "
              "other panels)", pn->file, pn->config,
              collapsed ? " that did not collapse (stop rule; see their collapsed.txt)" : "");
        if (pick[p] < 0) continue;
        if (by_oracle[p]) {
            pick[p] = -1;
            for (int i = 0; i < n; i++)
                if (!isnan(trav[p][i]) && (!covered[p] || cover[p][i] >= EXP_COVER_MIN) &&
                    (pick[p] < 0 || trav[p][i] > trav[p][pick[p]]))
                    pick[p] = i;
        }
        used[pick[p]] = 1;
    }
    int drawn = 0;
    for (int p = 0; p < s->n_panels; p++) drawn += pick[p] >= 0;
    CHECK(drawn > 0, "no panel of %s has an InfoGAN run of its setting among the run directories",
          s->figure);
    double spread[EXP_MAX_RUNS]; /* per run, once: panels may share a run */
    for (int i = 0; i < n; i++) spread[i] = -1.0;
    char path[1024];
    out_file o;
    path_make_output_dir("--out", out);
    snprintf(path, sizeof path, "%s/%s.md", out, s->figure);
    FILE *md = out_open(&o, path, "w");
    fprintf(md, "# %s: %s traversals\n\n"
                "Each panel: %d rows of other fixed noise (other continuous codes 0, categorical\n"
                "codes drawn per row), columns sweep one code (continuous: -1..1 in %d steps;\n"
                "categorical: every category). The code is, of the kind the paper shows for the\n"
                "panel (the `code` column), the one with the highest normalized MI\n"
                "I(code; factor) / H(factor) with the panel's factor on held-out images; a code of\n"
                "the other kind may score higher (nmi.csv below). The run, among the InfoGAN runs of\n"
                "the panel's setting: the one whose code the stand-in's oracle gives the highest\n"
                "traversal score for the factor (how much of the factor the code alone moves in G's\n"
                "samples: what a panel shows; the authors chose by eye), when every run has an\n"
                "oracle.csv; else the one with the best MIG (`chosen by`). `sample spread` is how much\n"
                "%d of the run's samples differ from each other, over how much %d training images\n"
                "do (mean per-pixel standard deviation across the images): near 0 means G has\n"
                "collapsed to a few images, and then no code can show its factor. `coverage`: the\n"
                "entropy of the panel's factor over G's samples, as the oracle reads them, over that\n"
                "over held-out images; the oracle's choice is made among the runs where it is at\n"
                "least %.1f, when there are any (a G collapsed to a texture can carry the codes in\n"
                "it, and then its traversals score high). Runs the stop rule ended (collapsed) are\n"
                "never drawn: see Runs skipped.\n\n"
                "| panel | paper | setting | run | code | factor | normalized MI | run MIG | sample spread "
                "| traversal score | coverage | chosen by |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|---|\n", s->figure, s->name, PAPER_ROWS, CONT_COLS,
                SPREAD_N, SPREAD_N, EXP_COVER_MIN);
    for (int p = 0; p < s->n_panels; p++) {
        const exp_panel *pn = &s->panels[p];
        int run = pick[p];
        if (run < 0) { /* --partial */
            fprintf(md, "| %s.png | %s | %s | not drawn: no InfoGAN run of this setting | - | - | - | - | - | - | - | - |\n",
                    pn->file, pn->caption, pn->config);
            printf("%s: %s.png not drawn: no InfoGAN run of setting %s\n", s->figure, pn->file, pn->config);
            continue;
        }
        infogan *m = exp_model_load(s, &runs[run], dirs[run]);
        const latent_spec *ls = &m->cfg.latent;
        dataset names = {0};
        double *nmi = read_nmi(dirs[run], ls->n_codes, &names);
        int f;
        double v;
        int code = best_code(ls, &names, nmi, pn->factors, pn->code_kind, &f, &v);
        const latent_code *lc = &ls->codes[code];
        int cols = lc->kind == LATENT_CAT ? lc->k : CONT_COLS;
        float values[256];
        CHECK(cols <= 256, "%s: code %s has %d categories (at most 256 columns)", pn->file, lc->name, cols);
        for (int j = 0; j < cols; j++) values[j] = lc->kind == LATENT_CAT ? (float)j : -1.0f + 2.0f * j / (CONT_COLS - 1);
        char nmi_text[32] = "-";
        if (f >= 0) snprintf(nmi_text, sizeof nmi_text, "%.3f", v);
        snprintf(path, sizeof path, "%s/%s.png", out, pn->file);
        traversal(m, code, PAPER_ROWS, cols, values, (uint64_t)p, path);
        if (spread[run] < 0) spread[run] = sample_spread_ratio(s, &runs[run], m);
        char trav_text[32] = "-", cover_text[32] = "-";
        if (!isnan(trav[p][run])) snprintf(trav_text, sizeof trav_text, "%.3f", trav[p][run]);
        if (!isnan(cover[p][run])) snprintf(cover_text, sizeof cover_text, "%.2f", cover[p][run]);
        const char *rule = !by_oracle[p] ? "MIG (a run has no oracle.csv)"
                           : covered[p]  ? "traversal score"
                                         : "traversal score; no run covers the factor: G collapsed, the panel "
                                           "cannot show it";
        fprintf(md, "| %s.png | %s | %s | `%s` | %s (%s) | %s | %s | %s | %.2f | %s | %s | %s |\n", pn->file,
                pn->caption, pn->config, dirs[run], lc->name,
                lc->kind == LATENT_CAT ? "categorical" : "continuous",
                f >= 0 ? names.factor_names[f] : "none in this data", nmi_text, rows[run].field[6],
                spread[run], trav_text, cover_text, rule);
        printf("%s: %s.png shows %s %s (normalized MI %.3f with %s) from %s; sample spread %.2f\n",
               s->figure, pn->file, lc->name, lc->kind == LATENT_CAT ? "categorical" : "continuous",
               v, f >= 0 ? names.factor_names[f] : "-", dirs[run], spread[run]);
        free(nmi);
        infogan_free(m);
    }
    /* Every run's spread, the ones without a panel too (other seeds, the GAN baseline, the
     * paper's printed settings): MIG scores Q on real images and does not see a collapse. */
    fprintf(md, "\n## Sample spread of every run\n\n| run | setting | model | MIG | sample spread |\n"
                "|---|---|---|---|---|\n");
    for (int i = 0; i < n; i++) {
        if (spread[i] < 0) {
            infogan *m = exp_model_load(s, &runs[i], dirs[i]);
            spread[i] = sample_spread_ratio(s, &runs[i], m);
            infogan_free(m);
        }
        fprintf(md, "| `%s` | %s | %s | %s | %.2f |\n", dirs[i], runs[i].config,
                runs[i].gan ? "gan" : "infogan", rows[i].field[6], spread[i]);
    }
    fprintf(md, "\n## Runs skipped\n\n");
    int skipped = 0;
    for (int i = 0; i < n; i++) {
        char why[512] = "its " COLLAPSED_FILE " is missing";
        if (!row_collapsed(&rows[i])) continue;
        if (!skipped++)
            fprintf(md, "The stop rule (`%s --help`) ended these runs as collapsed; no panel draws them.\n\n"
                        "| run | setting | model | why |\n|---|---|---|---|\n", s->name);
        run_collapsed(dirs[i], why, sizeof why);
        fprintf(md, "| `%s` | %s | %s | %s |\n", dirs[i], runs[i].config, runs[i].gan ? "gan" : "infogan", why);
    }
    if (!skipped) fprintf(md, "None: the stop rule ended none of these runs.\n");
    int uncovered = 0;
    for (int p = 0; p < s->n_panels; p++)
        for (int i = 0; i < n && pick[p] >= 0 && by_oracle[p] && covered[p]; i++) {
            if (isnan(cover[p][i]) || cover[p][i] >= EXP_COVER_MIN) continue;
            if (!uncovered++)
                fprintf(md, "\nIn these runs G's samples do not cover the panel's factor (coverage below %.1f),\n"
                            "and the panel took a run whose samples do:\n\n"
                            "| run | panel | coverage | traversal score |\n|---|---|---|---|\n", EXP_COVER_MIN);
            fprintf(md, "| `%s` | %s.png | %.2f | %.3f |\n", dirs[i], s->panels[p].file, cover[p][i], trav[p][i]);
        }
    fprintf(md, "\n## Runs shown\n\n");
    for (int i = 0; i < n; i++)
        if (used[i]) append_file(md, dirs[i], "result.csv"), append_file(md, dirs[i], "nmi.csv");
    provenance prov;
    provenance_init(&prov, argc, argv, runs[0].seed);
    provenance_write_markdown(&prov, md);
    snprintf(path, sizeof path, "%s/%s.md", out, s->figure);
    out_commit(&o);
    free(rows), free(runs);
    return 0;
}

