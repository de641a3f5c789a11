package runtime

import "strconv"

// DefaultBudget is the evaluation budget of a check or a plan unless the host sets
// another: the steps it may take (see Budget).
const DefaultBudget = 10_000_000

// Budget is the evaluation budget of one check or one plan: how many steps its
// expressions may still take. Steps are charged as evaluation proceeds, by the
// operations whose work grows with the size of their operands:
//
//   - each iteration of a macro (exists, all, exists_one, map, filter): 1;
//   - x in L, where L is a list: size(L);
//   - == and != between two lists or two maps: the size of the left operand;
//   - + of two lists: size(left) + size(right);
//   - +, ==, !=, <, <=, >, >=, contains, startsWith, endsWith, matches and size on
//     strings and bytes: floor(n / 64), n the sum of their operands' lengths in bytes.
//
// A charge that takes more steps than are left fails with ErrBudgetExhausted, an
// evaluation error like any other, and leaves the budget exhausted: every later charge
// of the check fails too, even of no steps. The zero Budget has no steps to take.
type Budget struct {
	// free is how many bytes an operation on strings may handle without charging
	// anything: 64 while steps are left, 0 once the budget is exhausted, so that the
	// common case is one comparison.
	free  int
	left  int64 // the steps left; negative once exhausted
	limit int64 // the steps the budget started with
}

// NewBudget returns a budget of steps steps; steps < 1 means DefaultBudget.
func NewBudget(steps int64) Budget {
	if steps < 1 {
		steps = DefaultBudget
	}
	return Budget{free: 64, limit: steps, left: steps}
}

// Charge takes n steps (n >= 0) from the budget.
func (b *Budget) Charge(n int) Err {
	if int64(n) > b.left {
		b.left, b.free = -1, 0
		return ErrBudgetExhausted
	}
	b.left -= int64(n)
	return OK
}

// Text charges an operation on strings or bytes whose operands are n bytes long in
// all: n / 64 steps. The common case, short strings, charges nothing and only fails
// once the budget is exhausted.
func (b *Budget) Text(n int) Err {
	if n < b.free {
		return OK
	}
	return b.Charge(n >> 6)
}

// Limit returns the steps the budget started with.
func (b *Budget) Limit() int64 { return b.limit }

// Used returns the steps charged so far, or more than Limit once exhausted.
func (b *Budget) Used() int64 { return b.limit - b.left }

// Message returns the message of ErrBudgetExhausted for this budget:
// "evaluation budget of 10000000 steps exhausted".
//
//go:noinline
func (b *Budget) Message() string {
	return "evaluation budget of " + strconv.FormatInt(b.limit, 10) + " steps exhausted"
}

// ErrMessage returns the message of the evaluation error e, which names the budget's
// size when e is ErrBudgetExhausted.
func (b *Budget) ErrMessage(e Err) string {
	if e == ErrBudgetExhausted {
		return b.Message()
	}
	return e.Message()
}
