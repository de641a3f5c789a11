// json.c: the JSON parser and encoder (json.h), a port of runtime/json.go.
//
// The parser follows the Go one step for step (recursion, where white space is
// skipped, what is checked first), because the offset and text of the first error
// are part of its output.
#include "json.h"
#include "num.h"
#include "text.h"

// ---- Word-at-a-time scanning --------------------------------------------------

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline u64 load64(const u8 *p) {
	u64 v;
	memcpy(&v, p, 8);
	return v;
}

// The high bit of each byte of w below 0x20, or equal to a quote or a backslash.
// Bits above the first true one may be false positives (a borrow carries), which
// is fine: only the lowest set bit is used.
static inline u64 string_stops(u64 w) {
	u64 q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
	return ((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) | ((b - ONES) & ~b);
}

// ---- The parser --------------------------------------------------------------
//
// One loop with a stack of the open containers (parse below) rather than a
// function per kind of value calling each other: on the engines the runtime runs
// on, a call costs more than reading a short string, and the parser's state (the
// offset, the tape's top, the innermost container) stays in locals, which the
// compiler keeps in registers, instead of a struct in memory that every node would
// load and store. The steps and checks are runtime/json.go's, in its order, because
// the offset and text of the first error are part of the output.

#define FAIL 0xFFFFFFFFu // no document reaches this offset (inputs are at most 4 MiB)

typedef struct jparser {
	const u8 *data;
	u32 n;
	jnode *tape, *end; // the tape and its end
	arena *a, *scratch;
	jerror *e;
} jparser;

static cold u32 fail(jparser *p, u8 code, u32 off) {
	p->e->code = code;
	p->e->off = off;
	return FAIL;
}

static inline u32 space(const u8 *d, u32 n, u32 i) {
	while (i < n && d[i] <= ' ' && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r'))
		i++;
	return i;
}

static inline bool is_digit(u8 c) { return c >= '0' && c <= '9'; }

static inline u32 hdr(u32 kind, u32 len) { return kind | len << 3; }

// tape_full fails a parse whose tape is full. The tape was sized for the document
// (json_parse), so it never is unless that reasoning is broken: then the parse
// fails closed.
static cold u32 tape_full(jparser *p) {
	rt_bug("json: tape full");
	return fail(p, JE_OOM, 0);
}

static bool hex4(const u8 *d, u32 n, u32 at, u32 *r) {
	if (at > n || n - at < 4)
		return false;
	u32 v = 0;
	for (u32 k = 0; k < 4; k++) {
		u8 c = d[at + k];
		if (is_digit(c))
			v = v << 4 | (u32)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v << 4 | (u32)((c | 0x20) - 'a' + 10);
		else
			return false;
	}
	*r = v;
	return true;
}

// string_slow decodes a string with escapes into the node t, from j (the first
// escape or control byte) on; start is where the string's bytes begin. It writes
// into the arena, sized by the string's length in the input, which bounds its
// decoded length.
static noinline u32 string_slow(jparser *p, jnode *t, u32 start, u32 j) {
	const u8 *d = p->data;
	u32 n = p->n;
	// The string's extent: to the first quote not escaped, or the end.
	u32 end = j;
	while (end < n && d[end] != '"')
		end += d[end] == '\\' ? 2 : 1;
	u32 room = (end < n ? end : n) - start;
	u8 *buf = arena_bytes(p->a, room + 4);
	if (!buf)
		return fail(p, JE_OOM, j);
	memcpy(buf, d + start, j - start);
	u32 w = j - start, i = j;
	while (i < n) {
		u8 c = d[i];
		if (c == '"') {
			if (!utf8_valid(buf, w))
				return fail(p, JE_UTF8, start);
			arena_shrink(p->a, buf, w);
			t->h = hdr(J_STRING, w);
			t->v = (u32)(usize)buf;
			return i + 1;
		}
		if (c < 0x20)
			return fail(p, JE_CONTROL, i);
		if (c != '\\') {
			buf[w++] = c;
			i++;
			continue;
		}
		if (i + 1 >= n)
			return fail(p, JE_END_STRING, i);
		u8 esc = d[++i];
		switch (esc) {
		case '"':
		case '\\':
		case '/':
			buf[w++] = esc;
			break;
		case 'b':
			buf[w++] = '\b';
			break;
		case 'f':
			buf[w++] = '\f';
			break;
		case 'n':
			buf[w++] = '\n';
			break;
		case 'r':
			buf[w++] = '\r';
			break;
		case 't':
			buf[w++] = '\t';
			break;
		case 'u': {
			u32 r, r2 = 0;
			if (!hex4(d, n, i + 1, &r))
				return fail(p, JE_U_ESCAPE, i);
			i += 4;
			if (r >= 0xD800 && r <= 0xDFFF) {
				// A surrogate must be the first half of a pair, the second
				// half following as another \u escape.
				bool ok = i + 2 < n && d[i + 1] == '\\' && d[i + 2] == 'u' && hex4(d, n, i + 3, &r2);
				if (!ok || r > 0xDBFF || r2 < 0xDC00 || r2 > 0xDFFF)
					return fail(p, JE_SURROGATE, i);
				i += 6;
				r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
			}
			if (!RT_ASSERT(w + 4 <= room + 4))
				return fail(p, JE_OOM, i);
			w += utf8_encode(buf + w, r);
			break;
		}
		default:
			return fail(p, JE_ESCAPE, i);
		}
		i++;
	}
	return fail(p, JE_END_STRING, i);
}

// number reads the number at i into the node t.
static noinline u32 number(jparser *p, jnode *t, u32 i) {
	const u8 *d = p->data;
	u32 n = p->n, start = i, k;
	if (d[i] == '-')
		i++;
	if (i < n && d[i] == '0') {
		i++;
	} else {
		for (k = i; i < n && is_digit(d[i]);)
			i++;
		if (i == k)
			return fail(p, JE_NUMBER, i);
	}
	if (i < n && d[i] == '.') {
		for (k = ++i; i < n && is_digit(d[i]);)
			i++;
		if (i == k)
			return fail(p, JE_NUMBER, i);
	}
	if (i < n && (d[i] | 0x20) == 'e') {
		i++;
		if (i < n && (d[i] == '+' || d[i] == '-'))
			i++;
		for (k = i; i < n && is_digit(d[i]);)
			i++;
		if (i == k)
			return fail(p, JE_NUMBER, i);
	}
	t->h = hdr(J_NUMBER, i - start);
	t->v = (u32)(usize)(d + start);
	return i;
}

// ---- Duplicate keys ----------------------------------------------------------
//
// An object's keys are compared with each earlier key while there are few of
// them; from 16 keys on, they go in a crit-bit tree (a binary trie branching on the
// first bit where two keys differ), whose cost per key is bounded by the key's
// length whatever the keys are: a hash table would need a secret seed, which a
// deterministic module cannot have, to resist chosen collisions.

#define MANY_KEYS 16

// A tree's child is a leaf, a key's tape index shifted left and tagged with 1, or
// the address of an inner node (4-aligned).
typedef struct cbnode {
	u32 child[2];
	// The bit the node branches on: its byte position times 16, plus 8 minus its
	// bit number within the 9-bit symbol of cb_sym. Nodes on a path from the root
	// have increasing crit: earlier bytes first, higher bits first.
	u32 crit;
} cbnode;

// cb_sym is the symbol at position i of s: 0 past its end, else 0x100 | byte, so
// that a key and its extensions differ.
static inline u32 cb_sym(str s, u32 i) { return i < s.n ? 0x100u | s.p[i] : 0; }

static inline u32 cb_dir(const cbnode *c, str key) {
	return cb_sym(key, c->crit >> 4) >> (8 - (c->crit & 15)) & 1;
}

// cb_insert adds the key at tape index k to the tree; it returns 1 when it was
// there already, -1 when memory ran out, 0 otherwise.
static int cb_insert(jparser *p, u32 *root, u32 k) {
	str key = j_str(&p->tape[k]);
	u32 leaf = k << 1 | 1;
	if (!*root) {
		*root = leaf;
		return 0;
	}
	u32 q = *root;
	while (!(q & 1))
		q = ((cbnode *)(usize)q)->child[cb_dir((cbnode *)(usize)q, key)];
	str other = j_str(&p->tape[q >> 1]);
	u32 i = 0, m = key.n < other.n ? key.n : other.n;
	while (i < m && key.p[i] == other.p[i])
		i++;
	if (i == key.n && i == other.n)
		return 1;
	u32 bit = 31 - (u32)__builtin_clz(cb_sym(key, i) ^ cb_sym(other, i)); // 0 to 8
	u32 crit = i << 4 | (8 - bit);
	cbnode *c = arena_aligned(p->scratch, sizeof(cbnode), 4);
	if (!c)
		return -1;
	c->crit = crit;
	u32 dir = cb_sym(key, i) >> bit & 1;
	c->child[dir] = leaf;
	// The new node goes where the walk meets a leaf or a later bit.
	u32 *where = root;
	while (!(*where & 1)) {
		cbnode *w = (cbnode *)(usize)*where;
		if (w->crit > crit)
			break;
		where = &w->child[cb_dir(w, key)];
	}
	c->child[!dir] = *where;
	*where = (u32)(usize)c;
	return 0;
}

// many_keys reports whether the key k of the object obj, which has count keys
// before it (MANY_KEYS or more), is one of them (1), or memory ran out (-1), through
// the tree *tree of its keys, which starts with the first MANY_KEYS of them.
static noinline int many_keys(jparser *p, const jnode *obj, u32 count, u32 *tree, const jnode *k) {
	if (count == MANY_KEYS) {
		const jnode *m = obj + 1;
		for (u32 c = 0; c < count; c++, m = j_next(m + 1))
			if (cb_insert(p, tree, (u32)(m - p->tape)) < 0)
				return -1;
	}
	return cb_insert(p, tree, (u32)(k - p->tape));
}

// ---- Values ------------------------------------------------------------------

// An open container of the parse's stack: its node, and for an object the
// members so far, their tree once there are MANY_KEYS of them, and the scratch
// arena's state before the tree.
typedef struct open {
	jnode *node;
	u32 count;
} open;

// An open object's tree of keys, once it has MANY_KEYS of them, and the scratch
// arena's state before the tree: apart from the node and the count, out of the
// parse loop's locals, which the engines then keep in registers.
typedef struct keytree {
	u32 tree;
	arena_mark mark;
} keytree;

// parse reads the document's value into the tape and returns the offset after it.
// It is runtime/json.go's value, object and array as two nested loops (a graph of
// gotos between them would not be structured, which Wasm's control flow must be,
// and compilers then dispatch every step through a switch): each turn of the outer
// loop reads one token, a value or an object's key; after a value, the inner loop
// continues the containers it ends, up to the one it does not.
static u32 parse(jparser *p) {
	const u8 *d = p->data;
	u32 n = p->n, i = 0, depth = 0, key_at = 0;
	jnode *top = p->tape, *end = p->end;
	open stack[JSON_MAX_DEPTH + 1];
	keytree trees[JSON_MAX_DEPTH + 2]; // trees[depth]: the innermost container's
	open cur = {NULL, 0};              // the innermost container
	bool is_key = false;                    // the token is an object's key
	for (;;) {
		if (is_key) {
			i = space(d, n, i);
			if (i >= n || d[i] != '"')
				return fail(p, JE_KEY, i);
			if (cur.count == MANY_KEYS)
				trees[depth].mark = arena_save(p->scratch);
			key_at = i;
		} else {
			if (depth > JSON_MAX_DEPTH)
				return fail(p, JE_DEPTH, i);
			i = space(d, n, i);
			if (i >= n)
				return fail(p, JE_END, i);
		}
		if (unlikely(top >= end))
			return tape_full(p);
		jnode *t = top++;
		u8 c = d[i];
		if (c == '"') {
			// Most strings have no escapes: they are found eight bytes at a time
			// and become views of the input, their UTF-8 checked only when a byte
			// is not ASCII.
			u32 start = i + 1, j = start;
			u64 high = 0;
			for (; n - j >= 8; j += 8) {
				u64 w = load64(d + j);
				u64 stops = string_stops(w) & HIGHS;
				if (stops) {
					u32 k = (u32)__builtin_ctzll(stops) >> 3;
					high |= w & ((1ULL << (k * 8)) - 1);
					j += k;
					goto stop;
				}
				high |= w;
			}
			for (; j < n; j++) {
				u8 b = d[j];
				if (b == '"' || b == '\\' || b < 0x20)
					break;
				high |= b;
			}
		stop:
			if (j < n && d[j] == '"') {
				if ((high & HIGHS) && !utf8_valid(d + start, j - start))
					return fail(p, JE_UTF8, start);
				t->h = hdr(J_STRING, j - start);
				t->v = (u32)(usize)(d + start);
				i = j + 1;
			} else if (j >= n) {
				return fail(p, JE_END_STRING, j);
			} else if ((i = string_slow(p, t, start, j)) == FAIL) {
				return FAIL;
			}
			if (is_key) {
				// The key must not repeat an earlier key of the object.
				int dup = 0;
				if (cur.count >= MANY_KEYS) {
					dup = many_keys(p, cur.node, cur.count, &trees[depth].tree, t);
				} else {
					const jnode *m = cur.node + 1;
					for (u32 k = 0; k < cur.count && !dup; k++, m = j_next(m + 1))
						dup = m->h == t->h &&
						      memcmp((const void *)(usize)m->v, (const void *)(usize)t->v, j_len(t)) == 0;
				}
				if (dup < 0)
					return fail(p, JE_OOM, key_at);
				if (dup) {
					p->e->key = j_str(t);
					return fail(p, JE_DUP, key_at);
				}
				i = space(d, n, i);
				if (i >= n || d[i] != ':')
					return fail(p, JE_COLON, i);
				i++;
				is_key = false;
				continue;
			}
		} else if (c == '{' || c == '[') {
			t->h = hdr(c == '{' ? J_OBJECT : J_ARRAY, 0);
			t->v = 0;
			i = space(d, n, i + 1);
			if (i < n && d[i] == (c == '{' ? '}' : ']')) {
				i++; // empty: a value like any other
			} else {
				stack[depth++] = cur;
				cur = (open){t, 0};
				trees[depth].tree = 0;
				is_key = c == '{';
				continue;
			}
		} else if (c == 't' || c == 'f' || c == 'n') {
			const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
			u32 len = c == 'f' ? 5 : 4;
			t->h = hdr(c == 'n' ? J_NULL : J_BOOL, 0);
			t->v = c == 't';
			if (n - i < len || memcmp(d + i, word, len) != 0)
				return fail(p, JE_LITERAL, i);
			i += len;
		} else if (c == '-' || is_digit(c)) {
			if ((i = number(p, t, i)) == FAIL)
				return FAIL;
		} else {
			p->e->c = c;
			return fail(p, JE_CHAR, i);
		}
		// A value is done: the containers it ends end.
		for (;;) {
			if (depth == 0)
				return i;
			i = space(d, n, i);
			bool is_array = j_kind(cur.node) == J_ARRAY;
			cur.count++;
			if (i >= n)
				return fail(p, is_array ? JE_END_ARRAY : JE_END_OBJECT, i);
			if (d[i] == ',') {
				i++;
				is_key = !is_array;
				break;
			}
			if (d[i] != (is_array ? ']' : '}'))
				return fail(p, is_array ? JE_ARRAY_SEP : JE_OBJECT_SEP, i);
			if (trees[depth].tree)
				arena_restore(p->scratch, trees[depth].mark);
			cur.node->h = hdr(j_kind(cur.node), cur.count);
			cur.node->v = (u32)(top - cur.node - 1);
			cur = stack[--depth];
			i++;
		}
	}
}

// quote_or_backslash is string_stops without the control bytes: what ends a run of
// a string's bytes for a scan that does not validate them.
static inline u64 quote_or_backslash(u64 w) {
	u64 q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
	return (((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS;
}

// tape_bound is the most nodes data can produce: one, plus one per separator and
// opening bracket of a non-empty container outside strings (every node but the
// first follows one of those), plus the containers a malformed document may leave
// open.
static u32 tape_bound(const u8 *d, u32 n) {
	u32 count = 1 + JSON_MAX_DEPTH + 2;
	for (u32 i = 0; i < n; i++) {
		u8 c = d[i];
		if (c == '"') {
			for (i++; i < n; i++) {
				while (n - i >= 8 && !quote_or_backslash(load64(d + i)))
					i += 8;
				if (i >= n || d[i] == '"')
					break;
				if (d[i] == '\\')
					i++;
			}
		} else if (c == ',' || c == ':') {
			count++;
		} else if (c == '[' || c == '{') {
			// An empty container has no first child.
			u32 j = space(d, n, i + 1);
			count += !(j < n && d[j] == (c == '[' ? ']' : '}'));
		}
	}
	return count;
}

const jnode *json_parse(arena *a, arena *scratch, const u8 *data, u32 n, jerror *e) {
	*e = (jerror){0};
	// Every node takes at least two bytes of a well-formed document, but one:
	// (n+1)/2 nodes, plus the containers a malformed one may leave open. Over 64 KiB
	// a count of the separators gives a bound that fits the document.
	u32 cap = n <= (64u << 10) ? (n + 1) / 2 + JSON_MAX_DEPTH + 3 : tape_bound(data, n);
	jparser p = {.data = data, .n = n, .a = a, .scratch = scratch, .e = e};
	p.tape = arena_alloc(a, cap * (u32)sizeof(jnode));
	if (!p.tape) {
		e->code = JE_OOM;
		return NULL;
	}
	p.end = p.tape + cap;
	arena_mark mark = arena_save(scratch);
	u32 end = parse(&p);
	arena_restore(scratch, mark);
	if (end != FAIL && (end = space(data, n, end)) != n)
		end = fail(&p, JE_TRAILING, end);
	if (end == FAIL)
		return NULL;
	// The tape's unused end goes back only when it is the arena's last allocation:
	// strings with escapes are decoded into the arena after it.
	if (a->cur == (u8 *)(p.tape + cap))
		arena_shrink(a, p.tape, (u32)(j_next(p.tape) - p.tape) * (u32)sizeof(jnode));
	return p.tape;
}

// ---- Lookups -----------------------------------------------------------------

const jnode *j_get(const jnode *obj, str key) {
	if (j_kind(obj) != J_OBJECT)
		return NULL;
	const jnode *k = j_first(obj);
	for (u32 i = 0, n = j_len(obj); i < n; i++, k = j_next(k + 1))
		if (str_eq(j_str(k), key))
			return k + 1;
	return NULL;
}

str j_kind_name(u32 kind) {
	static const char names[] = "null\0a boolean\0a number\0a string\0an array\0an object";
	static const u8 at[] = {0, 5, 15, 24, 33, 42, 52};
	if (kind > J_OBJECT)
		return S("unknown");
	return (str){(const u8 *)names + at[kind], (u32)(at[kind + 1] - at[kind] - 1)};
}

// ---- Messages ----------------------------------------------------------------

static const char *const messages[] = {
	[JE_DEPTH] = "nested too deeply",
	[JE_END] = "unexpected end of input",
	[JE_CHAR] = "unexpected character ",
	[JE_LITERAL] = "invalid literal",
	[JE_KEY] = "expected a string key",
	[JE_DUP] = "duplicate key ",
	[JE_COLON] = "expected ':' after object key",
	[JE_END_OBJECT] = "unexpected end of input in object",
	[JE_OBJECT_SEP] = "expected ',' or '}' in object",
	[JE_END_ARRAY] = "unexpected end of input in array",
	[JE_ARRAY_SEP] = "expected ',' or ']' in array",
	[JE_NUMBER] = "invalid number",
	[JE_UTF8] = "invalid UTF-8 in string",
	[JE_CONTROL] = "control character in string",
	[JE_END_STRING] = "unexpected end of input in string",
	[JE_U_ESCAPE] = "invalid \\u escape",
	[JE_SURROGATE] = "invalid surrogate pair",
	[JE_ESCAPE] = "invalid escape",
	[JE_TRAILING] = "unexpected data after the JSON value",
};

void buf_json_error(buf *b, const jerror *e) {
	if (e->code == JE_OOM || e->code == JE_NONE || e->code >= countof(messages)) {
		buf_lit(b, "out of memory");
		return;
	}
	buf_lit(b, "invalid JSON at offset ");
	buf_u64(b, e->off);
	buf_lit(b, ": ");
	buf_cstr(b, messages[e->code]);
	if (e->code == JE_CHAR)
		buf_quote_rune(b, e->c); // the byte as a rune, as Go's strconv.QuoteRune(rune(b))
	else if (e->code == JE_DUP)
		buf_quote(b, e->key);
}

// ---- Writing -----------------------------------------------------------------

void buf_json_str(buf *b, str s) {
	static const char hex[] = "0123456789abcdef";
	buf_byte(b, '"');
	const u8 *d = s.p;
	u32 i = 0, n = s.n;
	while (i < n) {
		// A run of bytes that need no escape goes at once; eight are tested at a
		// time (control bytes, '"', '\\' and non-ASCII bytes stop a run).
		u32 j = i;
		while (n - j >= 8) {
			u64 w = load64(d + j);
			u64 stops = (string_stops(w) | w) & HIGHS;
			if (stops) {
				j += (u32)__builtin_ctzll(stops) >> 3;
				break;
			}
			j += 8;
		}
		while (j < n && d[j] >= 0x20 && d[j] < 0x80 && d[j] != '"' && d[j] != '\\')
			j++;
		buf_put(b, d + i, j - i);
		if ((i = j) >= n)
			break;
		u8 c = d[i];
		if (c >= 0x80) {
			u32 r, w = utf8_decode(d + i, n - i, &r);
			if (w == 1 && r == RUNE_ERROR)
				buf_lit(b, "\xef\xbf\xbd"); // U+FFFD
			else
				buf_put(b, d + i, w);
			i += w;
			continue;
		}
		u8 e[6] = {'\\', c, 0, 0, 0, 0};
		u32 len = 2;
		if (c == '\n')
			e[1] = 'n';
		else if (c == '\r')
			e[1] = 'r';
		else if (c == '\t')
			e[1] = 't';
		else if (c < 0x20) {
			e[1] = 'u';
			e[2] = e[3] = '0';
			e[4] = (u8)hex[c >> 4];
			e[5] = (u8)hex[c & 0xF];
			len = 6;
		}
		buf_put(b, e, len);
		i++;
	}
	buf_byte(b, '"');
}

void buf_error_json(buf *b, str msg) {
	buf_lit(b, "{\"error\":");
	buf_json_str(b, msg);
	buf_byte(b, '}');
}
