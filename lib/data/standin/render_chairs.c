/* render_chairs.c: the chairs stand-in (64x64 gray on white, like the renderings of Aubry
 * et al.'s 3D chairs). A chair is assembled from boxes and cylinders: seat, back, legs and
 * arms in 24 types (a table of styles and proportions). Factors: type (24), width (8, seat
 * and back width 0.70..1.40), azimuth (31 values over 360 deg), elevation (2: 20, 30 deg).
 * Within a type each image draws its own proportions and shade from its seed (version 2),
 * as Aubry et al.'s 1,393 models vary within a style; version 1 rendered one chair per type
 * and width, so its 50,000 images held only 11,904 distinct ones. */
#include <math.h>
#include <string.h>

#include "data/standin/render.h"

#define DEG (3.14159265f / 180.0f)

enum { LEGS_SQUARE, LEGS_ROUND, LEGS_PEDESTAL, LEGS_SLED, LEGS_BLOCK, LEGS_SPLAYED };
enum { BACK_NONE, BACK_PANEL, BACK_SLATS, BACK_RAILS, BACK_ROUND, BACK_SPINDLES };
enum { ARMS_NONE, ARMS_RESTS, ARMS_PANELS };

typedef struct chair_type {
    int legs, back, arms, round_seat;
    float seat_h;    /* seat top above the floor */
    float back_h;    /* back height above the seat */
    float seat_t;    /* seat thickness (half) */
    float depth;     /* seat half depth */
    float leg_r;     /* leg half thickness */
    float albedo;
} chair_type;

static const chair_type TYPES[24] = {
    {LEGS_SQUARE,   BACK_PANEL,    ARMS_NONE,   0, 0.85f, 0.95f, 0.05f, 0.42f, 0.045f, 0.60f}, /* dining */
    {LEGS_ROUND,    BACK_SLATS,    ARMS_NONE,   0, 0.85f, 1.05f, 0.04f, 0.40f, 0.040f, 0.50f}, /* slat back */
    {LEGS_SQUARE,   BACK_RAILS,    ARMS_NONE,   0, 0.85f, 0.90f, 0.04f, 0.42f, 0.040f, 0.55f}, /* ladder back */
    {LEGS_PEDESTAL, BACK_PANEL,    ARMS_RESTS,  0, 0.80f, 0.90f, 0.08f, 0.44f, 0.050f, 0.35f}, /* office */
    {LEGS_PEDESTAL, BACK_ROUND,    ARMS_NONE,   1, 0.80f, 0.80f, 0.08f, 0.44f, 0.050f, 0.40f}, /* task chair */
    {LEGS_ROUND,    BACK_NONE,     ARMS_NONE,   1, 0.95f, 0.00f, 0.05f, 0.36f, 0.040f, 0.55f}, /* round stool */
    {LEGS_SQUARE,   BACK_NONE,     ARMS_NONE,   0, 0.75f, 0.00f, 0.06f, 0.38f, 0.050f, 0.65f}, /* square stool */
    {LEGS_BLOCK,    BACK_PANEL,    ARMS_PANELS, 0, 0.65f, 0.75f, 0.12f, 0.50f, 0.050f, 0.55f}, /* armchair */
    {LEGS_SQUARE,   BACK_PANEL,    ARMS_RESTS,  0, 0.80f, 0.85f, 0.07f, 0.45f, 0.045f, 0.45f}, /* captain */
    {LEGS_SLED,     BACK_PANEL,    ARMS_NONE,   0, 0.80f, 0.85f, 0.04f, 0.42f, 0.030f, 0.50f}, /* cantilever */
    {LEGS_SPLAYED,  BACK_ROUND,    ARMS_NONE,   1, 0.85f, 0.70f, 0.05f, 0.40f, 0.035f, 0.70f}, /* cafe */
    {LEGS_ROUND,    BACK_SPINDLES, ARMS_NONE,   0, 0.85f, 1.00f, 0.05f, 0.42f, 0.040f, 0.45f}, /* windsor */
    {LEGS_SQUARE,   BACK_PANEL,    ARMS_NONE,   0, 0.85f, 1.35f, 0.05f, 0.42f, 0.040f, 0.35f}, /* high back */
    {LEGS_BLOCK,    BACK_PANEL,    ARMS_NONE,   0, 0.55f, 0.65f, 0.14f, 0.50f, 0.050f, 0.60f}, /* lounge */
    {LEGS_SPLAYED,  BACK_NONE,     ARMS_NONE,   1, 1.20f, 0.00f, 0.05f, 0.32f, 0.030f, 0.40f}, /* bar stool */
    {LEGS_SQUARE,   BACK_SLATS,    ARMS_RESTS,  0, 0.80f, 0.95f, 0.05f, 0.44f, 0.040f, 0.60f}, /* slat armchair */
    {LEGS_PEDESTAL, BACK_NONE,     ARMS_NONE,   1, 0.90f, 0.00f, 0.07f, 0.38f, 0.050f, 0.30f}, /* swivel stool */
    {LEGS_SLED,     BACK_SLATS,    ARMS_NONE,   0, 0.80f, 0.90f, 0.04f, 0.42f, 0.030f, 0.65f}, /* sled slats */
    {LEGS_ROUND,    BACK_RAILS,    ARMS_RESTS,  0, 0.80f, 0.80f, 0.05f, 0.44f, 0.040f, 0.50f}, /* rail armchair */
    {LEGS_BLOCK,    BACK_NONE,     ARMS_NONE,   0, 0.55f, 0.00f, 0.20f, 0.45f, 0.050f, 0.55f}, /* ottoman */
    {LEGS_SPLAYED,  BACK_SPINDLES, ARMS_NONE,   0, 0.85f, 0.90f, 0.04f, 0.40f, 0.035f, 0.60f}, /* spindle */
    {LEGS_SQUARE,   BACK_ROUND,    ARMS_PANELS, 0, 0.75f, 0.75f, 0.08f, 0.46f, 0.045f, 0.45f}, /* club chair */
    {LEGS_PEDESTAL, BACK_PANEL,    ARMS_NONE,   0, 0.85f, 1.25f, 0.06f, 0.44f, 0.050f, 0.40f}, /* executive */
    {LEGS_SLED,     BACK_ROUND,    ARMS_RESTS,  1, 0.80f, 0.70f, 0.05f, 0.42f, 0.030f, 0.55f}, /* tub chair */
};

enum { C_TYPE, C_WIDTH, C_AZIMUTH, C_ELEVATION };

static float chairs_value(int f, int level)
{
    switch (f) {
    case C_WIDTH: return 0.70f + 0.10f * (float)level;
    case C_AZIMUTH: return 360.0f * (float)level / 31.0f;
    case C_ELEVATION: return level == 0 ? 20.0f : 30.0f;
    default: return (float)level;
    }
}

static void box(scene *sc, float sx, float sy, float sz, float x, float y, float z, const float *rgb)
{
    float s[3] = {sx, sy, sz}, t[3] = {x, y, z};
    scene_add(sc, PRIM_BOX, s, 0, 0, 0, t, rgb);
}

static void post(scene *sc, float r, float x, float y0, float y1, float z, float tilt_x,
                 float tilt_z, const float *rgb) /* a cylinder from height y0 to y1 */
{
    float s[3] = {r, 0.5f * (y1 - y0), r}, t[3] = {x, 0.5f * (y0 + y1), z};
    scene_add(sc, PRIM_CYLINDER, s, tilt_x, 0, tilt_z, t, rgb);
}

static void build_chair(scene *sc, const chair_type *ct, float width)
{
    float g = ct->albedo, rgb[3] = {g, g, g}, dark[3] = {0.6f * g, 0.6f * g, 0.6f * g};
    float hw = 0.42f * width, hd = ct->depth, sh = ct->seat_h, st = ct->seat_t, r = ct->leg_r;
    float y_seat = sh - st; /* seat centre */
    /* seat */
    if (ct->round_seat) {
        float s[3] = {hw, st, hd}, t[3] = {0.0f, y_seat, 0.0f};
        scene_add(sc, PRIM_CYLINDER, s, 0, 0, 0, t, rgb);
    } else {
        box(sc, hw, st, hd, 0.0f, y_seat, 0.0f, rgb);
    }
    float under = sh - 2.0f * st; /* bottom of the seat */
    float lx = hw - r * 1.5f, lz = hd - r * 1.5f;
    switch (ct->legs) {
    case LEGS_SQUARE:
        for (int i = 0; i < 4; i++)
            box(sc, r, 0.5f * under, r, (i & 1 ? lx : -lx), 0.5f * under, (i & 2 ? lz : -lz), dark);
        break;
    case LEGS_ROUND:
        for (int i = 0; i < 4; i++) post(sc, r, (i & 1 ? lx : -lx), 0.0f, under, (i & 2 ? lz : -lz), 0, 0, dark);
        break;
    case LEGS_SPLAYED:
        for (int i = 0; i < 4; i++) {
            float sx = i & 1 ? 1.0f : -1.0f, sz = i & 2 ? 1.0f : -1.0f;
            post(sc, r, sx * (lx * 0.8f + 0.06f), 0.0f, under, sz * (lz * 0.8f + 0.06f),
                 -sz * 0.12f, sx * 0.12f, dark);
        }
        if (ct->seat_h > 1.0f) { /* foot ring of a bar stool */
            float s[3] = {lx * 1.05f, 0.02f, lz * 1.05f}, t[3] = {0.0f, 0.35f, 0.0f};
            scene_add(sc, PRIM_CYLINDER, s, 0, 0, 0, t, dark);
        }
        break;
    case LEGS_PEDESTAL:
        post(sc, 0.06f, 0.0f, 0.1f, under, 0.0f, 0, 0, dark);
        for (int k = 0; k < 5; k++) {
            float a = (float)k * 72.0f * DEG;
            float s[3] = {0.05f, 0.03f, 0.22f}, t[3] = {0.2f * sinf(a), 0.08f, 0.2f * cosf(a)};
            scene_add(sc, PRIM_BOX, s, 0, a, 0, t, dark);
            float ws[3] = {0.05f, 0.05f, 0.05f}, wt[3] = {0.4f * sinf(a), 0.05f, 0.4f * cosf(a)};
            scene_add(sc, PRIM_ELLIPSOID, ws, 0, 0, 0, wt, dark);
        }
        break;
    case LEGS_SLED:
        for (int side = -1; side <= 1; side += 2) {
            float x = (float)side * (hw - 0.03f);
            box(sc, 0.025f, 0.025f, hd + 0.05f, x, 0.025f, 0.0f, dark);          /* runner */
            box(sc, 0.025f, 0.5f * under, 0.025f, x, 0.5f * under, hd, dark);    /* front post */
        }
        box(sc, hw - 0.03f, 0.02f, 0.02f, 0.0f, 0.02f, -hd - 0.03f, dark);
        break;
    case LEGS_BLOCK:
        box(sc, hw * 0.98f, 0.5f * under, hd * 0.98f, 0.0f, 0.5f * under, 0.0f, dark);
        break;
    }
    /* back, standing on the rear edge of the seat */
    float bz = -hd + 0.04f, y0 = sh, y1 = sh + ct->back_h, bh = 0.5f * ct->back_h;
    switch (ct->back) {
    case BACK_PANEL:
        box(sc, hw, bh, 0.04f, 0.0f, y0 + bh, bz, rgb);
        break;
    case BACK_ROUND: {
        float s[3] = {hw * 1.02f, bh, 0.05f}, t[3] = {0.0f, y0 + bh * 0.95f, bz};
        scene_add(sc, PRIM_ELLIPSOID, s, 0, 0, 0, t, rgb);
        box(sc, 0.04f, 0.1f, 0.03f, 0.0f, y0 + 0.08f, bz, dark);
        break;
    }
    case BACK_SLATS:
        for (int side = -1; side <= 1; side += 2) box(sc, 0.035f, bh, 0.035f, (float)side * (hw - 0.035f), y0 + bh, bz, dark);
        box(sc, hw, 0.07f, 0.035f, 0.0f, y1 - 0.07f, bz, rgb);
        for (int k = -1; k <= 1; k++) box(sc, 0.05f, bh - 0.07f, 0.02f, (float)k * hw * 0.45f, y0 + bh - 0.07f, bz, rgb);
        break;
    case BACK_RAILS:
        for (int side = -1; side <= 1; side += 2) post(sc, 0.035f, (float)side * (hw - 0.035f), y0, y1, bz, 0, 0, dark);
        for (int k = 1; k <= 3; k++) box(sc, hw, 0.05f, 0.025f, 0.0f, y0 + (float)k * ct->back_h * 0.25f, bz, rgb);
        break;
    case BACK_SPINDLES:
        box(sc, hw * 1.05f, 0.06f, 0.05f, 0.0f, y1, bz, rgb);
        for (int k = -3; k <= 3; k++) post(sc, 0.018f, (float)k * hw * 0.3f, y0, y1, bz, 0, 0, dark);
        break;
    default:
        break;
    }
    /* arms */
    if (ct->arms == ARMS_RESTS) {
        for (int side = -1; side <= 1; side += 2) {
            float x = (float)side * (hw + 0.03f);
            box(sc, 0.04f, 0.025f, hd * 0.85f, x, sh + 0.3f, -0.05f, rgb);
            box(sc, 0.025f, 0.15f, 0.025f, x, sh + 0.15f, hd * 0.6f, dark);
        }
    } else if (ct->arms == ARMS_PANELS) {
        for (int side = -1; side <= 1; side += 2)
            box(sc, 0.08f, 0.5f * (sh + 0.3f), hd, (float)side * (hw + 0.08f), 0.5f * (sh + 0.3f), 0.0f, rgb);
    }
}

/* One chair of type base: seat height +-12%, back height +-15%, seat depth +-12%, seat
 * thickness -20..+25% (at most 0.4 of the seat height), leg thickness -30..+40%, shade
 * +-0.12, drawn from seed (not recorded: the type's structure stays the factor). */
static chair_type chair_instance(const chair_type *base, uint64_t seed)
{
    render_rng r = render_rng_make(seed, 0xC4A12, 0);
    chair_type ct = *base;
    ct.seat_h *= render_range(&r, 0.88f, 1.12f);
    ct.back_h *= render_range(&r, 0.85f, 1.15f);
    ct.depth *= render_range(&r, 0.88f, 1.12f);
    ct.seat_t = fminf(ct.seat_t * render_range(&r, 0.80f, 1.25f), 0.4f * ct.seat_h);
    ct.leg_r *= render_range(&r, 0.70f, 1.40f);
    ct.albedo += render_range(&r, -0.12f, 0.12f);
    return ct;
}

static void chairs_render(const int *index, uint64_t seed, float *out)
{
    chair_type one = chair_instance(&TYPES[index[C_TYPE]], seed);
    const chair_type *ct = &one;
    scene sc = {0};
    build_chair(&sc, ct, chairs_value(C_WIDTH, index[C_WIDTH]));
    /* centre the chair's height on the image */
    float top = ct->seat_h + ct->back_h, shift = -0.5f * (top > 1.0f ? top : 1.0f);
    for (int i = 0; i < sc.n; i++) sc.p[i].t[1] += shift;
    float light[3] = {-0.45f, 0.75f, 0.48f}, len = sqrtf(0.45f * 0.45f + 0.75f * 0.75f + 0.48f * 0.48f);
    for (int k = 0; k < 3; k++) light[k] /= len;
    for (int i = 0; i < 64 * 64; i++) out[i] = 1.0f;
    scene_render(&sc, chairs_value(C_AZIMUTH, index[C_AZIMUTH]) * DEG,
                 chairs_value(C_ELEVATION, index[C_ELEVATION]) * DEG, 1.15f, light, 0.35f, 0.75f,
                 2, 1, 64, 64, out, NULL);
    clamp01(out, 64 * 64);
}

const render_spec render_chairs = {
    .name = "chairs",
    .version = 2, /* 2: proportions and shade vary within a type */
    .about = "Chairs from boxes and cylinders on white, 24 types: dining, slat back, ladder "
             "back, office, task chair, round stool, square stool, armchair, captain, "
             "cantilever, cafe, windsor, high back, lounge, bar stool, slat armchair, swivel "
             "stool, sled slats, rail armchair, ottoman, spindle, club chair, executive, tub "
             "chair. Width scales seat and back; azimuth 31 steps over 360 degrees; elevation "
             "20 or 30 degrees. Within a type, each image draws its own seat and back height, "
             "seat depth and thickness, leg thickness and shade (not recorded).",
    .c = 1, .h = 64, .w = 64, .n_factors = 4,
    .factor_names = {"type", "width", "azimuth", "elevation"},
    .factor_levels = {24, 8, 31, 2},
    .sweep_base = {0, 3, 4, 0},
    .factor_value = chairs_value,
    .render = chairs_render,
};
