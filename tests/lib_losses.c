/* lib_losses.c: losses against hand-computed values; the latent spec, its sampling and
 * H(c); the RNG streams. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "model/latent.h"
#include "model/losses.h"
#include "base/rng.h"

#define TOL 1e-6

Test(losses, gan_losses_match_hand_values)
{
    float l[2] = {0.0f, logf(3.0f)}, d[2];
    /* -log sigmoid(0) = ln 2; -log sigmoid(ln 3) = ln(4/3). Gradients (sigmoid - 1) / n. */
    double v = loss_gan_real(2, l, d, 1.0);
    cr_expect_float_eq(v, (log(2.0) + log(4.0 / 3.0)) / 2, TOL);
    cr_expect_float_eq(d[0], -0.25f, 1e-6f);
    cr_expect_float_eq(d[1], -0.125f, 1e-6f);
    /* -log(1 - sigmoid(ln 3)) = ln 4; gradient sigmoid / n, scaled by 2. */
    v = loss_gan_fake(2, l, d, 2.0);
    cr_expect_float_eq(v, (log(2.0) + log(4.0)) / 2, TOL);
    cr_expect_float_eq(d[0], 0.5f, 1e-6f);
    cr_expect_float_eq(d[1], 0.75f, 1e-6f);
    /* Large logits stay finite: softplus(100) = 100. */
    float big = 100.0f;
    cr_expect_float_eq(loss_gan_fake(1, &big, d, 1.0), 100.0, 1e-9);
    cr_expect(isfinite(loss_gan_real(1, &(float){-100.0f}, d, 1.0)));
}

Test(losses, categorical_cross_entropy_matches_hand_values)
{
    /* Row 0: uniform over 4 -> ln 4. Row 1: logits (ln 1, ln 3, 0, ...) -> -log(3/ (1+3+1+1)). */
    float l[2 * 5] = {0, 0, 0, 0, 99, 0, logf(3.0f), 0, 0, 99}, d[10];
    int t[2] = {2, 1};
    double v = loss_cat_ce(2, 4, l, 5, t, d, 1.0);
    cr_expect_float_eq(v, (log(4.0) - log(3.0 / 6.0)) / 2, TOL);
    cr_expect_float_eq(d[0], 0.125f, 1e-6f);            /* (0.25 - 0) / 2 */
    cr_expect_float_eq(d[2], -0.375f, 1e-6f);           /* (0.25 - 1) / 2 */
    cr_expect_float_eq(d[6], (0.5f - 1.0f) / 2, 1e-6f);
    cr_expect_float_eq(d[7], (1.0f / 6) / 2, 1e-6f);
}

Test(losses, gaussian_nll_fixed_and_learned_std)
{
    const double half_log_2pi = 0.5 * log(2 * M_PI);
    float mu[1] = {0.5f}, t[1] = {1.0f}, dm[1], ds[1];
    /* Fixed std 1: 0.5 ln 2pi + 0.5 * 0.25; d/dmu = mu - t. */
    cr_expect_float_eq(loss_gauss_nll(1, mu, NULL, 1, t, 1, -HUGE_VAL, HUGE_VAL, dm, NULL, 1.0), half_log_2pi + 0.125, TOL);
    cr_expect_float_eq(dm[0], -0.5f, 1e-6f);
    /* std = exp(ln 2) = 2: 0.5 ln 2pi + ln 2 + 0.5 * 0.25 / 4; d/ds = 1 - r^2 = 1 - 1/16. */
    float ls[1] = {logf(2.0f)};
    cr_expect_float_eq(loss_gauss_nll(1, mu, ls, 1, t, 1, -HUGE_VAL, HUGE_VAL, dm, ds, 1.0),
                       half_log_2pi + log(2.0) + 0.125 / 4, 1e-6);
    cr_expect_float_eq(dm[0], -0.125f, 1e-6f);
    cr_expect_float_eq(ds[0], 1.0f - 1.0f / 16, 1e-6f);
}

/* NLL of row i alone (n = 1) at log std x: the loss the clamped gradient must follow. */
static double nll_at(const float *mu, const float *t, float x, double lo, double hi)
{
    float dm, ds;
    return loss_gauss_nll(1, mu, &x, 1, t, 1, lo, hi, &dm, &ds, 1.0);
}

/* --std-min: inside [lo, hi] the log std's gradient is the NLL's (central differences); where
 * clamped it is 0 (the NLL is flat there) and the NLL is the one at the bound. */
Test(losses, clamped_log_std_gradient_matches_finite_differences_inside_and_is_zero_outside)
{
    const double lo = log(0.1), hi = LOSS_LOG_STD_MAX, h = 1e-3;
    /* Inside: -2, -0.5, 0.3, 0.9; below: -4, -2.5; above: 1.2, 3. */
    float ls[8] = {-2.0f, -0.5f, 0.3f, 0.9f, -4.0f, -2.5f, 1.2f, 3.0f};
    float mu[8] = {0.2f, -0.4f, 0.9f, 0.0f, 0.1f, -0.3f, 0.5f, 0.8f};
    float t[8] = {0.25f, 0.3f, -0.6f, 0.5f, 0.12f, 0.2f, -0.9f, 0.1f}, dm[8], ds[8];
    loss_gauss_nll(8, mu, ls, 1, t, 1, lo, hi, dm, ds, 8.0); /* scale n: per-row gradients */
    for (int i = 0; i < 8; i++) {
        float up = ls[i] + (float)h, down = ls[i] - (float)h;
        double fd = (nll_at(&mu[i], &t[i], up, lo, hi) - nll_at(&mu[i], &t[i], down, lo, hi)) /
                    ((double)up - (double)down);
        bool inside = (double)ls[i] > lo && (double)ls[i] < hi;
        cr_expect(fabs(fd - (double)ds[i]) <= 1e-3 * fmax(1.0, fabs(fd)), "row %d (log std %g): "
                  "gradient %g, finite difference %g", i, (double)ls[i], (double)ds[i], fd);
        if (inside) {
            cr_expect(ds[i] != 0.0f, "row %d inside the range has no gradient", i);
            continue;
        }
        cr_expect(ds[i] == 0.0f, "row %d (log std %g) is clamped but has gradient %g", i, (double)ls[i], (double)ds[i]);
        double bound = (double)ls[i] < lo ? lo : hi;
        cr_expect_float_eq(nll_at(&mu[i], &t[i], ls[i], lo, hi),
                           nll_at(&mu[i], &t[i], (float)bound, -HUGE_VAL, HUGE_VAL), 1e-6);
    }
    /* Without bounds the same rows follow the unclamped NLL: a log std of -4 has a gradient. */
    loss_gauss_nll(8, mu, ls, 1, t, 1, -HUGE_VAL, HUGE_VAL, dm, ds, 8.0);
    cr_expect(ds[4] != 0.0f && ds[7] != 0.0f);
}

/* loss_info's std_min reaches the NLL: a log std of -5 is used as std 0.1 (its mean std). */
Test(losses, information_term_clamps_a_learned_std_at_std_min)
{
    latent_spec s;
    latent_parse(&s, "noise:1,cont:1", "--latent");
    float z[2] = {0.3f, 0.5f}, q[2] = {0.5f, -5.0f}, dq[2]; /* mean exact, log std -5 */
    double li[1], std_mean[1];
    loss_info(&s, true, 0.1f, 1, q, z, 1.0f, 1.0f, li, std_mean, dq);
    cr_expect_float_eq(std_mean[0], 0.1, 1e-6);
    cr_expect_float_eq(li[0], log(2.0) - 0.5 * log(2 * M_PI) - log(0.1), 1e-6);
    cr_expect(dq[1] == 0.0f, "the clamped log std has gradient %g", (double)dq[1]);
    loss_info(&s, true, 0.0f, 1, q, z, 1.0f, 1.0f, li, std_mean, dq); /* 0: no clamp */
    cr_expect_float_eq(std_mean[0], exp(-5.0), 1e-9);
    cr_expect(dq[1] != 0.0f);
}

Test(losses, information_term_per_code)
{
    latent_spec s;
    latent_parse(&s, "noise:2,cat:4,cont:1", "--latent");
    /* One row: Q perfectly sure of category 3, mean exactly the code. */
    float z[1 * 7] = {0.1f, -0.2f, 0, 0, 0, 1, 0.25f};
    float q[5] = {-50, -50, -50, 50, 0.25f}, dq[5];
    double li[2];
    double total = loss_info(&s, false, 0.1f, 1, q, z, 1.0f, 0.5f, li, NULL, dq);
    cr_expect_float_eq(li[0], log(4.0), 1e-9);                     /* H(c) - 0 */
    cr_expect_float_eq(li[1], log(2.0) - 0.5 * log(2 * M_PI), 1e-9); /* ln 2 - NLL(0) */
    cr_expect_float_eq(total, li[0] + 0.5 * li[1], 1e-9);
    cr_expect_float_eq(dq[4], 0.0f, 1e-9f);
    /* Uniform Q: L_I of the categorical code is 0; gradient pushes up the true class. */
    float qu[5] = {0, 0, 0, 0, 0.25f};
    loss_info(&s, false, 0.1f, 1, qu, z, 2.0f, 1.0f, li, NULL, dq);
    cr_expect_float_eq(li[0], 0.0, 1e-9);
    cr_expect_float_eq(dq[3], 2.0f * (0.25f - 1.0f), 1e-6f);
}

Test(latent, parses_the_mnist_spec)
{
    latent_spec s;
    latent_parse(&s, "noise:62,cat:10,cont:2", "--latent");
    cr_expect_eq(s.in_dim, 74);
    cr_expect_eq(s.n_codes, 3);
    cr_expect_eq(s.n_cat, 1);
    cr_expect_eq(s.n_cont, 2);
    cr_expect_eq(s.codes[0].in_offset, 62);
    cr_expect_eq(s.codes[1].in_offset, 72);
    cr_expect_eq(s.codes[2].in_offset, 73);
    cr_expect_eq(s.codes[1].q_offset, 10);
    cr_expect_str_eq(s.codes[2].name, "c3");
    cr_expect_eq(latent_q_dim(&s, false), 12);
    cr_expect_eq(latent_q_dim(&s, true), 14);
    cr_expect_float_eq(latent_entropy(&s), log(10.0) + 2 * log(2.0), 1e-12);
    latent_parse(&s, "cat:10,noise:5,cat:20", "--latent");
    cr_expect_eq(s.codes[1].q_offset, 10);
    cr_expect_eq(s.codes[1].in_offset, 15);
}

Test(latent, bad_spec_names_the_flag, .exit_code = 1)
{
    latent_spec s;
    latent_parse(&s, "noise:62,cats:10", "--latent");
}

Test(latent, sampling_is_one_hot_and_uniform)
{
    latent_spec s;
    latent_parse(&s, "noise:3,cat:5,cont:2", "--latent");
    rng r = rng_make(1, RNG_LATENT_D, 0);
    float z[200 * 10];
    int cat[200];
    latent_sample(&s, &r, 200, z, cat);
    int seen[5] = {0};
    for (int i = 0; i < 200; i++) {
        const float *row = z + i * 10;
        float ones = 0;
        for (int j = 3; j < 8; j++) ones += row[j];
        cr_assert(ones == 1.0f && row[3 + cat[i]] == 1.0f, "row %d is not one-hot at its category", i);
        seen[cat[i]]++;
        for (int j = 0; j < 3; j++) cr_assert(row[j] >= -1.0f && row[j] < 1.0f);
        cr_assert(row[8] >= -1.0f && row[8] < 1.0f && row[9] >= -1.0f && row[9] < 1.0f);
    }
    for (int k = 0; k < 5; k++) cr_expect(seen[k] > 20, "category %d drawn %d times of 200", k, seen[k]);
    latent_set_code(&s, 0, z, 4.0f);
    cr_expect(z[7] == 1.0f && z[3] == 0.0f);
    latent_set_code(&s, 2, z, -2.0f);
    cr_expect(z[9] == -2.0f);
}

Test(rng, streams_are_reproducible_and_distinct)
{
    rng a = rng_make(42, RNG_DATA, 3), b = rng_make(42, RNG_DATA, 3);
    rng c = rng_make(42, RNG_DATA, 4), d = rng_make(42, RNG_LATENT_G, 3), e = rng_make(43, RNG_DATA, 3);
    uint64_t x = rng_u64(&a);
    cr_expect_eq(x, rng_u64(&b));
    cr_expect_neq(x, rng_u64(&c));
    cr_expect_neq(x, rng_u64(&d));
    cr_expect_neq(x, rng_u64(&e));
    int perm[100], hit[100] = {0};
    rng_permutation(&a, 100, perm);
    for (int i = 0; i < 100; i++) hit[perm[i]]++;
    for (int i = 0; i < 100; i++) cr_assert_eq(hit[i], 1);
    /* Normal(0,1): mean and variance within 5 sigma of their sampling error at n = 20000. */
    double s = 0, s2 = 0;
    for (int i = 0; i < 20000; i++) {
        double v = rng_normal(&a, 0.0f, 1.0f);
        s += v, s2 += v * v;
    }
    cr_expect(fabs(s / 20000) < 5 * sqrt(1.0 / 20000));
    cr_expect(fabs(s2 / 20000 - 1.0) < 5 * sqrt(2.0 / 20000));
}
