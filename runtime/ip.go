package runtime

import "errors"

var (
	errBadIP    = errors.New("inIPAddrRange: malformed IP address")
	errBadRange = errors.New("inIPAddrRange: malformed CIDR range")
)

// InIPAddrRange reports whether addr (IPv4 or IPv6) lies in the CIDR range cidr.
// An IPv4 address written in IPv6 form (::ffff:10.0.0.1) is treated as IPv4. An
// address of the other family is simply not in the range.
//
// Addresses and ranges are read exactly as net/netip reads them, without zones
// (TestInIPAddrRangeNetip holds the two to each other); net/netip itself would add
// about 150 KB to every Wasm module.
//
// # Errors
//
// A malformed address or range is an error, never a false result: callers fail closed.
func InIPAddrRange(addr, cidr string) (bool, error) {
	if in, ok := inIPv4Range(addr, cidr); ok {
		return in, nil
	}
	a, ok := parseIP(addr)
	if !ok {
		return false, errBadIP
	}
	slash := -1
	for i := len(cidr) - 1; i >= 0; i-- {
		if cidr[i] == '/' {
			slash = i
			break
		}
	}
	if slash < 0 {
		return false, errBadRange
	}
	p, ok := parseIP(cidr[:slash])
	if !ok {
		return false, errBadRange
	}
	bits, ok := prefixBits(cidr[slash+1:], p.bitLen())
	if !ok {
		return false, errBadRange
	}
	a = a.unmap()
	if p.is4in6() {
		p = p.unmap()
		if bits -= 96; bits < 0 {
			return false, errBadRange
		}
	}
	if a.is4 != p.is4 {
		return false, nil
	}
	off := 12
	if !a.is4 {
		off = 0
	}
	x, y := a.b[off:], p.b[off:]
	for i := 0; bits > 0; i, bits = i+1, bits-8 {
		mask := byte(0xff)
		if bits < 8 {
			mask <<= 8 - bits
		}
		if (x[i]^y[i])&mask != 0 {
			return false, nil
		}
	}
	return true, nil
}

// ipAddr is an address: 16 bytes, IPv4 in the last four when is4.
type ipAddr struct {
	b   [16]byte
	is4 bool
}

func (a ipAddr) bitLen() int {
	if a.is4 {
		return 32
	}
	return 128
}

// is4in6 reports whether a is an IPv4-mapped IPv6 address, ::ffff:a.b.c.d.
func (a ipAddr) is4in6() bool {
	if a.is4 {
		return false
	}
	for _, c := range a.b[:10] {
		if c != 0 {
			return false
		}
	}
	return a.b[10] == 0xff && a.b[11] == 0xff
}

func (a ipAddr) unmap() ipAddr {
	if a.is4in6() {
		a.is4 = true
	}
	return a
}

// prefixBits parses the length of a prefix: decimal, no sign, no leading zero, at
// most max.
func prefixBits(s string, max int) (int, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n = n*10 + int(c-'0'); n > max {
			return 0, false
		}
	}
	return n, true
}

// parseIP parses an IPv4 or IPv6 address as netip.ParseAddr does; an address with a
// zone is refused.
func parseIP(s string) (ipAddr, bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.':
			a := ipAddr{is4: true}
			a.b[10], a.b[11] = 0xff, 0xff
			return a, parseIPv4(s, a.b[12:])
		case ':':
			return parseIPv6(s)
		case '%':
			return ipAddr{}, false
		}
	}
	return ipAddr{}, false
}

// parseIPv4 parses four decimal fields of at most 255 without leading zeros into
// out.
func parseIPv4(s string, out []byte) bool {
	ip, ok := parseIPv4Bytes(s)
	copy(out, ip[:])
	return ok
}

// parseIPv4Bytes parses four decimal fields of at most 255 without leading zeros. It
// works on a local array, which the compiler keeps in registers, rather than through
// a slice.
func parseIPv4Bytes(s string) (ip [4]byte, ok bool) {
	val, digits, field := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 1 && val == 0 {
				return ip, false // a leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return ip, false
			}
		case c == '.':
			if digits == 0 || field == 3 {
				return ip, false
			}
			ip[field] = byte(val)
			field++
			val, digits = 0, 0
		default:
			return ip, false
		}
	}
	if field < 3 || digits == 0 {
		return ip, false
	}
	ip[3] = byte(val)
	return ip, true
}

// parseIPv6 parses groups of at most four hex digits separated by colons, with at
// most one "::" standing for at least one group of zeros, and optionally an IPv4
// address in the last 32 bits.
func parseIPv6(s string) (ipAddr, bool) {
	var a ipAddr
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			return a, false // a zone
		}
	}
	ip := &a.b
	ellipsis := -1 // where "::" stands, in bytes
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if len(s) == 0 {
			return a, true
		}
	}
	i := 0
	for i < 16 {
		off, acc := 0, uint32(0)
	digits:
		for ; off < len(s); off++ {
			c := s[off]
			switch {
			case c >= '0' && c <= '9':
				acc = acc<<4 + uint32(c-'0')
			case c >= 'a' && c <= 'f':
				acc = acc<<4 + uint32(c-'a'+10)
			case c >= 'A' && c <= 'F':
				acc = acc<<4 + uint32(c-'A'+10)
			default:
				break digits
			}
			if off > 3 {
				return a, false // more than four digits
			}
		}
		if off == 0 {
			return a, false
		}
		if off < len(s) && s[off] == '.' {
			// The IPv4 address must fill the last four bytes.
			if ellipsis < 0 && i != 12 || i+4 > 16 {
				return a, false
			}
			if !parseIPv4(s, ip[i:i+4]) {
				return a, false
			}
			s = ""
			i += 4
			break
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		s = s[off:]
		if len(s) == 0 {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return a, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return a, false // a second "::"
			}
			ellipsis = i
			if s = s[1:]; len(s) == 0 {
				break
			}
		}
	}
	if len(s) != 0 {
		return a, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return a, false
		}
		n := 16 - i
		for j := i - 1; j >= ellipsis; j-- {
			ip[j+n] = ip[j]
		}
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return a, false // "::" standing for nothing
	}
	return a, true
}

// inIPv4Range is InIPAddrRange for the common case, a plain IPv4 address and an IPv4
// range, compared as 32-bit numbers; ok is false for anything else, which the general
// path then reads (and reports, when malformed).
func inIPv4Range(addr, cidr string) (in, ok bool) {
	slash := -1
	for i := len(cidr) - 1; i >= 0; i-- {
		if c := cidr[i]; c == '/' {
			slash = i
			break
		} else if c == ':' {
			return false, false
		}
	}
	if slash < 0 || !isDottedQuad(addr) || !isDottedQuad(cidr[:slash]) {
		return false, false
	}
	a, ok := parseIPv4Bytes(addr)
	if !ok {
		return false, false
	}
	p, ok := parseIPv4Bytes(cidr[:slash])
	if !ok {
		return false, false
	}
	bits, ok := prefixBits(cidr[slash+1:], 32)
	if !ok {
		return false, false
	}
	x := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	y := uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
	return (x^y)>>(32-bits) == 0, true
}

// isDottedQuad reports whether s holds only digits and dots, as a plain IPv4 address
// does.
func isDottedQuad(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}
