/* lib_plot.c: gnuplot line plots: the PNG, its data and script files, and the error paths. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data_fixture.h"
#include "report/plot.h"

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* A Figure-1-like plot: two series over 50 iterations, a NaN gap, a line at ln 10. */
static double xs[50], ys[2][50];
static plot_spec figure_like(void)
{
    for (int i = 0; i < 50; i++) {
        xs[i] = 10.0 * i;
        ys[0][i] = 2.3 * (1.0 - exp(-0.2 * i));
        ys[1][i] = 0.5 * exp(-0.05 * i);
    }
    ys[1][20] = NAN;
    plot_spec s = {
        .title = "L_I against iteration", .xlabel = "iteration", .ylabel = "L_I (nats)",
        .n_points = 50, .x = xs, .n_series = 2,
        .series_names = {"InfoGAN", "GAN (no information reward)"},
        .series_y = {ys[0], ys[1]},
        .has_hline = 1, .hline_y = log(10.0), .hline_label = "H(c) = ln 10",
        .comment = "# commit: abc\n# seed: 7\n",
    };
    return s;
}

Test(lib_plot, renders_png_with_data_and_script)
{
    char dir[64], png[128], path[160];
    data_tmpdir_removed_at_exit(dir);
    snprintf(png, sizeof png, "%s/fig.png", dir);
    plot_spec s = figure_like();
    plot_lines(png, &s);

    FILE *f = fopen(png, "rb");
    cr_assert_not_null(f, "the PNG exists");
    unsigned char head[24];
    cr_assert_eq(fread(head, 1, 24, f), 24);
    fclose(f);
    cr_assert(!memcmp(head, "\x89PNG\r\n\x1a\n", 8), "PNG signature");
    unsigned w = (unsigned)head[16] << 24 | head[17] << 16 | head[18] << 8 | head[19];
    unsigned h = (unsigned)head[20] << 24 | head[21] << 16 | head[22] << 8 | head[23];
    cr_assert(w == 800 && h == 500, "default size 800x500, got %ux%u", w, h);

    snprintf(path, sizeof path, "%s/fig.dat", dir);
    char *dat = read_text(path);
    cr_assert(!strncmp(dat, "# commit: abc\n# seed: 7\n", 24), "comment at the top: %.40s", dat);
    cr_assert_not_null(strstr(dat, "\n200 "), "x values written");
    cr_assert_not_null(strstr(dat, " NaN\n"), "missing point written as NaN");

    snprintf(path, sizeof path, "%s/fig.gp", dir);
    char *gp = read_text(path);
    cr_assert_not_null(strstr(gp, "'H(c) = ln 10'"), "reference line label");
    cr_assert_not_null(strstr(gp, "2.30258509"), "reference line at ln 10");
    cr_assert_not_null(strstr(gp, "'GAN (no information reward)'"), "series title");

    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    for (struct dirent *e; (e = readdir(d));)
        cr_assert_null(strstr(e->d_name, ".tmp"), "temp file %s left behind", e->d_name);
    closedir(d);
    snprintf(path, sizeof path, "%s/fig.gnuplot.log", dir);
    cr_assert_neq(access(path, F_OK), 0, "no gnuplot log left behind");
}

Test(lib_plot, stacked_bars_label_each_bar_and_stack_the_series)
{
    char dir[64], png[128], path[160];
    data_tmpdir_removed_at_exit(dir);
    snprintf(png, sizeof png, "%s/bars.png", dir);
    const char *labels[2] = {"avx512 2t", "avx2 2t"};
    double gemm[2] = {100, 150}, rest[2] = {40, 45};
    plot_spec s = {.n_points = 2, .stacked_bars = 1, .bar_labels = labels, .n_series = 2,
                   .series_names = {"GEMM", "rest"}, .series_y = {gemm, rest}};
    plot_lines(png, &s);
    cr_assert_eq(access(png, F_OK), 0, "the PNG exists");
    snprintf(path, sizeof path, "%s/bars.dat", dir);
    char *dat = read_text(path);
    cr_assert_not_null(strstr(dat, "\n\"avx2 2t\" 150 45\n"), "one row per bar: %s", dat);
    snprintf(path, sizeof path, "%s/bars.gp", dir);
    char *gp = read_text(path);
    cr_assert_not_null(strstr(gp, "rowstacked"), "stacked: %s", gp);
    cr_assert_not_null(strstr(gp, "using 2:xtic(1) title 'GEMM'"), "labels under the bars: %s", gp);
    s.bar_labels = NULL;
    char err[512];
    cr_assert_eq(plot_lines_try(png, &s, err, sizeof err), -1, "bars without labels are refused");
}

Test(lib_plot, rejects_bad_specs)
{
    char dir[64], png[128], err[512];
    data_tmpdir_removed_at_exit(dir);
    plot_spec s = figure_like();
    snprintf(png, sizeof png, "%s/fig.svg", dir);
    cr_assert_eq(plot_lines_try(png, &s, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "must end in .png"), "%s", err);

    snprintf(png, sizeof png, "%s/fig.png", dir);
    s.n_series = 0;
    cr_assert_eq(plot_lines_try(png, &s, err, sizeof err), -1);
    s = figure_like();
    s.hline_y = NAN;
    cr_assert_eq(plot_lines_try(png, &s, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "not finite"), "%s", err);

    s = figure_like();
    snprintf(png, sizeof png, "%s/no/such/folder/fig.png", dir);
    cr_assert_eq(plot_lines_try(png, &s, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "cannot create"), "%s", err);
}

Test(lib_plot, reports_gnuplot_errors)
{
    /* A stand-in gnuplot early on PATH that fails like gnuplot does on a script error. */
    char dir[64], path[160], png[128], err[1024];
    data_tmpdir_removed_at_exit(dir);
    snprintf(path, sizeof path, "%s/gnuplot", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "#!/bin/sh\necho '\"x.gp\" line 9: undefined variable: bogus' >&2\nexit 1\n");
    fclose(f);
    chmod(path, 0755);
    char newpath[4096];
    snprintf(newpath, sizeof newpath, "%s:%s", dir, getenv("PATH") ? getenv("PATH") : "");
    setenv("PATH", newpath, 1);
    snprintf(png, sizeof png, "%s/fig.png", dir);
    plot_spec s = figure_like();
    cr_assert_eq(plot_lines_try(png, &s, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, png), "names the plot: %s", err);
    cr_assert_not_null(strstr(err, "undefined variable: bogus"), "carries gnuplot's line: %s", err);
    cr_assert_neq(access(png, F_OK), 0, "no PNG after a failure");

    setenv("PATH", dir, 1); /* with the stand-in removed, no gnuplot is reachable */
    remove(path);
    cr_assert_eq(plot_lines_try(png, &s, err, sizeof err), -1);
    cr_assert_not_null(strstr(err, "cannot run gnuplot"), "%s", err);
}

Test(lib_plot, failure_exits_nonzero, .exit_code = 1)
{
    plot_spec s = figure_like();
    plot_lines("/nonexistent-folder/fig.png", &s);
}
