#!/usr/bin/env bash
# paper/test.sh BUILD: the write-up's test (`make test-paper`, part of `make test`).
# On a copy of results/ in a temporary folder it checks that
#   1. the page builds, every figure the text references is embedded in it (a data: URI),
#      every included table is in it, every missing result names its make target, no
#      placeholder is left and the equations are MathML;
#   2. deleting a required figure makes the build fail, naming the file;
#   3. deleting an optional result (Table 1, and the bfloat16 Table 1) keeps the build working
#      with a "missing" box.
set -uo pipefail

build=${1:-build}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "test-paper: FAIL: $*" >&2; failures=$((failures + 1)); }

cp -r results "$tmp/results"
rm -rf "$tmp/results/paper"

build_page() {  # build_page OUT LOG
  paper/build.sh --out "$1" --results "$tmp/results" --build "$build" --manifest "$1.manifest" > "$2" 2>&1
}

# 1. The full page.
if ! build_page "$tmp/full" "$tmp/full.log"; then
  cat "$tmp/full.log" >&2
  echo "test-paper: FAIL: the write-up does not build from results/" >&2
  exit 1
fi
html=$tmp/full/index.html
grep -o '<img [^>]*>' "$html" | sed 's/base64,[A-Za-z0-9+/=]*/base64,.../' > "$tmp/imgs"
images=0
while read -r kind path; do
  case "$kind" in
    image)
      images=$((images + 1))
      grep -F "data-source=\"$path\"" "$tmp/imgs" | grep -q 'src="data:image/png;base64,' ||
        fail "$path is referenced but not embedded in the page" ;;
    table)
      grep -qF "data-source=\"$path\"" "$html" || fail "table $path is referenced but not in the page" ;;
    missing)
      grep -qF "make $path" "$html" || fail "a missing result does not name its target make $path" ;;
    "") ;;
    *) fail "unknown manifest line: $kind $path" ;;
  esac
done < "$tmp/full.manifest"
[ "$images" -ge 5 ] || fail "only $images figures referenced (Figure 1 and 2a-d at least)"
[ "$(wc -l < "$tmp/imgs")" -eq "$images" ] || fail "the page has $(wc -l < "$tmp/imgs") images, the text references $images"
grep -v 'src="data:' "$tmp/imgs" | grep -q . && fail "an image is not embedded: $(grep -v 'src="data:' "$tmp/imgs" | head -n 1)"
grep -q '{{' "$html" && fail "a placeholder was left unfilled: $(grep -o '{{[^}]*}}' "$html" | head -n 1)"
grep -q '<math' "$html" || fail "no MathML equations in the page"
grep -qE '<(script|link)[^>]*(src|href)="https?:' "$html" && fail "the page loads something from the network"
# Figures 3-6's panels: drawn 3x their size, captioned with the code and run of figureN.md.
for png in "$tmp"/results/figure[3-6][a-z].png; do
  [ -e "$png" ] || continue
  name=$(basename "$png")
  w=$(python3 -c 'import struct,sys; print(struct.unpack(">I", open(sys.argv[1], "rb").read(24)[16:20])[0])' "$png")
  row=$(grep -F "| $name |" "$tmp/results/${name%[a-z].png}.md" | head -n 1)
  run=$(echo "$row" | awk -F'|' '{gsub(/[ `]/, "", $5); print $5}')
  img=$(grep -F "data-source=\"results/$name\"" "$tmp/imgs")
  echo "$img" | grep -qF "width=\"$((3 * w))\"" || fail "$name is not drawn at 3x its $w pixels"
  [ -n "$run" ] && echo "$img" | grep -qF "from the run $run." || fail "$name's caption does not name its run ${run:-(no row in its table)}"
done

# 2. A required figure missing: the build must fail and name it.
mv "$tmp/results/figure1.png" "$tmp/figure1.png"
if build_page "$tmp/nofig" "$tmp/nofig.log"; then
  fail "the build succeeded without results/figure1.png"
elif ! grep -q 'figure1.png' "$tmp/nofig.log"; then
  fail "the failed build does not name figure1.png: $(cat "$tmp/nofig.log")"
fi
[ -e "$tmp/nofig/index.html" ] && fail "a failed build left $tmp/nofig/index.html behind"
mv "$tmp/figure1.png" "$tmp/results/figure1.png"

# 3. An optional result missing: the build works and says which target makes it.
rm -f "$tmp/results/table1.md" "$tmp/results/table1.csv"
if ! build_page "$tmp/notable" "$tmp/notable.log"; then
  fail "the build fails without the optional Table 1: $(cat "$tmp/notable.log")"
else
  grep -q 'Results missing' "$tmp/notable/index.html" && grep -qF 'make table1' "$tmp/notable/index.html" ||
    fail "without Table 1 the page does not say 'Results missing ... make table1'"
fi

# 4. The same for the optional bfloat16 Table 1.
rm -rf "$tmp/results/bf16"
if ! build_page "$tmp/nobf16" "$tmp/nobf16.log"; then
  fail "the build fails without the optional bfloat16 Table 1: $(cat "$tmp/nobf16.log")"
else
  grep -qF 'make table1-bf16' "$tmp/nobf16/index.html" ||
    fail "without results/bf16 the page does not say 'Results missing ... make table1-bf16'"
fi

if [ "$failures" -gt 0 ]; then
  echo "test-paper: $failures check(s) failed" >&2
  exit 1
fi
echo "test-paper: ok ($images figures embedded, $(grep -c '^table' "$tmp/full.manifest") tables, $(grep -c '^missing' "$tmp/full.manifest") missing-result boxes; a missing figure fails the build)"
