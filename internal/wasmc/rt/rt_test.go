package rt

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/permc/permc/internal/wasmc/rt/wasmbin"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// The statuses of the packed result.
const (
	stOK       = 0
	stRejected = 1
	stBadCall  = 2
	stInternal = 3
)

// testModule is the test build, rt_test.wasm: the runtime with the test engine and
// the t_* entry points (c/test.c).
var testModule = func() []byte {
	b, err := os.ReadFile("rt_test.wasm")
	if err != nil {
		panic(err)
	}
	return b
}()

// engine compiles modules once for every test of the package: the compilation is
// what costs.
var engine struct {
	once sync.Once
	rt   wazero.Runtime
	mu   sync.Mutex
	mods map[string]wazero.CompiledModule
}

func compiled(t testing.TB, module []byte) (wazero.Runtime, wazero.CompiledModule) {
	t.Helper()
	engine.once.Do(func() {
		engine.rt = wazero.NewRuntime(context.Background())
		engine.mods = map[string]wazero.CompiledModule{}
	})
	engine.mu.Lock()
	defer engine.mu.Unlock()
	key := string(module)
	if m, ok := engine.mods[key]; ok {
		return engine.rt, m
	}
	m, err := engine.rt.CompileModule(context.Background(), module)
	if err != nil {
		t.Fatal(err)
	}
	engine.mods[key] = m
	return engine.rt, m
}

// inst is an instance of a runtime module.
type inst struct {
	t   testing.TB
	ctx context.Context
	mod api.Module
	fns map[string]api.Function
}

func newInst(t testing.TB, module []byte) *inst {
	t.Helper()
	r, m := compiled(t, module)
	return instantiate(t, r, m)
}

func instantiate(t testing.TB, r wazero.Runtime, m wazero.CompiledModule) *inst {
	t.Helper()
	ctx := context.Background()
	mod, err := r.InstantiateModule(ctx, m, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mod.Close(ctx) })
	return &inst{t: t, ctx: ctx, mod: mod, fns: map[string]api.Function{}}
}

func (in *inst) invoke(name string, args ...uint64) uint64 {
	in.t.Helper()
	fn, ok := in.fns[name]
	if !ok {
		if fn = in.mod.ExportedFunction(name); fn == nil {
			in.t.Fatalf("no export %s", name)
		}
		in.fns[name] = fn
	}
	res, err := fn.Call(in.ctx, args...)
	if err != nil {
		in.t.Fatalf("%s%v trapped: %v", name, args, err)
	}
	if len(res) == 0 {
		return 0
	}
	return res[0]
}

func (in *inst) alloc(size int) uint32 { return uint32(in.invoke("permc_alloc", uint64(size))) }
func (in *inst) free(p uint32)         { in.invoke("permc_free", uint64(p)) }

// put allocates a block holding data.
func (in *inst) put(data []byte) uint32 {
	in.t.Helper()
	p := in.alloc(len(data))
	if p == 0 {
		in.t.Fatalf("permc_alloc(%d) = 0", len(data))
	}
	if !in.mod.Memory().Write(p, data) {
		in.t.Fatalf("block at %d of %d bytes is outside memory", p, len(data))
	}
	return p
}

func unpack(r uint64) (ptr, status, n uint32) {
	return uint32(r >> 32), uint32(r>>28) & 0xf, uint32(r & (1<<28 - 1))
}

// result copies out a packed result.
func (in *inst) result(r uint64) (uint32, []byte) {
	in.t.Helper()
	ptr, status, n := unpack(r)
	if n == 0 {
		return status, nil
	}
	if ptr == 0 {
		in.t.Fatalf("a %d-byte result at address 0", n)
	}
	b, ok := in.mod.Memory().Read(ptr, n)
	if !ok {
		in.t.Fatalf("result of %d bytes at %d is outside memory", n, ptr)
	}
	return status, bytes.Clone(b)
}

// call runs an export of (ptr, len) on data in a fresh block.
func (in *inst) call(name string, data []byte) (uint32, []byte) {
	in.t.Helper()
	p := in.put(data)
	status, out := in.result(in.invoke(name, uint64(p), uint64(len(data))))
	in.free(p)
	return status, out
}

// args encodes the arguments of a t_* entry point of several.
func args(a ...string) []byte {
	var b []byte
	for _, s := range a {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

// text runs a t_* entry point: its output, or its error message.
func (in *inst) text(name string, data []byte) (string, bool) {
	in.t.Helper()
	status, out := in.call(name, data)
	switch status {
	case stOK:
		return string(out), true
	case stRejected:
		return string(out), false
	}
	in.t.Fatalf("%s(%q) = status %d %s", name, data, status, out)
	return "", false
}

// TestImportsNothing: the release module imports nothing, so every engine runs
// it with no host functions at all.
func TestImportsNothing(t *testing.T) {
	for name, module := range map[string][]byte{"rt.wasm": Module, "rt_test.wasm": testModule} {
		_, m := compiled(t, module)
		if n := len(m.ImportedFunctions()) + len(m.ImportedMemories()); n != 0 {
			t.Errorf("%s imports %d functions and memories", name, n)
		}
		mod, err := parseModule(module)
		if err != nil {
			t.Fatal(err)
		}
		if s := mod.section(2); s != nil && !bytes.Equal(s, []byte{0}) {
			t.Errorf("%s has an import section: % x", name, s)
		}
	}
}

// TestExports: the release module exports exactly the ABI's functions, its
// memory and __heap_base.
func TestExports(t *testing.T) {
	_, m := compiled(t, Module)
	var got []string
	for name := range m.ExportedFunctions() {
		got = append(got, name)
	}
	slices.Sort(got)
	want := []string{"_initialize", "permc_abi_version", "permc_alloc", "permc_check", "permc_check_batch",
		"permc_configure", "permc_free", "permc_load_roles", "permc_metadata", "permc_plan"}
	if !slices.Equal(got, want) {
		t.Errorf("exported functions %v, want %v", got, want)
	}
	if _, ok := m.ExportedMemories()["memory"]; !ok || len(m.ExportedMemories()) != 1 {
		t.Errorf("exported memories %v, want memory", m.ExportedMemories())
	}
	mod, _ := parseModule(Module)
	if _, err := mod.heapBase(); err != nil {
		t.Error(err)
	}
	// No names, no debug information, no producers: nothing but what runs.
	for _, s := range mod.sections {
		if s.id == 0 {
			r := wasmbin.Reader{B: s.body}
			t.Errorf("custom section %q", r.Bytes(r.U32()))
		}
	}
}

// TestBuildIsFresh rebuilds both modules from the C sources and compares them
// with the committed ones, which go test uses without a C toolchain.
func TestBuildIsFresh(t *testing.T) {
	for _, tool := range []string{"clang", "wasm-ld"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := tool + " is missing: install clang and lld (apt-get install clang lld) to check that rt.wasm is built from the sources"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", "build.sh", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, out)
	}
	for _, name := range []string{"rt.wasm", "rt_test.wasm"} {
		built, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(built, committed) {
			version, _ := exec.Command("clang", "--version").Output()
			t.Errorf("%s is stale (%d bytes built, %d committed): run go generate ./internal/wasmc/rt (with clang 14; this is %s)",
				name, len(built), len(committed), bytes.SplitN(version, []byte("\n"), 2)[0])
		}
	}
}

// TestBuildScript: build.sh lists the exports the release module has.
func TestBuildScript(t *testing.T) {
	script, err := os.ReadFile("build.sh")
	if err != nil {
		t.Fatal(err)
	}
	_, m := compiled(t, Module)
	for name := range m.ExportedFunctions() {
		if !strings.Contains(string(script), "\t"+name+"\n") {
			t.Errorf("build.sh does not list the export %s", name)
		}
	}
}
