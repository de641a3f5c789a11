package spec

import (
	"fmt"
	"strings"

	"github.com/permc/permc/runtime"
)

// ParseCustomRoles reads custom roles that admins define at run time: a JSON array of
// {"name", "description", "permissions", "scopes"} (or an object {"roles": [...]}) and
// validates them against the spec.
//
// # Errors
//
// Every problem is reported, one per line: malformed JSON, a name that is not
// lower_snake_case, a duplicate name, a clash with a built-in role, an unknown
// permission or scope.
func (s *Spec) ParseCustomRoles(data []byte) ([]*Role, error) {
	doc, err := runtime.ParseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("custom roles: %v", err)
	}
	list := &doc
	if doc.Kind == runtime.JSONObject {
		if len(doc.Keys) != 1 || doc.Keys[0] != "roles" {
			return nil, fmt.Errorf(`custom roles: want a JSON array of roles, or {"roles": [...]}`)
		}
		list = &doc.Elems[0]
	}
	if list.Kind != runtime.JSONArray {
		return nil, fmt.Errorf("custom roles: want a JSON array of roles, not %s", list.Kind)
	}
	var problems []string
	var roles []*Role
	seen := map[string]bool{}
	for i := range list.Elems {
		r, errs := s.customRole(&list.Elems[i], i, seen)
		problems = append(problems, errs...)
		if r != nil {
			roles = append(roles, r)
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return roles, nil
}

func (s *Spec) customRole(j *runtime.JSON, i int, seen map[string]bool) (*Role, []string) {
	at := fmt.Sprintf("custom role %d", i)
	if j.Kind != runtime.JSONObject {
		return nil, []string{fmt.Sprintf("%s: want an object, not %s", at, j.Kind)}
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	r := &Role{Custom: true, Index: -1}
	strs := func(v *runtime.JSON, key string) []string {
		if v.Kind != runtime.JSONArray {
			fail("%s must be an array of strings", key)
			return nil
		}
		out := []string{}
		for _, e := range v.Elems {
			if e.Kind != runtime.JSONString {
				fail("%s must be an array of strings", key)
				return nil
			}
			out = append(out, e.Str)
		}
		return out
	}
	var hasPerms bool
	for k, key := range j.Keys {
		v := &j.Elems[k]
		switch key {
		case "name":
			if v.Kind != runtime.JSONString {
				fail("name must be a string")
				continue
			}
			r.Name = v.Str
			at = fmt.Sprintf("custom role %q", r.Name)
		case "description":
			if v.Kind != runtime.JSONString {
				fail("description must be a string")
				continue
			}
			r.Description = v.Str
		case "permissions":
			hasPerms = true
			r.Patterns = strs(v, "permissions")
		case "scopes":
			names := strs(v, "scopes")
			if names == nil {
				continue
			}
			r.Scopes = []*Scope{}
			for _, n := range names {
				sc := s.Scope(n)
				if sc == nil {
					fail("unknown scope %q%s", n, didYouMean(n, s.scopeNames()))
					continue
				}
				r.Scopes = append(r.Scopes, sc)
			}
		default:
			fail("unknown key %q%s", key, didYouMean(key, []string{"name", "description", "permissions", "scopes"}))
		}
	}
	switch {
	case r.Name == "":
		fail("missing name")
	case !nameRE.MatchString(r.Name):
		fail("name must be lower_snake_case")
	case s.Role(r.Name) != nil:
		fail("clashes with the built-in role %q", r.Name)
	case seen[r.Name]:
		fail("defined twice")
	}
	seen[r.Name] = true
	if !hasPerms {
		fail("missing permissions")
	}
	for _, p := range r.Patterns {
		if _, err := s.expand(p); err != nil {
			fail("%v", err)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	r.Permissions, _ = s.ExpandPatterns(r.Patterns)
	return r, nil
}
