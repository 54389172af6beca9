/* nmi_ref: our normalized MI matrix and MIG (lib/eval/disentangle.c) of codes and factors
 * read from stdin, for tests/twin_score.py to hold the PyTorch twin's scorer against.
 *
 * Input (whitespace-separated numbers):
 *   N N_CODES N_FACTORS
 *   N_CODES code levels (K of a categorical code, 0 for a continuous one)
 *   N_FACTORS factor levels
 *   N rows: N_CODES code values (floats, read with strtof), then N_FACTORS factor indices
 * Output: one line per code of its normalized MI with every factor, then "mig X" (%.17g). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "data/dataset.h"
#include "eval/disentangle.h"

static double read_number(const char *what)
{
    char tok[64];
    CHECK(scanf("%63s", tok) == 1, "nmi_ref: input ends before %s", what);
    char *end;
    double v = strtod(tok, &end);
    CHECK(*end == 0, "nmi_ref: %s '%s' is not a number", what, tok);
    return v;
}

static int read_int(const char *what, int lo, int hi)
{
    double v = read_number(what);
    CHECK(v == (int)v && v >= lo && v <= hi, "nmi_ref: %s %g is not a whole number in %d..%d", what, v, lo, hi);
    return (int)v;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        int help = strcmp(argv[1], "--help") == 0;
        fputs("usage: nmi_ref < INPUT\nPrints our normalized MI matrix and MIG of the codes and factors in\n"
              "INPUT (format: tests/tools/nmi_ref.c); tests/twin_score.py uses it.\n", help ? stdout : stderr);
        return help ? 0 : 2;
    }
    int n = read_int("N", 1, 10000000), nc = read_int("N_CODES", 1, 64);
    int nf = read_int("N_FACTORS", 1, DATASET_MAX_FACTORS);
    int levels[64];
    for (int j = 0; j < nc; j++) levels[j] = read_int("a code's levels", 0, 256);
    dataset *d = dataset_alloc("nmi_ref", n, 1, 1, 1, nf);
    for (int f = 0; f < nf; f++) d->factor_levels[f] = read_int("a factor's levels", 1, 1 << 20);
    float *value = xalloc_floats((size_t)n * nc);
    char tok[64];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < nc; j++) {
            CHECK(scanf("%63s", tok) == 1, "nmi_ref: input ends in row %d", i);
            char *end;
            value[(size_t)i * nc + j] = strtof(tok, &end);
            CHECK(*end == 0, "nmi_ref: code value '%s' in row %d is not a number", tok, i);
        }
        for (int f = 0; f < nf; f++)
            d->factor_index[(size_t)i * nf + f] = read_int("a factor index", 0, d->factor_levels[f] - 1);
    }
    dis_codes codes = {n, nc, value, levels};
    double *nmi = xcalloc((size_t)nc * nf, sizeof *nmi);
    dis_nmi_matrix(&codes, d, nmi);
    for (int j = 0; j < nc; j++)
        for (int f = 0; f < nf; f++) printf("%.17g%c", nmi[j * nf + f], f + 1 < nf ? ' ' : '\n');
    printf("mig %.17g\n", dis_mig(nmi, nc, nf, NULL));
    free(nmi), free(value);
    dataset_free(d);
    return 0;
}
