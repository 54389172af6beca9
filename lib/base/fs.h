/* fs.h: output folders, path joins and atomic file output.
 *
 * Every result, log, checkpoint and image is written as <path>.tmp<pid> in its own folder,
 * flushed, fsynced and renamed over <path>, so a reader sees the old file or the new one,
 * never half of one. A temp file still pending when the process exits (die(), a failed
 * write, SIGINT or SIGTERM) is removed. */
#ifndef BASE_FS_H
#define BASE_FS_H

#include <stdio.h>

/* Refuses an empty output folder or the root ("", "/", "//"), naming `what` (a flag such
 * as "--run-dir"): joining "%s/%s" would write into /. */
void path_check_output_dir(const char *what, const char *dir);
/* path_check_output_dir, then creates dir if it is missing (not its parents). */
void path_make_output_dir(const char *what, const char *dir);
/* out = dir/name; dies when it does not fit in len bytes. */
void path_join(char *out, size_t len, const char *dir, const char *name);

typedef struct out_file {
    FILE *f;
    char *path, *tmp;
} out_file;

/* Opens path's temp file (mode "w" or "wb"); dies naming path when it cannot. */
FILE *out_open(out_file *o, const char *path, const char *mode);
/* The same; returns NULL with the reason in err instead. */
FILE *out_open_try(out_file *o, const char *path, const char *mode, char *err, size_t err_len);
/* Flushes, fsyncs and renames the temp file over path; dies naming path on any failure
 * (disk full, folder gone), after removing the temp file. */
void out_commit(out_file *o);
/* The same; returns -1 with the reason in err instead. */
int out_commit_try(out_file *o, char *err, size_t err_len);
/* Closes and removes the temp file (path is left as it was). */
void out_abort(out_file *o);

#endif
