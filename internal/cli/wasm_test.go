package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/permc/permc/internal/wasmtest"
)

func TestMain(m *testing.M) { wasmtest.Main(m) }

// TestBuildWasm builds a module and its declarations.
func TestBuildWasm(t *testing.T) {
	dir := t.TempDir()
	out, dts := filepath.Join(dir, "m", "libauthz.wasm"), filepath.Join(dir, "libauthz.d.ts")
	var stdout, stderr bytes.Buffer
	code := Run([]string{"build-wasm", "--spec", "testdata/libraries.yaml", "--out", out, "--dts", dts}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("permc build-wasm = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	module, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(module, []byte("\x00asm")) {
		t.Fatalf("%s: %v", out, err)
	}
	if !strings.Contains(stdout.String(), "libauthz.wasm: ") || !strings.Contains(stdout.String(), "ABI version 1") {
		t.Errorf("output: %s", stdout.String())
	}
	types, err := os.ReadFile(dts)
	if err != nil || !bytes.Contains(types, []byte("export type Permission = ")) {
		t.Fatalf("%s: %v\n%s", dts, err, types)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build-wasm", "--spec", "testdata/libraries.yaml"}, "--out FILE.wasm is required"},
		{[]string{"build-wasm", "--out", out}, "--spec FILE is required"},
		{[]string{"build-wasm", "--spec", "testdata/libraries.yaml", "--out", out, "extra"}, "unexpected arguments extra"},
		{[]string{"dts", "--spec", "testdata/nope.yaml"}, "no such file"},
	} {
		stderr.Reset()
		if code := Run(tc.args, nil, &stdout, &stderr); code != exitSpec || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("permc %s = %d, %q; want %d and %q", strings.Join(tc.args, " "), code, stderr.String(), exitSpec, tc.want)
		}
	}

	stdout.Reset()
	if code := Run([]string{"dts", "--spec", "testdata/libraries.yaml"}, nil, &stdout, &stderr); code != 0 || stdout.String() != string(types) {
		t.Errorf("permc dts = %d, and differs from build-wasm --dts:\n%s", code, stdout.String())
	}

}

// TestExampleSuitesWasm runs every example's suites through the Wasm module.
func TestExampleSuitesWasm(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run([]string{"test", "--backend", "wasm", "../../examples"}, nil, &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), " 0 failed") {
		t.Fatalf("permc test --backend wasm examples = %d\n%s%s", code, stdout.String(), stderr.String())
	}
}

// TestWithoutGo runs the permc binary with nothing on PATH: building a module and
// checking requests on it need no Go toolchain, no clang, no other program.
func TestWithoutGo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the permc binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "permc")
	build := exec.Command("go", "build", "-o", bin, "github.com/permc/permc/cmd/permc")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(stdin string, args ...string) (string, string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"PATH=" + filepath.Join(dir, "empty"), "HOME=" + dir}
		cmd.Stdin = strings.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	spec, err := filepath.Abs("testdata/libraries.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "libauthz.wasm")
	if stdout, stderr, err := run("", "build-wasm", "--spec", spec, "--out", out); err != nil {
		t.Fatalf("permc build-wasm without Go: %v\n%s%s", err, stdout, stderr)
	}
	if module, err := os.ReadFile(out); err != nil || !bytes.HasPrefix(module, []byte("\x00asm")) {
		t.Fatalf("%s: %v", out, err)
	}
	requests, err := os.ReadFile("testdata/check_ok/requests.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/check_ok/stdout.golden")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := run(string(requests), "check", "--spec", spec, "--backend", "wasm")
	if err != nil || stdout != string(want) {
		t.Fatalf("permc check --backend wasm without Go: %v\n%s\nwant %s%s", err, stdout, want, stderr)
	}
}
