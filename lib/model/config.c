/* config.c: the model's settings: defaults (the official MNIST code), flags, help, and
 * the one-line description checkpoints and result files carry. */
#include "model/infogan.h"

#include <string.h>

#include "base/parse.h"
#include "base/util.h"

static bool parse_int_flag(const char *flag, const char *v, int lo, int hi, int *x, char *err, size_t err_len)
{
    long n;
    if (!parse_long_try(flag, v, lo, hi, &n, err, err_len)) return false;
    *x = (int)n;
    return true;
}

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
    c->std_min = 0.1f;
    c->info_to_g = true;
    c->g_steps = 1;
    c->init_std = 0.02f;
    c->bn_eps = 1e-5f;
    c->seed = 1;
}

/* Batches beyond this are refused before any allocation (MNIST: 128). */
#define INFOGAN_MAX_BATCH 4096

int infogan_config_flag_try(infogan_config *c, int argc, char **argv, int i, char *err,
                            size_t err_len)
{
    const char *f = argv[i];
    if (strcmp(f, "--gan") == 0) { c->info_to_g = false; return 1; }
    if (strcmp(f, "--infogan") == 0) { c->info_to_g = true; return 1; }
    static const char *const valued[] = {"--arch", "--latent", "--batch", "--lr-d", "--lr-g", "--lr-q",
        "--beta1", "--beta2", "--adam-eps", "--lambda", "--lambda-cat", "--lambda-cont",
        "--leaky", "--std", "--std-min", "--init-std", "--bn-eps", "--seed", "--info-warmup", "--g-steps",
        "--instance-noise", "--instance-noise-decay"};
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
    } else if (strcmp(f, "--batch") == 0) ok = parse_int_flag(f, v, 2, INFOGAN_MAX_BATCH, &c->batch, err, err_len);
    else if (strcmp(f, "--info-warmup") == 0) ok = parse_int_flag(f, v, 0, 100000000, &c->info_warmup, err, err_len);
    else if (strcmp(f, "--g-steps") == 0) ok = parse_int_flag(f, v, 1, 10, &c->g_steps, err, err_len);
    else if (strcmp(f, "--instance-noise") == 0) ok = parse_float_try(f, v, 0, 10, &c->instance_noise, err, err_len);
    else if (strcmp(f, "--instance-noise-decay") == 0)
        ok = parse_int_flag(f, v, 0, 100000000, &c->instance_noise_decay, err, err_len);
    else if (strcmp(f, "--lr-d") == 0) ok = parse_float_try(f, v, 0, 1, &c->lr_d, err, err_len);
    else if (strcmp(f, "--lr-g") == 0) ok = parse_float_try(f, v, 0, 1, &c->lr_g, err, err_len);
    else if (strcmp(f, "--lr-q") == 0) ok = parse_float_try(f, v, 0, 1, &c->lr_q, err, err_len);
    else if (strcmp(f, "--beta1") == 0) ok = parse_float_try(f, v, 0, 0.999999f, &c->beta1, err, err_len);
    else if (strcmp(f, "--beta2") == 0) ok = parse_float_try(f, v, 0, 0.999999f, &c->beta2, err, err_len);
    else if (strcmp(f, "--adam-eps") == 0) ok = parse_float_try(f, v, 0, 1, &c->adam_eps, err, err_len);
    else if (strcmp(f, "--lambda") == 0) {
        ok = parse_float_try(f, v, 0, 1000, &x, err, err_len);
        if (ok) c->lambda_cat = c->lambda_cont = x;
    } else if (strcmp(f, "--lambda-cat") == 0) ok = parse_float_try(f, v, 0, 1000, &c->lambda_cat, err, err_len);
    else if (strcmp(f, "--lambda-cont") == 0) ok = parse_float_try(f, v, 0, 1000, &c->lambda_cont, err, err_len);
    else if (strcmp(f, "--leaky") == 0) {
        if (strcmp(v, "official") == 0) c->leaky_slope = 0.01f;
        else if (strcmp(v, "paper") == 0) c->leaky_slope = 0.1f;
        else ok = parse_float_try(f, v, 0, 1, &c->leaky_slope, err, err_len);
    } else if (strcmp(f, "--std") == 0) {
        if (strcmp(v, "fixed") != 0 && strcmp(v, "learned") != 0) {
            set_err(err, err_len, "--std: '%s' is neither fixed (official code) nor learned (paper)", v);
            return -1;
        }
        c->learned_std = strcmp(v, "learned") == 0;
    } else if (strcmp(f, "--std-min") == 0) ok = parse_float_try(f, v, 0, 1, &c->std_min, err, err_len);
    else if (strcmp(f, "--init-std") == 0) ok = parse_float_try(f, v, 0, 10, &c->init_std, err, err_len);
    else if (strcmp(f, "--bn-eps") == 0) ok = parse_float_try(f, v, 0, 1, &c->bn_eps, err, err_len);
    else if (strcmp(f, "--seed") == 0) {
        if (!parse_u64_try(f, v, &c->seed, err, err_len)) return -1;
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
          "                     every upconv of G), faces-sn and chairs-lite-sn (their D and Q\n"
          "                     spectrally normalized, without BN), cdsprites-cr (InfoGAN-CR's\n"
          "                     CdSprites networks), toy (8x8, for tests)\n"
          "  --latent SPEC      G's input, e.g. noise:62,cat:10,cont:2 (the default)\n"
          "  --batch N          batch size (128)\n"
          "  --lr-d X, --lr-g X Adam learning rates of D/Q and G (2e-4, 1e-3)\n"
          "  --lr-q X           Q's head alone, its trunk stays at --lr-d (0: as --lr-d, the\n"
          "                     official code; PyTorch ports often train Q with G at 1e-3)\n"
          "  --beta1 X, --beta2 X, --adam-eps X   Adam (0.5, 0.999, 1e-8)\n"
          "  --lambda X         weight of L_I for every code (1); --lambda-cat, --lambda-cont\n"
          "  --leaky X|official|paper   leaky ReLU slope in D/Q (official 0.01; paper 0.1)\n"
          "  --std fixed|learned Q's Gaussian std: 1 (official) or exp of Q's output (paper)\n"
          "  --std-min X        with --std learned, Q's std is clamped to [X, e] in L_I (0.1: a\n"
          "                     tenth of a code's half-range; below, L_I and its gradient grow\n"
          "                     without bound; e: above, Q says it knows nothing of the code;\n"
          "                     0: no clamp, as runs before this flag)\n"
          "  --gan              regular GAN baseline: Q is trained, G gets no L_I reward\n"
          "  --info-warmup N    G gets no L_I reward for its first N steps (0; not in the paper)\n"
          "  --g-steps N        G steps per D/Q step, each on fresh z (1; not in the paper)\n"
          "  --instance-noise X Gaussian noise of std X on D's inputs, real and fake, in the\n"
          "                     images' range (0: none; not in the paper); --instance-noise-decay\n"
          "                     N: the std falls linearly to 0 at iteration N (0: constant)\n"
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
    /* Only when set: checkpoints written before the flags existed still match (a learned-std
     * run from before --std-min loads with --std-min 0). */
    if (c->lr_q > 0) snprintf(buf + strlen(buf), len - strlen(buf), " lr_q=%g", (double)c->lr_q);
    if (c->info_warmup > 0)
        snprintf(buf + strlen(buf), len - strlen(buf), " info_warmup=%d", c->info_warmup);
    if (c->g_steps > 1) snprintf(buf + strlen(buf), len - strlen(buf), " g_steps=%d", c->g_steps);
    if (c->instance_noise > 0)
        snprintf(buf + strlen(buf), len - strlen(buf), " instance_noise=%g instance_noise_decay=%d", (double)c->instance_noise,
                 c->instance_noise_decay);
    if (c->learned_std && c->std_min > 0)
        snprintf(buf + strlen(buf), len - strlen(buf), " std_min=%g", (double)c->std_min);
}
