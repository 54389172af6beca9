#!/usr/bin/python3
"""cpus.py: every CPU measured, side by side, from the bench CSVs of results/bench.

Reads DIR/kernels-<cpu>.csv (make bench), DIR/train-<cpu>.csv (make bench-train) and
DIR/torch-<cpu>.csv (make bench-torch), one of each per CPU model, and writes DIR/cpus.md:
the multiply-add peaks per ISA, SGEMM's share of peak on the InfoGAN layer shapes and on
1024^3 with its ratio to the better BLAS measured beside it, training it/s per ISA and
threads, and the ratio to PyTorch; and DIR/cpus.png (gnuplot): it/s per ISA and threads,
one group of bars per CPU. A CPU that lacks a file gets a dash in those columns. Python's
standard library and gnuplot only; the files are written to a temp name and renamed.
"""
import argparse
import csv
import glob
import os
import re
import statistics
import subprocess
import sys

# (vendor word in the slug, cpuid family, model range) -> core; the model name of these VMs
# ("AMD EPYC") does not say which generation it is. A CPU not listed gets no core name.
CORES = [("amd", 0x17, range(0x00, 0x30), "Zen / Zen+"), ("amd", 0x17, range(0x30, 0x100), "Zen 2"),
         ("amd", 0x19, range(0x00, 0x10), "Zen 3"), ("amd", 0x19, range(0x20, 0x60), "Zen 3"),
         ("amd", 0x19, range(0x10, 0x20), "Zen 4"), ("amd", 0x19, range(0x60, 0x80), "Zen 4"),
         ("amd", 0x19, range(0xa0, 0xb0), "Zen 4"), ("amd", 0x1a, range(0x00, 0x100), "Zen 5"),
         ("intel", 6, range(0x55, 0x56), "Skylake-SP / Cascade Lake"),
         ("intel", 6, range(0x6a, 0x6b), "Ice Lake-SP"), ("intel", 6, range(0x8f, 0x90), "Sapphire Rapids"),
         ("intel", 6, range(0xcf, 0xd0), "Emerald Rapids"), ("intel", 6, range(0xad, 0xae), "Granite Rapids")]


def core_name(slug):
    """'amd-epyc-f25m17' -> 'Zen 4, family 25 model 17'; '' when the slug has no family/model."""
    m = re.search(r"-f(\d+)m(\d+)$", slug)
    if not m:
        return ""
    fam, model = int(m.group(1)), int(m.group(2))
    core = next((c for v, f, r, c in CORES if slug.startswith(v) and f == fam and model in r), None)
    return (f"{core}, " if core else "") + f"family {fam} model {model}"


def read_csv(path):
    """(provenance dict from the '# key: value' lines, rows as dicts)."""
    prov, body = {}, []
    with open(path) as f:
        for line in f:
            if line.startswith("# "):
                key, _, value = line[2:].partition(": ")
                prov[key] = value.strip()
            elif line.strip():
                body.append(line)
    return prov, list(csv.DictReader(body))


def cpu_files(folder):
    """{slug: {kind: (provenance, rows)}} for kind in kernels, train, torch."""
    cpus = {}
    for kind in ("kernels", "train", "torch"):
        for path in sorted(glob.glob(os.path.join(folder, f"{kind}-*.csv"))):
            slug = os.path.basename(path)[len(kind) + 1:-4]
            try:
                cpus.setdefault(slug, {})[kind] = read_csv(path)
            except (OSError, csv.Error, UnicodeDecodeError) as e:
                sys.exit(f"cpus.py: cannot read {path}: {e}")
    return cpus


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def when(prov):
    return prov.get("start", "?")[:10] + " @" + prov.get("commit", "?")[:7]


def peaks_table(cpus):
    out = ["| CPU | ISA | peak 1 thread | peak 2 threads | measured |", "|---|---|---|---|---|"]
    for slug, files in cpus.items():
        if "kernels" not in files:
            continue
        prov, rows = files["kernels"]
        by_isa = {}
        for r in rows:
            if r["kernel"] == "fma_peak":
                by_isa.setdefault(r["isa"], {})[r["threads"]] = num(r["gflops"])
        for isa, t in by_isa.items():
            out.append(f"| {slug} | {isa} | {t.get('1', 0):.0f} | {t.get('2', 0):.0f} | {when(prov)} |")
    return out


def sgemm_table(cpus):
    out = ["| CPU | ISA | threads | InfoGAN shapes: % of peak (min-max) | ours / BLAS (min-max) "
           "| 1024^3: % of peak | 1024^3: ours / BLAS | BLAS beside it |",
           "|---|---|---|---|---|---|---|---|"]
    for slug, files in cpus.items():
        if "kernels" not in files:
            continue
        prov, rows = files["kernels"]
        blas_cols = [c for c in ("openblas_gflops", "blis_gflops") if rows and c in rows[0]]
        groups = {}
        for r in rows:
            if not r["kernel"].startswith("sgemm") or num(r["pct_of_peak"]) is None:
                continue
            blas = max((num(r[c]) or 0.0) for c in blas_cols) if blas_cols else 0.0
            ratio = num(r["gflops"]) / blas if blas else None
            big = r["shape"] == "1024x1024x1024"
            groups.setdefault((r["isa"], r["threads"]), {"shapes": [], "big": None})
            entry = (num(r["pct_of_peak"]), ratio)
            if big:
                groups[(r["isa"], r["threads"])]["big"] = entry
            else:
                groups[(r["isa"], r["threads"])]["shapes"].append(entry)
        def blas_name(col):
            lib = col.split("_")[0]
            kernel = prov.get(lib, "").rpartition("kernel ")[2]
            return f"{lib} ({kernel})" if kernel else lib
        names = " / ".join(blas_name(c) for c in blas_cols) or "none"
        for (isa, th), g in groups.items():
            pcts = [p for p, _ in g["shapes"]]
            ratios = [q for _, q in g["shapes"] if q]
            shape_pct = f"{min(pcts):.0f}-{max(pcts):.0f}" if pcts else "-"
            shape_ratio = f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios else "-"
            big_pct = f"{g['big'][0]:.0f}" if g["big"] else "-"
            big_ratio = f"{g['big'][1]:.2f}" if g["big"] and g["big"][1] else "-"
            out.append(f"| {slug} | {isa} | {th} | {shape_pct} | {shape_ratio} | {big_pct} | "
                       f"{big_ratio} | {names} |")
    return out


def train_table(cpus):
    out = ["| CPU | ISA | threads | it/s | % of peak | measured |", "|---|---|---|---|---|---|"]
    for slug, files in cpus.items():
        if "train" not in files:
            continue
        prov, rows = files["train"]
        for r in rows:
            pct = num(r.get("pct_of_peak"))
            out.append(f"| {slug} | {r['isa']} | {r['threads']} | {num(r['it_per_s']):.2f} | "
                       f"{f'{pct:.0f}' if pct is not None else '-'} | {when(prov)} |")
    return out


def torch_table(cpus):
    out = ["| CPU | rounds | ours f32 / PyTorch f32 (median, per round) | ours bf16 / PyTorch's best "
           "| PyTorch | measured |", "|---|---|---|---|---|---|"]
    for slug, files in cpus.items():
        if "torch" not in files:
            continue
        prov, rows = files["torch"]
        rounds = prov.get("rounds", "?").split(",")[0]
        f32 = f"{prov.get('ratio_median', '-')} ({prov.get('ratio_per_round', '-')})"
        bf = prov.get("ratio_bf16_median", "none")
        bf16 = "-" if bf == "none" else f"{bf} ({prov.get('ratio_bf16_per_round', '-')})"
        out.append(f"| {slug} | {rounds} | {f32} | {bf16} | {prov.get('pytorch', '?')} | {when(prov)} |")
    return out


def plot(cpus, png):
    """it/s per ISA and threads, one cluster of bars per CPU (gnuplot histogram)."""
    configs, data = [], {}
    for slug, files in cpus.items():
        if "train" not in files:
            continue
        for r in files["train"][1]:
            key = f"{r['isa']} {r['threads']}t"
            if key not in configs:
                configs.append(key)
            data.setdefault(slug, {})[key] = num(r["it_per_s"])
    if not data:
        return False
    dat = png[:-4] + ".dat"
    with open(dat + ".tmp", "w") as f:
        f.write("cpu " + " ".join(f'"{c}"' for c in configs) + "\n")
        for slug, row in data.items():
            f.write(slug + " " + " ".join(f"{row.get(c, 0.0):.3f}" for c in configs) + "\n")
    script = (f"set terminal pngcairo size 900,480 font ',10'; set output '{png}.tmp';\n"
              "set style data histograms; set style histogram clustered gap 1;\n"
              "set style fill solid 0.8 border -1; set key outside right; set grid ytics; set yrange [0:*];\n"
              "set ylabel 'MNIST InfoGAN iterations per second (batch 128)';\n"
              "set title 'Training iteration per CPU, ISA and threads (make bench-train)';\n"
              f"plot for [i=2:{len(configs) + 1}] '{dat}.tmp' using i:xtic(1) title columnhead\n")
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    os.remove(dat + ".tmp")
    if r.returncode != 0:
        sys.exit(f"cpus.py: gnuplot failed on {png}: {r.stderr.strip()}")
    os.replace(png + ".tmp", png)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default="results/bench", help="folder of the bench CSVs (results/bench)")
    a = ap.parse_args()
    if not os.path.isdir(a.dir):
        sys.exit(f"cpus.py: --dir {a.dir} is not a folder")
    cpus = cpu_files(a.dir)
    if not cpus:
        sys.exit(f"cpus.py: no kernels-, train- or torch-<cpu>.csv in {a.dir}; run make bench first")
    models = {slug: next((f[0].get("cpu") for f in files.values() if f[0].get("cpu")), "?")
              for slug, files in cpus.items()}
    md = ["# Every CPU measured, side by side", "",
          "Generated by `bench/cpus.py` from the CSVs beside this file (one per CPU model; each "
          "row names when and at which commit it was measured). Peaks are the multiply-add "
          "loops of `make bench` (FMA; VDPBF16PS for avx512bf16; TDPBF16PS for amx), measured in the same run as "
          "the rows they divide. A dash: that CPU has no such file or row.", "",
          "CPUs: " + "; ".join(f"`{s}` ({m}, {core_name(s)})" if core_name(s) else f"`{s}` ({m})"
                       for s, m in models.items()), "",
          "## Multiply-add peaks (GFLOP/s)", "", *peaks_table(cpus), "",
          "## SGEMM", "",
          "InfoGAN shapes: the layer GEMMs of one MNIST iteration that `make bench` times. "
          "`ours / BLAS`: our GFLOP/s over the better BLAS measured beside it (in brackets: the "
          "kernel each BLAS chose for the CPU).", "",
          *sgemm_table(cpus), "",
          "## Training iteration (`make bench-train`)", "", *train_table(cpus), "",
          "## Against PyTorch (`make bench-torch`)", "", *torch_table(cpus), ""]
    png = os.path.join(a.dir, "cpus.png")
    if plot(cpus, png):
        md += ["![it/s per CPU, ISA and threads](cpus.png)", ""]
    path = os.path.join(a.dir, "cpus.md")
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(md))
    os.replace(path + ".tmp", path)
    print(f"cpus.py: wrote {path} ({len(cpus)} CPU(s))")


if __name__ == "__main__":
    main()
