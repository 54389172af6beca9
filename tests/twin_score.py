#!/usr/bin/env python3
"""twin_score.py: the PyTorch twin's scorer (experiments/twin/twin_common.py) against ours
(lib/eval/disentangle.c through build/tests/nmi_ref) on the same synthetic codes and factors:
continuous codes that follow a factor, noise, a constant code, outliers, ties at the bin
edges; categorical codes; factors of 1, 2 and many levels. Every normalized MI and the MIG
must agree within 1e-12 and print the same at nmi.csv's 4 decimals. Needs neither PyTorch
nor NumPy. Usage: tests/twin_score.py BUILD/tests/nmi_ref
"""
import os
import random
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "experiments", "twin"))
import twin_common  # noqa: E402


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def case(rng, n):
    """(codes, levels, factors, factor_levels): 6 continuous and 2 categorical codes, 4 factors."""
    factor_levels = [1, 2, 33, 7]
    factors = [[rng.randrange(l) for _ in range(n)] for l in factor_levels]
    az = factors[2]
    cont = [
        [f32(a / 16.0 - 1.0 + rng.gauss(0, 0.05)) for a in az],          # follows factor 2
        [f32(rng.uniform(-1, 1)) for _ in range(n)],                      # noise
        [f32(0.25)] * n,                                                  # constant: one bin
        [f32(rng.gauss(0, 1) if i % 97 else 50.0) for i in range(n)],     # outliers
        [f32(round(rng.uniform(0, 20)) / 20.0) for _ in range(n)],        # on the bin edges
        [f32(b + rng.gauss(0, 0.3)) for b in factors[1]],                 # follows factor 1
    ]
    cat = [[float(min(a // 4, 9)) for a in az], [float(rng.randrange(5)) for _ in range(n)]]
    return cont + cat, [0] * len(cont) + [10, 5], factors, factor_levels


def ours(nmi_ref, codes, levels, factors, factor_levels):
    n = len(codes[0])
    lines = [f"{n} {len(codes)} {len(factors)}", " ".join(map(str, levels)), " ".join(map(str, factor_levels))]
    for i in range(n):
        lines.append(" ".join([f"{c[i]:.9g}" for c in codes] + [str(f[i]) for f in factors]))
    out = subprocess.run([nmi_ref], input="\n".join(lines) + "\n", capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"twin_score.py: {nmi_ref} failed: {out.stderr.strip()}")
    rows = out.stdout.split("\n")
    nmi = [[float(x) for x in rows[j].split()] for j in range(len(codes))]
    return nmi, float(rows[len(codes)].split()[1])


def main():
    if len(sys.argv) != 2 or sys.argv[1] == "--help":
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) == 2 else 2)
    rng, failures = random.Random(25), 0
    for n in (37, 1000, 5000):
        codes, levels, factors, factor_levels = case(rng, n)
        want, want_mig = ours(sys.argv[1], codes, levels, factors, factor_levels)
        got = twin_common.nmi_matrix(codes, levels, factors, factor_levels)
        got_mig = twin_common.mig(got)
        for j, (w_row, g_row) in enumerate(zip(want, got)):
            for f, (w, g) in enumerate(zip(w_row, g_row)):
                if abs(w - g) > 1e-12 or f"{w:.4f}" != f"{g:.4f}":
                    print(f"FAIL n={n} code {j} factor {f}: ours {w!r}, twin {g!r}")
                    failures += 1
        if abs(want_mig - got_mig) > 1e-12:
            print(f"FAIL n={n} MIG: ours {want_mig!r}, twin {got_mig!r}")
            failures += 1
        # The case must exercise the scorer: a code that follows a factor scores high (n
        # large enough that noise does not).
        if n >= 1000 and not want[0][2] > 0.5 > want[1][2]:
            print(f"FAIL n={n}: the synthetic codes do not separate ({want[0][2]:.3f}, {want[1][2]:.3f})")
            failures += 1
    if failures:
        sys.exit(f"tests/twin_score.py: {failures} disagreement(s) between the twin's scorer and ours")
    print("tests/twin_score.py: the twin's normalized MI and MIG match lib/eval/disentangle.c on 3 cases")


if __name__ == "__main__":
    main()
