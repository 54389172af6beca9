/* render_svhn.c: the SVHN stand-in (32x32 colour house-number crops): a central digit with
 * parts of its neighbours on either side, drawn as anti-aliased strokes, then lit by a
 * gradient, blurred and given sensor noise. Factors: digit (10), left and right context
 * (11 each: 0 = no digit, k = digit k-1), font (4), lighting (5), colors (8 palettes),
 * blur (3). Unrecorded jitter: position (+-1 px), size (+-6%), hue and noise (std 0.01-0.04). */
#include <math.h>
#include <string.h>

#include "data/standin/render.h"

#define DEG (3.14159265f / 180.0f)
#define MAX_SEGS 96

typedef struct glyph { int n; float x[MAX_SEGS][2], y[MAX_SEGS][2]; } glyph;

static void seg(glyph *g, float x0, float y0, float x1, float y1)
{
    if (g->n >= MAX_SEGS) return;
    g->x[g->n][0] = x0, g->y[g->n][0] = y0, g->x[g->n][1] = x1, g->y[g->n][1] = y1;
    g->n++;
}

static void poly(glyph *g, const float *pts, int n) /* pts: x0 y0 x1 y1 ... */
{
    for (int i = 0; i + 1 < n; i++) seg(g, pts[2 * i], pts[2 * i + 1], pts[2 * i + 2], pts[2 * i + 3]);
}

/* Elliptical arc from angle a0 to a1 (degrees, y down: 90 = bottom). */
static void arc(glyph *g, float cx, float cy, float rx, float ry, float a0, float a1)
{
    int n = (int)(fabsf(a1 - a0) / 15.0f) + 2;
    float px = cx + rx * cosf(a0 * DEG), py = cy + ry * sinf(a0 * DEG);
    for (int i = 1; i <= n; i++) {
        float a = (a0 + (a1 - a0) * (float)i / (float)n) * DEG;
        float x = cx + rx * cosf(a), y = cy + ry * sinf(a);
        seg(g, px, py, x, y);
        px = x, py = y;
    }
}

/* Digit d's strokes in a box 0.6 wide and 1 tall (y down): rounded or seven-segment. */
static void digit_glyph(int d, int angular, glyph *g)
{
    g->n = 0;
    if (angular) {
        static const unsigned char SEGMENTS[10] = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};
        static const float S[7][4] = {{0, 0, 1, 0}, {1, 0, 1, .5f}, {1, .5f, 1, 1}, {0, 1, 1, 1},
                                      {0, .5f, 0, 1}, {0, 0, 0, .5f}, {0, .5f, 1, .5f}};
        for (int k = 0; k < 7; k++)
            if (SEGMENTS[d] >> k & 1) seg(g, 0.05f + 0.5f * S[k][0], 0.04f + 0.92f * S[k][1],
                                         0.05f + 0.5f * S[k][2], 0.04f + 0.92f * S[k][3]);
        return;
    }
    switch (d) {
    case 0: arc(g, 0.3f, 0.5f, 0.27f, 0.47f, 0, 360); break;
    case 1: { float p[] = {0.12f, 0.22f, 0.36f, 0.03f, 0.36f, 0.97f}; poly(g, p, 3); break; }
    case 2: {
        arc(g, 0.3f, 0.28f, 0.26f, 0.25f, -165, 25);
        float p[] = {0.3f + 0.26f * cosf(25 * DEG), 0.28f + 0.25f * sinf(25 * DEG), 0.03f, 0.97f, 0.58f, 0.97f};
        poly(g, p, 3);
        break;
    }
    case 3: arc(g, 0.3f, 0.26f, 0.24f, 0.23f, -150, 90); arc(g, 0.3f, 0.73f, 0.27f, 0.25f, -90, 150); break;
    case 4: { float p[] = {0.46f, 0.97f, 0.46f, 0.03f, 0.02f, 0.68f, 0.6f, 0.68f}; poly(g, p, 4); break; }
    case 5: {
        float p[] = {0.55f, 0.03f, 0.1f, 0.03f, 0.07f, 0.45f};
        poly(g, p, 3);
        arc(g, 0.3f, 0.66f, 0.27f, 0.31f, -130, 150);
        break;
    }
    case 6: arc(g, 0.3f, 0.69f, 0.26f, 0.28f, 0, 360); arc(g, 0.5f, 0.69f, 0.46f, 0.65f, 180, 262); break;
    case 7: { float p[] = {0.02f, 0.03f, 0.58f, 0.03f, 0.2f, 0.97f}; poly(g, p, 3); break; }
    case 8: arc(g, 0.3f, 0.26f, 0.22f, 0.23f, 0, 360); arc(g, 0.3f, 0.72f, 0.27f, 0.25f, 0, 360); break;
    default: arc(g, 0.3f, 0.31f, 0.26f, 0.28f, 0, 360); arc(g, 0.1f, 0.31f, 0.46f, 0.65f, 0, 82); break;
    }
}

enum { S_DIGIT, S_LEFT, S_RIGHT, S_FONT, S_LIGHTING, S_COLORS, S_BLUR };

static const float PALETTES[8][2][3] = { /* background, digit */
    {{0.10f, 0.22f, 0.55f}, {0.95f, 0.95f, 0.95f}}, /* white on blue */
    {{0.92f, 0.90f, 0.85f}, {0.08f, 0.08f, 0.08f}}, /* black on white */
    {{0.12f, 0.12f, 0.12f}, {0.90f, 0.88f, 0.80f}}, /* cream on black */
    {{0.10f, 0.35f, 0.15f}, {0.95f, 0.85f, 0.30f}}, /* yellow on green */
    {{0.95f, 0.80f, 0.25f}, {0.10f, 0.10f, 0.12f}}, /* black on yellow */
    {{0.65f, 0.12f, 0.10f}, {0.96f, 0.96f, 0.92f}}, /* white on red */
    {{0.85f, 0.75f, 0.60f}, {0.35f, 0.20f, 0.10f}}, /* brown on beige */
    {{0.35f, 0.36f, 0.38f}, {0.80f, 0.82f, 0.85f}}, /* silver on grey */
};

static float svhn_value(int f, int level)
{
    switch (f) {
    case S_LEFT: case S_RIGHT: return (float)(level - 1); /* -1: no digit */
    case S_BLUR: return 0.5f * (float)level;             /* Gaussian sigma, pixels */
    default: return (float)level;
    }
}

/* Adds the coverage of digit d (box top-left at (x0, y0) pixels, height ht) into cov (H,W). */
static void draw_digit(float *cov, int d, int font, float x0, float y0, float ht)
{
    static const float STROKE[4] = {0.10f, 0.16f, 0.12f, 0.11f}; /* of the height */
    float slant = font == 3 ? 0.22f : 0.0f, xs = font == 3 ? 0.8f : 1.0f;
    glyph g;
    digit_glyph(d, font == 2, &g);
    float half = 0.5f * STROKE[font] * ht;
    float px[MAX_SEGS][2], py[MAX_SEGS][2];
    for (int i = 0; i < g.n; i++)
        for (int e = 0; e < 2; e++) {
            py[i][e] = y0 + g.y[i][e] * ht;
            px[i][e] = x0 + (g.x[i][e] * xs + slant * (1.0f - g.y[i][e])) * ht;
        }
    int xa = (int)floorf(x0 - half - 1.0f), xb = (int)ceilf(x0 + (0.6f + slant) * ht + half + 1.0f);
    int ya = (int)floorf(y0 - half - 1.0f), yb = (int)ceilf(y0 + ht + half + 1.0f);
    for (int y = ya < 0 ? 0 : ya; y < 32 && y <= yb; y++)
        for (int x = xa < 0 ? 0 : xa; x < 32 && x <= xb; x++) {
            float cx = (float)x + 0.5f, cy = (float)y + 0.5f, best = 1e30f;
            for (int i = 0; i < g.n; i++) {
                float dd = seg_distance(cx, cy, px[i][0], py[i][0], px[i][1], py[i][1]);
                if (dd < best) best = dd;
            }
            float a = 0.5f + half - best;
            a = a < 0.0f ? 0.0f : (a > 1.0f ? 1.0f : a);
            float *c = cov + y * 32 + x;
            *c = *c > a ? *c : a;
        }
}

static void svhn_render(const int *index, uint64_t seed, float *out)
{
    render_rng r = render_rng_make(seed, 0x5748, 0);
    int font = index[S_FONT];
    float ht = 21.0f * (1.0f + render_range(&r, -0.06f, 0.06f));
    float dw = (0.6f * (font == 3 ? 0.8f : 1.0f)) * ht, gap = 0.18f * ht;
    float x0 = 16.0f - 0.5f * dw + render_range(&r, -1.0f, 1.0f);
    float y0 = 16.0f - 0.5f * ht + render_range(&r, -1.0f, 1.0f);
    float cov[32 * 32] = {0}; // (H,W)
    draw_digit(cov, index[S_DIGIT], font, x0, y0, ht);
    if (index[S_LEFT] > 0) draw_digit(cov, index[S_LEFT] - 1, font, x0 - dw - gap, y0, ht);
    if (index[S_RIGHT] > 0) draw_digit(cov, index[S_RIGHT] - 1, font, x0 + dw + gap, y0, ht);
    const float (*pal)[3] = PALETTES[index[S_COLORS]];
    float tint[3];
    for (int k = 0; k < 3; k++) tint[k] = 1.0f + render_range(&r, -0.08f, 0.08f);
    /* lighting: a linear gradient (none, from the left, right, top) or a corner shadow */
    static const float LIGHT[5][3] = {{0, 0, 0}, {-1, 0, 0.5f}, {1, 0, 0.5f}, {0, -1, 0.5f}, {0.7f, 0.7f, -0.45f}};
    const float *L = LIGHT[index[S_LIGHTING]];
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) {
            float u = ((float)x - 15.5f) / 16.0f, v = ((float)y - 15.5f) / 16.0f;
            float g = 1.0f + (L[2] >= 0.0f ? L[2] * 0.9f * (u * L[0] + v * L[1])
                                           : L[2] * fmaxf(0.0f, u * L[0] + v * L[1]));
            float a = cov[y * 32 + x];
            for (int k = 0; k < 3; k++)
                out[(k * 32 + y) * 32 + x] = g * tint[k] * (pal[0][k] * (1.0f - a) + pal[1][k] * a);
        }
    blur_gaussian(out, 3, 32, 32, svhn_value(S_BLUR, index[S_BLUR]));
    add_noise_clamp01(out, 3 * 32 * 32, render_range(&r, 0.01f, 0.04f), &r);
}

const render_spec render_svhn = {
    .name = "svhn",
    .version = 1,
    .about = "A central digit with parts of its neighbours (left/right value -1: none). "
             "Fonts: rounded, rounded bold, seven-segment, condensed italic. Lighting: even, "
             "from the left, from the right, from the top, corner shadow. Colours (background/"
             "digit): white/blue, black/white, cream/black, yellow/green, black/yellow, "
             "white/red, brown/beige, silver/grey. Blur: Gaussian sigma in pixels.", .c = 3, .h = 32, .w = 32, .n_factors = 7,
    .factor_names = {"digit", "left", "right", "font", "lighting", "colors", "blur"},
    .factor_levels = {10, 11, 11, 4, 5, 8, 3},
    .sweep_base = {3, 5, 8, 0, 0, 0, 1},
    .factor_value = svhn_value,
    .render = svhn_render,
};
