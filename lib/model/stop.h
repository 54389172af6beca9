/* stop.h: the authors' stop rule (their Faces and Chairs sweeps aborted a run stuck for 50
 * epochs): a run is stuck once one sign of collapse has held for `patience` iterations in a
 * row. The trainer (train.h) applies it and marks the run collapsed. */
#ifndef STOP_H
#define STOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/infogan.h"

#define STOP_PATIENCE_DEFAULT 500

/* Signs: D loss, G loss, max D(G(z)), the continuous codes' L_I, one per categorical code. */
#define STOP_SIGNS (4 + LATENT_MAX_CODES)

typedef struct stop_rule {
    int patience;
    int since[STOP_SIGNS];  /* first iteration of each sign's current streak (0: not holding) */
} stop_rule;

void stop_rule_init(stop_rule *r, int patience);
/* Feeds one iteration's numbers of a model with config c; returns true once a sign has held
 * for `patience` iterations in a row, saying which and since when in why. */
bool stop_rule_update(stop_rule *r, const infogan_config *c, const infogan_stats *st, char *why,
                      size_t why_len);
/* The --stop-rule and --stop-patience lines of a program's help (on: its default). */
void stop_rule_help(FILE *f, bool on);

#endif
