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
		`type PermissionResource struct`, // resource permission
		`\tPermissionResourceSet\n`,      // permission.set
		`type LibraryView struct`,        // resource library_view comes first...
		`\tLibraryViewPermission\n`,      // ... so library.view gets the suffix
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
