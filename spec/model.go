// Package spec loads a permc spec from YAML, validates every name and reference, and
// type-checks every CEL expression against the declared attributes. The checked *Spec
// is the model every backend (the reference evaluator, the Go generator, the Wasm
// builder) starts from.
package spec

import (
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
)

// Spec is a loaded and checked spec.
type Spec struct {
	// File is the name the spec was loaded under; positions refer to it.
	File    string
	Version int
	// Package is the Go package name of generated code.
	Package string

	Principal   []*Attribute
	Context     []*Attribute
	Resources   []*Resource
	Scopes      []*Scope
	Roles       []*Role
	Rules       []*Rule
	Credentials Credentials
	// CustomRoles bounds the custom roles that may be loaded.
	CustomRoles CustomRoleBounds

	// Permissions lists every permission of every resource type, in declaration
	// order; Permission.Index is the position in this slice.
	Permissions []*Permission

	// Source is the spec file's text.
	Source []byte

	// Warnings are problems that do not stop the spec from compiling, in file order,
	// each "warning: ...": permc vet reports them.
	Warnings ErrorList

	resourceByName map[string]*Resource
	scopeByName    map[string]*Scope
	roleByName     map[string]*Role
	permByName     map[string]*Permission
	oauthByName    map[string]*OAuthScope
	filterByName   map[string]*Filter

	envMu    sync.Mutex // guards provider and envs, built lazily
	provider *objectProvider
	envs     map[envKey]*cel.Env
}

// Attribute is a declared attribute of the principal, the context, a resource type or a
// credential, or a parameter of a scope.
type Attribute struct {
	Name        string
	Type        *Type
	Description string
	// Required is set for an attribute declared {type: T, required: true}: a request
	// that omits it, or gives it as null, is malformed.
	Required bool
	Pos      Pos

	requiredAt Pos // where `required` is, for the error on a scope parameter
}

// Resource is a resource type with its attributes and permissions.
type Resource struct {
	Name        string
	Description string
	// Attributes are the declared attributes; the implicit `id` is not among them.
	Attributes  []*Attribute
	Permissions []*Permission
	Pos         Pos
	// Index is the resource type's position in Spec.Resources.
	Index int
}

// Attribute returns the declared attribute called name, or nil.
func (r *Resource) Attribute(name string) *Attribute { return findAttr(r.Attributes, name) }

// Indefinite returns the resource type's name after its indefinite article, "a
// library" or "an org", for generated prose.
func (r *Resource) Indefinite() string {
	n := strings.ToLower(r.Name)
	an := strings.IndexByte("aeio", n[0]) >= 0 ||
		n[0] == 'u' && !strings.HasPrefix(n, "uni") && !strings.HasPrefix(n, "us") && !strings.HasPrefix(n, "ut") && !strings.HasPrefix(n, "ur")
	if an {
		return "an " + r.Name
	}
	return "a " + r.Name
}

// Permission is one action on one resource type, named "<resource>.<action>".
type Permission struct {
	Resource    *Resource
	Action      string
	Name        string
	Description string
	Pos         Pos
	// Index is the permission's position in Spec.Permissions.
	Index int
}

// Expr is one CEL expression of the spec, checked once per resource type it applies to.
type Expr struct {
	// Source is the expression text as CEL sees it.
	Source string
	// Pos is the position of the expression's first character in the file.
	Pos Pos
	// Checked maps a resource type name to the expression checked with `resource`
	// typed as that resource type. The key "" holds the check without a resource.
	Checked map[string]*cel.Ast

	offsets []Pos // file position of each byte of Source
}

// PosAt returns the file position of a byte offset in Source.
func (e *Expr) PosAt(offset int) Pos {
	if offset >= 0 && offset < len(e.offsets) {
		return e.offsets[offset]
	}
	return e.Pos
}

// Scope is a scope type: how one role assignment selects the resources it covers.
type Scope struct {
	Name        string
	Description string
	Params      []*Attribute
	// Resources are the resource types the scope applies to, in spec order; it is every
	// resource type when the spec names none.
	Resources []*Resource
	// Match maps a resource type name to the expression that decides whether an
	// assignment at this scope covers a resource of that type.
	Match map[string]*Expr
	Pos   Pos
	Index int
}

// Param returns the declared parameter called name, or nil.
func (s *Scope) Param(name string) *Attribute { return findAttr(s.Params, name) }

// AppliesTo reports whether the scope covers resources of type r.
func (s *Scope) AppliesTo(r *Resource) bool { return s.Match[r.Name] != nil }

// Role is a named bundle of permissions, built in (from the spec) or custom (from data).
type Role struct {
	Name        string
	Description string
	// Patterns are the permission patterns as written (library.view, library.*, *).
	Patterns []string
	// Permissions is the expansion of Patterns, in Spec.Permissions order.
	Permissions []*Permission
	// Scopes are the scope types the role may be assigned at; nil means any.
	Scopes []*Scope
	// When is the role's condition, or nil.
	When   *Expr
	Pos    Pos
	Index  int
	Custom bool
}

// Grants reports whether the role grants p.
func (r *Role) Grants(p *Permission) bool {
	for _, q := range r.Permissions {
		if q == p {
			return true
		}
	}
	return false
}

// AssignableAt reports whether the role may be assigned at scope s.
func (r *Role) AssignableAt(s *Scope) bool {
	if r.Scopes == nil {
		return true
	}
	for _, t := range r.Scopes {
		if t == s {
			return true
		}
	}
	return false
}

// Effect is what a rule does when it applies.
type Effect int

// Rule effects.
const (
	Allow Effect = iota + 1
	Deny
)

func (e Effect) String() string {
	if e == Deny {
		return "deny"
	}
	return "allow"
}

// Rule applies to every principal, with or without roles.
type Rule struct {
	ID          string
	Description string
	Effect      Effect
	Patterns    []string
	Permissions []*Permission
	// When is the rule's condition; nil means always.
	When  *Expr
	Pos   Pos
	Index int
}

// Names reports whether the rule names p.
func (r *Rule) Names(p *Permission) bool {
	for _, q := range r.Permissions {
		if q == p {
			return true
		}
	}
	return false
}

// CustomRoleBounds is a spec's `custom_roles` section: what custom roles loaded at run
// time may hold and where they may be assigned.
type CustomRoleBounds struct {
	// Declared is set when the spec has the section.
	Declared bool
	// None is set by `custom_roles: false`: the spec accepts no custom role.
	None bool
	// Patterns are the permission patterns custom roles may hold, as written, and
	// Permissions their expansion; both nil when custom roles may hold any.
	Patterns    []string
	Permissions []*Permission
	// Scopes are the scope types custom roles may be assigned at; nil for any.
	Scopes []*Scope
	// DefaultScopes are where a custom role that lists no scopes may be assigned; nil
	// for Scopes.
	DefaultScopes []*Scope
	Pos           Pos
}

// Credentials declares what API keys and OAuth tokens may narrow access to.
type Credentials struct {
	Attributes []*Attribute
	Scopes     []*OAuthScope
	Filters    []*Filter
}

// OAuthScope is an OAuth scope name and the permissions it unlocks.
type OAuthScope struct {
	Name        string
	Description string
	Patterns    []string
	Permissions []*Permission
	Pos         Pos
}

// Filter is a credential filter "<name>:<value>", matched against the resource.
type Filter struct {
	Name        string
	Description string
	Resources   []*Resource
	Match       map[string]*Expr
	Pos         Pos
	Index       int
}

// Resource returns the resource type called name, or nil.
func (s *Spec) Resource(name string) *Resource { return s.resourceByName[name] }

// Scope returns the scope type called name, or nil.
func (s *Spec) Scope(name string) *Scope { return s.scopeByName[name] }

// Role returns the built-in role called name, or nil.
func (s *Spec) Role(name string) *Role { return s.roleByName[name] }

// Permission returns the permission called name ("library.view"), or nil.
func (s *Spec) Permission(name string) *Permission { return s.permByName[name] }

// OAuthScope returns the credential scope called name, or nil.
func (s *Spec) OAuthScope(name string) *OAuthScope { return s.oauthByName[name] }

// Filter returns the credential filter called name, or nil.
func (s *Spec) Filter(name string) *Filter { return s.filterByName[name] }

// PrincipalAttribute returns the declared principal attribute called name, or nil.
func (s *Spec) PrincipalAttribute(name string) *Attribute { return findAttr(s.Principal, name) }

// ContextAttribute returns the declared context attribute called name, or nil.
func (s *Spec) ContextAttribute(name string) *Attribute { return findAttr(s.Context, name) }

// CredentialAttribute returns the declared credential attribute called name, or nil.
func (s *Spec) CredentialAttribute(name string) *Attribute {
	return findAttr(s.Credentials.Attributes, name)
}

// ExpandPatterns expands permission patterns (library.view, library.*, *) into
// permissions in Spec.Permissions order. It returns an error naming the first pattern
// that matches nothing.
func (s *Spec) ExpandPatterns(patterns []string) ([]*Permission, error) {
	seen := make([]bool, len(s.Permissions))
	for _, pat := range patterns {
		ps, err := s.expand(pat)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			seen[p.Index] = true
		}
	}
	var out []*Permission
	for i, ok := range seen {
		if ok {
			out = append(out, s.Permissions[i])
		}
	}
	return out, nil
}

// Expressions lists every expression of the spec once: scope matches, filter matches,
// role conditions and rule conditions, in that order.
func (s *Spec) Expressions() []*Expr {
	var out []*Expr
	seen := map[*Expr]bool{}
	add := func(x *Expr) {
		if x != nil && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	for _, sc := range s.Scopes {
		for _, r := range sc.Resources {
			add(sc.Match[r.Name])
		}
	}
	for _, f := range s.Credentials.Filters {
		for _, r := range f.Resources {
			add(f.Match[r.Name])
		}
	}
	for _, r := range s.Roles {
		add(r.When)
	}
	for _, r := range s.Rules {
		add(r.When)
	}
	return out
}

func findAttr(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}
