#!/usr/bin/env bash
# Seed sweeps on Slurm (scripts/slurm/), on a one-node Slurm that this test starts for
# localhost: munged, slurmctld and slurmd as root, with their config, key, sockets, state,
# spool, logs and pid files in a temporary folder and on free ports. `make figure3
# SCHEDULER=slurm` (4 tiny Faces runs) submits the runs as one array, waits for it and
# collects figure3.md; run again it submits nothing; a failing task fails make naming the
# log folder; an unknown SCHEDULER is refused; scripts/slurm/mpi.sbatch trains a run over 2
# ranks on the one node (with an MPI build); the scripts parse.
# Usage: tests/slurm.sh BUILD_DIR (skips, saying why, without slurm-wlm and munge or root).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: tests/slurm.sh BUILD_DIR" >&2; exit 2; }
[ -x "$1/bin/faces" ] || { echo "tests/slurm.sh: $1/bin/faces is missing (make $1/bin/faces)" >&2; exit 1; }
BUILD=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
skip() { echo "tests/slurm.sh skipped: $*"; exit 0; }
export PATH=$PATH:/usr/sbin:/sbin
for tool in munged munge slurmctld slurmd sbatch sinfo squeue scancel scontrol; do
    command -v "$tool" > /dev/null || skip "no $tool (scripts/deps.sh slurm installs slurm-wlm and munge)"
done
[ "$(id -u)" -eq 0 ] || skip "not root (slurmd must run as root to start jobs)"

WORK=$(mktemp -d /tmp/infogan_slurm.XXXXXX)
chmod 0755 "$WORK"
daemons=() # pids of the daemons started here, stopped on exit
show_logs() { # each daemon's log (its output if it stopped before opening it), the array tasks' logs
    local name log
    for name in munge/munged slurmctld slurmd; do
        log=$WORK/$name.log
        [ -s "$log" ] || log=$WORK/$name.out
        [ ! -s "$log" ] || { echo "--- $log (last 30 lines)"; tail -30 "$log"; }
    done
    for log in "$WORK"/runs/slurm/*.out; do
        [ ! -s "$log" ] || { echo "--- $log (last 5 lines)"; tail -5 "$log"; }
    done
}
running() { [ ${#daemons[@]} -gt "$1" ] && kill -0 "${daemons[$1]}" 2> /dev/null; } # daemon 0 munged, 1 slurmctld, 2 slurmd
stop_daemons() {
    # Cancel the jobs left (after a failure) so that no job outlives slurmd.
    local jobs_left pid t i
    if running 1 && running 2; then
        jobs_left=$(timeout 10 squeue -h -o %A 2> /dev/null | sort -u || true)
        if [ -n "$jobs_left" ]; then
            timeout 10 scancel $jobs_left 2> /dev/null || true
            for ((t = 0; t < 50; t++)); do [ -z "$(timeout 10 squeue -h -o %A 2> /dev/null)" ] && break; sleep 0.2; done
        fi
    fi
    for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
        pid=${daemons[i]}
        kill -TERM "$pid" 2> /dev/null || continue
        for ((t = 0; t < 50; t++)); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
    done
    daemons=()
}
trap 'stop_daemons; rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*"; show_logs; exit 1; }

# A port nobody listens on (nor connects from), other than those given; below the range the
# kernel hands out to outgoing connections (32768 up by default).
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 12000))
        case " $* " in *" $port "*) continue ;; esac
        grep -qi ":$(printf %04X "$port") " /proc/net/tcp /proc/net/tcp6 2> /dev/null || break
    done
    echo "$port"
}

# munged with its own key and socket (--force: it would stop on a folder above it finds too open).
mkdir -m 0755 "$WORK/munge"
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1 count=1024 status=none
chmod 0400 "$WORK/munge/munge.key"
MUNGE_SOCKET=$WORK/munge/munge.socket
munged --foreground --force --socket="$MUNGE_SOCKET" --key-file="$WORK/munge/munge.key" \
    --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" \
    --seed-file="$WORK/munge/munged.seed" > "$WORK/munge/munged.out" 2>&1 &
daemons+=($!)
for ((t = 0; t < 100; t++)); do
    munge -n -S "$MUNGE_SOCKET" 2> /dev/null | unmunge -S "$MUNGE_SOCKET" > /dev/null 2>&1 && break
    running 0 || die "munged stopped at start"
    sleep 0.1
done
[ "$t" -lt 100 ] || die "munged does not answer on $MUNGE_SOCKET after 10 s"

# A one-node cluster: this machine's CPUs, a little less than its memory.
NODE=$(uname -n | cut -d. -f1)
# nproc counts OMP_NUM_THREADS: a user's OMP_NUM_THREADS=1 would give a node too small for
# the 2-CPU tasks, which then wait forever. The CPUs this process may run on, whatever it says.
CPUS=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
MEM_MB=$(awk '/^MemTotal:/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port "$CTLD_PORT")
mkdir -p "$WORK/state" "$WORK/spool"
# Only this cluster and sbatch's defaults: none of the caller's Slurm settings (or job).
for var in $(compgen -e | grep -E '^(SBATCH|SALLOC|SRUN|SLURM|SQUEUE|SINFO)_' || true); do unset "$var"; done
export SLURM_CONF=$WORK/slurm.conf
cat > "$SLURM_CONF" <<EOF
ClusterName=infogan-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# Finished jobs leave the controller after 6 s (sbatch --wait then polls every 2 s).
MinJobAge=6
MailProg=/bin/true
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
touch "$WORK/plugstack.conf" # else slurmd reads /etc/slurm's
echo "PlugStackConfig=$WORK/plugstack.conf" >> "$SLURM_CONF"
slurmctld -D -i -f "$SLURM_CONF" > "$WORK/slurmctld.out" 2>&1 &
daemons+=($!)
slurmd -D -N "$NODE" -f "$SLURM_CONF" > "$WORK/slurmd.out" 2>&1 &
daemons+=($!)
state=""
for ((t = 0; t < 300; t++)); do
    state=$(sinfo -h -N -n "$NODE" -o %t 2> /dev/null || true)
    [ "$state" = idle ] && break
    case "$state" in inval* | drain*) die "node $NODE is '$state' (sinfo -R: $(sinfo -h -R -o %E))" ;; esac
    running 1 || die "slurmctld stopped at start"
    running 2 || die "slurmd stopped at start"
    sleep 0.1
done
[ "$state" = idle ] || die "node $NODE is not idle 30 s after slurmd started (sinfo: '$state')"
echo "tests/slurm.sh: Slurm up on $NODE ($CPUS CPUs, ports $CTLD_PORT and $SLURMD_PORT) in $((SECONDS)) s"

# make figure3 through Slurm: tiny Faces runs, made into $RUNS, collected into $OUT.
unset MAKEFLAGS MFLAGS MAKELEVEL
figure3() { # runs-folder out-folder fig-flags: make figure3 SCHEDULER=slurm, log in $WORK/make.log
    timeout 300 make --no-print-directory -o "$BUILD/bin/faces" figure3 SCHEDULER=slurm SEEDS=1 \
        RUNS="$1" FIG_OUT="$2" BUILD="$BUILD" FIG_FLAGS="$3" FIG_ORACLE=no > "$WORK/make.log" 2>&1
}
TINY='--iterations 3 --n 600 --n-eval 200 --batch 16 --quiet'
RUNS=$WORK/runs
OUT=$WORK/out
start=$SECONDS
figure3 "$RUNS" "$OUT" "$TINY" || { cat "$WORK/make.log"; die "make figure3 SCHEDULER=slurm failed"; }
first_time=$((SECONDS - start))
expected=(faces-azimuth-infogan-seed1 faces-elevation-infogan-seed1 faces-lighting-infogan-seed1 faces-azimuth-gan-seed1)
for run in "${expected[@]}"; do
    [ -s "$RUNS/$run/result.csv" ] || fail "make figure3 SCHEDULER=slurm left no $RUNS/$run/result.csv"
done
[ -s "$OUT/figure3.md" ] || fail "make figure3 SCHEDULER=slurm did not collect $OUT/figure3.md"
# One array: a log <job>_<task>.out per run, one job id, tasks 1..4, each naming its run.
logs=$(cd "$RUNS/slurm" && ls -- *_*.out 2> /dev/null | sort -t_ -k2n || true)
jobs=$(sed 's/_.*//' <<< "$logs" | sort -u)
tasks=$(sed 's/.*_//; s/\.out$//' <<< "$logs" | sort -n | tr '\n' ' ')
[ "$(wc -w <<< "$jobs")" = 1 ] || fail "the runs were not tasks of one array job: logs $(tr '\n' ' ' <<< "$logs")"
[ "$tasks" = "1 2 3 4 " ] || fail "the array's tasks were '$tasks', not 1 2 3 4"
grep -q "submit.sh: Slurm job $jobs: 4 task(s); waiting" "$WORK/make.log" &&
    grep -q "submit.sh: Slurm job $jobs done: 4 run(s)" "$WORK/make.log" ||
    fail "make's output does not say that Slurm job $jobs ran the 4 runs: $(grep submit.sh "$WORK/make.log")"
for run in "${expected[@]}"; do
    n=$(grep -l -- "--run-dir $RUNS/$run " "$RUNS"/slurm/*_*.out 2> /dev/null | wc -l)
    [ "$n" = 1 ] || fail "$run ran in $n array task(s), not 1"
done
grep -q "^array.sbatch: job $jobs task 1 on .*, 2 thread(s): " "$RUNS/slurm/${jobs}_1.out" ||
    fail "task 1 did not run with OMP_NUM_THREADS=2 (--cpus-per-task=2): $(head -1 "$RUNS/slurm/${jobs}_1.out")"
[ ! -s "$RUNS/slurm/queue.txt" ] || fail "the queue $RUNS/slurm/queue.txt was left with $(wc -l < "$RUNS/slurm/queue.txt") line(s)"

# Again: the runs exist, nothing is submitted, figure3.md is collected again.
rm -f "$OUT/figure3.md"
figure3 "$RUNS" "$OUT" "$TINY" || { cat "$WORK/make.log"; die "the second make figure3 SCHEDULER=slurm failed"; }
! grep -q 'submit.sh: submitting' "$WORK/make.log" || fail "the second make figure3 submitted: $(grep submit.sh "$WORK/make.log")"
[ "$(ls "$RUNS"/slurm/*_*.out | wc -l)" = 4 ] || fail "the second make figure3 ran array tasks: $(ls "$RUNS/slurm")"
[ -s "$OUT/figure3.md" ] || fail "the second make figure3 did not collect $OUT/figure3.md"

# A failing run fails make with one sentence naming the logs' folder, and nothing is collected.
if figure3 "$WORK/bad" "$WORK/bad-out" '--no-such-flag'; then
    fail "make figure3 SCHEDULER=slurm with a failing run ended with status 0"
else
    grep -q "submit.sh: Slurm job [0-9]*: task(s) 1 2 3 4 of 4 failed .* in $WORK/bad/slurm$" "$WORK/make.log" ||
        fail "a failing array task: make's output does not name the logs: $(tail -3 "$WORK/make.log")"
fi
[ ! -e "$WORK/bad-out/figure3.md" ] || fail "make figure3 collected figure3.md though its runs failed"

# An unknown scheduler: one sentence, nothing made.
if make --no-print-directory -n figure3 SCHEDULER=pbs RUNS="$WORK/pbs" BUILD="$BUILD" > "$WORK/err" 2>&1; then
    fail "make figure3 SCHEDULER=pbs ended with status 0"
else
    grep -q 'SCHEDULER=pbs' "$WORK/err" || fail "make SCHEDULER=pbs: $(head -2 "$WORK/err")"
fi

# mpi.sbatch, the multi-node template, on this one node: 2 ranks of one tiny run, started
# by mpirun inside the allocation.
if command -v mpirun > /dev/null && "$BUILD/bin/faces" --help 2>&1 | grep '^Data-parallel (' > /dev/null; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    # Under the sanitizers Open MPI's own allocations would read as leaks (as in tests/mpi.sh).
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" BUILD=$BUILD timeout 120 sbatch --wait --quiet --nodes=1 --ntasks-per-node=2 --cpus-per-task=1 \
        --output="$WORK/mpi.out" scripts/slurm/mpi.sbatch faces train --run-dir "$WORK/mpi" --config azimuth \
        --seed 1 $TINY > "$WORK/err" 2>&1 ||
        fail "sbatch scripts/slurm/mpi.sbatch (1 node, 2 ranks) failed: $(cat "$WORK/err" "$WORK/mpi.out" 2> /dev/null | tail -5)"
    grep -q '^# mpi_ranks: 2 ' "$WORK/mpi/result.csv" 2> /dev/null ||
        fail "the run of scripts/slurm/mpi.sbatch does not record 2 MPI ranks in $WORK/mpi/result.csv"
    mpi_note="mpi.sbatch trained a run over 2 ranks"
else
    mpi_note="mpi.sbatch not run (no mpirun or $BUILD built without MPI)"
fi

# The templates parse.
for script in scripts/slurm/*.sbatch scripts/slurm/*.sh; do
    bash -n "$script" 2> "$WORK/err" || fail "$script does not parse: $(cat "$WORK/err")"
done

if [ "$failures" -gt 0 ]; then show_logs; echo "tests/slurm.sh: $failures failure(s)"; exit 1; fi
echo "tests/slurm.sh: make figure3 SCHEDULER=slurm ran its 4 runs as the tasks of one array job ($jobs, ${first_time} s) and collected figure3.md; again, it submitted nothing; a failing task fails make naming its logs; SCHEDULER=pbs is refused; $mpi_note ($SECONDS s in all)"
