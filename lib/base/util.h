/* util.h: error checks that name the place, and allocation that never returns NULL. */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>

/* Prints "error: <message>" (and file:line in the log) and exits with status 1. */
_Noreturn void die_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define die(...) die_at(__FILE__, __LINE__, __VA_ARGS__)
/* CHECK(cond, "what is wrong and a hint", args...): dies when cond is false. */
#define CHECK(cond, ...) do { if (!(cond)) die_at(__FILE__, __LINE__, __VA_ARGS__); } while (0)
/* fn runs after die's message instead of exit(1) (an MPI job aborts every rank); it must
 * not return. */
void util_on_die(void (*fn)(void));

/* Writes the message into err (err_len bytes), for the _try functions that return errors. */
void set_err(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* fsyncs the folder holding path, so a rename into it survives a crash; 0 or -1 (errno). */
int fsync_dir_of(const char *path);

void *xmalloc(size_t bytes);
void *xcalloc(size_t count, size_t size);
/* 64-byte aligned, for SIMD buffers; free with free(). */
float *xalloc_floats(size_t count);

#endif
