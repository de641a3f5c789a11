// Package toolchain builds generated Go code with the Go toolchain, offline: it writes a
// temporary module holding the generated packages, a main package and a copy of permc's
// runtime (embedded in the permc binary), then runs `go build` in it.
package toolchain

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/permc/permc"
)

// ModulePath is the module path of the temporary module; generated packages written
// at "authz/x.go" are imported as ModulePath + "/authz".
const ModulePath = "permcgen"

// runtimeDir is where the copy of permc's module lives inside the temporary module.
const runtimeDir = "_permc"

// goVersion returns the go directive of permc's own go.mod.
func goVersion() string {
	data, err := permc.Source.ReadFile("go.mod")
	if err != nil {
		return "1.22"
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	return "1.22"
}

// Files returns every file of the temporary module for the given files (paths
// relative to the module root, slash-separated): go.mod, permc's runtime, and files.
func Files(files map[string][]byte) (map[string][]byte, error) {
	out := map[string][]byte{}
	v := goVersion()
	out["go.mod"] = []byte(fmt.Sprintf("module %s\n\ngo %s\n\nrequire github.com/permc/permc v0.0.0\n\nreplace github.com/permc/permc => ./%s\n", ModulePath, v, runtimeDir))
	// Only the module line and the go directive: the runtime needs no dependency, and
	// naming permc's own would make the go command look for them.
	out[runtimeDir+"/go.mod"] = []byte(fmt.Sprintf("module github.com/permc/permc\n\ngo %s\n", v))
	err := fs.WalkDir(permc.Source, "runtime", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.go") || !strings.HasSuffix(p, ".go") {
			return err
		}
		data, err := permc.Source.ReadFile(p)
		if err != nil {
			return err
		}
		out[path.Join(runtimeDir, p)] = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		out[name] = data
	}
	return out, nil
}

// WriteModule writes the temporary module for files into dir.
func WriteModule(dir string, files map[string][]byte) error {
	all, err := Files(files)
	if err != nil {
		return err
	}
	for name, data := range all {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Hash identifies the module for files built by this Go toolchain, for caching builds.
func Hash(files map[string][]byte, extra ...string) (string, error) {
	all, err := Files(files)
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "%s %s %s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, e := range extra {
		fmt.Fprintf(h, "%q\n", e)
	}
	for _, n := range names {
		fmt.Fprintf(h, "%q %d\n", n, len(all[n]))
		h.Write(all[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}

// Env returns the environment for the go command in a temporary module: no network,
// no workspace, the local toolchain.
func Env(extra ...string) []string {
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local", "CGO_ENABLED=0")
	return append(env, extra...)
}

// NoteAfter is how long a build runs before it says what it is doing, under a
// context from WithProgress.
var NoteAfter = time.Second

type progressKey struct{}

type progress struct {
	w    io.Writer
	what string
}

// WithProgress returns a context under which a go command that takes longer than
// NoteAfter writes "permc: building WHAT" to w, as the go command says what it
// downloads: a first build takes from seconds to minutes, a cached one nothing.
// what names what is built, and why.
func WithProgress(ctx context.Context, w io.Writer, what string) context.Context {
	return context.WithValue(ctx, progressKey{}, progress{w, what})
}

// note writes ctx's progress note once NoteAfter has passed, unless done is called
// first; done returns once the note, if any, is written.
func note(ctx context.Context) (done func()) {
	p, ok := ctx.Value(progressKey{}).(progress)
	if !ok {
		return func() {}
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTimer(NoteAfter)
		defer t.Stop()
		select {
		case <-stop:
		case <-t.C:
			fmt.Fprintf(p.w, "permc: building %s\n", p.what)
		}
	}()
	return func() {
		close(stop)
		<-stopped
	}
}

// Go runs the go command with args in dir.
//
// # Errors
//
// A failing command's error includes its output.
func Go(ctx context.Context, dir string, env []string, args ...string) error {
	defer note(ctx)()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		if errors, ok := err.(*exec.Error); ok {
			return fmt.Errorf("the Go toolchain is needed to build generated code: %v", errors)
		}
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// Build writes the module for files into dir and builds the package pkg (relative,
// such as "./cmd/driver") into the executable out, with -trimpath.
func Build(ctx context.Context, dir string, files map[string][]byte, pkg, out string, env ...string) error {
	if err := WriteModule(dir, files); err != nil {
		return err
	}
	return Go(ctx, dir, Env(env...), "build", "-trimpath", "-o", out, pkg)
}
