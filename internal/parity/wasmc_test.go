package parity

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/spec"
	"github.com/permc/permc/wasm"
)

// cModule builds s into a module with wasmc (the program interpreted by the C
// runtime) and instantiates it.
func cModule(t *testing.T, s *spec.Spec) *wasm.Authorizer {
	t.Helper()
	mod, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := wasm.New(context.Background(), mod, wasm.Options{Instances: 1, CompilationCache: wasmtest.CompilationCache()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	return a
}

// TestWasmC answers random requests, well formed or damaged, for every example spec
// and test spec with the module wasmc builds and with the generated Go code: the
// same bytes, error messages included.
func TestWasmC(t *testing.T) {
	for i, path := range wasmSpecs() {
		t.Run(path, func(t *testing.T) {
			s, err := spec.LoadFile(path)
			if err != nil {
				t.Skipf("does not load: %v", err)
			}
			sameAsGo(t, s, cModule(t, s), startDriver(t, s), rolesOf(path), rand.New(rand.NewPCG(uint64(i), 13)), *randomRequests, 5)
		})
	}
}

// TestWasmCRandomSpecs answers random requests for random specs (see randomSpec) with
// the module wasmc builds and with the generated Go code, custom roles included.
func TestWasmCRandomSpecs(t *testing.T) {
	for i := 0; i < 2*(*randomSpecs); i++ {
		src, roles := randomSpec(rand.New(rand.NewPCG(uint64(i), 2028)))
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			s, err := spec.Load("random.yaml", []byte(src))
			if err != nil {
				t.Fatalf("the random spec does not load: %v\n%s", err, src)
			}
			defer func() {
				if t.Failed() {
					t.Logf("spec:\n%s", src)
				}
			}()
			sameAsGo(t, s, cModule(t, s), startDriver(t, s), roles, rand.New(rand.NewPCG(uint64(i), 5)), 500, 7)
		})
	}
}
