/* data_render.c: the procedural stand-ins: shapes, factor bookkeeping, determinism across
 * thread counts, that each factor changes the image (so it can be measured), and that
 * CdSprites' disk sits where its factors say. */
#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "data_fixture.h"
#include "base/image.h"
#include "data/standin/render.h"

#define N_SETS 5
static const char *NAMES[N_SETS] = {"faces", "chairs", "svhn", "celeba", "cdsprites"};

Test(data_render, shapes_factors_and_value_range)
{
    const int shapes[N_SETS][3] = {{1, 32, 32}, {1, 64, 64}, {3, 32, 32}, {3, 32, 32}, {1, 64, 64}};
    for (int s = 0; s < N_SETS; s++) {
        const render_spec *spec = render_find(NAMES[s]);
        cr_assert_not_null(spec, "%s is in the table", NAMES[s]);
        cr_assert(spec->c == shapes[s][0] && spec->h == shapes[s][1] && spec->w == shapes[s][2]);
        dataset *d = render_dataset(spec, 300, 42);
        cr_assert_eq(d->n_factors, spec->n_factors);
        size_t count = (size_t)d->n * d->c * d->h * d->w;
        for (size_t i = 0; i < count; i++)
            cr_assert(d->images[i] >= 0.0f && d->images[i] <= 1.0f, "%s pixel %zu = %g", NAMES[s], i, (double)d->images[i]);
        for (int i = 0; i < d->n; i++)
            for (int f = 0; f < d->n_factors; f++) {
                int k = d->factor_index[i * d->n_factors + f];
                cr_assert(k >= 0 && k < d->factor_levels[f], "%s factor %s index %d", NAMES[s], d->factor_names[f], k);
                cr_assert_float_eq(d->factor_value[i * d->n_factors + f], spec->factor_value(f, k), 0.0f);
            }
        dataset_free(d);
    }
    cr_assert_null(render_find("mnist"));
}

Test(data_render, every_level_of_every_factor_is_drawn)
{
    for (int s = 0; s < N_SETS; s++) {
        const render_spec *spec = render_find(NAMES[s]);
        dataset *d = render_dataset(spec, 2000, 7);
        for (int f = 0; f < d->n_factors; f++) {
            int seen[64] = {0};
            for (int i = 0; i < d->n; i++) seen[d->factor_index[i * d->n_factors + f]]++;
            /* expected count n / levels >= 2000 / 31 = 64; a level with none would be a bug */
            for (int k = 0; k < d->factor_levels[f]; k++)
                cr_assert(seen[k] > 0, "%s factor %s level %d never drawn", NAMES[s], d->factor_names[f], k);
        }
        dataset_free(d);
    }
}

Test(data_render, same_bits_for_any_thread_count)
{
    for (int s = 0; s < N_SETS; s++) {
        const render_spec *spec = render_find(NAMES[s]);
        omp_set_num_threads(1);
        dataset *a = render_dataset(spec, 97, 5);
        omp_set_num_threads(2);
        dataset *b = render_dataset(spec, 97, 5);
        dataset *c = render_dataset(spec, 97, 6);
        size_t bytes = (size_t)a->n * a->c * a->h * a->w * sizeof(float);
        cr_assert(memcmp(a->images, b->images, bytes) == 0, "%s: 1 and 2 threads differ", NAMES[s]);
        cr_assert(memcmp(a->factor_index, b->factor_index, (size_t)a->n * a->n_factors * sizeof(int)) == 0);
        cr_assert(memcmp(a->images, c->images, bytes) != 0, "%s: another seed gives other images", NAMES[s]);
        dataset_free(a);
        dataset_free(b);
        dataset_free(c);
    }
}

static double mean_abs_diff(const float *a, const float *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += fabs((double)a[i] - (double)b[i]);
    return s / (double)n;
}

Test(data_render, each_factor_changes_the_image)
{
    /* From the sweep base, moving one factor from its first to its last level must change
     * the image (mean |difference| > 0.002, half a grey level per pixel on average: the mouth of the
     * CelebA expression covers few pixels),
     * and rendering the same indices and seed twice must give the same image. */
    for (int s = 0; s < N_SETS; s++) {
        const render_spec *spec = render_find(NAMES[s]);
        size_t size = (size_t)spec->c * spec->h * spec->w;
        float *a = malloc(size * sizeof(float)), *b = malloc(size * sizeof(float));
        int base[DATASET_MAX_FACTORS];
        memcpy(base, spec->sweep_base, sizeof base);
        spec->render(base, 3, a);
        spec->render(base, 3, b);
        cr_assert_eq(mean_abs_diff(a, b, size), 0.0, "%s: same indices and seed", NAMES[s]);
        for (int f = 0; f < spec->n_factors; f++) {
            int lo[DATASET_MAX_FACTORS], hi[DATASET_MAX_FACTORS];
            memcpy(lo, base, sizeof lo);
            memcpy(hi, base, sizeof hi);
            lo[f] = 0, hi[f] = spec->factor_levels[f] - 1;
            spec->render(lo, 3, a);
            spec->render(hi, 3, b);
            double diff = mean_abs_diff(a, b, size);
            cr_expect(diff > 0.002, "%s: factor %s barely changes the image (%g)", NAMES[s],
                      spec->factor_names[f], diff);
        }
        free(a);
        free(b);
    }
}

Test(data_render, chairs_vary_within_a_type_less_than_between_types)
{
    /* Version 2: the image seed draws each chair's proportions and shade, so 40 seeds at the
     * same factor indices give 40 different images; and two chairs of one type still differ
     * less than chairs of two types (mean |difference| over every type pair, same view). */
    enum { SEEDS = 40, PX = 64 * 64 };
    float *img = malloc(sizeof(float) * SEEDS * PX); // (SEEDS,64,64)
    int index[4] = {0, 3, 4, 0};
    for (int k = 0; k < SEEDS; k++) render_chairs.render(index, 100 + (uint64_t)k, img + (size_t)k * PX);
    for (int a = 0; a < SEEDS; a++)
        for (int b = a + 1; b < SEEDS; b++)
            cr_assert_gt(mean_abs_diff(img + (size_t)a * PX, img + (size_t)b * PX, PX), 0.0, "seeds %d, %d", a, b);
    double within = 0.0, between = 0.0;
    int pairs = 0;
    for (int t = 0; t < 24; t++) {
        for (int u = t + 1; u < 24; u++) {
            index[0] = t;
            render_chairs.render(index, 7, img);
            render_chairs.render(index, 8, img + PX);
            index[0] = u;
            render_chairs.render(index, 7, img + 2 * PX);
            within += mean_abs_diff(img, img + PX, PX);
            between += mean_abs_diff(img, img + 2 * PX, PX);
            pairs++;
        }
    }
    cr_log_info("chairs: mean |difference| within a type %.4f, between types %.4f", within / pairs, between / pairs);
    cr_assert_lt(within, 0.7 * between, "within a type %.4f, between types %.4f", within / pairs, between / pairs);
    free(img);
}

Test(data_render, contact_sheet_has_one_row_per_factor)
{
    char dir[64], path[128];
    data_tmpfile(dir, path, sizeof path, "chairs.png");
    render_contact_sheet(&render_chairs, path, 1, 12);
    int h, w;
    float *img = image_read_png(path, 1, &h, &w);
    /* cells 128x128 (64 px zoomed 2x), 2 px white padding */
    cr_assert_eq(h, 4 * 128 + 5 * 2);
    cr_assert_eq(w, 12 * 128 + 13 * 2);
    free(img);
    data_rmdir(dir);
}

/* The image's intensity-weighted centroid (x right, y down; pixel (i,j) centred at
 * (j + 0.5, i + 0.5)) and its total intensity. */
static double centroid(const float *img, int h, int w, double *x, double *y)
{
    double sum = 0.0, sx = 0.0, sy = 0.0;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            double v = img[i * w + j];
            sum += v, sx += v * (j + 0.5), sy += v * (i + 0.5);
        }
    *x = sx / sum, *y = sy / sum;
    return sum;
}

Test(data_render, cdsprites_disk_sits_at_its_factor_values)
{
    /* The disk's centroid, read back as polar coordinates about the image centre (angle
     * counter-clockwise from +x as seen), is within a pixel of the factor values: radius to
     * 1 px, angle to 1 px of arc. Every grid point keeps the whole disk inside: the outermost
     * ring of pixels stays black, and the disk's area stays that of a radius-5 disk. */
    const render_spec *s = render_find("cdsprites");
    cr_assert_not_null(s);
    cr_assert(s->factor_levels[0] * s->factor_levels[1] == 1080, "40 angles x 27 radii");
    float *img = malloc(64 * 64 * sizeof(float)), *again = malloc(64 * 64 * sizeof(float));
    const int probes[][2] = {{0, 26}, {10, 13}, {17, 5}, {25, 20}, {39, 26}, {33, 1}};
    for (int a = 0; a < s->factor_levels[0]; a++)
        for (int r = 0; r < s->factor_levels[1]; r++) {
            int index[2] = {a, r};
            s->render(index, 1, img);
            s->render(index, 2, again);
            cr_assert(memcmp(img, again, 64 * 64 * sizeof(float)) == 0,
                      "angle %d radius %d: not deterministic", a, r);
            for (int k = 0; k < 64; k++)
                cr_assert(img[k] == 0.0f && img[63 * 64 + k] == 0.0f && img[k * 64] == 0.0f &&
                          img[k * 64 + 63] == 0.0f, "angle %d radius %d touches the border", a, r);
            double x, y, area = centroid(img, 64, 64, &x, &y);
            cr_assert(fabs(area - M_PI * 25.0) < 0.02 * M_PI * 25.0, "angle %d radius %d: area %g",
                      a, r, area);
        }
    for (size_t p = 0; p < sizeof probes / sizeof probes[0]; p++) {
        int index[2] = {probes[p][0], probes[p][1]};
        s->render(index, 1, img);
        double x, y;
        centroid(img, 64, 64, &x, &y);
        double radius = hypot(x - 32.0, 32.0 - y), angle = atan2(32.0 - y, x - 32.0) * 180.0 / M_PI;
        double want_angle = s->factor_value(0, index[0]), want_radius = s->factor_value(1, index[1]);
        double dangle = fmod(angle - want_angle + 540.0, 360.0) - 180.0; /* cyclic, degrees */
        cr_assert(fabs(radius - want_radius) < 1.0, "radius level %d: centroid at %g px, factor %g",
                  index[1], radius, want_radius);
        cr_assert(fabs(dangle) * M_PI / 180.0 * want_radius < 1.0,
                  "angle level %d: centroid at %g deg, factor %g (radius %g)", index[0], angle,
                  want_angle, want_radius);
    }
    free(img);
    free(again);
}
