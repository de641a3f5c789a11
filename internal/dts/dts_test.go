package dts

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/permc/permc/spec"
)

var update = flag.Bool("update", false, "rewrite the golden .d.ts files in testdata")

// TestGolden generates the declarations of every example spec and of the test specs
// in testdata, and compares them with testdata/<name>.d.ts and testdata/<name>.py.
func TestGolden(t *testing.T) {
	specs, _ := filepath.Glob("../../examples/*/spec.yaml")
	more, _ := filepath.Glob("testdata/*.yaml")
	for _, path := range append(specs, more...) {
		s, err := spec.LoadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for golden, got := range map[string][]byte{
			filepath.Join("testdata", s.Package+".d.ts"): Generate(s, filepath.Base(path)),
			filepath.Join("testdata", s.Package+".py"):   GeneratePython(s, filepath.Base(path)),
		} {
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/dts -update)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from %s (run go test ./internal/dts -update to accept)", path, golden)
			}
		}
	}
}

func TestNames(t *testing.T) {
	s, err := spec.LoadFile("testdata/clash.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := string(Generate(s, "clash.yaml"))
	for _, want := range []string{
		"export interface PrincipalAttributes {",  // the principal's
		"export interface PrincipalAttributes2 {", // the resource type principal's
		"export interface RequestResource {",
		"export type Request = PrincipalRequest | RequestRequest | LibraryAttributesRequest | LibraryRequest;",
		"export interface RequestScope {",
		"export interface LibraryAttributesAttributes {",
		"export interface LibraryAttributes {",
		`weird?: { [key: string]: number[] } | null;`,
		"*\\/ not the end of a comment",
		"export type AllowRuleID = never;",
		`export type DenyRuleID = "deny-all";`,
		"export type OAuthScope = never;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
}
