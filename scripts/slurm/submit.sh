#!/usr/bin/env bash
# submit.sh QUEUE_FILE [SBATCH_FLAG...]: runs the commands scripts/slurm/queue.sh put in
# QUEUE_FILE as ONE Slurm array, a task per distinct line (scripts/slurm/array.sbatch), waits
# for it and fails if a task failed. Nothing to do when the queue is empty or missing.
# The array's list and logs (<job>_<task>.out) go to QUEUE_FILE's folder, which the compute
# nodes must see (as they must see the repository and the run folders). sbatch takes the
# user's SBATCH_* variables (SBATCH_PARTITION, SBATCH_TIMELIMIT, SBATCH_ACCOUNT, ...) and the
# SBATCH_FLAGs; an interrupt (Ctrl-C) cancels the array. make's collecting targets call it as
# $(SUBMIT) with SCHEDULER=slurm.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: scripts/slurm/submit.sh QUEUE_FILE [SBATCH_FLAG...]" >&2; exit 2; }
queue=$1
shift
dir=$(dirname "$queue")
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"

# Another submit.sh of this queue (make -j table1 figure2) may be waiting for the array that
# holds our runs: wait for it, then submit what is left.
exec 8> "$queue.submit-lock"
flock 8
# Take the queue whole (queue.sh appends under the same lock), without repeated lines.
exec 9>> "$queue.lock"
flock 9
[ -s "$queue" ] || exit 0
command -v sbatch > /dev/null ||
    { echo "submit.sh: no sbatch here: SCHEDULER=slurm needs a Slurm client to run the commands in $queue" >&2; exit 1; }
list=$(mktemp "$dir/array-XXXXXX.txt")
awk '!seen[$0]++' "$queue" > "$list"
rm -f "$queue"
flock -u 9
n=$(wc -l < "$list")

echo "submit.sh: submitting $n run(s) of $list as one Slurm array (logs: $dir/<job>_<task>.out)"
# sbatch --wait exits with the highest exit code of the tasks it still finds in the
# controller (finished ones leave it after MinJobAge, so the logs are read too below); run
# it in the background so that an interrupt reaches the trap at once; it prints the job id.
submitted=$dir/.submitted-$$
sbatch --wait --parsable --array="1-$n" --output="$dir/%A_%a.out" "$@" "$here/array.sbatch" "$list" > "$submitted" &
sbatch_pid=$!
job=""
cancel() { # exit status
    trap - INT TERM HUP
    [ -z "$job" ] || { scancel "$job" 2> /dev/null && echo "submit.sh: cancelled Slurm job $job" >&2; }
    kill "$sbatch_pid" 2> /dev/null || true
    rm -f "$submitted"
    exit "$1"
}
trap 'cancel 130' INT
trap 'cancel 143' TERM
trap 'cancel 129' HUP
while [ -z "$job" ] && kill -0 "$sbatch_pid" 2> /dev/null; do
    job=$(cut -d';' -f1 "$submitted" 2> /dev/null | head -1)
    [ -n "$job" ] || sleep 0.2
done
[ -z "$job" ] || echo "submit.sh: Slurm job $job: $n task(s); waiting for them (Ctrl-C cancels the job)"
status=0
wait "$sbatch_pid" || status=$?
[ -n "$job" ] || job=$(cut -d';' -f1 "$submitted" 2> /dev/null | head -1)
rm -f "$submitted"
if [ -z "$job" ]; then
    echo "submit.sh: sbatch did not submit the array of $list (exit status $status; its message is above)" >&2
    exit 1
fi
# A task failed when its log does not end with exit status 0 (array.sbatch's last line).
failed=()
for ((task = 1; task <= n; task++)); do
    [ "$(tail -n 1 "$dir/${job}_$task.out" 2> /dev/null)" = "array.sbatch: exit status 0" ] || failed+=("$task")
done
if [ "$status" -ne 0 ] || [ ${#failed[@]} -gt 0 ]; then
    echo "submit.sh: Slurm job $job: task(s) ${failed[*]:-?} of $n failed (sbatch exit status $status); see their logs ${job}_<task>.out in $dir" >&2
    exit 1
fi
echo "submit.sh: Slurm job $job done: $n run(s)"
