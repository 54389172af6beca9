/* run.c: a run's flags (getopt_long, one range per flag), its run file DIR/run.txt, the model
 * it trains and the data it reads. */
#include "harness/harness.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "base/parse.h"
#include "base/util.h"
#include "data/catalog.h"
#include "data/standin/render.h"
#include "model/checkpoint.h"
#include "model/stop.h"

int in_list(const char *list, const char *name)
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

const exp_config *find_config(const exp_spec *s, const char *name)
{
    for (int i = 0; i < s->n_configs; i++)
        if (strcmp(s->configs[i].name, name) == 0) return &s->configs[i];
    char known[256] = "";
    for (int i = 0; i < s->n_configs; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "", s->configs[i].name);
    die("--config %s: %s has the settings %s", name, s->name, known);
}

int parse_runs(int argc, char **argv, int first, const char *prog, const char **out, const char **dirs,
               bool *partial)
{
    int n = 0;
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) *out = argv[++i];
        else if (partial && strcmp(argv[i], "--partial") == 0) *partial = true;
        else {
            CHECK(argv[i][0] != '-', "unknown flag %s (see %s --help)", argv[i], prog);
            CHECK(n < EXP_MAX_RUNS, "more than %d run folders", EXP_MAX_RUNS);
            dirs[n++] = argv[i];
        }
    }
    CHECK(n > 0, "%s needs run folders", prog);
    path_check_output_dir("--out", *out);
    return n;
}

/* ---- flags ---------------------------------------------------------------------------- */

/* The model flags a run may set on top of its setting (model/infogan.h has their ranges). */
static const char *const model_flags[] = {"arch", "latent", "lr-d", "lr-g", "lr-q", "beta1", "beta2",
    "adam-eps", "lambda", "lambda-cat", "lambda-cont", "leaky", "std", "std-min", "init-std", "bn-eps",
    "info-warmup", "g-steps", "instance-noise", "instance-noise-decay"};
#define N_MODEL_FLAGS (int)(sizeof model_flags / sizeof model_flags[0])

enum { F_RUN_DIR = 1000, F_DATA, F_CONFIG, F_GAN, F_SEED, F_BATCH, F_ITERATIONS, F_N, F_N_EVAL,
       F_RESUME, F_QUIET, F_CKPT_EVERY, F_SCORE_AT, F_STOP_RULE, F_STOP_PATIENCE, F_MODEL };

void run_parse(const exp_spec *s, int argc, char **argv, int first, exp_run *r, run_cli *cli,
               const char *where)
{
    struct option opts[16 + N_MODEL_FLAGS + 1] = {
        {"run-dir", required_argument, 0, F_RUN_DIR}, {"data", required_argument, 0, F_DATA},
        {"config", required_argument, 0, F_CONFIG}, {"gan", no_argument, 0, F_GAN},
        {"seed", required_argument, 0, F_SEED}, {"batch", required_argument, 0, F_BATCH},
        {"iterations", required_argument, 0, F_ITERATIONS}, {"n", required_argument, 0, F_N},
        {"n-eval", required_argument, 0, F_N_EVAL}, {"resume", no_argument, 0, F_RESUME},
        {"quiet", no_argument, 0, F_QUIET}, {"checkpoint-every", required_argument, 0, F_CKPT_EVERY},
        {"stop-rule", required_argument, 0, F_STOP_RULE},
        {"stop-patience", required_argument, 0, F_STOP_PATIENCE},
        {"score-at", required_argument, 0, F_SCORE_AT},
    };
    int n_opts = 15;
    for (int k = 0; k < N_MODEL_FLAGS; k++)
        opts[n_opts++] = (struct option){model_flags[k], required_argument, 0, F_MODEL + k};
    opts[n_opts] = (struct option){0, 0, 0, 0};

    char hint[600];
    snprintf(hint, sizeof hint, cli ? "see %s --help" : "in %s", where);
    optind = 0; /* glibc: start afresh */
    opterr = 0;
    int c, index;
    while ((c = getopt_long(argc - first + 1, argv + first - 1, "+:", opts, &index)) != -1) {
        const char *v = optarg;
        CHECK(c != '?', "unknown flag %s (%s)", argv[first - 1 + optind - 1], hint);
        CHECK(c != ':', "%s needs a value (%s)", argv[first - 1 + optind - 1], hint);
        char flag[40], what[700]; /* what: the flag, and the run file it is read from */
        snprintf(flag, sizeof flag, "--%s", opts[index].name);
        snprintf(what, sizeof what, cli ? "%s" : "%s in %s", flag, where);
        if (c >= F_MODEL) {
            CHECK(r->n_overrides < EXP_MAX_OVERRIDES, "more than %d model flags (%s)", EXP_MAX_OVERRIDES, hint);
            CHECK(strlen(v) < sizeof r->overrides[0][1], "--%s: value too long (%s)", model_flags[c - F_MODEL], hint);
            snprintf(r->overrides[r->n_overrides][0], sizeof r->overrides[0][0], "--%s", model_flags[c - F_MODEL]);
            snprintf(r->overrides[r->n_overrides][1], sizeof r->overrides[0][1], "%s", v);
            r->n_overrides++;
            continue;
        }
        CHECK(cli || (c != F_RUN_DIR && c != F_RESUME && c != F_QUIET && c != F_CKPT_EVERY && c != F_SCORE_AT),
              "%s belongs on the command line, not in %s", flag, where);
        switch (c) {
        case F_RUN_DIR: cli->run_dir = v; break;
        case F_RESUME: cli->resume = true; break;
        case F_QUIET: cli->quiet = true; break;
        case F_CKPT_EVERY: cli->ckpt_every = (int)parse_long(what, v, 1, (1L << 30) - 1); break;
        case F_SCORE_AT: { /* "1000,2000,5000": increasing iterations */
            char list[256], *save = NULL;
            CHECK(strlen(v) < sizeof list, "%s: list too long (%s)", what, hint);
            snprintf(list, sizeof list, "%s", v);
            cli->n_score_at = 0;
            for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                CHECK(cli->n_score_at < MAX_SCORE_AT, "%s: more than %d iterations (%s)", what, MAX_SCORE_AT, hint);
                int it = (int)parse_long(what, t, 1, (1L << 30) - 1);
                CHECK(cli->n_score_at == 0 || it > cli->score_at[cli->n_score_at - 1],
                      "%s: '%s' is not an increasing list of iterations (%s)", what, v, hint);
                cli->score_at[cli->n_score_at++] = it;
            }
            CHECK(cli->n_score_at > 0, "%s: '%s' names no iteration (%s)", what, v, hint);
            break;
        }
        case F_DATA:
            CHECK(*v && strlen(v) < sizeof r->data, "--data '%s': name a folder (%s)", v, hint);
            snprintf(r->data, sizeof r->data, "%s", v);
            break;
        case F_CONFIG: snprintf(r->config, sizeof r->config, "%s", find_config(s, v)->name); break;
        case F_GAN: r->gan = true; break;
        case F_SEED: r->seed = parse_u64(what, v); break;
        case F_BATCH: r->batch = (int)parse_long(what, v, 2, 4096); break;
        case F_ITERATIONS: r->iterations = (int)parse_long(what, v, 1, (1L << 30) - 1); break;
        case F_N: r->n_data = (int)parse_long(what, v, 0, (1L << 30) - 1); break;
        case F_N_EVAL: /* run files of MNIST runs before 2026-12-05 say 0: its own split */
            r->n_eval = cli || strcmp(v, "0") != 0 ? (int)parse_long(what, v, 4, (1L << 30) - 1) : 0;
            break;
        case F_STOP_RULE:
            CHECK(strcmp(v, "on") == 0 || strcmp(v, "off") == 0, "%s: '%s' is neither on nor off (%s)", what, v, hint);
            r->stop_rule = strcmp(v, "on") == 0;
            break;
        case F_STOP_PATIENCE: r->stop_patience = (int)parse_long(what, v, 1, (1L << 30) - 1); break;
        }
    }
    CHECK(first - 1 + optind == argc, "unexpected argument '%s' (%s)", argv[first - 1 + optind], hint);
}

void run_defaults(const exp_spec *s, exp_run *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->config, sizeof r->config, "%s", s->configs[0].name);
    snprintf(r->data, sizeof r->data, "data");
    r->batch = s->batch, r->iterations = s->iterations, r->n_eval = s->n_eval, r->seed = 1;
    r->stop_rule = s->stop_rule, r->stop_patience = STOP_PATIENCE_DEFAULT;
}

/* ---- the run file ---------------------------------------------------------------------- */

void run_save(const char *dir, const exp_run *r)
{
    char path[1024];
    path_join(path, sizeof path, dir, "run.txt");
    out_file o;
    FILE *f = out_open(&o, path, "w");
    fprintf(f, "--config %s\n%s--seed %llu\n--batch %d\n--iterations %d\n--n %d\n", r->config,
            r->gan ? "--gan\n" : "", (unsigned long long)r->seed, r->batch, r->iterations, r->n_data);
    /* 0: the data set has its own held-out split (MNIST), and no flag sets it. */
    if (r->n_eval > 0) fprintf(f, "--n-eval %d\n", r->n_eval);
    fprintf(f, "--data %s\n--stop-rule %s\n--stop-patience %d\n", r->data, r->stop_rule ? "on" : "off",
            r->stop_patience);
    for (int k = 0; k < r->n_overrides; k++) fprintf(f, "%s %s\n", r->overrides[k][0], r->overrides[k][1]);
    out_commit(&o);
}

bool run_collapsed(const char *dir, char *why, size_t why_len)
{
    char path[1024];
    path_join(path, sizeof path, dir, COLLAPSED_FILE);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    if (!fgets(why, (int)why_len, f)) why[0] = 0;
    why[strcspn(why, "\n")] = 0;
    fclose(f);
    return true;
}

/* Older run files: `key value` lines (faces..celeba) -> flags. */
static int old_key_to_flag(const char *key, const char *val, char *flag, size_t len)
{
    static const char *const map[][2] = {{"config", "--config"}, {"seed", "--seed"}, {"batch", "--batch"},
        {"iterations", "--iterations"}, {"n", "--n"}, {"n_eval", "--n-eval"}, {"data", "--data"}};
    if (strcmp(key, "model") == 0) return strcmp(val, "gan") == 0 ? (snprintf(flag, len, "--gan"), 1) : 0;
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (strcmp(key, map[k][0]) == 0) return snprintf(flag, len, "%s", map[k][1]), 2;
    return -1;
}

#define RUN_MAX_TOKENS 96
void exp_run_load(const exp_spec *s, const char *dir, exp_run *r)
{
    char path[1024], line[700];
    path_join(path, sizeof path, dir, "run.txt");
    FILE *f = fopen(path, "r");
    int old_args = 0;
    if (!f) { /* mnist's run files before the one harness: DIR/args.txt, a flag or value a line */
        path_join(path, sizeof path, dir, "args.txt");
        f = fopen(path, "r");
        old_args = 1;
        path_join(path, sizeof path, dir, "run.txt");
    }
    CHECK(f, "cannot read %s: is %s a run folder of `%s train`?", path, dir, s->name);
    char *tok[RUN_MAX_TOKENS + 1] = {"run.txt"};
    int n = 1, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        CHECK(strchr(line, '\n') || feof(f), "%s:%d: line too long", path, lineno);
        line[strcspn(line, "\n")] = 0;
        if (!line[0]) continue;
        CHECK(n + 2 <= RUN_MAX_TOKENS, "%s: too many lines", path);
        char *sp = strchr(line, ' ');
        if (old_args || !sp) { tok[n++] = strdup(line); continue; }
        *sp = 0;
        if (line[0] == '-') { tok[n++] = strdup(line), tok[n++] = strdup(sp + 1); continue; }
        char flag[32];
        int used = old_key_to_flag(line, sp + 1, flag, sizeof flag);
        CHECK(used >= 0, "%s:%d: unknown key '%s'", path, lineno, line);
        if (used >= 1) tok[n++] = strdup(flag);
        if (used == 2) tok[n++] = strdup(sp + 1);
    }
    fclose(f);
    run_defaults(s, r);
    run_parse(s, n, tok, 1, r, NULL, path);
    for (int i = 1; i < n; i++) free(tok[i]);
}

/* ---- the model and the data ------------------------------------------------------------- */

void exp_model_config(const exp_spec *s, const exp_run *r, infogan_config *cfg)
{
    const exp_config *c = find_config(s, r->config);
    infogan_config_default(cfg);
    snprintf(cfg->arch, sizeof cfg->arch, "%s", c->arch ? c->arch : s->name);
    latent_parse(&cfg->latent, s->latent, "the latent spec");
    cfg->batch = r->batch;
    cfg->seed = r->seed;
    cfg->info_to_g = !r->gan;
    cfg->lr_d = c->lr_d, cfg->lr_g = c->lr_g;
    cfg->lambda_cat = c->lambda_cat, cfg->lambda_cont = c->lambda_cont;
    cfg->info_warmup = c->info_warmup;
    if (c->leaky > 0) cfg->leaky_slope = c->leaky;
    for (int k = 0; k < r->n_overrides; k++) {
        char *pair[2] = {(char *)r->overrides[k][0], (char *)r->overrides[k][1]};
        infogan_config_flag(cfg, 2, pair, 0);
    }
}

infogan *exp_model_load(const exp_spec *s, const exp_run *r, const char *dir)
{
    infogan_config cfg;
    exp_model_config(s, r, &cfg);
    infogan *m = infogan_create(&cfg);
    char ckpt[1024];
    path_join(ckpt, sizeof ckpt, dir, "model.ckpt");
    checkpoint_load(m, ckpt);
    return m;
}

int tanh_output(const infogan *m)
{
    return m->arch->g[m->arch->n_g - 1].kind == LAYER_TANH;
}

void open_catalog_data(const exp_spec *s, const exp_run *r, dataset **train, dataset **eval,
                       char *desc, size_t desc_len)
{
    dataset *all = datasets_open(s->name, r->data, r->n_data, EXP_DATA_SEED);
    CHECK(all->c == 1 || all->c == 3, "%s: %d channels", s->name, all->c);
    int n_eval = r->n_eval < all->n / 2 ? r->n_eval : all->n / 2;
    CHECK(all->n - n_eval >= r->batch, "%s: %d images leave fewer than a batch of %d to train on "
          "(--n, --n-eval)", s->name, all->n, r->batch);
    *train = dataset_slice(all, 0, all->n - n_eval);
    *eval = dataset_slice(all, all->n - n_eval, n_eval);
    dataset_free(all);
    char real[1024], kind[32];
    if (datasets_real_path(s->name, r->data, real, sizeof real)) snprintf(kind, sizeof kind, "real");
    else snprintf(kind, sizeof kind, "stand-in v%d", render_version(s->name));
    snprintf(desc, desc_len, "%s (%s), %d training images, the last %d held out for the metrics",
             (*train)->name, kind, (*train)->n, (*eval)->n);
}
