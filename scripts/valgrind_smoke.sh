#!/usr/bin/env bash
# valgrind_smoke.sh MNIST_BIN: the smoke training under valgrind's memcheck: `mnist train`
# for 3 iterations (batch 4) on 16 train / 8 held-out random 28x28 images in a temporary
# standard-MNIST folder, one OpenMP thread, AVX2 kernels (valgrind has no AVX-512). Fails on
# any memcheck error or definite leak.
set -euo pipefail
bin=$1
dir=$(mktemp -d /tmp/infogan_valgrind_XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/mnist"
be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }
idx_pair() { # name count
    { printf '\x00\x00\x08\x03'; be32 "$2"; be32 28; be32 28; head -c $(($2 * 784)) /dev/urandom; } >"$dir/mnist/$1-images-idx3-ubyte"
    { printf '\x00\x00\x08\x01'; be32 "$2"; for ((i = 0; i < $2; i++)); do printf "\\x0$((i % 10))"; done; } >"$dir/mnist/$1-labels-idx1-ubyte"
}
idx_pair train 16
idx_pair t10k 8
OMP_NUM_THREADS=1 INFOGAN_ISA=avx2 valgrind --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    "$bin" train --run-dir "$dir/run" --data "$dir" --iterations 3 --batch 4 --quiet
echo "valgrind: the smoke training is clean (no memcheck errors, no definite leaks)"
