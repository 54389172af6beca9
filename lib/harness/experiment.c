/* experiment.c: the train command every experiment program shares, its help, and the
 * dispatch to figures and the spec's own commands. */
#include "harness/harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/dist.h"
#include "base/fs.h"
#include "base/util.h"
#include "data/standin/render.h"
#include "model/checkpoint.h"
#include "model/stop.h"
#include "model/train.h"

/* What the train command watches after every iteration. */
typedef struct train_watch {
    int start;                   /* the iteration this invocation starts from (-1: not yet) */
    const exp_spec *s;
    const exp_run *r;
    const run_cli *cli;
    const dataset *train, *eval;
    const provenance *prov;
} train_watch;

/* --score-at: the run's scores at iteration N into RUN_DIR/at-N/ (its own provenance copy;
 * the model's training state is untouched, only forward passes run). */
static void after_iteration(void *ctx, infogan *m, const infogan_stats *st)
{
    train_watch *w = ctx;
    if (w->start < 0) w->start = st->iteration - 1;
    bool due = false;
    for (int k = 0; k < w->cli->n_score_at; k++) due |= w->cli->score_at[k] == m->iteration;
    if (!due || m->iteration == w->r->iterations) return; /* the end is scored anyway */
    char name[32], dir[1024];
    snprintf(name, sizeof name, "at-%d", m->iteration);
    path_join(dir, sizeof dir, w->cli->run_dir, name);
    path_make_output_dir("--score-at", dir);
    provenance prov = *w->prov;
    char note[64];
    snprintf(note, sizeof note, "%d of %d", m->iteration, w->r->iterations);
    provenance_note(&prov, "scored_at_iteration", note);
    if (w->cli->quiet == false) fprintf(stderr, "\n%s: scoring iteration %d into %s\n", w->s->name, m->iteration, dir);
    (w->s->score ? w->s->score : score_factors)(w->s, w->r, m, w->train, w->eval, &prov, dir);
}

void to_model_range(dataset *d)
{
    size_t len = (size_t)d->n * d->c * d->h * d->w;
    for (size_t i = 0; i < len; i++) d->images[i] = 2.0f * d->images[i] - 1.0f;
}

/* The run and model settings of train's flags (train and model share them). */
static void parse_train_flags(const exp_spec *s, int argc, char **argv, exp_run *r, run_cli *cli,
                              infogan_config *cfg)
{
    run_defaults(s, r);
    *cli = (run_cli){0};
    run_parse(s, argc, argv, 2, r, cli, s->name);
    exp_model_config(s, r, cfg);
    if (s->check_model) s->check_model(s, cfg);
}

int cmd_train(const exp_spec *s, int argc, char **argv)
{
    exp_run r;
    run_cli cli;
    infogan_config cfg;
    parse_train_flags(s, argc, argv, &r, &cli, &cfg);
    CHECK(cli.run_dir, "%s train needs --run-dir DIR", s->name);
    path_check_output_dir("--run-dir", cli.run_dir);
    for (int k = 0; k < cli.n_score_at; k++)
        CHECK(cli.score_at[k] <= r.iterations, "--score-at %d: past the run's %d iterations", cli.score_at[k],
              r.iterations);

    /* Everything is checked before the first write: model (above), data, and the checkpoint
     * a --resume continues. */
    provenance prov;
    provenance_init(&prov, argc, argv, cfg.seed);
    dataset *train, *eval;
    char desc[1024], ckpt[1024], log[1024];
    (s->open_data ? s->open_data : open_catalog_data)(s, &r, &train, &eval, desc, sizeof desc);
    provenance_note(&prov, "data", desc);
    infogan_config_describe(&cfg, desc, sizeof desc);
    provenance_note(&prov, "model", desc);
    provenance_note(&prov, "config", r.config);
    const arch *a = arch_find(cfg.arch); /* checked before the model's memory is allocated */
    CHECK(train->c == a->img_c && train->h == a->img_h && train->w == a->img_w,
          "--arch %s needs %dx%dx%d images; %s has %dx%dx%d", a->name, a->img_c, a->img_h, a->img_w,
          train->name, train->c, train->h, train->w);
    double need = (double)infogan_memory_bytes(&cfg), have = (double)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGE_SIZE);
    CHECK(need <= 0.8 * have, "--batch %d: the model needs %.1f GB (weights, Adam state and activations), "
          "more than 80%% of this machine's %.1f GB; lower --batch", cfg.batch, need / 1e9, have / 1e9);
    infogan *m = infogan_create(&cfg);
    if (dist_size() > 1) {
        snprintf(desc, sizeof desc, "%d (%s), %d images of each batch per rank", dist_size(), dist_library(),
                 m->local_batch);
        provenance_note(&prov, "mpi_ranks", desc);
    }
    path_join(ckpt, sizeof ckpt, cli.run_dir, "model.ckpt");
    path_join(log, sizeof log, cli.run_dir, "log.csv");
    if (cli.resume && access(ckpt, F_OK) == 0) checkpoint_load(m, ckpt);
    if (tanh_output(m)) to_model_range(train), to_model_range(eval);

    bool writer = dist_rank() == 0; /* with MPI, rank 0 alone writes */
    if (writer) path_make_output_dir("--run-dir", cli.run_dir);
    if (writer) run_save(cli.run_dir, &r);
    train_opts o;
    train_opts_default(&o);
    o.iterations = r.iterations;
    o.ckpt_every = cli.ckpt_every ? cli.ckpt_every : s->ckpt_every;
    o.resume = cli.resume, o.progress = !cli.quiet;
    o.ckpt_path = ckpt, o.log_path = log;
    o.stop_patience = r.stop_rule ? r.stop_patience : 0;
    char collapsed[1024];
    path_join(collapsed, sizeof collapsed, cli.run_dir, COLLAPSED_FILE);
    o.collapsed_path = collapsed;
    train_watch watch = {-1, s, &r, &cli, train, eval, &prov};
    o.on_iter = after_iteration, o.ctx = &watch;
    double t0 = provenance_wall_seconds(&prov);
    train_run(m, train, &o);
    double train_s = provenance_wall_seconds(&prov) - t0;
    int start = watch.start < 0 ? m->iteration : watch.start; /* < 0: nothing left to train */
    snprintf(desc, sizeof desc, "%.3f it/s over iterations %d..%d of this invocation (batch %d)",
             (m->iteration - start) / (train_s > 0 ? train_s : 1e-9), start + 1, m->iteration, r.batch);
    provenance_note(&prov, "iterations_per_s", desc);

    if (writer && o.progress) fprintf(stderr, "%s: scoring on %d held-out images\n", s->name, eval->n);
    if (writer) (s->score ? s->score : score_factors)(s, &r, m, train, eval, &prov, cli.run_dir);
    infogan_free(m);
    dataset_free(train), dataset_free(eval);
    return 0;
}

/* model: the settings line (infogan_config_describe) that train with the same flags would
 * train, on stdout: for programs that rebuild our model (the PyTorch twin's --model). */
static int cmd_model(const exp_spec *s, int argc, char **argv)
{
    exp_run r;
    run_cli cli;
    infogan_config cfg;
    parse_train_flags(s, argc, argv, &r, &cli, &cfg);
    char desc[1024];
    infogan_config_describe(&cfg, desc, sizeof desc);
    printf("%s\n", desc);
    return 0;
}

static void usage(const exp_spec *s, FILE *f)
{
    fprintf(f, "usage: %s train --run-dir DIR [--config NAME] [--gan] [--seed N] [--batch N]\n"
               "           [--iterations N] [--data DIR] [--n N] [--n-eval N] [--resume] [--quiet]\n"
               "           [--checkpoint-every N] [--score-at N,N,...] [--stop-rule on|off]\n"
               "           [--stop-patience N] [model flags]\n"
               "       %s model [the flags of train]\n", s->name, s->name);
    if (s->figure) fprintf(f, "       %s figures [--out DIR] [--partial] RUN_DIR...\n", s->name);
    if (render_find(s->name))
        fprintf(f, "       %s oracle [--data DIR] [--iterations N] [--n N] [--n-eval N] [--seed N]\n"
                   "           [--retrain] [--quiet] [RUN_DIR...]\n", s->name);
    for (int k = 0; k < s->n_commands; k++) fprintf(f, "       %s %s\n", s->name, s->commands[k].usage);
    fprintf(f, "\ntrain: one run in DIR: DIR/run.txt (the flags that rebuild it), DIR/model.ckpt\n"
               "  (every %d iterations and at the end; --resume continues it), DIR/log.csv, then\n"
               "  DIR/result.csv. Defaults: %d iterations of batch %d, seed 1, data folder `data`.\n"
               "  --gan: the regular GAN baseline (Q trained, no information reward for G).\n"
               "  --score-at N,N,...: also score the run at those iterations, into DIR/at-N/ (the\n"
               "  files the end writes into DIR; training is the same): how scores grow with length.\n"
               "  Model flags (--lr-d, --lambda-cont, --std, --latent, ...) change the setting.\n%s\n"
               "model: prints the settings line train with the same flags trains (model=... arch=...\n"
               "  latent=... batch=... lr_d=...), e.g. for the PyTorch twin's --model.\n",
            s->ckpt_every, s->iterations, s->batch, s->about);
    if (strcmp(dist_library(), "none") != 0)
        fprintf(f, "Data-parallel (%s): mpirun -np N %s train ... splits each batch over N ranks\n"
                   "  (--batch a multiple of N; the model is the one-process model of that batch).\n"
                   "  To stop such a run with a checkpoint, give mpirun --mca odls_base_sigkill_timeout 60\n"
                   "  and send it SIGTERM (its default waits 1 s, too short to write the checkpoint).\n",
                dist_library(), s->name);
    else
        fprintf(f, "Data-parallel: not built in (build with MPI: install libopenmpi-dev, then make).\n");
    if (render_find(s->name)) oracle_help(s, f);
    fprintf(f, "Stop rule (DIR/%s marks a run it ended; result.csv's column collapsed):\n", COLLAPSED_FILE);
    stop_rule_help(f, s->stop_rule);
    fprintf(f, "Latent spec: %s\nSettings (--config; the first is the default and the GAN baseline's):\n", s->latent);
    for (int i = 0; i < s->n_configs; i++) {
        const exp_config *c = &s->configs[i];
        fprintf(f, "  %-10s lr D/Q %g, lr G %g, lambda cat %g, lambda cont %g, network %s", c->name,
                (double)c->lr_d, (double)c->lr_g, (double)c->lambda_cat, (double)c->lambda_cont,
                c->arch ? c->arch : s->name);
        if (c->info_warmup) fprintf(f, ", no L_I reward for G's first %d steps", c->info_warmup);
        fputc('\n', f);
    }
    if (s->n_panels) fprintf(f, "Panels:\n");
    for (int p = 0; p < s->n_panels; p++)
        fprintf(f, "  %s.png  %s (%s code for %s, setting %s)\n", s->panels[p].file, s->panels[p].caption,
                s->panels[p].code_kind == LATENT_CAT ? "categorical" : "continuous", s->panels[p].factors,
                s->panels[p].config);
    fprintf(f, "Choices:\n%s\n", s->choices);
    infogan_config_help(f);
}

int experiment_main(const exp_spec *s, int argc, char **argv)
{
    dist_init(&argc, &argv);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(s, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0) { usage(s, stdout); return 0; }
    if (strcmp(argv[1], "train") == 0) return cmd_train(s, argc, argv);
    if (dist_rank() > 0) return 0; /* under mpirun only train is data-parallel; rank 0 runs the rest */
    if (strcmp(argv[1], "model") == 0) return cmd_model(s, argc, argv);
    if (s->figure && strcmp(argv[1], "figures") == 0) return cmd_figures(s, argc, argv);
    if (render_find(s->name) && strcmp(argv[1], "oracle") == 0) return cmd_oracle(s, argc, argv);
    for (int k = 0; k < s->n_commands; k++)
        if (strcmp(argv[1], s->commands[k].name) == 0) return s->commands[k].run(s, argc, argv);
    char known[128] = "train, model";
    if (s->figure) strcat(known, ", figures");
    if (render_find(s->name)) strcat(known, ", oracle");
    for (int k = 0; k < s->n_commands; k++)
        snprintf(known + strlen(known), sizeof known - strlen(known), ", %s", s->commands[k].name);
    die("unknown command %s (use %s; see %s --help)", argv[1], known, s->name);
}
