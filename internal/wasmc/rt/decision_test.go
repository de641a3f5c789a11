package rt

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/permc/permc/runtime"
)

// describe writes d as t_decision reads it.
func describe(d *runtime.Decision) []byte {
	type evalError struct {
		Kind       string `json:"kind"`
		Name       string `json:"name"`
		Assignment int    `json:"assignment"`
		Message    string `json:"message"`
	}
	type warning struct {
		Assignment int    `json:"assignment"`
		Message    string `json:"message"`
	}
	v := struct {
		Allowed    bool        `json:"allowed"`
		Permission string      `json:"permission"`
		Reason     int         `json:"reason"`
		Rule       string      `json:"rule"`
		Role       string      `json:"role"`
		Assignment int         `json:"assignment"`
		Errors     []evalError `json:"errors"`
		Warnings   []warning   `json:"warnings"`
	}{d.Allowed, d.Permission, int(d.Reason.Kind), d.Reason.Rule, d.Reason.Role, d.Reason.Assignment, nil, nil}
	for _, e := range d.Errors {
		v.Errors = append(v.Errors, evalError{e.Kind, e.Name, e.Assignment, e.Message})
	}
	for _, w := range d.Warnings {
		v.Warnings = append(v.Warnings, warning{w.Assignment, w.Message})
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func checkDecision(t *testing.T, in *inst, d *runtime.Decision) {
	t.Helper()
	got, ok := in.text("t_decision", describe(d))
	if want := string(d.AppendJSON(nil)); !ok || got != want {
		t.Errorf("decision %+v:\n got %s\nwant %s", d, got, want)
	}
}

func TestDecision(t *testing.T) {
	in := newInst(t, testModule)
	for _, d := range []runtime.Decision{
		{},
		{Allowed: true, Permission: "library.edit", Reason: runtime.Reason{Kind: runtime.Role, Role: "library_author"}},
		{Permission: "doc.read", Reason: runtime.Reason{Kind: runtime.Role, Role: "r", Assignment: 2},
			Errors:   []runtime.EvalError{{Kind: "scope", Name: "s", Assignment: 1, Message: "boom"}, {Kind: "rule", Name: "x", Assignment: -1, Message: "m"}},
			Warnings: []runtime.Warning{{Assignment: 0, Message: "unknown role \"q\""}, {Assignment: 7, Message: "é\n\x00"}}},
		{Permission: "a.b", Reason: runtime.Reason{Kind: runtime.AllowRule, Rule: "public", Role: "ignored", Assignment: 5}},
		{Permission: "a.b", Reason: runtime.Reason{Kind: runtime.DenyRule, Rule: "archived\"x"}},
		{Permission: "a.b", Reason: runtime.Reason{Kind: runtime.Credential}},
		{Permission: "a.b", Reason: runtime.Reason{Kind: runtime.NoGrant, Rule: "ignored"}},
		{Permission: "a.b", Reason: runtime.Reason{Kind: 9}},
		{Permission: "\xff", Reason: runtime.Reason{Kind: runtime.Role, Role: "\x01", Assignment: math.MaxInt64}},
		{Permission: "p", Reason: runtime.Reason{Kind: runtime.Role, Assignment: -3},
			Errors: []runtime.EvalError{{Kind: "role", Name: "n", Assignment: 0, Message: ""}, {Assignment: math.MinInt64}}},
	} {
		checkDecision(t, in, &d)
	}
	r := rand.New(rand.NewPCG(11, 12))
	words := []string{"", "a", "library.view", "\"q\"", "é", "\n", "\x7f", "x\\y"}
	for range 500 {
		d := runtime.Decision{Allowed: r.IntN(2) == 0, Permission: words[r.IntN(len(words))],
			Reason: runtime.Reason{Kind: runtime.ReasonKind(r.IntN(6)), Rule: words[r.IntN(len(words))],
				Role: words[r.IntN(len(words))], Assignment: r.IntN(20)}}
		for range r.IntN(4) {
			d.Errors = append(d.Errors, runtime.EvalError{Kind: words[r.IntN(len(words))], Name: words[r.IntN(len(words))],
				Assignment: r.IntN(5) - 1, Message: words[r.IntN(len(words))]})
		}
		for range r.IntN(4) {
			d.Warn(r.IntN(9), words[r.IntN(len(words))])
		}
		checkDecision(t, in, &d)
	}
}
