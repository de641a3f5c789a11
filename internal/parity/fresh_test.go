package parity

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/permc/permc/gen"
	"github.com/permc/permc/spec"
)

// TestGeneratedCodeIsFresh regenerates every package that a //go:generate line under
// examples/ or internal/ writes with `permc generate`, and fails when the committed
// files differ: run `go generate ./...` (in examples/, its own module, too) and commit.
func TestGeneratedCodeIsFresh(t *testing.T) {
	found := 0
	for _, root := range []string{"../../examples", "../../internal"} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				line := sc.Text()
				if !strings.HasPrefix(line, "//go:generate ") {
					continue
				}
				args := permcGenerateArgs(strings.Fields(line))
				if args == nil {
					continue
				}
				found++
				checkFresh(t, filepath.Dir(path), args)
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if found == 0 {
		t.Fatal("no //go:generate line runs permc generate")
	}
}

// permcGenerateArgs returns the flags of a go:generate command running permc generate,
// or nil.
func permcGenerateArgs(fields []string) map[string]string {
	for i := 0; i+1 < len(fields); i++ {
		if (fields[i] == "permc" || strings.HasSuffix(fields[i], "/permc")) && fields[i+1] == "generate" {
			args := map[string]string{}
			rest := fields[i+2:]
			for j := 0; j < len(rest); j++ {
				name := strings.TrimLeft(rest[j], "-")
				if k, v, ok := strings.Cut(name, "="); ok {
					args[k] = v
				} else if j+1 < len(rest) {
					args[name] = rest[j+1]
					j++
				}
			}
			return args
		}
	}
	return nil
}

func checkFresh(t *testing.T, dir string, args map[string]string) {
	t.Helper()
	specPath, out := filepath.Join(dir, args["spec"]), filepath.Join(dir, args["out"])
	s, err := spec.LoadFile(specPath)
	if err != nil {
		t.Errorf("%s: %v", dir, err)
		return
	}
	files, err := gen.Generate(s, gen.Options{Package: args["package"]})
	if err != nil {
		t.Errorf("%s: %v", dir, err)
		return
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale: regenerate it with go generate in %s and commit", filepath.Join(out, name), dir)
		}
	}
}
