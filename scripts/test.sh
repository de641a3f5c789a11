#!/usr/bin/env bash
# Runs permc's whole test suite from a fresh clone: Go unit, golden, corpus and
# end-to-end tests (with the race detector), then the example suites through the CLI,
# then the JavaScript loader of the Wasm modules in Node and in headless Chromium.
# Tools the tests need (PostgreSQL, Chromium, clang and lld) are installed when
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Modules built for the Go and generated-code backends are cached here for the whole
# run, so each spec's Wasm module is built once and shared by every test below.
if [ -z "${PERMC_CACHE:-}" ]; then
	PERMC_CACHE=$(mktemp -d)
	trap 'rm -rf "$PERMC_CACHE"' EXIT
fi
export PERMC_CACHE

# apt_install installs Debian packages, as root or through sudo.
apt_install() {
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# The query-plan tests (runtime/cond/pgsql) run their SQL on a real PostgreSQL: a
# throw-away cluster the tests start themselves, as the postgres user when run as
# root. Install the server when it is missing; with CI=true they fail without it.
ensure_postgres() {
	if compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || command -v postgres >/dev/null; then
		return
	fi
	if ! command -v apt-get >/dev/null; then
		echo "PostgreSQL is missing and apt-get is not available: install PostgreSQL or set PERMC_PG_BIN" >&2
		return
	fi
	echo "== installing PostgreSQL (apt-get)"
	apt_install postgresql
}
ensure_postgres

# The JavaScript loader's browser test runs headless Chromium (or $CHROMIUM).
ensure_chromium() {
	if [ -n "${CHROMIUM:-}" ] || command -v chromium >/dev/null; then
		return
	fi
	if ! command -v apt-get >/dev/null; then
		echo "Chromium is missing and apt-get is not available: install Chromium or set CHROMIUM" >&2
		exit 1
	fi
	echo "== installing Chromium (apt-get)"
	apt_install chromium
}
ensure_chromium

# The Wasm runtime's test (internal/wasmc/rt) rebuilds it from its C sources with
# clang and lld to check that the committed build is fresh.
ensure_clang() {
	if command -v clang >/dev/null && command -v wasm-ld >/dev/null; then
		return
	fi
	if ! command -v apt-get >/dev/null; then
		echo "clang and lld are missing and apt-get is not available: install clang and lld" >&2
		exit 1
	fi
	echo "== installing clang and lld (apt-get)"
	apt_install clang lld
}
ensure_clang

echo "== go vet"
go vet ./...

echo "== go test"
go test -race -count=1 -timeout 30m ./...
# Allocation counts mean something only without the race detector.
go test -count=1 -run 'ZeroAllocs' ./internal/benchmark

echo "== example suites (permc test), on the reference evaluator, the generated Go and Wasm"
go run ./cmd/permc test examples/
go run ./cmd/permc test --backend go examples/
go run ./cmd/permc test --backend wasm examples/

echo "== examples module: the services, their generated code (fresh?) and its suites"
(cd examples && go vet ./... && go test -race -count=1 ./...)

echo "== bench module: every engine answers the benchmark scenario correctly (no timing)"
(cd bench && go vet ./... && go test -count=1 -run . ./...)

echo "== JavaScript loader (wasm/js): Node tests, type check, headless Chromium"
PERMC_JS_FIXTURES="$PERMC_CACHE/js-fixtures"
export PERMC_JS_FIXTURES
go run ./internal/wasmtest/jsfixtures -out "$PERMC_JS_FIXTURES"
(cd wasm/js && npm ci --no-audit --no-fund --loglevel=error && node test/run.js && node test/run.js --browser)

echo "== Python package (wasm/python): pytest (Django on SQLite and PostgreSQL) and mypy; the Django example"
ensure_python() {
	if command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null; then
		return
	fi
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	echo "== installing Python (apt-get)"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3 python3-venv
}
ensure_python
PERMC_PY="$PERMC_CACHE/python"
python3 -m venv "$PERMC_PY"
"$PERMC_PY/bin/pip" install -q --disable-pip-version-check "./wasm/python[django]" \
	pytest mypy django-stubs djangorestframework-stubs 'psycopg[binary]'
PERMC_BIN="$PERMC_CACHE/bin/permc"
go build -o "$PERMC_BIN" ./cmd/permc
export PERMC_BIN
(cd wasm/python && PERMC_FIXTURES="$PERMC_JS_FIXTURES" "$PERMC_PY/bin/python" -m pytest -q)
"$PERMC_BIN" build-wasm --spec examples/django/spec.yaml --out "$PERMC_CACHE/example-django.wasm" >/dev/null
(cd examples/django && PERMC_MODULE="$PERMC_CACHE/example-django.wasm" \
	"$PERMC_PY/bin/python" manage.py test libraries)
