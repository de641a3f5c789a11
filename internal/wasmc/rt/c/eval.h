// eval.h: the interpreter of a program's expressions (program.h's prog_expr trees),
// with CEL's semantics as permc's generated Go computes them, and the evaluation
// budget of docs/spec.md.
//
// An expression reads objects (the principal, the resource, ...) through an env and
// computes a value of its static type, or fails with an eval_err. Operands are
// evaluated left to right and an operation fails with the first failing operand's
// error, except where CEL absorbs errors: && and || (an operand that decides wins over
// the other's error; with both failing, the first operand's error), the predicates of
// exists and all (an element that decides wins; otherwise the first error in
// iteration order), and ?: (only the chosen branch is evaluated). exists_one, map and
// filter fail at their first failing element. A macro over a map visits its keys in
// sorted order.
#ifndef RT_EVAL_H
#define RT_EVAL_H

#include "value.h"

// env is what an expression reads: objs[OBJ_*] is the array of an object's attribute
// values by slot (the principal, the resource, the context, the credential, the
// scope parameters of an assignment), and objs[OBJ_FILTER] the filter value of a
// filter's match (one string). An object an expression does not read may be NULL.
typedef struct env {
	const value *objs[OBJ_FILTER + 1];
	value *locals; // the local slots of the func being evaluated (macro variables)
} env;

// The evaluation budget of the current check or plan: budget_start gives it steps;
// budget_charge takes n steps, or fails with EV_BUDGET when fewer are left, and then
// every later charge fails too, even of no steps (runtime.Budget). budget_limit is
// the steps it started with, which EV_BUDGET's message names.
void budget_start(u64 steps);
eval_err budget_charge(u64 n);
u64 budget_limit(void);

// eval computes x in e. Its value is in rt.arena (or a view of the program or the
// request) when it is not a scalar.
eval_err eval(const prog_expr *x, env *e, value *out);

// eval_func computes a func's bool. e->locals is set for the duration of the call.
eval_err eval_func(const prog_func *f, env *e, bool *out);

// func_at returns func i of the program (i < nfuncs).
const prog_func *func_at(u32 i);

// regexp_match reports whether re matches somewhere in s, as Go's
// regexp.MatchString does (regex.c).
bool regexp_match(const prog_regexp *re, str s);

#endif
