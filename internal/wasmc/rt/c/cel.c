// cel.c: CEL arithmetic (cel.h), a port of runtime/cel.go.
#include "cel.h"
#include "ip.h"

str cel_err_msg(u32 e) {
	static const char *const msgs[] = {
		[CEL_OK] = "",
		[CEL_INT_OVERFLOW] = "integer overflow",
		[CEL_UINT_OVERFLOW] = "unsigned integer overflow",
		[CEL_DIVISION_BY_ZERO] = "division by zero",
		[CEL_MODULUS_BY_ZERO] = "modulus by zero",
		[CEL_INDEX_OUT_OF_BOUNDS] = "index out of bounds",
		[CEL_NO_SUCH_KEY] = "no such key",
		[CEL_TIMESTAMP_OVERFLOW] = "timestamp overflow",
		[CEL_BAD_IP_ADDRESS] = "inIPAddrRange: malformed IP address",
		[CEL_BAD_CIDR] = "inIPAddrRange: malformed CIDR range",
		[CEL_BAD_TIMESTAMP] = "invalid timestamp",
		[CEL_BAD_DURATION] = "invalid duration",
		[CEL_NOT_APPLICABLE] = "expression does not apply to this resource type",
	};
	if (e >= countof(msgs))
		return S("evaluation error");
	return str_of(msgs[e], (u32)strlen(msgs[e]));
}

// Sums and differences: the builtins compute in two's complement and report the
// overflow, which is what runtime/cel.go's bound checks decide. Products check
// the bounds as Go does: the builtin would need a 128-bit multiplication, which
// wasm32 has not (it calls compiler-rt's __multi3).
cel_err cel_add_int(i64 x, i64 y, i64 *out) { return __builtin_add_overflow(x, y, out) ? CEL_INT_OVERFLOW : CEL_OK; }
cel_err cel_sub_int(i64 x, i64 y, i64 *out) { return __builtin_sub_overflow(x, y, out) ? CEL_INT_OVERFLOW : CEL_OK; }
cel_err cel_add_uint(u64 x, u64 y, u64 *out) { return __builtin_add_overflow(x, y, out) ? CEL_UINT_OVERFLOW : CEL_OK; }
cel_err cel_sub_uint(u64 x, u64 y, u64 *out) { return __builtin_sub_overflow(x, y, out) ? CEL_UINT_OVERFLOW : CEL_OK; }

cel_err cel_mul_int(i64 x, i64 y, i64 *out) {
	// Every division here has a divisor of the right sign and never -1 with
	// INT64_MIN, so none traps.
	if ((x == -1 && y == INT64_MIN) || (y == -1 && x == INT64_MIN) || (x > 0 && y > 0 && x > INT64_MAX / y) ||
	    (x > 0 && y < 0 && y < INT64_MIN / x) || (x < 0 && y > 0 && x < INT64_MIN / y) ||
	    (x < 0 && y < 0 && y < INT64_MAX / x))
		return CEL_INT_OVERFLOW;
	*out = (i64)((u64)x * (u64)y);
	return CEL_OK;
}

cel_err cel_mul_uint(u64 x, u64 y, u64 *out) {
	if (y != 0 && x > UINT64_MAX / y)
		return CEL_UINT_OVERFLOW;
	*out = x * y;
	return CEL_OK;
}

cel_err cel_neg_int(i64 x, i64 *out) {
	if (x == INT64_MIN)
		return CEL_INT_OVERFLOW;
	*out = -x;
	return CEL_OK;
}

// Wasm's i64.div_s and i64.rem_s trap on a zero divisor and on INT64_MIN / -1:
// both are answered before dividing.
cel_err cel_div_int(i64 x, i64 y, i64 *out) {
	if (y == 0)
		return CEL_DIVISION_BY_ZERO;
	if (x == INT64_MIN && y == -1)
		return CEL_INT_OVERFLOW;
	*out = x / y;
	return CEL_OK;
}

cel_err cel_mod_int(i64 x, i64 y, i64 *out) {
	if (y == 0)
		return CEL_MODULUS_BY_ZERO;
	if (x == INT64_MIN && y == -1)
		return CEL_INT_OVERFLOW;
	*out = x % y;
	return CEL_OK;
}

cel_err cel_div_uint(u64 x, u64 y, u64 *out) {
	if (y == 0)
		return CEL_DIVISION_BY_ZERO;
	*out = x / y;
	return CEL_OK;
}

cel_err cel_mod_uint(u64 x, u64 y, u64 *out) {
	if (y == 0)
		return CEL_MODULUS_BY_ZERO;
	*out = x % y;
	return CEL_OK;
}

#define NANOS 1000000000LL

cel_err cel_add_time(rt_time x, i64 d, rt_time *out) {
	i64 sec, nsec = (i64)x.nsec + d % NANOS;
	cel_err e = cel_add_int(x.sec, d / NANOS, &sec);
	if (e)
		return e;
	if (nsec < 0 || nsec >= NANOS) {
		if ((e = cel_add_int(sec, nsec / NANOS, &sec)))
			return e;
		nsec -= nsec / NANOS * NANOS;
		if (nsec < 0) {
			if ((e = cel_add_int(sec, -1, &sec)))
				return e;
			nsec += NANOS;
		}
	}
	if (sec < MIN_UNIX_TIME || sec > MAX_UNIX_TIME)
		return CEL_TIMESTAMP_OVERFLOW;
	*out = (rt_time){sec, (i32)nsec};
	return CEL_OK;
}

cel_err cel_sub_time_duration(rt_time x, i64 d, rt_time *out) {
	i64 n;
	cel_err e = cel_neg_int(d, &n);
	return e ? e : cel_add_time(x, n, out);
}

cel_err cel_sub_time(rt_time x, rt_time y, i64 *out) {
	i64 sec, tsec;
	cel_err e = cel_sub_int(x.sec, y.sec, &sec);
	if (!e)
		e = cel_mul_int(sec, NANOS, &tsec);
	if (!e)
		e = cel_add_int(tsec, (i64)x.nsec - y.nsec, out);
	return e;
}

cel_err cel_in_ip_range(str addr, str cidr, bool *in) {
	switch (rt_in_ip_range(addr, cidr, in)) {
	case ERR_NONE:
		return CEL_OK;
	case ERR_BAD_IP:
		return CEL_BAD_IP_ADDRESS;
	default:
		return CEL_BAD_CIDR;
	}
}
