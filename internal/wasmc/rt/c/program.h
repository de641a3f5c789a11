/*
 * program.h: the program a spec compiles to, as the runtime reads it in place.
 *
 * permc (internal/wasmc/encode.go) lowers a checked spec (internal/ir) into this
 * binary form and links it into the runtime's module as a data segment. Every record
 * is 8-byte aligned and refers to others by their byte offset from the program's
 * start; 0 means "none" (the header is at 0). Strings are (offset, length) pairs into
 * the program. All integers are little-endian, as Wasm's memory is.
 *
 * The Go encoder and these declarations change together: PROGRAM_VERSION is
 * wasmc.ProgramVersion.
 */
#ifndef PERMC_PROGRAM_H
#define PERMC_PROGRAM_H

#include "rt.h"

#define PROGRAM_MAGIC 0x434D5250u /* "PRMC" */
#define PROGRAM_VERSION 2u

/* A string of the program. */
typedef struct {
	u32 off, len;
} prog_str;

/* A count-prefixed list of u32 (permission, scope indexes). */
typedef struct {
	u32 n;
	u32 items[];
} prog_list;

typedef struct {
	u32 magic, version;
	u32 nresources, resources;     /* u32[nresources]: offsets of prog_resource */
	u32 npermissions, permissions; /* offsets of prog_permission */
	u32 nscopes, scopes;           /* offsets of prog_scope */
	u32 nroles, roles;             /* built-in roles: offsets of prog_role */
	u32 nrules, rules;             /* offsets of prog_rule */
	u32 noauth, oauth;             /* credential OAuth scopes: offsets of prog_oauth */
	u32 nfilters, filters;         /* credential filters: offsets of prog_filter */
	u32 nfuncs, funcs;             /* offsets of prog_func */
	u32 nregexps, regexps;         /* offsets of prog_regexp */
	u32 principal, context, credential; /* offsets of prog_object */
	/* u32 arrays of indexes ordered by name (bytewise), for binary search. */
	u32 sorted_resources, sorted_permissions, sorted_roles, sorted_scopes, sorted_oauth, sorted_filters;
	prog_str metadata; /* the spec's metadata JSON (permc_metadata's answer) */
	prog_str package, source;
	u32 perm_words; /* u32 words of a permission bitset: ceil(npermissions / 32), at least 1 */
	/* Default limits (docs/spec.md), which permc_configure may change. */
	u32 max_request_bytes, max_roles_bytes, max_batch_requests;
	/* Bounds of custom roles (docs/spec.md): a permission bitset they may draw from,
	 * the scopes (prog_list) they may be assigned at, and what an omitted "scopes"
	 * means (0: custom_scopes); 0 is "any" for the first two. custom_none refuses
	 * every custom role; custom_patterns are the spec's patterns for custom_perms,
	 * joined by ", ", for messages. */
	u32 custom_perms, custom_scopes, custom_default_scopes, custom_none;
	prog_str custom_patterns;
	u32 budget_lo, budget_hi; /* the evaluation budget, a u64 */
} prog_header;

/* Types. Kinds are internal/ir's. */
enum {
	T_BOOL = 1,
	T_INT,
	T_UINT,
	T_DOUBLE,
	T_STRING,
	T_BYTES,
	T_TIMESTAMP,
	T_DURATION,
	T_LIST,
	T_MAP,
	T_DYN, /* the element type of an empty literal: never has a value */
};

typedef struct {
	u8 kind, pad0;
	u16 pad1;
	u32 key;  /* prog_type of a map's keys */
	u32 elem; /* prog_type of a list's elements or a map's values */
} prog_type;

/* An attribute of an object. The principal's and every resource's attribute 0 is the
 * implicit id (implicit = 1), which sits beside "attributes" in a request. */
typedef struct {
	prog_str name;
	u32 type; /* prog_type */
	u8 required, implicit;
	u16 pad;
} prog_attr;

/* The attribute layout of the principal, the context, the credential, a resource type
 * or a scope's parameters: attribute i is slot i. */
typedef struct {
	prog_str where; /* "principal.attributes", "context", "credential.attributes",
	                   "resource.attributes"; empty for scope parameters */
	u32 nattrs;
	u32 attrs;  /* prog_attr[nattrs] */
	u32 sorted; /* u32[nattrs]: attribute indexes ordered by name */
	u32 pad;
} prog_object;

typedef struct {
	prog_str name;
	u32 object; /* prog_object */
	u32 perms;  /* prog_list of permission indexes */
	/* u32 arrays of a func index + 1 (0: none): per scope, whether an assignment at
	 * it covers a resource of this type (none: the scope does not apply); per filter,
	 * whether it admits one (none: the filter does not cover the type); per built-in
	 * role, its condition (none: no condition, or no permission on the type). */
	u32 scope_match, filter_match, role_when;
	u32 pad;
} prog_resource;

/* A rule step of a permission's decision order: the rule, and its condition's func
 * index + 1 (0: no condition, the rule always applies). */
typedef struct {
	u32 rule, func;
} prog_step;

typedef struct {
	u32 n;
	prog_step steps[];
} prog_steps;

typedef struct {
	prog_str name;    /* "library.view" */
	u32 resource;
	u32 deny;  /* prog_steps: the deny rules naming it, in file order */
	u32 allow; /* prog_steps: the allow rules naming it */
	u32 pad;
} prog_permission;

typedef struct {
	prog_str name;
	u32 params; /* prog_object */
} prog_scope;

typedef struct {
	prog_str name;
	u32 perms;   /* permission bitset (perm_words words) */
	u32 scopes;  /* prog_list of assignable scopes; 0: any scope */
	prog_str only_at; /* the scopes' names joined by ", ", for a warning */
} prog_role;

typedef struct {
	prog_str id;
	u32 deny; /* 1 for a deny rule */
} prog_rule;

typedef struct {
	prog_str name;
	u32 perms; /* permission bitset */
} prog_oauth;

typedef struct {
	prog_str name;
} prog_filter;

/* What part of the decision order a func serves; it names its errors ("scope",
 * "filter", "role", "rule"). */
enum { F_SCOPE = 1, F_FILTER, F_ROLE, F_RULE };

typedef struct {
	u8 kind, is_const; /* is_const: the body is the constant true or false */
	u16 locals;        /* local slots its macros (and its plan's unrolled macros) bind */
	u32 resource;
	prog_str name; /* the scope, filter or role name, or the rule id */
	u32 body; /* prog_expr computing a bool */
	u32 plan; /* prog_pexpr: its query plan */
	prog_str source, pos, what; /* for a plan's residual: the expression's text,
	                               "FILE:LINE:COL", and `rule "x"`, `scope "org"`, ... */
} prog_func;

/*
 * Expressions (internal/ir's Op). Operands are evaluated left to right and an
 * operation fails with the first failing operand's error, except where said.
 */
enum {
	OP_CONST = 1,    /* slot: offset of the value record (see prog_value) */
	OP_ATTR,         /* obj, slot: an attribute of an object */
	OP_LOCAL,        /* slot: a macro variable */
	OP_NOT,
	OP_AND,          /* && and || absorb an operand's error when the other decides;
	                    both failing: the first operand's error */
	OP_OR,
	OP_COND,         /* a ? b : c, evaluating only the branch chosen */
	OP_EQ,           /* comparisons of operands of type args[0]'s type */
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_ADD,          /* arithmetic of type `type` (operand types tell timestamp/duration forms) */
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_MOD,
	OP_NEG,
	OP_INDEX,        /* list[int] or map[key]; a field selection m.f is map["f"] */
	OP_IN,           /* args[0] in args[1] (a list's elements or a map's keys) */
	OP_SIZE,         /* string (code points), bytes, list, map */
	OP_STARTS_WITH,
	OP_ENDS_WITH,
	OP_CONTAINS,
	OP_MATCHES,      /* slot: regexp index; args[0] the string */
	OP_IN_IP_RANGE,  /* args[0] address, args[1] CIDR */
	OP_LIST,         /* a list literal of args */
	OP_MAP,          /* a map literal: args alternate keys and values; a later duplicate wins */
	OP_EXISTS,       /* macros over args[0] (a list, or a map's keys in sorted order),  */
	OP_ALL,          /* binding each element to local slot; args[1] the predicate or    */
	OP_EXISTS_ONE,   /* transform                                                       */
	OP_MAP_LIST,     /* args[1] the transform; with three args, args[1] a predicate     */
	OP_FILTER,       /* and args[2] the transform of the elements that satisfy it       */
	OP_FAIL,         /* always fails; slot: offset of a u64 error code (ERR_BAD_*) */
};

/* The objects OP_ATTR reads. */
enum { OBJ_PRINCIPAL = 1, OBJ_RESOURCE, OBJ_CONTEXT, OBJ_CREDENTIAL, OBJ_SCOPE, OBJ_FILTER };

/* OP_FAIL's errors: a timestamp or duration literal that does not parse. */
enum { ERR_BAD_TIMESTAMP = 1, ERR_BAD_DURATION };

typedef struct {
	u8 op, obj;
	u16 nargs;
	u32 type; /* prog_type of the result */
	u32 slot;
	u32 args[]; /* offsets of prog_expr */
} prog_expr;

/*
 * Constants (OP_CONST's slot): bool, int, uint, double (IEEE bits), duration
 * (nanoseconds): 8 bytes; string and bytes: a prog_str; timestamp: prog_time.
 */
typedef struct {
	i64 sec;
	i32 nsec;
	u32 pad;
} prog_time;

/*
 * Plans (internal/ir's POp): see internal/ir/plan.go for each node's meaning. A pair
 * node yields the conditions (T, F) under which its subexpression is true and false;
 * a value node a condition value and whether computing it failed.
 */
enum {
	P_RESIDUAL = 1,  /* name: why */
	P_CONST,         /* x: a bool computed when planning */
	P_SYM_BOOL,
	P_AND,
	P_OR,
	P_NOT,
	P_NOT_STRICTLY_FALSE,
	P_COND_KNOWN,    /* x ? args[0] : args[1] */
	P_COND_SYM,
	P_BOOL_EQ,       /* flags & PF_NEG: != */
	P_CMP,           /* sub: CMP_*; flags & PF_NEG: != */
	P_IN_LIST,       /* args[0] in args[1..] */
	P_MEMBER,
	P_STR_OP,        /* sub: STR_* */
	P_MATCH,         /* name: the pattern */
	P_QUANT,         /* flags & PF_ALL; name: the variable; args[0] the range, args[1] the body */
	P_UNROLL,        /* flags & PF_ALL; x the range; slot the local; args[0] the body */
	V_ATTR,          /* name, ctype */
	V_VAR,           /* name, ctype */
	V_SIZE,          /* args[0] */
	V_LIT,           /* x, ctype */
};

enum { CMP_EQ = 1, CMP_LT, CMP_LE, CMP_GT, CMP_GE };
enum { STR_STARTS_WITH = 1, STR_ENDS_WITH, STR_CONTAINS };
enum { PF_ALL = 1, PF_NEG = 2 };

typedef struct {
	u8 op, sub, flags, pad;
	u32 nargs; /* a list literal's membership test has as many as the list has elements */
	u32 x;     /* prog_expr computed when planning, or 0 */
	u32 ctype; /* prog_type of a value node's condition value */
	u32 slot;
	prog_str name;  /* attribute, variable, pattern, or a residual's reason */
	u32 args[]; /* offsets of prog_pexpr */
} prog_pexpr;

/*
 * Regular expressions: Go's regexp/syntax program of the pattern (the same parser and
 * compiler as Go's regexp), simplified: every rune-consuming instruction is a set of
 * ranges (case folding already expanded), captures are no-ops. matches() runs it as a
 * Pike VM searching anywhere in the string, decoding UTF-8 as Go does (an invalid
 * byte is U+FFFD, one byte wide).
 */
enum { RE_ALT = 1, RE_EMPTY, RE_MATCH, RE_FAIL, RE_NOP, RE_RUNES };

/* RE_EMPTY's arg: syntax.EmptyOp bits. */
enum {
	RE_BEGIN_LINE = 1,
	RE_END_LINE = 2,
	RE_BEGIN_TEXT = 4,
	RE_END_TEXT = 8,
	RE_WORD_BOUNDARY = 16,
	RE_NO_WORD_BOUNDARY = 32,
};

typedef struct {
	u8 op, pad;
	u16 nranges;
	u32 out;    /* next instruction */
	u32 arg;    /* RE_ALT: the other branch; RE_EMPTY: the assertions */
	u32 ranges; /* RE_RUNES: u32 pairs lo, hi, sorted and disjoint */
} prog_inst;

typedef struct {
	prog_str pattern;
	u32 start, ninst;
	u32 insts; /* prog_inst[ninst] */
	u32 pad;
} prog_regexp;

#endif
