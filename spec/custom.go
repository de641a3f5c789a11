package spec

import (
	"github.com/permc/permc/runtime"
)

// Catalog returns the names the spec declares and its bounds on custom roles, as the
// runtime validates custom roles and credential patterns with them. Generated code
// holds the same catalog, so that both validate alike, with the same messages.
func (s *Spec) Catalog() *runtime.Catalog {
	c := &runtime.Catalog{
		Resources:          []string{},
		Permissions:        []string{},
		PermissionResource: []int{},
		Scopes:             []string{},
		Roles:              []string{},
	}
	for _, r := range s.Resources {
		c.Resources = append(c.Resources, r.Name)
	}
	for _, p := range s.Permissions {
		c.Permissions = append(c.Permissions, p.Name)
		c.PermissionResource = append(c.PermissionResource, p.Resource.Index)
	}
	for _, sc := range s.Scopes {
		c.Scopes = append(c.Scopes, sc.Name)
	}
	for _, r := range s.Roles {
		c.Roles = append(c.Roles, r.Name)
	}
	b := &s.CustomRoles
	c.NoCustomRoles = b.None
	if b.Permissions != nil {
		c.CustomPatterns = b.Patterns
		c.CustomPermissions = []int{}
		for _, p := range b.Permissions {
			c.CustomPermissions = append(c.CustomPermissions, p.Index)
		}
	}
	scopes := func(list []*Scope) []int {
		if list == nil {
			return nil
		}
		out := []int{}
		for _, sc := range list {
			out = append(out, sc.Index)
		}
		return out
	}
	c.CustomScopes = scopes(b.Scopes)
	c.DefaultScopes = scopes(b.DefaultScopes)
	return c
}

// ParseCustomRoles reads custom roles that admins define at run time: a JSON array of
// {"name", "description", "permissions", "scopes"} (or an object {"roles": [...]}) and
// validates them against the spec, and its bounds on custom roles (CustomRoles). A
// custom role that lists no scopes may be assigned where the bounds' default says.
//
// # Errors
//
// Every problem is reported, one per line: malformed JSON, a name that is not
// lower_snake_case, a duplicate name, a clash with a built-in role, an unknown
// permission or scope, an empty permissions or scopes list, a permission or scope
// outside the spec's bounds. The messages are the generated code's
// (runtime.Catalog.ParseCustomRoles).
func (s *Spec) ParseCustomRoles(data []byte) ([]*Role, error) {
	parsed, err := s.Catalog().ParseCustomRoles(data)
	if err != nil {
		return nil, err
	}
	roles := make([]*Role, 0, len(parsed))
	for _, cr := range parsed {
		r := &Role{Name: cr.Name, Description: cr.Description, Patterns: cr.Patterns, Custom: true, Index: -1}
		for _, i := range cr.Permissions {
			r.Permissions = append(r.Permissions, s.Permissions[i])
		}
		if cr.Scopes != nil {
			r.Scopes = []*Scope{}
			for _, i := range cr.Scopes {
				r.Scopes = append(r.Scopes, s.Scopes[i])
			}
		}
		roles = append(roles, r)
	}
	return roles, nil
}
