package gen_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/permc/permc/gen"
	"github.com/permc/permc/internal/toolchain"
	"github.com/permc/permc/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// smokeTest runs in every generated golden package: it compiles against the package's
// API and checks that its entry points answer.
const smokeTest = `package PKG

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestSmoke(t *testing.T) {
	a := NewAuthorizer()
	if out := a.CheckJSON(nil, []byte("{}")); !bytes.HasPrefix(out, []byte("{\"error\":")) {
		t.Errorf("CheckJSON({}) = %s", out)
	}
	if !json.Valid(MetadataJSON()) {
		t.Errorf("MetadataJSON is not JSON: %s", MetadataJSON())
	}
	if err := a.LoadRolesJSON([]byte("[]")); err != nil {
		t.Error(err)
	}
	var p Principal
	_ = p.Roles
	_ = Permission(0).String()
}

// TestLimits: inputs over their limits are refused before they are parsed, with the
// messages of every backend.
func TestLimits(t *testing.T) {
	long := bytes.Repeat([]byte(" "), 1<<20+1)
	if out := NewAuthorizer().CheckJSON(nil, long); string(out) != "{\"error\":\"the request is longer than 1048576 bytes\"}" {
		t.Errorf("CheckJSON(1 MiB + 1) = %.100s", out)
	}
	if out := NewAuthorizer().CheckJSON(nil, long[:1<<20]); !bytes.HasPrefix(out, []byte("{\"error\":\"invalid JSON")) {
		t.Errorf("CheckJSON(1 MiB) = %.100s", out)
	}
	if err := NewAuthorizer().LoadRolesJSON(long); err == nil || err.Error() != "the custom roles are longer than 1048576 bytes" {
		t.Errorf("LoadRolesJSON(1 MiB + 1) = %v", err)
	}
	a := NewAuthorizer(Options{MaxRequestBytes: 2, MaxRolesBytes: 3})
	if out := a.CheckJSON(nil, []byte("{} ")); string(out) != "{\"error\":\"the request is longer than 2 bytes\"}" {
		t.Errorf("CheckJSON = %s", out)
	}
	if _, _, err := a.PlanJSON([]byte("{} "), ""); err == nil || err.Error() != "the request is longer than 2 bytes" {
		t.Errorf("PlanJSON = %v", err)
	}
	if err := a.LoadRolesJSON([]byte("[ ]")); err != nil {
		t.Errorf("LoadRolesJSON(3 bytes) = %v", err)
	}
	if err := a.LoadRolesJSON([]byte("[  ]")); err == nil || err.Error() != "the custom roles are longer than 3 bytes" {
		t.Errorf("LoadRolesJSON(4 bytes) = %v", err)
	}
}
`

// TestGolden generates each testdata/<case>/spec.yaml and compares the files with the
// committed <file>.golden (go test ./gen -update rewrites them). Every case's package
// is then built, vetted and its smoke test run in a temporary module.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	module := map[string][]byte{}
	for _, sp := range dirs {
		dir := filepath.Dir(sp)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			s, err := spec.LoadFile(sp)
			if err != nil {
				t.Fatal(err)
			}
			files, err := gen.Generate(s, gen.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for n, data := range files {
				names = append(names, n)
				module[name+"/"+n] = data
				golden := filepath.Join(dir, n+".golden")
				if *update {
					if err := os.WriteFile(golden, data, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./gen -run TestGolden -update)", err)
				}
				if !bytes.Equal(data, want) {
					t.Errorf("%s differs from %s (run go test ./gen -run TestGolden -update and review the diff)", n, golden)
				}
			}
			sort.Strings(names)
			module[name+"/smoke_test.go"] = []byte(strings.Replace(smokeTest, "PKG", s.Package, 1))
			// Tests of a case's own (testdata holds no package of the module).
			tests, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
			for _, f := range tests {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				module[name+"/"+filepath.Base(f)] = data
			}
		})
	}
	if t.Failed() {
		return
	}
	tmp := t.TempDir()
	if err := toolchain.WriteModule(tmp, module); err != nil {
		t.Fatal(err)
	}
	env := toolchain.Env()
	if err := toolchain.Go(context.Background(), tmp, env, "vet", "./..."); err != nil {
		t.Fatal(err)
	}
	if err := toolchain.Go(context.Background(), tmp, env, "test", "./..."); err != nil {
		t.Fatal(err)
	}
}

// TestClashes pins how colliding names are resolved.
func TestClashes(t *testing.T) {
	s, err := spec.LoadFile("testdata/clashes/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := gen.Generate(s, gen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all := string(files["authz.go"]) + string(files["authz_check.go"])
	for _, want := range []string{
		`type PrincipalResource struct`, // resource principal: Principal is the principal
		`func \(a \*Authorizer\) CheckPrincipalResource\(`,
		`type PermissionResource struct`,                          // resource permission
		`\tPermissionResourceSet PermissionResourcePermission = `, // permission.set
		`type LibraryView struct`,                                 // resource library_view comes first...
		`\tLibraryViewPermission LibraryPermission = `,            // ... so library.view gets the suffix
		`type LibraryViewPermission2 Permission`,                  // and library_view's permissions a number
		`RoleLibraryView Role`,
		`type OrgScope struct`,          // scope org's params
		`type OrgScopeScope struct`,     // scope org_scope's params
		`\tType +string\n`,              // principal.type, a Go keyword
		`\tRoles2 +\[\]string\n`,        // principal.roles: Roles holds the assignments
		`\tID2 +string\n`,               // principal.i_d: ID is the implicit id
		`\tScopes2 +\[\]string\n`,       // credential.scopes
		`\tFilters2 +int64\n`,           // credential.filters
		`\tAB +string\n\tAB2 +string\n`, // resource a_b and a__b
		`func AtOrg\(map2 string, chan2 \[\]string\) Scope`,
	} {
		if !regexp.MustCompile(want).MatchString(all) {
			t.Errorf("generated code lacks %s", want)
		}
	}
}

// TestPermissionOfAnotherTypeDoesNotCompile: a check takes its resource type's
// permissions only, so a course permission asked of a library is a compile error.
func TestPermissionOfAnotherTypeDoesNotCompile(t *testing.T) {
	s, err := spec.LoadFile("../examples/contentlibraries/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := gen.Generate(s, gen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	module := map[string][]byte{"main.go": []byte(`package main

import "` + toolchain.ModulePath + `/libauthz"

func main() {
	a := libauthz.NewAuthorizer()
	a.CheckLibrary(nil, libauthz.LibraryEdit, nil, nil, nil)
	a.CheckLibrary(nil, libauthz.CourseEdit, nil, nil, nil)
}
`)}
	for name, data := range files {
		module["libauthz/"+name] = data
	}
	tmp := t.TempDir()
	if err := toolchain.WriteModule(tmp, module); err != nil {
		t.Fatal(err)
	}
	err = toolchain.Go(context.Background(), tmp, toolchain.Env(), "build", "-o", os.DevNull, ".")
	if err == nil || !strings.Contains(err.Error(), "main.go:8:") || !strings.Contains(err.Error(), "libauthz.LibraryPermission") || strings.Contains(err.Error(), "main.go:7:") {
		t.Errorf("want only line 8 to fail, for its type: %v", err)
	}
}
