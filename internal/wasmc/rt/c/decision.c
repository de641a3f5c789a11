// decision.c: the decision writer (decision.h), a port of runtime/decision.go.
#include "decision.h"
#include "json.h"
#include "num.h"

static str reason_name(u32 kind) {
	static const char *const names[] = {"no_grant", "role", "allow_rule", "deny_rule", "credential", "malformed"};
	if (kind >= countof(names))
		return S("unknown");
	return str_of(names[kind], (u32)__builtin_strlen(names[kind]));
}

void buf_reason(buf *b, const rt_decision *d) {
	buf_lit(b, "{\"kind\":");
	buf_json_str(b, reason_name(d->reason));
	if (d->reason == REASON_ROLE) {
		buf_lit(b, ",\"role\":");
		buf_json_str(b, d->role);
		buf_lit(b, ",\"assignment\":");
		buf_i64(b, d->assignment);
	} else if (d->reason == REASON_ALLOW_RULE || d->reason == REASON_DENY_RULE) {
		buf_lit(b, ",\"rule\":");
		buf_json_str(b, d->rule);
	}
	buf_byte(b, '}');
}

void buf_warnings(buf *b, const rt_warning *w, u32 n) {
	buf_byte(b, '[');
	for (u32 i = 0; i < n; i++) {
		if (i)
			buf_byte(b, ',');
		buf_lit(b, "{\"assignment\":");
		buf_i64(b, w[i].assignment);
		buf_lit(b, ",\"message\":");
		buf_json_str(b, w[i].message);
		buf_byte(b, '}');
	}
	buf_byte(b, ']');
}

void buf_decision(buf *b, const rt_decision *d) {
	if (d->allowed)
		buf_lit(b, "{\"allowed\":true,\"permission\":");
	else
		buf_lit(b, "{\"allowed\":false,\"permission\":");
	buf_json_str(b, d->permission);
	buf_lit(b, ",\"reason\":");
	buf_reason(b, d);
	buf_lit(b, ",\"errors\":[");
	for (u32 i = 0; i < d->nerrors; i++) {
		const rt_eval_error *e = &d->errors[i];
		if (i)
			buf_byte(b, ',');
		buf_lit(b, "{\"kind\":");
		buf_json_str(b, e->kind);
		buf_lit(b, ",\"name\":");
		buf_json_str(b, e->name);
		if (e->assignment >= 0) {
			buf_lit(b, ",\"assignment\":");
			buf_i64(b, e->assignment);
		}
		buf_lit(b, ",\"message\":");
		buf_json_str(b, e->message);
		buf_byte(b, '}');
	}
	buf_lit(b, "],\"warnings\":");
	buf_warnings(b, d->warnings, d->nwarnings);
	buf_byte(b, '}');
}
