/* fuzz_checkpoint.c: the checkpoint reader, into a toy model. Byte 0 is the mode, the rest
 * the file. Mode bit 1: the file is padded with zeros to the toy model's full checkpoint
 * size (about 200 KB, beyond libFuzzer's input lengths), so a mutated header still leads
 * into the counters and the tensors. Mode bit 0: the correct SHA-256 is appended (a
 * version-2 trailer), so mutations get past the checksum. Seeds: the start of a real toy
 * checkpoint (tests/fuzz/make_corpus.c). */
#include <nettle/sha2.h>

#include "model/checkpoint.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static infogan *m;
    if (!m) {
        infogan_config c;
        infogan_config_default(&c);
        snprintf(c.arch, sizeof c.arch, "toy");
        latent_parse(&c.latent, "noise:8,cat:10,cont:1", "--latent");
        c.batch = 32;
        m = infogan_create(&c);
    }
    if (size < 1) return 0;
    char cfg[1024];
    infogan_config_describe(&m->cfg, cfg, sizeof cfg);
    size_t full = 8 + 4 + 4 + strlen(cfg) + 5 * 4 + 2 * 8 + 3 * (m->n_g_params + m->n_d_params) * sizeof(float);
    size_t len = size - 1, body = (data[0] & 2) && len < full ? full : len;
    uint8_t *file = calloc(body + SHA256_DIGEST_SIZE, 1);
    memcpy(file, data + 1, len);
    len = body;
    if (data[0] & 1) {
        struct sha256_ctx c;
        sha256_init(&c);
        sha256_update(&c, len, file);
        sha256_digest(&c, SHA256_DIGEST_SIZE, file + len);
        len += SHA256_DIGEST_SIZE;
    }
    char path[64], err[2048] = "";
    fuzz_file(0, file, len, path);
    free(file);
    if (!checkpoint_read(m, path, err, sizeof err)) fuzz_expect_message(err, path);
    return 0;
}
