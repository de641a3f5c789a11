// state.h: the instance's state. It is the runtime's only mutable global: a Wasm
// instance runs one export at a time, and everything that lives from one call to
// the next is here.
#ifndef RT_STATE_H
#define RT_STATE_H

#include "mem.h"

// The limits of the ABI (docs/wasm-abi.md), and the configurable ones' defaults.
#define MAX_BLOCK (4u << 20)  // the largest block permc_alloc hands out
#define MAX_LIVE (16u << 20)  // the bytes of all live blocks
#define MAX_BLOCKS 64         // the number of live blocks
#define DEF_MAX_REQUEST (1u << 20)
#define DEF_MAX_ROLES (1u << 20)
#define DEF_MAX_BATCH 4096u
#define DEF_BUDGET 10000000ULL

// The bounds permc_configure accepts.
#define CFG_MAX_BYTES MAX_BLOCK // an input can never be longer than a block
#define CFG_MAX_BATCH 65536u
#define CFG_MAX_BUDGET ((1ULL << 53) - 1) // what a JSON number holds exactly in every host

// The settings permc_configure changes; they persist in the instance.
typedef struct rt_config {
	u32 max_request; // bytes of one request (alone or in a batch), and of a plan's
	u32 max_roles;   // bytes of a custom roles document
	u32 max_batch;   // requests in a batch
	u64 budget;      // evaluation steps of one check or plan
} rt_config;

// A block handed out to the host by permc_alloc.
typedef struct rt_block {
	u32 ptr, size;
} rt_block;

struct rt_engine; // the engine's own state (abi.h), opaque here

typedef struct rt_state {
	bool ready;
	heap heap;

	rt_block blocks[MAX_BLOCKS];
	u32 nblocks;
	u32 live; // bytes in live blocks

	// The per-call arenas: arena for what a call builds (a parsed document, decoded
	// values), scratch for temporaries released in stack order (arena_save and
	// arena_restore). Both are empty when an export starts, and between the
	// requests of a batch.
	arena arena;
	arena scratch;

	// The result of the last call, valid until the next call.
	buf out;

	rt_config cfg;

	// Failures of the current call: the first broken assertion (rt_bug) and
	// whether an allocation failed. The export turns either into its result.
	const char *bug;
	bool oom;

	// Long-lived memory the engine owns: custom roles, replaced whole.
	arena roles;
	struct rt_engine *engine;
} rt_state;

extern rt_state rt;

#endif
