/* count_allocs.c: an LD_PRELOAD library that counts malloc, calloc and realloc calls and
 * prints "allocs: N" on stderr at exit, for tests/allocs.sh (a training step must not
 * allocate). Grow-only aligned buffers (GEMM panels, conv scratch) are not counted. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static atomic_long calls;
static void *(*real_malloc)(size_t), *(*real_calloc)(size_t, size_t), *(*real_realloc)(void *, size_t);
/* dlsym may calloc before real_calloc is known: those first bytes come from here. */
static char bootstrap[4096];
static size_t bootstrap_used;

void *malloc(size_t n)
{
    if (!real_malloc) real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    calls++;
    return real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    static _Thread_local int resolving;
    if (!real_calloc) {
        if (resolving) {
            size_t bytes = (n * size + 15) / 16 * 16;
            if (bootstrap_used + bytes > sizeof bootstrap) return NULL;
            void *p = bootstrap + bootstrap_used;
            bootstrap_used += bytes;
            return memset(p, 0, bytes);
        }
        resolving = 1;
        real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
        resolving = 0;
    }
    calls++;
    return real_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    if (!real_realloc) real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    calls++;
    return real_realloc(p, n);
}

void free(void *p)
{
    static void (*real_free)(void *);
    if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap) return;
    if (!real_free) real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_free(p);
}

__attribute__((destructor)) static void report(void)
{
    fprintf(stderr, "allocs: %ld\n", (long)calls);
}
