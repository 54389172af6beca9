/* stop.h: the authors' stop rule (their Faces and Chairs sweeps aborted a run stuck for 50
 * epochs): a run is stuck once one sign of collapse has held for `patience` iterations in a
 * row, each sign judged on its quantity's mean over the last STOP_WINDOW iterations (the
 * authors judged per-epoch numbers; one batch's L_I of a code Q does not read scatters around
 * 0 and would break every streak). The trainer (train.h) applies it and marks the run
 * collapsed. */
#ifndef STOP_H
#define STOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/infogan.h"

#define STOP_PATIENCE_DEFAULT 500
#define STOP_WINDOW 50

/* Signs: D loss, G loss, max D(G(z)), the continuous codes' L_I, one per categorical code. */
#define STOP_SIGNS (4 + LATENT_MAX_CODES)

typedef struct stop_rule {
    int patience;
    int since[STOP_SIGNS];  /* first iteration of each sign's current streak (0: not holding) */
    /* each sign's quantity over its last STOP_WINDOW iterations where it applies (ring) */
    double last[STOP_SIGNS][STOP_WINDOW];
    int seen[STOP_SIGNS];   /* iterations in a row where it applied */
} stop_rule;

void stop_rule_init(stop_rule *r, int patience);
/* Feeds one iteration's numbers of a model with config c; returns true once a sign has held
 * (its mean over the last STOP_WINDOW iterations beyond its threshold) for `patience`
 * iterations in a row, saying which and since when in why. */
bool stop_rule_update(stop_rule *r, const infogan_config *c, const infogan_stats *st, char *why,
                      size_t why_len);
/* The --stop-rule and --stop-patience lines of a program's help (on: its default). */
void stop_rule_help(FILE *f, bool on);

#endif
