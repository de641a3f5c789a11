package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseJSONStrict(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{`{"a": 1, "a": 2}`, "duplicate key"},
		{`{"a": 1} x`, "after the JSON value"},
		{`{"a": 01}`, "expected ','"},
		{`{"a": 1.}`, "invalid number"},
		{`{"a": -}`, "invalid number"},
		{"{\"a\": \"\x01\"}", "control character"},
		{"{\"a\": \"\xff\"}", "invalid UTF-8"},
		{`{"a": "\ud800"}`, "surrogate"},
		{`{"a": "\q"}`, "invalid escape"},
		{`[1, 2,]`, "unexpected character"},
		{`{"a" 1}`, "expected ':'"},
		{`nul`, "invalid literal"},
		{``, "unexpected end"},
		{strings.Repeat("[", MaxJSONDepth+2) + strings.Repeat("]", MaxJSONDepth+2), "nested too deeply"},
	} {
		_, err := ParseJSON([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseJSON(%q) = %v, want error containing %q", tc.in, err, tc.err)
		}
	}
	v, err := ParseJSON([]byte(` {"s": "a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "n": -1.5e3, "t": true, "f": false, "z": null, "l": [], "o": {}} `))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := v.Get("s"); s.Str != "a\"\\/\b\f\n\r\té😀" {
		t.Errorf("string = %q", s.Str)
	}
	if n, _ := v.Get("n"); n.Kind != JSONNumber || n.Str != "-1.5e3" {
		t.Errorf("number = %+v", n)
	}
	if z, _ := v.Get("z"); z.Kind != JSONNull {
		t.Errorf("null = %+v", z)
	}
}

// toAny converts a parsed value into what encoding/json produces with UseNumber.
func toAny(j *JSON) any {
	switch j.Kind {
	case JSONBool:
		return j.Bool
	case JSONNumber:
		return json.Number(j.Str)
	case JSONString:
		return j.Str
	case JSONArray:
		out := []any{}
		for i := range j.Elems {
			out = append(out, toAny(&j.Elems[i]))
		}
		return out
	case JSONObject:
		out := map[string]any{}
		for i, k := range j.Keys {
			out[k] = toAny(&j.Elems[i])
		}
		return out
	}
	return nil
}

// FuzzParseJSON compares the parser with encoding/json: whatever it accepts,
// encoding/json accepts with the same value; whatever it rejects that encoding/json
// accepts is a duplicate key, invalid UTF-8 or too deep a nesting.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, "x", true, null, {"b": -0.5e-3}]}`, `"\u00e9"`, `[[[]]]`, `{"a":1,"a":2}`, `12`, `{"s": "\ud83d\ude00"}`} {
		f.Add([]byte(s))
	}
	// One Parser answers every input, so each document is parsed over the remains of
	// the ones before it.
	var ps Parser
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseJSON(data)
		pv, perr := ps.Parse(data)
		if (err == nil) != (perr == nil) || err != nil && err.Error() != perr.Error() {
			t.Fatalf("Parser.Parse(%q) = %v, ParseJSON %v", data, perr, err)
		}
		if err == nil && !reflect.DeepEqual(toAny(pv), toAny(&v)) {
			t.Fatalf("Parser.Parse(%q) = %#v, ParseJSON %#v", data, toAny(pv), toAny(&v))
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		stdErr := dec.Decode(&want)
		if stdErr == nil && dec.More() {
			stdErr = errTrailing
		}
		if stdErr == nil {
			var extra any
			if dec.Decode(&extra) == nil {
				stdErr = errTrailing
			}
		}
		if err == nil {
			if stdErr != nil || !json.Valid(data) {
				t.Fatalf("accepted %q, which encoding/json rejects: %v", data, stdErr)
			}
			if got := toAny(&v); !reflect.DeepEqual(got, want) {
				t.Fatalf("value of %q = %#v, encoding/json says %#v", data, got, want)
			}
			return
		}
		if json.Valid(data) {
			msg := err.Error()
			if !strings.Contains(msg, "duplicate key") && !strings.Contains(msg, "nested too deeply") && !strings.Contains(msg, "UTF-8") && !strings.Contains(msg, "surrogate") {
				t.Fatalf("rejected valid JSON %q: %v", data, err)
			}
		}
	})
}

var errTrailing = &JSONError{Msg: "trailing"}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "ctl\x00\x1f\n\t\r", "é😀", "bad\xffutf8", "<html>&"} {
		b := AppendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("AppendJSONString(%q) = %s: %v", s, b, err)
		}
		want := s
		if !utf8.ValidString(s) {
			want = strings.ToValidUTF8(s, "\ufffd")
		}
		if back != want {
			t.Errorf("round trip of %q gave %q", s, back)
		}
	}
}

func TestInIPAddrRange(t *testing.T) {
	for _, tc := range []struct {
		addr, cidr string
		want       bool
		err        bool
	}{
		{"10.1.2.3", "10.0.0.0/8", true, false},
		{"11.1.2.3", "10.0.0.0/8", false, false},
		{"10.1.2.3", "10.1.2.3/32", true, false},
		{"::ffff:10.1.2.3", "10.0.0.0/8", true, false},
		{"10.1.2.3", "::ffff:10.0.0.0/104", true, false},
		{"2001:db8::1", "2001:db8::/32", true, false},
		{"2001:db8::1", "10.0.0.0/8", false, false},
		{"10.1.2.3", "2001:db8::/32", false, false},
		{"fe80::1%eth0", "fe80::/10", false, true},
		{"10.1.2", "10.0.0.0/8", false, true},
		{"10.1.2.3", "10.0.0.0/33", false, true},
		{"10.1.2.3", "10.0.0.0", false, true},
		{"", "10.0.0.0/8", false, true},
	} {
		got, err := InIPAddrRange(tc.addr, tc.cidr)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("InIPAddrRange(%q, %q) = %v, %v; want %v, error %v", tc.addr, tc.cidr, got, err, tc.want, tc.err)
		}
	}
}

func TestParseScalars(t *testing.T) {
	if _, err := ParseInt("1.0"); err == nil {
		t.Error("ParseInt accepted a fraction")
	}
	if _, err := ParseInt("9223372036854775808"); err == nil {
		t.Error("ParseInt accepted an overflow")
	}
	if n, err := ParseInt("-9223372036854775808"); err != nil || n != -1<<63 {
		t.Errorf("ParseInt(min) = %d, %v", n, err)
	}
	if _, err := ParseUint("-1"); err == nil {
		t.Error("ParseUint accepted a negative")
	}
	if _, err := ParseTimestamp("2026-11-22"); err == nil {
		t.Error("ParseTimestamp accepted a date")
	}
	if ts, err := ParseTimestamp("2026-11-22T11:00:00+01:00"); err != nil || !ts.Equal(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseTimestamp = %v, %v", ts, err)
	}
	if d, err := ParseDuration("1h30m"); err != nil || d != 90*time.Minute {
		t.Errorf("ParseDuration = %v, %v", d, err)
	}
	if _, err := ParseBytes("not base64!"); err == nil {
		t.Error("ParseBytes accepted junk")
	}
}

func TestDecisionJSON(t *testing.T) {
	d := Decision{Allowed: true, Permission: "doc.read", Reason: Reason{Kind: Role, Role: "r", Assignment: 2},
		Errors:   []EvalError{{Kind: "scope", Name: "s", Assignment: 1, Message: "boom"}, {Kind: "rule", Name: "x", Assignment: -1, Message: "m"}},
		Warnings: []Warning{{Assignment: 0, Message: "unknown role \"q\""}}}
	got := string(d.AppendJSON(nil))
	want := `{"allowed":true,"permission":"doc.read","reason":{"kind":"role","role":"r","assignment":2},"errors":[{"kind":"scope","name":"s","assignment":1,"message":"boom"},{"kind":"rule","name":"x","message":"m"}],"warnings":[{"assignment":0,"message":"unknown role \"q\""}]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !json.Valid(AppendErrorJSON(nil, "bad \"input\"\n")) {
		t.Error("AppendErrorJSON produced invalid JSON")
	}
}

// TestManyKeys: an object with as many keys as a request of 1 MiB can hold parses in
// linear time (it took half a minute when every key was compared with every other),
// and a duplicate among them is still found.
func TestManyKeys(t *testing.T) {
	b := []byte{'{'}
	for i := 0; len(b) < 1<<20; i++ {
		b = append(b, `"k`...)
		b = strconv.AppendInt(b, int64(i), 36)
		b = append(b, `":0,`...)
	}
	v, err := ParseJSON(append(bytes.Clone(b[:len(b)-1]), '}'))
	if err != nil || len(v.Keys) < 100000 {
		t.Fatalf("%d keys, %v", len(v.Keys), err)
	}
	_, err = ParseJSON(append(b, `"k0":1}`...))
	if err == nil || !strings.Contains(err.Error(), `duplicate key "k0"`) {
		t.Errorf("a duplicate after %d keys: %v", len(v.Keys), err)
	}
	for _, n := range []int{manyKeys - 1, manyKeys, manyKeys + 1} {
		doc := []byte{'{'}
		for i := range n {
			doc = fmt.Appendf(doc, `"k%d":0,`, i)
		}
		doc = fmt.Appendf(doc, `"k%d":0}`, n-1)
		if _, err := ParseJSON(doc); err == nil {
			t.Errorf("duplicate key %d of %d not found", n, n)
		}
	}
}

// TestParserReuse parses documents of different shapes with one Parser: each result
// is that of ParseJSON, and parsing a document like the last one allocates nothing.
func TestParserReuse(t *testing.T) {
	docs := []string{
		`{"principal": {"id": "alice", "roles": [{"role": "r", "scope": {"type": "org", "org": "MITx"}}]}, "n": [1, 2.5e3]}`,
		`[[], {}, [{"a": "\u00e9x"}], "plain", null, true]`,
		`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17}`,
		`{"a": [1, 2`,
		`"x"`,
	}
	var ps Parser
	for range 3 {
		for _, d := range docs {
			want, werr := ParseJSON([]byte(d))
			got, err := ps.Parse([]byte(d))
			if (werr == nil) != (err == nil) {
				t.Fatalf("Parse(%s) = %v, ParseJSON %v", d, err, werr)
			}
			if err == nil && !reflect.DeepEqual(toAny(got), toAny(&want)) {
				t.Fatalf("Parse(%s) = %#v, want %#v", d, toAny(got), toAny(&want))
			}
		}
	}
	doc := []byte(docs[0])
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ps.Parse(doc); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Parse allocates %v times per document", allocs)
	}
	j, _ := ps.Parse([]byte(`{"l": ["a", "b"], "m": ["c"], "bad": ["a", 1]}`))
	l, err1 := ps.Strings(Field(j, "l"), "l", "an array")
	m, err2 := ps.Strings(Field(j, "m"), "m", "an array of strings")
	_, err3 := ps.Strings(Field(j, "bad"), "bad", "an array")
	_, err4 := DecodeListOf(Field(j, "bad"), "bad", DecodeString)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(l, []string{"a", "b"}) || !reflect.DeepEqual(m, []string{"c"}) {
		t.Errorf("Strings = %q %v and %q %v", l, err1, m, err2)
	}
	if err3 == nil || err4 == nil || err3.Error() != err4.Error() {
		t.Errorf("Strings error %v, DecodeListOf's %v", err3, err4)
	}
	if e, err := ps.Strings(&JSON{Kind: JSONArray}, "e", "an array of strings"); e == nil || err != nil {
		t.Errorf("Strings of [] = %#v, %v; want an empty list, not nil", e, err)
	}
	if l = append(l, "z"); m[0] != "c" {
		t.Errorf("appending to one list changed the next: %q", m)
	}
}
