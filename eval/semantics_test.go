package eval_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSemantics walks the decision order one rule at a time on a spec built for it.
// Each case gives the request's parts and the expected decision, reason included.
func TestSemantics(t *testing.T) {
	e := mustEvaluator(t, "testdata/semantics.yaml", []byte(`[{"name": "custom_reader", "permissions": ["doc.read"], "scopes": ["team"]}]`))
	const (
		doc       = `"resource": {"type": "doc", "id": "d1", "attributes": {"team": "red"}}`
		lockedDoc = `"resource": {"type": "doc", "id": "d1", "attributes": {"team": "red", "locked": true}}`
		board     = `"resource": {"type": "board", "id": "b1", "attributes": {"team": "red"}}`
		ctx       = `"context": {"n": 1}`
	)
	principal := func(attrs string, roles ...string) string {
		return `"principal": {"id": "p", "attributes": {` + attrs + `}, "roles": [` + strings.Join(roles, ",") + `]}`
	}
	writerRed := `{"role": "writer", "scope": {"type": "team", "team": "red"}}`
	for _, tc := range []struct {
		name, req, want string
	}{
		{"no grant by default", principal(``) + `,` + doc + `,"permission": "doc.read",` + ctx,
			`{"allowed":false,"permission":"doc.read","reason":{"kind":"no_grant"},"errors":[],"warnings":[]}`},
		{"role at a matching scope", principal(``, writerRed) + `,` + doc + `,"permission": "doc.write",` + ctx,
			`{"allowed":true,"permission":"doc.write","reason":{"kind":"role","role":"writer","assignment":0},"errors":[],"warnings":[]}`},
		{"deny rule beats a role", principal(``, writerRed) + `,` + lockedDoc + `,"permission": "doc.write",` + ctx,
			`{"allowed":false,"permission":"doc.write","reason":{"kind":"deny_rule","rule":"locked"},"errors":[],"warnings":[]}`},
		{"a deny rule that fails to evaluate denies", principal(``, writerRed) + `,` + doc + `,"permission": "doc.read", "context": {"n": 0}`,
			`{"allowed":false,"permission":"doc.read","reason":{"kind":"deny_rule","rule":"blocked"},"errors":[{"kind":"rule","name":"blocked","message":"division by zero"}],"warnings":[]}`},
		{"credential without the permission's scope", principal(``, writerRed) + `,` + doc + `,"permission": "doc.write",` + ctx + `, "credential": {"scopes": ["docs:read"]}`,
			`{"allowed":false,"permission":"doc.write","reason":{"kind":"credential"},"errors":[],"warnings":[]}`},
		{"an empty scopes list unlocks nothing", principal(``, writerRed) + `,` + doc + `,"permission": "doc.read",` + ctx + `, "credential": {"scopes": []}`,
			`{"allowed":false,"permission":"doc.read","reason":{"kind":"credential"},"errors":[],"warnings":[]}`},
		{"an empty credential narrows nothing", principal(``, writerRed) + `,` + doc + `,"permission": "doc.write",` + ctx + `, "credential": {}`,
			`{"allowed":true,"permission":"doc.write","reason":{"kind":"role","role":"writer","assignment":0},"errors":[],"warnings":[]}`},
		{"an unknown credential scope denies", principal(``, writerRed) + `,` + doc + `,"permission": "doc.read",` + ctx + `, "credential": {"scopes": ["all", "nope"]}`,
			`{"allowed":false,"permission":"doc.read","reason":{"kind":"credential"},"errors":[],"warnings":[]}`},
		{"credential permissions accept patterns", principal(``, writerRed) + `,` + doc + `,"permission": "doc.write",` + ctx + `, "credential": {"permissions": ["doc.*"]}`,
			`{"allowed":true,"permission":"doc.write","reason":{"kind":"role","role":"writer","assignment":0},"errors":[],"warnings":[]}`},
		{"credential roles unlock their permissions", principal(``, writerRed) + `,` + doc + `,"permission": "doc.write",` + ctx + `, "credential": {"roles": ["custom_reader"]}`,
			`{"allowed":false,"permission":"doc.write","reason":{"kind":"credential"},"errors":[],"warnings":[]}`},
		{"one of several values of a filter matches", principal(``, writerRed) + `,` + doc + `,"permission": "doc.write",` + ctx + `, "credential": {"filters": ["team:blue", "team:red"]}`,
			`{"allowed":true,"permission":"doc.write","reason":{"kind":"role","role":"writer","assignment":0},"errors":[],"warnings":[]}`},
		{"a filter that does not cover the type denies", principal(``, `{"role": "reader", "scope": {"type": "any"}}`) + `,` + board + `,"permission": "board.read",` + ctx + `, "credential": {"filters": ["team:red"]}`,
			`{"allowed":false,"permission":"board.read","reason":{"kind":"credential"},"errors":[],"warnings":[]}`},
		{"a malformed filter denies", principal(``, writerRed) + `,` + doc + `,"permission": "doc.read",` + ctx + `, "credential": {"filters": ["team"]}`,
			`{"allowed":false,"permission":"doc.read","reason":{"kind":"credential"},"errors":[],"warnings":[]}`},
		{"a filter that fails to evaluate does not match", principal(``, writerRed) + `,` + doc + `,"permission": "doc.read", "context": {"n": 1}, "credential": {"filters": ["bad:"]}`,
			`{"allowed":false,"permission":"doc.read","reason":{"kind":"credential"},"errors":[{"kind":"filter","name":"bad","message":"division by zero"}],"warnings":[]}`},
		{"allow rule", principal(``) + `,"resource": {"type": "board", "id": "b", "attributes": {"team": "public"}}, "permission": "board.read",` + ctx,
			`{"allowed":true,"permission":"board.read","reason":{"kind":"allow_rule","rule":"open-board"},"errors":[],"warnings":[]}`},
		{"a scope that does not apply to the type grants nothing", principal(``, `{"role": "reader", "scope": {"type": "team", "team": "red"}}`) + `,` + board + `,"permission": "board.read",` + ctx,
			`{"allowed":false,"permission":"board.read","reason":{"kind":"no_grant"},"errors":[],"warnings":[]}`},
		{"warnings for every invalid assignment, grant from a later one",
			principal(``, `{"role": "ghost", "scope": {"type": "nowhere"}}`, `{"role": "writer", "scope": {"type": "any"}}`, `{"role": "writer", "scope": {"type": "team"}}`, `{"role": "custom_reader", "scope": {"type": "team", "team": "red"}}`) + `,` + doc + `,"permission": "doc.read",` + ctx,
			`{"allowed":true,"permission":"doc.read","reason":{"kind":"role","role":"custom_reader","assignment":3},"errors":[],"warnings":[{"assignment":0,"message":"unknown role \"ghost\""},{"assignment":0,"message":"unknown scope type \"nowhere\""},{"assignment":1,"message":"role \"writer\" cannot be assigned at scope \"any\" (only at team, broken)"},{"assignment":2,"message":"scope \"team\" is missing parameter \"team\""}]}`},
		{"scope and role errors count as false and are listed",
			principal(``, `{"role": "writer", "scope": {"type": "broken", "d": 0}}`, `{"role": "night_writer", "scope": {"type": "any"}}`) + `,` + doc + `,"permission": "doc.write", "context": {"n": 1000}`,
			`{"allowed":false,"permission":"doc.write","reason":{"kind":"no_grant"},"errors":[{"kind":"scope","name":"broken","assignment":0,"message":"division by zero"}],"warnings":[]}`},
		{"a role's condition", principal(``, `{"role": "night_writer", "scope": {"type": "any"}}`) + `,` + doc + `,"permission": "doc.write", "context": {"n": 2}`,
			`{"allowed":true,"permission":"doc.write","reason":{"kind":"role","role":"night_writer","assignment":0},"errors":[],"warnings":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := "{" + tc.req + "}"
			if !json.Valid([]byte(req)) {
				t.Fatalf("test request is not JSON: %s", req)
			}
			got := string(e.DecideJSON([]byte(req)))
			if got != tc.want {
				t.Errorf("\ngot  %s\nwant %s", got, tc.want)
			}
		})
	}
}
