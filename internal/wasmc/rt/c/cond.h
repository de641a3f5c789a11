/*
 * cond.h: the condition trees of query plans, as package runtime/cond builds them.
 *
 * A condition is a tree over the resource's attributes (cond.go). It is built only
 * through the constructors below, which simplify as they build exactly as
 * runtime/cond's AndOf, OrOf, NotOf, Cmp, Member, StrOp, Match, Exists and All do
 * (simplify.go): the same tree for the same calls, so that the CEL rendering
 * (cond_cel) and the JSON encoding (cond_json) are byte for byte the Go package's.
 *
 * Nodes live in rt.arena, the call's arena, and are never changed once built (apart
 * from the rendering each caches, which the simplifier compares: runtime/cond keys
 * terms by their String()); the simplifier's working memory is rt.scratch, given back
 * before a constructor returns. When memory runs out a constructor returns a valid tree
 * (often false) with rt.oom set, and the call fails as a whole.
 *
 * Constants hold values of the engine's representation (value.h) with a condition
 * type (ctype): scalars, lists, and maps with string keys.
 *
 * # Notes
 *
 * runtime/cond's quantifier over a constant list (which substitutes each element
 * for the variable) and its matches() on a constant string are not here: plans never
 * build them (internal/ir unrolls macros over known values itself, and a matches()
 * whose string is known is computed whole), and RT_ASSERT says so if one ever does.
 */
#ifndef RT_COND_H
#define RT_COND_H

#include "mem.h"
#include "value.h"

/* A condition type: a scalar kind (T_BOOL .. T_DURATION of program.h), a list of elem,
 * or a map from strings to elem. */
typedef struct ctype {
	u8 kind;
	const struct ctype *elem;
} ctype;

/* ctype_scalar returns the shared type of a scalar kind. */
const ctype *ctype_scalar(u8 kind);
/* ctype_list returns list(elem); ctype_map map(string, elem) (a placeholder when memory
 * runs out: rt.oom is then set). */
const ctype *ctype_list(const ctype *elem);
const ctype *ctype_map(const ctype *elem);

/* Comparison operators and string tests, numbered as runtime/cond's Op and StrFn. */
enum { CO_EQ = 1, CO_NE, CO_LT, CO_LE, CO_GT, CO_GE };
enum { CS_STARTS_WITH = 1, CS_ENDS_WITH, CS_CONTAINS };

/* A value of a condition: the resource's attribute name, a quantifier's variable, a
 * size, or a constant. */
enum { CV_ATTR = 1, CV_VAR, CV_SIZE, CV_LIT };

typedef struct cval {
	u8 op;
	const ctype *t; /* int for CV_SIZE */
	str name;       /* CV_ATTR, CV_VAR */
	const struct cval *of; /* CV_SIZE */
	value v;        /* CV_LIT */
	str cel;        /* the CEL rendering, computed once (NULL until then) */
	u32 hash;       /* of cel */
} cval;

cval *cv_attr(str name, const ctype *t);
cval *cv_var(str name, const ctype *t);
cval *cv_size(cval *of);
cval *cv_lit(const ctype *t, value v);

enum { C_CONST = 1, C_AND, C_OR, C_NOT, C_CMP, C_IN, C_STR, C_MATCH, C_QUANT, C_RES };

typedef struct cond {
	u8 kind;
	u8 op;   /* C_CONST: the value; C_CMP: CO_*; C_STR: CS_*; C_QUANT: all; C_RES: want */
	u32 n;   /* C_AND, C_OR: the number of terms */
	struct cond **terms; /* C_AND, C_OR */
	struct cond *x;      /* C_NOT: the negated; C_QUANT: the body */
	cval *l, *r;         /* C_CMP, C_IN (elem, coll), C_STR (s, arg), C_MATCH (s), C_QUANT (list) */
	str name;            /* C_MATCH: the pattern; C_QUANT: the variable; C_RES: the expression */
	str why, what, pos;  /* C_RES */
	str cel;             /* the CEL rendering, computed once */
	u32 hash;
} cond;

/* A growing array of conditions in rt.arena; the zero one is empty. conds_push does
 * nothing when memory runs out (rt.oom is then set). */
typedef struct conds {
	cond **c;
	u32 n, cap;
} conds;
void conds_push(conds *v, cond *c);

/* The constants true and false. */
extern cond cond_true_node, cond_false_node;
#define COND_TRUE (&cond_true_node)
#define COND_FALSE (&cond_false_node)
static inline cond *c_const(bool b) { return b ? COND_TRUE : COND_FALSE; }

/* The constructors of runtime/cond. c_and and c_or read terms[0:n] (NULL entries are
 * skipped, as nil is in AndOf) and do not keep the array. */
cond *c_and(cond *const *terms, u32 n);
cond *c_or(cond *const *terms, u32 n);
cond *c_and2(cond *a, cond *b);
cond *c_or2(cond *a, cond *b);
cond *c_not(cond *c);
cond *c_cmp(u8 op, cval *l, cval *r);
cond *c_member(cval *elem, cval *coll);
cond *c_strop(u8 fn, cval *s, cval *arg);
cond *c_match(cval *s, str pattern);
cond *c_quant(bool all, str var, cval *list, cond *body);
/* c_residual is a Residual whose origin is what (`rule "x"`) at pos (FILE:LINE:COL). */
cond *c_residual(str expr, str why, bool want, str what, str pos);

/* cond_cel returns c.String() (in rt.arena); cond_json appends cond.AppendJSON(c). */
str cond_cel(cond *c);
void cond_json(buf *b, cond *c);

#endif
