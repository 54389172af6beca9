/* image.h: PNG reading and writing (libpng) and area resizing, for loaders and figure grids.
 * Images are float (C,H,W) planes in [0,1]; C = 1 gray or 3 RGB. */
#ifndef IMAGE_H
#define IMAGE_H

#include <stddef.h>

/* Largest image a reader decodes (checked from the header, before allocating). */
#define IMAGE_MAX_SIDE 16384
#define IMAGE_MAX_PIXELS (1 << 25)

/* Writes images (N,C,H,W) in [0,1] (C = 1 gray or 3 RGB) as a rows x cols grid with
 * `pad` pixels of white between cells, to a PNG at path (temp file + rename; dies with a
 * clear message on failure). Cells past n stay white. */
void image_write_grid_png(const char *path, const float *images, int n, int c, int h, int w,
                          int rows, int cols, int pad);
/* Writes one image (C,H,W) in [0,1] to a PNG (temp file + rename). */
void image_write_png(const char *path, const float *img, int c, int h, int w);
/* Reads a PNG (any bit depth / color type) into a new float buffer (C,H,W) in [0,1] with
 * want_c channels (1: luminance, 3: RGB); sets *h, *w. Dies naming the file if it cannot
 * (also when the header gives more than IMAGE_MAX_SIDE or IMAGE_MAX_PIXELS). */
float *image_read_png(const char *path, int want_c, int *h, int *w);
/* The same, but returns NULL and writes one sentence naming the file into err
 * (err_size bytes) instead of dying. */
float *image_read_png_try(const char *path, int want_c, int *h, int *w, char *err,
                          size_t err_size);
/* Area-average resize of img (C,H,W) to (C,OH,OW): each output pixel is the mean of the
 * input area it covers (fractional pixels weighted by overlap). */
void image_resize_area(const float *img, int c, int h, int w, float *out, int oh, int ow);
/* Copies the window [y0, y0+ch) x [x0, x0+cw) of img (C,H,W) into out (C,CH,CW). */
void image_crop(const float *img, int c, int h, int w, int y0, int x0, int ch, int cw,
                float *out);

#endif
