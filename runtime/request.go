package runtime

import (
	"strconv"
	"strings"
	"time"
)

// The helpers below decode a request the way the reference evaluator does, with its
// messages, so that a malformed request gets the same {"error": ...} from every
// backend. Generated decoders call them; they allocate, the typed API does not use them.

// RequestError is a malformed request: it gets an error, never a decision.
type RequestError struct{ Msg string }

func (e *RequestError) Error() string { return e.Msg }

// Errorf returns a *RequestError whose message is the concatenation of parts. It is
// kept out of line: errors are rare, and a Wasm module pays for every inlined copy.
//
//go:noinline
func Errorf(parts ...string) error { return &RequestError{Msg: strings.Join(parts, "")} }

// Quote quotes s as Go's %q does.
func Quote(s string) string { return strconv.Quote(s) }

// Field returns the value of key in the object j, or nil when it is absent or null.
func Field(j *JSON, key string) *JSON {
	if v, ok := j.Get(key); ok && v.Kind != JSONNull {
		return v
	}
	return nil
}

// CheckKeys reports the first key of the object j that is not allowed.
func CheckKeys(j *JSON, where string, allowed ...string) error {
	for _, k := range j.Keys {
		found := false
		for _, a := range allowed {
			if a == k {
				found = true
				break
			}
		}
		if !found {
			return Errorf(where, ": unknown key ", Quote(k), DidYouMean(k, allowed))
		}
	}
	return nil
}

// WantObject reports a value that is not an object.
func WantObject(j *JSON, where string) error {
	if j.Kind != JSONObject {
		return Errorf(where, ": want an object, not ", j.Kind.String())
	}
	return nil
}

// WantString returns a required string.
func WantString(j *JSON, where string) (string, error) {
	if j == nil {
		return "", Errorf(where, " is required")
	}
	if j.Kind != JSONString {
		return "", Errorf(where, ": want a string, not ", j.Kind.String())
	}
	return j.Str, nil
}

// WantArray reports a value that is not an array.
func WantArray(j *JSON, where string) error {
	if j.Kind != JSONArray {
		return Errorf(where, ": want an array, not ", j.Kind.String())
	}
	return nil
}

// Subpath returns where+suffix, the path of a value inside the one at where, or "" when
// where is "": decoders first run with an empty path, which names nothing and costs
// nothing, and build paths only when they run again for an error's message. It is
// kept out of line: inlined at every use, it would cost a Wasm module kilobytes.
//
//go:noinline
func Subpath(where, suffix string) string {
	if where == "" {
		return ""
	}
	return where + suffix
}

// ElemWhere names element i of the list at where.
func ElemWhere(where string, i int) string { return where + "[" + strconv.Itoa(i) + "]" }

// KeyWhere names the value of key k of the map at where.
func KeyWhere(where, k string) string { return where + "[" + Quote(k) + "]" }

// UndeclaredAttribute is the error for an attribute the spec does not declare.
func UndeclaredAttribute(where, k string, names []string) error {
	if k == "id" {
		return Errorf(where, `: "id" goes beside attributes, not inside them`)
	}
	return Errorf(where, ": undeclared attribute ", Quote(k), DidYouMean(k, names))
}

func wrongKind(j *JSON, where, want string) error {
	return Errorf(where, ": want ", want, ", not ", j.Kind.String())
}

func wrap(where string, err error) error { return Errorf(where, ": ", err.Error()) }

// DecodeBool decodes a bool attribute.
func DecodeBool(j *JSON, where string) (bool, error) {
	if j.Kind != JSONBool {
		return false, wrongKind(j, where, "a boolean")
	}
	return j.Bool, nil
}

// DecodeInt decodes an int attribute.
func DecodeInt(j *JSON, where string) (int64, error) {
	if j.Kind != JSONNumber {
		return 0, wrongKind(j, where, "a number")
	}
	n, err := ParseInt(j.Str)
	if err != nil {
		return 0, wrap(where, err)
	}
	return n, nil
}

// DecodeUint decodes a uint attribute.
func DecodeUint(j *JSON, where string) (uint64, error) {
	if j.Kind != JSONNumber {
		return 0, wrongKind(j, where, "a number")
	}
	n, err := ParseUint(j.Str)
	if err != nil {
		return 0, wrap(where, err)
	}
	return n, nil
}

// DecodeDouble decodes a double attribute.
func DecodeDouble(j *JSON, where string) (float64, error) {
	if j.Kind != JSONNumber {
		return 0, wrongKind(j, where, "a number")
	}
	f, err := ParseDouble(j.Str)
	if err != nil {
		return 0, wrap(where, err)
	}
	return f, nil
}

// DecodeString decodes a string attribute.
func DecodeString(j *JSON, where string) (string, error) {
	if j.Kind != JSONString {
		return "", wrongKind(j, where, "a string")
	}
	return j.Str, nil
}

// DecodeBytes decodes a bytes attribute (base64).
func DecodeBytes(j *JSON, where string) ([]byte, error) {
	if j.Kind != JSONString {
		return nil, wrongKind(j, where, "a string")
	}
	b, err := ParseBytes(j.Str)
	if err != nil {
		return nil, wrap(where, err)
	}
	return b, nil
}

// DecodeTimestamp decodes a timestamp attribute (RFC 3339).
func DecodeTimestamp(j *JSON, where string) (time.Time, error) {
	if j.Kind != JSONString {
		return time.Time{}, wrongKind(j, where, "a string")
	}
	t, err := ParseTimestamp(j.Str)
	if err != nil {
		return time.Time{}, wrap(where, err)
	}
	return t, nil
}

// DecodeDuration decodes a duration attribute ("90s").
func DecodeDuration(j *JSON, where string) (time.Duration, error) {
	if j.Kind != JSONString {
		return 0, wrongKind(j, where, "a string")
	}
	d, err := ParseDuration(j.Str)
	if err != nil {
		return 0, wrap(where, err)
	}
	return d, nil
}

// DecodeList checks that j is an array; the caller decodes its elements.
func DecodeList(j *JSON, where string) error {
	if j.Kind != JSONArray {
		return wrongKind(j, where, "an array")
	}
	return nil
}

// DecodeMap checks that j is an object; the caller decodes its values.
func DecodeMap(j *JSON, where string) error {
	if j.Kind != JSONObject {
		return wrongKind(j, where, "an object")
	}
	return nil
}

// Suggest returns the candidate closest to name, or "" when none is close enough to be
// a likely misspelling. Failing that, it returns the one candidate that name
// abbreviates or that abbreviates name ("perms" and "permissions", "organization"
// and "org"): the shorter, of three letters or more, is the longer with letters left
// out (their distance is then the difference of their lengths), and both start alike.
// It is the suggestion the spec loader makes.
func Suggest(name string, candidates []string) string {
	best, bestD := "", 0
	abbrev, abbrevs := "", 0
	for _, c := range candidates {
		d := editDistance(name, c)
		if best == "" || d < bestD {
			best, bestD = c, d
		}
		if short := min(len(name), len(c)); short >= 3 && d > 0 && d == max(len(name), len(c))-short && name[0] == c[0] {
			abbrev, abbrevs = c, abbrevs+1
		}
	}
	limit := min(max(len(name)/3, 1), 3)
	if best != "" && bestD <= limit && best != name {
		return best
	}
	if abbrevs == 1 {
		return abbrev
	}
	return ""
}

// DidYouMean formats ` (did you mean "x"?)`, or "" when nothing is close.
func DidYouMean(name string, candidates []string) string {
	if s := Suggest(name, candidates); s != "" {
		return " (did you mean " + Quote(s) + "?)"
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// DecodeListOf decodes an array whose elements elem decodes. An element's path is
// built only for the message of an error: the element is decoded again with it.
func DecodeListOf[T any](j *JSON, where string, elem func(*JSON, string) (T, error)) ([]T, error) {
	if err := DecodeList(j, where); err != nil {
		return nil, err
	}
	out := make([]T, len(j.Elems))
	for i := range j.Elems {
		v, err := elem(&j.Elems[i], where)
		if err != nil {
			_, err = elem(&j.Elems[i], ElemWhere(where, i))
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// DecodeMapOf decodes an object whose values elem decodes, building a value's path
// only for the message of an error, as DecodeListOf does.
func DecodeMapOf[T any](j *JSON, where string, elem func(*JSON, string) (T, error)) (map[string]T, error) {
	if err := DecodeMap(j, where); err != nil {
		return nil, err
	}
	out := make(map[string]T, len(j.Keys))
	for i, k := range j.Keys {
		v, err := elem(&j.Elems[i], where)
		if err != nil {
			_, err = elem(&j.Elems[i], KeyWhere(where, k))
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// Resize returns a slice of n zero elements, in s's memory when it has room for them:
// the decoders keep their slices from one request to the next.
func Resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}
