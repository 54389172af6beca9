#!/usr/bin/python3
"""torch_svhn.py: a PyTorch twin of `svhn train` (Table 2's networks as lib/arch.c builds them,
the latent noise:124 + 4 x Cat(10) + 4 continuous, lr D 2e-4 / G 1e-3, lambda 1, leaky 0.01,
init N(0, 0.02)), trained on our SVHN stand-in file, to tell an engine bug from a property of
the set-up. Prints the D loss, D(real), D(fake) and the sample spread every 50 iterations
and saves 64 samples as a PNG at the end.

usage: /usr/bin/python3 torch_svhn.py DATA/standin/svhn.bin ITERATIONS [table|bn|gan] [OUT.png]
  bn: BN after every upconv of G but the last; gan: no information reward for G.
  Environment: LRG (G's learning rate, 1e-3), SLOPE (leaky slope, 0.01).
Needs Debian's python3-torch and python3-pil; one thread (about 0.4 it/s on this machine)."""
import os, struct, sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

path, iters = sys.argv[1], int(sys.argv[2])
variant = sys.argv[3] if len(sys.argv) > 3 else "table"
torch.set_num_threads(1)
torch.manual_seed(1)
raw = open(path, "rb").read()
n, c, h, w = struct.unpack_from("<4I", raw, 12)
# 688 bytes of header (lib/datasets.c file_header), then bytes (N,C,H,W); the last 2000 are held out
img = np.frombuffer(raw, np.uint8, n * c * h * w, 688).reshape(n, c, h, w)
data = torch.tensor(img[: n - 2000].astype(np.float32) / 255.0 * 2 - 1)
if c == 1:
    data = data.repeat(1, 3, 1, 1)
print("data", data.shape, float(data.min()), float(data.max()))
NOISE, NCAT, K, NCONT, B = 124, 4, 10, 4, 128
S = float(os.environ.get("SLOPE", "0.01")); LRG = float(os.environ.get("LRG", "1e-3"))
LAT = NOISE + NCAT * K + NCONT


def init(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0, 0.02); nn.init.zeros_(m.bias)
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(m.weight, 1, 0.02); nn.init.zeros_(m.bias)


class G(nn.Module):
    def __init__(s):
        super().__init__()
        s.fc = nn.Linear(LAT, 448 * 4); s.bn0 = nn.BatchNorm1d(448 * 4)
        s.u1 = nn.ConvTranspose2d(448, 256, 4, 2, 1); s.bn1 = nn.BatchNorm2d(256)
        s.u2 = nn.ConvTranspose2d(256, 128, 4, 2, 1)
        s.u3 = nn.ConvTranspose2d(128, 64, 4, 2, 1)
        s.u4 = nn.ConvTranspose2d(64, 3, 4, 2, 1)
        if variant == "bn":
            s.bn2 = nn.BatchNorm2d(128); s.bn3 = nn.BatchNorm2d(64)

    def forward(s, z):
        x = F.relu(s.bn0(s.fc(z))).view(-1, 448, 2, 2)
        x = F.relu(s.bn1(s.u1(x)))
        x = s.u2(x); x = F.relu(s.bn2(x) if variant == "bn" else x)
        x = s.u3(x); x = F.relu(s.bn3(x) if variant == "bn" else x)
        return torch.tanh(s.u4(x))


class D(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(3, 64, 4, 2, 1)
        s.c2 = nn.Conv2d(64, 128, 4, 2, 1); s.b2 = nn.BatchNorm2d(128)
        s.c3 = nn.Conv2d(128, 256, 4, 2, 1); s.b3 = nn.BatchNorm2d(256)
        s.d = nn.Linear(4096, 1)
        s.q1 = nn.Linear(4096, 128); s.qb = nn.BatchNorm1d(128)
        s.q2 = nn.Linear(128, NCAT * K + NCONT)

    def forward(s, x):
        x = F.leaky_relu(s.c1(x), S)
        x = F.leaky_relu(s.b2(s.c2(x)), S)
        x = F.leaky_relu(s.b3(s.c3(x)), S).flatten(1)
        return s.d(x).squeeze(1), s.q2(F.leaky_relu(s.qb(s.q1(x)), S))


def latent():
    noise = torch.rand(B, NOISE) * 2 - 1
    cats = torch.randint(0, K, (B, NCAT))
    cont = torch.rand(B, NCONT) * 2 - 1
    oh = F.one_hot(cats, K).float().flatten(1)
    return torch.cat([noise, oh, cont], 1), cats, cont


def li(q, cats, cont):
    l = sum(F.cross_entropy(q[:, i * K:(i + 1) * K], cats[:, i]) for i in range(NCAT))
    return l + 0.5 * ((q[:, NCAT * K:] - cont) ** 2).sum(1).mean()


g, d = G(), D()
g.apply(init); d.apply(init)
og = torch.optim.Adam(g.parameters(), LRG, (0.5, 0.999))
od = torch.optim.Adam(d.parameters(), 2e-4, (0.5, 0.999))
bce = F.binary_cross_entropy_with_logits
data_std = data[:256].std(0).mean()
perm = torch.randperm(len(data)); cur = 0
for it in range(1, iters + 1):
    if cur + B > len(data):
        perm = torch.randperm(len(data)); cur = 0
    real = data[perm[cur:cur + B]]; cur += B
    z, cats, cont = latent()
    with torch.no_grad():
        fake = g(z)
    od.zero_grad()
    lr_, _ = d(real)
    lf, q = d(fake)
    dl = bce(lr_, torch.ones_like(lr_)) + bce(lf, torch.zeros_like(lf))
    (dl + li(q, cats, cont)).backward(); od.step()
    z, cats, cont = latent()
    og.zero_grad()
    for p in d.parameters(): p.requires_grad_(False)
    lf, q = d(g(z))
    gl = bce(lf, torch.ones_like(lf))
    (gl + (li(q, cats, cont) if variant != "gan" else 0)).backward(); og.step()
    for p in d.parameters(): p.requires_grad_(True)
    if it % 50 == 0:
        with torch.no_grad():
            zs = torch.cat([latent()[0], latent()[0]])
            spread = g(zs).std(0).mean() / data_std
        print(f"{it} D {dl.item():.3f} G {gl.item():.3f} Dreal {torch.sigmoid(lr_).mean():.3f} "
              f"Dfake {torch.sigmoid(lf).mean():.3f} spread {spread:.3f}", flush=True)

with torch.no_grad():
    x = ((g(latent()[0])[:64] + 1) / 2).clamp(0, 1).numpy()
grid = x.reshape(8, 8, 3, 32, 32).transpose(0, 3, 1, 4, 2).reshape(256, 256, 3)
Image.fromarray((grid * 255).astype(np.uint8)).save(sys.argv[4] if len(sys.argv) > 4 else "torch_svhn.png")
