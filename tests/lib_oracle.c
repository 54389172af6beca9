/* lib_oracle.c: the stand-in oracle (eval/oracle.h): a tiny one trained on 600 rendered
 * faces reads lighting well above chance; coverage of the data itself is about 1, of a
 * "generator" that always draws the same image 0; the file round-trips and a damaged,
 * truncated or foreign file is refused naming it; the traversal score on constructed
 * predictions: 0 for a code that changes nothing, 1 for one that alone sets the factor, a
 * worked example in between. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/standin/render.h"
#include "eval/oracle.h"

#define N_TRAIN 600
#define N_HELD 200

static int factor_named(const oracle *o, const char *name)
{
    int found = -1;
    for (int f = 0; f < o->n_factors; f++)
        if (strcmp(o->factor_names[f], name) == 0) found = f;
    cr_assert_geq(found, 0, "no factor %s", name);
    return found;
}

/* 200 Adam steps on 600 faces (a few seconds), then every measure on held-out faces. */
Test(lib_oracle, tiny_oracle_reads_lighting_and_sees_a_collapse, .timeout = 120)
{
    dataset *all = render_dataset(&render_faces, N_TRAIN + N_HELD, 1);
    dataset *train = dataset_slice(all, 0, N_TRAIN), *held = dataset_slice(all, N_TRAIN, N_HELD);
    oracle *o = oracle_create(train);
    oracle_opts opts;
    oracle_opts_default(&opts);
    opts.iterations = 200, opts.progress = false;
    oracle_train(o, train, &opts);
    double acc[DATASET_MAX_FACTORS];
    oracle_accuracy(o, held, acc);
    int light = factor_named(o, "lighting");
    double chance = 1.0 / o->factor_levels[light];
    cr_assert_gt(acc[light], 5 * chance, "lighting: held-out accuracy %.3f, chance %.3f", acc[light], chance);

    /* Coverage: the two halves of the held-out faces against each other, and 100 copies of
     * one face (a generator collapsed to one image) against the second half. */
    int half = N_HELD / 2;
    size_t img = (size_t)held->c * held->h * held->w;
    float *probs = malloc((size_t)N_HELD * o->n_logits * sizeof *probs);   /* (N_HELD, n_logits) */
    float *copies = malloc((size_t)half * img * sizeof *copies);           /* (half, C, H, W) */
    float *p_copies = malloc((size_t)half * o->n_logits * sizeof *p_copies);
    oracle_predict(o, N_HELD, held->images, probs);
    for (int i = 0; i < half; i++) memcpy(copies + i * img, held->images, img * sizeof *copies);
    oracle_predict(o, half, copies, p_copies);
    const float *second = probs + (size_t)half * o->n_logits;
    double same[DATASET_MAX_FACTORS], collapsed[DATASET_MAX_FACTORS];
    oracle_coverage(o, half, probs, half, second, same);
    oracle_coverage(o, half, p_copies, half, second, collapsed);
    for (int f = 0; f < o->n_factors; f++) {
        cr_assert(same[f] > 0.8 && same[f] < 1.2, "%s: coverage of real faces %.3f", o->factor_names[f], same[f]);
        cr_assert_lt(collapsed[f], 0.05, "%s: coverage of one face copied %.3f", o->factor_names[f], collapsed[f]);
    }
    free(probs), free(copies), free(p_copies);
    oracle_free(o);
    dataset_free(all), dataset_free(train), dataset_free(held);
}

/* A small set of 8x8 images with two factors (3 and 2 levels), for the file tests. */
static dataset *small_set(void)
{
    dataset *d = dataset_alloc("small", 16, 1, 8, 8, 2);
    snprintf(d->factor_names[0], sizeof d->factor_names[0], "shade");
    snprintf(d->factor_names[1], sizeof d->factor_names[1], "side");
    d->factor_levels[0] = 3, d->factor_levels[1] = 2;
    for (int i = 0; i < d->n; i++) {
        d->factor_index[i * 2] = i % 3, d->factor_index[i * 2 + 1] = i % 2;
        for (int p = 0; p < 64; p++) d->images[i * 64 + p] = (float)(i % 3) / 2 * (p % 8 < 4 ? (float)(i % 2) : 1.0f);
    }
    return d;
}

static oracle *small_oracle(const dataset *d)
{
    oracle *o = oracle_create(d);
    oracle_opts opts;
    oracle_opts_default(&opts);
    opts.iterations = 3, opts.progress = false;
    oracle_train(o, d, &opts);
    double acc[DATASET_MAX_FACTORS];
    oracle_accuracy(o, d, acc);
    o->data_version = 7, o->data_seed = 11;
    snprintf(o->about, sizeof o->about, "a test");
    return o;
}

Test(lib_oracle, file_round_trips)
{
    dataset *d = small_set();
    oracle *o = small_oracle(d);
    char path[] = "/tmp/oracle_test_XXXXXX";
    close(mkstemp(path));
    oracle_save(o, path);
    char err[1024] = "";
    oracle *back = oracle_load_try(path, err, sizeof err);
    cr_assert(back, "%s", err);
    cr_assert(oracle_fits(back, d));
    cr_assert_eq(back->data_version, 7);
    cr_assert_eq(back->data_seed, 11);
    cr_assert_eq(back->iterations, 3);
    cr_assert_eq(back->n_train, 16);
    cr_assert_eq(back->n_heldout, 16);
    cr_assert_str_eq(back->about, "a test");
    for (int f = 0; f < 2; f++) cr_assert_eq(back->accuracy[f], o->accuracy[f]);
    float a[16 * 5], b[16 * 5]; /* (16, n_logits) */
    oracle_predict(o, 16, d->images, a);
    oracle_predict(back, 16, d->images, b);
    cr_assert_eq(memcmp(a, b, sizeof a), 0, "the loaded oracle predicts other numbers");
    oracle_free(back), oracle_free(o);
    unlink(path);
    dataset_free(d);
}

/* oracle_load_try refuses path with a sentence naming it and saying `why`. */
static void refused(const char *path, const char *why)
{
    char err[1024] = "";
    oracle *o = oracle_load_try(path, err, sizeof err);
    cr_assert_null(o, "accepted a bad oracle file (%s)", why);
    cr_assert(strstr(err, path), "the message does not name the file: %s", err);
    cr_assert(strstr(err, why), "the message does not say '%s': %s", why, err);
}

Test(lib_oracle, damaged_truncated_or_foreign_files_are_refused)
{
    dataset *d = small_set();
    oracle *o = small_oracle(d);
    char path[] = "/tmp/oracle_test_XXXXXX";
    close(mkstemp(path));
    oracle_save(o, path);
    FILE *f = fopen(path, "r+b");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size / 2, SEEK_SET); /* a weight's byte */
    int c = fgetc(f);
    fseek(f, size / 2, SEEK_SET);
    fputc(c ^ 0x10, f);
    fclose(f);
    refused(path, "checksum");
    cr_assert_eq(truncate(path, size - 40), 0);
    refused(path, "checksum");
    cr_assert_eq(truncate(path, 20), 0);
    refused(path, "truncated");
    f = fopen(path, "wb");
    fputs("IGANCKPT and then whatever a checkpoint holds, long enough to pass the size check", f);
    fclose(f);
    refused(path, "not an oracle");
    unlink(path);
    refused(path, "cannot open");
    oracle_free(o);
    dataset_free(d);
}

/* probs (draws, values, 5) of small_set's layout: factor "shade" (3 levels) set by `level`
 * (a one-hot), "side" always level 0. */
static float *sweep(int draws, int values, int (*level)(int d, int v))
{
    float *p = calloc((size_t)draws * values * 5, sizeof *p);
    for (int d = 0; d < draws; d++)
        for (int v = 0; v < values; v++) {
            p[(d * values + v) * 5 + level(d, v)] = 1.0f;
            p[(d * values + v) * 5 + 3] = 1.0f;
        }
    return p;
}
static int by_draw(int d, int v) { (void)v; return d % 3; }
static int by_value(int d, int v) { (void)d; return v % 3; }
static int by_both(int d, int v) { return (d + v) % 3; }
static int worked(int d, int v) { return d == 0 && v == 1 ? 1 : 0; }

Test(lib_oracle, traversal_score_on_constructed_predictions)
{
    dataset *d = small_set();
    oracle *o = oracle_create(d);
    float *p = sweep(30, 6, by_draw);
    cr_assert_lt(oracle_traversal(o, 0, 30, 6, p), 1e-9, "a code that changes nothing");
    cr_assert_eq(oracle_traversal(o, 1, 30, 6, p), 0.0, "a factor that never changes");
    free(p);
    p = sweep(30, 6, by_value);
    cr_assert_float_eq(oracle_traversal(o, 0, 30, 6, p), 1.0, 1e-9, "a code that alone sets the factor");
    free(p);
    p = sweep(30, 6, by_both);
    cr_assert_lt(oracle_traversal(o, 0, 30, 6, p), 1e-9, "a code whose effect the other latents decide");
    free(p);
    /* Two draws, two values: e0 e1 / e0 e0. Mean (3/4, 1/4); column means e0 and (1/2, 1/2),
     * each 1/8 from it: between 1/8; total (3 * 1/8 + 9/8) / 4 = 3/8; score 1/3. */
    p = sweep(2, 2, worked);
    cr_assert_float_eq(oracle_traversal(o, 0, 2, 2, p), 1.0 / 3.0, 1e-6);
    free(p);
    oracle_free(o);
    dataset_free(d);
}

Test(lib_oracle, coverage_on_constructed_predictions)
{
    dataset *d = small_set();
    oracle *o = oracle_create(d);
    float uniform[30 * 5] = {0}, one[30 * 5] = {0}, two[30 * 5] = {0}; /* (30, n_logits) */
    for (int i = 0; i < 30; i++) {
        uniform[i * 5 + i % 3] = one[i * 5] = two[i * 5 + i % 2] = 1.0f;
        uniform[i * 5 + 3 + i % 2] = one[i * 5 + 3] = two[i * 5 + 3 + i % 2] = 1.0f;
    }
    double cov[2];
    oracle_coverage(o, 30, uniform, 30, uniform, cov);
    cr_assert_float_eq(cov[0], 1.0, 1e-12);
    cr_assert_float_eq(cov[1], 1.0, 1e-12);
    oracle_coverage(o, 30, one, 30, uniform, cov);
    cr_assert_eq(cov[0], 0.0, "one level of three drawn: %g", cov[0]);
    oracle_coverage(o, 30, two, 30, uniform, cov);
    cr_assert_float_eq(cov[0], log(2.0) / log(3.0), 1e-12, "two levels of three, equally often");
    cr_assert_float_eq(cov[1], 1.0, 1e-12);
    oracle_coverage(o, 30, uniform, 30, one, cov);
    cr_assert(isnan(cov[0]), "a factor the data shows at one level has no coverage: %g", cov[0]);
    oracle_free(o);
    dataset_free(d);
}
