#!/usr/bin/python3
"""torch_step.py: the MNIST InfoGAN training iteration in PyTorch, timed beside ours.

The network of the paper's Table 1 (the layers of lib/arch.c's "mnist" table), batch 128,
one D/Q step and one G step as lib/infogan.c's infogan_step runs them: D/Q on the real and
the fake batch separately (batch statistics of each), loss -log D(x) - log(1 - D(G(z))) +
L_I with Adam(2e-4, 0.5, 0.999) on D and Q; then G on fresh z with -log D(G(z)) + L_I and
Adam(1e-3, 0.5, 0.999). Q: 10-way categorical cross-entropy and two Gaussian codes with
std 1. Each round times PyTorch with 1 and 2 threads (and, with --bf16, under CPU autocast
to bfloat16), then runs our bench/train_step (--ours); --rounds (5) interleaves them, so a
burst of load on this shared machine hits both. Prints the load average before each round,
each configuration's median and spread over the rounds with its share of the multiply-add
peak train_step measured, and the ratios per round with their median and spread: our best
full-precision ISA over PyTorch's best f32 setting, and (when ours has bf16 rows,
avx512bf16 or amx) our best bf16 ISA over PyTorch's best setting of either precision.
--out writes DIR/torch-<cpu>.csv with its provenance.

Needs Debian's python3-torch in the system Python: apt-get install python3-torch.
"""
import argparse
import datetime
import os
import shlex
import statistics
import re
import subprocess
import sys
import time


# Our ISAs whose GEMMs round operands to bfloat16 (kernels.h: kern_isa_reduced).
BF16_ISAS = ("avx512bf16", "amx")

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("torch_step.py: PyTorch is missing; install Debian's: apt-get install python3-torch "
             "(then run with /usr/bin/python3)")

BATCH, NOISE, CATS, CONTS = 128, 62, 10, 2
LATENT = NOISE + CATS + CONTS


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(LATENT, 1024)
        self.bn1 = nn.BatchNorm1d(1024, eps=1e-5)
        self.fc2 = nn.Linear(1024, 7 * 7 * 128)
        self.bn2 = nn.BatchNorm1d(7 * 7 * 128, eps=1e-5)  # per feature, as after a linear layer
        self.up1 = nn.ConvTranspose2d(128, 64, 4, 2, 1)
        self.bn3 = nn.BatchNorm2d(64, eps=1e-5)
        self.up2 = nn.ConvTranspose2d(64, 1, 4, 2, 1)

    def forward(self, z):
        h = F.relu(self.bn1(self.fc1(z)))
        h = F.relu(self.bn2(self.fc2(h))).view(-1, 128, 7, 7)
        h = F.relu(self.bn3(self.up1(h)))
        return torch.sigmoid(self.up2(h))


class Discriminator(nn.Module):
    """The D/Q trunk with D's and Q's heads."""

    def __init__(self, slope=0.01):
        super().__init__()
        self.slope = slope
        self.conv1 = nn.Conv2d(1, 64, 4, 2, 1)
        self.conv2 = nn.Conv2d(64, 128, 4, 2, 1)
        self.bn2 = nn.BatchNorm2d(128, eps=1e-5)
        self.fc = nn.Linear(7 * 7 * 128, 1024)
        self.bn3 = nn.BatchNorm1d(1024, eps=1e-5)
        self.d = nn.Linear(1024, 1)
        self.q1 = nn.Linear(1024, 128)
        self.qbn = nn.BatchNorm1d(128, eps=1e-5)
        self.q2 = nn.Linear(128, CATS + CONTS)

    def forward(self, x, with_q=True):
        s = self.slope
        h = F.leaky_relu(self.conv1(x), s)
        h = F.leaky_relu(self.bn2(self.conv2(h)), s)
        h = F.leaky_relu(self.bn3(self.fc(h.flatten(1))), s)
        d = self.d(h).squeeze(1)
        q = self.q2(F.leaky_relu(self.qbn(self.q1(h)), s)) if with_q else None
        return d, q


def sample_latent(gen):
    noise = torch.rand(BATCH, NOISE, generator=gen) * 2 - 1
    cat = torch.randint(0, CATS, (BATCH,), generator=gen)
    cont = torch.rand(BATCH, CONTS, generator=gen) * 2 - 1
    return torch.cat([noise, F.one_hot(cat, CATS).float(), cont], 1), cat, cont


def info_loss(q, cat, cont):
    """L_I as a loss: categorical cross-entropy + Gaussian NLL with std 1 (constants dropped)."""
    return F.cross_entropy(q[:, :CATS], cat) + 0.5 * ((q[:, CATS:] - cont) ** 2).sum(1).mean()


class Model:
    def __init__(self, bf16=False):
        self.bf16 = bf16  # forward passes under CPU autocast to bfloat16
        torch.manual_seed(1)
        self.g, self.dq = Generator(), Discriminator()
        self.opt_d = torch.optim.Adam(self.dq.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=1e-3, betas=(0.5, 0.999), eps=1e-8)
        self.gen = torch.Generator().manual_seed(1)
        self.real = torch.rand(BATCH, 1, 28, 28, generator=self.gen)

    def step(self):
        # D/Q step: G's output is an input here (no gradient into G)
        z, cat, cont = sample_latent(self.gen)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            with torch.no_grad():
                fake = self.g(z)
            self.opt_d.zero_grad(set_to_none=False)
            d_real, _ = self.dq(self.real, with_q=False)
            d_fake, q = self.dq(fake)
            loss = (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
                    + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
                    + info_loss(q.float(), cat, cont))
        loss.backward()
        self.opt_d.step()
        # G step on fresh z: D/Q's parameters get no gradient
        z, cat, cont = sample_latent(self.gen)
        self.dq.requires_grad_(False)
        self.opt_g.zero_grad(set_to_none=False)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            d_fake, q = self.dq(self.g(z))
            loss = (F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))
                    + info_loss(q.float(), cat, cont))
        loss.backward()
        self.opt_g.step()
        self.dq.requires_grad_(True)


def time_torch(threads, warmup, iters, bf16=False):
    torch.set_num_threads(threads)
    m = Model(bf16)
    for _ in range(warmup):
        m.step()
    t0 = time.perf_counter()
    for _ in range(iters):
        m.step()
    return iters / (time.perf_counter() - t0)


def run_ours(cmd):
    """Our rows from bench/train_step's output: {(isa, threads): (it/s, peak GFLOP/s or None)},
    the GFLOP of one iteration, and the CPU slug."""
    out = subprocess.run(cmd, shell=True, check=True, capture_output=True, text=True).stdout
    rows = {}
    for m in re.finditer(r"^(\w+), (\d+) thread\(s\): ([0-9.]+) it/s(?:.*of the ([0-9.]+) GFLOP/s)?",
                         out, re.M):
        rows[(m.group(1), int(m.group(2)))] = (float(m.group(3)),
                                               float(m.group(4)) if m.group(4) else None)
    if not rows:
        sys.exit("torch_step.py: no 'isa, N thread(s): X it/s' line in the output of: " + cmd)
    slug = re.search(r"\(cpu slug ([\w.-]+)\)", out)
    gflop = re.search(r"^\w+ +\d+ +\d+ +[0-9.]+ +([0-9.]+) ", out, re.M)
    return rows, float(gflop.group(1)) if gflop else None, slug.group(1) if slug else "unknown"


def spread(xs):
    """'median [min-max]' of a list of rates."""
    return f"{statistics.median(xs):.2f} [{min(xs):.2f}-{max(xs):.2f}]"


def provenance(argv, start, wall, extra):
    """The '# key: value' header lines every result file here carries."""
    def git(*args):
        r = subprocess.run(["git", *args], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else "unknown"
    commit = git("rev-parse", "HEAD")
    # dirty: tracked files changed outside results/ (as lib/provenance.c)
    if commit != "unknown" and git("status", "--porcelain", "--untracked-files=no", "--", ":(top)",
                                   ":(top,exclude)results"):
        commit += "-dirty"
    lines = [("commit", commit), ("command", " ".join(shlex.quote(a) for a in argv)),
             ("start", start), ("wall_s", f"{wall:.1f}")] + extra
    return "".join(f"# {k}: {v}\n" for k, v in lines)


def blas_libraries():
    """The BLAS libraries PyTorch has loaded (from /proc/self/maps, after a matrix product)."""
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.split()[-1]}
    return sorted(paths)


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iters", type=int, default=10, help="timed iterations per configuration (10)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed iterations first (2)")
    ap.add_argument("--threads", default="1,2", help="PyTorch thread counts (1,2)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved PyTorch/ours rounds (5)")
    ap.add_argument("--bf16", action="store_true",
                    help="also time PyTorch under CPU autocast to bfloat16")
    ap.add_argument("--ours", help="command running our bench/train_step, timed after PyTorch")
    ap.add_argument("--out", help="with --ours: write OUT/torch-<cpu>.csv")
    a = ap.parse_args()
    if a.rounds < 1 or a.iters < 1 or a.warmup < 0:
        sys.exit("torch_step.py: --rounds and --iters must be at least 1, --warmup at least 0")
    if a.out and not a.ours:
        sys.exit("torch_step.py: --out needs --ours (the file compares the two)")
    blas = blas_libraries()
    if any("/blas/libblas" in p for p in blas):  # Debian's reference BLAS (libblas3)
        sys.exit(f"torch_step.py: PyTorch runs on the reference BLAS ({', '.join(blas)}), many times "
                 "slower than on OpenBLAS: install libopenblas0 (scripts/deps.sh bench) and rerun")
    threads = [int(t) for t in a.threads.split(",")]
    start = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    t0 = time.monotonic()
    print(f"PyTorch {torch.__version__}, MNIST InfoGAN iteration, batch {BATCH}")
    # rows: (round, impl, isa or precision, threads, it/s, load average before the round)
    rows, ratios, ratios_bf16, slug, gflop, peaks = [], [], [], "unknown", None, {}
    settings = [(th, False) for th in threads] + ([(th, True) for th in threads] if a.bf16 else [])
    for rnd in range(1, a.rounds + 1):
        load = load_average()
        print(f"round {rnd}: load average {load}", flush=True)
        best_f32 = best_any = 0.0
        for th, bf16 in settings:
            r = time_torch(th, a.warmup, a.iters, bf16)
            best_any = max(best_any, r)
            best_f32 = best_f32 if bf16 else max(best_f32, r)
            rows.append((rnd, "pytorch", "bf16-autocast" if bf16 else "f32", th, r, load))
            print(f"round {rnd}: pytorch{' bf16 autocast' if bf16 else ''}, {th} thread(s): "
                  f"{r:.2f} it/s", flush=True)
        if not a.ours:
            continue
        ours, gflop, slug = run_ours(a.ours)
        for (isa, th), (r, peak) in sorted(ours.items()):
            rows.append((rnd, "ours", isa, th, r, load))
            if peak:
                peaks.setdefault((isa, th), []).append(peak)
            print(f"round {rnd}: ours {isa}, {th} thread(s): {r:.2f} it/s", flush=True)
        full = {k: v[0] for k, v in ours.items() if k[0] not in BF16_ISAS}
        (isa, th), r = max(full.items(), key=lambda kv: kv[1])
        ratios.append(r / best_f32)
        print(f"round {rnd}: best ours {r:.2f} it/s ({isa}, {th} threads) / PyTorch f32 "
              f"{best_f32:.2f} it/s = {ratios[-1]:.2f}x", flush=True)
        bf = {k: v[0] for k, v in ours.items() if k[0] in BF16_ISAS}
        if bf:
            (isa, th), r = max(bf.items(), key=lambda kv: kv[1])
            ratios_bf16.append(r / best_any)
            print(f"round {rnd}: ours {isa} {r:.2f} it/s / PyTorch's best of either precision "
                  f"{best_any:.2f} it/s = {ratios_bf16[-1]:.2f}x", flush=True)
    if not a.ours:
        return

    # Each configuration's median and spread over the rounds, and its share of the peak
    # measured in the same run (FMA for f32 rows, VDPBF16PS for bf16 rows; AMX rows: see
    # train_step).
    def peak_of(impl, isa, th):
        if impl == "ours":
            p = peaks.get((isa, th))
        else:
            fam = ("avx512bf16",) if isa == "bf16-autocast" else ("avx512", "avx2", "neon", "scalar")
            p = next((peaks[(f, th)] for f in fam if (f, th) in peaks), None)
        return statistics.median(p) if p else None
    summary = []
    for key in dict.fromkeys((impl, isa, th) for _, impl, isa, th, _, _ in rows):
        rates = [r for _, impl, isa, th, r, _ in rows if (impl, isa, th) == key]
        peak = peak_of(*key)
        pct = 100 * gflop * statistics.median(rates) / peak if peak and gflop else None
        summary.append((*key, rates, pct))
    print(f"\nper configuration over {a.rounds} rounds: median [min-max] it/s, share of peak")
    for impl, isa, th, rates, pct in summary:
        print(f"  {impl:8s} {isa:14s} {th} thread(s): {spread(rates)}"
              + (f", {pct:.0f}% of peak" if pct is not None else ""))
    med = statistics.median(ratios)
    print(f"ours (full precision) / PyTorch's best f32, per round: {spread(ratios)}x")
    med_bf16 = statistics.median(ratios_bf16) if ratios_bf16 else None
    if med_bf16:
        print(f"ours bf16 / PyTorch's best of either precision, per round: {spread(ratios_bf16)}x")
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        path = os.path.join(a.out, f"torch-{slug}.csv")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(provenance(sys.argv, start, time.monotonic() - t0, [
                ("cpu", slug), ("pytorch", torch.__version__),
                ("pytorch_blas", ", ".join(blas) or "none loaded"),
                ("ours_command", a.ours),
                ("rounds", f"{a.rounds}, each PyTorch at threads {a.threads} then ours; "
                           f"{a.warmup} warm-up + {a.iters} timed iterations per row"),
                ("pytorch_bf16_autocast", "timed" if a.bf16 else "not timed"),
                ("gflop_per_iter", f"{gflop:.3f}" if gflop else "unknown"),
                ("pct_of_peak", "median it/s x GFLOP per iteration / the multiply-add loop peak "
                                "measured by train_step at the same threads (FMA for f32, "
                                "VDPBF16PS for bf16 rows)"),
                ("summary", "; ".join(f"{impl} {isa} {th}t: {spread(rates)} it/s"
                                      + (f" {pct:.0f}% of peak" if pct is not None else "")
                                      for impl, isa, th, rates, pct in summary)),
                ("ratio", "our best full-precision ISA / PyTorch's best f32 setting"),
                ("ratio_per_round", " ".join(f"{x:.3f}" for x in ratios)),
                ("ratio_median", f"{med:.3f}"),
                ("ratio_bf16", "our best bf16 ISA / PyTorch's best setting of either precision"),
                ("ratio_bf16_per_round", " ".join(f"{x:.3f}" for x in ratios_bf16) or "none"),
                ("ratio_bf16_median", f"{med_bf16:.3f}" if med_bf16 else "none")]))
            f.write("round,impl,isa,threads,it_per_s,loadavg_1min\n")
            for rnd, impl, isa, th, r, load in rows:
                f.write(f"{rnd},{impl},{isa},{th},{r:.3f},{load.split()[0]}\n")
        os.replace(tmp, path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
