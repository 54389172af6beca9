/* Splits G's gradient into the GAN part and the lambda * L_I part every `every` iterations
 * of training as infogan_step does: global norms, their ratio, and the share of G's
 * parameters where |L_I part| > |GAN part|. The probe batch (its own latent stream) runs
 * G and D in training mode, so the run is not bit-identical to `train`'s.
 * `make` builds it into build/bin/diagnostics/; results/diagnostics/collapse/ holds its CSV. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "data/catalog.h"
#include "model/infogan.h"
#include "model/latent.h"
#include "model/losses.h"
#include "base/rng.h"
static void split(infogan *m, int which, float *out) {
    const infogan_config *c = &m->cfg; int b = c->batch;
    rng r = rng_make(99, 7, (uint64_t)m->iteration);
    latent_sample(&c->latent, &r, b, m->z, NULL);
    const float *fake = net_forward(m->g, m->z, b);
    const float *h = net_forward(m->trunk, fake, b);
    const float *logit = net_forward(m->d_head, h, b);
    const float *q = net_forward(m->q_head, h, b);
    loss_gan_real(b, logit, m->d_logit_grad, 1.0);
    double li[LATENT_MAX_CODES];
    loss_info(&c->latent, c->learned_std, c->std_min, b, q, m->z, c->lambda_cat, c->lambda_cont, li,
              NULL, m->dq);
    if (which == 0) memset(m->dq, 0, sizeof(float) * b * m->q_dim);
    else memset(m->d_logit_grad, 0, sizeof(float) * b);
    size_t n = (size_t)b * m->trunk->out_c * m->trunk->out_h * m->trunk->out_w;
    const float *dd = net_backward(m->d_head, m->d_logit_grad, false, true);
    memcpy(m->d_trunk_out, dd, n * sizeof(float));
    const float *dqh = net_backward(m->q_head, m->dq, false, true);
    for (size_t i = 0; i < n; i++) m->d_trunk_out[i] += dqh[i];
    const float *dimg = net_backward(m->trunk, m->d_trunk_out, false, true);
    net_zero_grads(m->g);
    net_backward(m->g, dimg, true, false);
    memcpy(out, m->g_grads, m->n_g_params * sizeof(float));
}
static double dot(const float *a, const float *b, size_t n) { double s = 0; for (size_t i = 0; i < n; i++) s += (double)a[i] * (double)b[i]; return s; }
int main(int argc, char **argv) {
    if (argc != 13) { fprintf(stderr, "usage: set arch latent lr_d lr_g lcat lcont info_to_g warmup batch iters every\n"); return 2; }
    infogan_config c; infogan_config_default(&c);
    snprintf(c.arch, sizeof c.arch, "%s", argv[2]);
    latent_parse(&c.latent, argv[3], "latent");
    c.lr_d = (float)atof(argv[4]); c.lr_g = (float)atof(argv[5]);
    c.lambda_cat = (float)atof(argv[6]); c.lambda_cont = (float)atof(argv[7]);
    c.info_to_g = atoi(argv[8]); c.info_warmup = atoi(argv[9]);
    c.batch = atoi(argv[10]);
    int iters = atoi(argv[11]), every = atoi(argv[12]);
    dataset *d = datasets_open(argv[1], "data", 20000, 1);
    infogan *m = infogan_create(&c);
    size_t np = m->n_g_params, img = (size_t)d->c * d->h * d->w;
    float *gan = malloc(np * 4), *info = malloc(np * 4);
    printf("set,arch,lcat,lcont,info_to_g,warmup,it,d_loss,li,norm_gan,norm_info,ratio,share_info_dominant\n");
    double dl = 0, li = 0;
    for (int it = 0; it <= iters; it++) {
        int probe = it % every == 0;
        if (probe) { split(m, 0, gan); split(m, 1, info); }
        infogan_stats s;
        infogan_step(m, d->images + (size_t)((it * c.batch) % (d->n - c.batch)) * img, &s);
        dl = s.d_loss; li = s.li;
        if (probe) {
            size_t dom = 0; for (size_t i = 0; i < np; i++) dom += fabsf(info[i]) > fabsf(gan[i]);
            double ng = sqrt(dot(gan, gan, np)), ni = sqrt(dot(info, info, np));
            printf("%s,%s,%g,%g,%d,%d,%d,%.4f,%.4f,%.4g,%.4g,%.3f,%.3f\n", argv[1], argv[2], (double)c.lambda_cat, (double)c.lambda_cont,
                   c.info_to_g, c.info_warmup, it, dl, li, ng, ni, ni / ng, (double)dom / np);
            fflush(stdout);
        }
    }
    return 0;
}
