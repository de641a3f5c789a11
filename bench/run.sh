#!/usr/bin/env bash
# Runs the benchmarks three whole times, so that a burst of load elsewhere on the
# machine hits one sample of a benchmark rather than all three (the report keeps each
# benchmark's median), then rewrites the results in docs/performance.md.
# `make bench` runs it; BENCH=regexp runs only the matching benchmarks.
set -euo pipefail
cd "$(dirname "$0")"
go test -c -o bench.test .
rm -f bench.out
for i in 1 2 3; do
	echo "== run $i of 3" >&2
	./bench.test -test.run '^$' -test.bench "${BENCH:-.}" -test.benchmem -test.timeout 90m | tee -a bench.out
done
go run ./cmd/report -update ../docs/performance.md bench.out
echo "results: bench/bench.out, tables: docs/performance.md" >&2
