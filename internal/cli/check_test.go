package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestCheckBackends runs every check case of testdata with the generated Go and the
// Wasm module: the same answers, line for line, and the same exit status as the
// reference evaluator's golden files.
func TestCheckBackends(t *testing.T) {
	dirs, err := filepath.Glob("testdata/check_*/stdout.golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, backend := range []string{"go", "wasm"} {
		for _, golden := range dirs {
			dir := filepath.Dir(golden)
			args, err := os.ReadFile(filepath.Join(dir, "args"))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(golden)
			exit, _ := os.ReadFile(filepath.Join(dir, "exit.golden"))
			if len(want) == 0 || strings.Contains(string(args), "--backend") {
				continue // the cases that fail before anything is decided
			}
			stdin, _ := os.ReadFile(filepath.Join(dir, "stdin"))
			t.Run(backend+"/"+filepath.Base(dir), func(t *testing.T) {
				t.Chdir(dir)
				var stdout, stderr bytes.Buffer
				code := Run(append(strings.Fields(string(args)), "--backend", backend), bytes.NewReader(stdin), &stdout, &stderr)
				if stdout.String() != string(want) || strconv.Itoa(code)+"\n" != string(exit) {
					t.Errorf("--backend %s = %d:\n%s\nwant %s%s%s", backend, code, stdout.String(), exit, want, stderr.String())
				}
			})
		}
	}
}

// lines reads as n lines of size bytes each, made as they are read, and then the
// line last.
type lines struct {
	n, size, at int
	last        string
}

func (l *lines) Read(p []byte) (int, error) {
	if l.n == 0 {
		if l.last == "" {
			return 0, io.EOF
		}
		k := copy(p, l.last)
		l.last = l.last[k:]
		return k, nil
	}
	k := 0
	for ; k < len(p) && l.at < l.size; k, l.at = k+1, l.at+1 {
		p[k] = ' '
		if l.at == l.size-1 {
			p[k] = '\n'
		}
	}
	if l.at == l.size {
		l.n, l.at = l.n-1, 0
	}
	return k, nil
}

// TestCheckLongLines: lines far over the limit are answered with its error on their
// own lines, in bounded memory, and the lines after them are decided.
func TestCheckLongLines(t *testing.T) {
	const good = `{"principal":{"id":"a"},"resource":{"type":"library","id":"l","attributes":{"public":true}},"permission":"library.view"}`
	in := &lines{n: 2, size: 50 << 20, last: good + "\n"}
	var stdout, stderr bytes.Buffer
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	code := Run([]string{"check", "--spec", "testdata/libraries.yaml", "-"}, in, &stdout, &stderr)
	runtime.ReadMemStats(&after)
	want := `{"error":"line 1: the request is longer than 1048576 bytes"}` + "\n" +
		`{"error":"line 2: the request is longer than 1048576 bytes"}` + "\n" +
		`{"allowed":true,"permission":"library.view","reason":{"kind":"allow_rule","rule":"public-libraries"},"errors":[],"warnings":[]}` + "\n"
	if code != exitFailure || stdout.String() != want {
		t.Fatalf("permc check = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	// 100 MB read; a line is never held whole (the spec's checker costs some too).
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("permc check allocated %d MB reading two lines of 50 MB", alloc>>20)
	}
}
