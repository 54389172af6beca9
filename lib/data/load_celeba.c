/* load_celeba.c: CelebA aligned JPEGs (libjpeg) and list_attr_celeba.txt. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h> /* after stdio.h, which it needs */

#include "base/image.h"
#include "data/load.h"
#include "base/util.h"

const char *const CELEBA_ATTRIBUTES[16] = {
    "Eyeglasses", "Smiling", "Male", "Bangs", "Bald", "Black_Hair", "Blond_Hair", "Brown_Hair",
    "Gray_Hair", "Wearing_Hat", "Mouth_Slightly_Open", "Pale_Skin", "Young", "Heavy_Makeup",
    "Mustache", "No_Beard",
};

#define CELEBA_CROP (108.0f / 178.0f)

typedef struct jerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
} jerr;

static void jpeg_fail(j_common_ptr cinfo)
{
    jerr *e = (jerr *)cinfo->err;
    cinfo->err->format_message(cinfo, e->msg);
    longjmp(e->jump, 1);
}

static void jpeg_warn(j_common_ptr cinfo, int level)
{
    if (level < 0) jpeg_fail(cinfo); /* a warning means damaged data (e.g. truncated) */
}

float *load_read_jpeg_try(const char *path, int *h, int *w, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "cannot open JPEG %s", path);
        return NULL;
    }
    struct jpeg_decompress_struct cinfo;
    jerr e;
    unsigned char *volatile row = NULL;
    float *volatile out = NULL;
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = jpeg_fail;
    e.mgr.emit_message = jpeg_warn;
    if (setjmp(e.jump)) {
        snprintf(err, err_size, "cannot decode JPEG %s (corrupt or truncated): %s", path, e.msg);
        jpeg_destroy_decompress(&cinfo);
        fclose(f);
        free(row);
        free(out);
        return NULL;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.image_width > IMAGE_MAX_SIDE || cinfo.image_height > IMAGE_MAX_SIDE ||
        (size_t)cinfo.image_width * cinfo.image_height > IMAGE_MAX_PIXELS) {
        snprintf(err, err_size, "JPEG %s: %ux%u pixels is more than this loader takes (sides up to "
                 "%d, %d pixels in all)", path, cinfo.image_width, cinfo.image_height,
                 IMAGE_MAX_SIDE, IMAGE_MAX_PIXELS);
        jpeg_destroy_decompress(&cinfo);
        fclose(f);
        return NULL;
    }
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    int ih = (int)cinfo.output_height, iw = (int)cinfo.output_width;
    out = xalloc_floats((size_t)3 * ih * iw); // (3,H,W)
    row = xmalloc((size_t)iw * 3);
    while (cinfo.output_scanline < cinfo.output_height) {
        int y = (int)cinfo.output_scanline;
        JSAMPROW rows[1] = {row};
        jpeg_read_scanlines(&cinfo, rows, 1);
        for (int x = 0; x < iw; x++)
            for (int c = 0; c < 3; c++) out[((size_t)c * ih + y) * iw + x] = row[x * 3 + c] / 255.0f;
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    fclose(f);
    free(row);
    *h = ih, *w = iw;
    return out;
}

int load_celeba_attributes_try(const char *path, char **names, const int *pick, int kept,
                           int *index, float *value, char *err, size_t err_size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_size, "cannot open CelebA attribute file %s", path);
        return 0;
    }
    int ok = 0, count = 0, col[16], nattr = 0;
    char line[4096], *save;
    int *row_of = NULL; /* attribute row of each picked image */
    if (!fgets(line, sizeof line, f) || sscanf(line, "%d", &count) != 1 || count <= 0) {
        snprintf(err, err_size, "CelebA attribute file %s: the first line must be the image count", path);
        goto done;
    }
    if (!fgets(line, sizeof line, f)) {
        snprintf(err, err_size, "CelebA attribute file %s: missing the line of attribute names", path);
        goto done;
    }
    char attr[64][32];
    for (char *t = strtok_r(line, " \t\r\n", &save); t && nattr < 64; t = strtok_r(NULL, " \t\r\n", &save))
        snprintf(attr[nattr++], sizeof attr[0], "%s", t);
    for (int a = 0; a < 16; a++) {
        col[a] = -1;
        for (int k = 0; k < nattr; k++)
            if (strcmp(attr[k], CELEBA_ATTRIBUTES[a]) == 0) col[a] = k;
        if (col[a] < 0) {
            snprintf(err, err_size, "CelebA attribute file %s: no attribute named %s", path, CELEBA_ATTRIBUTES[a]);
            goto done;
        }
    }
    row_of = xmalloc((size_t)kept * sizeof *row_of);
    for (int i = 0; i < kept; i++) row_of[i] = -1;
    int next = 0; /* picked images and attribute rows are both sorted by file name */
    for (int r = 0; r < count && next < kept; r++) {
        if (!fgets(line, sizeof line, f)) {
            snprintf(err, err_size, "CelebA attribute file %s: ends after %d of %d rows (truncated?)", path, r, count);
            goto done;
        }
        char *file = strtok_r(line, " \t\r\n", &save);
        if (!file) continue;
        while (next < kept && strcmp(names[pick[next]], file) < 0) next++;
        if (next >= kept || strcmp(names[pick[next]], file) != 0) continue;
        int v[64], nv = 0;
        for (char *t = strtok_r(NULL, " \t\r\n", &save); t && nv < 64; t = strtok_r(NULL, " \t\r\n", &save))
            v[nv++] = atoi(t);
        if (nv != nattr) {
            snprintf(err, err_size, "CelebA attribute file %s: row %d (%s) has %d values for %d attributes",
                     path, r + 3, file, nv, nattr);
            goto done;
        }
        for (int a = 0; a < 16; a++) {
            int x = v[col[a]];
            if (x != 1 && x != -1) {
                snprintf(err, err_size, "CelebA attribute file %s: row %d (%s) has value %d (must be -1 or 1)",
                         path, r + 3, file, x);
                goto done;
            }
            index[(size_t)next * 16 + a] = x > 0;
            value[(size_t)next * 16 + a] = (float)x;
        }
        row_of[next++] = r;
    }
    for (int i = 0; i < kept; i++)
        if (row_of[i] < 0) {
            snprintf(err, err_size, "CelebA attribute file %s: no row for image %s", path, names[pick[i]]);
            goto done;
        }
    ok = 1;
done:
    free(row_of);
    fclose(f);
    return ok;
}

/* load_read_jpeg_try as a load_image_fn: CelebA's JPEGs are RGB. */
static float *read_jpeg_rgb(const char *path, int c, int *h, int *w, char *err, size_t err_size)
{
    (void)c;
    return load_read_jpeg_try(path, h, w, err, err_size);
}

dataset *load_celeba_try(const char *img_dir, const char *attr_path, int n, char *err,
                         size_t err_size)
{
    int total;
    char **names = load_list_dir(img_dir, ".jpg", &total, err, err_size);
    if (!names) return NULL;
    if (total == 0) {
        snprintf(err, err_size, "CelebA folder %s holds no .jpg images", img_dir);
        load_free_names(names, total);
        return NULL;
    }
    int kept;
    int *pick = load_pick(total, n, &kept);
    dataset *d = dataset_alloc("celeba", kept, 3, 32, 32, attr_path ? 16 : 0);
    if (attr_path) {
        for (int a = 0; a < 16; a++) {
            snprintf(d->factor_names[a], sizeof d->factor_names[a], "%s", CELEBA_ATTRIBUTES[a]);
            d->factor_levels[a] = 2;
        }
        if (!load_celeba_attributes_try(attr_path, names, pick, kept, d->factor_index, d->factor_value, err, err_size)) {
            dataset_free(d);
            d = NULL;
        }
    }
    if (d && load_images_square(img_dir, names, pick, kept, read_jpeg_rgb, 3, CELEBA_CROP, 32, d->images,
                                err, err_size)) {
        dataset_free(d);
        d = NULL;
    }
    free(pick);
    load_free_names(names, total);
    return d;
}

dataset *load_celeba(const char *img_dir, const char *attr_path, int n)
{
    char err[512];
    dataset *d = load_celeba_try(img_dir, attr_path, n, err, sizeof err);
    if (!d) die("%s", err);
    return d;
}
