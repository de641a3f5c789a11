// engine.c: the engine's interface (abi.h) over the linked program: checks, custom
// roles and metadata. Query plans are plan.c's.
#include "abi.h"
#include "engine.h"
#include "json.h"
#include "link.h"

// rt_init_engine takes the linked program when it is one this runtime reads, and its
// default limits. Without one, prog stays NULL and every call fails closed.
void rt_init_engine(void) {
	str p = rt_program();
	if (p.n < sizeof(prog_header) || (usize)p.p % 8)
		return;
	const prog_header *h = (const prog_header *)p.p;
	if (h->magic != PROGRAM_MAGIC || h->version != PROGRAM_VERSION)
		return;
	prog = p.p;
	if (!roles_init()) {
		prog = NULL;
		return;
	}
	if (h->max_request_bytes)
		rt.cfg.max_request = h->max_request_bytes;
	if (h->max_roles_bytes)
		rt.cfg.max_roles = h->max_roles_bytes;
	if (h->max_batch_requests)
		rt.cfg.max_batch = h->max_batch_requests;
	u64 budget = (u64)h->budget_hi << 32 | h->budget_lo;
	if (budget)
		rt.cfg.budget = budget;
}

bool program_linked(void) { return prog || rt_bug("no program is linked"); }

int rt_check(str req, buf *out) {
	if (!program_linked())
		return ST_INTERNAL;
	request q;
	buf msg = {.a = &rt.arena};
	if (!decode_request(req, &q, &msg)) {
		buf_error_json(out, buf_view(&msg));
		return ST_REJECTED;
	}
	decide(&q, out);
	return ST_OK;
}

int rt_load_roles(str data, buf *msg) { return program_linked() ? roles_load(data, msg) : ST_INTERNAL; }

int rt_metadata(buf *out) {
	if (!program_linked())
		return ST_INTERNAL;
	buf_str(out, prog_s(HDR->metadata));
	return ST_OK;
}
