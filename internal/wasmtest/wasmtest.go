// Package wasmtest gives tests the Wasm module of a spec, built by permc (wasmc), and
// shares compiled machine code among the tests of one process.
package wasmtest

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/spec"
	"github.com/permc/permc/wasm"
)

// Main runs a package's tests with $PERMC_CACHE set, where the generated Go's drivers
// (internal/gobackend) are built once for the run: to the value it has (scripts/test.sh
// sets one for the whole run), or else to a temporary folder removed afterwards.
func Main(m *testing.M) {
	if os.Getenv("PERMC_CACHE") != "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "permc-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("PERMC_CACHE", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Module returns the spec at path and its module.
func Module(tb testing.TB, path string) (*spec.Spec, []byte) {
	tb.Helper()
	s, err := spec.LoadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	data, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return s, data
}

// CompilationCache returns the compilation cache of the process.
var CompilationCache = sync.OnceValue(wazero.NewCompilationCache)

// Authorizer returns an Authorizer for the spec at path, closed when the test ends.
func Authorizer(tb testing.TB, path string, opts wasm.Options) (*spec.Spec, *wasm.Authorizer) {
	tb.Helper()
	s, module := Module(tb, path)
	if opts.CompilationCache == nil {
		opts.CompilationCache = CompilationCache()
	}
	a, err := wasm.New(context.Background(), module, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close(context.Background()) })
	return s, a
}
