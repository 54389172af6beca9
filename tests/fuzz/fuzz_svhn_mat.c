/* fuzz_svhn_mat.c: the SVHN loader on MATLAB v4/v5 .mat bytes (libmatio). v7.3 files are
 * HDF5 containers, a library of its own, and are skipped. */
#include <matio.h>

#include "fuzz.h"
#include "data/load.h"

static void quiet(int level, char *message) { (void)level, (void)message; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) Mat_LogInitFunc("fuzz", quiet), init = 1;
    /* v7.3: version 0x0200 at byte 124 (either byte order). */
    if (size >= 128 && ((data[124] == 2 && data[125] == 0) || (data[124] == 0 && data[125] == 2)))
        return 0;
    char path[64], err[512] = "";
    fuzz_file(0, data, size, path);
    dataset *d = load_svhn_try(path, 0, err, sizeof err);
    if (!d) {
        fuzz_expect_message(err, path);
        return 0;
    }
    dataset_free(d);
    return 0;
}
