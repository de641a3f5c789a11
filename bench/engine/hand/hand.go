// Package hand is the scenario written by hand in plain Go, the way an application
// without an authorization library would: the floor every engine is measured against.
package hand

import "github.com/permc/permc/bench/scenario"

// Action is what is asked of a library.
type Action uint8

// The library actions.
const (
	View Action = iota
	Edit
	Publish
	Delete
)

// Scope says whether an assignment is at an organization or at one library.
type Scope uint8

// The two scope types.
const (
	Org Scope = iota
	Library
)

// Role is one of the three roles.
type Role uint8

// The roles.
const (
	User Role = iota
	Author
	Admin
)

var roleNames = [...]string{"library_user", "library_author", "library_admin"}

func (r Role) String() string { return roleNames[r] }

// grants holds, per role, one bit per Action it grants.
var grants = [...]uint8{
	User:   1 << View,
	Author: 1<<View | 1<<Edit,
	Admin:  1<<View | 1<<Edit | 1<<Publish | 1<<Delete,
}

// Assignment is one role at one organization or library.
type Assignment struct {
	Role  Role
	Scope Scope
	// Value is the organization or the library id.
	Value string
}

// Principal is a user with role assignments.
type Principal struct {
	ID    string
	Roles []Assignment
}

// Resource is a library.
type Resource struct {
	ID     string
	Org    string
	Public bool
	Tags   []string
}

// Grants reports whether role grants action a.
func Grants(role Role, a Action) bool { return grants[role]&(1<<a) != 0 }

// Check reports whether p may do a to r, and which assignment allowed it (-1 when a
// rule decided or nothing granted).
func Check(p *Principal, a Action, r *Resource) (allowed bool, assignment int) {
	if a != View {
		for _, t := range r.Tags {
			if t == "archived" {
				return false, -1
			}
		}
	}
	if a == View && r.Public {
		return true, -1
	}
	for i := range p.Roles {
		as := &p.Roles[i]
		if !Grants(as.Role, a) {
			continue
		}
		if as.Scope == Org && as.Value == r.Org || as.Scope == Library && as.Value == r.ID {
			return true, i
		}
	}
	return false, -1
}

// Request is a case in this package's types.
type Request struct {
	Principal Principal
	Action    Action
	Resource  Resource
}

// NewRequest converts a scenario case (outside of any timing).
func NewRequest(c *scenario.Case) *Request {
	r := &Request{Principal: Principal{ID: c.Principal.ID}}
	for _, as := range c.Principal.Assignments {
		s := Org
		if as.Scope == scenario.LibraryScope {
			s = Library
		}
		role := User
		for i, name := range roleNames {
			if name == as.Role {
				role = Role(i)
			}
		}
		r.Principal.Roles = append(r.Principal.Roles, Assignment{Role: role, Scope: s, Value: as.Value})
	}
	for i, name := range scenario.Actions {
		if name == c.Action {
			r.Action = Action(i)
		}
	}
	l := c.Library
	r.Resource = Resource{ID: l.ID, Org: l.Org, Public: l.Public, Tags: l.Tags}
	return r
}
