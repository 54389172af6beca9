/* data_datasets.c: the binary image set file (round trip, damaged files) and the choice
 * between real files and stand-ins. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_fixture.h"
#include "data/catalog.h"
#include "data/standin/render.h"

static dataset *small_set(void)
{
    dataset *d = render_dataset(&render_svhn, 20, 9);
    dataset_quantize8(d);
    return d;
}

Test(data_datasets, save_load_round_trip_is_exact)
{
    char dir[64], path[128], err[512];
    data_tmpfile(dir, path, sizeof path, "set.bin");
    dataset *d = small_set();
    dataset_save(d, 9, path);
    uint64_t seed = 0;
    dataset *e = dataset_load_try(path, 0, &seed, err, sizeof err);
    cr_assert_not_null(e, "%s", err);
    cr_assert_eq(seed, 9);
    cr_assert(e->n == d->n && e->c == d->c && e->h == d->h && e->w == d->w && e->n_factors == d->n_factors);
    cr_assert_str_eq(e->name, "svhn");
    size_t count = (size_t)d->n * d->c * d->h * d->w;
    cr_assert(memcmp(d->images, e->images, count * sizeof(float)) == 0, "quantized pixels survive exactly");
    cr_assert(memcmp(d->factor_index, e->factor_index, (size_t)d->n * d->n_factors * sizeof(int)) == 0);
    cr_assert(memcmp(d->factor_value, e->factor_value, (size_t)d->n * d->n_factors * sizeof(float)) == 0);
    for (int f = 0; f < d->n_factors; f++) {
        cr_assert_str_eq(e->factor_names[f], d->factor_names[f]);
        cr_assert_eq(e->factor_levels[f], d->factor_levels[f]);
    }
    dataset *head = dataset_load(path, 5, NULL);
    cr_assert_eq(head->n, 5);
    cr_assert(memcmp(head->images, d->images, 5 * (size_t)d->c * d->h * d->w * sizeof(float)) == 0);
    int n, version;
    cr_assert(dataset_file_header(path, &n, &seed, &version));
    cr_assert(n == 20 && seed == 9 && version == render_version(d->name) && version > 0);
    dataset_free(head);
    dataset_free(e);
    dataset_free(d);
    data_rmdir(dir);
}

Test(data_datasets, factors_csv_has_index_and_value_per_factor)
{
    char dir[64], path[128], line[512];
    data_tmpfile(dir, path, sizeof path, "f.csv");
    dataset *d = render_dataset(&render_chairs, 3, 2);
    dataset_write_factors_csv(d, path);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "image,type_index,type,width_index,width,azimuth_index,azimuth,elevation_index,elevation\n");
    int rows = 0, image, type_index, width_index, az_index, el_index;
    float type, width, az, el;
    while (fgets(line, sizeof line, f)) {
        cr_assert_eq(sscanf(line, "%d,%d,%g,%d,%g,%d,%g,%d,%g", &image, &type_index, &type, &width_index,
                            &width, &az_index, &az, &el_index, &el), 9, "%s", line);
        cr_assert_eq(image, rows);
        cr_assert_eq(az_index, d->factor_index[rows * 4 + 2]);
        cr_assert_float_eq(az, d->factor_value[rows * 4 + 2], 1e-3f);
        rows++;
    }
    cr_assert_eq(rows, 3);
    fclose(f);
    dataset_free(d);
    data_rmdir(dir);
}

Test(data_datasets, damaged_files_are_refused_naming_the_file)
{
    char dir[64], path[128], err[512];
    data_tmpfile(dir, path, sizeof path, "set.bin");
    dataset *d = small_set();
    dataset_save(d, 9, path);
    long size = data_file_size(path);

    /* one flipped byte in the pixels: checksum */
    FILE *f = fopen(path, "r+b");
    fseek(f, size / 2, SEEK_SET);
    int c = fgetc(f);
    fseek(f, size / 2, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
    cr_assert_null(dataset_load_try(path, 0, NULL, err, sizeof err));
    cr_assert(strstr(err, path) && strstr(err, "checksum"), "%s", err);

    /* truncated */
    dataset_save(d, 9, path);
    data_truncate(path, size - 100);
    cr_assert_null(dataset_load_try(path, 0, NULL, err, sizeof err));
    cr_assert(strstr(err, path) && strstr(err, "truncated"), "%s", err);

    /* not a data set file */
    f = fopen(path, "wb");
    fputs("hello", f);
    fclose(f);
    cr_assert_null(dataset_load_try(path, 0, NULL, err, sizeof err));
    cr_assert(strstr(err, path) && strstr(err, "magic"), "%s", err);
    int n, version;
    uint64_t seed;
    cr_assert_not(dataset_file_header(path, &n, &seed, &version));

    /* missing */
    remove(path);
    cr_assert_null(dataset_load_try(path, 0, NULL, err, sizeof err));
    cr_assert(strstr(err, path), "%s", err);
    dataset_free(d);
    data_rmdir(dir);
}

Test(data_datasets, load_dies_on_a_missing_file, .exit_code = 1)
{
    dataset_load("/nonexistent/standin/faces.bin", 0, NULL);
}

Test(data_datasets, open_renders_the_stand_in_or_reuses_its_file)
{
    char dir[64], sub[128], path[192];
    data_tmpdir(dir);
    /* nothing in the folder: rendered now, quantized like a stored file */
    dataset *a = datasets_open("faces", dir, 40, 3);
    cr_assert_eq(a->n, 40);
    cr_assert_eq(a->n_factors, 5);
    for (size_t i = 0; i < 40 * 32 * 32; i++) {
        float q = a->images[i] * 255.0f;
        cr_assert_float_eq(q, roundf(q), 1e-3f);
    }
    /* a stored file of the same seed is used (marker: its first pixel changed) */
    snprintf(sub, sizeof sub, "%s/standin", dir);
    mkdir(sub, 0755);
    datasets_standin_path("faces", dir, path, sizeof path);
    a->images[0] = 1.0f;
    dataset_save(a, 3, path);
    dataset *b = datasets_open("faces", dir, 30, 3);
    cr_assert_eq(b->n, 30);
    cr_assert_float_eq(b->images[0], 1.0f, 0.0f);
    /* another seed, or more images than stored: rendered instead */
    dataset *c = datasets_open("faces", dir, 30, 4);
    dataset *e = datasets_open("faces", dir, 50, 3);
    cr_assert_eq(e->n, 50);
    cr_assert(memcmp(c->images, b->images, 30 * 32 * 32 * sizeof(float)) != 0);
    dataset_free(a), dataset_free(b), dataset_free(c), dataset_free(e);
    data_rmdir(dir);
}

Test(data_datasets, open_prefers_real_files)
{
    char dir[64], sub[128], path[192];
    data_tmpdir(dir);
    snprintf(sub, sizeof sub, "%s/svhn", dir);
    mkdir(sub, 0755);
    cr_assert_not(datasets_real_path("svhn", dir, path, sizeof path));
    /* a 3-image SVHN file */
    snprintf(path, sizeof path, "%s/train_32x32.mat", sub);
    double y[3] = {10, 1, 5};
    data_write_svhn(path, 32, 32, 3, y, 1);
    char found[256];
    cr_assert(datasets_real_path("svhn", dir, found, sizeof found));
    cr_assert_str_eq(found, path);
    dataset *d = datasets_open("svhn", dir, 0, 1);
    cr_assert_eq(d->n, 3);
    cr_assert_eq(d->factor_index[0], 0, "label 10 means digit 0");
    dataset_free(d);
    data_rmdir(dir);
}

Test(data_datasets, unknown_name_dies, .exit_code = 1)
{
    datasets_open("imagenet", "/tmp", 10, 1);
}
