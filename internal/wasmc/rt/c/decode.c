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

static bool want_object(dec *d, const jnode *j, const path *p) {
	return j_kind(j) == J_OBJECT || wrong(d, p, "an object", j);
}

// field is runtime.Field: the value of key in obj, or NULL when absent or null.
static const jnode *field(const jnode *obj, str key) {
	const jnode *v = j_get(obj, key);
	return v && j_kind(v) != J_NULL ? v : NULL;
}

// want_string is runtime.WantString: a required string.
static bool want_string(dec *d, const jnode *j, const path *p, str *out) {
	if (!j) {
		buf_path(d->msg, p);
		buf_lit(d->msg, " is required");
		return false;
	}
	if (j_kind(j) != J_STRING)
		return wrong(d, p, "a string", j);
	*out = j_str(j);
	return true;
}

// required is "<what> is required".
static bool required(dec *d, const char *what) {
	buf_cstr(d->msg, what);
	buf_lit(d->msg, " is required");
	return false;
}

// check_keys is runtime.CheckKeys: every key of the object j must be one of allowed
// (n of them), the first that is not being the error.
static bool check_keys(dec *d, const jnode *j, const path *p, const str *allowed, u32 n) {
	const jnode *k = j_first(j);
	for (u32 m = 0; m < j_len(j); m++, k = j_next(k + 1)) {
		u32 i = 0;
		while (i < n && !str_eq(j_str(k), allowed[i]))
			i++;
		if (i < n)
			continue;
		buf *b = at(d, p);
		buf_lit(b, "unknown key ");
		buf_quote(b, j_str(k));
		buf_did_you_mean(b, j_str(k), allowed, n);
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

// find_attr returns the slot of o's declared attribute called name, or -1.
static i32 find_attr(const prog_object *o, str name) {
	const prog_attr *attrs = PROG(prog_attr, o->attrs);
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

static bool decode_list(dec *d, const prog_type *t, const jnode *j, const path *p, value *out) {
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

static bool decode_map(dec *d, const prog_type *t, const jnode *j, const path *p, value *out) {
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

// decode_value decodes j as a value of type t (runtime's Decode* functions).
static bool decode_value(dec *d, const prog_type *t, const jnode *j, const path *p, value *out) {
	*out = (value){0};
	switch (t->kind) {
	case T_BOOL:
		if (j_kind(j) != J_BOOL)
			return wrong(d, p, "a boolean", j);
		out->b = j_bool(j);
		return true;
	case T_INT:
		return j_kind(j) != J_NUMBER ? wrong(d, p, "a number", j) : parsed(d, p, rt_parse_int(j_str(j), &out->i));
	case T_UINT:
		return j_kind(j) != J_NUMBER ? wrong(d, p, "a number", j) : parsed(d, p, rt_parse_uint(j_str(j), &out->u));
	case T_DOUBLE:
		return j_kind(j) != J_NUMBER ? wrong(d, p, "a number", j) : parsed(d, p, rt_parse_double(j_str(j), &out->d));
	case T_LIST:
		return decode_list(d, t, j, p, out);
	case T_MAP:
		return decode_map(d, t, j, p, out);
	}
	// The rest are strings in JSON.
	if (j_kind(j) != J_STRING)
		return wrong(d, p, "a string", j);
	str s = j_str(j);
	switch (t->kind) {
	case T_STRING:
		out->s = s;
		return true;
	case T_BYTES: {
		buf b = {.a = &rt.arena};
		if (!buf_room(&b, s.n / 4 * 3 + 3))
			return false;
		if (!base64_decode(&b, s))
			return parsed(d, p, ERR_BYTES);
		out->s = buf_view(&b);
		return true;
	}
	case T_TIMESTAMP:
		return parsed(d, p, rt_parse_timestamp(s, &out->t));
	case T_DURATION:
		return parsed(d, p, rt_parse_duration(s, &out->i));
	}
	rt_bug("decode: attribute of an unexpected type");
	return false;
}

// ---- Objects -------------------------------------------------------------------

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
// null or omitted one keeps its zero value, unless it is required.
static bool decode_attrs(dec *d, const prog_object *o, const jnode *j, const path *where, value *vals) {
	const prog_attr *attrs = PROG(prog_attr, o->attrs);
	u8 *seen = NULL;
	if (j) {
		if (!want_object(d, j, where))
			return false;
		seen = arena_alloc(&rt.arena, o->nattrs + 1);
		if (!seen)
			return false;
		memset(seen, 0, o->nattrs + 1);
		const jnode *k = j_first(j);
		for (u32 m = 0; m < j_len(j); m++, k = j_next(k + 1)) {
			str key = j_str(k);
			i32 slot = find_attr(o, key);
			if (slot < 0) {
				buf *b = at(d, where);
				if (str_eq(key, S("id"))) {
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
			if (j_kind(k + 1) == J_NULL)
				continue;
			path ap = {where, P_FIELD, 0, key};
			if (!decode_value(d, type_at(attrs[slot].type), k + 1, &ap, &vals[slot]))
				return false;
			seen[slot] = 1;
		}
	}
	// Required attributes (docs/spec.md): omitted or null, the request is malformed.
	for (u32 i = 0; i < o->nattrs; i++) {
		if (!attrs[i].required || attrs[i].implicit || (seen && seen[i]))
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

// decode_assignment decodes principal.roles[i] (gen's decodeAssignment): a malformed
// one is an error; an unknown role or scope type, a role not assignable at the scope
// or a missing scope parameter leaves the assignment invalid, with warnings.
static bool decode_assignment(dec *d, const jnode *j, const path *roles, u32 i, assignment *as) {
	const prog_header *h = HDR;
	path where = {roles, P_INDEX, i, {NULL, 0}};
	path rp = {&where, P_FIELD, 0, S("role")}, sp = {&where, P_FIELD, 0, S("scope")};
	path tp = {&sp, P_FIELD, 0, S("type")};
	str rname, sname;
	if (!want_object(d, j, &where) || !check_keys(d, j, &where, assignment_keys, 2) ||
	    !want_string(d, field(j, S("role")), &rp, &rname))
		return false;
	const jnode *sj = field(j, S("scope"));
	if (!sj) {
		buf_path(d->msg, &sp);
		buf_lit(d->msg, " is required");
		return false;
	}
	if (!want_object(d, sj, &sp) || !want_string(d, field(sj, S("type")), &tp, &sname))
		return false;
	*as = (assignment){.role = role_named(rname), .scope = find_named(h->scopes, h->sorted_scopes, h->nscopes, sname)};
	const prog_object *o = NULL;
	u8 *seen = NULL;
	if (as->scope >= 0) {
		o = PROG(prog_object, scope_at((u32)as->scope)->params);
		value *params = new_values(o);
		seen = arena_alloc(&rt.arena, o->nattrs + 1);
		if (!params || !seen)
			return false;
		memset(seen, 0, o->nattrs + 1);
		const prog_attr *attrs = PROG(prog_attr, o->attrs);
		const jnode *k = j_first(sj);
		for (u32 m = 0; m < j_len(sj); m++, k = j_next(k + 1)) {
			str key = j_str(k);
			if (str_eq(key, S("type")))
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
			seen[slot] = 1;
		}
		as->params = params;
	}

	// The warnings, in the generated decoder's order.
	request *q = d->q;
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
		if (seen[s])
			continue;
		buf m = {.a = &rt.arena};
		buf_lit(&m, "scope ");
		buf_quote(&m, sname);
		buf_lit(&m, " is missing parameter ");
		buf_quote(&m, prog_s(PROG(prog_attr, o->attrs)[s].name));
		warn(q, i, &m);
		as->incomplete = true;
	}
	return true;
}

// ---- The request ---------------------------------------------------------------

static const str request_keys[] = {S("principal"), S("resource"), S("permission"), S("credential"), S("context")};
static const str resource_keys[] = {S("type"), S("id"), S("attributes")};
static const str principal_keys[] = {S("id"), S("attributes"), S("roles")};
static const str credential_keys[] = {S("scopes"), S("permissions"), S("roles"), S("filters"), S("attributes")};

// decode_permission decodes the request's permission, which must be one of the
// resource type's (gen's decodePermission).
static bool decode_permission(dec *d, const jnode *doc, str typ) {
	const prog_header *h = HDR;
	path pp = ROOT("permission");
	str name;
	if (!want_string(d, field(doc, S("permission")), &pp, &name))
		return false;
	const prog_resource *res = resource_at(d->q->resource);
	i32 p = find_named(h->permissions, h->sorted_permissions, h->npermissions, name);
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
static bool decode_strings(dec *d, const jnode *cj, const char *key, strlist *out) {
	str k = str_of(key, (u32)__builtin_strlen(key));
	const jnode *v = j_get(cj, k);
	path root = ROOT("credential"), p = {&root, P_FIELD, 0, k};
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
static bool decode_principal(dec *d, const jnode *doc) {
	const prog_header *h = HDR;
	request *q = d->q;
	path where = ROOT("principal"), idp = ROOT("principal.id"), ap = ROOT("principal.attributes");
	path rp = ROOT("principal.roles");
	const jnode *pj = field(doc, S("principal"));
	if (!pj)
		return required(d, "principal");
	if (!want_object(d, pj, &where) || !check_keys(d, pj, &where, principal_keys, countof(principal_keys)))
		return false;
	const prog_object *o = PROG(prog_object, h->principal);
	value *vals = new_values(o);
	str id;
	if (!vals || !want_string(d, field(pj, S("id")), &idp, &id))
		return false;
	vals[0].s = id;
	if (!decode_attrs(d, o, field(pj, S("attributes")), &ap, vals))
		return false;
	q->principal = vals;
	const jnode *roles = field(pj, S("roles"));
	if (!roles)
		return true;
	if (j_kind(roles) != J_ARRAY)
		return wrong(d, &rp, "an array", roles);
	u32 n = j_len(roles);
	assignment *as = arena_alloc(&rt.arena, (n ? n : 1) * (u32)sizeof(assignment));
	if (!as)
		return false;
	const jnode *e = j_first(roles);
	for (u32 i = 0; i < n; i++, e = j_next(e))
		if (!decode_assignment(d, e, &rp, i, &as[i]))
			return false;
	q->roles = as;
	q->nroles = n;
	return true;
}

// decode_credential decodes the credential, when the request has one.
static bool decode_credential(dec *d, const jnode *doc) {
	request *q = d->q;
	path where = ROOT("credential"), ap = ROOT("credential.attributes");
	const prog_object *o = PROG(prog_object, HDR->credential);
	value *vals = new_values(o);
	if (!vals)
		return false;
	q->cred_attrs = vals;
	const jnode *cj = field(doc, S("credential"));
	if (!cj)
		return true;
	if (!want_object(d, cj, &where) || !check_keys(d, cj, &where, credential_keys, countof(credential_keys)) ||
	    !decode_strings(d, cj, "scopes", &q->scopes) || !decode_strings(d, cj, "permissions", &q->perms) ||
	    !decode_strings(d, cj, "roles", &q->cred_roles) || !decode_strings(d, cj, "filters", &q->filters) ||
	    !decode_attrs(d, o, field(cj, S("attributes")), &ap, vals))
		return false;
	q->has_cred = true;
	return true;
}

// parse parses a request and checks its top-level keys, as both CheckJSON and
// PlanJSON begin.
static const jnode *parse(dec *d, str req) {
	jerror je;
	const jnode *doc = json_parse(&rt.arena, &rt.scratch, req.p, req.n, &je);
	if (!doc) {
		if (je.code != JE_OOM)
			buf_json_error(d->msg, &je);
		return NULL;
	}
	path rq = ROOT("request");
	if (!want_object(d, doc, &rq) || !check_keys(d, doc, &rq, request_keys, countof(request_keys)))
		return NULL;
	return doc;
}

// decode_parties decodes the principal, the context and the credential, as the
// generated request.decode does.
static bool decode_parties(dec *d, const jnode *doc) {
	path cp = ROOT("context");
	const prog_object *co = PROG(prog_object, HDR->context);
	value *cvals = new_values(co);
	d->q->context = cvals;
	return cvals && decode_principal(d, doc) && decode_attrs(d, co, field(doc, S("context")), &cp, cvals) &&
	       decode_credential(d, doc);
}

bool decode_request(str req, request *q, buf *msg) {
	const prog_header *h = HDR;
	*q = (request){0};
	dec d = {msg, q};
	const jnode *doc = parse(&d, req);
	if (!doc)
		return false;
	path res = ROOT("resource"), typp = ROOT("resource.type"), idp = ROOT("resource.id");
	path ap = ROOT("resource.attributes");
	const jnode *rj = field(doc, S("resource"));
	if (!rj)
		return required(&d, "resource");
	str typ, id;
	if (!want_object(&d, rj, &res) || !check_keys(&d, rj, &res, resource_keys, countof(resource_keys)) ||
	    !want_string(&d, field(rj, S("type")), &typp, &typ))
		return false;
	i32 r = find_named(h->resources, h->sorted_resources, h->nresources, typ);
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
	if (!rvals || !want_string(&d, field(rj, S("id")), &idp, &id))
		return false;
	rvals[0].s = id;
	q->resource_attrs = rvals;
	return decode_attrs(&d, ro, field(rj, S("attributes")), &ap, rvals) && decode_permission(&d, doc, typ) &&
	       decode_parties(&d, doc);
}

static const str plan_resource_keys[] = {S("type")};

bool decode_plan_request(str req, request *q, buf *msg) {
	const prog_header *h = HDR;
	*q = (request){0};
	dec d = {msg, q};
	const jnode *doc = parse(&d, req);
	if (!doc)
		return false;
	path pp = ROOT("permission"), res = ROOT("resource"), typp = ROOT("resource.type");
	str name, typ;
	if (!want_string(&d, field(doc, S("permission")), &pp, &name))
		return false;
	i32 p = find_named(h->permissions, h->sorted_permissions, h->npermissions, name);
	if (p < 0) {
		buf_lit(msg, "unknown permission ");
		buf_quote(msg, name);
		return false;
	}
	q->perm = (u32)p;
	q->resource = permission_at(q->perm)->resource;
	// A resource, when given, only names its type, which must be the permission's.
	const jnode *rj = field(doc, S("resource"));
	if (rj) {
		if (!want_object(&d, rj, &res) || !check_keys(&d, rj, &res, plan_resource_keys, 1) ||
		    !want_string(&d, field(rj, S("type")), &typp, &typ))
			return false;
		if (!str_eq(typ, prog_s(resource_at(q->resource)->name))) {
			buf_lit(msg, "permission ");
			buf_quote(msg, name);
			buf_lit(msg, " is not a permission of resource type ");
			buf_quote(msg, typ);
			return false;
		}
	}
	return decode_parties(&d, doc);
}
