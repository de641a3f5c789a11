package spec

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/permc/permc/runtime"
)

// Pos is a position in a spec file. Line and Col are 1-based; Col counts bytes.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Error is one problem in a user's input, at a position.
type Error struct {
	Pos Pos
	Msg string
	// Source is the text of the line at Pos, shown under the message with a caret.
	Source string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// shownWidth is the most characters of a source line an error shows: a longer line
// (a long literal, a minified file) is cut around the column, each cut marked "...".
const shownWidth = 100

// Pretty returns the error followed by its source line and a caret under the column.
func (e *Error) Pretty() string {
	if e.Source == "" || e.Pos.Col < 1 {
		return e.Error()
	}
	line := []rune(strings.ReplaceAll(e.Source, "\t", " "))
	// Count the caret's offset in runes so it lines up under multi-byte text.
	prefix := e.Source
	if e.Pos.Col-1 < len(prefix) {
		prefix = prefix[:e.Pos.Col-1]
	}
	caret := utf8.RuneCountInString(prefix)
	var b strings.Builder
	b.WriteString(e.Error())
	b.WriteString("\n    ")
	if len(line) > shownWidth {
		start := min(max(caret-shownWidth/2, 0), len(line)-shownWidth)
		end := start + shownWidth
		if start > 0 {
			b.WriteString("...")
			caret += len("...")
		}
		b.WriteString(string(line[start:end]))
		if end < len(line) {
			b.WriteString("...")
		}
		caret -= start
	} else {
		b.WriteString(string(line))
	}
	b.WriteString("\n    ")
	b.WriteString(strings.Repeat(" ", caret))
	b.WriteString("^")
	return b.String()
}

// ErrorList is every problem found in one input, in file order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Pretty returns every error with its source line and caret, one after another.
func (l ErrorList) Pretty() string {
	var b strings.Builder
	for _, e := range l {
		b.WriteString(e.Pretty())
		b.WriteString("\n")
	}
	return b.String()
}

// sortAndDedup orders errors by position and drops exact repeats, which arise when
// one expression is checked against several resource types.
func (l ErrorList) sortAndDedup() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	out := l[:0]
	seen := map[string]bool{}
	for _, e := range l {
		k := e.Error()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}

// suggest returns the candidate closest to name, or "" when none is close enough
// to be a likely misspelling. The runtime holds the one implementation, so that
// generated code suggests exactly what the compiler does.
func suggest(name string, candidates []string) string { return runtime.Suggest(name, candidates) }

// Suggest is suggest for other packages validating names against a spec.
func Suggest(name string, candidates []string) string { return suggest(name, candidates) }

// didYouMean formats " (did you mean "x"?)" or "".
func didYouMean(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}
