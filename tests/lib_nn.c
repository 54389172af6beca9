/* lib_nn.c: finite-difference checks of every layer's backward through the layer API
 * (input and parameter gradients), and of a whole network. */
#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "model/arch.h"
#include "nn/adam.h"
#include "nn/nn.h"
#include "base/rng.h"
#include "base/util.h"

/* L = sum_i r_i y_i in double: the scalar whose gradient backward(r) computes. */
static double probe_loss(net *nt, const float *x, int n, const float *r)
{
    const float *y = net_forward(nt, x, n);
    size_t len = (size_t)n * nt->out_c * nt->out_h * nt->out_w;
    double s = 0.0;
    for (size_t i = 0; i < len; i++) s += (double)r[i] * (double)y[i];
    return s;
}

/* Central differences on up to `samples` entries of v (len), against the analytic ana.
 * Returns ||num - ana|| / max(||ana||, 1e-3) over the sampled entries. */
static double fd_check(net *nt, float *x, int n, const float *r, float *v, size_t len,
                       const float *ana, int samples, float eps)
{
    double err = 0.0, ref = 0.0;
    size_t step = len > (size_t)samples ? len / samples : 1;
    for (size_t i = 0; i < len; i += step) {
        float keep = v[i];
        v[i] = keep + eps;
        double lp = probe_loss(nt, x, n, r);
        v[i] = keep - eps;
        double lm = probe_loss(nt, x, n, r);
        v[i] = keep;
        double num = (lp - lm) / (2.0 * (double)eps);
        double a = ana[i];
        err += (num - a) * (num - a);
        ref += a * a;
    }
    return sqrt(err) / fmax(sqrt(ref), 1e-3);
}

/* Builds a net of `specs`, checks dx and every parameter's gradient by finite differences
 * with step eps; tol is the relative error allowed in norm. */
static void check_net_eps(const layer_spec *specs, int n_layers, int n, int c, int h, int w,
                          float eps, double tol)
{
    kern_init();
    size_t np = net_param_count(specs, n_layers, c, h, w, NULL);
    float *params = xalloc_floats(np ? np : 1), *grads = xalloc_floats(np ? np : 1);
    net *nt = net_create(specs, n_layers, c, h, w, n, 0.1f, 1e-5f, params, grads);
    rng rg = rng_make(7, 1, 0);
    net_init_params(nt, &(nn_init){0.3f}, &rg);
    size_t in_len = (size_t)n * c * h * w, out_len = (size_t)n * nt->out_c * nt->out_h * nt->out_w;
    float *x = xalloc_floats(in_len), *r = xalloc_floats(out_len), *dx = xalloc_floats(in_len);
    /* Inputs away from 0, so ReLU kinks are further than eps. */
    for (size_t i = 0; i < in_len; i++) {
        float v = rng_uniform_range(&rg, 0.1f, 1.0f);
        x[i] = rng_uniform(&rg) < 0.5f ? -v : v;
    }
    for (size_t i = 0; i < out_len; i++) r[i] = rng_uniform_range(&rg, -1.0f, 1.0f);
    /* Spectral norm: many steps' power iterations first, so u and v sit at w's top singular
     * vectors, where the output no longer moves with u and the gradient that holds u and v
     * constant is the whole gradient. */
    for (int i = 0; i < n_layers; i++)
        for (int k = 0; specs[i].sn && k < 300; k++) {
            net_zero_grads(nt);
            net_forward(nt, x, n);
        }
    memset(grads, 0, np * sizeof(float));
    net_forward(nt, x, n);
    memcpy(dx, net_backward(nt, r, true, true), in_len * sizeof(float));
    float *ana = xalloc_floats(np ? np : 1);
    memcpy(ana, grads, np * sizeof(float));

    double e = fd_check(nt, x, n, r, x, in_len, dx, 60, eps);
    cr_expect(e < tol, "%s...: dx relative error %g", layer_kind_name(specs[0].kind), e);
    if (np) {
        e = fd_check(nt, x, n, r, params, np, ana, 80, eps);
        cr_expect(e < tol, "%s...: parameter gradient relative error %g", layer_kind_name(specs[0].kind), e);
    }
    /* Gradients accumulate: a second backward adds the same again. */
    net_forward(nt, x, n);
    net_backward(nt, r, true, true);
    for (size_t i = 0; i < np; i++)
        cr_assert(fabsf(grads[i] - 2.0f * ana[i]) <= 1e-5f * (1.0f + fabsf(ana[i])),
                  "parameter gradient %zu does not accumulate: %g vs 2 x %g", i, (double)grads[i], (double)ana[i]);
    /* A new step: net_zero_grads, then one backward gives the first gradients again (u has
     * converged, so a spectral norm's step-start power iteration moves w_sn by rounding only). */
    net_zero_grads(nt);
    net_forward(nt, x, n);
    net_backward(nt, r, true, true);
    for (size_t i = 0; i < np; i++)
        cr_assert(fabsf(grads[i] - ana[i]) <= 1e-4f * (1.0f + fabsf(ana[i])),
                  "parameter gradient %zu after net_zero_grads and one backward: %g, the first step's %g",
                  i, (double)grads[i], (double)ana[i]);
    net_free(nt);
    free(params), free(grads), free(x), free(r), free(dx), free(ana);
}

/* One layer: eps 1e-2, 1% (float forward passes; measured errors are below 1e-4). */
static void check_net(const layer_spec *specs, int n_layers, int n, int c, int h, int w)
{
    check_net_eps(specs, n_layers, n, c, h, w, 1e-2f, 1e-2);
}

#define ONE(kind, ...) (layer_spec[]){{kind, __VA_ARGS__, false}}

Test(nn, linear_backward_matches_finite_differences)
{
    check_net(ONE(LAYER_LINEAR, 5, 1, 1, 0, 0), 1, 4, 3, 2, 1);
    check_net(ONE(LAYER_LINEAR, 2, 3, 3, 0, 0), 1, 3, 7, 1, 1); /* FC to a (2,3,3) map */
}

Test(nn, conv_backward_matches_finite_differences)
{
    check_net(ONE(LAYER_CONV, 3, 0, 0, 4, 2), 1, 2, 2, 6, 6);
    check_net(ONE(LAYER_CONV, 2, 0, 0, 4, 1), 1, 2, 3, 5, 5); /* stride 1, asymmetric pad */
}

Test(nn, spectral_norm_backward_matches_finite_differences)
{
    check_net((layer_spec[]){{LAYER_LINEAR, 5, 1, 1, 0, 0, true}}, 1, 4, 3, 2, 1);
    check_net((layer_spec[]){{LAYER_CONV, 3, 0, 0, 4, 2, true}}, 1, 2, 2, 6, 6);
}

/* A spectrally normalized layer large enough for the threaded power iteration (linear 257 x
 * 300, conv 64 x 128 x 4 x 4) gives the same output, sigma and weight gradient on 1 thread as on
 * all of them (a repeated run when OMP_NUM_THREADS=1). */
static void check_sn_threads(const layer_spec *spec, int c, int h, int w)
{
    int n = 2, saved = omp_get_max_threads(), threads[2] = {1, saved};
    size_t np = net_param_count(spec, 1, c, h, w, NULL), in_len = (size_t)n * c * h * w;
    float *x = xalloc_floats(in_len), *out[2], *g[2], sigma[2];
    rng rx = rng_make(5, 1, 0);
    for (size_t i = 0; i < in_len; i++) x[i] = rng_uniform_range(&rx, -1.0f, 1.0f);
    for (int k = 0; k < 2; k++) {
        omp_set_num_threads(threads[k]);
        float *params = xalloc_floats(np);
        g[k] = xalloc_floats(np);
        memset(g[k], 0, np * sizeof(float)); /* u's slot is never written: the caller zeroes it */
        net *nt = net_create(spec, 1, c, h, w, n, 0.1f, 1e-5f, params, g[k]);
        rng rg = rng_make(4, 1, 0);
        net_init_params(nt, &(nn_init){0.3f}, &rg);
        size_t out_len = (size_t)n * nt->out_c * nt->out_h * nt->out_w;
        net_zero_grads(nt);
        out[k] = xalloc_floats(out_len);
        memcpy(out[k], net_forward(nt, x, n), out_len * sizeof(float));
        net_backward(nt, out[k], true, false);
        sigma[k] = nt->layers[0].sigma;
        cr_expect(k == 0 || memcmp(out[0], out[1], out_len * sizeof(float)) == 0,
                  "%s: spectrally normalized output differs between 1 and %d threads",
                  layer_kind_name(spec[0].kind), saved);
        net_free(nt);
        free(params);
    }
    omp_set_num_threads(saved);
    cr_expect(memcmp(&sigma[0], &sigma[1], sizeof(float)) == 0, "sigma differs between 1 and %d threads", saved);
    cr_expect(memcmp(g[0], g[1], np * sizeof(float)) == 0, "gradients differ between 1 and %d threads", saved);
    for (int k = 0; k < 2; k++) free(out[k]), free(g[k]);
    free(x);
}

Test(nn, spectral_norm_bits_independent_of_thread_count)
{
    kern_init();
    check_sn_threads((layer_spec[]){{LAYER_LINEAR, 257, 1, 1, 0, 0, true}}, 300, 1, 1);
    check_sn_threads((layer_spec[]){{LAYER_CONV, 128, 0, 0, 4, 2, true}}, 64, 8, 8);
}

/* After many steps, sigma is w's largest singular value (a separate power iteration in
 * double) and w_sn's is 1; u moves only on a step's first forward. */
Test(nn, spectral_norm_estimates_the_largest_singular_value)
{
    kern_init();
    layer_spec spec[] = {{LAYER_LINEAR, 6, 1, 1, 0, 0, true}};
    size_t np = net_param_count(spec, 1, 9, 1, 1, NULL);
    float *params = xalloc_floats(np), *grads = xalloc_floats(np), x[2 * 9] = {0};
    net *nt = net_create(spec, 1, 9, 1, 1, 2, 0.1f, 1e-5f, params, grads);
    rng rg = rng_make(3, 1, 0);
    net_init_params(nt, &(nn_init){0.5f}, &rg);
    layer *l = &nt->layers[0];
    cr_assert_eq(np, 6 * 9 + 6 + 6, "w, b and u: %zu parameters", np);
    for (int k = 0; k < 200; k++) {
        net_zero_grads(nt);
        net_forward(nt, x, 2);
    }
    double v[9], u[6], s = 0.0;
    for (int j = 0; j < 9; j++) v[j] = 1.0 + j;
    for (int it = 0; it < 2000; it++) {
        s = 0.0;
        for (int i = 0; i < 6; i++) {
            u[i] = 0.0;
            for (int j = 0; j < 9; j++) u[i] += (double)l->w[i * 9 + j] * v[j];
            s += u[i] * u[i];
        }
        double nv = 0.0;
        for (int j = 0; j < 9; j++) {
            v[j] = 0.0;
            for (int i = 0; i < 6; i++) v[j] += (double)l->w[i * 9 + j] * u[i];
            nv += v[j] * v[j];
        }
        for (int j = 0; j < 9; j++) v[j] /= sqrt(nv);
    }
    cr_expect(fabs((double)l->sigma - sqrt(s)) < 1e-4 * sqrt(s), "sigma %g, largest singular value %g",
              (double)l->sigma, sqrt(s));
    float u0[6];
    memcpy(u0, l->u, sizeof u0);
    l->u[0] += 0.5f; /* off the fixed point: a forward without a fresh step leaves u alone */
    u0[0] += 0.5f;
    net_forward(nt, x, 2);
    cr_expect(memcmp(u0, l->u, sizeof u0) == 0, "u moved outside a step's first forward");
    net_zero_grads(nt);
    net_forward(nt, x, 2);
    cr_expect(memcmp(u0, l->u, sizeof u0) != 0, "u did not move on a step's first forward");
    net_free(nt);
    free(params), free(grads);
}

Test(nn, upconv_backward_matches_finite_differences)
{
    check_net(ONE(LAYER_UPCONV, 3, 0, 0, 4, 2), 1, 2, 2, 3, 3);
    check_net(ONE(LAYER_UPCONV, 1, 0, 0, 4, 2), 1, 3, 4, 2, 2);
    check_net(ONE(LAYER_UPCONV, 2, 0, 0, 4, 1), 1, 2, 3, 5, 5); /* stride 1 (chairs G) */
}

Test(nn, batchnorm_backward_matches_finite_differences)
{
    check_net(ONE(LAYER_BN, 0, 0, 0, 0, 0), 1, 5, 3, 2, 2); /* per channel over N*H*W */
    layer_spec fc_bn[] = {{LAYER_LINEAR, 2, 2, 2, 0, 0, false}, {LAYER_BN, 0, 0, 0, 0, 0, false}};
    check_net(fc_bn, 2, 6, 3, 1, 1); /* per feature after a linear layer */
}

Test(nn, activations_backward_match_finite_differences)
{
    check_net(ONE(LAYER_RELU, 0, 0, 0, 0, 0), 1, 3, 2, 2, 2);
    check_net(ONE(LAYER_LRELU, 0, 0, 0, 0, 0), 1, 3, 2, 2, 2);
    check_net(ONE(LAYER_SIGMOID, 0, 0, 0, 0, 0), 1, 3, 2, 2, 2);
    check_net(ONE(LAYER_TANH, 0, 0, 0, 0, 0), 1, 3, 2, 2, 2);
}

Test(nn, whole_networks_backward_match_finite_differences)
{
    const arch *a = arch_find("toy");
    /* eps 1e-3, 3%: a few of the many (leaky) ReLU units sit within eps of their kink
     * (measured 0.2% for the trunk, 0.6% for G). */
    check_net_eps(a->trunk, a->n_trunk, 8, 1, 8, 8, 1e-3f, 3e-2);
    check_net_eps(a->g, a->n_g, 8, 6, 1, 1, 1e-3f, 3e-2);
}

/* A batch norm fused with the (leaky) ReLU after it (net.fuse_bn_act, the default) gives the
 * bits of the two layers run one after the other: output, input gradient, every parameter
 * gradient; on the MNIST networks (conv and dense batch norms, ReLU and leaky ReLU). */
static void check_fused_bn_act(const layer_spec *specs, int n_layers, int n, int c, int h, int w)
{
    int pairs = 0;
    for (int i = 0; i + 1 < n_layers; i++)
        pairs += specs[i].kind == LAYER_BN && (specs[i + 1].kind == LAYER_RELU || specs[i + 1].kind == LAYER_LRELU);
    cr_assert(pairs > 0, "this network has no batch norm followed by a (leaky) ReLU");
    size_t np = net_param_count(specs, n_layers, c, h, w, NULL);
    float *p[2], *g[2];
    net *nt[2];
    for (int k = 0; k < 2; k++) {
        p[k] = xalloc_floats(np), g[k] = xalloc_floats(np);
        nt[k] = net_create(specs, n_layers, c, h, w, n, 0.1f, 1e-5f, p[k], g[k]);
        nt[k]->fuse_bn_act = k == 0;
        rng rg = rng_make(9, 1, 0);
        net_init_params(nt[k], &(nn_init){0.3f}, &rg);
    }
    size_t in_len = (size_t)n * c * h * w, out_len = (size_t)n * nt[0]->out_c * nt[0]->out_h * nt[0]->out_w;
    float *x = xalloc_floats(in_len), *r = xalloc_floats(out_len);
    rng rg = rng_make(10, 1, 0);
    for (size_t i = 0; i < in_len; i++) x[i] = rng_uniform_range(&rg, -1.0f, 1.0f);
    for (size_t i = 0; i < out_len; i++) r[i] = rng_uniform_range(&rg, -1.0f, 1.0f);
    const float *y[2], *dx[2];
    for (int k = 0; k < 2; k++) {
        net_zero_grads(nt[k]);
        y[k] = net_forward(nt[k], x, n);
        dx[k] = net_backward(nt[k], r, true, true);
    }
    cr_expect(memcmp(y[0], y[1], out_len * sizeof(float)) == 0, "fused output differs from unfused");
    cr_expect(memcmp(dx[0], dx[1], in_len * sizeof(float)) == 0, "fused input gradient differs");
    cr_expect(memcmp(g[0], g[1], np * sizeof(float)) == 0, "fused parameter gradients differ");
    for (int k = 0; k < 2; k++) net_free(nt[k]), free(p[k]), free(g[k]);
    free(x), free(r);
}

Test(nn, fused_batchnorm_activation_gives_the_unfused_bits)
{
    kern_init();
    const arch *a = arch_find("mnist");
    check_fused_bn_act(a->trunk, a->n_trunk, 16, 1, 28, 28);
    check_fused_bn_act(a->g, a->n_g, 16, 74, 1, 1);
}

Test(nn, batchnorm_after_linear_is_per_feature)
{
    layer_spec fc_bn[] = {{LAYER_LINEAR, 4, 3, 3, 0, 0, false}, {LAYER_BN, 0, 0, 0, 0, 0, false}};
    layer_spec conv_bn[] = {{LAYER_CONV, 4, 0, 0, 4, 2, false}, {LAYER_BN, 0, 0, 0, 0, 0, false}};
    cr_expect_eq(net_param_count(fc_bn, 2, 5, 1, 1, NULL), 5 * 36 + 36 + 2 * 36);
    int out[3];
    cr_expect_eq(net_param_count(conv_bn, 2, 1, 6, 6, out), 4 * 16 + 4 + 2 * 4);
    cr_expect(out[0] == 4 && out[1] == 3 && out[2] == 3);
}

Test(nn, mnist_table_has_the_papers_shapes)
{
    const arch *a = arch_find("mnist");
    int out[3];
    net_param_count(a->g, a->n_g, 74, 1, 1, out);
    cr_expect(out[0] == 1 && out[1] == 28 && out[2] == 28, "G makes %dx%dx%d", out[0], out[1], out[2]);
    net_param_count(a->trunk, a->n_trunk, 1, 28, 28, out);
    cr_expect(out[0] == 1024 && out[1] == 1 && out[2] == 1);
    /* G: 74*1024+1024 + 2*1024 + 1024*6272+6272 + 2*6272 + 128*64*16+64 + 2*64 + 64*16+1. */
    size_t g = 74 * 1024 + 1024 + 2048 + 1024 * 6272 + 6272 + 2 * 6272 + 128 * 64 * 16 + 64 + 128 + 64 * 16 + 1;
    cr_expect_eq(net_param_count(a->g, a->n_g, 74, 1, 1, NULL), g);
}

Test(nn, init_follows_the_official_code)
{
    kern_init();
    const arch *a = arch_find("mnist");
    size_t np = net_param_count(a->trunk, a->n_trunk, 1, 28, 28, NULL);
    float *p = xalloc_floats(np), *g = xalloc_floats(np);
    net *nt = net_create(a->trunk, a->n_trunk, 1, 28, 28, 2, 0.01f, 1e-5f, p, g);
    rng r = rng_make(3, RNG_INIT_D, 0);
    net_init_params(nt, &(nn_init){0.02f}, &r);
    layer *conv2 = &nt->layers[2], *bn = &nt->layers[3];
    double s = 0, s2 = 0;
    float mx = 0;
    for (size_t i = 0; i < conv2->n_w; i++) {
        double v = conv2->w[i];
        s += v, s2 += v * v;
        mx = fmaxf(mx, fabsf(conv2->w[i]));
    }
    double mean = s / conv2->n_w, sd = sqrt(s2 / conv2->n_w - mean * mean);
    cr_expect(fabs(mean) < 1e-3 && mx <= 0.04f, "conv init mean %g max %g", mean, (double)mx);
    /* A N(0,1) truncated at 2 has std 0.880: 0.0176 here (2% tolerance at n = 131072). */
    cr_expect(fabs(sd - 0.0176) < 0.0176 * 0.02, "conv init std %g", sd);
    for (size_t i = 0; i < conv2->n_b; i++) cr_assert(conv2->b[i] == 0.0f);
    for (size_t i = 0; i < bn->n_w; i++) cr_assert(fabsf(bn->w[i] - 1.0f) < 0.2f && bn->b[i] == 0.0f);
    net_free(nt);
    free(p), free(g);
}

/* Data-parallel ranks step their shards of a block, then exchange the stepped weights
 * (model/infogan.c): shards cut anywhere, across Q's learning-rate tail too, and made of one
 * range or several, give the bits of the whole block's step. Each "rank" has its own weights. */
Test(nn, adam_shards_step_as_the_whole_block)
{
    kern_init();
    enum { N = 1000, TAIL = 37, STEPS = 3, RANKS = 3, RANGES = 2 };
    /* Per case and rank, up to RANGES ranges [lo, hi) ({0, 0}: none); the ranks tile [0, N). */
    const size_t cases[][RANKS][RANGES][2] = {
        {{{0, 512}}, {{512, 1000}}, {{1000, 1000}}},
        {{{0, 960}}, {{960, 970}}, {{970, 1000}}},
        {{{0, 333}}, {{333, 666}}, {{666, 1000}}},
        {{{0, 200}, {500, 700}}, {{200, 400}, {700, 980}}, {{400, 500}, {980, 1000}}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        float *p = xalloc_floats(N), *g = xalloc_floats(N), *gs = xalloc_floats(N), *pr[RANKS];
        rng r = rng_make(5, 0, c);
        for (int i = 0; i < N; i++) p[i] = rng_normal(&r, 0.0f, 0.1f);
        adam whole, rank[RANKS];
        adam_init(&whole, N, p, g, 2e-4f, 0.5f, 0.999f, 1e-8f);
        adam_set_tail_lr(&whole, TAIL, 1e-3f);
        for (int k = 0; k < RANKS; k++) {
            pr[k] = xalloc_floats(N);
            memcpy(pr[k], p, N * sizeof *p);
            adam_init(&rank[k], N, pr[k], g, 2e-4f, 0.5f, 0.999f, 1e-8f);
            adam_set_tail_lr(&rank[k], TAIL, 1e-3f);
        }
        for (int t = 0; t < STEPS; t++) {
            for (int i = 0; i < N; i++) g[i] = rng_normal(&r, 0.0f, 1e-3f);
            adam_step(&whole);
            for (int k = 0; k < RANKS; k++) {
                const size_t (*range)[2] = cases[c][k];
                int n = 0;
                size_t at = 0;
                for (; n < RANGES && range[n][1] > range[n][0]; n++) /* the shard's gradients, packed */
                    for (size_t i = range[n][0]; i < range[n][1]; i++) gs[at++] = g[i];
                adam_step_ranges(&rank[k], n, range, gs);
            }
            for (int k = 0; k < RANKS; k++) /* the exchange: every rank gets every shard */
                for (int q = 0; q < RANGES; q++)
                    for (int j = 0; j < RANKS; j++) {
                        size_t lo = cases[c][k][q][0], hi = cases[c][k][q][1];
                        memcpy(pr[j] + lo, pr[k] + lo, (hi - lo) * sizeof *p);
                    }
        }
        for (int k = 0; k < RANKS; k++) {
            bool same = rank[k].t == whole.t && memcmp(pr[k], p, N * sizeof *p) == 0;
            for (int q = 0; q < RANGES; q++) {
                size_t lo = cases[c][k][q][0], len = (cases[c][k][q][1] - lo) * sizeof *p;
                same = same && memcmp(rank[k].m + lo, whole.m + lo, len) == 0 &&
                       memcmp(rank[k].v + lo, whole.v + lo, len) == 0;
            }
            cr_expect(same, "case %zu: rank %d's weights or its shard's moments differ from the block's step", c, k);
            adam_free(&rank[k]);
            free(pr[k]);
        }
        adam_free(&whole);
        free(p), free(g), free(gs);
    }
}

/* A linear layer that defers its weight gradient over two backwards (net_defer_weight_grads)
 * gets the bits of one product over both batches' rows, and (within rounding) the gradient
 * of two backwards that each add theirs; dw is untouched until net_finish_weight_grads, and a
 * batch larger than the kept rows is added at once. */
Test(nn, deferred_weight_gradient_is_one_product_over_both_batches)
{
    kern_init();
    const layer_spec spec[] = {{LAYER_LINEAR, 70, 1, 1, 0, 0, false}};
    const int in = 300, out = 70, n = 5;
    size_t np = net_param_count(spec, 1, in, 1, 1, NULL), nw = (size_t)in * out;
    float *params = xalloc_floats(np), *grads = xalloc_floats(np), *plain_grads = xalloc_floats(np);
    float *x = xalloc_floats(2 * (size_t)n * in), *dy = xalloc_floats(2 * (size_t)n * out);
    float *want = xalloc_floats(nw);
    rng r = rng_make(6, 1, 0);
    for (size_t i = 0; i < 2 * (size_t)n * in; i++) x[i] = rng_uniform_range(&r, -1.0f, 1.0f);
    for (size_t i = 0; i < 2 * (size_t)n * out; i++) dy[i] = rng_uniform_range(&r, -1.0f, 1.0f);
    net *deferred = net_create(spec, 1, in, 1, 1, 2 * n, 0.1f, 1e-5f, params, grads);
    net *plain = net_create(spec, 1, in, 1, 1, 2 * n, 0.1f, 1e-5f, params, plain_grads);
    rng rg = rng_make(4, 1, 0);
    net_init_params(deferred, &(nn_init){0.3f}, &rg);
    net_defer_weight_grads(deferred, 2 * n);
    net_zero_grads(deferred);
    net_zero_grads(plain);
    memset(grads, 0, np * sizeof(float));
    for (int b = 0; b < 2; b++) {
        net_forward(deferred, x + (size_t)b * n * in, n);
        net_backward(deferred, dy + (size_t)b * n * out, true, false);
        net_forward(plain, x + (size_t)b * n * in, n);
        net_backward(plain, dy + (size_t)b * n * out, true, false);
    }
    for (size_t i = 0; i < nw; i++) cr_assert(grads[i] == 0.0f, "dw written before net_finish_weight_grads");
    net_finish_weight_grads(deferred);
    kern.sgemm(true, false, out, in, 2 * n, 1.0f, dy, out, x, in, 0.0f, want, in);
    cr_expect(memcmp(grads, want, nw * sizeof(float)) == 0, "not the bits of one product over both batches");
    for (size_t i = 0; i < nw; i++)
        cr_assert(fabsf(grads[i] - plain_grads[i]) <= 1e-5f * (1.0f + fabsf(plain_grads[i])),
                  "dw[%zu] = %g, two backwards give %g", i, (double)grads[i], (double)plain_grads[i]);
    /* a batch of more rows than are kept: added at once */
    net_zero_grads(deferred);
    net_defer_weight_grads(deferred, n - 1);
    net_forward(deferred, x, n);
    net_backward(deferred, dy, true, false);
    kern.sgemm(true, false, out, in, n, 1.0f, dy, out, x, in, 0.0f, want, in);
    cr_expect(memcmp(grads, want, nw * sizeof(float)) == 0, "a batch past the kept rows was not added at once");
    net_free(deferred), net_free(plain);
    free(params), free(grads), free(plain_grads), free(x), free(dy), free(want);
}

/* Adam's step with the repacking folded in (net_adam_step) gives adam_step's bits (weights and
 * moments), and leaves packed weights that are pack_b's of the new weights: on every supported
 * ISA (packed forms only with the bfloat16 GEMMs), a linear layer of 700 -> 1100 (several chunks
 * of rows; k blocks of odd depth) between two small ones, with the forms the products used;
 * 1, 2 and 3 threads (the shares of 2 and 3 start inside panels of form 0). */
Test(nn, adam_step_with_repacking_gives_adam_step_bits)
{
    kern_init();
    const kern_table saved = kern;
    const layer_spec specs[] = {{LAYER_LINEAR, 700, 1, 1, 0, 0, false}, {LAYER_LINEAR, 1100, 1, 1, 0, 0, false},
                                {LAYER_LINEAR, 3, 1, 1, 0, 0, false}};
    const int n = 4, in = 9;
    size_t np = net_param_count(specs, 3, in, 1, 1, NULL);
    float *x = xalloc_floats((size_t)n * in), *r = xalloc_floats((size_t)n * 3);
    rng rx = rng_make(5, 1, 0);
    for (int i = 0; i < n * in; i++) x[i] = rng_uniform_range(&rx, -1.0f, 1.0f);
    for (int i = 0; i < n * 3; i++) r[i] = rng_uniform_range(&rx, -1.0f, 1.0f);
    const int threads_before = omp_get_max_threads();
    for (int task = 0; task < 3 * KERN_ISA_COUNT; task++) {
        int isa = task % KERN_ISA_COUNT, threads = 1 + task / KERN_ISA_COUNT;
        omp_set_num_threads(threads); /* 2 and 3: shares split inside panels of form 0 */
        if (!kern_isa_supported((kern_isa)isa)) {
            if (threads > 1) continue;
            cr_log_info("ISA %s not supported by this CPU or build: skipped", kern_isa_name((kern_isa)isa));
            continue;
        }
        kern_fill((kern_isa)isa, &kern);
        float *p[2], *g[2];
        net *nt[2];
        adam opt[2];
        for (int k = 0; k < 2; k++) {
            p[k] = xalloc_floats(np), g[k] = xalloc_floats(np);
            nt[k] = net_create(specs, 3, in, 1, 1, n, 0.1f, 1e-5f, p[k], g[k]);
            rng rg = rng_make(6, 1, 0);
            net_init_params(nt[k], &(nn_init){0.05f}, &rg);
            net_cache_weights(nt[k], true);
            adam_init(&opt[k], np, p[k], g[k], 1e-3f, 0.5f, 0.999f, 1e-8f);
        }
        for (int step = 0; step < 2; step++) {
            for (int k = 0; k < 2; k++) {
                net_zero_grads(nt[k]);
                net_forward(nt[k], x, n);
                net_backward(nt[k], r, true, true);
            }
            adam_begin_step(&opt[0]);
            net_adam_step(nt[0], &opt[0]);
            adam_step(&opt[1]);
            net_weights_changed(nt[1]);
            cr_expect(memcmp(p[0], p[1], np * sizeof(float)) == 0 && memcmp(opt[0].m, opt[1].m, np * sizeof(float)) == 0 &&
                      memcmp(opt[0].v, opt[1].v, np * sizeof(float)) == 0, "%s, %d threads, step %d: not adam_step's "
                      "bits", kern_isa_name((kern_isa)isa), threads, step + 1);
        }
        layer *l = &nt[0]->layers[1];
        int forms = 0;
        for (int which = 0; which < 2; which++) {
            if (l->w_packed_version[which] != l->w_version) continue; /* not packed ahead (f32 GEMMs) */
            int k = which ? 1100 : 700, nn = which ? 700 : 1100;
            size_t floats = kern.sgemm_packed_b_floats(k, nn);
            float *want = xalloc_floats(floats);
            memcpy(want, l->w_packed[which], floats * sizeof(float)); /* the padding as it was */
            kern.sgemm_pack_b(which == 0, k, nn, l->w, 700, want);
            cr_expect(memcmp(want, l->w_packed[which], floats * sizeof(float)) == 0,
                      "%s, %d threads: packed form %d is not pack_b's of the stepped weights",
                      kern_isa_name((kern_isa)isa), threads, which);
            free(want);
            forms++;
        }
        cr_expect_eq(forms, kern_isa_reduced((kern_isa)isa) ? 2 : 0, "%s: %d packed forms kept",
                     kern_isa_name((kern_isa)isa), forms);
        for (int k = 0; k < 2; k++) net_free(nt[k]), adam_free(&opt[k]), free(p[k]), free(g[k]);
    }
    omp_set_num_threads(threads_before);
    kern = saved;
    free(x), free(r);
}
