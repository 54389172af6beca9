/* lib_disentangle.c: normalized MI, MIG, SAP and the FactorVAE metric on constructed codes
 * with known answers: perfect codes, a code mixing two factors, uninformative codes.
 * Tolerances: the plug-in MI of n = 10000 items is biased up by about (bins-1)(levels-1) /
 * (2n) nats (< 0.01 here), so "about 0" means < 0.02 and "about 1" means > 0.98. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "data/dataset.h"
#include "eval/disentangle.h"
#include "base/rng.h"

#define N 10000

/* n items with factors of the given levels drawn independently and uniformly; value =
 * index. */
static dataset *random_factors(int nf, const int *levels, uint64_t seed)
{
    dataset *d = dataset_alloc("constructed", N, 1, 1, 1, nf);
    rng r = rng_make(seed, 1, 0);
    for (int f = 0; f < nf; f++) d->factor_levels[f] = levels[f];
    for (int i = 0; i < N; i++)
        for (int f = 0; f < nf; f++) {
            int v = (int)rng_below(&r, (uint32_t)levels[f]);
            d->factor_index[i * nf + f] = v;
            d->factor_value[i * nf + f] = (float)v;
        }
    return d;
}

Test(lib_disentangle, discretize_equal_width)
{
    float x[5] = {0.0f, 0.24f, 0.5f, 0.76f, 1.0f};
    int bin[5], want[5] = {0, 0, 2, 3, 3}; /* 4 bins of width 0.25; the maximum in the last */
    dis_discretize(5, x, 1, 4, bin);
    for (int i = 0; i < 5; i++) cr_assert_eq(bin[i], want[i], "value %d", i);
    float same[3] = {2.0f, 2.0f, 2.0f};
    dis_discretize(3, same, 1, 4, bin);
    for (int i = 0; i < 3; i++) cr_assert_eq(bin[i], 0);
}

Test(lib_disentangle, mig_of_a_given_matrix)
{
    /* codes x factors: factor 0 gap 0.9 - 0.3 = 0.6, factor 1 gap 0.6 - 0.1 = 0.5. */
    double nmi[4] = {0.9, 0.1, 0.3, 0.6}, gap[2];
    cr_assert_float_eq(dis_mig(nmi, 2, 2, gap), 0.55, 1e-12);
    cr_assert_float_eq(gap[0], 0.6, 1e-12);
    cr_assert_float_eq(gap[1], 0.5, 1e-12);
}

/* Two continuous codes, each one factor (10 levels) scaled to [-1,1] plus +-0.01 noise. */
Test(lib_disentangle, perfect_codes)
{
    int levels[2] = {10, 10}, kinds[2] = {0, 0};
    dataset *d = random_factors(2, levels, 1);
    float *v = malloc(N * 2 * sizeof *v);
    rng r = rng_make(2, 1, 0);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 2; j++)
            v[i * 2 + j] = (float)d->factor_index[i * 2 + j] / 4.5f - 1.0f + rng_uniform_range(&r, -0.01f, 0.01f);
    dis_codes c = {N, 2, v, kinds};
    double nmi[4], gap[2];
    dis_nmi_matrix(&c, d, nmi);
    cr_assert_float_eq(nmi[0], 1.0, 1e-9, "code 0 pins factor 0 (each bin holds one level)");
    cr_assert_float_eq(nmi[3], 1.0, 1e-9);
    cr_assert_lt(nmi[1], 0.02, "code 0 says nothing of factor 1: %g", nmi[1]);
    cr_assert_lt(nmi[2], 0.02);
    double mig = dis_mig(nmi, 2, 2, gap);
    cr_assert_gt(mig, 0.98, "MIG %g", mig);
    double sap = dis_sap(&c, d, NULL, NULL);
    cr_assert_gt(sap, 0.98, "SAP %g", sap);
    dis_fvae_opts o;
    dis_fvae_opts_default(&o);
    cr_assert_float_eq(dis_factorvae(&c, d, &o), 1.0, 1e-12);
    free(v);
    dataset_free(d);
}

/* Binary factors f0, f1; code A = f0 (Cat(2)), code B = 2 f0 + f1 (Cat(4)) mixes both. MIG:
 * f0 is pinned by both codes (gap 0), f1 only by B (gap 1) -> 0.5. SAP with categorical
 * factors: f0 accuracies 1 and 1 (gap 0), f1: B 1, A chance 0.5 (gap 0.5) -> 0.25. FactorVAE:
 * fixing f0 freezes A, fixing f1 leaves A the most spread -> B; a perfect classifier, 1. */
Test(lib_disentangle, mixed_code)
{
    int levels[2] = {2, 2}, kinds[2] = {2, 4};
    bool categorical[2] = {true, true};
    dataset *d = random_factors(2, levels, 3);
    float *v = malloc(N * 2 * sizeof *v);
    for (int i = 0; i < N; i++) {
        int f0 = d->factor_index[i * 2], f1 = d->factor_index[i * 2 + 1];
        v[i * 2] = (float)f0, v[i * 2 + 1] = (float)(2 * f0 + f1);
    }
    dis_codes c = {N, 2, v, kinds};
    double nmi[4], gap[2];
    dis_nmi_matrix(&c, d, nmi);
    cr_assert_float_eq(nmi[0], 1.0, 1e-9);
    cr_assert_float_eq(nmi[2], 1.0, 1e-9);
    cr_assert_float_eq(nmi[3], 1.0, 1e-9);
    cr_assert_lt(nmi[1], 0.02, "A says nothing of f1: %g", nmi[1]);
    double mig = dis_mig(nmi, 2, 2, gap);
    cr_assert_float_eq(mig, 0.5, 0.01, "MIG %g", mig);
    cr_assert_lt(gap[0], 1e-9);
    double sap = dis_sap(&c, d, categorical, NULL);
    cr_assert_float_eq(sap, 0.25, 0.02, "SAP %g", sap);
    dis_fvae_opts o;
    dis_fvae_opts_default(&o);
    cr_assert_float_eq(dis_factorvae(&c, d, &o), 1.0, 1e-12);
    free(v);
    dataset_free(d);
}

/* Three continuous codes drawn independently of four 5-level factors: every score near
 * its floor; FactorVAE near chance (1/4: each vote's argmin is arbitrary), below 0.35. */
Test(lib_disentangle, uninformative_codes)
{
    int levels[4] = {5, 5, 5, 5}, kinds[3] = {0, 0, 0};
    dataset *d = random_factors(4, levels, 4);
    float *v = malloc(N * 3 * sizeof *v);
    rng r = rng_make(5, 1, 0);
    for (int i = 0; i < N * 3; i++) v[i] = rng_uniform_range(&r, -1.0f, 1.0f);
    dis_codes c = {N, 3, v, kinds};
    double nmi[12];
    dis_nmi_matrix(&c, d, nmi);
    for (int i = 0; i < 12; i++) cr_assert_lt(nmi[i], 0.02, "cell %d: %g", i, nmi[i]);
    cr_assert_lt(dis_mig(nmi, 3, 4, NULL), 0.02);
    double sap = dis_sap(&c, d, NULL, NULL);
    cr_assert_lt(sap, 0.02, "SAP %g", sap);
    dis_fvae_opts o;
    dis_fvae_opts_default(&o);
    double acc = dis_factorvae(&c, d, &o);
    cr_assert_lt(acc, 0.35, "FactorVAE %g", acc);
    free(v);
    dataset_free(d);
}

Test(lib_disentangle, collapsed_codes_score_zero)
{
    int levels[2] = {4, 3}, kinds[2] = {0, 5};
    dataset *d = random_factors(2, levels, 6);
    float *v = calloc(N * 2, sizeof *v); /* every code constant */
    dis_codes c = {N, 2, v, kinds};
    double nmi[4];
    dis_nmi_matrix(&c, d, nmi);
    for (int i = 0; i < 4; i++) cr_assert_float_eq(nmi[i], 0.0, 1e-12);
    dis_fvae_opts o;
    dis_fvae_opts_default(&o);
    cr_assert_float_eq(dis_factorvae(&c, d, &o), 0.0, 1e-12);
    free(v);
    dataset_free(d);
}

Test(lib_disentangle, rejects_a_category_out_of_range, .exit_code = 1)
{
    int levels[1] = {2}, kinds[1] = {3};
    dataset *d = random_factors(1, levels, 7);
    float *v = calloc(N, sizeof *v);
    v[5] = 3.0f; /* Cat(3) takes 0..2 */
    dis_codes c = {N, 1, v, kinds};
    double nmi[1];
    dis_nmi_matrix(&c, d, nmi);
}
