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
    if (load_images_square(dir, names, pick, kept, image_read_png_try, 1, 1.0f, 32, d->images, err, err_size)) {
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
