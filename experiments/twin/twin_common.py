"""twin_common.py: what the PyTorch twin (infogan_twin.py) shares with our C programs, without
PyTorch: the stand-in data set file (lib/data/catalog.c), the held-out split
(lib/harness/run.c), the latent spec (lib/model/latent.c), the networks as
`arch_tables --dump` prints them, the normalized MI and MIG of lib/eval/disentangle.c, and
the provenance and atomic writes of our result files. tests/twin_score.py holds the scorer
against our C one (build/tests/nmi_ref); it imports this module without PyTorch or NumPy.
"""
import datetime
import math
import os
import shlex
import struct
import subprocess
import sys
import zlib

DIS_BINS = 20  # lib/eval/disentangle.h
# lib/data/catalog.c's file_header: magic, version, n, c, h, w, factors, render version,
# (4 padding bytes), seed, name[64], factor_names[16][32], factor_levels[16].
HEADER = struct.Struct("<8s7I4xQ64s512s16i")
MAX_FACTORS = 16


def fail(msg):
    """One sentence on stderr, exit status 1."""
    sys.exit(f"{os.path.basename(sys.argv[0])}: {msg}")


# ---- the stand-in data set file -------------------------------------------------------------

class Dataset:
    """images: uint8 (n, c, h, w) as stored (the model reads byte / 255); factor_index
    (n, F) int32; factor_value (n, F) float32; factor_names, factor_levels (F)."""


def read_dataset(path, max_n=0):
    """The first max_n images (<= 0: all) of an "IGDSET1" file, its CRC-32 checked."""
    import numpy as np  # here, so the scorer's test runs without NumPy
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        fail(f"cannot read data set file {path} ({e.strerror}); render the stand-ins with "
             "build/bin/datasets (make data-standins)")
    if len(raw) < HEADER.size + 4 or raw[:8] != b"IGDSET1\n":
        fail(f"data set file {path}: not an image set file (bad magic or shorter than its header)")
    magic, version, n, c, h, w, nf, render_version, seed, name, names, *levels = \
        HEADER.unpack_from(raw)
    if version != 1 or nf > MAX_FACTORS:
        fail(f"data set file {path}: format version {version} with {nf} factors (this reads "
             "version 1, at most 16)")
    img = c * h * w
    want = HEADER.size + n * img + n * nf * 8 + 4
    if len(raw) != want:
        fail(f"data set file {path}: {len(raw)} bytes, but its header says {want} (truncated or damaged)")
    if zlib.crc32(memoryview(raw)[:-4]) != struct.unpack_from("<I", raw, len(raw) - 4)[0]:
        fail(f"data set file {path}: checksum mismatch (the file is damaged)")
    keep = n if max_n <= 0 else max_n
    if keep > n:
        fail(f"data set file {path} holds {n} images, fewer than --n {max_n}")
    d = Dataset()
    d.path, d.n, d.c, d.h, d.w, d.seed, d.render_version = path, keep, c, h, w, seed, render_version
    d.name = name.split(b"\0")[0].decode()
    d.factor_names = [names[32 * k:32 * k + 32].split(b"\0")[0].decode() for k in range(nf)]
    d.factor_levels = list(levels[:nf])
    d.images = np.frombuffer(raw, np.uint8, keep * img, HEADER.size).reshape(keep, c, h, w)
    at = HEADER.size + n * img
    d.factor_index = np.frombuffer(raw, "<i4", n * nf, at).reshape(n, nf)[:keep]
    d.factor_value = np.frombuffer(raw, "<f4", n * nf, at + 4 * n * nf).reshape(n, nf)[:keep]
    if nf and ((d.factor_index < 0) | (d.factor_index >= np.array(d.factor_levels))).any():
        fail(f"data set file {path}: a factor index lies outside its levels")
    return d


def held_out_split(n, n_eval, batch, what):
    """(training images, held-out images): the last min(n_eval, n / 2) images are held out,
    as lib/harness/run.c's open_catalog_data."""
    n_eval = min(n_eval, n // 2)
    if n - n_eval < batch:
        fail(f"{what}: {n} images leave fewer than a batch of {batch} to train on (--n, --n-eval)")
    return n - n_eval, n_eval


# ---- the latent spec ------------------------------------------------------------------------

class Code:
    def __init__(self, kind, k, in_offset, name):
        self.kind, self.k, self.in_offset, self.name = kind, k, in_offset, name
        self.q_offset = 0

    def entropy(self):
        """H(c): ln K for Cat(K), ln 2 for U(-1,1) (latent_code_entropy)."""
        return math.log(self.k) if self.kind == "cat" else math.log(2.0)


class Latent:
    """lib/model/latent.c's spec: parts (kind, dim, offset) in order; codes: each cat part one
    code, each cont dimension one; Q's row: every code's logits, then every continuous mean,
    then (learned std) every continuous log std."""

    def __init__(self, text):
        self.parts, self.codes, self.in_dim = [], [], 0
        q_cat = 0
        for tok in text.split(","):
            kind, _, dim = tok.partition(":")
            if kind not in ("noise", "cat", "cont") or not dim.isdigit() or not 0 < int(dim) <= 4096:
                fail(f"--latent: part '{tok}' of '{text}' is not noise:N, cat:K or cont:N")
            dim = int(dim)
            if kind == "cat" and dim < 2:
                fail(f"--latent: cat:{dim} in '{text}' needs at least 2 classes")
            self.parts.append((kind, dim, self.in_dim))
            if kind == "cat":
                self.codes.append(Code("cat", dim, self.in_dim, f"c{len(self.codes) + 1}"))
                self.codes[-1].q_offset, q_cat = q_cat, q_cat + dim
            elif kind == "cont":
                for j in range(dim):
                    self.codes.append(Code("cont", 1, self.in_dim + j, f"c{len(self.codes) + 1}"))
            self.in_dim += dim
        self.text = ",".join(f"{k}:{d}" for k, d, _ in self.parts)
        self.n_cont = sum(c.kind == "cont" for c in self.codes)
        q = q_cat
        for c in self.codes:
            if c.kind == "cont":
                c.q_offset, q = q, q + 1

    def q_dim(self, learned_std):
        return sum(c.k if c.kind == "cat" else 1 + learned_std for c in self.codes)


# ---- the networks: arch_tables --dump ---------------------------------------------------------

class Layer:
    FIELDS = ("in_c", "in_h", "in_w", "out_c", "out_h", "out_w", "kernel", "stride",
              "pad_before", "pad_after", "bn_groups", "sn")

    def __init__(self, kind, numbers):
        self.kind = kind
        for name, v in zip(self.FIELDS, numbers):
            setattr(self, name, v)


class ArchDump:
    """image (c, h, w); latent (text, in_dim, q_dim); nets: {"g", "trunk", "d_head", "q_head"}
    -> [Layer]; config: the default settings, key -> value (infogan_config_describe)."""


def read_arch_dump(text, where):
    a = ArchDump()
    a.nets, a.config = {"g": [], "trunk": [], "d_head": [], "q_head": []}, {}
    for lineno, line in enumerate(text.splitlines(), 1):
        f = line.split()
        try:
            if not f or f[0].startswith("#"):
                continue
            if f[0] == "image":
                a.image = tuple(int(x) for x in f[1:4])
            elif f[0] == "latent":
                a.latent = (f[1], int(f[2]), int(f[3]))
            elif f[0] == "config":
                a.config = dict(kv.split("=", 1) for kv in f[1:])
            elif f[0] in a.nets and len(f) == 2 + len(Layer.FIELDS):
                a.nets[f[0]].append(Layer(f[1], [int(x) for x in f[2:]]))
            else:
                raise ValueError
        except (ValueError, IndexError):
            fail(f"{where}:{lineno}: not a line of arch_tables --dump: {line!r}")
    if not all(a.nets.values()) or not a.config or not hasattr(a, "image"):
        fail(f"{where}: an arch_tables --dump without every network, the image or the settings")
    return a


# ---- scores: lib/eval/disentangle.c and lib/eval/metrics.c, in the same double arithmetic ----

def discretize(x, bins):
    """dis_discretize: the bin of each value among `bins` equal-width bins over [min, max]."""
    lo, hi = min(x), max(x)
    width = (hi - lo) / bins
    return [min(int((v - lo) / width), bins - 1) if width > 0.0 else 0 for v in x]


def entropy(counts):
    total = float(sum(counts))
    h = 0.0
    for c in counts:
        p = c / total
        if p > 0.0:
            h -= p * math.log(p)
    return h


def mutual_information(table, k, l):
    """metrics_mi of a (k, l) table of counts (rows of lists)."""
    total = float(sum(map(sum, table)))
    row = [float(sum(r)) for r in table]
    col = [float(sum(table[a][b] for a in range(k))) for b in range(l)]
    mi = 0.0
    for a in range(k):
        for b in range(l):
            n_ab = float(table[a][b])
            if n_ab > 0.0:
                mi += n_ab / total * math.log(n_ab * total / (row[a] * col[b]))
    return max(mi, 0.0)


def nmi_matrix(codes, levels, factors, factor_levels):
    """dis_nmi_matrix: nmi[j][f] = I(code j; factor f) / H(factor f). codes[j]: the n values
    of code j (continuous: Q's mean, cut into DIS_BINS bins; categorical: the argmax 0..K-1);
    levels[j]: K, or 0 for a continuous code; factors[f]: the n grid indices of factor f."""
    nmi = []
    for values, k in zip(codes, levels):
        bins = discretize(values, DIS_BINS) if k == 0 else [int(v) for v in values]
        k = k or DIS_BINS
        row = []
        for index, l in zip(factors, factor_levels):
            table = [[0] * l for _ in range(k)]
            for a, b in zip(bins, index):
                table[a][b] += 1
            h = entropy([sum(table[a][b] for a in range(k)) for b in range(l)])
            row.append(mutual_information(table, k, l) / h if h > 0.0 else 0.0)
        nmi.append(row)
    return nmi


def mig(nmi):
    """dis_mig: mean over factors of the gap between the two highest normalized MIs."""
    n_factors, total = len(nmi[0]), 0.0
    for f in range(n_factors):
        top = second = 0.0
        for row in nmi:
            if row[f] > top:
                second, top = top, row[f]
            elif row[f] > second:
                second = row[f]
        total += top - second
    return total / n_factors


# ---- result files -----------------------------------------------------------------------------

def write_atomic(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def git_commit():
    """HEAD, "-dirty" when tracked files outside results/ changed (lib/report/provenance.c)."""
    here = os.path.dirname(os.path.abspath(__file__))

    def git(*args):
        r = subprocess.run(["git", "--no-optional-locks", *args], cwd=here, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""
    head = git("rev-parse", "HEAD")
    if not head:
        return "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ":(top)", ":(top,exclude)results")
    return head + ("-dirty" if dirty else "")


class Provenance:
    """The `# key: value` lines our result files start with (commit, command, seed, engine,
    threads, start, wall_s, then notes)."""

    def __init__(self, argv, seed, engine, threads):
        self.t0 = datetime.datetime.now(datetime.timezone.utc)
        self.commit, self.seed, self.engine, self.threads = git_commit(), seed, engine, threads
        self.command = " ".join(shlex.quote(a) for a in argv)
        self.notes = {}

    def wall_s(self):
        return (datetime.datetime.now(datetime.timezone.utc) - self.t0).total_seconds()

    def comments(self):
        lines = [("commit", self.commit), ("command", self.command), ("seed", self.seed),
                 ("engine", self.engine), ("threads", self.threads),
                 ("start", self.t0.strftime("%Y-%m-%dT%H:%M:%SZ")), ("wall_s", f"{self.wall_s():.1f}")]
        return "".join(f"# {k}: {v}\n" for k, v in lines + list(self.notes.items()))


def nmi_csv(prov, latent, factor_names, nmi, n):
    """nmi.csv as lib/harness/score.c writes it."""
    out = [prov.comments(), f"# I(code; factor) / H(factor) on {n} held-out images\n",
           "code,kind," + ",".join(factor_names) + "\n"]
    for code, row in zip(latent.codes, nmi):
        out.append(f"{code.name},{code.kind}," + ",".join(f"{v:.4f}" for v in row) + "\n")
    return "".join(out)


def best_codes(latent, factor_names, nmi):
    """"factor=code:value ..." with each factor's highest-scoring code (score.c's best_codes)."""
    best = []
    for f, name in enumerate(factor_names):
        j = max(range(len(nmi)), key=lambda j: (nmi[j][f], -j))  # ties: the first code
        best.append(f"{name}={latent.codes[j].name}:{nmi[j][f]:.3f}")
    return " ".join(best)
