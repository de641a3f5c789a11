package rt

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/permc/permc/runtime"
)

var timestampCases = []string{
	"2026-11-22T10:00:00Z", "2026-11-22T10:00:00.5Z", "2026-11-22T10:00:00,5Z", "2026-11-22T10:00:00.123456789123Z",
	"2026-11-22T10:00:00.Z", "2026-11-22T1:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T23:60:00Z", "2026-11-22T23:59:60Z",
	"2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
	"2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z",
	"2026-11-22T10:00:00+01:00", "2026-11-22T10:00:00-23:59", "2026-11-22T10:00:00+24:60", "2026-11-22T10:00:00+25:00",
	"2026-11-22T10:00:00+01:61", "2026-11-22T10:00:00+0100", "2026-11-22T10:00:00+01:00:00", "2026-11-22T10:00:00z",
	"2026-11-22t10:00:00Z", "2026-11-22 10:00:00Z", "2026-11-22T10:00:00", "2026-11-22T10:00Z", "2026-11-22",
	"0001-01-01T00:00:00Z", "0001-01-01T00:00:00+00:01", "0000-12-31T23:59:59Z", "0000-12-31T23:00:00-01:00",
	"9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59-00:01", "9999-12-31T23:59:59+00:01", "1970-01-01T00:00:00Z",
	"1969-12-31T23:59:59.999999999Z", "", "T", "20261122T100000Z", "2026-11-22T10:00:00ZZ", "+2026-11-22T10:00:00Z",
	"2026-11-22T10:00:00.-5Z", "2026-11-22T10:00:00.5+01:00", "2026-11-22T10:00:0Z", "2026-1-22T10:00:00Z",
	"２026-11-22T10:00:00Z",
}

func checkTimestamp(t *testing.T, in *inst, s string) {
	t.Helper()
	got, ok := in.text("t_parse_timestamp", []byte(s))
	ts, err := runtime.ParseTimestamp(s)
	want := fmt.Sprintf("%d %d", ts.Unix(), ts.Nanosecond())
	if err != nil {
		want = err.Error()
	}
	if ok != (err == nil) || got != want {
		t.Errorf("ParseTimestamp(%q) = %v %s, want %s", s, ok, got, want)
	}
	if err == nil {
		checkFormatTimestamp(t, in, ts.Unix(), int32(ts.Nanosecond()))
	}
}

func checkFormatTimestamp(t *testing.T, in *inst, sec int64, nsec int32) {
	t.Helper()
	b := binary.LittleEndian.AppendUint64(nil, uint64(sec))
	b = binary.LittleEndian.AppendUint32(b, uint32(nsec))
	got, _ := in.text("t_format_timestamp", b)
	if want := time.Unix(sec, int64(nsec)).UTC().Format(time.RFC3339Nano); got != want {
		t.Errorf("Format(%d, %d) = %s, want %s", sec, nsec, got, want)
	}
}

func TestTimestamps(t *testing.T) {
	in := newInst(t, testModule)
	for _, s := range timestampCases {
		checkTimestamp(t, in, s)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		sec := -62135596800 + r.Int64N(253402300799+62135596800+1)
		nsec := int32(r.IntN(1e9))
		if r.IntN(3) == 0 {
			nsec = int32(r.IntN(1000) * 1e6)
		}
		checkFormatTimestamp(t, in, sec, nsec)
		checkTimestamp(t, in, time.Unix(sec, int64(nsec)).UTC().Format(time.RFC3339Nano))
		zone := time.FixedZone("", (r.IntN(49)-24)*3600+r.IntN(4)*15*60)
		checkTimestamp(t, in, time.Unix(sec, int64(nsec)).In(zone).Format(time.RFC3339Nano))
	}
	for _, sec := range []int64{-62135596800, 253402300799, 0, -1, 86399, 86400, -86400, -86401, 951782400, 4107542400} {
		checkFormatTimestamp(t, in, sec, 0)
		checkFormatTimestamp(t, in, sec, 999999999)
		checkFormatTimestamp(t, in, sec, 100)
	}
}

func FuzzTimestamp(f *testing.F) {
	for _, s := range timestampCases {
		f.Add(s)
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, s string) {
		in.t = t
		checkTimestamp(t, in, s)
	})
}

var durationCases = []string{
	"0", "-0", "+0", "", "-", "+", "0s", "1s", "90s", "1h30m", "-1.5h", "1.5h", ".5s", "5.s", ".s", "-.s", "1", "1x",
	"1ns", "1us", "1µs", "1μs", "1ms", "1m", "1h", "1d", "1S", "1H", "1 s", " 1s", "1s ", "1.0000000000000000000001s",
	"2562047h47m16.854775807s", "2562047h47m16.854775808s", "-2562047h47m16.854775808s", "-2562047h47m16.854775809s",
	"9223372036854775807ns", "9223372036854775808ns", "-9223372036854775808ns", "-9223372036854775809ns",
	"9223372036854775808ns9223372036854775808ns", "99999999999999999999ns", "1.9999999999999999999999h",
	"0.000000001s", "0.0000000001s", "1h1h1h", "3h2m1s0.5ms", "1.1.1s", "1s.5", "1e3s", "10000000000000000000000h",
	"2562048h", "2562047.9h", "1.25ms500us", "0.1234567890123456789012s", "9223372036.854775807s", "9223372036.854775808s",
}

func checkDuration(t *testing.T, in *inst, s string) {
	t.Helper()
	got, ok := in.text("t_parse_duration", []byte(s))
	d, err := runtime.ParseDuration(s)
	want := strconv.FormatInt(int64(d), 10)
	if err != nil {
		want = err.Error()
	}
	if ok != (err == nil) || got != want {
		t.Errorf("ParseDuration(%q) = %v %s, want %s", s, ok, got, want)
	}
	if err == nil {
		checkFormatDuration(t, in, d)
	}
}

func checkFormatDuration(t *testing.T, in *inst, d time.Duration) {
	t.Helper()
	if got, _ := in.text("t_format_duration", binary.LittleEndian.AppendUint64(nil, uint64(d))); got != d.String() {
		t.Errorf("Duration(%d).String() = %s, want %s", int64(d), got, d.String())
	}
}

func TestDurations(t *testing.T) {
	in := newInst(t, testModule)
	for _, s := range durationCases {
		checkDuration(t, in, s)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, d := range []int64{0, 1, -1, 999, 1000, 1001, 999999, 1000000, 1e9 - 1, 1e9, 1e9 + 1, 59e9, 60e9, 3600e9, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		checkFormatDuration(t, in, time.Duration(d))
	}
	for range 3000 {
		d := time.Duration(r.Int64() >> r.IntN(64))
		checkFormatDuration(t, in, d)
		checkDuration(t, in, d.String())
	}
}

func FuzzDuration(f *testing.F) {
	for _, s := range durationCases {
		f.Add(s)
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, s string) {
		in.t = t
		checkDuration(t, in, s)
	})
}
