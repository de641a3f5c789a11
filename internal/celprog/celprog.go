// Package celprog plans the cel-go programs of the reference evaluator (package eval)
// and of the query planner (package plan) as permc's semantics need them, where they
// differ from cel-go's own:
//
//   - every macro iterates a map's keys in sorted order;
//   - exists_one, map and filter stop at their first failing element;
//   - evaluation charges its steps to the check's budget (runtime.Budget), and an
//     operation whose charge fails evaluates to the budget's error.
//
// A program finds the budget under the name BudgetVar in its activation.
package celprog

import (
	"fmt"
	"sort"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/interpreter"

	"github.com/permc/permc/runtime"
	"github.com/permc/permc/spec"
)

// BudgetVar is the name under which an activation gives programs the check's
// *runtime.Budget. It is not a CEL identifier, so no expression can name it.
const BudgetVar = "@budget"

// Options returns the options every program of the checked expression a (or of one of
// its subexpressions) is planned with.
func Options(a *celast.AST) []cel.ProgramOption {
	typeOf := func(e celast.Expr) *types.Type { return a.GetType(e.ID()) }
	ranges := map[int64]bool{}
	steps := map[int64]*loopInfo{}
	charges := map[int64]spec.Charge{}
	spec.VisitCharged(a.Expr(), func(e celast.Expr, m *spec.Macro) {
		if m != nil {
			comp := e.AsComprehension()
			ranges[comp.IterRange().ID()] = true
			steps[comp.LoopStep().ID()] = &loopInfo{accu: comp.AccuVar(), stopAtError: m.StopsAtError()}
			return
		}
		if c := spec.ChargeOf(e, typeOf); c != spec.NoCharge {
			charges[e.ID()] = c
		}
	})
	return []cel.ProgramOption{cel.CustomDecoratorV2(func(i interpreter.InterpretableV2) (interpreter.InterpretableV2, error) {
		id := i.ID()
		if c, ok := charges[id]; ok {
			call, ok := i.(interpreter.InterpretableCall)
			if _, attr := i.(interpreter.InterpretableAttribute); !ok && attr {
				// Indexing a computed value makes an attribute of it, under the
				// value's own id: the call inside is already charged.
				return i, nil
			}
			if !ok {
				return nil, fmt.Errorf("celprog: expression %d charges the budget but is planned as %T", id, i)
			}
			op := opOf(call.Function())
			if op == nil {
				return nil, fmt.Errorf("celprog: no charged operation %s", call.Function())
			}
			i = &charged{id: id, args: call.Args(), charge: c, op: op}
		}
		if info := steps[id]; info != nil {
			i = wrap(i, info.exec)
		}
		if ranges[id] {
			i = wrap(i, sortRange)
		}
		return i, nil
	})}
}

// wrap returns i with exec evaluating it instead of i.Exec. An attribute stays an
// attribute: the planner extends attributes after decorating them, and decorates
// several nodes under one id (an index and the attribute it makes of its operand).
func wrap(i interpreter.InterpretableV2, exec func(frame *interpreter.ExecutionFrame, i interpreter.InterpretableV2) ref.Val) interpreter.InterpretableV2 {
	if a, ok := i.(interpreter.InterpretableAttribute); ok {
		return &wrappedAttr{InterpretableAttribute: a, exec: exec}
	}
	return &wrapped{InterpretableV2: i, exec: exec}
}

type wrapped struct {
	interpreter.InterpretableV2
	exec func(*interpreter.ExecutionFrame, interpreter.InterpretableV2) ref.Val
}

func (w *wrapped) Exec(frame *interpreter.ExecutionFrame) ref.Val {
	return w.exec(frame, w.InterpretableV2)
}

func (w *wrapped) Eval(act interpreter.Activation) ref.Val {
	return interpreter.EvalActivation(act, w.Exec)
}

type wrappedAttr struct {
	interpreter.InterpretableAttribute
	exec func(*interpreter.ExecutionFrame, interpreter.InterpretableV2) ref.Val
}

func (w *wrappedAttr) Exec(frame *interpreter.ExecutionFrame) ref.Val {
	return w.exec(frame, w.InterpretableAttribute)
}

func (w *wrappedAttr) Eval(act interpreter.Activation) ref.Val {
	return interpreter.EvalActivation(act, w.Exec)
}

// budgetOf returns the budget of the evaluation frame belongs to.
func budgetOf(frame *interpreter.ExecutionFrame) *runtime.Budget {
	if v, ok := frame.ResolveName(BudgetVar); ok {
		if b, ok := v.(*runtime.Budget); ok {
			return b
		}
	}
	return nil
}

// errNoBudget fails an evaluation that was given no budget: a bug, which fails closed.
var errNoBudget = types.NewErr("no evaluation budget")

// charge charges n steps to frame's budget, and returns the budget's error when that
// fails.
func charge(frame *interpreter.ExecutionFrame, n int) ref.Val {
	b := budgetOf(frame)
	if b == nil {
		return errNoBudget
	}
	if b.Charge(n) != runtime.OK {
		return types.NewErr("%s", b.Message())
	}
	return nil
}

// loopInfo is what the loop step of one comprehension needs to know.
type loopInfo struct {
	accu        string
	stopAtError bool
}

// exec runs the step of the comprehension's loop, once per element that the loop
// condition lets through: it charges the iteration, and for the macros that stop at
// an error, does nothing once the accumulator is one.
func (s *loopInfo) exec(frame *interpreter.ExecutionFrame, step interpreter.InterpretableV2) ref.Val {
	if s.stopAtError {
		if v, ok := frame.ResolveName(s.accu); ok {
			if acc, ok := v.(ref.Val); ok && types.IsError(acc) {
				return acc
			}
		}
	}
	if err := charge(frame, 1); err != nil {
		return err
	}
	return step.Exec(frame)
}

// charged is an operation that charges the budget: it evaluates its operands in order
// (the first that fails is the result, and the rest are not evaluated, as everywhere in
// cel-go), charges what they cost, and then applies cel-go's implementation of the
// operation.
type charged struct {
	id     int64
	args   []interpreter.InterpretableV2
	charge spec.Charge
	op     func(args []ref.Val) ref.Val
}

func (c *charged) ID() int64 { return c.id }

func (c *charged) Exec(frame *interpreter.ExecutionFrame) ref.Val {
	var buf [2]ref.Val
	vals := buf[:0]
	for _, a := range c.args {
		v := a.Exec(frame)
		if types.IsError(v) {
			return v
		}
		vals = append(vals, v)
	}
	if err := charge(frame, cost(c.charge, vals)); err != nil {
		return err
	}
	return c.op(vals)
}

func (c *charged) Eval(act interpreter.Activation) ref.Val {
	return interpreter.EvalActivation(act, c.Exec)
}

// cost returns the steps an operation of charge c on vals takes.
func cost(c spec.Charge, vals []ref.Val) int {
	size := func(v ref.Val) int {
		if s, ok := v.(traits.Sizer); ok {
			if n, ok := s.Size().(types.Int); ok {
				return int(n)
			}
		}
		return 0
	}
	switch c {
	case spec.ChargeInList:
		return size(vals[len(vals)-1])
	case spec.ChargeLeftSize:
		return size(vals[0])
	case spec.ChargeSizes:
		return size(vals[0]) + size(vals[1])
	case spec.ChargeText:
		n := 0
		for _, v := range vals {
			switch x := v.(type) {
			case types.String:
				n += len(x)
			case types.Bytes:
				n += len(x)
			}
		}
		return n >> 6
	}
	return 0
}

var errOverload = types.NewErr("no such overload")

// opOf returns cel-go's implementation of the charged operation fn, on operand values.
func opOf(fn string) func(args []ref.Val) ref.Val {
	binary := func(op func(a, b ref.Val) ref.Val) func(args []ref.Val) ref.Val {
		return func(args []ref.Val) ref.Val {
			if len(args) != 2 {
				return errOverload
			}
			return op(args[0], args[1])
		}
	}
	compare := func(want ...types.Int) func(args []ref.Val) ref.Val {
		return binary(func(a, b ref.Val) ref.Val {
			x, ok := a.(traits.Comparer)
			if !ok {
				return errOverload
			}
			cmp := x.Compare(b)
			if types.IsError(cmp) {
				return cmp
			}
			for _, w := range want {
				if cmp == w {
					return types.True
				}
			}
			return types.False
		})
	}
	switch fn {
	case operators.Equals:
		return binary(types.Equal)
	case operators.NotEquals:
		return binary(func(a, b ref.Val) ref.Val { return types.Bool(types.Equal(a, b) != types.True) })
	case operators.Less:
		return compare(types.IntNegOne)
	case operators.LessEquals:
		return compare(types.IntNegOne, types.IntZero)
	case operators.Greater:
		return compare(types.IntOne)
	case operators.GreaterEquals:
		return compare(types.IntOne, types.IntZero)
	case operators.Add:
		return binary(func(a, b ref.Val) ref.Val {
			if x, ok := a.(traits.Adder); ok {
				return x.Add(b)
			}
			return errOverload
		})
	case operators.In:
		return binary(func(a, b ref.Val) ref.Val {
			if x, ok := b.(traits.Container); ok {
				return x.Contains(a)
			}
			return errOverload
		})
	case overloads.Contains:
		return binary(types.StringContains)
	case overloads.StartsWith:
		return binary(types.StringStartsWith)
	case overloads.EndsWith:
		return binary(types.StringEndsWith)
	case overloads.Matches:
		return binary(func(a, b ref.Val) ref.Val {
			if x, ok := a.(traits.Matcher); ok {
				return x.Match(b)
			}
			return errOverload
		})
	case overloads.Size:
		return func(args []ref.Val) ref.Val {
			if len(args) != 1 {
				return errOverload
			}
			if x, ok := args[0].(traits.Sizer); ok {
				return x.Size()
			}
			return errOverload
		}
	}
	return nil
}

// sortRange evaluates the range of a comprehension: a map it gives is iterated in
// sorted key order. cel-go iterates Go's maps in Go's order, which changes from run to
// run.
func sortRange(frame *interpreter.ExecutionFrame, rng interpreter.InterpretableV2) ref.Val {
	v := rng.Exec(frame)
	if m, ok := v.(traits.Mapper); ok {
		return sortedMap{m}
	}
	return v
}

// sortedMap is a map whose iterator gives its keys in sorted order. It embeds only the
// Mapper interface, so that a comprehension cannot fold it in the map's own order.
type sortedMap struct {
	traits.Mapper
}

func (m sortedMap) Iterator() traits.Iterator {
	return types.NewRefValList(types.DefaultTypeAdapter, SortedKeys(m.Mapper)).Iterator()
}

// SortedKeys returns the keys of m in the order every backend iterates them: strings
// by their bytes, ints and uints by value, false before true.
func SortedKeys(m traits.Mapper) []ref.Val {
	var keys []ref.Val
	for it := m.Iterator(); it.HasNext() == types.True; {
		keys = append(keys, it.Next())
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	return keys
}

// less orders map keys; a map's keys all have one type (the spec loader rejects
// literals mixing them), but keys of different types still get an order, by type.
func less(a, b ref.Val) bool {
	switch x := a.(type) {
	case types.String:
		if y, ok := b.(types.String); ok {
			return x < y
		}
	case types.Int:
		if y, ok := b.(types.Int); ok {
			return x < y
		}
	case types.Uint:
		if y, ok := b.(types.Uint); ok {
			return x < y
		}
	case types.Bool:
		if y, ok := b.(types.Bool); ok {
			return !bool(x) && bool(y)
		}
	}
	return a.Type().TypeName() < b.Type().TypeName()
}
