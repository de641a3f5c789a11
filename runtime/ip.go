package runtime

import (
	"errors"
	"net/netip"
)

var (
	errBadIP    = errors.New("inIPAddrRange: malformed IP address")
	errBadRange = errors.New("inIPAddrRange: malformed CIDR range")
)

// InIPAddrRange reports whether addr (IPv4 or IPv6) lies in the CIDR range cidr.
// An IPv4 address written in IPv6 form (::ffff:10.0.0.1) is treated as IPv4. An
// address of the other family is simply not in the range.
//
// # Errors
//
// A malformed address or range is an error, never a false result: callers fail closed.
func InIPAddrRange(addr, cidr string) (bool, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" {
		return false, errBadIP
	}
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return false, errBadRange
	}
	a = a.Unmap()
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		if p.Bits() < 0 {
			return false, errBadRange
		}
	}
	return p.Contains(a), nil
}
