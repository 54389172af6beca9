/* data_loaders.c: the real-set loaders on small fixture files written with the same
 * libraries (matio, libjpeg, libpng), including corrupt, truncated and wrong-shaped ones. */
#include <criterion/criterion.h>
#include <math.h>
#include <matio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h> /* after stdio.h */

#include "data_fixture.h"
#include "base/image.h"
#include "data/load.h"

/* ---- SVHN ---- */

Test(data_loaders, svhn_matlab_order_and_label_10_is_0)
{
    char dir[64], path[128], err[512];
    data_tmpfile(dir, path, sizeof path, "train_32x32.mat");
    double labels[4] = {10, 1, 9, 5};
    data_write_svhn(path, 32, 32, 4, labels, 1);
    dataset *d = load_svhn_try(path, 0, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    cr_assert(d->n == 4 && d->c == 3 && d->h == 32 && d->w == 32);
    const int digits[4] = {0, 1, 9, 5};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(d->factor_index[i], digits[i]);
        for (int ch = 0; ch < 3; ch++)
            for (int row = 0; row < 32; row += 7)
                for (int col = 0; col < 32; col += 5) {
                    float want = (float)((row + 2 * col + 5 * ch + 7 * i) % 256) / 255.0f;
                    cr_assert_float_eq(d->images[((i * 3 + ch) * 32 + row) * 32 + col], want, 1e-6f,
                                       "image %d channel %d row %d col %d", i, ch, row, col);
                }
    }
    dataset_free(d);
    /* n = 2 keeps images 0 and 2, evenly spaced */
    d = load_svhn(path, 2);
    cr_assert(d->n == 2 && d->factor_index[1] == 9);
    dataset_free(d);
    data_rmdir(dir);
}

Test(data_loaders, svhn_bad_files_name_the_file)
{
    char dir[64], path[128], err[512];
    data_tmpfile(dir, path, sizeof path, "train_32x32.mat");
    double labels[2] = {1, 2}, bad[2] = {0, 3};
    data_write_svhn(path, 28, 28, 2, labels, 1); /* wrong shape */
    cr_assert_null(load_svhn_try(path, 0, err, sizeof err));
    cr_assert(strstr(err, path) && strstr(err, "32x32x3xN"), "%s", err);
    data_write_svhn(path, 32, 32, 2, labels, 0); /* no y */
    cr_assert_null(load_svhn_try(path, 0, err, sizeof err));
    cr_assert(strstr(err, path) && strstr(err, " y"), "%s", err);
    data_write_svhn(path, 32, 32, 2, bad, 1); /* label 0 */
    cr_assert_null(load_svhn_try(path, 0, err, sizeof err));
    cr_assert(strstr(err, path) && strstr(err, "1..10"), "%s", err);
    data_write_svhn(path, 32, 32, 2, labels, 1);
    data_truncate(path, data_file_size(path) / 2);
    cr_assert_null(load_svhn_try(path, 0, err, sizeof err));
    cr_assert(strstr(err, path), "%s", err);
    FILE *f = fopen(path, "wb");
    fputs("not a mat file", f);
    fclose(f);
    cr_assert_null(load_svhn_try(path, 0, err, sizeof err));
    cr_assert(strstr(err, path), "%s", err);
    data_rmdir(dir);
}

Test(data_loaders, svhn_dies_on_a_missing_file, .exit_code = 1)
{
    load_svhn("/nonexistent/train_32x32.mat", 0);
}

/* ---- CelebA ---- */

/* A 178x218 JPEG: the central 108x108 square in colour in, the rest in colour out. */
static void write_celeba_jpeg(const char *path, const unsigned char *in, const unsigned char *out)
{
    const int w = 178, h = 218;
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = w, c.image_height = h, c.input_components = 3, c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 98, TRUE);
    c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = 1; /* no chroma subsampling */
    jpeg_start_compress(&c, TRUE);
    unsigned char row[178 * 3];
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int inside = x >= 35 && x < 143 && y >= 55 && y < 163;
            memcpy(row + 3 * x, inside ? in : out, 3);
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

static void write_attr(const char *path, int rows, const char *bad_row)
{
    FILE *f = fopen(path, "w");
    /* 40 names in the real file's order; only some are kept as factors */
    const char *names = "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips "
                        "Big_Nose Black_Hair Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin "
                        "Eyeglasses Goatee Gray_Hair Heavy_Makeup High_Cheekbones Male Mouth_Slightly_Open "
                        "Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose Receding_Hairline "
                        "Rosy_Cheeks Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat "
                        "Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young";
    fprintf(f, "%d\n%s \n", rows + (bad_row != NULL), names);
    for (int i = 1; i <= rows; i++) {
        fprintf(f, "%06d.jpg", i);
        for (int a = 0; a < 40; a++) fprintf(f, " %2d", a == 15 ? (i == 2 ? 1 : -1) : ((a + i) % 2 ? 1 : -1));
        fprintf(f, "\n");
    }
    if (bad_row) fputs(bad_row, f);
    fclose(f);
}

Test(data_loaders, celeba_crops_the_centre_and_reads_attributes)
{
    char dir[64], path[160], attr[160], err[512];
    data_tmpdir(dir);
    const unsigned char red[3] = {200, 40, 40}, blue[3] = {30, 60, 220}, green[3] = {40, 180, 60};
    for (int i = 1; i <= 3; i++) {
        snprintf(path, sizeof path, "%s/%06d.jpg", dir, i);
        write_celeba_jpeg(path, i == 3 ? green : red, blue);
    }
    snprintf(attr, sizeof attr, "%s/list_attr_celeba.txt", dir);
    write_attr(attr, 3, NULL);
    dataset *d = load_celeba_try(dir, attr, 0, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    cr_assert(d->n == 3 && d->c == 3 && d->h == 32 && d->w == 32 && d->n_factors == 16);
    /* The crop is exactly the red square: every pixel red (JPEG error within 0.06; the
     * edge pixels mix with the blue ring only if the crop were misplaced). */
    for (int ch = 0; ch < 3; ch++)
        for (int p = 0; p < 32 * 32; p++)
            cr_assert_float_eq(d->images[ch * 1024 + p], red[ch] / 255.0f, 0.06f, "channel %d pixel %d", ch, p);
    cr_assert_float_eq(d->images[2 * 3072], green[0] / 255.0f, 0.06f, "third image is green");
    cr_assert_str_eq(d->factor_names[0], "Eyeglasses");
    cr_assert(d->factor_index[0 * 16] == 0 && d->factor_index[1 * 16] == 1, "Eyeglasses of images 1, 2");
    cr_assert_float_eq(d->factor_value[1 * 16], 1.0f, 0.0f);
    dataset_free(d);
    d = load_celeba(dir, NULL, 2); /* without attributes: no factors */
    cr_assert(d->n == 2 && d->n_factors == 0);
    dataset_free(d);
    data_rmdir(dir);
}

Test(data_loaders, celeba_bad_files_name_the_file)
{
    char dir[64], path[160], attr[160], err[512];
    data_tmpdir(dir);
    const unsigned char red[3] = {200, 40, 40}, blue[3] = {30, 60, 220};
    for (int i = 1; i <= 2; i++) {
        snprintf(path, sizeof path, "%s/%06d.jpg", dir, i);
        write_celeba_jpeg(path, red, blue);
    }
    snprintf(attr, sizeof attr, "%s/list_attr_celeba.txt", dir);
    write_attr(attr, 1, NULL); /* no row for 000002.jpg */
    cr_assert_null(load_celeba_try(dir, attr, 0, err, sizeof err));
    cr_assert(strstr(err, attr) && strstr(err, "000002.jpg"), "%s", err);
    write_attr(attr, 1, "000002.jpg 1 -1\n"); /* a short row */
    cr_assert_null(load_celeba_try(dir, attr, 0, err, sizeof err));
    cr_assert(strstr(err, attr) && strstr(err, "2 values for 40"), "%s", err);
    write_attr(attr, 1, "000002.jpg" " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
    cr_assert_null(load_celeba_try(dir, attr, 0, err, sizeof err));
    cr_assert(strstr(err, attr) && strstr(err, "-1 or 1"), "%s", err);
    write_attr(attr, 2, NULL);
    snprintf(path, sizeof path, "%s/000002.jpg", dir);
    data_truncate(path, data_file_size(path) / 2);
    cr_assert_null(load_celeba_try(dir, attr, 0, err, sizeof err));
    cr_assert(strstr(err, path) && strstr(err, "truncated"), "%s", err);
    FILE *f = fopen(path, "wb");
    fputs("GIF89a not a jpeg", f);
    fclose(f);
    cr_assert_null(load_celeba_try(dir, NULL, 0, err, sizeof err));
    cr_assert(strstr(err, path), "%s", err);
    cr_assert_null(load_celeba_try("/nonexistent/img_align_celeba", NULL, 0, err, sizeof err));
    cr_assert(strstr(err, "/nonexistent/img_align_celeba"), "%s", err);
    data_rmdir(dir);
}

/* ---- chairs and faces (PNG) ---- */

/* A gray square image: value v inside the central 2/3, 1 (white) outside. */
static void write_gray_png(const char *path, int size, float v)
{
    float *img = malloc((size_t)size * size * sizeof(float));
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            int inside = x >= size / 6 && x < size - size / 6 && y >= size / 6 && y < size - size / 6;
            img[y * size + x] = inside ? v : 1.0f;
        }
    image_write_png(path, img, 1, size, size);
    free(img);
}

Test(data_loaders, chairs_tree_factors_from_file_names)
{
    char dir[64], path[256], err[512];
    data_tmpdir(dir);
    const char *models[2] = {"model_a", "model_b"};
    const int az[3] = {0, 11, 23}, el[2] = {20, 30};
    for (int m = 0; m < 2; m++) {
        snprintf(path, sizeof path, "%s/%s", dir, models[m]);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/%s/renders", dir, models[m]);
        mkdir(path, 0755);
        for (int e = 0; e < 2; e++)
            for (int a = 0; a < 3; a++) {
                snprintf(path, sizeof path, "%s/%s/renders/image_%03d_p%03d_t%03d_r096.png", dir,
                         models[m], e * 3 + a, el[e], az[a]);
                write_gray_png(path, 96, 0.1f * (float)(m + 1));
            }
    }
    snprintf(path, sizeof path, "%s/README.txt", dir); /* a stray file is skipped */
    fclose(fopen(path, "w"));
    dataset *d = load_chairs_try(dir, 0, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    cr_assert(d->n == 12 && d->c == 1 && d->h == 64 && d->w == 64 && d->n_factors == 3);
    cr_assert_str_eq(d->factor_names[1], "azimuth");
    cr_assert(d->factor_levels[0] == 2 && d->factor_levels[1] == 3 && d->factor_levels[2] == 2);
    for (int i = 0; i < 12; i++) {
        /* sorted by model, then by name: elevation-major, azimuth-minor */
        cr_assert_eq(d->factor_index[i * 3], i / 6);
        cr_assert_eq(d->factor_index[i * 3 + 1], i % 3);
        cr_assert_float_eq(d->factor_value[i * 3 + 1], (float)az[i % 3], 0.0f);
        cr_assert_float_eq(d->factor_value[i * 3 + 2], (float)el[(i % 6) / 3], 0.0f);
        /* the crop is the central 2/3, so every pixel is the chair's grey */
        float want = 0.1f * (float)(i / 6 + 1);
        cr_assert_float_eq(d->images[i * 4096], want, 1.0f / 255.0f);
        cr_assert_float_eq(d->images[i * 4096 + 4095], want, 1.0f / 255.0f);
    }
    dataset_free(d);
    /* a render whose name has no _p/_t fields, then a corrupt PNG */
    snprintf(path, sizeof path, "%s/model_b/renders/zz_photo.png", dir);
    write_gray_png(path, 96, 0.5f);
    cr_assert_null(load_chairs_try(dir, 0, err, sizeof err));
    cr_assert(strstr(err, "zz_photo.png") && strstr(err, "elevation"), "%s", err);
    remove(path);
    snprintf(path, sizeof path, "%s/model_a/renders/image_000_p020_t000_r096.png", dir);
    data_truncate(path, 60);
    cr_assert_null(load_chairs_try(dir, 0, err, sizeof err));
    cr_assert(strstr(err, path), "%s", err);
    data_rmdir(dir);
}

Test(data_loaders, faces_folder_any_size_to_32)
{
    char dir[64], path[160], err[512];
    data_tmpdir(dir);
    const int sizes[3] = {32, 50, 128};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/face%d.png", dir, i);
        write_gray_png(path, sizes[i], 0.25f);
    }
    dataset *d = load_faces_try(dir, 0, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    cr_assert(d->n == 3 && d->c == 1 && d->h == 32 && d->w == 32);
    for (int i = 0; i < 3; i++) {
        cr_assert_float_eq(d->images[i * 1024 + 16 * 32 + 16], 0.25f, 1.0f / 255.0f, "centre of image %d", i);
        cr_assert_float_eq(d->images[i * 1024], 1.0f, 1.0f / 255.0f, "corner of image %d", i);
    }
    dataset_free(d);
    snprintf(path, sizeof path, "%s/face1.png", dir);
    FILE *f = fopen(path, "wb");
    fputs("\x89PNG\r\n\x1a\n garbage", f);
    fclose(f);
    cr_assert_null(load_faces_try(dir, 0, err, sizeof err));
    cr_assert(strstr(err, path), "%s", err);
    data_rmdir(dir);
    data_tmpdir(dir);
    cr_assert_null(load_faces_try(dir, 0, err, sizeof err));
    cr_assert(strstr(err, dir) && strstr(err, "no .png"), "%s", err);
    data_rmdir(dir);
}

Test(data_loaders, chairs_dies_on_a_missing_folder, .exit_code = 1)
{
    load_chairs("/nonexistent/rendered_chairs", 0);
}
