/* arch.c: architecture tables (paper appendix, official code's layer order: conv/FC, then
 * BN, then the nonlinearity; InfoGAN-CR's CdSprites networks in their own order). */
#include "model/arch.h"

#include <string.h>

#include "base/util.h"

#define LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define FC(c, h, w) {LAYER_LINEAR, c, h, w, 0, 0, false}
#define CONV(c, k, s) {LAYER_CONV, c, 0, 0, k, s, false}
#define UPCONV(c, k, s) {LAYER_UPCONV, c, 0, 0, k, s, false}
#define SN_FC(c, h, w) {LAYER_LINEAR, c, h, w, 0, 0, true}
#define SN_CONV(c, k, s) {LAYER_CONV, c, 0, 0, k, s, true}
#define ACT(kind) {kind, 0, 0, 0, 0, 0, false}
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

/* Table 4, Faces (32x32 gray). D and Q differ only in their last layer. */
static const layer_spec faces_g[] = {
    FC(1024, 1, 1), BN, ACT(LAYER_RELU),
    FC(128, 8, 8), BN, ACT(LAYER_RELU),
    UPCONV(64, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(1, 4, 2), ACT(LAYER_SIGMOID),
};
static const layer_spec faces_trunk[] = {
    CONV(64, 4, 2), ACT(LAYER_LRELU),
    CONV(128, 4, 2), BN, ACT(LAYER_LRELU),
    FC(1024, 1, 1), BN, ACT(LAYER_LRELU),
};
static const layer_spec out_q_head[] = {FC(ARCH_Q_OUT, 1, 1)};

/* Table 6, Chairs (64x64 gray). Read literally G ends at 32x32 (two stride-2 upconvs after
 * 8x8); we give the last upconv stride 2, so it reaches 64x64 with the layers as listed.
 * Stride-1 4x4 layers use TensorFlow's "same" padding (1 before, 2 after). */
static const layer_spec chairs_g[] = {
    FC(1024, 1, 1), BN, ACT(LAYER_RELU),
    FC(256, 8, 8), BN, ACT(LAYER_RELU),
    UPCONV(256, 4, 1), BN, ACT(LAYER_RELU),
    UPCONV(256, 4, 1), BN, ACT(LAYER_RELU),
    UPCONV(128, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(64, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(1, 4, 2), ACT(LAYER_SIGMOID),
};
static const layer_spec chairs_trunk[] = {
    CONV(64, 4, 2), ACT(LAYER_LRELU),
    CONV(128, 4, 2), BN, ACT(LAYER_LRELU),
    CONV(256, 4, 2), BN, ACT(LAYER_LRELU),
    CONV(256, 4, 1), BN, ACT(LAYER_LRELU),
    CONV(256, 4, 1), BN, ACT(LAYER_LRELU),
    FC(1024, 1, 1), BN, ACT(LAYER_LRELU),
};

/* The networks of Chairs' rotation and width settings: Table 6 without its two stride-1
 * 256-channel layers on each side (2.6x fewer multiply-adds). Table 6 draws noise on the
 * stand-in at lambda 1/10 and 0.2; this one draws chairs after a warm-up
 * (experiments/chairs.c, results/diagnostics/collapse). */
static const layer_spec chairs_lite_g[] = {
    FC(1024, 1, 1), BN, ACT(LAYER_RELU),
    FC(256, 8, 8), BN, ACT(LAYER_RELU),
    UPCONV(128, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(64, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(1, 4, 2), ACT(LAYER_SIGMOID),
};
static const layer_spec chairs_lite_trunk[] = {
    CONV(64, 4, 2), ACT(LAYER_LRELU),
    CONV(128, 4, 2), BN, ACT(LAYER_LRELU),
    CONV(256, 4, 2), BN, ACT(LAYER_LRELU),
    FC(1024, 1, 1), BN, ACT(LAYER_LRELU),
};

/* InfoGAN-CR's CdSprites networks (Lin et al. 2020, InfoGAN-CR_CdSprites/gan/network.py):
 * G with BN after each activation; D and Q without BN, every weight layer spectrally
 * normalized; Q's head a 128-unit layer. Leaky slope 0.2 there (the cdsprites "cr" setting
 * sets it). */
static const layer_spec cdsprites_cr_g[] = {
    FC(128, 1, 1), ACT(LAYER_RELU), BN,
    FC(64, 4, 4), ACT(LAYER_RELU), BN,
    UPCONV(64, 4, 2), ACT(LAYER_LRELU), BN,
    UPCONV(32, 4, 2), ACT(LAYER_LRELU), BN,
    UPCONV(32, 4, 2), ACT(LAYER_LRELU), BN,
    UPCONV(1, 4, 2), ACT(LAYER_SIGMOID),
};
static const layer_spec cdsprites_cr_trunk[] = {
    SN_CONV(32, 4, 2), ACT(LAYER_LRELU),
    SN_CONV(32, 4, 2), ACT(LAYER_LRELU),
    SN_CONV(64, 4, 2), ACT(LAYER_LRELU),
    SN_CONV(64, 4, 2), ACT(LAYER_LRELU),
    SN_FC(128, 1, 1), ACT(LAYER_LRELU),
};
static const layer_spec sn_d_head[] = {SN_FC(1, 1, 1)};
static const layer_spec cdsprites_cr_q_head[] = {
    SN_FC(128, 1, 1), ACT(LAYER_LRELU),
    SN_FC(ARCH_Q_OUT, 1, 1),
};

/* Faces' and Chairs' trunks as InfoGAN-CR's "modified InfoGAN" builds a D: every weight layer
 * spectrally normalized, no batch norm (G as Table 4 and chairs-lite). For the issue's
 * search (results/diagnostics/cdsprites/engines.md: this recipe disentangles the disk). */
static const layer_spec faces_sn_trunk[] = {
    SN_CONV(64, 4, 2), ACT(LAYER_LRELU),
    SN_CONV(128, 4, 2), ACT(LAYER_LRELU),
    SN_FC(1024, 1, 1), ACT(LAYER_LRELU),
};
static const layer_spec chairs_lite_sn_trunk[] = {
    SN_CONV(64, 4, 2), ACT(LAYER_LRELU),
    SN_CONV(128, 4, 2), ACT(LAYER_LRELU),
    SN_CONV(256, 4, 2), ACT(LAYER_LRELU),
    SN_FC(1024, 1, 1), ACT(LAYER_LRELU),
};
static const layer_spec sn_out_q_head[] = {SN_FC(ARCH_Q_OUT, 1, 1)};

/* Tables 2 and 3, SVHN and CelebA (32x32 colour), one network; BN where the table has it
 * (not after the 128- and 64-channel upconvs). Tanh output: images are scaled to [-1,1]. */
static const layer_spec color32_g[] = {
    FC(448, 2, 2), BN, ACT(LAYER_RELU),
    UPCONV(256, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(128, 4, 2), ACT(LAYER_RELU),
    UPCONV(64, 4, 2), ACT(LAYER_RELU),
    UPCONV(3, 4, 2), ACT(LAYER_TANH),
};
/* Our "stable" setting's G for SVHN and CelebA: BN after every upconv but the last. The
 * table as printed collapses on the stand-ins (results/diagnostics/collapse). */
static const layer_spec color32_bn_g[] = {
    FC(448, 2, 2), BN, ACT(LAYER_RELU),
    UPCONV(256, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(128, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(64, 4, 2), BN, ACT(LAYER_RELU),
    UPCONV(3, 4, 2), ACT(LAYER_TANH),
};
static const layer_spec color32_trunk[] = {
    CONV(64, 4, 2), ACT(LAYER_LRELU),
    CONV(128, 4, 2), BN, ACT(LAYER_LRELU),
    CONV(256, 4, 2), BN, ACT(LAYER_LRELU),
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
    {"faces", 1, 32, 32, faces_g, LEN(faces_g), faces_trunk, LEN(faces_trunk), mnist_d_head,
     LEN(mnist_d_head), out_q_head, LEN(out_q_head)},
    {"chairs", 1, 64, 64, chairs_g, LEN(chairs_g), chairs_trunk, LEN(chairs_trunk), mnist_d_head,
     LEN(mnist_d_head), out_q_head, LEN(out_q_head)},
    {"chairs-lite", 1, 64, 64, chairs_lite_g, LEN(chairs_lite_g), chairs_lite_trunk,
     LEN(chairs_lite_trunk), mnist_d_head, LEN(mnist_d_head), out_q_head, LEN(out_q_head)},
    {"faces-sn", 1, 32, 32, faces_g, LEN(faces_g), faces_sn_trunk, LEN(faces_sn_trunk),
     sn_d_head, LEN(sn_d_head), sn_out_q_head, LEN(sn_out_q_head)},
    {"chairs-lite-sn", 1, 64, 64, chairs_lite_g, LEN(chairs_lite_g), chairs_lite_sn_trunk,
     LEN(chairs_lite_sn_trunk), sn_d_head, LEN(sn_d_head), sn_out_q_head,
     LEN(sn_out_q_head)},
    {"cdsprites-cr", 1, 64, 64, cdsprites_cr_g, LEN(cdsprites_cr_g), cdsprites_cr_trunk,
     LEN(cdsprites_cr_trunk), sn_d_head, LEN(sn_d_head), cdsprites_cr_q_head,
     LEN(cdsprites_cr_q_head)},
    {"svhn", 3, 32, 32, color32_g, LEN(color32_g), color32_trunk, LEN(color32_trunk), mnist_d_head,
     LEN(mnist_d_head), mnist_q_head, LEN(mnist_q_head)},
    {"celeba", 3, 32, 32, color32_g, LEN(color32_g), color32_trunk, LEN(color32_trunk), mnist_d_head,
     LEN(mnist_d_head), mnist_q_head, LEN(mnist_q_head)},
    {"svhn-bn", 3, 32, 32, color32_bn_g, LEN(color32_bn_g), color32_trunk, LEN(color32_trunk),
     mnist_d_head, LEN(mnist_d_head), mnist_q_head, LEN(mnist_q_head)},
    {"toy", 1, 8, 8, toy_g, LEN(toy_g), toy_trunk, LEN(toy_trunk), mnist_d_head,
     LEN(mnist_d_head), toy_q_head, LEN(toy_q_head)},
};

const arch *arch_find(const char *name)
{
    for (int i = 0; i < LEN(arches); i++)
        if (strcmp(arches[i].name, name) == 0) return &arches[i];
    char known[256] = "";
    for (int i = 0; i < LEN(arches); i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "", arches[i].name);
    die("no architecture table '%s' (known: %s)", name, known);
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
