/* fuzz_png.c: the PNG reader of the chairs and faces folders (libpng's simplified API with
 * the size guard), gray or RGB by the input's length, then the loaders' crop and resize. */
#include "fuzz.h"
#include "base/image.h"
#include "data/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[512] = "";
    fuzz_file(0, data, size, path);
    int c = size % 2 ? 3 : 1, h, w;
    float *img = image_read_png_try(path, c, &h, &w, err, sizeof err);
    if (!img) {
        fuzz_expect_message(err, path);
        return 0;
    }
    float out[3 * 32 * 32]; // (C,32,32)
    load_square_resize(img, c, h, w, 2.0f / 3.0f, out, 32);
    free(img);
    return 0;
}
