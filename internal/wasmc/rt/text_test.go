package rt

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/permc/permc/runtime"
)

// TestIsPrint compares the C table with strconv.IsPrint on every rune.
func TestIsPrint(t *testing.T) {
	in := newInst(t, testModule)
	bits, _ := in.text("t_isprint", nil)
	if len(bits) != 0x110000/8 {
		t.Fatalf("%d bytes of bitmap", len(bits))
	}
	bad := 0
	for r := rune(0); r < 0x110000; r++ {
		got := bits[r>>3]&(1<<(r&7)) != 0
		if got != strconv.IsPrint(r) && bad < 10 {
			t.Errorf("isprint(%U) = %v", r, got)
			bad++
		}
	}
}

var quoteCases = []string{
	"", "abc", `"`, `\`, "'", "\a\b\f\n\r\t\v", "\x00\x01\x1f\x7f", "é", "\u00a0\u00ad", "\u2028\u2029", "\ufeff",
	"\U0001F600", "\U000E0001", "\U0010FFFF", "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80",
	"\xef\xbf\xbd", "a\xffb\x00c", "\u0378", "\u061c", "\U0001D455", "\u3000", "日本語",
}

func TestQuote(t *testing.T) {
	in := newInst(t, testModule)
	cases := append([]string(nil), quoteCases...)
	for c := 0; c < 256; c++ {
		cases = append(cases, string([]byte{byte(c)}), string(rune(c)))
	}
	for _, s := range cases {
		checkQuote(t, in, s)
	}
	for _, r := range []rune{0, 7, 13, 31, 32, '\'', '"', '\\', 0x7f, 0x80, 0xa0, 0xad, 0xff, 0xd800, 0xdfff, 0xfffd,
		0xffff, 0x10000, 0x10ffff, 0x110000, 0x7fffffff, -1} {
		if got, _ := in.text("t_quote_rune", binary.LittleEndian.AppendUint64(nil, uint64(uint32(r)))); got != strconv.QuoteRune(r) {
			t.Errorf("QuoteRune(%#x) = %s, want %s", r, got, strconv.QuoteRune(r))
		}
	}
}

func checkQuote(t *testing.T, in *inst, s string) {
	t.Helper()
	if got, _ := in.text("t_quote", []byte(s)); got != runtime.Quote(s) {
		t.Errorf("Quote(%q) = %s, want %s", s, got, runtime.Quote(s))
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range quoteCases {
		f.Add(s)
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, s string) {
		in.t = t
		checkQuote(t, in, s)
	})
}

var suggestCases = [][]string{
	{"orgg", "org", "library", "course"},
	{"x"},
	{"", ""},
	{"", "a", "b"},
	{"a", ""},
	{"a", "", "abc", "xyzw", "b"},
	{"abcd", "zzzzzz", "", "qqqqq", "abce"},
	{"view", "view", "edit"},
	{"veiw", "view", "edit"},
	{"library", "libary", "librar", "library"},
	{"publish", "publsh", "publih"},
	{"abcdefghijkl", "abcdefghijxx", "abcdefghixxx", "abcdefgxxxxx"},
	{"abcdefghijkl", "abcdefghi", "abcdefghijklmno", "abcdefghijklmnop"},
	{"ab", "ba", "abc", "a"},
	{"kitten", "sitting", "kitchen", "mitten"},
	{"name", "name", "description", "permissions", "scopes"},
	{"permisions", "name", "description", "permissions", "scopes"},
	{strings.Repeat("a", 1000), strings.Repeat("a", 999), strings.Repeat("a", 1001)},
	{strings.Repeat("a", 1000), strings.Repeat("a", 996)},
	{"é", "e", "è"},
}

func checkSuggest(t *testing.T, in *inst, c []string) {
	t.Helper()
	if got, _ := in.text("t_suggest", args(c...)); got != runtime.Suggest(c[0], c[1:]) {
		t.Errorf("Suggest(%q, %q) = %q, want %q", c[0], c[1:], got, runtime.Suggest(c[0], c[1:]))
	}
	if got, _ := in.text("t_did_you_mean", args(c...)); got != runtime.DidYouMean(c[0], c[1:]) {
		t.Errorf("DidYouMean(%q, %q) = %q, want %q", c[0], c[1:], got, runtime.DidYouMean(c[0], c[1:]))
	}
}

func TestSuggest(t *testing.T) {
	in := newInst(t, testModule)
	for _, c := range suggestCases {
		checkSuggest(t, in, c)
	}
}

// FuzzSuggest: a name and up to eight candidates, separated by commas in the
// input; edit distances are capped in C and exact in Go.
func FuzzSuggest(f *testing.F) {
	for _, c := range suggestCases {
		if len(c[0]) < 100 {
			f.Add(strings.Join(c, ","))
		}
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, s string) {
		in.t = t
		c := strings.Split(s, ",")
		if len(c) > 9 {
			c = c[:9]
		}
		checkSuggest(t, in, c)
	})
}

func checkUTF8(t *testing.T, in *inst, s string) {
	t.Helper()
	want := "0"
	if utf8.ValidString(s) {
		want = "1"
	}
	want += " " + strconv.Itoa(utf8.RuneCountInString(s))
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		want += fmt.Sprintf(" %d/%d/%s", r, w, base64.StdEncoding.EncodeToString(utf8.AppendRune(nil, r)))
		i += w
	}
	if got, _ := in.text("t_utf8", []byte(s)); got != want {
		t.Errorf("utf8(%q) = %s, want %s", s, got, want)
	}
}

func TestUTF8(t *testing.T) {
	in := newInst(t, testModule)
	for _, s := range append(quoteCases, "abcdefghijklmnop", "abcdefgh\xff", "abcdefghé", "\xf0\x9f\x98", "\xf0\x9f\x98\x80\x80") {
		checkUTF8(t, in, s)
	}
	// Every first byte with every second byte, and three- and four-byte forms at
	// the edges of the ranges.
	for a := 0x80; a < 0x100; a++ {
		for _, b := range []int{0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff} {
			checkUTF8(t, in, string([]byte{byte(a), byte(b), 0x80, 0x80}))
			checkUTF8(t, in, string([]byte{byte(a), byte(b)}))
		}
	}
}

func FuzzUTF8(f *testing.F) {
	for _, s := range quoteCases {
		f.Add(s)
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, s string) {
		in.t = t
		checkUTF8(t, in, s)
	})
}

var base64Cases = []string{
	"", "=", "==", "A", "AA", "AAA", "AAAA", "AA==", "AAA=", "AA=", "A===", "AAAA====", "AA==AA", "AAA==", "AA=\n=",
	"AA\n==", "AA=\r\n=", "AAAA\n", "\n", "\r\n\r\n", "A\nA\nA\nA", "AB==", "AB=", "QUJD", "QUJDRA==", "QUJDRA", "QUJDRA=",
	"QUJDRA===", "QUJ DRA==", "QUJ-RA==", "QUJ_RA==", "+/+/", "////", "YQ==\n", "YQ==x", "YR==", "YWI=", "YWJ=",
	"SGVsbG8sIHdvcmxkIQ==", "SGVsbG8sIHdvcmxkIQ", "\x00", "\xff==",
}

func checkBase64(t *testing.T, in *inst, s string) {
	t.Helper()
	got, ok := in.text("t_base64_decode", []byte(s))
	want, err := runtime.ParseBytes(s)
	if ok != (err == nil) || (ok && got != string(want)) || (!ok && got != err.Error()) {
		t.Errorf("ParseBytes(%q) = %v %q, want %q %v", s, ok, got, want, err)
	}
	if got, _ := in.text("t_base64_encode", []byte(s)); got != base64.StdEncoding.EncodeToString([]byte(s)) {
		t.Errorf("encode(%q) = %s, want %s", s, got, base64.StdEncoding.EncodeToString([]byte(s)))
	}
}

func TestBase64(t *testing.T) {
	in := newInst(t, testModule)
	for _, s := range base64Cases {
		checkBase64(t, in, s)
	}
	for n := 0; n < 20; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*37 + n)
		}
		checkBase64(t, in, base64.StdEncoding.EncodeToString(b))
	}
}

func FuzzBase64(f *testing.F) {
	for _, s := range base64Cases {
		f.Add(s)
	}
	in := newInst(f, testModule)
	f.Fuzz(func(t *testing.T, s string) {
		in.t = t
		checkBase64(t, in, s)
	})
}
