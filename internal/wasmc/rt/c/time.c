// time.c: timestamps and durations (time.h).
#include "time.h"
#include "num.h"

static inline bool is_digit(str s, u32 i) { return i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; }
static inline i32 num2(str s, u32 i) { return (s.p[i] - '0') * 10 + (s.p[i + 1] - '0'); }

static i32 days_in(i32 month, i32 year) {
	if (month == 2)
		return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
	return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

// days_from_civil is the number of days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (Howard Hinnant's algorithm), for any year.
static i64 days_from_civil(i64 y, i32 m, i32 d) {
	y -= m <= 2;
	i64 era = (y >= 0 ? y : y - 399) / 400;
	i64 yoe = y - era * 400;
	i64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	i64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

// civil_from_days is its inverse.
static void civil_from_days(i64 z, i64 *y, i32 *m, i32 *d) {
	z += 719468;
	i64 era = (z >= 0 ? z : z - 146096) / 146097;
	i64 doe = z - era * 146097;
	i64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	i64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	i64 mp = (5 * doy + 2) / 153;
	*d = (i32)(doy - (153 * mp + 2) / 5 + 1);
	*m = (i32)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

// parse_rfc3339 is runtime/rfc3339.go's parseRFC3339: what time.Parse(time.RFC3339,
// s) accepts, which is what Go's general layout parser accepts (a one-digit hour, a
// comma before the fraction, zone offsets up to +24:60).
static bool parse_rfc3339(str s, rt_time *t) {
	if (s.n < 11 || !is_digit(s, 0) || !is_digit(s, 1) || !is_digit(s, 2) || !is_digit(s, 3) ||
	    s.p[4] != '-' || !is_digit(s, 5) || !is_digit(s, 6) || s.p[7] != '-' || !is_digit(s, 8) ||
	    !is_digit(s, 9) || s.p[10] != 'T')
		return false;
	i32 year = num2(s, 0) * 100 + num2(s, 2), month = num2(s, 5), day = num2(s, 8);
	if (month < 1 || month > 12)
		return false;
	u32 i = 11;
	if (!is_digit(s, i))
		return false;
	i32 hour = s.p[i++] - '0';
	if (is_digit(s, i))
		hour = hour * 10 + (s.p[i++] - '0');
	if (hour > 23 || s.n < i + 6 || s.p[i] != ':' || !is_digit(s, i + 1) || !is_digit(s, i + 2) ||
	    s.p[i + 3] != ':' || !is_digit(s, i + 4) || !is_digit(s, i + 5))
		return false;
	i32 min = num2(s, i + 1), sec = num2(s, i + 4);
	if (min > 59 || sec > 59)
		return false;
	i += 6;
	// A fraction: '.' or ',', then digits, of which nine count.
	i32 nsec = 0;
	if (i + 1 < s.n && (s.p[i] == '.' || s.p[i] == ',') && is_digit(s, i + 1)) {
		i32 n = 0;
		for (i++; is_digit(s, i); i++) {
			if (n < 9) {
				nsec = nsec * 10 + (s.p[i] - '0');
				n++;
			}
		}
		for (; n < 9; n++)
			nsec *= 10;
	}
	// The zone: "Z", or a sign, two digits, ':', two digits.
	i32 offset = 0;
	u32 rest = s.n - i;
	if (rest == 1 && s.p[i] == 'Z') {
	} else if (rest == 6 && (s.p[i] == '+' || s.p[i] == '-') && is_digit(s, i + 1) && is_digit(s, i + 2) &&
	           s.p[i + 3] == ':' && is_digit(s, i + 4) && is_digit(s, i + 5)) {
		i32 hh = num2(s, i + 1), mm = num2(s, i + 4);
		if (hh > 24 || mm > 60)
			return false;
		offset = (hh * 60 + mm) * 60;
		if (s.p[i] == '-')
			offset = -offset;
	} else {
		return false;
	}
	if (day < 1 || day > days_in(month, year))
		return false;
	t->sec = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec - offset;
	t->nsec = nsec;
	return true;
}

rt_err rt_parse_timestamp(str s, rt_time *t) {
	if (!parse_rfc3339(s, t))
		return ERR_TIMESTAMP;
	if (t->sec < MIN_UNIX_TIME || t->sec > MAX_UNIX_TIME)
		return ERR_TS_RANGE;
	return ERR_NONE;
}

// put_int appends v zero-padded to width digits, with a '-' before a negative
// value, as the time package's appendInt.
static void put_int(buf *b, i64 v, u32 width) {
	u64 u = (u64)v;
	if (v < 0) {
		buf_byte(b, '-');
		u = 0 - u;
	}
	u32 digits = 1;
	for (u64 t = u; t >= 10; t /= 10)
		digits++;
	for (; digits < width; digits++)
		buf_byte(b, '0');
	buf_u64(b, u);
}

void buf_timestamp(buf *b, rt_time t) {
	// Floor division: a second before the epoch is day -1.
	i64 days = t.sec / 86400, secs = t.sec % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	i64 y;
	i32 m, d;
	civil_from_days(days, &y, &m, &d);
	put_int(b, y, 4);
	buf_byte(b, '-');
	put_int(b, m, 2);
	buf_byte(b, '-');
	put_int(b, d, 2);
	buf_byte(b, 'T');
	put_int(b, secs / 3600, 2);
	buf_byte(b, ':');
	put_int(b, secs / 60 % 60, 2);
	buf_byte(b, ':');
	put_int(b, secs % 60, 2);
	if (t.nsec > 0) {
		// Nine digits, trailing zeros trimmed (RFC3339Nano's .999999999).
		u8 frac[10] = {'.'};
		u32 v = (u32)t.nsec, n = 10;
		for (u32 k = 9; k >= 1; k--, v /= 10)
			frac[k] = (u8)('0' + v % 10);
		while (frac[n - 1] == '0')
			n--;
		buf_put(b, frac, n);
	}
	buf_byte(b, 'Z');
}

// ---- Durations (Go's time.ParseDuration and Duration.String) -----------------

#define NS 1ULL
#define US (1000 * NS)
#define MS (1000 * US)
#define SEC (1000 * MS)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define B63 (1ULL << 63)

static u64 unit_of(str u) {
	static const struct {
		char name[4];
		u8 n;
		u64 ns;
	} units[] = {
		{"ns", 2, NS}, {"us", 2, US}, {"\xc2\xb5s", 3, US}, {"\xce\xbcs", 3, US},
		{"ms", 2, MS}, {"s", 1, SEC}, {"m", 1, MIN},        {"h", 1, HOUR},
	};
	for (u32 i = 0; i < countof(units); i++)
		if (u.n == units[i].n && memcmp(u.p, units[i].name, u.n) == 0)
			return units[i].ns;
	return 0;
}

rt_err rt_parse_duration(str s, i64 *ns) {
	u64 d = 0;
	bool neg = false;
	u32 i = 0;
	if (s.n > 0 && (s.p[0] == '-' || s.p[0] == '+')) {
		neg = s.p[0] == '-';
		i = 1;
	}
	if (s.n - i == 1 && s.p[i] == '0') {
		*ns = 0;
		return ERR_NONE;
	}
	if (i == s.n)
		return ERR_DURATION;
	while (i < s.n) {
		u8 c = s.p[i];
		if (!(c == '.' || (c >= '0' && c <= '9')))
			return ERR_DURATION;
		// The integer part (leadingInt): an error past 1<<63.
		u64 v = 0, f = 0;
		double scale = 1;
		u32 start = i;
		for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++) {
			if (v > B63 / 10)
				return ERR_DURATION;
			v = v * 10 + (s.p[i] - '0');
			if (v > B63)
				return ERR_DURATION;
		}
		bool pre = i != start, post = false;
		// The fraction (leadingFraction): digits past what fits are ignored.
		if (i < s.n && s.p[i] == '.') {
			i++;
			u32 fstart = i;
			bool overflow = false;
			for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++) {
				if (overflow)
					continue;
				if (f > (B63 - 1) / 10) {
					overflow = true;
					continue;
				}
				u64 y = f * 10 + (s.p[i] - '0');
				if (y > B63) {
					overflow = true;
					continue;
				}
				f = y;
				scale *= 10;
			}
			post = i != fstart;
		}
		if (!pre && !post)
			return ERR_DURATION;
		u32 ustart = i;
		while (i < s.n && s.p[i] != '.' && !(s.p[i] >= '0' && s.p[i] <= '9'))
			i++;
		if (i == ustart)
			return ERR_DURATION; // missing unit
		u64 unit = unit_of(str_of(s.p + ustart, i - ustart));
		if (!unit)
			return ERR_DURATION; // unknown unit
		if (v > B63 / unit)
			return ERR_DURATION;
		v *= unit;
		if (f > 0) {
			// As Go: float64 keeps fractions of hours nanosecond-exact.
			v += (u64)((double)f * ((double)unit / scale));
			if (v > B63)
				return ERR_DURATION;
		}
		d += v; // wraps as Go's uint64 does
		if (d > B63)
			return ERR_DURATION;
	}
	if (neg) {
		*ns = (i64)(0 - d);
		return ERR_NONE;
	}
	if (d > B63 - 1)
		return ERR_DURATION;
	*ns = (i64)d;
	return ERR_NONE;
}

// frac writes the fraction of v/10^prec into the end of buf, trailing zeros (and
// the point, when all are) left out, as Go's fmtFrac.
static u32 frac(u8 *buf, u32 w, u64 *v, u32 prec) {
	bool print = false;
	for (u32 i = 0; i < prec; i++) {
		u64 digit = *v % 10;
		print = print || digit != 0;
		if (print)
			buf[--w] = (u8)(digit + '0');
		*v /= 10;
	}
	if (print)
		buf[--w] = '.';
	return w;
}

static u32 fmt_int(u8 *buf, u32 w, u64 v) {
	do {
		buf[--w] = (u8)(v % 10 + '0');
		v /= 10;
	} while (v);
	return w;
}

void buf_duration(buf *b, i64 ns) {
	u8 tmp[32];
	u32 w = sizeof tmp;
	u64 u = (u64)ns;
	bool neg = ns < 0;
	if (neg)
		u = 0 - u;
	if (u < SEC) {
		// Under a second: smaller units, as 1.2ms.
		u32 prec = 0;
		tmp[--w] = 's';
		if (u == 0) {
			buf_lit(b, "0s");
			return;
		} else if (u < US) {
			tmp[--w] = 'n';
		} else if (u < MS) {
			prec = 3;
			tmp[--w] = 0xB5; // U+00B5, the micro sign
			tmp[--w] = 0xC2;
		} else {
			prec = 6;
			tmp[--w] = 'm';
		}
		w = frac(tmp, w, &u, prec);
		w = fmt_int(tmp, w, u);
	} else {
		tmp[--w] = 's';
		w = frac(tmp, w, &u, 9);
		w = fmt_int(tmp, w, u % 60);
		u /= 60;
		if (u > 0) {
			tmp[--w] = 'm';
			w = fmt_int(tmp, w, u % 60);
			u /= 60;
			if (u > 0) {
				tmp[--w] = 'h';
				w = fmt_int(tmp, w, u);
			}
		}
	}
	if (neg)
		tmp[--w] = '-';
	buf_put(b, tmp + w, sizeof tmp - w);
}
