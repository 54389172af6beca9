/* plot.h: line plots (or stacked bars) rendered by gnuplot to PNG. Writes <out>.dat (the data) and <out>.gp
 * (the script) beside <out>.png, so a figure can be re-rendered by hand with
 * `gnuplot <out>.gp`; pngcairo when the installed gnuplot has it, else the png terminal. */
#ifndef PLOT_H
#define PLOT_H

#include <stddef.h>

#define PLOT_MAX_SERIES 16

typedef struct plot_spec {
    const char *title, *xlabel, *ylabel;  /* NULL: none */
    int n_points;
    const double *x;                      /* (n_points) shared by every series */
    int stacked_bars;                     /* 1: one bar per point, the series stacked in it */
    const char *const *bar_labels;        /* stacked bars: (n_points) labels under the bars */
    int n_series;                         /* 1..PLOT_MAX_SERIES */
    const char *series_names[PLOT_MAX_SERIES];
    const double *series_y[PLOT_MAX_SERIES]; /* each (n_points); NaN = missing point */
    int has_hline;                        /* draw a horizontal reference line at hline_y */
    double hline_y;
    const char *hline_label;              /* e.g. "H(c) = ln 10" */
    int width, height;                    /* pixels; 0 = 800 x 500 */
    const char *key_position;             /* gnuplot `set key` place; NULL = "right center" */
    const char *comment;                  /* optional "# key: value" lines (e.g. provenance)
                                             put at the top of the .dat and .gp files */
} plot_spec;

/* Renders spec to png_path (lines, or stacked bars when spec->stacked_bars) (must end in ".png"): gnuplot writes a temporary file that is
 * renamed when it succeeded. Dies with a clear message (gnuplot missing, or gnuplot's own
 * error line) when it fails. */
void plot_lines(const char *png_path, const plot_spec *spec);
/* The same; returns 0 on success, -1 with the message in err. */
int plot_lines_try(const char *png_path, const plot_spec *spec, char *err, size_t err_len);

#endif
