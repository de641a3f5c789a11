// eval.c: the expression interpreter (eval.h).
//
// One recursive function walks a prog_expr tree with a switch on the operation.
// Scalars never allocate; strings, lists and maps an operation builds go to rt.arena,
// which the call frees as a whole. Every operation whose work grows with its operands
// charges the budget first, exactly where permc's generated Go charges it (after its
// operands are computed), so that every backend fails at the same step.
#include "eval.h"
#include "state.h"
#include "text.h"

// ---- The budget ----------------------------------------------------------------

static i64 left;  // steps left; -1 once exhausted
static u64 limit; // steps at the start

void budget_start(u64 steps) {
	limit = steps;
	left = steps > (u64)INT64_MAX ? INT64_MAX : (i64)steps;
}

eval_err budget_charge(u64 n) {
	if (left < 0 || n > (u64)left) {
		left = -1;
		return EV_BUDGET;
	}
	left -= (i64)n;
	return EV_OK;
}

u64 budget_limit(void) { return limit; }

// text charges an operation on strings or bytes n bytes long in all.
static inline eval_err text(u64 n) { return budget_charge(n >> 6); }

// ---- Expressions ---------------------------------------------------------------

const prog_func *func_at(u32 i) { return PROG(prog_func, PROG(u32, HDR->funcs)[i]); }

static inline const prog_expr *arg(const prog_expr *x, u32 i) { return PROG(prog_expr, x->args[i]); }
static inline u8 kind_of(u32 type) { return type_at(type)->kind; }

// The deepest expression the interpreter follows. A spec's expressions are far
// shallower (CEL's parser stops at a nesting of 250); the bound keeps a broken
// program from overflowing the stack, which would trap.
#define MAX_DEPTH 400
static u32 depth;

static eval_err ev(const prog_expr *x, env *e, value *out);

// constant reads an OP_CONST's value record.
static value constant(const prog_expr *x) {
	value v = {0};
	const u8 *p = prog + x->slot;
	switch (kind_of(x->type)) {
	case T_BOOL:
		v.b = p[0] != 0;
		break;
	case T_STRING:
	case T_BYTES:
		v.s = prog_s(*(const prog_str *)p);
		break;
	case T_TIMESTAMP: {
		const prog_time *t = (const prog_time *)p;
		v.t = (rt_time){t->sec, t->nsec};
		break;
	}
	default:
		memcpy(&v.u, p, 8);
	}
	return v;
}

// two evaluates x's two operands, left to right.
static inline eval_err two(const prog_expr *x, env *e, value *a, value *b) {
	eval_err err = ev(arg(x, 0), e, a);
	return err ? err : ev(arg(x, 1), e, b);
}

// logical is && (and) and ||: an operand that decides (false for &&, true for ||)
// decides even when the other fails; when neither decides and one fails, that error;
// with both failing, the first operand's.
static eval_err logical(const prog_expr *x, env *e, value *out, bool and) {
	value a, b;
	eval_err ea = ev(arg(x, 0), e, &a);
	if (!ea && a.b != and) {
		*out = a;
		return EV_OK;
	}
	eval_err eb = ev(arg(x, 1), e, &b);
	if (eb)
		return ea ? ea : eb;
	if (ea && b.b == and)
		return ea;
	*out = b;
	return EV_OK;
}

// compare is ==, !=, <, <=, > and >= on operands of type t.
static eval_err compare(const prog_expr *x, env *e, value *out) {
	value a, b;
	eval_err err = two(x, e, &a, &b);
	if (err)
		return err;
	const prog_type *t = type_at(arg(x, 0)->type);
	switch (t->kind) {
	case T_STRING:
	case T_BYTES:
		err = text((u64)a.s.n + b.s.n);
		break;
	case T_LIST:
		err = budget_charge(a.l->n);
		break;
	case T_MAP:
		err = budget_charge(a.m->n);
		break;
	}
	if (err)
		return err;
	bool r;
	if (x->op == OP_EQ || x->op == OP_NE) {
		r = value_eq(t, a, b) == (x->op == OP_EQ);
	} else if (t->kind == T_DOUBLE) {
		// C's operators answer as Go's do for NaN: every comparison is false.
		switch (x->op) {
		case OP_LT:
			r = a.d < b.d;
			break;
		case OP_LE:
			r = a.d <= b.d;
			break;
		case OP_GT:
			r = a.d > b.d;
			break;
		default:
			r = a.d >= b.d;
		}
	} else {
		int c = value_cmp(t->kind, a, b);
		switch (x->op) {
		case OP_LT:
			r = c < 0;
			break;
		case OP_LE:
			r = c <= 0;
			break;
		case OP_GT:
			r = c > 0;
			break;
		default:
			r = c >= 0;
		}
	}
	out->b = r;
	return EV_OK;
}

// arith is + - * / % on the operands' types; x's type is the result's.
static eval_err arith(const prog_expr *x, env *e, value *out) {
	value a, b;
	eval_err err = two(x, e, &a, &b);
	if (err)
		return err;
	u8 ka = kind_of(arg(x, 0)->type), kb = kind_of(arg(x, 1)->type);
	switch (ka) {
	case T_INT:
		switch (x->op) {
		case OP_ADD:
			return cel_add_int(a.i, b.i, &out->i);
		case OP_SUB:
			return cel_sub_int(a.i, b.i, &out->i);
		case OP_MUL:
			return cel_mul_int(a.i, b.i, &out->i);
		case OP_DIV:
			return cel_div_int(a.i, b.i, &out->i);
		default:
			return cel_mod_int(a.i, b.i, &out->i);
		}
	case T_UINT:
		switch (x->op) {
		case OP_ADD:
			return cel_add_uint(a.u, b.u, &out->u);
		case OP_SUB:
			return cel_sub_uint(a.u, b.u, &out->u);
		case OP_MUL:
			return cel_mul_uint(a.u, b.u, &out->u);
		case OP_DIV:
			return cel_div_uint(a.u, b.u, &out->u);
		default:
			return cel_mod_uint(a.u, b.u, &out->u);
		}
	case T_DOUBLE:
		switch (x->op) {
		case OP_ADD:
			out->d = a.d + b.d;
			break;
		case OP_SUB:
			out->d = a.d - b.d;
			break;
		case OP_MUL:
			out->d = a.d * b.d;
			break;
		default:
			out->d = a.d / b.d;
		}
		return EV_OK;
	case T_STRING:
	case T_BYTES:
		if ((err = text((u64)a.s.n + b.s.n)))
			return err;
		out->s = str_concat(a.s, b.s);
		return rt.oom ? EV_OOM : EV_OK;
	case T_LIST:
		if ((err = budget_charge((u64)a.l->n + b.l->n)))
			return err;
		out->l = list_concat(type_at(type_at(x->type)->elem)->kind, a.l, b.l);
		return out->l ? EV_OK : EV_OOM;
	case T_TIMESTAMP:
		if (kb == T_TIMESTAMP)
			return cel_sub_time(a.t, b.t, &out->i);
		if (x->op == OP_ADD)
			return cel_add_time(a.t, b.i, &out->t);
		return cel_sub_time_duration(a.t, b.i, &out->t);
	case T_DURATION:
		if (kb == T_TIMESTAMP)
			return cel_add_time(b.t, a.i, &out->t);
		if (x->op == OP_ADD)
			return cel_add_int(a.i, b.i, &out->i);
		return cel_sub_int(a.i, b.i, &out->i);
	}
	rt_bug("eval: arithmetic on an unexpected type");
	return EV_OOM;
}

// index is list[int] and map[key].
static eval_err index(const prog_expr *x, env *e, value *out) {
	value c, k;
	eval_err err = two(x, e, &c, &k);
	if (err)
		return err;
	const prog_type *t = type_at(arg(x, 0)->type);
	u8 ek = kind_of(t->elem);
	if (t->kind == T_LIST) {
		if (k.i < 0 || k.i >= (i64)c.l->n)
			return CEL_INDEX_OUT_OF_BOUNDS;
		*out = list_at(c.l, ek, (u32)k.i);
		return EV_OK;
	}
	i32 i = map_find(c.m, kind_of(t->key), k);
	if (i < 0)
		return CEL_NO_SUCH_KEY;
	*out = elem_load(c.m->vals + (u32)i * elem_size(ek), ek);
	return EV_OK;
}

// in is `x in list` (charging the list's size, then searching) and `x in map`.
static eval_err in(const prog_expr *x, env *e, value *out) {
	value v, c;
	eval_err err = two(x, e, &v, &c);
	if (err)
		return err;
	const prog_type *t = type_at(arg(x, 1)->type);
	if (t->kind == T_MAP) {
		out->b = map_find(c.m, kind_of(t->key), v) >= 0;
		return EV_OK;
	}
	if ((err = budget_charge(c.l->n)))
		return err;
	const prog_type *et = type_at(t->elem);
	u32 size = elem_size(et->kind);
	out->b = false;
	for (u32 i = 0; i < c.l->n && !out->b; i++)
		out->b = value_eq(et, elem_load(c.l->data + i * size, et->kind), v);
	return EV_OK;
}

// strfn is startsWith, endsWith and contains, on bytes as Go's strings package.
static eval_err strfn(const prog_expr *x, env *e, value *out) {
	value a, b;
	eval_err err = two(x, e, &a, &b);
	if (err || (err = text((u64)a.s.n + b.s.n)))
		return err;
	str s = a.s, t = b.s;
	bool r = t.n == 0;
	if (!r && t.n <= s.n) {
		switch (x->op) {
		case OP_STARTS_WITH:
			r = memcmp(s.p, t.p, t.n) == 0;
			break;
		case OP_ENDS_WITH:
			r = memcmp(s.p + s.n - t.n, t.p, t.n) == 0;
			break;
		default:
			for (u32 i = 0; i + t.n <= s.n && !r; i++)
				r = s.p[i] == t.p[0] && memcmp(s.p + i, t.p, t.n) == 0;
		}
	}
	out->b = r;
	return EV_OK;
}

// collection builds a list literal (OP_LIST) or a map literal (OP_MAP), evaluating
// its operands in order; in a map, a later duplicate key wins.
static eval_err collection(const prog_expr *x, env *e, value *out) {
	const prog_type *t = type_at(x->type);
	eval_err err;
	if (x->op == OP_LIST) {
		u8 ek = kind_of(t->elem);
		if (x->nargs == 0) {
			out->l = &empty_list;
			return EV_OK;
		}
		list *l = list_new(ek, x->nargs);
		if (!l)
			return EV_OOM;
		for (u32 i = 0; i < x->nargs; i++) {
			value v;
			if ((err = ev(arg(x, i), e, &v)))
				return err;
			elem_store((u8 *)l->data + i * elem_size(ek), ek, v);
		}
		out->l = l;
		return EV_OK;
	}
	if (x->nargs == 0) {
		out->m = &empty_map;
		return EV_OK;
	}
	map_builder b;
	if (!map_begin(&b, kind_of(t->key), kind_of(t->elem), x->nargs / 2))
		return EV_OOM;
	for (u32 i = 0; i + 1 < x->nargs; i += 2) {
		value k, v;
		if ((err = ev(arg(x, i), e, &k)) || (err = ev(arg(x, i + 1), e, &v)))
			return err;
		map_put(&b, k, v);
	}
	out->m = map_done(&b);
	return out->m ? EV_OK : EV_OOM;
}

// macro runs exists, all, exists_one, map and filter over a list, or over a map's
// keys in sorted order. Each iteration first charges one step, and a failing charge
// fails the macro itself (not its predicate). exists and all go on past an element
// whose predicate fails, to one that decides them, and otherwise fail with the
// first error; the others fail at once.
static eval_err macro(const prog_expr *x, env *e, value *out) {
	value r;
	eval_err err = ev(arg(x, 0), e, &r);
	if (err)
		return err;
	const prog_type *rt0 = type_at(arg(x, 0)->type);
	u8 ek;
	u32 n;
	const u8 *elems;
	if (rt0->kind == T_MAP) {
		ek = kind_of(rt0->key);
		n = r.m->n;
		elems = r.m->keys;
	} else {
		ek = kind_of(rt0->elem);
		n = r.l->n;
		elems = r.l->data;
	}
	u32 size = elem_size(ek);
	const prog_expr *body = arg(x, 1);
	value *var = &e->locals[x->slot];
	eval_err first = EV_OK; // exists and all: the first predicate error
	u32 count = 0;          // exists_one: elements that satisfy the predicate
	list *l = NULL;         // map and filter: the result
	u8 rk = 0;              // its elements' kind
	if (x->op == OP_MAP_LIST || x->op == OP_FILTER) {
		rk = kind_of(type_at(x->type)->elem);
		if (!(l = list_new(rk, n)))
			return EV_OOM;
		l->n = 0;
	}
	for (u32 i = 0; i < n; i++) {
		if ((err = budget_charge(1)))
			return err;
		*var = elem_load(elems + i * size, ek);
		value v;
		switch (x->op) {
		case OP_EXISTS:
		case OP_ALL:
			if ((err = ev(body, e, &v))) {
				if (!first)
					first = err;
			} else if (v.b == (x->op == OP_EXISTS)) {
				out->b = v.b;
				return EV_OK;
			}
			break;
		case OP_EXISTS_ONE:
			if ((err = ev(body, e, &v)))
				return err;
			count += v.b;
			break;
		case OP_FILTER:
			if ((err = ev(body, e, &v)))
				return err;
			if (v.b)
				elem_store((u8 *)l->data + l->n++ * elem_size(rk), rk, *var);
			break;
		default: // OP_MAP_LIST: args are the range, a predicate when there are three, the transform
			if (x->nargs == 3) {
				if ((err = ev(body, e, &v)))
					return err;
				if (!v.b)
					break;
			}
			if ((err = ev(arg(x, x->nargs - 1), e, &v)))
				return err;
			elem_store((u8 *)l->data + l->n++ * elem_size(rk), rk, v);
		}
	}
	switch (x->op) {
	case OP_EXISTS:
	case OP_ALL:
		if (first)
			return first;
		out->b = x->op == OP_ALL;
		break;
	case OP_EXISTS_ONE:
		out->b = count == 1;
		break;
	default:
		out->l = l;
	}
	return EV_OK;
}

static eval_err ev(const prog_expr *x, env *e, value *out) {
	if (unlikely(++depth > MAX_DEPTH)) {
		depth--;
		rt_bug("eval: expression nested too deeply");
		return EV_OOM;
	}
	eval_err err = EV_OK;
	value a;
	switch (x->op) {
	case OP_CONST:
		*out = constant(x);
		break;
	case OP_ATTR:
		if (!RT_ASSERT(x->obj <= OBJ_FILTER && e->objs[x->obj])) {
			err = EV_OOM;
			break;
		}
		*out = e->objs[x->obj][x->slot];
		break;
	case OP_LOCAL:
		*out = e->locals[x->slot];
		break;
	case OP_NOT:
		if (!(err = ev(arg(x, 0), e, &a)))
			out->b = !a.b;
		break;
	case OP_AND:
	case OP_OR:
		err = logical(x, e, out, x->op == OP_AND);
		break;
	case OP_COND:
		if (!(err = ev(arg(x, 0), e, &a)))
			err = ev(arg(x, a.b ? 1 : 2), e, out);
		break;
	case OP_EQ:
	case OP_NE:
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		err = compare(x, e, out);
		break;
	case OP_ADD:
	case OP_SUB:
	case OP_MUL:
	case OP_DIV:
	case OP_MOD:
		err = arith(x, e, out);
		break;
	case OP_NEG:
		if (!(err = ev(arg(x, 0), e, &a))) {
			if (kind_of(x->type) == T_DOUBLE)
				out->d = -a.d;
			else
				err = cel_neg_int(a.i, &out->i);
		}
		break;
	case OP_INDEX:
		err = index(x, e, out);
		break;
	case OP_IN:
		err = in(x, e, out);
		break;
	case OP_SIZE:
		if ((err = ev(arg(x, 0), e, &a)))
			break;
		switch (kind_of(arg(x, 0)->type)) {
		case T_STRING:
			if (!(err = text(a.s.n)))
				out->i = utf8_count(a.s.p, a.s.n);
			break;
		case T_BYTES:
			if (!(err = text(a.s.n)))
				out->i = a.s.n;
			break;
		case T_MAP:
			out->i = a.m->n;
			break;
		default:
			out->i = a.l->n;
		}
		break;
	case OP_STARTS_WITH:
	case OP_ENDS_WITH:
	case OP_CONTAINS:
		err = strfn(x, e, out);
		break;
	case OP_MATCHES: {
		const prog_header *h = HDR;
		if (!RT_ASSERT(x->slot < h->nregexps)) {
			err = EV_OOM;
			break;
		}
		const prog_regexp *re = PROG(prog_regexp, PROG(u32, h->regexps)[x->slot]);
		if (!(err = ev(arg(x, 0), e, &a)) && !(err = text((u64)a.s.n + re->pattern.len)))
			out->b = regexp_match(re, a.s);
		break;
	}
	case OP_IN_IP_RANGE: {
		value b;
		if ((err = two(x, e, &a, &b)))
			break;
		err = cel_in_ip_range(a.s, b.s, &out->b);
		break;
	}
	case OP_LIST:
	case OP_MAP:
		err = collection(x, e, out);
		break;
	case OP_EXISTS:
	case OP_ALL:
	case OP_EXISTS_ONE:
	case OP_MAP_LIST:
	case OP_FILTER:
		err = macro(x, e, out);
		break;
	case OP_FAIL:
		err = prog[x->slot] == ERR_BAD_DURATION ? CEL_BAD_DURATION : CEL_BAD_TIMESTAMP;
		break;
	default:
		rt_bug("eval: unknown operation");
		err = EV_OOM;
	}
	depth--;
	return err;
}

eval_err eval(const prog_expr *x, env *e, value *out) { return ev(x, e, out); }

// The local slots of a func: enough for every func of a spec written by hand, so that
// evaluating one takes no memory; a func with more takes them from rt.arena.
#define LOCALS 32
static value locals[LOCALS];

eval_err eval_func(const prog_func *f, env *e, bool *out) {
	value v, *saved = e->locals;
	e->locals = locals;
	if (f->locals > LOCALS && !(e->locals = arena_alloc(&rt.arena, f->locals * (u32)sizeof(value)))) {
		e->locals = saved;
		return EV_OOM;
	}
	eval_err err = ev(PROG(prog_expr, f->body), e, &v);
	e->locals = saved;
	*out = !err && v.b;
	return err;
}
