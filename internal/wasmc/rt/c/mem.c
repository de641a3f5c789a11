// mem.c: the heap, arenas and buffers (mem.h).
#include "state.h"

// ---- The heap ----------------------------------------------------------------
//
// A chunk is an 8-byte header and its payload; sizes count the header and are
// multiples of 8, at least 16. The header holds the size of the chunk before it
// (valid only when that chunk is free, to coalesce backwards) and this chunk's size
// with two flags. A free chunk's payload holds the links of its free list. The
// heap ends with a sentinel header of size 0 that is always in use, so coalescing
// forwards stops there without a bounds check.

#define INUSE 1u
#define PREV_INUSE 2u
#define MIN_CHUNK 16u
#define PAGE 65536u
// The heap keeps memory under 4 GiB, so that every address and the end of memory
// fit in 32 bits.
#define MAX_PAGES 65535u

static inline u32 pages_now(void) { return (u32)__builtin_wasm_memory_size(0); }

// more_pages grows memory by n pages; false when the engine refuses or the memory
// would reach 4 GiB.
static bool more_pages(u32 n) {
	if (n > MAX_PAGES - pages_now() || __builtin_wasm_memory_grow(0, n) == (usize)-1) {
		rt.oom = true;
		return false;
	}
	return true;
}

typedef struct chunk {
	u32 prev_size;
	u32 head; // size | INUSE | PREV_INUSE
	u32 next, prev; // free chunks only: the free list
} chunk;

#define H (rt.heap)

static inline chunk *at(u32 addr) { return (chunk *)(usize)addr; }
static inline u32 addr(const chunk *c) { return (u32)(usize)c; }
static inline u32 csize(const chunk *c) { return c->head & ~7u; }
static inline chunk *cnext(const chunk *c) { return at(addr(c) + csize(c)); }
static inline void *payload(chunk *c) { return (u8 *)c + 8; }
static inline chunk *of_payload(const void *p) { return (chunk *)((u8 *)p - 8); }

// mapping gives the list of a chunk size: fl the power of two below it, sl the
// quarter of that power of two it falls in.
static inline void mapping(u32 size, u32 *fl, u32 *sl) {
	u32 f = 31 - (u32)__builtin_clz(size);
	*fl = f - 4;
	*sl = (size >> (f - 2)) & 3;
}

static void list_insert(chunk *c) {
	u32 fl, sl;
	mapping(csize(c), &fl, &sl);
	u32 head = H.lists[fl][sl];
	c->next = head;
	c->prev = 0;
	if (head)
		at(head)->prev = addr(c);
	H.lists[fl][sl] = addr(c);
	H.sl_map[fl] |= (u8)(1u << sl);
	H.fl_map |= 1u << fl;
}

static void list_remove(chunk *c) {
	u32 fl, sl;
	mapping(csize(c), &fl, &sl);
	if (c->prev)
		at(c->prev)->next = c->next;
	else
		H.lists[fl][sl] = c->next;
	if (c->next)
		at(c->next)->prev = c->prev;
	if (!H.lists[fl][sl]) {
		H.sl_map[fl] &= (u8) ~(1u << sl);
		if (!H.sl_map[fl])
			H.fl_map &= ~(1u << fl);
	}
}

// set_free writes c as a free chunk of size bytes (keeping its PREV_INUSE flag),
// tells the next chunk, and lists it.
static void set_free(chunk *c, u32 size) {
	c->head = size | (c->head & PREV_INUSE);
	chunk *n = cnext(c);
	n->prev_size = size;
	n->head &= ~PREV_INUSE;
	list_insert(c);
}

// find returns a free chunk of at least size bytes, unlisted, or NULL. It looks
// first in the lists whose every chunk is large enough (the size rounded up to
// the next list), then in the size's own list, whose chunks may or may not be.
static chunk *find(u32 size) {
	u32 fl, sl;
	u32 up = size + (1u << (31 - __builtin_clz(size) - 2)) - 1;
	mapping(up, &fl, &sl);
	if (fl < HEAP_FL) {
		u32 slm = H.sl_map[fl] & (~0u << sl);
		if (!slm) {
			u32 flm = H.fl_map & (~0u << (fl + 1));
			if (flm) {
				fl = (u32)__builtin_ctz(flm);
				slm = H.sl_map[fl];
			}
		}
		if (slm) {
			chunk *c = at(H.lists[fl][__builtin_ctz(slm)]);
			list_remove(c);
			return c;
		}
	}
	mapping(size, &fl, &sl);
	for (u32 a = H.lists[fl][sl]; a; a = at(a)->next) {
		if (csize(at(a)) >= size) {
			list_remove(at(a));
			return at(a);
		}
	}
	return NULL;
}

// grow extends the heap by at least size bytes of free chunk at its end (merged
// with a free chunk already there) and returns that chunk, unlisted; NULL when
// memory cannot grow.
static chunk *grow(u32 size) {
	chunk *end = at(H.end);
	u32 have = 0;
	if (!(end->head & PREV_INUSE))
		have = end->prev_size;
	u32 need = size - (size < have ? size : have);
	u32 pages = (need + PAGE - 1) / PAGE;
	if (pages == 0)
		pages = 1;
	if (!more_pages(pages))
		return NULL;
	u32 new_end = (pages_now() << 16) - 8;
	// The old sentinel becomes the header of the new space.
	chunk *c = end;
	u32 csz = new_end - H.end;
	if (have) {
		c = at(H.end - have);
		list_remove(c);
		csz += have;
	} else {
		c->head = PREV_INUSE;
	}
	H.end = new_end;
	at(new_end)->head = INUSE; // PREV_INUSE stays clear: c is free
	at(new_end)->prev_size = csz;
	c->head = csz | (c->head & PREV_INUSE);
	return c;
}

// use marks c, of at least size bytes, in use, and frees the rest of it as a chunk
// of its own when that is large enough to be one.
static void *use(chunk *c, u32 size) {
	u32 have = csize(c);
	if (have - size >= MIN_CHUNK) {
		chunk *rest = at(addr(c) + size);
		rest->head = PREV_INUSE;
		c->head = size | INUSE | (c->head & PREV_INUSE);
		set_free(rest, have - size);
	} else {
		c->head |= INUSE;
		cnext(c)->head |= PREV_INUSE;
	}
	return payload(c);
}

static inline u32 chunk_size(u32 n) {
	u32 s = (n + 8 + 7) & ~7u;
	return s < MIN_CHUNK ? MIN_CHUNK : s;
}

void heap_init(u32 start) {
	start = (start + 7) & ~7u;
	memset(&H, 0, sizeof H);
	if (pages_now() > MAX_PAGES) {
		rt.oom = true; // H.end stays 0: every allocation fails
		return;
	}
	u32 size = pages_now() << 16;
	// The heap needs room for its first chunk and its sentinel.
	if (start > size || size - start < MIN_CHUNK + 8) {
		if (start > size || !more_pages((start + MIN_CHUNK + 8 - size + PAGE - 1) / PAGE))
			return; // H.end stays 0: every allocation fails
		size = pages_now() << 16;
	}
	H.start = start;
	H.end = size - 8;
	chunk *c = at(start);
	c->head = PREV_INUSE; // nothing is before the first chunk
	at(H.end)->head = INUSE;
	set_free(c, H.end - start);
}

void *rt_malloc(u32 n) {
	if (n > HEAP_MAX_ALLOC) {
		rt.oom = true;
		return NULL;
	}
	u32 size = chunk_size(n);
	if (unlikely(!H.end)) {
		rt.oom = true;
		return NULL;
	}
	chunk *c = find(size);
	if (!c && !(c = grow(size)))
		return NULL;
	return use(c, size);
}

void rt_free(void *p) {
	if (!p)
		return;
	chunk *c = of_payload(p);
	u32 size = csize(c);
	c->head &= ~INUSE;
	chunk *n = cnext(c);
	if (!(n->head & INUSE)) {
		list_remove(n);
		size += csize(n);
	}
	if (!(c->head & PREV_INUSE)) {
		chunk *prev = at(addr(c) - c->prev_size);
		list_remove(prev);
		size += csize(prev);
		c = prev;
	}
	set_free(c, size);
}

u32 rt_usable(const void *p) { return csize(of_payload(p)) - 8; }

void *rt_realloc(void *p, u32 n) {
	if (!p)
		return rt_malloc(n);
	if (n > HEAP_MAX_ALLOC) {
		rt.oom = true;
		return NULL;
	}
	chunk *c = of_payload(p);
	u32 size = chunk_size(n), have = csize(c);
	if (have >= size)
		return p;
	// In place: take the free chunk after c, growing the heap when c is last.
	chunk *nx = cnext(c);
	if (!(nx->head & INUSE) && have + csize(nx) >= size) {
		list_remove(nx);
		c->head = (have + csize(nx)) | (c->head & (INUSE | PREV_INUSE));
		return use(c, size);
	}
	if (addr(nx) == H.end || (!(nx->head & INUSE) && addr(cnext(nx)) == H.end)) {
		chunk *g = grow(size - have);
		if (!g)
			return NULL;
		// g starts right after c (it merged the free chunk after c, if any).
		c->head = (have + csize(g)) | (c->head & (INUSE | PREV_INUSE));
		return use(c, size);
	}
	void *q = rt_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, have - 8);
	rt_free(p);
	return q;
}

heap_stats heap_check(void) {
	heap_stats s = {.start = H.start, .end = H.end + 8, .ok = true};
	s.pages = pages_now();
	bool prev_inuse = true;
	u32 prev_size = 0, listed = 0;
	for (chunk *c = at(H.start); addr(c) < H.end; c = cnext(c)) {
		u32 sz = csize(c);
		if (sz < MIN_CHUNK || (sz & 7) || addr(c) + sz > H.end ||
		    !!(c->head & PREV_INUSE) != prev_inuse || (!prev_inuse && c->prev_size != prev_size)) {
			s.ok = false;
			return s;
		}
		if (c->head & INUSE) {
			s.used_chunks++;
		} else {
			if (!prev_inuse) // two free chunks in a row were not coalesced
				s.ok = false;
			s.free_chunks++;
			s.free_bytes += sz;
			if (sz > s.largest_free)
				s.largest_free = sz;
		}
		prev_inuse = c->head & INUSE;
		prev_size = sz;
	}
	chunk *end = at(H.end);
	if (!(end->head & INUSE) || !!(end->head & PREV_INUSE) != prev_inuse)
		s.ok = false;
	// Every listed chunk is free and in the list of its size.
	for (u32 fl = 0; fl < HEAP_FL; fl++) {
		for (u32 sl = 0; sl < 4; sl++) {
			u32 prev = 0;
			for (u32 a = H.lists[fl][sl]; a; a = at(a)->next) {
				u32 f, l;
				mapping(csize(at(a)), &f, &l);
				if ((at(a)->head & INUSE) || f != fl || l != sl || at(a)->prev != prev ||
				    ++listed > s.free_chunks) {
					s.ok = false;
					return s;
				}
				prev = a;
			}
			if (!!H.lists[fl][sl] != !!(H.sl_map[fl] & (1u << sl)))
				s.ok = false;
		}
		if (!!H.sl_map[fl] != !!(H.fl_map & (1u << fl)))
			s.ok = false;
	}
	if (listed != s.free_chunks)
		s.ok = false;
	return s;
}

// ---- Arenas ------------------------------------------------------------------

struct achunk {
	achunk *next; // the older chunk
	u32 size;     // payload bytes after this header
};

#define ACHUNK_HDR ((u32)sizeof(achunk))

static inline u8 *achunk_start(achunk *c) { return (u8 *)c + ACHUNK_HDR; }

// arena_more starts a new chunk holding at least n bytes. Chunks double up to
// ARENA_MAX_CHUNK, so a large document takes few of them and wastes at most the
// end of each.
static noinline bool arena_more(arena *a, u32 n) {
	u32 size = a->min ? a->min : ARENA_MIN;
	if (a->head) {
		size = a->head->size * 2;
		if (size > ARENA_MAX_CHUNK)
			size = ARENA_MAX_CHUNK;
	}
	if (size < n)
		size = n;
	if (size > HEAP_MAX_ALLOC - ACHUNK_HDR) {
		rt.oom = true;
		return false;
	}
	achunk *c = rt_malloc(size + ACHUNK_HDR);
	if (!c)
		return false;
	c->next = a->head;
	c->size = size;
	a->head = c;
	a->cur = achunk_start(c);
	a->end = a->cur + size;
	return true;
}

void *arena_bytes(arena *a, u32 n) {
	if (unlikely(!a->cur || (u32)(a->end - a->cur) < n) && !arena_more(a, n))
		return NULL;
	u8 *p = a->cur;
	a->cur += n;
	return p;
}

void *arena_aligned(arena *a, u32 n, u32 align) {
	u8 *p = (u8 *)(((usize)a->cur + align - 1) & ~(usize)(align - 1));
	if (likely(p && p <= a->end && (u32)(a->end - p) >= n)) {
		a->cur = p + n;
		return p;
	}
	if (!arena_more(a, n)) // chunk starts are 8-aligned
		return NULL;
	p = a->cur;
	a->cur += n;
	return p;
}

str arena_copy(arena *a, str s) {
	u8 *p = arena_bytes(a, s.n);
	if (!p)
		return (str){NULL, 0};
	if (s.n)
		memcpy(p, s.p, s.n);
	return (str){p, s.n};
}

void arena_shrink(arena *a, void *p, u32 n) {
	if ((u8 *)p + n <= a->cur && a->head && (u8 *)p >= achunk_start(a->head) && (u8 *)p <= a->end)
		a->cur = (u8 *)p + n;
}

arena_mark arena_save(const arena *a) { return (arena_mark){a->head, a->cur}; }

void arena_restore(arena *a, arena_mark m) {
	while (a->head && a->head != m.head) {
		achunk *c = a->head;
		a->head = c->next;
		rt_free(c);
	}
	if (a->head) {
		a->cur = m.cur;
		a->end = achunk_start(a->head) + a->head->size;
	} else {
		a->cur = a->end = NULL;
	}
}

void arena_reset(arena *a, u32 keep) {
	achunk *oldest = a->head;
	while (oldest && oldest->next)
		oldest = oldest->next;
	if (oldest && oldest->size > keep)
		oldest = NULL;
	arena_restore(a, (arena_mark){oldest, oldest ? achunk_start(oldest) : NULL});
}

void arena_free(arena *a) { arena_restore(a, (arena_mark){NULL, NULL}); }

// ---- Buffers -----------------------------------------------------------------

static cold u8 *buf_fail(buf *b, u8 err) {
	if (!b->err)
		b->err = err;
	return NULL;
}

static noinline u8 *buf_grow(buf *b, u32 n) {
	if (b->err)
		return NULL;
	if (n > BUF_MAX - b->n)
		return buf_fail(b, BUF_TOO_LONG);
	u32 need = b->n + n;
	u32 cap = b->cap < 32 ? 64 : b->cap;
	while (cap < need)
		cap = cap > BUF_MAX / 2 ? BUF_MAX : cap * 2;
	u8 *p;
	if (b->a) {
		// In an arena: extend in place when the buffer is the last allocation.
		if (b->p && b->p + b->cap == b->a->cur && (u32)(b->a->end - b->a->cur) >= cap - b->cap) {
			b->a->cur += cap - b->cap;
			b->cap = cap;
			return b->p + b->n;
		}
		p = arena_bytes(b->a, cap);
		if (p && b->n)
			memcpy(p, b->p, b->n);
	} else {
		p = rt_realloc(b->p, cap);
		if (p)
			cap = rt_usable(p);
	}
	if (!p)
		return buf_fail(b, BUF_OOM);
	b->p = p;
	b->cap = cap;
	return p + b->n;
}

u8 *buf_room(buf *b, u32 n) {
	if (likely(b->cap - b->n >= n && !b->err))
		return b->p + b->n;
	return buf_grow(b, n);
}

void buf_put(buf *b, const void *p, u32 n) {
	u8 *d = buf_room(b, n);
	if (d && n) {
		memcpy(d, p, n);
		b->n += n;
	}
}

void buf_byte(buf *b, u8 c) {
	u8 *d = buf_room(b, 1);
	if (d) {
		*d = c;
		b->n++;
	}
}

void buf_cstr(buf *b, const char *s) { buf_put(b, s, (u32)__builtin_strlen(s)); }

void buf_free(buf *b) {
	if (!b->a)
		rt_free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
	b->err = 0;
}
