package spec_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/permc/permc/spec"
)

// FuzzLoad feeds arbitrary bytes to the loader: it must report errors, never panic,
// and every error must carry a position in the file.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/errors/*/spec.yaml")
	seeds = append(seeds, "../examples/contentlibraries/spec.yaml")
	for _, p := range seeds {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := spec.Load("fuzz.yaml", src)
		if err == nil {
			if s == nil {
				t.Fatal("nil spec without error")
			}
			return
		}
		list, ok := err.(spec.ErrorList)
		if !ok || len(list) == 0 {
			t.Fatalf("error is not a non-empty ErrorList: %v", err)
		}
		for _, e := range list {
			if e.Pos.Line < 1 {
				t.Errorf("error without a line: %v", e)
			}
			_ = e.Pretty()
		}
	})
}
