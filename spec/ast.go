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
