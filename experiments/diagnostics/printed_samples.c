/* An 8x8 grid of a finished run's first 64 samples (the RNG_EVAL stream that `figures`
 * measures the sample spread on): printed_samples RUN_DIR OUT.png. `make` builds it into
 * build/bin/diagnostics/; results/diagnostics/printed/ holds what it drew. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/arch.h"
#include "model/checkpoint.h"
#include "base/image.h"
#include "model/infogan.h"
#include "model/latent.h"
#include "base/rng.h"
int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: printed_samples RUN_DIR OUT.png\n"); return 2; }
    char path[1024], line[8192] = "";
    snprintf(path, sizeof path, "%s/result.csv", argv[1]);
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
    snprintf(path, sizeof path, "%s/model.ckpt", argv[1]);
    checkpoint_load(m, path);
    const latent_spec *ls = &m->cfg.latent;
    int n = 256; /* generated as `figures` does (G's batch norm sees the whole set), 64 drawn */
    size_t img = (size_t)m->arch->img_c * m->arch->img_h * m->arch->img_w;
    float *z = malloc(sizeof(float) * n * ls->in_dim), *fake = malloc(sizeof(float) * n * img);
    rng g = rng_make(m->cfg.seed, RNG_EVAL, 1000);
    latent_sample(ls, &g, n, z, NULL);
    infogan_generate(m, n, z, fake);
    if (m->arch->g[m->arch->n_g - 1].kind == LAYER_TANH)
        for (size_t i = 0; i < n * img; i++) fake[i] = 0.5f * (fake[i] + 1.0f);
    image_write_grid_png(argv[2], fake, 64, m->arch->img_c, m->arch->img_h, m->arch->img_w, 8, 8, 2);
    return 0;
}
