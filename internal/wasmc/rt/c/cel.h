// cel.h: CEL's arithmetic, as runtime/cel.go implements it for generated Go: every
// operation that can overflow, divide by zero or leave the timestamp range returns
// an error code instead of a result, and none traps (Wasm traps on an integer
// division by zero and on INT64_MIN / -1).
#ifndef RT_CEL_H
#define RT_CEL_H

#include "time.h"

// The evaluation errors, numbered and worded as runtime.Err.
typedef enum cel_err {
	CEL_OK,
	CEL_INT_OVERFLOW,       // integer overflow
	CEL_UINT_OVERFLOW,      // unsigned integer overflow
	CEL_DIVISION_BY_ZERO,   // division by zero
	CEL_MODULUS_BY_ZERO,    // modulus by zero
	CEL_INDEX_OUT_OF_BOUNDS, // index out of bounds
	CEL_NO_SUCH_KEY,        // no such key
	CEL_TIMESTAMP_OVERFLOW, // timestamp overflow
	CEL_BAD_IP_ADDRESS,     // inIPAddrRange: malformed IP address
	CEL_BAD_CIDR,           // inIPAddrRange: malformed CIDR range
	CEL_BAD_TIMESTAMP,      // invalid timestamp
	CEL_BAD_DURATION,       // invalid duration
	CEL_NOT_APPLICABLE,     // expression does not apply to this resource type
} cel_err;

// cel_err_msg is runtime.Err.Message: the text of an error ("evaluation error" for
// a code it does not know).
str cel_err_msg(u32 e);

cel_err cel_add_int(i64 x, i64 y, i64 *out);
cel_err cel_sub_int(i64 x, i64 y, i64 *out);
cel_err cel_neg_int(i64 x, i64 *out);
cel_err cel_mul_int(i64 x, i64 y, i64 *out);
cel_err cel_div_int(i64 x, i64 y, i64 *out); // truncated
cel_err cel_mod_int(i64 x, i64 y, i64 *out); // truncated, the sign of x
cel_err cel_add_uint(u64 x, u64 y, u64 *out);
cel_err cel_sub_uint(u64 x, u64 y, u64 *out);
cel_err cel_mul_uint(u64 x, u64 y, u64 *out);
cel_err cel_div_uint(u64 x, u64 y, u64 *out);
cel_err cel_mod_uint(u64 x, u64 y, u64 *out);

// Durations are int64 nanoseconds: their + and - are cel_add_int and cel_sub_int.

// cel_add_time is timestamp + duration as cel-go computes it: CEL_INT_OVERFLOW, or
// CEL_TIMESTAMP_OVERFLOW when the result leaves years 1 to 9999.
cel_err cel_add_time(rt_time x, i64 d, rt_time *out);
// cel_sub_time_duration is timestamp - duration.
cel_err cel_sub_time_duration(rt_time x, i64 d, rt_time *out);
// cel_sub_time is timestamp - timestamp, a duration: CEL_INT_OVERFLOW when it does
// not fit.
cel_err cel_sub_time(rt_time x, rt_time y, i64 *out);

// cel_in_ip_range is rt_in_ip_range with its errors as cel_err
// (runtime.InIPAddrRangeErr).
cel_err cel_in_ip_range(str addr, str cidr, bool *in);

#endif
