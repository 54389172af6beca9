/* fuzz_idx_gz.c: the IDX reader through zlib's gzip path on well-formed gzip streams: the
 * input is split like fuzz_idx's (byte 0 = label file length) and each part is gzipped
 * here, so mutations reach the IDX parser behind the decompressor. */
#include <zlib.h>

#include "fuzz.h"
#include "data/mnist.h"

/* gzip of data into out (capacity cap); returns the length. */
static size_t gzip_bytes(const uint8_t *data, size_t size, uint8_t *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 16 + 9, 1, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    z.next_in = (Bytef *)data, z.avail_in = (uInt)size;
    z.next_out = out, z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
    size_t len = z.total_out;
    deflateEnd(&z);
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1 << 20)) return 0;
    size_t n_labels = data[0];
    if (n_labels > size - 1) return 0;
    size_t cap = size + 1024;
    uint8_t *gz = malloc(cap);
    char images[64], labels[64], err[512] = "";
    size_t len = gzip_bytes(data + 1, size - 1 - n_labels, gz, cap);
    fuzz_file(0, gz, len, images);
    len = gzip_bytes(data + size - n_labels, n_labels, gz, cap);
    fuzz_file(1, gz, len, labels);
    free(gz);
    dataset *d = mnist_load_idx_try(images, labels, "fuzz", err, sizeof err);
    if (!d) {
        fuzz_expect_message(err, "/proc/self/fd/");
        return 0;
    }
    dataset_free(d);
    return 0;
}
