/* data_fixture.h: temp folders for the data tests (created per test, removed after) and
 * small SVHN .mat files. */
#ifndef DATA_FIXTURE_H
#define DATA_FIXTURE_H

#include <ftw.h>
#include <matio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int data_fixture_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Makes a new empty folder /tmp/infogan_data_XXXXXX into dir (size >= 64). */
static inline void data_tmpdir(char *dir)
{
    strcpy(dir, "/tmp/infogan_data_XXXXXX");
    if (!mkdtemp(dir)) abort();
}

/* data_tmpdir, and path (path_size) = dir/name for a file the test writes there. */
static inline void data_tmpfile(char *dir, char *path, size_t path_size, const char *name)
{
    data_tmpdir(dir);
    snprintf(path, path_size, "%s/%s", dir, name);
}

static inline void data_rmdir(const char *dir)
{
    nftw(dir, data_fixture_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static char data_fixture_dir[64]; /* the test's folder removed at exit (also after die()) */

static void data_fixture_rm_dir(void)
{
    if (data_fixture_dir[0]) data_rmdir(data_fixture_dir);
}

/* data_tmpdir whose folder is removed when the test's process exits (one per test). */
static inline void data_tmpdir_removed_at_exit(char *dir)
{
    if (data_fixture_dir[0]) abort();
    data_tmpdir(dir);
    strcpy(data_fixture_dir, dir);
    atexit(data_fixture_rm_dir);
}

/* Cuts the file at path to keep bytes (truncation fixtures). */
static inline void data_truncate(const char *path, long keep)
{
    if (truncate(path, keep) != 0) abort();
}

static inline long data_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Writes X (rows x cols x 3 x n, MATLAB order, pixel = (row + 2 col + 5 ch + 7 i) mod 256)
 * and y (labels) to path. */
static inline void data_write_svhn(const char *path, int rows, int cols, int n, const double *labels, int with_y)
{
    mat_t *mat = Mat_CreateVer(path, NULL, MAT_FT_MAT5);
    if (!mat) abort();
    size_t count = (size_t)rows * cols * 3 * n;
    unsigned char *x = malloc(count);
    if (!x) abort();
    for (int i = 0; i < n; i++)
        for (int ch = 0; ch < 3; ch++)
            for (int col = 0; col < cols; col++)
                for (int row = 0; row < rows; row++)
                    x[row + (size_t)rows * (col + (size_t)cols * (ch + 3 * (size_t)i))] =
                        (unsigned char)((row + 2 * col + 5 * ch + 7 * i) % 256);
    size_t xd[4] = {(size_t)rows, (size_t)cols, 3, (size_t)n}, yd[2] = {(size_t)n, 1};
    matvar_t *vx = Mat_VarCreate("X", MAT_C_UINT8, MAT_T_UINT8, 4, xd, x, 0);
    Mat_VarWrite(mat, vx, MAT_COMPRESSION_NONE);
    Mat_VarFree(vx);
    if (with_y) {
        matvar_t *vy = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, yd, (void *)labels, 0);
        Mat_VarWrite(mat, vy, MAT_COMPRESSION_NONE);
        Mat_VarFree(vy);
    }
    Mat_Close(mat);
    free(x);
}

#endif
