/* load_svhn.c: SVHN cropped digits from MATLAB .mat files (libmatio). */
#include <matio.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "load.h"
#include "util.h"

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
