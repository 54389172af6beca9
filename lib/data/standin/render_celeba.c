/* render_celeba.c: the CelebA stand-in (32x32 colour portraits on cluttered backgrounds):
 * the ray-cast head of render_faces.c with skin and hair colour, hair styles, glasses and
 * an expression, over neck and shoulders. Factors: azimuth (9, -40..40 deg), glasses (2),
 * hair style (5: bald, short, fringe, long, voluminous), expression (5, stern .. broad
 * smile), skin tone (6, light .. dark), hair colour (6: black, dark brown, brown, blond,
 * auburn, grey). Unrecorded jitter: identity (face shape), width, elevation, light
 * direction, clothing colour and the background clutter. */
#include <math.h>
#include <string.h>

#include "data/standin/render.h"

#define DEG (3.14159265f / 180.0f)

enum { A_AZIMUTH, A_GLASSES, A_HAIR, A_EXPRESSION, A_SKIN, A_HAIR_COLOR };

static const float SKIN[6][3] = {
    {0.96f, 0.80f, 0.69f}, {0.92f, 0.72f, 0.58f}, {0.85f, 0.63f, 0.48f},
    {0.72f, 0.50f, 0.36f}, {0.55f, 0.37f, 0.25f}, {0.38f, 0.25f, 0.17f},
};
static const float HAIR[6][3] = {
    {0.06f, 0.05f, 0.05f}, {0.22f, 0.13f, 0.07f}, {0.45f, 0.28f, 0.15f},
    {0.88f, 0.74f, 0.45f}, {0.60f, 0.22f, 0.10f}, {0.70f, 0.70f, 0.70f},
};

static float celeba_value(int f, int level)
{
    switch (f) {
    case A_AZIMUTH: return -40.0f + 10.0f * (float)level;
    case A_EXPRESSION: return 0.25f * (float)level; /* smile amount */
    default: return (float)level;
    }
}

/* Background: a base colour and soft-edged rectangles and discs, then defocused. */
static void clutter(render_rng *r, float *out)
{
    float base[3];
    for (int k = 0; k < 3; k++) base[k] = render_range(r, 0.15f, 0.9f);
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 32 * 32; i++) out[k * 32 * 32 + i] = base[k];
    int shapes = 4 + (int)(render_uniform(r) * 6.0f);
    for (int s = 0; s < shapes; s++) {
        float rgb[3], cx = render_range(r, 0, 32), cy = render_range(r, 0, 32);
        float rx = render_range(r, 2, 12), ry = render_range(r, 2, 12);
        int disc = render_uniform(r) < 0.5f;
        for (int k = 0; k < 3; k++) rgb[k] = render_range(r, 0.05f, 0.95f);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) {
                float u = fabsf(((float)x + 0.5f - cx) / rx), v = fabsf(((float)y + 0.5f - cy) / ry);
                float d = disc ? sqrtf(u * u + v * v) : fmaxf(u, v);
                if (d >= 1.0f) continue;
                for (int k = 0; k < 3; k++) out[(k * 32 + y) * 32 + x] = rgb[k];
            }
    }
    blur_gaussian(out, 3, 32, 32, 0.8f);
}

static void celeba_render(const int *index, uint64_t seed, float *out)
{
    render_rng r = render_rng_make(seed, 0xCE1E, 0);
    head hd;
    memset(&hd, 0, sizeof hd);
    hd.hp.width = render_range(&r, 0.9f, 1.08f);
    hd.hp.identity = (uint64_t)(render_uniform(&r) * 1e6f) + 1;
    memcpy(hd.hp.skin, SKIN[index[A_SKIN]], sizeof hd.hp.skin);
    memcpy(hd.hp.hair, HAIR[index[A_HAIR_COLOR]], sizeof hd.hp.hair);
    for (int k = 0; k < 3; k++) hd.hp.cloth[k] = render_range(&r, 0.05f, 0.9f);
    hd.hp.smile = celeba_value(A_EXPRESSION, index[A_EXPRESSION]);
    hd.hp.hair_style = index[A_HAIR];
    hd.hp.glasses = index[A_GLASSES];
    hd.hp.shoulders = 1;
    scene sc = {0};
    scene_add_head(&sc, &hd);
    for (int i = 0; i < sc.n; i++) sc.p[i].t[1] += 0.05f;
    clutter(&r, out);
    float la = render_range(&r, -35.0f, 35.0f) * DEG;
    float light[3] = {sinf(la) * 0.9f, 0.35f, cosf(la) * 0.9f}, len = 0.0f;
    for (int k = 0; k < 3; k++) len += light[k] * light[k];
    for (int k = 0; k < 3; k++) light[k] /= sqrtf(len);
    scene_render(&sc, celeba_value(A_AZIMUTH, index[A_AZIMUTH]) * DEG,
                 render_range(&r, -6.0f, 6.0f) * DEG, 1.05f, light, 0.3f, 0.75f, 2, 3, 32, 32,
                 out, NULL);
    add_noise_clamp01(out, 3 * 32 * 32, 0.015f, &r);
}

const render_spec render_celeba = {
    .name = "celeba",
    .version = 1,
    .about = "A ray-cast colour portrait over neck and shoulders on a cluttered background. "
             "Azimuth in degrees; glasses no/yes; hair style bald, short, fringe, long, "
             "voluminous; expression 0 (stern: mouth corners and brows down) to 1 (broad "
             "smile with teeth); skin tone light to dark; hair colour black, dark brown, "
             "brown, blond, auburn, grey.", .c = 3, .h = 32, .w = 32, .n_factors = 6,
    .factor_names = {"azimuth", "glasses", "hair_style", "expression", "skin_tone", "hair_color"},
    .factor_levels = {9, 2, 5, 5, 6, 6},
    .sweep_base = {4, 0, 1, 2, 1, 1},
    .factor_value = celeba_value,
    .render = celeba_render,
};
