package gen

import (
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"

	"github.com/dave/jennifer/jen"

	"github.com/permc/permc/runtime/cond"
	"github.com/permc/permc/spec"
)

// The plan compiler. For an expression and a resource type it generates a function
// that partially evaluates the expression with everything known but the resource, as
// package plan does with cel-go, and returns the pair (T, F) of conditions under which
// the expression is true and false (rows in neither are rows where it fails).
//
// Which subexpressions depend on the resource is known when generating, so the
// generator decides the shape: a subexpression that does not depend on the resource is
// compiled to Go by the CEL compiler (its value and error are exactly the checker's);
// one that does becomes code building conditions, for the constructs package plan
// expresses as trees (comparisons, membership, string tests, regular expressions,
// sizes, &&, ||, !, ?:, exists and all). Anything else makes the whole expression a
// cond.Residual whose test runs the compiled checker's function for the expression on
// the resource, so that a plan still decides every resource as a check does.

// cq is the import path of the condition package generated plans build.
const cq = "github.com/permc/permc/runtime/cond"

// pgq is the import path of the SQL translator generated plans offer.
const pgq = "github.com/permc/permc/runtime/cond/pgsql"

// unplannable says why an expression cannot be a condition tree.
type unplannable string

func (u unplannable) Error() string { return string(u) }

type pkind uint8

const (
	pKnown pkind = iota // a value computed now: v, with its error e ("" when it cannot fail)
	pPair               // a boolean known as the conditions t and f
	pSym                // a value of the resource: sym, a cond.Value of type ct
	pRes                // the resource itself
	pList               // a list literal with resource-dependent elements
)

// pval is a partially evaluated subexpression, as code.
type pval struct {
	kind  pkind
	v, e  string
	t     *types.Type
	tc    jen.Code
	fc    jen.Code
	sym   jen.Code
	ct    *cond.Type
	elems []pval
	nodes []celast.Expr // the elements' nodes, for a pList
}

// pbind is a comprehension variable in scope: symbolic (sym set: an element of a
// resource's list) or known (its Go variable is a binding of the host function).
type pbind struct {
	cel string
	sym jen.Code
	ct  *cond.Type
}

// planFn compiles one plan function.
type planFn struct {
	*fn
	x      *spec.Expr
	ast    *celast.AST
	deps   map[int64][]string
	vars   []pbind
	origin jen.Code
}

// compilePlan generates the plan function of x (checked as a) for f's resource type,
// and returns its code.
func (g *generator) compilePlan(x *spec.Expr, a *cel.Ast, f *exprFunc, what string) []jen.Code {
	native := a.NativeRep()
	var code []jen.Code
	u := &unit{g: g, x: x, ast: native, types: native.TypeMap(), base: f.plan, code: &code, failMemo: map[failKey]bool{}, vars: map[string]string{}}
	u.bind(f, false)
	origin := g.ns.fresh(f.plan + "At")
	pos := fmt.Sprintf("%s:%d:%d", g.source, x.Pos.Line, x.Pos.Col)
	originDecl := jen.Var().Id(origin).Op("=").Op("&").Qual(cq, "Origin").Values(jen.Dict{
		jen.Id("What"): jen.Lit(what), jen.Id("Pos"): jen.Lit(pos), jen.Id("Expr"): jen.Lit(strings.TrimSpace(x.Source)),
	})
	var stmts []jen.Code
	reserved := []string{"e", "runtime", "time", "strings", "regexp", "bytes", "math", "cond"}
	for _, p := range u.params {
		reserved = append(reserved, p.name)
	}
	host := &fn{u: u, ns: newNamespace(g.ns, reserved...), stmts: &stmts, result: types.BoolType}
	pf := &planFn{fn: host, x: x, ast: native, deps: map[int64][]string{}, origin: jen.Id(origin)}
	spec.FreeVars(native.Expr(), pf.deps)
	v, err := pf.eval(native.Expr())
	var t, fc jen.Code
	if err == nil {
		t, fc, err = pf.pair(v)
	}
	doc := fmt.Sprintf("%s returns the conditions on the resource under which %s is\ntrue and false.", f.plan, f.name)
	sig := jen.Func().Id(f.plan).Params(u.paramList(nil)...).Params(jen.Qual(cq, "Cond"), jen.Qual(cq, "Cond"))
	if err == nil {
		stmts = append(stmts, jen.Return(t, fc))
		return append([]jen.Code{originDecl, jen.Add(cmt(doc), jen.Line(), sig.Block(stmts...))}, code...)
	}
	// A residual: the checker's function on the resource itself.
	g.needFromAttrs[f.res] = true
	args := []jen.Code{jen.Op("&").Id("rowBudget"), jen.Id("p")}
	if x.Checked[f.res.Name] != nil {
		args = append(args, jen.Id(g.resFromAttrs[f.res]).Call(jen.Id("m")))
	}
	args = append(args, jen.Id("ctx"), jen.Id("cred"))
	for _, p := range u.params[4:] {
		args = append(args, jen.Id(p.name))
	}
	doc += fmt.Sprintf("\n\nThey cannot be condition trees (%s): both are residuals that\nrun %s on the resource.", err, f.name)
	body := []jen.Code{
		jen.Id("limit").Op(":=").Id("budget").Dot("Limit").Call(),
		jen.Id("test").Op(":=").Func().Params(jen.Id("want").Bool()).Qual(cq, "Cond").Block(
			jen.Return(jen.Op("&").Qual(cq, "Residual").Values(jen.Dict{
				jen.Id("Expr"): jen.Lit(strings.TrimSpace(x.Source)),
				jen.Id("Why"):  jen.Lit(err.Error()),
				jen.Id("Want"): jen.Id("want"),
				jen.Id("At"):   jen.Id(origin),
				jen.Id("Test"): jen.Func().Params(jen.Id("m").Map(jen.String()).Any()).Bool().Block(
					cmt("Each resource is tested as its own check evaluates it, with a budget of its own."),
					jen.Id("rowBudget").Op(":=").Qual(rt, "NewBudget").Call(jen.Id("limit")),
					jen.List(jen.Id("ok"), jen.Id("e")).Op(":=").Id(f.name).Call(args...),
					jen.Return(jen.Id("e").Op("==").Qual(rt, "OK").Op("&&").Id("ok").Op("==").Id("want")),
				),
			})),
		),
		jen.Return(jen.Id("test").Call(jen.True()), jen.Id("test").Call(jen.False())),
	}
	return []jen.Code{originDecl, jen.Add(cmt(doc), jen.Line(), sig.Block(body...))}
}

func (p *planFn) lookup(name string) (pbind, bool) {
	for i := len(p.vars) - 1; i >= 0; i-- {
		if p.vars[i].cel == name {
			return p.vars[i], true
		}
	}
	return pbind{}, false
}

// ground reports whether e is known now: it uses neither the resource nor an element
// of one of its lists.
func (p *planFn) ground(e celast.Expr) bool {
	for _, d := range p.deps[e.ID()] {
		if b, ok := p.lookup(d); ok {
			if b.sym != nil {
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

func (p *planFn) fail(format string, args ...any) error {
	return unplannable(fmt.Sprintf(format, args...))
}

func (p *planFn) isBool(e celast.Expr) bool { return p.typeOf(e).Kind() == types.BoolKind }

func (p *planFn) eval(e celast.Expr) (pval, error) {
	if p.ground(e) {
		if spec.CondType(p.typeOf(e)) == nil {
			return pval{}, p.fail("a known value of type %s", p.typeOf(e))
		}
		v, err := p.operand(e)
		return pval{kind: pKnown, v: v, e: err, t: p.typeOf(e)}, nil
	}
	switch e.Kind() {
	case celast.IdentKind:
		if b, ok := p.lookup(e.AsIdent()); ok && b.sym != nil {
			return pval{kind: pSym, sym: b.sym, ct: b.ct}, nil
		}
		if e.AsIdent() == "resource" {
			return pval{kind: pRes}, nil
		}
	case celast.SelectKind:
		sel := e.AsSelect()
		obj, err := p.eval(sel.Operand())
		if err != nil {
			return pval{}, err
		}
		if obj.kind == pRes && !sel.IsTestOnly() {
			ct := spec.CondType(p.typeOf(e))
			if ct == nil {
				return pval{}, p.fail("attribute %q has a type plans do not support", sel.FieldName())
			}
			return pval{kind: pSym, ct: ct, sym: jen.Op("&").Qual(cq, "Attr").Values(jen.Dict{jen.Id("Name"): jen.Lit(sel.FieldName()), jen.Id("T"): condTypeCode(ct)})}, nil
		}
		return pval{}, p.fail("selecting a field of a resource-dependent value is not supported in plans")
	case celast.CallKind:
		return p.call(e)
	case celast.ListKind:
		out := pval{kind: pList, nodes: e.AsList().Elements()}
		for _, x := range out.nodes {
			v, err := p.eval(x)
			if err != nil {
				return pval{}, err
			}
			out.elems = append(out.elems, v)
		}
		return out, nil
	case celast.ComprehensionKind:
		return p.comprehension(e)
	}
	return pval{}, p.fail("this kind of expression is not supported in plans when it depends on the resource")
}

// pairVars declares the pair (t, f) and returns it.
func (p *planFn) pairVars(t, f jen.Code) pval {
	tv, fv := p.ns.fresh("t"), p.ns.fresh("f")
	p.emit(jen.List(jen.Id(tv), jen.Id(fv)).Op(":=").List(t, f))
	return pval{kind: pPair, tc: jen.Id(tv), fc: jen.Id(fv)}
}

// guarded declares the pair build gives where none of errs is set, and false, false
// (an error) where one is: build's statements run only without errors.
func (p *planFn) guarded(errs []string, build func() (jen.Code, jen.Code)) pval {
	if len(errs) == 0 {
		t, f := build()
		return p.pairVars(t, f)
	}
	tv, fv := p.ns.fresh("t"), p.ns.fresh("f")
	none := jen.Qual(cq, "Cond").Parens(jen.Qual(cq, "False"))
	p.emit(jen.List(jen.Id(tv), jen.Id(fv)).Op(":=").List(none, none))
	var ok *jen.Statement
	for i, e := range errs {
		if i > 0 {
			ok = ok.Op("&&")
		} else {
			ok = jen.Empty()
		}
		ok = ok.Id(e).Op("==").Qual(rt, "OK")
	}
	inner := p.sub(func() {
		t, f := build()
		p.emit(jen.List(jen.Id(tv), jen.Id(fv)).Op("=").List(t, f))
	})
	p.emit(jen.If(ok).Block(inner...))
	return pval{kind: pPair, tc: jen.Id(tv), fc: jen.Id(fv)}
}

// pair returns the conditions under which a boolean partial value is true and false.
func (p *planFn) pair(v pval) (jen.Code, jen.Code, error) {
	switch v.kind {
	case pKnown:
		if v.t.Kind() != types.BoolKind {
			return nil, nil, p.fail("not a boolean")
		}
		if v.e == "" {
			return jen.Qual(cq, "Const").Call(jen.Id(v.v)), jen.Qual(cq, "Const").Call(jen.Op("!").Id(v.v)), nil
		}
		pv := p.guarded([]string{v.e}, func() (jen.Code, jen.Code) {
			return jen.Qual(cq, "Const").Call(jen.Id(v.v)), jen.Qual(cq, "Const").Call(jen.Op("!").Id(v.v))
		})
		return pv.tc, pv.fc, nil
	case pPair:
		return v.tc, v.fc, nil
	case pSym:
		if v.ct.Kind == cond.Bool {
			t := p.ns.fresh("t")
			p.emit(jen.Id(t).Op(":=").Qual(cq, "Cmp").Call(jen.Qual(cq, "Eq"), v.sym, jen.Op("&").Qual(cq, "Lit").Values(jen.Dict{jen.Id("V"): jen.True(), jen.Id("T"): jen.Qual(cq, "BoolType")}), jen.Nil()))
			return jen.Id(t), jen.Qual(cq, "NotOf").Call(jen.Id(t)), nil
		}
	}
	return nil, nil, p.fail("not a boolean")
}

// pairs evaluates the operands of a logical operator.
func (p *planFn) pairs(args []celast.Expr) (ts, fs []jen.Code, err error) {
	for _, a := range args {
		v, err := p.eval(a)
		if err != nil {
			return nil, nil, err
		}
		t, f, err := p.pair(v)
		if err != nil {
			return nil, nil, err
		}
		ts, fs = append(ts, t), append(fs, f)
	}
	return ts, fs, nil
}

// staticType is the condition type of a partial value.
func (p *planFn) staticType(e celast.Expr, v pval) *cond.Type {
	if v.kind == pSym {
		return v.ct
	}
	return spec.CondType(p.typeOf(e))
}

// value converts a partial value to a condition value of type t, with the errors that
// make it fail.
func (p *planFn) value(v pval, t *cond.Type) (jen.Code, []string, error) {
	switch v.kind {
	case pSym:
		if t != nil && !t.Equal(v.ct) {
			return nil, nil, p.fail("comparing %s with %s is not supported in plans", v.ct, t)
		}
		return v.sym, nil, nil
	case pKnown:
		ct := spec.CondType(v.t)
		if ct == nil || t != nil && !t.Equal(ct) {
			return nil, nil, p.fail("comparing %s with %s is not supported in plans", v.t, t)
		}
		var errs []string
		if v.e != "" {
			errs = []string{v.e}
		}
		return jen.Op("&").Qual(cq, "Lit").Values(jen.Dict{jen.Id("V"): p.u.g.condValue(v.t, jen.Id(v.v)), jen.Id("T"): condTypeCode(ct)}), errs, nil
	}
	return nil, nil, p.fail("this resource-dependent value is not supported in plans")
}

// operands converts both sides of a comparison to condition values of one type.
func (p *planFn) operands(args []celast.Expr, vs []pval) (l, r jen.Code, t *cond.Type, errs []string, err error) {
	lt, rt := p.staticType(args[0], vs[0]), p.staticType(args[1], vs[1])
	if lt == nil {
		lt = rt
	}
	if lt == nil || rt != nil && !lt.Equal(rt) {
		return nil, nil, nil, nil, p.fail("comparing %s with %s is not supported in plans", p.typeOf(args[0]), p.typeOf(args[1]))
	}
	l, e1, err := p.value(vs[0], lt)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	r, e2, err := p.value(vs[1], lt)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return l, r, lt, append(e1, e2...), nil
}

// atom declares the pair of a condition that is true or false on every row: t and
// its negation.
func (p *planFn) atom(errs []string, c func() jen.Code) pval {
	return p.guarded(errs, func() (jen.Code, jen.Code) {
		v := p.ns.fresh("c")
		p.emit(jen.Id(v).Op(":=").Add(c()))
		return jen.Id(v), jen.Qual(cq, "NotOf").Call(jen.Id(v))
	})
}

func (p *planFn) call(e celast.Expr) (pval, error) {
	call := e.AsCall()
	fn := call.FunctionName()
	args := call.Args()
	if call.IsMemberFunction() {
		args = append([]celast.Expr{call.Target()}, args...)
	}
	evalArgs := func() ([]pval, error) {
		out := make([]pval, len(args))
		for i, a := range args {
			v, err := p.eval(a)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	switch fn {
	case operators.LogicalAnd, operators.LogicalOr:
		ts, fs, err := p.pairs(args)
		if err != nil {
			return pval{}, err
		}
		and, or := jen.Qual(cq, "AndOf"), jen.Qual(cq, "OrOf")
		if fn == operators.LogicalAnd {
			return p.pairVars(and.Call(ts...), or.Call(fs...)), nil
		}
		return p.pairVars(or.Call(ts...), and.Call(fs...)), nil
	case operators.LogicalNot, operators.NotStrictlyFalse:
		ts, fs, err := p.pairs(args[:1])
		if err != nil {
			return pval{}, err
		}
		if fn == operators.LogicalNot {
			return pval{kind: pPair, tc: fs[0], fc: ts[0]}, nil
		}
		// @not_strictly_false(x) is true unless x is false: errors count as true.
		return p.pairVars(jen.Qual(cq, "NotOf").Call(fs[0]), fs[0]), nil
	case operators.Conditional:
		if !p.isBool(e) {
			return pval{}, p.fail("a conditional that chooses between values by the resource is not supported in plans")
		}
		c, err := p.eval(args[0])
		if err != nil {
			return pval{}, err
		}
		if c.kind == pKnown {
			// Only the branch chosen is evaluated, as in a check.
			var errs []string
			if c.e != "" {
				errs = []string{c.e}
			}
			var ferr error
			out := p.guarded(errs, func() (jen.Code, jen.Code) {
				tv, fv := p.ns.fresh("t"), p.ns.fresh("f")
				branch := func(x celast.Expr) []jen.Code {
					return p.sub(func() {
						v, err := p.eval(x)
						if err == nil {
							var t, f jen.Code
							if t, f, err = p.pair(v); err == nil {
								p.emit(jen.List(jen.Id(tv), jen.Id(fv)).Op("=").List(t, f))
							}
						}
						if ferr == nil {
							ferr = err
						}
					})
				}
				p.emit(jen.Var().List(jen.Id(tv), jen.Id(fv)).Qual(cq, "Cond"))
				p.emit(jen.If(jen.Id(c.v)).Block(branch(args[1])...).Else().Block(branch(args[2])...))
				return jen.Id(tv), jen.Id(fv)
			})
			return out, ferr
		}
		ct, cf, err := p.pair(c)
		if err != nil {
			return pval{}, err
		}
		ts, fs, err := p.pairs(args[1:])
		if err != nil {
			return pval{}, err
		}
		and, or := jen.Qual(cq, "AndOf"), jen.Qual(cq, "OrOf")
		return p.pairVars(or.Clone().Call(and.Clone().Call(ct, ts[0]), and.Clone().Call(cf, ts[1])),
			or.Clone().Call(and.Clone().Call(ct, fs[0]), and.Clone().Call(cf, fs[1]))), nil
	case operators.Equals, operators.NotEquals:
		if p.isBool(args[0]) && p.isBool(args[1]) {
			ts, fs, err := p.pairs(args)
			if err != nil {
				return pval{}, err
			}
			and, or := jen.Qual(cq, "AndOf"), jen.Qual(cq, "OrOf")
			t := or.Clone().Call(and.Clone().Call(ts[0], ts[1]), and.Clone().Call(fs[0], fs[1]))
			f := or.Clone().Call(and.Clone().Call(ts[0], fs[1]), and.Clone().Call(fs[0], ts[1]))
			if fn == operators.NotEquals {
				t, f = f, t
			}
			return p.pairVars(t, f), nil
		}
		vs, err := evalArgs()
		if err != nil {
			return pval{}, err
		}
		l, r, _, errs, err := p.operands(args, vs)
		if err != nil {
			return pval{}, err
		}
		out := p.atom(errs, func() jen.Code { return jen.Qual(cq, "Cmp").Call(jen.Qual(cq, "Eq"), l, r, p.origin) })
		if fn == operators.NotEquals {
			out.tc, out.fc = out.fc, out.tc
		}
		return out, nil
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		vs, err := evalArgs()
		if err != nil {
			return pval{}, err
		}
		l, r, t, errs, err := p.operands(args, vs)
		if err != nil {
			return pval{}, err
		}
		if !t.Ordered() {
			return pval{}, p.fail("values of type %s are not ordered", t)
		}
		op := map[string]string{operators.Less: "Lt", operators.LessEquals: "Le", operators.Greater: "Gt", operators.GreaterEquals: "Ge"}[fn]
		return p.atom(errs, func() jen.Code { return jen.Qual(cq, "Cmp").Call(jen.Qual(cq, op), l, r, p.origin) }), nil
	case operators.In:
		vs, err := evalArgs()
		if err != nil {
			return pval{}, err
		}
		if vs[1].kind == pList {
			// x in [a, b] is x == a || x == b; equality cannot fail on these values.
			if p.isBool(args[0]) {
				return pval{}, p.fail("membership of booleans in a resource-dependent list is not supported in plans")
			}
			var eqs []jen.Code
			var errs []string
			for i, el := range vs[1].elems {
				l, r, _, es, err := p.operands([]celast.Expr{args[0], vs[1].nodes[i]}, []pval{vs[0], el})
				if err != nil {
					return pval{}, err
				}
				errs = append(errs, es...)
				eqs = append(eqs, jen.Qual(cq, "Cmp").Call(jen.Qual(cq, "Eq"), l, r, p.origin))
			}
			return p.atom(dedupe(errs), func() jen.Code { return jen.Qual(cq, "OrOf").Call(eqs...) }), nil
		}
		collT := p.staticType(args[1], vs[1])
		if collT == nil || collT.Kind != cond.List && collT.Kind != cond.Map {
			return pval{}, p.fail("membership in a value of unknown type is not supported in plans")
		}
		elemT := collT.Elem
		if collT.Kind == cond.Map {
			elemT = cond.StringType
		}
		l, e1, err := p.value(vs[0], elemT)
		if err != nil {
			return pval{}, err
		}
		r, e2, err := p.value(vs[1], collT)
		if err != nil {
			return pval{}, err
		}
		return p.atom(append(e1, e2...), func() jen.Code { return jen.Qual(cq, "Member").Call(l, r, p.origin) }), nil
	case overloads.Size:
		if len(args) == 1 {
			v, err := p.eval(args[0])
			if err != nil {
				return pval{}, err
			}
			if v.kind == pSym {
				return pval{kind: pSym, ct: cond.IntType, sym: jen.Op("&").Qual(cq, "Size").Values(jen.Dict{jen.Id("Of"): v.sym})}, nil
			}
		}
	case overloads.StartsWith, overloads.EndsWith, overloads.Contains:
		if len(args) != 2 {
			break
		}
		vs, err := evalArgs()
		if err != nil {
			return pval{}, err
		}
		s, e1, err := p.value(vs[0], cond.StringType)
		if err != nil {
			return pval{}, err
		}
		a, e2, err := p.value(vs[1], cond.StringType)
		if err != nil {
			return pval{}, err
		}
		op := map[string]string{overloads.StartsWith: "StartsWith", overloads.EndsWith: "EndsWith", overloads.Contains: "Contains"}[fn]
		return p.atom(append(e1, e2...), func() jen.Code { return jen.Qual(cq, "StrOp").Call(jen.Qual(cq, op), s, a, p.origin) }), nil
	case overloads.Matches:
		if len(args) != 2 || args[1].Kind() != celast.LiteralKind {
			break
		}
		pat, ok := args[1].AsLiteral().(types.String)
		if !ok {
			break
		}
		v, err := p.eval(args[0])
		if err != nil {
			return pval{}, err
		}
		s, errs, err := p.value(v, cond.StringType)
		if err != nil {
			return pval{}, err
		}
		return p.atom(errs, func() jen.Code { return jen.Qual(cq, "Match").Call(s, jen.Lit(string(pat)), p.origin) }), nil
	}
	return pval{}, p.fail("%s is not supported in plans when it depends on the resource", spec.DescribeFunction(fn))
}

func dedupe(xs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// comprehension plans exists and all, over a resource's list (a quantifier) or over a
// known list or map (one condition per element).
func (p *planFn) comprehension(e celast.Expr) (pval, error) {
	comp := e.AsComprehension()
	init, step := comp.AccuInit(), comp.LoopStep()
	if comp.HasIterVar2() || init.Kind() != celast.LiteralKind || step.Kind() != celast.CallKind ||
		comp.Result().Kind() != celast.IdentKind || comp.Result().AsIdent() != comp.AccuVar() {
		return pval{}, p.fail("only exists() and all() are supported in plans when they depend on the resource")
	}
	sc := step.AsCall()
	initB, ok := init.AsLiteral().(types.Bool)
	if !ok || len(sc.Args()) != 2 || sc.Args()[0].Kind() != celast.IdentKind || sc.Args()[0].AsIdent() != comp.AccuVar() ||
		!(sc.FunctionName() == operators.LogicalOr && !bool(initB) || sc.FunctionName() == operators.LogicalAnd && bool(initB)) {
		return pval{}, p.fail("only exists() and all() are supported in plans when they depend on the resource")
	}
	all := bool(initB)
	pred := sc.Args()[1]
	rng, err := p.eval(comp.IterRange())
	if err != nil {
		return pval{}, err
	}
	name := comp.IterVar()
	switch {
	case rng.kind == pSym && rng.ct.Kind == cond.List:
		v := jen.Op("&").Qual(cq, "Var").Values(jen.Dict{jen.Id("Name"): jen.Lit(name), jen.Id("T"): condTypeCode(rng.ct.Elem)})
		p.vars = append(p.vars, pbind{cel: name, sym: v, ct: rng.ct.Elem})
		body, err := p.eval(pred)
		p.vars = p.vars[:len(p.vars)-1]
		if err != nil {
			return pval{}, err
		}
		t, f, err := p.pair(body)
		if err != nil {
			return pval{}, err
		}
		ex, al := jen.Qual(cq, "Exists"), jen.Qual(cq, "All")
		if all {
			return p.pairVars(al.Call(jen.Lit(name), rng.sym, t, p.origin), ex.Call(jen.Lit(name), rng.sym, f, p.origin)), nil
		}
		return p.pairVars(ex.Call(jen.Lit(name), rng.sym, t, p.origin), al.Call(jen.Lit(name), rng.sym, f, p.origin)), nil
	case rng.kind == pKnown:
		rngT := rng.t
		var over jen.Code
		var elemT *types.Type
		switch {
		case rngT.Kind() == types.ListKind:
			over, elemT = jen.Id(rng.v), rngT.Parameters()[0]
		case rngT.Kind() == types.MapKind && rngT.Parameters()[0].Kind() == types.StringKind:
			over, elemT = jen.Qual(rt, "SortedKeys").Call(jen.Id(rng.v), jen.Nil()), rngT.Parameters()[0]
		default:
			return pval{}, p.fail("exists() and all() over a value of type %s are not supported in plans", rngT)
		}
		var errs []string
		if rng.e != "" {
			errs = []string{rng.e}
		}
		// The loop is the check's, element by element: each iteration is charged to the
		// budget (once that fails, the macro fails), and it stops once the elements so
		// far decide the macro on every resource (exists: true; all: false), as a
		// check's loop stops at the element that decides it.
		var ferr error
		out := p.guarded(errs, func() (jen.Code, jen.Code) {
			tv, fv, failed := p.ns.fresh("t"), p.ns.fresh("f"), p.ns.fresh("e")
			b := &binding{cel: name, goName: userVar(name), t: elemT}
			p.fn.scope = append(p.fn.scope, b)
			p.vars = append(p.vars, pbind{cel: name})
			decided := tv
			if all {
				decided = fv
			}
			body := p.sub(func() {
				p.emit(jen.If(jen.Id(decided).Op("==").Qual(cq, "True")).Block(jen.Break()))
				p.emit(jen.If(jen.Id(failed).Op("=").Id("budget").Dot("Charge").Call(jen.Lit(1)), jen.Id(failed).Op("!=").Qual(rt, "OK")).Block(jen.Break()))
				v, err := p.eval(pred)
				if err == nil {
					var t, f jen.Code
					if t, f, err = p.pair(v); err == nil {
						and, or := jen.Qual(cq, "AndOf"), jen.Qual(cq, "OrOf")
						if all {
							p.emit(jen.List(jen.Id(tv), jen.Id(fv)).Op("=").List(and.Call(jen.Id(tv), t), or.Call(jen.Id(fv), f)))
						} else {
							p.emit(jen.List(jen.Id(tv), jen.Id(fv)).Op("=").List(or.Call(jen.Id(tv), t), and.Call(jen.Id(fv), f)))
						}
					}
				}
				ferr = err
			})
			p.vars = p.vars[:len(p.vars)-1]
			p.fn.scope = p.fn.scope[:len(p.fn.scope)-1]
			start := func(b bool) jen.Code { return jen.Qual(cq, "Cond").Parens(jen.Qual(cq, "Const").Call(jen.Lit(b))) }
			p.emit(jen.List(jen.Id(tv), jen.Id(fv)).Op(":=").List(start(all), start(!all)))
			p.emit(jen.Var().Id(failed).Qual(rt, "Err"))
			if b.used {
				p.emit(jen.For(jen.List(jen.Id("_"), jen.Id(b.goName)).Op(":=").Range().Add(over)).Block(body...))
			} else {
				p.emit(jen.For(jen.Range().Add(over)).Block(body...))
			}
			none := jen.Qual(cq, "False")
			p.emit(jen.If(jen.Id(failed).Op("!=").Qual(rt, "OK")).Block(jen.List(jen.Id(tv), jen.Id(fv)).Op("=").List(none, none.Clone())))
			return jen.Id(tv), jen.Id(fv)
		})
		return out, ferr
	}
	return pval{}, p.fail("this comprehension over a resource-dependent range is not supported in plans")
}

// condTypeCode is the code of the condition type t.
func condTypeCode(t *cond.Type) jen.Code {
	switch t.Kind {
	case cond.List:
		return jen.Qual(cq, "ListOf").Call(condTypeCode(t.Elem))
	case cond.Map:
		return jen.Qual(cq, "MapOf").Call(condTypeCode(t.Elem))
	}
	return jen.Qual(cq, strings.ToUpper(t.String()[:1])+t.String()[1:]+"Type")
}

// condValue converts the Go value v of CEL type t into a condition's value.
func (g *generator) condValue(t *types.Type, v jen.Code) jen.Code {
	var elem *types.Type
	switch t.Kind() {
	case types.ListKind:
		elem = t.Parameters()[0]
	case types.MapKind:
		elem = t.Parameters()[1]
	case types.IntKind:
		// A constant's variable is an int: the condition needs an int64.
		return jen.Int64().Parens(v)
	case types.UintKind:
		return jen.Uint64().Parens(v)
	case types.DoubleKind:
		return jen.Float64().Parens(v)
	default:
		return v
	}
	conv := jen.Nil()
	if k := elem.Kind(); k == types.ListKind || k == types.MapKind {
		conv = jen.Func().Params(jen.Id("x").Add(g.goType(elem))).Any().Block(jen.Return(g.condValue(elem, jen.Id("x"))))
	}
	if t.Kind() == types.ListKind {
		return jen.Qual(cq, "ListValue").Call(v, conv)
	}
	return jen.Qual(cq, "MapValue").Call(v, conv)
}

// typedValue converts the condition value v back into the Go value of CEL type t.
func (g *generator) typedValue(t *types.Type, v jen.Code) jen.Code {
	var elem *types.Type
	fn := "TypedList"
	switch t.Kind() {
	case types.ListKind:
		elem = t.Parameters()[0]
	case types.MapKind:
		elem, fn = t.Parameters()[1], "TypedMap"
	default:
		return jen.Qual(cq, "As").Types(g.goType(t)).Call(v)
	}
	conv := jen.Nil()
	if k := elem.Kind(); k == types.ListKind || k == types.MapKind {
		conv = jen.Func().Params(jen.Id("x").Any()).Add(g.goType(elem)).Block(jen.Return(g.typedValue(elem, jen.Id("x"))))
	}
	return jen.Qual(cq, fn).Types(g.goType(elem)).Call(v, conv)
}
