/* render_common.c: the stand-in table, dataset rendering, contact sheets, and the shared
 * tools (jitter generator, orthographic ray caster, 2-D strokes, blur). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/image.h"
#include "base/rng.h"
#include "data/standin/render.h"
#include "base/util.h"

/* ---- jitter generator ---- */

render_rng render_rng_make(uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t s = splitmix64_mix(seed, a, 0xD1B54A32D192ED03ull, b, 0x8CB92BA72F3D8DD7ull);
    return (render_rng){splitmix64(&s)};
}

float render_uniform(render_rng *r)
{
    return (float)(splitmix64(&r->s) >> 40) * (1.0f / 16777216.0f);
}

float render_range(render_rng *r, float lo, float hi)
{
    return lo + (hi - lo) * render_uniform(r);
}

float render_normal(render_rng *r)
{
    float u = render_uniform(r), v = render_uniform(r);
    return sqrtf(-2.0f * logf(1.0f - u)) * cosf(6.2831853f * v);
}

float render_hash01(uint64_t a, uint64_t b)
{
    render_rng r = render_rng_make(0x5EED, a, b);
    return render_uniform(&r);
}

/* ---- the table, datasets and contact sheets ---- */

const render_spec *render_find(const char *name)
{
    const render_spec *all[] = {&render_faces, &render_chairs, &render_svhn, &render_celeba,
                                &render_cdsprites};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (strcmp(all[i]->name, name) == 0) return all[i];
    return NULL;
}

int render_version(const char *name)
{
    const render_spec *s = render_find(name);
    return s ? s->version : 0;
}

dataset *render_dataset(const render_spec *s, int n, uint64_t seed)
{
    dataset *d = dataset_alloc(s->name, n, s->c, s->h, s->w, s->n_factors);
    for (int f = 0; f < s->n_factors; f++) {
        snprintf(d->factor_names[f], sizeof d->factor_names[f], "%s", s->factor_names[f]);
        d->factor_levels[f] = s->factor_levels[f];
    }
    size_t img = (size_t)s->c * s->h * s->w;
    int nf = s->n_factors;
    #pragma omp parallel for schedule(dynamic, 64)
    for (int i = 0; i < n; i++) {
        render_rng r = render_rng_make(seed, (uint64_t)i, 0);
        int *index = d->factor_index + (size_t)i * nf; // (F)
        for (int f = 0; f < nf; f++) {
            index[f] = (int)(render_uniform(&r) * (float)s->factor_levels[f]);
            if (index[f] >= s->factor_levels[f]) index[f] = s->factor_levels[f] - 1;
            d->factor_value[(size_t)i * nf + f] = s->factor_value(f, index[f]);
        }
        s->render(index, splitmix64(&r.s), d->images + i * img);
    }
    return d;
}

void render_contact_sheet(const render_spec *s, const char *path, uint64_t seed, int cols)
{
    int scale = s->h <= 32 ? 3 : 2; /* nearest-neighbour zoom so a person can look */
    int c = s->c, h = s->h, w = s->w, zh = h * scale, zw = w * scale;
    int rows = s->n_factors;
    float *cells = xalloc_floats((size_t)rows * cols * c * zh * zw); // (rows*cols,C,ZH,ZW)
    float *one = xalloc_floats((size_t)c * h * w);                    // (C,H,W)
    for (size_t i = 0; i < (size_t)rows * cols * c * zh * zw; i++) cells[i] = 1.0f;
    for (int f = 0; f < rows; f++) {
        int levels = s->factor_levels[f], shown = levels < cols ? levels : cols;
        for (int j = 0; j < shown; j++) {
            int index[DATASET_MAX_FACTORS];
            memcpy(index, s->sweep_base, sizeof index);
            index[f] = shown > 1 ? (int)lroundf((float)j * (float)(levels - 1) / (float)(shown - 1)) : 0;
            s->render(index, seed, one);
            float *cell = cells + ((size_t)f * cols + j) * c * zh * zw;
            for (int k = 0; k < c; k++)
                for (int y = 0; y < zh; y++)
                    for (int x = 0; x < zw; x++)
                        cell[((size_t)k * zh + y) * zw + x] =
                            one[((size_t)k * h + y / scale) * w + x / scale];
        }
    }
    image_write_grid_png(path, cells, rows * cols, c, zh, zw, rows, cols, 2);
    free(one);
    free(cells);
}

/* ---- ray caster ---- */

static void mat_mul(const float *a, const float *b, float *out) /* 3x3 row-major */
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
}

static void rotation(float rx, float ry, float rz, float *r) /* Rz * Ry * Rx */
{
    float cx = cosf(rx), sx = sinf(rx), cy = cosf(ry), sy = sinf(ry), cz = cosf(rz), sz = sinf(rz);
    float mx[9] = {1, 0, 0, 0, cx, -sx, 0, sx, cx};
    float my[9] = {cy, 0, sy, 0, 1, 0, -sy, 0, cy};
    float mz[9] = {cz, -sz, 0, sz, cz, 0, 0, 0, 1};
    float t[9];
    mat_mul(my, mx, t);
    mat_mul(mz, t, r);
}

static int mat_inverse(const float *m, float *inv)
{
    float c0 = m[4] * m[8] - m[5] * m[7], c1 = m[5] * m[6] - m[3] * m[8], c2 = m[3] * m[7] - m[4] * m[6];
    float det = m[0] * c0 + m[1] * c1 + m[2] * c2;
    if (fabsf(det) < 1e-12f) return 0;
    float id = 1.0f / det;
    inv[0] = c0 * id, inv[1] = (m[2] * m[7] - m[1] * m[8]) * id, inv[2] = (m[1] * m[5] - m[2] * m[4]) * id;
    inv[3] = c1 * id, inv[4] = (m[0] * m[8] - m[2] * m[6]) * id, inv[5] = (m[2] * m[3] - m[0] * m[5]) * id;
    inv[6] = c2 * id, inv[7] = (m[1] * m[6] - m[0] * m[7]) * id, inv[8] = (m[0] * m[4] - m[1] * m[3]) * id;
    return 1;
}

prim *scene_add(scene *sc, int type, const float s[3], float rx, float ry, float rz,
                const float t[3], const float rgb[3])
{
    CHECK(sc->n < SCENE_MAX_PRIMS, "scene: more than %d primitives", SCENE_MAX_PRIMS);
    prim *p = &sc->p[sc->n++];
    memset(p, 0, sizeof *p);
    p->type = type;
    float r[9];
    rotation(rx, ry, rz, r);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) p->a[i * 3 + j] = r[i * 3 + j] * s[j];
    memcpy(p->t, t, sizeof p->t);
    memcpy(p->rgb, rgb, sizeof p->rgb);
    return p;
}

/* Ray o + s d (local space) against the unit primitive: nearest s > 0 and local normal. */
static int intersect(int type, const float *o, const float *d, float *s_hit, float *n)
{
    if (type == PRIM_ELLIPSOID) {
        float a = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        float b = o[0] * d[0] + o[1] * d[1] + o[2] * d[2];
        float c = o[0] * o[0] + o[1] * o[1] + o[2] * o[2] - 1.0f;
        float disc = b * b - a * c;
        if (disc < 0.0f) return 0;
        float s = (-b - sqrtf(disc)) / a;
        if (s <= 0.0f) return 0;
        for (int k = 0; k < 3; k++) n[k] = o[k] + s * d[k];
        *s_hit = s;
        return 1;
    }
    if (type == PRIM_BOX) {
        float lo = -1e30f, hi = 1e30f;
        int axis = 0;
        float sign = 1.0f;
        for (int k = 0; k < 3; k++) {
            if (fabsf(d[k]) < 1e-12f) {
                if (o[k] < -1.0f || o[k] > 1.0f) return 0;
                continue;
            }
            float inv = 1.0f / d[k];
            float s0 = (-1.0f - o[k]) * inv, s1 = (1.0f - o[k]) * inv;
            float near = s0 < s1 ? s0 : s1, far = s0 < s1 ? s1 : s0;
            if (near > lo) lo = near, axis = k, sign = d[k] > 0.0f ? -1.0f : 1.0f;
            if (far < hi) hi = far;
        }
        if (lo > hi || lo <= 0.0f) return 0;
        n[0] = n[1] = n[2] = 0.0f;
        n[axis] = sign;
        *s_hit = lo;
        return 1;
    }
    /* cylinder: side x^2 + z^2 = 1 with |y| <= 1, caps y = +-1 */
    float best = 1e30f;
    float a = d[0] * d[0] + d[2] * d[2];
    if (a > 1e-12f) {
        float b = o[0] * d[0] + o[2] * d[2], c = o[0] * o[0] + o[2] * o[2] - 1.0f;
        float disc = b * b - a * c;
        if (disc >= 0.0f) {
            float s = (-b - sqrtf(disc)) / a;
            float y = o[1] + s * d[1];
            if (s > 0.0f && y >= -1.0f && y <= 1.0f)
                best = s, n[0] = o[0] + s * d[0], n[1] = 0.0f, n[2] = o[2] + s * d[2];
        }
    }
    if (fabsf(d[1]) > 1e-12f)
        for (int cap = -1; cap <= 1; cap += 2) {
            float s = ((float)cap - o[1]) / d[1];
            float x = o[0] + s * d[0], z = o[2] + s * d[2];
            if (s > 0.0f && s < best && x * x + z * z <= 1.0f)
                best = s, n[0] = 0.0f, n[1] = (float)cap, n[2] = 0.0f;
        }
    if (best >= 1e30f) return 0;
    *s_hit = best;
    return 1;
}

typedef struct cam_prim {
    float m[9];       /* camera -> local */
    float tc[3];      /* centre in camera space */
    float x0, x1, y0, y1; /* screen bounding rectangle */
    float z0;         /* rays start here, just in front of the primitive (float precision) */
} cam_prim;

void scene_render(const scene *sc, float az, float el, float half, const float light[3],
                  float ambient, float diffuse, int ss, int c, int h, int w, float *out,
                  float *mask)
{
    /* camera = Rx(el) * Ry(-az) * world: the object turns by az and tilts by el */
    float rcam[9], ry[9], rx[9];
    rotation(0.0f, -az, 0.0f, ry);
    rotation(el, 0.0f, 0.0f, rx);
    mat_mul(rx, ry, rcam);
    cam_prim cp[SCENE_MAX_PRIMS];
    for (int i = 0; i < sc->n; i++) {
        const prim *p = &sc->p[i];
        float ra[9];
        mat_mul(rcam, p->a, ra);
        CHECK(mat_inverse(ra, cp[i].m), "scene: primitive %d has a zero-size axis", i);
        for (int k = 0; k < 3; k++)
            cp[i].tc[k] = rcam[k * 3] * p->t[0] + rcam[k * 3 + 1] * p->t[1] + rcam[k * 3 + 2] * p->t[2];
        /* exact camera-space half extents of the mapped unit shape, per axis */
        float ext[3];
        for (int k = 0; k < 3; k++) {
            const float *row = ra + k * 3;
            if (p->type == PRIM_ELLIPSOID)
                ext[k] = sqrtf(row[0] * row[0] + row[1] * row[1] + row[2] * row[2]);
            else if (p->type == PRIM_BOX)
                ext[k] = fabsf(row[0]) + fabsf(row[1]) + fabsf(row[2]);
            else
                ext[k] = sqrtf(row[0] * row[0] + row[2] * row[2]) + fabsf(row[1]);
        }
        cp[i].x0 = cp[i].tc[0] - ext[0], cp[i].x1 = cp[i].tc[0] + ext[0];
        cp[i].y0 = cp[i].tc[1] - ext[1], cp[i].y1 = cp[i].tc[1] + ext[1];
        cp[i].z0 = cp[i].tc[2] + ext[2] + 0.01f;
    }
    float inv_samples = 1.0f / (float)(ss * ss);
    for (int py = 0; py < h; py++)
        for (int px = 0; px < w; px++) {
            float acc[3] = {0, 0, 0}, cover = 0.0f;
            for (int sy = 0; sy < ss; sy++)
                for (int sx = 0; sx < ss; sx++) {
                    float x = -half + 2.0f * half * ((float)px + ((float)sx + 0.5f) / (float)ss) / (float)w;
                    float y = half - 2.0f * half * ((float)py + ((float)sy + 0.5f) / (float)ss) / (float)h;
                    float best = -1e30f, nl[3] = {0, 0, 0}, lo_best[3] = {0, 0, 0}; /* z of the nearest hit */
                    int hit = -1;
                    for (int i = 0; i < sc->n; i++) {
                        const cam_prim *q = &cp[i];
                        if (x < q->x0 || x > q->x1 || y < q->y0 || y > q->y1) continue;
                        float oc[3] = {x - q->tc[0], y - q->tc[1], q->z0 - q->tc[2]};
                        float o[3], d[3], n[3], s;
                        for (int k = 0; k < 3; k++) {
                            o[k] = q->m[k * 3] * oc[0] + q->m[k * 3 + 1] * oc[1] + q->m[k * 3 + 2] * oc[2];
                            d[k] = -q->m[k * 3 + 2];
                        }
                        if (intersect(sc->p[i].type, o, d, &s, n) && q->z0 - s > best) {
                            best = q->z0 - s, hit = i;
                            memcpy(nl, n, sizeof nl);
                            for (int k = 0; k < 3; k++) lo_best[k] = o[k] + s * d[k];
                        }
                    }
                    if (hit < 0) continue;
                    const float *m = cp[hit].m;
                    float nw[3], len = 0.0f;
                    for (int k = 0; k < 3; k++) {
                        nw[k] = m[k] * nl[0] + m[3 + k] * nl[1] + m[6 + k] * nl[2];
                        len += nw[k] * nw[k];
                    }
                    len = len > 0.0f ? 1.0f / sqrtf(len) : 0.0f;
                    float ndl = (nw[0] * light[0] + nw[1] * light[1] + nw[2] * light[2]) * len;
                    float shade = ambient + diffuse * (ndl > 0.0f ? ndl : 0.0f);
                    float rgb[3];
                    const prim *p = &sc->p[hit];
                    if (p->tex) p->tex(lo_best, p->ctx, rgb);
                    else memcpy(rgb, p->rgb, sizeof rgb);
                    for (int k = 0; k < 3; k++) acc[k] += rgb[k] * shade;
                    cover += 1.0f;
                }
            float frac = cover * inv_samples;
            if (mask) mask[(size_t)py * w + px] = frac;
            if (cover == 0.0f) continue;
            if (c == 1) {
                float lum = (0.299f * acc[0] + 0.587f * acc[1] + 0.114f * acc[2]) * inv_samples;
                float *o = out + (size_t)py * w + px;
                *o = *o * (1.0f - frac) + lum;
            } else {
                for (int k = 0; k < 3; k++) {
                    float *o = out + ((size_t)k * h + py) * w + px;
                    *o = *o * (1.0f - frac) + acc[k] * inv_samples;
                }
            }
        }
}

/* ---- 2-D tools ---- */

float seg_distance(float x, float y, float ax, float ay, float bx, float by)
{
    float dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    float t = len2 > 0.0f ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0.0f;
    t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
    float ex = x - ax - t * dx, ey = y - ay - t * dy;
    return sqrtf(ex * ex + ey * ey);
}

void blur_gaussian(float *img, int c, int h, int w, float sigma)
{
    if (sigma <= 0.0f) return;
    int r = (int)ceilf(3.0f * sigma);
    if (r > 15) r = 15;
    float k[31], sum = 0.0f;
    for (int i = -r; i <= r; i++) sum += k[i + r] = expf(-0.5f * (float)(i * i) / (sigma * sigma));
    for (int i = 0; i <= 2 * r; i++) k[i] /= sum;
    int n = h > w ? h : w;
    float *line = xmalloc((size_t)n * sizeof(float));
    for (int ch = 0; ch < c; ch++) {
        float *p = img + (size_t)ch * h * w;
        for (int y = 0; y < h; y++) {
            memcpy(line, p + (size_t)y * w, (size_t)w * sizeof(float));
            for (int x = 0; x < w; x++) {
                float v = 0.0f;
                for (int i = -r; i <= r; i++) {
                    int xx = x + i < 0 ? 0 : (x + i >= w ? w - 1 : x + i);
                    v += k[i + r] * line[xx];
                }
                p[(size_t)y * w + x] = v;
            }
        }
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) line[y] = p[(size_t)y * w + x];
            for (int y = 0; y < h; y++) {
                float v = 0.0f;
                for (int i = -r; i <= r; i++) {
                    int yy = y + i < 0 ? 0 : (y + i >= h ? h - 1 : y + i);
                    v += k[i + r] * line[yy];
                }
                p[(size_t)y * w + x] = v;
            }
        }
    }
    free(line);
}

void clamp01(float *img, int count)
{
    for (int i = 0; i < count; i++) img[i] = img[i] < 0.0f ? 0.0f : (img[i] > 1.0f ? 1.0f : img[i]);
}

void add_noise_clamp01(float *img, int count, float sigma, render_rng *r)
{
    for (int i = 0; i < count; i++) img[i] += sigma * render_normal(r);
    clamp01(img, count);
}
