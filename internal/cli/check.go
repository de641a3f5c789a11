package cli

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/permc/permc/eval"
	"github.com/permc/permc/internal/gobackend"
	"github.com/permc/permc/runtime"
)

func (e *env) check(args []string) int {
	fs := e.flags("check", "--spec FILE [--roles FILE] [--backend eval|go|wasm] [--budget STEPS] [--max-request-bytes N] [--max-roles-bytes N] [REQUESTS|-]")
	specPath := fs.String("spec", "", "the spec `FILE`")
	rolesPath := fs.String("roles", "", "custom roles `FILE` (JSON)")
	backendName := fs.String("backend", "eval", "the `engine` that decides: eval (reference), go (generated code) or wasm")
	budget := fs.Int64("budget", 0, "the evaluation budget of each check, in `steps` (default 10000000)")
	lim := limitFlags(fs, true)
	rest, err := parse(fs, args)
	if err != nil || !e.validLimits(lim) {
		return exitSpec
	}
	if *budget < 0 {
		fmt.Fprintln(e.stderr, "permc check: --budget takes a positive number of steps")
		return exitSpec
	}
	lim.budget = *budget
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
		if roles, err = loadRoles(s, *rolesPath, lim.roles); err != nil {
			e.printErrors(err)
			return exitSpec
		}
	}
	in := e.stdin
	var file *os.File
	if len(rest) == 1 && rest[0] != "-" {
		if file, err = os.Open(rest[0]); err != nil {
			fmt.Fprintf(e.stderr, "permc: %v\n", err)
			return exitSpec
		}
		defer file.Close()
		in = file
	}
	d, closeBackend, err := e.backend(*backendName, s, lim)
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
	answer := func(line int, req []byte, problem string) {
		var ans []byte
		if problem != "" {
			ans = runtime.AppendErrorJSON(nil, problem)
		} else {
			ans = d.DecideJSON(req)
		}
		if bytes.HasPrefix(ans, []byte(`{"error":`)) {
			status = exitFailure
			doc, perr := runtime.ParseJSON(ans)
			if msg, ok := doc.Get("error"); perr == nil && ok {
				ans = runtime.AppendErrorJSON(nil, fmt.Sprintf("line %d: %s", line, msg.Str))
			}
		}
		out.Write(ans)
		out.WriteByte('\n')
	}
	one := false
	if file != nil {
		one, err = oneObject(file, answer, lim.request)
	}
	if err == nil && !one {
		err = readLines(in, lim.request, answer)
	}
	if err != nil {
		out.Flush()
		fmt.Fprintf(e.stderr, "permc: reading requests: %v\n", err)
		return exitFailure
	}
	return status
}

// The problems of lines that are not decided. A bare carriage return is refused
// rather than read as a line end or as white space: readers that take it for a line
// end would pair answers and requests differently.
const (
	bareCR    = "a carriage return (CR) that does not end the line: lines end with LF or CR LF"
	blankLine = "a blank line: every line must hold a request"
)

// readLines calls fn for each line of r, in order, with its number and its bytes
// without the line end (LF, or CR LF): every line is one request, whatever it holds,
// so that the answers pair with the lines by position. A line longer than limit bytes
// is read in bounded memory: fn gets its first limit+1 bytes, which every backend
// answers with the limit's error. A line holding a CR anywhere but before its LF, or
// nothing but spaces and tabs, gets a problem (bareCR, blankLine) instead of being
// decided.
func readLines(r io.Reader, limit int, fn func(line int, req []byte, problem string)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for n := 1; ; n++ {
		// buf keeps up to limit+2 bytes of the line: enough to tell a line of limit
		// bytes and its CR LF from a longer one.
		buf = buf[:0]
		size := 0
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			size += len(chunk)
			buf = append(buf, chunk[:min(len(chunk), max(0, limit+2-len(buf)))]...)
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err != nil && err != io.EOF {
			return err
		}
		if size == 0 {
			return nil // the input ended with the last line's end
		}
		if err == nil { // the line ends in LF, and maybe CR LF
			size--
			if size > 0 && size <= limit+1 && buf[size-1] == '\r' {
				size--
			}
		}
		switch {
		case size > limit:
			fn(n, buf[:limit+1], "")
		case bytes.IndexByte(buf[:size], '\r') >= 0:
			fn(n, buf[:size], bareCR)
		case len(bytes.Trim(buf[:size], " \t")) == 0:
			fn(n, buf[:size], blankLine)
		default:
			fn(n, buf[:size], "")
		}
		if err == io.EOF {
			return nil
		}
	}
}

// oneObject answers the file f as one request when the whole file is one JSON object
// spread over several lines, as a pretty-printed request is: its first character but
// white space is '{', the bracket that closes it is its last but white space, and no
// string in it holds a line end (JSON strings cannot, so no run of lines can pass for
// one object unless its lines are fragments of it). Only a regular file is read so:
// a stream's lines may arrive one by one and must each get an answer.
//
// oneObject reads the file once to decide, in bounded memory, and reports whether it
// answered it; otherwise the file is back at its start, to be read line by line.
func oneObject(f *os.File, fn func(line int, req []byte, problem string), limit int) (bool, error) {
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return false, nil
	}
	start, end, line, ok, err := scanObject(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		return false, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil || !ok {
		return false, err
	}
	req := make([]byte, min(end-start, int64(limit)+1))
	if _, err := f.ReadAt(req, start); err != nil {
		return false, err
	}
	fn(line, req, "")
	return true, nil
}

// scanObject reads r to its end and reports whether it is one object spread over
// several lines (see oneObject): its offsets, and the line it starts on.
func scanObject(r io.ByteReader) (start, end int64, line int, ok bool, err error) {
	const (
		before = iota // white space before the object
		inside        // in the object, outside strings
		inString
		escaped
		after // white space after the object
	)
	state, depth, lines, multiline := before, 0, 1, false
	for off := int64(0); ; off++ {
		c, err := r.ReadByte()
		if err == io.EOF {
			return start, end, line, state == after && multiline, nil
		}
		if err != nil {
			return 0, 0, 0, false, err
		}
		space := c == ' ' || c == '\t' || c == '\n' || c == '\r'
		switch state {
		case before:
			switch {
			case c == '{':
				state, depth, start, line = inside, 1, off, lines
			case !space:
				return 0, 0, 0, false, nil
			}
		case inside:
			switch c {
			case '"':
				state = inString
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					state, end = after, off+1
				}
			case '\n', '\r':
				multiline = true
			}
		case inString:
			switch c {
			case '"':
				state = inside
			case '\\':
				state = escaped
			case '\n', '\r':
				return 0, 0, 0, false, nil
			}
		case escaped:
			state = inString
		case after:
			if !space {
				return 0, 0, 0, false, nil
			}
		}
		if c == '\n' {
			lines++
		}
	}
}

// limits are the limits of the inputs a command reads, from its flags.
// limits are the limits of a command's inputs, and the evaluation budget of its
// checks (0: the default).
type limits struct {
	request, roles int
	budget         int64
}

// limitFlags declares the limit flags of a command: --max-roles-bytes, and with
// requests --max-request-bytes.
func limitFlags(fs *flag.FlagSet, requests bool) *limits {
	lim := &limits{request: runtime.DefaultMaxRequestBytes}
	if requests {
		fs.IntVar(&lim.request, "max-request-bytes", runtime.DefaultMaxRequestBytes, "the most bytes (`N`) a request may hold; a longer one is answered with an error")
	}
	fs.IntVar(&lim.roles, "max-roles-bytes", runtime.DefaultMaxRolesBytes, "the most bytes (`N`) a custom roles file may hold")
	return lim
}

// validLimits reports whether the limits are positive, printing why not.
func (e *env) validLimits(lim *limits) bool {
	if lim.request < 1 || lim.roles < 1 {
		fmt.Fprintln(e.stderr, "permc: --max-request-bytes and --max-roles-bytes must be at least 1")
		return false
	}
	return true
}
