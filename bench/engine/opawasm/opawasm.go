// Package opawasm runs the scenario's Rego policy (package oparego) compiled by OPA to
// WebAssembly, on wazero, through a minimal host written here against OPA's Wasm ABI:
// request JSON in, result JSON out, as a non-Go host of OPA's module would do it.
//
// OPA builds the module offline: its compile package embeds the prebuilt opa-wasm
// runtime the planner links the policy against.
package opawasm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/compile"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/permc/permc/bench/engine/oparego"
	"github.com/permc/permc/bench/scenario"
)

// Build compiles the model's Rego module to an OPA Wasm module with one entrypoint,
// libbench/allow.
func Build(m *scenario.Model) ([]byte, error) {
	fsys := fstest.MapFS{"libbench.rego": {Data: []byte(oparego.Module(m))}}
	c := compile.New().WithTarget(compile.TargetWasm).WithEntrypoints("libbench/allow").WithFS(fsys).WithPaths(".")
	if err := c.Build(context.Background()); err != nil {
		return nil, err
	}
	b := c.Bundle()
	if len(b.WasmModules) != 1 {
		return nil, fmt.Errorf("opa built %d wasm modules, want 1", len(b.WasmModules))
	}
	return b.WasmModules[0].Raw, nil
}

// Engine is one instance of an OPA Wasm module. It is not safe for concurrent use:
// like any Wasm instance it has one memory; run one Engine per goroutine.
type Engine struct {
	rt       wazero.Runtime
	mem      api.Memory
	eval     api.Function
	dataAddr uint64
	heapAddr uint32 // where each evaluation's input goes; its heap starts after it
	stack    []uint64
}

// Module is a compiled OPA Wasm module, ready to be instantiated any number of times.
type Module struct {
	raw   []byte
	cache wazero.CompilationCache
}

// Load compiles an OPA Wasm module to machine code once; instances share the code.
func Load(ctx context.Context, raw []byte) (*Module, error) {
	m := &Module{raw: raw, cache: wazero.NewCompilationCache()}
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(m.cache))
	defer rt.Close(ctx)
	if _, err := rt.CompileModule(ctx, raw); err != nil {
		return nil, err
	}
	return m, nil
}

// Instantiate makes a new instance, in a runtime of its own: OPA's module imports its
// memory by name, so two instances in one runtime would share it.
func (m *Module) Instantiate(ctx context.Context) (*Engine, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(m.cache))
	cm, err := rt.CompileModule(ctx, m.raw)
	if err != nil {
		rt.Close(ctx)
		return nil, err
	}
	e, err := instantiate(ctx, rt, cm)
	if err != nil {
		rt.Close(ctx)
		return nil, err
	}
	e.rt = rt
	return e, nil
}

// Close releases the instance.
func (e *Engine) Close(ctx context.Context) error { return e.rt.Close(ctx) }

// instantiate provides the module's imports and prepares its heap with empty data.
//
// OPA's module imports its memory and its host functions from one module, "env".
// wazero's host modules cannot export a memory, so, as OPA's own SDK does, a small
// generated Wasm module named env defines the memory and re-exports the Go host
// functions, which live in a host module "opa_host".
func instantiate(ctx context.Context, rt wazero.Runtime, cm wazero.CompiledModule) (*Engine, error) {
	host := rt.NewHostModuleBuilder("opa_host")
	var imports []importedFunc
	for _, f := range cm.ImportedFunctions() {
		mod, name, _ := f.Import()
		if mod != "env" {
			return nil, fmt.Errorf("unexpected import %s.%s", mod, name)
		}
		imports = append(imports, importedFunc{name, f.ParamTypes(), f.ResultTypes()})
		fn := hostFunc(name)
		host.NewFunctionBuilder().WithGoModuleFunction(fn, f.ParamTypes(), f.ResultTypes()).Export(name)
	}
	if _, err := host.Instantiate(ctx); err != nil {
		return nil, err
	}
	mems := cm.ImportedMemories()
	if len(mems) != 1 {
		return nil, fmt.Errorf("module imports %d memories, want 1", len(mems))
	}
	maxPages, _ := mems[0].Max()
	if _, err := rt.InstantiateWithConfig(ctx, envModule(imports, mems[0].Min(), maxPages), wazero.NewModuleConfig().WithName("env")); err != nil {
		return nil, err
	}
	mod, err := rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName("policy"))
	if err != nil {
		return nil, err
	}
	e := &Engine{rt: rt, mem: mod.Memory(), eval: mod.ExportedFunction("opa_eval"), stack: make([]uint64, 7)}
	if e.mem == nil || e.eval == nil {
		return nil, errors.New("not an OPA module of ABI 1.2 or later (no memory or no opa_eval)")
	}
	call := func(name string, args ...uint64) (uint64, error) {
		f := mod.ExportedFunction(name)
		if f == nil {
			return 0, fmt.Errorf("module exports no %s", name)
		}
		res, err := f.Call(ctx, args...)
		if err != nil || len(res) == 0 {
			return 0, err
		}
		return res[0], nil
	}
	// Empty data document, parsed once; every evaluation reads it.
	data := []byte("{}")
	addr, err := call("opa_malloc", uint64(len(data)))
	if err != nil {
		return nil, err
	}
	e.mem.Write(uint32(addr), data)
	if e.dataAddr, err = call("opa_json_parse", addr, uint64(len(data))); err != nil {
		return nil, err
	}
	heap, err := call("opa_heap_ptr_get")
	if err != nil {
		return nil, err
	}
	e.heapAddr = uint32(heap)
	return e, nil
}

func hostFunc(name string) api.GoModuleFunc {
	return func(ctx context.Context, m api.Module, stack []uint64) {
		if name == "opa_abort" {
			msg, _ := m.Memory().Read(uint32(stack[0]), 256)
			if i := bytes.IndexByte(msg, 0); i >= 0 {
				msg = msg[:i]
			}
			panic(fmt.Sprintf("opa_abort: %s", msg))
		}
		panic(fmt.Sprintf("%s: the policy calls a builtin this host does not provide", name))
	}
}

// Eval evaluates the entrypoint on input (JSON) and returns the result set as JSON,
// such as [{"result":true}]. The slice is a view of the instance's memory, valid until
// the next call.
func (e *Engine) Eval(ctx context.Context, input []byte) ([]byte, error) {
	end := e.heapAddr + uint32(len(input))
	if size := e.mem.Size(); end > size {
		if _, ok := e.mem.Grow((end - size + 65535) / 65536); !ok {
			return nil, errors.New("cannot grow memory for the input")
		}
	}
	e.mem.Write(e.heapAddr, input)
	s := e.stack
	// opa_eval(reserved, entrypoint, data, input, input_len, heap_ptr, format=JSON)
	s[0], s[1], s[2], s[3], s[4], s[5], s[6] = 0, 0, e.dataAddr, uint64(e.heapAddr), uint64(len(input)), uint64(end), 0
	if err := e.eval.CallWithStack(ctx, s); err != nil {
		return nil, err
	}
	addr := uint32(s[0])
	out, ok := e.mem.Read(addr, e.mem.Size()-addr)
	if !ok {
		return nil, fmt.Errorf("result address %d out of memory", addr)
	}
	if i := bytes.IndexByte(out, 0); i >= 0 {
		out = out[:i]
	}
	return out, nil
}

var allowed = []byte(`[{"result":true}]`)

// Allowed evaluates input and reports whether the result is true.
func (e *Engine) Allowed(ctx context.Context, input []byte) (bool, error) {
	out, err := e.Eval(ctx, input)
	if err != nil {
		return false, err
	}
	if bytes.Equal(out, allowed) {
		return true, nil
	}
	if bytes.Equal(out, []byte(`[{"result":false}]`)) {
		return false, nil
	}
	return false, fmt.Errorf("unexpected result %s", out)
}

type importedFunc struct {
	name            string
	params, results []api.ValueType
}

// envModule encodes a Wasm module that imports fs from "opa_host", defines a memory of
// the given limits and exports both under the names OPA's module imports them by.
func envModule(fs []importedFunc, minPages, maxPages uint32) []byte {
	var types, imports, exports []byte
	types = uleb(types, uint32(len(fs)))
	imports = uleb(imports, uint32(len(fs)))
	exports = uleb(exports, uint32(len(fs)+1))
	for i, f := range fs {
		types = append(types, 0x60)
		types = uleb(types, uint32(len(f.params)))
		types = append(types, f.params...)
		types = uleb(types, uint32(len(f.results)))
		types = append(types, f.results...)
		imports = name(imports, "opa_host")
		imports = name(imports, f.name)
		imports = append(imports, 0x00) // function
		imports = uleb(imports, uint32(i))
		exports = name(exports, f.name)
		exports = append(exports, 0x00)
		exports = uleb(exports, uint32(i))
	}
	exports = name(exports, "memory")
	exports = append(exports, 0x02, 0x00)
	memory := []byte{0x01}
	if maxPages > 0 {
		memory = append(memory, 0x01)
		memory = uleb(memory, minPages)
		memory = uleb(memory, maxPages)
	} else {
		memory = append(memory, 0x00)
		memory = uleb(memory, minPages)
	}
	out := []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}
	for _, s := range []struct {
		id   byte
		body []byte
	}{{1, types}, {2, imports}, {5, memory}, {7, exports}} {
		out = append(out, s.id)
		out = uleb(out, uint32(len(s.body)))
		out = append(out, s.body...)
	}
	return out
}

func uleb(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func name(b []byte, s string) []byte { return append(uleb(b, uint32(len(s))), s...) }
