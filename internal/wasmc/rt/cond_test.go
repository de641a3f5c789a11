package rt

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/permc/permc/runtime/cond"
)

// condGen draws random constructor calls of package runtime/cond from small pools, so
// that the simplifications meet equal terms, constants of one attribute, negations and
// shared terms often. Each call is built in Go and written as t_cond's script
// (c/test_plan.c), which the C constructors build the same way.
type condGen struct {
	r      *rand.Rand
	script []any
	// built are the conditions built so far, in the order t_cond builds them (each
	// call after its operands), which {"ref": i} names.
	built []cond.Cond
	vars  []condVar
	// atoms are leaf calls drawn once per script and made again and again.
	atoms []condAtom
}

type condAtom struct {
	js    any
	build func() cond.Cond
}

type condVar struct {
	name string
	t    *cond.Type
}

var (
	listString = cond.ListOf(cond.StringType)
	condTypes  = []*cond.Type{
		cond.BoolType, cond.IntType, cond.UintType, cond.DoubleType, cond.StringType, cond.BytesType,
		cond.TimestampType, cond.DurationType, listString, cond.ListOf(cond.IntType), cond.ListOf(cond.DoubleType),
		cond.MapOf(cond.IntType), cond.ListOf(listString), cond.MapOf(listString), cond.ListOf(cond.TimestampType),
		cond.ListOf(cond.MapOf(cond.IntType)),
	}
	// attrNames are the attributes of each type, by the type's name.
	attrNames = map[string][]string{
		"bool": {"public", "draft"}, "int": {"level", "n"}, "uint": {"u"}, "double": {"score", "w"},
		"string": {"org", "id", "title"}, "bytes": {"blob"}, "timestamp": {"created"}, "duration": {"ttl"},
		"list(string)": {"tags", "owners"}, "list(int)": {"nums"}, "list(double)": {"weights"},
		"map(string, int)": {"counts"}, "list(list(string))": {"rows"}, "map(string, list(string))": {"groups"},
		"list(timestamp)": {"dates"}, "list(map(string, int))": {"records"},
	}
	poolStrings = []string{"", "a", "b", "c", "MITx", "a\"b\\", "é", "\x00", "\u2028", "日本", "%_"}
	poolDoubles = []float64{0, math.Copysign(0, -1), 1, 1.5, -2.5, math.NaN(), math.Inf(1), math.Inf(-1), 1e21, 1e-7,
		123456789, 0.1, 5e-324, math.MaxFloat64}
	poolInts  = []int64{-1, 0, 1, 2, 3, math.MaxInt64, math.MinInt64}
	poolUints = []uint64{0, 1, 2, math.MaxUint64}
	poolTimes = []time.Time{
		time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 10, 0, 0, 1, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 500000000, time.UTC),
	}
	poolDurations = []time.Duration{0, 1, 1500 * time.Millisecond, 90 * time.Minute, -time.Second,
		time.Hour + 2*time.Minute + 3500*time.Millisecond, math.MaxInt64, math.MinInt64}
)

func (g *condGen) pick(n int) int { return g.r.IntN(n) }

// lit returns a constant of type t, as runtime/cond holds it and as the script writes
// it.
func (g *condGen) lit(t *cond.Type) (any, any) {
	switch t.Kind {
	case cond.Bool:
		b := g.pick(2) == 0
		return b, b
	case cond.Int:
		x := poolInts[g.pick(len(poolInts))]
		return x, strconv.FormatInt(x, 10)
	case cond.Uint:
		x := poolUints[g.pick(len(poolUints))]
		return x, strconv.FormatUint(x, 10)
	case cond.Double:
		x := poolDoubles[g.pick(len(poolDoubles))]
		return x, strconv.FormatFloat(x, 'g', -1, 64)
	case cond.String:
		x := poolStrings[g.pick(len(poolStrings))]
		return x, x
	case cond.Bytes:
		x := []byte(poolStrings[g.pick(len(poolStrings))] + []string{"", "\xff"}[g.pick(2)])
		return x, base64.StdEncoding.EncodeToString(x)
	case cond.Timestamp:
		x := poolTimes[g.pick(len(poolTimes))]
		return x, x.Format(time.RFC3339Nano)
	case cond.Duration:
		x := poolDurations[g.pick(len(poolDurations))]
		return x, strconv.FormatInt(int64(x), 10)
	case cond.List:
		n := g.pick(5)
		vs, js := make([]any, n), make([]any, n)
		for i := range vs {
			vs[i], js[i] = g.lit(t.Elem)
		}
		return vs, js
	case cond.Map:
		vs, js := map[string]any{}, map[string]any{}
		for range g.pick(4) {
			k := poolStrings[g.pick(len(poolStrings))]
			vs[k], js[k] = g.lit(t.Elem)
		}
		return vs, js
	}
	panic(t)
}

// val returns a value of type t: an attribute, a constant, a variable in scope or a
// size.
func (g *condGen) val(t *cond.Type, litOK bool) (any, cond.Value) {
	var vars []condVar
	for _, v := range g.vars {
		if v.t.Equal(t) {
			vars = append(vars, v)
		}
	}
	for {
		switch g.pick(6) {
		case 0, 1:
			if names := attrNames[t.String()]; len(names) > 0 {
				n := names[g.pick(len(names))]
				return map[string]any{"attr": n, "type": t.String()}, &cond.Attr{Name: n, T: t}
			}
		case 2, 3:
			if litOK {
				v, js := g.lit(t)
				return map[string]any{"lit": js, "type": t.String()}, &cond.Lit{V: v, T: t}
			}
		case 4:
			if len(vars) > 0 {
				v := vars[g.pick(len(vars))]
				return map[string]any{"var": v.name, "type": t.String()}, &cond.Var{Name: v.name, T: t}
			}
		case 5:
			if t.Kind == cond.Int {
				of := []*cond.Type{cond.StringType, cond.BytesType, listString, cond.MapOf(cond.IntType)}[g.pick(4)]
				js, v := g.val(of, false)
				return map[string]any{"size": js}, &cond.Size{Of: v}
			}
		}
	}
}

func (g *condGen) anyType() *cond.Type { return condTypes[g.pick(len(condTypes))] }

// cond returns a random constructor call of at most depth levels: its script and the
// condition runtime/cond builds.
func (g *condGen) cond(depth int) (any, cond.Cond) {
	var js any
	var c cond.Cond
	if len(g.atoms) > 0 && g.pick(3) > 0 && (depth <= 0 || g.pick(2) == 0) {
		// A leaf of the script's few, made again: equal terms, shared terms and
		// negations meet.
		a := g.atoms[g.pick(len(g.atoms))]
		js, c = a.js, a.build()
	} else {
		js, c = g.node(depth)
	}
	g.built = append(g.built, c)
	return js, c
}

// atom draws a leaf call (without variables) and how to make it again.
func (g *condGen) atom() condAtom {
	saved := g.vars
	g.vars = nil
	defer func() { g.vars = saved }()
	for {
		if js, build := g.leaf(); build != nil {
			return condAtom{js, build}
		}
	}
}

func (g *condGen) node(depth int) (any, cond.Cond) {
	k := g.pick(8)
	if depth <= 0 {
		k = 7
	}
	switch k {
	case 0, 1:
		n := g.pick(5)
		js, cs := make([]any, n), make([]cond.Cond, n)
		for i := range cs {
			js[i], cs[i] = g.cond(depth - 1)
		}
		if k == 0 {
			return map[string]any{"and": js}, cond.AndOf(cs...)
		}
		return map[string]any{"or": js}, cond.OrOf(cs...)
	case 2:
		js, c := g.cond(depth - 1)
		return map[string]any{"not": js}, cond.NotOf(c)
	case 3:
		if len(g.built) > 0 {
			i := g.pick(len(g.built))
			return map[string]any{"ref": strconv.Itoa(i)}, g.built[i]
		}
	case 5:
		// Junctions that share a term: (x && a) || (x && b), or dually.
		isAnd := g.pick(2) == 0
		xj, x := g.cond(depth - 1)
		ix := len(g.built) - 1
		var outer []any
		var inners []cond.Cond
		for i := range 2 + g.pick(2) {
			var ij any = map[string]any{"ref": strconv.Itoa(ix)}
			if i == 0 {
				ij = xj
			} else {
				g.built = append(g.built, x)
			}
			aj, a := g.cond(depth - 1)
			var inner cond.Cond
			if isAnd {
				inner = cond.OrOf(x, a)
				outer = append(outer, map[string]any{"or": []any{ij, aj}})
			} else {
				inner = cond.AndOf(x, a)
				outer = append(outer, map[string]any{"and": []any{ij, aj}})
			}
			g.built = append(g.built, inner)
			inners = append(inners, inner)
		}
		if isAnd {
			return map[string]any{"and": outer}, cond.AndOf(inners...)
		}
		return map[string]any{"or": outer}, cond.OrOf(inners...)
	case 4:
		lt := []*cond.Type{listString, cond.ListOf(cond.IntType), cond.ListOf(cond.DoubleType), cond.ListOf(listString)}[g.pick(4)]
		lj, l := g.val(lt, false)
		name := []string{"x", "y"}[g.pick(2)]
		g.vars = append(g.vars, condVar{name, lt.Elem})
		bj, body := g.cond(depth - 1)
		g.vars = g.vars[:len(g.vars)-1]
		all := g.pick(2) == 0
		js := map[string]any{"quant": all, "var": name, "list": lj, "body": bj}
		if all {
			return js, cond.All(name, l, body, nil)
		}
		return js, cond.Exists(name, l, body, nil)
	}
	for {
		if js, build := g.leaf(); build != nil {
			return js, build()
		}
	}
}

// leaf draws an atom's call: a constant, a comparison, a membership, a string test,
// a regular expression or a residual; build makes it (nil: try again).
func (g *condGen) leaf() (any, func() cond.Cond) {
	switch g.pick(10) {
	case 0:
		b := g.pick(2) == 0
		return b, func() cond.Cond { return cond.Const(b) }
	case 1, 2, 3:
		t := g.anyType()
		op := cond.Op(1 + g.pick(6))
		lj, l := g.val(t, true)
		rj, r := g.val(t, true)
		return map[string]any{"cmp": strconv.Itoa(int(op)), "l": lj, "r": rj}, func() cond.Cond { return cond.Cmp(op, l, r, nil) }
	case 4, 5:
		ct := []*cond.Type{listString, cond.ListOf(cond.IntType), cond.ListOf(cond.DoubleType), cond.MapOf(cond.IntType),
			cond.ListOf(listString), cond.ListOf(cond.TimestampType), cond.ListOf(cond.MapOf(cond.IntType))}[g.pick(7)]
		et := ct.Elem
		if ct.Kind == cond.Map {
			et = cond.StringType
		}
		ej, e := g.val(et, true)
		cj, c := g.val(ct, true)
		return map[string]any{"member": []any{ej, cj}}, func() cond.Cond { return cond.Member(e, c, nil) }
	case 6:
		fn := cond.StrFn(1 + g.pick(3))
		sj, s := g.val(cond.StringType, true)
		aj, a := g.val(cond.StringType, true)
		return map[string]any{"str": strconv.Itoa(int(fn)), "s": sj, "arg": aj}, func() cond.Cond { return cond.StrOp(fn, s, a, nil) }
	case 7:
		sj, s := g.val(cond.StringType, false)
		p := []string{"^a", "b$", `\d+`, "é"}[g.pick(4)]
		return map[string]any{"match": sj, "pattern": p}, func() cond.Cond { return cond.Match(s, p, nil) }
	case 8:
		expr := []string{"resource.level + 1 == 2", "resource.tags[0] == \"a\""}[g.pick(2)]
		want := g.pick(2) == 0
		at := &cond.Origin{What: `rule "r"`, Pos: "spec.yaml:1:2", Expr: expr}
		return map[string]any{"res": expr, "why": "arithmetic", "want": want, "what": at.What, "pos": at.Pos},
			func() cond.Cond { return &cond.Residual{Expr: expr, Why: "arithmetic", Want: want, At: at} }
	}
	return nil, nil
}

// TestCondDifferential builds random conditions with package runtime/cond and with the
// C constructors, and compares their CEL and JSON byte for byte.
func TestCondDifferential(t *testing.T) {
	in := newInst(t, testModule)
	runs := 3000
	if testing.Short() {
		runs = 300
	}
	kinds := map[string]int{}
	for seed := range uint64(runs) {
		g := &condGen{r: rand.New(rand.NewPCG(seed, 7))}
		for range g.pick(10) {
			g.atoms = append(g.atoms, g.atom())
		}
		var want strings.Builder
		for range 1 + g.pick(6) {
			js, c := g.cond(4)
			g.script = append(g.script, js)
			want.WriteString(c.String() + "\n" + string(cond.AppendJSON(nil, c)) + "\n")
			countKinds(c, kinds)
		}
		script, err := json.Marshal(g.script)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := in.text("t_cond", script)
		if !ok {
			t.Fatalf("seed %d: %s\nscript: %s", seed, got, script)
		}
		if got != want.String() {
			gl, wl := strings.Split(got, "\n"), strings.Split(want.String(), "\n")
			for i := range wl {
				if i >= len(gl) || gl[i] != wl[i] {
					g := ""
					if i < len(gl) {
						g = gl[i]
					}
					t.Fatalf("seed %d, line %d:\n C: %s\nGo: %s\nscript: %s", seed, i, g, wl[i], script)
				}
			}
		}
	}
	// The runs must have built every kind of node.
	var names []string
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	t.Logf("nodes built: %v", kinds)
	for _, k := range []string{"and", "or", "not", "cmp", "in", "str", "matches", "quant", "residual", "const"} {
		if kinds[k] == 0 {
			t.Errorf("no %s node in any condition (%v)", k, names)
		}
	}
}

func countKinds(c cond.Cond, kinds map[string]int) {
	switch c := c.(type) {
	case cond.Const:
		kinds["const"]++
	case cond.And:
		kinds["and"]++
		for _, x := range c {
			countKinds(x, kinds)
		}
	case cond.Or:
		kinds["or"]++
		for _, x := range c {
			countKinds(x, kinds)
		}
	case *cond.Not:
		kinds["not"]++
		countKinds(c.X, kinds)
	case *cond.Compare:
		kinds["cmp"]++
	case *cond.In:
		kinds["in"]++
	case *cond.StrTest:
		kinds["str"]++
	case *cond.Matches:
		kinds["matches"]++
	case *cond.Quant:
		kinds["quant"]++
		countKinds(c.Body, kinds)
	case *cond.Residual:
		kinds["residual"]++
	}
}
