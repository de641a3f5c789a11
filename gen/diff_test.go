package gen_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/gobackend"
	"github.com/permc/permc/spec"
)

// The differential test of the CEL compiler: random well-typed expressions over every
// supported type are decided by the reference evaluator (cel-go) and by the generated
// code for random attribute values. Each expression is the condition of the only allow
// rule of a permission of its own. A rule that allows means true, one with an evaluation error
// means error, no grant means false: the two must agree for every expression and
// input. Disagreements are saved as numbered files in testdata/crashers, which every
// run replays.

var (
	diffBatches = flag.Int("diff.batches", 2, "batches of random expressions in TestDifferential")
	diffExprs   = flag.Int("diff.exprs", 150, "random expressions per batch")
	diffInputs  = flag.Int("diff.inputs", 40, "random inputs per batch")
	diffSeed    = flag.Uint64("diff.seed", 1, "first seed of TestDifferential")
)

// attrs is the typed environment every expression sees, on principal, resource and
// context alike.
var attrs = []struct{ name, typ string }{
	{"b", "bool"}, {"i", "int"}, {"j", "int"}, {"u", "uint"}, {"d", "double"}, {"s", "string"}, {"t", "string"},
	{"y", "bytes"}, {"ts", "timestamp"}, {"du", "duration"}, {"li", "list(int)"}, {"ls", "list(string)"},
	{"ld", "list(double)"}, {"lb", "list(bool)"}, {"lu", "list(uint)"}, {"lts", "list(timestamp)"}, {"ly", "list(bytes)"},
	{"lli", "list(list(int))"}, {"ms", "map(string, string)"}, {"mi", "map(string, int)"}, {"mls", "map(string, list(string))"},
	{"ip", "string"}, {"cidrs", "list(string)"},
}

// crasher is a saved disagreement.
type crasher struct {
	Expr    string          `json:"expr"`
	Request json.RawMessage `json:"request"`
	// Budget is the evaluation budget it was decided with; 0 is the default.
	Budget int64  `json:"budget,omitempty"`
	Eval   string `json:"eval"`
	Go     string `json:"go"`
}

// buildSpec makes a spec with one permission and one allow rule per expression, on one
// resource type.
func buildSpec(exprs []string) []byte {
	var b strings.Builder
	b.WriteString("version: 1\npackage: difftest\n")
	attrBlock := func(indent string) {
		for _, a := range attrs {
			fmt.Fprintf(&b, "%s%s: %s\n", indent, a.name, a.typ)
		}
	}
	b.WriteString("principal:\n")
	attrBlock("  ")
	b.WriteString("context:\n")
	attrBlock("  ")
	b.WriteString("resources:\n  r:\n    attributes:\n")
	attrBlock("      ")
	b.WriteString("    permissions: [")
	for i := range exprs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "e%d", i)
	}
	b.WriteString("]\nrules:\n")
	for i, x := range exprs {
		q, _ := json.Marshal(x)
		fmt.Fprintf(&b, "  - id: e%d\n    allow: [r.e%d]\n    when: %s\n", i, i, q)
	}
	return []byte(b.String())
}

// validExprs keeps the expressions the spec loader accepts. They are checked together
// against one resource type (every type has the same attributes), and an error's line
// tells which rule it belongs to.
func validExprs(t *testing.T, exprs []string) []string {
	var b strings.Builder
	b.WriteString("version: 1\npackage: difftest\nprincipal:\n")
	for _, a := range attrs {
		fmt.Fprintf(&b, "  %s: %s\n", a.name, a.typ)
	}
	b.WriteString("context:\n")
	for _, a := range attrs {
		fmt.Fprintf(&b, "  %s: %s\n", a.name, a.typ)
	}
	b.WriteString("resources:\n  r0:\n    attributes:\n")
	for _, a := range attrs {
		fmt.Fprintf(&b, "      %s: %s\n", a.name, a.typ)
	}
	b.WriteString("    permissions: [check]\nrules:\n")
	first := strings.Count(b.String(), "\n") + 1
	for i, x := range exprs {
		q, _ := json.Marshal(x)
		fmt.Fprintf(&b, "  - id: e%d\n    allow: [r0.check]\n    when: %s\n", i, q)
	}
	_, err := spec.Load("x.yaml", []byte(b.String()))
	if err == nil {
		return exprs
	}
	var list spec.ErrorList
	if !errors.As(err, &list) {
		t.Fatal(err)
	}
	bad := map[int]bool{}
	for _, e := range list {
		bad[(e.Pos.Line-first)/3] = true
		if testing.Verbose() {
			t.Logf("skipped %s: %v", exprs[(e.Pos.Line-first)/3], e)
		}
	}
	var out []string
	for i, x := range exprs {
		if !bad[i] {
			out = append(out, x)
		}
	}
	return out
}

type outcome string

// outcomeOf reads what the rule of an expression said in a decision.
func outcomeOf(answer []byte) outcome {
	var d struct {
		Error   *string
		Allowed bool
		Errors  []struct{ Kind, Message string }
	}
	if err := json.Unmarshal(answer, &d); err != nil {
		return outcome("unreadable: " + string(answer))
	}
	switch {
	case d.Error != nil:
		return outcome("request error: " + *d.Error)
	case d.Allowed:
		return "true"
	case len(d.Errors) > 0 && strings.HasPrefix(d.Errors[0].Message, "evaluation budget of "):
		// The one error message every backend words alike: the steps counted must be
		// the same.
		return outcome("error: " + d.Errors[0].Message)
	case len(d.Errors) > 0:
		return "error"
	}
	return "false"
}

func TestDifferential(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PERMC_CACHE", dir)
	// Replay the saved crashers first, as one batch.
	files, _ := filepath.Glob("testdata/crashers/*.json")
	sort.Strings(files)
	var saved []crasher
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c crasher
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		saved = append(saved, c)
	}
	budgets := map[int64]bool{}
	for _, c := range saved {
		budgets[c.Budget] = true
	}
	for budget := range budgets {
		var exprs []string
		var reqs []json.RawMessage
		for _, c := range saved {
			if c.Budget == budget {
				exprs = append(exprs, c.Expr)
				reqs = append(reqs, c.Request)
			}
		}
		runBatch(t, exprs, func(k int, _ *rand.Rand) [][]byte {
			return [][]byte{withType(reqs[k], k)}
		}, 1, []int64{budget}, false)
	}
	for b := 0; b < *diffBatches; b++ {
		seed := *diffSeed + uint64(b)
		r := rand.New(rand.NewPCG(seed, 99))
		g := &exprGen{r: r}
		// The batch opens with macros whose variables are named like the first
		// package-level literals of each kind: in these first expressions, a literal
		// the body uses is the first of its kind, and so has that very name.
		g.probe = true
		var exprs []string
		for len(exprs) < 20 {
			exprs = append(exprs, validExprs(t, []string{g.macro("bool", 1)})...)
		}
		g.probe = false
		for len(exprs) < *diffExprs {
			var cands []string
			for i := 0; i < *diffExprs; i++ {
				cands = append(cands, g.expr("bool", 0))
			}
			exprs = append(exprs, validExprs(t, cands)...)
		}
		exprs = exprs[:*diffExprs]
		// With the default budget, and with small ones, which the expressions exhaust
		// at every point of their evaluation: the steps counted must be the same.
		runBatch(t, exprs, func(k int, r *rand.Rand) [][]byte {
			return [][]byte{withType(randomRequest(r), k)}
		}, *diffInputs, []int64{0, 1 + r.Int64N(3), 4 + r.Int64N(20)}, true)
	}
}

// withType points a request at permission r.e<k>, decided by expression k.
func withType(req json.RawMessage, k int) []byte {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(req))
	dec.UseNumber()
	dec.Decode(&m)
	res, _ := m["resource"].(map[string]any)
	if res == nil {
		res = map[string]any{"id": "x"}
	}
	res["type"] = "r"
	m["resource"] = res
	m["permission"] = fmt.Sprintf("r.e%d", k)
	b, _ := json.Marshal(m)
	return b
}

// runBatch builds one spec for exprs and compares both backends on inputs requests
// per expression, with each of the evaluation budgets (0 is the default).
func runBatch(t *testing.T, exprs []string, requests func(k int, r *rand.Rand) [][]byte, inputs int, budgets []int64, save bool) {
	t.Helper()
	start := time.Now()
	s, err := spec.Load("diff.yaml", buildSpec(exprs))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := eval.New(s)
	if err != nil {
		t.Fatal(err)
	}
	loaded := time.Now()
	bin, err := gobackend.Build(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := gobackend.Start(bin, gobackend.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := rand.New(rand.NewPCG(uint64(len(exprs)), 5))
	type item struct {
		k   int
		req []byte
	}
	var items []item
	var reqs [][]byte
	for n := 0; n < inputs; n++ {
		for k := range exprs {
			for _, req := range requests(k, r) {
				items = append(items, item{k, req})
				reqs = append(reqs, req)
			}
		}
	}
	built := time.Now()
	for _, budget := range budgets {
		ev.SetBudget(budget)
		if err := d.SetBudget(budget); err != nil {
			t.Fatal(err)
		}
		decide := time.Now()
		answers := d.DecideAll(reqs)
		decided := time.Now()
		counts := map[outcome]int{}
		failures := 0
		for i, it := range items {
			want, got := ev.DecideJSON(it.req), answers[i]
			ow, og := outcomeOf(want), outcomeOf(got)
			counts[ow]++
			if ow == og {
				continue
			}
			failures++
			if failures > 10 {
				t.Fatalf("too many differences")
			}
			t.Errorf("%s\nrequest %s (budget %d)\neval: %s\ngo:   %s", exprs[it.k], it.req, budget, want, got)
			if save {
				saveCrasher(t, crasher{Expr: exprs[it.k], Request: it.req, Budget: budget, Eval: string(ow), Go: string(og)})
			}
		}
		t.Logf("%d expressions, budget %d: %v (load %v, build %v, go %v, eval %v)", len(exprs), budget, counts,
			loaded.Sub(start).Round(time.Millisecond), built.Sub(loaded).Round(time.Millisecond),
			decided.Sub(decide).Round(time.Millisecond), time.Since(decided).Round(time.Millisecond))
	}
}

func saveCrasher(t *testing.T, c crasher) {
	if err := os.MkdirAll("testdata/crashers", 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/crashers/*.json")
	name := filepath.Join("testdata/crashers", fmt.Sprintf("%04d.json", len(files)+1))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(c)
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("saved %s", name)
}

// exprGen writes random well-typed CEL.
type exprGen struct {
	r     *rand.Rand
	local []struct{ name, typ string }
	n     int
	// probe names macro variables only like package-level literals.
	probe bool
}

func (g *exprGen) pick(options ...string) string { return options[g.r.IntN(len(options))] }

func (g *exprGen) chance(p float64) bool { return g.r.Float64() < p }

// attr returns a reference of type typ: an attribute or an iteration variable.
func (g *exprGen) attr(typ string) string {
	var cands []string
	for _, l := range g.local {
		if l.typ == typ {
			cands = append(cands, l.name)
		}
	}
	for _, a := range attrs {
		if a.typ == typ {
			for _, obj := range []string{"principal", "resource", "context"} {
				cands = append(cands, obj+"."+a.name)
			}
		}
	}
	if len(cands) == 0 {
		return ""
	}
	return cands[g.r.IntN(len(cands))]
}

func elemOf(typ string) string {
	if strings.HasPrefix(typ, "list(") {
		return typ[5 : len(typ)-1]
	}
	return ""
}

func (g *exprGen) literal(typ string) string {
	switch typ {
	case "bool":
		return g.pick("true", "false")
	case "int":
		return g.pick("0", "1", "-1", "2", "3", "7", "100", "-100", "9223372036854775807", "-9223372036854775808", "4611686018427387904", strconv.Itoa(g.r.IntN(20)))
	case "uint":
		return g.pick("0u", "1u", "2u", "10u", "18446744073709551615u", "9223372036854775808u")
	case "double":
		return g.pick("0.0", "1.0", "-1.5", "0.1", "0.2", "0.3", "1e308", "-0.0", "2.5", "1e-300", "3.0")
	case "string":
		return g.pick(`""`, `"a"`, `"b"`, `"ab"`, `"héllo"`, `"MITx"`, `"10.0.0.0/8"`, `"10.1.2.3"`, `"::1"`, `"x:y"`, `'\u00e9'`, strconv.Quote(long1), strconv.Quote(long2))
	case "bytes":
		return g.pick(`b""`, `b"a"`, `b"ab"`, `b"\xff"`, `b"b"`, "b"+strconv.Quote(long1))
	case "timestamp":
		return g.pick(`timestamp("2026-11-22T10:00:00Z")`, `timestamp("0001-01-01T00:00:00Z")`, `timestamp("9999-12-31T23:59:59Z")`, `timestamp("2030-01-01T00:00:00.5+01:00")`)
	case "duration":
		return g.pick(`duration("0s")`, `duration("1h")`, `duration("-90s")`, `duration("1.5h")`, `duration("2562047h")`, `duration("1ns")`)
	}
	if e := elemOf(typ); e != "" {
		n := g.r.IntN(3)
		var parts []string
		for i := 0; i < n; i++ {
			parts = append(parts, g.literal(e))
		}
		if n == 0 && g.chance(0.5) {
			return "[]"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	if typ == "map(string, int)" {
		return g.pick(`{"a": 1}`, `{"a": 1, "b": 2}`, `{}`, `{"a": 1, "a": 2}`)
	}
	if typ == "map(string, string)" {
		return g.pick(`{"a": "x"}`, `{}`, `{"k": "v", "a": "b"}`)
	}
	return ""
}

// long1 and long2 are strings long enough for operations on them to charge the budget
// (a step per 64 bytes).
var (
	long1 = strings.Repeat("ab", 40)
	long2 = "a" + strings.Repeat("é", 70)
)

var comparable = []string{"bool", "int", "uint", "double", "string", "bytes", "timestamp", "duration"}

func (g *exprGen) expr(typ string, depth int) string {
	if depth > 4 || g.chance(0.25) {
		if a := g.attr(typ); a != "" && g.chance(0.6) {
			return a
		}
		if l := g.literal(typ); l != "" {
			return l
		}
		if a := g.attr(typ); a != "" {
			return a
		}
	}
	d := depth + 1
	e := func(t string) string { return g.expr(t, d) }
	switch typ {
	case "bool":
		switch g.r.IntN(16) {
		case 0:
			return "(" + e("bool") + " && " + e("bool") + ")"
		case 1:
			return "(" + e("bool") + " || " + e("bool") + ")"
		case 2:
			return "!" + "(" + e("bool") + ")"
		case 3, 4:
			t := comparable[g.r.IntN(len(comparable))]
			return "(" + e(t) + " " + g.pick("==", "!=", "<", "<=", ">", ">=") + " " + e(t) + ")"
		case 5:
			t := g.pick("list(int)", "list(string)", "list(double)", "map(string, int)", "list(list(int))", "list(timestamp)", "list(bytes)", "map(string, list(string))", "list(bool)", "list(uint)", "map(string, string)")
			return "(" + e(t) + " " + g.pick("==", "!=") + " " + e(t) + ")"
		case 6:
			t := g.pick("int", "string", "double", "bool", "timestamp", "bytes", "uint")
			return "(" + e(t) + " in " + e("list("+t+")") + ")"
		case 7:
			return "(" + e("string") + " in " + e(g.pick("map(string, int)", "map(string, string)")) + ")"
		case 8, 9:
			return g.macro("bool", d)
		case 10:
			return e("string") + "." + g.pick("startsWith", "endsWith", "contains") + "(" + e("string") + ")"
		case 11:
			return e("string") + ".matches(" + g.pick(`"^a"`, `"b$"`, `"[0-9]+"`, `"é"`, `"^$"`) + ")"
		case 12:
			return e("string") + ".inIPAddrRange(" + e("string") + ")"
		case 13:
			return "(" + e("bool") + " ? " + e("bool") + " : " + e("bool") + ")"
		case 14:
			return g.pick("(", "!(") + e(g.pick("list(int)", "list(string)", "map(string, int)")) + " == " + g.pick("[]", "{}", "[1]") + ")"
		default:
			return "(" + e("int") + " " + g.pick("<", "==", ">") + " " + e("int") + ")"
		}
	case "int":
		switch g.r.IntN(9) {
		case 0, 1, 2:
			return "(" + e("int") + " " + g.pick("+", "-", "*", "/", "%") + " " + e("int") + ")"
		case 3:
			return "-(" + e("int") + ")"
		case 4:
			return "size(" + e(g.pick("string", "bytes", "list(int)", "map(string, int)", "list(string)")) + ")"
		case 5:
			return e("list(int)") + "[" + e("int") + "]"
		case 6:
			return e("map(string, int)") + "[" + e("string") + "]"
		case 7:
			return "(" + e("bool") + " ? " + e("int") + " : " + e("int") + ")"
		default:
			return e(g.pick("string", "list(string)", "map(string, int)", "bytes")) + ".size()"
		}
	case "uint":
		switch g.r.IntN(3) {
		case 0:
			return "(" + e("uint") + " " + g.pick("+", "-", "*", "/", "%") + " " + e("uint") + ")"
		case 1:
			return e("list(uint)") + "[" + e("int") + "]"
		default:
			return g.literal("uint")
		}
	case "double":
		switch g.r.IntN(4) {
		case 0, 1:
			return "(" + e("double") + " " + g.pick("+", "-", "*", "/") + " " + e("double") + ")"
		case 2:
			return "-(" + e("double") + ")"
		default:
			return e("list(double)") + "[" + e("int") + "]"
		}
	case "string":
		switch g.r.IntN(4) {
		case 0:
			return "(" + e("string") + " + " + e("string") + ")"
		case 1:
			return e("list(string)") + "[" + e("int") + "]"
		case 2:
			return e("map(string, string)") + "[" + e("string") + "]"
		default:
			return "(" + e("bool") + " ? " + e("string") + " : " + e("string") + ")"
		}
	case "bytes":
		return "(" + e("bytes") + " + " + e("bytes") + ")"
	case "timestamp":
		switch g.r.IntN(3) {
		case 0:
			return "(" + e("timestamp") + " + " + e("duration") + ")"
		case 1:
			return "(" + e("timestamp") + " - " + e("duration") + ")"
		default:
			return "(" + e("duration") + " + " + e("timestamp") + ")"
		}
	case "duration":
		switch g.r.IntN(2) {
		case 0:
			return "(" + e("duration") + " " + g.pick("+", "-") + " " + e("duration") + ")"
		default:
			return "(" + e("timestamp") + " - " + e("timestamp") + ")"
		}
	}
	if el := elemOf(typ); el != "" {
		if typ == "list(int)" && g.chance(0.15) {
			return e("list(list(int))") + "[" + e("int") + "]"
		}
		if typ == "list(string)" && g.chance(0.15) {
			return e("map(string, list(string))") + "[" + e("string") + "]"
		}
		if g.chance(0.1) {
			return "(" + e("bool") + " ? " + e(typ) + " : " + e(typ) + ")"
		}
		switch g.r.IntN(4) {
		case 0:
			return "(" + e(typ) + " + " + e(typ) + ")"
		case 1:
			return g.macro(typ, d)
		case 2:
			n := 1 + g.r.IntN(2)
			var parts []string
			for i := 0; i < n; i++ {
				parts = append(parts, e(el))
			}
			return "[" + strings.Join(parts, ", ") + "]"
		}
	}
	if strings.HasPrefix(typ, "map(") && g.chance(0.3) {
		vt := strings.TrimSuffix(strings.TrimPrefix(typ, "map(string, "), ")")
		return "{" + e("string") + ": " + e(vt) + "}"
	}
	if a := g.attr(typ); a != "" {
		return a
	}
	return g.literal(typ)
}

// iterVarNames are the names random macros give their variables: plain ones, the names
// generated code makes up for itself (package-level literals, temporaries, labels,
// parameters), Go keywords and predeclared identifiers, and the packages generated
// code imports. The generated code must work whatever a variable is called; the names
// CEL itself rejects are dropped with their expressions by validExprs.
var iterVarNames = []string{
	"x", "y", "i", "k",
	"list1", "ts1", "re1", "bytes1", "dict1", "bad1", "v1", "v2", "e", "e1", "n1", "L1", "t1", "f1", "c1",
	"trues1", "falses1", "p", "r", "s", "ctx", "cred", "filter", "budget", "d", "ok",
	"func", "type", "range", "map", "chan", "go", "select", "defer", "switch", "case", "default",
	"fallthrough", "goto", "interface", "struct",
	"len", "append", "cap", "make", "new", "nil", "string", "int", "int64", "bool", "byte", "error",
	"any", "copy", "panic", "uint64", "float64", "iota", "max", "min",
	"runtime", "time", "strings", "regexp", "bytes", "math", "cond", "pgsql", "strconv",
}

// macro writes exists, all, exists_one (bool), or map and filter (lists).
func (g *exprGen) macro(typ string, d int) string {
	g.n++
	v := g.pick(iterVarNames...)
	if g.probe {
		v = g.pick("list1", "ts1", "re1", "bytes1", "dict1", "bad1", "list2", "ts2", "re2", "bytes2", "dict2")
	}
	elem := g.pick("int", "string", "double", "timestamp", "list(int)", "bool")
	rng := g.expr("list("+elem+")", d)
	overMap := false
	if typ == "bool" && g.chance(0.2) {
		rng, elem, overMap = g.expr(g.pick("map(string, int)", "map(string, string)"), d), "string", true
	}
	_ = overMap
	g.local = append(g.local, struct{ name, typ string }{v, elem})
	defer func() { g.local = g.local[:len(g.local)-1] }()
	if typ == "bool" {
		return rng + "." + g.pick("exists", "all", "exists_one") + "(" + v + ", " + g.expr("bool", d) + ")"
	}
	el := elemOf(typ)
	if el == elem && g.chance(0.5) {
		return rng + ".filter(" + v + ", " + g.expr("bool", d) + ")"
	}
	if g.chance(0.3) {
		return rng + ".map(" + v + ", " + g.expr("bool", d) + ", " + g.expr(el, d) + ")"
	}
	return rng + ".map(" + v + ", " + g.expr(el, d) + ")"
}

// randomRequest gives every attribute of the principal, the resource and the context a
// random value.
func randomRequest(r *rand.Rand) json.RawMessage {
	obj := func() map[string]any {
		m := map[string]any{}
		for _, a := range attrs {
			if r.Float64() < 0.1 {
				continue // omitted: the zero value
			}
			m[a.name] = randomValue(r, a.typ, 0)
		}
		return m
	}
	req := map[string]any{
		"principal": map[string]any{"id": "p", "attributes": obj()},
		"resource":  map[string]any{"id": "r", "attributes": obj()},
		"context":   obj(),
	}
	b, _ := json.Marshal(req)
	return b
}

func randomValue(r *rand.Rand, typ string, depth int) any {
	pick := func(vs ...any) any { return vs[r.IntN(len(vs))] }
	switch typ {
	case "bool":
		return r.IntN(2) == 0
	case "int":
		return pick(0, 1, -1, 2, 3, 7, 100, json.Number("9223372036854775807"), json.Number("-9223372036854775808"), json.Number("4611686018427387904"), r.IntN(10))
	case "uint":
		return pick(0, 1, 2, 10, json.Number("18446744073709551615"), json.Number("9223372036854775808"))
	case "double":
		return pick(0.0, 1.0, -1.5, 0.1, 0.3, 1e308, 2.5, 3.0, json.Number("-0.0"))
	case "string":
		return pick("", "a", "b", "ab", "héllo", "MITx", "10.0.0.0/8", "10.1.2.3", "192.0.2.1", "::1", "2001:db8::/32", "bad", "x:y", long1, long2)
	case "bytes":
		return base64.StdEncoding.EncodeToString([]byte(pick("", "a", "ab", "\xff", "b", long2).(string)))
	case "timestamp":
		return pick("2026-11-22T10:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2030-01-01T00:00:00.5+01:00", "1970-01-01T00:00:00Z")
	case "duration":
		return pick("0s", "1h", "-90s", "1.5h", "2562047h", "1ns", "-2562047h")
	}
	if e := elemOf(typ); e != "" {
		n := r.IntN(4)
		if depth > 1 {
			n = r.IntN(2)
		}
		l := []any{}
		for i := 0; i < n; i++ {
			l = append(l, randomValue(r, e, depth+1))
		}
		return l
	}
	if strings.HasPrefix(typ, "map(string, ") {
		vt := strings.TrimSuffix(strings.TrimPrefix(typ, "map(string, "), ")")
		m := map[string]any{}
		for i := r.IntN(3); i > 0; i-- {
			m[pick("a", "b", "k", "").(string)] = randomValue(r, vt, depth+1)
		}
		return m
	}
	panic("no value for " + typ)
}

// FuzzDifferential compares the backends on fuzzed inputs for one batch of random
// expressions, built once per fuzzing process. Run it with
// go test ./gen -run '^$' -fuzz FuzzDifferential.
func FuzzDifferential(f *testing.F) {
	f.Add(uint64(1), uint16(0))
	f.Add(uint64(42), uint16(17))
	g := &exprGen{r: rand.New(rand.NewPCG(2026, 11))}
	var cands []string
	for i := 0; i < 80; i++ {
		cands = append(cands, g.expr("bool", 0))
	}
	exprs := validExprs(&testing.T{}, cands)
	s, err := spec.Load("diff.yaml", buildSpec(exprs))
	if err != nil {
		f.Fatal(err)
	}
	ev, err := eval.New(s)
	if err != nil {
		f.Fatal(err)
	}
	bin, err := gobackend.Build(context.Background(), s)
	if err != nil {
		f.Fatal(err)
	}
	d, err := gobackend.Start(bin, gobackend.Limits{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { d.Close() })
	f.Fuzz(func(t *testing.T, seed uint64, which uint16) {
		k := int(which) % len(exprs)
		req := withType(randomRequest(rand.New(rand.NewPCG(seed, uint64(which)))), k)
		want, got := ev.DecideJSON(req), d.DecideJSON(req)
		if ow, og := outcomeOf(want), outcomeOf(got); ow != og {
			saveCrasher(t, crasher{Expr: exprs[k], Request: req, Eval: string(ow), Go: string(og)})
			t.Fatalf("%s\nrequest %s\neval: %s\ngo:   %s", exprs[k], req, want, got)
		}
	})
}
