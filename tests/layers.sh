#!/usr/bin/env bash
# lib/'s folders include only themselves and the folders above them in lib/README.md's
# order (base, data, nn, model, eval, report, harness; data/standin counts as data).
# Prints each include that reaches up or sideways and fails on any.
set -euo pipefail
cd "$(dirname "$0")/.."
order=(base data nn model eval report harness)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && echo "$i" && return; done; echo 99; }
bad=0
while IFS= read -r file; do
    layer=${file#lib/}; layer=${layer%%/*}
    mine=$(rank "$layer")
    while IFS= read -r inc; do
        dep=${inc%%/*}
        # nn and data are independent of each other: each sees only base below it.
        if [ "$(rank "$dep")" -gt "$mine" ] || { [ "$dep" != "$layer" ] && [ "$dep" != base ] &&
               [ "$mine" -le 2 ]; }; then
            echo "layers: $file includes $inc ($layer may not use $dep)"; bad=1
        fi
    done < <(sed -n 's/^#include "\([a-z]*\/[a-z_\/]*\.h\)"/\1/p' "$file")
done < <(find lib -name '*.[ch]')
[ "$bad" = 0 ] && echo "tests/layers.sh: lib/ keeps its layers"
exit "$bad"
