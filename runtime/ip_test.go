package runtime

import (
	"net/netip"
	"testing"
)

// inRangeNetip is InIPAddrRange as net/netip decides it: the definition the
// hand-written parser must match.
func inRangeNetip(addr, cidr string) (bool, error) {
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

var ipSeeds = [][2]string{
	{"10.1.2.3", "10.0.0.0/8"}, {"10.1.2.3", "10.1.2.3/32"}, {"10.1.2.3", "10.1.2.0/31"},
	{"11.0.0.1", "10.0.0.0/8"}, {"10.0.0.1", "0.0.0.0/0"}, {"010.0.0.1", "10.0.0.0/8"},
	{"10.0.0.256", "10.0.0.0/8"}, {"1.2.3", "1.0.0.0/8"}, {"1.2.3.4.5", "1.0.0.0/8"},
	{"1..2.3", "1.0.0.0/8"}, {"1.2.3.4", "1.2.3.4/33"}, {"1.2.3.4", "1.2.3.4/08"},
	{"1.2.3.4", "1.2.3.4/+8"}, {"1.2.3.4", "1.2.3.4/"}, {"1.2.3.4", "1.2.3.4"},
	{"::1", "::/0"}, {"::1", "::1/128"}, {"2001:db8::1", "2001:db8::/32"},
	{"2001:db9::1", "2001:db8::/32"}, {"2001:db8::1", "10.0.0.0/8"}, {"10.0.0.1", "2001:db8::/32"},
	{"::ffff:10.0.0.1", "10.0.0.0/8"}, {"10.0.0.1", "::ffff:10.0.0.0/104"},
	{"10.0.0.1", "::ffff:0:0/95"}, {"::ffff:10.0.0.1", "::ffff:10.0.0.0/104"},
	{"fe80::1%eth0", "fe80::/10"}, {"fe80::1", "fe80::%eth0/10"}, {"fe80::1%", "fe80::/10"},
	{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8/128"}, {"1:2:3:4:5:6:7::", "1::/16"},
	{"1:2:3:4:5:6:7:8:9", "1::/16"}, {"::1.2.3.4", "::/96"}, {"1:2:3:4:5:6:1.2.3.4", "1::/16"},
	{"1:2:3:4:5:6:7:1.2.3.4", "1::/16"}, {"12345::", "::/0"}, {"1:::2", "::/0"},
	{":1::2", "::/0"}, {"1::2:", "::/0"}, {"1::2::3", "::/0"}, {"::", "::/0"}, {":", "::/0"},
	{"", "::/0"}, {"::", "/0"}, {"x", "y"}, {"1.2.3.4", "1.2.3.4/32/32"}, {"FFFF::", "ffff::/16"},
	{"::ffff:1.2.3.4", "::ffff:1.2.3.4/128"}, {"::ffff:1.2.3.4", "::ffff:1.2.3.4/96"},
	{"1.2.3.4", "1.2.3.5/31"}, {"1.2.3.4", "1.2.3.5/30"}, {"255.255.255.255", "255.255.255.254/31"},
}

func TestInIPAddrRangeNetip(t *testing.T) {
	for _, c := range ipSeeds {
		ok, err := InIPAddrRange(c[0], c[1])
		wantOK, wantErr := inRangeNetip(c[0], c[1])
		if ok != wantOK || err != wantErr {
			t.Errorf("InIPAddrRange(%q, %q) = %v, %v; netip: %v, %v", c[0], c[1], ok, err, wantOK, wantErr)
		}
	}
}

func FuzzInIPAddrRange(f *testing.F) {
	for _, c := range ipSeeds {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, addr, cidr string) {
		ok, err := InIPAddrRange(addr, cidr)
		wantOK, wantErr := inRangeNetip(addr, cidr)
		if ok != wantOK || err != wantErr {
			t.Errorf("InIPAddrRange(%q, %q) = %v, %v; netip: %v, %v", addr, cidr, ok, err, wantOK, wantErr)
		}
	})
}
