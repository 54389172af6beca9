/* fuzz_idx.c: the IDX image + label pair reader on raw bytes (plain, or gzip streams when an
 * input starts with the gzip magic). Input: byte 0 = n, the last n bytes are the label
 * file, the bytes between are the image file. */
#include "fuzz.h"
#include "data/mnist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t n_labels = data[0];
    if (n_labels > size - 1) return 0;
    char images[64], labels[64], err[512] = "";
    fuzz_file(0, data + 1, size - 1 - n_labels, images);
    fuzz_file(1, data + size - n_labels, n_labels, labels);
    dataset *d = mnist_load_idx_try(images, labels, "fuzz", err, sizeof err);
    if (!d) {
        fuzz_expect_message(err, "/proc/self/fd/");
        return 0;
    }
    if (d->n < 1 || d->h < 1 || d->w < 1) abort();
    dataset_free(d);
    return 0;
}
