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

// celOps are runtime's CEL operations, numbered as t_cel numbers them, each
// answering as t_cel does.
var celOps = []func(a, b, c, d int64) (string, runtime.Err){
	func(a, b, _, _ int64) (string, runtime.Err) { return i64(runtime.AddInt(a, b)) },
	func(a, b, _, _ int64) (string, runtime.Err) { return i64(runtime.SubInt(a, b)) },
	func(a, _, _, _ int64) (string, runtime.Err) { return i64(runtime.NegInt(a)) },
	func(a, b, _, _ int64) (string, runtime.Err) { return i64(runtime.MulInt(a, b)) },
	func(a, b, _, _ int64) (string, runtime.Err) { return i64(runtime.DivInt(a, b)) },
	func(a, b, _, _ int64) (string, runtime.Err) { return i64(runtime.ModInt(a, b)) },
	func(a, b, _, _ int64) (string, runtime.Err) { return u64(runtime.AddUint(uint64(a), uint64(b))) },
	func(a, b, _, _ int64) (string, runtime.Err) { return u64(runtime.SubUint(uint64(a), uint64(b))) },
	func(a, b, _, _ int64) (string, runtime.Err) { return u64(runtime.MulUint(uint64(a), uint64(b))) },
	func(a, b, _, _ int64) (string, runtime.Err) { return u64(runtime.DivUint(uint64(a), uint64(b))) },
	func(a, b, _, _ int64) (string, runtime.Err) { return u64(runtime.ModUint(uint64(a), uint64(b))) },
	func(a, b, c, _ int64) (string, runtime.Err) {
		return ts(runtime.AddTimeDuration(time.Unix(a, b).UTC(), time.Duration(c)))
	},
	func(a, b, c, _ int64) (string, runtime.Err) {
		return ts(runtime.SubTimeDuration(time.Unix(a, b).UTC(), time.Duration(c)))
	},
	func(a, b, c, d int64) (string, runtime.Err) {
		v, e := runtime.SubTime(time.Unix(a, b).UTC(), time.Unix(c, d).UTC())
		return i64(int64(v), e)
	},
}

func i64(v int64, e runtime.Err) (string, runtime.Err)  { return strconv.FormatInt(v, 10), e }
func u64(v uint64, e runtime.Err) (string, runtime.Err) { return strconv.FormatUint(v, 10), e }
func ts(t time.Time, e runtime.Err) (string, runtime.Err) {
	return fmt.Sprintf("%d %d", t.Unix(), t.Nanosecond()), e
}

func checkCEL(t *testing.T, in *inst, op int, a, b, c, d int64) {
	t.Helper()
	if op >= 11 && (b < 0 || b >= 1e9 || (op == 13 && (d < 0 || d >= 1e9))) {
		return // a timestamp's nanoseconds are in [0, 1e9)
	}
	input := []byte{byte(op)}
	for _, v := range []int64{a, b, c, d} {
		input = binary.LittleEndian.AppendUint64(input, uint64(v))
	}
	got, ok := in.text("t_cel", input)
	want, e := celOps[op](a, b, c, d)
	if e != runtime.OK {
		want = e.Message()
	}
	if ok != (e == runtime.OK) || got != want {
		t.Errorf("op %d (%d, %d, %d, %d) = %v %s, want %s", op, a, b, c, d, ok, got, want)
	}
}

var celValues = []int64{0, 1, -1, 2, -2, 3, 7, -7, 1e9, -1e9, 1e9 - 1, math.MaxInt32, math.MinInt32, 1 << 32, 3037000499, 3037000500,
	-3037000500, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, math.MaxInt64 / 2, math.MinInt64 / 2,
	-62135596800, 253402300799, 253402300800, -62135596801, 1 << 62, -(1 << 62)}

func TestCEL(t *testing.T) {
	in := newInst(t, testModule)
	for op := range celOps {
		for _, a := range celValues {
			for _, b := range celValues {
				checkCEL(t, in, op, a, b, b, a)
				checkCEL(t, in, op, a, 999999999, b, 0)
				checkCEL(t, in, op, a, 0, b, 999999999)
			}
		}
	}
	r := rand.New(rand.NewPCG(13, 14))
	for range 20000 {
		op := r.IntN(len(celOps))
		a, b, c, d := r.Int64()>>r.IntN(64), r.Int64()>>r.IntN(64), r.Int64()>>r.IntN(64), r.Int64()>>r.IntN(64)
		if op >= 11 {
			a, b, d = -62135596800+r.Int64N(253402300799+62135596800+1), r.Int64N(1e9), r.Int64N(1e9)
			if op == 13 {
				c = -62135596800 + r.Int64N(253402300799+62135596800+1)
			}
		}
		checkCEL(t, in, op, a, b, c, d)
	}
	for e := range 15 {
		want := runtime.Err(e).Message()
		if runtime.Err(e) == runtime.ErrBudgetExhausted {
			// The engine's budget error is not one of the CEL operations' codes: it is
			// EV_BUDGET, whose message names the budget's size as runtime.Budget's
			// ErrMessage does (TestBudget in package wasmc compares them).
			want = "evaluation error"
		}
		if got, _ := in.text("t_cel_msg", []byte{byte(e)}); got != want {
			t.Errorf("message %d = %q, want %q", e, got, want)
		}
	}
}

func FuzzCEL(f *testing.F) {
	f.Add(uint8(3), int64(math.MinInt64), int64(-1), int64(0), int64(0))
	f.Add(uint8(11), int64(253402300799), int64(999999999), int64(1), int64(0))
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, op uint8, a, b, c, d int64) {
		in.t = t
		checkCEL(t, in, int(op)%len(celOps), a, b, c, d)
	})
}
