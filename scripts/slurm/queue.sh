#!/usr/bin/env bash
# queue.sh QUEUE_FILE COMMAND [ARG...]: appends COMMAND, each word shell-quoted (printf %q),
# as one line to QUEUE_FILE, for scripts/slurm/submit.sh to run as one task of a Slurm array.
# make's run recipes call it as $(LAUNCH) with SCHEDULER=slurm; a lock on QUEUE_FILE.lock
# keeps the lines of make -j's parallel recipes whole.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: scripts/slurm/queue.sh QUEUE_FILE COMMAND [ARG...]" >&2; exit 2; }
queue=$1
shift
mkdir -p "$(dirname "$queue")"
line=$(printf '%q ' "$@")
exec 9>> "$queue.lock"
flock 9
printf '%s\n' "${line% }" >> "$queue"
