package spec

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// The static cost bound of an expression: the most steps (see runtime.Budget) it can
// charge, as a formula over the sizes of the lists and maps and the lengths of the
// strings and bytes it reads, such as size(principal.groups) * (1 + size(resource.tags)).

// Bound is an upper bound on the steps an expression takes.
type Bound struct{ b bound }

// String writes the bound as a formula: numbers, size(x) for the size of a list or map
// x, len(x) for the length in bytes of a string or bytes x, +, * and /64.
func (b Bound) String() string { return b.b.String() }

// Degree is the bound's degree in the sizes of lists and maps: 0 when it does not
// depend on them, 1 when it grows with them linearly, 2 quadratically, ...
func (b Bound) Degree() int { return b.b.degree() }

// Exhausts returns the smallest n for which the bound, with every list and map of n
// elements and short strings and bytes (under 64 bytes), exceeds budget steps; 0 when
// no n does.
func (b Bound) Exhausts(budget int64) int64 {
	if b.Degree() == 0 {
		return 0
	}
	hi := int64(1)
	for b.b.eval(float64(hi)) <= float64(budget) {
		if hi > math.MaxInt64/4 {
			return 0
		}
		hi *= 2
	}
	lo := hi / 2
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		if b.b.eval(float64(mid)) > float64(budget) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// CostBound returns the bound of the expression checked as a.
func CostBound(a *cel.Ast) Bound {
	native := a.NativeRep()
	c := &coster{ast: native}
	return Bound{c.cost(native.Expr(), nil)}
}

type bound interface {
	String() string
	eval(n float64) float64
	degree() int
}

type num int64

func (x num) String() string           { return strconv.FormatInt(int64(x), 10) }
func (x num) eval(float64) float64     { return float64(x) }
func (x num) degree() int              { return 0 }
func (x per64) eval(n float64) float64 { return x.of.eval(n) / 64 }
func (x per64) degree() int            { return x.of.degree() }
func (x sum) eval(n float64) float64 {
	return fold(x, n, 0, func(a, b float64) float64 { return a + b })
}
func (x product) eval(n float64) float64 {
	return fold(x, n, 1, func(a, b float64) float64 { return a * b })
}

// sym is the size of a list or map, size(x), or the length of a string or bytes,
// len(x).
type sym struct {
	name   string
	length bool
}

func (x sym) String() string { return x.name }

func (x sym) eval(n float64) float64 {
	if x.length {
		return 0
	}
	return n
}

func (x sym) degree() int {
	if x.length {
		return 0
	}
	return 1
}

// per64 is a bound divided by 64: the steps of an operation on strings.
type per64 struct{ of bound }

func (x per64) String() string {
	if _, ok := x.of.(sum); ok {
		return "(" + x.of.String() + ")/64"
	}
	return x.of.String() + "/64"
}

type sum []bound

func (x sum) String() string {
	parts := make([]string, len(x))
	for i, t := range x {
		parts[i] = t.String()
	}
	return strings.Join(parts, " + ")
}

func (x sum) degree() int {
	d := 0
	for _, t := range x {
		d = max(d, t.degree())
	}
	return d
}

type product []bound

func (x product) String() string {
	parts := make([]string, len(x))
	for i, t := range x {
		parts[i] = t.String()
		if _, ok := t.(sum); ok {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " * ")
}

func (x product) degree() int {
	d := 0
	for _, t := range x {
		d += t.degree()
	}
	return d
}

func fold(xs []bound, n, unit float64, op func(a, b float64) float64) float64 {
	out := unit
	for _, x := range xs {
		out = op(out, x.eval(n))
	}
	return out
}

// add returns a + b, flattened, with numbers added up and zeros dropped.
func add(xs ...bound) bound {
	var terms []bound
	var n num
	var put func(x bound)
	put = func(x bound) {
		switch x := x.(type) {
		case num:
			n += x
		case sum:
			for _, t := range x {
				put(t)
			}
		default:
			terms = append(terms, x)
		}
	}
	for _, x := range xs {
		put(x)
	}
	// Terms that are the same are counted once, times how often they occur.
	var merged []bound
	count := map[string]int{}
	for _, t := range terms {
		if count[t.String()]++; count[t.String()] == 1 {
			merged = append(merged, t)
		}
	}
	for i, t := range merged {
		if k := count[t.String()]; k > 1 {
			merged[i] = mul(num(k), t)
		}
	}
	if n != 0 {
		merged = append([]bound{n}, merged...)
	}
	switch len(merged) {
	case 0:
		return num(0)
	case 1:
		return merged[0]
	}
	return sum(merged)
}

// mul returns a * b, flattened, with numbers multiplied and ones dropped.
func mul(xs ...bound) bound {
	var factors []bound
	n := num(1)
	for _, x := range xs {
		switch x := x.(type) {
		case num:
			n *= x
		case product:
			factors = append(factors, x...)
		default:
			factors = append(factors, x)
		}
	}
	if n == 0 {
		return num(0)
	}
	if n != 1 {
		factors = append([]bound{n}, factors...)
	}
	switch len(factors) {
	case 0:
		return num(1)
	case 1:
		return factors[0]
	}
	return product(factors)
}

// coster computes bounds over one checked expression.
type coster struct {
	ast *celast.AST
}

// scope is an iteration variable: the path of the elements it stands for.
type scope struct {
	name, path string
	up         *scope
}

func (c *coster) typeKind(e celast.Expr) types.Kind {
	if t := c.ast.GetType(e.ID()); t != nil {
		return t.Kind()
	}
	return types.DynKind
}

// path names the value of e for a formula: principal.groups, resource.tags[_] (any
// element of it), or the expression's text when it is computed.
func (c *coster) path(e celast.Expr, vars *scope) string {
	switch e.Kind() {
	case celast.IdentKind:
		for v := vars; v != nil; v = v.up {
			if v.name == e.AsIdent() {
				return v.path
			}
		}
		return e.AsIdent()
	case celast.SelectKind:
		sel := e.AsSelect()
		if c.typeKind(sel.Operand()) == types.MapKind {
			return c.path(sel.Operand(), vars) + "[_]"
		}
		return c.path(sel.Operand(), vars) + "." + sel.FieldName()
	case celast.CallKind:
		if call := e.AsCall(); call.FunctionName() == operators.Index {
			return c.path(call.Args()[0], vars) + "[_]"
		}
	case celast.ComprehensionKind:
		// A filter's elements are its range's.
		if m, ok := MacroOf(e); ok && m.Name == "filter" {
			return c.path(e.AsComprehension().IterRange(), vars)
		}
	}
	return "…"
}

// size bounds the number of elements of the list or map e.
func (c *coster) size(e celast.Expr, vars *scope) bound {
	switch e.Kind() {
	case celast.ListKind:
		return num(len(e.AsList().Elements()))
	case celast.MapKind:
		return num(len(e.AsMap().Entries()))
	case celast.ComprehensionKind:
		return c.size(e.AsComprehension().IterRange(), vars)
	case celast.CallKind:
		call := e.AsCall()
		switch call.FunctionName() {
		case operators.Add:
			return add(c.size(call.Args()[0], vars), c.size(call.Args()[1], vars))
		case operators.Conditional:
			return add(c.size(call.Args()[1], vars), c.size(call.Args()[2], vars))
		}
	}
	return sym{name: "size(" + c.path(e, vars) + ")"}
}

// length bounds the length in bytes of the string or bytes e.
func (c *coster) length(e celast.Expr, vars *scope) bound {
	switch e.Kind() {
	case celast.LiteralKind:
		switch v := e.AsLiteral().(type) {
		case types.String:
			return num(len(v))
		case types.Bytes:
			return num(len(v))
		}
	case celast.CallKind:
		call := e.AsCall()
		switch call.FunctionName() {
		case operators.Add:
			return add(c.length(call.Args()[0], vars), c.length(call.Args()[1], vars))
		case operators.Conditional:
			return add(c.length(call.Args()[1], vars), c.length(call.Args()[2], vars))
		}
	}
	return sym{name: "len(" + c.path(e, vars) + ")", length: true}
}

// cost bounds the steps evaluating e takes, every operand included.
func (c *coster) cost(e celast.Expr, vars *scope) bound {
	if m, ok := MacroOf(e); ok {
		comp := e.AsComprehension()
		rng := comp.IterRange()
		inner := &scope{name: comp.IterVar(), path: c.path(rng, vars) + "[_]", up: vars}
		each := num(1)
		var body []bound
		for _, p := range []celast.Expr{m.Pred, m.Transform} {
			if p != nil {
				body = append(body, c.cost(p, inner))
			}
		}
		return add(c.cost(rng, vars), mul(c.size(rng, vars), add(append([]bound{each}, body...)...)))
	}
	var parts []bound
	for _, ch := range Children(e) {
		parts = append(parts, c.cost(ch, vars))
	}
	if e.Kind() == celast.CallKind {
		call := e.AsCall()
		ops := call.Args()
		if call.IsMemberFunction() {
			ops = append([]celast.Expr{call.Target()}, ops...)
		}
		switch ChargeOf(e, func(x celast.Expr) *types.Type { return c.ast.GetType(x.ID()) }) {
		case ChargeInList:
			parts = append(parts, c.size(ops[len(ops)-1], vars))
		case ChargeLeftSize:
			parts = append(parts, c.size(ops[0], vars))
		case ChargeSizes:
			parts = append(parts, c.size(ops[0], vars), c.size(ops[1], vars))
		case ChargeText:
			var lens []bound
			for _, o := range ops {
				lens = append(lens, c.length(o, vars))
			}
			if l := add(lens...); isNum(l) {
				parts = append(parts, l.(num)/64)
			} else {
				parts = append(parts, per64{l})
			}
		}
	}
	return add(parts...)
}

// ExprBound is the cost bound of one expression of a spec, for each resource type it
// is checked against when the bounds differ.
type ExprBound struct {
	// What names the expression: `rule "x"`, `scope "org" match`, `role "r" when`,
	// `filter "f" match`.
	What string
	Expr *Expr
	// Bounds is the bound per resource type, "" when it does not depend on the
	// resource type; in the resource types' order.
	Bounds []TypedBound
}

// TypedBound is a bound for one resource type ("" for all).
type TypedBound struct {
	Resource string
	Bound    Bound
}

// Bounds returns the cost bound of every expression of the spec, in file order.
func (s *Spec) Bounds() []ExprBound {
	whats := map[*Expr]string{}
	for _, sc := range s.Scopes {
		for _, x := range sc.Match {
			whats[x] = fmt.Sprintf("scope %q match", sc.Name)
		}
	}
	for _, f := range s.Credentials.Filters {
		for _, x := range f.Match {
			whats[x] = fmt.Sprintf("filter %q match", f.Name)
		}
	}
	for _, r := range s.Roles {
		if r.When != nil {
			whats[r.When] = fmt.Sprintf("role %q when", r.Name)
		}
	}
	for _, r := range s.Rules {
		if r.When != nil {
			whats[r.When] = fmt.Sprintf("rule %q", r.ID)
		}
	}
	xs := s.Expressions()
	sort.SliceStable(xs, func(i, j int) bool {
		a, b := xs[i].Pos, xs[j].Pos
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	var out []ExprBound
	for _, x := range xs {
		eb := ExprBound{What: whats[x], Expr: x}
		keys := make([]string, 0, len(x.Checked))
		for k := range x.Checked {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return s.resourceOrder(keys[i]) < s.resourceOrder(keys[j]) })
		seen := map[string]bool{}
		for _, k := range keys {
			b := CostBound(x.Checked[k])
			if !seen[b.String()] {
				seen[b.String()] = true
				eb.Bounds = append(eb.Bounds, TypedBound{Resource: k, Bound: b})
			}
		}
		if len(eb.Bounds) == 1 {
			eb.Bounds[0].Resource = ""
		}
		out = append(out, eb)
	}
	return out
}

func (s *Spec) resourceOrder(name string) int {
	if r := s.Resource(name); r != nil {
		return r.Index
	}
	return -1
}

func isNum(b bound) bool {
	_, ok := b.(num)
	return ok
}
