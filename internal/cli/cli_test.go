package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden runs permc in-process for each testdata/<case>: args holds the command
// line (run from the case's folder), stdin the optional input; stdout, stderr and the
// exit status are compared with the golden files.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/args")
	if err != nil {
		t.Fatal(err)
	}
	for _, argsFile := range dirs {
		dir := filepath.Dir(argsFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			line, err := os.ReadFile(argsFile)
			if err != nil {
				t.Fatal(err)
			}
			var stdin []byte
			if data, err := os.ReadFile(filepath.Join(dir, "stdin")); err == nil {
				stdin = data
			}
			t.Chdir(dir)
			var stdout, stderr bytes.Buffer
			code := Run(strings.Fields(string(line)), bytes.NewReader(stdin), &stdout, &stderr)
			got := map[string]string{
				"stdout.golden": stdout.String(),
				"stderr.golden": stderr.String(),
				"exit.golden":   strconv.Itoa(code) + "\n",
			}
			for name, content := range got {
				if *update {
					if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(name)
				if err != nil {
					t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
				}
				if content != string(want) {
					t.Errorf("%s differs\n--- got\n%s--- want\n%s", name, content, want)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Run([]string{"version"}, nil, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "permc v") {
		t.Errorf("permc version = %d, %q", code, stdout.String())
	}
}

// TestExampleSuites runs every example's test suite through the reference evaluator.
func TestExampleSuites(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run([]string{"test", "../../examples"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("permc test examples = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), " 0 failed") {
		t.Errorf("unexpected summary:\n%s", stdout.String())
	}
}
