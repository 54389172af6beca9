/* load_faces.c: a folder of face images (PNG, libpng), e.g. Basel face model renderings. */
#include <stdio.h>
#include <stdlib.h>

#include "base/image.h"
#include "data/load.h"
#include "base/util.h"

dataset *load_faces_try(const char *dir, int n, char *err, size_t err_size)
{
    int total;
    char **names = load_list_dir(dir, ".png", &total, err, err_size);
    if (!names) return NULL;
    if (total == 0) {
        snprintf(err, err_size, "faces folder %s holds no .png images", dir);
        load_free_names(names, total);
        return NULL;
    }
    int kept;
    int *pick = load_pick(total, n, &kept);
    dataset *d = dataset_alloc("faces", kept, 1, 32, 32, 0);
    int failed = -1;
    char first_err[512] = "";
    #pragma omp parallel for schedule(dynamic, 16)
    for (int i = 0; i < kept; i++) {
        char path[4096], e[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[pick[i]]);
        int h, w;
        float *img = image_read_png_try(path, 1, &h, &w, e, sizeof e);
        if (!img) {
            #pragma omp critical(faces_error)
            if (failed < 0 || i < failed) failed = i, snprintf(first_err, sizeof first_err, "%s", e);
            continue;
        }
        load_square_resize(img, 1, h, w, 1.0f, d->images + (size_t)i * 32 * 32, 32);
        free(img);
    }
    if (failed >= 0) {
        snprintf(err, err_size, "%s", first_err);
        dataset_free(d);
        d = NULL;
    }
    free(pick);
    load_free_names(names, total);
    return d;
}

dataset *load_faces(const char *dir, int n)
{
    char err[512];
    dataset *d = load_faces_try(dir, n, err, sizeof err);
    if (!d) die("%s", err);
    return d;
}
