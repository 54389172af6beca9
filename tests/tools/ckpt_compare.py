#!/usr/bin/env python3
"""ckpt_compare.py A B [--max-rel-l2 BLOCK=T ...]: compares two checkpoints
(lib/model/checkpoint.h, version 2) of one config. Prints, per block (G, G adam m, G adam v,
D/Q, D/Q adam m, D/Q adam v), the largest difference and the relative L2 difference
||a - b|| / ||a||. Exits 1 when the counters (iteration, data position, Adam steps) differ or
a named block's relative L2 exceeds its T, 2 on an unreadable file.

After one Adam step a block's "adam m" is (1 - beta1) times the step's gradient: comparing it
compares the gradients. Weights drift apart under Adam even when runs differ only in rounding:
the first step moves a weight by about lr * sign(gradient), so a gradient within rounding of 0
can move it either way; weights are compared against the same run under another rounding order."""
import math
import struct
import sys
from array import array


def read(path):
    try:
        data = open(path, "rb").read()
    except OSError as e:
        sys.exit(f"ckpt_compare.py: cannot read {path}: {e.strerror}")
    if data[:8] != b"IGANCKPT" or struct.unpack_from("<I", data, 8)[0] != 2:
        sys.exit(f"ckpt_compare.py: {path} is not a version-2 checkpoint")
    cfg_len = struct.unpack_from("<I", data, 12)[0]
    at = 16 + cfg_len
    config = data[16:at].decode()
    ints = struct.unpack_from("<5i", data, at)
    n_g, n_d = struct.unpack_from("<2Q", data, at + 20)
    at += 36
    blocks = {}
    for name, n in (("G", n_g), ("G adam m", n_g), ("G adam v", n_g), ("D/Q", n_d), ("D/Q adam m", n_d),
                    ("D/Q adam v", n_d)):
        blocks[name] = array("f", data[at:at + 4 * n])
        at += 4 * n
    if at + 32 != len(data):
        sys.exit(f"ckpt_compare.py: {path} has {len(data)} bytes, not the {at + 32} its header says")
    return config, ints, blocks


def main():
    args, limits = sys.argv[1:], {}
    while len(args) > 2 and args[-2] == "--max-rel-l2":
        name, _, t = args[-1].partition("=")
        limits[name] = float(t)
        args = args[:-2]
    if len(args) != 2:
        sys.exit(__doc__)
    (ca, ia, ba), (cb, ib, bb) = read(args[0]), read(args[1])
    ok = True
    if ca != cb:
        print(f"configs differ:\n  {ca}\n  {cb}")
        ok = False
    if ia != ib:
        print(f"counters (iteration, data epoch, cursor, Adam steps G, D) differ: {ia} against {ib}")
        ok = False
    for name in limits:
        if name not in ba:
            sys.exit(f"ckpt_compare.py: no block {name!r} (blocks: {', '.join(ba)})")
    for name in ba:
        a, b = ba[name], bb[name]
        diff = max(abs(x - y) for x, y in zip(a, b))
        rel = math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)) / (sum(x * x for x in a) or 1.0))
        verdict = ""
        if name in limits:
            verdict = f" (limit {limits[name]:g}: {'ok' if rel <= limits[name] else 'EXCEEDED'})"
            ok &= rel <= limits[name]
        print(f"{name}: max |a - b| {diff:.3g}, relative L2 {rel:.3g}{verdict}")
    sys.exit(0 if ok else 1)


main()
