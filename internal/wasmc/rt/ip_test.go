package rt

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/permc/permc/runtime"
)

// ipCases: the seeds of the Go runtime's own differential test with net/netip, and
// more: zones, mapped forms, prefixes around the edges.
var ipCases = [][2]string{
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
	{"1.2.3.4", "1.2.3.4/0"}, {"1.2.3.4", "0.0.0.0/1"}, {"129.0.0.1", "0.0.0.0/1"}, {"::", "::ffff:0.0.0.0/96"},
	{"1.2.3.4", "1.2.3.4/00"}, {"1.2.3.4", "1.2.3.4/1x"}, {"1.2.3.4", "1.2.3.4/129"}, {"::1", "::/129"},
	{"::1", "::/128"}, {"1::", "1::/127"}, {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:9/127"}, {"::ffff:1.2.3.4%z", "1.0.0.0/8"},
	{"1.2.3.4%z", "1.0.0.0/8"}, {"%", "1.0.0.0/8"}, {"1:2:3:4:5:6:7:8:", "::/0"}, {"0:0:0:0:0:0:0:0", "::/0"},
	{"::0.0.0.0", "::/0"}, {"::ffff:0.0.0.0", "0.0.0.0/0"}, {"1::1.2.3.4", "::/0"}, {"1.2.3.4::", "::/0"},
	{"::1.2.3", "::/0"}, {"::1.2.3.04", "::/0"}, {"0000:0000::", "::/0"}, {"00000::", "::/0"}, {"::ffff:1.2.3.4", "::/0"},
}

func checkIP(t *testing.T, in *inst, addr, cidr string) {
	t.Helper()
	got, ok := in.text("t_ip", args(addr, cidr))
	yes, err := runtime.InIPAddrRange(addr, cidr)
	want := "false"
	if yes {
		want = "true"
	}
	if err != nil {
		want = err.Error()
	}
	if ok != (err == nil) || got != want {
		t.Errorf("InIPAddrRange(%q, %q) = %v %s, want %s", addr, cidr, ok, got, want)
	}
}

func TestInIPAddrRange(t *testing.T) {
	in := newInst(t, testModule)
	for _, c := range ipCases {
		checkIP(t, in, c[0], c[1])
	}
	// Random addresses against random prefixes of related addresses.
	r := rand.New(rand.NewPCG(9, 10))
	for range 3000 {
		a, p := randomIP(r), randomIP(r)
		if r.IntN(2) == 0 {
			p = a[:r.IntN(len(a)+1)] + p[min(len(p), r.IntN(len(a)+1)):]
		}
		checkIP(t, in, a, p+"/"+[]string{"0", "8", "16", "24", "31", "32", "33", "64", "96", "104", "127", "128"}[r.IntN(12)])
	}
}

func randomIP(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return randomIPv4(r)
	case 1:
		return "::ffff:" + randomIPv4(r)
	default:
		var g []string
		for range 8 {
			g = append(g, []string{"0", "1", "ff", "ffff", "db8", "2001"}[r.IntN(6)])
		}
		s := strings.Join(g, ":")
		if r.IntN(2) == 0 {
			s = strings.Replace(s, ":0:", "::", 1)
		}
		return s
	}
}

func randomIPv4(r *rand.Rand) string {
	return strings.Join([]string{strconv.Itoa(r.IntN(256)), strconv.Itoa(r.IntN(256)), strconv.Itoa(r.IntN(256)), strconv.Itoa(r.IntN(256))}, ".")
}

func FuzzInIPAddrRange(f *testing.F) {
	for _, c := range ipCases {
		f.Add(c[0], c[1])
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, addr, cidr string) {
		in.t = t
		checkIP(t, in, addr, cidr)
	})
}
