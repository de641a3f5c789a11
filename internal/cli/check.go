package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/gobackend"
	"github.com/permc/permc/runtime"
)

func (e *env) check(args []string) int {
	fs := e.flags("check", "--spec FILE [--roles FILE] [--backend eval|go|wasm] [--budget STEPS] [REQUESTS|-]")
	specPath := fs.String("spec", "", "the spec `FILE`")
	rolesPath := fs.String("roles", "", "custom roles `FILE` (JSON)")
	backendName := fs.String("backend", "eval", "the `engine` that decides: eval (reference), go (generated code) or wasm")
	budget := fs.Int64("budget", 0, "the evaluation budget of each check, in `steps` (eval and go backends; default 10000000)")
	rest, err := parse(fs, args)
	if err != nil {
		return exitSpec
	}
	if *budget < 0 || *budget > 0 && *backendName == "wasm" {
		fmt.Fprintln(e.stderr, "permc check: --budget takes a positive number of steps, with --backend eval or go")
		return exitSpec
	}
	if len(rest) > 1 {
		fmt.Fprintln(e.stderr, "permc check: at most one REQUESTS file (or - for standard input)")
		return exitSpec
	}
	s, ok := e.loadSpec(*specPath)
	if !ok {
		return exitSpec
	}
	var roles []byte
	if *rolesPath != "" {
		if roles, err = loadRoles(s, *rolesPath); err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitSpec
		}
	}
	in := e.stdin
	if len(rest) == 1 && rest[0] != "-" {
		f, err := os.Open(rest[0])
		if err != nil {
			fmt.Fprintf(e.stderr, "permc: %v\n", err)
			return exitSpec
		}
		defer f.Close()
		in = f
	}
	d, closeBackend, err := e.backend(*backendName, s)
	if err != nil {
		fmt.Fprintf(e.stderr, "permc: %v\n", err)
		return exitSpec
	}
	defer closeBackend()
	if *budget > 0 {
		switch b := d.(type) {
		case *eval.Evaluator:
			b.SetBudget(*budget)
		case *gobackend.Driver:
			if err := b.SetBudget(*budget); err != nil {
				fmt.Fprintf(e.stderr, "permc: %v\n", err)
				return exitSpec
			}
		}
	}
	if roles != nil {
		if err := d.LoadRoles(roles); err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", *rolesPath, err)
			return exitSpec
		}
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	status := exitOK
	err = readRequests(in, func(line int, req []byte) {
		ans := d.DecideJSON(req)
		if bytes.HasPrefix(ans, []byte(`{"error":`)) {
			status = exitFailure
			if line > 0 {
				doc, perr := runtime.ParseJSON(ans)
				if msg, ok := doc.Get("error"); perr == nil && ok {
					ans = runtime.AppendErrorJSON(nil, fmt.Sprintf("line %d: %s", line, msg.Str))
				}
			}
		}
		out.Write(ans)
		out.WriteByte('\n')
	})
	if err != nil {
		out.Flush()
		fmt.Fprintf(e.stderr, "permc: reading requests: %v\n", err)
		return exitFailure
	}
	return status
}

// maxRequest bounds one request, so that a runaway input fails instead of eating memory.
const maxRequest = 16 << 20

// readRequests calls fn for each request in r: JSON Lines, one request a line, where a
// request may also span several lines (a file holding one pretty-printed object). Blank
// lines are skipped. fn gets the line the request starts on.
//
// A value still open at the end of a line continues on the next, unless that next line
// starts with '{' and is a whole value by itself: then the open value was a truncated
// line, it is handed on as it is (and answered with an error), and the new line is a
// request of its own.
func readRequests(r io.Reader, fn func(line int, req []byte)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	start, lineNo := 0, 0
	for {
		line, err := br.ReadSlice('\n')
		var long []byte
		for err == bufio.ErrBufferFull {
			long = append(long, line...)
			if len(long) > maxRequest {
				return fmt.Errorf("request at line %d is longer than %d bytes", lineNo+1, maxRequest)
			}
			line, err = br.ReadSlice('\n')
		}
		if long != nil {
			line = append(long, line...)
		}
		if len(line) > 0 {
			lineNo++
			trimmed := bytes.TrimSpace(line)
			switch {
			case len(bytes.TrimSpace(buf)) == 0:
				buf, start = append(buf[:0], line...), lineNo
			case len(trimmed) > 0 && line[0] == '{' && balanced(trimmed):
				fn(start, bytes.TrimSpace(buf))
				buf, start = append(buf[:0], line...), lineNo
			default:
				buf = append(buf, line...)
			}
			if len(buf) > maxRequest {
				return fmt.Errorf("request at line %d is longer than %d bytes", start, maxRequest)
			}
			if req := bytes.TrimSpace(buf); len(req) > 0 && balanced(req) {
				fn(start, req)
				buf = buf[:0]
			}
		}
		if err == io.EOF {
			if req := bytes.TrimSpace(buf); len(req) > 0 {
				fn(start, req)
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// balanced reports whether every bracket opened outside strings in b is closed.
func balanced(b []byte) bool {
	depth := 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return depth <= 0 && !inString
}
