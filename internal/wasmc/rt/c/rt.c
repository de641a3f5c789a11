// rt.c: the C library functions the compiler may call, assertions and the
// messages of rt_err.
#include "state.h"

void *memcpy(void *restrict dst, const void *restrict src, usize n) {
	__builtin_memcpy(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, usize n) {
	__builtin_memmove(dst, src, n);
	return dst;
}

void *memset(void *dst, int c, usize n) {
	__builtin_memset(dst, c, n);
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
