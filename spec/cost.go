package spec

import (
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"
)

// The evaluation budget's cost model (see runtime.Budget), shared by every backend:
// which nodes of a checked expression charge steps, and how many.

// Macro is a comprehension as the macro that wrote it: exists, all, exists_one, map or
// filter (a map with a predicate is a "map" with a Pred).
type Macro struct {
	Name string
	// Pred is the predicate of exists, all, exists_one, filter and a three-argument
	// map; nil for a two-argument map.
	Pred celast.Expr
	// Transform is a map's transform, and a filter's element (its variable).
	Transform celast.Expr
}

// MacroOf tells which macro the comprehension e is, from the shape of its expansion
// (cel-go's parser/macro.go): exists and all start from false and true and step with
// || and &&, exists_one counts from 0, map and filter build a list.
func MacroOf(e celast.Expr) (Macro, bool) {
	if e.Kind() != celast.ComprehensionKind {
		return Macro{}, false
	}
	comp := e.AsComprehension()
	step, init := comp.LoopStep(), comp.AccuInit()
	if step.Kind() != celast.CallKind || comp.HasIterVar2() {
		return Macro{}, false
	}
	call := step.AsCall()
	args := call.Args()
	lit := func(v any) bool { return init.Kind() == celast.LiteralKind && init.AsLiteral() == v }
	single := func(x celast.Expr) celast.Expr {
		if x.Kind() == celast.ListKind && len(x.AsList().Elements()) == 1 {
			return x.AsList().Elements()[0]
		}
		return nil
	}
	switch fn := call.FunctionName(); {
	case lit(types.True) && fn == operators.LogicalAnd && len(args) == 2:
		return Macro{Name: "all", Pred: args[1]}, true
	case lit(types.False) && fn == operators.LogicalOr && len(args) == 2:
		return Macro{Name: "exists", Pred: args[1]}, true
	case lit(types.IntZero) && fn == operators.Conditional && len(args) == 3:
		return Macro{Name: "exists_one", Pred: args[0]}, true
	case init.Kind() == celast.ListKind && fn == operators.Add && len(args) == 2:
		if t := single(args[1]); t != nil {
			return Macro{Name: "map", Transform: t}, true
		}
	case init.Kind() == celast.ListKind && fn == operators.Conditional && len(args) == 3 && args[1].Kind() == celast.CallKind:
		add := args[1].AsCall().Args()
		if len(add) != 2 {
			break
		}
		t := single(add[1])
		if t == nil {
			break
		}
		name := "map"
		if t.Kind() == celast.IdentKind && t.AsIdent() == comp.IterVar() {
			name = "filter"
		}
		return Macro{Name: name, Pred: args[0], Transform: t}, true
	}
	return Macro{}, false
}

// Parts returns the subexpressions of the macro a spec's author wrote: its range, its
// predicate and its transform. The rest of the expansion is the macro's own machinery,
// which charges nothing.
func (m Macro) Parts(e celast.Expr) []celast.Expr {
	out := []celast.Expr{e.AsComprehension().IterRange()}
	if m.Pred != nil {
		out = append(out, m.Pred)
	}
	if m.Transform != nil {
		out = append(out, m.Transform)
	}
	return out
}

// StopsAtError reports whether the macro stops at the first element whose predicate or
// transform fails, failing with that error (exists_one, map, filter), rather than going
// on to an element that decides it (exists, all).
func (m Macro) StopsAtError() bool { return m.Name != "exists" && m.Name != "all" }

// Charge is what evaluating a call costs from the budget once its operands are known.
type Charge uint8

// The kinds of charge.
const (
	NoCharge Charge = iota
	// ChargeInList: x in L, L a list: size(L).
	ChargeInList
	// ChargeLeftSize: == and != on lists and maps: the size of the left operand.
	ChargeLeftSize
	// ChargeSizes: + on lists: the sum of the operands' sizes.
	ChargeSizes
	// ChargeText: an operation on strings or bytes: the sum of the operands' lengths
	// in bytes, divided by 64.
	ChargeText
)

// ChargeOf returns the charge of the node e (NoCharge for anything but the calls that
// charge), given the checked type of each node. A comprehension charges 1 per
// iteration, besides.
func ChargeOf(e celast.Expr, typeOf func(celast.Expr) *types.Type) Charge {
	if e.Kind() != celast.CallKind {
		return NoCharge
	}
	call := e.AsCall()
	args := call.Args()
	if call.IsMemberFunction() {
		args = append([]celast.Expr{call.Target()}, args...)
	}
	if len(args) == 0 {
		return NoCharge
	}
	kind := func(x celast.Expr) types.Kind {
		if t := typeOf(x); t != nil {
			return t.Kind()
		}
		return types.DynKind
	}
	text := func(k types.Kind) bool { return k == types.StringKind || k == types.BytesKind }
	switch call.FunctionName() {
	case operators.In:
		if len(args) == 2 && kind(args[1]) == types.ListKind {
			return ChargeInList
		}
	case operators.Equals, operators.NotEquals:
		switch k := kind(args[0]); {
		case k == types.ListKind || k == types.MapKind:
			return ChargeLeftSize
		case text(k):
			return ChargeText
		}
	case operators.Add:
		switch k := kind(args[0]); {
		case k == types.ListKind:
			return ChargeSizes
		case text(k):
			return ChargeText
		}
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		if text(kind(args[0])) {
			return ChargeText
		}
	case overloads.Contains, overloads.StartsWith, overloads.EndsWith, overloads.Matches, overloads.Size:
		if text(kind(args[0])) {
			return ChargeText
		}
	}
	return NoCharge
}

// VisitCharged calls fn for every node of e that a spec's author wrote, a node before
// its operands, skipping the machinery of macro expansions; fn gets the macro of each
// comprehension.
func VisitCharged(e celast.Expr, fn func(e celast.Expr, m *Macro)) {
	if m, ok := MacroOf(e); ok {
		fn(e, &m)
		for _, p := range m.Parts(e) {
			VisitCharged(p, fn)
		}
		return
	}
	fn(e, nil)
	for _, c := range Children(e) {
		VisitCharged(c, fn)
	}
}
