/* oracles.c: the stand-ins' oracles (eval/oracle.h) in runs: `NAME oracle` trains or reuses
 * DATA/standin/NAME.oracle (one per data set, shared by every run of it) and scores runs;
 * the train command's scoring writes RUN_DIR/oracle.csv when the oracle is there; Table 2
 * reads it back. */
#include "harness/harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "base/parse.h"
#include "base/rng.h"
#include "base/util.h"
#include "data/catalog.h"
#include "data/standin/render.h"
#include "eval/oracle.h"

#define COVER_N 2000          /* G's samples and held-out images of the coverage */
#define DRAWS 50              /* draws of the other latents per traversal */
#define COVER_STREAM 2000     /* RNG_EVAL indices apart from the figures' (0..3, 1000) */
#define DRAW_STREAM 2001

static void oracle_path(const char *data_dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/standin/%s.oracle", data_dir, name);
}

/* The oracle of s's stand-in in data_dir if it is there, readable and made for d (its
 * images, factors, renderer version and seed); else NULL and one sentence in why. */
static oracle *oracle_find(const exp_spec *s, const char *data_dir, const dataset *d, char *why, size_t len)
{
    char path[1024], real[1024];
    if (datasets_real_path(s->name, data_dir, real, sizeof real)) {
        set_err(why, len, "%s holds the real %s set, and an oracle reads stand-ins", data_dir, s->name);
        return NULL;
    }
    oracle_path(data_dir, s->name, path, sizeof path);
    oracle *o = oracle_load_try(path, why, len);
    int version = render_version(s->name);
    if (o && (!oracle_fits(o, d) || o->data_version != version || o->data_seed != EXP_DATA_SEED)) {
        set_err(why, len, "oracle %s is stale: made for other images (render version %d, seed %llu, or other "
                "factors) than %s's now (version %d, seed %d)", path, o->data_version,
                (unsigned long long)o->data_seed, d->name, version, EXP_DATA_SEED);
        oracle_free(o);
        return NULL;
    }
    return o;
}

/* images (n, C, H, W) into [0,1] when G ends in tanh (the model's range is [-1,1]). */
static void to_unit_range(const infogan *m, int n, float *images)
{
    if (!tanh_output(m)) return;
    size_t len = (size_t)n * m->arch->img_c * m->arch->img_h * m->arch->img_w;
    for (size_t i = 0; i < len; i++) images[i] = 0.5f * (images[i] + 1.0f);
}

/* probs (n, n_logits): the oracle on G's images of latent rows z (n, in_dim). */
static void predict_samples(oracle *o, infogan *m, int n, const float *z, float *probs)
{
    float *images = xalloc_floats((size_t)n * o->c * o->h * o->w); /* (n, C, H, W) */
    infogan_generate(m, n, z, images);
    to_unit_range(m, n, images);
    oracle_predict(o, n, images, probs);
    free(images);
}

/* coverage (F) of G's samples against the first COVER_N images of eval (model range). */
static void sample_coverage(oracle *o, infogan *m, const dataset *eval, double *coverage)
{
    const latent_spec *ls = &m->cfg.latent;
    int n = eval->n < COVER_N ? eval->n : COVER_N;
    size_t img = (size_t)o->c * o->h * o->w;
    float *real = xalloc_floats(n * img);                        /* (n, C, H, W) */
    float *z = xalloc_floats((size_t)n * ls->in_dim);            /* (n, in_dim) */
    float *p_real = xalloc_floats((size_t)n * o->n_logits), *p_fake = xalloc_floats((size_t)n * o->n_logits);
    memcpy(real, eval->images, n * img * sizeof(float));
    to_unit_range(m, n, real);
    oracle_predict(o, n, real, p_real);
    rng r = rng_make(m->cfg.seed, RNG_EVAL, COVER_STREAM);
    latent_sample(ls, &r, n, z, NULL);
    predict_samples(o, m, n, z, p_fake);
    oracle_coverage(o, n, p_fake, n, p_real, coverage);
    free(real), free(z), free(p_real), free(p_fake);
}

/* score (n_codes, F): each code swept over its panel's values (continuous: CONT_COLS steps
 * over [-1,1]; categorical: every category) at DRAWS draws of everything else. */
static void traversal_scores(oracle *o, infogan *m, double *score)
{
    const latent_spec *ls = &m->cfg.latent;
    for (int j = 0; j < ls->n_codes; j++) {
        const latent_code *c = &ls->codes[j];
        int values = c->kind == LATENT_CAT ? c->k : CONT_COLS, n = DRAWS * values;
        float *z = xalloc_floats((size_t)n * ls->in_dim), *probs = xalloc_floats((size_t)n * o->n_logits);
        rng r = rng_make(m->cfg.seed, RNG_EVAL, DRAW_STREAM); /* the same draws for every code */
        for (int d = 0; d < DRAWS; d++) {
            float *row = z + (size_t)d * values * ls->in_dim;
            latent_sample(ls, &r, 1, row, NULL);
            for (int v = 0; v < values; v++) {
                float *zz = row + (size_t)v * ls->in_dim;
                memmove(zz, row, (size_t)ls->in_dim * sizeof(float));
                latent_set_code(ls, j, zz, c->kind == LATENT_CAT ? (float)v : -1.0f + 2.0f * v / (CONT_COLS - 1));
            }
        }
        predict_samples(o, m, n, z, probs);
        for (int f = 0; f < o->n_factors; f++) score[j * o->n_factors + f] = oracle_traversal(o, f, DRAWS, values, probs);
        free(z), free(probs);
    }
}

static void write_oracle_csv(oracle *o, const char *oracle_file, infogan *m, const dataset *eval,
                             const provenance *prov, const char *run_dir)
{
    const latent_spec *ls = &m->cfg.latent;
    int nf = o->n_factors;
    double coverage[DATASET_MAX_FACTORS], *score = xcalloc((size_t)ls->n_codes * nf, sizeof *score);
    sample_coverage(o, m, eval, coverage);
    traversal_scores(o, m, score);
    char path[1024];
    out_file of;
    path_join(path, sizeof path, run_dir, ORACLE_CSV);
    FILE *f = out_open(&of, path, "w");
    provenance_write_comments(prov, f);
    fprintf(f, "# oracle: %s (%s; %d iterations on %d images)\n"
               "# accuracy: the oracle's on %d held-out images when it was trained\n"
               "# coverage: H(oracle's level over %d samples of G) / H(the same over %d held-out images)\n"
               "# code rows: traversal score = 1 - mean over the code's values of the variance across %d draws\n"
               "#   of the other latents / the variance over all, of the oracle's predicted distribution\n"
               "row,kind", oracle_file, o->about, o->iterations, o->n_train, o->n_heldout,
            eval->n < COVER_N ? eval->n : COVER_N, eval->n < COVER_N ? eval->n : COVER_N, DRAWS);
    for (int k = 0; k < nf; k++) fprintf(f, ",%s", o->factor_names[k]);
    fprintf(f, "\naccuracy,-");
    for (int k = 0; k < nf; k++) fprintf(f, ",%.4f", o->accuracy[k]);
    fprintf(f, "\ncoverage,-");
    for (int k = 0; k < nf; k++) fprintf(f, ",%.4f", coverage[k]);
    fputc('\n', f);
    for (int j = 0; j < ls->n_codes; j++) {
        fprintf(f, "%s,%s", ls->codes[j].name, ls->codes[j].kind == LATENT_CAT ? "cat" : "cont");
        for (int k = 0; k < nf; k++) fprintf(f, ",%.4f", score[j * nf + k]);
        fputc('\n', f);
    }
    out_commit(&of);
    free(score);
}

void score_oracle(const exp_spec *s, const exp_run *r, infogan *m, const dataset *eval, const provenance *prov,
                  const char *run_dir)
{
    char why[1024], path[1024], file[1024];
    oracle *o = oracle_find(s, r->data, eval, why, sizeof why);
    if (!o) {
        path_join(path, sizeof path, run_dir, ORACLE_CSV);
        remove(path); /* an older run's scores would no longer match this model */
        fprintf(stderr, "%s: %s; no %s (`%s oracle --data %s` trains one)\n", s->name, why, ORACLE_CSV, s->name, r->data);
        return;
    }
    oracle_path(r->data, s->name, file, sizeof file);
    write_oracle_csv(o, file, m, eval, prov, run_dir);
    oracle_free(o);
}

/* ---- NAME oracle ---------------------------------------------------------------------- */

void oracle_help(const exp_spec *s, FILE *f)
{
    oracle_opts o;
    oracle_opts_default(&o);
    fprintf(f, "oracle: a classifier of the stand-in's factors (one softmax head per factor over its\n"
               "  levels; lib/eval/oracle.h), trained on its labelled images into DATA/standin/%s.oracle\n"
               "  (--data DATA, default data): one per data set, shared by its runs, trained again when\n"
               "  missing, damaged, made for other images (render version, seed) or with --retrain.\n"
               "  It learns from the stand-in's first images (--n N: the first N; 0: the whole file) but\n"
               "  the last --n-eval (%d), on which its accuracy per factor is measured and printed with\n"
               "  chance. --iterations N (%d) Adam steps of batch %d, lr %g, --seed N (%llu): on one\n"
               "  thread of a busy 2-core machine 1.5 minutes for a 32x32 set, 14 for a 64x64 one.\n"
               "  RUN_DIR...: writes each run's %s (train writes it too when the oracle is there).\n"
               "  %s: the oracle's held-out accuracy; coverage of each factor = H(the oracle's level over\n"
               "  %d samples of G) / H(the same over %d held-out images): near 1 when G draws the factor\n"
               "  as varied as the data, low when it collapsed to a few levels; a row per code: its\n"
               "  traversal score per factor = 1 - (mean over the code's values of the variance across\n"
               "  %d draws of the other latents) / (the variance over all) of the oracle's predicted\n"
               "  distribution of the factor: 0 for a code that changes nothing, 1 for a code that alone\n"
               "  sets the factor. Table 2 shows the coverage of the paper's factors and the score of the\n"
               "  panel's code.\n", s->name, s->n_eval, o.iterations, ORACLE_BATCH, (double)o.lr,
            (unsigned long long)o.seed, ORACLE_CSV, ORACLE_CSV, COVER_N, COVER_N, DRAWS);
}

int cmd_oracle(const exp_spec *s, int argc, char **argv)
{
    const char *data_dir = "data", *dirs[EXP_MAX_RUNS];
    int n_data = 0, n_eval = s->n_eval, n_runs = 0;
    bool retrain = false;
    oracle_opts opts;
    oracle_opts_default(&opts);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool valued = strcmp(a, "--data") == 0 || strcmp(a, "--iterations") == 0 || strcmp(a, "--n") == 0 ||
                      strcmp(a, "--n-eval") == 0 || strcmp(a, "--seed") == 0;
        CHECK(!valued || i + 1 < argc, "%s needs a value (see %s --help)", a, s->name);
        if (strcmp(a, "--data") == 0) data_dir = argv[++i];
        else if (strcmp(a, "--iterations") == 0) opts.iterations = (int)parse_long(a, argv[++i], 1, 1L << 30);
        else if (strcmp(a, "--n") == 0) n_data = (int)parse_long(a, argv[++i], 0, 1L << 30);
        else if (strcmp(a, "--n-eval") == 0) n_eval = (int)parse_long(a, argv[++i], 1, 1L << 30);
        else if (strcmp(a, "--seed") == 0) opts.seed = parse_u64(a, argv[++i]);
        else if (strcmp(a, "--retrain") == 0) retrain = true;
        else if (strcmp(a, "--quiet") == 0) opts.progress = false;
        else {
            CHECK(a[0] != '-', "unknown flag %s (see %s --help)", a, s->name);
            CHECK(n_runs < EXP_MAX_RUNS, "more than %d run folders", EXP_MAX_RUNS);
            dirs[n_runs++] = a;
        }
    }
    char real[1024], path[1024], why[1024];
    CHECK(*data_dir, "--data '': name a folder (see %s --help)", s->name);
    CHECK(!datasets_real_path(s->name, data_dir, real, sizeof real),
          "--data %s holds the real %s set (%s); an oracle learns the stand-in's factor labels", data_dir, s->name, real);
    exp_run *runs = xcalloc((size_t)n_runs + 1, sizeof *runs); /* every run folder read before any write */
    for (int i = 0; i < n_runs; i++) exp_run_load(s, dirs[i], &runs[i]);

    dataset *all = datasets_open(s->name, data_dir, n_data, EXP_DATA_SEED);
    CHECK(all->n >= 2, "--n %d: an oracle needs 2 images or more (to learn from and to hold out)", all->n);
    if (n_eval > all->n / 2) n_eval = all->n / 2;
    dataset *train = dataset_slice(all, 0, all->n - n_eval), *heldout = dataset_slice(all, all->n - n_eval, n_eval);
    oracle_path(data_dir, s->name, path, sizeof path);
    oracle *o = retrain ? NULL : oracle_find(s, data_dir, all, why, sizeof why);
    if (!o) {
        if (!retrain) fprintf(stderr, "%s; training one\n", why);
        path_make_output_dir("--data", data_dir);
        snprintf(real, sizeof real, "%s/standin", data_dir);
        path_make_output_dir("--data", real);
        provenance prov;
        provenance_init(&prov, argc, argv, opts.seed);
        o = oracle_create(train);
        o->data_version = render_version(s->name), o->data_seed = EXP_DATA_SEED;
        double acc[DATASET_MAX_FACTORS];
        oracle_train(o, train, &opts);
        oracle_accuracy(o, heldout, acc);
        snprintf(o->about, sizeof o->about, "trained by `%.600s` at commit %s, seed %llu, %s, %d threads, %.0f s",
                 prov.command, prov.commit, (unsigned long long)opts.seed, prov.isa, prov.threads,
                 provenance_wall_seconds(&prov));
        oracle_save(o, path);
    }
    printf("%s: oracle %s (%s), %d iterations on %d images; held-out accuracy on %d images:", s->name, path,
           o->about, o->iterations, o->n_train, o->n_heldout);
    for (int f = 0; f < o->n_factors; f++)
        printf(" %s %.3f (chance %.3f)%s", o->factor_names[f], o->accuracy[f], 1.0 / o->factor_levels[f],
               f + 1 < o->n_factors ? "," : "\n");
    dataset_free(all), dataset_free(train), dataset_free(heldout);

    for (int i = 0; i < n_runs; i++) {
        infogan *m = exp_model_load(s, &runs[i], dirs[i]);
        dataset *run_train, *run_eval;
        char desc[1024];
        (s->open_data ? s->open_data : open_catalog_data)(s, &runs[i], &run_train, &run_eval, desc, sizeof desc);
        CHECK(oracle_fits(o, run_eval), "%s: its data (%s) is not what oracle %s was trained on", dirs[i], desc, path);
        if (tanh_output(m)) to_model_range(run_eval); /* as the train command scores */
        provenance prov;
        provenance_init(&prov, argc, argv, runs[i].seed);
        provenance_note(&prov, "data", desc);
        write_oracle_csv(o, path, m, run_eval, &prov, dirs[i]);
        printf("%s: %s/%s\n", s->name, dirs[i], ORACLE_CSV);
        infogan_free(m);
        dataset_free(run_train), dataset_free(run_eval);
    }
    oracle_free(o);
    free(runs);
    return 0;
}

/* ---- Table 2 -------------------------------------------------------------------------- */

bool oracle_read(const char *dir, oracle_table *t)
{
    char path[1024], line[4096];
    memset(t, 0, sizeof *t);
    path_join(path, sizeof path, dir, ORACLE_CSV);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    int header = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '#') continue;
        char *save = NULL, *row = strtok_r(line, ",", &save);
        strtok_r(NULL, ",", &save); /* kind */
        CHECK(row, "%s:%d: an empty row", path, lineno);
        double values[DATASET_MAX_FACTORS];
        int k = 0;
        for (char *t2 = strtok_r(NULL, ",", &save); t2 && k < DATASET_MAX_FACTORS; t2 = strtok_r(NULL, ",", &save), k++) {
            if (!header) snprintf(t->factors[k], sizeof t->factors[k], "%s", t2);
            else values[k] = atof(t2);
        }
        if (!header++) { t->n_factors = k; continue; }
        CHECK(k == t->n_factors, "%s:%d: %d values for %d factors", path, lineno, k, t->n_factors);
        if (strcmp(row, "coverage") == 0) memcpy(t->coverage, values, sizeof t->coverage);
        else if (strcmp(row, "accuracy") != 0 && t->n_codes < LATENT_MAX_CODES) {
            snprintf(t->codes[t->n_codes], sizeof t->codes[0], "%s", row);
            memcpy(t->score[t->n_codes++], values, sizeof values);
        }
    }
    fclose(f);
    return true;
}

double oracle_score(const oracle_table *t, const char *factor, const char *code, double *coverage)
{
    int fi = -1, cj = -1;
    for (int k = 0; k < t->n_factors; k++) fi = strcmp(t->factors[k], factor) == 0 ? k : fi;
    for (int j = 0; j < t->n_codes; j++) cj = strcmp(t->codes[j], code) == 0 ? j : cj;
    if (fi < 0 || cj < 0) return (double)NAN;
    if (coverage) *coverage = t->coverage[fi];
    return t->score[cj][fi];
}

void oracle_summary(const char *dir, const char *paper_factors, char *out, size_t len)
{
    snprintf(out, len, "-");
    oracle_table *t = xmalloc(sizeof *t);
    if (!oracle_read(dir, t)) { free(t); return; }
    char factor[32], code[16];
    double nmi;
    out[0] = 0;
    for (int k = 0; factor_code_at(paper_factors, k, factor, code, &nmi); k++) {
        double coverage, score = oracle_score(t, factor, code, &coverage);
        if (isnan(score)) continue;
        snprintf(out + strlen(out), len - strlen(out), "%s%s: coverage %.2f / %s %.2f", out[0] ? "; " : "", factor,
                 coverage, code, score);
    }
    if (!out[0]) snprintf(out, len, "-");
    free(t);
}
