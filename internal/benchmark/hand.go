package benchmark

import (
	"net/netip"
	"strings"
	"time"
)

// The content-libraries rules for libraries, written by hand the way a careful Go
// programmer would without permc: constants and switches, no allocation. It is the
// floor the generated code is measured against, and must decide as the spec does.

type handRole uint8

const (
	handLibraryUser handRole = iota + 1
	handLibraryAuthor
	handLibraryAdmin
	handCourseStaff
	handOrgAdmin
)

var handRoleNames = [...]string{"", "library_user", "library_author", "library_admin", "course_staff", "org_admin"}

type handScopeType uint8

const (
	handGlobal handScopeType = iota + 1
	handOrg
	handOrgExcept
	handLibraries
	handTenant
)

type handAction uint8

const (
	handView handAction = iota
	handEdit
	handPublish
	handDelete
)

type handAssignment struct {
	Role   handRole
	Scope  handScopeType
	Org    string
	Except []string
	IDs    []string
}

type handPrincipal struct {
	ID      string
	IsStaff bool
	Orgs    []string
	Roles   []handAssignment
}

type handLibrary struct {
	ID     string
	Org    string
	Public bool
	Tags   []string
}

type handCredential struct {
	Scopes     []string
	Filters    []string
	AllowedIPs []string
}

type handContext struct {
	Time time.Time
	IP   string
}

type handDecision struct {
	Allowed    bool
	Reason     string
	Rule       string
	Role       string
	Assignment int
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// handGrants reports whether role grants action on libraries.
func handGrants(role handRole, a handAction) bool {
	switch role {
	case handLibraryUser:
		return a == handView
	case handLibraryAuthor:
		return a == handView || a == handEdit
	case handLibraryAdmin, handOrgAdmin:
		return true
	}
	return false
}

func handAssignable(role handRole, s handScopeType) bool {
	switch role {
	case handLibraryAuthor:
		return s == handOrg || s == handOrgExcept || s == handLibraries
	case handOrgAdmin:
		return s == handTenant
	}
	return s >= handGlobal && s <= handTenant
}

// inRange is inIPAddrRange; ok is false for a malformed address or range.
func inRange(addr, cidr string) (in, ok bool) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false, false
	}
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return false, false
	}
	return p.Contains(a.Unmap()), true
}

func handCheckLibrary(p *handPrincipal, a handAction, r *handLibrary, c *handCredential, ctx *handContext) handDecision {
	// Deny rules.
	if a != handView && contains(r.Tags, "archived") {
		return handDecision{Reason: "deny_rule", Rule: "archived-is-read-only"}
	}
	if c != nil && len(c.AllowedIPs) > 0 {
		allowed, broken := false, false
		for _, cidr := range c.AllowedIPs {
			in, ok := inRange(ctx.IP, cidr)
			if !ok {
				broken = true
				continue
			}
			if in {
				allowed = true
				break
			}
		}
		if !allowed || broken && !allowed {
			return handDecision{Reason: "deny_rule", Rule: "key-ip-allowlist"}
		}
	}
	// The credential narrows.
	if c != nil {
		if c.Scopes != nil {
			unlocked := false
			for _, s := range c.Scopes {
				switch s {
				case "libraries:read":
					unlocked = unlocked || a == handView
				case "libraries:write":
					unlocked = unlocked || a == handView || a == handEdit
				case "courses:read":
				default:
					return handDecision{Reason: "credential"}
				}
			}
			if !unlocked {
				return handDecision{Reason: "credential"}
			}
		}
		matched, any := false, false
		for _, f := range c.Filters {
			name, value, ok := strings.Cut(f, ":")
			if !ok || name != "org" {
				return handDecision{Reason: "credential"}
			}
			any = true
			matched = matched || r.Org == value
		}
		if any && !matched {
			return handDecision{Reason: "credential"}
		}
	}
	// Allow rules.
	if a == handView && r.Public {
		return handDecision{Allowed: true, Reason: "allow_rule", Rule: "public-libraries"}
	}
	if a == handView && contains(p.Orgs, r.Org) {
		return handDecision{Allowed: true, Reason: "allow_rule", Rule: "org-members-read"}
	}
	if p.IsStaff {
		return handDecision{Allowed: true, Reason: "allow_rule", Rule: "staff"}
	}
	// Role assignments.
	for i := range p.Roles {
		as := &p.Roles[i]
		if !handGrants(as.Role, a) || !handAssignable(as.Role, as.Scope) {
			continue
		}
		var match bool
		switch as.Scope {
		case handGlobal:
			match = true
		case handOrg, handTenant:
			match = r.Org == as.Org
		case handOrgExcept:
			match = r.Org == as.Org && !contains(as.Except, r.ID)
		case handLibraries:
			match = contains(as.IDs, r.ID)
		}
		if match {
			return handDecision{Allowed: true, Reason: "role", Role: handRoleNames[as.Role], Assignment: i}
		}
	}
	return handDecision{Reason: "no_grant"}
}
