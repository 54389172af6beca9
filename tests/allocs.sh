#!/bin/bash
# tests/allocs.sh BUILD: a training step allocates nothing once warm (no allocation inside
# the training loop). bench/train_step runs 2 warm-up iterations, then 1 or 6 timed ones; the
# malloc/calloc/realloc calls, counted by tests/tools/count_allocs.c, must be the same.
# Not run under SAN=1 (the sanitizer's runtime replaces malloc).
set -u
build=${1:-build}
fail() { echo "tests/allocs.sh: $*"; exit 1; }
count() {
    OMP_NUM_THREADS=2 LD_PRELOAD="$build/tests/count_allocs.so" "$build/bench/train_step" --iters "$1" \
        --threads 2 --no-layers --out - 2>&1 >/dev/null | sed -n 's/^allocs: //p'
}
one=$(count 1) six=$(count 6)
[ -n "$one" ] && [ -n "$six" ] || fail "train_step printed no allocation count (was count_allocs.so preloaded?)"
[ "$one" = "$six" ] || fail "5 more training iterations made $((six - one)) more allocations ($one against $six)"
echo "tests/allocs.sh: no allocation per training iteration ($one in all, warm-up included)"
