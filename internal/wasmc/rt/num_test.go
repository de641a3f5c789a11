package rt

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/permc/permc/runtime"
)

var intCases = []string{
	"", "-", "+", "0", "-0", "00", "007", "1", "-1", "+1", "--1", "1-", "1.0", "1e3", " 1", "1 ", "0x10", "1_000",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616", "99999999999999999999999", "-00000000000000000000001",
	"0000000000000000000000000000018446744073709551615",
}

func checkInts(t *testing.T, in *inst, s string) {
	t.Helper()
	got, ok := in.text("t_parse_int", []byte(s))
	n, err := runtime.ParseInt(s)
	if ok != (err == nil) || (ok && got != strconv.FormatInt(n, 10)) || (!ok && got != err.Error()) {
		t.Errorf("ParseInt(%q) = %v %s, want %d %v", s, ok, got, n, err)
	}
	got, ok = in.text("t_parse_uint", []byte(s))
	u, err := runtime.ParseUint(s)
	if ok != (err == nil) || (ok && got != strconv.FormatUint(u, 10)) || (!ok && got != err.Error()) {
		t.Errorf("ParseUint(%q) = %v %s, want %d %v", s, ok, got, u, err)
	}
}

func TestParseInts(t *testing.T) {
	in := newInst(t, testModule)
	for _, s := range intCases {
		checkInts(t, in, s)
	}
}

func FuzzParseInts(f *testing.F) {
	for _, s := range intCases {
		f.Add(s)
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, s string) {
		in.t = t
		checkInts(t, in, s)
	})
}

func TestFormatInts(t *testing.T) {
	in := newInst(t, testModule)
	for _, v := range []uint64{0, 1, 9, 10, 99, 100, 1<<63 - 1, 1 << 63, 1<<64 - 1, 12345678901234567890} {
		b := binary.LittleEndian.AppendUint64(nil, v)
		if got, _ := in.text("t_format_int", b); got != strconv.FormatInt(int64(v), 10) {
			t.Errorf("FormatInt(%d) = %s", int64(v), got)
		}
		if got, _ := in.text("t_format_uint", b); got != strconv.FormatUint(v, 10) {
			t.Errorf("FormatUint(%d) = %s", v, got)
		}
	}
}

// doubleCases: Go's own hard cases for ParseFloat (halfway points, the edges of
// the range and of subnormals, long mantissas), and the grammar's corners.
var doubleCases = []string{
	"0", "-0", "1", "-1", "1.5", "0.1", "0.2", "0.3", "1e23", "1e22", "8.98846567431158e307", "1.7976931348623157e308",
	"1.7976931348623158e308", "1.7976931348623159e308", "1e308", "1e309", "-1e309", "2e308", "1e-320", "5e-324",
	"2e-324", "3e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "4.9406564584124654e-324", "1e-350",
	"2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308", "4.940656458412465441765687928682213723651e-324",
	"9007199254740993", "9007199254740992", "9007199254740991", "9007199254740993.0000000000000000001",
	"1090544144181609348835077142190", "1.00000000000000011102230246251565404236316680908203125",
	"1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
	"100000000000000016777215", "100000000000000016777216", "0.000000000000000000000000000000001",
	"123456789012345678901234567890", "1e-4", "1e-5", "1e21", "1e20", "123456", "1234567", "12345678e-3",
	"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999999999999999999999999999999999999999999999999999999999999999999",
	"", "-", "+", ".", "1.", ".5", "+1", "1e", "1e+", "1e5x", "1.5.5", "0x", "0x1", "0x1p4", "0x1.8p1", "0X1P-1074",
	"0x1p-1075", "0x1.fffffffffffffp1023", "0x1p1024", "0x1.0000000000000000001p0", "inf", "+Inf", "-infinity",
	"infinit", "infx", "nan", "NaN", "-nan", "1_000", "1__0", "_1", "1_", "0x_1p0", "1e1_0", "1.0_0", "١",
	"00000000000000000000000000000000000000000001", "1e99999999999999999999", "1e-99999999999999999999", "0e99999",
}

func checkDouble(t *testing.T, in *inst, s string) {
	t.Helper()
	status, out := in.call("t_parse_double", []byte(s))
	want, err := runtime.ParseDouble(s)
	if err != nil {
		if status != stRejected || string(out) != err.Error() {
			t.Errorf("ParseDouble(%q) = %d %q, want %v", s, status, out, err)
		}
		return
	}
	if status != stOK || len(out) != 8 {
		t.Errorf("ParseDouble(%q) = %d %q, want %v", s, status, out, want)
		return
	}
	if got := binary.LittleEndian.Uint64(out); got != math.Float64bits(want) {
		t.Errorf("ParseDouble(%q) = %v (%#x), want %v (%#x)", s, math.Float64frombits(got), got, want, math.Float64bits(want))
	}
}

func checkFormat(t *testing.T, in *inst, f float64) {
	t.Helper()
	got, _ := in.text("t_format_double", binary.LittleEndian.AppendUint64(nil, math.Float64bits(f)))
	if want := strconv.FormatFloat(f, 'g', -1, 64); got != want {
		t.Errorf("FormatFloat(%#x) = %s, want %s", math.Float64bits(f), got, want)
	}
}

func TestParseDouble(t *testing.T) {
	in := newInst(t, testModule)
	for _, s := range doubleCases {
		checkDouble(t, in, s)
	}
	// Round trips of random doubles, shortest and with 17 and more digits, and
	// numbers near halfway points.
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		for _, s := range []string{
			strconv.FormatFloat(f, 'g', -1, 64), strconv.FormatFloat(f, 'e', 16, 64), strconv.FormatFloat(f, 'e', 25, 64),
			strconv.FormatFloat(f, 'e', 16, 64)[:10] + "5e" + strconv.Itoa(r.IntN(600)-300),
		} {
			checkDouble(t, in, s)
		}
	}
}

func FuzzParseDouble(f *testing.F) {
	for _, s := range doubleCases {
		f.Add(s)
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, s string) {
		in.t = t
		checkDouble(t, in, s)
	})
}

func TestFormatDouble(t *testing.T) {
	in := newInst(t, testModule)
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 0.3, 1.0 / 3, 2.0 / 3, 100, 1e6, 123456, 1234567, 1e20, 1e21,
		1e-4, 1e-5, 0.0001234, 0.00001234, 5e-324, -5e-324, math.MaxFloat64, math.SmallestNonzeroFloat64,
		2.2250738585072014e-308, 2.225073858507201e-308, 1 << 53, 1<<53 + 2, 9007199254740993, 1e23, 5e-310,
		math.Inf(1), math.Inf(-1), math.NaN(), math.Float64frombits(0xfff8000000000001), 3.0e-45, 123.456, 1.5e300} {
		checkFormat(t, in, f)
	}
	for e := -1074; e <= 1023; e++ {
		checkFormat(t, in, math.Ldexp(1, e))
		checkFormat(t, in, math.Nextafter(math.Ldexp(1, e), 0))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		checkFormat(t, in, math.Float64frombits(r.Uint64()))
	}
}

func FuzzFormatDouble(f *testing.F) {
	for _, v := range []uint64{0, 1, 0x3ff0000000000000, 0x7fefffffffffffff, 0x0010000000000000, 0x000fffffffffffff} {
		f.Add(v)
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, bits uint64) {
		in.t = t
		checkFormat(t, in, math.Float64frombits(bits))
	})
}
