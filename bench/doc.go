// Package bench measures permc's backends against the hand-written floor and against
// other authorization engines on one scenario (package scenario). It is its own
// module so that the engines compared never become dependencies of permc.
//
// Run everything and print the report with `make bench` from the repository root;
// `go test ./...` here only checks that every engine answers every case correctly.
package bench

// The larger specs, the adapter to the generated packages, and the packages `permc
// generate` writes from the scenario's spec at every scale (checked fresh by
// TestGeneratedIsFresh).
//
//go:generate go run ./cmd/scale
//go:generate go run github.com/permc/permc/cmd/permc generate --spec scenario/spec.yaml --out generated/libbench
//go:generate go run github.com/permc/permc/cmd/permc generate --spec testdata/spec10x.yaml --out generated/libbench10x --package libbench10x
//go:generate go run github.com/permc/permc/cmd/permc generate --spec testdata/spec100x.yaml --out generated/libbench100x --package libbench100x
