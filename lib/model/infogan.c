/* infogan.c: the InfoGAN model and one training iteration (its settings: config.c). */
#include "model/infogan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "model/losses.h"
#include "base/dist.h"
#include "base/util.h"

/* The summed gradients of this rank's shard of the wider block (step_block): none with one
 * process; else the block's share plus up to 16 floats per piece (dist_shard). */
static size_t shard_floats(size_t n_g, size_t n_d)
{
    size_t ranks = (size_t)dist_size(), widest = n_g > n_d ? n_g : n_d;
    if (ranks == 1) return 0;
    return (widest + ranks - 1) / ranks + 16 * ((widest + DIST_PIECE - 1) / DIST_PIECE) + 16;
}

/* Rows the trunk keeps to add both batches' weight gradients of the D step in one product:
 * on the bfloat16 GEMMs (amx +2% an iteration, Xeon f6m167); none with f32 ones, which keep
 * their bits (one product per batch) and measured no faster with it. */
static int deferred_rows(const infogan_config *cfg)
{
    kern_init();
    return kern_isa_reduced(kern_table_isa(&kern)) ? 2 * cfg->batch : 0;
}

size_t infogan_memory_bytes(const infogan_config *cfg)
{
    const arch *a = arch_find(cfg->arch);
    const latent_spec *ls = &cfg->latent;
    int q_dim = latent_q_dim(ls, cfg->learned_std), b = cfg->batch, t[3];
    layer_spec q_head[a->n_q_head];
    arch_q_head(a, q_dim, q_head);
    size_t n_g = net_param_count(a->g, a->n_g, ls->in_dim, 1, 1, NULL);
    size_t n_d = net_param_count(a->trunk, a->n_trunk, a->img_c, a->img_h, a->img_w, t) +
                 net_param_count(a->d_head, a->n_d_head, t[0], t[1], t[2], NULL) +
                 net_param_count(q_head, a->n_q_head, t[0], t[1], t[2], NULL);
    size_t params = n_g + n_d;
    size_t cache = net_weight_cache_floats(a->g, a->n_g, ls->in_dim, 1, 1) +
                   net_weight_cache_floats(a->trunk, a->n_trunk, a->img_c, a->img_h, a->img_w) +
                   net_weight_cache_floats(a->d_head, a->n_d_head, t[0], t[1], t[2]) +
                   net_weight_cache_floats(q_head, a->n_q_head, t[0], t[1], t[2]) +
                   net_deferred_grad_floats(a->trunk, a->n_trunk, a->img_c, a->img_h, a->img_w,
                                            deferred_rows(cfg));
    size_t bufs = net_buffer_floats(a->g, a->n_g, ls->in_dim, 1, 1, b) +
                  net_buffer_floats(a->trunk, a->n_trunk, a->img_c, a->img_h, a->img_w, b) +
                  net_buffer_floats(a->d_head, a->n_d_head, t[0], t[1], t[2], b) +
                  net_buffer_floats(q_head, a->n_q_head, t[0], t[1], t[2], b);
    size_t step = (size_t)b * (ls->in_dim + 1 + q_dim + (size_t)t[0] * t[1] * t[2]);
    if (cfg->instance_noise > 0) step += (size_t)b * a->img_c * a->img_h * a->img_w;
    step += shard_floats(n_g, n_d);
    size_t layers = (size_t)(a->n_g + a->n_trunk + a->n_d_head + a->n_q_head) * sizeof(layer);
    return (4 * params + cache + bufs + step) * sizeof(float) + layers + 4 * sizeof(net) +
           sizeof(infogan);
    /* params, grads, Adam m and v; the packed weights; activations; the step's buffers; the
     * structs */
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
    net_cache_weights(m->g, true);
    net_cache_weights(m->trunk, true);
    net_cache_weights(m->d_head, true);
    net_cache_weights(m->q_head, true);
    net_defer_weight_grads(m->trunk, deferred_rows(cfg)); /* the D step's real and fake batches */

    adam_init(&m->opt_g, m->n_g_params, m->g_params, m->g_grads, cfg->lr_g, cfg->beta1,
              cfg->beta2, cfg->adam_eps);
    adam_init(&m->opt_d, m->n_d_params, m->d_params, m->d_grads, cfg->lr_d, cfg->beta1,
              cfg->beta2, cfg->adam_eps);
    if (cfg->lr_q > 0) adam_set_tail_lr(&m->opt_d, n_q, cfg->lr_q); /* Q's head ends the block */

    size_t trunk_out = (size_t)m->trunk->out_c * m->trunk->out_h * m->trunk->out_w;
    m->z = xalloc_floats((size_t)b * ls->in_dim);
    m->d_logit_grad = xalloc_floats((size_t)b);
    m->dq = xalloc_floats((size_t)b * m->q_dim);
    m->d_trunk_out = xalloc_floats((size_t)b * trunk_out);
    if (cfg->instance_noise > 0) m->noisy = xalloc_floats((size_t)b * a->img_c * a->img_h * a->img_w);
    CHECK(b % dist_size() == 0, "--batch %d does not split evenly over %d MPI ranks; choose a batch "
          "that is a multiple of the number of ranks", b, dist_size());
    m->local_batch = b / dist_size();
    m->local_first = dist_rank() * m->local_batch;
    size_t shard = shard_floats(m->n_g_params, m->n_d_params);
    if (shard) m->shard_grads = xalloc_floats(shard);
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
    free(m->shard_grads);
    free(m->d_logit_grad);
    free(m->dq);
    free(m->d_trunk_out);
    free(m->noisy);
    free(m);
}

static double mean_sigmoid(int n, const float *logits)
{
    double s = 0.0;
    for (int i = 0; i < n; i++) s += 1.0 / (1.0 + exp(-(double)logits[i]));
    return s / n;
}

static double max_sigmoid(int n, const float *logits)
{
    float mx = logits[0];
    for (int i = 1; i < n; i++) mx = logits[i] > mx ? logits[i] : mx;
    return 1.0 / (1.0 + exp(-(double)mx));
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

float infogan_instance_noise_std(const infogan_config *cfg, int it)
{
    if (cfg->instance_noise <= 0) return 0.0f;
    if (cfg->instance_noise_decay <= 0) return cfg->instance_noise;
    float left = 1.0f - (float)it / (float)cfg->instance_noise_decay;
    return left > 0 ? cfg->instance_noise * left : 0.0f;
}

/* D's input for one pass (0 real, 1 the D step's fake, 2 + j the j-th G step's fake): x (this
 * rank's rows) itself, or x + N(0, std^2) in m->noisy when the config asks for instance noise
 * (the whole batch's noise is drawn; this rank adds its rows'). The noise does not depend on
 * x, so the gradient with respect to x is the one with respect to x + noise. */
static const float *d_input(infogan *m, const float *x, int pass)
{
    float sd = infogan_instance_noise_std(&m->cfg, m->iteration);
    if (sd <= 0) return x;
    size_t img = (size_t)m->arch->img_c * m->arch->img_h * m->arch->img_w;
    size_t n = (size_t)m->cfg.batch * img, first = (size_t)m->local_first * img,
           end = first + (size_t)m->local_batch * img;
    rng r = rng_make(m->cfg.seed, RNG_INSTANCE_NOISE, (uint64_t)m->iteration * 16 + (uint64_t)pass);
    for (size_t i = 0; i < n; i++) {
        float noise = rng_normal(&r, 0.0f, sd);
        if (i >= first && i < end) m->noisy[i - first] = x[i - first] + noise;
    }
    return m->noisy;
}

enum { SHARD_RANGES_MAX = 64 }; /* blocks of up to 64 DIST_PIECEs: 268M parameters */

/* Adam's step of one block. With several ranks the batch's gradient is the sum of the ranks'
 * (each the gradient of its rows' mean loss over the number of ranks: the losses' scale): it is
 * summed onto each rank's shard of the block, the rank steps that shard's weights and moments,
 * and the ranks then exchange the stepped weights. An allreduce's two halves with Adam between
 * them: every rank ends with the whole step, each having done 1/N of Adam's work. */

static void step_block(infogan *m, adam *a)
{
    net *nets[3] = {m->g}, **end = nets + 1; /* the networks whose parameters a's block holds */
    if (a == &m->opt_d) nets[0] = m->trunk, nets[1] = m->d_head, nets[2] = m->q_head, end = nets + 3;
    if (dist_size() == 1 || dist_fault_skip_allreduce()) { /* each net's share, repacking as it goes */
        adam_begin_step(a);
        for (net **nt = nets; nt < end; nt++) net_adam_step(*nt, a);
        return;
    }
    size_t range[SHARD_RANGES_MAX][2];
    int n_ranges = dist_shard(a->n, range, SHARD_RANGES_MAX);
    dist_sum_to_shard(a->g, a->n, m->shard_grads);
    adam_step_ranges(a, n_ranges, range, m->shard_grads);
    dist_gather_shards(a->p, a->n);
    for (net **nt = nets; nt < end; nt++) net_weights_changed(*nt);
}

void infogan_weights_changed(infogan *m)
{
    net_weights_changed(m->g);
    net_weights_changed(m->trunk);
    net_weights_changed(m->d_head);
    net_weights_changed(m->q_head);
}

void infogan_gather_moments(infogan *m)
{
    dist_gather_shards(m->opt_g.m, m->n_g_params);
    dist_gather_shards(m->opt_g.v, m->n_g_params);
    dist_gather_shards(m->opt_d.m, m->n_d_params);
    dist_gather_shards(m->opt_d.v, m->n_d_params);
}

/* The whole batch's numbers from each rank's (means of equal shares). */
static void sum_stats(infogan_stats *s, int n_codes)
{
    int ranks = dist_size();
    if (ranks == 1) return;
    double v[6 + 2 * LATENT_MAX_CODES] = {s->d_loss, s->g_loss, s->d_real, s->d_fake, s->li, s->li_g};
    memcpy(v + 6, s->li_code, sizeof s->li_code);
    memcpy(v + 6 + LATENT_MAX_CODES, s->std_code, sizeof s->std_code);
    dist_sum_doubles(v, 6 + 2 * (size_t)LATENT_MAX_CODES);
    for (int k = 0; k < 6 + 2 * LATENT_MAX_CODES; k++) v[k] /= ranks;
    s->d_loss = v[0], s->g_loss = v[1], s->d_real = v[2], s->d_fake = v[3], s->li = v[4], s->li_g = v[5];
    for (int k = 0; k < n_codes; k++) s->li_code[k] = v[6 + k], s->std_code[k] = v[6 + LATENT_MAX_CODES + k];
    s->d_fake_max = dist_max(s->d_fake_max);
}

static void sync_bn(infogan *m, bool on)
{
    bool sync = on && dist_size() > 1;
    m->g->bn_sync = m->trunk->bn_sync = m->d_head->bn_sync = m->q_head->bn_sync = sync;
}

/* Eq. (6): min over G, Q, max over D of V(D, G) - lambda L_I(G, Q), one D/Q step and g_steps G steps. */
void infogan_step(infogan *m, const float *real, infogan_stats *st)
{
    const infogan_config *c = &m->cfg;
    const latent_spec *ls = &c->latent;
    /* This rank's rows: the latent rows of the whole batch are drawn, its share is used. */
    int b = m->local_batch;
    float *z = m->z + (size_t)m->local_first * ls->in_dim; /* (b, in_dim) */
    infogan_stats s = {.iteration = m->iteration + 1};
    sync_bn(m, true);
    /* Each rank's loss gradients are scaled by its share of the batch (1 with one process). */
    double share = 1.0 / dist_size();
    float lambda_cat = (float)((double)c->lambda_cat * share), lambda_cont = (float)((double)c->lambda_cont * share);

    /* D/Q step. */
    net_zero_grads(m->trunk); /* with the heads: all of d_grads */
    net_zero_grads(m->d_head);
    net_zero_grads(m->q_head);
    rng r = rng_make(c->seed, RNG_LATENT_D, (uint64_t)m->iteration);
    latent_sample(ls, &r, c->batch, m->z, NULL);
    const float *fake = net_forward(m->g, z, b);

    const float *logit = net_forward(m->d_head, net_forward(m->trunk, d_input(m, real, 0), b), b);
    s.d_real = mean_sigmoid(b, logit);
    s.d_loss = loss_gan_real(b, logit, m->d_logit_grad, share);
    heads_backward(m, m->d_logit_grad, NULL, true);

    const float *h = net_forward(m->trunk, d_input(m, fake, 1), b);
    logit = net_forward(m->d_head, h, b);
    const float *q = net_forward(m->q_head, h, b);
    s.d_fake = mean_sigmoid(b, logit);
    s.d_fake_max = max_sigmoid(b, logit);
    s.d_loss += loss_gan_fake(b, logit, m->d_logit_grad, share);
    loss_info(ls, c->learned_std, c->std_min, b, q, z, lambda_cat, lambda_cont, s.li_code,
              s.std_code, m->dq);
    for (int k = 0; k < ls->n_codes; k++) s.li += s.li_code[k];
    heads_backward(m, m->d_logit_grad, m->dq, true);
    net_finish_weight_grads(m->trunk); /* one product over both batches' rows */
    step_block(m, &m->opt_d);

    /* G steps, each on fresh z (the first from the iteration's stream, as with one step). */
    for (int j = 0; j < c->g_steps; j++) {
        net_zero_grads(m->g);
        r = rng_make(c->seed, RNG_LATENT_G, (uint64_t)m->iteration + ((uint64_t)j << 40));
        latent_sample(ls, &r, c->batch, m->z, NULL);
        fake = net_forward(m->g, z, b);
        h = net_forward(m->trunk, d_input(m, fake, 2 + j), b);
        logit = net_forward(m->d_head, h, b);
        q = net_forward(m->q_head, h, b);
        s.g_loss = loss_gan_real(b, logit, m->d_logit_grad, share);
        double li_g[LATENT_MAX_CODES];
        loss_info(ls, c->learned_std, c->std_min, b, q, z, lambda_cat, lambda_cont, li_g, NULL,
                  m->dq);
        s.li_g = 0;
        for (int k = 0; k < ls->n_codes; k++) s.li_g += li_g[k];
        bool info_reward = c->info_to_g && m->iteration >= c->info_warmup;
        const float *dimg = heads_backward(m, m->d_logit_grad, info_reward ? m->dq : NULL, false);
        net_backward(m->g, dimg, true, false);
        step_block(m, &m->opt_g);
    }
    sync_bn(m, false);
    sum_stats(&s, ls->n_codes);

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
