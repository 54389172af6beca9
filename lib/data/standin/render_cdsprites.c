/* render_cdsprites.c: CdSprites, the smoke test of InfoGAN-CR (Lin et al. 2020): one white
 * disk on black 64x64, its centre at polar coordinates (radius, angle) about the image
 * centre. Their grid: 40 angles 0, 9, .., 351 degrees (cyclic; counter-clockwise from the +x
 * axis as seen, image rows growing downwards) x 27 radii 0, 1, .., 26 px, 1,080 images; disk
 * radius 5 px. In pixel coordinates (pixel (i,j) covers [j,j+1) x [i,i+1)) the image centre
 * is (32, 32), so the disk's edge stays within 26 + 5 = 31 px of it and never reaches the
 * outermost pixels. At radius 0 every angle draws the same image. Theirs is binary; ours is
 * anti-aliased: a pixel is clamp(5.5 - d, 0, 1), d the distance of its centre from the
 * disk's centre (a ramp one pixel wide across the edge). */
#include <math.h>

#include "data/standin/render.h"

#define SIZE 64
#define DISK_RADIUS 5.0f

enum { C_ANGLE, C_RADIUS };

static float cdsprites_value(int f, int level)
{
    return f == C_ANGLE ? 9.0f * (float)level : (float)level; /* degrees; pixels */
}

static void cdsprites_render(const int *index, uint64_t seed, float *out)
{
    (void)seed; /* the two factors are all there is */
    float a = cdsprites_value(C_ANGLE, index[C_ANGLE]) * (3.14159265f / 180.0f);
    float r = cdsprites_value(C_RADIUS, index[C_RADIUS]);
    float cx = 0.5f * SIZE + r * cosf(a), cy = 0.5f * SIZE - r * sinf(a);
    for (int i = 0; i < SIZE; i++)
        for (int j = 0; j < SIZE; j++) {
            float dx = (float)j + 0.5f - cx, dy = (float)i + 0.5f - cy;
            float v = DISK_RADIUS + 0.5f - sqrtf(dx * dx + dy * dy);
            out[i * SIZE + j] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
        }
}

const render_spec render_cdsprites = {
    .name = "cdsprites",
    .version = 1,
    .about = "InfoGAN-CR's CdSprites: a white disk of radius 5 px, anti-aliased, on black; its "
             "centre at angle (degrees, counter-clockwise from the right, cyclic) and radius "
             "(pixels) about the image centre. 40 x 27 = 1,080 distinct images, each drawn "
             "about 20 times (uniformly) in the default 21,600.",
    .c = 1, .h = SIZE, .w = SIZE, .n_factors = 2,
    .factor_names = {"angle", "radius"},
    .factor_levels = {40, 27},
    .sweep_base = {0, 20},
    .n_default = 21600,
    .factor_value = cdsprites_value,
    .render = cdsprites_render,
};
