/* train.h: the training loop: data order, logs, progress line, NaN stop, checkpoints and
 * --resume. */
#ifndef TRAIN_H
#define TRAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "data/dataset.h"
#include "model/infogan.h"

typedef struct train_opts {
    int iterations;           /* train until m->iteration reaches this (5000) */
    const char *log_path;     /* CSV log, NULL for none: iteration, losses, D's mean outputs,
                                 L_I (D and G steps), L_I per code, and with a learned std
                                 the mean std per continuous code (std_c2, ...) */
    const char *ckpt_path;    /* checkpoint file, NULL for none */
    int ckpt_every;           /* checkpoint every this many iterations (and at the end) */
    bool resume;              /* continue from ckpt_path when it exists (a model already
                                 past iteration 0 is taken as loaded from it) */
    bool progress;            /* progress line on stderr */
    int stop_at;              /* stop as if killed after this iteration (no checkpoint
                                 written for it), 0 = never; for tests */
    int stop_patience;        /* the stop rule (model/stop.h) with this patience; 0: off */
    const char *collapsed_path; /* the stop rule's mark (NULL: none): written atomically when
                                 it ends the run, one line saying why; a model past iteration
                                 0 that finds it is not trained; a fresh run removes it */
    /* Called after every iteration, before its checkpoint (may be NULL). It may run the
     * model (forward passes, as scoring does) but must not change its training state. */
    void (*on_iter)(void *ctx, infogan *m, const infogan_stats *st);
    void *ctx;
} train_opts;

void train_opts_default(train_opts *o);
/* Like infogan_config_flag, for --iterations, --log, --checkpoint, --checkpoint-every,
 * --resume, --quiet. */
int train_opts_flag(train_opts *o, int argc, char **argv, int i);
void train_opts_help(FILE *f);

/* Copies this rank's rows (m->local_batch, C, H, W) of the next batch of d into out (all of
 * it with one process): an epoch is a permutation drawn from (seed, RNG_DATA, epoch); a
 * partial last batch is skipped (TF's next_batch). The position lives in m (data_epoch,
 * data_cursor) so checkpoints carry it. */
void train_next_batch(infogan *m, const dataset *d, int *perm, float *out);
/* Trains m on d until o->iterations (with MPI, every rank calls it; rank 0 alone writes the
 * log, checkpoints, the mark and the progress line, after checking that every rank holds the
 * same weights); dies with a clear message if a loss is NaN or Inf,
 * keeping the last checkpoint written before it. SIGINT or SIGTERM ends the run after the
 * current iteration: it writes a checkpoint (with --checkpoint), says so and exits with
 * status 128 + the signal number. When the stop rule ends the run it writes a checkpoint and
 * the mark, and says why in one line on stderr. Returns whether the run is collapsed (now,
 * or by an earlier invocation's mark). */
bool train_run(infogan *m, const dataset *d, const train_opts *o);

#endif
