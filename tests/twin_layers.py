#!/usr/bin/python3
"""twin_layers.py: the PyTorch twin's layers against what our C engine builds (needs PyTorch).
- An upconv is the adjoint of the conv with the dumped padding: <conv(x), y> = <x, upconv(y)>
  with shared weights, for 4x4 stride 2 (padding 1, 1) and 4x4 stride 1 (1 before, 2 after,
  TensorFlow "same", Table 6's layers); a crop on the wrong side fails it.
- Every network of every table the twin may train (faces, chairs-lite, chairs, svhn, mnist)
  maps each dumped input shape to the dumped output shape, layer by layer, with batch norm
  over the dumped groups.
Usage: tests/twin_layers.py BUILD/bin/arch_tables
"""
import os
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "experiments", "twin"))
import torch  # noqa: E402
import infogan_twin as twin  # noqa: E402
import twin_common as tc  # noqa: E402

LATENTS = {"faces": "noise:128,cont:5", "chairs-lite": "noise:128,cat:20,cat:20,cat:20,cont:1",
           "chairs": "noise:128,cat:20,cat:20,cat:20,cont:1", "svhn": "noise:124,cat:10,cat:10,cat:10,cat:10,cont:4",
           "mnist": "noise:62,cat:10,cont:2"}


def adjoint_failures():
    failures = []
    for stride, pads, size in ((2, (1, 1), 8), (1, (1, 2), 8)):
        out = size * stride
        up = twin.UpConv(tc.Layer("upconv", [6, size, size, 3, out, out, 4, stride, *pads, 0]))
        conv = twin.Conv(tc.Layer("conv", [3, out, out, 6, size, size, 4, stride, *pads, 0]))
        with torch.no_grad():
            conv.conv.weight.copy_(torch.randn_like(conv.conv.weight))
            up.up.weight.copy_(conv.conv.weight)  # (6, 3, 4, 4): conv (out, in), transposed (in, out)
            conv.conv.bias.zero_(), up.up.bias.zero_()
            x, y = torch.randn(2, 3, out, out, dtype=torch.float64), torch.randn(2, 6, size, size, dtype=torch.float64)
            conv.double(), up.double()
            lhs, rhs = (conv(x) * y).sum().item(), (x * up(y)).sum().item()
        if abs(lhs - rhs) > 1e-9 * max(1.0, abs(lhs)):
            failures.append(f"upconv stride {stride} padding {pads} is not the conv's adjoint: {lhs} vs {rhs}")
    return failures


def shape_failures(arch_tables):
    failures = []
    for arch, spec in LATENTS.items():
        args = types.SimpleNamespace(arch_tables=arch_tables, arch=arch, std="fixed", lr_d=None, lr_g=None,
                                     lambda_cat=None, lambda_cont=None, leaky=None, std_min=None)
        dump = twin.read_dump(args, tc.Latent(spec))
        cfg = twin.model_config(args, dump)
        for name, layers in dump.nets.items():
            net = twin.build(layers, cfg)
            x = torch.randn(4, layers[0].in_c, layers[0].in_h, layers[0].in_w)
            for l, m in zip(layers, net):
                x = m(x)
                if tuple(x.shape[1:]) != (l.out_c, l.out_h, l.out_w):
                    failures.append(f"{arch} {name} {l.kind}: {tuple(x.shape[1:])}, ours {(l.out_c, l.out_h, l.out_w)}")
                if l.kind == "batchnorm" and m.bn.num_features != l.bn_groups:
                    failures.append(f"{arch} {name} batch norm over {m.bn.num_features} groups, ours {l.bn_groups}")
    return failures


def main():
    if len(sys.argv) != 2 or sys.argv[1] == "--help":
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) == 2 else 2)
    torch.manual_seed(1)
    failures = adjoint_failures() + shape_failures(sys.argv[1])
    for f in failures:
        print("FAIL:", f)
    if failures:
        sys.exit(f"tests/twin_layers.py: {len(failures)} failure(s)")
    print(f"tests/twin_layers.py: upconvs are their convs' adjoints; the twin builds {', '.join(LATENTS)} "
          "layer by layer as arch_tables --dump says")


if __name__ == "__main__":
    main()
