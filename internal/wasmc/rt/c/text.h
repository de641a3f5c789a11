// text.h: UTF-8, Go's quoting, "did you mean" and base64, each byte for byte as
// the Go function it names.
#ifndef RT_TEXT_H
#define RT_TEXT_H

#include "mem.h"

#define RUNE_ERROR 0xFFFDu

// utf8_decode decodes the rune at the start of p[0:n] (n > 0) as Go's
// utf8.DecodeRune does: an invalid or incomplete sequence is RUNE_ERROR of width 1.
// It returns the width and sets *r.
u32 utf8_decode(const u8 *p, u32 n, u32 *r);
// utf8_valid is Go's utf8.Valid.
bool utf8_valid(const u8 *p, u32 n);
// utf8_count is Go's utf8.RuneCount: each invalid byte counts as one rune.
u32 utf8_count(const u8 *p, u32 n);
// utf8_encode writes r as Go's utf8.AppendRune does (a surrogate or a value past
// U+10FFFF becomes U+FFFD) and returns the number of bytes, 1 to 4.
u32 utf8_encode(u8 out[4], u32 r);

// rt_isprint is Go's strconv.IsPrint.
bool rt_isprint(u32 r);
// buf_quote appends s quoted as Go's strconv.Quote (and %q) does.
void buf_quote(buf *b, str s);
// buf_quote_rune appends r quoted as Go's strconv.QuoteRune does.
void buf_quote_rune(buf *b, u32 r);

// rt_suggest is runtime.Suggest: the candidate closest to name by edit distance,
// or {NULL, 0} when none is close enough to be a likely misspelling. It needs no
// memory: the distance is computed in a band of width 7 on the stack, which is
// exact for the decision Suggest makes (see text.c).
str rt_suggest(str name, const str *cands, u32 n);
// buf_did_you_mean appends runtime.DidYouMean: ` (did you mean "x"?)` or nothing.
void buf_did_you_mean(buf *b, str name, const str *cands, u32 n);

// base64_decode appends the bytes of s, standard base64 with padding, as Go's
// base64.StdEncoding.DecodeString reads it (line feeds and carriage returns are
// ignored); false (ERR_BYTES) when s is not valid, and b then holds a prefix.
bool base64_decode(buf *b, str s);
// buf_base64 appends p[0:n] in standard base64 with padding.
void buf_base64(buf *b, const u8 *p, u32 n);

#endif
