// decode.c: a request's JSON into a request (engine.h), driven by the program's
// object layouts.
//
// It replicates the decoder permc generates in Go (gen/json.go and the helpers of
// runtime/request.go): the same keys checked in the same order, so that a request
// with several problems gets the same one reported, and the same messages. A value's
// path (principal.roles[2].scope.org) is a chain of frames on the C stack, turned
// into text only for an error's message. Values go into rt.arena, in the packed form
// of value.h; strings without escapes stay views of the request.
#include "engine.h"
#include "json.h"
#include "num.h"
#include "state.h"
#include "text.h"
#include "time.h"

// ---- Paths and messages --------------------------------------------------------

enum { P_ROOT, P_FIELD, P_INDEX, P_KEY };

// A path: its parent, then ".name" (P_FIELD), "[i]" (P_INDEX) or "[\"key\"]"
// (P_KEY); a root is its text.
typedef struct path {
	const struct path *up;
	u8 kind;
	u32 i;
	str s;
} path;

static void buf_path(buf *b, const path *p) {
	if (p->up)
		buf_path(b, p->up);
	switch (p->kind) {
	case P_ROOT:
		buf_str(b, p->s);
		break;
	case P_FIELD:
		buf_byte(b, '.');
		buf_str(b, p->s);
		break;
	case P_INDEX:
		buf_byte(b, '[');
		buf_u64(b, p->i);
		buf_byte(b, ']');
		break;
	default:
		buf_byte(b, '[');
		buf_quote(b, p->s);
		buf_byte(b, ']');
	}
}

#define ROOT(text) ((path){NULL, P_ROOT, 0, S(text)})

// The decoder: where the message of the first problem goes.
typedef struct dec {
	buf *msg;
	request *q;
} dec;

// at starts a message with the path and ": ".
static buf *at(dec *d, const path *p) {
	buf_path(d->msg, p);
	buf_lit(d->msg, ": ");
	return d->msg;
}

// wrong is "where: want <want>, not <kind>" (runtime's wrongKind).
static bool wrong(dec *d, const path *p, const char *want, const jnode *j) {
	buf *b = at(d, p);
	buf_lit(b, "want ");
	buf_cstr(b, want);
	buf_lit(b, ", not ");
	buf_str(b, j_kind_name(j_kind(j)));
	return false;
}

// want_object is runtime.WantObject.
hot bool want_object(dec *d, const jnode *j, const path *p) {
	return likely(j_kind(j) == J_OBJECT) || wrong(d, p, "an object", j);
}

// not_string is want_string's error.
static bool not_string(dec *d, const jnode *j, const path *p) {
	if (j)
		return wrong(d, p, "a string", j);
	buf_path(d->msg, p);
	buf_lit(d->msg, " is required");
	return false;
}

// want_string is runtime.WantString: a required string.
hot bool want_string(dec *d, const jnode *j, const path *p, str *out) {
	if (unlikely(!j || j_kind(j) != J_STRING))
		return not_string(d, j, p);
	*out = j_str(j);
	return true;
}

// required is "<what> is required".
static bool required(dec *d, const char *what) {
	buf_cstr(d->msg, what);
	buf_lit(d->msg, " is required");
	return false;
}

// nonnull is runtime.Field's test: a member's value, or NULL when it is absent or
// null.
hot const jnode *nonnull(const jnode *v) { return v && j_kind(v) != J_NULL ? v : NULL; }

// members reads the members of the object j, whose keys must each be one of
// allowed (n of them, at most 8), in one pass: v[k] is the value of allowed[k], or
// NULL. The first key that is not allowed is the error, as runtime.CheckKeys
// reports it.
static bool members(dec *d, const jnode *j, const path *p, const str *allowed, u32 n, const jnode **v) {
	for (u32 i = 0; i < n; i++)
		v[i] = NULL;
	const jnode *k = j_first(j);
	for (u32 m = 0; m < j_len(j); m++, k = j_next(k + 1)) {
		str key = j_str(k);
		u32 i = 0;
		while (i < n && !same(key, allowed[i]))
			i++;
		if (i < n) {
			v[i] = k + 1;
			continue;
		}
		buf *b = at(d, p);
		buf_lit(b, "unknown key ");
		buf_quote(b, key);
		buf_did_you_mean(b, key, allowed, n);
		return false;
	}
	return true;
}

// attr_names lists the declared attributes of o (not its implicit id), in
// declaration order, for "did you mean".
static str *attr_names(const prog_object *o, u32 *n) {
	const prog_attr *attrs = PROG(prog_attr, o->attrs);
	str *out = arena_alloc(&rt.arena, (o->nattrs ? o->nattrs : 1) * (u32)sizeof(str));
	*n = 0;
	for (u32 i = 0; out && i < o->nattrs; i++)
		if (!attrs[i].implicit)
			out[(*n)++] = prog_s(attrs[i].name);
	return out;
}

// find_attr returns the slot of o's declared attribute called name, or -1: by a
// scan of the few attributes of most objects, else by binary search.
static i32 find_attr(const prog_object *o, str name) {
	const prog_attr *attrs = PROG(prog_attr, o->attrs);
	if (o->nattrs <= 16) {
		for (u32 i = 0; i < o->nattrs; i++)
			if (!attrs[i].implicit && same(prog_s(attrs[i].name), name))
				return (i32)i;
		return -1;
	}
	const u32 *sorted = PROG(u32, o->sorted);
	u32 lo = 0, hi = o->nattrs;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const prog_attr *a = &attrs[sorted[mid]];
		int c = str_cmp(prog_s(a->name), name);
		if (c == 0)
			return a->implicit ? -1 : (i32)sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

// ---- Values --------------------------------------------------------------------

static bool decode_value(dec *d, const prog_type *t, const jnode *j, const path *p, value *out);

// parsed reports a parse error of a value: "where: <the error's message>".
static bool parsed(dec *d, const path *p, rt_err e) {
	if (e == ERR_NONE)
		return true;
	buf_str(at(d, p), rt_err_msg(e));
	return false;
}

static noinline bool decode_list(dec *d, const prog_type *t, const jnode *j, const path *p, value *out) {
	if (j_kind(j) != J_ARRAY)
		return wrong(d, p, "an array", j);
	const prog_type *et = type_at(t->elem);
	u32 n = j_len(j), size = elem_size(et->kind);
	if (n == 0) {
		out->l = &empty_list;
		return true;
	}
	list *l = list_new(et->kind, n);
	if (!l)
		return false;
	const jnode *e = j_first(j);
	for (u32 i = 0; i < n; i++, e = j_next(e)) {
		path ep = {p, P_INDEX, i, {NULL, 0}};
		value v;
		if (!decode_value(d, et, e, &ep, &v))
			return false;
		elem_store((u8 *)l->data + i * size, et->kind, v);
	}
	out->l = l;
	return true;
}

static noinline bool decode_map(dec *d, const prog_type *t, const jnode *j, const path *p, value *out) {
	if (j_kind(j) != J_OBJECT)
		return wrong(d, p, "an object", j);
	const prog_type *vt = type_at(t->elem);
	u32 n = j_len(j), vs = elem_size(vt->kind);
	if (n == 0) {
		out->m = &empty_map;
		return true;
	}
	u8 *keys = arena_alloc(&rt.arena, n * 8), *vals = arena_alloc(&rt.arena, n * vs);
	if (!keys || !vals)
		return false;
	const jnode *k = j_first(j);
	for (u32 i = 0; i < n; i++, k = j_next(k + 1)) {
		str key = j_str(k);
		path kp = {p, P_KEY, 0, key};
		value v;
		if (!decode_value(d, vt, k + 1, &kp, &v))
			return false;
		memcpy(keys + i * 8, &key, 8);
		elem_store(vals + i * vs, vt->kind, v);
	}
	out->m = map_of_strings(keys, vals, vt->kind, n);
	return out->m != NULL;
}

// The parsers of the values that JSON writes as numbers or strings, out of line: the
// parsers are large and each is used once, and wazero compiles a function in time
// that grows faster than its size.
static noinline rt_err parse_int(str s, value *v) { return rt_parse_int(s, &v->i); }
static noinline rt_err parse_uint(str s, value *v) { return rt_parse_uint(s, &v->u); }
static noinline rt_err parse_double(str s, value *v) { return rt_parse_double(s, &v->d); }
static noinline rt_err parse_timestamp(str s, value *v) { return rt_parse_timestamp(s, &v->t); }
static noinline rt_err parse_duration(str s, value *v) { return rt_parse_duration(s, &v->i); }

static noinline rt_err parse_bytes(str s, value *v) {
	buf b = {.a = &rt.arena};
	if (!buf_room(&b, s.n / 4 * 3 + 3))
		return ERR_NONE; // rt.oom is set: the call fails as a whole
	if (!base64_decode(&b, s))
		return ERR_BYTES;
	v->s = buf_view(&b);
	return ERR_NONE;
}

// decode_value decodes j as a value of type t (runtime's Decode* functions).
static bool decode_value(dec *d, const prog_type *t, const jnode *j, const path *p, value *out) {
	*out = (value){0};
	rt_err (*parse)(str, value *);
	switch (t->kind) {
	case T_BOOL:
		if (j_kind(j) != J_BOOL)
			return wrong(d, p, "a boolean", j);
		out->b = j_bool(j);
		return true;
	case T_STRING:
		if (j_kind(j) != J_STRING)
			return wrong(d, p, "a string", j);
		out->s = j_str(j);
		return true;
	case T_LIST:
		return decode_list(d, t, j, p, out);
	case T_MAP:
		return decode_map(d, t, j, p, out);
	case T_INT:
	case T_UINT:
	case T_DOUBLE:
		if (j_kind(j) != J_NUMBER)
			return wrong(d, p, "a number", j);
		parse = t->kind == T_INT ? parse_int : t->kind == T_UINT ? parse_uint : parse_double;
		break;
	case T_BYTES:
	case T_TIMESTAMP:
	case T_DURATION:
		if (j_kind(j) != J_STRING)
			return wrong(d, p, "a string", j);
		parse = t->kind == T_BYTES ? parse_bytes : t->kind == T_TIMESTAMP ? parse_timestamp : parse_duration;
		break;
	default:
		rt_bug("decode: attribute of an unexpected type");
		return false;
	}
	return parsed(d, p, parse(j_str(j), out));
}

// ---- Objects -------------------------------------------------------------------

// A set of an object's attribute slots: one word for the usual object, bytes in
// rt.arena for one of more than 64 attributes.
typedef struct slots {
	u64 bits;
	u8 *more;
} slots;

static bool slots_init(slots *s, u32 n) {
	*s = (slots){0, NULL};
	if (n <= 64)
		return true;
	if (!(s->more = arena_alloc(&rt.arena, n)))
		return false;
	memset(s->more, 0, n);
	return true;
}

hot void slots_add(slots *s, u32 i) {
	if (s->more)
		s->more[i] = 1;
	else
		s->bits |= 1ULL << i;
}

hot bool slots_has(const slots *s, u32 i) { return s->more ? s->more[i] : (s->bits >> i) & 1; }

// all_seen reports whether the set holds every slot below n.
static bool all_seen(const slots *s, u32 n) {
	for (u32 i = 0; i < n; i++)
		if (!slots_has(s, i))
			return false;
	return true;
}

// new_values returns o's attribute values, each its type's zero value.
static value *new_values(const prog_object *o) {
	value *vals = arena_alloc(&rt.arena, (o->nattrs ? o->nattrs : 1) * (u32)sizeof(value));
	const prog_attr *attrs = PROG(prog_attr, o->attrs);
	for (u32 i = 0; vals && i < o->nattrs; i++)
		vals[i] = value_zero(type_at(attrs[i].type)->kind);
	return vals;
}

// decode_attrs decodes an object's attributes (j, NULL when absent) into vals, as a
// generated attributes decoder: an undeclared attribute or a wrong type is an error, a
// null or omitted one keeps its zero value, unless it is required: then null is a
// value of the wrong kind, and an omitted one is reported after the others are
// decoded, in declared order.
static bool decode_attrs(dec *d, const prog_object *o, const jnode *j, const path *where, value *vals) {
	const prog_attr *attrs = PROG(prog_attr, o->attrs);
	slots seen;
	if (!slots_init(&seen, o->nattrs))
		return false;
	if (j) {
		if (!want_object(d, j, where))
			return false;
		const jnode *k = j_first(j);
		for (u32 m = 0; m < j_len(j); m++, k = j_next(k + 1)) {
			str key = j_str(k);
			i32 slot = find_attr(o, key);
			if (slot < 0) {
				buf *b = at(d, where);
				if (same(key, S("id"))) {
					buf_lit(b, "\"id\" goes beside attributes, not inside them");
					return false;
				}
				buf_lit(b, "undeclared attribute ");
				buf_quote(b, key);
				u32 n;
				str *names = attr_names(o, &n);
				if (names)
					buf_did_you_mean(b, key, names, n);
				return false;
			}
			// null keeps the zero value; for a required attribute it is a value of
			// the wrong kind.
			if (j_kind(k + 1) == J_NULL && !attrs[slot].required)
				continue;
			path ap = {where, P_FIELD, 0, key};
			if (!decode_value(d, type_at(attrs[slot].type), k + 1, &ap, &vals[slot]))
				return false;
			slots_add(&seen, (u32)slot);
		}
	}
	// Required attributes (docs/spec.md), in declared order.
	for (u32 i = 0; i < o->nattrs; i++) {
		if (!attrs[i].required || attrs[i].implicit || slots_has(&seen, i))
			continue;
		path ap = {where, P_FIELD, 0, prog_s(attrs[i].name)};
		buf_path(d->msg, &ap);
		buf_lit(d->msg, " is required");
		return false;
	}
	return true;
}

// ---- Role assignments ------------------------------------------------------------

// warn gives assignment i a warning (parts concatenated).
static void warn(request *q, u32 i, buf *m) {
	if (q->nwarnings == q->capwarnings) {
		u32 cap = q->capwarnings ? 2 * q->capwarnings : 4;
		rt_warning *w = arena_alloc(&rt.arena, cap * (u32)sizeof(rt_warning));
		if (!w)
			return;
		if (q->nwarnings)
			memcpy(w, q->warnings, q->nwarnings * sizeof(rt_warning));
		q->warnings = w;
		q->capwarnings = cap;
	}
	q->warnings[q->nwarnings++] = (rt_warning){i, buf_view(m)};
}

static const str assignment_keys[] = {S("role"), S("scope")};

// warn_assignment gives the invalid assignment i its warnings, in the generated
// decoder's order, and marks it incomplete when a scope parameter is missing.
static noinline void warn_assignment(request *q, u32 i, assignment *as, str rname, str sname, const prog_object *o,
                                     const slots *seen) {
	if (!as->role) {
		buf m = {.a = &rt.arena};
		buf_lit(&m, "unknown role ");
		buf_quote(&m, rname);
		warn(q, i, &m);
	}
	if (as->scope < 0) {
		buf m = {.a = &rt.arena};
		buf_lit(&m, "unknown scope type ");
		buf_quote(&m, sname);
		warn(q, i, &m);
	}
	if (as->role && as->scope >= 0 && !role_at(as->role, (u32)as->scope)) {
		buf m = {.a = &rt.arena};
		buf_lit(&m, "role ");
		buf_quote(&m, rname);
		buf_lit(&m, " cannot be assigned at scope ");
		buf_quote(&m, sname);
		buf_lit(&m, " (only at ");
		buf_str(&m, as->role->only_at);
		buf_byte(&m, ')');
		warn(q, i, &m);
	}
	for (u32 s = 0; o && s < o->nattrs; s++) {
		if (slots_has(seen, s))
			continue;
		buf m = {.a = &rt.arena};
		buf_lit(&m, "scope ");
		buf_quote(&m, sname);
		buf_lit(&m, " is missing parameter ");
		buf_quote(&m, prog_s(PROG(prog_attr, o->attrs)[s].name));
		warn(q, i, &m);
		as->incomplete = true;
	}
}

// The roles and scope types the principal's assignments named so far, by their
// length's last three bits (a principal's roles usually repeat a few names of
// different lengths): a name found again costs a comparison, not a lookup.
#define MEMO 8
typedef struct memo {
	str role_name[MEMO], scope_name[MEMO];
	const role *role[MEMO];
	i32 scope[MEMO];
} memo;

// memo_init empties m: no name has the length ~0.
static void memo_init(memo *m) {
	for (u32 k = 0; k < MEMO; k++)
		m->role_name[k].n = m->scope_name[k].n = ~0u;
}

// memo_role is role_named through m.
static const role *memo_role(memo *m, str name) {
	u32 k = name.n % MEMO;
	if (!same(m->role_name[k], name)) {
		m->role_name[k] = name;
		m->role[k] = role_named(name);
	}
	return m->role[k];
}

// memo_scope is the scope type called name (an index, -1 when there is none)
// through m.
static i32 memo_scope(memo *m, str name) {
	u32 k = name.n % MEMO;
	if (!same(m->scope_name[k], name)) {
		m->scope_name[k] = name;
		m->scope[k] = name_find(&scope_names, name);
	}
	return m->scope[k];
}

// decode_assignment decodes principal.roles[i] (gen's decodeAssignment): a malformed
// one is an error; an unknown role or scope type, a role not assignable at the scope
// or a missing scope parameter leaves the assignment invalid, with warnings.
static bool decode_assignment(dec *d, const jnode *j, const path *roles, u32 i, assignment *as, memo *mm) {
	// The paths of the assignment's parts, for messages.
	path where = {roles, P_INDEX, i, {NULL, 0}}, sp = {&where, P_FIELD, 0, S("scope")};
	str rname, sname;
	const jnode *v[2];
	if (!want_object(d, j, &where) || !members(d, j, &where, assignment_keys, 2, v))
		return false;
	if (unlikely(!(v[0] = nonnull(v[0])) || j_kind(v[0]) != J_STRING)) {
		path rp = {&where, P_FIELD, 0, S("role")};
		return not_string(d, v[0], &rp);
	}
	rname = j_str(v[0]);
	const jnode *sj = nonnull(v[1]), *type = NULL;
	if (!sj) {
		buf_path(d->msg, &sp);
		buf_lit(d->msg, " is required");
		return false;
	}
	if (!want_object(d, sj, &sp))
		return false;
	// The scope's type, usually its first member.
	const jnode *k = j_first(sj);
	for (u32 m = 0; m < j_len(sj) && !type; m++, k = j_next(k + 1))
		if (same(j_str(k), S("type")))
			type = nonnull(k + 1);
	if (unlikely(!type || j_kind(type) != J_STRING)) {
		path tp = {&sp, P_FIELD, 0, S("type")};
		return not_string(d, type, &tp);
	}
	sname = j_str(type);
	*as = (assignment){.role = memo_role(mm, rname), .scope = memo_scope(mm, sname)};
	const prog_object *o = NULL;
	slots seen = {0, NULL};
	if (as->scope >= 0) {
		o = PROG(prog_object, scope_at((u32)as->scope)->params);
		value *params = new_values(o);
		if (!params || !slots_init(&seen, o->nattrs))
			return false;
		const prog_attr *attrs = PROG(prog_attr, o->attrs);
		k = j_first(sj);
		for (u32 m = 0; m < j_len(sj); m++, k = j_next(k + 1)) {
			str key = j_str(k);
			if (same(key, S("type")))
				continue;
			i32 slot = find_attr(o, key);
			if (slot < 0) {
				buf *b = at(d, &sp);
				buf_lit(b, "scope ");
				buf_quote(b, sname);
				buf_lit(b, " has no parameter ");
				buf_quote(b, key);
				u32 n;
				str *names = attr_names(o, &n);
				if (names)
					buf_did_you_mean(b, key, names, n);
				return false;
			}
			if (j_kind(k + 1) == J_NULL)
				continue;
			path pp = {&sp, P_FIELD, 0, key};
			if (!decode_value(d, type_at(attrs[slot].type), k + 1, &pp, &params[slot]))
				return false;
			slots_add(&seen, (u32)slot);
		}
		as->params = params;
	}

	if (!as->role || as->scope < 0 || !role_at(as->role, (u32)as->scope) || (o && !all_seen(&seen, o->nattrs)))
		warn_assignment(d->q, i, as, rname, sname, o, &seen);
	return true;
}

// ---- The request ---------------------------------------------------------------

static const str request_keys[] = {S("principal"), S("resource"), S("permission"), S("credential"), S("context")};
static const str resource_keys[] = {S("type"), S("id"), S("attributes")};
static const str principal_keys[] = {S("id"), S("attributes"), S("roles")};
static const str credential_keys[] = {S("scopes"), S("permissions"), S("roles"), S("filters"), S("attributes")};

// decode_permission decodes the request's permission, which must be one of the
// resource type's (gen's decodePermission).
static noinline bool decode_permission(dec *d, const jnode *pj, str typ) {
	path pp = ROOT("permission");
	str name;
	if (!want_string(d, nonnull(pj), &pp, &name))
		return false;
	const prog_resource *res = resource_at(d->q->resource);
	i32 p = name_find(&permission_names, name);
	if (p >= 0 && permission_at((u32)p)->resource == d->q->resource) {
		d->q->perm = (u32)p;
		return true;
	}
	const prog_list *perms = PROG(prog_list, res->perms);
	buf *b = d->msg;
	if (p >= 0) {
		buf_lit(b, "permission ");
		buf_quote(b, name);
		buf_lit(b, " is not a permission of resource type ");
		buf_quote(b, typ);
		buf_lit(b, " (it has ");
		for (u32 i = 0; i < perms->n; i++) {
			if (i)
				buf_lit(b, ", ");
			buf_str(b, prog_s(permission_at(perms->items[i])->name));
		}
		buf_byte(b, ')');
		return false;
	}
	buf_lit(b, "unknown permission ");
	buf_quote(b, name);
	str *names = arena_alloc(&rt.arena, (perms->n ? perms->n : 1) * (u32)sizeof(str));
	if (!names)
		return false;
	for (u32 i = 0; i < perms->n; i++)
		names[i] = prog_s(permission_at(perms->items[i])->name);
	buf_did_you_mean(b, name, names, perms->n);
	return false;
}

// decode_strings decodes one of a credential's lists of strings. An absent list does
// not narrow; null is an error, as any other value that is not an array
// (docs/spec.md).
static bool decode_strings(dec *d, const jnode *v, u32 key, strlist *out) {
	path root = ROOT("credential"), p = {&root, P_FIELD, 0, credential_keys[key]};
	*out = (strlist){0};
	if (!v)
		return true;
	if (j_kind(v) != J_ARRAY)
		return wrong(d, &p, "an array of strings", v);
	u32 n = j_len(v);
	str *items = arena_alloc(&rt.arena, (n ? n : 1) * (u32)sizeof(str));
	if (!items)
		return false;
	const jnode *e = j_first(v);
	for (u32 i = 0; i < n; i++, e = j_next(e)) {
		if (j_kind(e) != J_STRING) {
			path ep = {&p, P_INDEX, i, {NULL, 0}};
			return wrong(d, &ep, "a string", e);
		}
		items[i] = j_str(e);
	}
	*out = (strlist){true, n, items};
	return true;
}

// decode_principal decodes the principal and its role assignments.
static noinline bool decode_principal(dec *d, const jnode *pj) {
	const prog_header *h = HDR;
	request *q = d->q;
	path where = ROOT("principal"), idp = ROOT("principal.id"), ap = ROOT("principal.attributes");
	path rp = ROOT("principal.roles");
	const jnode *v[3];
	if (!(pj = nonnull(pj)))
		return required(d, "principal");
	if (!want_object(d, pj, &where) || !members(d, pj, &where, principal_keys, countof(principal_keys), v))
		return false;
	const prog_object *o = PROG(prog_object, h->principal);
	value *vals = new_values(o);
	str id;
	if (!vals || !want_string(d, nonnull(v[0]), &idp, &id))
		return false;
	vals[0].s = id;
	if (!decode_attrs(d, o, nonnull(v[1]), &ap, vals))
		return false;
	q->principal = vals;
	const jnode *roles = nonnull(v[2]);
	if (!roles)
		return true;
	if (j_kind(roles) != J_ARRAY)
		return wrong(d, &rp, "an array", roles);
	u32 n = j_len(roles);
	assignment *as = arena_alloc(&rt.arena, (n ? n : 1) * (u32)sizeof(assignment));
	if (!as)
		return false;
	memo mm;
	memo_init(&mm);
	const jnode *e = j_first(roles);
	for (u32 i = 0; i < n; i++, e = j_next(e))
		if (!decode_assignment(d, e, &rp, i, &as[i], &mm))
			return false;
	q->roles = as;
	q->nroles = n;
	return true;
}

// decode_credential decodes the credential, when the request has one.
static noinline bool decode_credential(dec *d, const jnode *cj) {
	request *q = d->q;
	path where = ROOT("credential"), ap = ROOT("credential.attributes");
	const prog_object *o = PROG(prog_object, HDR->credential);
	value *vals = new_values(o);
	if (!vals)
		return false;
	q->cred_attrs = vals;
	const jnode *v[5];
	if (!(cj = nonnull(cj)))
		return true;
	if (!want_object(d, cj, &where) || !members(d, cj, &where, credential_keys, countof(credential_keys), v) ||
	    !decode_strings(d, v[0], 0, &q->scopes) || !decode_strings(d, v[1], 1, &q->perms) ||
	    !decode_strings(d, v[2], 2, &q->cred_roles) || !decode_strings(d, v[3], 3, &q->filters) ||
	    !decode_attrs(d, o, nonnull(v[4]), &ap, vals))
		return false;
	q->has_cred = true;
	return true;
}

// parse_request empties q and parses req, the JSON of a check or plan request; NULL,
// with msg written unless memory ran out, when it is not JSON.
static const jnode *parse_request(str req, request *q, buf *msg) {
	memset(q, 0, sizeof *q); // not *q = (request){0}: memory.fill (rt.h)
	jerror je;
	const jnode *doc = json_parse(&rt.arena, &rt.scratch, req.p, req.n, &je);
	if (!doc && je.code != JE_OOM)
		buf_json_error(msg, &je);
	return doc;
}

bool decode_request(str req, request *q, buf *msg) {
	const prog_header *h = HDR;
	dec d = {msg, q};
	const jnode *doc = parse_request(req, q, msg);
	if (!doc)
		return false;
	path rq = ROOT("request"), res = ROOT("resource"), typp = ROOT("resource.type"), idp = ROOT("resource.id");
	path ap = ROOT("resource.attributes"), cp = ROOT("context");
	const jnode *v[5], *rv[3];
	if (!want_object(&d, doc, &rq) || !members(&d, doc, &rq, request_keys, countof(request_keys), v))
		return false;
	const jnode *rj = nonnull(v[1]);
	if (!rj)
		return required(&d, "resource");
	str typ, id;
	if (!want_object(&d, rj, &res) || !members(&d, rj, &res, resource_keys, countof(resource_keys), rv) ||
	    !want_string(&d, nonnull(rv[0]), &typp, &typ))
		return false;
	i32 r = name_find(&resource_names, typ);
	if (r < 0) {
		buf_lit(msg, "unknown resource type ");
		buf_quote(msg, typ);
		str *names = arena_alloc(&rt.arena, (h->nresources ? h->nresources : 1) * (u32)sizeof(str));
		if (!names)
			return false;
		for (u32 i = 0; i < h->nresources; i++)
			names[i] = prog_s(resource_at(record(h->sorted_resources, i))->name);
		buf_did_you_mean(msg, typ, names, h->nresources);
		return false;
	}
	q->resource = (u32)r;
	const prog_object *ro = PROG(prog_object, resource_at(q->resource)->object);
	value *rvals = new_values(ro);
	if (!rvals || !want_string(&d, nonnull(rv[1]), &idp, &id))
		return false;
	rvals[0].s = id;
	q->resource_attrs = rvals;
	value *cvals = new_values(PROG(prog_object, h->context));
	q->context = cvals;
	return cvals && decode_attrs(&d, ro, nonnull(rv[2]), &ap, rvals) && decode_permission(&d, v[2], typ) &&
	       decode_principal(&d, v[0]) && decode_attrs(&d, PROG(prog_object, h->context), nonnull(v[4]), &cp, cvals) &&
	       decode_credential(&d, v[3]);
}

static const str plan_resource_keys[] = {S("type")};

// decode_plan_request decodes a plan request as the generated PlanJSON does: a check
// request without its resource, or whose resource names only its type; the
// permission is the request's own.
bool decode_plan_request(str req, request *q, buf *msg) {
	const prog_header *h = HDR;
	dec d = {msg, q};
	const jnode *doc = parse_request(req, q, msg);
	if (!doc)
		return false;
	path rq = ROOT("request"), pp = ROOT("permission"), res = ROOT("resource"), typp = ROOT("resource.type");
	path cp = ROOT("context");
	const jnode *v[5], *rv[1];
	str name, typ;
	if (!want_object(&d, doc, &rq) || !members(&d, doc, &rq, request_keys, countof(request_keys), v) ||
	    !want_string(&d, nonnull(v[2]), &pp, &name))
		return false;
	i32 p = name_find(&permission_names, name);
	if (p < 0) {
		buf_lit(msg, "unknown permission ");
		buf_quote(msg, name);
		return false;
	}
	q->perm = (u32)p;
	q->resource = permission_at(q->perm)->resource;
	// A resource, when given, only names its type, which must be the permission's.
	const jnode *rj = nonnull(v[1]);
	if (rj) {
		if (!want_object(&d, rj, &res) || !members(&d, rj, &res, plan_resource_keys, countof(plan_resource_keys), rv) ||
		    !want_string(&d, nonnull(rv[0]), &typp, &typ))
			return false;
		if (!str_eq(typ, prog_s(resource_at(q->resource)->name))) {
			buf_lit(msg, "permission ");
			buf_quote(msg, name);
			buf_lit(msg, " is not a permission of resource type ");
			buf_quote(msg, typ);
			return false;
		}
	}
	value *cvals = new_values(PROG(prog_object, h->context));
	q->context = cvals;
	return cvals && decode_principal(&d, v[0]) && decode_attrs(&d, PROG(prog_object, h->context), nonnull(v[4]), &cp, cvals) &&
	       decode_credential(&d, v[3]);
}
