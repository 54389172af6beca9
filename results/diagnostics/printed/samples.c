/* The sample spread of a finished run (as `figures` measures it for its panels' runs: 256
 * samples from the RNG_EVAL stream over 256 stand-in images) and an 8x8 grid of the first
 * 64 samples: samples SET RUN_DIR OUT.png. Build at the repository root after `make`:
 *   cc -O2 -std=c11 -D_GNU_SOURCE -fopenmp -Ikernels -Ilib results/diagnostics/printed/samples.c \
 *      build/libinfogan.a build/libkernels.a -lpng -lz -lmatio -ljpeg -lsleef -lm -o samples */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch.h"
#include "checkpoint.h"
#include "datasets.h"
#include "image.h"
#include "infogan.h"
#include "latent.h"
#include "metrics.h"
#include "rng.h"
int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: samples SET RUN_DIR OUT.png\n"); return 2; }
    char path[1024], line[8192] = "";
    snprintf(path, sizeof path, "%s/result.csv", argv[2]);
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "cannot read %s\n", path); return 1; }
    while (fgets(line, sizeof line, f)) if (strncmp(line, "# model: ", 9) == 0) break;
    fclose(f);
    infogan_config c; infogan_config_default(&c);
    char *tok = strtok(line + 9, " \n");
    while (tok) {
        char *eq = strchr(tok, '='); *eq = 0;
        char flag[64], err[256]; snprintf(flag, sizeof flag, "--%s", tok);
        for (char *p = flag; *p; p++) if (*p == '_') *p = '-';
        if (strcmp(tok, "model") == 0) snprintf(flag, sizeof flag, "--%s", eq + 1);
        char *av[2] = {flag, eq + 1};
        if (infogan_config_flag_try(&c, 2, av, 0, err, sizeof err) <= 0) fprintf(stderr, "skip %s=%s\n", tok, eq + 1);
        tok = strtok(NULL, " \n");
    }
    infogan *m = infogan_create(&c);
    snprintf(path, sizeof path, "%s/model.ckpt", argv[2]);
    checkpoint_load(m, path);
    const latent_spec *ls = &m->cfg.latent;
    int n = 256;
    size_t img = (size_t)m->arch->img_c * m->arch->img_h * m->arch->img_w;
    float *z = malloc(sizeof(float) * n * ls->in_dim), *fake = malloc(sizeof(float) * n * img);
    rng g = rng_make(m->cfg.seed, RNG_EVAL, 1000);
    latent_sample(ls, &g, n, z, NULL);
    infogan_generate(m, n, z, fake);
    if (m->arch->g[m->arch->n_g - 1].kind == LAYER_TANH)
        for (size_t i = 0; i < n * img; i++) fake[i] = 0.5f * (fake[i] + 1.0f);
    dataset *real = datasets_open(argv[1], "data", n, 1);
    printf("%s: sample spread %.3f\n", argv[2], metrics_sample_spread(n, img, fake) / metrics_sample_spread(n, img, real->images));
    image_write_grid_png(argv[3], fake, 64, m->arch->img_c, m->arch->img_h, m->arch->img_w, 8, 8, 2);
    return 0;
}
