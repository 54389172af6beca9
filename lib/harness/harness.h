/* harness.h: what the harness's own files share (not for experiment programs). */
#ifndef HARNESS_H
#define HARNESS_H

#include "harness/experiment.h"

#define EXP_TARGET_NMI 0.5   /* the bar for "a code captures the factor" */
#define EXP_COVER_MIN 0.8    /* a panel's run: G's samples cover its factor (issue 25) */
#define PAPER_ROWS 8         /* traversal rows (fixed noise) */
#define CONT_COLS 10         /* continuous sweep -1..1 */

/* What a train command line adds to a run. */
#define MAX_SCORE_AT 16
typedef struct run_cli {
    const char *run_dir;
    bool resume, quiet;
    int ckpt_every;              /* 0: the spec's */
    int n_score_at, score_at[MAX_SCORE_AT]; /* --score-at: iterations scored on the way */
} run_cli;

void run_defaults(const exp_spec *s, exp_run *r);
/* Parses train flags argv[first..] into r (and cli; NULL for a run file, whose path `where`
 * names in messages). */
void run_parse(const exp_spec *s, int argc, char **argv, int first, exp_run *r, run_cli *cli,
               const char *where);
/* DIR/run.txt: the run's flags, one "--flag value" a line. */
void run_save(const char *dir, const exp_run *r);

/* Whether name is one of the '|'-separated names in list. */
int in_list(const char *list, const char *name);
const exp_config *find_config(const exp_spec *s, const char *name);
/* [--out DIR] [--partial] RUN_DIR... from argv[first]; returns the number of run folders.
 * --partial sets *partial; with partial NULL it is an unknown flag. */
int parse_runs(int argc, char **argv, int first, const char *prog, const char **out, const char **dirs,
               bool *partial);
/* G ends in tanh: images live in [-1,1] for the model. */
int tanh_output(const infogan *m);
/* d's images from [0,1] into a tanh model's [-1,1]. */
void to_model_range(dataset *d);
/* The seed of the stand-ins every run reads. */
#define EXP_DATA_SEED 1
/* The catalog's train and held-out images of a factor data set (the last n_eval held out). */
void open_catalog_data(const exp_spec *s, const exp_run *r, dataset **train, dataset **eval,
                       char *desc, size_t desc_len);

/* ---- factor data sets: scores, result.csv and nmi.csv ---- */

/* train_s: the training loop's wall time over every invocation of the run, `-` when unknown
 * (result_train_seconds); collapsed: 1 when the stop rule ended the run (files without the
 * column read as 0). */
#define RESULT_HEADER "dataset,config,model,seed,iterations,batch,mig,sap,factorvae,paper_factors,best_codes,train_s,collapsed"
#define RESULT_FIELDS 13
#define RESULT_COLLAPSED 12

typedef struct exp_row {
    char field[RESULT_FIELDS][512];
    char commit[64], threads[16], dir[512];
    double train_seconds;  /* result_train_seconds of field 11: -1 when unknown */
} exp_row;

/* Scores a factor run on the held-out images and writes nmi.csv, bounds.csv and result.csv. */
void score_factors(const exp_spec *s, const exp_run *r, infogan *m, const dataset *train,
                   const dataset *eval, provenance *prov, const char *run_dir);
/* The code of kind `kind` with the highest normalized MI with any factor of `factors`;
 * *factor receives that factor (-1 and code = first code of the kind if none is in data). */
int best_code(const latent_spec *ls, const dataset *d, const double *nmi, const char *factors,
              int kind, int *factor, double *value);
void read_row(const char *dir, exp_row *row);
/* In a paper_factors or best_codes field ("azimuth=c4:0.106 elevation=c3:0.151 ..."), pair k's
 * factor name (32), code name (16) and normalized MI; false past the last. */
bool factor_code_at(const char *field, int k, char *factor, char *code, double *nmi);
double row_mig(const exp_row *r);
bool row_collapsed(const exp_row *r);
/* A factor's floor and ceiling of normalized MI from dir/bounds.csv (score_factors writes it);
 * false when the file or the factor is not there. */
#define BOUNDS_CSV "bounds.csv"
bool read_bounds(const char *dir, const char *factor, double *floor_nmi, double *ceiling_nmi);
/* nmi (n_codes, F) from dir/nmi.csv; names receives the factor names (n_factors, names). */
double *read_nmi(const char *dir, int n_codes, dataset *names);

/* ---- the stand-in's oracle (oracles.c, eval/oracle.h) ---- */

#define ORACLE_CSV "oracle.csv"
/* Writes run_dir/oracle.csv (the oracle's accuracy, the coverage of every factor by G's
 * samples, the traversal score of every code and factor) when DATA/standin/NAME.oracle is
 * there and made for eval's images (model range); else says why on stderr and removes an
 * older oracle.csv. */
void score_oracle(const exp_spec *s, const exp_run *r, infogan *m, const dataset *eval, const provenance *prov,
                  const char *run_dir);
/* A run's oracle.csv: the coverage of each factor and the traversal score of each code. */
typedef struct oracle_table {
    int n_factors, n_codes;
    char factors[DATASET_MAX_FACTORS][32], codes[LATENT_MAX_CODES][16];
    double coverage[DATASET_MAX_FACTORS];
    double score[LATENT_MAX_CODES][DATASET_MAX_FACTORS];
} oracle_table;
/* Reads dir/oracle.csv into t; false when the run has none. */
bool oracle_read(const char *dir, oracle_table *t);
/* The traversal score of code ("c2") for factor, and the factor's coverage; NaN when either
 * is not in t. */
double oracle_score(const oracle_table *t, const char *factor, const char *code, double *coverage);
/* "factor: coverage C / code T; ..." for the factor=code pairs of a paper_factors field, from
 * dir/oracle.csv; "-" when the run has none. */
void oracle_summary(const char *dir, const char *paper_factors, char *out, size_t len);
/* The help paragraph of `NAME oracle` and oracle.csv. */
void oracle_help(const exp_spec *s, FILE *f);

int cmd_train(const exp_spec *s, int argc, char **argv);
int cmd_figures(const exp_spec *s, int argc, char **argv);
int cmd_oracle(const exp_spec *s, int argc, char **argv);

#endif
