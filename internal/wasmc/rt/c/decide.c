// decide.c: the decision order (gen/check.go, docs/spec.md "Evaluation order"):
// deny rules, the credential's narrowing, allow rules, then the principal's role
// assignments in order; nothing granting is no_grant. An expression that fails is
// recorded in the decision's errors (its kind, name and assignment) and fails
// closed: a deny rule that fails denies, anything else that fails grants nothing.
#include "engine.h"
#include "state.h"

// A check in progress: the request, the decision, what the expressions read, and
// the evaluation errors so far.
typedef struct check {
	const request *q;
	rt_decision d;
	env e;
	rt_eval_error *errs;
	u32 nerrs, caperrs;
} check;

// run evaluates func fi + 1 (0: no func, which holds), recording its error as kind
// and name, with assignment as (-1 for none). It reports whether the func holds; a
// failing func does not.
static bool run(check *c, u32 fi, const char *kind, str name, i64 as, bool *failed) {
	*failed = false;
	if (fi == 0)
		return true;
	bool ok;
	eval_err err = eval_func(func_at(fi - 1), &c->e, &ok);
	if (!err)
		return ok;
	*failed = true;
	if (c->nerrs == c->caperrs) {
		u32 cap = c->caperrs ? 2 * c->caperrs : 4;
		rt_eval_error *errs = arena_alloc(&rt.arena, cap * (u32)sizeof(rt_eval_error));
		if (!errs)
			return false;
		if (c->nerrs)
			memcpy(errs, c->errs, c->nerrs * sizeof(rt_eval_error));
		c->errs = errs;
		c->caperrs = cap;
	}
	buf m = {.a = &rt.arena};
	buf_eval_err(&m, err, budget_limit());
	c->errs[c->nerrs++] = (rt_eval_error){str_of(kind, (u32)__builtin_strlen(kind)), name, buf_view(&m), as};
	return false;
}

// pattern is gen's permissionPattern: whether pat (library.view, library.*, *) names
// perm, and whether it is a valid pattern at all.
static noinline bool pattern(str pat, u32 perm, bool *match) {
	*match = false;
	if (str_eq(pat, S("*")))
		return *match = true;
	u32 dot = 0;
	while (dot < pat.n && pat.p[dot] != '.')
		dot++;
	if (dot == pat.n)
		return false;
	i32 r = name_find(&resource_names, str_of(pat.p, dot));
	if (r < 0)
		return false;
	if (str_eq(str_of(pat.p + dot + 1, pat.n - dot - 1), S("*"))) {
		*match = permission_at(perm)->resource == (u32)r;
		return true;
	}
	i32 p = name_find(&permission_names, pat);
	*match = p == (i32)perm;
	return p >= 0;
}

noinline bool credential_unlocks(const request *q) {
	const prog_header *h = HDR;
	u32 perm = q->perm;
	if (!q->scopes.present && !q->perms.present && !q->cred_roles.present)
		return true;
	bool unlocked = false;
	for (u32 i = 0; i < q->scopes.n; i++) {
		i32 o = name_find(&oauth_names, q->scopes.items[i]);
		if (o < 0)
			return false;
		unlocked = unlocked || perm_in(PROG(u32, PROG(prog_oauth, record(h->oauth, (u32)o))->perms), perm);
	}
	for (u32 i = 0; i < q->perms.n; i++) {
		bool match;
		if (!pattern(q->perms.items[i], perm, &match))
			return false;
		unlocked = unlocked || match;
	}
	for (u32 i = 0; i < q->cred_roles.n; i++) {
		const role *r = role_named(q->cred_roles.items[i]);
		if (!r)
			return false;
		unlocked = unlocked || perm_in(r->perms, perm);
	}
	return unlocked;
}

// credential is the credential's narrowing (gen's credential check): it must unlock
// the permission, and each filter name it gives must admit the resource with one of
// its values, tried in order.
static noinline bool credential(check *c) {
	const prog_header *h = HDR;
	const request *q = c->q;
	if (!credential_unlocks(q))
		return false;
	const u32 *fm = PROG(u32, resource_at(q->resource)->filter_match);
	bool covered = false;
	for (u32 f = 0; f < h->nfilters && !covered; f++)
		covered = fm[f] != 0;
	if (!covered)
		return q->filters.n == 0; // no filter covers this resource type: any filter denies
	// Every filter must be well formed and cover this resource type before any is
	// evaluated.
	u32 n = q->filters.n;
	u32 *which = arena_alloc(&rt.arena, (n + h->nfilters + 1) * 4);
	if (!which)
		return false;
	u32 *done = which + n;
	memset(done, 0, h->nfilters * 4);
	for (u32 i = 0; i < n; i++) {
		str name, value;
		if (!cut(q->filters.items[i], &name, &value))
			return false;
		i32 f = name_find(&filter_names, name);
		if (f < 0 || fm[f] == 0)
			return false;
		which[i] = (u32)f;
	}
	// Each filter given, in order of first appearance, must match one of its values.
	for (u32 i = 0; i < n; i++) {
		u32 f = which[i];
		if (done[f])
			continue;
		done[f] = 1;
		bool matched = false;
		for (u32 k = i; k < n && !matched; k++) {
			str name, v;
			if (which[k] != f || !cut(q->filters.items[k], &name, &v))
				continue;
			value fv = {.s = v};
			c->e.objs[OBJ_FILTER] = &fv;
			bool failed;
			matched = run(c, fm[f], "filter", name, -1, &failed);
			c->e.objs[OBJ_FILTER] = NULL;
		}
		if (!matched)
			return false;
	}
	return true;
}

// order runs the decision order into c->d.
static void order(check *c) {
	const prog_header *h = HDR;
	const request *q = c->q;
	const prog_permission *perm = permission_at(q->perm);
	rt_decision *d = &c->d;
	bool failed;

	// Deny rules win; a deny rule that fails to evaluate denies.
	const prog_steps *deny = PROG(prog_steps, perm->deny);
	for (u32 i = 0; i < deny->n; i++) {
		str id = prog_s(PROG(prog_rule, record(h->rules, deny->steps[i].rule))->id);
		if (run(c, deny->steps[i].func, "rule", id, -1, &failed) || failed) {
			d->reason = REASON_DENY_RULE;
			d->rule = id;
			return;
		}
	}
	// Credentials only narrow.
	if (q->has_cred && !credential(c)) {
		d->reason = REASON_CREDENTIAL;
		return;
	}
	// Allow rules; one that fails to evaluate does not allow.
	const prog_steps *allow = PROG(prog_steps, perm->allow);
	for (u32 i = 0; i < allow->n; i++) {
		str id = prog_s(PROG(prog_rule, record(h->rules, allow->steps[i].rule))->id);
		if (run(c, allow->steps[i].func, "rule", id, -1, &failed)) {
			d->allowed = true;
			d->reason = REASON_ALLOW_RULE;
			d->rule = id;
			return;
		}
	}
	// Role assignments, in order: the first that grants allows. An invalid one (it
	// has warnings) grants nothing.
	const prog_resource *res = resource_at(q->resource);
	for (u32 i = 0; i < q->nroles; i++) {
		const assignment *as = &q->roles[i];
		const role *r = as->role;
		if (!assignment_grants(as, q->perm))
			continue;
		u32 match = PROG(u32, res->scope_match)[as->scope];
		if (match == 0)
			continue; // the scope does not apply to this resource type
		c->e.objs[OBJ_SCOPE] = as->params;
		bool ok = run(c, match, "scope", prog_s(scope_at((u32)as->scope)->name), i, &failed);
		c->e.objs[OBJ_SCOPE] = NULL;
		if (!ok)
			continue;
		if (r->builtin >= 0 && !run(c, PROG(u32, res->role_when)[r->builtin], "role", r->name, i, &failed))
			continue;
		d->allowed = true;
		d->reason = REASON_ROLE;
		d->role = r->name;
		d->assignment = i;
		return;
	}
}

noinline void decide(const request *q, buf *out) {
	// Zeroed by memset: a struct's zero value is memory.fill (rt.h).
	check c;
	memset(&c, 0, sizeof c);
	c.q = q;
	c.d.permission = prog_s(permission_at(q->perm)->name);
	c.d.reason = REASON_NO_GRANT;
	c.e.objs[OBJ_PRINCIPAL] = q->principal;
	c.e.objs[OBJ_RESOURCE] = q->resource_attrs;
	c.e.objs[OBJ_CONTEXT] = q->context;
	c.e.objs[OBJ_CREDENTIAL] = q->cred_attrs;
	budget_start(rt.cfg.budget);
	order(&c);
	c.d.errors = c.errs;
	c.d.nerrors = c.nerrs;
	c.d.warnings = q->warnings;
	c.d.nwarnings = q->nwarnings;
	buf_decision(out, &c.d);
}
