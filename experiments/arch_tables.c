/* arch_tables: the architecture tables of lib/arch.c as Markdown, for the write-up in
 * paper/ (so the tables a reader sees are the ones the programs build).
 *
 *   arch_tables --list                          names of the tables, one a line
 *   arch_tables [--latent SPEC] [--learned-std] NAME
 *       one Markdown table per network (G; the D/Q trunk with D's and Q's heads): a row per
 *       weight layer with the batch norm and nonlinearity that follow it, the output shape
 *       and the parameter count, from the same layer specs and shape rules as training.
 *   arch_tables --dump [--latent SPEC] [--learned-std] NAME
 *       the same networks for other programs (the PyTorch twin, experiments/twin/): one
 *       layer a line with the shapes, padding and batch-norm groups training uses, and the
 *       default model settings (see dump_arch). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/arch.h"
#include "model/infogan.h"
#include "model/latent.h"
#include "nn/nn.h"
#include "base/util.h"

static void usage(FILE *f)
{
    fputs("usage: arch_tables --list\n"
          "       arch_tables [--dump] [--latent SPEC] [--learned-std] NAME\n"
          "Prints the architecture table NAME of lib/arch.c as Markdown: G, then the D/Q trunk\n"
          "and D's and Q's heads, one row per weight layer with its output shape and parameters.\n"
          "  --list          the known table names, one a line\n"
          "  --dump          instead, one layer a line for other programs: net, kind, input and\n"
          "                  output C H W, kernel, stride, padding before and after (a conv's;\n"
          "                  an upconv's is that of the conv it is the adjoint of), batch-norm\n"
          "                  groups; then the default model settings\n"
          "  --latent SPEC   G's input and Q's output (default: the MNIST model's\n"
          "                  noise:62,cat:10,cont:2)\n"
          "  --learned-std   Q also outputs a log std per continuous code\n", f);
}

static const char *kind_label(layer_kind k)
{
    switch (k) {
    case LAYER_LINEAR: return "FC";
    case LAYER_CONV: return "conv";
    case LAYER_UPCONV: return "upconv";
    case LAYER_BN: return "BN";
    case LAYER_RELU: return "ReLU";
    case LAYER_LRELU: return "leaky ReLU";
    case LAYER_SIGMOID: return "sigmoid";
    case LAYER_TANH: return "tanh";
    }
    return "?";
}

/* n with thousands separators: 6441344 -> "6,441,344". */
static const char *count_str(size_t n, char buf[32])
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n), o = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = 0;
    return buf;
}

static bool is_weight_layer(layer_kind k)
{
    return k == LAYER_LINEAR || k == LAYER_CONV || k == LAYER_UPCONV;
}

/* Rows of one network on input chw (3); updates chw to its output. `part` names the
 * network in the first column ("G", "trunk", "D head", "Q head"). Returns its parameters. */
static size_t print_rows(const char *part, const layer_spec *specs, int n, int *chw)
{
    size_t total = 0;
    for (int i = 0; i < n;) {
        int end = i + 1;
        if (is_weight_layer(specs[i].kind))
            while (end < n && !is_weight_layer(specs[end].kind)) end++;
        int out[3];
        size_t params = net_param_count(specs + i, end - i, chw[0], chw[1], chw[2], out);
        char what[160];
        int len = 0;
        const layer_spec *s = &specs[i];
        if (s->kind == LAYER_LINEAR && (s->out_h > 1 || s->out_w > 1))
            len = snprintf(what, sizeof what, "FC %dx%dx%d", s->out_h, s->out_w, s->out_c);
        else if (s->kind == LAYER_LINEAR)
            len = snprintf(what, sizeof what, "FC %d", s->out_c);
        else if (is_weight_layer(s->kind))
            len = snprintf(what, sizeof what, "%s %d, %dx%d, stride %d", kind_label(s->kind), s->out_c,
                           s->kernel, s->kernel, s->stride);
        else
            len = snprintf(what, sizeof what, "%s", kind_label(s->kind));
        for (int j = i + 1; j < end && len < (int)sizeof what; j++)
            len += snprintf(what + len, sizeof what - (size_t)len, ", %s", kind_label(specs[j].kind));
        char count[32];
        printf("| %s | %s | %d x %d x %d | %s |\n", part, what, out[0], out[1], out[2], count_str(params, count));
        total += params;
        memcpy(chw, out, sizeof out);
        i = end;
    }
    return total;
}

static void print_arch(const arch *a, const latent_spec *ls, bool learned_std)
{
    int q_dim = latent_q_dim(ls, learned_std);
    layer_spec q_head[64];
    CHECK(a->n_q_head <= 64, "table %s has more than 64 Q head rows", a->name);
    arch_q_head(a, q_dim, q_head);

    printf("Generator G: input the latent row `%s` (%d values: noise and codes), output a "
           "%d x %d x %d image.\n\n", ls->text, ls->in_dim, a->img_c, a->img_h, a->img_w);
    printf("| network | layer | output (C x H x W) | parameters |\n|---|---|---|---|\n");
    int chw[3] = {ls->in_dim, 1, 1};
    size_t g = print_rows("G", a->g, a->n_g, chw);
    CHECK(chw[0] == a->img_c && chw[1] == a->img_h && chw[2] == a->img_w,
          "table %s: G ends at %dx%dx%d, not the image's %dx%dx%d", a->name, chw[0], chw[1], chw[2],
          a->img_c, a->img_h, a->img_w);
    char count[32];
    printf("| G | total | | %s |\n\n", count_str(g, count));

    printf("Discriminator D and recognition network Q: a shared trunk on the %d x %d x %d image, "
           "then D's head (one logit) and Q's head (%d outputs for `%s`%s).\n\n", a->img_c, a->img_h,
           a->img_w, q_dim, ls->text, learned_std ? ", with a log std per continuous code" : "");
    printf("| network | layer | output (C x H x W) | parameters |\n|---|---|---|---|\n");
    int trunk_chw[3] = {a->img_c, a->img_h, a->img_w};
    size_t t = print_rows("trunk", a->trunk, a->n_trunk, trunk_chw);
    int head_chw[3];
    memcpy(head_chw, trunk_chw, sizeof head_chw);
    size_t d = print_rows("D head", a->d_head, a->n_d_head, head_chw);
    memcpy(head_chw, trunk_chw, sizeof head_chw);
    size_t q = print_rows("Q head", q_head, a->n_q_head, head_chw);
    printf("| D and Q | total (Q's head: %.1f%% of it) | | %s |\n", 100.0 * (double)q / (double)(t + d + q),
           count_str(t + d + q, count));
}

/* One line per layer of net `part`: kind, input and output C H W, kernel, stride, padding
 * before and after, BN groups (0 elsewhere), 1 for a spectrally normalized weight. Built with net_create, so the shapes, padding
 * and BN grouping are the ones training uses. */
static void dump_net(const char *part, const layer_spec *specs, int n, int *chw)
{
    size_t n_params = net_param_count(specs, n, chw[0], chw[1], chw[2], NULL);
    float *params = xalloc_floats(n_params ? n_params : 1), *grads = xalloc_floats(n_params ? n_params : 1);
    net *nt = net_create(specs, n, chw[0], chw[1], chw[2], 1, 0.0f, 0.0f, params, grads);
    for (int i = 0; i < nt->n_layers; i++) {
        const layer *l = &nt->layers[i];
        int kernel = 0, stride = 0, pad_before = 0, pad_after = 0;
        if (l->kind == LAYER_CONV || l->kind == LAYER_UPCONV) {
            const conv_geom *g = &l->geom; /* an upconv's: the conv from its output to its input */
            CHECK(g->h == g->w && g->kh == g->kw && g->pad_t == g->pad_l,
                  "table layer %d of %s is not square; --dump prints one size per layer", i, part);
            int total = (g->oh - 1) * g->stride + g->kh - g->h;
            kernel = g->kh, stride = g->stride, pad_before = g->pad_t;
            pad_after = (total > 0 ? total : 0) - g->pad_t;
        }
        printf("%s %s %d %d %d %d %d %d %d %d %d %d %zu %d\n", part, layer_kind_name(l->kind), l->in_c,
               l->in_h, l->in_w, l->out_c, l->out_h, l->out_w, kernel, stride, pad_before, pad_after,
               l->kind == LAYER_BN ? l->n_w : (size_t)0, l->sn);
    }
    chw[0] = nt->out_c, chw[1] = nt->out_h, chw[2] = nt->out_w;
    net_free(nt);
    free(params), free(grads);
}

/* --dump: the image, the latent row, every layer of G, the trunk and both heads, and the
 * default model settings (infogan_config_describe's line) for programs that rebuild them. */
static void dump_arch(const arch *a, const latent_spec *ls, bool learned_std)
{
    int q_dim = latent_q_dim(ls, learned_std);
    layer_spec q_head[64];
    CHECK(a->n_q_head <= 64, "table %s has more than 64 Q head rows", a->name);
    arch_q_head(a, q_dim, q_head);
    printf("# arch_tables --dump %s: lib/model/arch.c's table as training builds it\n"
           "image %d %d %d\nlatent %s %d %d\n"
           "# net kind in_c in_h in_w out_c out_h out_w kernel stride pad_before pad_after bn_groups sn\n",
           a->name, a->img_c, a->img_h, a->img_w, ls->text, ls->in_dim, q_dim);
    int chw[3] = {ls->in_dim, 1, 1};
    dump_net("g", a->g, a->n_g, chw);
    int trunk[3] = {a->img_c, a->img_h, a->img_w}, head[3];
    dump_net("trunk", a->trunk, a->n_trunk, trunk);
    memcpy(head, trunk, sizeof head);
    dump_net("d_head", a->d_head, a->n_d_head, head);
    memcpy(head, trunk, sizeof head);
    dump_net("q_head", q_head, a->n_q_head, head);
    infogan_config cfg;
    infogan_config_default(&cfg);
    snprintf(cfg.arch, sizeof cfg.arch, "%s", a->name);
    cfg.latent = *ls;
    cfg.learned_std = learned_std;
    char desc[1024];
    infogan_config_describe(&cfg, desc, sizeof desc);
    printf("config %s\n", desc);
}

int main(int argc, char **argv)
{
    infogan_config cfg;
    infogan_config_default(&cfg);
    latent_spec ls = cfg.latent;
    bool learned_std = false, dump = false;
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--list") == 0) {
            for (int k = 0; k < arch_count(); k++) printf("%s\n", arch_at(k)->name);
            return 0;
        } else if (strcmp(argv[i], "--latent") == 0) {
            CHECK(i + 1 < argc, "--latent needs a spec, e.g. noise:62,cat:10,cont:2");
            latent_parse(&ls, argv[++i], "--latent");
        } else if (strcmp(argv[i], "--learned-std") == 0) {
            learned_std = true;
        } else if (strcmp(argv[i], "--dump") == 0) {
            dump = true;
        } else {
            CHECK(argv[i][0] != '-', "unknown flag %s (see arch_tables --help)", argv[i]);
            CHECK(!name, "arch_tables prints one table; got %s and %s", name, argv[i]);
            name = argv[i];
        }
    }
    CHECK(name, "arch_tables needs a table name (arch_tables --list shows them)");
    if (dump) dump_arch(arch_find(name), &ls, learned_std);
    else print_arch(arch_find(name), &ls, learned_std);
    return 0;
}
