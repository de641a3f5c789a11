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

	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/wasm"
)

// TestWasm answers random requests, well formed or not, for every example spec and
// test spec with the spec's Wasm module and with its generated Go code built natively:
// the same Go source on two targets must give the same bytes, error messages
// included.
func TestWasm(t *testing.T) {
	var specs []string
	for _, pat := range []string{"../../examples/*/spec.yaml", "../../eval/testdata/*.yaml", "../../testdata/corpus/*/spec.yaml", "../../gen/testdata/*/spec.yaml"} {
		m, _ := filepath.Glob(pat)
		specs = append(specs, m...)
	}
	ctx := context.Background()
	for i, path := range specs {
		t.Run(path, func(t *testing.T) {
			s, a := wasmtest.Authorizer(t, path, wasm.Options{Instances: 1})
			d := startDriver(t, s)
			var custom []string
			if data, err := os.ReadFile(filepath.Join(filepath.Dir(path), "roles.json")); err == nil {
				errWasm, errGo := a.LoadRoles(ctx, data), d.LoadRoles(data)
				if fmt.Sprint(errWasm) != fmt.Sprint(errGo) {
					t.Fatalf("custom roles: wasm %v, go %v", errWasm, errGo)
				}
				if errGo == nil {
					var roles []struct{ Name string }
					json.Unmarshal(data, &roles)
					for _, r := range roles {
						custom = append(custom, r.Name)
					}
				}
			}
			g := &reqGen{s: s, r: rand.New(rand.NewPCG(uint64(i), 11)), custom: custom}
			reqs := make([][]byte, 300)
			for n := range reqs {
				reqs[n] = g.request()
				if n%5 == 4 {
					reqs[n] = g.mutate(reqs[n])
				}
			}
			want := d.DecideAll(reqs)
			got, err := a.CheckBatch(ctx, reqs)
			if err != nil {
				t.Fatal(err)
			}
			for n, req := range reqs {
				if !bytes.Equal(want[n], got[n]) {
					t.Fatalf("request %d: %s\ngo:   %s\nwasm: %s", n, req, want[n], got[n])
				}
			}
		})
	}
}
