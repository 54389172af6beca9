#!/usr/bin/python3
"""infogan_twin.py: our InfoGAN run rebuilt in PyTorch, to tell recipe faults from engine faults.

It trains the networks of lib/model/arch.c (read from `arch_tables --dump`, so the layers,
shapes, padding and batch-norm groups are the ones our C engine builds) with our recipe on a
stand-in file our C code rendered, and scores Q on the same held-out images with the same
normalized MI. If the twin finds the factors and our engine does not, suspect the engine; if
neither does, the recipe.

Mirrored from our C code:
- settings: --model takes the line our program prints for a setting (`chairs model --config
  rotation`: arch, latent, batch, rates, lambdas, warm-up, ...), so the twin trains what
  `chairs train --config rotation` trains; the line the twin rebuilds must equal it, and a
  setting the twin has no flag for must be the dump's default (make twin-faces, twin-chairs).
- data: the "IGDSET1" file (lib/data/catalog.c), bytes / 255 in float32 (2x - 1 when G
  ends in tanh); --n keeps the first N images, the last min(--n-eval, N / 2) are held out
  (lib/harness/run.c); every epoch a fresh permutation of the training images, a partial
  last batch skipped (lib/model/train.c).
- networks: arch_tables --dump: FC, conv, upconv, batch norm, ReLU, leaky ReLU, sigmoid,
  tanh in the table's order; a spectrally normalized FC or conv through PyTorch's
  spectral_norm (one power iteration per forward, u stored at each; ours stores it at the
  first forward of a step). A conv's padding before and after as dumped (TensorFlow "same":
  1 and 1 for 4x4 stride 2, 1 before and 2 after for 4x4 stride 1); an upconv is the adjoint
  of that conv (full transposed conv, cropped by the same padding). Batch norm always on batch
  statistics (no running averages, in training and in scoring as ours), over the groups
  dumped: each feature after an FC layer, each channel after a conv; eps from the dump.
- init (lib/nn/nn.c): FC and upconv weights N(0, init_std), conv weights N(0, init_std)
  truncated at 2 std, BN gamma N(1, init_std), every bias and beta 0.
- latent (lib/model/latent.c): noise U(-1,1), Cat(K) one-hot, continuous codes U(-1,1); Q's
  row: logits, then means, then (--std learned) log stds.
- step (lib/model/infogan.c): D/Q on the real batch and on G(z) (separate batch
  statistics), loss softplus(-D(x)) + softplus(D(G(z))) + sum lambda * NLL(code), Adam on
  the trunk and both heads with --lr-d; then G on fresh z: softplus(-D(G(z))) + sum lambda *
  NLL (not with --gan, nor in the first --info-warmup steps), Adam on G with --lr-g. NLL:
  cross-entropy for a categorical code, Gaussian -log N(c; mean, std) with std 1 or
  exp(log std), the log std clamped to [log --std-min, 1] (--std-min 0: not clamped; no
  gradient where clamped). Adam betas, eps, leaky slope, init std and BN eps: the dump's
  default settings unless a flag says otherwise.
- scores (lib/harness/score.c): Q on the held-out images in equal chunks of at most --batch
  (batch statistics), the mean of a continuous code and the argmax of a categorical one;
  normalized MI with 20 equal-width bins over each code's range (twin_common.py, checked
  against ours by tests/twin_score.py), MIG.

Where the twin cannot mirror us exactly:
- random numbers: PyTorch's generators, not our xoshiro256** streams: the same distributions
  (init, latent prior, epoch order), other draws. A twin run is another seed, never a replay
  of ours: compare outcomes over seeds, not single runs.
- the truncated normal: torch.nn.init.trunc_normal_ (inverse CDF) against our rejection
  sampling; the same distribution.
- arithmetic: PyTorch's GEMMs, convolutions and reductions sum in other orders; our losses
  and batch-norm statistics sum in double, PyTorch's in float32. Steps differ at about 1e-7
  relative, which GAN training amplifies. PyTorch's results also change with --threads;
  ours do not.
- the G step: ours skips D's weight gradients; the twin freezes D's parameters. Same update.
- data: only the stand-in file (not the real data folders our loaders read).
- outputs: no checkpoints or --resume; result.csv has MIG and the best codes, not SAP or
  FactorVAE; samples.png has no per-panel markdown.

Writes to --out DIR: log.csv (our columns: iteration, d_loss, g_loss, d_real, d_fake, li,
li_g, li per code), nmi.csv (score.c's columns), result.csv (MIG, best code per factor, seconds
per iteration), samples.png (one row per code swept over 10 values, the other inputs fixed);
each with its provenance. A 2,000-iteration Faces run at Table 5's azimuth setting
(`make twin-faces` runs it; 1.4-1.8 s per iteration at batch 128 on 2 threads of our shared
2-core machine at load 3-6, ours 0.7-1.1 s: 45-60 minutes):
  /usr/bin/python3 experiments/twin/infogan_twin.py --data data/standin/faces.bin --arch faces \\
      --latent noise:128,cont:5 --iterations 2000 --batch 128 --lr-d 2e-4 --lr-g 5e-4 \\
      --lambda-cont 0.2 --seed 1 --threads 2 --n-eval 5000 --out results/diagnostics/twin/faces-azimuth-seed1
and ours on the same file: build/bin/faces train --run-dir DIR --config azimuth --iterations 2000.
Needs Debian's python3-torch in the system Python: apt-get install python3-torch.
"""
import argparse
import math
import os
import struct
import subprocess
import sys
import time
import zlib

import twin_common as tc

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    tc.fail("PyTorch is missing; install Debian's: apt-get install python3-torch (then run with /usr/bin/python3)")

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
LOG_STD_MAX = 1.0  # lib/model/losses.h LOSS_LOG_STD_MAX: a learned std is at most e
LOG_EVERY = 500    # log.csv is rewritten every this many iterations


# ---- the networks ------------------------------------------------------------------------------

class Linear(nn.Module):
    """FC on the flattened input, output (N, C, H, W) as ours (FC 8x8x128 feeds an upconv)."""

    def __init__(self, l):
        super().__init__()
        self.shape = (l.out_c, l.out_h, l.out_w)
        self.fc = nn.Linear(l.in_c * l.in_h * l.in_w, l.out_c * l.out_h * l.out_w)

    def forward(self, x):
        return self.fc(x.flatten(1)).view(-1, *self.shape)


class Conv(nn.Module):
    def __init__(self, l):
        super().__init__()
        self.pads = (l.pad_before, l.pad_after) * 2
        self.conv = nn.Conv2d(l.in_c, l.out_c, l.kernel, l.stride)

    def forward(self, x):
        return self.conv(F.pad(x, self.pads) if any(self.pads) else x)


class UpConv(nn.Module):
    """The adjoint of the conv from our output to our input: the full transposed conv,
    cropped by that conv's padding."""

    def __init__(self, l):
        super().__init__()
        full = (l.in_h - 1) * l.stride + l.kernel
        if full != l.out_h + l.pad_before + l.pad_after:
            tc.fail(f"upconv {l.in_h} -> {l.out_h} with padding {l.pad_before}, {l.pad_after} is not "
                    "the adjoint of a conv the twin can build")
        self.crop = slice(l.pad_before, l.pad_before + l.out_h)
        self.up = nn.ConvTranspose2d(l.in_c, l.out_c, l.kernel, l.stride)

    def forward(self, x):
        return self.up(x)[:, :, self.crop, self.crop]


class BatchNorm(nn.Module):
    """Batch statistics over (batch, rest) of each of `groups` groups (ours: each feature
    after an FC layer, each channel elsewhere); no running averages."""

    def __init__(self, l, eps):
        super().__init__()
        self.groups = l.bn_groups
        self.bn = nn.BatchNorm1d(l.bn_groups, eps=eps, track_running_stats=False)

    def forward(self, x):
        return self.bn(x.reshape(x.shape[0], self.groups, -1)).view(x.shape)


def build(layers, cfg):
    mods = []
    for l in layers:
        if l.kind == "linear":
            mods.append(Linear(l))
        elif l.kind == "conv":
            mods.append(Conv(l))
        elif l.kind == "upconv":
            mods.append(UpConv(l))
        elif l.kind == "batchnorm":
            mods.append(BatchNorm(l, cfg["bn_eps"]))
        elif l.kind == "relu":
            mods.append(nn.ReLU())
        elif l.kind == "lrelu":
            mods.append(nn.LeakyReLU(cfg["leaky"]))
        elif l.kind == "sigmoid":
            mods.append(nn.Sigmoid())
        elif l.kind == "tanh":
            mods.append(nn.Tanh())
        else:
            tc.fail(f"arch_tables --dump has a layer kind the twin does not know: {l.kind}")
    net = nn.Sequential(*mods)
    std = cfg["init_std"]
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.trunc_normal_(m.weight, 0.0, std, -2 * std, 2 * std)
            elif isinstance(m, (nn.Linear, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, std)
            elif isinstance(m, nn.BatchNorm1d):
                nn.init.normal_(m.weight, 1.0, std)
            if isinstance(m, (nn.Conv2d, nn.Linear, nn.ConvTranspose2d, nn.BatchNorm1d)):
                nn.init.zeros_(m.bias)
    for l, m in zip(layers, mods):
        if l.sn:  # as ours: one power iteration per forward (PyTorch stores u at every one)
            if l.kind == "linear":
                m.fc = nn.utils.spectral_norm(m.fc)
            else:
                m.conv = nn.utils.spectral_norm(m.conv)
    return net


# ---- the model and its step -------------------------------------------------------------------

class Twin:
    def __init__(self, a, latent, cfg, args):
        torch.manual_seed(args.seed)  # the weights
        self.latent, self.cfg, self.args = latent, cfg, args
        self.g = build(a.nets["g"], cfg)
        self.trunk, self.d_head, self.q_head = (build(a.nets[k], cfg) for k in ("trunk", "d_head", "q_head"))
        self.dq = nn.ModuleList([self.trunk, self.d_head, self.q_head])
        betas = (cfg["beta1"], cfg["beta2"])
        self.opt_d = torch.optim.Adam(self.dq.parameters(), lr=cfg["lr_d"], betas=betas, eps=cfg["adam_eps"])
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=cfg["lr_g"], betas=betas, eps=cfg["adam_eps"])
        self.gen_latent = torch.Generator().manual_seed(stream_seed(args.seed, 4))
        lo = math.log(cfg["std_min"]) if cfg["std_min"] > 0 else -math.inf
        self.log_std_range = (lo, LOG_STD_MAX if cfg["std_min"] > 0 else math.inf)

    def sample(self, n):
        """z (n, in_dim) from the prior."""
        z = torch.empty(n, self.latent.in_dim)
        for kind, dim, at in self.latent.parts:
            if kind == "cat":
                pick = torch.randint(0, dim, (n,), generator=self.gen_latent)
                z[:, at:at + dim] = F.one_hot(pick, dim).float()
            else:
                z[:, at:at + dim] = torch.rand(n, dim, generator=self.gen_latent) * 2 - 1
        return z

    def info_nll(self, q, z):
        """Each code's mean negative log-likelihood under Q (Eq. 5 without H(c))."""
        out = []
        for c in self.latent.codes:
            if c.kind == "cat":
                target = z[:, c.in_offset:c.in_offset + c.k].argmax(1)
                out.append(F.cross_entropy(q[:, c.q_offset:c.q_offset + c.k], target))
                continue
            mean, x = q[:, c.q_offset], z[:, c.in_offset]
            if self.args.std == "learned":
                s = q[:, c.q_offset + self.latent.n_cont].clamp(*self.log_std_range)
                out.append((HALF_LOG_2PI + s + 0.5 * (x - mean) ** 2 * torch.exp(-2 * s)).mean())
            else:
                out.append((HALF_LOG_2PI + 0.5 * (x - mean) ** 2).mean())
        return out

    def weighted(self, nll):
        cfg = self.cfg
        return sum((cfg["lambda_cat"] if c.kind == "cat" else cfg["lambda_cont"]) * v
                   for c, v in zip(self.latent.codes, nll))

    def noisy(self, x, iteration):
        """D's input: x, or x + N(0, std^2) with --instance-noise (std falling linearly to 0 at
        --instance-noise-decay), as our infogan_instance_noise_std."""
        sd = self.args.instance_noise
        if sd > 0 and self.args.instance_noise_decay > 0:
            sd *= max(0.0, 1 - iteration / self.args.instance_noise_decay)
        return x + sd * torch.randn(x.shape, generator=self.gen_latent) if sd > 0 else x

    def step(self, real, iteration):
        """One D/Q step and --g-steps G steps; returns log.csv's numbers."""
        b = real.shape[0]
        z = self.sample(b)
        with torch.no_grad():
            fake = self.g(z)
        logit_real = self.d_head(self.trunk(self.noisy(real, iteration))).view(b)
        h = self.trunk(self.noisy(fake, iteration))
        logit_fake, q = self.d_head(h).view(b), self.q_head(h).flatten(1)
        d_loss = F.softplus(-logit_real).mean() + F.softplus(logit_fake).mean()
        nll = self.info_nll(q, z)
        self.opt_d.zero_grad()
        (d_loss + self.weighted(nll)).backward()
        self.opt_d.step()

        self.dq.requires_grad_(False)
        for _ in range(self.args.g_steps):
            z = self.sample(b)
            h = self.trunk(self.noisy(self.g(z), iteration))
            logit, q_g = self.d_head(h).view(b), self.q_head(h).flatten(1)
            g_loss = F.softplus(-logit).mean()
            nll_g = self.info_nll(q_g, z)
            reward = not self.args.gan and iteration >= self.args.info_warmup
            self.opt_g.zero_grad()
            (g_loss + self.weighted(nll_g) if reward else g_loss).backward()
            self.opt_g.step()
        self.dq.requires_grad_(True)

        li = [c.entropy() - v.item() for c, v in zip(self.latent.codes, nll)]
        li_g = sum(c.entropy() - v.item() for c, v in zip(self.latent.codes, nll_g))
        return [d_loss.item(), g_loss.item(), torch.sigmoid(logit_real).mean().item(),
                torch.sigmoid(logit_fake).mean().item(), sum(li), li_g] + li

    @torch.no_grad()
    def chunked(self, fn, x):
        """fn over x in equal chunks of at most --batch rows (ours: infogan_q_forward)."""
        n = x.shape[0]
        chunks = -(-n // self.args.batch)
        sizes = [n // chunks + (ch < n % chunks) for ch in range(chunks)]
        return torch.cat([fn(part) for part in torch.split(x, sizes)])


def stream_seed(seed, stream):
    """A generator seed per stream of our rng.h (RNG_DATA 3, RNG_LATENT_D 4)."""
    return (seed * 1000003 + stream) % (1 << 63)


# ---- flags ---------------------------------------------------------------------------------------

class Parser(argparse.ArgumentParser):
    def error(self, message):
        tc.fail(f"{message} (see --help)")


def ranged(kind, lo, hi):
    def parse(v):
        try:
            x = kind(v)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{v}' is not a number")
        if not lo <= x <= hi:
            raise argparse.ArgumentTypeError(f"{v} is outside {lo}..{hi}")
        return x
    return parse


def parse_args():
    ap = Parser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="stand-in file our C code wrote (data/standin/faces.bin)")
    ap.add_argument("--model", metavar="LINE",
                    help="our settings line (`faces model --config azimuth` prints it): sets --arch, --latent, "
                         "--batch, --seed and every model flag below; with it, give none of them")
    ap.add_argument("--arch", help="architecture table of lib/model/arch.c (faces, chairs-lite, ...)")
    ap.add_argument("--latent", help="latent spec in our syntax (noise:128,cont:5)")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--iterations", type=ranged(int, 1, 1 << 30), default=2000, help="(2000)")
    ap.add_argument("--batch", type=ranged(int, 2, 4096), default=128, help="(128)")
    ap.add_argument("--lr-d", type=ranged(float, 0, 1), help="Adam rate of D and Q (the dump's default, 2e-4)")
    ap.add_argument("--lr-g", type=ranged(float, 0, 1), help="Adam rate of G (the dump's default, 1e-3)")
    ap.add_argument("--lambda-cat", type=ranged(float, 0, 1000), help="weight of categorical L_I (1)")
    ap.add_argument("--lambda-cont", type=ranged(float, 0, 1000), help="weight of continuous L_I (1)")
    ap.add_argument("--std", choices=("fixed", "learned"), default="fixed", help="Q's Gaussian std: 1 or exp(Q's output)")
    ap.add_argument("--std-min", type=ranged(float, 0, 1),
                    help="with --std learned, the std is clamped to [X, e] (the dump's std_min, else 0: no clamp)")
    ap.add_argument("--leaky", type=ranged(float, 0, 1), help="leaky ReLU slope (the dump's, 0.01)")
    ap.add_argument("--info-warmup", type=ranged(int, 0, 1 << 30), default=0,
                    help="G's first N steps without the L_I reward (chairs' settings: 200)")
    ap.add_argument("--gan", action="store_true", help="regular GAN baseline: Q trained, no L_I reward for G")
    ap.add_argument("--g-steps", type=ranged(int, 1, 10), default=1, help="G steps per D/Q step (1)")
    ap.add_argument("--instance-noise", type=ranged(float, 0, 10), default=0.0,
                    help="std of Gaussian noise on D's inputs (0: none)")
    ap.add_argument("--instance-noise-decay", type=ranged(int, 0, 1 << 30), default=0,
                    help="the noise falls linearly to 0 at this iteration (0: constant)")
    ap.add_argument("--seed", type=ranged(int, 0, (1 << 63) - 1), default=1, help="(1)")
    ap.add_argument("--threads", type=ranged(int, 1, 1024), default=os.cpu_count(), help="PyTorch threads (all cores)")
    ap.add_argument("--n", type=ranged(int, 0, 1 << 30), default=0, help="use the first N images (0: all)")
    ap.add_argument("--n-eval", type=ranged(int, 4, 1 << 30), default=5000, help="held-out images (5000)")
    ap.add_argument("--arch-tables", default=os.path.join(REPO, "build", "bin", "arch_tables"),
                    help="our arch_tables program (build/bin/arch_tables)")
    a = ap.parse_args()
    if a.model is not None:
        apply_model_line(a, ap)
    for flag in ("arch", "latent"):
        if getattr(a, flag) is None:
            ap.error(f"--{flag} (or --model) is required")
    if not a.out.strip("/"):
        tc.fail(f"--out '{a.out}': name an output folder (an empty path or / would write into the root folder)")
    return a


# Keys of our settings line the twin takes as flags (key -> (flag, type)); the rest it checks
# against the dump's defaults (MODEL_LINE_FIXED).
MODEL_LINE_FLAGS = {"arch": ("arch", str), "latent": ("latent", str), "batch": ("batch", int),
                    "lr_d": ("lr_d", float), "lr_g": ("lr_g", float), "lambda_cat": ("lambda_cat", float),
                    "lambda_cont": ("lambda_cont", float), "leaky": ("leaky", float), "std": ("std", str),
                    "std_min": ("std_min", float), "seed": ("seed", int), "info_warmup": ("info_warmup", int),
                    "g_steps": ("g_steps", int), "instance_noise": ("instance_noise", float),
                    "instance_noise_decay": ("instance_noise_decay", int)}
MODEL_LINE_FIXED = ("beta1", "beta2", "adam_eps", "init_std", "bn_eps")


def apply_model_line(a, ap):
    """--model LINE: our infogan_config_describe line sets the flags; a flag given beside it,
    an unknown key or a setting the twin cannot take is an error naming it."""
    given = {tok.split("=")[0][2:].replace("-", "_") for tok in sys.argv[1:] if tok.startswith("--")}
    clash = sorted(given & (set(MODEL_LINE_FLAGS) | {"gan"}))
    if clash:
        ap.error(f"--model sets --{clash[0].replace('_', '-')}; give one or the other")
    a.model_fixed = {}
    for tok in a.model.split():
        key, eq, val = tok.partition("=")
        if not eq:
            ap.error(f"--model: '{tok}' is not key=value")
        if key == "model":
            if val not in ("infogan", "gan"):
                ap.error(f"--model: model={val} (infogan or gan)")
            a.gan = val == "gan"
        elif key in MODEL_LINE_FLAGS:
            attr, kind = MODEL_LINE_FLAGS[key]
            try:
                setattr(a, attr, kind(val))
            except ValueError:
                ap.error(f"--model: {key}={val} is not a {kind.__name__}")
        elif key in MODEL_LINE_FIXED:
            a.model_fixed[key] = val
        else:
            ap.error(f"--model: the twin does not implement {key} ({tok})")


def model_config(a, dump):
    """Settings: the dump's defaults (infogan_config_default), then the flags."""
    d = dump.config
    try:
        cfg = {k: float(d[k]) for k in ("lr_d", "lr_g", "beta1", "beta2", "adam_eps", "lambda_cat",
                                         "lambda_cont", "leaky", "init_std", "bn_eps")}
        cfg["std_min"] = float(d.get("std_min", 0.0))
    except (KeyError, ValueError):
        tc.fail(f"{a.arch_tables} --dump: its config line lacks a setting the twin reads: {d}")
    for key in ("lr_d", "lr_g", "lambda_cat", "lambda_cont", "leaky", "std_min"):
        if getattr(a, key) is not None:
            cfg[key] = getattr(a, key)
    for key, val in getattr(a, "model_fixed", {}).items():
        if float(val) != cfg[key]:
            tc.fail(f"--model: {key}={val}, but the twin trains with the dump's {key}={cfg[key]:g} (no flag sets it)")
    return cfg


def describe(a, cfg, latent):
    """infogan_config_describe's line, to set beside our run's provenance."""
    line = (f"model={'gan' if a.gan else 'infogan'} arch={a.arch} latent={latent.text} batch={a.batch} "
            f"lr_d={cfg['lr_d']:g} lr_g={cfg['lr_g']:g} beta1={cfg['beta1']:g} beta2={cfg['beta2']:g} "
            f"adam_eps={cfg['adam_eps']:g} lambda_cat={cfg['lambda_cat']:g} lambda_cont={cfg['lambda_cont']:g} "
            f"leaky={cfg['leaky']:g} std={a.std} init_std={cfg['init_std']:g} bn_eps={cfg['bn_eps']:g} seed={a.seed}")
    if a.info_warmup:
        line += f" info_warmup={a.info_warmup}"
    if a.g_steps > 1:
        line += f" g_steps={a.g_steps}"
    if a.instance_noise > 0:
        line += f" instance_noise={a.instance_noise:g} instance_noise_decay={a.instance_noise_decay}"
    if a.std == "learned" and cfg["std_min"] > 0:
        line += f" std_min={cfg['std_min']:g}"
    return line


def read_dump(a, latent):
    cmd = [a.arch_tables, "--dump", "--latent", latent.text] + (["--learned-std"] if a.std == "learned" else []) + [a.arch]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    except OSError:
        tc.fail(f"cannot run {a.arch_tables} (build it: make build/bin/arch_tables)")
    if r.returncode != 0:
        tc.fail(f"{a.arch_tables} --dump: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else 'failed'}")
    dump = tc.read_arch_dump(r.stdout, a.arch_tables + " --dump")
    if dump.latent[1:] != (latent.in_dim, latent.q_dim(a.std == "learned")):
        tc.fail(f"--latent {latent.text}: arch_tables reads G's input and Q's output as {dump.latent[1:]}, "
                f"the twin as {(latent.in_dim, latent.q_dim(a.std == 'learned'))}")
    return dump


# ---- outputs ------------------------------------------------------------------------------------

def png_bytes(img, comment):
    """img (h, w, c) uint8, c 1 or 3, as PNG with a tEXt Comment chunk."""
    h, w, c = img.shape

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    raw = b"".join(b"\0" + img[y].tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0 if c == 1 else 2, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\0" + comment.encode("latin-1", "replace"))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def traversal(model, tanh):
    """One row per code: a fixed draw of the other inputs, the code swept over 10 values
    (-1..1, or a categorical code's categories in turn); (h * codes, w * 10, c) uint8."""
    latent, cols = model.latent, 10
    rows = []
    for c in latent.codes:
        z = model.sample(1).repeat(cols, 1)
        if c.kind == "cat":
            z[:, c.in_offset:c.in_offset + c.k] = F.one_hot(torch.arange(cols) % c.k, c.k).float()
        else:
            z[:, c.in_offset] = torch.linspace(-1, 1, cols)
        rows.append(z)
    img = model.chunked(model.g, torch.cat(rows))
    img = (img + 1) / 2 if tanh else img
    n, ch, h, w = img.shape
    grid = img.clamp(0, 1).mul(255).round().byte().view(len(rows), cols, ch, h, w)
    return grid.permute(0, 3, 1, 4, 2).reshape(len(rows) * h, cols * w, ch).numpy()


def tune_runtime():
    """Re-executes this program once with glibc's malloc kept off mmap and a short OpenMP spin.
    PyTorch's Adam and backward passes allocate tensors of tens of MB every step; from mmap
    each one faults its pages in afresh (sqrt of 8.5M floats: 100-150 ms, 4 ms with these
    settings on this machine). GOMP_SPINCOUNT as our Makefile sets it (a shared machine)."""
    want = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4000000000"
    if want in os.environ.get("GLIBC_TUNABLES", ""):
        return
    env = dict(os.environ, GLIBC_TUNABLES=":".join(filter(None, [os.environ.get("GLIBC_TUNABLES"), want])))
    env.setdefault("GOMP_SPINCOUNT", "10000")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def main():
    a = parse_args()
    tune_runtime()
    torch.set_num_threads(a.threads)
    latent = tc.Latent(a.latent)
    dump = read_dump(a, latent)
    cfg = model_config(a, dump)
    d = tc.read_dataset(a.data, a.n)
    if (d.c, d.h, d.w) != dump.image:
        tc.fail(f"--arch {a.arch} needs {'x'.join(map(str, dump.image))} images; {a.data} has {d.c}x{d.h}x{d.w}")
    n_train, n_eval = tc.held_out_split(d.n, a.n_eval, a.batch, a.data)
    os.makedirs(a.out, exist_ok=True)
    prov = tc.Provenance(sys.argv, a.seed, f"pytorch {torch.__version__} (experiments/twin/infogan_twin.py)", a.threads)
    prov.notes["data"] = (f"{d.name} (stand-in file {a.data}, render version {d.render_version}, seed {d.seed}), "
                          f"{n_train} training images, the last {n_eval} held out for the metrics")
    prov.notes["model"] = describe(a, cfg, latent)
    if a.model is not None and prov.notes["model"] != " ".join(a.model.split()):
        tc.fail(f"--model: the twin would train '{prov.notes['model']}', not '{a.model}'")

    tanh = dump.nets["g"][-1].kind == "tanh"
    images = torch.from_numpy(d.images.copy())  # uint8; a batch becomes float as ours: byte / 255

    def as_model_input(u8):
        x = u8.float() / 255
        return 2 * x - 1 if tanh else x

    model = Twin(dump, latent, cfg, a)
    gen_data = torch.Generator().manual_seed(stream_seed(a.seed, 3))
    perm, cursor = torch.randperm(n_train, generator=gen_data), 0
    header = "iteration,d_loss,g_loss,d_real,d_fake,li,li_g," + ",".join(f"li_{c.name}" for c in latent.codes)
    rows, log_path = [], os.path.join(a.out, "log.csv")
    h_c = sum(c.entropy() for c in latent.codes)
    print(f"twin: {a.arch} on {a.data} ({n_train} training, {n_eval} held out), {a.iterations} iterations "
          f"of batch {a.batch}, {a.threads} thread(s); {prov.notes['model']}", file=sys.stderr, flush=True)
    t0 = time.monotonic()
    it = 0
    try:
        for it in range(a.iterations):
            if cursor + a.batch > n_train:
                perm, cursor = torch.randperm(n_train, generator=gen_data), 0
            real = as_model_input(images[perm[cursor:cursor + a.batch]])
            cursor += a.batch
            st = model.step(real, it)
            if not all(math.isfinite(v) for v in st):
                tc.fail(f"a loss is NaN or Inf at iteration {it + 1} (d_loss {st[0]:g}, g_loss {st[1]:g}, "
                        f"L_I {st[4]:g}); stopped")
            rows.append(f"{it + 1}," + ",".join(f"{v:.6g}" for v in st))
            done = it + 1
            if done % 50 == 0 or done == a.iterations:
                rate = done / (time.monotonic() - t0)
                eta = (a.iterations - done) / rate
                print(f"iteration {done}/{a.iterations}  {rate:.2f} it/s  ETA {int(eta) // 60}m{int(eta) % 60:02d}s  "
                      f"L_I {st[4]:.3f} (H(c) {h_c:.3f})  D {st[0]:.3f}  G {st[1]:.3f}", file=sys.stderr, flush=True)
            if done % LOG_EVERY == 0:
                tc.write_atomic(log_path, prov.comments() + header + "\n" + "\n".join(rows) + "\n")
    except KeyboardInterrupt:
        tc.fail(f"interrupted after iteration {it}; {log_path} holds the log to iteration "
                f"{it // LOG_EVERY * LOG_EVERY} (nothing scored)")
    train_s = time.monotonic() - t0
    s_per_it = train_s / a.iterations
    prov.notes["iterations_per_s"] = f"{1 / s_per_it:.3f} it/s over {a.iterations} iterations (batch {a.batch})"
    tc.write_atomic(log_path, prov.comments() + header + "\n" + "\n".join(rows) + "\n")

    # Scores: Q's codes of the held-out images, as lib/harness/score.c.
    held = as_model_input(images[n_train:n_train + n_eval])
    q = model.chunked(lambda x: model.q_head(model.trunk(x)).flatten(1), held)
    codes = [q[:, c.q_offset:c.q_offset + c.k].argmax(1).float().tolist() if c.kind == "cat"
             else q[:, c.q_offset].tolist() for c in latent.codes]
    levels = [c.k if c.kind == "cat" else 0 for c in latent.codes]
    prov.notes["metrics"] = ("codes of held-out images (Q's mean, argmax): normalized MI with 20-bin codes, "
                             "MIG (twin_common.py, as lib/eval/disentangle.c)")
    factors = [d.factor_index[n_train:n_train + n_eval, f].tolist() for f in range(len(d.factor_names))]
    if factors:
        nmi = tc.nmi_matrix(codes, levels, factors, d.factor_levels)
        mig, best = tc.mig(nmi), tc.best_codes(latent, d.factor_names, nmi)
        tc.write_atomic(os.path.join(a.out, "nmi.csv"), tc.nmi_csv(prov, latent, d.factor_names, nmi, n_eval))
    else:
        mig, best = math.nan, "-"
    tc.write_atomic(os.path.join(a.out, "result.csv"), prov.comments()
                    + "engine,dataset,arch,model,seed,iterations,batch,mig,best_codes,s_per_it,wall_s\n"
                    + f"pytorch,{d.name},{a.arch},{'gan' if a.gan else 'infogan'},{a.seed},{a.iterations},"
                    f"{a.batch},{mig:.4f},{best},{s_per_it:.4f},{prov.wall_s():.1f}\n")
    sheet = png_bytes(traversal(model, tanh), prov.comments())
    tmp = os.path.join(a.out, f"samples.png.tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(sheet)
    os.replace(tmp, os.path.join(a.out, "samples.png"))
    print(f"twin {a.arch} seed {a.seed}, {a.iterations} iterations ({s_per_it:.3f} s each): MIG {mig:.3f}; "
          f"best codes: {best}; wrote {a.out}/log.csv, nmi.csv, result.csv, samples.png")


if __name__ == "__main__":
    main()
