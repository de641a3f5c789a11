// num.h: integers and doubles to and from text, exactly as the Go functions named.
#ifndef RT_NUM_H
#define RT_NUM_H

#include "mem.h"

// rt_parse_int is runtime.ParseInt: ERR_INT when s holds anything but digits and a
// leading '-', ERR_RANGE when it is empty, "-" or out of int64's range.
rt_err rt_parse_int(str s, i64 *out);
// rt_parse_uint is runtime.ParseUint: ERR_UINT for anything but digits, ERR_RANGE
// when empty or over uint64's range.
rt_err rt_parse_uint(str s, u64 *out);
// rt_parse_double is runtime.ParseDouble, strconv.ParseFloat(s, 64): the correctly
// rounded double (decimal or hexadecimal, "inf", "infinity" and "nan" in any case,
// underscores between digits); ERR_DOUBLE for anything ParseFloat refuses, which
// for a JSON number is only overflow. Underflow gives zero or a subnormal, no error.
rt_err rt_parse_double(str s, double *out);

// buf_i64 and buf_u64 append decimal integers (strconv.AppendInt, AppendUint).
void buf_i64(buf *b, i64 v);
void buf_u64(buf *b, u64 v);
// buf_double appends strconv.FormatFloat(f, 'g', -1, 64): the shortest decimal
// that reads back as f; "NaN", "+Inf", "-Inf".
void buf_double(buf *b, double f);

#endif
