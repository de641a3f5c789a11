// Package benchmark measures the generated Go checker of the content-libraries example
// against the reference evaluator and against the same rules written by hand in Go:
//
//	go test ./internal/benchmark -run '^$' -bench Check -benchmem
//
// BenchmarkCheck/<engine>/assignments=<N>/<allow|deny> asks whether a principal with N
// library_author assignments may edit a library, through an API key carrying an OAuth
// scope and an IP allowlist; only the last assignment matches (allow), or none does
// (deny). The engines are generated (the typed CheckLibrary), generated-json
// (CheckJSON, request and decision as JSON), eval (the reference evaluator, JSON) and
// handwritten.
package benchmark

//go:generate go run github.com/permc/permc/cmd/permc generate --spec ../../examples/contentlibraries/spec.yaml --out libauthz
