package runtime

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"time"
	"unicode/utf8"
)

// SupportPackageIsVersion1 is referenced by generated code, so that code generated for
// an incompatible runtime fails to compile with a message naming this constant: regenerate
// the code with the permc that matches this runtime.
const SupportPackageIsVersion1 = true

// Err is a CEL evaluation error in generated code. It is a code rather than an error
// value, so that evaluating an expression never allocates; the zero Err is no error.
type Err uint8

// The evaluation errors generated code can meet. Their messages are cel-go's where
// cel-go has one.
const (
	OK Err = iota
	ErrIntOverflow
	ErrUintOverflow
	ErrDivisionByZero
	ErrModulusByZero
	ErrIndexOutOfBounds
	ErrNoSuchKey
	ErrTimestampOverflow
	ErrBadIPAddress
	ErrBadCIDR
	ErrBadTimestamp
	ErrBadDuration
	ErrNotApplicable
	// ErrBudgetExhausted: the check's evaluation budget is spent (see Budget).
	ErrBudgetExhausted
)

var errMessages = [...]string{
	OK:                   "",
	ErrIntOverflow:       "integer overflow",
	ErrUintOverflow:      "unsigned integer overflow",
	ErrDivisionByZero:    "division by zero",
	ErrModulusByZero:     "modulus by zero",
	ErrIndexOutOfBounds:  "index out of bounds",
	ErrNoSuchKey:         "no such key",
	ErrTimestampOverflow: "timestamp overflow",
	ErrBadIPAddress:      errBadIP.Error(),
	ErrBadCIDR:           errBadRange.Error(),
	ErrBadTimestamp:      "invalid timestamp",
	ErrBadDuration:       "invalid duration",
	ErrNotApplicable:     "expression does not apply to this resource type",
	ErrBudgetExhausted:   "evaluation budget exhausted",
}

// Message returns the error's text.
func (e Err) Message() string {
	if int(e) < len(errMessages) {
		return errMessages[e]
	}
	return "evaluation error"
}

// AddInt adds with CEL's overflow check.
func AddInt(x, y int64) (int64, Err) {
	if (y > 0 && x > math.MaxInt64-y) || (y < 0 && x < math.MinInt64-y) {
		return 0, ErrIntOverflow
	}
	return x + y, OK
}

// SubInt subtracts with CEL's overflow check.
func SubInt(x, y int64) (int64, Err) {
	if (y < 0 && x > math.MaxInt64+y) || (y > 0 && x < math.MinInt64+y) {
		return 0, ErrIntOverflow
	}
	return x - y, OK
}

// NegInt negates with CEL's overflow check.
func NegInt(x int64) (int64, Err) {
	if x == math.MinInt64 {
		return 0, ErrIntOverflow
	}
	return -x, OK
}

// MulInt multiplies with CEL's overflow check.
func MulInt(x, y int64) (int64, Err) {
	if (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) ||
		(x > 0 && y > 0 && x > math.MaxInt64/y) ||
		(x > 0 && y < 0 && y < math.MinInt64/x) ||
		(x < 0 && y > 0 && x < math.MinInt64/y) ||
		(x < 0 && y < 0 && y < math.MaxInt64/x) {
		return 0, ErrIntOverflow
	}
	return x * y, OK
}

// DivInt divides as CEL does: an error for a zero divisor or an overflow.
func DivInt(x, y int64) (int64, Err) {
	if y == 0 {
		return 0, ErrDivisionByZero
	}
	if x == math.MinInt64 && y == -1 {
		return 0, ErrIntOverflow
	}
	return x / y, OK
}

// ModInt is CEL's %: truncated, an error for a zero divisor or an overflow.
func ModInt(x, y int64) (int64, Err) {
	if y == 0 {
		return 0, ErrModulusByZero
	}
	if x == math.MinInt64 && y == -1 {
		return 0, ErrIntOverflow
	}
	return x % y, OK
}

// AddUint adds with CEL's overflow check.
func AddUint(x, y uint64) (uint64, Err) {
	if y > 0 && x > math.MaxUint64-y {
		return 0, ErrUintOverflow
	}
	return x + y, OK
}

// SubUint subtracts with CEL's underflow check.
func SubUint(x, y uint64) (uint64, Err) {
	if y > x {
		return 0, ErrUintOverflow
	}
	return x - y, OK
}

// MulUint multiplies with CEL's overflow check.
func MulUint(x, y uint64) (uint64, Err) {
	if y != 0 && x > math.MaxUint64/y {
		return 0, ErrUintOverflow
	}
	return x * y, OK
}

// DivUint divides; a zero divisor is an error.
func DivUint(x, y uint64) (uint64, Err) {
	if y == 0 {
		return 0, ErrDivisionByZero
	}
	return x / y, OK
}

// ModUint is CEL's % on uints; a zero divisor is an error.
func ModUint(x, y uint64) (uint64, Err) {
	if y == 0 {
		return 0, ErrModulusByZero
	}
	return x % y, OK
}

// AddDuration adds durations with CEL's overflow check.
func AddDuration(x, y time.Duration) (time.Duration, Err) {
	v, e := AddInt(int64(x), int64(y))
	return time.Duration(v), e
}

// SubDuration subtracts durations with CEL's overflow check.
func SubDuration(x, y time.Duration) (time.Duration, Err) {
	v, e := SubInt(int64(x), int64(y))
	return time.Duration(v), e
}

// CEL's timestamp range, in seconds since the Unix epoch: years 1 through 9999.
const (
	minUnixTime int64 = -62135596800
	maxUnixTime int64 = 253402300799
)

// AddTimeDuration is timestamp + duration as cel-go computes it: an error when the
// result leaves years 1 to 9999.
func AddTimeDuration(x time.Time, y time.Duration) (time.Time, Err) {
	sec1 := x.Truncate(time.Second).Unix()
	nsec1 := x.Sub(x.Truncate(time.Second)).Nanoseconds()
	sec2 := int64(y) / int64(time.Second)
	nsec2 := int64(y) % int64(time.Second)
	sec, e := AddInt(sec1, sec2)
	if e != OK {
		return time.Time{}, e
	}
	nsec := nsec1 + nsec2
	if nsec < 0 || nsec >= int64(time.Second) {
		if sec, e = AddInt(sec, nsec/int64(time.Second)); e != OK {
			return time.Time{}, e
		}
		nsec -= (nsec / int64(time.Second)) * int64(time.Second)
		if nsec < 0 {
			if sec, e = AddInt(sec, -1); e != OK {
				return time.Time{}, e
			}
			nsec += int64(time.Second)
		}
	}
	if sec < minUnixTime || sec > maxUnixTime {
		return time.Time{}, ErrTimestampOverflow
	}
	return time.Unix(sec, nsec).UTC(), OK
}

// SubTimeDuration is timestamp - duration as cel-go computes it.
func SubTimeDuration(x time.Time, y time.Duration) (time.Time, Err) {
	n, e := NegInt(int64(y))
	if e != OK {
		return time.Time{}, e
	}
	return AddTimeDuration(x, time.Duration(n))
}

// SubTime is timestamp - timestamp as cel-go computes it: an error when the
// difference does not fit a duration.
func SubTime(x, y time.Time) (time.Duration, Err) {
	sec1 := x.Truncate(time.Second).Unix()
	nsec1 := x.Sub(x.Truncate(time.Second)).Nanoseconds()
	sec2 := y.Truncate(time.Second).Unix()
	nsec2 := y.Sub(y.Truncate(time.Second)).Nanoseconds()
	sec, e := SubInt(sec1, sec2)
	if e != OK {
		return 0, e
	}
	tsec, e := MulInt(sec, int64(time.Second))
	if e != OK {
		return 0, e
	}
	v, e := AddInt(tsec, nsec1-nsec2)
	return time.Duration(v), e
}

// Double returns f. Generated code passes double literals through it so that the Go
// compiler computes with float64 arithmetic, as CEL does, instead of folding constant
// expressions exactly.
func Double(f float64) float64 { return f }

// Index is list[i]: an error when i is out of range.
func Index[T any](l []T, i int64) (T, Err) {
	if i < 0 || i >= int64(len(l)) {
		var zero T
		return zero, ErrIndexOutOfBounds
	}
	return l[i], OK
}

// Lookup is map[key]: an error when the key is absent.
func Lookup[K comparable, V any](m map[K]V, k K) (V, Err) {
	v, ok := m[k]
	if !ok {
		return v, ErrNoSuchKey
	}
	return v, OK
}

// HasKey is `key in map`.
func HasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}

// In is `x in list` for elements Go's == compares as CEL does.
func In[T comparable](l []T, x T) bool {
	for _, v := range l {
		if v == x {
			return true
		}
	}
	return false
}

// InFunc is `x in list` with CEL equality eq.
func InFunc[T any](l []T, x T, eq func(a, b T) bool) bool {
	for _, v := range l {
		if eq(v, x) {
			return true
		}
	}
	return false
}

// Concat is list + list. Values are never modified, so an empty operand lets the
// other be returned as it is.
func Concat[T any](a, b []T) []T {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]T, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// ListEq is CEL list equality for elements Go's == compares as CEL does.
func ListEq[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ListEqFunc is CEL list equality with element equality eq.
func ListEqFunc[T any](a, b []T, eq func(a, b T) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !eq(a[i], b[i]) {
			return false
		}
	}
	return true
}

// MapEq is CEL map equality for values Go's == compares as CEL does.
func MapEq[K, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || v != w {
			return false
		}
	}
	return true
}

// MapEqFunc is CEL map equality with value equality eq.
func MapEqFunc[K comparable, V any](a, b map[K]V, eq func(a, b V) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !eq(v, w) {
			return false
		}
	}
	return true
}

// BytesEq is CEL equality of bytes.
func BytesEq(a, b []byte) bool { return bytes.Equal(a, b) }

// TimeEq is CEL equality of timestamps: the same instant.
func TimeEq(a, b time.Time) bool { return a.Equal(b) }

// CompareBool orders false before true, as CEL does.
func CompareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// StringSize is size(string): the number of code points.
func StringSize(s string) int64 { return int64(utf8.RuneCountInString(s)) }

// InIPAddrRangeErr is InIPAddrRange with its error as an Err.
func InIPAddrRangeErr(addr, cidr string) (bool, Err) {
	ok, err := InIPAddrRange(addr, cidr)
	switch err {
	case nil:
		return ok, OK
	case errBadIP:
		return false, ErrBadIPAddress
	}
	return false, ErrBadCIDR
}

// SortedKeys returns the keys of m in ascending order, the order in which every
// macro iterates over a map: strings by their bytes, numbers by value. The keys are
// appended to buf[:0], so that a caller with an array on its stack sorts small maps
// without allocating.
func SortedKeys[K cmp.Ordered, V any](m map[K]V, buf []K) []K {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// SortedBoolKeys is SortedKeys for a map with bool keys: false, then true.
func SortedBoolKeys[V any](m map[bool]V, buf []bool) []bool {
	keys := buf[:0]
	for _, k := range [2]bool{false, true} {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	return keys
}
