/* fuzz_celeba_attr.c: the CelebA attribute list reader (list_attr_celeba.txt), for three
 * picked images of a fixed folder listing. */
#include "fuzz.h"
#include "data/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *names[4] = {"000001.jpg", "000002.jpg", "000003.jpg", "000004.jpg"};
    static const int pick[3] = {0, 1, 3};
    int index[3 * 16];
    float value[3 * 16];
    char path[64], err[512] = "";
    fuzz_file(0, data, size, path);
    if (!load_celeba_attributes_try(path, names, pick, 3, index, value, err, sizeof err)) {
        fuzz_expect_message(err, path);
        return 0;
    }
    for (int i = 0; i < 3 * 16; i++)
        if ((index[i] != 0 && index[i] != 1) || (value[i] != -1.0f && value[i] != 1.0f)) abort();
    return 0;
}
