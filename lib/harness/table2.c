/* table2.c: Table 2 of this suite: every run of Figures 3-6 with its scores, and the targets
 * (also the table of a diagnostic's runs, e.g. make diag-cdsprites). */
#include "harness/harness.h"

#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "base/util.h"

/* Whether every "factor=code:nmi" of a paper_factors field reaches the target. */
static int named_all_captured(const char *field)
{
    if (strcmp(field, "-") == 0) return 0;
    for (const char *p = strchr(field, ':'); p; p = strchr(p + 1, ':'))
        if (atof(p + 1) < EXP_TARGET_NMI) return 0;
    return 1;
}

/* "factor floor / ceiling" for each "factor=code:nmi" of a paper_factors field, from the run's
 * bounds.csv; "-" without it. */
static void bounds_summary(const char *dir, const char *paper_factors, char *out, size_t len)
{
    char factor[32], code[16];
    double nmi, lo, hi;
    out[0] = 0;
    for (int k = 0; factor_code_at(paper_factors, k, factor, code, &nmi); k++)
        if (read_bounds(dir, factor, &lo, &hi))
            snprintf(out + strlen(out), len - strlen(out), "%s%s %.2f / %.2f", out[0] ? "; " : "", factor, lo, hi);
    if (!out[0]) snprintf(out, len, "-");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "factor median / best; ..." of the paper's factors' normalized MI (pair k of each
 * paper_factors field) over the non-collapsed InfoGAN runs of rows[i]'s data set and setting. */
static void factors_median_best(const exp_row *rows, int n, int i, char *out, size_t len)
{
    char factor[32], name[32], code[16];
    double v, values[EXP_MAX_RUNS];
    out[0] = 0;
    for (int k = 0; factor_code_at(rows[i].field[9], k, name, code, &v); k++) {
        int m = 0;
        for (int j = 0; j < n; j++)
            if (strcmp(rows[j].field[0], rows[i].field[0]) == 0 && strcmp(rows[j].field[1], rows[i].field[1]) == 0 &&
                strcmp(rows[j].field[2], "infogan") == 0 && !row_collapsed(&rows[j]) &&
                factor_code_at(rows[j].field[9], k, factor, code, &v))
                values[m++] = v;
        if (!m) continue;
        qsort(values, (size_t)m, sizeof *values, cmp_double);
        double median = m % 2 ? values[m / 2] : 0.5 * (values[m / 2 - 1] + values[m / 2]);
        snprintf(out + strlen(out), len - strlen(out), "%s%s %.3f / %.3f", out[0] ? "; " : "", name, median,
                 values[m - 1]);
    }
    if (!out[0]) snprintf(out, len, "-");
}

int experiment_table2(int argc, char **argv)
{
    const char *out = "results", *dirs[EXP_MAX_RUNS];
    int n = parse_runs(argc, argv, 1, "table2", &out, dirs, NULL);
    exp_row *rows = xcalloc((size_t)n, sizeof *rows);
    for (int i = 0; i < n; i++) read_row(dirs[i], &rows[i]);
    path_make_output_dir("--out", out);
    provenance prov;
    provenance_init(&prov, argc, argv, strtoull(rows[0].field[3], NULL, 10));
    provenance_note(&prov, "runs", "each row's own provenance is in its run directory's result.csv");

    char path[1024];
    out_file o;
    path_join(path, sizeof path, out, "table2.csv");
    FILE *f = out_open(&o, path, "w");
    provenance_write_comments(&prov, f);
    char (*oracle)[512] = xcalloc((size_t)n, sizeof *oracle); /* each run's oracle summary */
    char (*bounds)[256] = xcalloc((size_t)n, sizeof *bounds);  /* each run's floor / ceiling summary */
    for (int i = 0; i < n; i++) {
        oracle_summary(dirs[i], rows[i].field[9], oracle[i], sizeof oracle[i]);
        bounds_summary(dirs[i], rows[i].field[9], bounds[i], sizeof bounds[i]);
    }
    fprintf(f, "%s,commit,threads,oracle,bounds\n", RESULT_HEADER);
    for (int i = 0; i < n; i++) {
        char train_s[32];
        for (int k = 0; k < RESULT_FIELDS; k++)
            fprintf(f, "%s,", k == 11 ? result_format_train_seconds(train_s, sizeof train_s, rows[i].train_seconds)
                                      : rows[i].field[k]);
        fprintf(f, "%s,%s,%s,%s\n", rows[i].commit, rows[i].threads, oracle[i], bounds[i]);
    }
    out_commit(&o);

    char sets[256] = ""; /* the data sets of the rows, each once */
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++) seen |= strcmp(rows[j].field[0], rows[i].field[0]) == 0;
        if (!seen)
            snprintf(sets + strlen(sets), sizeof sets - strlen(sets), "%s%s", sets[0] ? ", " : "",
                     rows[i].field[0]);
    }
    path_join(path, sizeof path, out, "table2.md");
    f = out_open(&o, path, "w");
    fprintf(f, "# Table 2: measured disentanglement (%s)\n\n"
               "Each row is one run. Held-out images are encoded by Q (posterior mean of continuous\n"
               "codes, argmax of categorical ones) and scored against the ground-truth factors:\n"
               "MIG (Chen et al. 2018), SAP (Kumar et al. 2018), FactorVAE metric (Kim and Mnih\n"
               "2018), all in [0,1]. `paper's factors`: for each factor the paper names for that\n"
               "setting, the best code of the panel's kind and its normalized MI I(code; factor) /\n"
               "H(factor); `floor / ceiling`: for those factors, the best code of Q at initialization (the\n"
               "run's settings and seed, untrained) and the factor itself as a code under the same\n"
               "binning, the range a score lies in; `best code per factor`: the best code of any kind\n"
               "for every factor. GAN rows are the regular GAN baseline (Q trained, no information reward for G). `train`: the\n"
               "run's training time in minutes over all its invocations (`-`: unknown, a run resumed\n"
               "from a checkpoint without it), with the threads it had. `collapsed`: the\n"
               "stop rule ended the run (its run directory's collapsed.txt says why); the targets\n"
               "select among the other runs, as the figures do. `oracle` (G's samples read by a\n"
               "classifier of the stand-in's factors, the run's oracle.csv; `faces oracle --help`):\n"
               "for each of the paper's factors, its coverage (entropy of the factor over G's samples\n"
               "over that over held-out images: low when G collapsed to a few levels) and the traversal\n"
               "score of the panel's code (the share of the factor's variance over a sweep of the code\n"
               "that the code's value explains: 0 changes nothing, 1 alone sets it); `-`: no oracle.\n\n"
               "| data | setting | model | seed | iterations | batch | MIG | SAP | FactorVAE | paper's factors | floor / ceiling | best code per factor | oracle | train (min, threads) | collapsed | commit |\n"
               "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", sets);
    for (int i = 0; i < n; i++) {
        const exp_row *r = &rows[i];
        char train[32] = "-";
        if (r->train_seconds >= 0) snprintf(train, sizeof train, "%.1f", r->train_seconds / 60.0);
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s | %.12s |\n",
                r->field[0], r->field[1], r->field[2], r->field[3], r->field[4], r->field[5], r->field[6],
                r->field[7], r->field[8], r->field[9], bounds[i], r->field[10], oracle[i], train,
                r->threads, row_collapsed(r) ? "yes" : "no", r->commit);
    }
    fprintf(f, "\n## Targets\n\n`InfoGAN beats GAN`: yes only when every non-collapsed InfoGAN seed of the setting\n"
               "scores a higher MIG than the best GAN run, a margin beyond the seeds' spread; with one\n"
               "InfoGAN seed the spread is unknown and the column says so. `median / best`: each paper\n"
               "factor's normalized MI over the setting's non-collapsed InfoGAN seeds (their number in\n"
               "brackets), as the targets ask for both.\n\n"
               "| data | setting | best InfoGAN MIG (run) | best GAN MIG | InfoGAN beats GAN | "
               "paper's factors >= %.1f in the selected run | paper's factors: median / best over the "
               "InfoGAN seeds | collapsed runs of the setting (both models) |\n"
               "|---|---|---|---|---|---|---|---|\n", EXP_TARGET_NMI);
    for (int i = 0; i < n; i++) {
        if (strcmp(rows[i].field[2], "infogan") != 0) continue;
        int first = 1, best = -1, worst = -1, gan = -1, runs = 0, collapsed = 0, seeds = 0;
        for (int j = 0; j < n; j++) {
            if (strcmp(rows[j].field[0], rows[i].field[0]) != 0) continue;
            int same_cfg = strcmp(rows[j].field[1], rows[i].field[1]) == 0;
            int is_info = strcmp(rows[j].field[2], "infogan") == 0;
            runs += same_cfg, collapsed += same_cfg && row_collapsed(&rows[j]);
            if (is_info && same_cfg && j < i) first = 0;
            if (row_collapsed(&rows[j])) continue;
            if (is_info && same_cfg && (best < 0 || row_mig(&rows[j]) > row_mig(&rows[best]))) best = j;
            if (is_info && same_cfg && (worst < 0 || row_mig(&rows[j]) < row_mig(&rows[worst]))) worst = j;
            seeds += is_info && same_cfg;
            if (!is_info && (gan < 0 || row_mig(&rows[j]) > row_mig(&rows[gan]))) gan = j;
        }
        if (!first) continue;
        if (best < 0) {
            fprintf(f, "| %s | %s | every InfoGAN run collapsed | %s | - | - | - | %d of %d |\n", rows[i].field[0],
                    rows[i].field[1], gan >= 0 ? rows[gan].field[6] : "no run", collapsed, runs);
            continue;
        }
        char beats[640] = "-";
        if (gan >= 0 && seeds < 2)
            snprintf(beats, sizeof beats, "%s, one seed: spread unknown",
                     row_mig(&rows[best]) > row_mig(&rows[gan]) ? "higher" : "not higher");
        else if (gan >= 0 && row_mig(&rows[worst]) > row_mig(&rows[gan]))
            snprintf(beats, sizeof beats, "yes, all %d seeds", seeds);
        else if (gan >= 0)
            snprintf(beats, sizeof beats, "no (%d seeds, the worst at %s)", seeds, rows[worst].field[6]);
        char spread[512];
        factors_median_best(rows, n, i, spread, sizeof spread);
        fprintf(f, "| %s | %s | %s (`%s`) | %s | %s | %s: %s | %s (%d) | %d of %d |\n", rows[i].field[0],
                rows[i].field[1], rows[best].field[6], rows[best].dir, gan >= 0 ? rows[gan].field[6] : "no run",
                beats, named_all_captured(rows[best].field[9]) ? "yes" : "no", rows[best].field[9], spread, seeds,
                collapsed, runs);
    }
    fputc('\n', f);
    provenance_write_markdown(&prov, f);
    out_commit(&o);
    printf("table2: %d runs -> %s/table2.csv and table2.md\n", n, out);
    free(rows), free(oracle), free(bounds);
    return 0;
}

