// abi.c: the module's exports (docs/wasm-abi.md): the blocks the host writes input
// in, limits, batches, the packed result and statuses. No argument value and no
// input makes an export trap.
#include "abi.h"
#include "json.h"
#include "link.h"
#include "num.h"
#include "text.h"

rt_state rt;

#define ABI_VERSION 1

// The per-call arenas keep a chunk of this size from one call to the next, so that
// a typical check allocates nothing from the heap; a result buffer larger than
// KEEP_RESULT is given back at the next call.
#define KEEP_ARENA (64u << 10)
#define KEEP_RESULT (1u << 20)

// ---- The engine, when none is linked ------------------------------------------
//
// The engine's functions (abi.h) are defined by the program interpreter. Until it
// is linked into the runtime, these weak definitions stand in: every call fails
// closed with an internal error, so a module without an interpreter can never
// answer a request.

#define NO_ENGINE "no program interpreter is linked"

__attribute__((weak)) int rt_check(str req, buf *out) {
	(void)req, (void)out;
	rt_bug(NO_ENGINE);
	return ST_INTERNAL;
}

__attribute__((weak)) int rt_plan(str req, buf *out) {
	(void)req, (void)out;
	rt_bug(NO_ENGINE);
	return ST_INTERNAL;
}

__attribute__((weak)) int rt_load_roles(str data, buf *msg) {
	(void)data, (void)msg;
	rt_bug(NO_ENGINE);
	return ST_INTERNAL;
}

__attribute__((weak)) int rt_metadata(buf *out) {
	(void)out;
	rt_bug(NO_ENGINE);
	return ST_INTERNAL;
}

__attribute__((weak)) void rt_init_engine(void) {}

// ---- Calls -------------------------------------------------------------------

static void init(void) {
	if (rt.ready)
		return;
	rt.ready = true;
	heap_init(rt_heap_start());
	rt.cfg = (rt_config){DEF_MAX_REQUEST, DEF_MAX_ROLES, DEF_MAX_BATCH, DEF_BUDGET};
	rt.arena.min = rt.scratch.min = 16u << 10;
	rt_init_engine();
}

// fresh empties the per-call arenas: between calls, and between the requests of a
// batch.
static void fresh(void) {
	arena_reset(&rt.arena, KEEP_ARENA);
	arena_reset(&rt.scratch, KEEP_ARENA);
}

// begin starts a call: the last result is dropped (its memory too, when large),
// and so are the failures of the last call.
void rt_begin(void) {
	init();
	if (rt.out.cap > KEEP_RESULT)
		buf_free(&rt.out);
	rt.out.n = 0;
	rt.out.err = 0;
	rt.bug = NULL;
	rt.oom = false;
	fresh();
}

static inline u64 pack(u32 ptr, u32 status, u32 n) { return (u64)ptr << 32 | (u64)status << 28 | n; }

// The answer when memory runs out, where it needs no memory.
static const char oom_result[] = "{\"error\":\"permc module: out of memory\"}";

static u64 fail(u32 status, str msg) {
	rt.out.n = 0;
	rt.out.err = 0;
	buf_error_json(&rt.out, msg);
	if (rt.out.err)
		return pack((u32)(usize)oom_result, ST_INTERNAL, sizeof oom_result - 1);
	return pack((u32)(usize)rt.out.p, status, rt.out.n);
}

// rt_fail makes {"error": msg} the result (msg must not be in rt.out).
u64 rt_fail(u32 status, buf *msg) {
	if (msg->err)
		return pack((u32)(usize)oom_result, ST_INTERNAL, sizeof oom_result - 1);
	return fail(status, buf_view(msg));
}

// too_long is the message for an input over its limit: "<what> longer than N bytes".
static u64 too_long(u32 status, const char *what, u32 limit) {
	buf m = {.a = &rt.scratch};
	buf_cstr(&m, what);
	buf_lit(&m, " longer than ");
	buf_u64(&m, limit);
	buf_lit(&m, " bytes");
	return rt_fail(status, &m);
}

// finish packs the result in rt.out, unless the call failed: a broken invariant
// (INTERNAL), memory (INTERNAL, "out of memory"), a result too long to describe
// (REJECTED, as the Go module).
u64 rt_finish(u32 status) {
	if (rt.bug) {
		buf m = {.a = &rt.scratch};
		buf_lit(&m, "permc module: internal error: ");
		buf_cstr(&m, rt.bug);
		return rt_fail(ST_INTERNAL, &m);
	}
	if (rt.oom || rt.out.err == BUF_OOM)
		return pack((u32)(usize)oom_result, ST_INTERNAL, sizeof oom_result - 1);
	if (rt.out.err == BUF_TOO_LONG)
		return too_long(ST_REJECTED, "the result is", BUF_MAX);
	if (rt.out.n == 0)
		return pack(0, status, 0);
	return pack((u32)(usize)rt.out.p, status, rt.out.n);
}

// input finds the n bytes at ptr in a live block that starts at ptr. Any pointer
// with n == 0 is the empty input.
bool rt_input(u32 ptr, u32 n, str *in) {
	*in = (str){NULL, 0};
	if (n == 0)
		return true;
	for (u32 i = 0; i < rt.nblocks; i++) {
		if (rt.blocks[i].ptr == ptr) {
			if (n > rt.blocks[i].size)
				return false;
			*in = (str){(const u8 *)(usize)ptr, n};
			return true;
		}
	}
	return false;
}

u64 rt_bad_call(u32 ptr, u32 n) {
	buf m = {.a = &rt.scratch};
	buf_lit(&m, "no block of ");
	buf_u64(&m, n);
	buf_lit(&m, " bytes was allocated at ");
	buf_u64(&m, ptr);
	return rt_fail(ST_BAD_CALL, &m);
}

// ---- Exports -----------------------------------------------------------------

// _initialize prepares the instance. Calling it is optional (every export
// prepares the instance on its first call); it is there for hosts written for the
// Go module, whose lifecycle starts with it.
export void _initialize(void) { init(); }

export u32 permc_abi_version(void) { return ABI_VERSION; }

// permc_alloc hands out a block of size bytes (zeroed, as Go's make), or 0 when
// size is over MAX_BLOCK, the live blocks are at their limits, or memory cannot
// grow.
export u32 permc_alloc(u32 size) {
	rt_begin();
	// As the Go guest: the limit is checked with size, and a block of size 0 takes
	// a byte (so 64 of them may pass MAX_LIVE by 64 bytes).
	u32 n = size ? size : 1;
	if (size > MAX_BLOCK || (u64)rt.live + size > MAX_LIVE || rt.nblocks >= MAX_BLOCKS)
		return 0;
	u8 *p = rt_malloc(n);
	if (!p)
		return 0;
	memset(p, 0, n);
	rt.blocks[rt.nblocks++] = (rt_block){(u32)(usize)p, n};
	rt.live += n;
	return (u32)(usize)p;
}

// permc_free takes back the block at ptr; anything else is ignored.
export void permc_free(u32 ptr) {
	init();
	for (u32 i = 0; i < rt.nblocks; i++) {
		if (rt.blocks[i].ptr == ptr) {
			rt.live -= rt.blocks[i].size;
			rt.blocks[i] = rt.blocks[--rt.nblocks];
			rt_free((void *)(usize)ptr);
			return;
		}
	}
}

// check_one appends the answer to one request, alone or in a batch, and returns
// its status.
static int check_one(str req, buf *out) {
	if (req.n > rt.cfg.max_request) {
		buf m = {.a = &rt.scratch};
		buf_lit(&m, "the request is longer than ");
		buf_u64(&m, rt.cfg.max_request);
		buf_lit(&m, " bytes");
		buf_error_json(out, buf_view(&m));
		if (m.err)
			rt.oom = true;
		return ST_REJECTED;
	}
	int status = rt_check(req, out);
	return status == ST_OK ? ST_OK : ST_REJECTED;
}

export u64 permc_check(u32 ptr, u32 n) {
	rt_begin();
	str in;
	if (!rt_input(ptr, n, &in))
		return rt_bad_call(ptr, n);
	return rt_finish((u32)check_one(in, &rt.out));
}

static bool is_space(u8 c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// batch_limit is the message for a batch of too many requests.
static u64 batch_limit(void) {
	buf m = {.a = &rt.scratch};
	buf_lit(&m, "the batch holds more than ");
	buf_u64(&m, rt.cfg.max_batch);
	buf_lit(&m, " requests");
	return rt_fail(ST_REJECTED, &m);
}

static u64 batch_error(const char *msg, u32 off) {
	buf m = {.a = &rt.scratch};
	buf_cstr(&m, msg);
	buf_u64(&m, off);
	return rt_fail(ST_REJECTED, &m);
}

// failed reports whether the call has failed (a bug or memory), so that a batch
// stops at once.
static inline bool failed(void) { return rt.bug || rt.oom || rt.out.err; }

// batch_lines answers JSON Lines: one request a line, lines of only spaces, tabs
// and carriage returns skipped, each answer followed by "\n".
static u64 batch_lines(str in) {
	u32 count = 0, i = 0;
	while (i < in.n) {
		u32 start = i;
		while (i < in.n && in.p[i] != '\n')
			i++;
		str line = str_of(in.p + start, i - start);
		i++; // past the line feed, or the end
		bool blank = true;
		for (u32 k = 0; k < line.n && blank; k++)
			blank = line.p[k] == ' ' || line.p[k] == '\t' || line.p[k] == '\r';
		if (blank)
			continue;
		if (++count > rt.cfg.max_batch)
			return batch_limit();
		fresh();
		check_one(line, &rt.out);
		buf_byte(&rt.out, '\n');
		if (failed())
			break;
	}
	return rt_finish(ST_OK);
}

// scan_value returns in *end the offset of the ',' or ']' that ends the array
// element starting at i, matching brackets outside strings; false at the end of
// the input.
static bool scan_value(str in, u32 i, u32 *end) {
	i32 depth = 0;
	for (; i < in.n; i++) {
		switch (in.p[i]) {
		case '"':
			for (i++; i < in.n && in.p[i] != '"'; i++)
				if (in.p[i] == '\\')
					i++;
			if (i >= in.n)
				return false;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
			depth--;
			break;
		case ']':
			if (depth == 0) {
				*end = i;
				return true;
			}
			depth--;
			break;
		case ',':
			if (depth == 0) {
				*end = i;
				return true;
			}
			break;
		}
	}
	return false;
}

// batch_array answers a JSON array of requests with an array of answers. Elements
// are delimited by bracket matching outside strings, and each is then parsed
// strictly as a request. Offsets in messages count from the '['.
static u64 batch_array(str in) {
	u32 i = 1;
	buf_byte(&rt.out, '[');
	while (i < in.n && is_space(in.p[i]))
		i++;
	if (i < in.n && in.p[i] == ']') {
		i++;
	} else {
		for (u32 count = 0;; count++) {
			if (count == rt.cfg.max_batch)
				return batch_limit();
			while (i < in.n && is_space(in.p[i]))
				i++;
			u32 start = i, end;
			if (!scan_value(in, i, &end) || end == start)
				return batch_error("invalid batch: want a request at offset ", start);
			if (count > 0)
				buf_byte(&rt.out, ',');
			u32 last = end;
			while (last > start && is_space(in.p[last - 1]))
				last--;
			fresh();
			check_one(str_of(in.p + start, last - start), &rt.out);
			if (failed())
				return rt_finish(ST_OK);
			i = end + 1;
			if (in.p[end] == ']')
				break;
		}
	}
	while (i < in.n && is_space(in.p[i]))
		i++;
	if (i != in.n)
		return batch_error("invalid batch: unexpected data after the array at offset ", i);
	buf_byte(&rt.out, ']');
	return rt_finish(ST_OK);
}

export u64 permc_check_batch(u32 ptr, u32 n) {
	rt_begin();
	str in;
	if (!rt_input(ptr, n, &in))
		return rt_bad_call(ptr, n);
	u32 i = 0;
	while (i < in.n && is_space(in.p[i]))
		i++;
	if (i < in.n && in.p[i] == '[')
		return batch_array(str_of(in.p + i, in.n - i));
	return batch_lines(in);
}

export u64 permc_load_roles(u32 ptr, u32 n) {
	rt_begin();
	str in;
	if (!rt_input(ptr, n, &in))
		return rt_bad_call(ptr, n);
	if (in.n > rt.cfg.max_roles)
		return too_long(ST_REJECTED, "the custom roles are", rt.cfg.max_roles);
	// The message goes in rt.arena, which the engine never rewinds (it may rewind
	// rt.scratch).
	buf msg = {.a = &rt.arena};
	if (rt_load_roles(in, &msg) != ST_OK && !rt.bug && !rt.oom)
		return rt_fail(ST_REJECTED, &msg);
	return rt_finish(ST_OK);
}

export u64 permc_metadata(void) {
	rt_begin();
	return rt_finish((u32)rt_metadata(&rt.out));
}

export u64 permc_plan(u32 ptr, u32 n) {
	rt_begin();
	str in;
	if (!rt_input(ptr, n, &in))
		return rt_bad_call(ptr, n);
	if (in.n > rt.cfg.max_request)
		return too_long(ST_REJECTED, "the request is", rt.cfg.max_request);
	return rt_finish(rt_plan(in, &rt.out) == ST_OK ? ST_OK : ST_REJECTED);
}

// ---- permc_configure ---------------------------------------------------------

static const struct {
	const char *key;
	u64 max;
} settings[] = {
	{"max_request_bytes", CFG_MAX_BYTES},
	{"max_roles_bytes", CFG_MAX_BYTES},
	{"max_batch_requests", CFG_MAX_BATCH},
	{"budget", CFG_MAX_BUDGET},
};

#define CFG_MAX_INPUT 4096 // any valid configuration is far shorter

static str setting_name(u32 s) { return str_of(settings[s].key, (u32)__builtin_strlen(settings[s].key)); }

// permc_configure changes the instance's settings: a JSON object of any of
// max_request_bytes, max_roles_bytes, max_batch_requests and budget, each an
// integer written in plain digits from 1 to its maximum (docs/wasm-abi.md). Anything
// else is REJECTED and changes nothing; keys are checked in document order, values
// in the order of settings.
export u64 permc_configure(u32 ptr, u32 n) {
	rt_begin();
	str in;
	if (!rt_input(ptr, n, &in))
		return rt_bad_call(ptr, n);
	buf m = {.a = &rt.scratch};
	if (in.n > CFG_MAX_INPUT) {
		buf_lit(&m, "the configuration is longer than 4096 bytes");
		return rt_fail(ST_REJECTED, &m);
	}
	jerror e;
	const jnode *doc = json_parse(&rt.arena, &rt.scratch, in.p, in.n, &e);
	if (!doc) {
		if (e.code == JE_OOM)
			return rt_finish(ST_INTERNAL); // rt.oom or rt.bug says why
		buf_json_error(&m, &e);
		return rt_fail(ST_REJECTED, &m);
	}
	if (j_kind(doc) != J_OBJECT) {
		buf_lit(&m, "configuration: want an object, not ");
		buf_str(&m, j_kind_name(j_kind(doc)));
		return rt_fail(ST_REJECTED, &m);
	}
	const jnode *val[countof(settings)] = {0};
	const jnode *k = j_first(doc);
	for (u32 i = 0; i < j_len(doc); i++, k = j_next(k + 1)) {
		u32 s = 0;
		while (s < countof(settings) && !str_eq(j_str(k), setting_name(s)))
			s++;
		if (s == countof(settings)) {
			str names[countof(settings)];
			for (u32 t = 0; t < countof(settings); t++)
				names[t] = setting_name(t);
			buf_lit(&m, "configuration: unknown key ");
			buf_quote(&m, j_str(k));
			buf_did_you_mean(&m, j_str(k), names, countof(settings));
			return rt_fail(ST_REJECTED, &m);
		}
		val[s] = k + 1;
	}
	u64 v[countof(settings)];
	for (u32 s = 0; s < countof(settings); s++) {
		const jnode *j = val[s];
		if (!j)
			continue;
		// Plain digits only, and not past the maximum: no sign, fraction or exponent.
		u64 x = 0;
		str lit = j_str(j);
		for (u32 c = 0; j_kind(j) == J_NUMBER && c < lit.n && x <= settings[s].max; c++) {
			if (lit.p[c] < '0' || lit.p[c] > '9') {
				x = 0;
				break;
			}
			x = x * 10 + (u64)(lit.p[c] - '0');
		}
		if (x < 1 || x > settings[s].max) {
			buf_str(&m, setting_name(s));
			buf_lit(&m, ": want an integer from 1 to ");
			buf_u64(&m, settings[s].max);
			buf_lit(&m, ", not ");
			buf_str(&m, j_kind(j) == J_NUMBER ? lit : j_kind_name(j_kind(j)));
			return rt_fail(ST_REJECTED, &m);
		}
		v[s] = x;
	}
	if (val[0])
		rt.cfg.max_request = (u32)v[0];
	if (val[1])
		rt.cfg.max_roles = (u32)v[1];
	if (val[2])
		rt.cfg.max_batch = (u32)v[2];
	if (val[3])
		rt.cfg.budget = v[3];
	return rt_finish(ST_OK);
}
