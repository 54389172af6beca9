/* load_svhn.c: SVHN cropped digits from MATLAB .mat files (libmatio). */
#include <matio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "data/load.h"
#include "base/util.h"

/* Label k of variable y as a double, whatever its numeric class. */
static double label_at(const matvar_t *y, size_t k)
{
    switch (y->class_type) {
    case MAT_C_DOUBLE: return ((const double *)y->data)[k];
    case MAT_C_SINGLE: return ((const float *)y->data)[k];
    case MAT_C_UINT8:  return ((const unsigned char *)y->data)[k];
    case MAT_C_INT8:   return ((const signed char *)y->data)[k];
    case MAT_C_UINT16: return ((const unsigned short *)y->data)[k];
    case MAT_C_INT16:  return ((const short *)y->data)[k];
    case MAT_C_UINT32: return ((const unsigned int *)y->data)[k];
    case MAT_C_INT32:  return ((const int *)y->data)[k];
    default: return -1.0;
    }
}

/* zlib expands a stream at most about 1032 times, so no variable holds more bytes than this
 * many times the file's size. */
#define ZLIB_MAX_RATIO 1032

/* MATLAB v5 data element types and array classes this loader accepts. */
enum { MI_INT32 = 5, MI_UINT32 = 6, MI_MATRIX = 14, MI_COMPRESSED = 15 };
enum { MX_DOUBLE = 6, MX_UINT64 = 15 };

static uint32_t u32_at(const unsigned char *b, bool swap)
{
    uint32_t v;
    memcpy(&v, b, 4);
    return swap ? __builtin_bswap32(v) : v;
}

/* body: the first len bytes of a matrix element (after its tag). Only numeric arrays of rank
 * 2..4 are accepted: libmatio sizes its allocations for cells, structs and high ranks from
 * the header alone. */
static bool mat_matrix_ok(const unsigned char *body, size_t len, bool swap)
{
    if (len < 24 || u32_at(body, swap) != MI_UINT32 || u32_at(body + 4, swap) != 8) return false;
    uint32_t cls = u32_at(body + 8, swap) & 0xff;
    if (cls < MX_DOUBLE || cls > MX_UINT64) return false;
    uint32_t dims_type = u32_at(body + 16, swap), dims_bytes = u32_at(body + 20, swap);
    return dims_type == MI_INT32 && dims_bytes >= 8 && dims_bytes <= 16 && dims_bytes % 4 == 0;
}

/* Walks the top-level variables of a v5 .mat file (inflating the head of compressed ones)
 * and accepts it only if every variable is a numeric array of rank 2..4 whose element fits
 * the file; v7.3 (HDF5) files are left to libmatio. */
static bool mat_file_plausible(const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "cannot open SVHN file %s", path);
        return false;
    }
    unsigned char head[128];
    bool ok = fread(head, 1, 128, f) == 128;
    bool swap = ok && head[126] == 'M' && head[127] == 'I';
    if (ok && !swap && !(head[126] == 'I' && head[127] == 'M')) ok = false;
    uint16_t version = ok ? (uint16_t)(swap ? head[124] << 8 | head[125] : head[125] << 8 | head[124]) : 0;
    if (ok && version == 0x0200) {
        fclose(f);
        return true;
    }
    ok = ok && version == 0x0100 && fseek(f, 0, SEEK_END) == 0;
    long size = ok ? ftell(f) : 0;
    long pos = 128;
    int vars = 0;
    while (ok && pos < size) {
        unsigned char tag[8], body[64];
        ok = fseek(f, pos, SEEK_SET) == 0 && fread(tag, 1, 8, f) == 8;
        uint32_t type = ok ? u32_at(tag, swap) : 0, nbytes = ok ? u32_at(tag + 4, swap) : 0;
        ok = ok && (type == MI_MATRIX || type == MI_COMPRESSED) && nbytes <= size - pos - 8;
        if (!ok) break;
        size_t got = fread(body, 1, nbytes < sizeof body ? nbytes : sizeof body, f);
        if (type == MI_COMPRESSED) {
            unsigned char inner[64];
            z_stream z;
            memset(&z, 0, sizeof z);
            ok = inflateInit(&z) == Z_OK;
            if (!ok) break;
            z.next_in = body, z.avail_in = (uInt)got;
            z.next_out = inner, z.avail_out = sizeof inner;
            int rc = inflate(&z, Z_SYNC_FLUSH);
            size_t out = sizeof inner - z.avail_out;
            inflateEnd(&z);
            ok = (rc == Z_OK || rc == Z_STREAM_END) && out >= 32 && u32_at(inner, swap) == MI_MATRIX &&
                 mat_matrix_ok(inner + 8, out - 8, swap);
        } else {
            ok = mat_matrix_ok(body, got, swap);
        }
        pos += 8 + (long)nbytes;
        if (type == MI_MATRIX) pos = (pos + 7) / 8 * 8;
        vars++;
    }
    fclose(f);
    if (!ok || vars == 0) {
        snprintf(err, err_size, "SVHN file %s is not a MATLAB v5 file of numeric arrays (truncated, "
                 "corrupt or not an SVHN file)", path);
        return false;
    }
    return true;
}

/* Checks X's and y's headers (shape, class, size against the file's) before matio
 * allocates their data; false and a sentence naming the file if they cannot be SVHN's. */
static bool svhn_header_fits(mat_t *mat, const char *mat_path, char *err, size_t err_size)
{
    struct stat st;
    if (stat(mat_path, &st) != 0) {
        snprintf(err, err_size, "cannot stat SVHN file %s", mat_path);
        return false;
    }
    size_t limit = (size_t)st.st_size * ZLIB_MAX_RATIO;
    matvar_t *x = Mat_VarReadInfo(mat, "X"), *y = Mat_VarReadInfo(mat, "y");
    bool ok = false;
    if (!x || !y) {
        snprintf(err, err_size, "SVHN file %s: cannot read variable %s (truncated or not an SVHN file?)",
                 mat_path, !x ? "X" : "y");
        goto done;
    }
    if (x->rank != 4 || x->dims[0] != 32 || x->dims[1] != 32 || x->dims[2] != 3 ||
        x->class_type != MAT_C_UINT8 || x->isComplex || x->dims[3] == 0) {
        snprintf(err, err_size, "SVHN file %s: X must be a 32x32x3xN uint8 array (found rank %d, class %d)",
                 mat_path, x->rank, (int)x->class_type);
        goto done;
    }
    size_t ny = 1;
    for (int k = 0; k < y->rank && ny <= limit; k++) ny *= y->dims[k];
    if (y->rank != 2 || y->isComplex || ny != x->dims[3]) {
        snprintf(err, err_size, "SVHN file %s: y must be an Nx1 array of the %zu labels of X",
                 mat_path, x->dims[3]);
        goto done;
    }
    if (x->dims[3] > limit / 3072 || ny > limit / 8) {
        snprintf(err, err_size, "SVHN file %s: its header claims %zu images, more than its %lld "
                 "bytes can hold (truncated or corrupt)", mat_path, x->dims[3], (long long)st.st_size);
        goto done;
    }
    ok = true;
done:
    Mat_VarFree(x);
    Mat_VarFree(y);
    return ok;
}

dataset *load_svhn_try(const char *mat_path, int n, char *err, size_t err_size)
{
    if (!mat_file_plausible(mat_path, err, err_size)) return NULL;
    mat_t *mat = Mat_Open(mat_path, MAT_ACC_RDONLY);
    if (!mat) {
        snprintf(err, err_size, "cannot open SVHN file %s as a MATLAB .mat file (missing, corrupt or not v5/v7.3)", mat_path);
        return NULL;
    }
    dataset *d = NULL;
    matvar_t *x = NULL, *y = NULL;
    if (!svhn_header_fits(mat, mat_path, err, err_size)) goto done;
    x = Mat_VarRead(mat, "X"), y = Mat_VarRead(mat, "y");
    if (!x || !y) {
        snprintf(err, err_size, "SVHN file %s: cannot read variable %s (truncated or not an SVHN file?)",
                 mat_path, !x ? "X" : "y");
        goto done;
    }
    if (x->rank != 4 || x->dims[0] != 32 || x->dims[1] != 32 || x->dims[2] != 3 ||
        x->class_type != MAT_C_UINT8 || !x->data) {
        snprintf(err, err_size, "SVHN file %s: X must be a 32x32x3xN uint8 array (found rank %d, class %d)",
                 mat_path, x->rank, (int)x->class_type);
        goto done;
    }
    size_t total = x->rank == 4 ? x->dims[3] : 0, ny = 1;
    for (int k = 0; k < y->rank; k++) ny *= y->dims[k];
    if (total == 0 || ny != total || !y->data) {
        snprintf(err, err_size, "SVHN file %s: X holds %zu images but y holds %zu labels", mat_path, total, ny);
        goto done;
    }
    if (total > 0x7fffffff) {
        snprintf(err, err_size, "SVHN file %s: too many images (%zu)", mat_path, total);
        goto done;
    }
    int kept;
    int *pick = load_pick((int)total, n, &kept);
    for (int i = 0; i < kept; i++) {
        double label = label_at(y, (size_t)pick[i]);
        if (!(label >= 1.0 && label <= 10.0) || label != (double)(int)label) {
            snprintf(err, err_size, "SVHN file %s: label %zu is %g (must be an integer 1..10)",
                     mat_path, (size_t)pick[i] + 1, label);
            free(pick);
            goto done;
        }
    }
    d = dataset_alloc("svhn", kept, 3, 32, 32, 1);
    snprintf(d->factor_names[0], sizeof d->factor_names[0], "digit");
    d->factor_levels[0] = 10;
    const unsigned char *px = x->data; // X (32 rows, 32 cols, 3, N), column-major
    for (int i = 0; i < kept; i++) {
        size_t src = (size_t)pick[i] * 3072;
        float *img = d->images + (size_t)i * 3072; // (3,32,32)
        for (int c = 0; c < 3; c++)
            for (int row = 0; row < 32; row++)
                for (int col = 0; col < 32; col++)
                    img[(c * 32 + row) * 32 + col] = px[src + (size_t)c * 1024 + (size_t)col * 32 + row] / 255.0f;
        int digit = (int)label_at(y, (size_t)pick[i]) % 10;
        d->factor_index[i] = digit;
        d->factor_value[i] = (float)digit;
    }
    free(pick);
done:
    Mat_VarFree(x);
    Mat_VarFree(y);
    Mat_Close(mat);
    return d;
}

dataset *load_svhn(const char *mat_path, int n)
{
    char err[512];
    dataset *d = load_svhn_try(mat_path, n, err, sizeof err);
    if (!d) die("%s", err);
    return d;
}
