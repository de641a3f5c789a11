package rt

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/permc/permc/runtime"
)

// dumpJSON writes a parsed document as c/test.c's dump does.
func dumpJSON(b []byte, j *runtime.JSON) []byte {
	switch j.Kind {
	case runtime.JSONNull:
		return append(b, 'n')
	case runtime.JSONBool:
		if j.Bool {
			return append(b, 't')
		}
		return append(b, 'f')
	case runtime.JSONNumber:
		return append(append(append(b, '#'), j.Str...), ';')
	case runtime.JSONString:
		return dumpString(b, j.Str)
	case runtime.JSONArray:
		b = append(strconv.AppendInt(append(b, '['), int64(len(j.Elems)), 10), ':')
		for i := range j.Elems {
			b = dumpJSON(b, &j.Elems[i])
		}
		return append(b, ']')
	}
	b = append(strconv.AppendInt(append(b, '{'), int64(len(j.Keys)), 10), ':')
	for i, k := range j.Keys {
		b = dumpJSON(dumpString(b, k), &j.Elems[i])
	}
	return append(b, '}')
}

func dumpString(b []byte, s string) []byte {
	return append(append(strconv.AppendInt(append(b, 's'), int64(len(s)), 10), ':'), s...)
}

// goJSON is what the Go parser makes of in, in the form of t_json's answer.
func goJSON(in []byte) (string, bool) {
	j, err := runtime.ParseJSON(in)
	if err != nil {
		return err.Error(), false
	}
	return string(dumpJSON(nil, &j)), true
}

func checkJSON(t *testing.T, in *inst, doc []byte) {
	t.Helper()
	got, gotOK := in.text("t_json", doc)
	want, wantOK := goJSON(doc)
	if got != want || gotOK != wantOK {
		t.Errorf("parse %q:\n got %v %.300q\nwant %v %.300q", clip(doc), gotOK, got, wantOK, want)
	}
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// jsonCases are documents that exercise every path of the parser and every error,
// and documents with several errors, where the first one the Go parser meets must
// win.
func jsonCases() []string {
	cases := []string{
		``, ` `, `null`, `true`, `false`, `nul`, `nulll`, `tru`, `t`, `f`, `n`, `nullx`, `[nul]`,
		`0`, `-0`, `-`, `01`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1E-5`, `1e5x`, `-1.5e3`, `1.0e+`, `[-]`, `[01]`, `{"a":-}`,
		`123456789012345678901234567890.123456789e-999999`, `[1,2,]`, `[,1]`, `[1 2]`, `[1,]`, `[`, `[1`, `[1,`,
		`]`, `}`, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a" 1}`, `{"a":1 "b":2}`, `{1:2}`, `{"a":1,}`,
		`{,}`, `{"a":1}x`, `{"a":1} x`, ` {"a":1} `, "\t\n\r [ ] \r\n", `[] []`, `"\u0000"`, `"\ud83d\ude00"`,
		`"\ud800"`, `"\ud800x"`, `"\ud800\u"`, `"\ud800\u0041"`, `"\udc00\ud800"`, `"\ud800\udbff"`, `"\ud800\udc00\udfff"`,
		`"\u12"`, `"\u12g4"`, `"\uABCDx"`, `"\u00E9\u00e9"`, `"\q"`, `"\`, `"\"`, `"abc`, `"a\"b"`, `"\/\b\f\n\r\t\\"`,
		"\"\x01\"", "\"\x1f\"", "\"\x7f\"", "\"\xff\"", "\"\xc3\xa9\"", "\"\xc3\"", "\"\xe2\x82\"", "\"\xed\xa0\x80\"",
		"\"\xf4\x90\x80\x80\"", "\"\xf0\x9f\x98\x80\"", "\"\xc0\x80\"", "\"\xe0\x80\x80\"",
		// Which error wins: invalid UTF-8 is found at the closing quote, after the
		// string's escapes and control bytes.
		"\"\xff\\q\"", "\"\xff\x01\"", "\"\xff\\n\"", "\"\\n\xff\"", "\"\xff", "\"\\n\xff", "[\"\xff\"", "{\"\xff\":1}",
		"{\"a\":1,\"a\":\"\xff\"}", "{\"a\":1,\"a\"", "{\"\xff\":1,\"\xff\":2}",
		`{"a":1,"a":2}`, `{"a":{"b":1,"b":2},"a":3}`, `{"":1,"":2}`, `{"a\u0000":1,"a":2}`, `{"a\u0000":1,"a\u0000":2}`,
		`{"\u0061":1,"a":2}`, `{"a":1,"b":2,"a":3`, `{"a":[1,{"a":1,"a":2}]}`,
		`"` + strings.Repeat("x", 100) + `"`, `"` + strings.Repeat("é", 50) + `\n"`, `"` + strings.Repeat("ab\\n", 40) + `"`,
	}
	// Every byte alone, in an array and in a string.
	for c := 0; c < 256; c++ {
		cases = append(cases, string(rune(c)), string([]byte{byte(c)}), "["+string([]byte{byte(c)})+"]",
			"\""+string([]byte{byte(c)})+"\"", "{\"a\":"+string([]byte{byte(c)})+"}", "\"\\"+string([]byte{byte(c)})+"\"")
	}
	// Nesting at and around the limit, and where the depth error is reported.
	for _, d := range []int{63, 64, 65, 66, 67, 200} {
		cases = append(cases,
			strings.Repeat("[", d)+strings.Repeat("]", d),
			strings.Repeat("[ ", d)+strings.Repeat("]", d),
			strings.Repeat("[1, ", d)+strings.Repeat("]", d),
			strings.Repeat(`{"a": `, d)+"1"+strings.Repeat("}", d),
			strings.Repeat(`{"a":`, d)+"1"+strings.Repeat("}", d),
			strings.Repeat(`[{"a":`, d/2)+"1"+strings.Repeat("}]", d/2),
			strings.Repeat("[", d),
		)
	}
	// Objects of many keys, with and without a duplicate, around the point where
	// the parser switches to its tree.
	for _, n := range []int{14, 15, 16, 17, 18, 40, 300} {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = fmt.Sprintf("k%d", i)
		}
		cases = append(cases, object(keys))
		for _, at := range []int{0, n / 2, n - 1} {
			cases = append(cases, object(append(append([]string(nil), keys...), keys[at])))
			cases = append(cases, object(append(append([]string(nil), keys...), keys[at]+"x")))
		}
		// Keys that are prefixes of each other, share prefixes, hold NUL bytes.
		var nested []string
		for i := 0; i < n; i++ {
			nested = append(nested, strings.Repeat("a", i))
		}
		cases = append(cases, object(nested), object(append(nested, "")), object(append(nested, "aaa")))
		var nul []string
		for i := 0; i < n; i++ {
			nul = append(nul, "\\u0000"+strings.Repeat("\\u0000", i%5)+strconv.Itoa(i/5))
		}
		cases = append(cases, object(nul), object(append(nul, nul[n/3])))
		var bits []string
		for i := 0; i < n; i++ {
			bits = append(bits, string([]byte{byte(i), byte(i >> 8 & 0x7f), 'x'}))
		}
		cases = append(cases, object(bits), object(append(bits, bits[n-2])))
	}
	return cases
}

// object writes {"k0":0,"k1":1,...}; keys are written as they are (escapes and
// all), except that bytes under 0x20 are escaped.
func object(keys []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for j := 0; j < len(k); j++ {
			if k[j] < 0x20 {
				fmt.Fprintf(&b, "\\u%04x", k[j])
			} else {
				b.WriteByte(k[j])
			}
		}
		fmt.Fprintf(&b, "\":%d", i)
	}
	b.WriteByte('}')
	return b.String()
}

func TestJSON(t *testing.T) {
	in := newInst(t, testModule)
	for _, c := range jsonCases() {
		checkJSON(t, in, []byte(c))
	}
}

// TestJSONLarge: large documents, whose tape is sized by counting their
// separators first, parse as the Go parser parses them.
func TestJSONLarge(t *testing.T) {
	in := newInst(t, testModule)
	big := func(unit string, n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat(unit+",", n), ",") + "]"
	}
	for _, doc := range []string{
		big("0", 300000),
		big(`"a\"b,c:[{"`, 40000),
		big(`{"a":[1,2],"b":{"c":"d\\"}}`, 20000),
		`"` + strings.Repeat("x", 500000) + `"`,
		`"` + strings.Repeat("\\n", 300000) + `"`,
		big("[]", 100000) + " x",
		big(`"\u00e9"`, 50000)[:200000],
		object(func() []string {
			var k []string
			for i := 0; i < 50000; i++ {
				k = append(k, strconv.Itoa(i*7919))
			}
			return append(k, "7919")
		}()),
	} {
		checkJSON(t, in, []byte(doc))
	}
}

func FuzzJSON(f *testing.F) {
	for _, c := range jsonCases() {
		if len(c) < 2000 {
			f.Add([]byte(c))
		}
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, doc []byte) {
		in.t = t
		checkJSON(t, in, doc)
	})
}

func TestJSONString(t *testing.T) {
	in := newInst(t, testModule)
	cases := []string{"", "a", `"`, `\`, "\n\r\t\b\f\x00\x1f\x7f", "é😀", "\xff", "a\xffb", "\xe2\x82", "\xed\xa0\x80",
		"\xef\xbf\xbd", "</script>&", strings.Repeat("abcdefgh", 10) + "\"" + strings.Repeat("x\x01", 9)}
	for c := 0; c < 256; c++ {
		cases = append(cases, string([]byte{byte(c)}), strings.Repeat("x", c%9)+string([]byte{byte(c)})+"yyyyyyyyy")
	}
	for _, s := range cases {
		checkJSONString(t, in, s)
	}
}

func checkJSONString(t *testing.T, in *inst, s string) {
	t.Helper()
	if got, _ := in.text("t_json_str", []byte(s)); got != string(runtime.AppendJSONString(nil, s)) {
		t.Errorf("AppendJSONString(%q) = %s, want %s", s, got, runtime.AppendJSONString(nil, s))
	}
	if got, _ := in.text("t_error_json", []byte(s)); got != string(runtime.AppendErrorJSON(nil, s)) {
		t.Errorf("AppendErrorJSON(%q) = %s, want %s", s, got, runtime.AppendErrorJSON(nil, s))
	}
}

func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c\n", "\xff\xfe", "é\x00\u2028"} {
		f.Add(s)
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, s string) {
		in.t = t
		checkJSONString(t, in, s)
	})
}
