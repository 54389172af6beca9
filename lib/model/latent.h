/* latent.h: the generator's input spec, e.g. "noise:62,cat:10,cont:2", its sampling and
 * H(c).
 *
 * Parts, in the order given: noise:D (D dims ~ U(-1,1), incompressible), cat:K (one code ~
 * Cat(K), fed to G one-hot), cont:D (D codes ~ U(-1,1), each its own code). A part may be
 * repeated (cat:10,cat:10 is two categorical codes). G's input row is the parts
 * concatenated in order; Q's output row is every categorical code's K logits in order, then
 * every continuous code's mean, then (learned std only) every continuous code's log std. */
#ifndef LATENT_H
#define LATENT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/rng.h"

#define LATENT_MAX_PARTS 32
#define LATENT_MAX_CODES 64

typedef enum latent_kind { LATENT_NOISE, LATENT_CAT, LATENT_CONT } latent_kind;

typedef struct latent_part {
    latent_kind kind;
    int dim;     /* noise/cont: number of dims; cat: K */
    int offset;  /* first column in G's input row */
} latent_part;

/* One code of L_I: a categorical code or one continuous dimension. */
typedef struct latent_code {
    latent_kind kind;   /* LATENT_CAT or LATENT_CONT */
    int k;              /* cat: K; cont: 1 */
    int in_offset;      /* first column in G's input row */
    int q_offset;       /* cat: first logit in Q's row; cont: mean's column */
    char name[16];      /* "c1", "c2", ... as in the paper */
} latent_code;

typedef struct latent_spec {
    char text[128];     /* the spec as given */
    int n_parts;
    latent_part parts[LATENT_MAX_PARTS];
    int n_codes;
    latent_code codes[LATENT_MAX_CODES];
    int in_dim;         /* G's input width */
    int n_cat, n_cont;  /* categorical codes, continuous codes */
} latent_spec;

/* Parses `text`; on a bad spec dies naming `flag` (e.g. "--latent") and the part. Sizes are
 * capped: each part and G's whole input at most 4096 wide, cat:K with 2 <= K <= 1024. */
void latent_parse(latent_spec *s, const char *text, const char *flag);
/* The same, but returns false and writes that sentence into err instead of exiting. */
bool latent_parse_try(latent_spec *s, const char *text, const char *flag, char *err,
                      size_t err_len);
/* Q's output width: the logits of every categorical code plus, per continuous code, a mean
 * (and a log std when learned_std). */
int latent_q_dim(const latent_spec *s, bool learned_std);
/* H(c) of one code: ln K for Cat(K), ln 2 (differential entropy) for U(-1,1). */
double latent_code_entropy(const latent_code *c);
/* Sum of every code's entropy. */
double latent_entropy(const latent_spec *s);
/* z (n, in_dim): fresh noise and codes from the prior; cat_index (n, n_cat) receives each
 * row's categorical choices (may be NULL). */
void latent_sample(const latent_spec *s, rng *r, int n, float *z, int *cat_index);
/* Sets categorical code `code` of row z (in_dim) to one-hot `value`, or continuous code
 * `code` to `value`. */
void latent_set_code(const latent_spec *s, int code, float *z, float value);

#endif
