/* arch.c: architecture tables (paper appendix, official code's layer order: conv/FC, then
 * BN, then the nonlinearity). */
#include "arch.h"

#include <string.h>

#include "util.h"

#define LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define FC(c, h, w) {LAYER_LINEAR, c, h, w, 0, 0}
#define CONV(c, k, s) {LAYER_CONV, c, 0, 0, k, s}
#define UPCONV(c, k, s) {LAYER_UPCONV, c, 0, 0, k, s}
#define ACT(kind) {kind, 0, 0, 0, 0, 0}
#define BN ACT(LAYER_BN)

/* Table 1, MNIST. */
static const layer_spec mnist_g[] = {
    FC(1024, 1, 1), BN, ACT(LAYER_RELU),
    FC(128, 7, 7), BN, ACT(LAYER_RELU),
    UPCONV(64, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(1, 4, 2), ACT(LAYER_SIGMOID),
};
static const layer_spec mnist_trunk[] = {
    CONV(64, 4, 2), ACT(LAYER_LRELU),
    CONV(128, 4, 2), BN, ACT(LAYER_LRELU),
    FC(1024, 1, 1), BN, ACT(LAYER_LRELU),
};
static const layer_spec mnist_d_head[] = {FC(1, 1, 1)};
static const layer_spec mnist_q_head[] = {
    FC(128, 1, 1), BN, ACT(LAYER_LRELU),
    FC(ARCH_Q_OUT, 1, 1),
};

/* A miniature of Table 1 on 8x8 images, for fast tests of the whole pipeline. */
static const layer_spec toy_g[] = {
    FC(64, 1, 1), BN, ACT(LAYER_RELU),
    FC(16, 2, 2), BN, ACT(LAYER_RELU),
    UPCONV(8, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(1, 4, 2), ACT(LAYER_SIGMOID),
};
static const layer_spec toy_trunk[] = {
    CONV(8, 4, 2), ACT(LAYER_LRELU),
    CONV(16, 4, 2), BN, ACT(LAYER_LRELU),
    FC(64, 1, 1), BN, ACT(LAYER_LRELU),
};
static const layer_spec toy_q_head[] = {
    FC(32, 1, 1), BN, ACT(LAYER_LRELU),
    FC(ARCH_Q_OUT, 1, 1),
};

static const arch arches[] = {
    {"mnist", 1, 28, 28, mnist_g, LEN(mnist_g), mnist_trunk, LEN(mnist_trunk), mnist_d_head,
     LEN(mnist_d_head), mnist_q_head, LEN(mnist_q_head)},
    {"toy", 1, 8, 8, toy_g, LEN(toy_g), toy_trunk, LEN(toy_trunk), mnist_d_head,
     LEN(mnist_d_head), toy_q_head, LEN(toy_q_head)},
};

const arch *arch_find(const char *name)
{
    for (int i = 0; i < LEN(arches); i++)
        if (strcmp(arches[i].name, name) == 0) return &arches[i];
    die("no architecture table '%s' (known: mnist, toy)", name);
}

int arch_count(void) { return LEN(arches); }

const arch *arch_at(int i)
{
    CHECK(i >= 0 && i < LEN(arches), "no architecture table number %d (there are %d)", i, LEN(arches));
    return &arches[i];
}

void arch_q_head(const arch *a, int q_dim, layer_spec *out)
{
    for (int i = 0; i < a->n_q_head; i++) {
        out[i] = a->q_head[i];
        if (out[i].out_c == ARCH_Q_OUT) out[i].out_c = q_dim;
    }
}
