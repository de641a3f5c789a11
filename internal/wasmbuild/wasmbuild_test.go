package wasmbuild_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/permc/permc/internal/wasmbuild"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/spec"
)

func TestMain(m *testing.M) { wasmtest.Main(m) }

const specPath = "../../examples/contentlibraries/spec.yaml"

func TestFiles(t *testing.T) {
	s, err := spec.LoadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	files, err := wasmbuild.Files(s)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	want := "authz/authz.go authz/authz_check.go authz/authz_expr.go authz/authz_json.go guest/addr_wasm.go guest/exports_wasip1.go guest/guest.go main/main.go"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("files = %s\nwant %s", got, want)
	}
	if !bytes.Contains(files["main/main.go"], []byte(`guest.Init(authz.NewAuthorizer(authz.Options{MaxRequestBytes: guest.MaxBlock, MaxRolesBytes: guest.MaxBlock}), authz.MetadataJSON())`)) {
		t.Errorf("main.go does not hand the authorizer to the guest:\n%s", files["main/main.go"])
	}
}

// TestReproducible builds the same spec twice, in folders of different names, and
// wants the same bytes: -trimpath, no VCS stamp, no build paths in the module.
func TestReproducible(t *testing.T) {
	s, err := spec.LoadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	a, err := wasmbuild.Build(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := wasmbuild.Build(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("two builds of one spec differ: %d and %d bytes", len(a), len(b))
	}
	if bytes.Contains(a, []byte(os.TempDir())) {
		t.Errorf("the module names the build folder")
	}
	cached, err := wasmbuild.Cached(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, cached) {
		t.Errorf("the cached build differs from a fresh one")
	}
}

// TestImportsExports: a module imports only what Go's wasip1 runtime needs, and
// exports its memory, _initialize and the ABI's functions with their signatures.
func TestImportsExports(t *testing.T) {
	_, module := wasmtest.Module(t, specPath)
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	compiled, err := r.CompileModule(ctx, module)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range compiled.ImportedFunctions() {
		mod, name, _ := f.Import()
		if mod != "wasi_snapshot_preview1" {
			t.Errorf("imports %s.%s", mod, name)
		}
	}
	want := map[string]string{
		"_initialize":       "() -> ()",
		"permc_abi_version": "() -> (i32)",
		"permc_alloc":       "(i32) -> (i32)",
		"permc_free":        "(i32) -> ()",
		"permc_check":       "(i32, i32) -> (i64)",
		"permc_check_batch": "(i32, i32) -> (i64)",
		"permc_load_roles":  "(i32, i32) -> (i64)",
		"permc_configure":   "(i32, i32) -> (i64)",
		"permc_metadata":    "() -> (i64)",
	}
	got := map[string]string{}
	for name, f := range compiled.ExportedFunctions() {
		got[name] = signature(f.ParamTypes(), f.ResultTypes())
	}
	for name, sig := range want {
		if got[name] != sig {
			t.Errorf("export %s: %q, want %q", name, got[name], sig)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected export %s", name)
		}
	}
	if _, ok := compiled.ExportedMemories()["memory"]; !ok {
		t.Error("memory is not exported")
	}
}

func signature(params, results []byte) string {
	name := func(ts []byte) string {
		var s []string
		for _, t := range ts {
			s = append(s, map[byte]string{0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64"}[t])
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	return name(params) + " -> " + name(results)
}

// TestOffline builds with the network and the module cache out of reach: a module
// needs nothing but the Go toolchain and what permc carries.
func TestOffline(t *testing.T) {
	s, err := spec.LoadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMODCACHE", filepath.Join(t.TempDir(), "modcache"))
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "")
	if _, err := wasmbuild.Build(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}
