// json.h: strict JSON, exactly as permc's Go runtime reads and writes it
// (runtime/json.go): the same documents accepted, the same error message for the
// same input (including which error wins when a document has several), the same
// bytes written.
//
// A parsed document is a tape: an array of 8-byte nodes in pre-order. A scalar is
// one node; an array is its node followed by its elements' subtrees; an object is
// its node followed by, for each member in document order, the key (a string
// node) and the value's subtree. A container's node holds its number of elements
// or members and the number of nodes inside it, so the next sibling is one step
// away (j_next) and lookups never recurse.
//
// Strings and numbers are views: a number is its literal text, a string its bytes
// in the input when it has no escapes, else its decoded bytes in the arena. A
// document is valid as long as the input and the arena are; both belong to the
// caller.
#ifndef RT_JSON_H
#define RT_JSON_H

#include "mem.h"

// The kinds of value, numbered as runtime.JSONKind.
enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

#define JSON_MAX_DEPTH 64 // runtime.MaxJSONDepth

// A node: h is the kind (3 bits) and a count (29 bits): bytes for strings and
// numbers, elements or members for containers. v is the address of the bytes, the
// number of nodes inside a container, or a boolean's value.
typedef struct jnode {
	u32 h, v;
} jnode;

static inline u32 j_kind(const jnode *j) { return j->h & 7; }
// j_len is the byte length of a string or number, the element count of an array,
// the member count of an object.
static inline u32 j_len(const jnode *j) { return j->h >> 3; }
static inline bool j_bool(const jnode *j) { return j->v != 0; }
// j_str is a string's value or a number's literal text.
static inline str j_str(const jnode *j) { return (str){(const u8 *)(usize)j->v, j->h >> 3}; }
// j_next is the node after j's subtree: its next sibling.
static inline const jnode *j_next(const jnode *j) { return j + 1 + (j_kind(j) >= J_ARRAY ? j->v : 0); }
// j_first is a container's first element, or its first member's key; the value of
// a member whose key is k is k + 1, and the next member's key is j_next(k + 1).
static inline const jnode *j_first(const jnode *j) { return j + 1; }

// j_get returns the value of key in the object obj, or NULL.
const jnode *j_get(const jnode *obj, str key);
// j_kind_name is runtime.JSONKind's String: "null", "a boolean", "a number",
// "a string", "an array", "an object".
str j_kind_name(u32 kind);

// A syntax error: where, and what (JE_*), with the byte or key the message names.
enum {
	JE_NONE,
	JE_DEPTH,        // nested too deeply
	JE_END,          // unexpected end of input
	JE_CHAR,         // unexpected character 'c'
	JE_LITERAL,      // invalid literal
	JE_KEY,          // expected a string key
	JE_DUP,          // duplicate key "k"
	JE_COLON,        // expected ':' after object key
	JE_END_OBJECT,   // unexpected end of input in object
	JE_OBJECT_SEP,   // expected ',' or '}' in object
	JE_END_ARRAY,    // unexpected end of input in array
	JE_ARRAY_SEP,    // expected ',' or ']' in array
	JE_NUMBER,       // invalid number
	JE_UTF8,         // invalid UTF-8 in string
	JE_CONTROL,      // control character in string
	JE_END_STRING,   // unexpected end of input in string
	JE_U_ESCAPE,     // invalid \u escape
	JE_SURROGATE,    // invalid surrogate pair
	JE_ESCAPE,       // invalid escape
	JE_TRAILING,     // unexpected data after the JSON value
	JE_OOM,          // not a syntax error: memory ran out (rt.oom is set)
};

typedef struct jerror {
	u8 code;
	u8 c;    // JE_CHAR: the byte
	u32 off; // the offset the message names
	str key; // JE_DUP: the key
} jerror;

// json_parse parses data[0:n] into a tape in the arena a, using scratch for
// temporaries (restored before it returns). It returns the root node, or NULL and
// the error in *e.
//
// Memory: the tape takes 8 bytes a node, and a document of n bytes has at most
// n/2+1 nodes; for n over 64 KiB a first pass counts the document's separators
// and brackets so that the tape takes what the document needs, not its worst
// case. Escaped strings take at most their length in the input. Objects of 16 keys
// or more take 16 bytes a key of scratch while they are parsed (duplicate keys are
// found with a crit-bit tree, which no choice of keys can slow down).
const jnode *json_parse(arena *a, arena *scratch, const u8 *data, u32 n, jerror *e);

// buf_json_error appends the error's message as runtime.JSONError's Error() reads:
// "invalid JSON at offset N: ..." ("out of memory" for JE_OOM).
void buf_json_error(buf *b, const jerror *e);

// buf_json_str appends s as a JSON string literal, as runtime.AppendJSONString
// does: '"', '\\', \n, \r, \t escaped, other control bytes as \u00XX, invalid
// UTF-8 as U+FFFD, everything else as it is.
void buf_json_str(buf *b, str s);
// buf_error_json appends {"error":msg}, as runtime.AppendErrorJSON.
void buf_error_json(buf *b, str msg);

#endif
