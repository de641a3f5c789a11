// etest.c: entry points of the test build (build.sh) for the engine's parts that a
// request cannot reach alone: matches() on any bytes, where a request's strings are
// always valid UTF-8.
#include "abi.h"
#include "eval.h"

// t_regexp matches a subject against a regular expression of an encoded program.
// Input: u32 offset of the prog_regexp in the program, u32 length of the program,
// the program, then the subject. Output: "1" or "0".
static int regexp_fn(str in, buf *out) {
	u32 off = 0, len = 0;
	if (in.n < 8)
		return ST_REJECTED;
	memcpy(&off, in.p, 4);
	memcpy(&len, in.p + 4, 4);
	if (len > in.n - 8 || off > len || len - off < sizeof(prog_regexp))
		return ST_REJECTED;
	// The program's records are 8-aligned relative to its start.
	u8 *copy = arena_alloc(&rt.arena, len ? len : 1);
	if (!copy)
		return ST_INTERNAL;
	memcpy(copy, in.p + 8, len);
	const u8 *saved = prog;
	prog = copy;
	bool m = regexp_match(PROG(prog_regexp, off), str_of(in.p + 8 + len, in.n - 8 - len));
	prog = saved;
	buf_byte(out, m ? '1' : '0');
	return ST_OK;
}

export u64 t_regexp(u32 ptr, u32 n) {
	rt_begin();
	str in;
	if (!rt_input(ptr, n, &in))
		return rt_bad_call(ptr, n);
	return rt_finish((u32)regexp_fn(in, &rt.out));
}
