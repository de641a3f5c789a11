// Package casbinrbac is the scenario in casbin's RBAC with domains model: a role
// assignment is a grouping policy "g, user, role, domain" whose domain is
// "org:<org>" or "library:<id>", and "p, role, type, action" lines grant actions. The
// public and archived rules are conditions in the matcher.
package casbinrbac

import (
	"fmt"

	casbin "github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/permc/permc/bench/scenario"
)

// Model is the casbin model: RBAC with domains, asked with both domains a library
// lives in (its organization and itself) and its public and archived attributes.
const Model = `
[request_definition]
r = sub, dom, obj, type, act, public, archived

[policy_definition]
p = sub, type, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.type == p.type && r.act == p.act && !(r.archived && r.act != "view") && (g(r.sub, p.sub, r.dom) || g(r.sub, p.sub, r.obj)) || r.act == "view" && r.public
`

// New builds an enforcer for the model with the role assignments of the principals
// of cs (casbin keeps them as policy).
func New(m *scenario.Model, cs []scenario.Case) (*casbin.Enforcer, error) {
	md, err := model.NewModelFromString(Model)
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewEnforcer(md)
	if err != nil {
		return nil, err
	}
	var ps, gs [][]string
	for _, r := range m.Roles {
		for _, a := range r.Actions {
			ps = append(ps, []string{r.Name, r.Type, a})
		}
	}
	for _, p := range scenario.Principals(cs) {
		for _, a := range p.Assignments {
			gs = append(gs, []string{p.ID, a.Role, domain(a.Scope, a.Value)})
		}
	}
	if _, err := e.AddPolicies(ps); err != nil {
		return nil, err
	}
	if len(gs) > 0 {
		if _, err := e.AddGroupingPolicies(dedup(gs)); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func dedup(rules [][]string) [][]string {
	seen := map[[3]string]bool{}
	var out [][]string
	for _, r := range rules {
		k := [3]string{r[0], r[1], r[2]}
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

func domain(scope scenario.ScopeType, id string) string { return fmt.Sprintf("%s:%s", scope, id) }

// Request is the enforce arguments of a case.
type Request []any

// NewRequest returns the enforce arguments of a case.
func NewRequest(c *scenario.Case) Request {
	l := c.Library
	archived := false
	for _, t := range l.Tags {
		archived = archived || t == "archived"
	}
	return Request{c.Principal.ID, domain(scenario.OrgScope, l.Org), domain(scenario.LibraryScope, l.ID), "library", c.Action, l.Public, archived}
}
