package benchmark

import (
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"

	"github.com/permc/permc/internal/benchmark/libauthz"
	"github.com/permc/permc/runtime"
)

// The typed API of a generated package, on the content-libraries checker.

func TestTypedDecisions(t *testing.T) {
	a := libauthz.NewAuthorizer()
	lib := &libauthz.Library{ID: "lib1", Org: "MITx"}
	alice := &libauthz.Principal{ID: "alice", Roles: []libauthz.Assignment{
		{Role: libauthz.RoleLibraryAuthor, Scope: libauthz.AtGlobal()},    // not assignable at global
		{Role: 99, Scope: libauthz.AtOrg("MITx")},                         // unknown role
		{Role: libauthz.RoleLibraryUser, Scope: libauthz.Scope{Type: 42}}, // unknown scope type
		{Role: libauthz.RoleLibraryAuthor, Scope: libauthz.AtOrg("MITx")},
		{Role: libauthz.RoleOrgAdmin, Scope: libauthz.AtGlobal()}, // after the granting one: still warned about
	}}
	d := a.CheckLibrary(alice, libauthz.LibraryEdit, lib, nil, nil)
	if !d.Allowed || d.Reason.Kind != runtime.Role || d.Reason.Role != "library_author" || d.Reason.Assignment != 3 {
		t.Errorf("decision = %+v", d)
	}
	var warnings []string
	for _, w := range d.Warnings {
		warnings = append(warnings, w.Message)
	}
	want := []string{
		`role "library_author" cannot be assigned at scope "global" (only at org, org_except, libraries)`,
		`unknown role "Role(99)"`,
		`unknown scope type "ScopeType(42)"`,
		`role "org_admin" cannot be assigned at scope "global" (only at tenant)`,
	}
	if strings.Join(warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}

	// A permission of another resource type does not compile; forced through a
	// conversion, it is denied. Nil arguments are zero values.
	if d := a.CheckLibrary(alice, libauthz.LibraryPermission(libauthz.CourseEdit), lib, nil, nil); d.Allowed || d.Reason.Kind != runtime.NoGrant {
		t.Errorf("course.edit on a library = %+v", d)
	}
	if d := a.CheckLibrary(nil, libauthz.LibraryView, nil, nil, nil); d.Allowed {
		t.Errorf("nil principal and library = %+v", d)
	}
	if d := a.CheckLibrary(alice, libauthz.LibraryPermission(1000), lib, nil, nil); d.Allowed || d.Permission != "Permission(1000)" {
		t.Errorf("out-of-range permission = %+v", d)
	}

	// Every permission alice has on lib.
	set := a.LibraryPermissions(alice, lib, nil, nil)
	got := set.Permissions()
	if len(got) != 2 || got[0] != libauthz.LibraryView || got[1] != libauthz.LibraryEdit {
		t.Errorf("LibraryPermissions = %v", got)
	}
	// A credential narrows them.
	cred := &libauthz.Credential{Scopes: []string{"libraries:read"}}
	if set := a.LibraryPermissions(alice, lib, cred, nil); set.Has(libauthz.LibraryEdit) || !set.Has(libauthz.LibraryView) {
		t.Errorf("LibraryPermissions with libraries:read = %v", set.Permissions())
	}
	if p, ok := libauthz.PermissionByName("library.publish"); !ok || p != libauthz.Permission(libauthz.LibraryPublish) || p.String() != "library.publish" {
		t.Errorf("PermissionByName = %v, %v", p, ok)
	}
	if p, ok := libauthz.LibraryPermissionByName("library.publish"); !ok || p != libauthz.LibraryPublish || p.String() != "library.publish" {
		t.Errorf("LibraryPermissionByName = %v, %v", p, ok)
	}
	// A permission of another resource type is no library permission.
	if p, ok := libauthz.LibraryPermissionByName("course.edit"); ok {
		t.Errorf("LibraryPermissionByName(course.edit) = %v", p)
	}
}

func TestTypedCustomRoles(t *testing.T) {
	a := libauthz.NewAuthorizer()
	if err := a.LoadRolesJSON([]byte(`[{"name": "reviewer", "permissions": ["library.view"], "scopes": ["libraries"]}, {"name": "boss", "permissions": ["library.view", "library.edit", "library.publish"], "scopes": ["org"]}]`)); err != nil {
		t.Fatal(err)
	}
	reviewer, ok := a.Role("reviewer")
	if !ok || a.RoleName(reviewer) != "reviewer" {
		t.Fatalf("Role(reviewer) = %v, %v", reviewer, ok)
	}
	if r, ok := a.Role("library_user"); !ok || r != libauthz.RoleLibraryUser {
		t.Errorf("Role(library_user) = %v, %v", r, ok)
	}
	carol := &libauthz.Principal{ID: "carol", Roles: []libauthz.Assignment{{Role: reviewer, Scope: libauthz.AtLibraries([]string{"lib1"})}}}
	lib := &libauthz.Library{ID: "lib1", Org: "HarvardX"}
	if d := a.CheckLibrary(carol, libauthz.LibraryView, lib, nil, nil); !d.Allowed || d.Reason.Role != "reviewer" {
		t.Errorf("reviewer = %+v", d)
	}
	// A failed load keeps the roles; a reload keeps a role's Role and forgets the
	// roles it no longer has.
	if err := a.LoadRolesJSON([]byte(`[{"name": "reviewer", "permissions": ["nope.view"]}]`)); err == nil {
		t.Error("a bad role loaded")
	}
	if err := a.LoadRolesJSON([]byte(`[{"name": "boss", "permissions": ["library.view"]}, {"name": "reviewer", "permissions": ["library.view"]}]`)); err != nil {
		t.Fatal(err)
	}
	if r, _ := a.Role("reviewer"); r != reviewer {
		t.Errorf("reviewer's Role changed from %d to %d across loads", reviewer, r)
	}
	if err := a.LoadRolesJSON([]byte(`[]`)); err != nil {
		t.Fatal(err)
	}
	d := a.CheckLibrary(carol, libauthz.LibraryView, lib, nil, nil)
	if d.Allowed || len(d.Warnings) != 1 || !strings.HasPrefix(d.Warnings[0].Message, "unknown role") {
		t.Errorf("unloaded role = %+v", d)
	}
	// A role loaded again after a load without it is a new Role: the old one stays no
	// role, so an assignment kept from before grants nothing.
	if err := a.LoadRolesJSON([]byte(`[{"name": "reviewer", "permissions": ["library.view"]}]`)); err != nil {
		t.Fatal(err)
	}
	if r, _ := a.Role("reviewer"); r == reviewer || a.RoleName(reviewer) != "" {
		t.Errorf("reviewer loaded again: Role %d (was %d), old Role named %q", r, reviewer, a.RoleName(reviewer))
	}
	if d := a.CheckLibrary(carol, libauthz.LibraryView, lib, nil, nil); d.Allowed {
		t.Errorf("an assignment of the forgotten Role = %+v", d)
	}
}

// TestConcurrentLoads runs checks while custom roles are reloaded (go test -race).
func TestConcurrentLoads(t *testing.T) {
	a := libauthz.NewAuthorizer()
	roles := []byte(`[{"name": "reviewer", "permissions": ["library.view"]}]`)
	if err := a.LoadRolesJSON(roles); err != nil {
		t.Fatal(err)
	}
	reviewer, _ := a.Role("reviewer")
	p := &libauthz.Principal{ID: "p", Roles: []libauthz.Assignment{{Role: reviewer, Scope: libauthz.AtOrg("MITx")}}}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if w == 0 {
					if err := a.LoadRolesJSON(roles); err != nil {
						t.Error(err)
					}
					continue
				}
				if d := a.CheckLibrary(p, libauthz.LibraryView, &libauthz.Library{ID: "x", Org: "MITx"}, nil, nil); !d.Allowed {
					t.Errorf("denied during a reload: %+v", d)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestReloadsFreeRoles loads custom roles again and again, each load with 100 names
// the one before did not have, and requires the memory still held after a garbage
// collection not to grow with the names that came and went: a reload frees what the
// roles it replaces held.
func TestReloadsFreeRoles(t *testing.T) {
	a := libauthz.NewAuthorizer()
	load := func(gen int) {
		var b strings.Builder
		b.WriteString("[")
		for i := 0; i < 100; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"name": "role_%d_%d", "description": "a role of load %d", "permissions": ["library.view"], "scopes": ["org"]}`, gen, i, gen)
		}
		b.WriteString("]")
		if err := a.LoadRolesJSON([]byte(b.String())); err != nil {
			t.Fatal(err)
		}
	}
	held := func() uint64 {
		var m goruntime.MemStats
		goruntime.GC()
		goruntime.GC()
		goruntime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	load(0)
	before := held()
	const loads = 1000 // 100,000 names in all, 100 alive at a time
	for gen := 1; gen <= loads; gen++ {
		load(gen)
	}
	after := held()
	// Keeping every name ever loaded held about 100 bytes a name: 10 MB here.
	if after > before+1<<20 {
		t.Errorf("after %d loads of 100 new names, %d more bytes are held than after the first", loads, after-before)
	}
	if r, ok := a.Role(fmt.Sprintf("role_%d_7", loads)); !ok || a.RoleName(r) == "" {
		t.Errorf("the last load's roles are not loaded")
	}
	if _, ok := a.Role("role_0_7"); ok {
		t.Errorf("the first load's roles are still loaded")
	}
}
