// mem.h: memory. Three kinds, by lifetime:
//
//   - the heap (rt_malloc, rt_free, rt_realloc): long-lived data, freed one by one:
//     the host's input blocks, the result buffer, arena chunks. Freed memory is
//     coalesced and reused; the heap grows (memory.grow) only when no free chunk
//     fits, so a steady workload keeps a steady memory size.
//   - arenas (arena_*): bump allocation in chunks taken from the heap, freed all at
//     once. The instance has two per-call arenas, reset by every export call (and
//     between the requests of a batch), and the engine may keep arenas of its own
//     (custom roles: build the new set in a fresh arena, then free the old arena).
//   - buffers (buf_*): growing byte strings, on the heap or in an arena.
//
// Linear memory never shrinks, so what matters is the peak: see README.md.
//
// Every allocator returns NULL when memory cannot grow, and sets rt.oom so that the
// export answers "out of memory" even when a caller takes a fallback path. No
// allocator traps.
#ifndef RT_MEM_H
#define RT_MEM_H

#include "rt.h"

// The largest request rt_malloc accepts (1 GiB); larger ones return NULL.
#define HEAP_MAX_ALLOC (1u << 30)

// rt_malloc returns n bytes (8-aligned, contents undefined), or NULL.
void *rt_malloc(u32 n);
// rt_free takes back a pointer from rt_malloc or rt_realloc; NULL is ignored.
void rt_free(void *p);
// rt_realloc resizes p (NULL: allocates), keeping its contents up to the smaller
// size; in place when it can. NULL on failure, and p is then left as it was.
void *rt_realloc(void *p, u32 n);
// rt_usable is the number of bytes usable at p (at least what was asked).
u32 rt_usable(const void *p);

// The heap's bookkeeping, part of the instance state (state.h). Free chunks are
// kept in segregated lists, 4 per power of two (as in TLSF), with bitmaps to find
// the first non-empty list at or above a size class in constant time.
#define HEAP_FL 28 // first-level classes: chunk sizes 2^4 .. 2^31
typedef struct heap {
	u32 start; // the first chunk
	u32 end;   // the sentinel header that ends the heap
	u32 fl_map;
	u8 sl_map[HEAP_FL];
	u32 lists[HEAP_FL][4];
} heap;

// heap_init starts the heap at start, in the memory already there and beyond.
void heap_init(u32 start);

// heap_stats describes the heap, for tests and benchmarks.
typedef struct heap_stats {
	u32 start, end;       // the heap's bounds
	u32 free_bytes;       // in free chunks, headers included
	u32 free_chunks;      //
	u32 largest_free;     //
	u32 used_chunks;      //
	u32 pages;            // memory size in 64 KiB pages
	bool ok;              // every chunk and list is consistent
} heap_stats;
heap_stats heap_check(void);

// An arena hands out memory by bumping a pointer through chunks taken from the
// heap. Its memory is freed all at once (arena_reset, arena_free) or back to a mark
// (arena_restore). The zero arena is empty and ready.
typedef struct achunk achunk;
typedef struct arena {
	achunk *head; // the newest chunk; chunks are a stack
	u8 *cur, *end; // free space in head
	u32 min;      // the size of the first chunk (0: ARENA_MIN)
} arena;

#define ARENA_MIN (16u << 10)
#define ARENA_MAX_CHUNK (1u << 20)

// arena_aligned returns n bytes aligned to align (a power of two, at most 8), or
// NULL; arena_alloc aligns to 8, for any type.
void *arena_aligned(arena *a, u32 n, u32 align);
static inline void *arena_alloc(arena *a, u32 n) { return arena_aligned(a, n, 8); }
// arena_bytes returns n bytes with no alignment, or NULL.
void *arena_bytes(arena *a, u32 n);
// arena_copy copies s into the arena; {NULL, 0} when it cannot.
str arena_copy(arena *a, str s);
// arena_shrink gives back the end of the last allocation p, which keeps n bytes:
// for a buffer allocated for the worst case and filled with less.
void arena_shrink(arena *a, void *p, u32 n);

typedef struct arena_mark {
	achunk *head;
	u8 *cur;
} arena_mark;
// arena_save marks the arena's state; arena_restore frees everything allocated
// since, in stack order.
arena_mark arena_save(const arena *a);
void arena_restore(arena *a, arena_mark m);
// arena_reset empties the arena, keeping its oldest chunk when it is no larger
// than keep bytes (so a steady workload allocates no chunks at all).
void arena_reset(arena *a, u32 keep);
// arena_free empties the arena and frees all its chunks.
void arena_free(arena *a);

// A buf is a growing byte string, on the heap (arena NULL) or in an arena. Appends
// never fail loudly: when memory runs out or the length would pass BUF_MAX, err is
// set and every later append does nothing, so that a writer checks once, at the
// end.
#define BUF_MAX ((1u << 28) - 1) // the largest result the ABI's packing describes
enum { BUF_OOM = 1, BUF_TOO_LONG = 2 };
typedef struct buf {
	u8 *p;
	u32 n, cap;
	u8 err;
	arena *a; // NULL: the heap
} buf;

// buf_room returns room for n more bytes at p+n (the caller then adds to n), or
// NULL with err set.
u8 *buf_room(buf *b, u32 n);
void buf_put(buf *b, const void *p, u32 n);
void buf_byte(buf *b, u8 c);
static inline void buf_str(buf *b, str s) { buf_put(b, s.p, s.n); }
#define buf_lit(b, lit) buf_put((b), "" lit, sizeof(lit) - 1) // lit must be a literal
// buf_cstr appends a NUL-terminated string (a message constant).
void buf_cstr(buf *b, const char *s);
static inline str buf_view(const buf *b) { return (str){b->p, b->n}; }
// buf_free frees a heap buffer's memory and empties it (an arena buffer is just
// emptied).
void buf_free(buf *b);

#endif
