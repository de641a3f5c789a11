// Package oparego is the scenario in Rego (v1 syntax), run with OPA's Go API: the
// query is prepared once and evaluated per check with the permc request as input.
package oparego

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/permc/permc/bench/scenario"
)

// Query is the decision the engine asks for.
const Query = "data.libbench.allow"

// Module returns the Rego module of the model. The role to permissions table, the
// publicly viewable permissions and the permissions an archive freezes are data; the
// rules read them, as idiomatic Rego does.
func Module(m *scenario.Model) string {
	var roles, views, writes []string
	for _, r := range m.Roles {
		perms := make([]string, len(r.Actions))
		for i, a := range r.Actions {
			perms[i] = fmt.Sprintf("%q", r.Type+"."+a)
		}
		roles = append(roles, fmt.Sprintf("\t%q: {%s},", r.Name, strings.Join(perms, ", ")))
	}
	for _, t := range m.Types {
		views = append(views, fmt.Sprintf("%q", t+".view"))
		for _, a := range scenario.Actions[1:] {
			writes = append(writes, fmt.Sprintf("%q", t+"."+a))
		}
	}
	return fmt.Sprintf(`package libbench

role_permissions := {
%s
}

public_viewable := {%s}

frozen_when_archived := {%s}

default allow := false

allow if {
	not deny
	input.permission in public_viewable
	input.resource.attributes.public
}

allow if {
	not deny
	some a in input.principal.roles
	input.permission in role_permissions[a.role]
	scope_matches(a.scope)
}

deny if {
	input.permission in frozen_when_archived
	"archived" in input.resource.attributes.tags
}

scope_matches(s) if {
	s.type == "org"
	s.org == input.resource.attributes.org
}

scope_matches(s) if {
	s.type == input.resource.type
	s.id == input.resource.id
}
`, strings.Join(roles, "\n"), strings.Join(views, ", "), strings.Join(writes, ", "))
}

// New compiles the module and prepares the query.
func New(m *scenario.Model) (rego.PreparedEvalQuery, error) {
	return rego.New(
		rego.Query(Query),
		rego.Module("libbench.rego", Module(m)),
	).PrepareForEval(context.Background())
}

// Input decodes the case's permc request JSON: OPA's input document.
func Input(c *scenario.Case) (any, error) {
	var in any
	err := json.Unmarshal(c.RequestJSON(), &in)
	return in, err
}

// Check evaluates the prepared query with input.
func Check(ctx context.Context, q rego.PreparedEvalQuery, input any) (bool, error) {
	rs, err := q.Eval(ctx, rego.EvalInput(input))
	if err != nil {
		return false, err
	}
	return rs.Allowed(), nil
}
