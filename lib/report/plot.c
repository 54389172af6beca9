/* plot.c: line plots as a data file + gnuplot script, rendered to PNG by running gnuplot. */
#include "report/plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/util.h"

#define PATH_LEN 4096

/* A gnuplot single-quoted string (only ' needs escaping, as ''). */
static void put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        if (*s != '\n') fputc(*s, f);
    }
    fputc('\'', f);
}

/* Writes the comment lines, each starting with "# " (already there or added). */
static void put_comment(FILE *f, const char *comment)
{
    if (!comment) return;
    const char *line = comment;
    while (*line) {
        size_t n = strcspn(line, "\n");
        fprintf(f, "%s%.*s\n", line[0] == '#' ? "" : "# ", (int)n, line);
        line += n + (line[n] == '\n');
    }
}

static int write_data(const char *path, const plot_spec *s, char *err, size_t err_len)
{
    out_file o;
    FILE *f = out_open_try(&o, path, "w", err, err_len);
    if (!f) return -1;
    put_comment(f, s->comment);
    fprintf(f, "# x");
    for (int j = 0; j < s->n_series; j++) fprintf(f, " | %s", s->series_names[j]);
    fprintf(f, "\n");
    for (int i = 0; i < s->n_points; i++) {
        if (s->stacked_bars) fprintf(f, "\"%s\"", s->bar_labels[i]);
        else fprintf(f, "%.9g", s->x[i]);
        for (int j = 0; j < s->n_series; j++) {
            double y = s->series_y[j][i];
            if (isfinite(y)) fprintf(f, " %.9g", y);
            else fprintf(f, " NaN");
        }
        fprintf(f, "\n");
    }
    return out_commit_try(&o, err, err_len);
}

static int write_script(const char *path, const char *data_path, const char *png_path,
                        const plot_spec *s, char *err, size_t err_len)
{
    out_file o;
    FILE *f = out_open_try(&o, path, "w", err, err_len);
    if (!f) return -1;
    int w = s->width > 0 ? s->width : 800, h = s->height > 0 ? s->height : 500;
    put_comment(f, s->comment);
    fprintf(f, "# Render: gnuplot %s  (writes %s; -e \"outfile='x.png'\" to change)\n", path, png_path);
    fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
               "  set terminal pngcairo size %d,%d noenhanced font 'sans,11'\n"
               "} else {\n"
               "  set terminal png size %d,%d noenhanced\n"
               "}\n", w, h, w, h);
    fprintf(f, "if (!exists('outfile')) outfile = ");
    put_quoted(f, png_path);
    fprintf(f, "\nset output outfile\nset datafile missing 'NaN'\nset grid\n");
    fprintf(f, "set key %s box opaque\n", s->key_position ? s->key_position : "right center");
    if (s->title) fprintf(f, "set title "), put_quoted(f, s->title), fputc('\n', f);
    if (s->xlabel) fprintf(f, "set xlabel "), put_quoted(f, s->xlabel), fputc('\n', f);
    if (s->ylabel) fprintf(f, "set ylabel "), put_quoted(f, s->ylabel), fputc('\n', f);
    if (s->stacked_bars)
    {
        /* 16 distinct colours: gnuplot's default cycle repeats after 8 */
        static const char *colours[PLOT_MAX_SERIES] = {
            "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
            "#bcbd22", "#17becf", "#393b79", "#e7ba52", "#ad494a", "#637939", "#c7c7c7", "#252525"};
        fprintf(f, "set style data histograms\nset style histogram rowstacked\n"
                   "set style fill solid 0.85 border -1\nset boxwidth 0.7\nset grid noxtics\nset xtics rotate by -20\n");
        for (int j = 0; j < PLOT_MAX_SERIES; j++)
            fprintf(f, "set linetype %d lc rgb '%s'\n", j + 1, colours[j]);
    }
    fprintf(f, "plot ");
    for (int j = 0; j < s->n_series; j++) {
        fprintf(f, "%s", j ? ", \\\n     " : "");
        put_quoted(f, data_path);
        if (s->stacked_bars) fprintf(f, " using %d%s title ", j + 2, j ? "" : ":xtic(1)");
        else fprintf(f, " using 1:%d with lines lw 2 title ", j + 2);
        put_quoted(f, s->series_names[j] ? s->series_names[j] : "");
    }
    if (s->has_hline) {
        fprintf(f, ", \\\n     %.9g with lines dt 2 lw 2 lc rgb 'black' title ", s->hline_y);
        put_quoted(f, s->hline_label ? s->hline_label : "");
    }
    fprintf(f, "\n");
    return out_commit_try(&o, err, err_len);
}

/* Runs `gnuplot -e "outfile='out'" script`, its stderr into log_path. Returns the exit
 * status, 127 when gnuplot could not be started. */
static int run_gnuplot(const char *script, const char *out, const char *log_path)
{
    char assign[PATH_LEN + 32];
    snprintf(assign, sizeof assign, "outfile='%s'", out);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return 127;
    if (pid == 0) {
        FILE *log = fopen(log_path, "w");
        if (log) dup2(fileno(log), STDERR_FILENO);
        execlp("gnuplot", "gnuplot", "-e", assign, script, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The last non-empty line of a text file (gnuplot puts its error there), or "". */
static void last_line(const char *path, char *out, size_t out_len)
{
    out[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[strspn(line, " \t")]) snprintf(out, out_len, "%s", line);
    }
    fclose(f);
}

int plot_lines_try(const char *png_path, const plot_spec *s, char *err, size_t err_len)
{
    size_t len = strlen(png_path);
    if (len < 5 || strcmp(png_path + len - 4, ".png") || len > PATH_LEN - 32) {
        set_err(err, err_len, "%s: a plot's output path must end in .png", png_path);
        return -1;
    }
    if (s->n_points < 1 || s->n_series < 1 || s->n_series > PLOT_MAX_SERIES ||
        !(s->stacked_bars ? (const void *)s->bar_labels : (const void *)s->x)) {
        set_err(err, err_len, "%s: a plot needs at least 1 point and 1..%d series", png_path,
                PLOT_MAX_SERIES);
        return -1;
    }
    if (s->has_hline && !isfinite(s->hline_y)) {
        set_err(err, err_len, "%s: the reference line's y is not finite", png_path);
        return -1;
    }
    for (int j = 0; j < s->n_series; j++)
        if (!s->series_y[j]) {
            set_err(err, err_len, "%s: series %d has no data", png_path, j);
            return -1;
        }
    char stem[PATH_LEN - 32], data[PATH_LEN], script[PATH_LEN], log[PATH_LEN];
    snprintf(stem, sizeof stem, "%.*s", (int)(len - 4), png_path);
    snprintf(data, sizeof data, "%s.dat", stem);
    snprintf(script, sizeof script, "%s.gp", stem);
    snprintf(log, sizeof log, "%s.gnuplot.log", stem);
    if (strchr(png_path, '\'')) {
        set_err(err, err_len, "%s: a plot path must not contain a single quote", png_path);
        return -1;
    }
    if (write_data(data, s, err, err_len) || write_script(script, data, png_path, s, err, err_len))
        return -1;
    /* gnuplot draws into the PNG's temp file (base/fs.h), which is renamed over png_path. */
    out_file png;
    if (!out_open_try(&png, png_path, "wb", err, err_len)) return -1;
    int status = run_gnuplot(script, png.tmp, log);
    struct stat st;
    int made = stat(png.tmp, &st) == 0 && st.st_size > 0;
    if (status != 0 || !made) {
        char why[512];
        last_line(log, why, sizeof why);
        if (status == 127)
            set_err(err, err_len, "%s: cannot run gnuplot (is gnuplot-nox installed? make deps)",
                    png_path);
        else
            set_err(err, err_len, "%s: gnuplot failed on %s (exit %d): %s", png_path, script,
                    status, why[0] ? why : "no PNG was written");
        out_abort(&png);
        remove(log);
        return -1;
    }
    remove(log);
    return out_commit_try(&png, err, err_len);
}

void plot_lines(const char *png_path, const plot_spec *spec)
{
    char err[1024];
    if (plot_lines_try(png_path, spec, err, sizeof err)) die("%s", err);
}
