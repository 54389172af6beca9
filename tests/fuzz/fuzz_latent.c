/* fuzz_latent.c: the --latent spec parser, then the sizes a model derives from it. */
#include "fuzz.h"
#include "model/latent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[512];
    if (size >= sizeof text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    latent_spec s;
    char err[512] = "";
    if (!latent_parse_try(&s, text, "--latent", err, sizeof err)) {
        fuzz_expect_message(err, "--latent");
        return 0;
    }
    if (s.in_dim < 1 || s.in_dim > 4096 || latent_q_dim(&s, true) > 4096 * 2) abort();
    for (int i = 0; i < s.n_codes; i++) {
        const latent_code *c = &s.codes[i];
        if (c->in_offset < 0 || c->in_offset + c->k > s.in_dim) abort();
    }
    return 0;
}
