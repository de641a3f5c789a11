// abi.h: the interface between the ABI layer (abi.c, the module's exports) and the
// engine that answers requests from the linked program.
//
// abi.c owns everything the host sees: blocks, limits, batches, the packed result,
// statuses, failure. The engine implements the four functions below. When one is
// called:
//
//   - the input has been checked against the host's blocks and against its limit
//     (rt.cfg), and is a view of the host's block: read it, never write it;
//   - rt.arena and rt.scratch are empty (between the requests of a batch too), and
//     whatever the engine allocates there is freed after the request;
//   - out is where the answer goes; in a batch it already holds earlier answers, so
//     append, never rewrite.
//
// The engine fails closed by the runtime's conventions: a broken invariant calls
// rt_bug (RT_ASSERT) and the export answers INTERNAL whatever was written; a
// failed allocation sets rt.oom and the export answers "out of memory"; neither
// needs to be returned.
#ifndef RT_ABI_H
#define RT_ABI_H

#include "state.h"

// The statuses of the packed result (docs/wasm-abi.md).
enum { ST_OK = 0, ST_REJECTED = 1, ST_BAD_CALL = 2, ST_INTERNAL = 3 };

// rt_check appends the answer to one request: the decision (return ST_OK) or the
// request's error as {"error": ...} (buf_error_json; return ST_REJECTED).
int rt_check(str req, buf *out);

// rt_plan appends the query plan for one plan request (ST_OK), or its error as
// {"error": ...} (ST_REJECTED).
int rt_plan(str req, buf *out);

// rt_load_roles replaces the custom roles with those in data (ST_OK, nothing
// appended), or appends every problem, one per line, as plain text (not JSON: the
// ABI wraps it) and returns ST_REJECTED, the roles in force staying in force.
// Custom roles live in rt.roles (or arenas the engine keeps in rt.engine): build
// the new ones in a fresh arena, and on success free the old arena and keep the
// new one, so that reloading reuses memory instead of growing it.
int rt_load_roles(str data, buf *msg);

// rt_metadata appends the spec's metadata JSON (ST_OK).
int rt_metadata(buf *out);

// rt_init_engine is called once, when the instance starts, after the heap; the
// engine may read rt_program() and set up rt.engine.
void rt_init_engine(void);

// ---- The call discipline of the exports (abi.c), for the test build's entry
// points (test.c), which follow it too.

// rt_begin starts an export call: the last result and failures are dropped and the
// per-call arenas emptied.
void rt_begin(void);
// rt_input finds the n bytes at ptr in a live block that starts at ptr (any ptr
// for n == 0); false when there is none, and the call answers rt_bad_call.
bool rt_input(u32 ptr, u32 n, str *in);
u64 rt_bad_call(u32 ptr, u32 n);
// rt_finish packs rt.out with status, unless the call failed (rt.bug: INTERNAL;
// memory: INTERNAL "out of memory"; a result too long: REJECTED).
u64 rt_finish(u32 status);
// rt_fail makes {"error": msg} the result with status.
u64 rt_fail(u32 status, buf *msg);

#endif
