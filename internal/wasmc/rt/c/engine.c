// engine.c: the engine's interface (abi.h) over the linked program: checks, custom
// roles and metadata. Query plans are plan.c's.
#include "abi.h"
#include "engine.h"
#include "json.h"
#include "link.h"

name_index resource_names, permission_names, scope_names, role_names, oauth_names, filter_names;

// hash mixes a name eight bytes at a time (a multiply-xorshift). Only the spec's
// and the custom roles' names are in the tables, so a request cannot choose
// collisions to slow lookups down: it can only make a name long, which costs its
// length to hash.
hot u32 hash(str s) {
	u32 n = s.n;
	u64 h = n * 0x9E3779B97F4A7C15ULL, w = 0;
	if (n >= 8) {
		for (u32 i = 0; i + 8 < n; i += 8) {
			h = (h ^ load64(s.p + i)) * 0xFF51AFD7ED558CCDULL;
			h ^= h >> 32;
		}
		w = load64(s.p + n - 8);
	} else if (n >= 4) {
		w = (u64)load32(s.p) << 32 | load32(s.p + n - 4);
	} else {
		for (u32 i = 0; i < n; i++)
			w = w << 8 | s.p[i];
	}
	h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
	return (u32)(h ^ h >> 32);
}

bool name_index_build(name_index *ix, const str *names, u32 n, arena *a) {
	u32 size = 4;
	while (size < 2 * n)
		size *= 2;
	u32 *slots = a ? arena_alloc(a, size * 4) : rt_malloc(size * 4);
	if (!slots)
		return false;
	memset(slots, 0, size * 4);
	*ix = (name_index){size - 1, slots, names};
	for (u32 k = 0; k < n; k++) {
		u32 i = hash(names[k]) & ix->mask;
		while (slots[i])
			i = (i + 1) & ix->mask;
		slots[i] = k + 1;
	}
	return true;
}

i32 name_find(const name_index *ix, str name) {
	for (u32 i = hash(name) & ix->mask; ix->slots[i]; i = (i + 1) & ix->mask) {
		u32 k = ix->slots[i] - 1;
		if (same(ix->names[k], name))
			return (i32)k;
	}
	return -1;
}

// index_records indexes the names of the n records whose offsets are at arr: every
// named record of the program starts with its name.
static bool index_records(name_index *ix, u32 arr, u32 n) {
	str *names = rt_malloc((n ? n : 1) * (u32)sizeof(str));
	if (!names)
		return false;
	for (u32 i = 0; i < n; i++)
		names[i] = prog_s(*PROG(prog_str, record(arr, i)));
	return name_index_build(ix, names, n, NULL);
}

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
	if (!index_records(&resource_names, h->resources, h->nresources) ||
	    !index_records(&permission_names, h->permissions, h->npermissions) ||
	    !index_records(&scope_names, h->scopes, h->nscopes) || !index_records(&role_names, h->roles, h->nroles) ||
	    !index_records(&oauth_names, h->oauth, h->noauth) || !index_records(&filter_names, h->filters, h->nfilters) ||
	    !roles_init()) {
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
