/* fuzz_checkpoint.c: the checkpoint reader, into a toy model. Byte 0 odd: the rest gets its
 * correct FNV-1a checksum appended, so mutations get past the checksum to the header
 * checks; even: the rest is the file as is. */
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
    uint8_t *file = malloc(size + 8);
    size_t len = size - 1;
    memcpy(file, data + 1, len);
    if (data[0] & 1) {
        uint64_t h = 0xcbf29ce484222325ull;
        for (size_t i = 0; i < len; i++) h = (h ^ file[i]) * 0x100000001b3ull;
        memcpy(file + len, &h, 8);
        len += 8;
    }
    char path[64], err[2048] = "";
    fuzz_file(0, file, len, path);
    free(file);
    if (!checkpoint_read(m, path, err, sizeof err)) fuzz_expect_message(err, path);
    return 0;
}
