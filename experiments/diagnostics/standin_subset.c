/* The images of a stand-in file whose factor lies in a range of its levels, as a stand-in
 * file of their own: standin_subset IN.bin OUT_DIR FACTOR FIRST LAST writes
 * OUT_DIR/standin/<name>.bin (same seed and renderer version, so `<set> train --data OUT_DIR
 * --n 0` reads it), the factor's levels renumbered 0..LAST-FIRST. For issue 25's question
 * whether Chairs' azimuth over a full circle is what keeps a continuous code off it
 * (results/diagnostics/chairs-half-circle/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fs.h"
#include "data/catalog.h"
#include "data/dataset.h"
#include "data/standin/render.h"

int main(int argc, char **argv)
{
    if (argc != 6 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: standin_subset IN.bin OUT_DIR FACTOR FIRST LAST\n"
                        "Keeps the images whose FACTOR level is in FIRST..LAST, writes OUT_DIR/standin/NAME.bin.\n");
        return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    char err[512];
    uint64_t seed;
    dataset *d = dataset_load_try(argv[1], 0, &seed, err, sizeof err);
    if (!d) { fprintf(stderr, "standin_subset: %s\n", err); return 1; }
    int file_n, version;
    if (!dataset_file_header(argv[1], &file_n, &seed, &version) || version != render_version(d->name)) {
        fprintf(stderr, "standin_subset: %s was rendered by version %d of the %s renderer, not by today's %d "
                "(render it again: make data)\n", argv[1], version, d->name, render_version(d->name));
        return 1;
    }
    int f = -1;
    for (int k = 0; k < d->n_factors; k++)
        if (strcmp(d->factor_names[k], argv[3]) == 0) f = k;
    if (f < 0) { fprintf(stderr, "standin_subset: %s has no factor '%s'\n", argv[1], argv[3]); return 1; }
    char *end1, *end2;
    long first = strtol(argv[4], &end1, 10), last = strtol(argv[5], &end2, 10);
    if (*end1 || *end2 || first < 0 || last < first || last >= d->factor_levels[f]) {
        fprintf(stderr, "standin_subset: FIRST..LAST (%s..%s) must lie in 0..%d, the levels of %s\n",
                argv[4], argv[5], d->factor_levels[f] - 1, argv[3]);
        return 1;
    }
    int nf = d->n_factors, kept = 0;
    for (int i = 0; i < d->n; i++) {
        int level = d->factor_index[(size_t)i * nf + f];
        kept += level >= first && level <= last;
    }
    if (!kept) { fprintf(stderr, "standin_subset: no image of %s has %s in %ld..%ld\n", argv[1], argv[3], first, last); return 1; }
    dataset *s = dataset_alloc(d->name, kept, d->c, d->h, d->w, nf);
    memcpy(s->factor_names, d->factor_names, sizeof s->factor_names);
    memcpy(s->factor_levels, d->factor_levels, sizeof s->factor_levels);
    s->factor_levels[f] = (int)(last - first + 1);
    size_t img = (size_t)d->c * d->h * d->w;
    for (int i = 0, j = 0; i < d->n; i++) {
        int level = d->factor_index[(size_t)i * nf + f];
        if (level < first || level > last) continue;
        memcpy(s->images + (size_t)j * img, d->images + (size_t)i * img, sizeof(float) * img);
        memcpy(s->factor_index + (size_t)j * nf, d->factor_index + (size_t)i * nf, sizeof(int) * nf);
        memcpy(s->factor_value + (size_t)j * nf, d->factor_value + (size_t)i * nf, sizeof(float) * nf);
        s->factor_index[(size_t)j * nf + f] = level - (int)first;
        j++;
    }
    char dir[4096], path[4096], name[96];
    path_make_output_dir("OUT_DIR", argv[2]);
    path_join(dir, sizeof dir, argv[2], "standin");
    mkdir(dir, 0777);
    snprintf(name, sizeof name, "%s.bin", d->name);
    path_join(path, sizeof path, dir, name);
    struct stat in_st, out_st;
    if (stat(argv[1], &in_st) == 0 && stat(path, &out_st) == 0 && in_st.st_ino == out_st.st_ino) {
        fprintf(stderr, "standin_subset: %s is the input file; name another OUT_DIR\n", path);
        return 1;
    }
    dataset_save(s, seed, path);
    printf("%s: %d of %d images (%s levels %ld..%ld of %d, renumbered 0..%ld)\n", path, kept, d->n,
           argv[3], first, last, d->factor_levels[f], last - first);
    dataset_free(s);
    dataset_free(d);
    return 0;
}
