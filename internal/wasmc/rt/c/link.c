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
	return (rt_link){.version = l->version, .offset = l->offset, .length = l->length};
}

str rt_program(void) {
	rt_link l = linked();
	u64 size = (u64)__builtin_wasm_memory_size(0) << 16;
	// A record the linker did not write as link.go does is no program: the
	// engine then answers every call with an internal error instead of reading
	// memory it cannot trust.
	if (l.version != LINK_VERSION || l.length == 0 || l.offset < heap_base() ||
	    l.offset > size || l.length > size - l.offset)
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
