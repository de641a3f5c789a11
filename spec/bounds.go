package spec

import (
	"gopkg.in/yaml.v3"
)

// customRoles reads the custom_roles section: false, which refuses every custom role,
// or a mapping bounding them:
//
//	custom_roles:
//	  permissions: [library.view, library.edit]   # what a custom role may hold
//	  scopes: [org, libraries]                    # where one may be assigned
//	  default_scopes: [libraries]                 # where one that lists none may be
//
// Without the section custom roles are unbounded, which is a warning.
func (l *loader) customRoles(n *yaml.Node) {
	s := l.spec
	b := &s.CustomRoles
	if n == nil {
		msg := "warning: custom roles may hold any permission and be assigned at any scope: bound them with a custom_roles section (permissions, scopes), or write custom_roles: false to accept none"
		if len(s.Scopes) == 0 {
			msg = "warning: custom roles may hold any permission: bound them with a custom_roles section (permissions), or write custom_roles: false to accept none"
		}
		s.Warnings = append(s.Warnings, &Error{Pos: Pos{File: l.file, Line: 1, Col: 1}, Msg: msg})
		return
	}
	b.Declared, b.Pos = true, l.pos(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		if n.Value == "false" {
			b.None = true
		} else {
			l.errorf(n, "custom_roles: true is what leaving the section out means; write false to accept no custom role, or bound them with permissions and scopes")
		}
		return
	}
	f := l.mapping(n, "custom_roles", "permissions", "scopes", "default_scopes")
	if f == nil {
		return
	}
	empty := func(v *yaml.Node) bool {
		return v.Kind == yaml.SequenceNode && len(v.Content) == 0 || v.Kind == yaml.ScalarNode && v.Tag == "!!null"
	}
	if v := f.get("permissions"); v != nil {
		if empty(v) {
			l.errorf(v, "custom_roles permissions is empty: list the permissions custom roles may hold, or write custom_roles: false to accept none")
		}
		b.Patterns, b.Permissions = l.permissions(v, "custom_roles permissions")
		if b.Permissions == nil {
			b.Permissions = []*Permission{}
		}
	} else {
		l.warn(n, "warning: custom roles may hold any permission: bound them with custom_roles permissions")
	}
	if v := f.get("scopes"); v != nil {
		if empty(v) {
			l.errorf(v, "custom_roles scopes is empty: list the scopes custom roles may be assigned at, or write custom_roles: false to accept none")
		}
		b.Scopes = l.scopeRefs(v, "custom_roles scopes")
	} else if len(s.Scopes) > 0 {
		l.warn(n, "warning: custom roles may be assigned at any scope: bound them with custom_roles scopes")
	}
	if v := f.get("default_scopes"); v != nil {
		if empty(v) {
			l.errorf(v, "custom_roles default_scopes is empty: list the scopes a custom role without scopes may be assigned at, or leave default_scopes out")
		}
		b.DefaultScopes = l.scopeRefs(v, "custom_roles default_scopes")
		vals, nodes := l.list(v, "custom_roles default_scopes")
		for i, name := range vals {
			if sc := s.Scope(name); sc != nil && b.Scopes != nil && !containsScope(b.Scopes, sc) {
				l.errorf(nodes[i], "default scope %q is not among custom_roles scopes", name)
			}
		}
	}
}

// warn records a warning at n.
func (l *loader) warn(n *yaml.Node, msg string) {
	p := l.pos(n)
	l.spec.Warnings = append(l.spec.Warnings, &Error{Pos: p, Msg: msg, Source: l.lineText(p.Line)})
}

func containsScope(list []*Scope, sc *Scope) bool {
	for _, x := range list {
		if x == sc {
			return true
		}
	}
	return false
}
