/* checkpoint.c: atomic save (base/fs.h) and checked load of training state. */
#include "model/checkpoint.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "base/fs.h"
#include "base/sha_sink.h"
#include "base/util.h"

#define CKPT_MAGIC "IGANCKPT"
#define CKPT_VERSION 2u            /* 1: FNV-1a trailer, still read */
#define CKPT_MAX_ITERATIONS (1 << 30) /* the trainer's --iterations bound */

/* Version 1's checksum, kept to read old files. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}
#define FNV_START 0xcbf29ce484222325ull


void checkpoint_save(const infogan *m, const char *path)
{
    out_file o;
    sha_sink s = {.f = out_open(&o, path, "wb")};
    sha256_init(&s.sha);
    char cfg[1024];
    infogan_config_describe(&m->cfg, cfg, sizeof cfg);
    uint32_t version = CKPT_VERSION, cfg_len = (uint32_t)strlen(cfg);
    int32_t ints[5] = {m->iteration, m->data_epoch, m->data_cursor, m->opt_g.t, m->opt_d.t};
    uint64_t counts[2] = {m->n_g_params, m->n_d_params};
    sha_put(&s, CKPT_MAGIC, 8);
    sha_put(&s, &version, 4);
    sha_put(&s, &cfg_len, 4);
    sha_put(&s, cfg, cfg_len);
    sha_put(&s, ints, sizeof ints);
    sha_put(&s, counts, sizeof counts);
    const float *blocks[6] = {m->g_params, m->opt_g.m, m->opt_g.v, m->d_params, m->opt_d.m, m->opt_d.v};
    for (int i = 0; i < 6; i++) sha_put(&s, blocks[i], (i < 3 ? m->n_g_params : m->n_d_params) * sizeof(float));
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&s.sha, sizeof digest, digest);
    fwrite(digest, 1, sizeof digest, s.f);
    out_commit(&o); /* fflush, fsync, rename, fsync of the folder */
    char time_path[1024];
    snprintf(time_path, sizeof time_path, "%s.time", path);
    if (m->train_seconds < 0) {
        CHECK(unlink(time_path) == 0 || errno == ENOENT, "cannot remove %s: %s", time_path, strerror(errno));
        return;
    }
    FILE *f = out_open(&o, time_path, "w");
    fprintf(f, "iteration %d train_s %.3f\n", m->iteration, m->train_seconds);
    out_commit(&o);
}

/* PATH.time's training seconds if it names this iteration; -1 if it is missing or other. */
static double read_train_seconds(const char *path, int iteration)
{
    char time_path[1024];
    snprintf(time_path, sizeof time_path, "%s.time", path);
    FILE *f = fopen(time_path, "r");
    if (!f) return -1.0;
    int it;
    double s;
    bool ok = fscanf(f, "iteration %d train_s %lf", &it, &s) == 2 && it == iteration && s >= 0 && isfinite(s);
    fclose(f);
    return ok ? s : -1.0;
}

static bool get(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n;
}

/* First pass: the checksum over the whole file (SHA-256, or FNV-1a for version 1), without
 * touching the model. */
static bool verify_checksum(FILE *f, uint32_t version, const char *path, char *err, size_t errlen)
{
    size_t trailer = version == 1 ? 8 : SHA256_DIGEST_SIZE;
    if (fseek(f, 0, SEEK_END) != 0) return snprintf(err, errlen, "cannot seek in checkpoint %s", path), false;
    long size = ftell(f);
    if (size < (long)(8 + 4 + 4 + trailer)) {
        snprintf(err, errlen, "checkpoint %s is truncated (%ld bytes)", path, size);
        return false;
    }
    rewind(f);
    uint64_t h = FNV_START;
    struct sha256_ctx sha;
    sha256_init(&sha);
    unsigned char buf[1 << 16];
    long left = size - (long)trailer;
    while (left > 0) {
        size_t n = (size_t)(left < (long)sizeof buf ? left : (long)sizeof buf);
        if (fread(buf, 1, n, f) != n) return snprintf(err, errlen, "cannot read checkpoint %s", path), false;
        if (version == 1) h = fnv1a(h, buf, n);
        else sha256_update(&sha, n, buf);
        left -= (long)n;
    }
    uint8_t want[SHA256_DIGEST_SIZE], stored[SHA256_DIGEST_SIZE];
    if (version == 1) memcpy(want, &h, 8);
    else sha256_digest(&sha, sizeof want, want);
    if (fread(stored, 1, trailer, f) != trailer || memcmp(stored, want, trailer) != 0) {
        snprintf(err, errlen, "checkpoint %s is corrupt or truncated (checksum mismatch)", path);
        return false;
    }
    rewind(f);
    return true;
}

bool checkpoint_read(infogan *m, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open checkpoint %s: %s", path, strerror(errno));
        return false;
    }
    char magic[8], cfg[1024], mine[1024];
    uint32_t version, cfg_len;
    int32_t ints[5];
    uint64_t counts[2];
    bool ok = false;
    float *blocks = NULL;
    if (!get(f, magic, 8) || memcmp(magic, CKPT_MAGIC, 8) != 0) {
        snprintf(err, errlen, "%s is not an InfoGAN checkpoint (bad magic)", path);
        goto done;
    }
    if (!get(f, &version, 4)) {
        snprintf(err, errlen, "checkpoint %s is truncated (%s)", path, "it ends inside the header");
        goto done;
    }
    if (version != 1 && version != CKPT_VERSION) {
        snprintf(err, errlen, "checkpoint %s has version %u; this build reads versions 1 and %u", path,
                 version, CKPT_VERSION);
        goto done;
    }
    if (!verify_checksum(f, version, path, err, errlen)) goto done;
    get(f, magic, 8), get(f, &version, 4);
    if (!get(f, &cfg_len, 4) || cfg_len >= sizeof cfg || !get(f, cfg, cfg_len)) {
        snprintf(err, errlen, "checkpoint %s has a bad config record", path);
        goto done;
    }
    cfg[cfg_len] = 0;
    infogan_config_describe(&m->cfg, mine, sizeof mine);
    if (strcmp(cfg, mine) != 0) {
        snprintf(err, errlen, "checkpoint %s was written with other settings (%s), not (%s)", path,
                 cfg, mine);
        goto done;
    }
    if (!get(f, ints, sizeof ints) || !get(f, counts, sizeof counts) ||
        counts[0] != m->n_g_params || counts[1] != m->n_d_params) {
        snprintf(err, errlen, "checkpoint %s has parameter counts that do not fit this model", path);
        goto done;
    }
    /* One D/Q and g_steps G Adam steps per iteration; at most one new epoch per iteration. */
    if (ints[0] < 0 || ints[0] >= CKPT_MAX_ITERATIONS || ints[1] < 0 || ints[1] > ints[0] + 1 ||
        ints[2] < 0 || ints[2] % m->cfg.batch != 0 || (int64_t)ints[3] != (int64_t)ints[0] * m->cfg.g_steps ||
        ints[4] != ints[0]) {
        snprintf(err, errlen, "checkpoint %s has negative or inconsistent counters (iteration %d, epoch %d, "
                 "data position %d, Adam steps %d and %d): it is damaged or was not written by this program",
                 path, ints[0], ints[1], ints[2], ints[3], ints[4]);
        goto done;
    }
    size_t total = 3 * (m->n_g_params + m->n_d_params);
    blocks = xalloc_floats(total);
    if (!get(f, blocks, total * sizeof(float))) {
        snprintf(err, errlen, "checkpoint %s is truncated", path);
        goto done;
    }
    float *dst[6] = {m->g_params, m->opt_g.m, m->opt_g.v, m->d_params, m->opt_d.m, m->opt_d.v};
    const float *src = blocks;
    for (int i = 0; i < 6; i++) {
        size_t n = i < 3 ? m->n_g_params : m->n_d_params;
        memcpy(dst[i], src, n * sizeof(float));
        src += n;
    }
    infogan_weights_changed(m);
    m->iteration = ints[0], m->data_epoch = ints[1], m->data_cursor = ints[2];
    m->opt_g.t = ints[3], m->opt_d.t = ints[4];
    m->train_seconds = read_train_seconds(path, m->iteration);
    ok = true;
done:
    free(blocks);
    fclose(f);
    return ok;
}

void checkpoint_load(infogan *m, const char *path)
{
    char err[2048];
    if (!checkpoint_read(m, path, err, sizeof err)) die("%s", err);
}
