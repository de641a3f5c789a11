// Package celgo is the scenario as one CEL program, compiled with cel-go and
// evaluated over the permc request (decoded from JSON into Go maps, once).
package celgo

import (
	"encoding/json"
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/interpreter"

	"github.com/permc/permc/bench/scenario"
)

// Engine holds the compiled program.
type Engine struct {
	prg cel.Program
}

// Expr returns the CEL expression for the model: the archived deny first, then the
// public allow, then the role assignments, with the role to permissions table as a
// constant map the optimizer folds once.
func Expr(m *scenario.Model) string {
	var roles, writes, views []string
	for _, r := range m.Roles {
		perms := make([]string, len(r.Actions))
		for i, a := range r.Actions {
			perms[i] = fmt.Sprintf("%q", r.Type+"."+a)
		}
		roles = append(roles, fmt.Sprintf("%q: [%s]", r.Name, strings.Join(perms, ", ")))
	}
	for _, t := range m.Types {
		views = append(views, fmt.Sprintf("%q", t+".view"))
		for _, a := range scenario.Actions[1:] {
			writes = append(writes, fmt.Sprintf("%q", t+"."+a))
		}
	}
	return fmt.Sprintf(`!(request.permission in [%s] && "archived" in request.resource.attributes.tags) && (
  (request.permission in [%s] && request.resource.attributes.public) ||
  request.principal.roles.exists(a,
    a.role in {%s} && request.permission in {%s}[a.role] &&
    (a.scope.type == "org" ? a.scope.org == request.resource.attributes.org :
     a.scope.type == request.resource.type && a.scope.id == request.resource.id)))`,
		strings.Join(writes, ", "), strings.Join(views, ", "), strings.Join(roles, ", "), strings.Join(roles, ", "))
}

// New compiles and plans the program for the model.
func New(m *scenario.Model) (*Engine, error) {
	env, err := cel.NewEnv(cel.Variable("request", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(Expr(m))
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, err
	}
	return &Engine{prg: prg}, nil
}

// Request is a decoded request bound as the program's activation.
type Request struct{ act interpreter.Activation }

// NewRequest decodes the case's permc request JSON into maps, as a service would once
// per request before evaluating.
func NewRequest(c *scenario.Case) (*Request, error) {
	var req map[string]any
	if err := json.Unmarshal(c.RequestJSON(), &req); err != nil {
		return nil, err
	}
	act, err := interpreter.NewActivation(map[string]any{"request": req})
	if err != nil {
		return nil, err
	}
	return &Request{act: act}, nil
}

// Check evaluates the program on r.
func (e *Engine) Check(r *Request) (bool, error) {
	out, _, err := e.prg.Eval(r.act)
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("program returned %v", out)
	}
	return b, nil
}
