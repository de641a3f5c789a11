package bench

import (
	"context"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/permc/permc/bench/scenario"
	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/spec"
	"github.com/permc/permc/wasm"
)

// permc's Wasm module (built by permc without a toolchain: the spec's program linked
// into its runtime written in C), on wazero, through permc's Go host (package wasm).

// permcWasmBuilds caches the module of each model scale.

var permcWasmBuilds sync.Map // scale -> []byte

func permcWasmModule(m *scenario.Model) ([]byte, error) {
	if raw, ok := permcWasmBuilds.Load(m.Scale); ok {
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
	permcWasmBuilds.Store(m.Scale, raw)
	return raw, nil
}

func loadPermcWasm(m *scenario.Model, _ []scenario.Case) (checker, error) {
	raw, err := permcWasmModule(m)
	if err != nil {
		return nil, err
	}
	a, err := wasm.New(context.Background(), raw, wasm.Options{})
	if err != nil {
		return nil, err
	}
	return permcWasmChecker{a}, nil
}

type permcWasmChecker struct{ a *wasm.Authorizer }

func (k permcWasmChecker) close() { k.a.Close(context.Background()) }

func (k permcWasmChecker) prepare(c *scenario.Case) (prepared, error) {
	ctx := context.Background()
	req := c.RequestJSON()
	dst := make([]byte, 0, 512)
	return prepared{
		decide: func() (outcome, error) {
			d, err := k.a.CheckJSON(ctx, nil, req)
			return outcome{allowed: allowedJSON(d), decision: d}, err
		},
		op: func() { dst, _ = k.a.CheckJSON(ctx, dst[:0], req) },
		par: func(pb *testing.PB) {
			// The Authorizer keeps a pool of instances, one per core by default.
			dst := make([]byte, 0, 512)
			for pb.Next() {
				dst, _ = k.a.CheckJSON(ctx, dst[:0], req)
			}
		},
	}, nil
}

// permcWasmCompile starts the module as package wasm does: it imports nothing and
// needs no start function.
func permcWasmCompile(ctx context.Context, raw []byte) (func() (func(), error), func(), error) {
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
