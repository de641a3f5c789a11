// plan.c: query plans (rt_plan, abi.h). A plan request is a check request without its
// resource; the answer is the condition a resource of the permission's type must
// satisfy for the check to allow it, as the generated Go's PlanJSON computes it
// (gen/plan.go's planDecide and planCredential), with the reason and decision that
// package plan gives it (plan/plan.go), written as plan.Plan.AppendJSON writes it.
//
// The decision order runs with the resource unknown: deny rules (a resource gets past
// one only where its condition is false), the credential, then allow rules and role
// assignments, each contributing the condition under which it grants. Each
// expression's part is its plan tree (program.h's prog_pexpr, internal/ir/plan.go),
// which this file interprets: what the tree computes without the resource is
// evaluated by the interpreter (eval.h), which charges the plan's evaluation budget
// as a check would, and the rest builds conditions with cond.h's constructors.
#include "abi.h"
#include "cond.h"
#include "engine.h"
#include "json.h"
#include "state.h"

// The conditions under which an expression is true and false; a resource in
// neither is one where it fails to evaluate.
typedef struct pair {
	cond *t, *f;
} pair;

// An expression that fails on every resource.
#define FAILS ((pair){COND_FALSE, COND_FALSE})

typedef struct planner {
	env e;
	const prog_func *fn; // whose plan is interpreted
} planner;

static const prog_pexpr *arg(const prog_pexpr *n, u32 i) { return PROG(prog_pexpr, n->args[i]); }

// ctype_of is the condition type of the program's type at off.
static const ctype *ctype_of(u32 off) {
	const prog_type *t = type_at(off);
	if (t->kind == T_LIST)
		return ctype_list(ctype_of(t->elem));
	if (t->kind == T_MAP)
		return ctype_map(ctype_of(t->elem));
	return ctype_scalar(t->kind);
}

// known computes n's X, what the plan knows without the resource.
static bool known(planner *p, const prog_pexpr *n, value *v) {
	*v = (value){0};
	return RT_ASSERT(n->x) && eval(PROG(prog_expr, n->x), &p->e, v) == EV_OK;
}

// val computes a value node; *failed is set when its constant failed to compute.
static cval *val(planner *p, const prog_pexpr *n, bool *failed) {
	value v;
	switch (n->op) {
	case V_ATTR:
		return cv_attr(prog_s(n->name), ctype_of(n->ctype));
	case V_VAR:
		return cv_var(prog_s(n->name), ctype_of(n->ctype));
	case V_SIZE:
		return cv_size(val(p, arg(n, 0), failed));
	case V_LIT:
		if (!known(p, n, &v))
			*failed = true;
		return cv_lit(ctype_of(n->ctype), v);
	}
	RT_ASSERT(!"plan: not a value node");
	*failed = true;
	return cv_lit(ctype_scalar(T_BOOL), (value){0});
}

// Which sides of a pair a caller wants: a deny rule only where its condition is
// false, everything else only where it is true. A side not wanted is not built (it is
// false), which halves the conditions a plan builds and changes nothing else: every
// node still computes what it knows without the resource, in the same order.
enum { W_T = 1, W_F = 2, W_BOTH = 3 };

static u8 swap_want(u8 want) { return (u8)((want & W_T) << 1 | (want & W_F) >> 1); }

static pair swap(pair x) { return (pair){x.f, x.t}; }

// atom is the pair of a condition that holds or not on every row: c and its negation.
static pair atom(cond *c, u8 want) { return (pair){c, want & W_F ? c_not(c) : COND_FALSE}; }

// or_ands is (a && b) || (c && d).
static cond *or_ands(cond *a, cond *b, cond *c, cond *d) { return c_or2(c_and2(a, b), c_and2(c, d)); }

static pair peval(planner *p, const prog_pexpr *n, u8 want);

// unroll plans exists (all false) or all over the elements of a list, or the keys of
// a map, known when planning, as the generated Go does since the evaluation budget:
// element by element, each iteration charged to the budget (once that fails, the
// macro fails on every resource), folding each element's pair into the result, and
// stopping once the elements so far decide the macro on every resource (exists' T or
// all's F is true), as a check's loop stops at the element that decides it.
static pair unroll(planner *p, const prog_pexpr *n, bool all, u8 want) {
	value r;
	if (!known(p, n, &r))
		return FAILS;
	const prog_type *t = type_at(PROG(prog_expr, n->x)->type);
	bool is_map = t->kind == T_MAP;
	u8 kind = type_at(is_map ? t->key : t->elem)->kind;
	u32 count = is_map ? (r.m ? r.m->n : 0) : (r.l ? r.l->n : 0);
	if (!RT_ASSERT(n->slot < p->fn->locals))
		return FAILS;
	want |= all ? W_F : W_T; // the side that decides
	pair out = {c_const(all), c_const(!all)};
	for (u32 i = 0; i < count; i++) {
		if ((all ? out.f : out.t) == COND_TRUE)
			break;
		if (budget_charge(1) != EV_OK)
			return FAILS;
		p->e.locals[n->slot] = is_map ? elem_load(r.m->keys + i * elem_size(kind), kind) : list_at(r.l, kind, i);
		pair x = peval(p, arg(n, 0), want);
		if (want & W_T)
			out.t = all ? c_and2(out.t, x.t) : c_or2(out.t, x.t);
		if (want & W_F)
			out.f = all ? c_or2(out.f, x.f) : c_and2(out.f, x.f);
	}
	return out;
}

// peval interprets a pair node (internal/ir/plan.go documents each), building the
// sides in want.
static pair peval(planner *p, const prog_pexpr *n, u8 want) {
	bool all = n->flags & PF_ALL, neg = n->flags & PF_NEG;
	pair out = FAILS;
	value v;
	switch (n->op) {
	case P_RESIDUAL: {
		// Both are the whole expression, evaluated on the resource by whoever
		// holds the plan.
		const prog_func *f = p->fn;
		str src = prog_s(f->source), why = prog_s(n->name), what = prog_s(f->what), pos = prog_s(f->pos);
		if (want & W_T)
			out.t = c_residual(src, why, true, what, pos);
		if (want & W_F)
			out.f = c_residual(src, why, false, what, pos);
		return out;
	}
	case P_CONST:
		if (!known(p, n, &v))
			return FAILS;
		return (pair){c_const(v.b), c_const(!v.b)};
	case P_SYM_BOOL: {
		bool failed = false;
		return atom(c_cmp(CO_EQ, val(p, arg(n, 0), &failed), cv_lit(ctype_scalar(T_BOOL), (value){.b = true})), want);
	}
	case P_AND:
	case P_OR: {
		cond **ts = arena_alloc(&rt.arena, 2 * n->nargs * (u32)sizeof(cond *) + 1);
		if (!ts)
			return FAILS;
		cond **fs = ts + n->nargs;
		for (u32 i = 0; i < n->nargs; i++) {
			pair x = peval(p, arg(n, i), want);
			ts[i] = x.t;
			fs[i] = x.f;
		}
		bool and = n->op == P_AND;
		if (want & W_T)
			out.t = and ? c_and(ts, n->nargs) : c_or(ts, n->nargs);
		if (want & W_F)
			out.f = and ? c_or(fs, n->nargs) : c_and(fs, n->nargs);
		return out;
	}
	case P_NOT:
		return swap(peval(p, arg(n, 0), swap_want(want)));
	case P_NOT_STRICTLY_FALSE:
		// @not_strictly_false(x) is true unless x is false: errors count as true.
		out.f = peval(p, arg(n, 0), W_F).f;
		if (want & W_T)
			out.t = c_not(out.f);
		return out;
	case P_COND_KNOWN:
		// Only the branch chosen is planned, as a check evaluates only it.
		if (!known(p, n, &v))
			return FAILS;
		return peval(p, arg(n, v.b ? 0 : 1), want);
	case P_COND_SYM: {
		pair c = peval(p, arg(n, 0), W_BOTH), a = peval(p, arg(n, 1), want), b = peval(p, arg(n, 2), want);
		if (want & W_T)
			out.t = or_ands(c.t, a.t, c.f, b.t);
		if (want & W_F)
			out.f = or_ands(c.t, a.f, c.f, b.f);
		return out;
	}
	case P_BOOL_EQ: {
		pair a = peval(p, arg(n, 0), W_BOTH), b = peval(p, arg(n, 1), W_BOTH);
		u8 w = neg ? swap_want(want) : want;
		if (w & W_T)
			out.t = or_ands(a.t, b.t, a.f, b.f);
		if (w & W_F)
			out.f = or_ands(a.t, b.f, a.f, b.t);
		return neg ? swap(out) : out;
	}
	case P_QUANT: {
		bool failed = false;
		cval *list = val(p, arg(n, 0), &failed);
		pair body = peval(p, arg(n, 1), want);
		str var = prog_s(n->name);
		if (want & W_T)
			out.t = c_quant(all, var, list, body.t);
		if (want & W_F)
			out.f = c_quant(!all, var, list, body.f);
		return out;
	}
	case P_UNROLL:
		return unroll(p, n, all, want);
	}

	// The atoms: every operand is computed, in order, even after one fails (each
	// charges the budget as the generated Go's does), and an atom whose operand
	// failed fails on every resource.
	cval *vs[2];
	bool failed = false;
	u32 nv = n->op == P_IN_LIST ? 1 : n->nargs;
	if (!RT_ASSERT(nv >= 1 && nv <= 2))
		return FAILS;
	for (u32 i = 0; i < nv; i++)
		vs[i] = val(p, arg(n, i), &failed);
	cond *c;
	switch (n->op) {
	case P_CMP: {
		static const u8 ops[] = {0, CO_EQ, CO_LT, CO_LE, CO_GT, CO_GE};
		if (failed || !RT_ASSERT(nv == 2 && n->sub >= CMP_EQ && n->sub <= CMP_GE))
			return FAILS;
		c = c_cmp(ops[n->sub], vs[0], vs[1]);
		return neg ? swap(atom(c, swap_want(want))) : atom(c, want);
	}
	case P_IN_LIST: {
		// x in [a, b] is x == a || x == b.
		cond **eqs = arena_alloc(&rt.arena, n->nargs * (u32)sizeof(cond *));
		if (!eqs)
			return FAILS;
		for (u32 i = 1; i < n->nargs; i++)
			eqs[i - 1] = c_cmp(CO_EQ, vs[0], val(p, arg(n, i), &failed));
		if (failed)
			return FAILS;
		c = c_or(eqs, n->nargs - 1);
		break;
	}
	case P_MEMBER:
		if (failed || !RT_ASSERT(nv == 2))
			return FAILS;
		c = c_member(vs[0], vs[1]);
		break;
	case P_STR_OP:
		if (failed || !RT_ASSERT(nv == 2))
			return FAILS;
		c = c_strop(n->sub, vs[0], vs[1]);
		break;
	case P_MATCH:
		if (failed)
			return FAILS;
		c = c_match(vs[0], prog_s(n->name));
		break;
	default:
		RT_ASSERT(!"plan: not a pair node");
		return FAILS;
	}
	return atom(c, want);
}

// plan_func returns the pair of func fi + 1 (0: none, which holds everywhere), with
// a scope's parameters or a filter's value bound.
static pair plan_func(planner *p, u32 fi, const value *params, const value *filter, u8 want) {
	if (fi == 0)
		return (pair){COND_TRUE, COND_FALSE};
	const prog_func *f = func_at(fi - 1);
	if (!RT_ASSERT(f->plan))
		return FAILS;
	value *locals = arena_alloc(&rt.arena, (f->locals + 1u) * (u32)sizeof(value));
	if (!locals)
		return FAILS;
	p->fn = f;
	p->e.locals = locals;
	p->e.objs[OBJ_SCOPE] = params;
	p->e.objs[OBJ_FILTER] = filter;
	pair out = peval(p, PROG(prog_pexpr, f->plan), want);
	p->e.objs[OBJ_SCOPE] = p->e.objs[OBJ_FILTER] = NULL;
	return out;
}

// credential is gen's planCredential: false when the credential does not unlock the
// permission or names a filter that is unknown or does not cover the resource type;
// else the conjunction, over the filter names given in order of first appearance, of
// the disjunction of their values' matches.
static cond *credential(planner *p, const request *q) {
	const prog_header *h = HDR;
	if (!credential_unlocks(q))
		return COND_FALSE;
	const u32 *fm = PROG(u32, resource_at(q->resource)->filter_match);
	bool covered = false;
	for (u32 f = 0; f < h->nfilters && !covered; f++)
		covered = fm[f] != 0;
	if (!covered)
		return q->filters.n ? COND_FALSE : COND_TRUE; // no filter covers this type: any filter denies
	u32 n = q->filters.n;
	i32 *which = arena_alloc(&rt.arena, (n + 1) * (u32)sizeof(i32));
	if (!which)
		return COND_FALSE;
	str name, fv;
	for (u32 i = 0; i < n; i++) {
		if (!cut(q->filters.items[i], &name, &fv))
			return COND_FALSE;
		which[i] = name_find(&filter_names, name);
		if (which[i] < 0 || fm[which[i]] == 0)
			return COND_FALSE;
	}
	conds terms = {0};
	for (u32 i = 0; i < n; i++) {
		bool seen = false;
		for (u32 k = 0; k < i && !seen; k++)
			seen = which[k] == which[i];
		if (seen)
			continue;
		conds any = {0};
		for (u32 k = i; k < n; k++) {
			if (which[k] != which[i])
				continue;
			cut(q->filters.items[k], &name, &fv);
			value v = {.s = fv};
			conds_push(&any, plan_func(p, fm[which[i]], NULL, &v, W_T).t);
		}
		conds_push(&terms, c_or(any.c, any.n));
	}
	return c_and(terms.c, terms.n);
}

// No reason: the plan is conditional, or no one step decides it.
#define REASON_NONE 0xff

// plan_decide is the decision order with the resource unknown (gen's planDecide), with the
// step that decides for every resource, when one does, in why (plan/plan.go's
// reason; REASON_NONE when none does).
static cond *plan_decide(const request *q, rt_decision *why) {
	const prog_header *h = HDR;
	const prog_permission *perm = permission_at(q->perm);
	const prog_resource *res = resource_at(q->resource);
	planner p;
	memset(&p, 0, sizeof p); // not = {0}: memory.fill (rt.h)
	p.e.objs[OBJ_PRINCIPAL] = q->principal;
	p.e.objs[OBJ_CONTEXT] = q->context;
	p.e.objs[OBJ_CREDENTIAL] = q->cred_attrs;
	// The plan charges one budget for all it evaluates without the resource.
	budget_start(rt.cfg.budget);

	// Deny rules win: a resource gets past one only where its condition is false (one
	// that fails to evaluate denies).
	conds pass = {0};
	const prog_steps *deny = PROG(prog_steps, perm->deny);
	for (u32 i = 0; i < deny->n; i++) {
		str id = prog_s(PROG(prog_rule, record(h->rules, deny->steps[i].rule))->id);
		cond *f = deny->steps[i].func ? plan_func(&p, deny->steps[i].func, NULL, NULL, W_F).f : COND_FALSE;
		if (f == COND_FALSE) {
			why->reason = REASON_DENY_RULE;
			why->rule = id;
			return COND_FALSE;
		}
		conds_push(&pass, f);
	}
	// Credentials only narrow.
	if (q->has_cred) {
		cond *c = credential(&p, q);
		if (c == COND_FALSE) {
			why->reason = REASON_CREDENTIAL;
			return COND_FALSE;
		}
		conds_push(&pass, c);
	}
	// Then any allow rule or role assignment grants (one that fails grants nothing);
	// the first that grants every resource is the reason of a plan that allows all.
	conds grants = {0};
	bool always = false;
	const prog_steps *allow = PROG(prog_steps, perm->allow);
	for (u32 i = 0; i < allow->n; i++) {
		str id = prog_s(PROG(prog_rule, record(h->rules, allow->steps[i].rule))->id);
		cond *t = plan_func(&p, allow->steps[i].func, NULL, NULL, W_T).t;
		if (t == COND_TRUE && !always) {
			always = true;
			why->reason = REASON_ALLOW_RULE;
			why->rule = id;
		}
		conds_push(&grants, t);
	}
	const u32 *match = PROG(u32, res->scope_match), *when = PROG(u32, res->role_when);
	for (u32 i = 0; i < q->nroles; i++) {
		const assignment *as = &q->roles[i];
		if (!assignment_grants(as, q->perm) || match[as->scope] == 0)
			continue;
		cond *t = plan_func(&p, match[as->scope], as->params, NULL, W_T).t;
		if (t != COND_FALSE && as->role->builtin >= 0 && when[as->role->builtin])
			t = c_and2(t, plan_func(&p, when[as->role->builtin], NULL, NULL, W_T).t);
		if (t == COND_TRUE && !always) {
			always = true;
			why->reason = REASON_ROLE;
			why->role = as->role->name;
			why->assignment = i;
		}
		conds_push(&grants, t);
	}
	cond *granted = c_or(grants.c, grants.n);
	if (granted == COND_FALSE) {
		why->reason = REASON_NO_GRANT;
		return COND_FALSE;
	}
	conds_push(&pass, granted);
	cond *out = c_and(pass.c, pass.n);
	if (out != COND_TRUE)
		why->reason = REASON_NONE;
	return out;
}

int rt_plan(str req, buf *out) {
	if (!program_linked())
		return ST_INTERNAL;
	request q;
	buf msg = {.a = &rt.arena};
	if (!decode_plan_request(req, &q, &msg)) {
		buf_error_json(out, buf_view(&msg));
		return ST_REJECTED;
	}
	rt_decision why;
	memset(&why, 0, sizeof why); // not = {...}: memory.fill (rt.h)
	why.reason = REASON_NONE;
	cond *c = plan_decide(&q, &why);
	buf_lit(out, "{\"permission\":");
	buf_json_str(out, prog_s(permission_at(q.perm)->name));
	buf_lit(out, ",\"resource_type\":");
	buf_json_str(out, prog_s(resource_at(q.resource)->name));
	buf_cstr(out, c == COND_TRUE ? ",\"decision\":\"allowed\",\"condition\":"
	              : c == COND_FALSE ? ",\"decision\":\"denied\",\"condition\":"
	                                : ",\"decision\":\"conditional\",\"condition\":");
	cond_json(out, c);
	buf_lit(out, ",\"cel\":");
	buf_json_str(out, cond_cel(c));
	if (why.reason != REASON_NONE) {
		buf_lit(out, ",\"reason\":");
		buf_reason(out, &why);
	}
	buf_lit(out, ",\"warnings\":");
	buf_warnings(out, q.warnings, q.nwarnings);
	buf_byte(out, '}');
	return ST_OK;
}
