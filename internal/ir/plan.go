package ir

import (
	"fmt"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"

	"github.com/permc/permc/spec"
)

// The query plan of an expression: its partial evaluation with everything known but
// the resource, as the generated Go plans do (gen/planexpr.go), decided ahead of time.
// Which subexpressions depend on the resource is known when lowering, so the shape of
// the plan is fixed: a PExpr tree whose leaves are either resource attributes or
// expressions evaluated when planning (PExpr.X, whose values and errors are a check's),
// and whose inner nodes build conditions (package runtime/cond's constructors, which
// simplify as they build). An expression whose plan cannot be a condition tree is one
// PResidual.
//
// A pair-valued node yields the conditions (T, F) under which its subexpression is
// true and false; rows in neither are rows where it fails. A value node yields a
// condition value (an attribute, a quantifier's variable, a size, or a literal made
// from a value computed when planning) and whether computing it failed. An atom whose
// operands failed to compute is (false, false): it fails on every row.

// POp is an operation of a plan tree.
type POp uint8

// The operations of a plan tree. Unless said otherwise, children are evaluated in
// order, and an atom is (false, false) when a value child failed.
const (
	// PResidual is the whole expression, which plans cannot express as a tree: the
	// pair (residual wanting true, residual wanting false), from Func's Source, Pos and
	// What and this node's Why.
	PResidual POp = iota + 1
	// PConst: X, a bool computed when planning, as (Const(x), Const(!x)); (false,
	// false) when X fails.
	PConst
	// PSymBool: the bool value Args[0] as (Cmp(==, v, true), Not of that).
	PSymBool
	// PAnd, POr: (AndOf(Ts), OrOf(Fs)) and (OrOf(Ts), AndOf(Fs)) of the pairs Args.
	PAnd
	POr
	// PNot: Args[0]'s pair swapped. PNotStrictlyFalse: (NotOf(F), F) of Args[0].
	PNot
	PNotStrictlyFalse
	// PCondKnown: X ? Args[0] : Args[1] with X, a bool computed when planning; only the
	// branch chosen is planned; (false, false) when X fails.
	PCondKnown
	// PCondSym: Args[0] ? Args[1] : Args[2], all pairs: (Or(And(Tc, Ta), And(Fc, Tb)),
	// Or(And(Tc, Fa), And(Fc, Fb))).
	PCondSym
	// PBoolEq: Args[0] == Args[1] on pairs: (Or(And(Ta, Tb), And(Fa, Fb)),
	// Or(And(Ta, Fb), And(Fa, Tb))); Neg swaps them (!=).
	PBoolEq
	// PCmp: the atom Cmp(Cmp, Args[0], Args[1]) as (c, NotOf(c)); Neg swaps them (!=).
	PCmp
	// PInList: Args[0] in the list literal Args[1:]: the atom OrOf(Cmp(==, Args[0],
	// Args[i])...).
	PInList
	// PMember: the atom Member(Args[0], Args[1]).
	PMember
	// PStrOp: the atom StrOp(Str, Args[0], Args[1]).
	PStrOp
	// PMatch: the atom Match(Args[0], Pattern).
	PMatch
	// PQuant: a quantifier over the resource's list Args[0] with variable Name and the
	// predicate's pair Args[1]: exists is (Exists(T), All(F)), all (All(T), Exists(F)).
	PQuant
	// PUnroll: a macro over X, a list or a map with string keys computed when planning
	// (its keys in sorted order), binding each element to local Slot and planning the
	// predicate Args[0] for it, element by element as a check's loop runs: starting
	// from (false, true) for exists and (true, false) for all, each element's pair
	// folds in, exists as (OrOf(T, Ti), AndOf(F, Fi)) and all as (AndOf(T, Ti), OrOf(F,
	// Fi)); the loop stops before an element once exists' T (all's F) is true, and each
	// element it starts is charged one step of the evaluation budget, a failed charge
	// making the whole (false, false). (false, false) when X fails.
	PUnroll

	// Value nodes.

	// VAttr: the resource's attribute Name, of condition type CType.
	VAttr
	// VVar: the quantifier variable Name.
	VVar
	// VSize: the size of Args[0].
	VSize
	// VLit: the literal of X, computed when planning, of condition type CType; it fails
	// when X fails.
	VLit
)

var pOpNames = [...]string{"", "residual", "const", "sym_bool", "and", "or", "not", "not_strictly_false", "cond_known",
	"cond_sym", "bool_eq", "cmp", "in_list", "member", "str_op", "match", "quant", "unroll", "attr", "var", "size", "lit"}

func (o POp) String() string {
	if int(o) < len(pOpNames) {
		return pOpNames[o]
	}
	return "invalid"
}

// CmpOp is a comparison of a plan's atom.
type CmpOp uint8

// The comparisons, as package runtime/cond names them.
const (
	CmpEq CmpOp = iota + 1
	CmpLt
	CmpLe
	CmpGt
	CmpGe
)

// StrFn is a string test of a plan's atom.
type StrFn uint8

// The string tests.
const (
	StrStartsWith StrFn = iota + 1
	StrEndsWith
	StrContains
)

// PExpr is one node of a plan tree.
type PExpr struct {
	Op   POp
	Args []*PExpr
	// X is the expression computed when planning, for PConst, PCondKnown, PUnroll and
	// VLit.
	X *Expr
	// CType is the condition type of a value node (nil for a pair node).
	CType *Type
	// Name is VAttr's attribute, VVar's and PQuant's variable; Pattern is PMatch's
	// regular expression; Why is PResidual's reason.
	Name, Pattern, Why string
	Cmp                CmpOp
	Str                StrFn
	All, Neg           bool
	// Slot is the local PUnroll binds.
	Slot int
}

// unplannable says why an expression cannot be a condition tree.
type unplannable string

func (u unplannable) Error() string { return string(u) }

func failf(format string, args ...any) error { return unplannable(fmt.Sprintf(format, args...)) }

// pkind is what a partially evaluated subexpression is while lowering its plan.
type pkind uint8

const (
	pKnown pkind = iota // computed when planning: x
	pPair               // a boolean known as a pair: node
	pSym                // a value of the resource: node, of condition type ct
	pRes                // the resource itself
	pList               // a list literal with resource-dependent elements
)

type pval struct {
	kind  pkind
	x     *Expr // pKnown
	celT  *types.Type
	node  *PExpr // pPair, pSym
	ct    *Type  // pSym
	elems []pval // pList
	nodes []celast.Expr
}

// planner lowers the plan of one expression.
type planner struct {
	e    *exprLowerer
	deps map[int64][]string
	// vars are the macro variables in scope: symbolic (an element of a resource's
	// list, sym set) or known (bound to a local by an unrolled macro).
	vars []planVar
}

type planVar struct {
	name string
	sym  bool
	ct   *Type
}

// plan lowers the plan of the expression n of f.
func (e *exprLowerer) plan(n celast.Expr, f *Func) *PExpr {
	if f.Const {
		return &PExpr{Op: PConst, X: f.Body}
	}
	// Plans lower the expression again, with fresh locals after the check's.
	saved := e.vars
	e.vars = nil
	defer func() { e.vars = saved }()
	p := &planner{e: e, deps: map[int64][]string{}}
	spec.FreeVars(n, p.deps)
	v, err := p.eval(n)
	var out *PExpr
	if err == nil {
		out, err = p.pair(v)
	}
	if err != nil {
		if _, ok := err.(unplannable); !ok {
			e.l.errs = append(e.l.errs, err)
		}
		return &PExpr{Op: PResidual, Why: err.Error()}
	}
	f.Locals = e.locals
	return out
}

func (p *planner) lookup(name string) (planVar, bool) {
	for i := len(p.vars) - 1; i >= 0; i-- {
		if p.vars[i].name == name {
			return p.vars[i], true
		}
	}
	return planVar{}, false
}

// ground reports whether n is known when planning: it uses neither the resource nor
// an element of one of its lists.
func (p *planner) ground(n celast.Expr) bool {
	for _, d := range p.deps[n.ID()] {
		if v, ok := p.lookup(d); ok {
			if v.sym {
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

func (p *planner) celType(n celast.Expr) *types.Type { return p.e.celType(n) }

func (p *planner) isBool(n celast.Expr) bool { return p.celType(n).Kind() == types.BoolKind }

// condType is the condition type of a checked CEL type, or nil when plans have none
// for it (spec.CondType).
func condType(t *types.Type) *Type {
	ct := spec.CondType(t)
	if ct == nil {
		return nil
	}
	return typeOf(t)
}

// known lowers a ground subexpression for evaluation when planning, with the unrolled
// macros' variables bound to their locals.
func (p *planner) known(n celast.Expr) *Expr {
	return p.e.lower(n)
}

func (p *planner) eval(n celast.Expr) (pval, error) {
	if p.ground(n) {
		if condType(p.celType(n)) == nil {
			return pval{}, failf("a known value of type %s", p.celType(n))
		}
		return pval{kind: pKnown, x: p.known(n), celT: p.celType(n)}, nil
	}
	switch n.Kind() {
	case celast.IdentKind:
		if v, ok := p.lookup(n.AsIdent()); ok && v.sym {
			return pval{kind: pSym, node: &PExpr{Op: VVar, Name: v.name, CType: v.ct}, ct: v.ct}, nil
		}
		if n.AsIdent() == "resource" {
			return pval{kind: pRes}, nil
		}
	case celast.SelectKind:
		sel := n.AsSelect()
		obj, err := p.eval(sel.Operand())
		if err != nil {
			return pval{}, err
		}
		if obj.kind == pRes && !sel.IsTestOnly() {
			ct := condType(p.celType(n))
			if ct == nil {
				return pval{}, failf("attribute %q has a type plans do not support", sel.FieldName())
			}
			return pval{kind: pSym, ct: ct, node: &PExpr{Op: VAttr, Name: sel.FieldName(), CType: ct}}, nil
		}
		return pval{}, failf("selecting a field of a resource-dependent value is not supported in plans")
	case celast.CallKind:
		return p.call(n)
	case celast.ListKind:
		out := pval{kind: pList, nodes: n.AsList().Elements()}
		for _, x := range out.nodes {
			v, err := p.eval(x)
			if err != nil {
				return pval{}, err
			}
			out.elems = append(out.elems, v)
		}
		return out, nil
	case celast.ComprehensionKind:
		return p.comprehension(n)
	}
	return pval{}, failf("this kind of expression is not supported in plans when it depends on the resource")
}

// pair returns the pair node of a boolean partial value.
func (p *planner) pair(v pval) (*PExpr, error) {
	switch v.kind {
	case pKnown:
		if v.x.Type.Kind != Bool {
			return nil, failf("not a boolean")
		}
		return &PExpr{Op: PConst, X: v.x}, nil
	case pPair:
		return v.node, nil
	case pSym:
		if v.ct.Kind == Bool {
			return &PExpr{Op: PSymBool, Args: []*PExpr{v.node}}, nil
		}
	}
	return nil, failf("not a boolean")
}

func (p *planner) pairs(args []celast.Expr) ([]*PExpr, error) {
	var out []*PExpr
	for _, a := range args {
		v, err := p.eval(a)
		if err != nil {
			return nil, err
		}
		pr, err := p.pair(v)
		if err != nil {
			return nil, err
		}
		out = append(out, pr)
	}
	return out, nil
}

func pairOf(op POp, args ...*PExpr) pval {
	return pval{kind: pPair, node: &PExpr{Op: op, Args: args}}
}

// staticType is the condition type of a partial value.
func (p *planner) staticType(n celast.Expr, v pval) *Type {
	if v.kind == pSym {
		return v.ct
	}
	return condType(p.celType(n))
}

// value converts a partial value to a condition value of type t.
func (p *planner) value(v pval, t *Type) (*PExpr, error) {
	switch v.kind {
	case pSym:
		if t != nil && !t.Equal(v.ct) {
			return nil, failf("comparing %s with %s is not supported in plans", condString(v.ct), condString(t))
		}
		return v.node, nil
	case pKnown:
		ct := condTypeOf(v.x.Type)
		if ct == nil || t != nil && !t.Equal(ct) {
			return nil, failf("comparing %s with %s is not supported in plans", v.celT, condString(t))
		}
		return &PExpr{Op: VLit, X: v.x, CType: ct}, nil
	}
	return nil, failf("this resource-dependent value is not supported in plans")
}

// condTypeOf is the condition type of a Type, nil when plans have none for it.
func condTypeOf(t *Type) *Type {
	switch t.Kind {
	case Dyn:
		return nil
	case List:
		if condTypeOf(t.Elem) == nil {
			return nil
		}
	case Map:
		if t.Key.Kind != String || condTypeOf(t.Elem) == nil {
			return nil
		}
	}
	return t
}

// condString renders a condition type as package cond does (nil is dyn).
func condString(t *Type) string {
	if t == nil {
		return "dyn"
	}
	if t.Kind == Map {
		return "map(string, " + condString(t.Elem) + ")"
	}
	if t.Kind == List {
		return "list(" + condString(t.Elem) + ")"
	}
	return t.Kind.String()
}

// operands converts both sides of a comparison to condition values of one type.
func (p *planner) operands(args []celast.Expr, vs []pval) (l, r *PExpr, t *Type, err error) {
	lt, rt := p.staticType(args[0], vs[0]), p.staticType(args[1], vs[1])
	if lt == nil {
		lt = rt
	}
	if lt == nil || rt != nil && !lt.Equal(rt) {
		return nil, nil, nil, failf("comparing %s with %s is not supported in plans", p.celType(args[0]), p.celType(args[1]))
	}
	if l, err = p.value(vs[0], lt); err != nil {
		return nil, nil, nil, err
	}
	if r, err = p.value(vs[1], lt); err != nil {
		return nil, nil, nil, err
	}
	return l, r, lt, nil
}

var cmpOps = map[string]CmpOp{operators.Less: CmpLt, operators.LessEquals: CmpLe, operators.Greater: CmpGt, operators.GreaterEquals: CmpGe}

var strFns = map[string]StrFn{overloads.StartsWith: StrStartsWith, overloads.EndsWith: StrEndsWith, overloads.Contains: StrContains}

func (p *planner) call(n celast.Expr) (pval, error) {
	call := n.AsCall()
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
		prs, err := p.pairs(args)
		if err != nil {
			return pval{}, err
		}
		if fn == operators.LogicalAnd {
			return pairOf(PAnd, prs...), nil
		}
		return pairOf(POr, prs...), nil
	case operators.LogicalNot, operators.NotStrictlyFalse:
		prs, err := p.pairs(args[:1])
		if err != nil {
			return pval{}, err
		}
		if fn == operators.LogicalNot {
			return pairOf(PNot, prs[0]), nil
		}
		return pairOf(PNotStrictlyFalse, prs[0]), nil
	case operators.Conditional:
		if !p.isBool(n) {
			return pval{}, failf("a conditional that chooses between values by the resource is not supported in plans")
		}
		c, err := p.eval(args[0])
		if err != nil {
			return pval{}, err
		}
		if c.kind == pKnown {
			prs, err := p.pairs(args[1:])
			if err != nil {
				return pval{}, err
			}
			out := pairOf(PCondKnown, prs...)
			out.node.X = c.x
			return out, nil
		}
		cp, err := p.pair(c)
		if err != nil {
			return pval{}, err
		}
		prs, err := p.pairs(args[1:])
		if err != nil {
			return pval{}, err
		}
		return pairOf(PCondSym, cp, prs[0], prs[1]), nil
	case operators.Equals, operators.NotEquals:
		if p.isBool(args[0]) && p.isBool(args[1]) {
			prs, err := p.pairs(args)
			if err != nil {
				return pval{}, err
			}
			out := pairOf(PBoolEq, prs...)
			out.node.Neg = fn == operators.NotEquals
			return out, nil
		}
		vs, err := evalArgs()
		if err != nil {
			return pval{}, err
		}
		l, r, _, err := p.operands(args, vs)
		if err != nil {
			return pval{}, err
		}
		out := pairOf(PCmp, l, r)
		out.node.Cmp, out.node.Neg = CmpEq, fn == operators.NotEquals
		return out, nil
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		vs, err := evalArgs()
		if err != nil {
			return pval{}, err
		}
		l, r, t, err := p.operands(args, vs)
		if err != nil {
			return pval{}, err
		}
		if !ordered(t) {
			return pval{}, failf("values of type %s are not ordered", condString(t))
		}
		out := pairOf(PCmp, l, r)
		out.node.Cmp = cmpOps[fn]
		return out, nil
	case operators.In:
		vs, err := evalArgs()
		if err != nil {
			return pval{}, err
		}
		if vs[1].kind == pList {
			// x in [a, b] is x == a || x == b; equality cannot fail on these values.
			if p.isBool(args[0]) {
				return pval{}, failf("membership of booleans in a resource-dependent list is not supported in plans")
			}
			if len(vs[1].elems) == 0 {
				// No element can match.
				return pval{kind: pPair, node: &PExpr{Op: PConst, X: &Expr{Op: OpConst, Type: BoolType, Value: false}}}, nil
			}
			out := &PExpr{Op: PInList}
			for i, el := range vs[1].elems {
				l, r, _, err := p.operands([]celast.Expr{args[0], vs[1].nodes[i]}, []pval{vs[0], el})
				if err != nil {
					return pval{}, err
				}
				if i == 0 {
					out.Args = append(out.Args, l)
				}
				out.Args = append(out.Args, r)
			}
			return pval{kind: pPair, node: out}, nil
		}
		collT := p.staticType(args[1], vs[1])
		if collT == nil || collT.Kind != List && collT.Kind != Map {
			return pval{}, failf("membership in a value of unknown type is not supported in plans")
		}
		elemT := collT.Elem
		if collT.Kind == Map {
			elemT = StringType
		}
		l, err := p.value(vs[0], elemT)
		if err != nil {
			return pval{}, err
		}
		r, err := p.value(vs[1], collT)
		if err != nil {
			return pval{}, err
		}
		return pairOf(PMember, l, r), nil
	case overloads.Size:
		if len(args) == 1 {
			v, err := p.eval(args[0])
			if err != nil {
				return pval{}, err
			}
			if v.kind == pSym {
				return pval{kind: pSym, ct: IntType, node: &PExpr{Op: VSize, Args: []*PExpr{v.node}, CType: IntType}}, nil
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
		s, err := p.value(vs[0], StringType)
		if err != nil {
			return pval{}, err
		}
		a, err := p.value(vs[1], StringType)
		if err != nil {
			return pval{}, err
		}
		out := pairOf(PStrOp, s, a)
		out.node.Str = strFns[fn]
		return out, nil
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
		s, err := p.value(v, StringType)
		if err != nil {
			return pval{}, err
		}
		out := pairOf(PMatch, s)
		out.node.Pattern = string(pat)
		return out, nil
	}
	return pval{}, failf("%s is not supported in plans when it depends on the resource", spec.DescribeFunction(fn))
}

// comprehension plans exists and all, over a resource's list (a quantifier) or over a
// known list or map (one condition per element).
func (p *planner) comprehension(n celast.Expr) (pval, error) {
	comp := n.AsComprehension()
	init, step := comp.AccuInit(), comp.LoopStep()
	if comp.HasIterVar2() || init.Kind() != celast.LiteralKind || step.Kind() != celast.CallKind ||
		comp.Result().Kind() != celast.IdentKind || comp.Result().AsIdent() != comp.AccuVar() {
		return pval{}, failf("only exists() and all() are supported in plans when they depend on the resource")
	}
	sc := step.AsCall()
	initB, ok := init.AsLiteral().(types.Bool)
	if !ok || len(sc.Args()) != 2 || sc.Args()[0].Kind() != celast.IdentKind || sc.Args()[0].AsIdent() != comp.AccuVar() ||
		!(sc.FunctionName() == operators.LogicalOr && !bool(initB) || sc.FunctionName() == operators.LogicalAnd && bool(initB)) {
		return pval{}, failf("only exists() and all() are supported in plans when they depend on the resource")
	}
	all := bool(initB)
	pred := sc.Args()[1]
	rng, err := p.eval(comp.IterRange())
	if err != nil {
		return pval{}, err
	}
	name := comp.IterVar()
	switch {
	case rng.kind == pSym && rng.ct.Kind == List:
		p.vars = append(p.vars, planVar{name: name, sym: true, ct: rng.ct.Elem})
		body, err := p.eval(pred)
		p.vars = p.vars[:len(p.vars)-1]
		if err != nil {
			return pval{}, err
		}
		pr, err := p.pair(body)
		if err != nil {
			return pval{}, err
		}
		out := pairOf(PQuant, rng.node, pr)
		out.node.Name, out.node.All = name, all
		return out, nil
	case rng.kind == pKnown:
		t := rng.x.Type
		var elem *Type
		switch {
		case t.Kind == List:
			elem = t.Elem
		case t.Kind == Map && t.Key.Kind == String:
			elem = t.Key
		default:
			return pval{}, failf("exists() and all() over a value of type %s are not supported in plans", p.celType(comp.IterRange()))
		}
		slot := p.e.locals
		p.e.locals++
		p.vars = append(p.vars, planVar{name: name})
		p.e.vars = append(p.e.vars, localVar{name: name, slot: slot, t: elem})
		body, err := p.eval(pred)
		var pr *PExpr
		if err == nil {
			pr, err = p.pair(body)
		}
		p.e.vars = p.e.vars[:len(p.e.vars)-1]
		p.vars = p.vars[:len(p.vars)-1]
		if err != nil {
			return pval{}, err
		}
		out := pairOf(PUnroll, pr)
		out.node.X, out.node.Slot, out.node.All = rng.x, slot, all
		return out, nil
	}
	return pval{}, failf("this comprehension over a resource-dependent range is not supported in plans")
}
