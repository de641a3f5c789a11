// Package gobackend runs a spec's generated Go code from the permc command: it generates
// the package, builds a small driver program around it with the Go toolchain, and
// streams requests through the driver's standard input and output.
package gobackend

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/permc/permc/gen"
	"github.com/permc/permc/internal/toolchain"
	rt "github.com/permc/permc/runtime"
	"github.com/permc/permc/spec"
)

// driverMain is the driver program. Its arguments are the limits of the requests and
// custom roles it takes, in bytes (0 for the defaults). It reads frames from standard
// input, each a kind byte ('Q' a request, 'R' custom roles, 'B' the evaluation budget
// in decimal, 'P' a plan request), the payload's length in decimal, a newline and the
// payload, and answers each with one line: the decision JSON for 'Q', "OK" or "E" and
// the quoted error for 'R' and 'B', and for 'P' what PlanJSON gives, as JSON:
// {"decision", "condition", "cel", "warnings"} as package plan writes them, or
// {"error": ...}. Frames rather than lines keep a request's bytes exactly as given,
// newlines included.
const driverMain = `package main

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/permc/permc/runtime"
	"github.com/permc/permc/runtime/cond"

	authz "permcgen/authz"
)

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer out.Flush()
	if len(os.Args) != 3 {
		os.Exit(2)
	}
	var opts authz.Options
	var err error
	if opts.MaxRequestBytes, err = strconv.Atoi(os.Args[1]); err != nil {
		os.Exit(2)
	}
	if opts.MaxRolesBytes, err = strconv.Atoi(os.Args[2]); err != nil {
		os.Exit(2)
	}
	a := authz.NewAuthorizer(opts)
	var buf, data []byte
	for {
		kind, err := in.ReadByte()
		if err != nil {
			return
		}
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil || n < 0 {
			return
		}
		if cap(data) < n {
			data = make([]byte, n)
		}
		data = data[:n]
		if _, err := io.ReadFull(in, data); err != nil {
			return
		}
		switch kind {
		case 'Q':
			buf = a.CheckJSON(buf[:0], data)
			out.Write(buf)
		case 'P':
			buf = plan(buf[:0], a, data)
			out.Write(buf)
		case 'R':
			if err := a.LoadRolesJSON(data); err != nil {
				out.WriteString("E" + strconv.Quote(err.Error()))
			} else {
				out.WriteString("OK")
			}
		case 'B':
			if steps, err := strconv.ParseInt(string(data), 10, 64); err != nil {
				out.WriteString("E" + strconv.Quote(err.Error()))
			} else {
				a.SetBudget(steps)
				out.WriteString("OK")
			}
		default:
			return
		}
		out.WriteByte('\n')
		if in.Buffered() == 0 {
			out.Flush()
		}
	}
}

func plan(b []byte, a *authz.Authorizer, req []byte) []byte {
	c, warnings, err := a.PlanJSON(req, "")
	if err != nil {
		return runtime.AppendErrorJSON(b, err.Error())
	}
	decision := "conditional"
	switch c {
	case cond.True:
		decision = "allowed"
	case cond.False:
		decision = "denied"
	}
	b = append(b, ` + "`" + `{"decision":"` + "`" + `+decision+` + "`" + `","condition":` + "`" + `...)
	b = cond.AppendJSON(b, c)
	b = append(b, ` + "`" + `,"cel":` + "`" + `...)
	b = runtime.AppendJSONString(b, c.String())
	b = append(b, ` + "`" + `,"warnings":[` + "`" + `...)
	for i, w := range warnings {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, ` + "`" + `{"assignment":` + "`" + `...)
		b = strconv.AppendInt(b, int64(w.Assignment), 10)
		b = append(b, ` + "`" + `,"message":` + "`" + `...)
		b = runtime.AppendJSONString(b, w.Message)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}
`

// Files returns the generated package (under authz/) and the driver (under driver/).
func Files(s *spec.Spec) (map[string][]byte, error) {
	files, err := gen.Generate(s, gen.Options{})
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{"driver/main.go": []byte(driverMain)}
	for name, data := range files {
		out["authz/"+name] = data
	}
	return out, nil
}

// CacheDir is where built drivers are kept: $PERMC_CACHE, or permc/go under the user's
// cache directory, or under the temporary directory.
func CacheDir() string {
	if d := os.Getenv("PERMC_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "permc", "go")
	}
	return filepath.Join(os.TempDir(), "permc-cache", "go")
}

var buildMu sync.Mutex

// Build generates and builds the driver for s into the cache (once per distinct
// generated code and Go toolchain) and returns the executable's path.
func Build(ctx context.Context, s *spec.Spec) (string, error) {
	files, err := Files(s)
	if err != nil {
		return "", err
	}
	hash, err := toolchain.Hash(files)
	if err != nil {
		return "", err
	}
	exe := "permc-driver"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	dir := filepath.Join(CacheDir(), hash)
	bin := filepath.Join(dir, exe)
	buildMu.Lock()
	defer buildMu.Unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(CacheDir(), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(CacheDir(), "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := toolchain.Build(ctx, tmp, files, "./driver", filepath.Join(tmp, exe)); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(filepath.Join(tmp, exe), bin); err != nil {
		if _, statErr := os.Stat(bin); statErr == nil {
			return bin, nil // built concurrently by another process
		}
		return "", err
	}
	return bin, nil
}

// Driver is a running driver process. Its methods are safe for concurrent use; requests
// are answered one at a time.
type Driver struct {
	mu    sync.Mutex
	cmd   *exec.Cmd
	stdin io.WriteCloser
	w     *bufio.Writer
	r     *bufio.Reader
	err   error
}

// Limits are the limits of a driver's inputs; zero fields keep the defaults.
type Limits struct{ MaxRequestBytes, MaxRolesBytes int }

// Start runs the driver at bin.
func Start(bin string, lim Limits) (*Driver, error) {
	cmd := exec.Command(bin, strconv.Itoa(lim.MaxRequestBytes), strconv.Itoa(lim.MaxRolesBytes))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &Driver{cmd: cmd, stdin: stdin, w: bufio.NewWriterSize(stdin, 1<<16), r: bufio.NewReaderSize(stdout, 1<<16)}, nil
}

func (d *Driver) roundTrip(kind byte, payload []byte) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return nil, d.err
	}
	d.w.WriteByte(kind)
	d.w.WriteString(strconv.Itoa(len(payload)))
	d.w.WriteByte('\n')
	d.w.Write(payload)
	if err := d.w.Flush(); err != nil {
		d.err = fmt.Errorf("go backend: %v", err)
		return nil, d.err
	}
	line, err := d.r.ReadBytes('\n')
	if err != nil {
		d.err = fmt.Errorf("go backend: the driver stopped: %v", err)
		return nil, d.err
	}
	return line[:len(line)-1], nil
}

// DecideJSON answers a request with the generated code's CheckJSON.
func (d *Driver) DecideJSON(req []byte) []byte {
	ans, err := d.roundTrip('Q', req)
	if err != nil {
		return rt.AppendErrorJSON(nil, err.Error())
	}
	return ans
}

// DecideAll answers many requests, streaming them to the driver while it answers, so
// that the round trips do not add up.
func (d *Driver) DecideAll(reqs [][]byte) [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([][]byte, len(reqs))
	fail := func(err error) [][]byte {
		if d.err == nil {
			d.err = fmt.Errorf("go backend: %v", err)
		}
		for i := range out {
			if out[i] == nil {
				out[i] = rt.AppendErrorJSON(nil, d.err.Error())
			}
		}
		return out
	}
	if d.err != nil {
		return fail(d.err)
	}
	written := make(chan error, 1)
	go func() {
		for _, req := range reqs {
			d.w.WriteByte('Q')
			d.w.WriteString(strconv.Itoa(len(req)))
			d.w.WriteByte('\n')
			d.w.Write(req)
		}
		written <- d.w.Flush()
	}()
	for i := range reqs {
		line, err := d.r.ReadBytes('\n')
		if err != nil {
			<-written
			return fail(err)
		}
		out[i] = line[:len(line)-1]
	}
	if err := <-written; err != nil {
		return fail(err)
	}
	return out
}

// PlanJSON answers a plan request with the generated code's PlanJSON (see driverMain).
func (d *Driver) PlanJSON(req []byte) []byte {
	ans, err := d.roundTrip('P', req)
	if err != nil {
		return rt.AppendErrorJSON(nil, err.Error())
	}
	return ans
}

// LoadRoles loads custom roles with the generated code's LoadRolesJSON.
func (d *Driver) LoadRoles(data []byte) error { return d.command('R', data) }

// SetBudget sets the evaluation budget with the generated code's SetBudget.
func (d *Driver) SetBudget(steps int64) error {
	return d.command('B', []byte(strconv.FormatInt(steps, 10)))
}

// command sends a frame that is answered "OK" or with an error.
func (d *Driver) command(kind byte, data []byte) error {
	ans, err := d.roundTrip(kind, data)
	if err != nil {
		return err
	}
	if msg, ok := strings.CutPrefix(string(ans), "E"); ok {
		text, err := strconv.Unquote(msg)
		if err != nil {
			text = msg
		}
		return errors.New(text)
	}
	return nil
}

// Close stops the driver.
func (d *Driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stdin.Close()
	return d.cmd.Wait()
}
