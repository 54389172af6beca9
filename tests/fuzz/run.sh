#!/usr/bin/env bash
# run.sh BUILD SECONDS RUNS TARGET...: runs each libFuzzer target of BUILD/fuzz/ for SECONDS
# (or RUNS executions when RUNS > 0) on a working copy of its seeds in
# tests/fuzz/corpus/<target>/, then prints the executions per target. A crash, leak,
# timeout or memory blow-up stops with its reproducer in BUILD/fuzz/findings/.
set -uo pipefail
build=$1 seconds=$2 runs=$3
shift 3
mkdir -p "$build/fuzz/findings"
status=0
summary=""
for t in "$@"; do
    work="$build/fuzz/corpus/$t"
    mkdir -p "$work"
    limit=(-max_total_time="$seconds")
    [ "$runs" -gt 0 ] && limit=(-runs="$runs")
    echo "== fuzz $t (${limit[*]})"
    nice -n 10 "$build/fuzz/$t" "${limit[@]}" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/fuzz/findings/$t-" \
        "$work" "tests/fuzz/corpus/$t" >"$build/fuzz/$t.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz/$t.log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$build/fuzz/$t.log" | tail -1)
    if [ "$rc" -ne 0 ]; then
        status=1
        grep -E "ERROR|SUMMARY|runtime error|rejected without" "$build/fuzz/$t.log" | head -5
        summary+=$(printf '%-12s FAILED (exit %d, see %s)\n' "$t" "$rc" "$build/fuzz/$t.log")$'\n'
    else
        summary+=$(printf '%-12s %10s executions in %s s, no findings\n' "$t" "${execs:-?}" "${secs:-?}")$'\n'
    fi
done
echo "== fuzz summary"
printf '%s' "$summary"
exit $status
