/* experiment.h: what the Faces, Chairs, SVHN and CelebA programs share: train a run on
 * the stand-in (or the real set), encode held-out images with Q, score the codes against
 * the ground-truth factors (lib/disentangle.h), draw the paper's traversal panels from the
 * best runs, and collect every run into Table 2 of this suite.
 *
 * A program states its data set as an exp_spec (architecture table, latent spec, the
 * paper's hyperparameter settings, the panels of its figure) and calls experiment_main:
 *   NAME train --run-dir DIR [--config C] [--gan] [--seed N] ...   one run -> DIR/result.csv
 *   NAME figures --out DIR RUN_DIR...                              the panels + NAME.md
 * The table2 program calls experiment_table2 over run directories of any data set. */
#ifndef EXPERIMENT_H
#define EXPERIMENT_H

#define EXP_MAX_CONFIGS 4
#define EXP_MAX_PANELS 4

/* One hyperparameter setting (e.g. a row of Table 5). */
typedef struct exp_config {
    const char *name;            /* "azimuth" */
    float lr_d, lr_g, lambda_cat, lambda_cont;
    const char *arch;            /* architecture table; NULL: the spec's name */
    int info_warmup;             /* G's steps without the L_I reward (infogan.h) */
} exp_config;

/* One panel: a traversal of the code that best captures one of `factors`. */
typedef struct exp_panel {
    const char *file;            /* "figure3a" -> figure3a.png */
    const char *config;          /* the setting whose runs it is drawn from */
    const char *factors;         /* factor name, or names separated by '|' ("left|right") */
    int code_kind;               /* LATENT_CONT or LATENT_CAT: the kind of code shown */
    const char *caption;         /* what the paper's panel shows */
} exp_panel;

typedef struct exp_spec {
    const char *name;            /* data set and architecture table: "faces" */
    const char *figure;          /* "figure3" */
    const char *latent;          /* latent spec */
    const char *choices;         /* help paragraph: what we chose where the paper is unclear */
    int iterations, batch;       /* defaults of one run, and why (in choices) */
    const char *nominal;         /* factors scored as categories by SAP, '|'-separated */
    int n_configs;
    exp_config configs[EXP_MAX_CONFIGS];   /* configs[0]: the default and the GAN baseline's */
    int n_panels;
    exp_panel panels[EXP_MAX_PANELS];
} exp_spec;

/* The program's main: dispatches train / figures / --help. */
int experiment_main(const exp_spec *s, int argc, char **argv);
/* table2 --out DIR RUN_DIR...: DIR/table2.csv and DIR/table2.md. */
int experiment_table2(int argc, char **argv);

#endif
