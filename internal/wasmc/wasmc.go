// Package wasmc compiles a checked spec into a WebAssembly module, without any
// toolchain: it lowers the spec (internal/ir), encodes the result as the program the
// permc runtime interprets (encode.go, rt/program.h), and links the program into the
// runtime, a module compiled from C ahead of time and embedded in permc (rt/).
//
// The module imports nothing, needs no initialization call, and speaks the ABI of
// docs/wasm-abi.md; its decisions are byte for byte those of the Go package permc
// generates from the same spec.
package wasmc

import (
	"github.com/permc/permc/gen"
	"github.com/permc/permc/internal/ir"
	"github.com/permc/permc/internal/wasmc/rt"
	"github.com/permc/permc/spec"
)

// Options adjust Build.
type Options struct {
	// Package and Source name the spec in the module's metadata, as gen.Options do.
	Package, Source string
}

// Build compiles s into a Wasm module. The same spec gives the same bytes.
//
// # Errors
//
// Build fails only on a bug in permc: an expression the spec loader accepted that
// cannot be lowered, or a runtime that cannot be linked.
func Build(s *spec.Spec, opts Options) ([]byte, error) {
	prog, err := Program(s, opts)
	if err != nil {
		return nil, err
	}
	return rt.Link(rt.Module, prog)
}

// Program returns the program of s: what Build links into the runtime.
func Program(s *spec.Spec, opts Options) ([]byte, error) {
	gopts := gen.Options{Package: opts.Package, Source: opts.Source}
	p, err := ir.Lower(s, ir.Options{Package: opts.Package, Source: opts.Source, Metadata: gen.MetadataJSON(s, gopts)})
	if err != nil {
		return nil, err
	}
	return Encode(p)
}
