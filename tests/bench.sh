#!/bin/bash
# tests/bench.sh [BUILD]: bench/cpus.py sets every CPU's CSVs side by side (crafted CSVs of two
# CPUs, one without a train file), and refuses a missing folder by name; with BUILD,
# bench/train_step times another setting from model flags into its own files.
set -u
build=${1:-}
dir=$(mktemp -d /tmp/infogan_bench_XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "tests/bench.sh: $*"; exit 1; }

cat > "$dir/kernels-cpu-a.csv" <<'CSV'
# commit: 0123456789abcdef
# start: 2026-12-05T00:00:00Z
# cpu: CPU A
kernel,isa,shape,threads,gflops,pct_of_peak,openblas_gflops
fma_peak,avx512,-,1,100.00,100.0,
fma_peak,avx512,-,2,200.00,100.0,
sgemm_nn,avx512,128x6272x1024,1,80.00,80.0,100.00
sgemm_nn,avx512,6272x128x1024,1,60.00,60.0,50.00
sgemm_nn,avx512,1024x1024x1024,1,90.00,90.0,45.00
CSV
cat > "$dir/train-cpu-a.csv" <<'CSV'
# commit: 0123456789abcdef
# start: 2026-12-05T00:00:00Z
# cpu: CPU A
isa,threads,batch,it_per_s,gflop_per_iter,gflops,pct_of_peak
avx512,2,128,3.500,40.000,140.00,70.0
CSV
sed 's/CPU A/CPU B/' "$dir/kernels-cpu-a.csv" > "$dir/kernels-cpu-b.csv"

python3 bench/cpus.py --dir "$dir" > /dev/null || fail "cpus.py failed on crafted CSVs"
md="$dir/cpus.md"
grep -q '| cpu-a | avx512 | 100 | 200 |' "$md" || fail "the peaks of cpu-a are missing from cpus.md"
grep -q '| cpu-b | avx512 | 100 | 200 |' "$md" || fail "the second CPU's peaks are missing"
grep -q '| cpu-a | avx512 | 1 | 60-80 | 0.80-1.20 | 90 | 2.00 | openblas |' "$md" \
    || fail "SGEMM's share of peak / ratio to BLAS is wrong: $(grep '| cpu-a | avx512 | 1 |' "$md")"
grep -q '| cpu-a | avx512 | 2 | 3.50 | 70 |' "$md" || fail "the training row of cpu-a is missing"
grep -q '| cpu-b | avx512 | 2 |' "$md" && fail "cpu-b has no train file but got a training row"
[ -s "$dir/cpus.png" ] || fail "cpus.png was not drawn"
ls "$dir" | grep -q tmp && fail "a temp file was left behind"

out=$(python3 bench/cpus.py --dir "$dir/missing" 2>&1) && fail "a missing --dir was accepted"
echo "$out" | grep -q -- "--dir $dir/missing" || fail "the error does not name the folder: $out"
if [ -n "$build" ]; then
    ts="$build/bench/train_step"
    out=$("$ts" --iters 1 --warmup 0 --threads 1 --no-layers --arch toy --latent noise:4,cont:2 \
        --batch 8 --out "$dir/ts" 2>&1) || fail "train_step with model flags failed: $out"
    csv=$(ls "$dir"/ts/toy-train-*.csv 2>/dev/null | head -1)
    [ -n "$csv" ] || fail "train_step --arch toy wrote no toy-train-<cpu>.csv: $(ls "$dir/ts")"
    grep -q '^# model: model=infogan arch=toy latent=noise:4,cont:2 batch=8' "$csv" \
        || fail "toy-train-<cpu>.csv does not record the setting: $(grep '^# model' "$csv")"
    grep -q '^# command: .* --arch toy --latent noise:4,cont:2 --batch 8 ' "$csv" \
        || fail "the recorded command lost the model flags: $(grep '^# command' "$csv")"
    ls "$dir"/ts/train-*.csv > /dev/null 2>&1 && fail "a setting from model flags wrote the MNIST file name"
    echo "$out" | grep -q '^toy InfoGAN training iteration (batch 8)' || fail "no setting line: $out"
    out=$("$ts" --iters 1 --arch nope --out - 2>&1) && fail "train_step accepted --arch nope"
    echo "$out" | grep -q -- "--arch: no architecture table 'nope'" || fail "bad --arch error: $out"
fi
echo "tests/bench.sh: all passed"
