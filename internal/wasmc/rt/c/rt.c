// rt.c: the C library functions the compiler may call, assertions and the
// messages of rt_err.
#define RT_LIBC // the functions themselves, not the macros of rt.h
#include "state.h"

// Spans up to BULK bytes are moved a word at a time (see rt.h), longer ones by
// memory.copy and memory.fill.
#define BULK 256

static inline u64 word(const u8 *p) {
	u64 w;
	__builtin_memcpy(&w, p, 8);
	return w;
}

void *memcpy(void *restrict dst, const void *restrict src, usize n) {
	return memmove(dst, src, n);
}

void *memmove(void *dst, const void *src, usize n) {
	u8 *d = dst;
	const u8 *s = src;
	if (n > BULK) {
		__builtin_memmove(dst, src, n);
	} else if (d <= s || d >= s + n) {
		// Forwards, the last word overlapping the one before.
		if (n >= 8) {
			u64 last = word(s + n - 8);
			for (usize i = 0; i + 8 < n; i += 8)
				__builtin_memcpy(d + i, s + i, 8);
			__builtin_memcpy(d + n - 8, &last, 8);
		} else {
			for (usize i = 0; i < n; i++)
				d[i] = s[i];
		}
	} else {
		while (n--) // backwards, byte by byte: rare (map_put's shifts)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, usize n) {
	u8 *d = dst;
	if (n > BULK) {
		__builtin_memset(dst, c, n);
	} else if (n >= 8) {
		u64 w = 0x0101010101010101ULL * (u8)c;
		for (usize i = 0; i + 8 < n; i += 8)
			__builtin_memcpy(d + i, &w, 8);
		__builtin_memcpy(d + n - 8, &w, 8);
	} else {
		for (usize i = 0; i < n; i++)
			d[i] = (u8)c;
	}
	return dst;
}

int memcmp(const void *a, const void *b, usize n) {
	const u8 *x = a, *y = b;
	for (usize i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

usize strlen(const char *s) {
	usize n = 0;
	while (s[n])
		n++;
	return n;
}

// __multi3 is compiler-rt's 128-bit multiplication, which clang calls for a 64-bit
// multiplication with overflow check: LLVM turns the bound checks of cel_mul_int
// (x > INT64_MAX / y, ...) into one. Built from 32-bit halves: the low 128 bits
// of a product are the same signed or unsigned.
typedef unsigned __int128 u128;
u128 __multi3(u128 a, u128 b);
u128 __multi3(u128 a, u128 b) {
	u64 al = (u64)a, ah = (u64)(a >> 64), bl = (u64)b, bh = (u64)(b >> 64);
	u64 a0 = (u32)al, a1 = al >> 32, b0 = (u32)bl, b1 = bl >> 32;
	u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	u64 mid = (p00 >> 32) + (u32)p01 + (u32)p10;
	u64 lo = mid << 32 | (u32)p00;
	u64 hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32) + al * bh + ah * bl;
	return (u128)hi << 64 | lo;
}

bool rt_bug(const char *what) {
	if (!rt.bug)
		rt.bug = what;
	return false;
}

str rt_err_msg(rt_err e) {
	static const char *const msgs[] = {
		[ERR_NONE] = "",
		[ERR_INT] = "want an integer",
		[ERR_UINT] = "want a non-negative integer",
		[ERR_RANGE] = "integer out of range",
		[ERR_DOUBLE] = "number out of range",
		[ERR_TIMESTAMP] = "want an RFC 3339 timestamp such as \"2026-11-22T10:00:00Z\"",
		[ERR_TS_RANGE] = "timestamp out of range (years 1 to 9999)",
		[ERR_DURATION] = "want a duration such as \"90s\" or \"1h30m\"",
		[ERR_BYTES] = "want base64 (standard alphabet, padded)",
		[ERR_BAD_IP] = "inIPAddrRange: malformed IP address",
		[ERR_BAD_CIDR] = "inIPAddrRange: malformed CIDR range",
	};
	if ((u32)e >= countof(msgs))
		return S("evaluation error");
	return str_of(msgs[e], (u32)__builtin_strlen(msgs[e]));
}
