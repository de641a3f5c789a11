# make test  - the whole test suite (what CI runs)
# make check - formatting, vet, staticcheck, tidy, then the tests
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test check fmt bench

test:
	bash scripts/test.sh

check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1; }
	go vet ./...
	go run $(STATICCHECK) ./...
	go mod tidy -diff
	bash scripts/test.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

bench:
	go test -run '^$$' -bench . -benchmem ./...
