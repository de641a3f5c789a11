// roles.c: the roles a check can meet (engine.h): the program's built-in roles, and
// the custom roles loaded into the instance, validated as runtime/roles.go validates
// them (the spec loader's rules and messages).
//
// The custom roles in force are one table, sorted by name, in an arena of their own
// (rt.roles). A load builds the new table in a fresh arena and, only when every role
// is valid, frees the old arena and keeps the new one: reloading reuses the heap's
// memory instead of growing it, and a rejected load changes nothing.
#include "abi.h"
#include "engine.h"
#include "json.h"
#include "num.h"
#include "text.h"

i32 find_named(u32 arr, u32 sorted, u32 n, str name) {
	const u32 *idx = PROG(u32, sorted);
	u32 lo = 0, hi = n;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = str_cmp(prog_s(*PROG(prog_str, record(arr, idx[mid]))), name);
		if (c == 0)
			return (i32)idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static role *builtins; // the program's roles, in spec order
static const role *custom; // the custom roles in force, sorted by name
static u32 ncustom;

bool roles_init(void) {
	const prog_header *h = HDR;
	if (!h->nroles)
		return true;
	if (!(builtins = rt_malloc(h->nroles * (u32)sizeof(role))))
		return false;
	for (u32 i = 0; i < h->nroles; i++) {
		const prog_role *r = PROG(prog_role, record(h->roles, i));
		role *b = &builtins[i];
		*b = (role){.name = prog_s(r->name), .perms = PROG(u32, r->perms), .only_at = prog_s(r->only_at), .builtin = (i32)i};
		if (r->scopes) {
			const prog_list *l = PROG(prog_list, r->scopes);
			b->scopes = l->items;
			b->nscopes = l->n;
		}
	}
	return true;
}

const role *role_named(str name) {
	const prog_header *h = HDR;
	i32 i = find_named(h->roles, h->sorted_roles, h->nroles, name);
	if (i >= 0)
		return &builtins[i];
	u32 lo = 0, hi = ncustom;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = str_cmp(custom[mid].name, name);
		if (c == 0)
			return &custom[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool role_at(const role *r, u32 scope) {
	if (!r->scopes)
		return true;
	for (u32 i = 0; i < r->nscopes; i++)
		if (r->scopes[i] == scope)
			return true;
	return false;
}

// ---- Loading custom roles ------------------------------------------------------

// A role being loaded: its element of the document, its name, and whether an
// earlier element (an object) has the same name.
typedef struct draft {
	const jnode *j;
	str name;
	u32 index;
	bool dup;
} draft;

static int cmp_draft(void *ctx, u32 i, u32 j) {
	draft *d = ctx;
	int c = str_cmp(d[i].name, d[j].name);
	return c ? c : (d[i].index > d[j].index) - (d[i].index < d[j].index);
}

static void swap_draft(void *ctx, u32 i, u32 j) {
	draft *d = ctx, t = d[i];
	d[i] = d[j];
	d[j] = t;
}

static int cmp_role(void *ctx, u32 i, u32 j) {
	role *r = ctx;
	return str_cmp(r[i].name, r[j].name);
}

static void swap_role(void *ctx, u32 i, u32 j) {
	role *r = ctx, t = r[i];
	r[i] = r[j];
	r[j] = t;
}

// The validation of one role: where its problems go, and the prefix they start with
// ("custom role 2", then `custom role "name"` once the name is read).
typedef struct checker {
	buf *msg;
	bool failed; // any role had a problem
	bool bad;    // this role has one
	bool named;  // its name has been read: the prefix quotes it
	str at;
	u32 index;
} checker;

// problem starts a problem's line: "\n" after an earlier one, then the prefix.
static buf *problem(checker *c) {
	if (c->failed)
		buf_byte(c->msg, '\n');
	c->failed = c->bad = true;
	buf_lit(c->msg, "custom role ");
	if (c->named)
		buf_quote(c->msg, c->at);
	else
		buf_u64(c->msg, c->index);
	buf_lit(c->msg, ": ");
	return c->msg;
}

static void problem_lit(checker *c, const char *text) { buf_cstr(problem(c), text); }

// names lists the names of n records (at arr) in spec order, for "did you mean".
static str *names(u32 arr, u32 n) {
	str *out = arena_alloc(&rt.arena, (n ? n : 1) * (u32)sizeof(str));
	if (out)
		for (u32 i = 0; i < n; i++)
			out[i] = prog_s(*PROG(prog_str, record(arr, i)));
	return out;
}

static void did_you_mean(buf *b, str name, u32 arr, u32 n) {
	str *cands = names(arr, n);
	if (cands)
		buf_did_you_mean(b, name, cands, n);
}

// strings returns the strings of an array, or NULL (with the problem) when v is not
// an array of strings.
static str *strings(checker *c, const jnode *v, const char *key, u32 *n) {
	*n = 0;
	if (j_kind(v) != J_ARRAY)
		goto bad;
	str *out = arena_alloc(&rt.arena, (j_len(v) ? j_len(v) : 1) * (u32)sizeof(str));
	if (!out)
		return NULL;
	const jnode *e = j_first(v);
	for (u32 i = 0; i < j_len(v); i++, e = j_next(e)) {
		if (j_kind(e) != J_STRING)
			goto bad;
		out[i] = j_str(e);
	}
	*n = j_len(v);
	return out;
bad:
	buf_cstr(problem(c), key);
	buf_lit(c->msg, " must be an array of strings");
	return NULL;
}

// expand adds the permissions a pattern names (library.view, library.*, *) to set,
// or reports why it names none, as runtime.Catalog.Expand.
static void expand(checker *c, str pat, u32 *set) {
	const prog_header *h = HDR;
	if (str_eq(pat, S("*"))) {
		for (u32 p = 0; p < h->npermissions; p++)
			set[p / 32] |= 1u << (p % 32);
		return;
	}
	u32 dot = 0;
	while (dot < pat.n && pat.p[dot] != '.')
		dot++;
	if (dot == pat.n) {
		buf *b = problem(c);
		buf_lit(b, "permission ");
		buf_quote(b, pat);
		buf_lit(b, " must be written <resource>.<action>, <resource>.* or *");
		did_you_mean(b, pat, h->permissions, h->npermissions);
		return;
	}
	str res = str_of(pat.p, dot), action = str_of(pat.p + dot + 1, pat.n - dot - 1);
	u32 ri = 0;
	while (ri < h->nresources && !str_eq(prog_s(resource_at(ri)->name), res))
		ri++;
	if (ri == h->nresources) {
		buf *b = problem(c);
		buf_lit(b, "unknown resource type ");
		buf_quote(b, res);
		buf_lit(b, " in permission ");
		buf_quote(b, pat);
		did_you_mean(b, res, h->resources, h->nresources);
		return;
	}
	// The resource's permissions, in spec order (they are consecutive in
	// Catalog.Permissions, but only their order matters here).
	const prog_list *perms = PROG(prog_list, resource_at(ri)->perms);
	bool any = false;
	for (u32 k = 0; k < perms->n; k++) {
		u32 p = perms->items[k];
		if (str_eq(action, S("*")) || str_eq(prog_s(permission_at(p)->name), pat)) {
			set[p / 32] |= 1u << (p % 32);
			any = true;
		}
	}
	if (any)
		return;
	str *actions = arena_alloc(&rt.arena, (perms->n ? perms->n : 1) * (u32)sizeof(str));
	if (!actions)
		return;
	for (u32 k = 0; k < perms->n; k++) {
		str name = prog_s(permission_at(perms->items[k])->name);
		actions[k] = str_of(name.p + res.n + 1, name.n - res.n - 1);
	}
	buf *b = problem(c);
	buf_lit(b, "unknown permission ");
	buf_quote(b, pat);
	str sug = rt_suggest(action, actions, perms->n);
	if (sug.n) {
		buf_lit(b, " (did you mean ");
		buf *full = &(buf){.a = &rt.arena};
		buf_str(full, res);
		buf_byte(full, '.');
		buf_str(full, sug);
		buf_quote(b, buf_view(full));
		buf_lit(b, "?)");
		return;
	}
	buf_lit(b, " (");
	buf_str(b, res);
	buf_lit(b, " has ");
	for (u32 k = 0; k < perms->n; k++) {
		if (k)
			buf_lit(b, ", ");
		buf_str(b, actions[k]);
	}
	buf_byte(b, ')');
}

static bool lower_snake(str s) {
	for (u32 i = 0; i < s.n; i++) {
		u8 c = s.p[i];
		if ((c >= 'a' && c <= 'z') || (i > 0 && ((c >= '0' && c <= '9') || c == '_')))
			continue;
		return false;
	}
	return s.n > 0;
}

// check validates one role (runtime.Catalog.customRole) and, when it is valid and
// out is not NULL, fills out in the arena a (its name, permissions and scopes
// copied there).
static void check(checker *c, const draft *d, arena *a, role *out) {
	const prog_header *h = HDR;
	c->bad = c->named = false;
	const jnode *j = d->j;
	if (j_kind(j) != J_OBJECT) {
		buf *b = problem(c);
		buf_lit(b, "want an object, not ");
		buf_str(b, j_kind_name(j_kind(j)));
		return;
	}
	u32 words = h->perm_words;
	u32 *set = arena_alloc(&rt.arena, words * 4);
	if (!set)
		return;
	memset(set, 0, words * 4);
	str name = {NULL, 0};
	const str *pats = NULL, *scopes = NULL;
	u32 npats = 0, nscopes = 0;
	bool has_perms = false, has_scopes = false;
	static const str keys[] = {S("name"), S("description"), S("permissions"), S("scopes")};
	const jnode *k = j_first(j);
	for (u32 m = 0; m < j_len(j); m++, k = j_next(k + 1)) {
		const jnode *v = k + 1;
		str key = j_str(k);
		if (str_eq(key, keys[0])) {
			if (j_kind(v) != J_STRING) {
				problem_lit(c, "name must be a string");
				continue;
			}
			name = c->at = j_str(v);
			c->named = true;
		} else if (str_eq(key, keys[1])) {
			if (j_kind(v) != J_STRING)
				problem_lit(c, "description must be a string");
		} else if (str_eq(key, keys[2])) {
			has_perms = true;
			pats = strings(c, v, "permissions", &npats);
		} else if (str_eq(key, keys[3])) {
			if (!(scopes = strings(c, v, "scopes", &nscopes)))
				continue;
			has_scopes = true;
			for (u32 s = 0; s < nscopes; s++) {
				if (find_named(h->scopes, h->sorted_scopes, h->nscopes, scopes[s]) >= 0)
					continue;
				buf *b = problem(c);
				buf_lit(b, "unknown scope ");
				buf_quote(b, scopes[s]);
				did_you_mean(b, scopes[s], h->scopes, h->nscopes);
			}
		} else {
			buf *b = problem(c);
			buf_lit(b, "unknown key ");
			buf_quote(b, key);
			buf_did_you_mean(b, key, keys, countof(keys));
		}
	}
	if (name.n == 0)
		problem_lit(c, "missing name");
	else if (!lower_snake(name))
		problem_lit(c, "name must be lower_snake_case");
	else if (find_named(h->roles, h->sorted_roles, h->nroles, name) >= 0) {
		buf *b = problem(c);
		buf_lit(b, "clashes with the built-in role ");
		buf_quote(b, name);
	} else if (d->dup)
		problem_lit(c, "defined twice");
	if (!has_perms)
		problem_lit(c, "missing permissions");
	for (u32 p = 0; p < npats; p++)
		expand(c, pats[p], set);
	if (c->bad || !out)
		return;

	// The role, in the arena of the new table.
	*out = (role){.name = arena_copy(a, name), .builtin = -1};
	u32 *perms = arena_alloc(a, words * 4);
	if (!perms || (name.n && !out->name.p))
		return;
	memcpy(perms, set, words * 4);
	out->perms = perms;
	if (!has_scopes)
		return;
	u32 *idx = arena_alloc(a, (nscopes ? nscopes : 1) * 4);
	buf only = {.a = a};
	if (!idx)
		return;
	for (u32 s = 0; s < nscopes; s++) {
		idx[s] = (u32)find_named(h->scopes, h->sorted_scopes, h->nscopes, scopes[s]);
		if (s)
			buf_lit(&only, ", ");
		buf_str(&only, scopes[s]);
	}
	out->scopes = idx;
	out->nscopes = nscopes;
	out->only_at = buf_view(&only);
}

int roles_load(str data, buf *msg) {
	jerror e;
	const jnode *doc = json_parse(&rt.arena, &rt.scratch, data.p, data.n, &e);
	if (!doc) {
		if (e.code != JE_OOM) {
			buf_lit(msg, "custom roles: ");
			buf_json_error(msg, &e);
		}
		return ST_REJECTED;
	}
	const jnode *list = doc;
	if (j_kind(doc) == J_OBJECT) {
		if (j_len(doc) != 1 || !str_eq(j_str(j_first(doc)), S("roles"))) {
			buf_lit(msg, "custom roles: want a JSON array of roles, or {\"roles\": [...]}");
			return ST_REJECTED;
		}
		list = j_first(doc) + 1;
	}
	if (j_kind(list) != J_ARRAY) {
		buf_lit(msg, "custom roles: want a JSON array of roles, not ");
		buf_str(msg, j_kind_name(j_kind(list)));
		return ST_REJECTED;
	}

	// Which roles repeat the name of an earlier one: sorted by name, then by
	// position, all but the first of a name are repeats. A role that is not an
	// object has no name to repeat.
	u32 n = j_len(list);
	draft *d = arena_alloc(&rt.arena, (n ? n : 1) * (u32)sizeof(draft));
	draft *byname = arena_alloc(&rt.arena, (n ? n : 1) * (u32)sizeof(draft));
	if (!d || !byname)
		return ST_REJECTED;
	const jnode *el = j_first(list);
	u32 named = 0;
	for (u32 i = 0; i < n; i++, el = j_next(el)) {
		d[i] = (draft){.j = el, .index = i};
		if (j_kind(el) != J_OBJECT)
			continue;
		const jnode *nm = j_get(el, S("name"));
		if (nm && j_kind(nm) == J_STRING)
			d[i].name = j_str(nm);
		byname[named++] = d[i];
	}
	heapsort(named, cmp_draft, swap_draft, byname);
	for (u32 i = 1; i < named; i++)
		if (str_eq(byname[i].name, byname[i - 1].name))
			d[byname[i].index].dup = true;

	checker c = {.msg = msg};
	for (u32 i = 0; i < n; i++) {
		c.index = i;
		check(&c, &d[i], NULL, NULL);
	}
	if (c.failed || rt.oom)
		return ST_REJECTED;

	// Every role is valid: build the new table, then let the old one go.
	arena fresh = {0};
	role *table = arena_alloc(&fresh, (n ? n : 1) * (u32)sizeof(role));
	for (u32 i = 0; table && i < n && !rt.oom; i++) {
		c.index = i;
		check(&c, &d[i], &fresh, &table[i]);
	}
	if (!table || rt.oom || c.failed) {
		arena_free(&fresh);
		return ST_REJECTED;
	}
	heapsort(n, cmp_role, swap_role, table);
	arena_free(&rt.roles);
	rt.roles = fresh;
	custom = table;
	ncustom = n;
	return ST_OK;
}
