/* load.h: loaders for the real data sets, used when their files are in the data folder.
 * Each returns a dataset with images in [0,1]; n > 0 keeps n images evenly spaced over the
 * sorted file list (n <= 0: all). Each _try variant returns NULL and writes one sentence
 * naming the bad file into err; the plain variant dies with that sentence. */
#ifndef LOAD_H
#define LOAD_H

#include <stddef.h>

#include "data/dataset.h"

/* SVHN cropped digits (train_32x32.mat / test_32x32.mat, read with libmatio): X is
 * 32x32x3xN uint8 in MATLAB (column-major) order, y holds N labels 1..10 with 10 meaning
 * digit 0. Out: (N,3,32,32), factor "digit" (10 levels). */
dataset *load_svhn_try(const char *mat_path, int n, char *err, size_t err_size);
dataset *load_svhn(const char *mat_path, int n);

/* CelebA aligned images (the .jpg files in img_dir, 178x218, read with libjpeg): the central square
 * of side 108/178 of the width (108x108 at the image centre for the standard size), area
 * resized to (N,3,32,32). If attr_path is not NULL, list_attr_celeba.txt gives 16 binary
 * factors (levels 0 = -1, 1 = +1) for evaluation only; images missing from it fail. */
dataset *load_celeba_try(const char *img_dir, const char *attr_path, int n, char *err,
                         size_t err_size);
dataset *load_celeba(const char *img_dir, const char *attr_path, int n);
/* The attribute names kept as factors, in order. */
extern const char *const CELEBA_ATTRIBUTES[16];
/* Parses list_attr_celeba.txt: a count line, a line of attribute names, then "<file> v1 ..
 * vK" with v = -1 or 1. For the picked images names[pick[0..kept)] (sorted), fills index
 * (kept,16) with 0/1 and value (kept,16) with -1/+1 of the 16 CELEBA_ATTRIBUTES. Returns 0
 * and one sentence naming the file in err on bad input. */
int load_celeba_attributes_try(const char *path, char **names, const int *pick, int kept,
                               int *index, float *value, char *err, size_t err_size);
/* Decodes the JPEG at path into a new (3,H,W) float buffer in [0,1] and sets *h, *w; NULL
 * and err on a bad file or one larger than IMAGE_MAX_SIDE / IMAGE_MAX_PIXELS. */
float *load_read_jpeg_try(const char *path, int *h, int *w, char *err, size_t err_size);

/* 3D chairs (the .png files in root/<model>/renders/, named like image_031_p030_t326_r096.png with
 * elevation p and azimuth t in degrees): gray, the central square of side 2/3 of the
 * shorter side (400x400 of the 600x600 renders), area resized to (N,1,64,64). Factors:
 * model (one level per model folder), azimuth and elevation (one level per distinct value). */
dataset *load_chairs_try(const char *root, int n, char *err, size_t err_size);
dataset *load_chairs(const char *root, int n);

/* Faces: a folder of PNG images (any size), gray, central square crop, area resized to
 * (N,1,32,32). No factors. */
dataset *load_faces_try(const char *dir, int n, char *err, size_t err_size);
dataset *load_faces(const char *dir, int n);

/* Shared helpers. The sorted names (not paths) in dir ending in suffix; NULL and err when
 * the folder cannot be read. Free with load_free_names. */
char **load_list_dir(const char *dir, const char *suffix, int *count, char *err, size_t err_size);
void load_free_names(char **names, int count);
/* The indices kept when taking n of total evenly (n <= 0 or n >= total: all); sets *kept. */
int *load_pick(int total, int n, int *kept);
/* Central square crop of side frac * min(h, w), area resized to (C,out,out). */
void load_square_resize(const float *img, int c, int h, int w, float frac, float *out, int size);
/* Reads one image file as (C,H,W) floats in [0,1]; NULL and err on failure. */
typedef float *(*load_image_fn)(const char *path, int c, int *h, int *w, char *err, size_t err_size);
/* out (kept, C, size, size): the images dir/names[pick[i]] read in parallel, each cropped and
 * resized by load_square_resize(frac); -1 and the first failing image's error (in image
 * order, so the message does not depend on the threads) in err. */
int load_images_square(const char *dir, char *const *names, const int *pick, int kept,
                       load_image_fn read, int c, float frac, int size, float *out, char *err,
                       size_t err_size);

#endif
