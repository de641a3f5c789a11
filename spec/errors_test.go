package spec_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/permc/permc/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestErrorGolden loads each testdata/errors/<case>/spec.yaml, a spec with the kind
// of mistake users make, and compares every error, with its source line and caret,
// against want.txt.
func TestErrorGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/errors/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "spec.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = spec.Load("spec.yaml", src)
			var list spec.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("want errors, got %v", err)
			}
			got := list.Pretty()
			golden := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./spec -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("errors differ from %s\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}
