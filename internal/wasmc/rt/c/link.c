// link.c: the link record (link.h) and where the heap starts.
#include "link.h"

// __heap_base is the end of the runtime's static data, set by wasm-ld and exported
// so that the Go linker knows where to put the program.
extern u8 __heap_base;

// The record is in .data (its magic is not zero), so it is in the module's data
// segment where the Go linker can find and patch it. used: nothing references it
// by name but rt_program.
__attribute__((used, aligned(8))) static rt_link link_record = {
	.magic = LINK_MAGIC,
	.version = LINK_VERSION,
};

static inline u32 heap_base(void) { return (u32)(usize)&__heap_base; }

// The record as linked: read through a volatile pointer, or the compiler would
// fold the zeros it was built with.
static rt_link linked(void) {
	const volatile rt_link *l = &link_record;
	return (rt_link){.version = l->version, .offset = l->offset, .length = l->length, .packed = l->packed};
}

// A number read from the packed program, and where the reading stopped (NULL when
// it failed).
typedef struct vread {
	const u8 *p;
	u32 v;
} vread;

// varint reads the LEB128 number at p (NULL: a failed read), before end, of at most
// 28 bits: no program is that long.
static vread varint(const u8 *p, const u8 *end) {
	u32 x = 0;
	for (u32 s = 0; s < 28 && p && p < end; s += 7) {
		u8 b = *p++;
		x |= (u32)(b & 127) << s;
		if (b < 128)
			return (vread){p, x};
	}
	return (vread){NULL, 0};
}

// count is a token's count v of literals or of copied bytes, 15 and more followed by
// a varint of the rest.
static vread count(const u8 *p, const u8 *end, u32 v) {
	if (v < 15)
		return (vread){p, v};
	vread r = varint(p, end);
	r.v += 15;
	return r;
}

// unpack writes the program packed at p..end (pack.go's format) to out, which has
// room for n bytes; it fails unless the program is exactly n bytes.
static bool unpack(const u8 *p, const u8 *end, u8 *out, u32 n) {
	u32 o = 0;
	while (p < end) {
		u32 t = *p++;
		vread lit = count(p, end, t & 15);
		if (!lit.p || lit.v > (u32)(end - lit.p) || lit.v > n - o)
			return false;
		for (p = lit.p; lit.v; lit.v--)
			out[o++] = *p++;
		if (t < 16)
			continue;
		vread len = count(p, end, t >> 4), dist = varint(len.p, end);
		if (!dist.p || dist.v - 1 >= o || len.v + 2 > n - o)
			return false;
		for (p = dist.p, len.v += 2; len.v; len.v--, o++)
			out[o] = out[o - dist.v];
	}
	return o == n;
}

str rt_program(void) {
	static u8 state; // 0 before unpacking, 1 unpacked, 2 none
	rt_link l = linked();
	if (state == 0) {
		state = 2;
		u64 size = (u64)__builtin_wasm_memory_size(0) << 16, at = (heap_base() + 7) & ~7u;
		// A record the linker did not write as link.go does is no program: the
		// engine then answers every call with an internal error instead of reading
		// memory it cannot trust.
		if (l.version == LINK_VERSION && l.length && l.offset % 8 == 0 && at + l.packed <= l.offset &&
		    (u64)l.offset + l.length <= size &&
		    unpack((const u8 *)(usize)at, (const u8 *)(usize)(at + l.packed), (u8 *)(usize)l.offset, l.length))
			state = 1;
	}
	if (state != 1)
		return (str){NULL, 0};
	return (str){(const u8 *)(usize)l.offset, l.length};
}

u32 rt_heap_start(void) {
	u32 start = heap_base();
	str p = rt_program();
	if (p.n)
		start = (u32)(usize)p.p + p.n;
	return (start + 7) & ~7u;
}
