package wasmc_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/permc/permc/spec"
)

var exprSpecs = flag.Int("exprspecs", 3, "random specs of random expressions in TestRandomExpressions")

// TestRandomExpressions generates specs of random CEL expressions over attributes of
// every type (each expression the condition of an allow rule of its own permission)
// and answers random requests for every permission with the module and the generated
// Go, byte for byte.
func TestRandomExpressions(t *testing.T) {
	for i := 0; i < *exprSpecs; i++ {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			g := &exprGen{r: rand.New(rand.NewPCG(uint64(i), 2027))}
			src := g.spec(150)
			s, err := spec.Load("random.yaml", []byte(src))
			if err != nil {
				t.Fatalf("the random spec does not load: %v\n%s", err, src)
			}
			p := &pair{s: s, a: module(t, s), d: driver(t, s)}
			var reqs [][]byte
			var rules []int
			for n := 0; n < 60; n++ {
				attrs := g.attrs()
				for k := range g.exprs {
					reqs = append(reqs, g.request(attrs, k))
					rules = append(rules, k)
				}
			}
			want := p.d.DecideAll(reqs)
			got, err := p.a.CheckBatch(ctx, reqs)
			if err != nil {
				for n, req := range reqs {
					if _, err := p.a.CheckJSON(ctx, nil, req); err != nil {
						t.Fatalf("rule r%d: %s\nrequest %s: %v", rules[n], g.exprs[rules[n]], req, err)
					}
				}
				t.Fatal(err)
			}
			for n := range reqs {
				if bytes.Equal(want[n], got[n]) {
					continue
				}
				t.Fatalf("rule r%d: %s\nrequest %s\ngo:   %s\nwasm: %s", rules[n], g.exprs[rules[n]], reqs[n], want[n], got[n])
			}
		})
	}
}

// typ is a CEL type of the generator: a scalar, a list or a map with string keys.
type typ struct {
	kind string
	elem *typ
}

func (t *typ) String() string {
	switch t.kind {
	case "list":
		return "list(" + t.elem.String() + ")"
	case "map":
		return "map(string, " + t.elem.String() + ")"
	}
	return t.kind
}

var (
	tBool, tInt, tUint, tDouble = &typ{kind: "bool"}, &typ{kind: "int"}, &typ{kind: "uint"}, &typ{kind: "double"}
	tString, tBytes             = &typ{kind: "string"}, &typ{kind: "bytes"}
	tTime, tDur                 = &typ{kind: "timestamp"}, &typ{kind: "duration"}
	scalars                     = []*typ{tBool, tInt, tUint, tDouble, tString, tBytes, tTime, tDur}
	ordered                     = []*typ{tBool, tInt, tUint, tDouble, tString, tBytes, tTime, tDur}
)

func listOf(t *typ) *typ { return &typ{kind: "list", elem: t} }
func mapOf(t *typ) *typ  { return &typ{kind: "map", elem: t} }

// The principal's attributes: every scalar type, and lists and maps of several.
var exprAttrs = []struct {
	name string
	t    *typ
}{
	{"b", tBool}, {"i", tInt}, {"j", tInt}, {"u", tUint}, {"d", tDouble}, {"s", tString}, {"s2", tString},
	{"y", tBytes}, {"t", tTime}, {"t2", tTime}, {"dur", tDur},
	{"ls", listOf(tString)}, {"li", listOf(tInt)}, {"ld", listOf(tDouble)}, {"lb", listOf(tBool)},
	{"lu", listOf(tUint)}, {"lt", listOf(tTime)}, {"ly", listOf(tBytes)}, {"lls", listOf(listOf(tString))},
	{"ms", mapOf(tString)}, {"mi", mapOf(tInt)}, {"mls", mapOf(listOf(tString))}, {"mmi", mapOf(mapOf(tInt))},
}

type exprGen struct {
	r     *rand.Rand
	vars  []exprVar // macro variables in scope
	nvars int
	exprs []string
}

type exprVar struct {
	name string
	t    *typ
}

func (g *exprGen) chance(p float64) bool    { return g.r.Float64() < p }
func (g *exprGen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

// spec writes a spec with n rules.
func (g *exprGen) spec(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\npackage: exprs\nprincipal:\n")
	for _, a := range exprAttrs {
		fmt.Fprintf(&b, "  %s: %q\n", a.name, a.t.String())
	}
	b.WriteString("resources:\n  doc:\n    attributes: {org: string}\n    permissions: [")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "p%d", i)
	}
	b.WriteString("]\nrules:\n")
	for i := 0; i < n; i++ {
		x := g.gen(tBool, 0)
		g.exprs = append(g.exprs, x)
		fmt.Fprintf(&b, "  - id: r%d\n    allow: [doc.p%d]\n    when: %s\n", i, i, strconv.Quote(x))
	}
	return b.String()
}

func (g *exprGen) varsOf(t *typ) []string {
	var out []string
	for _, v := range g.vars {
		if v.t.String() == t.String() {
			out = append(out, v.name)
		}
	}
	return out
}

func attrsOf(t *typ) []string {
	var out []string
	for _, a := range exprAttrs {
		if a.t.String() == t.String() {
			out = append(out, "principal."+a.name)
		}
	}
	return out
}

var (
	strPool  = []string{"", "a", "ab", "b", "héllo", "a.b", "x:y", "10.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32", "AB", "a\\nb", "é"}
	rePool   = []string{`^a`, `b$`, `a.c`, `(?i)AB`, `\d+`, `^$`, `[a-c]+`, `\bx`, `\pL+`, `é`, `(a|b)*c`, `x*`, `.`, `(?s)a.b`, `^\w+$`, `[^a]`, `\B`, `(?m)^b`, `a{2,3}`, `\x{e9}`, `[[:alpha:]]`, `\PL`, `(?i)É`, `^.$`, `\.`}
	timePool = []string{"2024-01-01T00:00:00Z", "2031-06-15T12:30:00.5Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00+01:00"}
	durPool  = []string{"0s", "1h", "-90m", "1.5s", "2562047h47m16.854775807s", "1ns", "-1ns"}
)

// leaf is an expression of type t without operators: a variable, an attribute or a
// literal.
func (g *exprGen) leaf(t *typ) string {
	var names []string
	names = append(names, g.varsOf(t)...)
	names = append(names, attrsOf(t)...)
	if len(names) > 0 && g.chance(0.7) {
		return names[g.r.IntN(len(names))]
	}
	switch t.kind {
	case "bool":
		return g.pick("true", "false")
	case "int":
		return g.pick("0", "1", "2", "-1", "7", "-9", "100", "9223372036854775807", "(-9223372036854775807 - 1)", "4611686018427387904")
	case "uint":
		return g.pick("0u", "1u", "2u", "7u", "18446744073709551615u", "9223372036854775808u")
	case "double":
		return g.pick("0.0", "1.5", "-2.5", "1e308", "0.1", "3.0", "-0.0", "1e-300")
	case "string":
		return "'" + strPool[g.r.IntN(len(strPool))] + "'"
	case "bytes":
		return "b'" + strPool[g.r.IntN(len(strPool))] + "'"
	case "timestamp":
		return "timestamp('" + timePool[g.r.IntN(len(timePool))] + "')"
	case "duration":
		return "duration('" + durPool[g.r.IntN(len(durPool))] + "')"
	case "list":
		n := 1 + g.r.IntN(3)
		var els []string
		for i := 0; i < n; i++ {
			els = append(els, g.gen(t.elem, 3))
		}
		return "[" + strings.Join(els, ", ") + "]"
	case "map":
		n := 1 + g.r.IntN(3)
		var els []string
		for i := 0; i < n; i++ {
			els = append(els, "'"+g.pick("a", "b", "", "c")+"': "+g.gen(t.elem, 3))
		}
		return "{" + strings.Join(els, ", ") + "}"
	}
	panic(t.kind)
}

// collection returns a list or map type to range over or index, whose elements have
// some type.
func (g *exprGen) collection() *typ {
	ts := []*typ{listOf(tString), listOf(tInt), listOf(tDouble), listOf(tBool), listOf(tUint), listOf(tTime), listOf(tBytes),
		listOf(listOf(tString)), mapOf(tString), mapOf(tInt), mapOf(listOf(tString))}
	return ts[g.r.IntN(len(ts))]
}

// macro ranges over a collection with a fresh variable: the range, then ".", then the
// macro call body writes with the variable in scope.
func (g *exprGen) macro(depth int, body func(rng *typ, v string) string) string {
	rng := g.collection()
	over := g.gen(rng, depth+1)
	v := fmt.Sprintf("v%d", g.nvars)
	g.nvars++
	elem := rng.elem
	if rng.kind == "map" {
		elem = tString
	}
	g.vars = append(g.vars, exprVar{v, elem})
	defer func() { g.vars = g.vars[:len(g.vars)-1] }()
	return over + "." + body(rng, v)
}

// gen returns an expression of type t.
func (g *exprGen) gen(t *typ, depth int) string {
	if depth >= 4 || g.chance(0.25) {
		return g.leaf(t)
	}
	d := depth + 1
	if g.chance(0.05) {
		return "(" + g.gen(tBool, d) + " ? " + g.gen(t, d) + " : " + g.gen(t, d) + ")"
	}
	switch t.kind {
	case "bool":
		switch g.r.IntN(14) {
		case 0:
			return "(" + g.gen(tBool, d) + " " + g.pick("&&", "||") + " " + g.gen(tBool, d) + ")"
		case 1:
			return "!(" + g.gen(tBool, d) + ")"
		case 2, 3:
			u := scalars[g.r.IntN(len(scalars))]
			if g.chance(0.3) {
				u = g.collection()
			}
			return "(" + g.gen(u, d) + " " + g.pick("==", "!=") + " " + g.gen(u, d) + ")"
		case 4, 5:
			u := ordered[g.r.IntN(len(ordered))]
			return "(" + g.gen(u, d) + " " + g.pick("<", "<=", ">", ">=") + " " + g.gen(u, d) + ")"
		case 6:
			c := g.collection()
			if c.kind == "map" {
				return "(" + g.gen(tString, d) + " in " + g.gen(c, d) + ")"
			}
			return "(" + g.gen(c.elem, d) + " in " + g.gen(c, d) + ")"
		case 7:
			return g.gen(tString, d) + "." + g.pick("startsWith", "endsWith", "contains") + "(" + g.gen(tString, d) + ")"
		case 8:
			return g.gen(tString, d) + ".matches(r'" + rePool[g.r.IntN(len(rePool))] + "')"
		case 9:
			return g.gen(tString, d) + ".inIPAddrRange(" + g.gen(tString, d) + ")"
		case 10, 11:
			name := g.pick("exists", "all", "exists_one")
			return g.macro(d, func(rng *typ, v string) string {
				return name + "(" + v + ", " + g.gen(tBool, d) + ")"
			})
		default:
			u := []*typ{tString, tBytes, listOf(tInt), mapOf(tString)}[g.r.IntN(4)]
			return "(size(" + g.gen(u, d) + ") " + g.pick("==", ">", "<") + " " + g.pick("0", "1", "2") + ")"
		}
	case "int":
		switch g.r.IntN(5) {
		case 0, 1:
			return "(" + g.gen(tInt, d) + " " + g.pick("+", "-", "*", "/", "%") + " " + g.gen(tInt, d) + ")"
		case 2:
			return "-(" + g.gen(tInt, d) + ")"
		case 3:
			u := []*typ{tString, tBytes, listOf(tString), mapOf(tInt)}[g.r.IntN(4)]
			return "size(" + g.gen(u, d) + ")"
		default:
			return g.index(tInt, d)
		}
	case "uint":
		if g.chance(0.7) {
			return "(" + g.gen(tUint, d) + " " + g.pick("+", "-", "*", "/", "%") + " " + g.gen(tUint, d) + ")"
		}
		return g.index(tUint, d)
	case "double":
		switch g.r.IntN(3) {
		case 0, 1:
			return "(" + g.gen(tDouble, d) + " " + g.pick("+", "-", "*", "/") + " " + g.gen(tDouble, d) + ")"
		default:
			return "-(" + g.gen(tDouble, d) + ")"
		}
	case "string":
		if g.chance(0.5) {
			return "(" + g.gen(tString, d) + " + " + g.gen(tString, d) + ")"
		}
		return g.index(tString, d)
	case "bytes":
		return "(" + g.gen(tBytes, d) + " + " + g.gen(tBytes, d) + ")"
	case "timestamp":
		if g.chance(0.5) {
			return "(" + g.gen(tTime, d) + " " + g.pick("+", "-") + " " + g.gen(tDur, d) + ")"
		}
		return "(" + g.gen(tDur, d) + " + " + g.gen(tTime, d) + ")"
	case "duration":
		if g.chance(0.5) {
			return "(" + g.gen(tTime, d) + " - " + g.gen(tTime, d) + ")"
		}
		return "(" + g.gen(tDur, d) + " " + g.pick("+", "-") + " " + g.gen(tDur, d) + ")"
	case "list":
		switch g.r.IntN(4) {
		case 0:
			return "(" + g.gen(t, d) + " + " + g.gen(t, d) + ")"
		case 1:
			return g.macro(d, func(rng *typ, v string) string {
				if rng.elem != nil && rng.kind == "list" && rng.elem.String() == t.elem.String() && g.chance(0.5) {
					return "filter(" + v + ", " + g.gen(tBool, d) + ")"
				}
				if g.chance(0.3) {
					return "map(" + v + ", " + g.gen(tBool, d) + ", " + g.gen(t.elem, d) + ")"
				}
				return "map(" + v + ", " + g.gen(t.elem, d) + ")"
			})
		case 2:
			return g.index(t, d)
		}
		return g.leaf(t)
	case "map":
		return g.leaf(t)
	}
	panic(t.kind)
}

// index reads an element of type t from a list or a map.
func (g *exprGen) index(t *typ, d int) string {
	if g.chance(0.5) {
		return g.gen(listOf(t), d) + "[" + g.gen(tInt, d) + "]"
	}
	if g.chance(0.5) {
		return g.gen(mapOf(t), d) + "." + g.pick("a", "b", "c")
	}
	return g.gen(mapOf(t), d) + "[" + g.gen(tString, d) + "]"
}

// value returns a random JSON value of type t.
func (g *exprGen) value(t *typ, depth int) any {
	switch t.kind {
	case "bool":
		return g.chance(0.5)
	case "int":
		return json.Number(g.pick("0", "1", "2", "-1", "3", "-7", "10", "9223372036854775807", "-9223372036854775808", "4611686018427387904"))
	case "uint":
		return json.Number(g.pick("0", "1", "2", "5", "18446744073709551615", "9223372036854775808"))
	case "double":
		return json.Number(g.pick("0", "1.5", "-2.5", "1e308", "0.1", "3", "-0.0", "5e-324"))
	case "string":
		return g.strVal()
	case "bytes":
		return base64.StdEncoding.EncodeToString([]byte(g.strVal()))
	case "timestamp":
		return timePool[g.r.IntN(len(timePool))]
	case "duration":
		return durPool[g.r.IntN(len(durPool))]
	case "list":
		n := g.r.IntN(4)
		if depth > 1 {
			n = g.r.IntN(2)
		}
		l := []any{}
		for i := 0; i < n; i++ {
			l = append(l, g.value(t.elem, depth+1))
		}
		return l
	case "map":
		m := map[string]any{}
		for i := g.r.IntN(4); i > 0; i-- {
			m[g.pick("a", "b", "c", "", "d")] = g.value(t.elem, depth+1)
		}
		return m
	}
	panic(t.kind)
}

func (g *exprGen) strVal() string {
	return []string{"", "a", "ab", "b", "héllo", "a.b", "x:y", "10.0.0.1", "10.1.2.3", "::ffff:10.0.0.1", "10.0.0.0/8", "::1",
		"2001:db8::/32", "AB", "a\nb", "é", "ba", "xx", "aaa", "1234", "É", "a b"}[g.r.IntN(22)]
}

// attrs returns random principal attributes, some omitted.
func (g *exprGen) attrs() map[string]any {
	m := map[string]any{}
	for _, a := range exprAttrs {
		if g.chance(0.1) {
			continue
		}
		m[a.name] = g.value(a.t, 0)
	}
	return m
}

func (g *exprGen) request(attrs map[string]any, rule int) []byte {
	req := map[string]any{
		"principal":  map[string]any{"id": "p", "attributes": attrs},
		"resource":   map[string]any{"type": "doc", "id": "d"},
		"permission": fmt.Sprintf("doc.p%d", rule),
	}
	b, err := json.Marshal(req)
	if err != nil {
		panic(err)
	}
	return b
}
