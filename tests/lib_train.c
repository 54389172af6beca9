/* lib_train.c: the whole training pipeline on the toy architecture (8x8 images of ten
 * block patterns) and a few MNIST-sized iterations: smoke training, determinism,
 * checkpoints (round trip, kill/resume equality, corrupt files) and the NaN stop. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/checkpoint.h"
#include "nn/nn.h"
#include "model/infogan.h"
#include "model/train.h"
#include "base/util.h"
#include "toy_data.h"


static infogan_config toy_config(uint64_t seed)
{
    infogan_config c;
    infogan_config_default(&c);
    snprintf(c.arch, sizeof c.arch, "toy");
    latent_parse(&c.latent, "noise:8,cat:10,cont:1", "--latent");
    c.batch = 32;
    c.seed = seed;
    return c;
}

static train_opts quiet_opts(int iterations)
{
    train_opts o;
    train_opts_default(&o);
    o.iterations = iterations;
    o.progress = false;
    return o;
}

typedef struct li_trace { int n; double li[400]; bool finite; } li_trace;

static void record(void *ctx, infogan *m, const infogan_stats *st)
{
    (void)m;
    li_trace *t = ctx;
    t->li[t->n++] = st->li_code[0]; /* the categorical code c1 */
    t->finite &= isfinite(st->d_loss) && isfinite(st->g_loss) && isfinite(st->li);
}

static double mean(const double *v, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += v[i];
    return s / n;
}

/* Every byte of the training state: parameters, Adam moments and counters. */
static void expect_same_state(const infogan *a, const infogan *b)
{
    cr_assert_eq(a->iteration, b->iteration);
    cr_assert_eq(a->data_epoch, b->data_epoch);
    cr_assert_eq(a->data_cursor, b->data_cursor);
    cr_assert_eq(a->opt_g.t, b->opt_g.t);
    cr_assert_eq(a->opt_d.t, b->opt_d.t);
    size_t g = a->n_g_params * sizeof(float), d = a->n_d_params * sizeof(float);
    cr_assert(memcmp(a->g_params, b->g_params, g) == 0, "G parameters differ");
    cr_assert(memcmp(a->d_params, b->d_params, d) == 0, "D/Q parameters differ");
    cr_assert(memcmp(a->opt_g.m, b->opt_g.m, g) == 0 && memcmp(a->opt_g.v, b->opt_g.v, g) == 0,
              "G's Adam moments differ");
    cr_assert(memcmp(a->opt_d.m, b->opt_d.m, d) == 0 && memcmp(a->opt_d.v, b->opt_d.v, d) == 0,
              "D's Adam moments differ");
}

static char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 256, "/tmp/infogan_test_%d_%s", (int)getpid(), name);
    return p;
}

Test(train, smoke_losses_finite_and_li_rises)
{
    dataset *d = toy_data(320);
    infogan_config c = toy_config(1);
    infogan *m = infogan_create(&c);
    li_trace t = {.finite = true};
    train_opts o = quiet_opts(60);
    o.on_iter = record, o.ctx = &t;
    train_run(m, d, &o);
    cr_assert_eq(t.n, 60);
    cr_expect(t.finite, "a loss was not finite");
    double early = mean(t.li, 5), late = mean(t.li + 50, 10);
    cr_expect(late > early + 0.2, "L_I of c1 did not rise: first 5 %.3f, last 10 %.3f", early, late);
    infogan_free(m);
    dataset_free(d);
}

Test(train, mnist_architecture_runs_a_few_finite_iterations)
{
    infogan_config c;
    infogan_config_default(&c);
    c.batch = 8;
    infogan *m = infogan_create(&c);
    float *x = xalloc_floats(8 * 784);
    rng r = rng_make(5, 99, 0);
    for (int i = 0; i < 8 * 784; i++) x[i] = rng_uniform(&r);
    for (int i = 0; i < 3; i++) {
        infogan_stats s;
        infogan_step(m, x, &s);
        cr_expect(isfinite(s.d_loss) && isfinite(s.g_loss) && isfinite(s.li), "iteration %d not finite", i);
        cr_expect(s.d_real > 0 && s.d_real < 1 && s.d_fake > 0 && s.d_fake < 1);
    }
    float img[2 * 784];
    infogan_generate(m, 2, m->z, img);
    for (int i = 0; i < 2 * 784; i++) cr_assert(img[i] >= 0.0f && img[i] <= 1.0f, "pixel %d = %g", i, (double)img[i]);
    free(x);
    infogan_free(m);
}

Test(train, same_seed_same_bits_other_seed_other_bits)
{
    dataset *d = toy_data(100);
    infogan_config c = toy_config(7);
    infogan *a = infogan_create(&c), *b = infogan_create(&c);
    c.seed = 8;
    infogan *other = infogan_create(&c);
    train_opts o = quiet_opts(8);
    train_run(a, d, &o);
    train_run(b, d, &o);
    train_run(other, d, &o);
    expect_same_state(a, b);
    cr_expect(memcmp(a->g_params, other->g_params, a->n_g_params * sizeof(float)) != 0);
    infogan_free(a), infogan_free(b), infogan_free(other);
    dataset_free(d);
}

static void cache_weights(infogan *m, bool on)
{
    net_cache_weights(m->g, on), net_cache_weights(m->trunk, on);
    net_cache_weights(m->d_head, on), net_cache_weights(m->q_head, on);
}

/* The linear layers' weights packed once per update (net_cache_weights, on in infogan_create)
 * give the bits of packing them at every product, on every GEMM here; on the bfloat16 GEMMs
 * the cache is really used (a weight written without infogan_weights_changed is not seen, and
 * is seen after it), on the f32 ones nothing is packed ahead. */
Test(train, cached_packed_weights_give_the_same_bits)
{
    kern_init();
    const kern_table saved = kern;
    dataset *d = toy_data(100);
    for (int isa = 0; isa < KERN_ISA_COUNT; isa++) {
        if (!kern_isa_supported((kern_isa)isa) || isa == KERN_SCALAR) continue;
        kern_fill((kern_isa)isa, &kern);
        infogan_config c = toy_config(9);
        infogan *cached = infogan_create(&c), *plain = infogan_create(&c);
        cache_weights(plain, false);
        train_opts o = quiet_opts(6);
        train_run(cached, d, &o);
        train_run(plain, d, &o);
        cr_log_info("isa %s", kern_isa_name((kern_isa)isa));
        expect_same_state(cached, plain);

        layer *fc = &cached->g->layers[0];
        cr_assert(fc->kind == LAYER_LINEAR && fc->cache_w, "toy G starts with a cached linear layer");
        if (!kern_isa_reduced((kern_isa)isa)) {
            cr_expect(fc->w_packed_by[0] == NULL && fc->w_packed_by[1] == NULL,
                      "%s: f32 weights were packed ahead", kern_isa_name((kern_isa)isa));
            infogan_free(cached), infogan_free(plain);
            continue;
        }
        float before[4 * 64], stale[4 * 64], after[4 * 64]; /* 4 toy images (1,8,8) */
        infogan_generate(cached, 4, cached->z, before);
        for (size_t i = 0; i < fc->n_w; i++) fc->w[i] += i % 3 ? -0.05f : 0.1f; /* not a scale: BN follows */
        infogan_generate(cached, 4, cached->z, stale);
        cr_expect(memcmp(before, stale, sizeof before) == 0,
                  "%s: the packed weights were not reused", kern_isa_name((kern_isa)isa));
        infogan_weights_changed(cached);
        infogan_generate(cached, 4, cached->z, after);
        cr_expect(memcmp(before, after, sizeof before) != 0,
                  "%s: infogan_weights_changed did not repack", kern_isa_name((kern_isa)isa));
        infogan_free(cached), infogan_free(plain);
    }
    kern = saved;
    dataset_free(d);
}

/* During the warm-up G takes regular GAN steps: bit for bit the --gan run; after it, not. */
Test(train, info_warmup_steps_are_gan_steps_then_infogan_steps)
{
    dataset *d = toy_data(100);
    infogan_config c = toy_config(4);
    c.info_warmup = 5;
    infogan *warm = infogan_create(&c);
    c.info_to_g = false;
    infogan *gan = infogan_create(&c);
    train_opts o = quiet_opts(5);
    train_run(warm, d, &o);
    train_run(gan, d, &o);
    expect_same_state(warm, gan);
    o.iterations = 6;
    train_run(warm, d, &o);
    train_run(gan, d, &o);
    cr_expect(memcmp(warm->g_params, gan->g_params, warm->n_g_params * sizeof(float)) != 0,
              "G's step 6 ignored the L_I reward");
    infogan_free(warm), infogan_free(gan);
    dataset_free(d);
}

/* --lr-q: on the first step (Adam's update is lr * sign-like, the same moments) Q's head moves
 * by lr_q / lr_d times the default's step and everything else exactly as the default; lr_q
 * equal to lr_d keeps the default's bits. */
Test(train, lr_q_scales_the_q_head_step_only)
{
    dataset *d = toy_data(100);
    infogan_config c = toy_config(3);
    infogan *base = infogan_create(&c);
    c.lr_q = c.lr_d;
    infogan *same = infogan_create(&c);
    c.lr_q = 4 * c.lr_d;
    infogan *fast = infogan_create(&c);
    size_t nq = fast->opt_d.tail, nd = fast->n_d_params;
    cr_assert(nq > 0 && nq < nd);
    float *before = xalloc_floats(nd);
    memcpy(before, base->d_params, nd * sizeof(float));
    train_opts o = quiet_opts(1);
    train_run(base, d, &o);
    train_run(same, d, &o);
    train_run(fast, d, &o);
    expect_same_state(base, same);
    cr_assert(memcmp(base->d_params, fast->d_params, (nd - nq) * sizeof(float)) == 0,
              "the trunk or D's head moved with --lr-q");
    int moved = 0;
    for (size_t i = nd - nq; i < nd; i++) {
        double step = base->d_params[i] - before[i], step_fast = fast->d_params[i] - before[i];
        if (fabs(step) < 1e-6) continue;
        moved++;
        cr_assert(fabs(step_fast - 4 * step) <= 1e-3 * fabs(step) + 1e-7,
                  "Q parameter %zu: step %g, with lr_q = 4 lr_d %g", i, step, step_fast);
    }
    cr_assert(moved > 0, "Q's head did not move");
    free(before);
    infogan_free(base), infogan_free(same), infogan_free(fast);
    dataset_free(d);
}

/* --g-steps 2: the D/Q step of iteration 1 is the one-step run's; G takes two Adam steps,
 * the first of them the one-step run's own. */
Test(train, g_steps_repeat_the_g_step_only)
{
    dataset *d = toy_data(100);
    infogan_config c = toy_config(5);
    infogan *one = infogan_create(&c);
    c.g_steps = 2;
    infogan *two = infogan_create(&c);
    train_opts o = quiet_opts(1);
    train_run(one, d, &o);
    train_run(two, d, &o);
    cr_assert(memcmp(one->d_params, two->d_params, one->n_d_params * sizeof(float)) == 0,
              "the D/Q step changed with --g-steps");
    cr_assert_eq(one->opt_g.t, 1);
    cr_assert_eq(two->opt_g.t, 2);
    cr_assert(memcmp(one->g_params, two->g_params, one->n_g_params * sizeof(float)) != 0,
              "the second G step did nothing");
    /* Its checkpoint (2 G Adam steps at iteration 1) loads: --resume and figures need it. */
    const char *path = tmp_path("gsteps.ckpt");
    char err[2048];
    infogan *back = infogan_create(&c);
    checkpoint_save(two, path);
    cr_assert(checkpoint_read(back, path, err, sizeof err), "%s", err);
    expect_same_state(two, back);
    remove(path);
    infogan_free(one), infogan_free(two), infogan_free(back);
    dataset_free(d);
}

/* Instance noise: the schedule falls linearly to 0; a noisy run differs from the plain one,
 * and once its std is 0 it steps as the plain model does from the same state. */
Test(train, instance_noise_schedule_and_effect)
{
    infogan_config c = toy_config(6);
    cr_assert_float_eq(infogan_instance_noise_std(&c, 0), 0.0f, 0);
    c.instance_noise = 0.4f;
    cr_assert_float_eq(infogan_instance_noise_std(&c, 1000), 0.4f, 0);
    c.instance_noise_decay = 4;
    cr_assert_float_eq(infogan_instance_noise_std(&c, 0), 0.4f, 1e-7);
    cr_assert_float_eq(infogan_instance_noise_std(&c, 1), 0.3f, 1e-7);
    cr_assert_float_eq(infogan_instance_noise_std(&c, 4), 0.0f, 0);
    cr_assert_float_eq(infogan_instance_noise_std(&c, 9), 0.0f, 0);

    dataset *d = toy_data(100);
    infogan_config plain_cfg = toy_config(6);
    infogan *plain = infogan_create(&plain_cfg), *noisy = infogan_create(&c);
    train_opts o = quiet_opts(1);
    train_run(plain, d, &o);
    train_run(noisy, d, &o);
    cr_assert(memcmp(plain->d_params, noisy->d_params, plain->n_d_params * sizeof(float)) != 0,
              "instance noise changed nothing");
    /* from iteration 4 on the std is 0: the noisy model, copied into a plain one, steps alike */
    o.iterations = 4;
    train_run(noisy, d, &o);
    infogan *copy = infogan_create(&plain_cfg);
    memcpy(copy->g_params, noisy->g_params, noisy->n_g_params * sizeof(float));
    memcpy(copy->d_params, noisy->d_params, noisy->n_d_params * sizeof(float));
    memcpy(copy->opt_g.m, noisy->opt_g.m, noisy->n_g_params * sizeof(float));
    memcpy(copy->opt_g.v, noisy->opt_g.v, noisy->n_g_params * sizeof(float));
    memcpy(copy->opt_d.m, noisy->opt_d.m, noisy->n_d_params * sizeof(float));
    memcpy(copy->opt_d.v, noisy->opt_d.v, noisy->n_d_params * sizeof(float));
    infogan_weights_changed(copy);
    copy->opt_g.t = noisy->opt_g.t, copy->opt_d.t = noisy->opt_d.t;
    copy->iteration = noisy->iteration, copy->data_epoch = noisy->data_epoch, copy->data_cursor = noisy->data_cursor;
    o.iterations = 5;
    train_run(noisy, d, &o);
    train_run(copy, d, &o);
    expect_same_state(noisy, copy);
    infogan_free(plain), infogan_free(noisy), infogan_free(copy);
    dataset_free(d);
}

Test(train, checkpoint_round_trip)
{
    dataset *d = toy_data(100);
    infogan_config c = toy_config(3);
    infogan *a = infogan_create(&c), *b = infogan_create(&c);
    train_opts o = quiet_opts(5);
    train_run(a, d, &o);
    const char *path = tmp_path("roundtrip.ckpt");
    checkpoint_save(a, path);
    checkpoint_load(b, path);
    expect_same_state(a, b);
    /* And they stay equal when both train on. */
    o.iterations = 7;
    train_run(a, d, &o);
    train_run(b, d, &o);
    expect_same_state(a, b);
    remove(path);
    infogan_free(a), infogan_free(b);
    dataset_free(d);
}

/* --std-min is in a learned-std model's config line, not in a fixed-std one's (whose
 * checkpoints keep their bytes); a learned-std checkpoint from before the flag (no std_min
 * in its line, as --std-min 0 writes it) loads with --std-min 0 and is refused otherwise. */
Test(checkpoint, std_min_is_stored_with_a_learned_std_only)
{
    infogan_config c = toy_config(2);
    char line[1024], err[2048];
    infogan_config_describe(&c, line, sizeof line);
    cr_expect(!strstr(line, "std_min"), "fixed std: %s", line);
    c.learned_std = true, c.std_min = 0.0f;
    infogan *old = infogan_create(&c);
    const char *path = tmp_path("std_min.ckpt");
    checkpoint_save(old, path);
    c.std_min = 0.25f;
    infogan_config_describe(&c, line, sizeof line);
    cr_expect(strstr(line, " std_min=0.25"), "learned std: %s", line);
    infogan *floored = infogan_create(&c);
    cr_expect(!checkpoint_read(floored, path, err, sizeof err));
    cr_expect(strstr(err, "other settings"), "%s", err);
    c.std_min = 0.0f;
    infogan *unclamped = infogan_create(&c);
    cr_expect(checkpoint_read(unclamped, path, err, sizeof err), "%s", err);
    remove(path);
    infogan_free(old), infogan_free(floored), infogan_free(unclamped);
}

/* The header and first row of a log written by a short toy run. */
static void log_of_run(const infogan_config *c, char *header, char *row, size_t len)
{
    dataset *d = toy_data(100);
    infogan *m = infogan_create(c);
    train_opts o = quiet_opts(4);
    o.log_path = tmp_path("std.log.csv");
    train_run(m, d, &o);
    FILE *f = fopen(o.log_path, "r");
    cr_assert(f && fgets(header, (int)len, f) && fgets(row, (int)len, f), "no log at %s", o.log_path);
    fclose(f);
    remove(o.log_path);
    infogan_free(m);
    dataset_free(d);
}

/* A learned std adds std_<code> after the L_I columns (the std Q used, in [std_min, e]);
 * a fixed-std log has none. */
Test(train, log_has_the_mean_learned_std_per_continuous_code)
{
    infogan_config c = toy_config(6); /* noise:8,cat:10,cont:1: c2 is continuous */
    char header[512], row[512];
    log_of_run(&c, header, row, sizeof header);
    cr_expect_str_eq(header, "iteration,d_loss,g_loss,d_real,d_fake,li,li_g,li_c1,li_c2\n");
    c.learned_std = true, c.std_min = 0.9f;
    log_of_run(&c, header, row, sizeof header);
    cr_expect_str_eq(header, "iteration,d_loss,g_loss,d_real,d_fake,li,li_g,li_c1,li_c2,std_c2\n");
    double std = atof(strrchr(row, ',') + 1);
    cr_expect(std >= 0.9 - 1e-6 && std <= exp(1.0) + 1e-6, "std_c2 %g outside [0.9, e]", std);
}

static void first_iteration(void *ctx, infogan *m, const infogan_stats *st)
{
    (void)m;
    int *first = ctx;
    if (*first < 0) *first = st->iteration;
}

Test(train, killed_and_resumed_run_ends_with_the_same_weights)
{
    /* 100 images, batch 32: the 3-batch epochs cross the kill point too. */
    dataset *d = toy_data(100);
    infogan_config c = toy_config(11);
    const char *ck_a = tmp_path("a.ckpt"), *ck_b = tmp_path("b.ckpt");
    const char *log_a = tmp_path("a.csv"), *log_b = tmp_path("b.csv");
    infogan *a = infogan_create(&c);
    train_opts o = quiet_opts(20);
    o.ckpt_path = ck_a, o.log_path = log_a, o.ckpt_every = 4;
    train_run(a, d, &o);

    /* Run b is "killed" after iteration 11: its last checkpoint is from iteration 8 and its
     * log has rows 9..11 that the resumed run writes again. */
    infogan *b = infogan_create(&c);
    o.ckpt_path = ck_b, o.log_path = log_b, o.stop_at = 11;
    train_run(b, d, &o);
    infogan_free(b);
    b = infogan_create(&c);
    int first = -1;
    o.stop_at = 0, o.resume = true, o.on_iter = first_iteration, o.ctx = &first;
    train_run(b, d, &o);
    cr_expect_eq(first, 9, "the resumed run started at iteration %d, not 9", first);
    expect_same_state(a, b);

    /* The logs agree byte for byte. */
    FILE *fa = fopen(log_a, "r"), *fb = fopen(log_b, "r");
    cr_assert(fa && fb);
    char la[4096], lb[4096];
    int rows = 0;
    while (fgets(la, sizeof la, fa)) {
        cr_assert(fgets(lb, sizeof lb, fb), "log b ends early at row %d", rows);
        cr_assert_str_eq(la, lb, "log row %d differs", rows);
        rows++;
    }
    cr_expect(!fgets(lb, sizeof lb, fb), "log b has extra rows");
    cr_expect_eq(rows, 21);
    fclose(fa), fclose(fb);
    remove(ck_a), remove(ck_b), remove(log_a), remove(log_b);
    infogan_free(a), infogan_free(b);
    dataset_free(d);
}

/* Sleeps in the first iteration of each invocation: a known floor for its training time. */
static void sleep_once(void *ctx, infogan *m, const infogan_stats *st)
{
    (void)m, (void)st;
    int *slept = ctx;
    if (!*slept) usleep(200000), *slept = 1;
}

Test(train, training_time_adds_up_over_resumes_and_is_unknown_without_its_file)
{
    dataset *d = toy_data(64);
    infogan_config c = toy_config(12);
    const char *ck = tmp_path("time.ckpt");
    char time_path[1024];
    snprintf(time_path, sizeof time_path, "%s.time", ck);
    infogan *m = infogan_create(&c);
    int slept = 0;
    train_opts o = quiet_opts(4);
    o.ckpt_path = ck, o.ckpt_every = 2, o.on_iter = sleep_once, o.ctx = &slept;
    train_run(m, d, &o);
    double first = m->train_seconds;
    cr_assert_geq(first, 0.2, "one invocation with a 0.2 s sleep trained in %g s", first);
    infogan_free(m);

    /* Resumed: the time goes on from the checkpoint's, with the second invocation's sleep. */
    m = infogan_create(&c);
    slept = 0, o.iterations = 6, o.resume = true;
    train_run(m, d, &o);
    cr_expect_geq(m->train_seconds, first + 0.2 - 5e-4, "%.4f s after resuming from %.4f s",
                  m->train_seconds, first);
    infogan_free(m);
    infogan *back = infogan_create(&c);
    checkpoint_load(back, ck);
    /* The file keeps milliseconds: a resume may lose up to 0.5 ms of the first invocation. */
    cr_expect_geq(back->train_seconds, first + 0.2 - 5e-4, "the time file holds %.4f s", back->train_seconds);
    infogan_free(back);

    /* Without the time file the run's time is unknown, and stays so (no stale file is left). */
    cr_assert_eq(remove(time_path), 0);
    m = infogan_create(&c);
    o.iterations = 8;
    train_run(m, d, &o);
    cr_expect_lt(m->train_seconds, 0, "a run resumed without its time file claims %g s", m->train_seconds);
    cr_expect_neq(access(time_path, F_OK), 0, "a time file was written for an unknown time");
    infogan_free(m);
    remove(ck);
    dataset_free(d);
}

/* Writes a checkpoint of a fresh toy model, applies `damage`, returns checkpoint_read's result. */
static bool read_damaged(const char *name, void (*damage)(const char *path), char *err, size_t len)
{
    infogan_config c = toy_config(5);
    infogan *m = infogan_create(&c);
    const char *path = tmp_path(name);
    checkpoint_save(m, path);
    damage(path);
    bool ok = checkpoint_read(m, path, err, len);
    remove(path);
    infogan_free(m);
    return ok;
}

static void flip_a_byte(const char *path)
{
    FILE *f = fopen(path, "r+b");
    fseek(f, 1000, SEEK_SET);
    int ch = fgetc(f);
    fseek(f, 1000, SEEK_SET);
    fputc(ch ^ 0x10, f);
    fclose(f);
}

static void truncate_it(const char *path) { cr_assert(truncate(path, 600) == 0); }

static void bad_magic(const char *path)
{
    FILE *f = fopen(path, "r+b");
    fputs("JUNK", f);
    fclose(f);
}

Test(checkpoint, corrupt_files_get_a_clear_error_naming_the_file)
{
    char err[2048];
    cr_expect(!read_damaged("flip.ckpt", flip_a_byte, err, sizeof err));
    cr_expect(strstr(err, "flip.ckpt") && strstr(err, "checksum"), "message: %s", err);
    cr_expect(!read_damaged("trunc.ckpt", truncate_it, err, sizeof err));
    cr_expect(strstr(err, "trunc.ckpt") && (strstr(err, "truncated") || strstr(err, "corrupt")), "message: %s", err);
    cr_expect(!read_damaged("magic.ckpt", bad_magic, err, sizeof err));
    cr_expect(strstr(err, "magic.ckpt") && strstr(err, "not an InfoGAN checkpoint"), "message: %s", err);

    infogan_config c = toy_config(5);
    infogan *m = infogan_create(&c);
    cr_expect(!checkpoint_read(m, "/nonexistent/x.ckpt", err, sizeof err));
    cr_expect(strstr(err, "/nonexistent/x.ckpt"), "message: %s", err);
    /* Another seed is another run. */
    const char *path = tmp_path("seed.ckpt");
    checkpoint_save(m, path);
    c.seed = 6;
    infogan *other = infogan_create(&c);
    cr_expect(!checkpoint_read(other, path, err, sizeof err));
    cr_expect(strstr(err, "other settings"), "message: %s", err);
    remove(path);
    infogan_free(m), infogan_free(other);
}

Test(checkpoint, loading_a_corrupt_file_exits_non_zero, .exit_code = 1)
{
    infogan_config c = toy_config(5);
    infogan *m = infogan_create(&c);
    const char *path = tmp_path("die.ckpt");
    checkpoint_save(m, path);
    flip_a_byte(path);
    checkpoint_load(m, path);
}

Test(train, nan_in_a_loss_stops_the_run, .exit_code = 1)
{
    dataset *d = toy_data(64);
    d->images[5] = NAN;
    infogan_config c = toy_config(1);
    infogan *m = infogan_create(&c);
    train_opts o = quiet_opts(10);
    train_run(m, d, &o);
}
