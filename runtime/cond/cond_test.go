package cond_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/permc/permc/runtime/cond"
)

var (
	org    = &cond.Attr{Name: "org", T: cond.StringType}
	id     = &cond.Attr{Name: "id", T: cond.StringType}
	public = &cond.Attr{Name: "public", T: cond.BoolType}
	score  = &cond.Attr{Name: "score", T: cond.DoubleType}
	level  = &cond.Attr{Name: "level", T: cond.IntType}
	tags   = &cond.Attr{Name: "tags", T: cond.ListOf(cond.StringType)}
)

func s(x string) *cond.Lit  { return &cond.Lit{V: x, T: cond.StringType} }
func i(x int64) *cond.Lit   { return &cond.Lit{V: x, T: cond.IntType} }
func f(x float64) *cond.Lit { return &cond.Lit{V: x, T: cond.DoubleType} }
func b(x bool) *cond.Lit    { return &cond.Lit{V: x, T: cond.BoolType} }
func list(xs ...string) *cond.Lit {
	l := make([]any, len(xs))
	for i, x := range xs {
		l[i] = x
	}
	return &cond.Lit{V: l, T: cond.ListOf(cond.StringType)}
}

func eq(v cond.Value, l *cond.Lit) cond.Cond { return cond.Cmp(cond.Eq, v, l, nil) }

// TestSimplify pins each simplification rule by the CEL rendering of its result.
func TestSimplify(t *testing.T) {
	archived := cond.Member(s("archived"), tags, nil)
	for _, tc := range []struct {
		name string
		c    cond.Cond
		want string
	}{
		{"constants fold", cond.Cmp(cond.Lt, i(1), i(2), nil), "true"},
		{"and identity", cond.AndOf(cond.True, eq(org, s("a"))), `resource.org == "a"`},
		{"and zero", cond.AndOf(eq(org, s("a")), cond.False), "false"},
		{"or identity", cond.OrOf(cond.False, eq(org, s("a"))), `resource.org == "a"`},
		{"or zero", cond.OrOf(eq(org, s("a")), cond.True), "true"},
		{"empty and", cond.AndOf(), "true"},
		{"empty or", cond.OrOf(), "false"},
		{"flatten", cond.AndOf(cond.AndOf(archived, eq(id, s("x"))), cond.AndOf(eq(level, i(1)))), `"archived" in resource.tags && resource.id == "x" && resource.level == 1`},
		{"duplicates", cond.OrOf(archived, archived), `"archived" in resource.tags`},
		{"complement in and", cond.AndOf(archived, cond.NotOf(archived)), "false"},
		{"complement in or", cond.OrOf(cond.Cmp(cond.Lt, level, i(3), nil), cond.Cmp(cond.Ge, level, i(3), nil)), "true"},
		{"double complement is not order", cond.OrOf(cond.Cmp(cond.Lt, score, f(3), nil), cond.Cmp(cond.Ge, score, f(3), nil)), "resource.score < 3.0 || resource.score >= 3.0"},
		{"not not", cond.NotOf(cond.NotOf(archived)), `"archived" in resource.tags`},
		{"de morgan", cond.NotOf(cond.AndOf(archived, eq(org, s("a")))), `!("archived" in resource.tags) || resource.org != "a"`},
		{"negated order", cond.NotOf(cond.Cmp(cond.Lt, level, i(3), nil)), "resource.level >= 3"},
		{"negated double order stays", cond.NotOf(cond.Cmp(cond.Lt, score, f(3), nil)), "!(resource.score < 3.0)"},
		{"!= is !(==)", cond.Cmp(cond.Ne, org, s("a"), nil), `resource.org != "a"`},
		{"constant on the right", cond.Cmp(cond.Lt, i(3), level, nil), "resource.level > 3"},
		{"NaN equals nothing", cond.Cmp(cond.Eq, score, f(math.NaN()), nil), "false"},
		{"NaN is not ordered", cond.Cmp(cond.Ge, score, f(math.NaN()), nil), "false"},
		{"x == x", cond.Cmp(cond.Le, org, org, nil), "true"},
		{"double x == x stays (NaN)", cond.Cmp(cond.Eq, score, score, nil), "resource.score == resource.score"},
		{"bool == true", eq(public, b(true)), "resource.public"},
		{"bool == false", eq(public, b(false)), "!resource.public"},
		{"bool < true", cond.Cmp(cond.Lt, public, b(true), nil), "!resource.public"},
		{"bool >= false", cond.Cmp(cond.Ge, public, b(false), nil), "true"},
		{"size never negative", cond.Cmp(cond.Ge, &cond.Size{Of: tags}, i(0), nil), "true"},
		{"size below zero", cond.Cmp(cond.Lt, &cond.Size{Of: tags}, i(0), nil), "false"},
		{"equalities unite", cond.OrOf(eq(org, s("a")), eq(org, s("b")), eq(org, s("a"))), `resource.org in ["a", "b"]`},
		{"memberships unite", cond.OrOf(cond.Member(org, list("a", "b"), nil), cond.Member(org, list("b", "c"), nil)), `resource.org in ["a", "b", "c"]`},
		{"memberships intersect", cond.AndOf(cond.Member(org, list("a", "b"), nil), cond.Member(org, list("b", "c"), nil)), `resource.org == "b"`},
		{"disjoint memberships", cond.AndOf(eq(org, s("a")), eq(org, s("b"))), "false"},
		{"member but not", cond.AndOf(cond.Member(org, list("a", "b"), nil), cond.NotOf(eq(org, s("a")))), `resource.org == "b"`},
		{"not member or member", cond.OrOf(cond.NotOf(cond.Member(org, list("a", "b"), nil)), eq(org, s("a"))), `resource.org != "b"`},
		{"exclusions unite", cond.AndOf(cond.NotOf(eq(id, s("x"))), cond.NotOf(eq(id, s("y")))), `!(resource.id in ["x", "y"])`},
		{"absorption in or", cond.OrOf(eq(org, s("a")), cond.AndOf(eq(org, s("a")), archived)), `resource.org == "a"`},
		{"absorption in and", cond.AndOf(archived, cond.OrOf(archived, eq(org, s("a")))), `"archived" in resource.tags`},
		{"empty list", cond.Member(org, list(), nil), "false"},
		{"one-element list", cond.Member(org, list("a", "a"), nil), `resource.org == "a"`},
		{"map keys", cond.Member(org, &cond.Lit{V: map[string]any{"b": int64(1), "a": int64(2)}, T: cond.MapOf(cond.IntType)}, nil), `resource.org in ["a", "b"]`},
		{"NaN dropped from lists", cond.Member(score, &cond.Lit{V: []any{math.NaN(), 1.0}, T: cond.ListOf(cond.DoubleType)}, nil), "resource.score == 1.0"},
		{"startsWith empty", cond.StrOp(cond.StartsWith, org, s(""), nil), "true"},
		{"startsWith folds", cond.StrOp(cond.StartsWith, s("abc"), s("ab"), nil), "true"},
		{"matches folds", cond.Match(s("abc"), "^b", nil), "false"},
		{"exists over a constant list unrolls", cond.Exists("t", list("a", "b"), eq(&cond.Var{Name: "t", T: cond.StringType}, s("b")), nil), "true"},
		{"exists of a constant body", cond.Exists("t", tags, archived, nil), `"archived" in resource.tags && size(resource.tags) > 0`},
		{"all false is emptiness", cond.All("t", tags, cond.False, nil), "size(resource.tags) == 0"},
		{"exists false", cond.Exists("t", tags, cond.False, nil), "false"},
		{"not exists is all not", cond.NotOf(cond.Exists("t", tags, eq(&cond.Var{Name: "t", T: cond.StringType}, s("a")), nil)), `resource.tags.all(t, t != "a")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestOneHundredAssignments: one org-scoped assignment per org, each excluding the
// same library, is one membership test and one exclusion.
func TestOneHundredAssignments(t *testing.T) {
	var terms []cond.Cond
	for n := 0; n < 100; n++ {
		terms = append(terms, cond.AndOf(eq(org, s(fmt.Sprintf("org%d", n))), cond.NotOf(eq(id, s("secret")))))
	}
	c := cond.OrOf(terms...)
	and, ok := c.(cond.And)
	if !ok || len(and) != 2 || !strings.HasPrefix(and[1].String(), `resource.org in ["org0", "org1", `) || and[0].String() != `resource.id != "secret"` {
		t.Fatalf("got %s", c)
	}
}

func TestEval(t *testing.T) {
	ts := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	res := map[string]any{
		"id": "x", "org": "MITx", "public": true, "score": math.NaN(), "level": int64(2),
		"tags": []any{"archived", "b"}, "created": ts,
	}
	created := &cond.Attr{Name: "created", T: cond.TimestampType}
	missing := &cond.Attr{Name: "missing", T: cond.ListOf(cond.StringType)}
	tv := &cond.Var{Name: "t", T: cond.StringType}
	for _, tc := range []struct {
		c    cond.Cond
		want bool
	}{
		{&cond.Compare{Op: cond.Eq, L: org, R: s("MITx")}, true},
		{&cond.Compare{Op: cond.Lt, L: org, R: s("MITy")}, true},
		{&cond.Compare{Op: cond.Lt, L: org, R: s("a")}, true}, // 'M' < 'a' in code point order
		{&cond.Compare{Op: cond.Eq, L: score, R: score}, false},
		{&cond.Compare{Op: cond.Ne, L: score, R: score}, true},
		{&cond.Compare{Op: cond.Ge, L: score, R: f(0)}, false},
		{&cond.Not{X: &cond.Compare{Op: cond.Lt, L: score, R: f(0)}}, true},
		{&cond.Compare{Op: cond.Gt, L: public, R: b(false)}, true},
		{&cond.Compare{Op: cond.Eq, L: created, R: &cond.Lit{V: ts.In(time.FixedZone("x", 3600)), T: cond.TimestampType}}, true},
		{&cond.Compare{Op: cond.Eq, L: missing, R: list()}, true}, // omitted: the zero value
		{&cond.In{Elem: s("b"), Coll: tags}, true},
		{&cond.StrTest{Fn: cond.EndsWith, S: org, Arg: s("Tx")}, true},
		{&cond.Matches{S: org, Pattern: "I.x"}, true},
		{&cond.Quant{Var: "t", List: tags, Body: &cond.StrTest{Fn: cond.StartsWith, S: tv, Arg: s("arch")}}, true},
		{&cond.Quant{All: true, Var: "t", List: tags, Body: &cond.StrTest{Fn: cond.StartsWith, S: tv, Arg: s("arch")}}, false},
		{&cond.Compare{Op: cond.Eq, L: &cond.Size{Of: tags}, R: i(2)}, true},
		{&cond.Residual{Want: true, Test: func(r map[string]any) bool { return r["id"] == "x" }}, true},
		{&cond.Residual{}, false},
	} {
		if got := cond.Eval(tc.c, res); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.c, got, tc.want)
		}
	}
}

func TestJSON(t *testing.T) {
	c := cond.AndOf(
		cond.NotOf(cond.Member(s("archived"), tags, nil)),
		cond.OrOf(eq(public, b(true)), cond.Member(org, list("a", "b"), nil)),
		cond.Cmp(cond.Lt, &cond.Attr{Name: "created", T: cond.TimestampType}, &cond.Lit{V: time.Date(2030, 1, 1, 0, 0, 0, 5, time.UTC), T: cond.TimestampType}, nil),
		cond.Exists("t", tags, cond.StrOp(cond.StartsWith, &cond.Var{Name: "t", T: cond.StringType}, s("x"), nil), nil),
	)
	want := `{"and":[{"not":{"op":"in","left":{"value":"archived","type":"string"},"right":{"attr":"tags"}}},` +
		`{"or":[{"op":"==","left":{"attr":"public"},"right":{"value":true,"type":"bool"}},{"op":"in","left":{"attr":"org"},"right":{"value":["a","b"],"type":"list(string)"}}]},` +
		`{"op":"<","left":{"attr":"created"},"right":{"value":"2030-01-01T00:00:00.000000005Z","type":"timestamp"}},` +
		`{"op":"exists","var":"t","in":{"attr":"tags"},"where":{"op":"startsWith","left":{"var":"t"},"right":{"value":"x","type":"string"}}}]}`
	if got := string(cond.AppendJSON(nil, c)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := string(cond.AppendValueJSON(nil, []any{math.NaN(), math.Inf(-1), uint64(7), []byte("hi"), 90 * time.Minute})); got != `["NaN","-Infinity",7,"aGk=","1h30m0s"]` {
		t.Errorf("values: got %s", got)
	}
}
