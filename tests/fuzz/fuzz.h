/* fuzz.h: shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.c, built by make fuzz).
 * The parsers read files by path, so each input is written to a memory file and handed to
 * them as /proc/self/fd/N. A rejected input must come back with a sentence naming the
 * file or flag; an empty or anonymous message is a finding (abort). */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A memory file holding exactly data (size bytes); its path goes to path (64 bytes). The
 * descriptor is kept and reused, one per slot. */
static inline void fuzz_file(int slot, const uint8_t *data, size_t size, char *path)
{
    static int fds[4] = {-1, -1, -1, -1};
    if (fds[slot] < 0) {
        fds[slot] = memfd_create("fuzz", 0);
        if (fds[slot] < 0) abort();
    }
    if (ftruncate(fds[slot], 0) != 0) abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = pwrite(fds[slot], data + done, size - done, (off_t)done);
        if (n <= 0) abort();
        done += (size_t)n;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fds[slot]);
}

/* A rejection must say what is wrong and name `what` (the file's path or the flag). */
static inline void fuzz_expect_message(const char *err, const char *what)
{
    if (!err[0] || !strstr(err, what)) {
        fprintf(stderr, "rejected without a message naming %s: '%s'\n", what, err);
        abort();
    }
}

#endif
