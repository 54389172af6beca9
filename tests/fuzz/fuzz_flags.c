/* fuzz_flags.c: the model flag parser (infogan_config_flag_try) on an argv made of the
 * input's NUL- or newline-separated words. */
#include "fuzz.h"
#include "model/infogan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static infogan_config defaults;
    static int init;
    if (!init) infogan_config_default(&defaults), init = 1;
    if (size > 1024) return 0;
    char buf[1025], *argv[64];
    memcpy(buf, data, size);
    buf[size] = 0;
    int argc = 0;
    for (size_t i = 0, start = 0; i <= size && argc < 64; i++)
        if (buf[i] == 0 || buf[i] == '\n') {
            buf[i] = 0;
            argv[argc++] = buf + start;
            start = i + 1;
        }
    infogan_config c = defaults;
    char err[512] = "";
    for (int i = 0; i < argc;) {
        int used = infogan_config_flag_try(&c, argc, argv, i, err, sizeof err);
        if (used < 0) {
            fuzz_expect_message(err, argv[i][0] ? argv[i] : "needs a value");
            return 0;
        }
        i += used ? used : 1;
    }
    if (c.batch < 2 || c.batch > 4096 || c.latent.in_dim < 1 || c.latent.in_dim > 4096) abort();
    char line[1024];
    infogan_config_describe(&c, line, sizeof line);
    return 0;
}
