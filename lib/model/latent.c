/* latent.c: parsing, sampling and entropy of the latent spec. */
#include "model/latent.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Caps that keep G's input and Q's output to sizes a run can allocate. */
#define LATENT_MAX_IN_DIM 4096
#define LATENT_MAX_CAT 1024

bool latent_parse_try(latent_spec *s, const char *text, const char *flag, char *err,
                      size_t err_len)
{
    memset(s, 0, sizeof *s);
    if (strlen(text) >= sizeof s->text) {
        set_err(err, err_len, "%s: spec '%.40s...' is too long (at most %zu characters)", flag,
                text, sizeof s->text - 1);
        return false;
    }
    size_t len = strlen(text);
    if (len && (text[0] == ',' || text[len - 1] == ',' || strstr(text, ",,"))) {
        set_err(err, err_len, "%s: '%s' has an empty part (parts are separated by single commas)", flag, text);
        return false;
    }
    char buf[128];
    snprintf(buf, sizeof buf, "%s", text);
    int q_cat = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        if (!colon) {
            set_err(err, err_len, "%s: part '%s' of '%s' needs the form kind:number (noise:62, "
                    "cat:10, cont:2)", flag, tok, text);
            return false;
        }
        *colon = 0;
        char *end;
        long dim = strtol(colon + 1, &end, 10);
        if (colon[1] < '0' || colon[1] > '9' || *end != 0 || dim <= 0 || dim > LATENT_MAX_IN_DIM) {
            set_err(err, err_len, "%s: '%s' in '%s' is not a size in 1..%d", flag, colon + 1,
                    text, LATENT_MAX_IN_DIM);
            return false;
        }
        if (s->n_parts == LATENT_MAX_PARTS) {
            set_err(err, err_len, "%s: more than %d parts in '%s'", flag, LATENT_MAX_PARTS, text);
            return false;
        }
        latent_part *p = &s->parts[s->n_parts++];
        p->dim = (int)dim;
        p->offset = s->in_dim;
        if (strcmp(tok, "noise") == 0) p->kind = LATENT_NOISE;
        else if (strcmp(tok, "cat") == 0) p->kind = LATENT_CAT;
        else if (strcmp(tok, "cont") == 0) p->kind = LATENT_CONT;
        else {
            set_err(err, err_len, "%s: unknown part kind '%s' in '%s' (use noise, cat or cont)",
                    flag, tok, text);
            return false;
        }
        if (p->kind == LATENT_CAT && (dim < 2 || dim > LATENT_MAX_CAT)) {
            set_err(err, err_len, "%s: cat:%ld in '%s' needs 2..%d classes", flag, dim, text,
                    LATENT_MAX_CAT);
            return false;
        }
        s->in_dim += p->dim;
        if (s->in_dim > LATENT_MAX_IN_DIM) {
            set_err(err, err_len, "%s: '%s' makes G's input %d wide (at most %d)", flag, text,
                    s->in_dim, LATENT_MAX_IN_DIM);
            return false;
        }
        int n_new = p->kind == LATENT_CAT ? 1 : p->kind == LATENT_CONT ? p->dim : 0;
        if (s->n_codes + n_new > LATENT_MAX_CODES) {
            set_err(err, err_len, "%s: more than %d codes in '%s'", flag, LATENT_MAX_CODES, text);
            return false;
        }
        for (int j = 0; j < n_new; j++) {
            latent_code *c = &s->codes[s->n_codes++];
            c->kind = p->kind;
            c->k = p->kind == LATENT_CAT ? p->dim : 1;
            c->in_offset = p->offset + (p->kind == LATENT_CAT ? 0 : j);
            if (p->kind == LATENT_CAT) c->q_offset = q_cat, q_cat += p->dim, s->n_cat++;
            else s->n_cont++;
            snprintf(c->name, sizeof c->name, "c%d", s->n_codes);
        }
    }
    if (s->n_parts == 0) {
        set_err(err, err_len, "%s: empty latent spec", flag);
        return false;
    }
    /* Stored in one spelling ("noise:62,cat:10"), so checkpoints match however it was typed. */
    static const char *const kind_names[] = {[LATENT_NOISE] = "noise", [LATENT_CAT] = "cat", [LATENT_CONT] = "cont"};
    for (int i = 0; i < s->n_parts; i++)
        snprintf(s->text + strlen(s->text), sizeof s->text - strlen(s->text), "%s%s:%d", i ? "," : "",
                 kind_names[s->parts[i].kind], s->parts[i].dim);
    /* Continuous means follow all logits. */
    int q_cont = q_cat;
    for (int i = 0; i < s->n_codes; i++)
        if (s->codes[i].kind == LATENT_CONT) s->codes[i].q_offset = q_cont++;
    return true;
}

void latent_parse(latent_spec *s, const char *text, const char *flag)
{
    char err[512];
    if (!latent_parse_try(s, text, flag, err, sizeof err)) die("%s", err);
}

int latent_q_dim(const latent_spec *s, bool learned_std)
{
    int d = 0;
    for (int i = 0; i < s->n_codes; i++)
        d += s->codes[i].kind == LATENT_CAT ? s->codes[i].k : (learned_std ? 2 : 1);
    return d;
}

double latent_code_entropy(const latent_code *c)
{
    return c->kind == LATENT_CAT ? log((double)c->k) : log(2.0);
}

double latent_entropy(const latent_spec *s)
{
    double h = 0.0;
    for (int i = 0; i < s->n_codes; i++) h += latent_code_entropy(&s->codes[i]);
    return h;
}

void latent_sample(const latent_spec *s, rng *r, int n, float *z, int *cat_index)
{
    for (int row = 0; row < n; row++) {
        float *zr = z + (size_t)row * s->in_dim;
        int cat = 0;
        for (int p = 0; p < s->n_parts; p++) {
            const latent_part *part = &s->parts[p];
            float *dst = zr + part->offset;
            if (part->kind == LATENT_CAT) {
                int v = (int)rng_below(r, (uint32_t)part->dim);
                for (int j = 0; j < part->dim; j++) dst[j] = j == v ? 1.0f : 0.0f;
                if (cat_index) cat_index[(size_t)row * s->n_cat + cat] = v;
                cat++;
            } else {
                for (int j = 0; j < part->dim; j++) dst[j] = rng_uniform_range(r, -1.0f, 1.0f);
            }
        }
    }
}

void latent_set_code(const latent_spec *s, int code, float *z, float value)
{
    CHECK(code >= 0 && code < s->n_codes, "latent code %d outside 0..%d", code, s->n_codes - 1);
    const latent_code *c = &s->codes[code];
    if (c->kind == LATENT_CONT) {
        z[c->in_offset] = value;
        return;
    }
    int v = (int)value;
    CHECK(v >= 0 && v < c->k, "category %d outside 0..%d of code %s", v, c->k - 1, c->name);
    for (int j = 0; j < c->k; j++) z[c->in_offset + j] = j == v ? 1.0f : 0.0f;
}
