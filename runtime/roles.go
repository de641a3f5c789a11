package runtime

import (
	"strconv"
	"strings"
)

// Catalog lists the names a compiled spec declares, in spec order. Generated code
// builds one to validate custom roles and credential permission patterns exactly as
// the spec loader does.
type Catalog struct {
	Resources []string
	// Permissions are "<resource>.<action>"; PermissionResource[i] is the index in
	// Resources of Permissions[i]'s resource type.
	Permissions        []string
	PermissionResource []int
	Scopes             []string
	// Roles are the built-in roles.
	Roles []string

	// The spec's bounds on custom roles. NoCustomRoles refuses every custom role.
	NoCustomRoles bool
	// CustomPermissions are the indexes in Permissions of the permissions a custom
	// role may hold, ascending, nil for any; CustomPatterns are the spec's patterns
	// for them, for messages.
	CustomPermissions []int
	CustomPatterns    []string
	// CustomScopes are the indexes in Scopes of the scopes a custom role may be
	// assigned at, nil for any; DefaultScopes those of a custom role that lists
	// none, nil for CustomScopes.
	CustomScopes  []int
	DefaultScopes []int
}

// CustomRole is a custom role validated against a Catalog.
type CustomRole struct {
	Name        string
	Description string
	Patterns    []string
	// Permissions are indexes in Catalog.Permissions, ascending.
	Permissions []int
	// Scopes are indexes in Catalog.Scopes; nil means any scope.
	Scopes []int
}

// Expand expands a permission pattern (library.view, library.*, *) into indexes in
// Permissions, with the spec loader's message for a pattern that matches nothing.
func (c *Catalog) Expand(pat string) ([]int, error) {
	var out []int
	if pat == "*" {
		for i := range c.Permissions {
			out = append(out, i)
		}
		return out, nil
	}
	res, action, ok := strings.Cut(pat, ".")
	if !ok {
		return nil, Errorf("permission ", Quote(pat), " must be written <resource>.<action>, <resource>.* or *", DidYouMean(pat, c.Permissions))
	}
	ri := -1
	for i, r := range c.Resources {
		if r == res {
			ri = i
			break
		}
	}
	if ri < 0 {
		return nil, Errorf("unknown resource type ", Quote(res), " in permission ", Quote(pat), DidYouMean(res, c.Resources))
	}
	var actions []string
	for i, p := range c.Permissions {
		if c.PermissionResource[i] != ri {
			continue
		}
		if action == "*" || p == pat {
			out = append(out, i)
		}
		actions = append(actions, p[len(res)+1:])
	}
	if len(out) > 0 {
		return out, nil
	}
	msg := "unknown permission " + Quote(pat)
	if sug := Suggest(action, actions); sug != "" {
		msg += " (did you mean " + Quote(res+"."+sug) + "?)"
	} else {
		msg += " (" + res + " has " + strings.Join(actions, ", ") + ")"
	}
	return nil, Errorf(msg)
}

// ParseCustomRoles reads custom roles (a JSON array of {"name", "description",
// "permissions", "scopes"}, or {"roles": [...]}) and validates them against the
// catalog, with the messages of the spec loader's ParseCustomRoles.
//
// # Errors
//
// Every problem is reported, one per line.
func (c *Catalog) ParseCustomRoles(data []byte) ([]CustomRole, error) {
	doc, err := ParseJSON(data)
	if err != nil {
		return nil, Errorf("custom roles: ", err.Error())
	}
	list := &doc
	if doc.Kind == JSONObject {
		if len(doc.Keys) != 1 || doc.Keys[0] != "roles" {
			return nil, Errorf(`custom roles: want a JSON array of roles, or {"roles": [...]}`)
		}
		list = &doc.Elems[0]
	}
	if list.Kind != JSONArray {
		return nil, Errorf("custom roles: want a JSON array of roles, not ", list.Kind.String())
	}
	if c.NoCustomRoles && len(list.Elems) > 0 {
		return nil, Errorf("custom roles: the spec accepts none (custom_roles: false)")
	}
	var problems []string
	var roles []CustomRole
	seen := map[string]bool{}
	for i := range list.Elems {
		r, errs := c.customRole(&list.Elems[i], i, seen)
		problems = append(problems, errs...)
		if errs == nil {
			roles = append(roles, r)
		}
	}
	if len(problems) > 0 {
		return nil, Errorf(strings.Join(problems, "\n"))
	}
	return roles, nil
}

// roleProblems collects the problems of one custom role, each "<at>: <message>".
type roleProblems struct {
	at   string
	list []string
}

// add records the problem made of parts. It is kept out of line, and takes its
// message in parts: a Wasm module pays for every call site and every concatenation.
//
//go:noinline
func (p *roleProblems) add(parts ...string) {
	p.list = append(p.list, p.at+": "+strings.Join(parts, ""))
}

// strings returns v's strings, or nil, with a problem, when v is not an array of
// strings.
func (p *roleProblems) strings(v *JSON, key string) []string {
	if v.Kind == JSONArray {
		out := make([]string, 0, len(v.Elems))
		for i := range v.Elems {
			if v.Elems[i].Kind != JSONString {
				break
			}
			out = append(out, v.Elems[i].Str)
		}
		if len(out) == len(v.Elems) {
			return out
		}
	}
	p.add(key, " must be an array of strings")
	return nil
}

func (c *Catalog) customRole(j *JSON, i int, seen map[string]bool) (CustomRole, []string) {
	p := &roleProblems{at: "custom role " + strconv.Itoa(i)}
	var r CustomRole
	if j.Kind != JSONObject {
		p.add("want an object, not ", j.Kind.String())
		return r, p.list
	}
	hasPerms := false
	for k, key := range j.Keys {
		v := &j.Elems[k]
		switch key {
		case "name", "description":
			if v.Kind != JSONString {
				p.add(key, " must be a string")
			} else if key == "name" {
				r.Name = v.Str
				p.at = "custom role " + Quote(r.Name)
			} else {
				r.Description = v.Str
			}
		case "permissions":
			hasPerms = true
			if r.Patterns = p.strings(v, key); r.Patterns != nil && len(r.Patterns) == 0 {
				p.add("permissions is empty: a role needs at least one permission")
			}
		case "scopes":
			names := p.strings(v, key)
			if names != nil && len(names) == 0 {
				p.add("scopes is empty: list the scopes it may be assigned at, or leave scopes out for the spec's default")
			}
			for _, n := range names {
				si := index(c.Scopes, n)
				if si < 0 {
					p.add("unknown scope ", Quote(n), DidYouMean(n, c.Scopes))
				} else if c.CustomScopes != nil && !containsInt(c.CustomScopes, si) {
					p.add("scope ", Quote(n), " is not allowed for custom roles (they may be assigned at ", c.names(c.Scopes, c.CustomScopes), ")")
				} else {
					r.Scopes = append(r.Scopes, si)
				}
			}
			if names != nil && r.Scopes == nil {
				r.Scopes = []int{}
			}
		default:
			p.add("unknown key ", Quote(key), DidYouMean(key, []string{"name", "description", "permissions", "scopes"}))
		}
	}
	switch {
	case r.Name == "":
		p.add("missing name")
	case !lowerSnake(r.Name):
		p.add("name must be lower_snake_case")
	case contains(c.Roles, r.Name):
		p.add("clashes with the built-in role ", Quote(r.Name))
	case seen[r.Name]:
		p.add("defined twice")
	}
	seen[r.Name] = true
	if !hasPerms {
		p.add("missing permissions")
	}
	set := make([]bool, len(c.Permissions))
	for _, pat := range r.Patterns {
		idx, err := c.Expand(pat)
		if err != nil {
			p.add(err.Error())
		}
		for _, i := range idx {
			if c.CustomPermissions != nil && !containsInt(c.CustomPermissions, i) {
				// The pattern is the permission itself, or a wildcard that takes it in.
				what := "permission " + Quote(pat) + " is"
				if c.Permissions[i] != pat {
					what = Quote(pat) + " grants " + c.Permissions[i] + ", which is"
				}
				p.add(what, " not allowed in custom roles (they may hold ", strings.Join(c.CustomPatterns, ", "), ")")
				break
			}
			set[i] = true
		}
	}
	if p.list != nil {
		return CustomRole{}, p.list
	}
	if r.Scopes == nil {
		// A role that names no scope may be assigned where the spec says.
		r.Scopes = c.DefaultScopes
		if r.Scopes == nil {
			r.Scopes = c.CustomScopes
		}
	}
	for i, ok := range set {
		if ok {
			r.Permissions = append(r.Permissions, i)
		}
	}
	return r, nil
}

// names lists the names of the indexes idx, in spec order.
func (c *Catalog) names(all []string, idx []int) string {
	out := ""
	for i, x := range idx {
		if i > 0 {
			out += ", "
		}
		out += all[x]
	}
	return out
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func containsInt(list []int, x int) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lowerSnake reports whether s matches ^[a-z][a-z0-9_]*$.
func lowerSnake(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '_') {
			continue
		}
		return false
	}
	return s != ""
}
