package runtime

import (
	"reflect"
	"strings"
	"testing"
)

// catalogForTest has library and org permissions, three scopes, a built-in role, and
// bounds: custom roles hold library.view and library.edit, at org or libraries, and
// by default at libraries.
var catalogForTest = &Catalog{
	Resources:          []string{"library", "org"},
	Permissions:        []string{"library.view", "library.edit", "library.delete", "org.manage"},
	PermissionResource: []int{0, 0, 0, 1},
	Scopes:             []string{"global", "org", "libraries"},
	Roles:              []string{"admin"},
	CustomPermissions:  []int{0, 1},
	CustomPatterns:     []string{"library.view", "library.edit"},
	CustomScopes:       []int{1, 2},
	DefaultScopes:      []int{2},
}

// TestCustomRoleMessages pins every message of custom role validation, which the spec
// loader shares, byte for byte.
func TestCustomRoleMessages(t *testing.T) {
	for _, tt := range []struct{ roles, want string }{
		{`{"name": "r"}`, `custom roles: want a JSON array of roles, or {"roles": [...]}`},
		{`"x"`, `custom roles: want a JSON array of roles, not a string`},
		{`[1]`, `custom role 0: want an object, not a number`},
		{`[{"name": 1, "description": 2, "permissions": "x", "scopes": [3]}]`, `custom role 0: name must be a string
custom role 0: description must be a string
custom role 0: permissions must be an array of strings
custom role 0: scopes must be an array of strings
custom role 0: missing name`},
		{`[{"name": "R", "permissions": ["nope", "lib.*", "library.vew"], "colour": 1}]`, `custom role "R": unknown key "colour"
custom role "R": name must be lower_snake_case
custom role "R": permission "nope" must be written <resource>.<action>, <resource>.* or *
custom role "R": unknown resource type "lib" in permission "lib.*" (did you mean "library"?)
custom role "R": unknown permission "library.vew" (did you mean "library.view"?)`},
		{`[{"name": "admin", "permissions": ["library.view"]}, {"name": "r", "permissions": ["library.view"]}, {"name": "r", "permissions": ["library.view"]}]`, `custom role "admin": clashes with the built-in role "admin"
custom role "r": defined twice`},
		{`[{"name": "r", "scopes": ["orgg"]}]`, `custom role "r": unknown scope "orgg" (did you mean "org"?)
custom role "r": missing permissions`},
		{`[{"name": "r", "permissions": [], "scopes": []}]`, `custom role "r": permissions is empty: a role needs at least one permission
custom role "r": scopes is empty: list the scopes it may be assigned at, or leave scopes out for the spec's default`},
		{`[{"name": "r", "permissions": ["org.manage", "library.*", "*"], "scopes": ["global", "org"]}]`, `custom role "r": scope "global" is not allowed for custom roles (they may be assigned at org, libraries)
custom role "r": permission "org.manage" is not allowed in custom roles (they may hold library.view, library.edit)
custom role "r": "library.*" grants library.delete, which is not allowed in custom roles (they may hold library.view, library.edit)
custom role "r": "*" grants library.delete, which is not allowed in custom roles (they may hold library.view, library.edit)`},
	} {
		_, err := catalogForTest.ParseCustomRoles([]byte(tt.roles))
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseCustomRoles(%s):\n%v\nwant\n%s", tt.roles, err, tt.want)
		}
	}
	c := *catalogForTest
	c.NoCustomRoles = true
	if _, err := c.ParseCustomRoles([]byte(`[]`)); err != nil {
		t.Errorf("no custom roles, none loaded: %v", err)
	}
	if _, err := c.ParseCustomRoles([]byte(`[{"name": "r", "permissions": ["library.view"]}]`)); err == nil || err.Error() != "custom roles: the spec accepts none (custom_roles: false)" {
		t.Errorf("no custom roles, one loaded: %v", err)
	}
}

// TestCustomRoleScopes checks the scopes a custom role may be assigned at: those it
// lists, or the bounds' default when it lists none, or any scope without bounds.
func TestCustomRoleScopes(t *testing.T) {
	roles, err := catalogForTest.ParseCustomRoles([]byte(`[{"name": "a", "permissions": ["library.*"], "scopes": ["org"]}, {"name": "b", "permissions": ["library.view"]}]`))
	if err == nil || !strings.Contains(err.Error(), "library.delete") {
		t.Fatalf("library.* takes in library.delete: %v", err)
	}
	roles, err = catalogForTest.ParseCustomRoles([]byte(`[{"name": "a", "permissions": ["library.view", "library.edit"], "scopes": ["org"]}, {"name": "b", "permissions": ["library.view"]}]`))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(roles[0].Scopes, []int{1}) || !reflect.DeepEqual(roles[1].Scopes, []int{2}) || !reflect.DeepEqual(roles[0].Permissions, []int{0, 1}) {
		t.Errorf("roles = %+v", roles)
	}
	unbounded := &Catalog{Resources: catalogForTest.Resources, Permissions: catalogForTest.Permissions, PermissionResource: catalogForTest.PermissionResource, Scopes: catalogForTest.Scopes}
	roles, err = unbounded.ParseCustomRoles([]byte(`[{"name": "b", "permissions": ["*"]}]`))
	if err != nil || roles[0].Scopes != nil || len(roles[0].Permissions) != 4 {
		t.Errorf("without bounds: %+v, %v", roles, err)
	}
}
