package parity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
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

// sameBatch answers reqs with the module and the generated Go, which must give the
// same bytes.
func sameBatch(t *testing.T, a *wasm.Authorizer, want [][]byte, reqs [][]byte) {
	t.Helper()
	got, err := a.CheckBatch(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for n, req := range reqs {
		if !bytes.Equal(want[n], got[n]) {
			t.Fatalf("request %d: %s\ngo:   %s\nwasm: %s", n, req, want[n], got[n])
		}
	}
}

// TestWasmC answers random requests, well formed or damaged, for every example spec
// and test spec with the module wasmc builds and with the generated Go code: the
// same bytes, error messages included.
func TestWasmC(t *testing.T) {
	var specs []string
	for _, pat := range []string{"../../examples/*/spec.yaml", "../../eval/testdata/*.yaml", "../../testdata/corpus/*/spec.yaml", "../../gen/testdata/*/spec.yaml"} {
		m, _ := filepath.Glob(pat)
		specs = append(specs, m...)
	}
	ctx := context.Background()
	for i, path := range specs {
		t.Run(path, func(t *testing.T) {
			s, err := spec.LoadFile(path)
			if err != nil {
				t.Skipf("does not load: %v", err)
			}
			a := cModule(t, s)
			d := startDriver(t, s)
			var custom []string
			if data, err := os.ReadFile(filepath.Join(filepath.Dir(path), "roles.json")); err == nil {
				errC, errGo := a.LoadRoles(ctx, data), d.LoadRoles(data)
				if fmt.Sprint(errC) != fmt.Sprint(errGo) {
					t.Fatalf("custom roles: wasm %v, go %v", errC, errGo)
				}
				if errGo == nil {
					var roles []struct{ Name string }
					json.Unmarshal(data, &roles)
					for _, r := range roles {
						custom = append(custom, r.Name)
					}
				}
			}
			g := &reqGen{s: s, r: rand.New(rand.NewPCG(uint64(i), 13)), custom: custom}
			reqs := make([][]byte, *randomRequests)
			for n := range reqs {
				reqs[n] = g.request()
				if n%5 == 4 {
					reqs[n] = g.mutate(reqs[n])
				}
			}
			sameBatch(t, a, d.DecideAll(reqs), reqs)
		})
	}
}

// TestWasmCRandomSpecs answers random requests for random specs (see randomSpec) with
// the module wasmc builds and with the generated Go code, custom roles included.
func TestWasmCRandomSpecs(t *testing.T) {
	ctx := context.Background()
	for i := 0; i < 2*(*randomSpecs); i++ {
		r := rand.New(rand.NewPCG(uint64(i), 2028))
		src, roles := randomSpec(r)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			s, err := spec.Load("random.yaml", []byte(src))
			if err != nil {
				t.Fatalf("the random spec does not load: %v\n%s", err, src)
			}
			a := cModule(t, s)
			d := startDriver(t, s)
			var custom []string
			errC, errGo := a.LoadRoles(ctx, roles), d.LoadRoles(roles)
			if fmt.Sprint(errC) != fmt.Sprint(errGo) {
				t.Fatalf("custom roles %s: wasm %v, go %v", roles, errC, errGo)
			}
			if errGo == nil {
				var rs []struct{ Name string }
				json.Unmarshal(roles, &rs)
				for _, x := range rs {
					custom = append(custom, x.Name)
				}
			}
			g := &reqGen{s: s, r: rand.New(rand.NewPCG(uint64(i), 5)), custom: custom}
			reqs := make([][]byte, 500)
			for n := range reqs {
				reqs[n] = g.request()
				if n%7 == 6 {
					reqs[n] = g.mutate(reqs[n])
				}
			}
			sameBatch(t, a, d.DecideAll(reqs), reqs)
			if t.Failed() {
				t.Logf("spec:\n%s", src)
			}
		})
	}
}
