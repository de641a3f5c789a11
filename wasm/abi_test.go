package wasm_test

import (
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/permc/permc/internal/wasmtest"
)

// The statuses and limits of docs/wasm-abi.md, as a host written from the document
// alone would declare them.
type status uint32

const (
	statusOK status = iota
	statusRejected
	statusBadCall
	statusInternal
)

const (
	maxBlock = 4 << 20
	maxLive  = 16 << 20
)

func unpack(r uint64) (ptr uint32, st status, n int) {
	return uint32(r >> 32), status(r>>28) & 0xF, int(r & 0x0FFFFFFF)
}

// rawModule is a module driven through its exports directly, as a host in another
// language would, following docs/wasm-abi.md.
type rawModule struct {
	t   *testing.T
	mod api.Module
}

func newRawModule(t *testing.T) *rawModule {
	_, module := wasmtest.Module(t, libraries)
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(wasmtest.CompilationCache()))
	t.Cleanup(func() { r.Close(ctx) })
	// The module imports nothing: an empty runtime instantiates it.
	mod, err := r.InstantiateWithConfig(ctx, module, wazero.NewModuleConfig())
	if err != nil {
		t.Fatal(err)
	}
	return &rawModule{t, mod}
}

// call calls an export; a trap fails the test.
func (m *rawModule) call(name string, args ...uint64) uint64 {
	m.t.Helper()
	res, err := m.mod.ExportedFunction(name).Call(ctx, args...)
	if err != nil {
		m.t.Fatalf("%s%v trapped: %v", name, args, err)
	}
	if len(res) == 0 {
		return 0
	}
	return res[0]
}

// put allocates a block holding data.
func (m *rawModule) put(data string) uint32 {
	m.t.Helper()
	p := uint32(m.call("permc_alloc", uint64(len(data))))
	if p == 0 || !m.mod.Memory().Write(p, []byte(data)) {
		m.t.Fatalf("permc_alloc(%d) = %d", len(data), p)
	}
	return p
}

// result reads a packed result.
func (m *rawModule) result(r uint64) (status, string) {
	m.t.Helper()
	ptr, status, n := unpack(r)
	b, ok := m.mod.Memory().Read(ptr, uint32(n))
	if !ok {
		m.t.Fatalf("result of %d bytes at %d is outside memory", n, ptr)
	}
	return status, string(b)
}

// TestABIBadCalls calls the exports with addresses and lengths that do not describe a
// block: each is an error result, never a trap, and the module answers the next good
// call correctly.
func TestABIBadCalls(t *testing.T) {
	m := newRawModule(t)
	if v := m.call("permc_abi_version"); v != 1 {
		t.Fatalf("permc_abi_version = %d", v)
	}
	req := m.put(good)
	memSize := uint64(m.mod.Memory().Size())
	freed := m.put("{}")
	m.call("permc_free", uint64(freed))
	bad := []struct {
		name     string
		ptr, len uint64
	}{
		{"null", 0, 10},
		{"past the block", uint64(req), uint64(len(good) + 1)},
		{"inside the block", uint64(req) + 1, 10},
		{"freed", uint64(freed), 2},
		{"past memory", memSize + 16, 10},
		{"at the end of memory", memSize - 1, 2},
		{"4 GiB long", uint64(req), 0xffffffff},
		{"top of the address space", 0xfffffff0, 0xffffffff},
	}
	for _, c := range bad {
		for _, fn := range []string{"permc_check", "permc_check_batch", "permc_load_roles"} {
			status, out := m.result(m.call(fn, c.ptr, c.len))
			if status != statusBadCall || !strings.HasPrefix(out, `{"error":"no block of `) {
				t.Errorf("%s, %s: status %d, %s", c.name, fn, status, out)
			}
			if status, out := m.result(m.call("permc_check", uint64(req), uint64(len(good)))); status != statusOK || out != goodAnswer {
				t.Fatalf("after %s, %s: status %d, %s", c.name, fn, status, out)
			}
		}
	}
	for _, size := range []uint64{maxBlock + 1, 0xffffffff} {
		if p := m.call("permc_alloc", size); p != 0 {
			t.Errorf("permc_alloc(%d) = %d", size, p)
		}
	}
	for _, p := range []uint64{0, 12345, memSize + 1, 0xffffffff} {
		m.call("permc_free", p) // ignored
	}
	// Blocks are bounded in number and bytes: a host that never frees gets 0, not a
	// module out of memory.
	var blocks []uint64
	for {
		p := m.call("permc_alloc", maxBlock)
		if p == 0 {
			break
		}
		blocks = append(blocks, p)
		if len(blocks) > maxLive/maxBlock {
			t.Fatalf("%d blocks of %d bytes handed out", len(blocks), maxBlock)
		}
	}
	for _, p := range blocks {
		m.call("permc_free", p)
	}
	if status, out := m.result(m.call("permc_check", uint64(req), uint64(len(good)))); status != statusOK || out != goodAnswer {
		t.Fatalf("after the bad calls: status %d, %s", status, out)
	}
}

// TestABIResults exercises the statuses and both batch forms through the exports.
func TestABIResults(t *testing.T) {
	m := newRawModule(t)
	check := func(in string) (status, string) {
		p := m.put(in)
		defer m.call("permc_free", uint64(p))
		return m.result(m.call("permc_check", uint64(p), uint64(len(in))))
	}
	if s, out := check(good); s != statusOK || out != goodAnswer {
		t.Errorf("check: %d %s", s, out)
	}
	if s, out := check(`{"principal":{}}`); s != statusRejected || !strings.HasPrefix(out, `{"error":`) {
		t.Errorf("check of a malformed request: %d %s", s, out)
	}
	batch := func(in string) (status, string) {
		p := m.put(in)
		defer m.call("permc_free", uint64(p))
		return m.result(m.call("permc_check_batch", uint64(p), uint64(len(in))))
	}
	if s, out := batch(good + "\n\n" + good + "\n{\n"); s != statusOK || out != goodAnswer+"\n"+goodAnswer+"\n"+`{"error":"invalid JSON at offset 1: expected a string key"}`+"\n" {
		t.Errorf("batch of lines: %d %s", s, out)
	}
	if s, out := batch("[" + good + ",\n" + good + "]"); s != statusOK || out != "["+goodAnswer+","+goodAnswer+"]" {
		t.Errorf("batch array: %d %s", s, out)
	}
	if s, out := batch("[" + good); s != statusRejected || !strings.HasPrefix(out, `{"error":"invalid batch`) {
		t.Errorf("truncated batch array: %d %s", s, out)
	}
	roles := func(in string) (status, string) {
		p := m.put(in)
		defer m.call("permc_free", uint64(p))
		return m.result(m.call("permc_load_roles", uint64(p), uint64(len(in))))
	}
	if s, out := roles(`[{"name":"r","permissions":["library.nope"]}]`); s != statusRejected || !strings.Contains(out, `unknown permission`) {
		t.Errorf("invalid roles: %d %s", s, out)
	}
	if s, out := roles(`[{"name":"r","permissions":["library.*"]}]`); s != statusOK || out != "" {
		t.Errorf("roles: %d %q", s, out)
	}
	if s, out := check(strings.Replace(good, "library_author", "r", 1)); s != statusOK || !strings.Contains(out, `"role":"r"`) {
		t.Errorf("check with a custom role: %d %s", s, out)
	}
	if s, out := m.result(m.call("permc_metadata")); s != statusOK || !strings.HasPrefix(out, `{"permc":`) {
		t.Errorf("metadata: %d %.80s", s, out)
	}
}
