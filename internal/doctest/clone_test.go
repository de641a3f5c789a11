package doctest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// clone copies the files git tracks, as they are in the working tree, into a new
// folder: what a fresh clone of the repository would hold, uncommitted edits included.
func clone(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "permc")
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if !info.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// buildPermc builds the clone's command into a folder of its own and returns the folder.
func buildPermc(t *testing.T, repo string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bin")
	cmd := exec.Command("go", "build", "-o", filepath.Join(bin, "permc"), "./cmd/permc")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/permc: %v\n%s", err, out)
	}
	return bin
}

// bash runs script with bash -e -o pipefail in dir, with env, for at most timeout,
// and returns what it printed; err is its failure, with a timeout's said.
func bash(dir string, env []string, script string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v", timeout)
	}
	return string(out), err
}

// shows reports the lines of want that output does not show. A line is shown when
// output holds it, when one of output's JSON strings holds it (a plan's "cel"), or,
// for a line that is JSON itself, when output holds it once both are compacted.
func shows(output, want string) []string {
	var strs []string
	var compact bytes.Buffer
	for _, line := range strings.Split(output, "\n") {
		var v any
		if json.Unmarshal([]byte(line), &v) == nil {
			strs = appendStrings(strs, v)
			json.Compact(&compact, []byte(line))
			compact.WriteByte('\n')
		}
	}
	var missing []string
	for _, w := range strings.Split(want, "\n") {
		w = strings.TrimRight(w, " \t")
		if strings.TrimSpace(w) == "" || strings.Contains(output, w) {
			continue
		}
		found := false
		for _, s := range strs {
			if strings.Contains(s, strings.TrimSpace(w)) {
				found = true
				break
			}
		}
		var c bytes.Buffer
		if !found && json.Compact(&c, []byte(w)) == nil && strings.Contains(compact.String(), c.String()) {
			found = true
		}
		if !found {
			missing = append(missing, w)
		}
	}
	return missing
}

func appendStrings(out []string, v any) []string {
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, x := range v {
			out = appendStrings(out, x)
		}
	case map[string]any:
		for _, x := range v {
			out = appendStrings(out, x)
		}
	}
	return out
}
