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

	"github.com/permc/permc/internal/gobackend"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/spec"
	"github.com/permc/permc/wasm"
)

// wasmSpecs are the specs the Wasm tests answer random requests for: every example
// spec and test spec.
func wasmSpecs() []string {
	var specs []string
	for _, pat := range []string{"../../examples/*/spec.yaml", "../../eval/testdata/*.yaml", "../../testdata/corpus/*/spec.yaml", "../../gen/testdata/*/spec.yaml"} {
		m, _ := filepath.Glob(pat)
		specs = append(specs, m...)
	}
	return specs
}

// sameAsGo loads the custom roles (nil for none) into the module a and the driver d
// of the generated Go code, which must agree, then answers n random requests for s
// with both, every mutate-th one damaged (0: none), from the random source r: the
// same bytes, error messages included.
func sameAsGo(t *testing.T, s *spec.Spec, a *wasm.Authorizer, d *gobackend.Driver, roles []byte, r *rand.Rand, n, mutate int) {
	t.Helper()
	ctx := context.Background()
	var custom []string
	if roles != nil {
		errWasm, errGo := a.LoadRoles(ctx, roles), d.LoadRoles(roles)
		if fmt.Sprint(errWasm) != fmt.Sprint(errGo) {
			t.Fatalf("custom roles %.200s: wasm %v, go %v", roles, errWasm, errGo)
		}
		if errGo == nil {
			var rs []struct{ Name string }
			json.Unmarshal(roles, &rs)
			for _, x := range rs {
				custom = append(custom, x.Name)
			}
		}
	}
	g := &reqGen{s: s, r: r, custom: custom}
	reqs := make([][]byte, n)
	for k := range reqs {
		reqs[k] = g.request()
		if mutate > 0 && k%mutate == mutate-1 {
			reqs[k] = g.mutate(reqs[k])
		}
	}
	want := d.DecideAll(reqs)
	got, err := a.CheckBatch(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for k, req := range reqs {
		if !bytes.Equal(want[k], got[k]) {
			t.Fatalf("request %d: %s\ngo:   %s\nwasm: %s", k, req, want[k], got[k])
		}
	}
}

// rolesOf returns the roles.json beside the spec at path, or nil.
func rolesOf(path string) []byte {
	data, err := os.ReadFile(filepath.Join(filepath.Dir(path), "roles.json"))
	if err != nil {
		return nil
	}
	return data
}

// TestWasm answers random requests, well formed or not, for every example spec and
// test spec with the spec's Wasm module and with its generated Go code built natively:
// the same Go source on two targets must give the same bytes, error messages
// included.
func TestWasm(t *testing.T) {
	for i, path := range wasmSpecs() {
		t.Run(path, func(t *testing.T) {
			s, a := wasmtest.Authorizer(t, path, wasm.Options{Instances: 1})
			sameAsGo(t, s, a, startDriver(t, s), rolesOf(path), rand.New(rand.NewPCG(uint64(i), 11)), 300, 5)
		})
	}
}
