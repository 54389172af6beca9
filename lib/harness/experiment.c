/* experiment.c: train / evaluate / draw / tabulate for the Faces, Chairs, SVHN and CelebA
 * programs. */
#include "harness/experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/checkpoint.h"
#include "data/catalog.h"
#include "eval/disentangle.h"
#include "base/image.h"
#include "model/infogan.h"
#include "eval/metrics.h"
#include "report/provenance.h"
#include "base/rng.h"
#include "model/train.h"
#include "base/util.h"

#define EXP_TARGET_NMI 0.5   /* the bar for "a code captures the factor" */
#define PAPER_ROWS 8         /* traversal rows (fixed noise) */
#define CONT_COLS 10         /* continuous sweep -1..1 */

/* ---- small file helpers -------------------------------------------------------------- */

static void path_in(char *out, size_t len, const char *dir, const char *name)
{
    CHECK(snprintf(out, len, "%s/%s", dir, name) < (int)len, "path %s/%s is too long", dir, name);
}

/* Opens path.tmp for writing; exp_close renames it over path. */
static FILE *exp_open(const char *path, char *tmp, size_t len)
{
    CHECK(snprintf(tmp, len, "%s.tmp", path) < (int)len, "path %s is too long", path);
    FILE *f = fopen(tmp, "w");
    CHECK(f, "cannot write %s", tmp);
    return f;
}

static void exp_close(FILE *f, const char *tmp, const char *path)
{
    CHECK(fclose(f) == 0 && rename(tmp, path) == 0, "cannot write %s", path);
}

/* Whether name is one of the '|'-separated names in list. */
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static const exp_config *find_config(const exp_spec *s, const char *name)
{
    for (int i = 0; i < s->n_configs; i++)
        if (strcmp(s->configs[i].name, name) == 0) return &s->configs[i];
    char known[256] = "";
    for (int i = 0; i < s->n_configs; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "", s->configs[i].name);
    die("--config %s: %s has the settings %s", name, s->name, known);
}

/* [--out DIR] RUN_DIR... from argv[first]; returns the number of run directories. */
#define EXP_MAX_RUNS 256
static int parse_runs(int argc, char **argv, int first, const char *prog, const char **out,
                      const char **dirs)
{
    int n = 0;
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) *out = argv[++i];
        else {
            CHECK(argv[i][0] != '-', "unknown flag %s (see %s --help)", argv[i], prog);
            CHECK(n < EXP_MAX_RUNS, "more than %d run directories", EXP_MAX_RUNS);
            dirs[n++] = argv[i];
        }
    }
    CHECK(n > 0, "%s needs run directories", prog);
    return n;
}

/* ---- runs: DIR/run.txt holds what rebuilds the model ---------------------------------- */

typedef struct exp_run {
    char config[32], data[512];
    int gan, batch, iterations, n_data, n_eval;
    unsigned long long seed;
} exp_run;

static void run_save(const char *dir, const exp_run *r)
{
    char path[1024], tmp[1100];
    path_in(path, sizeof path, dir, "run.txt");
    FILE *f = exp_open(path, tmp, sizeof tmp);
    fprintf(f, "config %s\nmodel %s\nseed %llu\nbatch %d\niterations %d\nn %d\nn_eval %d\ndata %s\n",
            r->config, r->gan ? "gan" : "infogan", r->seed, r->batch, r->iterations, r->n_data,
            r->n_eval, r->data);
    exp_close(f, tmp, path);
}

static void run_load(const char *dir, exp_run *r)
{
    char path[1024], key[32], val[512], line[600];
    path_in(path, sizeof path, dir, "run.txt");
    FILE *f = fopen(path, "r");
    CHECK(f, "cannot read %s: is %s a run directory of a `train` command?", path, dir);
    memset(r, 0, sizeof *r);
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%31s %511s", key, val) != 2) continue;
        seen++;
        if (strcmp(key, "config") == 0) snprintf(r->config, sizeof r->config, "%.31s", val);
        else if (strcmp(key, "model") == 0) r->gan = strcmp(val, "gan") == 0;
        else if (strcmp(key, "seed") == 0) r->seed = strtoull(val, NULL, 10);
        else if (strcmp(key, "batch") == 0) r->batch = atoi(val);
        else if (strcmp(key, "iterations") == 0) r->iterations = atoi(val);
        else if (strcmp(key, "n") == 0) r->n_data = atoi(val);
        else if (strcmp(key, "n_eval") == 0) r->n_eval = atoi(val);
        else if (strcmp(key, "data") == 0) snprintf(r->data, sizeof r->data, "%s", val);
        else seen--;
    }
    fclose(f);
    CHECK(seen == 8 && r->batch > 1, "%s is incomplete (needs config, model, seed, batch, iterations, "
          "n, n_eval, data)", path);
}

/* The architecture table a setting trains. */
static const char *config_arch(const exp_spec *s, const exp_config *c)
{
    return c->arch ? c->arch : s->name;
}

static void run_model_config(const exp_spec *s, const exp_run *r, infogan_config *cfg)
{
    const exp_config *c = find_config(s, r->config);
    infogan_config_default(cfg);
    snprintf(cfg->arch, sizeof cfg->arch, "%s", config_arch(s, c));
    latent_parse(&cfg->latent, s->latent, "the latent spec");
    cfg->batch = r->batch;
    cfg->seed = r->seed;
    cfg->info_to_g = !r->gan;
    cfg->lr_d = c->lr_d, cfg->lr_g = c->lr_g;
    cfg->lambda_cat = c->lambda_cat, cfg->lambda_cont = c->lambda_cont;
    cfg->info_warmup = c->info_warmup;
}

/* G ends in tanh: images live in [-1,1] for the model. */
static int tanh_output(const infogan *m)
{
    return m->arch->g[m->arch->n_g - 1].kind == LAYER_TANH;
}

static void to_model_range(dataset *d)
{
    size_t len = (size_t)d->n * d->c * d->h * d->w;
    for (size_t i = 0; i < len; i++) d->images[i] = 2.0f * d->images[i] - 1.0f;
}

/* The train and held-out parts of the data (the last n_eval images are held out). */
static void open_data(const exp_spec *s, const exp_run *r, dataset **train, dataset **eval)
{
    dataset *all = datasets_open(s->name, r->data, r->n_data, 1);
    CHECK(all->c == 1 || all->c == 3, "%s: %d channels", s->name, all->c);
    int n_eval = r->n_eval < all->n / 2 ? r->n_eval : all->n / 2;
    CHECK(all->n - n_eval >= r->batch, "%s: %d images leave fewer than a batch of %d to train on "
          "(--n, --n-eval)", s->name, all->n, r->batch);
    *train = dataset_slice(all, 0, all->n - n_eval);
    *eval = dataset_slice(all, all->n - n_eval, n_eval);
    dataset_free(all);
}

/* ---- evaluation ---------------------------------------------------------------------- */

typedef struct exp_scores {
    int n_codes, n_factors;
    double mig, sap, fvae;
    double *nmi;                 /* (n_codes, F) */
} exp_scores;

/* value (n, n_codes): Q's posterior mean of continuous codes, argmax of categorical ones. */
static void encode(infogan *m, const dataset *d, float *value, int *levels)
{
    const latent_spec *ls = &m->cfg.latent;
    float *q = xalloc_floats((size_t)d->n * m->q_dim); /* (n, q_dim) */
    infogan_q_forward(m, d->n, d->images, q);
    for (int j = 0; j < ls->n_codes; j++) {
        const latent_code *c = &ls->codes[j];
        levels[j] = c->kind == LATENT_CAT ? c->k : 0;
        for (int i = 0; i < d->n; i++) {
            const float *row = q + (size_t)i * m->q_dim + c->q_offset;
            int best = 0;
            for (int a = 1; a < c->k && c->kind == LATENT_CAT; a++) best = row[a] > row[best] ? a : best;
            value[(size_t)i * ls->n_codes + j] = c->kind == LATENT_CAT ? (float)best : row[0];
        }
    }
    free(q);
}

static exp_scores evaluate(const exp_spec *s, infogan *m, const dataset *eval)
{
    const latent_spec *ls = &m->cfg.latent;
    exp_scores sc = {ls->n_codes, eval->n_factors, NAN, NAN, NAN, NULL};
    if (!eval->n_factors) return sc;
    float *value = xalloc_floats((size_t)eval->n * ls->n_codes);
    int levels[LATENT_MAX_CODES];
    encode(m, eval, value, levels);
    dis_codes codes = {eval->n, ls->n_codes, value, levels};
    bool nominal[DATASET_MAX_FACTORS];
    for (int f = 0; f < eval->n_factors; f++)
        nominal[f] = in_list(s->nominal, eval->factor_names[f]) || eval->factor_levels[f] == 2;
    sc.nmi = xcalloc((size_t)ls->n_codes * eval->n_factors, sizeof *sc.nmi);
    dis_nmi_matrix(&codes, eval, sc.nmi);
    sc.mig = dis_mig(sc.nmi, ls->n_codes, eval->n_factors, NULL);
    sc.sap = dis_sap(&codes, eval, nominal, NULL);
    dis_fvae_opts o;
    dis_fvae_opts_default(&o);
    sc.fvae = dis_factorvae(&codes, eval, &o);
    free(value);
    return sc;
}

/* The code of kind `kind` with the highest normalized MI with any factor of `factors`;
 * *factor receives that factor (-1 and code = first code of the kind if none is in data). */
static int best_code(const latent_spec *ls, const dataset *d, const double *nmi, const char *factors,
                     int kind, int *factor, double *value)
{
    int code = -1;
    *factor = -1, *value = -1.0;
    for (int j = 0; j < ls->n_codes; j++) {
        if ((int)ls->codes[j].kind != kind) continue;
        if (code < 0) code = j;
        for (int f = 0; f < d->n_factors && nmi; f++)
            if (in_list(factors, d->factor_names[f]) && nmi[j * d->n_factors + f] > *value)
                *value = nmi[j * d->n_factors + f], *factor = f, code = j;
    }
    CHECK(code >= 0, "latent spec %s has no %s code", ls->text, kind == LATENT_CAT ? "categorical" : "continuous");
    return code;
}

/* ---- train ----------------------------------------------------------------------------- */

static void write_nmi_csv(const char *dir, const provenance *prov, const latent_spec *ls,
                          const dataset *d, const exp_scores *sc)
{
    char path[1024], tmp[1100];
    path_in(path, sizeof path, dir, "nmi.csv");
    FILE *f = exp_open(path, tmp, sizeof tmp);
    provenance_write_comments(prov, f);
    fprintf(f, "# I(code; factor) / H(factor) on %d held-out images\ncode,kind", d->n);
    for (int fi = 0; fi < d->n_factors; fi++) fprintf(f, ",%s", d->factor_names[fi]);
    fputc('\n', f);
    for (int j = 0; j < ls->n_codes; j++) {
        fprintf(f, "%s,%s", ls->codes[j].name, ls->codes[j].kind == LATENT_CAT ? "cat" : "cont");
        for (int fi = 0; fi < d->n_factors; fi++) fprintf(f, ",%.4f", sc->nmi[j * d->n_factors + fi]);
        fputc('\n', f);
    }
    exp_close(f, tmp, path);
}

#define RESULT_HEADER "dataset,config,model,seed,iterations,batch,mig,sap,factorvae,paper_factors,best_codes,wall_s"

static void write_result(const char *dir, const provenance *prov, const exp_spec *s, const exp_run *r,
                         const infogan *m, const dataset *d, const exp_scores *sc)
{
    const latent_spec *ls = &m->cfg.latent;
    char named[512] = "", best[1024] = "";
    for (int p = 0; p < s->n_panels; p++) {
        const exp_panel *pn = &s->panels[p];
        if (strcmp(pn->config, r->config) != 0) continue;
        int f;
        double v;
        int code = best_code(ls, d, sc->nmi, pn->factors, pn->code_kind, &f, &v);
        snprintf(named + strlen(named), sizeof named - strlen(named), "%s%s=%s:%.3f",
                 named[0] ? " " : "", f >= 0 ? d->factor_names[f] : pn->factors, ls->codes[code].name, v);
    }
    for (int fi = 0; fi < d->n_factors && sc->nmi; fi++) {
        int bj = 0;
        for (int j = 1; j < ls->n_codes; j++) bj = sc->nmi[j * d->n_factors + fi] > sc->nmi[bj * d->n_factors + fi] ? j : bj;
        snprintf(best + strlen(best), sizeof best - strlen(best), "%s%s=%s:%.3f", best[0] ? " " : "",
                 d->factor_names[fi], ls->codes[bj].name, sc->nmi[bj * d->n_factors + fi]);
    }
    char path[1024], tmp[1100];
    path_in(path, sizeof path, dir, "result.csv");
    FILE *f = exp_open(path, tmp, sizeof tmp);
    provenance_write_comments(prov, f);
    fprintf(f, "%s\n%s,%s,%s,%llu,%d,%d,%.4f,%.4f,%.4f,%s,%s,%.1f\n", RESULT_HEADER, s->name, r->config,
            r->gan ? "gan" : "infogan", r->seed, m->iteration, r->batch, sc->mig, sc->sap, sc->fvae,
            named[0] ? named : "-", best[0] ? best : "-", provenance_wall_seconds(prov));
    exp_close(f, tmp, path);
    printf("%s %s %s seed %llu, %d iterations: MIG %.3f, SAP %.3f, FactorVAE %.3f; paper's factors: %s\n",
           s->name, r->config, r->gan ? "GAN" : "InfoGAN", r->seed, m->iteration, sc->mig, sc->sap,
           sc->fvae, named[0] ? named : "-");
}

static void note_start(void *ctx, const infogan *m, const infogan_stats *st)
{
    (void)m;
    int *start = ctx;
    if (*start < 0) *start = st->iteration - 1;
}

static int cmd_train(const exp_spec *s, int argc, char **argv)
{
    exp_run r = {.batch = s->batch, .iterations = s->iterations, .n_eval = 5000, .seed = 1};
    snprintf(r.config, sizeof r.config, "%s", s->configs[0].name);
    snprintf(r.data, sizeof r.data, "data");
    train_opts o;
    train_opts_default(&o);
    o.iterations = s->iterations;
    o.ckpt_every = 500;
    const char *run_dir = NULL;
    for (int i = 2; i < argc;) {
        const char *f = argv[i];
        if (strcmp(f, "--gan") == 0) { r.gan = 1; i++; continue; }
        int used = train_opts_flag(&o, argc, argv, i);
        CHECK(!used || (strcmp(f, "--log") != 0 && strcmp(f, "--checkpoint") != 0),
              "%s: a run keeps its log and checkpoint in --run-dir", f);
        if (used) { i += used; continue; }
        CHECK(i + 1 < argc, "unknown flag %s or missing value (see %s --help)", f, s->name);
        const char *v = argv[i + 1];
        char *end;
        long x = strtol(v, &end, 10);
        int is_int = *v && !*end && x >= 0 && x < (1L << 30);
        if (strcmp(f, "--run-dir") == 0) run_dir = v;
        else if (strcmp(f, "--data") == 0) snprintf(r.data, sizeof r.data, "%s", v);
        else if (strcmp(f, "--config") == 0) snprintf(r.config, sizeof r.config, "%s", find_config(s, v)->name);
        else if (strcmp(f, "--seed") == 0 && is_int) r.seed = (unsigned long long)x;
        else if (strcmp(f, "--batch") == 0 && is_int && x >= 2) r.batch = (int)x;
        else if (strcmp(f, "--n") == 0 && is_int) r.n_data = (int)x;
        else if (strcmp(f, "--n-eval") == 0 && is_int && x >= 4) r.n_eval = (int)x;
        else if (strcmp(f, "--seed") == 0 || strcmp(f, "--batch") == 0 || strcmp(f, "--n") == 0 ||
                 strcmp(f, "--n-eval") == 0)
            die("%s: '%s' is not a valid count (see %s --help)", f, v, s->name);
        else die("unknown flag %s (see %s --help)", f, s->name);
        i += 2;
    }
    CHECK(run_dir, "%s train needs --run-dir DIR", s->name);
    CHECK(mkdir(run_dir, 0755) == 0 || access(run_dir, W_OK) == 0, "cannot create run directory %s", run_dir);
    r.iterations = o.iterations;
    run_save(run_dir, &r);
    char ckpt[1024], log[1024];
    path_in(ckpt, sizeof ckpt, run_dir, "model.ckpt");
    path_in(log, sizeof log, run_dir, "log.csv");
    o.ckpt_path = ckpt, o.log_path = log;

    infogan_config cfg;
    run_model_config(s, &r, &cfg);
    provenance prov;
    provenance_init(&prov, argc, argv, cfg.seed);
    dataset *train, *eval;
    open_data(s, &r, &train, &eval);
    char note[256], desc[1024];
    snprintf(note, sizeof note, "%s (%s), %d training images, the last %d held out for the metrics",
             train->name, datasets_real_path(s->name, r.data, desc, sizeof desc) ? "real" : "stand-in",
             train->n, eval->n);
    provenance_note(&prov, "data", note);
    infogan_config_describe(&cfg, desc, sizeof desc);
    provenance_note(&prov, "model", desc);
    provenance_note(&prov, "config", r.config);
    infogan *m = infogan_create(&cfg);
    if (tanh_output(m)) to_model_range(train), to_model_range(eval);

    int start = -1;
    o.on_iter = note_start, o.ctx = &start;
    double t0 = provenance_wall_seconds(&prov);
    train_run(m, train, &o);
    double train_s = provenance_wall_seconds(&prov) - t0;
    if (start < 0) start = m->iteration;
    snprintf(note, sizeof note, "%.3f it/s over iterations %d..%d of this invocation (batch %d)",
             (m->iteration - start) / (train_s > 0 ? train_s : 1e-9), start + 1, m->iteration, r.batch);
    provenance_note(&prov, "iterations_per_s", note);

    if (o.progress) fprintf(stderr, "%s: encoding %d held-out images with Q and scoring the codes\n", s->name, eval->n);
    exp_scores sc = evaluate(s, m, eval);
    provenance_note(&prov, "metrics", "codes of held-out images (Q's mean, argmax): normalized MI with "
                    "20-bin codes, MIG, SAP (fit on even, scored on odd items), FactorVAE (batch 64, "
                    "5000 + 2500 votes, seed 1)");
    if (sc.nmi) write_nmi_csv(run_dir, &prov, &cfg.latent, eval, &sc);
    write_result(run_dir, &prov, s, &r, m, eval, &sc);
    free(sc.nmi);
    infogan_free(m);
    dataset_free(train), dataset_free(eval);
    return 0;
}

/* ---- result.csv and nmi.csv readers ---------------------------------------------------- */

#define RESULT_FIELDS 12
typedef struct exp_row {
    char field[RESULT_FIELDS][512];
    char commit[64], threads[16], dir[512];
} exp_row;

static void read_row(const char *dir, exp_row *row)
{
    char path[1024], line[4096];
    path_in(path, sizeof path, dir, "result.csv");
    FILE *f = fopen(path, "r");
    CHECK(f, "cannot read %s (train that run first)", path);
    memset(row, 0, sizeof *row);
    snprintf(row->dir, sizeof row->dir, "%s", dir);
    snprintf(row->commit, sizeof row->commit, "unknown");
    snprintf(row->threads, sizeof row->threads, "?");
    int n = 0, header = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (strncmp(line, "# commit: ", 10) == 0) snprintf(row->commit, sizeof row->commit, "%.63s", line + 10);
        if (strncmp(line, "# threads: ", 11) == 0) snprintf(row->threads, sizeof row->threads, "%.15s", line + 11);
        if (line[0] == '#') continue;
        if (!header++) continue;
        char *save = NULL;
        for (char *t = strtok_r(line, ",", &save); t && n < RESULT_FIELDS; t = strtok_r(NULL, ",", &save))
            snprintf(row->field[n++], sizeof row->field[0], "%s", t);
        break;
    }
    fclose(f);
    CHECK(n == RESULT_FIELDS, "%s: no result row of %d fields", path, RESULT_FIELDS);
}

static double row_mig(const exp_row *r)
{
    double v = atof(r->field[6]);
    return isnan(v) ? -1.0 : v;
}

/* nmi (n_codes, F) and factor names of a run (NULL nmi if the run had no factors). */
static double *read_nmi(const char *dir, int n_codes, dataset *names)
{
    char path[1024], line[4096];
    path_in(path, sizeof path, dir, "nmi.csv");
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    double *nmi = NULL;
    int row = 0, nf = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '#') continue;
        char *save = NULL, *t = strtok_r(line, ",", &save);
        strtok_r(NULL, ",", &save); /* kind */
        if (!nmi) {
            for (t = strtok_r(NULL, ",", &save); t && nf < DATASET_MAX_FACTORS; t = strtok_r(NULL, ",", &save))
                snprintf(names->factor_names[nf++], sizeof names->factor_names[0], "%s", t);
            nmi = xcalloc((size_t)n_codes * (nf ? nf : 1), sizeof *nmi);
            continue;
        }
        CHECK(row < n_codes, "%s has more rows than the %d codes", path, n_codes);
        for (int fi = 0; fi < nf; fi++) {
            t = strtok_r(NULL, ",", &save);
            CHECK(t, "%s: row %d is short", path, row + 1);
            nmi[row * nf + fi] = atof(t);
        }
        row++;
    }
    fclose(f);
    CHECK(row == n_codes, "%s has %d code rows, the model %d", path, row, n_codes);
    names->n_factors = nf;
    return nmi;
}

/* ---- figures --------------------------------------------------------------------------- */

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
    path_in(path, sizeof path, dir, name);
    FILE *in = fopen(path, "r");
    if (!in) return;
    fprintf(f, "`%s`:\n\n```\n", path);
    while (fgets(line, sizeof line, in)) fputs(line, f);
    fprintf(f, "```\n\n");
    fclose(in);
}

/* The trained model of the run in dir. */
static infogan *run_model_load(const exp_spec *s, const exp_run *r, const char *dir)
{
    infogan_config cfg;
    run_model_config(s, r, &cfg);
    infogan *m = infogan_create(&cfg);
    char ckpt[1024];
    path_in(ckpt, sizeof ckpt, dir, "model.ckpt");
    checkpoint_load(m, ckpt);
    return m;
}

static int cmd_figures(const exp_spec *s, int argc, char **argv)
{
    const char *out = "results", *dirs[EXP_MAX_RUNS];
    int n = parse_runs(argc, argv, 2, s->name, &out, dirs);
    mkdir(out, 0755);
    exp_row *rows = xcalloc((size_t)n, sizeof *rows);
    exp_run *runs = xcalloc((size_t)n, sizeof *runs);
    for (int i = 0; i < n; i++) {
        run_load(dirs[i], &runs[i]);
        read_row(dirs[i], &rows[i]);
        CHECK(strcmp(rows[i].field[0], s->name) == 0, "%s is a %s run, not %s", dirs[i], rows[i].field[0], s->name);
    }
    /* Each panel's run: the best-MIG InfoGAN run of its setting (all found before drawing). */
    int pick[EXP_MAX_PANELS], used[EXP_MAX_RUNS] = {0};
    for (int p = 0; p < s->n_panels; p++) {
        const exp_panel *pn = &s->panels[p];
        pick[p] = -1;
        for (int i = 0; i < n; i++)
            if (!runs[i].gan && strcmp(runs[i].config, pn->config) == 0 &&
                (pick[p] < 0 || row_mig(&rows[i]) > row_mig(&rows[pick[p]])))
                pick[p] = i;
        CHECK(pick[p] >= 0, "%s: no InfoGAN run of setting %s among the run directories", pn->file, pn->config);
        used[pick[p]] = 1;
    }
    double spread[EXP_MAX_RUNS]; /* per run, once: panels may share a run */
    for (int i = 0; i < n; i++) spread[i] = -1.0;
    char path[1024], tmp[1100];
    snprintf(path, sizeof path, "%s/%s.md", out, s->figure);
    FILE *md = exp_open(path, tmp, sizeof tmp);
    fprintf(md, "# %s: %s traversals\n\n"
                "Each panel: %d rows of other fixed noise (other continuous codes 0, categorical\n"
                "codes drawn per row), columns sweep one code (continuous: -1..1 in %d steps;\n"
                "categorical: every category). The code is the one with the highest normalized MI\n"
                "I(code; factor) / H(factor) with the panel's factor on held-out images, in the\n"
                "InfoGAN run of the panel's setting with the best MIG. `sample spread` is how much\n"
                "%d of the run's samples differ from each other, over how much %d training images\n"
                "do (mean per-pixel standard deviation across the images): near 0 means G has\n"
                "collapsed to a few images, and then no code can show its factor.\n\n"
                "| panel | paper | setting | run | code | factor | normalized MI | run MIG | sample spread |\n"
                "|---|---|---|---|---|---|---|---|---|\n", s->figure, s->name, PAPER_ROWS, CONT_COLS,
                SPREAD_N, SPREAD_N);
    for (int p = 0; p < s->n_panels; p++) {
        const exp_panel *pn = &s->panels[p];
        int run = pick[p];
        infogan *m = run_model_load(s, &runs[run], dirs[run]);
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
        fprintf(md, "| %s.png | %s | %s | `%s` | %s (%s) | %s | %s | %s | %.2f |\n", pn->file,
                pn->caption, pn->config, dirs[run], lc->name,
                lc->kind == LATENT_CAT ? "categorical" : "continuous",
                f >= 0 ? names.factor_names[f] : "none in this data", nmi_text, rows[run].field[6],
                spread[run]);
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
            infogan *m = run_model_load(s, &runs[i], dirs[i]);
            spread[i] = sample_spread_ratio(s, &runs[i], m);
            infogan_free(m);
        }
        fprintf(md, "| `%s` | %s | %s | %s | %.2f |\n", dirs[i], runs[i].config,
                runs[i].gan ? "gan" : "infogan", rows[i].field[6], spread[i]);
    }
    fprintf(md, "\n## Runs shown\n\n");
    for (int i = 0; i < n; i++)
        if (used[i]) append_file(md, dirs[i], "result.csv"), append_file(md, dirs[i], "nmi.csv");
    provenance prov;
    provenance_init(&prov, argc, argv, runs[0].seed);
    provenance_write_markdown(&prov, md);
    snprintf(path, sizeof path, "%s/%s.md", out, s->figure);
    exp_close(md, tmp, path);
    free(rows), free(runs);
    return 0;
}

/* ---- table 2 --------------------------------------------------------------------------- */

/* Whether every "factor=code:nmi" of a paper_factors field reaches the target. */
static int named_all_captured(const char *field)
{
    if (strcmp(field, "-") == 0) return 0;
    for (const char *p = strchr(field, ':'); p; p = strchr(p + 1, ':'))
        if (atof(p + 1) < EXP_TARGET_NMI) return 0;
    return 1;
}

int experiment_table2(int argc, char **argv)
{
    const char *out = "results", *dirs[EXP_MAX_RUNS];
    int n = parse_runs(argc, argv, 1, "table2", &out, dirs);
    exp_row *rows = xcalloc((size_t)n, sizeof *rows);
    for (int i = 0; i < n; i++) read_row(dirs[i], &rows[i]);
    mkdir(out, 0755);
    provenance prov;
    provenance_init(&prov, argc, argv, strtoull(rows[0].field[3], NULL, 10));
    provenance_note(&prov, "runs", "each row's own provenance is in its run directory's result.csv");

    char path[1024], tmp[1100];
    path_in(path, sizeof path, out, "table2.csv");
    FILE *f = exp_open(path, tmp, sizeof tmp);
    provenance_write_comments(&prov, f);
    fprintf(f, "%s,commit,threads\n", RESULT_HEADER);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < RESULT_FIELDS; k++) fprintf(f, "%s,", rows[i].field[k]);
        fprintf(f, "%s,%s\n", rows[i].commit, rows[i].threads);
    }
    exp_close(f, tmp, path);

    path_in(path, sizeof path, out, "table2.md");
    f = exp_open(path, tmp, sizeof tmp);
    fprintf(f, "# Table 2: measured disentanglement (Faces, Chairs, SVHN, CelebA)\n\n"
               "Each row is one run. Held-out images are encoded by Q (posterior mean of continuous\n"
               "codes, argmax of categorical ones) and scored against the ground-truth factors:\n"
               "MIG (Chen et al. 2018), SAP (Kumar et al. 2018), FactorVAE metric (Kim and Mnih\n"
               "2018), all in [0,1]. `paper's factors`: for each factor the paper names for that\n"
               "setting, the best code of the panel's kind and its normalized MI I(code; factor) /\n"
               "H(factor); `best code per factor`: the same over every factor and code. GAN rows\n"
               "are the regular GAN baseline (Q trained, no information reward for G). `wall`: the\n"
               "run's training and scoring time in minutes, with the threads it had.\n\n"
               "| data | setting | model | seed | iterations | batch | MIG | SAP | FactorVAE | paper's factors | best code per factor | wall (min, threads) | commit |\n"
               "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < n; i++) {
        const exp_row *r = &rows[i];
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f (%s) | %.12s |\n",
                r->field[0], r->field[1], r->field[2], r->field[3], r->field[4], r->field[5], r->field[6],
                r->field[7], r->field[8], r->field[9], r->field[10], atof(r->field[11]) / 60.0, r->threads,
                r->commit);
    }
    fprintf(f, "\n## Targets\n\n| data | setting | best InfoGAN MIG (run) | best GAN MIG | InfoGAN beats GAN | "
               "paper's factors >= %.1f in the selected run |\n|---|---|---|---|---|---|\n", EXP_TARGET_NMI);
    for (int i = 0; i < n; i++) {
        if (strcmp(rows[i].field[2], "infogan") != 0) continue;
        int first = 1, best = i, gan = -1;
        for (int j = 0; j < n; j++) {
            if (strcmp(rows[j].field[0], rows[i].field[0]) != 0) continue;
            int same_cfg = strcmp(rows[j].field[1], rows[i].field[1]) == 0;
            int is_info = strcmp(rows[j].field[2], "infogan") == 0;
            if (is_info && same_cfg && j < i) first = 0;
            if (is_info && same_cfg && row_mig(&rows[j]) > row_mig(&rows[best])) best = j;
            if (!is_info && (gan < 0 || row_mig(&rows[j]) > row_mig(&rows[gan]))) gan = j;
        }
        if (!first) continue;
        fprintf(f, "| %s | %s | %s (`%s`) | %s | %s | %s: %s |\n", rows[i].field[0], rows[i].field[1],
                rows[best].field[6], rows[best].dir, gan >= 0 ? rows[gan].field[6] : "no run",
                gan < 0 ? "-" : row_mig(&rows[best]) > row_mig(&rows[gan]) ? "yes" : "no",
                named_all_captured(rows[best].field[9]) ? "yes" : "no", rows[best].field[9]);
    }
    fputc('\n', f);
    provenance_write_markdown(&prov, f);
    exp_close(f, tmp, path);
    printf("table2: %d runs -> %s/table2.csv and table2.md\n", n, out);
    free(rows);
    return 0;
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(const exp_spec *s, FILE *f)
{
    fprintf(f, "usage: %s train --run-dir DIR [--config NAME] [--gan] [--seed N] [--batch N]\n"
               "           [--iterations N] [--data DIR] [--n N] [--n-eval N] [--resume] [--quiet]\n"
               "       %s figures [--out DIR] RUN_DIR...\n\n"
               "train: trains InfoGAN (--gan: the regular GAN baseline, no information reward for G)\n"
               "  on the %s stand-in, or on the real set when it is in the data folder (--data DIR,\n"
               "  default data), with the last --n-eval images (5000) held out; checkpoints\n"
               "  DIR/model.ckpt, logs DIR/log.csv, then encodes the held-out images with Q and\n"
               "  writes DIR/nmi.csv (normalized MI of every code with every factor) and\n"
               "  DIR/result.csv (MIG, SAP, FactorVAE, best codes, wall time). --n N uses the first N\n"
               "  images (0: all). Defaults: %d iterations of batch %d. --checkpoint-every N (500).\n"
               "figures: %s panels into DIR (results): each from the best-MIG InfoGAN run of its\n"
               "  setting, showing the code with the highest normalized MI for its factor; DIR/%s.md\n"
               "  says which.\n\n", s->name, s->name, s->name, s->iterations, s->batch, s->figure, s->figure);
    fprintf(f, "Latent spec: %s\nSettings (--config; the first is the default and the GAN baseline's):\n", s->latent);
    for (int i = 0; i < s->n_configs; i++) {
        const exp_config *c = &s->configs[i];
        fprintf(f, "  %-10s lr D/Q %g, lr G %g, lambda cat %g, lambda cont %g, network %s", c->name,
                (double)c->lr_d, (double)c->lr_g, (double)c->lambda_cat, (double)c->lambda_cont,
                config_arch(s, c));
        if (c->info_warmup) fprintf(f, ", no L_I reward for G's first %d steps", c->info_warmup);
        fputc('\n', f);
    }
    fprintf(f, "Panels:\n");
    for (int p = 0; p < s->n_panels; p++)
        fprintf(f, "  %s.png  %s (%s code for %s, setting %s)\n", s->panels[p].file, s->panels[p].caption,
                s->panels[p].code_kind == LATENT_CAT ? "categorical" : "continuous", s->panels[p].factors,
                s->panels[p].config);
    fprintf(f, "Choices:\n%s\n", s->choices);
}

int experiment_main(const exp_spec *s, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(s, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0) { usage(s, stdout); return 0; }
    if (strcmp(argv[1], "train") == 0) return cmd_train(s, argc, argv);
    if (strcmp(argv[1], "figures") == 0) return cmd_figures(s, argc, argv);
    die("unknown command %s (use train or figures; see %s --help)", argv[1], s->name);
}
