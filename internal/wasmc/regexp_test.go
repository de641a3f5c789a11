package wasmc_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/permc/permc/spec"
)

// The patterns and subjects of TestRegexp: literals, classes, Unicode classes and
// case folding, anchors in both line modes, word boundaries, repetitions,
// alternations, and the empty pattern and subject.
var (
	rePatterns = []string{
		``, `a`, `abc`, `^abc$`, `^`, `$`, `^$`, `\A`, `\z`, `a$`, `(?m)a$`, `(?m)^b`, `^b`, `(?s)a.b`, `a.b`, `.`, `.+`,
		`x*`, `a*b`, `(a|ab)(c|bcd)(d*)`, `a{2,3}`, `a{3}`, `(ab){2,}`, `[a-c]+`, `[^a-c]`, `[^\x00-\x7f]`, `\d+`, `\D`,
		`\w+`, `\W`, `\s`, `\S+`, `\bfoo\b`, `\Bo`, `o\b`, `\b`, `\B`, `(?i)abc`, `(?i)k`, `(?i)K`, `(?i)s`, `(?i)ſ`,
		`(?i)σ`, `(?i)Σ`, `(?i)[a-z]+`, `(?i)é`, `é`, `e\x{301}`, `\pL+`, `\p{Greek}`, `\PL`, `\pN`, `\p{Lu}`,
		`[[:alpha:]]+`, `[[:^digit:]]`, `[[:space:]]`, `\x{1F600}`, `[😀-😂]`, `\.`, `a|b|c`, `(?:a|b)+c`, `(a+)+b`,
		`^(a|b)*$`, `^.{3}$`, `^.{5}$`, `(?U)a+`, `\Qa.b\E`, `[\p{Han}]`, `\x00`, `^\s*$`, `^[^\n]*$`, `(?m)^$`,
		`foo|foobar`, `(?i)FOO\b`, `_`, `\bé`, `^.*$`, `(?s)^.*$`,
	}
	reSubjects = []string{
		"", "a", "ab", "abc", "abcd", "ABC", "aab", "aaab", "ababab", "xyz", "b", "a\nb", "b\na", "\n", "a\n", "foo", "foo bar",
		"foobar", "foo_bar", "x foo.", "k", "K", "\u212a", "s", "S", "ſ", "σ", "ς", "Σ", "héllo", "é", "É", "e\u0301",
		"12345", "a1", " ", "\t\n", "😀", "a😀b", "αβγ", "中文", "\x00", "a.b", "a.c", "abd", "abcbcd", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac",
	}
)

// celString writes s as a CEL string literal.
func celString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestRegexp matches every subject against every pattern with matches() in a
// module, and with Go's regexp.MatchString.
func TestRegexp(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\npackage: re\ncontext:\n  s: string\nresources:\n  doc:\n    permissions: [")
	for i := range rePatterns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "p%d", i)
	}
	b.WriteString("]\nrules:\n")
	for i, pat := range rePatterns {
		fmt.Fprintf(&b, "  - id: r%d\n    allow: [doc.p%d]\n    when: %s\n", i, i, strconv.Quote("context.s.matches("+celString(pat)+")"))
	}
	s, err := spec.Load("re.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	a := module(t, s)
	var reqs [][]byte
	for _, subj := range reSubjects {
		for i := range rePatterns {
			req, _ := json.Marshal(map[string]any{"principal": map[string]any{"id": "p"}, "resource": map[string]any{"type": "doc", "id": "d"},
				"permission": fmt.Sprintf("doc.p%d", i), "context": map[string]any{"s": subj}})
			reqs = append(reqs, req)
		}
	}
	answers, err := a.CheckBatch(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, subj := range reSubjects {
		for _, pat := range rePatterns {
			want := regexp.MustCompile(pat).MatchString(subj)
			got := strings.HasPrefix(string(answers[n]), `{"allowed":true`)
			if got != want || !strings.Contains(string(answers[n]), `"errors":[]`) {
				t.Errorf("%q matches %q: %s, want %v", subj, pat, answers[n], want)
			}
			n++
		}
	}
}
