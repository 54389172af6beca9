/* sha_sink.h: a file written and hashed (SHA-256, nettle) in one pass, for the checksum
 * trailers of checkpoints and oracle files. */
#ifndef BASE_SHA_SINK_H
#define BASE_SHA_SINK_H

#include <nettle/sha2.h>
#include <stdio.h>

typedef struct sha_sink { FILE *f; struct sha256_ctx sha; } sha_sink;

static inline void sha_put(sha_sink *s, const void *p, size_t n)
{
    sha256_update(&s->sha, n, p);
    fwrite(p, 1, n, s->f); /* a short write sets the error flag out_commit checks */
}

#endif
