// Package rt holds permc's WebAssembly runtime: a small module written in
// freestanding C (the .c and .h files of this directory), which answers requests by
// interpreting a spec's program that permc links into it (Link).
//
// The module is built ahead of time by build.sh with clang and wasm-ld, and
// committed, so that building permc needs no C toolchain: Module is the release
// build. The test build, rt_test.wasm, holds the same runtime with a test engine and
// entry points for every C function, which this package's tests compare with their
// Go counterparts in package runtime. README.md describes the runtime's structure
// and conventions.
//
// # Notes
//
// After changing a C file, run `go generate ./internal/wasmc/rt` (or build.sh): a
// test fails while the committed modules differ from what the sources build.
package rt

import _ "embed"

//go:generate go run gen_tables.go
//go:generate bash build.sh

// Module is the release runtime, rt.wasm: the exports of docs/wasm-abi.md (plus
// permc_plan and permc_configure), no imports, and no program. Link adds one.
//
//go:embed rt.wasm
var Module []byte
