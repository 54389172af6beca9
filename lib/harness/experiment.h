/* experiment.h: the one harness of every experiment program (mnist, faces, chairs, svhn,
 * celeba): a program states its data set as an exp_spec (architecture table, latent spec,
 * the paper's hyperparameter settings, its panels, and hooks for what it adds) and calls
 * experiment_main:
 *   NAME train --run-dir DIR [--config C] [--gan] [--seed N] [model flags] ...
 *       one run: DIR/run.txt (the flags that rebuild it), model.ckpt, log.csv, result.csv,
 *       and collapsed.txt when the stop rule ended it
 *   NAME figures --out DIR RUN_DIR...      the traversal panels + NAME.md (factor data sets)
 *   NAME <command> ...                     the spec's own commands (mnist: table1, figure2)
 * The table2 program calls experiment_table2 over run folders of any factor data set. */
#ifndef EXPERIMENT_H
#define EXPERIMENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "data/dataset.h"
#include "model/infogan.h"
#include "report/provenance.h"

#define EXP_MAX_CONFIGS 4
#define EXP_MAX_PANELS 4
#define EXP_MAX_COMMANDS 4
#define EXP_MAX_OVERRIDES 16
#define EXP_MAX_RUNS 256

/* One hyperparameter setting (e.g. a row of Table 5). */
typedef struct exp_config {
    const char *name;            /* "azimuth" */
    float lr_d, lr_g, lambda_cat, lambda_cont;
    const char *arch;            /* architecture table; NULL: the spec's name */
    int info_warmup;             /* G's steps without the L_I reward (infogan.h) */
    float leaky;                 /* leaky ReLU slope; 0: the model default (0.01) */
} exp_config;

/* One panel: a traversal of the code that best captures one of `factors`. */
typedef struct exp_panel {
    const char *file;            /* "figure3a" -> figure3a.png */
    const char *config;          /* the setting whose runs it is drawn from */
    const char *factors;         /* factor name, or names separated by '|' ("left|right") */
    int code_kind;               /* LATENT_CONT or LATENT_CAT: the kind of code shown */
    const char *caption;         /* what the paper's panel shows */
} exp_panel;

/* One run as its train command named it; DIR/run.txt keeps it. */
typedef struct exp_run {
    char config[32], data[512];
    bool gan;
    int batch, iterations, n_data, n_eval;
    uint64_t seed;
    bool stop_rule;              /* --stop-rule on|off (model/stop.h) */
    int stop_patience;           /* --stop-patience N */
    int n_overrides;             /* model flags given on top of the setting: "--lr-d" "1e-3" */
    char overrides[EXP_MAX_OVERRIDES][2][128];
} exp_run;

typedef struct exp_spec exp_spec;

/* A program's own command: argv[1] is its name. */
typedef struct exp_command {
    const char *name;
    const char *usage;           /* "table1 --out DIR [--gan RUN_DIR] RUN_DIR..." */
    int (*run)(const exp_spec *s, int argc, char **argv);
} exp_command;

struct exp_spec {
    const char *name;            /* data set and architecture table: "faces" */
    const char *figure;          /* "figure3" (NULL: no figures command) */
    const char *latent;          /* latent spec */
    const char *about;           /* help paragraph: what the program's train and commands do */
    const char *choices;         /* help paragraph: what we chose where the paper is unclear */
    int iterations, batch;       /* defaults of one run, and why (in choices) */
    int ckpt_every;              /* checkpoint interval */
    int n_eval;                  /* held-out images (factor data sets) */
    bool stop_rule;              /* the stop rule's default: on for the factor data sets */
    const char *nominal;         /* factors scored as categories by SAP, '|'-separated */
    int n_configs;
    exp_config configs[EXP_MAX_CONFIGS];   /* configs[0]: the default and the GAN baseline's */
    int n_panels;
    exp_panel panels[EXP_MAX_PANELS];
    int n_commands;
    exp_command commands[EXP_MAX_COMMANDS];
    /* Hooks; NULL: the factor data sets' (catalog data, disentanglement scores). */
    /* The train and held-out images of a run, and a description for provenance. */
    void (*open_data)(const exp_spec *s, const exp_run *r, dataset **train, dataset **eval,
                      char *desc, size_t desc_len);
    /* Dies with a sentence when the model cannot serve the program (before any write). */
    void (*check_model)(const exp_spec *s, const infogan_config *cfg);
    /* Scores a trained run and writes run_dir/result.csv (and what else it keeps). */
    void (*score)(const exp_spec *s, const exp_run *r, infogan *m, const dataset *train,
                  const dataset *eval, provenance *prov, const char *run_dir);
};

/* The `about` of the factor data sets (faces, chairs, svhn, celeba). */
#define EXP_FACTOR_ABOUT \
    "  The data: the stand-in, or the real set when it is in the data folder (--data DIR), the\n" \
    "  last --n-eval images held out; --n N uses the first N images (0: all). result.csv: Q\n" \
    "  encodes the held-out images, scored against the factors: DIR/nmi.csv (normalized MI of\n" \
    "  every code with every factor), MIG, SAP, FactorVAE, best codes, training time; and\n" \
    "  DIR/bounds.csv: each factor's floor (Q untrained) and ceiling (the factor as a code).\n" \
    "figures: the panels into DIR (results), each showing the code of the paper's kind\n" \
    "  (continuous or categorical) with the highest normalized MI for its factor, from the\n" \
    "  InfoGAN run of its setting whose code the oracle gives the highest traversal score,\n" \
    "  among the runs whose samples cover the factor (coverage >= 0.8) if there are any\n" \
    "  (every run scored with the oracle; else the best-MIG run); DIR/FIGURE.md says which.\n" \
    "  A panel with no run of its setting is an error; with --partial it is listed as not\n" \
    "  drawn and the others are drawn (to look at a sweep while it trains).\n"

/* The program's main: dispatches train / figures / the spec's commands / --help. */
int experiment_main(const exp_spec *s, int argc, char **argv);
/* table2 --out DIR RUN_DIR...: DIR/table2.csv and DIR/table2.md. */
/* DIR/collapsed.txt: the stop rule's mark of a run it ended (one line saying why). */
#define COLLAPSED_FILE "collapsed.txt"
/* Whether the stop rule ended the run in dir; why receives the mark's line. */
bool run_collapsed(const char *dir, char *why, size_t why_len);

int experiment_table2(int argc, char **argv);
/* table2 --lengths [--out DIR] RUN_DIR... (argv[1] is --lengths): DIR/lengths.csv (run, iteration, factor, best code, normalized MI,
 * traversal score, coverage) and lengths.png from each run's at-N/ folders and its end. */
int experiment_lengths(int argc, char **argv);

/* For the spec's commands: a run folder's run and model (from run.txt and model.ckpt). */
void exp_run_load(const exp_spec *s, const char *dir, exp_run *r);
infogan *exp_model_load(const exp_spec *s, const exp_run *r, const char *dir);
/* The model settings a run trains: the spec's setting, then the run's overrides. */
void exp_model_config(const exp_spec *s, const exp_run *r, infogan_config *cfg);

/* ---- result.csv's training time (harness/score.c) ---- */

/* A result.csv's train_s value ("%.1f", or "-" when m->train_seconds < 0) into buf. */
const char *result_format_train_seconds(char *buf, size_t len, double seconds);
/* The run's training time a result.csv gives, -1 when unknown: `value` under `column`, which is
 * train_s, or wall_s in files written before it: wall_s timed one invocation, the run's only
 * when that invocation trained from iteration 1 (`from_start`: result_note_from_start of the
 * file's comment lines). Dies naming path:lineno when the value is neither a number >= 0 nor -. */
double result_train_seconds(const char *column, const char *value, bool from_start, const char *path, int lineno);
/* Whether a comment line is an iterations_per_s note of an invocation that began at iteration 1. */
bool result_note_from_start(const char *line);

#endif
