#!/usr/bin/python3
"""mpi_scaling.py: data-parallel training on this machine, measured, and a model of it at scale.

Times the MNIST training iteration (bench/train_step, batch 128) in interleaved rounds of
three configurations: one process with 2 threads, `mpirun -np 2` with 1 thread per rank
(each rank steps on 64 images and the ranks sum gradients and batch-norm statistics), and one
process with 1 thread. Writes DIR/mpi-<cpu>.csv (every round, with the load average before
it) and DIR/mpi-<cpu>.md: the medians, np=2's throughput against one 2-thread process, its
scaling efficiency against 1 thread, the traffic per iteration, and a model of the step time
at 8, 64 and 512 ranks over 10 and 100 Gb/s links (ring allreduce) with the global batch that
keeps 80% efficiency. Python's standard library only; files are written to a temp name and
renamed.
"""
import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import time

CONFIGS = [  # name, ranks, threads per rank
    ("np1-t2", 1, 2),
    ("np2-t1", 2, 1),
    ("np1-t1", 1, 1),
]
# Link models: name, bandwidth in bytes/s, latency per message in seconds (assumed, not measured).
LINKS = [("10 Gb/s Ethernet", 10e9 / 8, 20e-6), ("100 Gb/s InfiniBand", 100e9 / 8, 2e-6)]
RANKS = [8, 64, 512]
BATCH = 128


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def default_isa():
    flags = open("/proc/cpuinfo").read()
    if re.search(r"\bavx512f\b", flags):
        return "avx512"
    if re.search(r"\bavx2\b", flags):
        return "avx2"
    return "neon" if re.search(r"\basimd\b", flags) else "scalar"


def run(cmd, env):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"mpi_scaling.py: {' '.join(cmd)} failed (status {p.returncode}):\n{p.stderr[-2000:]}")
    return p.stdout


def measure(args, name, ranks, threads, env):
    step = [args.train_step, "--iters", str(args.iters), "--threads", str(threads), "--isa", args.isa,
            "--no-layers", "--out", "-"]
    cmd = (["mpirun", "-np", str(ranks), "--oversubscribe", "--bind-to", "none"] + step) if ranks > 1 else step
    out = run(cmd, env)
    row = re.search(rf"^{re.escape(args.isa)}\s+{threads}\s+{BATCH}\s+([0-9.]+)", out, re.M)
    if not row:
        sys.exit(f"mpi_scaling.py: no it/s row for {name} in train_step's output:\n{out}")
    traffic = re.search(r"per iteration: ([0-9.]+) calls, ([0-9]+) bytes, ([0-9.]+) of the calls gradient pieces", out)
    cpu = re.search(r"^MNIST InfoGAN training iteration \(batch \d+\), (.*) \(cpu slug (\S+)\)", out, re.M)
    return float(row.group(1)), traffic, cpu


def allreduce_seconds(p, nbytes, calls, pieces, bw, lat):
    """The gradient blocks' pieces, each a ring reduce-scatter and a ring gather (together a ring
    allreduce: 2 (p-1)/p of the bytes cross each link, 2 (p-1) steps); the other calls small:
    latency-bound, 2 log2 p messages each."""
    big = 2 * (p - 1) / p * nbytes / bw + pieces * 2 * (p - 1) * lat
    small = max(calls - pieces, 0) * 2 * math.log2(p) * lat
    return big + small


def git_commit():
    """HEAD, "-dirty" when tracked files outside results/ changed (as lib/report/provenance.c)."""
    git = lambda *a: subprocess.run(["git", *a], capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "HEAD") or "unknown"
    return head + ("-dirty" if git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!results") else "")


def write(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train-step", default="build/bench/train_step", help="the benchmark binary (an MPI build)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    ap.add_argument("--iters", type=int, default=10, help="timed iterations per measurement (10)")
    ap.add_argument("--isa", default=default_isa(), help="kernel ISA (the CPU's best f32 one)")
    ap.add_argument("--out", default="results/bench", help="output folder (results/bench)")
    ap.add_argument("--commit", default="", help="commit to record (default: HEAD, -dirty when sources changed)")
    args = ap.parse_args()
    if args.rounds < 1 or args.iters < 1:
        sys.exit("mpi_scaling.py: --rounds and --iters must be at least 1")
    if not os.access(args.train_step, os.X_OK):
        sys.exit(f"mpi_scaling.py: --train-step {args.train_step} is not an executable (make {args.train_step})")
    if not os.path.isdir(args.out):
        sys.exit(f"mpi_scaling.py: --out {args.out} is not a folder")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    help_text = run([args.train_step, "--help"], env)
    if "mpirun" not in help_text or subprocess.run(["sh", "-c", "command -v mpirun"], capture_output=True).returncode:
        sys.exit("mpi_scaling.py: needs mpirun and an MPI build of train_step (scripts/deps.sh mpi, then make)")

    commit = args.commit or git_commit()
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    rows, traffic, cpu = [], None, None
    for r in range(1, args.rounds + 1):
        for name, ranks, threads in CONFIGS:
            load = load_average()
            its, t, c = measure(args, name, ranks, threads, env)
            traffic = t or traffic
            cpu = c or cpu
            rows.append((r, name, ranks, threads, its, load))
            print(f"round {r}: {name}: {its:.2f} it/s (load before: {load})", file=sys.stderr)
    if not traffic or not cpu:
        sys.exit("mpi_scaling.py: train_step did not report its CPU or its traffic under mpirun")
    model, slug = cpu.group(1), cpu.group(2)
    calls, nbytes, pieces = float(traffic.group(1)), int(traffic.group(2)), float(traffic.group(3))
    med = {name: statistics.median(x[4] for x in rows if x[1] == name) for name, _, _ in CONFIGS}
    spread = {name: (min(x[4] for x in rows if x[1] == name), max(x[4] for x in rows if x[1] == name))
              for name, _, _ in CONFIGS}
    pair = [a[4] / b[4] for a in rows if a[1] == "np2-t1" for b in rows if b[1] == "np1-t2" and b[0] == a[0]]

    prov = [f"# commit: {commit}", f"# command: {' '.join(sys.argv)}", f"# start: {start}", f"# cpu: {model}",
            f"# isa: {args.isa}", f"# iterations: {args.iters} timed per measurement, {args.rounds} interleaved rounds",
            "# batch_data: synthetic (bench/train_step; the time does not depend on pixel values)"]
    csv = prov + ["round,config,ranks,threads_per_rank,it_per_s,loadavg_before"]
    csv += [f"{r},{n},{k},{t},{i:.3f},{l}" for r, n, k, t, i, l in rows]
    write(os.path.join(args.out, f"mpi-{slug}.csv"), "\n".join(csv) + "\n")

    t_sample = 1.0 / (med["np1-t1"] * BATCH)  # one core's seconds per image of the iteration
    md = [f"# Data-parallel training on {model} ({slug})", "",
          "Written by `bench/mpi_scaling.py` (`make bench-mpi`); " + ", ".join(p[2:] for p in prov[:3]) + ".", "",
          f"MNIST training iteration, batch {BATCH}, {args.isa} kernels, {args.rounds} interleaved rounds of "
          f"{args.iters} timed iterations (2 cores, shared machine).", "",
          "| configuration | median it/s | min - max |", "|---|---|---|"]
    labels = {"np1-t2": "1 process, 2 threads", "np2-t1": "mpirun -np 2, 1 thread each", "np1-t1": "1 process, 1 thread"}
    md += [f"| {labels[n]} | {med[n]:.2f} | {spread[n][0]:.2f} - {spread[n][1]:.2f} |" for n, _, _ in CONFIGS]
    md += ["", f"- np=2 against one 2-thread process: **{statistics.median(pair):.2f}x** the throughput, the median "
           f"of the per-round ratios (rounds {min(pair):.2f} - {max(pair):.2f}; ratio of the medians "
           f"{med['np2-t1'] / med['np1-t2']:.2f}; target 0.9x).",
           f"- Scaling efficiency of np=2 against 1 thread: {med['np2-t1'] / (2 * med['np1-t1']):.2f}.",
           f"- Summed across the ranks per iteration: {nbytes / 1e6:.1f} MB in {calls:.0f} calls: the D/Q and G "
           f"gradient blocks once each (4 bytes x parameters) in {pieces:.0f} pieces of at most 16 MiB, each piece "
           "summed onto the ranks' shards and the stepped shards gathered back; the other calls batch-norm "
           "statistics and the logged losses.",
           "", "## Model at scale", "",
           f"Step time = compute of the local batch + the allreduce, not overlapped (the sums follow each backward). "
           f"Compute: {t_sample * 1e3:.2f} ms per image on one core (the 1-thread median above), assumed linear "
           "in the local batch (optimistic for small local batches, where GEMMs run below peak). Allreduce: for "
           "each piece of the gradient blocks a ring reduce-scatter and a ring gather (each rank sends and receives "
           "2 (p-1)/p of the bytes, 2 (p-1) latencies per piece), 2 log2 p latencies for each small call. Link bandwidth and latency are assumptions, not measurements: "
           + "; ".join(f"{n}: {bw * 8 / 1e9:.0f} Gb/s, {lat * 1e6:.0f} us per message" for n, bw, lat in LINKS) + ".", "",
           "| link | ranks | step at batch 128 (ms) | of which allreduce | efficiency at batch 128 | global batch for 80% |",
           "|---|---|---|---|---|---|"]
    for name, bw, lat in LINKS:
        for p in RANKS:
            comm = allreduce_seconds(p, nbytes, calls, pieces, bw, lat)
            comp = t_sample * BATCH / p
            need = math.ceil(4 * comm * p / t_sample)  # comp >= 4 comm
            md.append(f"| {name} | {p} | {(comp + comm) * 1e3:.1f} | {comm * 1e3:.1f} | {comp / (comp + comm):.0%} | {need:,} ({need / p:,.0f} per rank) |")
    md += ["", "Where it stops scaling: once the allreduce, which does not shrink with more ranks, "
           "outweighs the compute of the local batch, which does. A larger global batch keeps each rank's compute "
           "above the allreduce; the paper's recipes were tuned at batch 64-128, so such batches change the "
           "training, not only its speed."]
    write(os.path.join(args.out, f"mpi-{slug}.md"), "\n".join(md) + "\n")
    print(f"mpi_scaling.py: wrote {args.out}/mpi-{slug}.csv and .md", file=sys.stderr)


main()
