// Package examplestest holds the checks every example runs on its generated package:
// the committed code is what `permc generate` writes today, and it answers the
// example's YAML test suite.
//
// It uses permc's internal packages, which only code inside the permc repository may
// import. A project of its own gets the same checks from `go generate ./... && git diff
// --exit-code` and `permc test --backend go`.
package examplestest

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/permc/permc/internal/cli"
	"github.com/permc/permc/internal/suite"
)

// Fresh fails when the package in dir is not what `permc generate --spec spec --out
// dir` writes now.
func Fresh(t *testing.T, spec, dir string) {
	t.Helper()
	tmp := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := cli.Run([]string{"generate", "--spec", spec, "--out", tmp}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("permc generate --spec %s: exit %d\n%s", spec, code, stderr.String())
	}
	want, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range want {
		names = append(names, f.Name())
		gen, err := os.ReadFile(filepath.Join(tmp, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil || !bytes.Equal(gen, have) {
			t.Errorf("%s is stale: run `go generate ./...` in examples/ and commit the result", filepath.Join(dir, f.Name()))
		}
	}
	// A file the generator no longer writes would still be compiled into the package.
	have, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range have {
		if strings.HasSuffix(f.Name(), ".go") && !slices.Contains(names, f.Name()) {
			t.Errorf("%s is not generated from %s: remove it, or move hand-written code out of the generated package", filepath.Join(dir, f.Name()), spec)
		}
	}
}

// CheckJSON is a generated package's JSON entry point, Authorizer.CheckJSON.
type CheckJSON func(dst, req []byte) []byte

func (c CheckJSON) DecideJSON(req []byte) []byte { return c(nil, req) }

// Suite runs the YAML test suite at path against a generated Authorizer's CheckJSON,
// loading the suite's custom roles with loadRoles first.
func Suite(t *testing.T, path string, check CheckJSON, loadRoles func([]byte) error) {
	t.Helper()
	s, err := suite.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := s.Cases()
	if err != nil {
		t.Fatal(err)
	}
	if rp := s.RolesPath(); rp != "" {
		data, err := os.ReadFile(rp)
		if err != nil {
			t.Fatal(err)
		}
		if err := loadRoles(data); err != nil {
			t.Fatalf("%s: %v", rp, err)
		}
	}
	var out bytes.Buffer
	res := suite.Run(cases, check, &out, s.Name+"/", false)
	if res.Failed > 0 || res.Passed == 0 {
		t.Errorf("%s: %d passed, %d failed\n%s", path, res.Passed, res.Failed, out.String())
	}
}
