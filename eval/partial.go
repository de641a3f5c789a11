package eval

import (
	"strings"

	"github.com/permc/permc/runtime"
	"github.com/permc/permc/spec"
)

// Request is a decoded request with its resource unknown: everything a check knows
// before it looks at the resource. It exists for package plan, which decides the same
// semantics for every resource of a type at once, and is decoded by exactly the code
// that decodes the requests Decide answers, so that both agree on what is malformed.
type Request struct {
	// Resource is the resource type, the type of Permission.
	Resource   *spec.Resource
	Permission *spec.Permission
	// Principal, Context and the credential's Attributes hold every declared attribute
	// (zero values for omitted ones) as the evaluator passes them to CEL; Principal
	// also holds "id".
	Principal   map[string]any
	Context     map[string]any
	Credential  Credential
	Assignments []Assignment
	// Warnings are the invalid role assignments, exactly as a decision lists them.
	Warnings []runtime.Warning
}

// Credential is a request's credential. Present is false when the request has none.
type Credential struct {
	Present                             bool
	HasScopes, HasPermissions, HasRoles bool
	Scopes, Permissions, Roles, Filters []string
	Attributes                          map[string]any
}

// Assignment is one role assignment. Role and Scope are nil when unknown; Valid is
// false when the assignment grants nothing (it then has warnings).
type Assignment struct {
	RoleName, ScopeName string
	Role                *spec.Role
	Scope               *spec.Scope
	// Params are the scope parameters given, as `scope` in the scope's match sees them.
	Params map[string]any
	Valid  bool
}

// DecodeRequestWithoutResource decodes a request whose resource is unknown. The
// request has the keys of a check request; its resource may be omitted or give only
// its "type". permission, when not empty, is the permission asked about; the request's
// own "permission", when present, must then be the same.
//
// # Errors
//
// A malformed request is a *RequestError, with the messages Decide gives, and also
// when the resource has an id or attributes or its type is not the permission's.
func (e *Evaluator) DecodeRequestWithoutResource(data []byte, permission string) (*Request, error) {
	doc, err := e.parse(data)
	if err != nil {
		return nil, err
	}
	if err := wantObject(&doc, "request"); err != nil {
		return nil, err
	}
	if err := keysOf(&doc, "request", "principal", "resource", "permission", "credential", "context"); err != nil {
		return nil, err
	}
	s := e.spec
	if pj := get(&doc, "permission"); pj != nil || permission == "" {
		p, err := wantString(pj, "permission")
		if err != nil {
			return nil, err
		}
		if permission != "" && p != permission {
			return nil, reqErr("the request asks about permission %q, not %q", p, permission)
		}
		permission = p
	}
	r := &request{}
	if r.perm = s.Permission(permission); r.perm == nil {
		var names []string
		for _, p := range s.Permissions {
			names = append(names, p.Name)
		}
		return nil, reqErr("unknown permission %q%s", permission, suggestion(permission, names))
	}
	r.resource = r.perm.Resource
	if rj := get(&doc, "resource"); rj != nil {
		if err := wantObject(rj, "resource"); err != nil {
			return nil, err
		}
		for _, k := range rj.Keys {
			if k == "id" || k == "attributes" {
				return nil, reqErr("resource: a plan is for every resource of a type: give only its \"type\", not %q", k)
			}
		}
		if err := keysOf(rj, "resource", "type"); err != nil {
			return nil, err
		}
		typ, err := wantString(get(rj, "type"), "resource.type")
		if err != nil {
			return nil, err
		}
		if s.Resource(typ) == nil {
			return nil, reqErr("unknown resource type %q%s", typ, suggestion(typ, resourceNames(s)))
		}
		if typ != r.resource.Name {
			var names []string
			for _, p := range s.Resource(typ).Permissions {
				names = append(names, p.Name)
			}
			return nil, reqErr("permission %q is not a permission of resource type %q (it has %s)", permission, typ, strings.Join(names, ", "))
		}
	}
	if err := e.decodeKnown(&doc, r); err != nil {
		return nil, err
	}
	d := &runtime.Decision{Warnings: []runtime.Warning{}}
	e.validateAssignments(r, d)
	out := &Request{
		Resource:   r.resource,
		Permission: r.perm,
		Principal:  r.principal,
		Context:    r.context,
		Credential: Credential{
			Present: r.cred.present, HasScopes: r.cred.hasScopes, HasPermissions: r.cred.hasPerms, HasRoles: r.cred.hasRoles,
			Scopes: r.cred.scopes, Permissions: r.cred.perms, Roles: r.cred.roles, Filters: r.cred.filters,
			Attributes: r.cred.attrs,
		},
		Warnings: d.Warnings,
	}
	for _, a := range r.assignments {
		out.Assignments = append(out.Assignments, Assignment{
			RoleName: a.roleName, ScopeName: a.scopeName, Role: a.role, Scope: a.scope, Params: a.params, Valid: a.valid,
		})
	}
	return out, nil
}

// Role returns the built-in or custom role called name, or nil.
func (e *Evaluator) Role(name string) *spec.Role { return e.role(name) }
