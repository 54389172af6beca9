/* catalog.c: real-or-stand-in selection and the binary image set file. */
#include "data/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "data/load.h"
#include "data/standin/render.h"
#include "base/fs.h"
#include "base/util.h"

#define MAGIC "IGDSET1\n"
#define VERSION 1u

static int exists(const char *path, int want_dir)
{
    struct stat st;
    return stat(path, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

/* The first of <data_dir>/<sub>/<file> and <data_dir>/<file> that exists. */
static int find(const char *data_dir, const char *sub, const char *file, int dir, char *path, size_t size)
{
    snprintf(path, size, "%s/%s/%s", data_dir, sub, file);
    if (exists(path, dir)) return 1;
    snprintf(path, size, "%s/%s", data_dir, file);
    return exists(path, dir);
}

int datasets_real_path(const char *name, const char *data_dir, char *path, size_t path_size)
{
    if (strcmp(name, "faces") == 0) {
        snprintf(path, path_size, "%s/faces", data_dir);
        return exists(path, 1);
    }
    if (strcmp(name, "chairs") == 0) return find(data_dir, "chairs", "rendered_chairs", 1, path, path_size);
    if (strcmp(name, "svhn") == 0) return find(data_dir, "svhn", "train_32x32.mat", 0, path, path_size);
    if (strcmp(name, "svhn_test") == 0) return find(data_dir, "svhn", "test_32x32.mat", 0, path, path_size);
    if (strcmp(name, "celeba") == 0) return find(data_dir, "celeba", "img_align_celeba", 1, path, path_size);
    return 0;
}

void datasets_standin_path(const char *name, const char *data_dir, char *path, size_t size)
{
    snprintf(path, size, "%s/standin/%s.bin", data_dir, name);
}

int datasets_default_n(const char *name)
{
    const render_spec *spec = render_find(name);
    CHECK(spec, "no stand-in called '%s'", name);
    return spec->n_default > 0 ? spec->n_default : DATASETS_DEFAULT_N;
}

dataset *datasets_open(const char *name, const char *data_dir, int n, uint64_t seed)
{
    char path[4096];
    if (datasets_real_path(name, data_dir, path, sizeof path)) {
        fprintf(stderr, "%s: loading the real data set from %s\n", name, path);
        if (strcmp(name, "faces") == 0) return load_faces(path, n);
        if (strcmp(name, "chairs") == 0) return load_chairs(path, n);
        if (strncmp(name, "svhn", 4) == 0) return load_svhn(path, n);
        char attr[4096];
        int have_attr = find(data_dir, "celeba", "list_attr_celeba.txt", 0, attr, sizeof attr);
        return load_celeba(path, have_attr ? attr : NULL, n);
    }
    const char *standin = strcmp(name, "svhn_test") == 0 ? "svhn" : name;
    const render_spec *spec = render_find(standin);
    CHECK(spec, "unknown data set '%s' (use faces, chairs, svhn, svhn_test, celeba or cdsprites)", name);
    datasets_standin_path(standin, data_dir, path, sizeof path);
    if (strcmp(name, "svhn_test") == 0) seed ^= 0x7E57; /* held-out images: another seed */
    else {
        int file_n, version;
        uint64_t file_seed;
        if (dataset_file_header(path, &file_n, &file_seed, &version) && file_seed == seed &&
            version == spec->version && (n <= 0 || file_n >= n)) {
            dataset *d = dataset_load(path, n, NULL);
            fprintf(stderr, "%s: stand-in, %d images from %s\n", name, d->n, path);
            return d;
        }
    }
    int count = n > 0 ? n : datasets_default_n(standin);
    fprintf(stderr, "%s: rendering %d stand-in images (seed %llu)\n", name, count, (unsigned long long)seed);
    dataset *d = render_dataset(spec, count, seed);
    dataset_quantize8(d);
    return d;
}

void dataset_quantize8(dataset *d)
{
    size_t count = (size_t)d->n * d->c * d->h * d->w;
    for (size_t i = 0; i < count; i++) {
        float v = d->images[i];
        v = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
        d->images[i] = (float)(int)(v * 255.0f + 0.5f) / 255.0f;
    }
}

void dataset_write_factors_csv(const dataset *d, const char *path)
{
    out_file o;
    FILE *f = out_open(&o, path, "w");
    fprintf(f, "image");
    for (int k = 0; k < d->n_factors; k++) fprintf(f, ",%s_index,%s", d->factor_names[k], d->factor_names[k]);
    fprintf(f, "\n");
    for (int i = 0; i < d->n; i++) {
        fprintf(f, "%d", i);
        for (int k = 0; k < d->n_factors; k++)
            fprintf(f, ",%d,%g", d->factor_index[(size_t)i * d->n_factors + k],
                    (double)d->factor_value[(size_t)i * d->n_factors + k]);
        fprintf(f, "\n");
    }
    out_commit(&o);
}

/* ---- file format ---- */

typedef struct file_header {
    char magic[8];
    uint32_t version, n, c, h, w, n_factors, render_version;
    uint64_t seed;
    char name[64];
    char factor_names[DATASET_MAX_FACTORS][32];
    int32_t factor_levels[DATASET_MAX_FACTORS];
} file_header;

typedef struct crc_writer { FILE *f; uLong crc; } crc_writer;

static void put(crc_writer *w, const void *p, size_t bytes)
{
    fwrite(p, 1, bytes, w->f); /* a short write sets the error flag out_commit checks */
    w->crc = crc32(w->crc, p, (uInt)bytes);
}

void dataset_save(const dataset *d, uint64_t seed, const char *path)
{
    file_header hd;
    memset(&hd, 0, sizeof hd);
    memcpy(hd.magic, MAGIC, 8);
    hd.version = VERSION;
    hd.n = (uint32_t)d->n, hd.c = (uint32_t)d->c, hd.h = (uint32_t)d->h, hd.w = (uint32_t)d->w;
    hd.n_factors = (uint32_t)d->n_factors;
    hd.render_version = (uint32_t)render_version(d->name);
    hd.seed = seed;
    snprintf(hd.name, sizeof hd.name, "%s", d->name);
    memcpy(hd.factor_names, d->factor_names, sizeof hd.factor_names);
    for (int f = 0; f < DATASET_MAX_FACTORS; f++) hd.factor_levels[f] = d->factor_levels[f];
    out_file o;
    crc_writer w = {out_open(&o, path, "wb"), crc32(0L, Z_NULL, 0)};
    put(&w, &hd, sizeof hd);
    size_t img = (size_t)d->c * d->h * d->w;
    unsigned char *bytes = xmalloc(img);
    for (int i = 0; i < d->n; i++) {
        const float *src = d->images + (size_t)i * img;
        for (size_t k = 0; k < img; k++) {
            float v = src[k] < 0.0f ? 0.0f : (src[k] > 1.0f ? 1.0f : src[k]);
            bytes[k] = (unsigned char)(v * 255.0f + 0.5f);
        }
        put(&w, bytes, img);
    }
    free(bytes);
    size_t nf = (size_t)d->n * d->n_factors;
    if (nf) {
        put(&w, d->factor_index, nf * sizeof(int32_t));
        put(&w, d->factor_value, nf * sizeof(float));
    }
    uint32_t crc = (uint32_t)w.crc;
    fwrite(&crc, sizeof crc, 1, w.f);
    out_commit(&o);
}

int dataset_file_header(const char *path, int *n, uint64_t *seed, int *render_version)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    file_header hd;
    int ok = fread(&hd, sizeof hd, 1, f) == 1 && memcmp(hd.magic, MAGIC, 8) == 0 && hd.version == VERSION;
    fclose(f);
    if (ok) *n = (int)hd.n, *seed = hd.seed, *render_version = (int)hd.render_version;
    return ok;
}

dataset *dataset_load_try(const char *path, int max_n, uint64_t *seed, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "cannot open data set file %s", path);
        return NULL;
    }
    dataset *d = NULL;
    unsigned char *bytes = NULL;
    file_header hd;
    if (fread(&hd, sizeof hd, 1, f) != 1 || memcmp(hd.magic, MAGIC, 8) != 0) {
        snprintf(err, err_size, "data set file %s: not an image set file (bad magic or shorter than its header)", path);
        goto fail;
    }
    if (hd.version != VERSION) {
        snprintf(err, err_size, "data set file %s: format version %u (this program reads %u)", path, hd.version, VERSION);
        goto fail;
    }
    if (hd.n == 0 || hd.n > 100000000u || hd.c == 0 || hd.c > 4 || hd.h == 0 || hd.h > 4096 ||
        hd.w == 0 || hd.w > 4096 || hd.n_factors > DATASET_MAX_FACTORS) {
        snprintf(err, err_size, "data set file %s: bad shape %ux%ux%ux%u with %u factors",
                 path, hd.n, hd.c, hd.h, hd.w, hd.n_factors);
        goto fail;
    }
    size_t img = (size_t)hd.c * hd.h * hd.w, nf = (size_t)hd.n * hd.n_factors;
    long long want = (long long)(sizeof hd + img * hd.n + nf * 8 + 4);
    if (fseek(f, 0, SEEK_END) != 0 || ftell(f) != want) {
        snprintf(err, err_size, "data set file %s: %ld bytes, but its header says %lld (truncated or damaged)",
                 path, ftell(f), want);
        goto fail;
    }
    fseek(f, (long)sizeof hd, SEEK_SET);
    uLong crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)&hd, sizeof hd);
    int keep = max_n > 0 && (uint32_t)max_n < hd.n ? max_n : (int)hd.n;
    hd.name[sizeof hd.name - 1] = '\0';
    d = dataset_alloc(hd.name, keep, (int)hd.c, (int)hd.h, (int)hd.w, (int)hd.n_factors);
    for (int k = 0; k < DATASET_MAX_FACTORS; k++) {
        memcpy(d->factor_names[k], hd.factor_names[k], 32);
        d->factor_names[k][31] = '\0';
        d->factor_levels[k] = hd.factor_levels[k];
    }
    bytes = xmalloc(img);
    for (uint32_t i = 0; i < hd.n; i++) {
        if (fread(bytes, 1, img, f) != img) goto short_read;
        crc = crc32(crc, bytes, (uInt)img);
        if ((int)i < keep)
            for (size_t k = 0; k < img; k++) d->images[i * img + k] = bytes[k] / 255.0f;
    }
    if (nf) {
        int32_t *idx = xmalloc(nf * sizeof *idx);
        float *val = xmalloc(nf * sizeof *val);
        int ok = fread(idx, sizeof *idx, nf, f) == nf && fread(val, sizeof *val, nf, f) == nf;
        crc = crc32(crc32(crc, (const Bytef *)idx, (uInt)(nf * sizeof *idx)), (const Bytef *)val,
                    (uInt)(nf * sizeof *val));
        size_t kf = (size_t)keep * hd.n_factors;
        memcpy(d->factor_index, idx, kf * sizeof *idx);
        memcpy(d->factor_value, val, kf * sizeof *val);
        free(idx);
        free(val);
        if (!ok) goto short_read;
    }
    uint32_t stored;
    if (fread(&stored, sizeof stored, 1, f) != 1) goto short_read;
    if (stored != (uint32_t)crc) {
        snprintf(err, err_size, "data set file %s: checksum mismatch (the file is damaged)", path);
        goto fail;
    }
    for (size_t i = 0; i < (size_t)keep * hd.n_factors; i++) {
        int f_ = (int)(i % hd.n_factors);
        if (d->factor_index[i] < 0 || d->factor_index[i] >= d->factor_levels[f_]) {
            snprintf(err, err_size, "data set file %s: factor %s index %d outside its %d levels",
                     path, d->factor_names[f_], d->factor_index[i], d->factor_levels[f_]);
            goto fail;
        }
    }
    if (seed) *seed = hd.seed;
    free(bytes);
    fclose(f);
    return d;
short_read:
    snprintf(err, err_size, "data set file %s: read error before its end", path);
fail:
    free(bytes);
    dataset_free(d);
    fclose(f);
    return NULL;
}

dataset *dataset_load(const char *path, int max_n, uint64_t *seed)
{
    char err[512];
    dataset *d = dataset_load_try(path, max_n, seed, err, sizeof err);
    if (!d) die("%s", err);
    return d;
}
