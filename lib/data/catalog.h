/* catalog.h: the one way programs get the paper's image sets by name ("faces", "chairs",
 * "svhn", "celeba"; and "cdsprites", a stand-in only): the real files when they are in the
 * data folder, the procedural stand-in otherwise; and the binary file format stand-ins are
 * stored in. */
#ifndef DATASETS_H
#define DATASETS_H

#include <stddef.h>
#include <stdint.h>

#include "data/dataset.h"

/* Real files looked for, first under <data_dir>/<name>/, then directly in <data_dir>/:
 *   faces:  faces/                       a folder of PNGs
 *   chairs: rendered_chairs/             <model>/renders/ holding the PNGs
 *   svhn:   train_32x32.mat              (svhn_test: test_32x32.mat)
 *   celeba: img_align_celeba/ and list_attr_celeba.txt (attributes optional)
 * Otherwise the stand-in: <data_dir>/standin/<name>.bin if it was rendered with this seed
 * and its renderer's version and holds at least n images (written by `make data`), else rendered
 * now (the same images).
 * n <= 0: all real images, or the whole stand-in file (datasets_default_n if none).
 * Dies with a sentence naming the file for unknown names or bad files. */
dataset *datasets_open(const char *name, const char *data_dir, int n, uint64_t seed);
/* Whether datasets_open would load real files; if so, where (path, path_size). */
int datasets_real_path(const char *name, const char *data_dir, char *path, size_t path_size);
/* <data_dir>/standin/<name>.bin */
void datasets_standin_path(const char *name, const char *data_dir, char *path, size_t size);
/* The images of a stand-in when no count is asked for: its own (cdsprites: 21,600), else
 * DATASETS_DEFAULT_N. */
int datasets_default_n(const char *name);
#define DATASETS_DEFAULT_N 50000

/* Binary image set file (little-endian): header (magic "IGDSET1\n", format version, n, c,
 * h, w, factors, the renderer's version (render_version of name, 0 if none), seed, name, factor names and levels), images as bytes round(255 v) (N,C,H,W),
 * factor indices int32 (N,F), factor values float32 (N,F), then a CRC-32 of everything
 * before it. Written to a temp file and renamed, so a reader never sees half a file. */
void dataset_save(const dataset *d, uint64_t seed, const char *path);
/* Loads at most max_n images (<= 0: all); sets *seed if not NULL. */
dataset *dataset_load_try(const char *path, int max_n, uint64_t *seed, char *err, size_t err_size);
dataset *dataset_load(const char *path, int max_n, uint64_t *seed);
/* Reads only the header of a data set file: its image count, seed and the renderer's
 * version it was written with; 0 if it cannot (missing or not a data set file). */
int dataset_file_header(const char *path, int *n, uint64_t *seed, int *render_version);
/* Writes the factors as CSV, one row per image: "image,<f>_index,<f>,..." (grid index and
 * value of each factor), temp file + rename; for people and scripts to inspect. */
void dataset_write_factors_csv(const dataset *d, const char *path);
/* Rounds every pixel to a multiple of 1/255, as stored in the file. */
void dataset_quantize8(dataset *d);

#endif
