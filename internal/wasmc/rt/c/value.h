/*
 * value.h: the values expressions compute, and the CEL operations on them.
 *
 * Types are static (program.h's prog_type, decided when permc lowered the spec), so a
 * value carries no tag: whoever holds one knows its type. Lists and maps store their
 * elements packed by element type (elem_size), so that a list of a million ints from a
 * request costs 8 MB and not 16, and a list of bools one byte per element.
 *
 * Every operation that can fail returns an eval_err (EV_OK is success) and writes its
 * result through a pointer; none traps. Messages are those of permc's Go runtime
 * (runtime/cel.go's Err messages), so that decisions' errors read the same on every
 * backend.
 *
 * Values live in the program (constants), in the request's bytes (strings without
 * escapes) or in rt.arena (everything a call decodes or computes): a value is valid
 * until the call ends, and is never modified once built.
 */
#ifndef RT_VALUE_H
#define RT_VALUE_H

#include "cel.h"
#include "program.h"

typedef struct list list;
typedef struct map map;

typedef union value {
	bool b;
	i64 i;     /* int, and duration (nanoseconds) */
	u64 u;     /* uint */
	double d;  /* double */
	str s;     /* string (valid UTF-8) and bytes */
	rt_time t; /* timestamp: UTC, within years 1 to 9999 */
	const list *l;
	const map *m;
} value;

/* A list: n elements of elem_size(kind) bytes each at data. */
struct list {
	u32 n;
	const u8 *data;
};

/* A map: n entries, keys strictly ascending in the key type's order (strings by bytes,
 * ints and uints numerically, false before true), keys[i] mapping to vals[i], each
 * packed as a list's elements. Sorted keys make lookups a binary search and give every
 * backend the same iteration order. */
struct map {
	u32 n;
	const u8 *keys, *vals;
};

/* The empty list and map: the zero values of list and map attributes. */
extern const list empty_list;
extern const map empty_map;

/* The linked program, which every offset of program.h counts from (engine.c sets it
 * when the instance starts). PROG(T, off) is the record of type T at offset off. */
extern const u8 *prog;
#define PROG(T, off) ((const T *)(prog + (off)))
#define HDR ((const prog_header *)prog)
static inline str prog_s(prog_str s) { return (str){prog + s.off, s.len}; }
static inline const prog_type *type_at(u32 off) { return PROG(prog_type, off); }

/* elem_size is the bytes an element of the kind takes in a list or map: bool 1; int,
 * uint, double, duration, string, bytes 8; timestamp 16; list and map 4 (a pointer). */
u32 elem_size(u8 kind);
/* elem_load and elem_store move one packed element. */
value elem_load(const u8 *p, u8 kind);
void elem_store(u8 *p, u8 kind, value v);
/* list_at is element i of l (i < l->n), of kind kind. */
static inline value list_at(const list *l, u8 kind, u32 i) { return elem_load(l->data + i * elem_size(kind), kind); }

/* value_zero is the zero value of a type of the kind, as Go's zero values are: false,
 * 0, "", the empty list and map, and for a timestamp January 1 of year 1, UTC (Go's
 * time.Time{}), which a missing timestamp attribute reads as. */
value value_zero(u8 kind);

/* The evaluation errors: cel.h's cel_err (runtime.Err, with its messages), and the
 * engine's own two. */
typedef u32 eval_err;
enum {
	EV_OK = CEL_OK,
	EV_BUDGET = 64, /* the evaluation budget is exhausted (docs/spec.md) */
	EV_OOM,         /* memory ran out, or the program is broken: the call fails as a whole */
};

/* buf_eval_err appends e's message; budget is the check's budget, which the message
 * of EV_BUDGET names. */
void buf_eval_err(buf *b, eval_err e, u64 budget);

/*
 * Comparisons, by type (t is the operands' type). Equality is CEL's: lists and maps
 * element-wise, doubles by IEEE 754 (NaN unequal to itself), timestamps by instant.
 * value_cmp orders bool, int, uint, string, bytes, timestamp and duration (-1, 0, 1);
 * doubles are compared with C's operators, which give NaN's answers.
 */
bool value_eq(const prog_type *t, value a, value b);
int value_cmp(u8 kind, value a, value b);
/* str_cmp orders byte strings as Go's < on strings and bytes.Compare do. */
int str_cmp(str a, str b);

/* map_find looks key up in m, whose keys are of kind kind: its index, or -1. */
i32 map_find(const map *m, u8 kind, value key);

/* Arithmetic is cel.h's. */

/* Building values in rt.arena; NULL (and rt.oom) when memory runs out. */
list *list_new(u8 kind, u32 n);          /* n elements, to be filled */
const list *list_concat(u8 kind, const list *a, const list *b);
str str_concat(str a, str b);            /* {NULL, 0} with rt.oom set on failure */

/* A map under construction: entries added in order, a later equal key replacing an
 * earlier one's value (map literals), then map_done sorts them. */
typedef struct map_builder {
	u8 kk, vk; /* key and value kinds */
	u32 n, cap;
	u8 *keys, *vals;
} map_builder;
bool map_begin(map_builder *b, u8 kk, u8 vk, u32 cap);
void map_put(map_builder *b, value k, value v);
const map *map_done(map_builder *b);

/* heapsort sorts n items through cmp (comparing items i and j) and swap: in place, and
 * in O(n log n) whatever order the items come in. */
void heapsort(u32 n, int (*cmp)(void *ctx, u32 i, u32 j), void (*swap)(void *ctx, u32 i, u32 j), void *ctx);

/* map_of_strings makes a map of n entries whose keys are distinct strings (a request's
 * objects, whose keys JSON keeps distinct), sorting them in place. */
const map *map_of_strings(u8 *keys, u8 *vals, u8 vk, u32 n);

#endif
