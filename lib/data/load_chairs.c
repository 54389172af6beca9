/* load_chairs.c: the 3D chairs renderings of Aubry et al. (a PNG tree, libpng). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/image.h"
#include "data/load.h"
#include "base/util.h"

#define CHAIRS_CROP (2.0f / 3.0f)

typedef struct chair_file { int model, azimuth, elevation; char *path; } chair_file;

/* Level of v among the sorted distinct values of vals (count). */
static int level_of(const int *distinct, int nd, int v)
{
    for (int k = 0; k < nd; k++)
        if (distinct[k] == v) return k;
    return -1;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Sorted distinct values of files[i].field, into out (capacity count); returns how many. */
static int distinct_values(const chair_file *files, int count, int elevation, int *out)
{
    int n = 0;
    for (int i = 0; i < count; i++) out[n++] = elevation ? files[i].elevation : files[i].azimuth;
    qsort(out, (size_t)n, sizeof *out, cmp_int);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (k == 0 || out[k - 1] != out[i]) out[k++] = out[i];
    return k;
}

dataset *load_chairs_try(const char *root, int n, char *err, size_t err_size)
{
    int n_models;
    char **models = load_list_dir(root, "", &n_models, err, err_size);
    if (!models) return NULL;
    int count = 0, cap = 1024, model_levels = 0;
    chair_file *files = xmalloc((size_t)cap * sizeof *files);
    dataset *d = NULL;
    for (int m = 0; m < n_models; m++) {
        char dir[4096], e2[512];
        snprintf(dir, sizeof dir, "%s/%s/renders", root, models[m]);
        int nf;
        char **names = load_list_dir(dir, ".png", &nf, e2, sizeof e2);
        if (!names) continue; /* not a model folder */
        for (int i = 0; i < nf; i++) {
            const char *p = strstr(names[i], "_p");
            int elev, azim;
            if (!p || sscanf(p, "_p%d_t%d", &elev, &azim) != 2) {
                snprintf(err, err_size, "chairs image %s/%s: cannot read elevation and azimuth from its name "
                         "(expected like image_031_p030_t326_r096.png)", dir, names[i]);
                load_free_names(names, nf);
                goto done;
            }
            if (count == cap) files = realloc(files, (size_t)(cap *= 2) * sizeof *files);
            CHECK(files, "out of memory listing the chairs in %s", root);
            size_t len = strlen(dir) + strlen(names[i]) + 2;
            files[count] = (chair_file){model_levels, azim, elev, xmalloc(len)};
            snprintf(files[count].path, len, "%s/%s", dir, names[i]);
            count++;
        }
        if (nf > 0) model_levels++;
        load_free_names(names, nf);
    }
    if (count == 0) {
        snprintf(err, err_size, "chairs folder %s holds no <model>/renders/*.png images", root);
        goto done;
    }
    int *azims = xmalloc((size_t)count * sizeof(int)), *elevs = xmalloc((size_t)count * sizeof(int));
    int n_az = distinct_values(files, count, 0, azims), n_el = distinct_values(files, count, 1, elevs);
    int kept;
    int *pick = load_pick(count, n, &kept);
    d = dataset_alloc("chairs", kept, 1, 64, 64, 3);
    const char *fnames[3] = {"model", "azimuth", "elevation"};
    int levels[3] = {model_levels, n_az, n_el};
    for (int f = 0; f < 3; f++) {
        snprintf(d->factor_names[f], sizeof d->factor_names[f], "%s", fnames[f]);
        d->factor_levels[f] = levels[f];
    }
    int failed = -1;
    char first_err[512] = "";
    #pragma omp parallel for schedule(dynamic, 16)
    for (int i = 0; i < kept; i++) {
        const chair_file *cf = &files[pick[i]];
        char e[512];
        int h, w;
        float *img = image_read_png_try(cf->path, 1, &h, &w, e, sizeof e);
        if (!img) {
            #pragma omp critical(chairs_error)
            if (failed < 0 || i < failed) failed = i, snprintf(first_err, sizeof first_err, "%s", e);
            continue;
        }
        load_square_resize(img, 1, h, w, CHAIRS_CROP, d->images + (size_t)i * 64 * 64, 64);
        free(img);
        int *idx = d->factor_index + (size_t)i * 3;
        float *val = d->factor_value + (size_t)i * 3;
        idx[0] = cf->model, val[0] = (float)cf->model;
        idx[1] = level_of(azims, n_az, cf->azimuth), val[1] = (float)cf->azimuth;
        idx[2] = level_of(elevs, n_el, cf->elevation), val[2] = (float)cf->elevation;
    }
    free(pick);
    free(azims);
    free(elevs);
    if (failed >= 0) {
        snprintf(err, err_size, "%s", first_err);
        dataset_free(d);
        d = NULL;
    }
done:
    for (int i = 0; i < count; i++) free(files[i].path);
    free(files);
    load_free_names(models, n_models);
    return d;
}

dataset *load_chairs(const char *root, int n)
{
    char err[512];
    dataset *d = load_chairs_try(root, n, err, sizeof err);
    if (!d) die("%s", err);
    return d;
}
