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
 */
#ifndef RT_VALUE_H
#define RT_VALUE_H

#include "rt.h"
#include "program.h"

typedef struct list list;
typedef struct map map;

/* A timestamp: seconds since the Unix epoch and nanoseconds (0..999999999), UTC,
 * within years 1..9999. */
typedef struct ts {
	i64 sec;
	i32 nsec;
} ts;

typedef union value {
	bool b;
	i64 i;     /* int, and duration (nanoseconds) */
	u64 u;     /* uint */
	double d;  /* double */
	str s;     /* string (valid UTF-8) and bytes */
	ts t;      /* timestamp */
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

/* elem_size is the bytes an element of the kind takes in a list or map: bool 1; int,
 * uint, double, duration, string, bytes 8; timestamp 16; list and map 4 (a pointer). */
u32 elem_size(u8 kind);
/* elem_load and elem_store move one packed element. */
value elem_load(const u8 *p, u8 kind);
void elem_store(u8 *p, u8 kind, value v);

/* The evaluation errors (runtime.Err), with the same messages. */
typedef enum eval_err {
	EV_OK,
	EV_INT_OVERFLOW,       /* "integer overflow" */
	EV_UINT_OVERFLOW,      /* "unsigned integer overflow" */
	EV_DIV_BY_ZERO,        /* "division by zero" */
	EV_MOD_BY_ZERO,        /* "modulus by zero" */
	EV_INDEX_OUT_OF_BOUNDS,/* "index out of bounds" */
	EV_NO_SUCH_KEY,        /* "no such key" */
	EV_TIMESTAMP_OVERFLOW, /* "timestamp overflow" */
	EV_BAD_IP,             /* inIPAddrRange: the Go runtime's message */
	EV_BAD_CIDR,
	EV_BAD_TIMESTAMP,      /* "invalid timestamp" */
	EV_BAD_DURATION,       /* "invalid duration" */
	EV_BUDGET,             /* the evaluation budget is exhausted (docs/spec.md) */
	EV_OOM,                /* memory ran out: the call fails as a whole */
} eval_err;

/* eval_err_msg writes e's message (the budget's names the configured budget). */
void eval_err_msg(eval_err e, struct buf *out);

/*
 * Operations, by type (t is the operands' prog_type). Equality is CEL's: lists and
 * maps element-wise, doubles by IEEE 754 (NaN unequal to itself), timestamps by instant.
 * Ordering exists for bool, int, uint, double, string, bytes, timestamp, duration.
 */
bool value_eq(const prog_type *t, value a, value b);
int value_cmp(const prog_type *t, value a, value b); /* -1, 0, 1; NaN: see value.c */

#endif
