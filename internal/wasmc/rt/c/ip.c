// ip.c: inIPAddrRange (ip.h), a port of runtime/ip.go.
#include "ip.h"

// An address: 16 bytes, IPv4 in the last four when is4.
typedef struct ipaddr {
	u8 b[16];
	bool is4;
} ipaddr;

static inline bool is_digit(u8 c) { return c >= '0' && c <= '9'; }

// parse_v4 reads four decimal fields of at most 255 without leading zeros.
static bool parse_v4(str s, u8 out[4]) {
	u32 val = 0, digits = 0, field = 0;
	for (u32 i = 0; i < s.n; i++) {
		u8 c = s.p[i];
		if (is_digit(c)) {
			if (digits == 1 && val == 0)
				return false; // a leading zero
			val = val * 10 + (c - '0');
			digits++;
			if (val > 255)
				return false;
		} else if (c == '.') {
			if (digits == 0 || field == 3)
				return false;
			out[field++] = (u8)val;
			val = digits = 0;
		} else {
			return false;
		}
	}
	if (field < 3 || digits == 0)
		return false;
	out[3] = (u8)val;
	return true;
}

static inline i32 hexval(u8 c) {
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

// parse_v6 reads groups of at most four hex digits separated by colons, with at
// most one "::" standing for at least one group of zeros, and optionally an IPv4
// address in the last 32 bits.
static bool parse_v6(str s, ipaddr *a) {
	*a = (ipaddr){0};
	for (u32 i = 0; i < s.n; i++)
		if (s.p[i] == '%')
			return false; // a zone
	u8 *ip = a->b;
	i32 ellipsis = -1; // where "::" stands, in bytes
	if (s.n >= 2 && s.p[0] == ':' && s.p[1] == ':') {
		ellipsis = 0;
		s = str_of(s.p + 2, s.n - 2);
		if (s.n == 0)
			return true;
	}
	u32 i = 0;
	while (i < 16) {
		u32 off = 0, acc = 0;
		for (; off < s.n; off++) {
			i32 h = hexval(s.p[off]);
			if (h < 0)
				break;
			acc = acc << 4 | (u32)h;
			if (off > 3)
				return false; // more than four digits
		}
		if (off == 0)
			return false;
		if (off < s.n && s.p[off] == '.') {
			// The IPv4 address must fill the last four bytes.
			if ((ellipsis < 0 && i != 12) || i + 4 > 16)
				return false;
			if (!parse_v4(s, ip + i))
				return false;
			s.n = 0;
			i += 4;
			break;
		}
		ip[i] = (u8)(acc >> 8);
		ip[i + 1] = (u8)acc;
		i += 2;
		s = str_of(s.p + off, s.n - off);
		if (s.n == 0)
			break;
		if (s.p[0] != ':' || s.n == 1)
			return false;
		s = str_of(s.p + 1, s.n - 1);
		if (s.p[0] == ':') {
			if (ellipsis >= 0)
				return false; // a second "::"
			ellipsis = (i32)i;
			s = str_of(s.p + 1, s.n - 1);
			if (s.n == 0)
				break;
		}
	}
	if (s.n != 0)
		return false;
	if (i < 16) {
		if (ellipsis < 0)
			return false;
		u32 n = 16 - i;
		for (i32 j = (i32)i - 1; j >= ellipsis; j--)
			ip[j + n] = ip[j];
		memset(ip + ellipsis, 0, n);
	} else if (ellipsis >= 0) {
		return false; // "::" standing for nothing
	}
	return true;
}

// parse_ip reads an IPv4 or IPv6 address, as netip.ParseAddr without zones.
static bool parse_ip(str s, ipaddr *a) {
	for (u32 i = 0; i < s.n; i++) {
		u8 c = s.p[i];
		if (c == '.') {
			*a = (ipaddr){.is4 = true};
			a->b[10] = a->b[11] = 0xFF;
			return parse_v4(s, a->b + 12);
		}
		if (c == ':')
			return parse_v6(s, a);
		if (c == '%')
			return false;
	}
	return false;
}

// is4in6 reports whether a is an IPv4-mapped IPv6 address, ::ffff:a.b.c.d.
static bool is4in6(const ipaddr *a) {
	if (a->is4)
		return false;
	for (u32 i = 0; i < 10; i++)
		if (a->b[i])
			return false;
	return a->b[10] == 0xFF && a->b[11] == 0xFF;
}

// prefix_bits reads a prefix length: decimal, no sign, no leading zero, at most max.
static bool prefix_bits(str s, i32 max, i32 *bits) {
	if (s.n == 0 || (s.n > 1 && s.p[0] == '0'))
		return false;
	i32 n = 0;
	for (u32 i = 0; i < s.n; i++) {
		if (!is_digit(s.p[i]))
			return false;
		if ((n = n * 10 + (s.p[i] - '0')) > max)
			return false;
	}
	*bits = n;
	return true;
}

rt_err rt_in_ip_range(str addr, str cidr, bool *in) {
	*in = false;
	// (Go's fast path for two plain IPv4 strings, inIPv4Range, answers exactly as
	// the general path below: it is a speed-up, left out here.)
	ipaddr a, p;
	if (!parse_ip(addr, &a))
		return ERR_BAD_IP;
	i32 slash = -1;
	for (i32 i = (i32)cidr.n - 1; i >= 0; i--) {
		if (cidr.p[i] == '/') {
			slash = i;
			break;
		}
	}
	if (slash < 0 || !parse_ip(str_of(cidr.p, (u32)slash), &p))
		return ERR_BAD_CIDR;
	i32 bits;
	if (!prefix_bits(str_of(cidr.p + slash + 1, cidr.n - (u32)slash - 1), p.is4 ? 32 : 128, &bits))
		return ERR_BAD_CIDR;
	if (is4in6(&a))
		a.is4 = true;
	if (is4in6(&p)) {
		p.is4 = true;
		if ((bits -= 96) < 0)
			return ERR_BAD_CIDR;
	}
	if (a.is4 != p.is4)
		return ERR_NONE;
	u32 off = a.is4 ? 12 : 0;
	for (u32 i = 0; bits > 0; i++, bits -= 8) {
		u8 mask = bits < 8 ? (u8)(0xFF << (8 - bits)) : 0xFF;
		if ((a.b[off + i] ^ p.b[off + i]) & mask)
			return ERR_NONE;
	}
	*in = true;
	return ERR_NONE;
}
