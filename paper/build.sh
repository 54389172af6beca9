#!/usr/bin/env bash
# paper/build.sh: builds the write-up (paper/*.md) into one self-contained HTML page.
#   paper/build.sh --out DIR [--results DIR] [--build DIR] [--manifest FILE]
# The architecture tables are printed by BUILD/bin/arch_tables from lib/arch.c; numbers,
# tables and figures come from the results folder through paper/results.lua. Exits non-zero,
# naming the file, when something the text needs is missing.
set -euo pipefail

out="" results="results" build="build" manifest=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --manifest) manifest=$2; shift 2 ;;  # one line per result the page uses (for the test)
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "paper/build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "paper/build.sh: --out DIR is required" >&2; exit 2; }
cd "$(dirname "$0")/.."
[ -d "$results" ] || { echo "paper/build.sh: results folder $results does not exist" >&2; exit 1; }
tables=$build/bin/arch_tables
[ -x "$tables" ] || { echo "paper/build.sh: $tables is missing (make BUILD=$build $tables)" >&2; exit 1; }
command -v pandoc >/dev/null || { echo "paper/build.sh: pandoc is missing (scripts/deps.sh paper)" >&2; exit 1; }

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# G's input and Q's output per table: the latent specs of the paper's appendix (the MNIST
# one is the program's default). The test-sized "toy" table is not part of the paper.
declare -A latent=(
  [mnist]="noise:62,cat:10,cont:2"
  [svhn]="noise:124,cat:10,cat:10,cat:10,cat:10,cont:4"
  [celeba]="noise:128,cat:10,cat:10,cat:10,cat:10,cat:10,cat:10,cat:10,cat:10,cat:10,cat:10"
  [faces]="noise:128,cont:5"
  [chairs]="noise:128,cat:20,cat:20,cat:20,cont:1"
)
mkdir -p "$work/arch"
for name in $("$tables" --list); do
  [ "$name" = toy ] && continue
  if [ -n "${latent[$name]:-}" ]; then
    "$tables" --latent "${latent[$name]}" "$name" > "$work/arch/$name.md"
  else
    "$tables" "$name" > "$work/arch/$name.md"
  fi
done

bench=$(ls -1 "$results"/bench/kernels-*.csv 2>/dev/null | head -n 1 || true)
# Relative path from the page back to the source tree, for links to the code.
linkbase=$(realpath --relative-to="$out" .)/

pandoc paper/[0-9]*.md --from markdown --to html5 --standalone --self-contained --mathml \
  --toc --toc-depth 2 --number-sections --section-divs \
  --metadata-file paper/meta.yaml --css paper/style.css \
  --lua-filter paper/results.lua \
  -M results="$results" -M archdir="$work/arch" -M bench="$bench" -M linkbase="$linkbase" \
  -M srcroot=. -M manifest="${manifest:-$work/manifest.txt}" \
  -o "$work/index.html"
mv "$work/index.html" "$out/index.html"
echo "paper: $out/index.html ($(du -k "$out/index.html" | cut -f1) KiB)"
