# make test  - the whole test suite (what CI runs)
# make check - formatting, vet, staticcheck, tidy, then the tests
# make bench - the comparative benchmarks (bench/), see docs/performance.md
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test check fmt bench bench-unit bench-wasm

test:
	bash scripts/test.sh

check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1; }
	go vet ./...
	go run $(STATICCHECK) ./...
	go mod tidy -diff
	cd examples && go run $(STATICCHECK) ./... && go mod tidy -diff
	cd bench && go run $(STATICCHECK) ./... && go mod tidy -diff
	bash scripts/test.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

# make bench - permc against the hand-written floor and other engines (bench/, its own
# module): five whole runs, then the tables in docs/performance.md. About 20 minutes.
bench:
	bash bench/run.sh

# make bench-unit - the micro-benchmarks inside permc's own packages
bench-unit:
	go test -run '^$$' -bench . -benchmem ./...

# make bench-wasm - the Wasm module's figures: size per example, cold start, warm
# checks through the Go host (one instance, batches, the pool on every core), then the
# same request through the JavaScript loader in Node
bench-wasm:
	go test -run '^$$' -bench . -benchmem ./wasm
	go run ./cmd/permc build-wasm --spec examples/contentlibraries/spec.yaml --out /tmp/permc-bench-wasm/libauthz.wasm
	node wasm/js/bench/bench.js /tmp/permc-bench-wasm/libauthz.wasm
