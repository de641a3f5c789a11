package ir_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/permc/permc/internal/ir"
	"github.com/permc/permc/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// specs are every spec of the repository: each must lower without error.
func specs(t *testing.T) []string {
	var out []string
	for _, pat := range []string{"../../examples/*/spec.yaml", "../../testdata/corpus/*/spec.yaml", "../../gen/testdata/*/spec.yaml",
		"../../plan/testdata/*.yaml", "../../bench/scenario/spec.yaml", "../../bench/testdata/*.yaml"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) < 10 {
		t.Fatalf("found only %d specs", len(out))
	}
	return out
}

func TestLowerEverySpec(t *testing.T) {
	for _, path := range specs(t) {
		s, err := spec.LoadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		p, err := ir.Lower(s, ir.Options{})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if len(p.Resources) != len(s.Resources) || len(p.Permissions) != len(s.Permissions) {
			t.Errorf("%s: %d resources and %d permissions, want %d and %d", path, len(p.Resources), len(p.Permissions), len(s.Resources), len(s.Permissions))
		}
	}
}

// TestGolden keeps the lowering of the content-libraries spec and the plan operators'
// spec in testdata, so that a change to the IR shows in review.
func TestGolden(t *testing.T) {
	for name, path := range map[string]string{"contentlibraries": "../../examples/contentlibraries/spec.yaml", "ops": "../../plan/testdata/ops.yaml"} {
		s, err := spec.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ir.Lower(s, ir.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := p.String()
		golden := filepath.Join("testdata", name+".txt")
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s: the lowering changed; run go test ./internal/ir -update and review the diff", name)
		}
	}
}
