// Package plan computes query plans: given everything a check knows except the
// resource (the principal and its role assignments, the credential, the context and
// the permission), the condition a resource of the permission's type must satisfy for
// the check to allow it. The plan is always-allowed, always-denied, or a condition
// over the resource's attributes (a cond.Cond), which package runtime/cond/pgsql turns into a
// PostgreSQL WHERE clause: "list what this user may see" becomes one query.
//
// A plan decides every resource exactly as the reference evaluator (package eval)
// decides a check of it, whatever the deny rules, credential narrowing, allow rules,
// role assignments, scopes and custom roles involved, including where expressions fail
// to evaluate: the plan follows the evaluator's decision order, so a deny rule that
// fails denies and an allow rule, scope match, role condition or credential filter that
// fails grants nothing, row by row.
package plan

import (
	"fmt"
	"strconv"
	"strings"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/runtime"
	"github.com/permc/permc/runtime/cond"
	"github.com/permc/permc/spec"
)

// Planner plans requests against one spec and the custom roles of its evaluator. It
// is safe for concurrent use.
type Planner struct {
	ev    *eval.Evaluator
	spec  *spec.Spec
	exprs map[exprKey]*compiled
}

type exprKey struct {
	x  *spec.Expr
	rt string
}

// New returns a planner for ev's spec. Custom roles are the evaluator's: roles loaded
// into ev later (Evaluator.LoadRoles) take part in later plans.
func New(ev *eval.Evaluator) (*Planner, error) {
	s := ev.Spec()
	env, err := s.Env(nil, nil, false)
	if err != nil {
		return nil, err
	}
	p := &Planner{ev: ev, spec: s, exprs: map[exprKey]*compiled{}}
	for _, x := range s.Expressions() {
		for rt, a := range x.Checked {
			k := exprKey{x, rt}
			if p.exprs[k] != nil {
				continue
			}
			c, err := newCompiled(env, x, a)
			if err != nil {
				return nil, err
			}
			p.exprs[k] = c
		}
	}
	return p, nil
}

// Decision is what a plan says about the resources of its type.
type Decision int

// The three kinds of plan.
const (
	// Conditional: the resources that satisfy the plan's condition are allowed.
	Conditional Decision = iota
	// AlwaysAllowed: every resource of the type is allowed.
	AlwaysAllowed
	// AlwaysDenied: no resource of the type is allowed.
	AlwaysDenied
)

func (d Decision) String() string {
	return [...]string{"conditional", "allowed", "denied"}[d]
}

// Plan is the condition under which a permission is granted on a resource, for one
// principal, credential and context.
type Plan struct {
	Permission *spec.Permission
	// Resource is the permission's resource type.
	Resource *spec.Resource
	// Cond holds for exactly the resources a check would allow: cond.True when every
	// resource is allowed, cond.False when none is.
	Cond cond.Cond
	// Reason, in a plan that allows or denies every resource, is the step of the
	// decision order that does so for every one of them, when one step does: a deny
	// rule that always applies, the credential, no grant at all, or an allow rule or
	// role assignment that grants every resource. Nil otherwise.
	Reason *runtime.Reason
	// Warnings are the invalid role assignments, as a check lists them.
	Warnings []runtime.Warning
}

// Decision reports whether the plan allows every resource, none, or those that
// satisfy its condition.
func (p *Plan) Decision() Decision {
	switch p.Cond {
	case cond.True:
		return AlwaysAllowed
	case cond.False:
		return AlwaysDenied
	}
	return Conditional
}

// Allows reports whether the plan allows the resource whose attributes (with "id")
// are given as the evaluator sees them (see cond.Eval): the answer a check of that
// resource gives.
func (p *Plan) Allows(resource map[string]any) bool { return cond.Eval(p.Cond, resource) }

// AppendJSON appends the plan as JSON: permission, resource_type, decision
// ("allowed", "denied" or "conditional"), condition (see cond.AppendJSON), cel (the
// condition in CEL syntax, for people), reason (for always-allowed and always-denied
// plans, when one step decides; as in a decision) and warnings (always an array).
func (p *Plan) AppendJSON(b []byte) []byte {
	b = append(b, `{"permission":`...)
	b = runtime.AppendJSONString(b, p.Permission.Name)
	b = append(b, `,"resource_type":`...)
	b = runtime.AppendJSONString(b, p.Resource.Name)
	b = append(b, `,"decision":`...)
	b = runtime.AppendJSONString(b, p.Decision().String())
	b = append(b, `,"condition":`...)
	b = cond.AppendJSON(b, p.Cond)
	b = append(b, `,"cel":`...)
	b = runtime.AppendJSONString(b, p.Cond.String())
	if p.Reason != nil {
		b = append(b, `,"reason":{"kind":`...)
		b = runtime.AppendJSONString(b, p.Reason.Kind.String())
		switch p.Reason.Kind {
		case runtime.Role:
			b = append(b, `,"role":`...)
			b = runtime.AppendJSONString(b, p.Reason.Role)
			b = append(b, `,"assignment":`...)
			b = strconv.AppendInt(b, int64(p.Reason.Assignment), 10)
		case runtime.AllowRule, runtime.DenyRule:
			b = append(b, `,"rule":`...)
			b = runtime.AppendJSONString(b, p.Reason.Rule)
		}
		b = append(b, '}')
	}
	b = append(b, `,"warnings":[`...)
	for i, w := range p.Warnings {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"assignment":`...)
		b = strconv.AppendInt(b, int64(w.Assignment), 10)
		b = append(b, `,"message":`...)
		b = runtime.AppendJSONString(b, w.Message)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// PlanJSON plans a request given as JSON: a check request without its resource, or
// whose resource gives only its "type". permission, when not empty, is the permission
// asked about (the request's own "permission" may then be omitted).
//
// # Errors
//
// A malformed request is an *eval.RequestError, as for a check.
func (p *Planner) PlanJSON(req []byte, permission string) (*Plan, error) {
	r, err := p.ev.DecodeRequestWithoutResource(req, permission)
	if err != nil {
		return nil, err
	}
	return p.Plan(r), nil
}

// Plan plans a decoded request.
func (p *Planner) Plan(r *eval.Request) *Plan {
	out := &Plan{Permission: r.Permission, Resource: r.Resource, Warnings: r.Warnings}
	if out.Warnings == nil {
		out.Warnings = []runtime.Warning{}
	}
	c, reason := p.decide(r)
	out.Cond, out.Reason = c, reason
	return out
}

// request holds the values a plan knows, as CEL sees them.
type request struct {
	*eval.Request
	root *rootVars
}

func (p *Planner) decide(er *eval.Request) (cond.Cond, *runtime.Reason) {
	s := p.spec
	budget := p.ev.NewBudget()
	r := &request{Request: er, root: &rootVars{
		native: map[string]any{
			"principal":  er.Principal,
			"context":    er.Context,
			"credential": er.Credential.Attributes,
		},
		vals:    map[string]ref.Val{},
		adapter: types.DefaultTypeAdapter,
		budget:  &budget,
	}}
	perm := er.Permission

	// Deny rules win; one that fails to evaluate denies, so a resource gets past a
	// deny rule only where its condition is false.
	var pass []cond.Cond
	for _, rule := range s.Rules {
		if rule.Effect != spec.Deny || !rule.Names(perm) {
			continue
		}
		if rule.When == nil {
			return cond.False, &runtime.Reason{Kind: runtime.DenyRule, Rule: rule.ID}
		}
		_, f := p.expr(rule.When, r, fmt.Sprintf("rule %q", rule.ID), nil)
		if f == cond.False {
			return cond.False, &runtime.Reason{Kind: runtime.DenyRule, Rule: rule.ID}
		}
		pass = append(pass, f)
	}

	// Credentials only narrow.
	cred := p.credential(r)
	if cred == cond.False {
		return cond.False, &runtime.Reason{Kind: runtime.Credential}
	}
	pass = append(pass, cred)

	// Then any allow rule or role assignment grants.
	var grants []cond.Cond
	var always *runtime.Reason
	grant := func(c cond.Cond, reason runtime.Reason) {
		if c == cond.True && always == nil {
			always = &reason
		}
		grants = append(grants, c)
	}
	for _, rule := range s.Rules {
		if rule.Effect != spec.Allow || !rule.Names(perm) {
			continue
		}
		t := cond.Cond(cond.True)
		if rule.When != nil {
			t, _ = p.expr(rule.When, r, fmt.Sprintf("rule %q", rule.ID), nil)
		}
		grant(t, runtime.Reason{Kind: runtime.AllowRule, Rule: rule.ID})
	}
	for i, a := range er.Assignments {
		if !a.Valid || !a.Role.Grants(perm) || !a.Scope.AppliesTo(er.Resource) {
			continue
		}
		t, _ := p.expr(a.Scope.Match[er.Resource.Name], r, fmt.Sprintf("scope %q", a.ScopeName), map[string]any{"scope": a.Params})
		if t != cond.False && a.Role.When != nil {
			w, _ := p.expr(a.Role.When, r, fmt.Sprintf("role %q", a.RoleName), nil)
			t = cond.AndOf(t, w)
		}
		grant(t, runtime.Reason{Kind: runtime.Role, Role: a.RoleName, Assignment: i})
	}
	granted := cond.OrOf(grants...)
	if granted == cond.False {
		return cond.False, &runtime.Reason{Kind: runtime.NoGrant}
	}
	out := cond.AndOf(append(pass, granted)...)
	switch out {
	case cond.True:
		return out, always
	case cond.False:
		return out, nil
	}
	return out, nil
}

// credential returns the condition the credential puts on the resource: false when it
// does not unlock the permission or names anything unknown, else the conjunction of
// its filters, each the disjunction of its values.
func (p *Planner) credential(r *request) cond.Cond {
	c := &r.Credential
	if !c.Present {
		return cond.True
	}
	s := p.spec
	perm := r.Permission
	if c.HasScopes || c.HasPermissions || c.HasRoles {
		unlocked := false
		for _, name := range c.Scopes {
			o := s.OAuthScope(name)
			if o == nil {
				return cond.False
			}
			for _, q := range o.Permissions {
				unlocked = unlocked || q == perm
			}
		}
		for _, pat := range c.Permissions {
			ps, err := s.ExpandPatterns([]string{pat})
			if err != nil {
				return cond.False
			}
			for _, q := range ps {
				unlocked = unlocked || q == perm
			}
		}
		for _, name := range c.Roles {
			role := p.ev.Role(name)
			if role == nil {
				return cond.False
			}
			unlocked = unlocked || role.Grants(perm)
		}
		if !unlocked {
			return cond.False
		}
	}
	type group struct {
		filter *spec.Filter
		values []string
	}
	var groups []*group
	byName := map[string]*group{}
	for _, f := range c.Filters {
		name, value, ok := strings.Cut(f, ":")
		if !ok {
			return cond.False
		}
		flt := s.Filter(name)
		if flt == nil || flt.Match[r.Resource.Name] == nil {
			return cond.False
		}
		g := byName[name]
		if g == nil {
			g = &group{filter: flt}
			byName[name] = g
			groups = append(groups, g)
		}
		g.values = append(g.values, value)
	}
	terms := make([]cond.Cond, 0, len(groups))
	for _, g := range groups {
		var anyOf []cond.Cond
		for _, v := range g.values {
			t, _ := p.expr(g.filter.Match[r.Resource.Name], r, fmt.Sprintf("filter %q", g.filter.Name), map[string]any{"filter": v})
			anyOf = append(anyOf, t)
		}
		terms = append(terms, cond.OrOf(anyOf...))
	}
	return cond.AndOf(terms...)
}

// expr partially evaluates x for the request's resource type, with extra variables
// (scope, filter) bound, and returns where it is true and where it is false.
func (p *Planner) expr(x *spec.Expr, r *request, what string, extra map[string]any) (cond.Cond, cond.Cond) {
	c := p.exprs[exprKey{x, r.Resource.Name}]
	if c == nil {
		c = p.exprs[exprKey{x, ""}]
	}
	if c == nil {
		// The evaluator counts this as an evaluation error.
		return cond.False, cond.False
	}
	root := r.root
	if len(extra) > 0 {
		root = &rootVars{native: make(map[string]any, len(r.root.native)+len(extra)), vals: map[string]ref.Val{}, adapter: r.root.adapter, budget: r.root.budget}
		for k, v := range r.root.native {
			root.native[k] = v
		}
		for k, v := range extra {
			root.native[k] = v
		}
	}
	pe := &partial{c: c, what: what}
	v, err := pe.eval(c.ast.Expr(), &binding{root: root})
	if err != nil {
		u, ok := err.(*unplannable)
		if !ok {
			u = &unplannable{id: c.ast.Expr().ID(), why: err.Error()}
		}
		return residual(c, what, u, root, true), residual(c, what, u, root, false)
	}
	t, f, ok := v.pair()
	if !ok {
		return cond.False, cond.False
	}
	return t, f
}
