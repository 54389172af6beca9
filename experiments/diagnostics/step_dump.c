/* step_dump: one infogan_step laid bare, for experiments/twin/step_check.py to replay in
 * PyTorch from the same weights, Adam state, images and latent draws.
 *
 * Builds the model of the flags, runs --warmup iterations on random images (so the checked
 * step has Adam moments, t > 1 and stale lazily-zeroed gradients, as in training), then
 * writes into --out DIR, as raw little-endian float32:
 *   before the checked step: g_params, d_params (trunk, D head, Q head in layer order, each
 *     layer's weight then bias), g_adam_m, g_adam_v, d_adam_m, d_adam_v; real (B,C,H,W);
 *     z_d, z_g (B, in_dim): the D step's and the G step's draws;
 *   act_g_<i>, act_trunk_<i>, act_q_<i>: the output of every layer of G on z_d, of the trunk on
 *     those images and of the Q head on that (the D step's fake pass, run once before it);
 *   after it: g_grads (the G step's), d_grads (the D step's, plus the batch-norm gamma/beta
 *     gradients the G step's backward adds), g_params1, d_params1, fake_g (B,C,H,W) = G(z_g)
 *     with G before its update;
 * and meta.txt: "key value" lines (the model settings, sizes, Adam steps, the step's losses).
 * `make twin-step` runs both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "base/parse.h"
#include "base/rng.h"
#include "base/util.h"
#include "model/infogan.h"

static void help(void)
{
    printf("usage: step_dump --out DIR [--warmup N] [model flags]\n"
           "Runs N iterations (default 3) on random images, then dumps one more infogan_step\n"
           "(weights, Adam state, images, latent draws before it; gradients, weights and G's\n"
           "images after it) as float32 files and meta.txt in DIR, for step_check.py.\n\n");
    infogan_config_help(stdout);
}

static void dump(const char *dir, const char *name, const float *x, size_t n)
{
    char path[4096];
    path_join(path, sizeof path, dir, name);
    out_file o;
    FILE *f = out_open(&o, path, "wb");
    if (fwrite(x, sizeof(float), n, f) != n) die("step_dump: cannot write %s", path);
    out_commit(&o);
}

/* images (n, size) uniform in [0,1] from the dump's own stream. */
static void random_images(uint64_t seed, int iteration, size_t count, float *images)
{
    rng r = rng_make(seed, 99, (uint64_t)iteration);
    for (size_t i = 0; i < count; i++) images[i] = rng_uniform(&r);
}

/* Runs nt forward on x (B, in) and dumps each layer's output as <prefix><i>. Layers keep no
 * state across passes (batch norm uses the batch's statistics), so the step is unchanged. */
static void dump_activations(infogan *m, const char *dir, const char *prefix, net *nt, const float *x)
{
    net_forward(nt, x, m->cfg.batch);
    for (int i = 0; i < nt->n_layers; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%d", prefix, i);
        dump(dir, name, nt->layers[i].y, (size_t)m->cfg.batch * nt->layers[i].out_size);
    }
}

int main(int argc, char **argv)
{
    infogan_config c;
    infogan_config_default(&c);
    const char *out = NULL;
    int warmup = 3;
    for (int i = 1; i < argc;) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return help(), 0;
        if (!strcmp(argv[i], "--out") && i + 1 < argc) { out = argv[i + 1]; i += 2; continue; }
        if (!strcmp(argv[i], "--warmup") && i + 1 < argc) {
            warmup = (int)parse_long("--warmup", argv[i + 1], 0, 1000);
            i += 2;
            continue;
        }
        int used = infogan_config_flag(&c, argc, argv, i);
        if (!used) die("step_dump: unknown flag '%s' (see --help)", argv[i]);
        i += used;
    }
    if (!out) die("step_dump: --out DIR is required (see --help)");
    path_make_output_dir("--out", out);

    infogan *m = infogan_create(&c);
    int b = c.batch, in_dim = c.latent.in_dim;
    size_t img = (size_t)m->arch->img_c * m->arch->img_h * m->arch->img_w;
    float *real = xalloc_floats((size_t)b * img);    /* (B,C,H,W) */
    for (int it = 0; it < warmup; it++) {
        random_images(c.seed, it, (size_t)b * img, real);
        infogan_step(m, real, NULL);
    }
    random_images(c.seed, warmup, (size_t)b * img, real);

    dump(out, "g_params", m->g_params, m->n_g_params);
    dump(out, "d_params", m->d_params, m->n_d_params);
    dump(out, "g_adam_m", m->opt_g.m, m->n_g_params);
    dump(out, "g_adam_v", m->opt_g.v, m->n_g_params);
    dump(out, "d_adam_m", m->opt_d.m, m->n_d_params);
    dump(out, "d_adam_v", m->opt_d.v, m->n_d_params);
    dump(out, "real", real, (size_t)b * img);
    float *z_d = xalloc_floats((size_t)b * in_dim), *z_g = xalloc_floats((size_t)b * in_dim); /* (B, in_dim) */
    rng r = rng_make(c.seed, RNG_LATENT_D, (uint64_t)m->iteration);
    latent_sample(&c.latent, &r, b, z_d, NULL);
    dump(out, "z_d", z_d, (size_t)b * in_dim);
    r = rng_make(c.seed, RNG_LATENT_G, (uint64_t)m->iteration);
    latent_sample(&c.latent, &r, b, z_g, NULL);
    dump(out, "z_g", z_g, (size_t)b * in_dim);
    int iteration = m->iteration, adam_t = m->opt_d.t;
    dump_activations(m, out, "act_g_", m->g, z_d);
    dump_activations(m, out, "act_trunk_", m->trunk, m->g->layers[m->g->n_layers - 1].y);
    dump_activations(m, out, "act_q_", m->q_head, m->trunk->layers[m->trunk->n_layers - 1].y);

    infogan_stats s;
    infogan_step(m, real, &s);
    dump(out, "g_grads", m->g_grads, m->n_g_params);
    dump(out, "d_grads", m->d_grads, m->n_d_params);
    dump(out, "g_params1", m->g_params, m->n_g_params);
    dump(out, "d_params1", m->d_params, m->n_d_params);
    dump(out, "fake_g", m->g->layers[m->g->n_layers - 1].y, (size_t)b * img);

    char path[4096], cfg[2048];
    path_join(path, sizeof path, out, "meta.txt");
    infogan_config_describe(&c, cfg, sizeof cfg);
    out_file o;
    FILE *f = out_open(&o, path, "w");
    fprintf(f, "config %s\nlatent_in_dim %d\nq_dim %d\nn_g_params %zu\nn_d_params %zu\n", cfg,
            in_dim, m->q_dim, m->n_g_params, m->n_d_params);
    fprintf(f, "iteration %d\nadam_t %d\n", iteration, adam_t);
    fprintf(f, "d_loss %.9g\ng_loss %.9g\nd_real %.9g\nd_fake %.9g\nli %.9g\nli_g %.9g\n", s.d_loss,
            s.g_loss, s.d_real, s.d_fake, s.li, s.li_g);
    out_commit(&o);
    printf("step_dump: wrote the step after %d warm-up iterations into %s\n", warmup, out);
    free(z_d);
    free(z_g);
    free(real);
    infogan_free(m);
    return 0;
}
