package parity

import (
	"bytes"
	"strings"
	"testing"

	"github.com/permc/permc/internal/cli"
)

// TestCheckBackends runs `permc check` on the content-libraries requests with each
// backend: the same output and exit status, byte for byte.
func TestCheckBackends(t *testing.T) {
	run := func(backend string) (string, int) {
		var stdout, stderr bytes.Buffer
		code := cli.Run([]string{"check", "--backend", backend, "--spec", "../../examples/contentlibraries/spec.yaml",
			"--roles", "../../examples/contentlibraries/roles.json", "../../examples/contentlibraries/requests.jsonl"}, nil, &stdout, &stderr)
		// Nothing but the note a slow first build writes.
		for _, line := range strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n") {
			if line != "" && !strings.HasPrefix(line, "permc: building ") {
				t.Errorf("--backend %s: %s", backend, stderr.String())
				break
			}
		}
		return stdout.String(), code
	}
	wantOut, wantCode := run("eval")
	gotOut, gotCode := run("go")
	if gotOut != wantOut || gotCode != wantCode {
		t.Errorf("permc check --backend go = %d\n%s\n--backend eval = %d\n%s", gotCode, gotOut, wantCode, wantOut)
	}
	if wantOut == "" {
		t.Error("no decisions")
	}
}
