/* data_image.c: PNG round trips (gray, RGB, grid layout), error paths, area resize. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/image.h"

static void temp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "/tmp/infogan_test_image_%ld_%s", (long)getpid(), name);
}

Test(data_image, png_round_trip_gray_and_rgb)
{
    for (int c = 1; c <= 3; c += 2) {
        int h = 5, w = 7;
        float im[3 * 5 * 7]; // (C,H,W)
        for (int i = 0; i < c * h * w; i++) im[i] = (float)((i * 37) % 256) / 255.0f;
        char path[256];
        temp_path(path, sizeof path, "rt.png");
        image_write_png(path, im, c, h, w);
        int rh, rw;
        float *back = image_read_png(path, c, &rh, &rw);
        cr_assert_eq(rh, h);
        cr_assert_eq(rw, w);
        for (int i = 0; i < c * h * w; i++) /* 8-bit quantization: exact for k/255 */
            cr_assert_float_eq(back[i], im[i], 1e-6f, "channel count %d, value %d", c, i);
        free(back);
        remove(path);
    }
}

Test(data_image, grid_places_cells_with_white_padding)
{
    /* 3 gray 2x2 images in a 2x2 grid, pad 1: 7x7 pixels, the 4th cell stays white. */
    float ims[3 * 4];
    for (int i = 0; i < 3; i++)
        for (int p = 0; p < 4; p++) ims[i * 4 + p] = (float)(i * 4 + p) / 255.0f;
    char path[256];
    temp_path(path, sizeof path, "grid.png");
    image_write_grid_png(path, ims, 3, 1, 2, 2, 2, 2, 1);
    int h, w;
    float *g = image_read_png(path, 1, &h, &w);
    cr_assert_eq(h, 7);
    cr_assert_eq(w, 7);
    cr_assert_float_eq(g[0], 1.0f, 1e-6f, "padding is white");
    cr_assert_float_eq(g[1 * 7 + 1], 0.0f, 1e-6f, "image 0 pixel (0,0)");
    cr_assert_float_eq(g[2 * 7 + 5], 7.0f / 255.0f, 1e-6f, "image 1 pixel (1,1)");
    cr_assert_float_eq(g[4 * 7 + 2], 9.0f / 255.0f, 1e-6f, "image 2 pixel (0,1)");
    cr_assert_float_eq(g[5 * 7 + 5], 1.0f, 1e-6f, "empty cell is white");
    free(g);
    remove(path);
}

Test(data_image, rgb_read_as_luminance)
{
    float im[3] = {1.0f, 1.0f, 1.0f}; /* one white pixel */
    char path[256];
    temp_path(path, sizeof path, "lum.png");
    image_write_png(path, im, 3, 1, 1);
    int h, w;
    float *g = image_read_png(path, 1, &h, &w);
    cr_assert_float_eq(g[0], 1.0f, 1.0f / 255.0f);
    free(g);
    remove(path);
}

Test(data_image, corrupt_and_missing_files_name_the_file)
{
    char path[256], err[512];
    temp_path(path, sizeof path, "corrupt.png");
    FILE *f = fopen(path, "wb");
    fputs("this is not a PNG file", f);
    fclose(f);
    int h, w;
    cr_assert_null(image_read_png_try(path, 1, &h, &w, err, sizeof err));
    cr_assert(strstr(err, path), "error names the file: %s", err);
    remove(path);
    cr_assert_null(image_read_png_try(path, 1, &h, &w, err, sizeof err));
    cr_assert(strstr(err, path), "error names the missing file: %s", err);

    /* A truncated PNG: the first half of a valid one. */
    float im[64 * 64];
    for (int i = 0; i < 64 * 64; i++) im[i] = (float)(i % 97) / 96.0f;
    image_write_png(path, im, 1, 64, 64);
    f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    cr_assert_eq(truncate(path, size / 2), 0);
    cr_assert_null(image_read_png_try(path, 1, &h, &w, err, sizeof err));
    cr_assert(strstr(err, path), "error names the truncated file: %s", err);
    remove(path);
}

Test(data_image, read_png_dies_on_missing_file, .exit_code = 1)
{
    int h, w;
    image_read_png("/nonexistent/folder/none.png", 1, &h, &w);
}

Test(data_image, resize_area_averages)
{
    /* 4x4 -> 2x2 averages 2x2 blocks exactly; 3x3 -> 2x2 weights partial pixels. */
    float a[16], out[4];
    for (int i = 0; i < 16; i++) a[i] = (float)i;
    image_resize_area(a, 1, 4, 4, out, 2, 2);
    cr_assert_float_eq(out[0], (0 + 1 + 4 + 5) / 4.0f, 1e-5f);
    cr_assert_float_eq(out[3], (10 + 11 + 14 + 15) / 4.0f, 1e-5f);
    float b[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, o2[4];
    image_resize_area(b, 1, 3, 3, o2, 2, 2);
    /* cell (0,0) covers [0,1.5)^2: weights 1, .5 / .5, .25 */
    float want = (1 * 1.0f + 2 * 0.5f + 4 * 0.5f + 5 * 0.25f) / 2.25f;
    cr_assert_float_eq(o2[0], want, 1e-5f);
    /* Constant images stay constant under any resize (mean preserved). */
    float ones[35], o3[6];
    for (int i = 0; i < 35; i++) ones[i] = 0.25f;
    image_resize_area(ones, 1, 5, 7, o3, 2, 3);
    for (int i = 0; i < 6; i++) cr_assert_float_eq(o3[i], 0.25f, 1e-6f);
}
