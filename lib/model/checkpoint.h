/* checkpoint.h: versioned binary checkpoints of a whole training state.
 *
 * Layout (little-endian, version 2): magic "IGANCKPT", u32 version, u32 config length,
 * the config line (infogan_config_describe), i32 iteration, data epoch, data cursor, Adam
 * steps of G and D, u64 G and D parameter counts, then G's parameters, Adam m, v and D's
 * parameters, m, v (f32), and last the SHA-256 (nettle) of every byte before it. Version 1
 * files (the same, closed by a u64 FNV-1a checksum) still load. Every counter is checked
 * against the others and the model before the state is touched.
 * Written through base/fs.h (PATH.tmp<pid>, fsynced, renamed), so a crash never leaves a
 * half-written PATH.
 * Beside it, PATH.time holds the training time so far ("iteration N train_s S"): a clock is no
 * part of the state, and runs of the same bits keep byte-identical checkpoints. */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/infogan.h"

/* Writes m's state to path and m->train_seconds to PATH.time (each atomically; PATH.time is
 * removed when the time is unknown); dies naming the file on an I/O error. */
void checkpoint_save(const infogan *m, const char *path);
/* Reads path into m, which must have been created with the same config (the seed may not
 * differ either). Returns false with a sentence naming the file in err on any problem (no
 * file, bad magic/version, other config, truncated, checksum mismatch); m is unchanged then.
 * m->train_seconds is PATH.time's when that file is there, well formed and of the same
 * iteration, else -1 (unknown). */
bool checkpoint_read(infogan *m, const char *path, char *err, size_t errlen);
/* checkpoint_read, dying with its message on failure. */
void checkpoint_load(infogan *m, const char *path);

#endif
