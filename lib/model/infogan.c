/* infogan.c: the InfoGAN model, its flags and one training iteration. */
#include "model/infogan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "model/losses.h"
#include "base/util.h"

void infogan_config_default(infogan_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->arch, sizeof c->arch, "mnist");
    latent_parse(&c->latent, "noise:62,cat:10,cont:2", "--latent");
    c->batch = 128;
    c->lr_d = 2e-4f, c->lr_g = 1e-3f;
    c->beta1 = 0.5f, c->beta2 = 0.999f, c->adam_eps = 1e-8f;
    c->lambda_cat = 1.0f, c->lambda_cont = 1.0f;
    c->leaky_slope = 0.01f;
    c->learned_std = false;
    c->info_to_g = true;
    c->init_std = 0.02f;
    c->bn_eps = 1e-5f;
    c->seed = 1;
}

/* Parses v as a number in [lo, hi] into *x; false and a sentence naming the flag if not. */
static bool parse_float(const char *flag, const char *v, float lo, float hi, float *x,
                        char *err, size_t err_len)
{
    char *end;
    double d = strtod(v, &end);
    if (!*v || *end != 0 || !(d >= (double)lo && d <= (double)hi)) {
        set_err(err, err_len, "%s: '%s' is not a number in [%g, %g]", flag, v, (double)lo,
                (double)hi);
        return false;
    }
    *x = (float)d;
    return true;
}

/* Parses v as an integer in [lo, hi] into *x; false and a sentence naming the flag if not. */
static bool parse_int(const char *flag, const char *v, int lo, int hi, int *x, char *err, size_t err_len)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end != 0 || n < lo || n > hi) {
        set_err(err, err_len, "%s: '%s' is not an integer in %d..%d", flag, v, lo, hi);
        return false;
    }
    *x = (int)n;
    return true;
}

/* Batches beyond this are refused before any allocation (MNIST: 128). */
#define INFOGAN_MAX_BATCH 4096

int infogan_config_flag_try(infogan_config *c, int argc, char **argv, int i, char *err,
                            size_t err_len)
{
    const char *f = argv[i];
    if (strcmp(f, "--gan") == 0) { c->info_to_g = false; return 1; }
    if (strcmp(f, "--infogan") == 0) { c->info_to_g = true; return 1; }
    static const char *const valued[] = {"--arch", "--latent", "--batch", "--lr-d", "--lr-g",
        "--beta1", "--beta2", "--adam-eps", "--lambda", "--lambda-cat", "--lambda-cont",
        "--leaky", "--std", "--init-std", "--bn-eps", "--seed", "--info-warmup"};
    bool known = false;
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) known |= strcmp(f, valued[k]) == 0;
    if (!known) return 0;
    if (i + 1 >= argc) {
        set_err(err, err_len, "%s needs a value (see --help)", f);
        return -1;
    }
    const char *v = argv[i + 1];
    bool ok = true;
    float x = 0.0f;
    if (strcmp(f, "--arch") == 0) {
        ok = false;
        for (int k = 0; k < arch_count(); k++) ok |= strcmp(arch_at(k)->name, v) == 0;
        if (!ok || strlen(v) >= sizeof c->arch) {
            set_err(err, err_len, "--arch: no architecture table '%s' (see --help)", v);
            return -1;
        }
        snprintf(c->arch, sizeof c->arch, "%s", v);
    } else if (strcmp(f, "--latent") == 0) {
        latent_spec ls;
        if (!latent_parse_try(&ls, v, f, err, err_len)) return -1;
        c->latent = ls;
    } else if (strcmp(f, "--batch") == 0) ok = parse_int(f, v, 2, INFOGAN_MAX_BATCH, &c->batch, err, err_len);
    else if (strcmp(f, "--info-warmup") == 0) ok = parse_int(f, v, 0, 100000000, &c->info_warmup, err, err_len);
    else if (strcmp(f, "--lr-d") == 0) ok = parse_float(f, v, 0, 1, &c->lr_d, err, err_len);
    else if (strcmp(f, "--lr-g") == 0) ok = parse_float(f, v, 0, 1, &c->lr_g, err, err_len);
    else if (strcmp(f, "--beta1") == 0) ok = parse_float(f, v, 0, 0.999999f, &c->beta1, err, err_len);
    else if (strcmp(f, "--beta2") == 0) ok = parse_float(f, v, 0, 0.999999f, &c->beta2, err, err_len);
    else if (strcmp(f, "--adam-eps") == 0) ok = parse_float(f, v, 0, 1, &c->adam_eps, err, err_len);
    else if (strcmp(f, "--lambda") == 0) {
        ok = parse_float(f, v, 0, 1000, &x, err, err_len);
        if (ok) c->lambda_cat = c->lambda_cont = x;
    } else if (strcmp(f, "--lambda-cat") == 0) ok = parse_float(f, v, 0, 1000, &c->lambda_cat, err, err_len);
    else if (strcmp(f, "--lambda-cont") == 0) ok = parse_float(f, v, 0, 1000, &c->lambda_cont, err, err_len);
    else if (strcmp(f, "--leaky") == 0) {
        if (strcmp(v, "official") == 0) c->leaky_slope = 0.01f;
        else if (strcmp(v, "paper") == 0) c->leaky_slope = 0.1f;
        else ok = parse_float(f, v, 0, 1, &c->leaky_slope, err, err_len);
    } else if (strcmp(f, "--std") == 0) {
        if (strcmp(v, "fixed") != 0 && strcmp(v, "learned") != 0) {
            set_err(err, err_len, "--std: '%s' is neither fixed (official code) nor learned (paper)", v);
            return -1;
        }
        c->learned_std = strcmp(v, "learned") == 0;
    } else if (strcmp(f, "--init-std") == 0) ok = parse_float(f, v, 0, 10, &c->init_std, err, err_len);
    else if (strcmp(f, "--bn-eps") == 0) ok = parse_float(f, v, 0, 1, &c->bn_eps, err, err_len);
    else if (strcmp(f, "--seed") == 0) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(v, &end, 10);
        if (*v < '0' || *v > '9' || *end != 0 || errno == ERANGE) {
            set_err(err, err_len, "--seed: '%s' is not an integer in 0..2^64-1", v);
            return -1;
        }
        c->seed = s;
    }
    return ok ? 2 : -1;
}

int infogan_config_flag(infogan_config *c, int argc, char **argv, int i)
{
    char err[512];
    int used = infogan_config_flag_try(c, argc, argv, i, err, sizeof err);
    if (used < 0) die("%s", err);
    return used;
}

void infogan_config_help(FILE *f)
{
    fputs("Model flags (defaults: the official InfoGAN MNIST code):\n"
          "  --arch NAME        architecture table: mnist (Table 1), faces (Table 4), chairs\n"
          "                     (Table 6), chairs-lite (Table 6 without its stride-1 layers),\n"
          "                     svhn and celeba (Tables 2-3), svhn-bn (Table 2 with BN after\n"
          "                     every upconv of G), toy (8x8, for tests)\n"
          "  --latent SPEC      G's input, e.g. noise:62,cat:10,cont:2 (the default)\n"
          "  --batch N          batch size (128)\n"
          "  --lr-d X, --lr-g X Adam learning rates of D/Q and G (2e-4, 1e-3)\n"
          "  --beta1 X, --beta2 X, --adam-eps X   Adam (0.5, 0.999, 1e-8)\n"
          "  --lambda X         weight of L_I for every code (1); --lambda-cat, --lambda-cont\n"
          "  --leaky X|official|paper   leaky ReLU slope in D/Q (official 0.01; paper 0.1)\n"
          "  --std fixed|learned Q's Gaussian std: 1 (official) or exp of Q's output (paper)\n"
          "  --gan              regular GAN baseline: Q is trained, G gets no L_I reward\n"
          "  --info-warmup N    G gets no L_I reward for its first N steps (0; not in the paper)\n"
          "  --init-std X       init std of weights (0.02); --bn-eps X (1e-5)\n"
          "  --seed N           seed of every random stream (1)\n", f);
}

void infogan_config_describe(const infogan_config *c, char *buf, size_t len)
{
    snprintf(buf, len,
             "model=%s arch=%s latent=%s batch=%d lr_d=%g lr_g=%g beta1=%g beta2=%g adam_eps=%g "
             "lambda_cat=%g lambda_cont=%g leaky=%g std=%s init_std=%g bn_eps=%g seed=%llu",
             c->info_to_g ? "infogan" : "gan", c->arch, c->latent.text, c->batch, (double)c->lr_d,
             (double)c->lr_g, (double)c->beta1, (double)c->beta2, (double)c->adam_eps,
             (double)c->lambda_cat, (double)c->lambda_cont, (double)c->leaky_slope,
             c->learned_std ? "learned" : "fixed", (double)c->init_std, (double)c->bn_eps,
             (unsigned long long)c->seed);
    /* Only when set: checkpoints written before the flag existed still match. */
    if (c->info_warmup > 0)
        snprintf(buf + strlen(buf), len - strlen(buf), " info_warmup=%d", c->info_warmup);
}

infogan *infogan_create(const infogan_config *cfg)
{
    kern_init();
    infogan *m = xcalloc(1, sizeof *m);
    m->cfg = *cfg;
    const arch *a = m->arch = arch_find(cfg->arch);
    const latent_spec *ls = &cfg->latent;
    m->q_dim = latent_q_dim(ls, cfg->learned_std);
    layer_spec q_head[a->n_q_head];
    arch_q_head(a, m->q_dim, q_head);

    int b = cfg->batch;
    float slope = cfg->leaky_slope, eps = cfg->bn_eps;
    m->n_g_params = net_param_count(a->g, a->n_g, ls->in_dim, 1, 1, NULL);
    m->g_params = xalloc_floats(m->n_g_params);
    m->g_grads = xalloc_floats(m->n_g_params);
    memset(m->g_grads, 0, m->n_g_params * sizeof(float));
    m->g = net_create(a->g, a->n_g, ls->in_dim, 1, 1, b, slope, eps, m->g_params, m->g_grads);
    CHECK(m->g->out_c == a->img_c && m->g->out_h == a->img_h && m->g->out_w == a->img_w,
          "architecture %s: G makes %dx%dx%d images, not %dx%dx%d", a->name, m->g->out_c,
          m->g->out_h, m->g->out_w, a->img_c, a->img_h, a->img_w);

    /* Trunk, D head and Q head share one block: one Adam call updates D and Q. */
    int t[3];
    size_t n_trunk = net_param_count(a->trunk, a->n_trunk, a->img_c, a->img_h, a->img_w, t);
    size_t n_d = net_param_count(a->d_head, a->n_d_head, t[0], t[1], t[2], NULL);
    size_t n_q = net_param_count(q_head, a->n_q_head, t[0], t[1], t[2], NULL);
    m->n_d_params = n_trunk + n_d + n_q;
    m->d_params = xalloc_floats(m->n_d_params);
    m->d_grads = xalloc_floats(m->n_d_params);
    memset(m->d_grads, 0, m->n_d_params * sizeof(float));
    m->trunk = net_create(a->trunk, a->n_trunk, a->img_c, a->img_h, a->img_w, b, slope, eps,
                          m->d_params, m->d_grads);
    m->d_head = net_create(a->d_head, a->n_d_head, t[0], t[1], t[2], b, slope, eps,
                           m->d_params + n_trunk, m->d_grads + n_trunk);
    m->q_head = net_create(q_head, a->n_q_head, t[0], t[1], t[2], b, slope, eps,
                           m->d_params + n_trunk + n_d, m->d_grads + n_trunk + n_d);
    CHECK(m->d_head->out_c * m->d_head->out_h * m->d_head->out_w == 1,
          "architecture %s: D's head must output one logit", a->name);

    nn_init init = {cfg->init_std};
    rng rg = rng_make(cfg->seed, RNG_INIT_G, 0), rd = rng_make(cfg->seed, RNG_INIT_D, 0);
    net_init_params(m->g, &init, &rg);
    net_init_params(m->trunk, &init, &rd);
    net_init_params(m->d_head, &init, &rd);
    net_init_params(m->q_head, &init, &rd);

    adam_init(&m->opt_g, m->n_g_params, m->g_params, m->g_grads, cfg->lr_g, cfg->beta1,
              cfg->beta2, cfg->adam_eps);
    adam_init(&m->opt_d, m->n_d_params, m->d_params, m->d_grads, cfg->lr_d, cfg->beta1,
              cfg->beta2, cfg->adam_eps);

    size_t trunk_out = (size_t)m->trunk->out_c * m->trunk->out_h * m->trunk->out_w;
    m->z = xalloc_floats((size_t)b * ls->in_dim);
    m->d_logit_grad = xalloc_floats((size_t)b);
    m->dq = xalloc_floats((size_t)b * m->q_dim);
    m->d_trunk_out = xalloc_floats((size_t)b * trunk_out);
    return m;
}

void infogan_free(infogan *m)
{
    if (!m) return;
    net_free(m->g);
    net_free(m->trunk);
    net_free(m->d_head);
    net_free(m->q_head);
    adam_free(&m->opt_g);
    adam_free(&m->opt_d);
    free(m->g_params);
    free(m->g_grads);
    free(m->d_params);
    free(m->d_grads);
    free(m->z);
    free(m->d_logit_grad);
    free(m->dq);
    free(m->d_trunk_out);
    free(m);
}

static double mean_sigmoid(int n, const float *logits)
{
    double s = 0.0;
    for (int i = 0; i < n; i++) s += 1.0 / (1.0 + exp(-(double)logits[i]));
    return s / n;
}

/* Backward of both heads into the trunk: d_trunk_out = dD + dQ (dQ skipped when NULL).
 * The D/Q step (param_grads) needs no gradient of the images: it returns NULL. */
static const float *heads_backward(infogan *m, const float *dlogit, const float *dq, bool param_grads)
{
    size_t n = (size_t)m->trunk->batch * m->trunk->out_c * m->trunk->out_h * m->trunk->out_w;
    const float *dd = net_backward(m->d_head, dlogit, param_grads, true);
    memcpy(m->d_trunk_out, dd, n * sizeof(float));
    if (dq) {
        const float *dqh = net_backward(m->q_head, dq, param_grads, true);
        for (size_t i = 0; i < n; i++) m->d_trunk_out[i] += dqh[i];
    }
    return net_backward(m->trunk, m->d_trunk_out, param_grads, !param_grads);
}

void infogan_step(infogan *m, const float *real, infogan_stats *st)
{
    const infogan_config *c = &m->cfg;
    const latent_spec *ls = &c->latent;
    int b = c->batch;
    infogan_stats s = {.iteration = m->iteration + 1};

    /* D/Q step. */
    net_zero_grads(m->trunk); /* with the heads: all of d_grads */
    net_zero_grads(m->d_head);
    net_zero_grads(m->q_head);
    rng r = rng_make(c->seed, RNG_LATENT_D, (uint64_t)m->iteration);
    latent_sample(ls, &r, b, m->z, NULL);
    const float *fake = net_forward(m->g, m->z, b);

    const float *logit = net_forward(m->d_head, net_forward(m->trunk, real, b), b);
    s.d_real = mean_sigmoid(b, logit);
    s.d_loss = loss_gan_real(b, logit, m->d_logit_grad, 1.0);
    heads_backward(m, m->d_logit_grad, NULL, true);

    const float *h = net_forward(m->trunk, fake, b);
    logit = net_forward(m->d_head, h, b);
    const float *q = net_forward(m->q_head, h, b);
    s.d_fake = mean_sigmoid(b, logit);
    s.d_loss += loss_gan_fake(b, logit, m->d_logit_grad, 1.0);
    loss_info(ls, c->learned_std, b, q, m->z, c->lambda_cat, c->lambda_cont, s.li_code, m->dq);
    for (int k = 0; k < ls->n_codes; k++) s.li += s.li_code[k];
    heads_backward(m, m->d_logit_grad, m->dq, true);
    adam_step(&m->opt_d);

    /* G step, on fresh z. */
    net_zero_grads(m->g);
    r = rng_make(c->seed, RNG_LATENT_G, (uint64_t)m->iteration);
    latent_sample(ls, &r, b, m->z, NULL);
    fake = net_forward(m->g, m->z, b);
    h = net_forward(m->trunk, fake, b);
    logit = net_forward(m->d_head, h, b);
    q = net_forward(m->q_head, h, b);
    s.g_loss = loss_gan_real(b, logit, m->d_logit_grad, 1.0);
    double li_g[LATENT_MAX_CODES];
    loss_info(ls, c->learned_std, b, q, m->z, c->lambda_cat, c->lambda_cont, li_g, m->dq);
    for (int k = 0; k < ls->n_codes; k++) s.li_g += li_g[k];
    bool info_reward = c->info_to_g && m->iteration >= c->info_warmup;
    const float *dimg = heads_backward(m, m->d_logit_grad, info_reward ? m->dq : NULL, false);
    net_backward(m->g, dimg, true, false);
    adam_step(&m->opt_g);

    m->iteration++;
    if (st) *st = s;
}

void infogan_generate(infogan *m, int n, const float *z, float *images)
{
    size_t img = (size_t)m->g->out_c * m->g->out_h * m->g->out_w, in = (size_t)m->cfg.latent.in_dim;
    int chunks = (n + m->cfg.batch - 1) / m->cfg.batch;
    for (int ch = 0, first = 0; ch < chunks; ch++) {
        int count = n / chunks + (ch < n % chunks);
        const float *y = net_forward(m->g, z + (size_t)first * in, count);
        memcpy(images + (size_t)first * img, y, (size_t)count * img * sizeof(float));
        first += count;
    }
}

void infogan_q_forward(infogan *m, int n, const float *images, float *q)
{
    size_t img = (size_t)m->arch->img_c * m->arch->img_h * m->arch->img_w;
    /* Equal chunks, so no chunk's batch statistics come from a handful of images. */
    int chunks = (n + m->cfg.batch - 1) / m->cfg.batch;
    for (int ch = 0, first = 0; ch < chunks; ch++) {
        int count = n / chunks + (ch < n % chunks);
        const float *h = net_forward(m->trunk, images + (size_t)first * img, count);
        const float *qo = net_forward(m->q_head, h, count);
        memcpy(q + (size_t)first * m->q_dim, qo, (size_t)count * m->q_dim * sizeof(float));
        first += count;
    }
}

void infogan_q_cat_probs(infogan *m, int code, int n, const float *images, float *probs)
{
    const latent_spec *ls = &m->cfg.latent;
    CHECK(code >= 0 && code < ls->n_codes && ls->codes[code].kind == LATENT_CAT,
          "code %d is not a categorical code of latent spec %s", code, ls->text);
    const latent_code *lc = &ls->codes[code];
    float *q = xalloc_floats((size_t)n * m->q_dim);
    infogan_q_forward(m, n, images, q);
    for (int i = 0; i < n; i++) {
        const float *l = q + (size_t)i * m->q_dim + lc->q_offset;
        double mx = l[0], z = 0.0;
        for (int j = 1; j < lc->k; j++) mx = (double)l[j] > mx ? (double)l[j] : mx;
        for (int j = 0; j < lc->k; j++) z += exp((double)l[j] - mx);
        for (int j = 0; j < lc->k; j++)
            probs[(size_t)i * lc->k + j] = (float)(exp((double)l[j] - mx) / z);
    }
    free(q);
}
