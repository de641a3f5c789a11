// num.c: integer and double conversions (num.h), ported from Go's strconv.
//
// Doubles are read and written with Go's multiprecision decimal (strconv's
// decimal.go), which is exact: reading takes the fast path of exact float
// arithmetic when the digits allow it, as Go does, and otherwise the decimal;
// Go's Eisel-Lemire step in between only saves time (it gives up whenever it
// might round differently), and its table would cost the module 11 KB. Writing
// uses the decimal's shortest rounding (Go's bigFtoa and roundShortest), which Go
// tests to give the same digits as its faster algorithm.
#include "num.h"

// ---- Integers ----------------------------------------------------------------

static inline bool digit(u8 c) { return c >= '0' && c <= '9'; }

// digits reads s as a decimal uint64; false when empty or over UINT64_MAX.
static bool digits(str s, u64 *out) {
	u64 v = 0;
	if (s.n == 0)
		return false;
	for (u32 i = 0; i < s.n; i++) {
		u64 d = s.p[i] - '0';
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

rt_err rt_parse_int(str s, i64 *out) {
	for (u32 i = 0; i < s.n; i++)
		if (!digit(s.p[i]) && !(s.p[i] == '-' && i == 0))
			return ERR_INT;
	bool neg = s.n > 0 && s.p[0] == '-';
	u64 v;
	if (!digits(neg ? str_of(s.p + 1, s.n - 1) : s, &v) || v > (u64)INT64_MAX + neg)
		return ERR_RANGE;
	*out = neg ? (i64)(0 - v) : (i64)v;
	return ERR_NONE;
}

rt_err rt_parse_uint(str s, u64 *out) {
	for (u32 i = 0; i < s.n; i++)
		if (!digit(s.p[i]))
			return ERR_UINT;
	return digits(s, out) ? ERR_NONE : ERR_RANGE;
}

void buf_u64(buf *b, u64 v) {
	u8 tmp[20];
	u32 i = sizeof tmp;
	do {
		tmp[--i] = (u8)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_put(b, tmp + i, sizeof tmp - i);
}

void buf_i64(buf *b, i64 v) {
	if (v < 0) {
		buf_byte(b, '-');
		buf_u64(b, 0 - (u64)v);
		return;
	}
	buf_u64(b, (u64)v);
}

// ---- The multiprecision decimal (strconv's decimal.go) -------------------------

#define DEC_DIGITS 800
#define MAX_SHIFT 60 // 9<<60 fits in a uint64

typedef struct decimal {
	u8 d[DEC_DIGITS + 20]; // digits; the 20 more let left_shift write ahead
	i32 nd;                // digits in use
	i32 dp;                // decimal point
	bool neg;
	bool trunc; // nonzero digits were dropped after d[:nd]
} decimal;

static void trim(decimal *a) {
	while (a->nd > 0 && a->d[a->nd - 1] == '0')
		a->nd--;
	if (a->nd == 0)
		a->dp = 0;
}

static void assign(decimal *a, u64 v) {
	u8 tmp[24];
	i32 n = 0;
	for (; v > 0; v /= 10)
		tmp[n++] = (u8)('0' + v % 10);
	a->nd = 0;
	while (n > 0)
		a->d[a->nd++] = tmp[--n];
	a->dp = a->nd;
	trim(a);
}

static void right_shift(decimal *a, u32 k) {
	i32 r = 0, w = 0;
	u64 n = 0;
	// Pick up enough leading digits to cover the first shift.
	for (; n >> k == 0; r++) {
		if (r >= a->nd) {
			if (n == 0) {
				a->nd = 0;
				return;
			}
			while (n >> k == 0) {
				n *= 10;
				r++;
			}
			break;
		}
		n = n * 10 + (u64)(a->d[r] - '0');
	}
	a->dp -= r - 1;
	u64 mask = ((u64)1 << k) - 1;
	for (; r < a->nd; r++) {
		u64 c = a->d[r];
		u64 dig = n >> k;
		n &= mask;
		a->d[w++] = (u8)(dig + '0');
		n = n * 10 + c - '0';
	}
	while (n > 0) {
		u64 dig = n >> k;
		n &= mask;
		if (w < DEC_DIGITS)
			a->d[w++] = (u8)(dig + '0');
		else if (dig > 0)
			a->trunc = true;
		n *= 10;
	}
	a->nd = w;
	trim(a);
}

// left_shift multiplies by 2^k. Go's version knows the number of new digits from a
// table of powers of five; this one writes the product from the right at the
// furthest it can reach (a 60-bit shift adds at most 19 digits) and then moves it
// to the front, which needs no table. Digits past DEC_DIGITS are dropped as in Go.
static void left_shift(decimal *a, u32 k) {
	i32 w = a->nd + 19;
	u64 n = 0;
	for (i32 r = a->nd - 1; r >= 0; r--) {
		n += (u64)(a->d[r] - '0') << k;
		u64 q = n / 10;
		a->d[--w] = (u8)(n - 10 * q + '0');
		n = q;
	}
	while (n > 0) {
		u64 q = n / 10;
		a->d[--w] = (u8)(n - 10 * q + '0');
		n = q;
	}
	i32 len = a->nd + 19 - w;
	a->dp += len - a->nd;
	if (len > DEC_DIGITS) {
		for (i32 i = w + DEC_DIGITS; i < w + len; i++)
			if (a->d[i] != '0')
				a->trunc = true;
		len = DEC_DIGITS;
	}
	memmove(a->d, a->d + w, (usize)len);
	a->nd = len;
	trim(a);
}

static void shift(decimal *a, i32 k) {
	if (a->nd == 0)
		return;
	if (k > 0) {
		for (; k > MAX_SHIFT; k -= MAX_SHIFT)
			left_shift(a, MAX_SHIFT);
		left_shift(a, (u32)k);
	} else if (k < 0) {
		for (; k < -MAX_SHIFT; k += MAX_SHIFT)
			right_shift(a, MAX_SHIFT);
		right_shift(a, (u32)-k);
	}
}

static bool should_round_up(const decimal *a, i32 nd) {
	if (nd < 0 || nd >= a->nd)
		return false;
	if (a->d[nd] == '5' && nd + 1 == a->nd) { // exactly halfway: round to even
		if (a->trunc)
			return true;
		return nd > 0 && (a->d[nd - 1] - '0') % 2 != 0;
	}
	return a->d[nd] >= '5';
}

static void round_down(decimal *a, i32 nd) {
	if (nd < 0 || nd >= a->nd)
		return;
	a->nd = nd;
	trim(a);
}

static void round_up(decimal *a, i32 nd) {
	if (nd < 0 || nd >= a->nd)
		return;
	for (i32 i = nd - 1; i >= 0; i--) {
		if (a->d[i] < '9') {
			a->d[i]++;
			a->nd = i + 1;
			return;
		}
	}
	a->d[0] = '1'; // all nines
	a->nd = 1;
	a->dp++;
}

static void round_nearest(decimal *a, i32 nd) {
	if (nd < 0 || nd >= a->nd)
		return;
	if (should_round_up(a, nd))
		round_up(a, nd);
	else
		round_down(a, nd);
}

static u64 rounded_integer(const decimal *a) {
	if (a->dp > 20)
		return UINT64_MAX;
	i32 i = 0;
	u64 n = 0;
	for (; i < a->dp && i < a->nd; i++)
		n = n * 10 + (u64)(a->d[i] - '0');
	for (; i < a->dp; i++)
		n *= 10;
	if (should_round_up(a, a->dp))
		n++;
	return n;
}

// ---- Reading doubles (strconv's atof.go) ---------------------------------------

static inline u8 lower(u8 c) { return c | 0x20; }

static inline double from_bits(u64 b) {
	double f;
	memcpy(&f, &b, 8);
	return f;
}

static inline u64 to_bits(double f) {
	u64 b;
	memcpy(&b, &f, 8);
	return b;
}

#define MANT_BITS 52
#define EXP_BITS 11
#define BIAS (-1023)

// special reads "inf", "infinity" (signed) and "nan", ignoring case, as a prefix of
// s; it returns the prefix's length, 0 when there is none.
static u32 special(str s, double *f) {
	if (s.n == 0)
		return 0;
	u32 i = 0;
	bool neg = false;
	if (s.p[0] == '+' || s.p[0] == '-') {
		neg = s.p[0] == '-';
		i = 1;
	} else if (lower(s.p[0]) == 'n') {
		if (s.n >= 3 && lower(s.p[1]) == 'a' && lower(s.p[2]) == 'n') {
			*f = from_bits(0x7FF8000000000001ULL); // Go's NaN
			return 3;
		}
		return 0;
	} else if (lower(s.p[0]) != 'i') {
		return 0;
	}
	static const char inf[] = "infinity";
	u32 n = 0;
	while (n < 8 && i + n < s.n && lower(s.p[i + n]) == (u8)inf[n])
		n++;
	if (n > 3 && n < 8)
		n = 3;
	if (n != 3 && n != 8)
		return 0;
	*f = from_bits(neg ? 0xFFF0000000000000ULL : 0x7FF0000000000000ULL);
	return i + n;
}

// underscore_ok is strconv's underscoreOK: underscores only between digits, or
// between a base prefix and a digit.
static bool underscore_ok(str s) {
	u8 saw = '^';
	u32 i = 0;
	if (s.n >= 1 && (s.p[0] == '-' || s.p[0] == '+'))
		s = str_of(s.p + 1, s.n - 1);
	bool hex = false;
	if (s.n >= 2 && s.p[0] == '0' && (lower(s.p[1]) == 'b' || lower(s.p[1]) == 'o' || lower(s.p[1]) == 'x')) {
		i = 2;
		saw = '0';
		hex = lower(s.p[1]) == 'x';
	}
	for (; i < s.n; i++) {
		u8 c = s.p[i];
		if (digit(c) || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
			saw = '0';
			continue;
		}
		if (c == '_') {
			if (saw != '0')
				return false;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return false;
		saw = '!';
	}
	return saw != '_';
}

// read_exponent reads an exponent's sign and digits at *i (after its 'e' or 'p'),
// as readFloat and decimal.set both do: false when there is no digit. Digits past
// 10000 stop counting (the value is out of range by far); underscores are skipped
// and reported.
static bool read_exponent(str s, u32 *i, i32 *exp, bool *underscores) {
	u32 k = *i;
	if (k >= s.n)
		return false;
	i32 sign = 1, e = 0;
	if (s.p[k] == '+' || s.p[k] == '-')
		sign = s.p[k++] == '-' ? -1 : 1;
	if (k >= s.n || !digit(s.p[k]))
		return false;
	for (; k < s.n && (digit(s.p[k]) || s.p[k] == '_'); k++) {
		if (s.p[k] == '_')
			*underscores = true;
		else if (e < 10000)
			e = e * 10 + s.p[k] - '0';
	}
	*i = k;
	*exp = e * sign;
	return true;
}

typedef struct mant {
	u64 mantissa;
	i32 exp;
	bool neg, trunc, hex;
	u32 n; // bytes read
} mant;

// read_float is strconv's readFloat: a decimal or hexadecimal mantissa and
// exponent at the start of s.
static bool read_float(str s, mant *m) {
	*m = (mant){0};
	bool underscores = false;
	u32 i = 0;
	if (i >= s.n)
		return false;
	if (s.p[i] == '+' || s.p[i] == '-')
		m->neg = s.p[i++] == '-';
	u64 base = 10;
	i32 max_mant_digits = 19; // 10^19 fits in a uint64
	u8 exp_char = 'e';
	if (i + 2 < s.n && s.p[i] == '0' && lower(s.p[i + 1]) == 'x') {
		base = 16;
		max_mant_digits = 16;
		i += 2;
		exp_char = 'p';
		m->hex = true;
	}
	bool sawdot = false, sawdigits = false;
	i32 nd = 0, nd_mant = 0, dp = 0;
	for (; i < s.n; i++) {
		u8 c = s.p[i];
		if (c == '_') {
			underscores = true;
			continue;
		}
		if (c == '.') {
			if (sawdot)
				break;
			sawdot = true;
			dp = nd;
			continue;
		}
		u64 v;
		if (digit(c)) {
			v = c - '0';
			if (c == '0' && nd == 0) { // leading zeros
				sawdigits = true;
				dp--;
				continue;
			}
		} else if (base == 16 && lower(c) >= 'a' && lower(c) <= 'f') {
			v = lower(c) - 'a' + 10;
		} else {
			break;
		}
		sawdigits = true;
		nd++;
		if (nd_mant < max_mant_digits) {
			m->mantissa = m->mantissa * base + v;
			nd_mant++;
		} else if (c != '0') {
			m->trunc = true;
		}
	}
	if (!sawdigits)
		return false;
	if (!sawdot)
		dp = nd;
	if (base == 16) {
		dp *= 4;
		nd_mant *= 4;
	}
	if (i < s.n && lower(s.p[i]) == exp_char) {
		i32 e;
		i++;
		if (!read_exponent(s, &i, &e, &underscores))
			return false;
		dp += e;
	} else if (base == 16) {
		return false; // a hexadecimal mantissa needs an exponent
	}
	if (m->mantissa != 0)
		m->exp = dp - nd_mant;
	m->n = i;
	if (underscores && !underscore_ok(str_of(s.p, i)))
		return false;
	return true;
}

// dec_set is strconv's decimal.set, on what read_float accepted.
static bool dec_set(decimal *b, str s) {
	u32 i = 0;
	b->neg = b->trunc = false;
	b->nd = b->dp = 0;
	if (i >= s.n)
		return false;
	if (s.p[i] == '+' || s.p[i] == '-')
		b->neg = s.p[i++] == '-';
	bool sawdot = false, sawdigits = false;
	for (; i < s.n; i++) {
		u8 c = s.p[i];
		if (c == '_')
			continue;
		if (c == '.') {
			if (sawdot)
				return false;
			sawdot = true;
			b->dp = b->nd;
			continue;
		}
		if (!digit(c))
			break;
		sawdigits = true;
		if (c == '0' && b->nd == 0) {
			b->dp--;
			continue;
		}
		if (b->nd < DEC_DIGITS)
			b->d[b->nd++] = c;
		else if (c != '0')
			b->trunc = true;
	}
	if (!sawdigits)
		return false;
	if (!sawdot)
		b->dp = b->nd;
	if (i < s.n && lower(s.p[i]) == 'e') {
		i32 e;
		bool underscores;
		i++;
		if (!read_exponent(s, &i, &e, &underscores))
			return false;
		b->dp += e;
	}
	return i == s.n;
}

// float_bits is strconv's decimal.floatBits for float64: the rounded value of the
// decimal, and whether it overflowed to infinity.
static u64 float_bits(decimal *d, bool *overflow) {
	static const u8 powtab[] = {1, 3, 6, 9, 13, 16, 19, 23, 26};
	i32 exp = 0;
	u64 mant = 0;
	*overflow = false;
	if (d->nd == 0 || d->dp < -330) {
		exp = BIAS;
		goto out;
	}
	if (d->dp > 310)
		goto overflow;
	// Scale by powers of two until in [0.5, 1).
	while (d->dp > 0) {
		i32 n = d->dp >= (i32)sizeof powtab ? 27 : powtab[d->dp];
		shift(d, -n);
		exp += n;
	}
	while (d->dp < 0 || (d->dp == 0 && d->d[0] < '5')) {
		i32 n = -d->dp >= (i32)sizeof powtab ? 27 : powtab[-d->dp];
		shift(d, n);
		exp -= n;
	}
	exp--; // [0.5, 1) to [1, 2)
	if (exp < BIAS + 1) {
		i32 n = BIAS + 1 - exp;
		shift(d, -n);
		exp += n;
	}
	if (exp - BIAS >= (1 << EXP_BITS) - 1)
		goto overflow;
	shift(d, 1 + MANT_BITS);
	mant = rounded_integer(d);
	if (mant == (u64)2 << MANT_BITS) { // rounding added a bit
		mant >>= 1;
		exp++;
		if (exp - BIAS >= (1 << EXP_BITS) - 1)
			goto overflow;
	}
	if (!(mant & ((u64)1 << MANT_BITS)))
		exp = BIAS; // subnormal
	goto out;
overflow:
	mant = 0;
	exp = (1 << EXP_BITS) - 1 + BIAS;
	*overflow = true;
out:;
	u64 bits = mant & (((u64)1 << MANT_BITS) - 1);
	bits |= (u64)((exp - BIAS) & ((1 << EXP_BITS) - 1)) << MANT_BITS;
	if (d->neg)
		bits |= (u64)1 << 63;
	return bits;
}

// atof_exact is strconv's atof64exact: mantissa*10^exp in float arithmetic, when
// that is exact (a mantissa of at most 53 bits times or over an exact power of
// ten) and so correctly rounded.
static bool atof_exact(u64 mantissa, i32 exp, bool neg, double *out) {
	static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	if (mantissa >> MANT_BITS)
		return false;
	double f = (double)mantissa;
	if (neg)
		f = -f;
	if (exp == 0) {
		*out = f;
		return true;
	}
	if (exp > 0 && exp <= 15 + 22) {
		if (exp > 22) {
			f *= pow10[exp - 22];
			exp = 22;
		}
		if (f > 1e15 || f < -1e15)
			return false;
		*out = f * pow10[exp];
		return true;
	}
	if (exp < 0 && exp >= -22) {
		*out = f / pow10[-exp];
		return true;
	}
	return false;
}

// atof_hex is strconv's atofHex for float64; false on overflow.
static bool atof_hex(u64 mantissa, i32 exp, bool neg, bool trunc, double *out) {
	const i32 max_exp = (1 << EXP_BITS) + BIAS - 2, min_exp = BIAS + 1;
	exp += MANT_BITS;
	while (mantissa != 0 && mantissa >> (MANT_BITS + 2) == 0) {
		mantissa <<= 1;
		exp--;
	}
	if (trunc)
		mantissa |= 1;
	while (mantissa >> (1 + MANT_BITS + 2) != 0) {
		mantissa = mantissa >> 1 | (mantissa & 1);
		exp++;
	}
	while (mantissa > 1 && exp < min_exp - 2) {
		mantissa = mantissa >> 1 | (mantissa & 1);
		exp++;
	}
	u64 round = mantissa & 3;
	mantissa >>= 2;
	round |= mantissa & 1; // round to even
	exp += 2;
	if (round == 3) {
		mantissa++;
		if (mantissa == (u64)1 << (1 + MANT_BITS)) {
			mantissa >>= 1;
			exp++;
		}
	}
	if (mantissa >> MANT_BITS == 0)
		exp = BIAS;
	bool ok = true;
	if (exp > max_exp) {
		mantissa = (u64)1 << MANT_BITS;
		exp = max_exp + 1;
		ok = false;
	}
	u64 bits = mantissa & (((u64)1 << MANT_BITS) - 1);
	bits |= (u64)((exp - BIAS) & ((1 << EXP_BITS) - 1)) << MANT_BITS;
	if (neg)
		bits |= (u64)1 << 63;
	*out = from_bits(bits);
	return ok;
}

rt_err rt_parse_double(str s, double *out) {
	u32 n = special(s, out);
	if (n)
		return n == s.n ? ERR_NONE : ERR_DOUBLE;
	mant m;
	if (!read_float(s, &m) || m.n != s.n)
		return ERR_DOUBLE;
	if (m.hex)
		return atof_hex(m.mantissa, m.exp, m.neg, m.trunc, out) ? ERR_NONE : ERR_DOUBLE;
	if (!m.trunc && atof_exact(m.mantissa, m.exp, m.neg, out))
		return ERR_NONE;
	decimal d;
	if (!dec_set(&d, s))
		return ERR_DOUBLE;
	bool overflow;
	*out = from_bits(float_bits(&d, &overflow));
	return overflow ? ERR_DOUBLE : ERR_NONE;
}

// ---- Writing doubles (strconv's ftoa.go, the shortest 'g' format) --------------

// round_shortest is strconv's roundShortest: d (= mant*2^(exp-52)) rounded to the
// fewest digits that still read back as the same double.
static void round_shortest(decimal *d, u64 mant, i32 exp) {
	if (mant == 0) {
		d->nd = 0;
		return;
	}
	const i32 minexp = BIAS + 1;
	if (exp > minexp && 332 * (d->dp - d->nd) >= 100 * (exp - MANT_BITS))
		return; // already shortest
	decimal upper, lower;
	upper.trunc = lower.trunc = false;
	assign(&upper, mant * 2 + 1);
	shift(&upper, exp - MANT_BITS - 1);
	u64 mantlo;
	i32 explo;
	if (mant > (u64)1 << MANT_BITS || exp == minexp) {
		mantlo = mant - 1;
		explo = exp;
	} else {
		mantlo = mant * 2 - 1;
		explo = exp - 1;
	}
	assign(&lower, mantlo * 2 + 1);
	shift(&lower, explo - MANT_BITS - 1);
	bool inclusive = mant % 2 == 0;
	u8 upperdelta = 0;
	for (i32 ui = 0;; ui++) {
		i32 mi = ui - upper.dp + d->dp;
		if (mi >= d->nd)
			break;
		i32 li = ui - upper.dp + lower.dp;
		u8 l = li >= 0 && li < lower.nd ? lower.d[li] : '0';
		u8 m = mi >= 0 ? d->d[mi] : '0';
		u8 u = ui < upper.nd ? upper.d[ui] : '0';
		bool okdown = l != m || (inclusive && li + 1 == lower.nd);
		if (upperdelta == 0 && m + 1 < u)
			upperdelta = 2;
		else if (upperdelta == 0 && m != u)
			upperdelta = 1;
		else if (upperdelta == 1 && (m != '9' || u != '0'))
			upperdelta = 2;
		bool okup = upperdelta > 0 && (inclusive || upperdelta > 1 || ui + 1 < upper.nd);
		if (okdown && okup) {
			round_nearest(d, mi + 1);
			return;
		}
		if (okdown) {
			round_down(d, mi + 1);
			return;
		}
		if (okup) {
			round_up(d, mi + 1);
			return;
		}
	}
}

// fmt_e is %e with prec digits after the point: -d.dddde±dd.
static void fmt_e(buf *b, const decimal *d, i32 prec) {
	buf_byte(b, d->nd ? d->d[0] : '0');
	if (prec > 0) {
		buf_byte(b, '.');
		i32 i = 1, m = d->nd < prec + 1 ? d->nd : prec + 1;
		if (i < m) {
			buf_put(b, d->d + i, (u32)(m - i));
			i = m;
		}
		for (; i <= prec; i++)
			buf_byte(b, '0');
	}
	i32 exp = d->nd ? d->dp - 1 : 0;
	u8 e[5] = {'e', exp < 0 ? '-' : '+'};
	if (exp < 0)
		exp = -exp;
	u32 n = 2;
	if (exp >= 100)
		e[n++] = (u8)('0' + exp / 100);
	e[n++] = (u8)('0' + exp / 10 % 10);
	e[n++] = (u8)('0' + exp % 10);
	buf_put(b, e, n);
}

// fmt_f is %f with prec digits after the point: -ddd.ddd.
static void fmt_f(buf *b, const decimal *d, i32 prec) {
	if (d->dp > 0) {
		i32 m = d->nd < d->dp ? d->nd : d->dp;
		buf_put(b, d->d, (u32)m);
		for (; m < d->dp; m++)
			buf_byte(b, '0');
	} else {
		buf_byte(b, '0');
	}
	if (prec > 0) {
		buf_byte(b, '.');
		for (i32 i = 0; i < prec; i++) {
			i32 j = d->dp + i;
			buf_byte(b, j >= 0 && j < d->nd ? d->d[j] : '0');
		}
	}
}

void buf_double(buf *b, double f) {
	u64 bits = to_bits(f);
	bool neg = bits >> 63;
	i32 exp = (i32)(bits >> MANT_BITS) & ((1 << EXP_BITS) - 1);
	u64 mant = bits & (((u64)1 << MANT_BITS) - 1);
	if (exp == (1 << EXP_BITS) - 1) {
		buf_cstr(b, mant ? "NaN" : neg ? "-Inf" : "+Inf");
		return;
	}
	if (exp == 0)
		exp++; // subnormal
	else
		mant |= (u64)1 << MANT_BITS;
	exp += BIAS;
	if (neg)
		buf_byte(b, '-');
	decimal d;
	d.trunc = false;
	d.nd = d.dp = 0;
	if (mant != 0) {
		assign(&d, mant);
		shift(&d, exp - MANT_BITS);
		round_shortest(&d, mant, exp);
	}
	// 'g' with the shortest digits: %e when the exponent is under -4 or at least
	// 6 (not the number of digits: Go uses 6 for the shortest form), else %f.
	i32 x = d.dp - 1;
	if (mant != 0 && (x < -4 || x >= 6)) {
		fmt_e(b, &d, d.nd - 1);
		return;
	}
	fmt_f(b, &d, d.nd > d.dp ? d.nd - d.dp : 0);
}
