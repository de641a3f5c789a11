#!/usr/bin/env bash
# Runs permc's whole test suite from a fresh clone: Go unit, golden, corpus and
# end-to-end tests (with the race detector), then the example suites through the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go vet"
go vet ./...

echo "== go test"
go test -race -count=1 ./...

echo "== example suites (permc test)"
go run ./cmd/permc test examples/

echo "== bench module: every engine answers the benchmark scenario correctly (no timing)"
(cd bench && go vet ./... && go test -count=1 -run . ./...)
