#!/usr/bin/env bash
# Runs the Python host's benchmarks (bench.py): builds permc and the modules, makes a
# virtual environment with the package, its Django extra and PyCasbin (a
# benchmark-only dependency), and prints the timings.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$repo"
go build -o "$work/permc" ./cmd/permc
"$work/permc" build-wasm --spec examples/contentlibraries/spec.yaml --out "$work/libauthz.wasm" >/dev/null
"$work/permc" build-wasm --spec examples/django/spec.yaml --out "$work/example.wasm" >/dev/null
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check "./wasm/python[django]" casbin
"$work/venv/bin/python" wasm/python/bench/bench.py --module "$work/libauthz.wasm" --example-module "$work/example.wasm" "$@"
