/* score.c: the factor data sets' scores (normalized MI of every code with every factor,
 * MIG, SAP, FactorVAE on held-out images), their result.csv and nmi.csv, and the readers. */
#include "harness/harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "base/util.h"
#include "eval/disentangle.h"

typedef struct exp_scores {
    int n_codes, n_factors;
    double mig, sap, fvae;
    double *nmi;                 /* (n_codes, F) */
} exp_scores;

/* value (n, n_codes): Q's posterior mean of continuous codes, argmax of categorical ones. */
static void encode(infogan *m, const dataset *d, float *value, int *levels)
{
    const latent_spec *ls = &m->cfg.latent;
    float *q = xalloc_floats((size_t)d->n * m->q_dim); /* (n, q_dim) */
    infogan_q_forward(m, d->n, d->images, q);
    for (int j = 0; j < ls->n_codes; j++) {
        const latent_code *c = &ls->codes[j];
        levels[j] = c->kind == LATENT_CAT ? c->k : 0;
        for (int i = 0; i < d->n; i++) {
            const float *row = q + (size_t)i * m->q_dim + c->q_offset;
            int best = 0;
            for (int a = 1; a < c->k && c->kind == LATENT_CAT; a++) best = row[a] > row[best] ? a : best;
            value[(size_t)i * ls->n_codes + j] = c->kind == LATENT_CAT ? (float)best : row[0];
        }
    }
    free(q);
}

/* nominal (F): the spec's nominal factors and every two-level one. */
static void nominal_factors(const exp_spec *s, const dataset *d, bool *nominal)
{
    for (int f = 0; f < d->n_factors; f++)
        nominal[f] = in_list(s->nominal, d->factor_names[f]) || d->factor_levels[f] == 2;
}

static exp_scores evaluate(const exp_spec *s, infogan *m, const dataset *eval)
{
    const latent_spec *ls = &m->cfg.latent;
    exp_scores sc = {ls->n_codes, eval->n_factors, NAN, NAN, NAN, NULL};
    if (!eval->n_factors) return sc;
    float *value = xalloc_floats((size_t)eval->n * ls->n_codes);
    int levels[LATENT_MAX_CODES];
    encode(m, eval, value, levels);
    dis_codes codes = {eval->n, ls->n_codes, value, levels};
    bool nominal[DATASET_MAX_FACTORS];
    nominal_factors(s, eval, nominal);
    sc.nmi = xcalloc((size_t)ls->n_codes * eval->n_factors, sizeof *sc.nmi);
    dis_nmi_matrix(&codes, eval, sc.nmi);
    sc.mig = dis_mig(sc.nmi, ls->n_codes, eval->n_factors, NULL);
    sc.sap = dis_sap(&codes, eval, nominal, NULL);
    dis_fvae_opts o;
    dis_fvae_opts_default(&o);
    sc.fvae = dis_factorvae(&codes, eval, &o);
    free(value);
    return sc;
}

/* The code of kind `kind` with the highest normalized MI with any factor of `factors`;
 * *factor receives that factor (-1 and code = first code of the kind if none is in data). */
int best_code(const latent_spec *ls, const dataset *d, const double *nmi, const char *factors,
                     int kind, int *factor, double *value)
{
    int code = -1;
    *factor = -1, *value = -1.0;
    for (int j = 0; j < ls->n_codes; j++) {
        if ((int)ls->codes[j].kind != kind) continue;
        if (code < 0) code = j;
        for (int f = 0; f < d->n_factors && nmi; f++)
            if (in_list(factors, d->factor_names[f]) && nmi[j * d->n_factors + f] > *value)
                *value = nmi[j * d->n_factors + f], *factor = f, code = j;
    }
    CHECK(code >= 0, "latent spec %s has no %s code", ls->text, kind == LATENT_CAT ? "categorical" : "continuous");
    return code;
}

static void write_nmi_csv(const char *dir, const provenance *prov, const latent_spec *ls,
                          const dataset *d, const exp_scores *sc)
{
    char path[1024];
    out_file o;
    path_join(path, sizeof path, dir, "nmi.csv");
    FILE *f = out_open(&o, path, "w");
    provenance_write_comments(prov, f);
    fprintf(f, "# I(code; factor) / H(factor) on %d held-out images\ncode,kind", d->n);
    for (int fi = 0; fi < d->n_factors; fi++) fprintf(f, ",%s", d->factor_names[fi]);
    fputc('\n', f);
    for (int j = 0; j < ls->n_codes; j++) {
        fprintf(f, "%s,%s", ls->codes[j].name, ls->codes[j].kind == LATENT_CAT ? "cat" : "cont");
        for (int fi = 0; fi < d->n_factors; fi++) fprintf(f, ",%.4f", sc->nmi[j * d->n_factors + fi]);
        fputc('\n', f);
    }
    out_commit(&o);
}

/* bounds.csv: each factor's floor, the highest normalized MI of any code of Q at
 * initialization (the run's settings and seed, untrained), and ceiling, the factor's own value
 * as a code under the same binning (its levels as categories for a nominal factor). */
static void write_bounds(const char *dir, const provenance *prov, const exp_spec *s, const infogan *m,
                         const dataset *d)
{
    int nf = d->n_factors, nc = m->cfg.latent.n_codes;
    infogan *init = infogan_create(&m->cfg);
    float *value = xalloc_floats((size_t)d->n * (nc > nf ? nc : nf)); /* (n, codes), then (n, F) */
    int levels[LATENT_MAX_CODES > DATASET_MAX_FACTORS ? LATENT_MAX_CODES : DATASET_MAX_FACTORS];
    double *floor_nmi = xcalloc((size_t)nc * nf, sizeof *floor_nmi); /* (codes, F) */
    double *ceiling_nmi = xcalloc((size_t)nf * nf, sizeof *ceiling_nmi); /* (F, F) */
    encode(init, d, value, levels);
    dis_codes codes = {d->n, nc, value, levels};
    dis_nmi_matrix(&codes, d, floor_nmi);
    infogan_free(init);
    bool nominal[DATASET_MAX_FACTORS];
    nominal_factors(s, d, nominal);
    for (int f = 0; f < nf; f++) {
        levels[f] = nominal[f] ? d->factor_levels[f] : 0;
        for (int i = 0; i < d->n; i++)
            value[(size_t)i * nf + f] = nominal[f] ? (float)d->factor_index[(size_t)i * nf + f]
                                                   : d->factor_value[(size_t)i * nf + f];
    }
    dis_codes perfect = {d->n, nf, value, levels};
    dis_nmi_matrix(&perfect, d, ceiling_nmi);

    char path[1024];
    out_file o;
    path_join(path, sizeof path, dir, BOUNDS_CSV);
    FILE *f = out_open(&o, path, "w");
    provenance_write_comments(prov, f);
    fprintf(f, "# normalized MI on %d held-out images: floor = best code of Q at initialization, "
               "ceiling = the factor itself as a code\nfactor,floor,ceiling\n", d->n);
    for (int fi = 0; fi < nf; fi++) {
        double best = 0.0;
        for (int j = 0; j < nc; j++) best = fmax(best, floor_nmi[j * nf + fi]);
        fprintf(f, "%s,%.4f,%.4f\n", d->factor_names[fi], best, ceiling_nmi[fi * nf + fi]);
    }
    out_commit(&o);
    free(value), free(floor_nmi), free(ceiling_nmi);
}

bool read_bounds(const char *dir, const char *factor, double *floor_nmi, double *ceiling_nmi)
{
    char path[1024], line[512], name[128];
    path_join(path, sizeof path, dir, BOUNDS_CSV);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = line[0] != '#' && sscanf(line, "%127[^,],%lf,%lf", name, floor_nmi, ceiling_nmi) == 3 &&
                strcmp(name, factor) == 0;
    fclose(f);
    return found;
}

static void write_result(const char *dir, const provenance *prov, const exp_spec *s, const exp_run *r,
                         const infogan *m, const dataset *d, const exp_scores *sc)
{
    const latent_spec *ls = &m->cfg.latent;
    char named[512] = "", best[1024] = "";
    for (int p = 0; p < s->n_panels; p++) {
        const exp_panel *pn = &s->panels[p];
        if (strcmp(pn->config, r->config) != 0) continue;
        int f;
        double v;
        int code = best_code(ls, d, sc->nmi, pn->factors, pn->code_kind, &f, &v);
        snprintf(named + strlen(named), sizeof named - strlen(named), "%s%s=%s:%.3f",
                 named[0] ? " " : "", f >= 0 ? d->factor_names[f] : pn->factors, ls->codes[code].name, v);
    }
    for (int fi = 0; fi < d->n_factors && sc->nmi; fi++) {
        int bj = 0;
        for (int j = 1; j < ls->n_codes; j++) bj = sc->nmi[j * d->n_factors + fi] > sc->nmi[bj * d->n_factors + fi] ? j : bj;
        snprintf(best + strlen(best), sizeof best - strlen(best), "%s%s=%s:%.3f", best[0] ? " " : "",
                 d->factor_names[fi], ls->codes[bj].name, sc->nmi[bj * d->n_factors + fi]);
    }
    char path[1024];
    out_file o;
    path_join(path, sizeof path, dir, "result.csv");
    FILE *f = out_open(&o, path, "w");
    provenance_write_comments(prov, f);
    char why[512];
    bool collapsed = run_collapsed(dir, why, sizeof why);
    char train_s[32];
    fprintf(f, "%s\n%s,%s,%s,%llu,%d,%d,%.4f,%.4f,%.4f,%s,%s,%s,%d\n", RESULT_HEADER, s->name, r->config,
            r->gan ? "gan" : "infogan", (unsigned long long)r->seed, m->iteration, r->batch, sc->mig, sc->sap, sc->fvae,
            named[0] ? named : "-", best[0] ? best : "-",
            result_format_train_seconds(train_s, sizeof train_s, m->train_seconds), collapsed);
    out_commit(&o);
    printf("%s %s %s seed %llu, %d iterations%s: MIG %.3f, SAP %.3f, FactorVAE %.3f; paper's factors: %s\n",
           s->name, r->config, r->gan ? "GAN" : "InfoGAN", (unsigned long long)r->seed, m->iteration,
           collapsed ? " (collapsed)" : "", sc->mig, sc->sap, sc->fvae, named[0] ? named : "-");
}

bool factor_code_at(const char *field, int k, char *factor, char *code, double *nmi)
{
    const char *p = field;
    for (int i = 0; i < k && p; i++) p = strchr(p, ' '), p = p ? p + 1 : NULL;
    if (!p || !*p) return false;
    return sscanf(p, "%31[^=]=%15[^:]:%lf", factor, code, nmi) == 3;
}

const char *result_format_train_seconds(char *buf, size_t len, double seconds)
{
    if (seconds < 0) snprintf(buf, len, "-");
    else snprintf(buf, len, "%.1f", seconds);
    return buf;
}

bool result_note_from_start(const char *line)
{
    /* "# iterations_per_s: X it/s over iterations A..B of this invocation" */
    const char *over = strncmp(line, "# iterations_per_s: ", 20) == 0 ? strstr(line, " over iterations ") : NULL;
    return over && atoi(over + 17) == 1;
}

double result_train_seconds(const char *column, const char *value, bool from_start, const char *path, int lineno)
{
    if (strcmp(value, "-") == 0) return -1.0;
    char *end;
    double s = strtod(value, &end);
    CHECK(end != value && *end == 0 && s >= 0, "%s:%d: %s '%s' is neither a number >= 0 nor -", path, lineno,
          column, value);
    return strcmp(column, "wall_s") == 0 && !from_start ? -1.0 : s;
}

void read_row(const char *dir, exp_row *row)
{
    char path[1024], line[4096];
    path_join(path, sizeof path, dir, "result.csv");
    FILE *f = fopen(path, "r");
    CHECK(f, "cannot read %s (train that run first)", path);
    memset(row, 0, sizeof *row);
    snprintf(row->dir, sizeof row->dir, "%s", dir);
    snprintf(row->commit, sizeof row->commit, "unknown");
    snprintf(row->threads, sizeof row->threads, "?");
    int n = 0, header = 0, lineno = 0;
    bool from_start = false, legacy = false; /* legacy: wall_s, not train_s */
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = 0;
        if (strncmp(line, "# commit: ", 10) == 0) snprintf(row->commit, sizeof row->commit, "%.63s", line + 10);
        if (strncmp(line, "# threads: ", 11) == 0) snprintf(row->threads, sizeof row->threads, "%.15s", line + 11);
        from_start = from_start || result_note_from_start(line);
        if (line[0] == '#') continue;
        if (!header++) {
            legacy = strstr(line, ",wall_s") != NULL;
            continue;
        }
        char *save = NULL;
        for (char *t = strtok_r(line, ",", &save); t && n < RESULT_FIELDS; t = strtok_r(NULL, ",", &save))
            snprintf(row->field[n++], sizeof row->field[0], "%s", t);
        break;
    }
    fclose(f);
    if (n == RESULT_COLLAPSED) snprintf(row->field[n++], sizeof row->field[0], "0"); /* before the column */
    CHECK(n == RESULT_FIELDS, "%s: no result row of %d fields", path, RESULT_FIELDS);
    /* mig, sap, factorvae: shares in 0..1, or nan for a data set without factors. */
    for (int k = 6; k <= 8; k++) {
        char *end;
        double v = strtod(row->field[k], &end);
        CHECK(*end == 0 && (isnan(v) || (v >= 0 && v <= 1)), "%s:%d: %s '%s' is not a number in 0..1",
              path, lineno, k == 6 ? "mig" : k == 7 ? "sap" : "factorvae", row->field[k]);
    }
    row->train_seconds = result_train_seconds(legacy ? "wall_s" : "train_s", row->field[11], from_start, path, lineno);
    const char *c = row->field[RESULT_COLLAPSED];
    CHECK(strcmp(c, "0") == 0 || strcmp(c, "1") == 0, "%s:%d: collapsed '%s' is neither 0 nor 1", path,
          lineno, c);
}

double row_mig(const exp_row *r)
{
    double v = atof(r->field[6]);
    return isnan(v) ? -1.0 : v;
}

bool row_collapsed(const exp_row *r)
{
    return strcmp(r->field[RESULT_COLLAPSED], "1") == 0;
}

/* nmi (n_codes, F) and factor names of a run (NULL nmi if the run had no factors). */
double *read_nmi(const char *dir, int n_codes, dataset *names)
{
    char path[1024], line[4096];
    path_join(path, sizeof path, dir, "nmi.csv");
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    double *nmi = NULL;
    int row = 0, nf = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '#') continue;
        char *save = NULL, *t = strtok_r(line, ",", &save);
        strtok_r(NULL, ",", &save); /* kind */
        if (!nmi) {
            for (t = strtok_r(NULL, ",", &save); t && nf < DATASET_MAX_FACTORS; t = strtok_r(NULL, ",", &save))
                snprintf(names->factor_names[nf++], sizeof names->factor_names[0], "%s", t);
            nmi = xcalloc((size_t)n_codes * (nf ? nf : 1), sizeof *nmi);
            continue;
        }
        CHECK(row < n_codes, "%s has more rows than the %d codes", path, n_codes);
        for (int fi = 0; fi < nf; fi++) {
            t = strtok_r(NULL, ",", &save);
            CHECK(t, "%s: row %d is short", path, row + 1);
            nmi[row * nf + fi] = atof(t);
        }
        row++;
    }
    fclose(f);
    CHECK(row == n_codes, "%s has %d code rows, the model %d", path, row, n_codes);
    names->n_factors = nf;
    return nmi;
}


void score_factors(const exp_spec *s, const exp_run *r, infogan *m, const dataset *train,
                   const dataset *eval, provenance *prov, const char *run_dir)
{
    (void)train;
    if (!run_dir) return;
    exp_scores sc = evaluate(s, m, eval);
    provenance_note(prov, "metrics", "codes of held-out images (Q's mean, argmax): normalized MI with "
                    "20-bin codes, MIG, SAP (fit on even, scored on odd items), FactorVAE (batch 64, "
                    "5000 + 2500 votes, seed 1)");
    if (sc.nmi) write_nmi_csv(run_dir, prov, &m->cfg.latent, eval, &sc);
    if (sc.nmi) write_bounds(run_dir, prov, s, m, eval);
    write_result(run_dir, prov, s, r, m, eval, &sc);
    score_oracle(s, r, m, eval, prov, run_dir);
    free(sc.nmi);
}
