/* render_faces.c: the ray-cast head shared by the faces and celeba stand-ins, and the
 * faces stand-in (32x32 gray, like the Basel face model renderings: a lit head on black).
 * Factors: azimuth (21, -70..70 deg), elevation (11, -30..30 deg), lighting (11, light
 * azimuth -75..75 deg), width (8, 0.80..1.22 of the skull's x radius) and identity (24
 * shapes of nose, jaw, eyes, brows and head height: the nuisance factor). */
#include <math.h>
#include <string.h>

#include "data/standin/render.h"

#define DEG (3.14159265f / 180.0f)

static float smooth01(float e0, float e1, float x) /* smoothstep */
{
    float t = (x - e0) / (e1 - e0);
    t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
    return t * t * (3.0f - 2.0f * t);
}

static void mix3(float *rgb, const float *other, float a)
{
    for (int k = 0; k < 3; k++) rgb[k] = rgb[k] * (1.0f - a) + other[k] * a;
}

/* Skin albedo with eye sockets, eyes and hairline, at head-frame point p. */
static void paint_upper(const head *hd, const float *p, float *rgb)
{
    const head_params *hp = &hd->hp;
    memcpy(rgb, hp->skin, 3 * sizeof(float));
    if (p[2] > 0.0f) {
        for (int side = -1; side <= 1; side += 2) {
            float dx = (p[0] - (float)side * hd->eye_x) / 0.15f, dy = (p[1] - hd->eye_y) / 0.085f;
            float r = sqrtf(dx * dx + dy * dy);
            float socket = 1.0f - smooth01(0.6f, 1.3f, r);            /* shadowed socket */
            for (int k = 0; k < 3; k++) rgb[k] *= 1.0f - 0.45f * socket;
            float ex = (p[0] - (float)side * hd->eye_x) / 0.09f, ey = (p[1] - hd->eye_y) / 0.045f;
            float white = 1.0f - smooth01(0.8f, 1.1f, sqrtf(ex * ex + ey * ey));
            const float sclera[3] = {0.85f, 0.85f, 0.82f}, iris[3] = {0.08f, 0.06f, 0.05f};
            mix3(rgb, sclera, 0.7f * white);
            float ir = sqrtf(ex * ex * 4.0f + ey * ey);
            mix3(rgb, iris, white * (1.0f - smooth01(0.5f, 0.8f, ir)));
        }
    }
    if (hp->hair_style > 0) {
        float front = p[2] / (hd->cranium.s[2] + 1e-6f); /* -1 back .. 1 front */
        float line = front > 0.0f ? 0.05f + (hp->hair_style == 2 ? 0.2f : 0.42f) * front
                                  : 0.05f + 0.6f * front;
        line += 0.05f * sinf(9.0f * p[0]) * (hp->hair_style == 2 ? 1.0f : 0.3f);
        mix3(rgb, hp->hair, smooth01(line - 0.03f, line + 0.03f, p[1] - hd->cranium.t[1] + 0.1f));
    }
}

/* Skin albedo with the mouth (expression) at head-frame point p. */
static void paint_lower(const head *hd, const float *p, float *rgb)
{
    const head_params *hp = &hd->hp;
    memcpy(rgb, hp->skin, 3 * sizeof(float));
    if (p[2] <= 0.0f) return;
    float s = hp->smile;
    float mw = 0.17f + 0.08f * s, k = -1.2f + 4.0f * s, open = 0.13f * s * s;
    float x = p[0] / mw;
    if (fabsf(x) > 1.25f) return;
    float edge = 1.0f - smooth01(0.85f, 1.1f, fabsf(x));
    float yu = hd->mouth_y + k * p[0] * p[0];
    float yl = yu - open * (1.0f - x * x > 0.0f ? 1.0f - x * x : 0.0f);
    const float lip_tint[3] = {0.75f, 0.25f, 0.25f}, teeth[3] = {0.95f, 0.93f, 0.88f},
                dark[3] = {0.12f, 0.05f, 0.05f};
    float lips[3];
    memcpy(lips, hp->skin, sizeof lips);
    mix3(lips, lip_tint, 0.45f);
    for (int c = 0; c < 3; c++) lips[c] *= 0.75f;
    float y = p[1];
    float lip = 0.0f;
    if (y > yu) lip = 1.0f - smooth01(0.02f, 0.035f, y - yu);
    else if (y < yl) lip = 1.0f - smooth01(0.03f, 0.05f, yl - y);
    else lip = 1.0f;
    mix3(rgb, lips, lip * edge);
    if (y <= yu && y >= yl && open > 0.005f) mix3(rgb, teeth, edge);
    float line = 1.0f - smooth01(0.008f, 0.02f, fminf(fabsf(y - yu), fabsf(y - yl)));
    mix3(rgb, dark, 0.8f * line * edge);
}

static void tex_upper(const float *local, const void *ctx, float *rgb)
{
    const head_frame *f = ctx;
    float p[3];
    for (int k = 0; k < 3; k++) p[k] = f->s[k] * local[k] + f->t[k];
    paint_upper(f->hd, p, rgb);
}

static void tex_lower(const float *local, const void *ctx, float *rgb)
{
    const head_frame *f = ctx;
    float p[3];
    for (int k = 0; k < 3; k++) p[k] = f->s[k] * local[k] + f->t[k];
    paint_lower(f->hd, p, rgb);
}

/* z of the skull's front surface at (x, y), for placing glasses. */
static float cranium_front(const head *hd, float x, float y)
{
    const float *s = hd->cranium.s, *t = hd->cranium.t;
    float u = (x - t[0]) / s[0], v = (y - t[1]) / s[1], q = 1.0f - u * u - v * v;
    return t[2] + s[2] * sqrtf(q > 0.0f ? q : 0.0f);
}

void scene_add_head(scene *sc, head *hd)
{
    const head_params *hp = &hd->hp;
    float id[8];
    for (int k = 0; k < 8; k++) id[k] = render_hash01(hp->identity, (uint64_t)k) * 2.0f - 1.0f;
    float wf = hp->width;
    hd->cranium = (head_frame){hd, {0.70f * wf, 0.94f + 0.06f * id[0], 0.84f}, {0.0f, 0.08f, 0.0f}};
    hd->jaw = (head_frame){hd, {(0.50f + 0.04f * id[1]) * wf, 0.55f + 0.05f * id[2], 0.66f},
                           {0.0f, -0.40f, 0.14f}};
    hd->eye_x = (0.26f + 0.025f * id[3]) * wf;
    hd->eye_y = 0.06f;
    hd->mouth_y = -0.52f + 0.03f * id[4];
    hd->brow_y = 0.2f + 0.03f * id[5];
    const float *skin = hp->skin;
    float brow_rgb[3], nose_rgb[3];
    for (int k = 0; k < 3; k++) {
        brow_rgb[k] = hp->hair_style > 0 ? 0.5f * hp->hair[k] + 0.2f * skin[k] : 0.55f * skin[k];
        nose_rgb[k] = skin[k] * 1.02f;
    }
    scene_add(sc, PRIM_ELLIPSOID, hd->cranium.s, 0, 0, 0, hd->cranium.t, skin)->tex = tex_upper;
    sc->p[sc->n - 1].ctx = &hd->cranium;
    scene_add(sc, PRIM_ELLIPSOID, hd->jaw.s, 0, 0, 0, hd->jaw.t, skin)->tex = tex_lower;
    sc->p[sc->n - 1].ctx = &hd->jaw;
    /* nose: a tilted ridge and a tip */
    float nose_len = 0.24f + 0.04f * id[6], nose_w = 0.09f + 0.02f * id[7];
    float ridge_s[3] = {nose_w, nose_len, 0.16f}, ridge_t[3] = {0.0f, -0.1f, 0.76f};
    scene_add(sc, PRIM_ELLIPSOID, ridge_s, -0.35f, 0, 0, ridge_t, nose_rgb);
    float tip_s[3] = {nose_w * 1.2f, 0.085f, 0.09f}, tip_t[3] = {0.0f, -0.1f - nose_len * 0.8f, 0.9f};
    scene_add(sc, PRIM_ELLIPSOID, tip_s, 0, 0, 0, tip_t, nose_rgb);
    /* brows: ridges whose inner ends drop for a stern face */
    for (int side = -1; side <= 1; side += 2) {
        float x = (float)side * hd->eye_x;
        float bs[3] = {0.15f, 0.035f, 0.06f}, bt[3] = {x, hd->brow_y, cranium_front(hd, x, hd->brow_y) - 0.04f};
        float tilt = (float)side * (0.35f - 0.5f * hp->smile) * 0.8f;
        scene_add(sc, PRIM_ELLIPSOID, bs, 0, 0, tilt, bt, brow_rgb);
    }
    /* ears */
    for (int side = -1; side <= 1; side += 2) {
        float es[3] = {0.07f, 0.19f, 0.12f}, et[3] = {(float)side * hd->cranium.s[0] * 0.97f, -0.05f, -0.05f};
        scene_add(sc, PRIM_ELLIPSOID, es, 0, 0, 0, et, skin);
    }
    /* hair volume beyond the painted hairline */
    if (hp->hair_style == 3) {
        for (int side = -1; side <= 1; side += 2) {
            float hs[3] = {0.2f, 0.75f, 0.45f}, ht[3] = {(float)side * 0.62f * wf, -0.35f, -0.28f};
            scene_add(sc, PRIM_ELLIPSOID, hs, 0, 0, (float)side * 0.12f, ht, hp->hair);
        }
        float bs[3] = {0.72f * wf, 0.95f, 0.45f}, bt[3] = {0.0f, -0.1f, -0.4f};
        scene_add(sc, PRIM_ELLIPSOID, bs, 0, 0, 0, bt, hp->hair);
    } else if (hp->hair_style == 4) {
        float vs[3] = {0.98f * wf, 0.9f, 0.8f}, vt[3] = {0.0f, 0.3f, -0.18f};
        scene_add(sc, PRIM_ELLIPSOID, vs, 0, 0, 0, vt, hp->hair);
    }
    if (hp->glasses) {
        const float frame[3] = {0.05f, 0.05f, 0.06f};
        float zf = cranium_front(hd, hd->eye_x, hd->eye_y) + 0.06f;
        for (int side = -1; side <= 1; side += 2) {
            float ls[3] = {0.15f, 0.015f, 0.105f}, lt[3] = {(float)side * hd->eye_x, hd->eye_y, zf};
            scene_add(sc, PRIM_CYLINDER, ls, 1.5707963f, 0, 0, lt, frame);
            float ts[3] = {0.012f, 0.015f, 0.38f},
                  tt[3] = {(float)side * hd->cranium.s[0] * 1.0f, hd->eye_y + 0.03f, zf - 0.38f};
            scene_add(sc, PRIM_BOX, ts, 0, 0, 0, tt, frame);
        }
        float bs[3] = {hd->eye_x - 0.14f, 0.014f, 0.014f}, bt[3] = {0.0f, hd->eye_y + 0.04f, zf};
        scene_add(sc, PRIM_BOX, bs, 0, 0, 0, bt, frame);
    }
    if (hp->shoulders) {
        float ns[3] = {0.3f * wf, 0.45f, 0.3f}, nt[3] = {0.0f, -1.0f, -0.1f};
        scene_add(sc, PRIM_CYLINDER, ns, 0, 0, 0, nt, skin);
        float ss[3] = {1.35f, 0.5f, 0.55f}, st[3] = {0.0f, -1.65f, -0.15f};
        scene_add(sc, PRIM_ELLIPSOID, ss, 0, 0, 0, st, hp->cloth);
    }
}

/* ---- the faces stand-in ---- */

enum { F_AZIMUTH, F_ELEVATION, F_LIGHTING, F_WIDTH, F_IDENTITY };

static float faces_value(int f, int level)
{
    switch (f) {
    case F_AZIMUTH: return -70.0f + 7.0f * (float)level;
    case F_ELEVATION: return -30.0f + 6.0f * (float)level;
    case F_LIGHTING: return -75.0f + 15.0f * (float)level;
    case F_WIDTH: return 0.80f + 0.06f * (float)level;
    default: return (float)level;
    }
}

static void faces_render(const int *index, uint64_t seed, float *out)
{
    (void)seed; /* every variation is a recorded factor */
    head hd;
    memset(&hd, 0, sizeof hd);
    hd.hp.width = faces_value(F_WIDTH, index[F_WIDTH]);
    hd.hp.identity = (uint64_t)index[F_IDENTITY] + 1;
    for (int k = 0; k < 3; k++) hd.hp.skin[k] = 0.85f;
    hd.hp.smile = 0.3f;
    scene sc = {0};
    scene_add_head(&sc, &hd);
    float la = faces_value(F_LIGHTING, index[F_LIGHTING]) * DEG;
    float light[3] = {sinf(la), 0.25f, cosf(la)}, len = sqrtf(1.0f + 0.0625f);
    for (int k = 0; k < 3; k++) light[k] /= len;
    memset(out, 0, 32 * 32 * sizeof(float));
    scene_render(&sc, faces_value(F_AZIMUTH, index[F_AZIMUTH]) * DEG,
                 faces_value(F_ELEVATION, index[F_ELEVATION]) * DEG, 1.1f, light, 0.08f, 0.95f,
                 2, 1, 32, 32, out, NULL);
    clamp01(out, 32 * 32);
}

const render_spec render_faces = {
    .name = "faces",
    .version = 1,
    .about = "A ray-cast head (skull, jaw, nose, brows, ears; painted eye sockets, eyes and "
             "mouth) with Lambertian shading on black. Azimuth and elevation in degrees; "
             "lighting is the light's azimuth in degrees (camera frame); width scales the "
             "skull and jaw; identity picks one of 24 fixed face shapes (the nuisance).", .c = 1, .h = 32, .w = 32, .n_factors = 5,
    .factor_names = {"azimuth", "elevation", "lighting", "width", "identity"},
    .factor_levels = {21, 11, 11, 8, 24},
    .sweep_base = {10, 5, 5, 3, 0},
    .factor_value = faces_value,
    .render = faces_render,
};
