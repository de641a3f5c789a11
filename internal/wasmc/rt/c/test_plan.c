// test_plan.c: the test build's entry points for query plans (build.sh, -DPERMC_TEST),
// which the Go tests compare with package runtime/cond.
//
// t_cond builds conditions with cond.h's constructors from a script, a JSON array of
// constructor calls, and answers each one's CEL rendering and JSON, a line each:
//
//	cond:  true | false | {"and": [cond...]} | {"or": [cond...]} | {"not": cond}
//	       | {"cmp": OP, "l": val, "r": val} | {"member": [val, val]}
//	       | {"str": FN, "s": val, "arg": val} | {"match": val, "pattern": "..."}
//	       | {"quant": ALL, "var": "x", "list": val, "body": cond}
//	       | {"res": "expr", "why": "...", "want": bool, "what": "...", "pos": "..."}
//	       | {"ref": I}   the same node as the I-th condition built (each after
//	                      its operands)
//	val:   {"attr": "name", "type": T} | {"var": "name", "type": T} | {"size": val}
//	       | {"lit": X, "type": T}
//
// OP and FN are cond.h's numbers, T a type as runtime/cond writes it ("int",
// "list(string)", "map(string, int)"), and X a constant in the request's JSON encoding
// of its type (durations as nanoseconds).
#ifndef PERMC_TEST
#error test_plan.c is only in the test build
#endif

#include "abi.h"
#include "cond.h"
#include "json.h"
#include "num.h"
#include "text.h"
#include "time.h"

// The test build's calls (test.c).
u64 t_call(u32 ptr, u32 n, int (*fn)(str in, buf *out));

typedef struct script {
	cond **done;
	u32 n, cap;
	bool bad;
} script;

static const jnode *field(const jnode *obj, const char *key) {
	return j_get(obj, str_of(key, (u32)strlen(key)));
}

static bool has_prefix(str s, const char *p, str *rest) {
	u32 n = (u32)strlen(p);
	if (s.n < n || memcmp(s.p, p, n) != 0)
		return false;
	*rest = (str){s.p + n, s.n - n};
	return true;
}

static const ctype *parse_type(str s, script *sc) {
	static const char *const names[] = {"", "bool", "int", "uint", "double", "string", "bytes", "timestamp", "duration"};
	str in;
	if (has_prefix(s, "list(", &in) && in.n && in.p[in.n - 1] == ')')
		return ctype_list(parse_type((str){in.p, in.n - 1}, sc));
	if (has_prefix(s, "map(string, ", &in) && in.n && in.p[in.n - 1] == ')')
		return ctype_map(parse_type((str){in.p, in.n - 1}, sc));
	for (u8 k = T_BOOL; k <= T_DURATION; k++)
		if (str_eq(s, str_of(names[k], (u32)strlen(names[k]))))
			return ctype_scalar(k);
	sc->bad = true;
	return ctype_scalar(T_BOOL);
}

static value parse_lit(const jnode *j, const ctype *t, script *sc) {
	value v = {0};
	str s = j_str(j);
	switch (t->kind) {
	case T_BOOL:
		v.b = j_kind(j) == J_BOOL && j_bool(j);
		break;
	case T_INT:
	case T_DURATION:
		sc->bad |= rt_parse_int(s, &v.i) != ERR_NONE;
		break;
	case T_UINT:
		sc->bad |= rt_parse_uint(s, &v.u) != ERR_NONE;
		break;
	case T_DOUBLE:
		sc->bad |= rt_parse_double(s, &v.d) != ERR_NONE;
		break;
	case T_STRING:
		v.s = s;
		break;
	case T_BYTES: {
		buf b = {.a = &rt.arena};
		sc->bad |= !base64_decode(&b, s);
		v.s = buf_view(&b);
		break;
	}
	case T_TIMESTAMP: {
		rt_time tm;
		sc->bad |= rt_parse_timestamp(s, &tm) != ERR_NONE;
		v.t = tm;
		break;
	}
	case T_LIST: {
		u32 n = j_len(j), size = elem_size(t->elem->kind);
		list *l = arena_alloc(&rt.arena, sizeof *l);
		u8 *data = arena_alloc(&rt.arena, n * size + 1);
		if (!l || !data) {
			sc->bad = true;
			break;
		}
		const jnode *e = j_first(j);
		for (u32 i = 0; i < n; i++, e = j_next(e))
			elem_store(data + i * size, t->elem->kind, parse_lit(e, t->elem, sc));
		*l = (list){n, data};
		v.l = l;
		break;
	}
	case T_MAP: {
		// The keys come sorted, as the runtime's maps hold them.
		u32 n = j_len(j), size = elem_size(t->elem->kind);
		map *m = arena_alloc(&rt.arena, sizeof *m);
		u8 *keys = arena_alloc(&rt.arena, n * elem_size(T_STRING) + 1), *vals = arena_alloc(&rt.arena, n * size + 1);
		if (!m || !keys || !vals) {
			sc->bad = true;
			break;
		}
		const jnode *k = j_first(j);
		for (u32 i = 0; i < n; i++, k = j_next(k + 1)) {
			elem_store(keys + i * elem_size(T_STRING), T_STRING, (value){.s = j_str(k)});
			elem_store(vals + i * size, t->elem->kind, parse_lit(k + 1, t->elem, sc));
		}
		*m = (map){n, keys, vals};
		v.m = m;
		break;
	}
	}
	return v;
}

static cval *parse_val(const jnode *j, script *sc) {
	const jnode *x;
	if (j_kind(j) != J_OBJECT) {
		sc->bad = true;
		return cv_lit(ctype_scalar(T_BOOL), (value){0});
	}
	if ((x = field(j, "size")))
		return cv_size(parse_val(x, sc));
	const jnode *tj = field(j, "type");
	const ctype *t = parse_type(tj ? j_str(tj) : S(""), sc);
	if ((x = field(j, "attr")))
		return cv_attr(j_str(x), t);
	if ((x = field(j, "var")))
		return cv_var(j_str(x), t);
	if ((x = field(j, "lit")))
		return cv_lit(t, parse_lit(x, t, sc));
	sc->bad = true;
	return cv_lit(t, (value){0});
}

static cond *parse_call(const jnode *j, script *sc);

static cond *parse_cond(const jnode *j, script *sc) {
	cond *c = parse_call(j, sc);
	if (sc->n < sc->cap)
		sc->done[sc->n++] = c;
	return c;
}

static cond *parse_call(const jnode *j, script *sc) {
	if (j_kind(j) == J_BOOL)
		return c_const(j_bool(j));
	if (j_kind(j) != J_OBJECT) {
		sc->bad = true;
		return COND_FALSE;
	}
	const jnode *x;
	i64 k = 0;
	if ((x = field(j, "and")) || (x = field(j, "or"))) {
		u32 n = j_len(x);
		cond **cs = arena_alloc(&rt.arena, n * (u32)sizeof *cs + 1);
		if (!cs)
			return COND_FALSE;
		const jnode *e = j_first(x);
		for (u32 i = 0; i < n; i++, e = j_next(e))
			cs[i] = parse_cond(e, sc);
		return field(j, "and") ? c_and(cs, n) : c_or(cs, n);
	}
	if ((x = field(j, "not")))
		return c_not(parse_cond(x, sc));
	if ((x = field(j, "cmp"))) {
		rt_parse_int(j_str(x), &k);
		cval *l = parse_val(field(j, "l"), sc);
		return c_cmp((u8)k, l, parse_val(field(j, "r"), sc));
	}
	if ((x = field(j, "member"))) {
		cval *e = parse_val(j_first(x), sc);
		return c_member(e, parse_val(j_next(j_first(x)), sc));
	}
	if ((x = field(j, "str"))) {
		rt_parse_int(j_str(x), &k);
		cval *s = parse_val(field(j, "s"), sc);
		return c_strop((u8)k, s, parse_val(field(j, "arg"), sc));
	}
	if ((x = field(j, "match")))
		return c_match(parse_val(x, sc), j_str(field(j, "pattern")));
	if ((x = field(j, "quant"))) {
		cval *l = parse_val(field(j, "list"), sc);
		return c_quant(j_bool(x), j_str(field(j, "var")), l, parse_cond(field(j, "body"), sc));
	}
	if ((x = field(j, "res")))
		return c_residual(j_str(x), j_str(field(j, "why")), j_bool(field(j, "want")), j_str(field(j, "what")),
		                  j_str(field(j, "pos")));
	if ((x = field(j, "ref"))) {
		rt_parse_int(j_str(x), &k);
		if (k >= 0 && (u64)k < sc->n)
			return sc->done[k];
	}
	sc->bad = true;
	return COND_FALSE;
}

static int cond_fn(str in, buf *out) {
	jerror e;
	const jnode *doc = json_parse(&rt.arena, &rt.scratch, in.p, in.n, &e);
	if (!doc || j_kind(doc) != J_ARRAY) {
		buf_lit(out, "bad script");
		return ST_REJECTED;
	}
	// A script has fewer calls than half its bytes.
	script sc = {arena_alloc(&rt.arena, (in.n / 2 + 1) * (u32)sizeof(cond *)), 0, in.n / 2 + 1, false};
	if (!sc.done)
		return ST_OK;
	const jnode *c = j_first(doc);
	for (u32 i = 0; i < j_len(doc); i++, c = j_next(c)) {
		cond *x = parse_cond(c, &sc);
		buf_str(out, cond_cel(x));
		buf_byte(out, '\n');
		cond_json(out, x);
		buf_byte(out, '\n');
	}
	if (sc.bad) {
		out->n = 0;
		buf_lit(out, "bad script");
		return ST_REJECTED;
	}
	return ST_OK;
}
export u64 t_cond(u32 p, u32 n) { return t_call(p, n, cond_fn); }
