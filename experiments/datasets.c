/* datasets: renders the procedural stand-ins for faces, chairs, SVHN, CelebA and CdSprites
 * into <data>/standin/<name>.bin (images and factors; the factors also as <name>-factors.csv)
 * and draws one contact sheet per set into <sheets>/<name>.png
 * (one row per factor, sweeping it while the others stay fixed), plus <sheets>/README.md
 * saying what each row shows and how long each set took. `make data` runs it. */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "data/catalog.h"
#include "data/standin/render.h"
#include "base/fs.h"
#include "base/util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: datasets [--n N] [--seed S] [--only NAME] [--data DIR] [--sheets DIR] [--force]\n"
            "Renders the procedural stand-ins (faces, chairs, svhn, celeba, cdsprites) into\n"
            "DIR/standin/NAME.bin and draws their contact sheets. A set whose file already holds N\n"
            "images of seed S from this version of the renderers is kept; the README is rewritten\n"
            "only when all five were rendered.\n"
            "  --n N        images per set (default: each set's own, %d; cdsprites %d)\n"
            "  --seed S     seed of every image (default 1)\n"
            "  --only NAME  one set: faces, chairs, svhn, celeba or cdsprites\n"
            "  --data DIR   data folder (default data)\n"
            "  --sheets DIR contact sheet folder (default results/datasets)\n"
            "  --force      render again even if the file is there\n",
            DATASETS_DEFAULT_N, datasets_default_n("cdsprites"));
}

static void make_dir(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char keep = *p;
            *p = '\0';
            CHECK(mkdir(buf, 0755) == 0 || errno == EEXIST, "cannot create folder %s", buf);
            if (keep == '\0') break;
            *p = keep;
        }
    }
}

static long parse_long(const char *flag, const char *v, long lo, long hi)
{
    char *end;
    errno = 0;
    long x = strtol(v ? v : "", &end, 10);
    CHECK(v && *v && !*end && errno == 0 && x >= lo && x <= hi,
          "flag %s needs an integer in [%ld, %ld], got '%s'", flag, lo, hi, v ? v : "");
    return x;
}

int main(int argc, char **argv)
{
    long n = 0; /* 0: each set's own count */
    uint64_t seed = 1;
    const char *only = NULL, *data_dir = "data", *sheets = "results/datasets";
    int force = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return 0; }
        else if (!strcmp(a, "--n")) n = parse_long(a, v, 1, 10000000), i++;
        else if (!strcmp(a, "--seed")) seed = (uint64_t)parse_long(a, v, 0, 0x7fffffffffffffffL), i++;
        else if (!strcmp(a, "--only")) { CHECK(v && render_find(v), "flag --only needs faces, chairs, svhn, celeba or cdsprites, got '%s'", v ? v : ""); only = v, i++; }
        else if (!strcmp(a, "--data")) { CHECK(v, "flag --data needs a folder"); data_dir = v, i++; }
        else if (!strcmp(a, "--sheets")) { CHECK(v, "flag --sheets needs a folder"); sheets = v, i++; }
        else if (!strcmp(a, "--force")) force = 1;
        else { usage(stderr); die("unknown flag '%s' (see --help)", a); }
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/standin", data_dir);
    make_dir(path);
    make_dir(sheets);
    enum { N_SETS = 5 };
    const char *names[N_SETS] = {"faces", "chairs", "svhn", "celeba", "cdsprites"};
    double seconds[N_SETS] = {0}, cpu[N_SETS] = {0};
    long count[N_SETS];
    int threads = omp_get_max_threads(), rendered = 0;
    for (int s = 0; s < N_SETS; s++) {
        count[s] = n > 0 ? n : datasets_default_n(names[s]);
        if (only && strcmp(only, names[s]) != 0) continue;
        const render_spec *spec = render_find(names[s]);
        datasets_standin_path(names[s], data_dir, path, sizeof path);
        int file_n, version;
        uint64_t file_seed;
        if (!force && dataset_file_header(path, &file_n, &file_seed, &version) && file_n == count[s] &&
            file_seed == seed && version == spec->version) {
            fprintf(stderr, "%s: %s already holds %ld images of seed %llu (--force renders again)\n",
                    names[s], path, count[s], (unsigned long long)seed);
        } else {
            fprintf(stderr, "%s: rendering %ld images of %dx%dx%d on %d threads ...\n", names[s], count[s],
                spec->c, spec->h, spec->w, threads);
            double t0 = omp_get_wtime();
            clock_t c0 = clock();
            dataset *d = render_dataset(spec, (int)count[s], seed);
            seconds[s] = omp_get_wtime() - t0;
            cpu[s] = (double)(clock() - c0) / CLOCKS_PER_SEC; /* all threads */
            dataset_save(d, seed, path);
            char csv[4096];
            snprintf(csv, sizeof csv, "%s/standin/%s-factors.csv", data_dir, names[s]);
            dataset_write_factors_csv(d, csv);
            fprintf(stderr, "%s: %ld images in %.1f s wall, %.1f s CPU (%.0f images/s) -> %s\n", names[s],
                    count[s], seconds[s], cpu[s], (double)count[s] / seconds[s], path);
            dataset_free(d);
            rendered++;
        }
        snprintf(path, sizeof path, "%s/%s.png", sheets, names[s]);
        render_contact_sheet(spec, path, seed, 12);
        fprintf(stderr, "%s: contact sheet -> %s\n", names[s], path);
    }
    /* What each contact sheet row shows, and the times: written only when this run rendered
     * every set, so a re-run that kept the files leaves the measured times in place. */
    if (rendered < N_SETS) return 0;
    snprintf(path, sizeof path, "%s/README.md", sheets);
    out_file o;
    FILE *f = out_open(&o, path, "w");
    time_t now = time(NULL);
    char stamp[64];
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    fprintf(f, "# Stand-in data sets: contact sheets\n\n"
               "Written by `build/bin/datasets` (`make data`), %s, seed %llu, %d threads.\n"
               "Each sheet has one row per factor, in the order below: the row sweeps that factor\n"
               "over up to 12 evenly spaced levels while every other factor stays fixed.\n\n",
            stamp, (unsigned long long)seed, threads);
    for (int s = 0; s < N_SETS; s++) {
        const render_spec *spec = render_find(names[s]);
        fprintf(f, "## %s (%dx%d, %s) - `%s.png`\n\n", names[s], spec->h, spec->w,
                spec->c == 1 ? "gray" : "colour", names[s]);
        fprintf(f, "%s\n\n", spec->about);
        fprintf(f, "Rendering %ld images took %.1f s wall clock, %.1f s CPU over all threads.\n\n",
                count[s], seconds[s], cpu[s]);
        fprintf(f, "| row | factor | levels | first .. last value |\n|---|---|---|---|\n");
        for (int k = 0; k < spec->n_factors; k++)
            fprintf(f, "| %d | %s | %d | %g .. %g |\n", k + 1, spec->factor_names[k], spec->factor_levels[k],
                    (double)spec->factor_value(k, 0), (double)spec->factor_value(k, spec->factor_levels[k] - 1));
        fprintf(f, "\n");
    }
    out_commit(&o); /* on an error the earlier README is kept */
    return 0;
}
