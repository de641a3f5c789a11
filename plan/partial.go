package plan

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/interpreter"

	"github.com/permc/permc/internal/celprog"
	"github.com/permc/permc/runtime"
	"github.com/permc/permc/runtime/cond"
	"github.com/permc/permc/spec"
)

// This file is the partial evaluator: it walks an expression's checked AST with every
// variable known except `resource`, and returns for each boolean subexpression the
// pair (T, F) of conditions under which it evaluates to true and to false. Rows where
// neither holds are the rows where CEL gives an error, so that every place of the
// decision order can choose what an error means there (deny rules: an error denies,
// so a deny rule lets a resource through only under F; everything else needs T).
//
//	T(a && b) = T(a) ∧ T(b)       F(a && b) = F(a) ∨ F(b)
//	T(a || b) = T(a) ∨ T(b)       F(a || b) = F(a) ∧ F(b)
//	T(!a)     = F(a)              F(!a)     = T(a)
//
// are exactly CEL's commutative, error-absorbing logic. Subexpressions that do not
// depend on the resource are evaluated by cel-go itself (the same programs the
// reference evaluator runs), so known values, including their errors, are exact.
// The symbolic values are the resource's attributes, the elements of its lists inside
// exists/all, and their sizes; none of them can fail to evaluate, so an atom over them
// (a comparison, a membership test, a string test) is true or false, never an error.
// Anything else that depends on the resource (arithmetic, indexing, inIPAddrRange, a
// ternary choosing between non-bool values, ...) makes the whole expression a
// cond.Residual: exact in memory, and reported by the SQL translator as untranslatable.

// compiled is one checked expression prepared for partial evaluation.
type compiled struct {
	x      *spec.Expr
	ast    *celast.AST
	deps   map[int64][]string // free variables of each node
	whole  cel.Program
	env    *cel.Env
	opts   []cel.ProgramOption // of every program, see celprog
	progs  sync.Map            // node id -> cel.Program, for known subexpressions
	origMu sync.Mutex
	origs  map[int64]*cond.Origin
}

func newCompiled(env *cel.Env, x *spec.Expr, a *cel.Ast) (*compiled, error) {
	opts := celprog.Options(a.NativeRep())
	prg, err := env.Program(a, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", x.Pos, err)
	}
	c := &compiled{x: x, ast: a.NativeRep(), whole: prg, env: env, opts: opts, deps: map[int64][]string{}, origs: map[int64]*cond.Origin{}}
	c.analyse(c.ast.Expr())
	return c, nil
}

// analyse records the free variables of every node.
func (c *compiled) analyse(e celast.Expr) []string {
	var deps []string
	switch e.Kind() {
	case celast.IdentKind:
		deps = []string{e.AsIdent()}
	case celast.SelectKind:
		deps = c.analyse(e.AsSelect().Operand())
	case celast.CallKind:
		call := e.AsCall()
		if call.IsMemberFunction() {
			deps = union(deps, c.analyse(call.Target()))
		}
		for _, a := range call.Args() {
			deps = union(deps, c.analyse(a))
		}
	case celast.ListKind:
		for _, a := range e.AsList().Elements() {
			deps = union(deps, c.analyse(a))
		}
	case celast.MapKind:
		for _, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			deps = union(deps, c.analyse(me.Key()))
			deps = union(deps, c.analyse(me.Value()))
		}
	case celast.StructKind:
		for _, f := range e.AsStruct().Fields() {
			deps = union(deps, c.analyse(f.AsStructField().Value()))
		}
	case celast.ComprehensionKind:
		comp := e.AsComprehension()
		deps = union(c.analyse(comp.IterRange()), c.analyse(comp.AccuInit()))
		var inner []string
		inner = union(inner, c.analyse(comp.LoopCondition()))
		inner = union(inner, c.analyse(comp.LoopStep()))
		inner = union(inner, c.analyse(comp.Result()))
		for _, v := range inner {
			if v != comp.IterVar() && v != comp.AccuVar() && (!comp.HasIterVar2() || v != comp.IterVar2()) {
				deps = union(deps, []string{v})
			}
		}
	}
	c.deps[e.ID()] = deps
	return deps
}

func union(a, b []string) []string {
	for _, x := range b {
		found := false
		for _, y := range a {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			a = append(a, x)
		}
	}
	return a
}

// origin returns where node id is in the spec, for error messages.
func (c *compiled) origin(id int64, what string) *cond.Origin {
	c.origMu.Lock()
	defer c.origMu.Unlock()
	if o := c.origs[id]; o != nil && o.What == what {
		return o
	}
	start, text := c.span(id)
	o := &cond.Origin{What: what, Pos: c.x.PosAt(start).String(), Expr: text}
	c.origs[id] = o
	return o
}

// span returns the byte offset and source text of node id and its children.
func (c *compiled) span(id int64) (int, string) {
	info := c.ast.SourceInfo()
	lo, hi := int32(-1), int32(-1)
	var visit func(e celast.Expr)
	visit = func(e celast.Expr) {
		if r, ok := info.GetOffsetRange(e.ID()); ok {
			if lo < 0 || r.Start < lo {
				lo = r.Start
			}
			if r.Stop > hi {
				hi = r.Stop
			}
		}
		for _, ch := range spec.Children(e) {
			visit(ch)
		}
	}
	var node celast.Expr
	celast.PreOrderVisit(c.ast.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.ID() == id {
			node = e
		}
	}))
	if node != nil {
		visit(node)
	}
	if lo < 0 {
		return 0, c.x.Source
	}
	src := c.x.Source
	start, end := byteOffset(src, int(lo)), byteOffset(src, int(hi))
	if end < start {
		end = start
	}
	// A call's or an index's range ends at its last argument: take in the closing
	// parentheses and brackets it leaves open.
	for _, pair := range []string{"()", "[]"} {
		for end < len(src) && strings.Count(src[start:end], pair[:1]) > strings.Count(src[start:end], pair[1:]) {
			i := strings.IndexByte(src[end:], pair[1])
			if i < 0 {
				break
			}
			end += i + 1
		}
	}
	return start, strings.TrimSpace(src[start:end])
}

func byteOffset(src string, runes int) int {
	off := 0
	for i := 0; i < runes && off < len(src); i++ {
		_, size := utf8.DecodeRuneInString(src[off:])
		off += size
	}
	return off
}

// program returns the cel-go program of the subexpression e.
func (c *compiled) program(e celast.Expr) (cel.Program, error) {
	if p, ok := c.progs.Load(e.ID()); ok {
		return p.(cel.Program), nil
	}
	sub := celast.NewCheckedAST(celast.NewAST(e, c.ast.SourceInfo()), c.ast.TypeMap(), c.ast.ReferenceMap())
	p, err := c.env.PlanProgram(sub, c.opts...)
	if err != nil {
		return nil, err
	}
	c.progs.Store(e.ID(), p)
	return p, nil
}

// pv is a partial value: known (val, possibly a CEL error), a boolean known only as
// the pair of conditions (t, f), a symbolic non-boolean value (sym), the resource
// object itself, or a list literal with symbolic elements.
type pv struct {
	kind  pvKind
	val   ref.Val
	t, f  cond.Cond
	sym   cond.Value
	elems []pv
}

type pvKind uint8

const (
	pvKnown pvKind = iota
	pvBool
	pvSym
	pvResource
	pvList
)

func known(v ref.Val) pv { return pv{kind: pvKnown, val: v} }

var errVal = known(types.NewErr("error"))

// pair returns the conditions under which a boolean partial value is true and false.
// A known non-bool (an error) is neither.
func (v pv) pair() (cond.Cond, cond.Cond, bool) {
	switch v.kind {
	case pvKnown:
		if b, ok := v.val.(types.Bool); ok {
			return cond.Const(b), cond.Const(!b), true
		}
		return cond.False, cond.False, true
	case pvBool:
		return v.t, v.f, true
	case pvSym:
		if v.sym.Type().Kind == cond.Bool {
			t := cond.Cmp(cond.Eq, v.sym, &cond.Lit{V: true, T: cond.BoolType}, nil)
			return t, cond.NotOf(t), true
		}
	}
	return nil, nil, false
}

func boolPV(t, f cond.Cond) pv {
	tc, tok := t.(cond.Const)
	fc, fok := f.(cond.Const)
	switch {
	case tok && fok && bool(tc) && !bool(fc):
		return known(types.True)
	case tok && fok && !bool(tc) && bool(fc):
		return known(types.False)
	case tok && fok && !bool(tc) && !bool(fc):
		return errVal
	}
	return pv{kind: pvBool, t: t, f: f}
}

func (v pv) isErr() bool { return v.kind == pvKnown && types.IsError(v.val) }

// unplannable says why an expression depends on the resource in a way the condition
// language cannot express.
type unplannable struct {
	id  int64
	why string
}

func (u *unplannable) Error() string { return u.why }

// binding is a variable bound by a comprehension, or the root: the request's values.
type binding struct {
	name string
	val  pv
	up   *binding
	root *rootVars
}

type rootVars struct {
	native  map[string]any
	vals    map[string]ref.Val
	adapter types.Adapter
	// budget is the plan's evaluation budget: what it evaluates without the resource
	// charges it as a check would, and so does each iteration of a macro it unrolls.
	budget *runtime.Budget
}

func (b *binding) lookup(name string) (pv, bool) {
	for ; b != nil; b = b.up {
		if b.name == name && b.up != nil {
			return b.val, true
		}
	}
	return pv{}, false
}

func (b *binding) rootVars() *rootVars {
	for b.up != nil {
		b = b.up
	}
	return b.root
}

// ResolveName makes a binding chain a cel-go activation for known subexpressions.
func (b *binding) ResolveName(name string) (any, bool) {
	if name == celprog.BudgetVar {
		return b.rootVars().budget, true
	}
	if v, ok := b.lookup(name); ok {
		if v.kind != pvKnown {
			return nil, false
		}
		return v.val, true
	}
	v, ok := b.rootVars().native[name]
	return v, ok
}

// activation adapts a binding to cel-go's interpreter.Activation.
type activation struct{ b *binding }

func (a activation) ResolveName(name string) (any, bool) { return a.b.ResolveName(name) }
func (a activation) Parent() interpreter.Activation      { return nil }

// partial evaluates one expression for one request.
type partial struct {
	c    *compiled
	what string
}

// ground reports whether e can be evaluated now: it does not use the resource or a
// variable bound to something unknown.
func (p *partial) ground(e celast.Expr, b *binding) bool {
	for _, d := range p.c.deps[e.ID()] {
		if v, ok := b.lookup(d); ok {
			// A comprehension's variable, which may shadow even `resource`.
			if v.kind != pvKnown {
				return false
			}
			continue
		}
		if d == "resource" {
			return false
		}
	}
	return true
}

// evalKnown evaluates a subexpression that does not depend on the resource.
func (p *partial) evalKnown(e celast.Expr, b *binding) pv {
	switch e.Kind() {
	case celast.LiteralKind:
		return known(e.AsLiteral())
	case celast.IdentKind:
		name := e.AsIdent()
		if v, ok := b.lookup(name); ok {
			return v
		}
		r := b.rootVars()
		if v, ok := r.vals[name]; ok {
			return known(v)
		}
		if n, ok := r.native[name]; ok {
			v := r.adapter.NativeToValue(n)
			r.vals[name] = v
			return known(v)
		}
		return known(types.NewErr("no such attribute: %s", name))
	case celast.SelectKind:
		sel := e.AsSelect()
		if !sel.IsTestOnly() {
			obj := p.evalKnown(sel.Operand(), b)
			if obj.isErr() {
				return obj
			}
			if m, ok := obj.val.(traits.Mapper); ok {
				if v, found := m.Find(types.String(sel.FieldName())); found {
					return known(v)
				}
				return known(types.NewErr("no such key: %s", sel.FieldName()))
			}
		}
	}
	prg, err := p.c.program(e)
	if err != nil {
		return known(types.NewErr("%v", err))
	}
	out, _, err := prg.Eval(activation{b})
	if err != nil {
		return known(types.NewErr("%v", err))
	}
	return known(out)
}

func (p *partial) fail(e celast.Expr, format string, args ...any) error {
	return &unplannable{id: e.ID(), why: fmt.Sprintf(format, args...)}
}

// eval partially evaluates e.
func (p *partial) eval(e celast.Expr, b *binding) (pv, error) {
	if p.ground(e, b) {
		return p.evalKnown(e, b), nil
	}
	switch e.Kind() {
	case celast.IdentKind:
		name := e.AsIdent()
		if v, ok := b.lookup(name); ok {
			return v, nil
		}
		if name == "resource" {
			return pv{kind: pvResource}, nil
		}
		return pv{}, p.fail(e, "unknown variable %s", name)
	case celast.SelectKind:
		sel := e.AsSelect()
		obj, err := p.eval(sel.Operand(), b)
		if err != nil {
			return pv{}, err
		}
		if obj.kind == pvResource && !sel.IsTestOnly() {
			t := p.typeOf(e)
			if t == nil {
				return pv{}, p.fail(e, "attribute %q has a type plans do not support", sel.FieldName())
			}
			return pv{kind: pvSym, sym: &cond.Attr{Name: sel.FieldName(), T: t}}, nil
		}
		return pv{}, p.fail(e, "selecting a field of a resource-dependent value is not supported in plans")
	case celast.CallKind:
		return p.call(e, b)
	case celast.ListKind:
		var elems []pv
		for _, x := range e.AsList().Elements() {
			v, err := p.eval(x, b)
			if err != nil {
				return pv{}, err
			}
			if v.isErr() {
				return v, nil
			}
			elems = append(elems, v)
		}
		return pv{kind: pvList, elems: elems}, nil
	case celast.ComprehensionKind:
		return p.comprehension(e, b)
	}
	return pv{}, p.fail(e, "this kind of expression is not supported in plans when it depends on the resource")
}

func (p *partial) call(e celast.Expr, b *binding) (pv, error) {
	call := e.AsCall()
	fn := call.FunctionName()
	args := call.Args()
	if call.IsMemberFunction() {
		args = append([]celast.Expr{call.Target()}, args...)
	}
	evalArgs := func() ([]pv, error) {
		out := make([]pv, len(args))
		for i, a := range args {
			v, err := p.eval(a, b)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	at := func() *cond.Origin { return p.c.origin(e.ID(), p.what) }
	switch fn {
	case operators.LogicalAnd, operators.LogicalOr:
		vs, err := evalArgs()
		if err != nil {
			return pv{}, err
		}
		var ts, fs []cond.Cond
		for i, v := range vs {
			t, f, ok := v.pair()
			if !ok {
				return pv{}, p.fail(args[i], "not a boolean")
			}
			ts, fs = append(ts, t), append(fs, f)
		}
		if fn == operators.LogicalAnd {
			return boolPV(cond.AndOf(ts...), cond.OrOf(fs...)), nil
		}
		return boolPV(cond.OrOf(ts...), cond.AndOf(fs...)), nil
	case operators.LogicalNot, operators.NotStrictlyFalse:
		v, err := p.eval(args[0], b)
		if err != nil {
			return pv{}, err
		}
		t, f, ok := v.pair()
		if !ok {
			return pv{}, p.fail(args[0], "not a boolean")
		}
		if fn == operators.LogicalNot {
			return boolPV(f, t), nil
		}
		// @not_strictly_false(x) is true unless x is false: errors count as true.
		return boolPV(cond.NotOf(f), f), nil
	case operators.Conditional:
		c, err := p.eval(args[0], b)
		if err != nil {
			return pv{}, err
		}
		if c.kind == pvKnown {
			switch c.val {
			case types.True:
				return p.eval(args[1], b)
			case types.False:
				return p.eval(args[2], b)
			}
			return known(types.NewErr("no such overload")), nil
		}
		ct, cf, ok := c.pair()
		if !ok {
			return pv{}, p.fail(args[0], "not a boolean")
		}
		x, err := p.eval(args[1], b)
		if err != nil {
			return pv{}, err
		}
		y, err := p.eval(args[2], b)
		if err != nil {
			return pv{}, err
		}
		xt, xf, ok1 := x.pair()
		yt, yf, ok2 := y.pair()
		if !ok1 || !ok2 {
			return pv{}, p.fail(e, "a conditional that chooses between values by the resource is not supported in plans")
		}
		return boolPV(cond.OrOf(cond.AndOf(ct, xt), cond.AndOf(cf, yt)), cond.OrOf(cond.AndOf(ct, xf), cond.AndOf(cf, yf))), nil
	case operators.Equals, operators.NotEquals:
		vs, err := evalArgs()
		if err != nil {
			return pv{}, err
		}
		if vs[0].isErr() {
			return vs[0], nil
		}
		if vs[1].isErr() {
			return vs[1], nil
		}
		var t cond.Cond
		if p.isBool(args[0]) && p.isBool(args[1]) {
			at, af, _ := vs[0].pair()
			bt, bf, _ := vs[1].pair()
			if at == nil || bt == nil {
				return pv{}, p.fail(e, "not a boolean")
			}
			// Both sides are true or false (errors were handled above: a pair's
			// error rows are in neither condition).
			t = cond.OrOf(cond.AndOf(at, bt), cond.AndOf(af, bf))
			f := cond.OrOf(cond.AndOf(at, bf), cond.AndOf(af, bt))
			if fn == operators.NotEquals {
				t, f = f, t
			}
			return boolPV(t, f), nil
		}
		l, r, err := p.operands(e, args, vs)
		if err != nil {
			return pv{}, err
		}
		t = cond.Cmp(cond.Eq, l, r, at())
		if fn == operators.NotEquals {
			return boolPV(cond.NotOf(t), t), nil
		}
		return boolPV(t, cond.NotOf(t)), nil
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		vs, err := evalArgs()
		if err != nil {
			return pv{}, err
		}
		for _, v := range vs {
			if v.isErr() {
				return v, nil
			}
		}
		l, r, err := p.operands(e, args, vs)
		if err != nil {
			return pv{}, err
		}
		if !l.Type().Ordered() {
			return pv{}, p.fail(e, "values of type %s are not ordered", l.Type())
		}
		op := map[string]cond.Op{operators.Less: cond.Lt, operators.LessEquals: cond.Le, operators.Greater: cond.Gt, operators.GreaterEquals: cond.Ge}[fn]
		// A comparison of these values never fails, so it is false exactly where it is
		// not true (cond.NotOf knows not to turn !(x < y) into x >= y for doubles).
		t := cond.Cmp(op, l, r, at())
		return boolPV(t, cond.NotOf(t)), nil
	case operators.In:
		vs, err := evalArgs()
		if err != nil {
			return pv{}, err
		}
		if vs[0].isErr() {
			return vs[0], nil
		}
		if vs[1].isErr() {
			return vs[1], nil
		}
		if vs[1].kind == pvList {
			// x in [a, b] is x == a || x == b; equality cannot fail on these values.
			elemT := p.typeOf(args[0])
			var ts []cond.Cond
			for i, el := range vs[1].elems {
				if p.isBool(args[0]) {
					return pv{}, p.fail(e, "membership of booleans in a resource-dependent list is not supported in plans")
				}
				l, err := p.value(args[0], vs[0], elemT)
				if err != nil {
					return pv{}, err
				}
				r, err := p.value(args[1].AsList().Elements()[i], el, l.Type())
				if err != nil {
					return pv{}, err
				}
				ts = append(ts, cond.Cmp(cond.Eq, l, r, at()))
			}
			t := cond.OrOf(ts...)
			return boolPV(t, cond.NotOf(t)), nil
		}
		collT := p.typeOf(args[1])
		elemT := p.typeOf(args[0])
		if collT == nil && vs[1].kind == pvSym {
			collT = vs[1].sym.Type()
		}
		if elemT == nil && collT != nil {
			elemT = collT.Elem
			if collT.Kind == cond.Map {
				elemT = cond.StringType
			}
		}
		l, err := p.value(args[0], vs[0], elemT)
		if err != nil {
			return pv{}, err
		}
		if collT == nil {
			collT = cond.ListOf(l.Type())
		}
		r, err := p.value(args[1], vs[1], collT)
		if err != nil {
			return pv{}, err
		}
		t := cond.Member(l, r, at())
		return boolPV(t, cond.NotOf(t)), nil
	case overloads.Size:
		if len(args) != 1 {
			break
		}
		v, err := p.eval(args[0], b)
		if err != nil {
			return pv{}, err
		}
		if v.kind == pvSym {
			return pv{kind: pvSym, sym: &cond.Size{Of: v.sym}}, nil
		}
	case overloads.StartsWith, overloads.EndsWith, overloads.Contains:
		if len(args) != 2 {
			break
		}
		vs, err := evalArgs()
		if err != nil {
			return pv{}, err
		}
		for _, v := range vs {
			if v.isErr() {
				return v, nil
			}
		}
		s, err := p.value(args[0], vs[0], cond.StringType)
		if err != nil {
			return pv{}, err
		}
		a, err := p.value(args[1], vs[1], cond.StringType)
		if err != nil {
			return pv{}, err
		}
		if s.Type().Kind != cond.String || a.Type().Kind != cond.String {
			break
		}
		f := map[string]cond.StrFn{overloads.StartsWith: cond.StartsWith, overloads.EndsWith: cond.EndsWith, overloads.Contains: cond.Contains}[fn]
		t := cond.StrOp(f, s, a, at())
		return boolPV(t, cond.NotOf(t)), nil
	case overloads.Matches:
		if len(args) != 2 || args[1].Kind() != celast.LiteralKind {
			break
		}
		pat, ok := args[1].AsLiteral().(types.String)
		if !ok {
			break
		}
		v, err := p.eval(args[0], b)
		if err != nil {
			return pv{}, err
		}
		if v.isErr() {
			return v, nil
		}
		s, err := p.value(args[0], v, cond.StringType)
		if err != nil {
			return pv{}, err
		}
		t := cond.Match(s, string(pat), at())
		return boolPV(t, cond.NotOf(t)), nil
	}
	return pv{}, p.fail(e, "%s is not supported in plans when it depends on the resource", spec.DescribeFunction(fn))
}

// operands converts both sides of a comparison to condition values of one type.
func (p *partial) operands(e celast.Expr, args []celast.Expr, vs []pv) (cond.Value, cond.Value, error) {
	lt, rt := p.typeOf(args[0]), p.typeOf(args[1])
	if lt == nil && vs[0].kind == pvSym {
		lt = vs[0].sym.Type()
	}
	if rt == nil && vs[1].kind == pvSym {
		rt = vs[1].sym.Type()
	}
	if lt == nil {
		lt = rt
	}
	if rt == nil {
		rt = lt
	}
	l, err := p.value(args[0], vs[0], lt)
	if err != nil {
		return nil, nil, err
	}
	r, err := p.value(args[1], vs[1], rt)
	if err != nil {
		return nil, nil, err
	}
	if !l.Type().Equal(r.Type()) {
		return nil, nil, p.fail(e, "comparing %s with %s is not supported in plans", l.Type(), r.Type())
	}
	return l, r, nil
}

// value converts a partial value to a condition value of type t (nil: its own).
func (p *partial) value(e celast.Expr, v pv, t *cond.Type) (cond.Value, error) {
	switch v.kind {
	case pvSym:
		return v.sym, nil
	case pvKnown:
		if t == nil {
			return nil, p.fail(e, "a value of unknown type")
		}
		x, err := native(v.val, t)
		if err != nil {
			return nil, p.fail(e, "%v", err)
		}
		return &cond.Lit{V: x, T: t}, nil
	}
	return nil, p.fail(e, "this resource-dependent value is not supported in plans")
}

func (p *partial) isBool(e celast.Expr) bool {
	t := p.c.ast.GetType(e.ID())
	return t != nil && t.Kind() == types.BoolKind
}

// typeOf returns the checked type of e as a condition type, or nil when it is not one
// (dyn, a type parameter, an object).
func (p *partial) typeOf(e celast.Expr) *cond.Type { return spec.CondType(p.c.ast.GetType(e.ID())) }

var errType = errors.New("a known value does not have the type it is compared with")

// native converts a CEL value to the Go representation package cond uses for type t.
func native(v ref.Val, t *cond.Type) (any, error) {
	switch t.Kind {
	case cond.Bool:
		if x, ok := v.(types.Bool); ok {
			return bool(x), nil
		}
	case cond.Int:
		if x, ok := v.(types.Int); ok {
			return int64(x), nil
		}
	case cond.Uint:
		if x, ok := v.(types.Uint); ok {
			return uint64(x), nil
		}
	case cond.Double:
		if x, ok := v.(types.Double); ok {
			return float64(x), nil
		}
	case cond.String:
		if x, ok := v.(types.String); ok {
			return string(x), nil
		}
	case cond.Bytes:
		if x, ok := v.(types.Bytes); ok {
			return []byte(x), nil
		}
	case cond.Timestamp:
		if x, ok := v.(types.Timestamp); ok {
			return x.Time.UTC(), nil
		}
	case cond.Duration:
		if x, ok := v.(types.Duration); ok {
			return x.Duration, nil
		}
	case cond.List:
		l, ok := v.(traits.Lister)
		if !ok {
			break
		}
		n, ok := l.Size().(types.Int)
		if !ok {
			break
		}
		out := make([]any, 0, int(n))
		for i := types.Int(0); i < n; i++ {
			x, err := native(l.Get(i), t.Elem)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case cond.Map:
		m, ok := v.(traits.Mapper)
		if !ok {
			break
		}
		out := map[string]any{}
		it := m.Iterator()
		for it.HasNext() == types.True {
			k, ok := it.Next().(types.String)
			if !ok {
				return nil, errType
			}
			x, err := native(m.Get(k), t.Elem)
			if err != nil {
				return nil, err
			}
			out[string(k)] = x
		}
		return out, nil
	}
	return nil, errType
}

// comprehension evaluates exists/all (and, over known ranges, any macro whose body
// gives a boolean) with a resource-dependent body or range.
func (p *partial) comprehension(e celast.Expr, b *binding) (pv, error) {
	comp := e.AsComprehension()
	if comp.HasIterVar2() {
		return pv{}, p.fail(e, "two-variable comprehensions are not supported in plans")
	}
	rng, err := p.eval(comp.IterRange(), b)
	if err != nil {
		return pv{}, err
	}
	if rng.isErr() {
		return rng, nil
	}
	if rng.kind == pvKnown {
		return p.unroll(e, comp, rng.val, b)
	}
	if rng.kind != pvSym || rng.sym.Type().Kind != cond.List {
		return pv{}, p.fail(e, "this comprehension over a resource-dependent range is not supported in plans")
	}
	// exists: accu = false, step accu || body; all: accu = true, step accu && body.
	init := comp.AccuInit()
	step := comp.LoopStep()
	if init.Kind() != celast.LiteralKind || step.Kind() != celast.CallKind || comp.Result().Kind() != celast.IdentKind || comp.Result().AsIdent() != comp.AccuVar() {
		return pv{}, p.fail(e, "only exists() and all() over a resource's list are supported in plans")
	}
	sc := step.AsCall()
	initB, ok := init.AsLiteral().(types.Bool)
	if !ok || len(sc.Args()) != 2 || sc.Args()[0].Kind() != celast.IdentKind || sc.Args()[0].AsIdent() != comp.AccuVar() ||
		!(sc.FunctionName() == operators.LogicalOr && !bool(initB) || sc.FunctionName() == operators.LogicalAnd && bool(initB)) {
		return pv{}, p.fail(e, "only exists() and all() over a resource's list are supported in plans")
	}
	v := &cond.Var{Name: comp.IterVar(), T: rng.sym.Type().Elem}
	body, err := p.eval(sc.Args()[1], &binding{name: comp.IterVar(), val: pv{kind: pvSym, sym: v}, up: b})
	if err != nil {
		return pv{}, err
	}
	t, f, ok := body.pair()
	if !ok {
		return pv{}, p.fail(sc.Args()[1], "not a boolean")
	}
	at := p.c.origin(e.ID(), p.what)
	if bool(initB) { // all
		return boolPV(cond.All(v.Name, rng.sym, t, at), cond.Exists(v.Name, rng.sym, f, at)), nil
	}
	return boolPV(cond.Exists(v.Name, rng.sym, t, at), cond.All(v.Name, rng.sym, f, at)), nil
}

// unroll runs a comprehension over a known range whose body depends on the resource.
// The loop condition only stops the loop early once the accumulator is known; with a
// symbolic accumulator the loop goes on, which gives the same result for the macros
// whose condition is not constant (exists, all), whose accumulator, once true
// (exists) or false (all), stays so under || and &&.
func (p *partial) unroll(e celast.Expr, comp celast.ComprehensionExpr, rng ref.Val, b *binding) (pv, error) {
	var elems []ref.Val
	switch r := rng.(type) {
	case traits.Lister:
		n, ok := r.Size().(types.Int)
		if !ok {
			return errVal, nil
		}
		for i := types.Int(0); i < n; i++ {
			elems = append(elems, r.Get(i))
		}
	case traits.Mapper:
		elems = celprog.SortedKeys(r)
	default:
		return known(types.NewErr("no such overload")), nil
	}
	accu, err := p.eval(comp.AccuInit(), b)
	if err != nil {
		return pv{}, err
	}
	budget := b.rootVars().budget
	for _, el := range elems {
		iter := &binding{name: comp.IterVar(), val: known(el), up: b}
		withAccu := &binding{name: comp.AccuVar(), val: accu, up: iter}
		c, err := p.eval(comp.LoopCondition(), withAccu)
		if err != nil {
			return pv{}, err
		}
		if c.kind == pvKnown && c.val == types.False {
			break
		}
		if c.kind != pvKnown && c.kind != pvBool {
			return pv{}, p.fail(e, "unsupported loop condition")
		}
		// The iteration is charged as in a check; once the budget is spent, the macro
		// fails, whatever its elements so far gave.
		if budget.Charge(1) != runtime.OK {
			return known(types.NewErr("%s", budget.Message())), nil
		}
		if accu, err = p.eval(comp.LoopStep(), withAccu); err != nil {
			return pv{}, err
		}
		if accu.kind != pvKnown && accu.kind != pvBool {
			return pv{}, p.fail(e, "this comprehension builds a resource-dependent value, which plans do not support")
		}
	}
	return p.eval(comp.Result(), &binding{name: comp.AccuVar(), val: accu, up: b})
}

// residual is the whole expression as an opaque condition: true when it evaluates
// to want for the resource.
func residual(c *compiled, what string, u *unplannable, root *rootVars, want bool) cond.Cond {
	act := make(map[string]any, len(root.native)+1)
	for k, v := range root.native {
		act[k] = v
	}
	limit := root.budget.Limit()
	prg := c.whole
	return &cond.Residual{
		Expr: c.x.Source,
		Why:  u.why,
		Want: want,
		At:   c.origin(u.id, what),
		Test: func(resource map[string]any) bool {
			a := make(map[string]any, len(act)+1)
			for k, v := range act {
				a[k] = v
			}
			a["resource"] = resource
			// Each resource is tested as its own check would evaluate it, with a
			// budget of its own.
			budget := runtime.NewBudget(limit)
			a[celprog.BudgetVar] = &budget
			out, _, err := prg.Eval(a)
			return err == nil && out == types.Bool(want)
		},
	}
}
