/* lengths.c: how a run's scores grow with its length (table2 --lengths): the scores that
 * `train --score-at` wrote into RUN_DIR/at-N/ and the run's end, per factor. */
#include "harness/harness.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/util.h"
#include "report/plot.h"

#define MAX_POINTS 32 /* a run's scored iterations (train takes at most 16 --score-at) and its end */

/* One scored point of a run: its folder, its result.csv row and that row's iteration. */
typedef struct point {
    char dir[1024];
    exp_row row;
    int iteration;
} point;

static int by_iteration(const void *a, const void *b)
{
    return ((const point *)a)->iteration - ((const point *)b)->iteration;
}

/* pts: the folders dir/at-N and dir itself (once the run has ended: it has result.csv), in
 * order of iteration; returns how many. */
static int run_points(const char *dir, point *pts)
{
    int n = 0;
    DIR *d = opendir(dir);
    CHECK(d, "cannot read the run folder %s", dir);
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, "at-", 3) != 0) continue;
        CHECK(n < MAX_POINTS - 1, "%s: more than %d scored iterations", dir, MAX_POINTS - 1);
        path_join(pts[n].dir, sizeof pts[n].dir, dir, e->d_name);
        n++;
    }
    closedir(d);
    char end[1024];
    path_join(end, sizeof end, dir, "result.csv");
    if (access(end, F_OK) == 0) snprintf(pts[n++].dir, sizeof pts[0].dir, "%s", dir);
    CHECK(n > 0, "%s has neither result.csv nor at-N/ folders (train it, with --score-at for points "
          "on the way)", dir);
    for (int i = 0; i < n; i++) {
        read_row(pts[i].dir, &pts[i].row);
        pts[i].iteration = atoi(pts[i].row.field[4]);
    }
    qsort(pts, (size_t)n, sizeof *pts, by_iteration);
    return n;
}

int experiment_lengths(int argc, char **argv)
{
    const char *out = "results", *dirs[EXP_MAX_RUNS];
    int n = parse_runs(argc, argv, 2, "table2 --lengths", &out, dirs, NULL);
    /* Everything is read before the first write. */
    point *pts = xcalloc((size_t)n * MAX_POINTS, sizeof *pts);
    int *n_pts = xcalloc((size_t)n, sizeof *n_pts);
    for (int i = 0; i < n; i++) n_pts[i] = run_points(dirs[i], pts + (size_t)i * MAX_POINTS);
    path_make_output_dir("--out", out);
    provenance prov;
    provenance_init(&prov, argc, argv, 0);
    provenance_note(&prov, "runs", "each point's own provenance is in its folder's result.csv");

    char path[1024];
    out_file o;
    path_join(path, sizeof path, out, "lengths.csv");
    FILE *f = out_open(&o, path, "w");
    provenance_write_comments(&prov, f);
    fprintf(f, "run,iteration,factor,best_code,nmi,traversal,coverage\n");
    /* The plot: x = the first run's iterations; one line per run and factor (NMI of its best code). */
    int m = n_pts[0], n_series = 0;
    double *x = xmalloc((size_t)m * sizeof *x), *y[PLOT_MAX_SERIES];
    char names[PLOT_MAX_SERIES][96];
    for (int j = 0; j < m; j++) x[j] = pts[j].iteration;
    oracle_table *t = xmalloc(sizeof *t);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n_pts[i]; j++) {
            const point *p = &pts[(size_t)i * MAX_POINTS + j];
            bool has_oracle = oracle_read(p->dir, t);
            char factor[32], code[16];
            double nmi;
            for (int k = 0; factor_code_at(p->row.field[10], k, factor, code, &nmi); k++) {
                double coverage = (double)NAN, score = has_oracle ? oracle_score(t, factor, code, &coverage) : (double)NAN;
                fprintf(f, "%s,%d,%s,%s,%.4f,%.4f,%.4f\n", dirs[i], p->iteration, factor, code, nmi, score, coverage);
                if (n_pts[i] != m || p->iteration != pts[j].iteration) continue; /* drawn: the first run's iterations */
                int s = -1;
                char name[96];
                snprintf(name, sizeof name, n > 1 ? "%s, run %d" : "%s", factor, i + 1);
                for (int q = 0; q < n_series; q++) s = strcmp(names[q], name) == 0 ? q : s;
                if (s < 0 && n_series < PLOT_MAX_SERIES) {
                    s = n_series++;
                    snprintf(names[s], sizeof names[s], "%s", name);
                    y[s] = xmalloc((size_t)m * sizeof(double));
                    for (int q = 0; q < m; q++) y[s][q] = (double)NAN;
                }
                if (s >= 0) y[s][j] = nmi;
            }
        }
    out_commit(&o);
    char *comments = provenance_comments_string(&prov), png[1024];
    plot_spec ps = {.title = "Normalized MI of each factor's best code against the run's length",
                    .xlabel = "iteration", .ylabel = "normalized MI", .n_points = m, .x = x,
                    .n_series = n_series, .comment = comments, .key_position = "outside right"};
    for (int s = 0; s < n_series; s++) ps.series_names[s] = names[s], ps.series_y[s] = y[s];
    path_join(png, sizeof png, out, "lengths.png");
    if (n_series > 0) plot_lines(png, &ps);
    printf("lengths: %d run(s), %d scored points in the first -> %s and %s\n", n, m, path, png);
    for (int s = 0; s < n_series; s++) free(y[s]);
    free(comments), free(x), free(t), free(pts), free(n_pts);
    return 0;
}
