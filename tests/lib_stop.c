/* lib_stop.c: the stop rule on constructed iteration numbers (each sign, its streak, its
 * mean over STOP_WINDOW iterations, when the L_I signs apply), and in the trainer: the final
 * checkpoint, the mark, a resume that does not train, a fresh run that removes the mark. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "model/checkpoint.h"
#include "model/stop.h"
#include "model/train.h"
#include "toy_data.h"

static infogan_config toy_config(void)
{
    infogan_config c;
    infogan_config_default(&c);
    snprintf(c.arch, sizeof c.arch, "toy");
    latent_parse(&c.latent, "noise:8,cat:10,cont:1", "--latent"); /* c1 categorical, c2 continuous */
    c.batch = 32;
    return c;
}

/* An iteration where nothing is amiss. */
static infogan_stats healthy(int iteration)
{
    infogan_stats st = {.iteration = iteration, .d_loss = 1.2, .g_loss = 0.8, .d_fake_max = 0.6};
    st.li_code[0] = 1.5, st.li_code[1] = 0.3;
    return st;
}

/* Feeds iterations 1..n of healthy numbers changed by `sick` from iteration `from` on;
 * returns the iteration the rule fired at (0: never) with its sentence in why. */
static int fire(const infogan_config *c, int patience, int n, int from, void (*sick)(infogan_stats *),
                char *why)
{
    stop_rule r;
    stop_rule_init(&r, patience);
    for (int i = 1; i <= n; i++) {
        infogan_stats st = healthy(i);
        if (i >= from) sick(&st);
        if (stop_rule_update(&r, c, &st, why, 512)) return i;
    }
    return 0;
}

static void d_wins(infogan_stats *st) { st->d_loss = 5e-4; }
static void g_wins(infogan_stats *st) { st->g_loss = 5e-4; }
static void d_rejects_all(infogan_stats *st) { st->d_fake_max = 0.005; }
static void cat_unread(infogan_stats *st) { st->li_code[0] = 0.004; }
static void cont_unread(infogan_stats *st) { st->li_code[1] = -0.2; }

/* Sick from the first iteration: every sign's window is full and beyond its threshold at
 * STOP_WINDOW, and the rule fires patience - 1 iterations later. */
Test(stop, each_sign_fires_after_its_window_and_patience_naming_itself_and_its_start)
{
    infogan_config c = toy_config();
    c.learned_std = true;
    struct { void (*sick)(infogan_stats *); const char *name; } signs[] = {
        {d_wins, "D loss < 0.001"}, {g_wins, "G loss < 0.001"}, {d_rejects_all, "max D(G(z)) < 0.01"},
        {cat_unread, "L_I of c1 < 0.01"}, {cont_unread, "the continuous codes' L_I < 0"}};
    char expect[64];
    snprintf(expect, sizeof expect, "from iteration %d to %d", STOP_WINDOW, STOP_WINDOW + 19);
    for (size_t k = 0; k < sizeof signs / sizeof signs[0]; k++) {
        char why[512] = "";
        cr_expect_eq(fire(&c, 20, 200, 1, signs[k].sick, why), STOP_WINDOW + 19, "%s", signs[k].name);
        cr_expect(strstr(why, signs[k].name) && strstr(why, expect), "%s: %s", signs[k].name, why);
    }
    char why[512];
    cr_expect_eq(fire(&c, 20, 200, 300, d_wins, why), 0, "fired on healthy numbers: %s", why);
}

static int flicker_at;
static void d_wins_but_once(infogan_stats *st) { if (st->iteration != flicker_at) st->d_loss = 5e-4; }

Test(stop, a_broken_streak_starts_again)
{
    infogan_config c = toy_config();
    char why[512], expect[64];
    /* Sick from 7: the window is all sick from 7 + 49; one healthy iteration at 70 keeps every
     * window that holds it (70 .. 70 + 49) above the threshold; the streak starts again at
     * 70 + 50 and fires 19 later. */
    flicker_at = 70;
    int again = flicker_at + STOP_WINDOW;
    cr_expect_eq(fire(&c, 20, 300, 7, d_wins_but_once, why), again + 19, "%s", why);
    snprintf(expect, sizeof expect, "from iteration %d to %d", again, again + 19);
    cr_expect(strstr(why, expect), "%s", why);
}

/* One batch's L_I of a code Q does not read scatters around 0: on the mean it is a collapse,
 * batch by batch it would never hold long. */
static void cat_unread_noisy(infogan_stats *st) { st->li_code[0] = st->iteration % 2 ? 0.03 : -0.05; }
static void cat_read_noisy(infogan_stats *st) { st->li_code[0] = st->iteration % 2 ? 0.10 : -0.02; }

Test(stop, noisy_signs_are_judged_on_their_mean)
{
    infogan_config c = toy_config();
    char why[512];
    cr_expect_eq(fire(&c, 20, 200, 1, cat_unread_noisy, why), STOP_WINDOW + 19, "%s", why);
    cr_expect(strstr(why, "L_I of c1 < 0.01"), "%s", why);
    cr_expect_eq(fire(&c, 20, 400, 1, cat_read_noisy, why), 0, "mean 0.04 > 0.01, fired: %s", why);
}

Test(stop, information_signs_count_only_where_they_mean_collapse)
{
    infogan_config c = toy_config();
    char why[512];
    /* Fixed std: the continuous L_I is negative by construction. */
    cr_expect_eq(fire(&c, 20, 200, 1, cont_unread, why), 0, "%s", why);
    /* The regular GAN baseline: G is not rewarded for L_I. */
    c.info_to_g = false;
    cr_expect_eq(fire(&c, 20, 200, 1, cat_unread, why), 0, "%s", why);
    cr_expect_eq(fire(&c, 20, 200, 1, d_wins, why), STOP_WINDOW + 19, "the GAN signs still count");
    /* During the warm-up (G's first 30 steps) neither, nor in the window: it fills from 31. */
    c.info_to_g = true, c.info_warmup = 30;
    cr_expect_eq(fire(&c, 20, 200, 1, cat_unread, why), 30 + STOP_WINDOW + 19, "%s", why);
}

static char *tmp_path(const char *name)
{
    static char buf[3][256];
    static int k;
    char *p = buf[k++ % 3];
    snprintf(p, 256, "/tmp/infogan_stop_%d_%s", (int)getpid(), name);
    return p;
}

/* Q learns nothing about c2 (lambda_cont 0, learned std), so its L_I stays below 0. */
Test(stop, the_trainer_checkpoints_marks_and_does_not_resume_a_collapsed_run)
{
    dataset *d = toy_data(100);
    infogan_config c = toy_config();
    c.learned_std = true, c.lambda_cont = 0.0f;
    infogan *m = infogan_create(&c);
    train_opts o;
    train_opts_default(&o);
    o.iterations = STOP_WINDOW + 30, o.progress = false, o.stop_patience = 6;
    o.ckpt_path = tmp_path("model.ckpt"), o.collapsed_path = tmp_path("collapsed.txt");
    cr_assert(train_run(m, d, &o), "the stop rule did not end the run");
    const int end = STOP_WINDOW + 5; /* the window full at STOP_WINDOW, then 6 in a row */
    cr_expect_eq(m->iteration, end);
    char line[512] = "";
    FILE *f = fopen(o.collapsed_path, "r");
    cr_assert(f && fgets(line, sizeof line, f), "no mark at %s", o.collapsed_path);
    fclose(f);
    char expect[128];
    snprintf(expect, sizeof expect, "the continuous codes' L_I < 0 held from iteration %d to %d",
             STOP_WINDOW, end);
    cr_expect(strstr(line, expect), "mark: %s", line);

    infogan *back = infogan_create(&c);
    checkpoint_load(back, o.ckpt_path);
    cr_expect_eq(back->iteration, end, "the final checkpoint is at iteration %d", back->iteration);
    o.resume = true;
    cr_expect(train_run(back, d, &o), "a resumed collapsed run is not reported collapsed");
    cr_expect_eq(back->iteration, end, "a collapsed run was trained on to %d", back->iteration);

    infogan *fresh = infogan_create(&c);
    o.resume = false, o.stop_patience = 0, o.iterations = 2;
    cr_expect(!train_run(fresh, d, &o));
    cr_expect(access(o.collapsed_path, F_OK) != 0, "a fresh run kept the earlier run's mark");
    remove(o.ckpt_path);
    infogan_free(m), infogan_free(back), infogan_free(fresh);
    dataset_free(d);
}
