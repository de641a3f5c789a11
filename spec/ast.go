package spec

import (
	"strings"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
)

// Children returns the operands of a checked expression's node: a selection's object,
// a call's target and arguments, a list's elements, a map's keys and values, a
// comprehension's range, initial value, condition, step and result.
func Children(e celast.Expr) []celast.Expr {
	switch e.Kind() {
	case celast.SelectKind:
		return []celast.Expr{e.AsSelect().Operand()}
	case celast.CallKind:
		call := e.AsCall()
		var out []celast.Expr
		if call.IsMemberFunction() {
			out = append(out, call.Target())
		}
		return append(out, call.Args()...)
	case celast.ListKind:
		return e.AsList().Elements()
	case celast.MapKind:
		var out []celast.Expr
		for _, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			out = append(out, me.Key(), me.Value())
		}
		return out
	case celast.ComprehensionKind:
		comp := e.AsComprehension()
		return []celast.Expr{comp.IterRange(), comp.AccuInit(), comp.LoopCondition(), comp.LoopStep(), comp.Result()}
	}
	return nil
}

// FreeVars returns the free variables of e, the identifiers it reads that no
// comprehension inside it binds, and records those of every node below it in deps,
// by node ID: what a planner needs to tell the parts of an expression it can
// evaluate from the parts that wait for the resource.
func FreeVars(e celast.Expr, deps map[int64][]string) []string {
	var out []string
	add := func(vs []string) {
		for _, v := range vs {
			found := false
			for _, w := range out {
				found = found || w == v
			}
			if !found {
				out = append(out, v)
			}
		}
	}
	switch e.Kind() {
	case celast.IdentKind:
		out = []string{e.AsIdent()}
	case celast.ComprehensionKind:
		comp := e.AsComprehension()
		add(FreeVars(comp.IterRange(), deps))
		add(FreeVars(comp.AccuInit(), deps))
		for _, x := range []celast.Expr{comp.LoopCondition(), comp.LoopStep(), comp.Result()} {
			for _, v := range FreeVars(x, deps) {
				if v != comp.IterVar() && v != comp.AccuVar() && (!comp.HasIterVar2() || v != comp.IterVar2()) {
					add([]string{v})
				}
			}
		}
	default:
		for _, c := range Children(e) {
			add(FreeVars(c, deps))
		}
		if e.Kind() == celast.StructKind {
			for _, f := range e.AsStruct().Fields() {
				add(FreeVars(f.AsStructField().Value(), deps))
			}
		}
	}
	deps[e.ID()] = out
	return out
}

// DescribeFunction names a CEL function or operator for messages: "arithmetic",
// "indexing", "operator _in_", "size()".
func DescribeFunction(fn string) string {
	switch fn {
	case operators.Add, operators.Subtract, operators.Multiply, operators.Divide, operators.Modulo, operators.Negate:
		return "arithmetic"
	case operators.Index:
		return "indexing"
	}
	if strings.HasPrefix(fn, "_") || strings.HasPrefix(fn, "@") {
		return "operator " + fn
	}
	return fn + "()"
}
