package wasmc_test

import (
	"testing"

	"github.com/permc/permc/spec"
)

// The rules of docs/spec.md that the module implements ahead of the generated Go
// (see TestRandomExpressions): each answer here is worked out from the rule.
const semanticsSpec = `version: 1
package: semantics
principal:
  level: int
  m: map(string, int)
  labels: map(string, int)
resources:
  doc:
    permissions: [both_and, both_or, map_order, map_one, read]
rules:
  - id: both_and
    allow: [doc.both_and]
    when: "principal.m.a > 0 && 1 / principal.level > 0"
  - id: both_or
    allow: [doc.both_or]
    when: "principal.m.a > 0 || 1 / principal.level > 0"
  - id: map_order
    allow: [doc.map_order]
    when: "principal.labels.exists(k, k == 'a' ? 1 / principal.level > 0 : principal.m.a > 0)"
  - id: map_one
    allow: [doc.map_one]
    when: "principal.labels.exists_one(k, k == 'a' ? 1 / principal.level > 0 : principal.m.a > 0)"
  - id: read
    allow: [doc.read]
credentials:
  scopes:
    "docs:read": [doc.read]
`

func TestSemantics(t *testing.T) {
	s, err := spec.Load("semantics.yaml", []byte(semanticsSpec))
	if err != nil {
		t.Fatal(err)
	}
	a := module(t, s)
	request := func(perm, attrs, credential string) string {
		r := `{"principal":{"id":"p","attributes":` + attrs + `},"resource":{"type":"doc","id":"d"},"permission":"doc.` + perm + `"`
		if credential != "" {
			r += `,"credential":` + credential
		}
		return r + "}"
	}
	failed := func(perm, msg string) string {
		return `{"allowed":false,"permission":"doc.` + perm + `","reason":{"kind":"no_grant"},"errors":[{"kind":"rule","name":"` + perm +
			`","message":"` + msg + `"}],"warnings":[]}`
	}
	for _, c := range []struct{ what, req, want string }{
		// With both operands of && or || failing, the first one's error.
		{"&&", request("both_and", `{"level":0}`, ""), failed("both_and", "no such key")},
		{"||", request("both_or", `{"level":0}`, ""), failed("both_or", "no such key")},
		// Macros visit a map's keys in sorted order, whatever the request's order:
		// exists reports the first error, exists_one stops at it.
		{"exists over a map", request("map_order", `{"level":0,"labels":{"b":1,"a":2}}`, ""), failed("map_order", "division by zero")},
		{"exists_one over a map", request("map_one", `{"level":0,"labels":{"b":1,"a":2}}`, ""), failed("map_one", "division by zero")},
		// null in a credential's lists is malformed; a null credential is none.
		{"null scopes", request("read", `{}`, `{"scopes":null}`), `{"error":"credential.scopes: want an array of strings, not null"}`},
		{"null permissions", request("read", `{}`, `{"permissions":null}`), `{"error":"credential.permissions: want an array of strings, not null"}`},
		{"null roles", request("read", `{}`, `{"roles":null}`), `{"error":"credential.roles: want an array of strings, not null"}`},
		{"null filters", request("read", `{}`, `{"filters":null}`), `{"error":"credential.filters: want an array of strings, not null"}`},
		{"null credential", request("read", `{}`, `null`), `{"allowed":true,"permission":"doc.read","reason":{"kind":"allow_rule","rule":"read"},"errors":[],"warnings":[]}`},
		{"empty scopes", request("read", `{}`, `{"scopes":[]}`), `{"allowed":false,"permission":"doc.read","reason":{"kind":"credential"},"errors":[],"warnings":[]}`},
	} {
		out, err := a.CheckJSON(ctx, nil, []byte(c.req))
		if err != nil || string(out) != c.want {
			t.Errorf("%s: %s %v\nwant %s", c.what, out, err, c.want)
		}
	}
}

// TestRequiredAttributes: a required attribute that a request omits, or gives as
// null, makes it malformed, as the generated Go says.
func TestRequiredAttributes(t *testing.T) {
	s, err := spec.Load("required.yaml", []byte(`version: 1
package: required
principal:
  level: int
  org: {type: string, required: true}
context:
  ip: {type: string, required: true}
resources:
  doc:
    permissions: [read]
rules:
  - id: read
    allow: [doc.read]
`))
	if err != nil {
		t.Fatal(err)
	}
	a, d := module(t, s), driver(t, s)
	const allowed = `{"allowed":true,"permission":"doc.read","reason":{"kind":"allow_rule","rule":"read"},"errors":[],"warnings":[]}`
	for _, c := range []struct{ req, want string }{
		{`{"principal":{"id":"p","attributes":{"org":"o"}},"context":{"ip":"x"},"resource":{"type":"doc","id":"d"},"permission":"doc.read"}`, allowed},
		{`{"principal":{"id":"p"},"context":{"ip":"x"},"resource":{"type":"doc","id":"d"},"permission":"doc.read"}`, `{"error":"principal.attributes.org is required"}`},
		{`{"principal":{"id":"p","attributes":{"level":1,"org":null}},"context":{"ip":"x"},"resource":{"type":"doc","id":"d"},"permission":"doc.read"}`, `{"error":"principal.attributes.org: want a string, not null"}`},
		{`{"principal":{"id":"p","attributes":{"org":"o"}},"resource":{"type":"doc","id":"d"},"permission":"doc.read"}`, `{"error":"context.ip is required"}`},
		// A wrong type is reported before a missing attribute.
		{`{"principal":{"id":"p","attributes":{"level":"x"}},"resource":{"type":"doc","id":"d"},"permission":"doc.read"}`, `{"error":"principal.attributes.level: want a number, not a string"}`},
	} {
		out, err := a.CheckJSON(ctx, nil, []byte(c.req))
		if err != nil || string(out) != c.want {
			t.Errorf("%s: %s %v\nwant %s", c.req, out, err, c.want)
		}
		if goOut := d.DecideAll([][]byte{[]byte(c.req)})[0]; string(goOut) != c.want {
			t.Errorf("%s: the generated Go says %s\nwant %s", c.req, goOut, c.want)
		}
	}
}
