// link.h: how permc links a spec's program into the runtime.
//
// The runtime is built once (rt.wasm) and holds no program. For a spec, permc's
// Go linker (rt.Link, link.go) packs the program (pack.go) and appends the packed
// form as one active data segment at the address the module exports as
// __heap_base (rounded up to 8), raises the memory's minimum size to hold it and
// the program after it, and patches the link record below, which it finds by its
// magic bytes in the module's data. The runtime reads the record (never the bytes
// it was built with: the record is volatile to the compiler), unpacks the program
// where the record says, once, and starts its heap after the program.
//
// The record's layout is part of the contract with link.go; change both or
// neither, and bump LINK_VERSION.
#ifndef RT_LINK_H
#define RT_LINK_H

#include "rt.h"

#define LINK_MAGIC "\0permc-program\x7f" // 16 bytes with the NUL the array adds
#define LINK_VERSION 2

typedef struct rt_link {
	u8 magic[16];
	u32 version;  // LINK_VERSION
	u32 offset;   // where the program is in memory once unpacked; 0 when none is linked
	u32 length;   // its length in bytes
	u32 packed;   // the length of its packed form, at __heap_base rounded up to 8
} rt_link;

// rt_program returns the linked program ({NULL, 0} when none is, or its packed form
// does not unpack to exactly its length), unpacking it on the first call. Its
// memory is read-only by convention and lives as long as the instance.
str rt_program(void);

// rt_heap_start is the first address after the stack, the runtime's data and the
// program, aligned to 8: where the heap begins.
u32 rt_heap_start(void);

#endif
