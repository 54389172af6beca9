/* render.h: procedural stand-ins for the paper's Faces, Chairs, SVHN and CelebA sets, and
 * CdSprites (InfoGAN-CR's one-disk smoke test).
 *
 * Each stand-in is a table (render_spec): its image shape, its factors (name, grid size,
 * value of each grid index) and a function that renders one image from a grid index per
 * factor. render_dataset draws every image's factor indices uniformly from its own seed,
 * (seed, image index), so the result is the same for any thread count. Unlike the real sets,
 * each image carries the true value of every factor.
 *
 * The shared tools below (a small orthographic ray caster over ellipsoids, boxes and
 * cylinders; 2-D strokes; blur and noise) are what the four renderers are built from. */
#ifndef RENDER_H
#define RENDER_H

#include <stdint.h>

#include "data/dataset.h"

typedef struct render_spec {
    const char *name;
    /* Stored with its rendered files and oracles; bump it whenever this renderer's images
     * change, so stale files are rendered again instead of reused. */
    int version;
    const char *about;                             /* one paragraph: what the levels mean */
    int c, h, w;                                   /* image (C,H,W) */
    int n_factors;
    const char *factor_names[DATASET_MAX_FACTORS];
    int factor_levels[DATASET_MAX_FACTORS];
    int sweep_base[DATASET_MAX_FACTORS];           /* contact sheet: the fixed indices */
    int n_default;                                 /* images if none is asked; 0: DATASETS_DEFAULT_N */
    /* The value of factor f at grid index level (e.g. degrees), as stored per image. */
    float (*factor_value)(int f, int level);
    /* Renders one image out (C,H,W) in [0,1] with grid index index[f] for each factor;
     * seed drives the small unrecorded jitter (noise grain, clutter placement). */
    void (*render)(const int *index, uint64_t seed, float *out);
} render_spec;

extern const render_spec render_faces, render_chairs, render_svhn, render_celeba, render_cdsprites;

/* The stand-in named name ("faces", "chairs", "svhn", "celeba", "cdsprites"), or NULL. */
const render_spec *render_find(const char *name);
/* The version of the stand-in named name (render_spec.version), 0 if there is none. */
int render_version(const char *name);
/* Renders n images (OpenMP over images, one seed per image); factors recorded. */
dataset *render_dataset(const render_spec *s, int n, uint64_t seed);
/* Writes a contact sheet PNG: one row per factor, sweeping that factor over up to cols
 * evenly spaced levels while the others stay at sweep_base and the jitter seed is fixed. */
void render_contact_sheet(const render_spec *s, const char *path, uint64_t seed, int cols);

/* ---- Shared tools for the renderers ---- */

/* A small deterministic generator (splitmix64) for per-image jitter. */
typedef struct render_rng { uint64_t s; } render_rng;
render_rng render_rng_make(uint64_t seed, uint64_t a, uint64_t b);
float render_uniform(render_rng *r);                /* [0, 1) */
float render_range(render_rng *r, float lo, float hi);
float render_normal(render_rng *r);                 /* N(0, 1) */
/* A fixed pseudo-random number in [0, 1) from integers (for per-identity shapes). */
float render_hash01(uint64_t a, uint64_t b);

enum { PRIM_ELLIPSOID, PRIM_BOX, PRIM_CYLINDER };

/* One primitive: a unit sphere, cube [-1,1]^3 or cylinder (x^2 + z^2 <= 1, |y| <= 1) mapped
 * to the world by world = A local + t. tex, if set, replaces the albedo at a hit with a
 * function of the local hit point (rgb out). */
typedef struct prim {
    int type;
    float a[9], t[3];     /* A row-major, t */
    float rgb[3];         /* albedo */
    void (*tex)(const float *local, const void *ctx, float *rgb);
    const void *ctx;
} prim;

#define SCENE_MAX_PRIMS 48
typedef struct scene {
    int n;
    prim p[SCENE_MAX_PRIMS];
} scene;

/* Adds a primitive with axes scaled by s[3], rotated by Euler angles (radians; about x,
 * then y, then z) and centred at t. Returns it so the caller may set a texture. */
prim *scene_add(scene *sc, int type, const float s[3], float rx, float ry, float rz,
                const float t[3], const float rgb[3]);
/* Ray casts the scene into out (C,H,W) (C = 1: luminance of the albedo, or 3) over the
 * world window [-half, half]^2, viewed from azimuth az (about y) and elevation el (about x,
 * radians), ss x ss samples per pixel. Lambertian: albedo * (ambient + diffuse * max(0,
 * n.light)); light is a unit vector in camera space (x right, y up, z toward the viewer).
 * Pixels the scene misses keep their value in out (the caller draws the background).
 * If mask (H,W) is given, it receives the covered fraction of each pixel. */
void scene_render(const scene *sc, float az, float el, float half, const float light[3],
                  float ambient, float diffuse, int ss, int c, int h, int w, float *out,
                  float *mask);

/* A head (used by faces and celeba), in a frame with y up, z toward the viewer at azimuth
 * 0, about 2 units tall and centred at the origin. Eyes, eye sockets, mouth and hairline
 * are painted by textures, so a head must outlive the render of its scene. */
typedef struct head_params {
    float width;            /* x scale of skull and jaw, 1 = average */
    uint64_t identity;      /* seed of the shape variation (nose, jaw, eyes, brows) */
    float skin[3], hair[3], cloth[3];
    float smile;            /* expression: 0 stern .. 1 broad smile with teeth */
    int hair_style;         /* 0 bald, 1 short, 2 fringe, 3 long, 4 voluminous */
    int glasses;            /* 0 or 1 */
    int shoulders;          /* 0 or 1: neck and shoulders in cloth colour */
} head_params;
typedef struct head_frame { const struct head *hd; float s[3], t[3]; } head_frame;
typedef struct head {
    head_params hp;
    head_frame cranium, jaw;
    float eye_x, eye_y, mouth_y, brow_y;   /* derived shape */
} head;
/* Adds hd's primitives to sc. */
void scene_add_head(scene *sc, head *hd);

/* 2-D: distance from point (x, y) to the segment (ax, ay)-(bx, by). */
float seg_distance(float x, float y, float ax, float ay, float bx, float by);
/* Separable Gaussian blur of img (C,H,W) in place, sigma in pixels (<= 0: no-op). */
void blur_gaussian(float *img, int c, int h, int w, float sigma);
/* Clamps every value of img (count) into [0,1]. */
void clamp01(float *img, int count);
/* Adds N(0, sigma^2) sensor noise to every value of img (count), then clamps into [0,1]. */
void add_noise_clamp01(float *img, int count, float sigma, render_rng *r);

#endif
