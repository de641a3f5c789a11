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

// ---- The usual decision, at once -------------------------------------------------
//
// A decision without errors or warnings, whose names need no escapes, is written
// into room taken once, its literals and names copied a word at a time: appending
// its dozen parts one by one (a call each, with a check of the room and a copy of
// unknown length) took a tenth of a check. Any other goes part by part below.

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline u64 word(const void *p) {
	u64 w;
	__builtin_memcpy(&w, p, 8);
	return w;
}

// escaped reports whether a byte of w is one buf_json_str does not copy as it is
// (or may not: a byte of UTF-8 above 0x7F), a control byte, '"' or '\\'. A borrow
// only carries out of a byte that is one of those, so the test is exact.
static inline bool escaped(u64 w) {
	u64 q = w ^ (ONES * '"'), s = w ^ (ONES * '\\');
	return ((((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) | ((s - ONES) & ~s) | w) & HIGHS) != 0;
}

// put copies the n bytes at s to d a word at a time, the last word overlapping the
// one before, and returns d + n. n is at least 8.
static inline u8 *put(u8 *d, const void *s, u32 n) {
	const u8 *p = s;
	for (u32 i = 0; i + 8 < n; i += 8) {
		u64 w = word(p + i);
		__builtin_memcpy(d + i, &w, 8);
	}
	u64 w = word(p + n - 8);
	__builtin_memcpy(d + n - 8, &w, 8);
	return d + n;
}
#define PUT(d, lit) put((d), "" lit, sizeof(lit) - 1) // a literal of 8 bytes or more

// put_plain copies s to d as a JSON string's contents when buf_json_str would write
// it as it is (printable ASCII), and returns the end; NULL when it would not.
static u8 *put_plain(u8 *d, str s) {
	u32 i = 0;
	for (; i + 8 <= s.n; i += 8) {
		u64 w = word(s.p + i);
		if (escaped(w))
			return NULL;
		__builtin_memcpy(d + i, &w, 8);
	}
	for (; i < s.n; i++) {
		u8 c = s.p[i];
		if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
			return NULL;
		d[i] = c;
	}
	return d + s.n;
}

// decision_at_once writes d as buf_decision does and reports true, or writes
// nothing and reports false when d is not a usual decision.
static bool decision_at_once(buf *b, const rt_decision *d) {
	if (d->nerrors || d->nwarnings || d->assignment < 0)
		return false;
	bool role = d->reason == REASON_ROLE, rule = d->reason == REASON_ALLOW_RULE || d->reason == REASON_DENY_RULE;
	str name = role ? d->role : rule ? d->rule : (str){NULL, 0};
	// The literals take under 120 bytes, the assignment at most 19 digits.
	u8 *start = buf_room(b, 160 + d->permission.n + name.n), *p = start;
	if (!p)
		return true; // b has failed: what it holds no longer matters
	p = d->allowed ? PUT(p, "{\"allowed\":true,\"permission\":\"") : PUT(p, "{\"allowed\":false,\"permission\":\"");
	if (!(p = put_plain(p, d->permission)))
		return false;
	p = PUT(p, "\",\"reason\":{\"kind\":\"");
	p = put_plain(p, reason_name(d->reason));
	if (role || rule) {
		p = role ? PUT(p, "\",\"role\":\"") : PUT(p, "\",\"rule\":\"");
		if (!(p = put_plain(p, name)))
			return false;
	}
	*p++ = '"';
	if (role) {
		p = PUT(p, ",\"assignment\":");
		u8 tmp[20];
		u32 i = sizeof tmp;
		u64 v = (u64)d->assignment;
		do {
			tmp[--i] = (u8)('0' + v % 10);
			v /= 10;
		} while (v);
		for (; i < sizeof tmp; i++)
			*p++ = tmp[i];
	}
	p = PUT(p, "},\"errors\":[],\"warnings\":[]}");
	b->n += (u32)(p - start);
	return true;
}

void buf_decision(buf *b, const rt_decision *d) {
	if (decision_at_once(b, d))
		return;
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
