// value.c: values and CEL's operations on them (value.h), ports of runtime/cel.go.
#include "value.h"
#include "num.h"
#include "state.h"

const u8 *prog;
const list empty_list;
const map empty_map;

u32 elem_size(u8 kind) {
	switch (kind) {
	case T_BOOL:
		return 1;
	case T_TIMESTAMP:
		return 16;
	case T_LIST:
	case T_MAP:
		return sizeof(void *);
	}
	return 8;
}

// Every member of a value starts at its first byte, so an element is the value's first
// elem_size bytes.
value elem_load(const u8 *p, u8 kind) {
	value v = {0};
	memcpy(&v, p, elem_size(kind));
	return v;
}

void elem_store(u8 *p, u8 kind, value v) { memcpy(p, &v, elem_size(kind)); }

value value_zero(u8 kind) {
	value v = {0};
	switch (kind) {
	case T_TIMESTAMP:
		v.t.sec = MIN_UNIX_TIME;
		break;
	case T_LIST:
		v.l = &empty_list;
		break;
	case T_MAP:
		v.m = &empty_map;
		break;
	}
	return v;
}

void buf_eval_err(buf *b, eval_err e, u64 budget) {
	switch (e) {
	case EV_BUDGET:
		buf_lit(b, "evaluation budget of ");
		buf_u64(b, budget);
		buf_lit(b, " steps exhausted");
		return;
	case EV_OOM:
		buf_lit(b, "out of memory");
		return;
	}
	buf_str(b, cel_err_msg(e));
}

int str_cmp(str a, str b) {
	u32 n = a.n < b.n ? a.n : b.n;
	int c = n ? memcmp(a.p, b.p, n) : 0;
	if (c)
		return c;
	return a.n < b.n ? -1 : a.n > b.n;
}

int value_cmp(u8 kind, value a, value b) {
	switch (kind) {
	case T_BOOL:
		return (int)a.b - (int)b.b;
	case T_UINT:
		return a.u < b.u ? -1 : a.u > b.u;
	case T_STRING:
	case T_BYTES:
		return str_cmp(a.s, b.s);
	case T_TIMESTAMP:
		if (a.t.sec != b.t.sec)
			return a.t.sec < b.t.sec ? -1 : 1;
		return a.t.nsec < b.t.nsec ? -1 : a.t.nsec > b.t.nsec;
	case T_DOUBLE:
		return a.d < b.d ? -1 : a.d > b.d;
	}
	return a.i < b.i ? -1 : a.i > b.i; // int, duration
}

bool value_eq(const prog_type *t, value a, value b) {
	switch (t->kind) {
	case T_DOUBLE:
		return a.d == b.d;
	case T_LIST: {
		if (a.l->n != b.l->n)
			return false;
		const prog_type *et = type_at(t->elem);
		u32 size = elem_size(et->kind);
		for (u32 i = 0; i < a.l->n; i++)
			if (!value_eq(et, elem_load(a.l->data + i * size, et->kind), elem_load(b.l->data + i * size, et->kind)))
				return false;
		return true;
	}
	case T_MAP: {
		// Keys are sorted, so two maps with the same keys list them in the same order.
		if (a.m->n != b.m->n)
			return false;
		const prog_type *kt = type_at(t->key), *vt = type_at(t->elem);
		u32 ks = elem_size(kt->kind), vs = elem_size(vt->kind);
		for (u32 i = 0; i < a.m->n; i++)
			if (value_cmp(kt->kind, elem_load(a.m->keys + i * ks, kt->kind), elem_load(b.m->keys + i * ks, kt->kind)) ||
			    !value_eq(vt, elem_load(a.m->vals + i * vs, vt->kind), elem_load(b.m->vals + i * vs, vt->kind)))
				return false;
		return true;
	}
	case T_DYN:
		// The element type of an empty literal: there is never a value to compare.
		return true;
	}
	return value_cmp(t->kind, a, b) == 0;
}

i32 map_find(const map *m, u8 kind, value key) {
	u32 lo = 0, hi = m->n, size = elem_size(kind);
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = value_cmp(kind, elem_load(m->keys + mid * size, kind), key);
		if (c == 0)
			return (i32)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

// ---- Building values -----------------------------------------------------------

// alloc_elems allocates n elements of size bytes in rt.arena, refusing sizes the
// arena cannot describe rather than wrapping around.
static u8 *alloc_elems(u32 n, u32 size) {
	u64 bytes = (u64)n * size;
	if (bytes > HEAP_MAX_ALLOC) {
		rt.oom = true;
		return NULL;
	}
	return arena_alloc(&rt.arena, bytes ? (u32)bytes : 1);
}

list *list_new(u8 kind, u32 n) {
	list *l = arena_alloc(&rt.arena, sizeof(list));
	u8 *data = alloc_elems(n, elem_size(kind));
	if (!l || !data)
		return NULL;
	l->n = n;
	l->data = data;
	return l;
}

const list *list_concat(u8 kind, const list *a, const list *b) {
	// Values are never modified, so an empty operand lets the other stand for the
	// result, as runtime.Concat does.
	if (b->n == 0)
		return a;
	if (a->n == 0)
		return b;
	if (a->n > 0xFFFFFFFFu - b->n) {
		rt.oom = true;
		return NULL;
	}
	list *l = list_new(kind, a->n + b->n);
	if (!l)
		return NULL;
	u32 size = elem_size(kind);
	memcpy((u8 *)l->data, a->data, a->n * size);
	memcpy((u8 *)l->data + a->n * size, b->data, b->n * size);
	return l;
}

str str_concat(str a, str b) {
	if (b.n == 0)
		return a;
	if (a.n == 0)
		return b;
	if (a.n > HEAP_MAX_ALLOC - b.n) {
		rt.oom = true;
		return (str){NULL, 0};
	}
	u8 *p = arena_bytes(&rt.arena, a.n + b.n);
	if (!p)
		return (str){NULL, 0};
	memcpy(p, a.p, a.n);
	memcpy(p + a.n, b.p, b.n);
	return (str){p, a.n + b.n};
}

bool map_begin(map_builder *b, u8 kk, u8 vk, u32 cap) {
	*b = (map_builder){.kk = kk, .vk = vk, .cap = cap};
	b->keys = alloc_elems(cap, elem_size(kk));
	b->vals = alloc_elems(cap, elem_size(vk));
	return b->keys && b->vals;
}

// map_put keeps the entries sorted as they come, by insertion: map literals are
// written in a spec, so they are small.
void map_put(map_builder *b, value k, value v) {
	u32 ks = elem_size(b->kk), vs = elem_size(b->vk);
	u32 lo = 0, hi = b->n;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = value_cmp(b->kk, elem_load(b->keys + mid * ks, b->kk), k);
		if (c == 0) {
			elem_store(b->vals + mid * vs, b->vk, v); // a later duplicate wins
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!RT_ASSERT(b->n < b->cap))
		return;
	memmove(b->keys + (lo + 1) * ks, b->keys + lo * ks, (b->n - lo) * ks);
	memmove(b->vals + (lo + 1) * vs, b->vals + lo * vs, (b->n - lo) * vs);
	elem_store(b->keys + lo * ks, b->kk, k);
	elem_store(b->vals + lo * vs, b->vk, v);
	b->n++;
}

const map *map_done(map_builder *b) {
	map *m = arena_alloc(&rt.arena, sizeof(map));
	if (!m)
		return NULL;
	*m = (map){b->n, b->keys, b->vals};
	return m;
}

// ---- Sorting ------------------------------------------------------------------

// sift restores the heap property below node i of a heap of n items.
static void sift(u32 i, u32 n, int (*cmp)(void *, u32, u32), void (*swap)(void *, u32, u32), void *ctx) {
	for (;;) {
		u32 c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && cmp(ctx, c, c + 1) < 0)
			c++;
		if (cmp(ctx, i, c) >= 0)
			return;
		swap(ctx, i, c);
		i = c;
	}
}

void heapsort(u32 n, int (*cmp)(void *, u32, u32), void (*swap)(void *, u32, u32), void *ctx) {
	for (u32 i = n / 2; i-- > 0;)
		sift(i, n, cmp, swap, ctx);
	for (u32 end = n; end-- > 1;) {
		swap(ctx, 0, end);
		sift(0, end, cmp, swap, ctx);
	}
}

// A map's entries being sorted: parallel arrays of string keys and values.
typedef struct entries {
	u8 *keys, *vals;
	u32 vs;
} entries;

static inline str key_at(const u8 *keys, u32 i) {
	str k;
	memcpy(&k, keys + i * 8, 8);
	return k;
}

static int cmp_entry(void *ctx, u32 i, u32 j) {
	entries *e = ctx;
	return str_cmp(key_at(e->keys, i), key_at(e->keys, j));
}

static void swap_entry(void *ctx, u32 i, u32 j) {
	entries *e = ctx;
	u8 t[16];
	memcpy(t, e->keys + i * 8, 8);
	memcpy(e->keys + i * 8, e->keys + j * 8, 8);
	memcpy(e->keys + j * 8, t, 8);
	memcpy(t, e->vals + i * e->vs, e->vs);
	memcpy(e->vals + i * e->vs, e->vals + j * e->vs, e->vs);
	memcpy(e->vals + j * e->vs, t, e->vs);
}

const map *map_of_strings(u8 *keys, u8 *vals, u8 vk, u32 n) {
	entries e = {keys, vals, elem_size(vk)};
	bool sorted = true;
	for (u32 i = 1; i < n && sorted; i++)
		sorted = cmp_entry(&e, i - 1, i) < 0;
	if (!sorted)
		heapsort(n, cmp_entry, swap_entry, &e);
	map *m = arena_alloc(&rt.arena, sizeof(map));
	if (!m)
		return NULL;
	*m = (map){n, keys, vals};
	return m;
}
