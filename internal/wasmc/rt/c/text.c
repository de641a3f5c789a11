// text.c: UTF-8, quoting, suggestions and base64 (text.h).
#include "text.h"
#include "tables.h"

static const char lowerhex[] = "0123456789abcdef";

// ---- UTF-8 -------------------------------------------------------------------

// The second byte's range for each first byte of a multi-byte sequence, as in Go's
// utf8 package: overlong forms, surrogates and values past U+10FFFF are invalid.
static inline bool second_ok(u8 c0, u8 c1) {
	if (c0 == 0xE0)
		return c1 >= 0xA0 && c1 <= 0xBF;
	if (c0 == 0xED)
		return c1 >= 0x80 && c1 <= 0x9F;
	if (c0 == 0xF0)
		return c1 >= 0x90 && c1 <= 0xBF;
	if (c0 == 0xF4)
		return c1 >= 0x80 && c1 <= 0x8F;
	return c1 >= 0x80 && c1 <= 0xBF;
}

static inline bool cont(u8 c) { return (c & 0xC0) == 0x80; }

u32 utf8_decode(const u8 *p, u32 n, u32 *r) {
	u8 c0 = p[0];
	if (c0 < 0x80) {
		*r = c0;
		return 1;
	}
	*r = RUNE_ERROR;
	u32 w = c0 >= 0xC2 && c0 <= 0xDF ? 2 : c0 >= 0xE0 && c0 <= 0xEF ? 3 : c0 >= 0xF0 && c0 <= 0xF4 ? 4 : 0;
	if (w == 0 || n < 2 || !second_ok(c0, p[1]))
		return 1;
	if (w == 2) {
		*r = (u32)(c0 & 0x1F) << 6 | (p[1] & 0x3F);
		return 2;
	}
	if (n < 3 || !cont(p[2]))
		return 1;
	if (w == 3) {
		*r = (u32)(c0 & 0x0F) << 12 | (u32)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
		return 3;
	}
	if (n < 4 || !cont(p[3]))
		return 1;
	*r = (u32)(c0 & 0x07) << 18 | (u32)(p[1] & 0x3F) << 12 | (u32)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
	return 4;
}

static inline u64 load64(const u8 *p) {
	u64 v;
	memcpy(&v, p, 8);
	return v;
}

bool utf8_valid(const u8 *p, u32 n) {
	u32 i = 0;
	while (i < n) {
		// Eight ASCII bytes at a time: most text is.
		if (n - i >= 8 && !(load64(p + i) & 0x8080808080808080ULL)) {
			i += 8;
			continue;
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		u32 r, w = utf8_decode(p + i, n - i, &r);
		if (w == 1)
			return false;
		i += w;
	}
	return true;
}

u32 utf8_count(const u8 *p, u32 n) {
	u32 count = 0;
	for (u32 i = 0; i < n; count++) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		u32 r;
		i += utf8_decode(p + i, n - i, &r);
	}
	return count;
}

u32 utf8_encode(u8 out[4], u32 r) {
	if (r < 0x80) {
		out[0] = (u8)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (u8)(0xC0 | r >> 6);
		out[1] = (u8)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = RUNE_ERROR;
	if (r < 0x10000) {
		out[0] = (u8)(0xE0 | r >> 12);
		out[1] = (u8)(0x80 | (r >> 6 & 0x3F));
		out[2] = (u8)(0x80 | (r & 0x3F));
		return 3;
	}
	out[0] = (u8)(0xF0 | r >> 18);
	out[1] = (u8)(0x80 | (r >> 12 & 0x3F));
	out[2] = (u8)(0x80 | (r >> 6 & 0x3F));
	out[3] = (u8)(0x80 | (r & 0x3F));
	return 4;
}

// ---- Quoting -----------------------------------------------------------------

bool rt_isprint(u32 r) {
	// Latin-1 as strconv.IsPrint tests it first.
	if (r <= 0xFF)
		return (r >= 0x20 && r <= 0x7E) || (r >= 0xA1 && r != 0xAD);
	// Otherwise r is printable when an odd number of boundaries are at or below
	// it. The index gives the last 64th boundary at or below r (an even one: it
	// starts a printable range); the walk decodes the boundaries after it.
	u32 k = 0;
	while (k + 1 < countof(print_index) && print_index[k + 1].bound <= r)
		k++;
	u32 bound = print_index[k].bound, i = print_index[k].next;
	bool in = true; // r is at or past boundary 64k: the first index entry is U+0020
	for (u32 b = k * 64 + 1; b < PRINT_BOUNDS; b++) {
		u32 d = 0, shift = 0;
		u8 c;
		do {
			c = print_table[i++];
			d |= (u32)(c & 0x7F) << shift;
			shift += 7;
		} while (c & 0x80);
		bound += d;
		if (bound > r)
			break;
		in = !in;
	}
	return in;
}

static void put_hex(buf *b, u32 v, int digits) {
	u8 *d = buf_room(b, (u32)digits);
	if (!d)
		return;
	for (int i = digits - 1; i >= 0; i--, v >>= 4)
		d[i] = (u8)lowerhex[v & 0xF];
	b->n += (u32)digits;
}

// escape appends r as strconv's appendEscapedRune does for %q: quote and backslash
// escaped, printable runes as they are, the rest as \a \b \f \n \r \t \v, \xHH,
// \uHHHH or \UHHHHHHHH.
static void escape(buf *b, u32 r, u8 quote) {
	if (r == quote || r == '\\') {
		u8 e[2] = {'\\', (u8)r};
		buf_put(b, e, 2);
		return;
	}
	if (rt_isprint(r)) {
		u8 e[4];
		buf_put(b, e, utf8_encode(e, r));
		return;
	}
	static const char ctl[] = "abtnvfr"; // \a (7) to \r (13)
	if (r >= 7 && r <= 13) {
		u8 e[2] = {'\\', (u8)ctl[r - 7]};
		buf_put(b, e, 2);
	} else if (r < ' ' || r == 0x7F) {
		buf_lit(b, "\\x");
		put_hex(b, r, 2);
	} else if (r < 0x10000 || r > 0x10FFFF) {
		buf_lit(b, "\\u");
		put_hex(b, r > 0x10FFFF ? RUNE_ERROR : r, 4);
	} else {
		buf_lit(b, "\\U");
		put_hex(b, r, 8);
	}
}

void buf_quote(buf *b, str s) {
	buf_byte(b, '"');
	u32 i = 0;
	while (i < s.n) {
		// A run of printable ASCII other than the quote and backslash goes at once.
		u32 j = i;
		while (j < s.n && s.p[j] >= 0x20 && s.p[j] < 0x7F && s.p[j] != '"' && s.p[j] != '\\')
			j++;
		buf_put(b, s.p + i, j - i);
		if ((i = j) >= s.n)
			break;
		u32 r, w = utf8_decode(s.p + i, s.n - i, &r);
		if (w == 1 && r == RUNE_ERROR) {
			buf_lit(b, "\\x");
			put_hex(b, s.p[i], 2);
		} else {
			escape(b, r, '"');
		}
		i += w;
	}
	buf_byte(b, '"');
}

void buf_quote_rune(buf *b, u32 r) {
	buf_byte(b, '\'');
	escape(b, r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF) ? RUNE_ERROR : r, '\'');
	buf_byte(b, '\'');
}

// ---- Suggestions -------------------------------------------------------------

// capped_distance is the edit distance between a and b (on bytes, as Suggest's
// editDistance computes it), or cap when it is cap or more. Only a band of cells
// within cap of the diagonal can hold less than cap, so the rows are of 2*cap+1
// cells, and a long name costs time linear in its length.
//
// Capping does not change what Suggest returns. It returns the best candidate only
// when its distance is at most limit = cap-1, and the first candidate of distance
// at most limit always becomes the best (every earlier one is over limit, capped
// or not), after which the capped and exact computations keep the same best.
#define BAND_MAX 3 // Suggest's limit is at most 3
static u32 capped_distance(str a, str b, u32 cap) {
	u32 la = a.n, lb = b.n;
	if ((la > lb ? la - lb : lb - la) >= cap)
		return cap;
	// row[k] is the cell (i, i-cap+k); cells outside the band hold cap.
	u32 w = 2 * cap + 1;
	u32 prev[2 * BAND_MAX + 3], cur[2 * BAND_MAX + 3];
	for (u32 k = 0; k < w; k++) {
		i32 j = (i32)k - (i32)cap; // row 0: distance j for j in 0..lb
		prev[k] = j >= 0 && (u32)j <= lb && (u32)j < cap ? (u32)j : cap;
	}
	for (u32 i = 1; i <= la; i++) {
		u32 best = cap;
		for (u32 k = 0; k < w; k++) {
			i32 j = (i32)i - (i32)cap + (i32)k;
			u32 v = cap;
			if (j == 0) {
				v = i < cap ? i : cap;
			} else if (j > 0 && (u32)j <= lb) {
				// prev[k+1] is (i-1, j), cur[k-1] is (i, j-1), prev[k] is (i-1, j-1).
				u32 up = k + 1 < w ? prev[k + 1] + 1 : cap;
				u32 left = k > 0 ? cur[k - 1] + 1 : cap;
				u32 diag = prev[k] + (a.p[i - 1] != b.p[j - 1]);
				v = up < left ? up : left;
				v = diag < v ? diag : v;
				v = v < cap ? v : cap;
			}
			cur[k] = v;
			best = v < best ? v : best;
		}
		if (best >= cap)
			return cap; // every path is already at the cap
		for (u32 k = 0; k < w; k++)
			prev[k] = cur[k];
	}
	// The cell (la, lb) is at k = lb - la + cap.
	return prev[lb + cap - la];
}

// within reports whether s's bytes appear in order in t: then, and only then, the edit
// distance of s and t is len(t) - len(s), which Suggest's rule for abbreviations asks.
static bool within(str s, str t) {
	u32 j = 0;
	for (u32 i = 0; i < t.n && j < s.n; i++)
		if (t.p[i] == s.p[j])
			j++;
	return j == s.n;
}

str rt_suggest(str name, const str *cands, u32 n) {
	u32 limit = name.n / 3;
	limit = limit < 1 ? 1 : limit > BAND_MAX ? BAND_MAX : limit;
	str best = {NULL, 0}, abbrev = {NULL, 0};
	u32 best_d = 0, abbrevs = 0;
	for (u32 i = 0; i < n; i++) {
		str c = cands[i];
		u32 d = capped_distance(name, c, limit + 1);
		// As Suggest: an empty best is replaced by any candidate.
		if (best.n == 0 || d < best_d) {
			best = c;
			best_d = d;
		}
		// An abbreviation (or a longer spelling): one name is the other with letters
		// added, both start alike, and the shorter has three letters or more.
		str lo = name.n < c.n ? name : c, hi = name.n < c.n ? c : name;
		if (lo.n >= 3 && hi.n > lo.n && name.p[0] == c.p[0] && within(lo, hi)) {
			abbrev = c;
			abbrevs++;
		}
	}
	if (best.n != 0 && best_d <= limit && !str_eq(best, name))
		return best;
	if (abbrevs == 1)
		return abbrev;
	return (str){NULL, 0};
}

void buf_did_you_mean(buf *b, str name, const str *cands, u32 n) {
	str s = rt_suggest(name, cands, n);
	if (s.n == 0)
		return;
	buf_lit(b, " (did you mean ");
	buf_quote(b, s);
	buf_lit(b, "?)");
}

// ---- Base64 ------------------------------------------------------------------

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static inline u32 b64val(u8 c) {
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return 64;
}

// base64_decode reads quanta of four characters, skipping line feeds and carriage
// returns anywhere, as Go's decoder does: a last quantum of two or three characters
// needs its padding ("==" or "="), after which only line breaks may follow. The
// unused bits of the last character need not be zero (StdEncoding is not strict).
bool base64_decode(buf *b, str s) {
	u32 q[4], j = 0, i = 0;
	while (i < s.n) {
		u8 c = s.p[i++];
		if (c == '\n' || c == '\r')
			continue;
		if (c == '=') {
			// Padding: after two characters "==", after three "=".
			if (j < 2)
				return false;
			if (j == 2) {
				while (i < s.n && (s.p[i] == '\n' || s.p[i] == '\r'))
					i++;
				if (i == s.n || s.p[i] != '=')
					return false;
				i++;
			}
			while (i < s.n && (s.p[i] == '\n' || s.p[i] == '\r'))
				i++;
			if (i < s.n)
				return false;
			u32 v = q[0] << 18 | q[1] << 12 | (j > 2 ? q[2] << 6 : 0);
			u8 out[2] = {(u8)(v >> 16), (u8)(v >> 8)};
			buf_put(b, out, j - 1);
			return true;
		}
		if ((q[j] = b64val(c)) == 64)
			return false;
		if (++j == 4) {
			u32 v = q[0] << 18 | q[1] << 12 | q[2] << 6 | q[3];
			u8 out[3] = {(u8)(v >> 16), (u8)(v >> 8), (u8)v};
			buf_put(b, out, 3);
			j = 0;
		}
	}
	return j == 0;
}

void buf_base64(buf *b, const u8 *p, u32 n) {
	u8 *d = buf_room(b, (n + 2) / 3 * 4);
	if (!d)
		return;
	u32 i = 0;
	for (; i + 3 <= n; i += 3, d += 4) {
		u32 v = (u32)p[i] << 16 | (u32)p[i + 1] << 8 | p[i + 2];
		d[0] = (u8)b64[v >> 18];
		d[1] = (u8)b64[v >> 12 & 63];
		d[2] = (u8)b64[v >> 6 & 63];
		d[3] = (u8)b64[v & 63];
	}
	if (i < n) {
		u32 v = (u32)p[i] << 16 | (i + 1 < n ? (u32)p[i + 1] << 8 : 0);
		d[0] = (u8)b64[v >> 18];
		d[1] = (u8)b64[v >> 12 & 63];
		d[2] = i + 1 < n ? (u8)b64[v >> 6 & 63] : '=';
		d[3] = '=';
	}
	b->n += (n + 2) / 3 * 4;
}
