package spec

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3 reports a syntax error as "yaml: line N: message", and N is not where the
// mistake is: it is the line where the enclosing construct starts (a block mapping, a
// quoted scalar), and for the parser's errors it is that line's number counted from
// zero. The functions below find the offending character again by re-parsing
// prefixes of the source, so that a syntax error reads like every other error of a
// spec: at the character, with the source line, a caret and, for the traps CEL
// expressions walk into, a hint.

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErrorMessage splits a yaml.v3 error into the line it names (0 when none) and
// its message.
func yamlErrorMessage(err error) (int, string) {
	text := err.Error()
	if m := yamlLineRE.FindStringSubmatch(text); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, m[2]
	}
	return 0, strings.TrimPrefix(text, "yaml: ")
}

// syntaxError reports a YAML syntax error at the offending character, with a hint.
func (l *loader) syntaxError(err error) {
	line, msg := yamlErrorMessage(err)
	off := l.locateSyntaxError(line, msg)
	if open, ok := l.runawayQuote(off); ok {
		l.errorAt(l.posOf(open), "invalid YAML: the quote opened here is not closed on its line, so the value runs on to the quote on line %d", l.posOf(off).Line)
		return
	}
	l.errorAt(l.posOf(off), "invalid YAML: %s%s", msg, l.syntaxHint(msg, off))
}

// runawayQuote tells whether the character at off is a quote that closes a value
// opened on an earlier line (a forgotten closing quote makes YAML read on until the
// next one, and fail after it), and where that value opened.
func (l *loader) runawayQuote(off int) (int, bool) {
	if off >= len(l.src) || l.src[off] != '"' && l.src[off] != '\'' {
		return 0, false
	}
	var doc yaml.Node
	err := yaml.Unmarshal(l.src[:off], &doc)
	if err == nil {
		return 0, false
	}
	line, msg := yamlErrorMessage(err)
	if msg != "found unexpected end of stream" || line < 1 || line >= l.posOf(off).Line {
		return 0, false
	}
	return l.unclosedQuote(line), true
}

// maxReparsed bounds the work spent finding a syntax error's character in its line,
// in bytes parsed again: every try parses a prefix of the spec. Past the budget, the
// error stays at the start of the line.
const maxReparsed = 64 << 20

// locateSyntaxError returns the byte offset of the character that made yaml.v3 fail
// with msg, given the line its error named.
func (l *loader) locateSyntaxError(line int, msg string) int {
	// The parser's errors ("did not find expected ...") name the zero-based line.
	parserError := strings.HasPrefix(msg, "did not find expected ")
	if parserError {
		line++
	}
	line = min(max(line, 1), len(l.lineStarts))
	// Errors met only at the end of the input name the line where the unclosed
	// construct opens: point at its opening bracket or quote.
	switch msg {
	case "did not find expected ',' or ']'":
		return l.unclosed(line, '[', ']')
	case "did not find expected ',' or '}'":
		return l.unclosed(line, '{', '}')
	case "found unexpected end of stream":
		return l.unclosedQuote(line)
	}
	work := 0
	fails := func(end int) bool {
		work += end
		var doc yaml.Node
		err := yaml.Unmarshal(l.src[:end], &doc)
		if err == nil {
			return false
		}
		_, m := yamlErrorMessage(err)
		return m == msg
	}
	// The first line whose end makes the prefix fail the same way holds the mistake:
	// what comes before it parses (or fails otherwise, cut inside a quote or a
	// bracket), and every longer prefix fails as the whole file does. So search.
	lo, hi := line, len(l.lineStarts)
	for lo < hi {
		if mid := (lo + hi) / 2; fails(l.lineEnd(mid)) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	start, end := l.lineStarts[lo-1], l.lineEnd(lo)
	if !parserError {
		// The scanner fails on the character itself.
		for k := start + 1; k <= end && work < maxReparsed; k++ {
			if fails(k) {
				return k - 1
			}
		}
		return start
	}
	// The parser fails on a token. Cutting inside a token can make the prefix
	// fail the same way for another reason (a key cut short), so cut only where
	// tokens end, and point at the start of the token.
	for k := start + 1; k <= end && work < maxReparsed; k++ {
		if k < end && !isYAMLBlank(l.src[k]) {
			continue
		}
		if fails(k) {
			t := k
			for t > start && !isYAMLBlank(l.src[t-1]) {
				t--
			}
			return t
		}
	}
	return firstNonBlank(l.src, start, end)
}

// lineEnd is the offset just past line ln's last character, before its newline.
func (l *loader) lineEnd(ln int) int {
	if ln < len(l.lineStarts) {
		return l.lineStarts[ln] - 1
	}
	return len(l.src)
}

func isYAMLBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func firstNonBlank(src []byte, start, end int) int {
	for i := start; i < end; i++ {
		if !isYAMLBlank(src[i]) {
			return i
		}
	}
	return start
}

// unclosed returns the offset of the last bracket open on line ln that the line does
// not close, or the line's first character.
func (l *loader) unclosed(ln int, open, close byte) int {
	start, end := l.lineStarts[ln-1], l.lineEnd(ln)
	var stack []int
	var quote byte
	for i := start; i < end; i++ {
		c := l.src[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == start || isYAMLBlank(l.src[i-1])):
			end = i
		case c == open:
			stack = append(stack, i)
		case c == close && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return stack[0]
	}
	return firstNonBlank(l.src, start, end)
}

// unclosedQuote returns the offset of the quote line ln leaves open, or the line's
// first character.
func (l *loader) unclosedQuote(ln int) int {
	start, end := l.lineStarts[ln-1], l.lineEnd(ln)
	open, quote := -1, byte(0)
	for i := start; i < end; i++ {
		c := l.src[i]
		switch {
		case quote == '"' && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				if quote == '\'' && i+1 < end && l.src[i+1] == '\'' {
					i++ // '' is a quote inside single quotes
					continue
				}
				quote = 0
			}
		case (c == '"' || c == '\'') && (i == start || strings.IndexByte(" \t[{,:-", l.src[i-1]) >= 0):
			open, quote = i, c
		case c == '#' && (i == start || isYAMLBlank(l.src[i-1])):
			end = i
		}
	}
	if quote != 0 {
		return open
	}
	return firstNonBlank(l.src, start, end)
}

// syntaxHint explains the YAML rule a CEL expression or an indentation broke.
func (l *loader) syntaxHint(msg string, off int) string {
	var c byte
	if off < len(l.src) {
		c = l.src[off]
	}
	ln := l.posOf(off).Line
	start := l.lineStarts[ln-1]
	before := string(l.src[start:off])
	switch {
	case c == '\t' || strings.Contains(msg, "tab character"):
		return "; indent with spaces, not tabs"
	case msg == "found character that cannot start any token":
		return "; a value starting with " + strconv.QuoteRune(rune(c)) + " must be quoted"
	case msg == "mapping values are not allowed in this context":
		if strings.TrimSpace(before) == "" || !strings.Contains(before, ": ") && !strings.HasPrefix(strings.TrimSpace(before), "- ") {
			return "; this key is indented more than the key above it, so YAML reads it as part of that value"
		}
		return "; an unquoted value cannot hold \": \": quote the whole expression"
	case msg == "did not find expected key":
		switch v := valueAfterKey(before); {
		case v == "":
		case v[0] == '"' || v[0] == '\'':
			return "; a value that starts with a quote ends at the closing quote: quote the whole expression"
		case v[0] == '[' || v[0] == '{':
			return "; a value that starts with " + strconv.QuoteRune(rune(v[0])) + " is a YAML list or mapping: quote the whole expression"
		}
		return "; this line's indentation does not match the keys above it"
	case msg == "did not find expected ',' or ']'":
		return "; the list opened here is not closed with ']'"
	case msg == "did not find expected ',' or '}'":
		return "; the mapping opened here is not closed with '}'"
	case msg == "found unexpected end of stream":
		return "; the quote opened here is not closed"
	}
	return ""
}

// valueAfterKey returns what follows "key: " or "- " in the text of a line before an
// offset, trimmed, or "".
func valueAfterKey(before string) string {
	s := strings.TrimSpace(before)
	s = strings.TrimSpace(strings.TrimPrefix(s, "- "))
	if _, v, ok := strings.Cut(s, ": "); ok {
		return strings.TrimSpace(v)
	}
	return ""
}

// SyntaxError returns the YAML syntax error err, met reading src (from file), at its
// offending character, with the source line and a hint: for other YAML files permc
// reads, such as test suites.
func SyntaxError(file string, src []byte, err error) *Error {
	l := &loader{file: file, src: src}
	l.indexLines()
	l.syntaxError(err)
	return l.errs[0]
}
