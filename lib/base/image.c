/* image.c: PNG I/O through libpng's simplified API, area resize and crop. */
#include "base/image.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "base/util.h"

static unsigned char to_byte(float v)
{
    if (!(v > 0.0f)) return 0; /* also NaN */
    if (v >= 1.0f) return 255;
    return (unsigned char)(v * 255.0f + 0.5f);
}

/* Writes interleaved 8-bit pixels (H,W,C) to path atomically (base/fs.h). */
static void write_png_bytes(const char *path, const unsigned char *pix, int c, int h, int w)
{
    CHECK(c == 1 || c == 3, "PNG %s: %d channels (only 1 gray or 3 RGB can be written)", path, c);
    out_file o;
    FILE *f = out_open(&o, path, "wb");
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)w, img.height = (png_uint_32)h;
    img.format = c == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    if (!png_image_write_to_stdio(&img, f, 0, pix, 0, NULL)) {
        out_abort(&o);
        die("cannot write PNG %s: %s", path, img.message);
    }
    out_commit(&o);
}

void image_write_png(const char *path, const float *im, int c, int h, int w)
{
    CHECK(h > 0 && w > 0, "PNG %s: bad size %dx%d", path, h, w);
    unsigned char *pix = xmalloc((size_t)h * w * c); // (H,W,C)
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < c; k++)
                pix[((size_t)y * w + x) * c + k] = to_byte(im[((size_t)k * h + y) * w + x]);
    write_png_bytes(path, pix, c, h, w);
    free(pix);
}

void image_write_grid_png(const char *path, const float *images, int n, int c, int h, int w,
                          int rows, int cols, int pad)
{
    CHECK(rows > 0 && cols > 0 && pad >= 0 && n >= 0 && h > 0 && w > 0,
          "grid PNG %s: bad layout %d rows x %d cols, pad %d, %d images of %dx%d",
          path, rows, cols, pad, n, h, w);
    int gh = rows * h + (rows + 1) * pad, gw = cols * w + (cols + 1) * pad;
    unsigned char *pix = xmalloc((size_t)gh * gw * c); // (GH,GW,C)
    memset(pix, 255, (size_t)gh * gw * c);
    size_t img_size = (size_t)c * h * w;
    for (int i = 0; i < n && i < rows * cols; i++) {
        const float *im = images + i * img_size; // (C,H,W)
        int oy = pad + (i / cols) * (h + pad), ox = pad + (i % cols) * (w + pad);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < c; k++)
                    pix[((size_t)(oy + y) * gw + ox + x) * c + k] =
                        to_byte(im[((size_t)k * h + y) * w + x]);
    }
    write_png_bytes(path, pix, c, gh, gw);
    free(pix);
}

float *image_read_png_try(const char *path, int want_c, int *h, int *w, char *err,
                          size_t err_size)
{
    if (want_c != 1 && want_c != 3) {
        snprintf(err, err_size, "PNG %s: asked for %d channels (only 1 or 3)", path, want_c);
        return NULL;
    }
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) {
        snprintf(err, err_size, "cannot read PNG %s: %s", path, img.message);
        return NULL;
    }
    if (img.width > IMAGE_MAX_SIDE || img.height > IMAGE_MAX_SIDE ||
        (size_t)img.width * img.height > IMAGE_MAX_PIXELS) {
        snprintf(err, err_size, "PNG %s: %ux%u pixels is more than this reader takes (sides up to "
                 "%d, %d pixels in all)", path, img.width, img.height, IMAGE_MAX_SIDE,
                 IMAGE_MAX_PIXELS);
        png_image_free(&img);
        return NULL;
    }
    img.format = want_c == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    size_t size = PNG_IMAGE_SIZE(img);
    unsigned char *pix = malloc(size ? size : 1); // (H,W,C)
    if (!pix) {
        png_image_free(&img);
        snprintf(err, err_size, "PNG %s: out of memory for %ux%u pixels", path, img.width, img.height);
        return NULL;
    }
    png_color white = {255, 255, 255}; /* transparent pixels are composited onto white */
    if (!png_image_finish_read(&img, &white, pix, 0, NULL)) {
        snprintf(err, err_size, "cannot decode PNG %s (truncated or corrupt?): %s", path, img.message);
        free(pix);
        return NULL;
    }
    int ih = (int)img.height, iw = (int)img.width;
    float *out = xalloc_floats((size_t)want_c * ih * iw); // (C,H,W)
    for (int y = 0; y < ih; y++)
        for (int x = 0; x < iw; x++)
            for (int k = 0; k < want_c; k++)
                out[((size_t)k * ih + y) * iw + x] = pix[((size_t)y * iw + x) * want_c + k] / 255.0f;
    free(pix);
    *h = ih, *w = iw;
    return out;
}

float *image_read_png(const char *path, int want_c, int *h, int *w)
{
    char err[512];
    float *out = image_read_png_try(path, want_c, h, w, err, sizeof err);
    if (!out) die("%s", err);
    return out;
}

/* Overlap of the output cell [o*scale, (o+1)*scale) with input pixel i, for one axis. */
static float overlap(int o, float scale, int i)
{
    float lo = o * scale, hi = (o + 1) * scale;
    float a = lo > (float)i ? lo : (float)i, b = hi < (float)(i + 1) ? hi : (float)(i + 1);
    return b > a ? b - a : 0.0f;
}

void image_resize_area(const float *img, int c, int h, int w, float *out, int oh, int ow)
{
    CHECK(h > 0 && w > 0 && oh > 0 && ow > 0, "resize: bad sizes %dx%d -> %dx%d", h, w, oh, ow);
    float sy = (float)h / (float)oh, sx = (float)w / (float)ow;
    for (int k = 0; k < c; k++)
        for (int oy = 0; oy < oh; oy++) {
            int y0 = (int)(oy * sy), y1 = (int)((oy + 1) * sy + 0.999f);
            if (y1 > h) y1 = h;
            for (int ox = 0; ox < ow; ox++) {
                int x0 = (int)(ox * sx), x1 = (int)((ox + 1) * sx + 0.999f);
                if (x1 > w) x1 = w;
                float sum = 0.0f, wsum = 0.0f;
                for (int y = y0; y < y1; y++) {
                    float wy = overlap(oy, sy, y);
                    if (wy <= 0.0f) continue;
                    for (int x = x0; x < x1; x++) {
                        float wt = wy * overlap(ox, sx, x);
                        sum += wt * img[((size_t)k * h + y) * w + x];
                        wsum += wt;
                    }
                }
                out[((size_t)k * oh + oy) * ow + ox] = wsum > 0.0f ? sum / wsum : 0.0f;
            }
        }
}

void image_crop(const float *img, int c, int h, int w, int y0, int x0, int ch, int cw,
                float *out)
{
    CHECK(y0 >= 0 && x0 >= 0 && ch > 0 && cw > 0 && y0 + ch <= h && x0 + cw <= w,
          "crop: window %dx%d at (%d,%d) outside the %dx%d image", ch, cw, y0, x0, h, w);
    for (int k = 0; k < c; k++)
        for (int y = 0; y < ch; y++)
            memcpy(out + ((size_t)k * ch + y) * cw, img + ((size_t)k * h + y0 + y) * w + x0,
                   (size_t)cw * sizeof(float));
}
