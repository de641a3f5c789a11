// Package permc holds permc's own source files that generated code needs at build time:
// the runtime package that every generated package imports. The permc command writes
// them next to generated code in a temporary module, so that it builds generated code
// (for `permc check --backend go` and for Wasm modules) without a network connection,
// from an installed binary, in any directory.
//
// The packages users import are in the subdirectories; see README.md.
package permc

import "embed"

// Source holds go.mod and the files of the runtime packages (tests included; writers skip
// them).
//
//go:embed go.mod runtime/*.go runtime/cond/*.go runtime/cond/pgsql/*.go
var Source embed.FS
