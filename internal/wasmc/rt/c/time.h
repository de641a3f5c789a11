// time.h: timestamps and durations, read and written as Go's runtime and time
// packages do.
#ifndef RT_TIME_H
#define RT_TIME_H

#include "mem.h"

// A timestamp: seconds since 1970-01-01T00:00:00Z and nanoseconds (0 to
// 999,999,999) after them, in UTC.
typedef struct rt_time {
	i64 sec;
	i32 nsec;
} rt_time;

// CEL's range, years 1 through 9999, in Unix seconds.
#define MIN_UNIX_TIME (-62135596800LL)
#define MAX_UNIX_TIME 253402300799LL

// rt_parse_timestamp is runtime.ParseTimestamp: RFC 3339 as Go's time.Parse reads
// it (runtime/rfc3339.go), then ERR_TS_RANGE outside years 1 to 9999.
rt_err rt_parse_timestamp(str s, rt_time *t);
// buf_timestamp appends t as Go's t.UTC().Format(time.RFC3339Nano).
void buf_timestamp(buf *b, rt_time t);

// rt_parse_duration is runtime.ParseDuration, Go's time.ParseDuration: signed
// decimal numbers with fractions and units ns, us, µs, μs, ms, s, m, h; ERR_DURATION
// for anything it refuses, overflow included.
rt_err rt_parse_duration(str s, i64 *ns);
// buf_duration appends Go's time.Duration(ns).String(): "1h2m3.5s", "1.5ms", "0s".
void buf_duration(buf *b, i64 ns);

#endif
