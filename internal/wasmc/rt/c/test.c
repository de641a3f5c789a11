// test.c: the test build's engine and entry points (build.sh, -DPERMC_TEST).
//
// The engine stands in for the program interpreter so that the ABI layer is tested
// whole: it answers {"id": X} with a decision-like object naming X and the custom
// roles, and has hooks to make a call fail as a bug would (a broken invariant), or
// run out of memory. The entry points t_* expose the runtime's functions to the Go
// tests, which compare each with its Go counterpart. Every entry point follows the
// exports' discipline: input in a host block, the packed result, status OK or
// REJECTED (the function's error message, plain).
//
// Arguments: a function of one string takes the block's bytes; one of several
// takes them each as a 4-byte little-endian length and the bytes.
#ifndef PERMC_TEST
#error test.c is only in the test build
#endif

#include "abi.h"
#include "cel.h"
#include "decision.h"
#include "ip.h"
#include "json.h"
#include "link.h"
#include "num.h"
#include "text.h"
#include "time.h"

// ---- The test engine -----------------------------------------------------------

struct rt_engine {
	str roles; // the custom roles document, in rt.roles
};

void rt_init_engine(void) {}

// parse parses a document into rt.arena, or appends {"error": ...} to out.
static const jnode *parse(str in, buf *out) {
	jerror e;
	const jnode *doc = json_parse(&rt.arena, &rt.scratch, in.p, in.n, &e);
	if (!doc && e.code != JE_OOM) {
		buf m = {.a = &rt.arena};
		buf_json_error(&m, &e);
		buf_error_json(out, buf_view(&m));
	}
	return doc;
}

// hooks runs the test hooks of a request: "__panic__" breaks an invariant,
// "__alloc__": N allocates N bytes of the arena (N MiB for "__alloc_mib__").
static bool hooks(const jnode *doc) {
	if (j_get(doc, S("__panic__"))) {
		RT_ASSERT(!"test: a broken invariant");
		return false;
	}
	const jnode *n = j_get(doc, S("__alloc_mib__"));
	u64 mib;
	if (n && rt_parse_uint(j_str(n), &mib) == ERR_NONE) {
		for (u64 i = 0; i < mib; i++)
			if (!arena_alloc(&rt.arena, 1u << 20))
				return false;
	}
	return true;
}

int rt_check(str req, buf *out) {
	const jnode *doc = parse(req, out);
	if (!doc)
		return ST_REJECTED;
	if (!hooks(doc))
		return ST_INTERNAL;
	const jnode *id = j_get(doc, S("id"));
	if (!id || j_kind(id) != J_STRING) {
		buf_error_json(out, S("id is required"));
		return ST_REJECTED;
	}
	buf_lit(out, "{\"allowed\":true,\"permission\":");
	buf_json_str(out, j_str(id));
	buf_lit(out, ",\"roles\":");
	buf_str(out, rt.engine ? rt.engine->roles : S("[]"));
	buf_byte(out, '}');
	return ST_OK;
}

int rt_plan(str req, buf *out) {
	const jnode *doc = parse(req, out);
	if (!doc)
		return ST_REJECTED;
	buf_lit(out, "{\"plan\":");
	buf_str(out, j_kind_name(j_kind(doc)));
	buf_byte(out, '}');
	return ST_OK;
}

// rt_load_roles keeps a copy of a JSON array in a fresh arena and frees the old
// one: the pattern of an engine's custom roles.
int rt_load_roles(str data, buf *msg) {
	jerror e;
	const jnode *doc = json_parse(&rt.arena, &rt.scratch, data.p, data.n, &e);
	if (!doc) {
		if (e.code != JE_OOM)
			buf_json_error(msg, &e);
		return ST_REJECTED;
	}
	if (j_kind(doc) != J_ARRAY) {
		buf_lit(msg, "want an array");
		return ST_REJECTED;
	}
	if (j_len(doc) > 0 && str_eq(j_str(j_first(doc)), S("__panic__"))) {
		RT_ASSERT(!"test: roles");
		return ST_INTERNAL;
	}
	arena next = {.min = 4096};
	struct rt_engine *eng = arena_alloc(&next, sizeof *eng);
	str copy = arena_copy(&next, data);
	// Each role name on its own, as an engine keeps names.
	const jnode *el = j_first(doc);
	for (u32 i = 0; i < j_len(doc); i++, el = j_next(el))
		if (j_kind(el) == J_STRING && !arena_copy(&next, j_str(el)).p)
			eng = NULL;
	if (!eng || !copy.p) {
		arena_free(&next);
		return ST_INTERNAL; // rt.oom is set
	}
	eng->roles = copy;
	arena_free(&rt.roles);
	rt.roles = next;
	rt.engine = eng;
	return ST_OK;
}

// rt_metadata describes the program's size and the settings in force.
int rt_metadata(buf *out) {
	buf_lit(out, "{\"package\":\"test\",\"program_bytes\":");
	buf_u64(out, rt_program().n);
	buf_lit(out, ",\"max_request\":");
	buf_u64(out, rt.cfg.max_request);
	buf_lit(out, ",\"max_roles\":");
	buf_u64(out, rt.cfg.max_roles);
	buf_lit(out, ",\"max_batch\":");
	buf_u64(out, rt.cfg.max_batch);
	buf_lit(out, ",\"budget\":");
	buf_u64(out, rt.cfg.budget);
	buf_byte(out, '}');
	return ST_OK;
}

// ---- Entry points ----------------------------------------------------------------

// call runs fn on the input at (ptr, n) as the exports run their logic; fn appends
// its output to rt.out and returns OK, or REJECTED with its message in rt.out.
static u64 call(u32 ptr, u32 n, int (*fn)(str in, buf *out)) {
	rt_begin();
	str in;
	if (!rt_input(ptr, n, &in))
		return rt_bad_call(ptr, n);
	return rt_finish((u32)fn(in, &rt.out));
}

// t_call is call, for the entry points in other files (test_plan.c).
u64 t_call(u32 ptr, u32 n, int (*fn)(str in, buf *out)) { return call(ptr, n, fn); }

// arg takes the next argument from *in.
static str arg(str *in) {
	u32 len = 0;
	if (in->n >= 4) {
		memcpy(&len, in->p, 4);
		in->p += 4;
		in->n -= 4;
	}
	if (len > in->n)
		len = in->n;
	str a = {in->p, len};
	in->p += len;
	in->n -= len;
	return a;
}

static int error(buf *out, rt_err e) {
	buf_str(out, rt_err_msg(e));
	return ST_REJECTED;
}

static u64 le64(str in) {
	u64 v = 0;
	memcpy(&v, in.p, in.n < 8 ? in.n : 8);
	return v;
}

// dump writes a parsed document canonically, for comparison with the Go parser's
// result: n, t, f, #literal;, s<len>:<bytes>, [<count>:...], {<count>:key value...}.
static const jnode *dump(buf *out, const jnode *j) {
	switch (j_kind(j)) {
	case J_NULL:
		buf_byte(out, 'n');
		return j + 1;
	case J_BOOL:
		buf_byte(out, j_bool(j) ? 't' : 'f');
		return j + 1;
	case J_NUMBER:
		buf_byte(out, '#');
		buf_str(out, j_str(j));
		buf_byte(out, ';');
		return j + 1;
	case J_STRING:
		buf_byte(out, 's');
		buf_u64(out, j_len(j));
		buf_byte(out, ':');
		buf_str(out, j_str(j));
		return j + 1;
	}
	bool obj = j_kind(j) == J_OBJECT;
	buf_byte(out, obj ? '{' : '[');
	buf_u64(out, j_len(j));
	buf_byte(out, ':');
	const jnode *c = j_first(j);
	for (u32 i = 0; i < j_len(j); i++) {
		if (obj)
			c = dump(out, c); // the key
		c = dump(out, c);
	}
	// The subtree's size must bring the walk to the same node.
	RT_ASSERT(c == j_next(j));
	buf_byte(out, obj ? '}' : ']');
	return j_next(j);
}

static int json_fn(str in, buf *out) {
	jerror e;
	const jnode *doc = json_parse(&rt.arena, &rt.scratch, in.p, in.n, &e);
	if (!doc) {
		buf_json_error(out, &e);
		return ST_REJECTED;
	}
	dump(out, doc);
	return ST_OK;
}
export u64 t_json(u32 p, u32 n) { return call(p, n, json_fn); }

// t_json_parse_only parses and answers nothing: for benchmarks.
static int parse_only_fn(str in, buf *out) {
	jerror e;
	if (!json_parse(&rt.arena, &rt.scratch, in.p, in.n, &e)) {
		buf_json_error(out, &e);
		return ST_REJECTED;
	}
	return ST_OK;
}
export u64 t_json_parse_only(u32 p, u32 n) { return call(p, n, parse_only_fn); }

static int json_str_fn(str in, buf *out) {
	buf_json_str(out, in);
	return ST_OK;
}
export u64 t_json_str(u32 p, u32 n) { return call(p, n, json_str_fn); }

static int error_json_fn(str in, buf *out) {
	buf_error_json(out, in);
	return ST_OK;
}
export u64 t_error_json(u32 p, u32 n) { return call(p, n, error_json_fn); }

static int quote_fn(str in, buf *out) {
	buf_quote(out, in);
	return ST_OK;
}
export u64 t_quote(u32 p, u32 n) { return call(p, n, quote_fn); }

static int quote_rune_fn(str in, buf *out) {
	buf_quote_rune(out, (u32)le64(in));
	return ST_OK;
}
export u64 t_quote_rune(u32 p, u32 n) { return call(p, n, quote_rune_fn); }

// t_isprint answers a bitmap of rt_isprint for every rune, U+0000 to U+10FFFF.
static int isprint_fn(str in, buf *out) {
	u8 *d = buf_room(out, 0x110000 / 8);
	if (!d)
		return ST_OK;
	memset(d, 0, 0x110000 / 8);
	for (u32 r = 0; r < 0x110000; r++)
		if (rt_isprint(r))
			d[r >> 3] |= (u8)(1u << (r & 7));
	out->n += 0x110000 / 8;
	return ST_OK;
}
export u64 t_isprint(u32 p, u32 n) { return call(p, n, isprint_fn); }

// The candidates of t_suggest and t_did_you_mean: the arguments after the name.
static u32 candidates(str in, str *cands, u32 max) {
	u32 n = 0;
	while (in.n && n < max)
		cands[n++] = arg(&in);
	return n;
}

static int suggest_fn(str in, buf *out) {
	str name = arg(&in), cands[64];
	buf_str(out, rt_suggest(name, cands, candidates(in, cands, 64)));
	return ST_OK;
}
export u64 t_suggest(u32 p, u32 n) { return call(p, n, suggest_fn); }

static int did_you_mean_fn(str in, buf *out) {
	str name = arg(&in), cands[64];
	buf_did_you_mean(out, name, cands, candidates(in, cands, 64));
	return ST_OK;
}
export u64 t_did_you_mean(u32 p, u32 n) { return call(p, n, did_you_mean_fn); }

// t_utf8 answers "valid count", and then each rune and width as DecodeRune reads.
static int utf8_fn(str in, buf *out) {
	buf_byte(out, utf8_valid(in.p, in.n) ? '1' : '0');
	buf_byte(out, ' ');
	buf_u64(out, utf8_count(in.p, in.n));
	for (u32 i = 0; i < in.n;) {
		u32 r, w = utf8_decode(in.p + i, in.n - i, &r);
		buf_byte(out, ' ');
		buf_u64(out, r);
		buf_byte(out, '/');
		buf_u64(out, w);
		u8 e[4];
		u32 k = utf8_encode(e, r);
		buf_byte(out, '/');
		buf_base64(out, e, k);
		i += w;
	}
	return ST_OK;
}
export u64 t_utf8(u32 p, u32 n) { return call(p, n, utf8_fn); }

static int parse_int_fn(str in, buf *out) {
	i64 v;
	rt_err e = rt_parse_int(in, &v);
	if (e)
		return error(out, e);
	buf_i64(out, v);
	return ST_OK;
}
export u64 t_parse_int(u32 p, u32 n) { return call(p, n, parse_int_fn); }

static int parse_uint_fn(str in, buf *out) {
	u64 v;
	rt_err e = rt_parse_uint(in, &v);
	if (e)
		return error(out, e);
	buf_u64(out, v);
	return ST_OK;
}
export u64 t_parse_uint(u32 p, u32 n) { return call(p, n, parse_uint_fn); }

// t_parse_double answers the double's bits, little-endian.
static int parse_double_fn(str in, buf *out) {
	double f;
	rt_err e = rt_parse_double(in, &f);
	if (e)
		return error(out, e);
	buf_put(out, &f, 8);
	return ST_OK;
}
export u64 t_parse_double(u32 p, u32 n) { return call(p, n, parse_double_fn); }

static int format_double_fn(str in, buf *out) {
	u64 bits = le64(in);
	double f;
	memcpy(&f, &bits, 8);
	buf_double(out, f);
	return ST_OK;
}
export u64 t_format_double(u32 p, u32 n) { return call(p, n, format_double_fn); }

static int format_int_fn(str in, buf *out) {
	buf_i64(out, (i64)le64(in));
	return ST_OK;
}
export u64 t_format_int(u32 p, u32 n) { return call(p, n, format_int_fn); }

static int format_uint_fn(str in, buf *out) {
	buf_u64(out, le64(in));
	return ST_OK;
}
export u64 t_format_uint(u32 p, u32 n) { return call(p, n, format_uint_fn); }

static int base64_decode_fn(str in, buf *out) {
	if (!base64_decode(out, in)) {
		out->n = 0;
		return error(out, ERR_BYTES);
	}
	return ST_OK;
}
export u64 t_base64_decode(u32 p, u32 n) { return call(p, n, base64_decode_fn); }

static int base64_encode_fn(str in, buf *out) {
	buf_base64(out, in.p, in.n);
	return ST_OK;
}
export u64 t_base64_encode(u32 p, u32 n) { return call(p, n, base64_encode_fn); }

// t_cel runs a CEL operation: the operation's number (1 byte), then its operands,
// 8 bytes each, little-endian (a timestamp is two: seconds and nanoseconds). It
// answers the result in decimal ("seconds nanoseconds" for a timestamp), or the
// error's message.
static int cel_fn(str in, buf *out) {
	u64 v[4] = {0};
	for (u32 i = 0; i < 4 && 1 + 8 * i + 8 <= in.n; i++)
		memcpy(&v[i], in.p + 1 + 8 * i, 8);
	i64 a = (i64)v[0], b = (i64)v[1], r = 0;
	u64 ur = 0;
	rt_time t = {0}, x = {a, (i32)b};
	cel_err e;
	enum { INT, UINT, TIME } kind = INT;
	switch (in.n ? in.p[0] : 255) {
	case 0: e = cel_add_int(a, b, &r); break;
	case 1: e = cel_sub_int(a, b, &r); break;
	case 2: e = cel_neg_int(a, &r); break;
	case 3: e = cel_mul_int(a, b, &r); break;
	case 4: e = cel_div_int(a, b, &r); break;
	case 5: e = cel_mod_int(a, b, &r); break;
	case 6: e = cel_add_uint(v[0], v[1], &ur), kind = UINT; break;
	case 7: e = cel_sub_uint(v[0], v[1], &ur), kind = UINT; break;
	case 8: e = cel_mul_uint(v[0], v[1], &ur), kind = UINT; break;
	case 9: e = cel_div_uint(v[0], v[1], &ur), kind = UINT; break;
	case 10: e = cel_mod_uint(v[0], v[1], &ur), kind = UINT; break;
	case 11: e = cel_add_time(x, (i64)v[2], &t), kind = TIME; break;
	case 12: e = cel_sub_time_duration(x, (i64)v[2], &t), kind = TIME; break;
	case 13: e = cel_sub_time(x, (rt_time){(i64)v[2], (i32)v[3]}, &r); break;
	default:
		buf_lit(out, "bad test input");
		return ST_REJECTED;
	}
	if (e) {
		buf_str(out, cel_err_msg(e));
		return ST_REJECTED;
	}
	if (kind == UINT) {
		buf_u64(out, ur);
	} else if (kind == TIME) {
		buf_i64(out, t.sec);
		buf_byte(out, ' ');
		buf_i64(out, t.nsec);
	} else {
		buf_i64(out, r);
	}
	return ST_OK;
}
export u64 t_cel(u32 p, u32 n) { return call(p, n, cel_fn); }

static int cel_msg_fn(str in, buf *out) {
	buf_str(out, cel_err_msg(in.n ? in.p[0] : 0));
	return ST_OK;
}
export u64 t_cel_msg(u32 p, u32 n) { return call(p, n, cel_msg_fn); }

// t_parse_timestamp answers "seconds nanoseconds".
static int parse_timestamp_fn(str in, buf *out) {
	rt_time t;
	rt_err e = rt_parse_timestamp(in, &t);
	if (e)
		return error(out, e);
	buf_i64(out, t.sec);
	buf_byte(out, ' ');
	buf_i64(out, t.nsec);
	return ST_OK;
}
export u64 t_parse_timestamp(u32 p, u32 n) { return call(p, n, parse_timestamp_fn); }

// t_format_timestamp takes the seconds (8 bytes) and nanoseconds (4 bytes).
static int format_timestamp_fn(str in, buf *out) {
	if (in.n != 12)
		return error(out, ERR_TIMESTAMP);
	rt_time t;
	memcpy(&t.sec, in.p, 8);
	memcpy(&t.nsec, in.p + 8, 4);
	buf_timestamp(out, t);
	return ST_OK;
}
export u64 t_format_timestamp(u32 p, u32 n) { return call(p, n, format_timestamp_fn); }

static int parse_duration_fn(str in, buf *out) {
	i64 d;
	rt_err e = rt_parse_duration(in, &d);
	if (e)
		return error(out, e);
	buf_i64(out, d);
	return ST_OK;
}
export u64 t_parse_duration(u32 p, u32 n) { return call(p, n, parse_duration_fn); }

static int format_duration_fn(str in, buf *out) {
	buf_duration(out, (i64)le64(in));
	return ST_OK;
}
export u64 t_format_duration(u32 p, u32 n) { return call(p, n, format_duration_fn); }

static int ip_fn(str in, buf *out) {
	str addr = arg(&in), cidr = arg(&in);
	bool yes;
	rt_err e = rt_in_ip_range(addr, cidr, &yes);
	if (e)
		return error(out, e);
	if (yes)
		buf_lit(out, "true");
	else
		buf_lit(out, "false");
	return ST_OK;
}
export u64 t_ip(u32 p, u32 n) { return call(p, n, ip_fn); }

static i64 num_field(const jnode *obj, const char *key) {
	const jnode *v = j_get(obj, str_of(key, (u32)strlen(key)));
	i64 n = 0;
	if (v && j_kind(v) == J_NUMBER)
		rt_parse_int(j_str(v), &n);
	return n;
}

static str str_field(const jnode *obj, const char *key) {
	const jnode *v = j_get(obj, str_of(key, (u32)strlen(key)));
	return v && j_kind(v) == J_STRING ? j_str(v) : (str){NULL, 0};
}

// t_decision writes a decision described as JSON (the fields of runtime.Decision,
// lower-case, reason as its number).
static int decision_fn(str in, buf *out) {
	jerror e;
	const jnode *doc = json_parse(&rt.arena, &rt.scratch, in.p, in.n, &e);
	if (!doc || j_kind(doc) != J_OBJECT) {
		buf_lit(out, "bad test input");
		return ST_REJECTED;
	}
	const jnode *allowed = j_get(doc, S("allowed"));
	rt_decision d = {
		.allowed = allowed && j_kind(allowed) == J_BOOL && j_bool(allowed),
		.permission = str_field(doc, "permission"),
		.reason = (u32)num_field(doc, "reason"),
		.rule = str_field(doc, "rule"),
		.role = str_field(doc, "role"),
		.assignment = num_field(doc, "assignment"),
	};
	const jnode *errs = j_get(doc, S("errors")), *warns = j_get(doc, S("warnings"));
	if (errs && j_kind(errs) == J_ARRAY) {
		rt_eval_error *ev = arena_alloc(&rt.arena, j_len(errs) * (u32)sizeof *ev + 1);
		const jnode *x = j_first(errs);
		for (u32 i = 0; ev && i < j_len(errs); i++, x = j_next(x))
			ev[i] = (rt_eval_error){str_field(x, "kind"), str_field(x, "name"), str_field(x, "message"),
			                        num_field(x, "assignment")};
		d.errors = ev;
		d.nerrors = ev ? j_len(errs) : 0;
	}
	if (warns && j_kind(warns) == J_ARRAY) {
		rt_warning *wv = arena_alloc(&rt.arena, j_len(warns) * (u32)sizeof *wv + 1);
		const jnode *x = j_first(warns);
		for (u32 i = 0; wv && i < j_len(warns); i++, x = j_next(x))
			wv[i] = (rt_warning){num_field(x, "assignment"), str_field(x, "message")};
		d.warnings = wv;
		d.nwarnings = wv ? j_len(warns) : 0;
	}
	buf_decision(out, &d);
	return ST_OK;
}
export u64 t_decision(u32 p, u32 n) { return call(p, n, decision_fn); }

static void put_stats(buf *out, heap_stats s) {
	buf_cstr(out, s.ok ? "ok" : "CORRUPT");
	u32 v[] = {s.start, s.end, s.free_bytes, s.free_chunks, s.largest_free, s.used_chunks, s.pages};
	for (u32 i = 0; i < countof(v); i++) {
		buf_byte(out, ' ');
		buf_u64(out, v[i]);
	}
}

// t_heap answers the heap's state: "ok start end free_bytes free_chunks
// largest_free used_chunks pages".
static int heap_fn(str in, buf *out) {
	put_stats(out, heap_check());
	return ST_OK;
}
export u64 t_heap(u32 p, u32 n) { return call(p, n, heap_fn); }

// t_heap_stress runs a pseudo-random sequence of allocations, reallocations and
// frees (arguments: the seed, the number of steps, the largest size, 8 bytes each),
// checking every block's contents and the heap's consistency, then frees
// everything: it answers the heap's state, or what went wrong.
static int heap_stress_fn(str in, buf *out) {
	u64 seed = le64(arg(&in)), steps = le64(arg(&in)), maxsize = le64(arg(&in));
	if (maxsize == 0 || maxsize > (64u << 20))
		maxsize = 4096;
	enum { SLOTS = 256 };
	u8 *ptr[SLOTS] = {0};
	u32 size[SLOTS] = {0};
	u8 tag[SLOTS] = {0};
	for (u64 step = 0; step < steps; step++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		u32 r = (u32)(seed >> 33), k = r % SLOTS;
		// Sizes are mostly small, sometimes up to maxsize.
		u32 sz = (r >> 8) % 8 == 0 ? (u32)((seed >> 7) % maxsize) : (r >> 12) % 200;
		if (ptr[k]) {
			for (u32 i = 0; i < size[k]; i++) {
				if (ptr[k][i] != (u8)(tag[k] + i)) {
					buf_lit(out, "block contents changed at step ");
					buf_u64(out, step);
					return ST_REJECTED;
				}
			}
		}
		if (ptr[k] && (r & 1)) {
			rt_free(ptr[k]);
			ptr[k] = NULL;
		} else if (ptr[k]) {
			u8 *q = rt_realloc(ptr[k], sz);
			if (!q)
				continue;
			u32 keep = size[k] < sz ? size[k] : sz;
			ptr[k] = q;
			for (u32 i = keep; i < sz; i++)
				q[i] = (u8)(tag[k] + i);
			size[k] = sz;
		} else {
			ptr[k] = rt_malloc(sz);
			if (!ptr[k])
				continue;
			size[k] = sz;
			tag[k] = (u8)r;
			for (u32 i = 0; i < sz; i++)
				ptr[k][i] = (u8)(tag[k] + i);
		}
		if (step % 1024 == 0 && !heap_check().ok) {
			buf_lit(out, "heap corrupt at step ");
			buf_u64(out, step);
			return ST_REJECTED;
		}
	}
	for (u32 k = 0; k < SLOTS; k++)
		rt_free(ptr[k]);
	rt.oom = false; // a refused allocation is part of the test, not a failure
	put_stats(out, heap_check());
	return ST_OK;
}
export u64 t_heap_stress(u32 p, u32 n) { return call(p, n, heap_stress_fn); }

// t_program answers the linked program's bytes.
static int program_fn(str in, buf *out) {
	buf_str(out, rt_program());
	return ST_OK;
}
export u64 t_program(u32 p, u32 n) { return call(p, n, program_fn); }
