/* load_common.c: folder listing, even subsampling and square crop + resize for loaders. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/image.h"
#include "data/load.h"
#include "base/util.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **load_list_dir(const char *dir, const char *suffix, int *count, char *err, size_t err_size)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_size, "cannot open folder %s: %s", dir, strerror(errno));
        return NULL;
    }
    int n = 0, cap = 256;
    char **names = xmalloc((size_t)cap * sizeof *names);
    size_t sl = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < sl || strcmp(e->d_name + l - sl, suffix) != 0) continue;
        if (n == cap) names = realloc(names, (size_t)(cap *= 2) * sizeof *names);
        CHECK(names, "out of memory listing folder %s", dir);
        names[n] = xmalloc(l + 1);
        memcpy(names[n++], e->d_name, l + 1);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    *count = n;
    return names;
}

void load_free_names(char **names, int count)
{
    if (!names) return;
    for (int i = 0; i < count; i++) free(names[i]);
    free(names);
}

int *load_pick(int total, int n, int *kept)
{
    int k = n <= 0 || n >= total ? total : n;
    int *idx = xmalloc((size_t)(k ? k : 1) * sizeof *idx);
    for (int i = 0; i < k; i++) idx[i] = (int)((long long)i * total / k);
    *kept = k;
    return idx;
}

void load_square_resize(const float *img, int c, int h, int w, float frac, float *out, int size)
{
    int side = (int)((float)(h < w ? h : w) * frac + 0.5f);
    if (side < 1) side = 1;
    float *crop = xalloc_floats((size_t)c * side * side); // (C,side,side)
    image_crop(img, c, h, w, (h - side) / 2, (w - side) / 2, side, side, crop);
    image_resize_area(crop, c, side, side, out, size, size);
    free(crop);
}

int load_images_square(const char *dir, char *const *names, const int *pick, int kept,
                       load_image_fn read, int c, float frac, int size, float *out, char *err,
                       size_t err_size)
{
    int failed = -1;
    char first_err[512] = "";
    #pragma omp parallel for schedule(dynamic, 16)
    for (int i = 0; i < kept; i++) {
        char path[4096], e[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[pick[i]]);
        int h, w;
        float *img = read(path, c, &h, &w, e, sizeof e);
        if (!img) {
            #pragma omp critical(load_images_error)
            if (failed < 0 || i < failed) failed = i, snprintf(first_err, sizeof first_err, "%s", e);
            continue;
        }
        load_square_resize(img, c, h, w, frac, out + (size_t)i * c * size * size, size);
        free(img);
    }
    if (failed < 0) return 0;
    snprintf(err, err_size, "%s", first_err);
    return -1;
}
