#!/usr/bin/env bash
# check_bits.sh REF [DATA_DIR]: do this tree and commit REF train the same bits?
# Builds REF (from `git archive`, in a temporary folder) and this tree, runs a 20-iteration
# MNIST run and a 20-iteration Faces run with each build (2 threads, the default ISA), and
# compares checkpoints (their state, whatever the format version) and logs byte for byte,
# result and nmi files without their provenance comments and wall times (result files on the
# columns both have). For restructurings that must not change behaviour.
# DATA_DIR (default data) must hold MNIST (`make data-mnist`); BUILD names this tree's build
# folder (default build); INFOGAN_ISA and the like apply to both builds.
set -euo pipefail
ref=${1:?usage: scripts/check_bits.sh REF [DATA_DIR]}
root=$(git rev-parse --show-toplevel)
data=$(cd "${2:-$root/data}" && pwd)
work=$(mktemp -d /tmp/infogan_bits.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir "$work/ref"
git -C "$root" archive "$ref" | tar -x -C "$work/ref"
make -s -C "$work/ref" -j2 BUILD=build build/bin/mnist build/bin/faces >/dev/null
build=${BUILD:-build}
make -s -C "$root" -j2 BUILD="$build" "$build/bin/mnist" "$build/bin/faces" >/dev/null

export OMP_NUM_THREADS=2
runs() { # build-dir out-dir
    mkdir -p "$2"
    "$1/bin/mnist" train --run-dir "$2/mnist" --data "$data" --iterations 20 --batch 32 --quiet >/dev/null
    "$1/bin/faces" train --run-dir "$2/faces" --iterations 20 --n 600 --n-eval 200 --batch 16 \
        --quiet >/dev/null
}
runs "$work/ref/build" "$work/a"
runs "$root/$build" "$work/b"

# A result file (argument 1) without its provenance comments, its wall time and the columns
# the other build's file (argument 2) lacks: a newer tree may add columns (collapsed).
strip() {
    case $1 in
    *result.csv)
        awk -F, -v other="$(grep -v '^#' "$2" | head -1)" '
            /^#/ { next }
            !header++ { n = split(other, o); for (i = 1; i <= n; i++) has[o[i]] = 1
                        for (i = 1; i <= NF; i++) keep[i] = ($i in has) && $i != "wall_s" && $i != "train_s" }
            { line = ""; for (i = 1; i <= NF; i++) if (keep[i]) line = line (line == "" ? "" : ",") $i
              print line }' "$1" ;;
    *) grep -v '^#' "$1" ;;
    esac
}
failures=0
# A checkpoint's state: the bytes after magic and version, before the checksum trailer
# (8 bytes in version 1, 32 in version 2), so checkpoints of both versions compare.
state() {
    local version size trailer
    version=$(od -An -tu4 -j8 -N4 "$1" | tr -d ' ')
    size=$(stat -c %s "$1")
    trailer=$([ "$version" = 1 ] && echo 8 || echo 32)
    tail -c +13 "$1" | head -c $((size - 12 - trailer))
}
for f in mnist/model.ckpt faces/model.ckpt; do
    cmp -s <(state "$work/a/$f") <(state "$work/b/$f") && echo "same bits: $f (state)" ||
        { echo "DIFFER: $f"; failures=$((failures + 1)); }
done
for f in mnist/log.csv faces/log.csv; do
    cmp -s "$work/a/$f" "$work/b/$f" && echo "same bits: $f" ||
        { echo "DIFFER: $f"; failures=$((failures + 1)); }
done
for f in mnist/result.csv faces/result.csv faces/nmi.csv; do
    if [ "$(strip "$work/a/$f" "$work/b/$f")" = "$(strip "$work/b/$f" "$work/a/$f")" ]; then echo "same numbers: $f"
    else echo "DIFFER: $f"; diff <(strip "$work/a/$f" "$work/b/$f") <(strip "$work/b/$f" "$work/a/$f") || true
        failures=$((failures + 1)); fi
done
[ "$failures" = 0 ] || { echo "check_bits: $failures file(s) differ from $ref"; exit 1; }
echo "check_bits: this tree trains the same bits as $ref ($(git -C "$root" rev-parse --short "$ref"))"
