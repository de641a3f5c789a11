/*
 * cond.c: condition trees (cond.h), a port of runtime/cond's cond.go, simplify.go,
 * json.go and the parts of eval.go that fold constants.
 *
 * runtime/cond compares terms by their CEL rendering (key) and constants by a
 * canonical text (litKey). Here every node caches its rendering and a hash of it,
 * terms compare by that, and constants compare by lit_eq(same), which holds exactly
 * when litKey's texts would be equal; hash tables stand where the Go code uses maps,
 * so that a plan of thousands of terms costs what it costs in Go.
 */
#include "cond.h"
#include "num.h"
#include "state.h"
#include "text.h"
#include "time.h"
#include "json.h"

/* ---- Memory ------------------------------------------------------------------ */

/* alloc returns n zeroed bytes of the call's arena, or NULL (rt.oom is then set): for
 * what a condition is made of. tmp returns them from rt.scratch: for the simplifier's
 * working arrays and tables, which the public constructors give back when they return
 * (scratch_end), so that building a plan's thousands of small junctions leaves only
 * their conditions behind. */
static void *zeroed(arena *a, u32 n) {
	void *p = arena_alloc(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}
static void *alloc(u32 n) { return zeroed(&rt.arena, n); }
static void *tmp(u32 n) { return zeroed(&rt.scratch, n); }

static cond *scratch_end(arena_mark m, cond *c) {
	arena_restore(&rt.scratch, m);
	return c;
}

void conds_push(conds *v, cond *c) {
	if (v->n == v->cap) {
		u32 cap = v->cap ? v->cap * 2 : 8;
		cond **p = arena_alloc(&rt.arena, cap * (u32)sizeof *p);
		if (!p)
			return; /* rt.oom: the call fails, whatever is built */
		if (v->n)
			memcpy(p, v->c, v->n * sizeof *p);
		v->c = p;
		v->cap = cap;
	}
	v->c[v->n++] = c;
}

/* ---- Hash tables -------------------------------------------------------------- */

/* FNV-1a. */
static u32 hash_bytes(u32 h, const u8 *p, u32 n) {
	for (u32 i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}
#define HASH0 2166136261u

static u32 hash_u64(u32 h, u64 x) { return hash_bytes(h, (const u8 *)&x, 8); }

/* A table of item indexes by hash, sized once for at most n items; items and their
 * equality are the caller's. Slots hold (hash, index + 1). */
typedef struct htab {
	u32 *slot;
	u32 mask;
} htab;

static bool ht_init(htab *h, u32 n) {
	u32 cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	h->mask = cap - 1;
	h->slot = tmp(cap * 8);
	return h->slot != NULL;
}

typedef bool (*ht_eq)(const void *ctx, u32 idx, const void *key);

/* ht_get returns the index + 1 of the item equal to key, or 0; with add, key's index
 * idx is then added. */
static u32 ht_get(htab *h, u32 hash, ht_eq eq, const void *ctx, const void *key, bool add, u32 idx) {
	if (!h->slot)
		return 0;
	for (u32 i = hash & h->mask;; i = (i + 1) & h->mask) {
		u32 *s = h->slot + 2 * i;
		if (!s[1]) {
			if (add) {
				s[0] = hash;
				s[1] = idx + 1;
			}
			return 0;
		}
		if (s[0] == hash && eq(ctx, s[1] - 1, key))
			return s[1];
	}
}

/* ---- Types ------------------------------------------------------------------- */

static const ctype scalars[T_DURATION + 1] = {
	[T_BOOL] = {T_BOOL, NULL},           [T_INT] = {T_INT, NULL},       [T_UINT] = {T_UINT, NULL},
	[T_DOUBLE] = {T_DOUBLE, NULL},       [T_STRING] = {T_STRING, NULL}, [T_BYTES] = {T_BYTES, NULL},
	[T_TIMESTAMP] = {T_TIMESTAMP, NULL}, [T_DURATION] = {T_DURATION, NULL},
};

const ctype *ctype_scalar(u8 kind) {
	if (!RT_ASSERT(kind >= T_BOOL && kind <= T_DURATION))
		kind = T_BOOL;
	return &scalars[kind];
}

static const ctype *composite(u8 kind, const ctype *elem) {
	ctype *t = alloc(sizeof *t);
	if (!t)
		return &scalars[T_BOOL];
	t->kind = kind;
	t->elem = elem;
	return t;
}

const ctype *ctype_list(const ctype *elem) { return composite(T_LIST, elem); }
const ctype *ctype_map(const ctype *elem) { return composite(T_MAP, elem); }

static const char *const kind_names[] = {"dyn", "bool", "int", "uint", "double", "string", "bytes", "timestamp", "duration"};

/* type_str appends Type.String(). */
static void type_str(buf *b, const ctype *t) {
	if (!t) {
		buf_lit(b, "dyn");
	} else if (t->kind == T_LIST || t->kind == T_MAP) {
		if (t->kind == T_LIST)
			buf_lit(b, "list(");
		else
			buf_lit(b, "map(string, ");
		type_str(b, t->elem);
		buf_byte(b, ')');
	} else {
		buf_cstr(b, kind_names[t->kind < countof(kind_names) ? t->kind : 0]);
	}
}

/* has_double reports whether values of t may hold a NaN, unequal to itself. */
static bool has_double(const ctype *t) {
	for (; t; t = t->elem)
		if (t->kind == T_DOUBLE)
			return true;
	return false;
}

/* ---- Constants ---------------------------------------------------------------- */

static u32 list_len(const list *l) { return l ? l->n : 0; }
static u32 map_len(const map *m) { return m ? m->n : 0; }

static value map_key(const map *m, u32 i) { return elem_load(m->keys + i * elem_size(T_STRING), T_STRING); }
static value map_val(const ctype *et, const map *m, u32 i) {
	return elem_load(m->vals + i * elem_size(et->kind), et->kind);
}

/* pack builds a list of elements of type et. */
static const list *pack(const ctype *et, const value *vs, u32 n) {
	u32 size = elem_size(et->kind);
	list *l = alloc(sizeof *l);
	u8 *data = n ? alloc(n * size) : NULL;
	if (!l || (n && !data))
		return &empty_list;
	for (u32 i = 0; i < n; i++)
		elem_store(data + i * size, et->kind, vs[i]);
	l->n = n;
	l->data = data;
	return l;
}

static bool is_nan(double d) { return d != d; }

/* lit_eq is runtime/cond's Equal (CEL's equality: NaN is unequal to itself); with
 * same, it is instead litKey equality (NaN equal to NaN), which dedupes constants. */
static bool lit_eq(const ctype *t, value a, value b, bool same) {
	switch (t->kind) {
	case T_BOOL:
		return a.b == b.b;
	case T_INT:
	case T_DURATION:
		return a.i == b.i;
	case T_UINT:
		return a.u == b.u;
	case T_DOUBLE:
		return a.d == b.d || (same && is_nan(a.d) && is_nan(b.d));
	case T_STRING:
	case T_BYTES:
		return str_eq(a.s, b.s);
	case T_TIMESTAMP:
		return a.t.sec == b.t.sec && a.t.nsec == b.t.nsec;
	case T_LIST: {
		u32 n = list_len(a.l);
		if (n != list_len(b.l))
			return false;
		for (u32 i = 0; i < n; i++)
			if (!lit_eq(t->elem, list_at(a.l, t->elem->kind, i), list_at(b.l, t->elem->kind, i), same))
				return false;
		return true;
	}
	case T_MAP: {
		u32 n = map_len(a.m);
		if (n != map_len(b.m))
			return false;
		/* Keys are sorted: equal key sets are equal in order. */
		for (u32 i = 0; i < n; i++)
			if (!str_eq(map_key(a.m, i).s, map_key(b.m, i).s) ||
			    !lit_eq(t->elem, map_val(t->elem, a.m, i), map_val(t->elem, b.m, i), same))
				return false;
		return true;
	}
	}
	return false;
}

/* lit_hash agrees with lit_eq(same). */
static u32 lit_hash(const ctype *t, value v) {
	switch (t->kind) {
	case T_BOOL:
		return v.b;
	case T_DOUBLE:
		if (is_nan(v.d))
			return 1;
		if (v.d == 0)
			return 0;
		return hash_u64(HASH0, v.u);
	case T_STRING:
	case T_BYTES:
		return hash_bytes(HASH0, v.s.p, v.s.n);
	case T_TIMESTAMP:
		return hash_u64(hash_u64(HASH0, (u64)v.t.sec), (u64)v.t.nsec);
	case T_LIST: {
		u32 h = HASH0;
		for (u32 i = 0; i < list_len(v.l); i++)
			h = hash_u64(h, lit_hash(t->elem, list_at(v.l, t->elem->kind, i)));
		return h;
	}
	case T_MAP: {
		u32 h = HASH0;
		for (u32 i = 0; i < map_len(v.m); i++) {
			str k = map_key(v.m, i).s;
			h = hash_u64(hash_bytes(h, k.p, k.n), lit_hash(t->elem, map_val(t->elem, v.m, i)));
		}
		return h;
	}
	}
	return hash_u64(HASH0, v.u); /* int, uint, duration */
}

/* lit_order is runtime/cond's order: false for NaN and for types without an order. */
static bool lit_order(const ctype *t, value a, value b, int *c) {
	switch (t->kind) {
	case T_BOOL:
		*c = (int)a.b - (int)b.b;
		return true;
	case T_INT:
	case T_DURATION:
		*c = a.i < b.i ? -1 : a.i > b.i;
		return true;
	case T_UINT:
		*c = a.u < b.u ? -1 : a.u > b.u;
		return true;
	case T_DOUBLE:
		if (is_nan(a.d) || is_nan(b.d))
			return false;
		*c = a.d < b.d ? -1 : a.d > b.d;
		return true;
	case T_STRING:
	case T_BYTES:
		*c = str_cmp(a.s, b.s);
		return true;
	case T_TIMESTAMP:
		*c = a.t.sec != b.t.sec ? (a.t.sec < b.t.sec ? -1 : 1) : (a.t.nsec < b.t.nsec ? -1 : a.t.nsec > b.t.nsec);
		return true;
	}
	return false;
}

/* compare is runtime/cond's compare of two constants. */
static bool compare(u8 op, const ctype *t, value a, value b) {
	if (op == CO_EQ || op == CO_NE)
		return lit_eq(t, a, b, false) == (op == CO_EQ);
	int c;
	if (!lit_order(t, a, b, &c))
		return false;
	switch (op) {
	case CO_LT:
		return c < 0;
	case CO_LE:
		return c <= 0;
	case CO_GT:
		return c > 0;
	case CO_GE:
		return c >= 0;
	}
	return false;
}

/* A sequence of constants of one type. */
typedef struct vals {
	value *v;
	u32 n;
} vals;

static vals vals_new(u32 cap) {
	value *v = cap ? arena_alloc(&rt.scratch, cap * (u32)sizeof *v) : NULL;
	return (vals){v, 0};
}

typedef struct vctx {
	const ctype *t;
	const value *v;
} vctx;

static bool v_eq(const void *ctx, u32 i, const void *key) {
	const vctx *c = ctx;
	return lit_eq(c->t, c->v[i], *(const value *)key, true);
}

/* dedupe drops repeated constants and NaNs, keeping first occurrences in order. */
static vals dedupe(const ctype *t, vals in) {
	vals out = vals_new(in.n);
	htab h;
	if (!out.v || !ht_init(&h, in.n))
		return (vals){NULL, 0};
	vctx ctx = {t, out.v};
	for (u32 i = 0; i < in.n; i++) {
		if (t->kind == T_DOUBLE && is_nan(in.v[i].d))
			continue;
		if (!ht_get(&h, lit_hash(t, in.v[i]), v_eq, &ctx, &in.v[i], true, out.n))
			out.v[out.n++] = in.v[i];
	}
	return out;
}

/* minus returns the constants of a that are not in b. */
static vals minus(const ctype *t, vals a, vals b) {
	vals out = vals_new(a.n);
	htab h;
	if ((a.n && !out.v) || !ht_init(&h, b.n))
		return (vals){NULL, 0};
	vctx ctx = {t, b.v};
	for (u32 i = 0; i < b.n; i++)
		ht_get(&h, lit_hash(t, b.v[i]), v_eq, &ctx, &b.v[i], true, i);
	for (u32 i = 0; i < a.n; i++)
		if (!ht_get(&h, lit_hash(t, a.v[i]), v_eq, &ctx, &a.v[i], false, 0))
			out.v[out.n++] = a.v[i];
	return out;
}

/* The constants of a list, or the keys of a map. */
static vals elems_of(const ctype *t, value v) {
	bool isMap = t->kind == T_MAP;
	u32 n = isMap ? map_len(v.m) : list_len(v.l);
	vals out = vals_new(n);
	if (!out.v)
		return out;
	for (u32 i = 0; i < n; i++)
		out.v[out.n++] = isMap ? map_key(v.m, i) : list_at(v.l, t->elem->kind, i);
	return out;
}

/* ---- Rendering constants ------------------------------------------------------ */

/* put_lit appends a constant in CEL (formatLit) or, with json, in the request's JSON
 * encoding of its type (AppendValueJSON): timestamps RFC 3339, durations as Go writes
 * them, bytes in base64, NaN and the infinities as strings. */
static void put_lit(buf *b, const ctype *t, value v, bool json) {
	switch (t->kind) {
	case T_BOOL:
		buf_cstr(b, v.b ? "true" : "false");
		return;
	case T_INT:
		buf_i64(b, v.i);
		return;
	case T_UINT:
		buf_u64(b, v.u);
		if (!json)
			buf_byte(b, 'u');
		return;
	case T_DOUBLE:
		if (is_nan(v.d) || v.d - v.d != 0) {
			if (json)
				buf_cstr(b, is_nan(v.d) ? "\"NaN\"" : v.d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
			else {
				buf_lit(b, "double(\"");
				buf_double(b, v.d);
				buf_lit(b, "\")");
			}
			return;
		}
		u32 start = b->n;
		buf_double(b, v.d);
		/* In CEL, a double that looks like an integer gets ".0". */
		for (u32 i = start; !json && i < b->n; i++)
			if (b->p[i] == '.' || b->p[i] == 'e')
				return;
		if (!json)
			buf_lit(b, ".0");
		return;
	case T_STRING:
		if (json)
			buf_json_str(b, v.s);
		else
			buf_quote(b, v.s);
		return;
	case T_BYTES:
		if (json) {
			buf_byte(b, '"');
			buf_base64(b, v.s.p, v.s.n);
			buf_byte(b, '"');
		} else {
			buf_byte(b, 'b');
			buf_quote(b, v.s);
		}
		return;
	case T_TIMESTAMP:
	case T_DURATION:
		buf_cstr(b, json ? "\"" : t->kind == T_TIMESTAMP ? "timestamp(\"" : "duration(\"");
		if (t->kind == T_TIMESTAMP)
			buf_timestamp(b, v.t);
		else
			buf_duration(b, v.i);
		buf_cstr(b, json ? "\"" : "\")");
		return;
	}
	/* A list, or a map with its keys in order. */
	bool is_map = t->kind == T_MAP;
	u32 n = is_map ? map_len(v.m) : list_len(v.l);
	buf_byte(b, is_map ? '{' : '[');
	for (u32 i = 0; i < n; i++) {
		if (i)
			buf_cstr(b, json ? "," : ", ");
		if (is_map) {
			put_lit(b, &scalars[T_STRING], map_key(v.m, i), json);
			buf_cstr(b, json ? ":" : ": ");
		}
		put_lit(b, t->elem, is_map ? map_val(t->elem, v.m, i) : list_at(v.l, t->elem->kind, i), json);
	}
	buf_byte(b, is_map ? '}' : ']');
}

/* ---- Values ------------------------------------------------------------------- */

static cval *cv_new(u8 op, const ctype *t) {
	static cval oom; /* what a constructor returns when memory ran out */
	cval *v = alloc(sizeof *v);
	if (!v) {
		oom.op = CV_ATTR;
		oom.t = &scalars[T_BOOL];
		return &oom;
	}
	v->op = op;
	v->t = t;
	return v;
}

cval *cv_attr(str name, const ctype *t) {
	cval *v = cv_new(CV_ATTR, t);
	v->name = name;
	return v;
}

cval *cv_var(str name, const ctype *t) {
	cval *v = cv_new(CV_VAR, t);
	v->name = name;
	return v;
}

cval *cv_size(cval *of) {
	cval *v = cv_new(CV_SIZE, &scalars[T_INT]);
	v->of = of;
	return v;
}

cval *cv_lit(const ctype *t, value x) {
	cval *v = cv_new(CV_LIT, t);
	v->v = x;
	return v;
}

static bool is_lit(const cval *v) { return v->op == CV_LIT; }

/* The renderings are built in the arena after their parts', so that the buffer is
 * the arena's last allocation and grows in place. */
static buf start(void) { return (buf){.a = &rt.arena}; }

static str finish(buf *b, u32 *hash) {
	if (b->err) {
		rt.oom = true; /* out of memory, or a rendering too long to return */
		*hash = 0;
		return S("");
	}
	arena_shrink(&rt.arena, b->p, b->n);
	str s = buf_view(b);
	if (!s.p)
		s = S("");
	*hash = hash_bytes(HASH0, s.p, s.n);
	return s;
}

/* cv_cel returns the value's String(), computed once. */
static str cv_cel(cval *v) {
	if (v->cel.p)
		return v->cel;
	if (v->op == CV_SIZE)
		cv_cel((cval *)v->of);
	buf b = start();
	switch (v->op) {
	case CV_ATTR:
		buf_lit(&b, "resource.");
		buf_str(&b, v->name);
		break;
	case CV_VAR:
		buf_str(&b, v->name);
		break;
	case CV_SIZE:
		buf_lit(&b, "size(");
		buf_str(&b, v->of->cel);
		buf_byte(&b, ')');
		break;
	case CV_LIT:
		put_lit(&b, v->t, v->v, false);
		break;
	}
	v->cel = finish(&b, &v->hash);
	return v->cel;
}

static bool cv_same(cval *a, cval *b) {
	cv_cel(a);
	cv_cel(b);
	return a->hash == b->hash && str_eq(a->cel, b->cel);
}

static void json_val(buf *b, const cval *v) {
	switch (v->op) {
	case CV_ATTR:
		buf_lit(b, "{\"attr\":");
		buf_json_str(b, v->name);
		break;
	case CV_VAR:
		buf_lit(b, "{\"var\":");
		buf_json_str(b, v->name);
		break;
	case CV_SIZE:
		buf_lit(b, "{\"size\":");
		json_val(b, v->of);
		break;
	case CV_LIT: {
		buf_lit(b, "{\"value\":");
		put_lit(b, v->t, v->v, true);
		buf_lit(b, ",\"type\":\"");
		type_str(b, v->t); /* type names need no escaping */
		buf_byte(b, '"');
		break;
	}
	}
	buf_byte(b, '}');
}

/* ---- Conditions: rendering ---------------------------------------------------- */

cond cond_true_node = {.kind = C_CONST, .op = 1, .cel = {(const u8 *)"true", 4}};
cond cond_false_node = {.kind = C_CONST, .op = 0, .cel = {(const u8 *)"false", 5}};

static cond *node(u8 kind) {
	cond *c = alloc(sizeof *c);
	if (!c)
		return NULL;
	c->kind = kind;
	return c;
}

static const char *const op_names[] = {"", "==", "!=", "<", "<=", ">", ">="};
static const char *const fn_names[] = {"", "startsWith", "endsWith", "contains"};

/* is_true_lit: the constant true, which `x == true` renders as x. */
static bool is_true_lit(const cval *v) { return is_lit(v) && v->t->kind == T_BOOL && v->v.b; }

static str cond_str(cond *c);

/* cond_str returns c.String(), computed once. */
static str cond_str(cond *c) {
	if (c->cel.p)
		return c->cel;
	/* The parts first. */
	switch (c->kind) {
	case C_AND:
	case C_OR:
		for (u32 i = 0; i < c->n; i++)
			cond_str(c->terms[i]);
		break;
	case C_NOT:
	case C_QUANT:
		cond_str(c->x);
		break;
	}
	if (c->l)
		cv_cel(c->l);
	if (c->r)
		cv_cel(c->r);
	buf b = start();
	switch (c->kind) {
	case C_AND:
	case C_OR:
		for (u32 i = 0; i < c->n; i++) {
			if (i)
				buf_cstr(&b, c->kind == C_AND ? " && " : " || ");
			cond *t = c->terms[i];
			bool paren = t->kind == C_AND || t->kind == C_OR;
			if (paren)
				buf_byte(&b, '(');
			buf_str(&b, t->cel);
			if (paren)
				buf_byte(&b, ')');
		}
		if (c->n == 0)
			buf_cstr(&b, c->kind == C_AND ? "true" : "false");
		break;
	case C_NOT: {
		cond *x = c->x;
		if (x->kind == C_CMP && x->op == CO_EQ && is_true_lit(x->r)) {
			buf_byte(&b, '!');
			buf_str(&b, x->l->cel);
		} else if (x->kind == C_CMP && x->op == CO_EQ) {
			buf_str(&b, x->l->cel);
			buf_lit(&b, " != ");
			buf_str(&b, x->r->cel);
		} else if (x->kind == C_RES) {
			buf_str(&b, x->cel);
		} else {
			buf_lit(&b, "!(");
			buf_str(&b, x->cel);
			buf_byte(&b, ')');
		}
		break;
	}
	case C_CMP:
		buf_str(&b, c->l->cel);
		if (!(c->op == CO_EQ && is_true_lit(c->r))) {
			buf_byte(&b, ' ');
			buf_cstr(&b, op_names[c->op < countof(op_names) ? c->op : 0]);
			buf_byte(&b, ' ');
			buf_str(&b, c->r->cel);
		}
		break;
	case C_IN:
		buf_str(&b, c->l->cel);
		buf_lit(&b, " in ");
		buf_str(&b, c->r->cel);
		break;
	case C_STR:
		buf_str(&b, c->l->cel);
		buf_byte(&b, '.');
		buf_cstr(&b, fn_names[c->op < countof(fn_names) ? c->op : 0]);
		buf_byte(&b, '(');
		buf_str(&b, c->r->cel);
		buf_byte(&b, ')');
		break;
	case C_MATCH:
		buf_str(&b, c->l->cel);
		buf_lit(&b, ".matches(");
		buf_quote(&b, c->name);
		buf_byte(&b, ')');
		break;
	case C_QUANT:
		buf_str(&b, c->l->cel);
		buf_cstr(&b, c->op ? ".all(" : ".exists(");
		buf_str(&b, c->name);
		buf_lit(&b, ", ");
		buf_str(&b, c->x->cel);
		buf_byte(&b, ')');
		break;
	case C_RES:
		buf_lit(&b, "unplanned(");
		buf_quote(&b, c->name);
		buf_cstr(&b, c->op ? ", true)" : ", false)");
		break;
	}
	c->cel = finish(&b, &c->hash);
	return c->cel;
}

str cond_cel(cond *c) { return cond_str(c); }

static void json_op(buf *b, const char *op, const cval *l, const cval *r) {
	buf_lit(b, "{\"op\":\"");
	buf_cstr(b, op);
	buf_lit(b, "\",\"left\":");
	json_val(b, l);
	buf_lit(b, ",\"right\":");
	json_val(b, r);
	buf_byte(b, '}');
}

void cond_json(buf *b, cond *c) {
	switch (c->kind) {
	case C_CONST:
		buf_str(b, c->cel);
		return;
	case C_AND:
	case C_OR:
		buf_cstr(b, c->kind == C_AND ? "{\"and\":[" : "{\"or\":[");
		for (u32 i = 0; i < c->n; i++) {
			if (i)
				buf_byte(b, ',');
			cond_json(b, c->terms[i]);
		}
		buf_lit(b, "]}");
		return;
	case C_NOT:
		buf_lit(b, "{\"not\":");
		cond_json(b, c->x);
		buf_byte(b, '}');
		return;
	case C_CMP:
		json_op(b, op_names[c->op < countof(op_names) ? c->op : 0], c->l, c->r);
		return;
	case C_IN:
		json_op(b, "in", c->l, c->r);
		return;
	case C_STR:
		json_op(b, fn_names[c->op < countof(fn_names) ? c->op : 0], c->l, c->r);
		return;
	case C_MATCH:
		buf_lit(b, "{\"op\":\"matches\",\"left\":");
		json_val(b, c->l);
		buf_lit(b, ",\"pattern\":");
		buf_json_str(b, c->name);
		buf_byte(b, '}');
		return;
	case C_QUANT:
		buf_cstr(b, c->op ? "{\"op\":\"all\",\"var\":" : "{\"op\":\"exists\",\"var\":");
		buf_json_str(b, c->name);
		buf_lit(b, ",\"in\":");
		json_val(b, c->l);
		buf_lit(b, ",\"where\":");
		cond_json(b, c->x);
		buf_byte(b, '}');
		return;
	case C_RES:
		buf_lit(b, "{\"op\":\"unplanned\",\"expr\":");
		buf_json_str(b, c->name);
		buf_cstr(b, c->op ? ",\"want\":true,\"why\":" : ",\"want\":false,\"why\":");
		buf_json_str(b, c->why);
		buf_lit(b, ",\"what\":");
		buf_json_str(b, c->what);
		buf_lit(b, ",\"at\":");
		buf_json_str(b, c->pos);
		buf_byte(b, '}');
		return;
	}
}

/* ---- Conditions: keys ----------------------------------------------------------- */

/* Terms are keyed by their rendering, except that a residual (at the top of a term)
 * is only ever equal to itself: runtime/cond's key adds its address. */
static u32 key_hash(cond *c) {
	if (c->kind == C_RES)
		return hash_u64(HASH0, (u64)(usize)c);
	cond_str(c);
	return c->hash;
}

static bool key_eq(cond *a, cond *b) {
	if (a->kind == C_RES || b->kind == C_RES)
		return a == b;
	return key_hash(a) == key_hash(b) && str_eq(a->cel, b->cel);
}

static bool c_eq(const void *ctx, u32 i, const void *key) {
	return key_eq(((cond *const *)ctx)[i], (cond *)key);
}

/* ---- Conditions: constructors ------------------------------------------------- */

static cond *quant(bool all, str var, cval *list, cond *body);

static cond *cmp_node(u8 op, cval *l, cval *r) {
	cond *c = node(C_CMP);
	if (!c)
		return COND_FALSE;
	c->op = op;
	c->l = l;
	c->r = r;
	return c;
}

static cond *not_node(cond *x) {
	cond *c = node(C_NOT);
	if (!c)
		return COND_FALSE;
	c->x = x;
	return c;
}

static u8 flip(u8 op) {
	static const u8 f[] = {0, CO_EQ, CO_NE, CO_GT, CO_GE, CO_LT, CO_LE};
	return op < countof(f) ? f[op] : op;
}

static u8 negate(u8 op) {
	static const u8 n[] = {0, CO_NE, CO_EQ, CO_GE, CO_GT, CO_LE, CO_LT};
	return op < countof(n) ? n[op] : op;
}

static cval *bool_lit(bool b) { return cv_lit(&scalars[T_BOOL], (value){.b = b}); }

/* cmp_bool rewrites a comparison of a bool with a constant (false < true) as x or !x. */
static cond *cmp_bool(u8 op, cval *l, bool b) {
	bool yes; /* the result is x (or !x) ... */
	switch (op) {
	case CO_EQ:
		yes = b;
		break;
	case CO_LT: /* x < false never; x < true is !x */
		if (!b)
			return COND_FALSE;
		yes = false;
		break;
	case CO_LE:
		if (b)
			return COND_TRUE;
		yes = false;
		break;
	case CO_GT:
		if (b)
			return COND_FALSE;
		yes = true;
		break;
	case CO_GE:
		if (!b)
			return COND_TRUE;
		yes = true;
		break;
	default:
		return COND_FALSE;
	}
	cond *is_true = cmp_node(CO_EQ, l, bool_lit(true));
	return yes ? is_true : not_node(is_true);
}

cond *c_cmp(u8 op, cval *l, cval *r) {
	if (is_lit(l) && is_lit(r))
		return c_const(compare(op, l->t, l->v, r->v));
	if (op == CO_NE)
		return c_not(c_cmp(CO_EQ, l, r));
	if (is_lit(l)) {
		cval *t = l;
		l = r;
		r = t;
		op = flip(op);
	}
	if (is_lit(r)) {
		switch (r->t->kind) {
		case T_DOUBLE:
			if (is_nan(r->v.d))
				return COND_FALSE; /* NaN is unequal and unordered */
			break;
		case T_BOOL:
			return cmp_bool(op, l, r->v.b);
		case T_INT:
			/* A size is never negative. */
			if (l->op == CV_SIZE) {
				i64 k = r->v.i;
				if ((op == CO_EQ && k < 0) || (op == CO_LT && k <= 0) || (op == CO_LE && k < 0))
					return COND_FALSE;
				if ((op == CO_GT && k < 0) || (op == CO_GE && k <= 0))
					return COND_TRUE;
			}
			break;
		}
	} else if (cv_same(l, r) && !has_double(l->t)) {
		return c_const(op == CO_EQ || op == CO_LE || op == CO_GE);
	}
	return cmp_node(op, l, r);
}

cond *c_not(cond *c) {
	switch (c->kind) {
	case C_CONST:
		return c_const(!c->op);
	case C_NOT:
		return c->x;
	case C_AND:
	case C_OR: {
		arena_mark m = arena_save(&rt.scratch);
		cond **out = tmp(c->n * (u32)sizeof *out + 1);
		if (!out)
			return COND_FALSE;
		for (u32 i = 0; i < c->n; i++)
			out[i] = c_not(c->terms[i]);
		return scratch_end(m, c->kind == C_AND ? c_or(out, c->n) : c_and(out, c->n));
	}
	case C_CMP:
		if (c->op == CO_NE)
			return c_cmp(CO_EQ, c->l, c->r);
		if (c->op == CO_EQ) {
			if (is_lit(c->r) && c->l->t->kind == T_BOOL && c->r->t->kind == T_BOOL)
				return c_cmp(CO_EQ, c->l, bool_lit(!c->r->v.b));
		} else if (c->l->t->kind != T_DOUBLE) {
			/* Without NaN, !(a < b) is a >= b. */
			return c_cmp(negate(c->op), c->l, c->r);
		}
		break;
	case C_QUANT:
		return quant(!c->op, c->name, c->l, c_not(c->x));
	}
	return not_node(c);
}

static bool member(const ctype *ct, value elem, value coll) {
	if (ct->kind == T_LIST) {
		for (u32 i = 0; i < list_len(coll.l); i++)
			if (lit_eq(ct->elem, elem, list_at(coll.l, ct->elem->kind, i), false))
				return true;
	} else if (ct->kind == T_MAP) {
		return coll.m && map_find(coll.m, T_STRING, elem) >= 0;
	}
	return false;
}

cond *c_member(cval *elem, cval *coll) {
	if (is_lit(elem) && is_lit(coll))
		return c_const(member(coll->t, elem->v, coll->v));
	if (!is_lit(coll)) {
		cond *c = node(C_IN);
		if (!c)
			return COND_FALSE;
		c->l = elem;
		c->r = coll;
		return c;
	}
	if (coll->t->kind != T_LIST && coll->t->kind != T_MAP)
		return COND_FALSE;
	/* A map's keys are strings, sorted as runtime/cond sorts them. */
	const ctype *et = coll->t->kind == T_MAP ? &scalars[T_STRING] : coll->t->elem;
	arena_mark m = arena_save(&rt.scratch);
	vals es = dedupe(et, elems_of(coll->t, coll->v));
	if (es.n == 0)
		return scratch_end(m, COND_FALSE);
	if (es.n == 1)
		return scratch_end(m, c_cmp(CO_EQ, elem, cv_lit(elem->t, es.v[0])));
	cond *c = node(C_IN);
	if (!c)
		return scratch_end(m, COND_FALSE);
	c->l = elem;
	c->r = cv_lit(ctype_list(elem->t), (value){.l = pack(elem->t, es.v, es.n)});
	return scratch_end(m, c);
}

static bool has_prefix(str s, str p) { return s.n >= p.n && (p.n == 0 || memcmp(s.p, p.p, p.n) == 0); }

cond *c_strop(u8 fn, cval *s, cval *arg) {
	if (is_lit(arg) && arg->t->kind == T_STRING && arg->v.s.n == 0)
		return COND_TRUE; /* every string starts with, ends with and contains "" */
	if (is_lit(s) && is_lit(arg)) {
		str x = s->v.s, y = arg->v.s;
		bool yes = false;
		if (fn == CS_STARTS_WITH)
			yes = has_prefix(x, y);
		else if (fn == CS_ENDS_WITH)
			yes = x.n >= y.n && memcmp(x.p + x.n - y.n, y.p, y.n) == 0;
		else
			for (u32 i = 0; !yes && i + y.n <= x.n; i++)
				yes = memcmp(x.p + i, y.p, y.n) == 0;
		return c_const(yes);
	}
	cond *c = node(C_STR);
	if (!c)
		return COND_FALSE;
	c->op = fn;
	c->l = s;
	c->r = arg;
	return c;
}

cond *c_match(cval *s, str pattern) {
	/* Plans compute a matches() on a known string whole (cond.h). */
	if (!RT_ASSERT(!is_lit(s)))
		return COND_FALSE;
	cond *c = node(C_MATCH);
	if (!c)
		return COND_FALSE;
	c->l = s;
	c->name = pattern;
	return c;
}

cond *c_residual(str expr, str why, bool want, str what, str pos) {
	cond *c = node(C_RES);
	if (!c)
		return COND_FALSE;
	c->name = expr;
	c->why = why;
	c->op = want;
	c->what = what;
	c->pos = pos;
	return c;
}

/* mentions_val and mentions report whether v is used freely. */
static bool mentions_val(const cval *x, str v) {
	for (; x; x = x->op == CV_SIZE ? x->of : NULL)
		if (x->op == CV_VAR && str_eq(x->name, v))
			return true;
	return false;
}

static bool mentions(const cond *c, str v) {
	switch (c->kind) {
	case C_AND:
	case C_OR:
		for (u32 i = 0; i < c->n; i++)
			if (mentions(c->terms[i], v))
				return true;
		return false;
	case C_NOT:
		return mentions(c->x, v);
	case C_CMP:
	case C_IN:
	case C_STR:
		return mentions_val(c->l, v) || mentions_val(c->r, v);
	case C_MATCH:
		return mentions_val(c->l, v);
	case C_QUANT:
		return mentions_val(c->l, v) || (!str_eq(c->name, v) && mentions(c->x, v));
	}
	return false;
}

static cond *quant(bool all, str var, cval *list, cond *body) {
	/* Plans unroll macros over known lists themselves (cond.h). */
	if (!RT_ASSERT(!is_lit(list)))
		return COND_FALSE;
	if (!mentions(body, var)) {
		/* The body is the same for every element: only emptiness matters. */
		cval *zero = cv_lit(&scalars[T_INT], (value){.i = 0});
		if (all)
			return c_or2(body, c_cmp(CO_EQ, cv_size(list), zero));
		return c_and2(body, c_cmp(CO_GT, cv_size(list), zero));
	}
	cond *c = node(C_QUANT);
	if (!c)
		return COND_FALSE;
	c->op = all;
	c->name = var;
	c->l = list;
	c->x = body;
	return c;
}

cond *c_quant(bool all, str var, cval *list, cond *body) { return quant(all, var, list, body); }

/* ---- Junctions ------------------------------------------------------------------ */

/* A term that tests one value against a set of constants: x in elems, or with neg,
 * x not in elems. */
typedef struct set_term {
	cval *x;
	vals elems;
	bool neg;
} set_term;

static bool as_set_term(cond *c, set_term *st) {
	st->neg = false;
	if (c->kind == C_NOT) {
		c = c->x;
		st->neg = true;
	}
	if (c->kind == C_CMP && c->op == CO_EQ && is_lit(c->r) && !is_lit(c->l) && c->l->t->kind != T_BOOL) {
		st->x = c->l;
		st->elems = vals_new(1);
		if (st->elems.v)
			st->elems.v[st->elems.n++] = c->r->v;
		return true;
	}
	if (c->kind == C_IN && is_lit(c->r) && c->r->t->kind == T_LIST) {
		st->x = c->l;
		st->elems = elems_of(c->r->t, c->r->v);
		return true;
	}
	return false;
}

static bool cv_eq(const void *ctx, u32 i, const void *key) {
	return cv_same(((cval *const *)ctx)[i], (cval *)key);
}

/* unite is the constants of all the sets; intersect those in every set. */
static vals unite(const ctype *t, vals *sets, u32 n) {
	u32 total = 0;
	for (u32 i = 0; i < n; i++)
		total += sets[i].n;
	vals all = vals_new(total);
	for (u32 i = 0; all.v && i < n; i++)
		for (u32 j = 0; j < sets[i].n; j++)
			all.v[all.n++] = sets[i].v[j];
	return dedupe(t, all);
}

static vals intersect(const ctype *t, vals *sets, u32 n) {
	if (n == 0)
		return (vals){NULL, 0};
	vals out = dedupe(t, sets[0]);
	for (u32 i = 1; i < n; i++)
		out = minus(t, out, minus(t, out, sets[i]));
	return out;
}

/* merge_sets combines the terms of one junction that test the same value against
 * constants into one membership test per value. */
static void merge_sets(bool is_and, conds *terms) {
	u32 n = terms->n;
	if (n < 2)
		return;
	set_term *st = tmp(n * (u32)sizeof *st + 1);
	i32 *group = tmp(n * (u32)sizeof *group + 1);
	cval **xs = tmp(n * (u32)sizeof *xs + 1); /* each group's value, by group */
	u32 *count = tmp(n * (u32)sizeof *count + 1), *first = tmp(n * (u32)sizeof *first + 1);
	htab h;
	if (!st || !group || !xs || !count || !first || !ht_init(&h, n))
		return;
	u32 ngroups = 0;
	bool merge = false;
	for (u32 i = 0; i < n; i++) {
		group[i] = -1;
		if (!as_set_term(terms->c[i], &st[i]))
			continue;
		cv_cel(st[i].x);
		u32 g = ht_get(&h, st[i].x->hash, cv_eq, xs, st[i].x, true, ngroups);
		if (g == 0) {
			g = ++ngroups;
			xs[g - 1] = st[i].x;
			first[g - 1] = i;
		}
		group[i] = (i32)g - 1;
		merge |= ++count[g - 1] >= 2;
	}
	if (!merge)
		return;
	cond **merged = tmp(ngroups * (u32)sizeof *merged + 1);
	vals *pos = tmp(n * (u32)sizeof *pos + 1), *neg = tmp(n * (u32)sizeof *neg + 1);
	if (!merged || !pos || !neg)
		return;
	for (u32 g = 0; g < ngroups; g++) {
		if (count[g] < 2)
			continue;
		/* In a conjunction, positive sets intersect and negative ones unite; in a
		 * disjunction, the other way round. Then x in P and x not in N combine. */
		u32 np = 0, nn = 0;
		for (u32 i = first[g]; i < n; i++) {
			if (group[i] != (i32)g)
				continue;
			if (st[i].neg)
				neg[nn++] = st[i].elems;
			else
				pos[np++] = st[i].elems;
		}
		cval *x = xs[g];
		const ctype *t = x->t, *lt = ctype_list(t);
		vals p = is_and ? intersect(t, pos, np) : unite(t, pos, np);
		vals q = is_and ? unite(t, neg, nn) : intersect(t, neg, nn);
		cond *c;
#define LIT(vs) cv_lit(lt, (value){.l = pack(t, (vs).v, (vs).n)})
		if (np && nn && is_and)
			c = c_member(x, LIT(minus(t, p, q)));
		else if (np && nn)
			c = c_not(c_member(x, LIT(minus(t, q, p))));
		else if (np)
			c = c_member(x, LIT(p));
		else
			c = c_not(c_member(x, LIT(q)));
#undef LIT
		merged[g] = c;
	}
	u32 k = 0;
	for (u32 i = 0; i < n; i++) {
		i32 g = group[i];
		if (g < 0 || count[g] < 2)
			terms->c[k++] = terms->c[i];
		else if (first[g] == i)
			terms->c[k++] = merged[g];
	}
	terms->n = k;
}

/* parts is a term's conjuncts in a disjunction (or disjuncts in a conjunction): the
 * sub-terms of the dual junction, or the term itself. */
static cond *const *parts(bool is_and, cond *const *t, u32 *n) {
	if ((*t)->kind == (is_and ? C_OR : C_AND)) {
		*n = (*t)->n;
		return (*t)->terms;
	}
	*n = 1;
	return t;
}

static bool has_key(cond *const *ps, u32 n, cond *k) {
	for (u32 i = 0; i < n; i++)
		if (key_eq(ps[i], k))
			return true;
	return false;
}

/* absorb drops, from a disjunction, every conjunction that has all the conjuncts of
 * another term (x || (x && y) is x), and dually from a conjunction, as runtime/cond
 * does: each term i in order drops every later term j of as many parts, and every
 * term of more parts, that has all of i's parts. A term that is not a junction (an
 * atom) is never dropped, since terms are distinct, and drops exactly the junctions
 * that have it as a part, whatever the order: that takes a hash table, not a
 * quadratic pass, so that a plan of thousands of grants stays linear in them. */
#define MAX_ABSORB 2000
static void absorb(bool is_and, conds *terms) {
	u32 n = terms->n;
	if (n < 2 || n > MAX_ABSORB)
		return;
	cond **ts = (cond **)terms->c;
	u8 dual = is_and ? C_OR : C_AND;
	bool *dropped = tmp(n);
	htab atoms;
	if (!dropped || !ht_init(&atoms, n))
		return;
	for (u32 i = 0; i < n; i++)
		if (ts[i]->kind != dual)
			ht_get(&atoms, key_hash(ts[i]), c_eq, ts, ts[i], true, i);
	for (u32 j = 0; j < n; j++)
		for (u32 k = 0; ts[j]->kind == dual && !dropped[j] && k < ts[j]->n; k++)
			dropped[j] = ht_get(&atoms, key_hash(ts[j]->terms[k]), c_eq, ts, ts[j]->terms[k], false, 0) != 0;
	// Junctions among themselves, in the Go code's order. Each one's parts' hashes,
	// sorted, reject most pairs without comparing a part.
	u32 **hs = tmp(n * (u32)sizeof *hs);
	for (u32 i = 0; hs && i < n; i++) {
		cond *a = ts[i];
		if (a->kind != dual || dropped[i] || !(hs[i] = tmp(a->n * 4)))
			continue;
		for (u32 k = 0; k < a->n; k++) {
			u32 h = key_hash(a->terms[k]), m = k;
			for (; m > 0 && hs[i][m - 1] > h; m--)
				hs[i][m] = hs[i][m - 1];
			hs[i][m] = h;
		}
	}
	for (u32 i = 0; hs && i < n; i++) {
		cond *a = ts[i];
		for (u32 j = 0; hs[i] && !dropped[i] && j < n; j++) {
			cond *b = ts[j];
			if (i == j || !hs[j] || dropped[j] || a->n > b->n || (a->n == b->n && i > j))
				continue;
			bool subset = true;
			for (u32 k = 0, m = 0; subset && k < a->n; k++, m++) {
				while (m < b->n && hs[j][m] < hs[i][k])
					m++;
				subset = m < b->n && hs[j][m] == hs[i][k];
			}
			for (u32 k = 0; subset && k < a->n; k++)
				subset = has_key(b->terms, b->n, a->terms[k]);
			dropped[j] = subset;
		}
	}
	u32 k = 0;
	for (u32 i = 0; i < n; i++)
		if (!dropped[i])
			ts[k++] = ts[i];
	terms->n = k;
}

/* factor pulls out the terms every member of a junction shares: (a && x) || (b && x)
 * is x && (a || b); dually (a || x) && (b || x) is x || (a && b). NULL when nothing is
 * shared. */
static cond *factor(bool is_and, cond *const *terms, u32 n) {
	if (n < 2)
		return NULL;
	u32 nc;
	cond *const *common = parts(is_and, &terms[0], &nc);
	bool *gone = tmp(nc + 1);
	if (!gone)
		return NULL;
	u32 left = nc;
	for (u32 i = 1; i < n; i++) {
		u32 np;
		cond *const *ps = parts(is_and, &terms[i], &np);
		for (u32 k = 0; k < nc; k++)
			if (!gone[k] && !has_key(ps, np, common[k])) {
				gone[k] = true;
				left--;
			}
		if (left == 0)
			return NULL;
	}
	cond **shared = tmp((left + 1) * (u32)sizeof *shared);
	cond **rests = tmp(n * (u32)sizeof *rests);
	if (!shared || !rests)
		return NULL;
	u32 ns = 0;
	for (u32 k = 0; k < nc; k++)
		if (!gone[k])
			shared[ns++] = common[k];
	for (u32 i = 0; i < n; i++) {
		u32 np, nr = 0;
		cond *const *ps = parts(is_and, &terms[i], &np);
		cond **rest = tmp(np * (u32)sizeof *rest + 1);
		if (!rest)
			return NULL;
		for (u32 k = 0; k < np; k++) {
			bool shared_k = false;
			for (u32 j = 0; !shared_k && j < nc; j++)
				shared_k = !gone[j] && key_eq(common[j], ps[k]);
			if (!shared_k)
				rest[nr++] = ps[k];
		}
		rests[i] = is_and ? c_or(rest, nr) : c_and(rest, nr);
	}
	shared[ns++] = is_and ? c_and(rests, n) : c_or(rests, n);
	return is_and ? c_or(shared, ns) : c_and(shared, ns);
}

/* add flattens c into terms (a junction of c's kind holds no junction of its kind);
 * false when c is the junction's zero. */
static bool add(bool is_and, conds *terms, cond *c) {
	if (c->kind == C_CONST)
		return c->op == is_and; /* the unit is dropped */
	if (c->kind == (is_and ? C_AND : C_OR)) {
		for (u32 i = 0; i < c->n; i++)
			if (!add(is_and, terms, c->terms[i]))
				return false;
		return true;
	}
	if (RT_ASSERT(terms->n < terms->cap))
		terms->c[terms->n++] = c;
	return true;
}

static cond *junction_in(bool is_and, cond *const *cs, u32 n) {
	cond *unit = c_const(is_and), *zero = c_const(!is_and);
	u32 size = 0;
	for (u32 i = 0; i < n; i++)
		size += cs[i] && cs[i]->kind == (is_and ? C_AND : C_OR) ? cs[i]->n : 1;
	conds terms = {tmp(size * (u32)sizeof(cond *) + 1), 0, size};
	if (!terms.c)
		return zero;
	for (u32 i = 0; i < n; i++)
		if (cs[i] && !add(is_and, &terms, cs[i]))
			return zero;
	merge_sets(is_and, &terms);
	/* Equal terms merge. */
	conds out = {tmp(terms.n * (u32)sizeof(cond *) + 1), 0, terms.n};
	htab seen;
	if (!out.c || !ht_init(&seen, terms.n))
		return zero;
	for (u32 i = 0; i < terms.n; i++) {
		cond *t = terms.c[i];
		if (t->kind == C_CONST) {
			if (t == zero)
				return zero;
			continue;
		}
		if (!ht_get(&seen, key_hash(t), c_eq, out.c, t, true, out.n))
			out.c[out.n++] = t;
	}
	/* A term and its negation. */
	for (u32 i = 0; i < out.n; i++) {
		cond *t = out.c[i];
		if (t->kind == C_NOT || t->kind == C_CMP) {
			cond *nt = c_not(t);
			if (ht_get(&seen, key_hash(nt), c_eq, out.c, nt, false, 0))
				return zero;
		}
	}
	absorb(is_and, &out);
	cond *f = factor(is_and, (cond *const *)out.c, out.n);
	if (f)
		return f;
	if (out.n == 0)
		return unit;
	if (out.n == 1)
		return out.c[0];
	cond *c = node(is_and ? C_AND : C_OR);
	cond **terms_kept = alloc(out.n * (u32)sizeof(cond *));
	if (!c || !terms_kept)
		return zero;
	memcpy(terms_kept, out.c, out.n * sizeof(cond *));
	c->n = out.n;
	c->terms = terms_kept;
	return c;
}

static cond *junction(bool is_and, cond *const *cs, u32 n) {
	arena_mark m = arena_save(&rt.scratch);
	return scratch_end(m, junction_in(is_and, cs, n));
}

cond *c_and(cond *const *terms, u32 n) { return junction(true, terms, n); }
cond *c_or(cond *const *terms, u32 n) { return junction(false, terms, n); }

cond *c_and2(cond *a, cond *b) {
	cond *t[2] = {a, b};
	return junction(true, t, 2);
}

cond *c_or2(cond *a, cond *b) {
	cond *t[2] = {a, b};
	return junction(false, t, 2);
}
