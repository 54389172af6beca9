/* fuzz_jpeg.c: the CelebA JPEG decode path (libjpeg with the loader's error handling and
 * size guard), then the crop and resize the loader applies. */
#include "fuzz.h"
#include "data/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[512] = "";
    fuzz_file(0, data, size, path);
    int h, w;
    float *img = load_read_jpeg_try(path, &h, &w, err, sizeof err);
    if (!img) {
        fuzz_expect_message(err, path);
        return 0;
    }
    float out[3 * 32 * 32]; // (3,32,32)
    load_square_resize(img, 3, h, w, 108.0f / 178.0f, out, 32);
    free(img);
    return 0;
}
