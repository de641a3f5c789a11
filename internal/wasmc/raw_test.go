package wasmc_test

import (
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/spec"
)

// raw is an instance of a module driven through its exports directly (docs/wasm-abi.md),
// for what package wasm does not offer: permc_configure, the instance's memory.
type raw struct {
	t   testing.TB
	mod api.Module
}

// The statuses of a packed result.
const (
	stOK       = 0
	stRejected = 1
)

func newRaw(t testing.TB, s *spec.Spec) *raw {
	t.Helper()
	mod, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(wasmtest.CompilationCache()))
	t.Cleanup(func() { r.Close(ctx) })
	m, err := r.InstantiateWithConfig(ctx, mod, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		t.Fatal(err)
	}
	return &raw{t: t, mod: m}
}

func (r *raw) invoke(name string, args ...uint64) uint64 {
	r.t.Helper()
	res, err := r.mod.ExportedFunction(name).Call(ctx, args...)
	if err != nil {
		r.t.Fatalf("%s trapped: %v", name, err)
	}
	if len(res) == 0 {
		return 0
	}
	return res[0]
}

// call passes input to the export name in a block of its own and returns the
// result's status and bytes.
func (r *raw) call(name string, input []byte) (uint32, []byte) {
	r.t.Helper()
	p := uint32(r.invoke("permc_alloc", uint64(len(input))))
	if p == 0 {
		r.t.Fatalf("permc_alloc(%d) = 0", len(input))
	}
	defer r.invoke("permc_free", uint64(p))
	if !r.mod.Memory().Write(p, input) {
		r.t.Fatal("the block is outside memory")
	}
	res := r.invoke(name, uint64(p), uint64(len(input)))
	ptr, status, n := uint32(res>>32), uint32(res>>28)&0xf, uint32(res&(1<<28-1))
	out, ok := r.mod.Memory().Read(ptr, n)
	if !ok {
		r.t.Fatalf("%s: a result outside memory", name)
	}
	return status, append([]byte(nil), out...)
}

// memory is the instance's memory size in bytes.
func (r *raw) memory() uint32 { return r.mod.Memory().Size() }
