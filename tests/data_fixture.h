/* data_fixture.h: temp folders for the data tests (created per test, removed after). */
#ifndef DATA_FIXTURE_H
#define DATA_FIXTURE_H

#include <ftw.h>
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

static inline void data_rmdir(const char *dir)
{
    nftw(dir, data_fixture_rm, 16, FTW_DEPTH | FTW_PHYS);
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

#endif
