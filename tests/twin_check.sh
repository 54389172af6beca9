#!/usr/bin/env bash
# make twin-check: the PyTorch twin (experiments/twin/) on a tiny Faces stand-in. Its layers
# against our dump (tests/twin_layers.py), then 20 iterations on 256 images: log.csv,
# nmi.csv, result.csv and samples.png are written with their provenance, log.csv and
# nmi.csv have the columns our faces program writes on the same file, bad input gets one
# line and no output. Prints the twin's seconds per iteration. Usage: tests/twin_check.sh BUILD_DIR
set -euo pipefail
BIN=$(cd "$1/bin" && pwd)
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
TWIN=experiments/twin/infogan_twin.py
WORK=$(mktemp -d /tmp/infogan_twin.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

$PY tests/twin_layers.py "$BIN/arch_tables"
"$BIN/datasets" --only faces --n 256 --data "$WORK/data" --sheets "$WORK/sheets" > /dev/null 2>&1
tiny=(--data "$WORK/data/standin/faces.bin" --arch faces --latent noise:128,cont:5 --batch 32 --n-eval 64
      --lr-g 5e-4 --lambda-cont 0.2 --threads 2 --arch-tables "$BIN/arch_tables")
$PY $TWIN "${tiny[@]}" --iterations 20 --out "$WORK/twin" 2> "$WORK/twin.err" > "$WORK/twin.out" ||
    { cat "$WORK/twin.err"; exit 1; }
# Ours on the same file, for the columns.
"$BIN/faces" train --run-dir "$WORK/ours" --data "$WORK/data" --n 256 --n-eval 64 --batch 32 \
    --iterations 3 --config azimuth --quiet > /dev/null 2>&1

for f in log.csv nmi.csv result.csv samples.png; do
    [ -s "$WORK/twin/$f" ] || { fail "$f is missing"; continue; }
    for key in commit command seed threads wall_s; do
        grep -aq "# $key: " "$WORK/twin/$f" || fail "$f has no '# $key:' provenance line"
    done
done
[ "$(grep -vc '^#' "$WORK/twin/log.csv")" = 21 ] || fail "log.csv does not hold a header and 20 rows"
[ "$(grep -v '^#' "$WORK/twin/log.csv" | head -1)" = "$(head -1 "$WORK/ours/log.csv")" ] ||
    fail "log.csv's columns differ from ours"
[ "$(grep -v '^#' "$WORK/twin/nmi.csv" | cut -d, -f1-2)" = "$(grep -v '^#' "$WORK/ours/nmi.csv" | cut -d, -f1-2)" ] &&
    [ "$(grep -v '^#' "$WORK/twin/nmi.csv" | head -1)" = "$(grep -v '^#' "$WORK/ours/nmi.csv" | head -1)" ] ||
    fail "nmi.csv's rows or columns differ from ours"
grep -q "on 64 held-out images" "$WORK/twin/nmi.csv" || fail "nmi.csv does not score the 64 held-out images"
grep -v '^#' "$WORK/twin/result.csv" | tail -1 | grep -Eq '^pytorch,faces,faces,infogan,1,20,32,0\.[0-9]{4},azimuth=c[1-5]:' ||
    fail "result.csv's row: $(tail -1 "$WORK/twin/result.csv")"
[ "$(head -c 8 "$WORK/twin/samples.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "samples.png is not a PNG"

# --model: our settings line sets the twin's flags, and the twin trains exactly that line.
line=$("$BIN/faces" model --config azimuth --batch 32 --seed 2)
$PY $TWIN --data "$WORK/data/standin/faces.bin" --model "$line" --n-eval 64 --threads 2 \
    --arch-tables "$BIN/arch_tables" --iterations 2 --out "$WORK/twin-model" > /dev/null 2> "$WORK/twin-model.err" ||
    { cat "$WORK/twin-model.err"; exit 1; }
grep -qF "# model: $line" "$WORK/twin-model/result.csv" || fail "--model: result.csv's model is not '$line'"

# Refused: one line naming $needle, non-zero exit, no output folder.
refused() {
    local needle=$1; shift
    if $PY $TWIN "$@" --out "$WORK/bad" > /dev/null 2> "$WORK/err"; then fail "accepted: $*"; return; fi
    [ "$(wc -l < "$WORK/err")" = 1 ] || fail "more than one line for: $* ($(cat "$WORK/err"))"
    grep -qF -- "$needle" "$WORK/err" || fail "the message does not name $needle: $(cat "$WORK/err")"
    [ ! -e "$WORK/bad" ] || fail "output left by: $*"
}
refused "chairs" "${tiny[@]}" --arch chairs
refused "--latent" "${tiny[@]}" --latent noise:0
refused "--batch" "${tiny[@]}" --batch 1
refused "$WORK/missing.bin" "${tiny[@]}" --data "$WORK/missing.bin"
head -c 5000 "$WORK/data/standin/faces.bin" > "$WORK/cut.bin"
refused "$WORK/cut.bin" "${tiny[@]}" --data "$WORK/cut.bin"
model=(--data "$WORK/data/standin/faces.bin" --n-eval 64 --arch-tables "$BIN/arch_tables")
refused "--lr-d" "${model[@]}" --model "$line" --lr-d 1e-3
refused "lr_q" "${model[@]}" --model "$line lr_q=0.001"
refused "adam_eps=1e-05" "${model[@]}" --model "${line/adam_eps=1e-08/adam_eps=1e-05}"

echo "twin: $(grep -o '[0-9.]* s each' "$WORK/twin.out") at batch 32 on 2 threads (load $(cut -d' ' -f1 /proc/loadavg))"
[ "$failures" = 0 ] && echo "tests/twin_check.sh: the twin trains, scores and refuses bad input as ours"
exit "$failures"
