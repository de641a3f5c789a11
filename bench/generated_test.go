package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/permc/permc/bench/scenario"
	"github.com/permc/permc/internal/cli"
)

// TestGeneratedIsFresh fails when a package under generated/ is not what `permc
// generate` writes today from its spec: the benchmarks would measure stale code.
func TestGeneratedIsFresh(t *testing.T) {
	for _, k := range scenario.Scales {
		spec, pkg := "scenario/spec.yaml", "libbench"
		if k > 1 {
			spec, pkg = fmt.Sprintf("testdata/spec%dx.yaml", k), fmt.Sprintf("libbench%dx", k)
		}
		dir := "generated/" + pkg
		tmp := t.TempDir()
		var stdout, stderr bytes.Buffer
		if code := cli.Run([]string{"generate", "--spec", spec, "--out", tmp, "--package", pkg}, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("permc generate --spec %s: exit %d\n%s", spec, code, stderr.String())
		}
		want, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(have) != len(want) {
			t.Errorf("%s has %d files, permc generate writes %d: run go generate in bench/", dir, len(have), len(want))
		}
		for _, f := range want {
			w, _ := os.ReadFile(filepath.Join(tmp, f.Name()))
			h, err := os.ReadFile(filepath.Join(dir, f.Name()))
			if err != nil || !bytes.Equal(w, h) {
				t.Errorf("%s is stale: run go generate in bench/", filepath.Join(dir, f.Name()))
			}
		}
	}
}
