package cond

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// AndOf returns the conjunction of cs, simplified: constants fold, nested
// conjunctions flatten, equal terms merge, a term and its negation give false, tests of
// one value against constants intersect (resource.org in ["a", "b"] && resource.org !=
// "a" is resource.org == "b"), and a disjunction that contains another term is
// dropped (x && (x || y) is x).
func AndOf(cs ...Cond) Cond { return junction(true, cs) }

// OrOf returns the disjunction of cs, simplified as AndOf simplifies, dually: tests
// of one value against constants unite (resource.org == "a" || resource.org == "b" is
// resource.org in ["a", "b"]) and x || (x && y) is x.
func OrOf(cs ...Cond) Cond { return junction(false, cs) }

// NotOf returns the negation of c, pushed down to the atoms.
func NotOf(c Cond) Cond {
	switch x := c.(type) {
	case Const:
		return !x
	case *Not:
		return x.X
	case And:
		out := make([]Cond, len(x))
		for i, t := range x {
			out[i] = NotOf(t)
		}
		return OrOf(out...)
	case Or:
		out := make([]Cond, len(x))
		for i, t := range x {
			out[i] = NotOf(t)
		}
		return AndOf(out...)
	case *Compare:
		switch {
		case x.Op == Ne:
			return Cmp(Eq, x.L, x.R, x.At)
		case x.Op == Eq:
			if l, ok := x.R.(*Lit); ok && x.L.Type().Kind == Bool {
				if b, ok := l.V.(bool); ok {
					return Cmp(Eq, x.L, &Lit{V: !b, T: BoolType}, x.At)
				}
			}
		case x.L.Type().Kind != Double:
			// Without NaN, !(a < b) is a >= b.
			return Cmp(x.Op.negate(), x.L, x.R, x.At)
		}
	case *Quant:
		return quant(!x.All, x.Var, x.List, NotOf(x.Body), x.At)
	}
	return &Not{X: c}
}

// Cmp returns l op r, folded when both are constants and normalized: != becomes
// !(==), a constant goes on the right, comparisons that cannot hold or always hold
// (with NaN, with a negative size, with booleans) fold to a constant.
func Cmp(op Op, l, r Value, at *Origin) Cond {
	ll, lok := l.(*Lit)
	rl, rok := r.(*Lit)
	if lok && rok {
		return Const(compare(op, ll.V, rl.V))
	}
	if op == Ne {
		return NotOf(Cmp(Eq, l, r, at))
	}
	if lok {
		l, r, op, rl, rok = r, l, op.flip(), ll, true
	}
	if rok {
		switch x := rl.V.(type) {
		case float64:
			if math.IsNaN(x) {
				return False // NaN is unequal and unordered
			}
		case bool:
			return cmpBool(op, l, x, at)
		case int64:
			if _, ok := l.(*Size); ok {
				if c, ok := cmpSize(op, x); ok {
					return c
				}
			}
		}
	} else if l.String() == r.String() && !hasDouble(l.Type()) {
		return Const(op == Eq || op == Le || op == Ge)
	}
	return &Compare{Op: op, L: l, R: r, At: at}
}

// hasDouble reports whether values of t may hold a NaN, which is unequal to itself.
func hasDouble(t *Type) bool {
	for ; t != nil; t = t.Elem {
		if t.Kind == Double {
			return true
		}
	}
	return false
}

// cmpBool rewrites a comparison of a bool with a constant (false < true) as x or !x.
func cmpBool(op Op, l Value, b bool, at *Origin) Cond {
	isTrue := &Compare{Op: Eq, L: l, R: &Lit{V: true, T: BoolType}, At: at}
	isFalse := &Not{X: isTrue}
	switch op {
	case Eq:
		if b {
			return isTrue
		}
		return isFalse
	case Lt: // x < false never; x < true is !x
		if b {
			return isFalse
		}
		return False
	case Le:
		if b {
			return True
		}
		return isFalse
	case Gt:
		if b {
			return False
		}
		return isTrue
	case Ge:
		if b {
			return isTrue
		}
		return True
	}
	return False
}

// cmpSize folds comparisons of a size, never negative, with a constant.
func cmpSize(op Op, k int64) (Cond, bool) {
	switch {
	case op == Eq && k < 0, op == Lt && k <= 0, op == Le && k < 0:
		return False, true
	case op == Gt && k < 0, op == Ge && k <= 0:
		return True, true
	}
	return nil, false
}

// Member returns `elem in coll`, folded when both are constants. A constant list
// loses duplicate elements and elements that can never be equal to anything (NaN); a
// constant map becomes the list of its keys; an empty list gives false and a list of
// one element an equality.
func Member(elem, coll Value, at *Origin) Cond {
	el, eok := elem.(*Lit)
	cl, cok := coll.(*Lit)
	if eok && cok {
		return Const(member(el.V, cl.V))
	}
	if !cok {
		return &In{Elem: elem, Coll: coll, At: at}
	}
	var elems []any
	switch x := cl.V.(type) {
	case []any:
		elems = x
	case map[string]any:
		for _, k := range sortedKeys(x) {
			elems = append(elems, k)
		}
	default:
		return False
	}
	elems = dedupe(elems)
	switch len(elems) {
	case 0:
		return False
	case 1:
		return Cmp(Eq, elem, &Lit{V: elems[0], T: elem.Type()}, at)
	}
	return &In{Elem: elem, Coll: &Lit{V: elems, T: ListOf(elem.Type())}, At: at}
}

// dedupe drops repeated elements and NaNs, keeping the first occurrence's order.
func dedupe(elems []any) []any {
	seen := make(map[string]bool, len(elems))
	out := make([]any, 0, len(elems))
	for _, e := range elems {
		if f, ok := e.(float64); ok && math.IsNaN(f) {
			continue
		}
		k := litKey(e)
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// StrOp returns s.fn(arg), folded when both are constants; every string starts with,
// ends with and contains "".
func StrOp(fn StrFn, s, arg Value, at *Origin) Cond {
	_, sok := s.(*Lit)
	al, aok := arg.(*Lit)
	if aok && al.V == "" {
		return True
	}
	c := &StrTest{Fn: fn, S: s, Arg: arg, At: at}
	if sok && aok {
		return Const(Eval(c, nil))
	}
	return c
}

// Match returns s.matches(pattern), folded when s is a constant.
func Match(s Value, pattern string, at *Origin) Cond {
	c := &Matches{S: s, Pattern: pattern, At: at}
	if _, ok := s.(*Lit); ok {
		return Const(Eval(c, nil))
	}
	return c
}

// Exists returns list.exists(v, body).
func Exists(v string, list Value, body Cond, at *Origin) Cond { return quant(false, v, list, body, at) }

// All returns list.all(v, body).
func All(v string, list Value, body Cond, at *Origin) Cond { return quant(true, v, list, body, at) }

func quant(all bool, v string, list Value, body Cond, at *Origin) Cond {
	if l, ok := list.(*Lit); ok {
		elems, _ := l.V.([]any)
		terms := make([]Cond, len(elems))
		for i, e := range elems {
			terms[i] = substitute(body, v, &Lit{V: e, T: list.Type().Elem})
		}
		if all {
			return AndOf(terms...)
		}
		return OrOf(terms...)
	}
	if !mentions(body, v) {
		// The body is the same for every element: only emptiness matters.
		if all {
			return OrOf(body, Cmp(Eq, &Size{Of: list}, &Lit{V: int64(0), T: IntType}, at))
		}
		return AndOf(body, Cmp(Gt, &Size{Of: list}, &Lit{V: int64(0), T: IntType}, at))
	}
	return &Quant{All: all, Var: v, List: list, Body: body, At: at}
}

// mentions reports whether c uses the variable v freely.
func mentions(c Cond, v string) bool {
	found := false
	walkValues(c, v, func(x Value) {
		if y, ok := x.(*Var); ok && y.Name == v {
			found = true
		}
	})
	return found
}

// walkValues calls fn for every value in c outside quantifiers that rebind v.
func walkValues(c Cond, v string, fn func(Value)) {
	var val func(Value)
	val = func(x Value) {
		fn(x)
		if s, ok := x.(*Size); ok {
			val(s.Of)
		}
	}
	switch c := c.(type) {
	case And:
		for _, t := range c {
			walkValues(t, v, fn)
		}
	case Or:
		for _, t := range c {
			walkValues(t, v, fn)
		}
	case *Not:
		walkValues(c.X, v, fn)
	case *Compare:
		val(c.L)
		val(c.R)
	case *In:
		val(c.Elem)
		val(c.Coll)
	case *StrTest:
		val(c.S)
		val(c.Arg)
	case *Matches:
		val(c.S)
	case *Quant:
		val(c.List)
		if c.Var != v {
			walkValues(c.Body, v, fn)
		}
	}
}

// substitute replaces the variable v by a constant in c and simplifies the result.
func substitute(c Cond, v string, lit *Lit) Cond {
	var val func(Value) Value
	val = func(x Value) Value {
		switch y := x.(type) {
		case *Var:
			if y.Name == v {
				return lit
			}
		case *Size:
			of := val(y.Of)
			if l, ok := of.(*Lit); ok {
				return &Lit{V: value(&Size{Of: l}, nil), T: IntType}
			}
			if of != y.Of {
				return &Size{Of: of}
			}
		}
		return x
	}
	switch c := c.(type) {
	case And:
		out := make([]Cond, len(c))
		for i, t := range c {
			out[i] = substitute(t, v, lit)
		}
		return AndOf(out...)
	case Or:
		out := make([]Cond, len(c))
		for i, t := range c {
			out[i] = substitute(t, v, lit)
		}
		return OrOf(out...)
	case *Not:
		return NotOf(substitute(c.X, v, lit))
	case *Compare:
		return Cmp(c.Op, val(c.L), val(c.R), c.At)
	case *In:
		return Member(val(c.Elem), val(c.Coll), c.At)
	case *StrTest:
		return StrOp(c.Fn, val(c.S), val(c.Arg), c.At)
	case *Matches:
		return Match(val(c.S), c.Pattern, c.At)
	case *Quant:
		body := c.Body
		if c.Var != v {
			body = substitute(body, v, lit)
		}
		return quant(c.All, c.Var, val(c.List), body, c.At)
	}
	return c
}

// key is a canonical text of a condition: equal keys mean equal conditions.
func key(c Cond) string {
	if r, ok := c.(*Residual); ok {
		return fmt.Sprintf("%s@%p", r.String(), r)
	}
	return c.String()
}

// litKey is a canonical text of a constant: equal keys mean CEL-equal values (NaN
// aside, which is never equal).
func litKey(v any) string {
	switch x := v.(type) {
	case float64:
		if x == 0 {
			return "0.0"
		}
	case time.Time:
		return "ts:" + x.UTC().Format(time.RFC3339Nano)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = litKey(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		keys := sortedKeys(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = quote(k) + ":" + litKey(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	// formatLit's CEL syntax already tells the types apart (1, 1u, 1.0, "1", b"1").
	return formatLit(v)
}

// maxAbsorb bounds the quadratic absorption pass; beyond it terms are only merged.
const maxAbsorb = 2000

func junction(isAnd bool, cs []Cond) Cond {
	unit, zero := Const(isAnd), Const(!isAnd)
	var terms []Cond
	var add func(c Cond) bool
	add = func(c Cond) bool {
		switch x := c.(type) {
		case Const:
			return x != zero
		case And:
			if isAnd {
				for _, t := range x {
					if !add(t) {
						return false
					}
				}
				return true
			}
		case Or:
			if !isAnd {
				for _, t := range x {
					if !add(t) {
						return false
					}
				}
				return true
			}
		}
		terms = append(terms, c)
		return true
	}
	for _, c := range cs {
		if c == nil {
			continue
		}
		if !add(c) {
			return zero
		}
	}
	terms = mergeSets(isAnd, terms)
	keys := make([]string, 0, len(terms))
	seen := make(map[string]bool, len(terms))
	out := terms[:0]
	for _, t := range terms {
		switch t := t.(type) {
		case Const:
			if t == zero {
				return zero
			}
			continue
		}
		k := key(t)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
		keys = append(keys, k)
	}
	// A term and its negation.
	for _, t := range out {
		switch t.(type) {
		case *Not, *Compare:
			if seen[key(NotOf(t))] {
				return zero
			}
		}
	}
	out, _ = absorb(isAnd, out, keys)
	if c := factor(isAnd, out); c != nil {
		return c
	}
	switch len(out) {
	case 0:
		return unit
	case 1:
		return out[0]
	}
	if isAnd {
		return And(out)
	}
	return Or(out)
}

// setTerm is a term that tests one value against a set of constants: X in Elems, or
// with Neg, X not in Elems.
type setTerm struct {
	x     Value
	elems []any
	neg   bool
	at    *Origin
}

func asSetTerm(c Cond) (setTerm, bool) {
	neg := false
	if n, ok := c.(*Not); ok {
		c, neg = n.X, true
	}
	switch t := c.(type) {
	case *Compare:
		if l, ok := t.R.(*Lit); ok && t.Op == Eq {
			if _, isLit := t.L.(*Lit); !isLit && t.L.Type().Kind != Bool {
				return setTerm{x: t.L, elems: []any{l.V}, neg: neg, at: t.At}, true
			}
		}
	case *In:
		if l, ok := t.Coll.(*Lit); ok {
			if elems, ok := l.V.([]any); ok {
				return setTerm{x: t.Elem, elems: elems, neg: neg, at: t.At}, true
			}
		}
	}
	return setTerm{}, false
}

// mergeSets combines the terms of one junction that test the same value against
// constants into one membership test per value.
func mergeSets(isAnd bool, terms []Cond) []Cond {
	type group struct {
		first    int
		x        Value
		at       *Origin
		pos, neg [][]any
		n        int
	}
	var groups map[string]*group
	var order []string
	for i, t := range terms {
		st, ok := asSetTerm(t)
		if !ok {
			continue
		}
		if groups == nil {
			groups = map[string]*group{}
		}
		k := st.x.String()
		g := groups[k]
		if g == nil {
			g = &group{first: i, x: st.x, at: st.at}
			groups[k] = g
			order = append(order, k)
		}
		g.n++
		if st.neg {
			g.neg = append(g.neg, st.elems)
		} else {
			g.pos = append(g.pos, st.elems)
		}
	}
	if groups == nil {
		return terms
	}
	merged := map[int]Cond{}
	drop := map[int]bool{}
	for _, k := range order {
		g := groups[k]
		if g.n < 2 {
			continue
		}
		// In a conjunction, positive sets intersect and negative ones unite; in a
		// disjunction, the other way round. Then X in P and X not in N combine.
		var p, n []any
		hasP, hasN := len(g.pos) > 0, len(g.neg) > 0
		if isAnd {
			p, n = intersect(g.pos), unite(g.neg)
		} else {
			p, n = unite(g.pos), intersect(g.neg)
		}
		var c Cond
		lit := func(elems []any) *Lit { return &Lit{V: elems, T: ListOf(g.x.Type())} }
		switch {
		case hasP && hasN && isAnd:
			c = Member(g.x, lit(minus(p, n)), g.at)
		case hasP && hasN:
			c = NotOf(Member(g.x, lit(minus(n, p)), g.at))
		case hasP:
			c = Member(g.x, lit(p), g.at)
		default:
			c = NotOf(Member(g.x, lit(n), g.at))
		}
		merged[g.first] = c
		for i, t := range terms {
			if st, ok := asSetTerm(t); ok && st.x.String() == k && i != g.first {
				drop[i] = true
			}
		}
	}
	if len(merged) == 0 {
		return terms
	}
	out := make([]Cond, 0, len(terms))
	for i, t := range terms {
		if drop[i] {
			continue
		}
		if c, ok := merged[i]; ok {
			t = c
		}
		out = append(out, t)
	}
	return out
}

func unite(sets [][]any) []any {
	var out []any
	for _, s := range sets {
		out = append(out, s...)
	}
	return dedupe(out)
}

func intersect(sets [][]any) []any {
	if len(sets) == 0 {
		return nil
	}
	out := dedupe(sets[0])
	for _, s := range sets[1:] {
		out = minus(out, minus(out, s))
	}
	return out
}

// minus returns the elements of a that are not in b.
func minus(a, b []any) []any {
	in := make(map[string]bool, len(b))
	for _, e := range b {
		in[litKey(e)] = true
	}
	out := []any{}
	for _, e := range a {
		if !in[litKey(e)] {
			out = append(out, e)
		}
	}
	return out
}

// absorb drops, from a disjunction, every conjunction that has all the conjuncts of
// another term (x || (x && y) is x), and dually from a conjunction.
func absorb(isAnd bool, terms []Cond, keys []string) ([]Cond, []string) {
	if len(terms) < 2 || len(terms) > maxAbsorb {
		return terms, keys
	}
	parts := make([]map[string]bool, len(terms))
	for i, t := range terms {
		var sub []Cond
		switch x := t.(type) {
		case And:
			if !isAnd {
				sub = x
			}
		case Or:
			if isAnd {
				sub = x
			}
		}
		if sub == nil {
			parts[i] = map[string]bool{keys[i]: true}
			continue
		}
		parts[i] = make(map[string]bool, len(sub))
		for _, s := range sub {
			parts[i][key(s)] = true
		}
	}
	dropped := make([]bool, len(terms))
	for i := range terms {
		for j := range terms {
			if i == j || dropped[i] || dropped[j] || len(parts[i]) > len(parts[j]) {
				continue
			}
			if len(parts[i]) == len(parts[j]) && i > j {
				continue
			}
			subset := true
			for k := range parts[i] {
				if !parts[j][k] {
					subset = false
					break
				}
			}
			if subset {
				dropped[j] = true
			}
		}
	}
	var out []Cond
	var outKeys []string
	for i, t := range terms {
		if !dropped[i] {
			out = append(out, t)
			outKeys = append(outKeys, keys[i])
		}
	}
	return out, outKeys
}

// factor pulls out the terms every member of a junction shares: (a && x) || (b && x)
// is x && (a || b), which then merges a and b if they test one value; dually
// (a || x) && (b || x) is x || (a && b). It returns nil when nothing is shared.
func factor(isAnd bool, terms []Cond) Cond {
	if len(terms) < 2 {
		return nil
	}
	parts := func(c Cond) []Cond {
		switch x := c.(type) {
		case And:
			if !isAnd {
				return x
			}
		case Or:
			if isAnd {
				return x
			}
		}
		return []Cond{c}
	}
	var common map[string]Cond
	var order []string
	for i, t := range terms {
		here := map[string]Cond{}
		for _, p := range parts(t) {
			here[key(p)] = p
		}
		if i == 0 {
			common = here
			for _, p := range parts(t) {
				order = append(order, key(p))
			}
			continue
		}
		for k := range common {
			if _, ok := here[k]; !ok {
				delete(common, k)
			}
		}
		if len(common) == 0 {
			return nil
		}
	}
	var shared []Cond
	for _, k := range order {
		if c, ok := common[k]; ok {
			shared = append(shared, c)
		}
	}
	rests := make([]Cond, len(terms))
	for i, t := range terms {
		var rest []Cond
		for _, p := range parts(t) {
			if _, ok := common[key(p)]; !ok {
				rest = append(rest, p)
			}
		}
		if isAnd {
			rests[i] = OrOf(rest...)
		} else {
			rests[i] = AndOf(rest...)
		}
	}
	if isAnd {
		return OrOf(append(shared, AndOf(rests...))...)
	}
	return AndOf(append(shared, OrOf(rests...))...)
}
