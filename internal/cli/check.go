package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/permc/permc/runtime"
)

func (e *env) check(args []string) int {
	fs := e.flags("check", "--spec FILE [--roles FILE] [--backend eval|go|wasm] [REQUESTS|-]")
	specPath := fs.String("spec", "", "the spec `FILE`")
	rolesPath := fs.String("roles", "", "custom roles `FILE` (JSON)")
	backendName := fs.String("backend", "eval", "the `engine` that decides: eval (reference), go (generated code) or wasm")
	rest, err := parse(fs, args)
	if err != nil {
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
func readRequests(r io.Reader, fn func(line int, req []byte)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	start, lineNo, depth := 0, 0, 0
	inString, escaped := false, false
	for {
		line, err := br.ReadSlice('\n')
		for err == bufio.ErrBufferFull {
			buf = append(buf, line...)
			if len(buf) > maxRequest {
				return fmt.Errorf("request at line %d is longer than %d bytes", lineNo+1, maxRequest)
			}
			line, err = br.ReadSlice('\n')
		}
		if len(line) > 0 {
			lineNo++
			if len(bytes.TrimSpace(buf)) == 0 {
				start = lineNo
			}
			buf = append(buf, line...)
			if len(buf) > maxRequest {
				return fmt.Errorf("request at line %d is longer than %d bytes", start, maxRequest)
			}
			// Track nesting outside strings to see whether the value is complete.
			for _, c := range line {
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
			if depth <= 0 && !inString {
				if req := bytes.TrimSpace(buf); len(req) > 0 {
					fn(start, req)
				}
				buf, depth = buf[:0], 0
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
