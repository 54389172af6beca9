/* oracle.c: the factor classifier (network, training, prediction, file) and what it
 * measures of a generator (coverage, traversal score). */
#include "eval/oracle.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "kernels.h"
#include "base/fs.h"
#include "base/sha_sink.h"
#include "base/rng.h"
#include "base/util.h"
#include "eval/metrics.h"
#include "model/losses.h"
#include "nn/adam.h"

#define ORACLE_MAGIC "IGORACLE"
#define ORACLE_VERSION 1u         /* bump when the network or the layout changes */
#define ORACLE_SLOPE 0.1f
#define ORACLE_HIDDEN 256
#define ORACLE_MAX_LAYERS 16
#define ORACLE_MAX_LEVELS 4096    /* per factor, as a loaded file may claim */

void oracle_opts_default(oracle_opts *o)
{
    o->iterations = 3000;
    o->lr = 1e-3f;
    o->seed = 1;
    o->progress = true;
}

/* The network of oracle.h for (h, w) images and n_logits outputs; returns its layer count. */
static int oracle_specs(int h, int w, int n_logits, layer_spec *specs)
{
    int n = 0, channels = 32;
    for (int size = h > w ? h : w; size > 8; size /= 2, channels *= 2) {
        specs[n++] = (layer_spec){LAYER_CONV, channels, 0, 0, 4, 2, false};
        specs[n++] = (layer_spec){LAYER_LRELU, 0, 0, 0, 0, 0, false};
    }
    specs[n++] = (layer_spec){LAYER_LINEAR, ORACLE_HIDDEN, 1, 1, 0, 0, false};
    specs[n++] = (layer_spec){LAYER_LRELU, 0, 0, 0, 0, 0, false};
    specs[n++] = (layer_spec){LAYER_LINEAR, n_logits, 1, 1, 0, 0, false};
    return n;
}

/* Builds the network once shape and levels are set. */
static void oracle_build(oracle *o)
{
    kern_init();
    o->n_logits = 0;
    for (int f = 0; f < o->n_factors; f++) o->logit_offset[f] = o->n_logits, o->n_logits += o->factor_levels[f];
    layer_spec specs[ORACLE_MAX_LAYERS];
    int n = oracle_specs(o->h, o->w, o->n_logits, specs);
    size_t count = net_param_count(specs, n, o->c, o->h, o->w, NULL);
    o->params = xalloc_floats(count);
    o->grads = xalloc_floats(count);
    memset(o->params, 0, count * sizeof(float));
    o->net = net_create(specs, n, o->c, o->h, o->w, ORACLE_BATCH, ORACLE_SLOPE, 1e-5f, o->params, o->grads);
}

oracle *oracle_create(const dataset *d)
{
    CHECK(d->n_factors > 0, "%s has no ground-truth factors for an oracle to learn", d->name);
    oracle *o = xcalloc(1, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", d->name);
    o->c = d->c, o->h = d->h, o->w = d->w;
    o->n_factors = d->n_factors;
    for (int f = 0; f < d->n_factors; f++) {
        memcpy(o->factor_names[f], d->factor_names[f], sizeof o->factor_names[f]);
        o->factor_levels[f] = d->factor_levels[f];
    }
    oracle_build(o);
    return o;
}

void oracle_free(oracle *o)
{
    if (!o) return;
    net_free(o->net);
    free(o->params), free(o->grads);
    free(o);
}

bool oracle_fits(const oracle *o, const dataset *d)
{
    if (o->c != d->c || o->h != d->h || o->w != d->w || o->n_factors != d->n_factors) return false;
    for (int f = 0; f < d->n_factors; f++)
        if (strcmp(o->factor_names[f], d->factor_names[f]) != 0 || o->factor_levels[f] != d->factor_levels[f])
            return false;
    return true;
}

void oracle_train(oracle *o, const dataset *d, const oracle_opts *opts)
{
    CHECK(oracle_fits(o, d), "the oracle of %s does not fit the images or factors of %s", o->name, d->name);
    CHECK(d->n > 0 && opts->iterations > 0, "the oracle needs images and iterations to train");
    rng init = rng_make(opts->seed, RNG_INIT_D, 0);
    net_init_params(o->net, &(nn_init){0.02f}, &init);
    adam opt;
    adam_init(&opt, o->net->n_params, o->params, o->grads, opts->lr, 0.9f, 0.999f, 1e-8f);
    size_t img = (size_t)d->c * d->h * d->w;
    int nf = o->n_factors;
    float *x = xalloc_floats(ORACLE_BATCH * img);                   /* (B, C, H, W) */
    float *dlogits = xalloc_floats((size_t)ORACLE_BATCH * o->n_logits); /* (B, n_logits) */
    int *target = xmalloc((size_t)nf * ORACLE_BATCH * sizeof *target); /* (F, B) */
    double recent = 0.0;
    for (int it = 0; it < opts->iterations; it++) {
        rng r = rng_make(opts->seed, RNG_DATA, (uint64_t)it); /* batch it: images drawn with replacement */
        for (int b = 0; b < ORACLE_BATCH; b++) {
            int i = (int)rng_below(&r, (uint32_t)d->n);
            memcpy(x + b * img, d->images + i * img, img * sizeof(float));
            for (int f = 0; f < nf; f++) target[f * ORACLE_BATCH + b] = d->factor_index[(size_t)i * nf + f];
        }
        net_zero_grads(o->net);
        const float *logits = net_forward(o->net, x, ORACLE_BATCH); /* (B, n_logits) */
        double loss = 0.0;
        for (int f = 0; f < nf; f++)
            loss += loss_cat_ce(ORACLE_BATCH, o->factor_levels[f], logits + o->logit_offset[f], o->n_logits,
                                target + f * ORACLE_BATCH, dlogits + o->logit_offset[f], 1.0);
        net_backward(o->net, dlogits, true, false);
        adam_step(&opt);
        recent += loss;
        if (opts->progress && (it + 1) % 100 == 0) {
            fprintf(stderr, "oracle %s: iteration %d/%d, loss %.3f (sum over %d factors, mean of the last 100)\n",
                    o->name, it + 1, opts->iterations, recent / 100, nf);
            recent = 0.0;
        }
    }
    o->iterations = opts->iterations, o->n_train = d->n;
    adam_free(&opt);
    free(x), free(dlogits), free(target);
}

void oracle_predict(oracle *o, int n, const float *images, float *probs)
{
    size_t img = (size_t)o->c * o->h * o->w;
    for (int first = 0; first < n; first += ORACLE_BATCH) {
        int count = n - first < ORACLE_BATCH ? n - first : ORACLE_BATCH;
        const float *logits = net_forward(o->net, images + first * img, count); /* (count, n_logits) */
        for (int i = 0; i < count; i++)
            for (int f = 0; f < o->n_factors; f++) {
                const float *l = logits + (size_t)i * o->n_logits + o->logit_offset[f];
                float *p = probs + (size_t)(first + i) * o->n_logits + o->logit_offset[f];
                int k = o->factor_levels[f];
                float top = l[0], sum = 0.0f;
                for (int a = 1; a < k; a++) top = l[a] > top ? l[a] : top;
                for (int a = 0; a < k; a++) sum += p[a] = expf(l[a] - top);
                for (int a = 0; a < k; a++) p[a] /= sum;
            }
    }
}

/* The most probable level of factor f in a row of probs. */
static int top_level(const oracle *o, const float *row, int f)
{
    const float *p = row + o->logit_offset[f];
    int best = 0;
    for (int a = 1; a < o->factor_levels[f]; a++) best = p[a] > p[best] ? a : best;
    return best;
}

void oracle_accuracy(oracle *o, const dataset *d, double *acc)
{
    CHECK(oracle_fits(o, d), "the oracle of %s does not fit the images or factors of %s", o->name, d->name);
    float *probs = xalloc_floats((size_t)d->n * o->n_logits); /* (n, n_logits) */
    oracle_predict(o, d->n, d->images, probs);
    for (int f = 0; f < o->n_factors; f++) {
        int right = 0;
        for (int i = 0; i < d->n; i++)
            right += top_level(o, probs + (size_t)i * o->n_logits, f) == d->factor_index[(size_t)i * o->n_factors + f];
        acc[f] = o->accuracy[f] = d->n ? (double)right / d->n : (double)NAN;
    }
    o->n_heldout = d->n;
    free(probs);
}

/* ---- what it measures ---------------------------------------------------------------- */

/* Entropy (nats) of the histogram of factor f's most probable level over n rows. */
static double top_level_entropy(const oracle *o, int f, int n, const float *probs)
{
    long *counts = xcalloc((size_t)o->factor_levels[f], sizeof *counts);
    for (int i = 0; i < n; i++) counts[top_level(o, probs + (size_t)i * o->n_logits, f)]++;
    double h = n > 0 ? metrics_entropy(counts, o->factor_levels[f]) : 0.0;
    free(counts);
    return h;
}

void oracle_coverage(const oracle *o, int n_fake, const float *fake, int n_real, const float *real,
                     double *coverage)
{
    for (int f = 0; f < o->n_factors; f++) {
        double h_real = top_level_entropy(o, f, n_real, real);
        coverage[f] = h_real > 0 ? top_level_entropy(o, f, n_fake, fake) / h_real : (double)NAN;
    }
}

double oracle_traversal(const oracle *o, int f, int draws, int values, const float *probs)
{
    CHECK(f >= 0 && f < o->n_factors && draws > 0 && values > 0, "oracle_traversal: factor %d, %d draws, %d values",
          f, draws, values);
    int k = o->factor_levels[f];
    double *mean = xcalloc((size_t)k, sizeof *mean);                  /* (k) over every image */
    double *col = xcalloc((size_t)values * k, sizeof *col);           /* (values, k) over draws */
    for (int d = 0; d < draws; d++)
        for (int v = 0; v < values; v++) {
            const float *p = probs + ((size_t)d * values + v) * o->n_logits + o->logit_offset[f];
            for (int a = 0; a < k; a++) col[v * k + a] += (double)p[a] / draws;
        }
    for (int v = 0; v < values; v++)
        for (int a = 0; a < k; a++) mean[a] += col[v * k + a] / values;
    double total = 0.0, between = 0.0;
    for (int d = 0; d < draws; d++)
        for (int v = 0; v < values; v++) {
            const float *p = probs + ((size_t)d * values + v) * o->n_logits + o->logit_offset[f];
            for (int a = 0; a < k; a++) total += ((double)p[a] - mean[a]) * ((double)p[a] - mean[a]);
        }
    for (int v = 0; v < values; v++)
        for (int a = 0; a < k; a++) between += (col[v * k + a] - mean[a]) * (col[v * k + a] - mean[a]);
    total /= (double)draws * values, between /= values;
    free(mean), free(col);
    return total > 0 ? fmin(between / total, 1.0) : 0.0;
}

/* ---- file ------------------------------------------------------------------------------ */


void oracle_save(const oracle *o, const char *path)
{
    out_file of;
    sha_sink s = {.f = out_open(&of, path, "wb")};
    sha256_init(&s.sha);
    uint32_t version = ORACLE_VERSION;
    int32_t ints[9] = {o->c, o->h, o->w, o->n_factors, o->data_version, o->iterations, o->n_train, o->n_heldout, 0};
    uint64_t n_params = o->net->n_params;
    sha_put(&s, ORACLE_MAGIC, 8);
    sha_put(&s, &version, 4);
    sha_put(&s, o->name, sizeof o->name);
    sha_put(&s, ints, sizeof ints);
    sha_put(&s, &o->data_seed, 8);
    sha_put(&s, o->factor_names, sizeof o->factor_names);
    sha_put(&s, o->factor_levels, sizeof o->factor_levels);
    sha_put(&s, o->accuracy, sizeof o->accuracy);
    sha_put(&s, o->about, sizeof o->about);
    sha_put(&s, &n_params, 8);
    sha_put(&s, o->params, n_params * sizeof(float));
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&s.sha, sizeof digest, digest);
    fwrite(digest, 1, sizeof digest, s.f);
    out_commit(&of);
}

/* Reads n bytes at *at of buf (size) into p; false past the end. */
static bool take(const unsigned char *buf, size_t size, size_t *at, void *p, size_t n)
{
    if (size - *at < n) return false;
    memcpy(p, buf + *at, n);
    *at += n;
    return true;
}

/* Whether the shape, factors and counts read from a file make sense. */
static bool sane(const oracle *o)
{
    if (o->c < 1 || o->c > 4 || o->h < 8 || o->h > 1024 || o->w < 8 || o->w > 1024) return false;
    if (o->n_factors < 1 || o->n_factors > DATASET_MAX_FACTORS || o->iterations < 0 || o->n_train < 0 ||
        o->n_heldout < 0 || !memchr(o->name, 0, sizeof o->name) || !memchr(o->about, 0, sizeof o->about))
        return false;
    for (int f = 0; f < o->n_factors; f++)
        if (o->factor_levels[f] < 1 || o->factor_levels[f] > ORACLE_MAX_LEVELS ||
            !memchr(o->factor_names[f], 0, sizeof o->factor_names[f]))
            return false;
    return true;
}

oracle *oracle_load_try(const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return set_err(err, err_len, "cannot open oracle %s: %s", path, strerror(errno)), NULL;
    unsigned char *buf = NULL;
    oracle *o = NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char magic[8];
    uint32_t version = 0;
    size_t at = 0;
    if (size < 12 + SHA256_DIGEST_SIZE) {
        set_err(err, err_len, "oracle %s is truncated (%ld bytes)", path, size);
        goto done;
    }
    buf = xmalloc((size_t)size);
    rewind(f);
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        set_err(err, err_len, "cannot read oracle %s", path);
        goto done;
    }
    take(buf, (size_t)size, &at, magic, 8), take(buf, (size_t)size, &at, &version, 4);
    if (memcmp(magic, ORACLE_MAGIC, 8) != 0) {
        set_err(err, err_len, "%s is not an oracle file (bad magic)", path);
        goto done;
    }
    if (version != ORACLE_VERSION) {
        set_err(err, err_len, "oracle %s has version %u; this build reads version %u (train it again)", path,
                version, ORACLE_VERSION);
        goto done;
    }
    size_t body = (size_t)size - SHA256_DIGEST_SIZE;
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx sha;
    sha256_init(&sha);
    sha256_update(&sha, body, buf);
    sha256_digest(&sha, sizeof digest, digest);
    if (memcmp(digest, buf + body, sizeof digest) != 0) {
        set_err(err, err_len, "oracle %s is damaged or truncated (checksum mismatch)", path);
        goto done;
    }
    o = xcalloc(1, sizeof *o);
    int32_t ints[9];
    uint64_t n_params = 0;
    bool ok = take(buf, body, &at, o->name, sizeof o->name) && take(buf, body, &at, ints, sizeof ints) &&
              take(buf, body, &at, &o->data_seed, 8) && take(buf, body, &at, o->factor_names, sizeof o->factor_names) &&
              take(buf, body, &at, o->factor_levels, sizeof o->factor_levels) &&
              take(buf, body, &at, o->accuracy, sizeof o->accuracy) && take(buf, body, &at, o->about, sizeof o->about) &&
              take(buf, body, &at, &n_params, 8);
    o->c = ints[0], o->h = ints[1], o->w = ints[2], o->n_factors = ints[3], o->data_version = ints[4];
    o->iterations = ints[5], o->n_train = ints[6], o->n_heldout = ints[7];
    if (!ok || !sane(o)) {
        set_err(err, err_len, "oracle %s has a bad header (shape, factors or counts)", path);
        free(o), o = NULL;
        goto done;
    }
    oracle_build(o);
    if (n_params != o->net->n_params || body - at != n_params * sizeof(float)) {
        set_err(err, err_len, "oracle %s holds %llu parameters; its network has %zu", path,
                (unsigned long long)n_params, o->net->n_params);
        oracle_free(o), o = NULL;
        goto done;
    }
    take(buf, body, &at, o->params, n_params * sizeof(float));
done:
    free(buf);
    fclose(f);
    return o;
}
