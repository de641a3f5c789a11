// Package doctest runs what permc's documentation shows: its tests take the shell
// commands, Go and TypeScript snippets and expected outputs out of README.md and
// docs/*.md, so that the docs cannot drift from what permc does.
//
// A fenced block may be preceded by an HTML comment that says what it is:
//
//	<!-- not run: REASON -->      a command that cannot run in a test (REASON says why)
//	<!-- first line only: REASON --> commands of which only the first runs in a test
//	<!-- synopsis -->             a command line with placeholders (spec.yaml, P, ...)
//	<!-- in your module -->       commands run in a Go module of the reader's own
//	<!-- output -->               what the previous shell block prints (in part)
//	<!-- output of: COMMAND -->   what COMMAND, run in the repository, prints (in part)
//	<!-- file: PATH -->           the content of the repository's file PATH
//	<!-- suite in: DIR -->        a test suite that passes, written in DIR
//
// Every other shell block is run as written, from the root of a fresh clone.
package doctest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Block is one fenced code block of a Markdown file.
type Block struct {
	File string
	Line int    // the line of the opening fence
	Lang string // the word after the fence: sh, go, ts, json, ...
	Text string // the content, without the indentation of the fence
	// Mark is the HTML comment right before the block, without <!-- and -->, or "".
	Mark string
	// Heading is the nearest heading above the block, without its #s.
	Heading string
}

// Kind returns the first word of the block's mark ("not run", "synopsis", "in your
// module", "output", "output of", "file") and what follows its colon.
func (b Block) Kind() (kind, arg string) {
	kind, arg, _ = strings.Cut(b.Mark, ":")
	return strings.TrimSpace(kind), strings.TrimSpace(arg)
}

// Shell reports whether the block holds shell commands.
func (b Block) Shell() bool {
	switch b.Lang {
	case "sh", "bash", "shell", "console":
		return true
	}
	return false
}

func (b Block) String() string { return fmt.Sprintf("%s:%d", b.File, b.Line) }

var (
	fenceRE = regexp.MustCompile("^( *)(```+)\\s*([A-Za-z0-9_+-]*)\\s*$")
	markRE  = regexp.MustCompile(`^\s*<!--\s*(.*?)\s*-->\s*$`)
)

// Blocks returns the fenced code blocks of the Markdown file at path, in order.
//
// # Errors
//
// A file that cannot be read, or a fence that is never closed.
func Blocks(path string) ([]Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Block
	var cur *Block
	var indent, fence string
	var body []string
	mark, heading := "", ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if cur != nil {
			if strings.TrimSpace(line) == fence {
				cur.Text = strings.Join(body, "\n") + "\n"
				out = append(out, *cur)
				cur = nil
				continue
			}
			body = append(body, strings.TrimPrefix(line, indent))
			continue
		}
		if m := fenceRE.FindStringSubmatch(line); m != nil {
			indent, fence = m[1], m[2]
			cur = &Block{File: path, Line: n, Lang: m[3], Mark: mark, Heading: heading}
			body = nil
			mark = ""
			continue
		}
		switch {
		case strings.HasPrefix(line, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(line, "#"))
			mark = ""
		case markRE.MatchString(line):
			mark = markRE.FindStringSubmatch(line)[1]
		case strings.TrimSpace(line) != "":
			mark = "" // a mark belongs to the block right after it
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: the code block is never closed", path, cur.Line)
	}
	return out, sc.Err()
}
