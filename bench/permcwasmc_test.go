package bench

import (
	"context"
	"sync"

	"github.com/tetratelabs/wazero"

	"github.com/permc/permc/bench/scenario"
	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/spec"
	"github.com/permc/permc/wasm"
)

// permc's Wasm module built without a toolchain (internal/wasmc: the spec's program
// linked into the runtime written in C), on wazero, through permc's Go host

var permcWasmCBuilds sync.Map // scale -> []byte

func permcWasmCModule(m *scenario.Model) ([]byte, error) {
	if raw, ok := permcWasmCBuilds.Load(m.Scale); ok {
		return raw.([]byte), nil
	}
	s, err := spec.Load("spec.yaml", m.Spec())
	if err != nil {
		return nil, err
	}
	raw, err := wasmc.Build(s, wasmc.Options{})
	if err != nil {
		return nil, err
	}
	permcWasmCBuilds.Store(m.Scale, raw)
	return raw, nil
}

func loadPermcWasmC(m *scenario.Model, _ []scenario.Case) (checker, error) {
	raw, err := permcWasmCModule(m)
	if err != nil {
		return nil, err
	}
	a, err := wasm.New(context.Background(), raw, wasm.Options{})
	if err != nil {
		return nil, err
	}
	return permcWasmChecker{a}, nil
}

// permcWasmCCompile starts the module as package wasm does: it imports nothing and
// needs no start function.
func permcWasmCCompile(ctx context.Context, raw []byte) (func() (func(), error), func(), error) {
	rt := wazero.NewRuntime(ctx)
	done := func() { rt.Close(ctx) }
	compiled, err := rt.CompileModule(ctx, raw)
	if err != nil {
		done()
		return nil, nil, err
	}
	cfg := wazero.NewModuleConfig().WithName("")
	return func() (func(), error) {
		mod, err := rt.InstantiateModule(ctx, compiled, cfg)
		if err != nil {
			return nil, err
		}
		return func() { mod.Close(ctx) }, nil
	}, done, nil
}
