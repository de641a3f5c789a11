// Package eval is permc's reference evaluator: it interprets a checked spec with
// cel-go. It is the oracle every other backend (generated Go, Wasm) is tested against,
// and what `permc check` uses by default.
package eval

import (
	"fmt"
	"strings"
	"sync/atomic"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/permc/permc/internal/celprog"
	"github.com/permc/permc/runtime"
	"github.com/permc/permc/spec"
)

// Evaluator decides requests against one spec and, optionally, custom roles. It is
// safe for concurrent use once custom roles are loaded.
type Evaluator struct {
	spec   *spec.Spec
	opts   Options
	progs  map[*spec.Expr]map[string]cel.Program
	custom map[string]*spec.Role
	steps  atomic.Int64 // the evaluation budget; 0 is the default
}

// Options configure an Evaluator. A field of zero (or less) takes its default, the
// limit every backend applies (docs/spec.md, "Limits").
type Options struct {
	// MaxRequestBytes bounds a request given as JSON (runtime.DefaultMaxRequestBytes
	// when unset): a longer one is a request error, found before it is parsed.
	MaxRequestBytes int
	// MaxRolesBytes bounds the custom roles LoadRoles takes
	// (runtime.DefaultMaxRolesBytes when unset).
	MaxRolesBytes int
}

// New builds an evaluator for s, planning every expression once. Of opts, the last
// counts; without any, the defaults do.
func New(s *spec.Spec, opts ...Options) (*Evaluator, error) {
	e := &Evaluator{spec: s, progs: map[*spec.Expr]map[string]cel.Program{}}
	for _, o := range opts {
		e.opts = o
	}
	for _, x := range s.Expressions() {
		e.progs[x] = map[string]cel.Program{}
		for key, ast := range x.Checked {
			env, err := envFor(s, ast)
			if err != nil {
				return nil, err
			}
			prg, err := env.Program(ast, celprog.Options(ast.NativeRep())...)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", x.Pos, err)
			}
			e.progs[x][key] = prg
		}
	}
	return e, nil
}

// envFor returns an environment that can plan ast. Any environment of the spec will
// do: programs only need the function bindings, which every environment has.
func envFor(s *spec.Spec, _ *cel.Ast) (*cel.Env, error) { return s.Env(nil, nil, false) }

// SetBudget sets the evaluation budget of every later check and plan: at most steps
// steps each (see runtime.Budget). steps < 1 restores runtime.DefaultBudget.
func (e *Evaluator) SetBudget(steps int64) { e.steps.Store(steps) }

// NewBudget returns a fresh evaluation budget of the size SetBudget set.
func (e *Evaluator) NewBudget() runtime.Budget { return runtime.NewBudget(e.steps.Load()) }

// Spec returns the spec the evaluator decides against.
func (e *Evaluator) Spec() *spec.Spec { return e.spec }

// LoadRoles replaces the evaluator's custom roles with those in data (JSON, see
// spec.ParseCustomRoles). On error the previous roles stay in force; custom roles
// longer than Options.MaxRolesBytes are an error.
func (e *Evaluator) LoadRoles(data []byte) error {
	if err := runtime.CheckRolesLength(len(data), e.opts.MaxRolesBytes); err != nil {
		return err
	}
	roles, err := e.spec.ParseCustomRoles(data)
	if err != nil {
		return err
	}
	m := make(map[string]*spec.Role, len(roles))
	for _, r := range roles {
		m[r.Name] = r
	}
	e.custom = m
	return nil
}

func (e *Evaluator) role(name string) *spec.Role {
	if r := e.spec.Role(name); r != nil {
		return r
	}
	return e.custom[name]
}

// DecideJSON answers one request given as JSON with the decision as JSON, or with
// {"error": "..."} for a malformed request.
func (e *Evaluator) DecideJSON(req []byte) []byte {
	d, err := e.Decide(req)
	if err != nil {
		return runtime.AppendErrorJSON(nil, err.Error())
	}
	return d.AppendJSON(nil)
}

// Decide answers one request given as JSON.
//
// # Errors
//
// A malformed request is a *RequestError and gets no decision.
func (e *Evaluator) Decide(req []byte) (*runtime.Decision, error) {
	r, err := e.decodeRequest(req)
	if err != nil {
		return nil, err
	}
	d := &runtime.Decision{Permission: r.perm.Name, Errors: []runtime.EvalError{}, Warnings: []runtime.Warning{}}
	budget := e.NewBudget()
	r.budget = &budget
	e.validateAssignments(r, d)
	e.decide(r, d)
	return d, nil
}

// validateAssignments gives every invalid role assignment its warnings, whatever the
// permission asked about.
func (e *Evaluator) validateAssignments(r *request, d *runtime.Decision) {
	for i := range r.assignments {
		a := &r.assignments[i]
		warn := func(format string, args ...any) {
			d.Warnings = append(d.Warnings, runtime.Warning{Assignment: i, Message: fmt.Sprintf(format, args...)})
		}
		a.valid = true
		if a.role == nil {
			warn("unknown role %q", a.roleName)
			a.valid = false
		}
		if a.scope == nil {
			warn("unknown scope type %q", a.scopeName)
			a.valid = false
		}
		if a.role != nil && a.scope != nil && !a.role.AssignableAt(a.scope) {
			var names []string
			for _, sc := range a.role.Scopes {
				names = append(names, sc.Name)
			}
			warn("role %q cannot be assigned at scope %q (only at %s)", a.roleName, a.scopeName, strings.Join(names, ", "))
			a.valid = false
		}
		if a.scope != nil {
			for _, p := range a.scope.Params {
				if _, ok := a.params[p.Name]; !ok {
					warn("scope %q is missing parameter %q", a.scopeName, p.Name)
					a.valid = false
				}
			}
		}
	}
}

type evalResult int

const (
	evalFalse evalResult = iota
	evalTrue
	evalError
)

// run evaluates a boolean expression for the request's resource type.
func (e *Evaluator) run(x *spec.Expr, r *request, vars map[string]any) (evalResult, string) {
	prg := e.progs[x][r.resource.Name]
	if prg == nil {
		prg = e.progs[x][""]
	}
	if prg == nil {
		return evalError, "expression does not apply to resource type " + r.resource.Name
	}
	act := map[string]any{
		"principal":  r.principal,
		"resource":   r.resAttrs,
		"context":    r.context,
		"credential": r.cred.attrs,
		// One budget for every expression the check evaluates.
		celprog.BudgetVar: r.budget,
	}
	for k, v := range vars {
		act[k] = v
	}
	out, _, err := prg.Eval(act)
	if err != nil {
		return evalError, err.Error()
	}
	b, ok := out.(types.Bool)
	if !ok {
		return evalError, fmt.Sprintf("expression gave %v, not a bool", out)
	}
	if b {
		return evalTrue, ""
	}
	return evalFalse, ""
}

func (e *Evaluator) decide(r *request, d *runtime.Decision) {
	s := e.spec
	fail := func(kind, name string, assignment int, msg string) {
		d.Errors = append(d.Errors, runtime.EvalError{Kind: kind, Name: name, Assignment: assignment, Message: msg})
	}
	// Deny rules win; a deny rule that cannot be evaluated denies.
	for _, rule := range s.Rules {
		if rule.Effect != spec.Deny || !rule.Names(r.perm) {
			continue
		}
		res := evalTrue
		if rule.When != nil {
			var msg string
			if res, msg = e.run(rule.When, r, nil); res == evalError {
				fail("rule", rule.ID, -1, msg)
			}
		}
		if res != evalFalse {
			d.Reason = runtime.Reason{Kind: runtime.DenyRule, Rule: rule.ID}
			return
		}
	}
	// Credentials only narrow.
	if !e.credentialAllows(r, fail) {
		d.Reason = runtime.Reason{Kind: runtime.Credential}
		return
	}
	for _, rule := range s.Rules {
		if rule.Effect != spec.Allow || !rule.Names(r.perm) {
			continue
		}
		res := evalTrue
		if rule.When != nil {
			var msg string
			if res, msg = e.run(rule.When, r, nil); res == evalError {
				fail("rule", rule.ID, -1, msg)
			}
		}
		if res == evalTrue {
			d.Allowed = true
			d.Reason = runtime.Reason{Kind: runtime.AllowRule, Rule: rule.ID}
			return
		}
	}
	for i := range r.assignments {
		a := &r.assignments[i]
		if !a.valid || !a.role.Grants(r.perm) || !a.scope.AppliesTo(r.resource) {
			continue
		}
		res, msg := e.run(a.scope.Match[r.resource.Name], r, map[string]any{"scope": a.params})
		if res == evalError {
			fail("scope", a.scopeName, i, msg)
		}
		if res != evalTrue {
			continue
		}
		if a.role.When != nil {
			res, msg = e.run(a.role.When, r, nil)
			if res == evalError {
				fail("role", a.roleName, i, msg)
			}
			if res != evalTrue {
				continue
			}
		}
		d.Allowed = true
		d.Reason = runtime.Reason{Kind: runtime.Role, Role: a.roleName, Assignment: i}
		return
	}
	d.Reason = runtime.Reason{Kind: runtime.NoGrant}
}

// credentialAllows applies the credential's narrowing: the permission must be unlocked
// by its scopes, permissions or roles (when it carries any of those keys), and the
// resource must match every filter name it carries. Anything unknown denies.
func (e *Evaluator) credentialAllows(r *request, fail func(kind, name string, assignment int, msg string)) bool {
	c := &r.cred
	if !c.present {
		return true
	}
	s := e.spec
	if c.hasScopes || c.hasPerms || c.hasRoles {
		unlocked := false
		for _, name := range c.scopes {
			o := s.OAuthScope(name)
			if o == nil {
				return false
			}
			for _, p := range o.Permissions {
				unlocked = unlocked || p == r.perm
			}
		}
		for _, pat := range c.perms {
			ps, err := s.ExpandPatterns([]string{pat})
			if err != nil {
				return false
			}
			for _, p := range ps {
				unlocked = unlocked || p == r.perm
			}
		}
		for _, name := range c.roles {
			role := e.role(name)
			if role == nil {
				return false
			}
			unlocked = unlocked || role.Grants(r.perm)
		}
		if !unlocked {
			return false
		}
	}
	// Filters: every one must be well formed, known and cover the resource type before
	// any is evaluated; then each name present must match one of its values.
	type group struct {
		filter *spec.Filter
		values []string
	}
	var groups []*group
	byName := map[string]*group{}
	for _, f := range c.filters {
		name, value, ok := strings.Cut(f, ":")
		if !ok {
			return false
		}
		flt := s.Filter(name)
		if flt == nil || flt.Match[r.resource.Name] == nil {
			return false
		}
		g := byName[name]
		if g == nil {
			g = &group{filter: flt}
			byName[name] = g
			groups = append(groups, g)
		}
		g.values = append(g.values, value)
	}
	for _, g := range groups {
		matched := false
		for _, v := range g.values {
			res, msg := e.run(g.filter.Match[r.resource.Name], r, map[string]any{"filter": v})
			if res == evalError {
				fail("filter", g.filter.Name, -1, msg)
			}
			if res == evalTrue {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	return true
}
