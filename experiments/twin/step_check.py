#!/usr/bin/python3
"""step_check.py: one training step of our C engine replayed by the PyTorch twin, from the
same weights, Adam state, images and latent draws; are the gradients the same?

Runs build/bin/diagnostics/step_dump with the model flags given here (after --), which trains
a few warm-up iterations on random images and dumps the next infogan_step: the state before it
and the gradients, weights and G's images after it. Loads that state into the twin
(infogan_twin.py's networks, losses and step, unchanged), feeds it the dumped z in place of its
own draws, runs its step, and compares tensor by tensor:
  - the losses (D's GAN part, G's, L_I of the D step and of the G step);
  - every layer's output on the D step's fake pass, and G(z_g) before G's update;
  - the D step's gradient of every trunk, D-head and Q-head tensor (ours also adds the G step's
    batch-norm gamma/beta gradients into that block: the twin's are added the same way);
  - the G step's gradient of every G tensor;
  - every weight after both Adam updates.
A row fails when its relative error ||ours - twin|| / ||twin|| exceeds both --tol (1e-2) and 3
times the twin's own rounding noise (its step again with every weight nudged by 4 ulps). Most
rows agree to about 1e-5 (float32 sums in other orders); the tolerance is wide for the rare
gate flips below, and an engine fault (a lost term, a wrong factor) moves rows by far more. The bias of a layer that feeds a batch norm has a
gradient of 0 in exact arithmetic: its rounding noise is measured against the layer's weight
gradient, and its Adam step (noise scaled to the learning rate, cancelled by the batch norm)
is not compared. Exit 0 when every row passes, 1 otherwise.

Batch norm over few rows amplifies rounding (|mean| / std reaches 17 in MNIST's trunk), so an
activation a few 1e-6 from 0 can fall on the other side of a ReLU in one engine: one gate,
and gradients differ by up to a few 1e-3 although both engines are right to float32. Seen
at batch 16 (MNIST and Faces, seed 1: an element 9e-6 from 0 in Q's head; flipping that gate
in a float64 replay reproduces ours to 5e-6); the settings of `make twin-step` have none.

  /usr/bin/python3 experiments/twin/step_check.py [--tol X] [--keep DIR] -- --arch chairs-lite \\
      --latent noise:5,cont:2 --batch 64 --lambda-cont 2 --info-warmup 0
Needs Debian's python3-torch in the system Python (apt-get install python3-torch).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import types

import numpy as np

import twin_common as tc

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    tc.fail("PyTorch is missing; install Debian's: apt-get install python3-torch (then run with /usr/bin/python3)")

import infogan_twin as tw

REPO = tw.REPO
NUDGE = 4 * 2.0 ** -24  # relative size of the weight nudge that measures rounding noise
FLOOR_TIMES = 3          # a row may differ by this many times the twin's own rounding noise


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tol", type=float, default=1e-2, help="largest relative error of a row (1e-2)")
    ap.add_argument("--warmup", type=int, default=3, help="iterations before the checked step (3)")
    ap.add_argument("--keep", help="dump into this folder and keep it (default: a temp folder, removed)")
    ap.add_argument("--dump", help="check this earlier dump (--keep's folder) instead of running step_dump")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"), help="our programs (build/bin)")
    ap.add_argument("--threads", type=int, default=1, help="PyTorch threads (1)")
    ap.add_argument("model", nargs=argparse.REMAINDER, help="-- then our model flags (step_dump --help)")
    a = ap.parse_args()
    a.model = [x for x in a.model if x != "--"]
    return a


def read_meta(path):
    meta = {}
    for line in open(path):
        key, _, value = line.rstrip("\n").partition(" ")
        meta[key] = value
    meta["config"] = dict(kv.split("=", 1) for kv in meta["config"].split())
    return meta


def load(dump_dir, name, shape=None):
    x = torch.from_numpy(np.fromfile(os.path.join(dump_dir, name), dtype="<f4"))
    return x.view(*shape) if shape else x


def layer_names(tag, net):
    """(name, tensor) per parameter, in our flat order: each layer's weight, then bias."""
    return [(f"{tag}.{name}", p) for name, p in net.named_parameters()]


def biases_before_bn(net):
    """The biases of layers that feed a batch norm: batch norm subtracts them again, so their
    gradient is 0 in exact arithmetic and what both engines compute is rounding noise."""
    mods = list(net)
    return {id(m.bias) for i, layer in enumerate(mods[:-1]) if isinstance(mods[i + 1], tw.BatchNorm)
            for m in layer.modules() if isinstance(getattr(m, "bias", None), torch.nn.Parameter)}


def rel_err(ours, twin):
    d = (ours.double() - twin.double()).norm().item()
    n = twin.double().norm().item()
    return d / n if n > 0 else d


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    if a.dump:
        if not os.path.isfile(os.path.join(a.dump, "meta.txt")):
            tc.fail(f"--dump {a.dump}: no meta.txt there (a folder step_dump wrote)")
        return check(a, a.dump)
    dump_dir = a.keep or tempfile.mkdtemp(prefix="step_check.")
    try:
        r = subprocess.run([os.path.join(a.bin, "diagnostics", "step_dump"), "--out", dump_dir,
                            "--warmup", str(a.warmup)] + a.model, capture_output=True, text=True)
        if r.returncode != 0:
            tc.fail(f"step_dump failed: {r.stderr.strip()}")
        return check(a, dump_dir)
    finally:
        if not a.keep:
            shutil.rmtree(dump_dir, ignore_errors=True)


class Setting:
    """The dump's settings as the twin takes them."""

    def __init__(self, a, dump_dir):
        self.meta = meta = read_meta(os.path.join(dump_dir, "meta.txt"))
        c = meta["config"]
        self.latent = tc.Latent(c["latent"])
        self.args = types.SimpleNamespace(arch=c["arch"], arch_tables=os.path.join(a.bin, "arch_tables"),
                                          std=c["std"], seed=int(c["seed"]), batch=int(c["batch"]),
                                          gan=c["model"] == "gan", info_warmup=int(c.get("info_warmup", 0)),
                                          g_steps=1, instance_noise=0.0, instance_noise_decay=0)
        self.dump = tw.read_dump(self.args, self.latent)
        if any(l.sn for net in self.dump.nets.values() for l in net):
            tc.fail(f"--arch {c['arch']}: spectrally normalized layers keep a power-iteration state "
                    "the twin stores differently; this check does not replay them")
        if int(c.get("g_steps", 1)) > 1 or float(c.get("instance_noise", 0)) > 0:
            tc.fail("g_steps or instance_noise: this check replays one D/Q step and one G step on our draws, "
                    "without instance noise")
        if float(c.get("lr_q", 0)) > 0:
            tc.fail(f"lr_q={c['lr_q']}: the twin trains Q's head with D's optimizer; this check does not "
                    "replay a separate Q learning rate")
        self.cfg = {k: float(c[k]) for k in ("lr_d", "lr_g", "beta1", "beta2", "adam_eps", "lambda_cat",
                                               "lambda_cont", "init_std", "bn_eps", "leaky")}
        self.cfg["std_min"] = float(c.get("std_min", 0.0))


def twin_step(s, dump_dir, nudge):
    """The twin's step from the dumped state; with nudge > 0 every weight is first multiplied by
    1 + nudge * U(-1, 1) (a few float32 ulps: how much rounding alone moves each result).
    Returns the twin, (name, tensor) per block, the tensors that feed batch norm, and what it saw."""
    meta, b, in_dim = s.meta, s.args.batch, s.latent.in_dim
    model = tw.Twin(s.dump, s.latent, s.cfg, s.args)
    names = {"g": layer_names("G", model.g),
             "d": layer_names("trunk", model.trunk) + layer_names("D head", model.d_head)
             + layer_names("Q head", model.q_head)}
    opts = {"g": model.opt_g, "d": model.opt_d}
    gen = torch.Generator().manual_seed(7)
    for blk in ("g", "d"):
        params = [p for _, p in names[blk]]
        n = sum(p.numel() for p in params)
        if n != int(meta[f"n_{blk}_params"]):
            tc.fail(f"the twin's {blk} block has {n} parameters, ours {meta[f'n_{blk}_params']}")
        flat = {k: load(dump_dir, f"{blk}_{k}") for k in ("params", "adam_m", "adam_v")}
        at = 0
        for p in params:
            sl = slice(at, at + p.numel())
            with torch.no_grad():
                p.copy_(flat["params"][sl].view_as(p))
                if nudge:
                    p.mul_(1 + nudge * (2 * torch.rand(p.shape, generator=gen) - 1))
            opts[blk].state[p] = {"step": torch.tensor(float(meta["adam_t"])),
                                  "exp_avg": flat["adam_m"][sl].view_as(p).clone(),
                                  "exp_avg_sq": flat["adam_v"][sl].view_as(p).clone()}
            at += p.numel()
    z_d, z_g = load(dump_dir, "z_d", (b, in_dim)), load(dump_dir, "z_g", (b, in_dim))
    draws = [z_d, z_g]
    model.sample = lambda n: draws.pop(0)
    real = load(dump_dir, "real", (b,) + s.dump.image)
    seen = {"act": []}

    # Every layer's output on the D step's fake pass (no state changes: batch statistics only).
    with torch.no_grad():
        x = z_d
        for tag, net in (("g", model.g), ("trunk", model.trunk), ("q", model.q_head)):
            for i, mod in enumerate(net):
                x = mod(x)
                seen["act"].append((f"act {tag}.{i} {type(mod).__name__}", f"act_{tag}_{i}", x.clone()))

    d_params = [p for _, p in names["d"]]
    bn_params = {id(p) for m in (model.trunk, model.d_head, model.q_head) for mod in m.modules()
                 if isinstance(mod, torch.nn.BatchNorm1d) for p in mod.parameters()}

    def d_step(orig=model.opt_d.step):
        seen["d_grads"] = [p.grad.clone() for p in d_params]
        orig()

    def g_step(orig=model.opt_g.step):
        seen["g_grads"] = [p.grad.clone() for _, p in names["g"]]
        # Our G step's backward adds D's batch-norm gamma/beta gradients into the D block.
        with torch.enable_grad():
            model.dq.requires_grad_(True)
            fake = model.g(z_g)
            seen["fake_g"] = fake.detach().clone()
            h = model.trunk(fake)
            logit, q = model.d_head(h).view(b), model.q_head(h).flatten(1)
            loss = F.softplus(-logit).mean()
            if not s.args.gan and int(meta["iteration"]) >= s.args.info_warmup:
                loss = loss + model.weighted(model.info_nll(q, z_g))
            bn = [p for p in d_params if id(p) in bn_params]
            grads = torch.autograd.grad(loss, bn, allow_unused=True) if bn else []
            extra = {id(p): gp for p, gp in zip(bn, grads) if gp is not None}
            model.dq.requires_grad_(False)
        seen["d_grads"] = [gd + extra[id(p)] if id(p) in extra else gd for gd, p in zip(seen["d_grads"], d_params)]
        orig()

    model.opt_d.step, model.opt_g.step = d_step, g_step
    seen["stats"] = model.step(real, int(meta["iteration"]))
    seen["after"] = {blk: torch.cat([p.detach().flatten() for _, p in names[blk]]) for blk in names}
    dead = set().union(*(biases_before_bn(m) for m in (model.g, model.trunk, model.d_head, model.q_head)))
    return names, dead, seen


def compare(ours_of, names, dead, seen, dump_dir, meta):
    """(row name, error, note) per compared result of `seen` against ours_of(file, shape):
    relative errors, and for a bias that feeds batch norm its error over the layer's weight
    gradient (or no comparison of its Adam step)."""
    rows = []
    for key, v in zip(("d_loss", "g_loss", "d_real", "d_fake", "li", "li_g"), seen["stats"]):
        ours = ours_of(key, None)
        rows.append((f"loss {key}", abs(ours - v) / max(abs(v), 1e-12), f"ours {ours:.6g}, twin {v:.6g}"))
    for row, file, x in seen["act"]:
        rows.append((row, rel_err(ours_of(file, x.shape), x), ""))
    rows.append(("G(z_g) images", rel_err(ours_of("fake_g", seen["fake_g"].shape), seen["fake_g"]), ""))
    for blk, key in (("d", "d_grads"), ("g", "g_grads")):
        flat, at, weight_norm = ours_of(key, -1), 0, 0.0
        for (name, p), tg in zip(names[blk], seen[key]):
            ours = flat[at:at + p.numel()].view_as(p)
            at += p.numel()
            if id(p) in dead:  # measured against the layer's weight gradient instead
                err = (ours.double() - tg.double()).norm().item() / weight_norm
                rows.append((f"grad {name}", err, "0 in exact arithmetic (feeds batch norm); error / |weight grad|"))
            else:
                rows.append((f"grad {name}", rel_err(ours, tg), f"|twin| {tg.norm().item():.3g}"))
            weight_norm = tg.norm().item()
    for blk in ("d", "g"):
        after, before, at = ours_of(f"{blk}_params1", -1), load(dump_dir, f"{blk}_params"), 0
        for name, p in names[blk]:
            sl = slice(at, at + p.numel())
            at += p.numel()
            if id(p) in dead:
                rows.append((f"update {name}", 0.0, "not compared: Adam scales the rounding noise of a gradient "
                             "that is 0, and batch norm cancels the step"))
                continue
            # Compare the updates, not the weights (which are mostly the same before and after).
            rows.append((f"update {name}", rel_err(after[sl] - before[sl], seen["after"][blk][sl] - before[sl]), ""))
    return rows


def check(a, dump_dir):
    s = Setting(a, dump_dir)
    meta = s.meta
    names, dead, seen = twin_step(s, dump_dir, 0.0)
    _, _, nudged = twin_step(s, dump_dir, NUDGE)

    def ours_of(key, shape):
        if shape is None:
            return float(meta[key])
        return load(dump_dir, key, shape if shape != -1 else None)

    def nudged_of(key, shape):
        if shape is None:
            return nudged["stats"][("d_loss", "g_loss", "d_real", "d_fake", "li", "li_g").index(key)]
        if key.startswith("act_"):
            return next(x for _, f, x in nudged["act"] if f == key)
        if key == "fake_g":
            return nudged["fake_g"]
        if key.endswith("_grads"):
            return torch.cat([g.flatten() for g in nudged[key]])
        return nudged["after"][key[0]]

    rows = compare(ours_of, names, dead, seen, dump_dir, meta)
    floor = compare(nudged_of, names, dead, seen, dump_dir, meta)
    bound = [max(a.tol, FLOOR_TIMES * f[1]) for f in floor]
    bad = [r for r, lim in zip(rows, bound) if not r[1] <= lim]
    width = max(len(r[0]) for r in rows)
    print(f"step_check: {s.args.arch} {s.latent.text} batch {s.args.batch}, step {int(meta['iteration']) + 1} after "
          f"{a.warmup} warm-up iterations; relative error ours vs twin, and the twin's own rounding noise (its "
          f"step with the weights nudged by {NUDGE:g}); a row passes below max({a.tol:g}, {FLOOR_TIMES} x noise):")
    for (name, err, note), f, lim in zip(rows, floor, bound):
        print(f"  {name:<{width}}  {err:.2e}  noise {f[1]:.2e}  {'FAIL' if not err <= lim else 'ok  '}  {note}")
    errs = sorted(r[1] for r in rows if r[1] > 0)
    print(f"step_check: {len(rows) - len(bad)} of {len(rows)} rows within bounds; median row error "
          f"{errs[len(errs) // 2]:.1e}, {sum(e > 1e-4 for e in errs)} rows above 1e-4"
          + (f"; worst: {max(bad, key=lambda r: r[1])[0]}" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
