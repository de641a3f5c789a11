package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"testing"

	"github.com/permc/permc/bench/engine/opawasm"
	"github.com/permc/permc/bench/scenario"
	"github.com/permc/permc/gen"
	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/spec"
)

// TestEngines checks every engine's answer to every case, at every spec scale: an
// engine is only timed once it is known to answer the scenario right.
func TestEngines(t *testing.T) {
	cs := scenario.Cases()
	for _, en := range engines {
		t.Run(en.name, func(t *testing.T) {
			for _, k := range scenario.Scales {
				if k > 1 && !en.scales {
					continue
				}
				m := scenario.NewModel(k)
				ck, err := en.load(m, cs)
				if err != nil {
					t.Fatalf("spec=%dx: load: %v", k, err)
				}
				if c, ok := ck.(closer); ok {
					defer c.close()
				}
				for i := range cs {
					c := &cs[i]
					if k > 1 && c.N > 10 {
						continue // a larger spec is checked on the smaller principals
					}
					if err := decideOnce(ck, c); err != nil {
						t.Errorf("spec=%dx %s: %s %s %s: %v", k, c.Name, c.Principal.ID, c.Action, c.Library.ID, err)
					}
				}
			}
		})
	}
}

func decideOnce(ck checker, c *scenario.Case) error {
	p, err := ck.prepare(c)
	if err != nil {
		return err
	}
	o, err := p.decide()
	if err != nil {
		return err
	}
	return o.check(c)
}

// mustPrepare converts c for the engine and checks its answer before any timing.
func mustPrepare(b *testing.B, ck checker, c *scenario.Case) prepared {
	b.Helper()
	p, err := ck.prepare(c)
	if err != nil {
		b.Fatal(err)
	}
	o, err := p.decide()
	if err != nil {
		b.Fatal(err)
	}
	if err := o.check(c); err != nil {
		b.Fatalf("%s: wrong answer, not timing it: %v", c.Name, err)
	}
	return p
}

func mustLoad(b *testing.B, en engine, m *scenario.Model, cs []scenario.Case) checker {
	b.Helper()
	ck, err := en.load(m, cs)
	if err != nil {
		b.Fatal(err)
	}
	if c, ok := ck.(closer); ok {
		b.Cleanup(c.close)
	}
	return ck
}

func runLoop(b *testing.B, p prepared) {
	b.ReportAllocs()
	if p.loop != nil {
		p.loop(b)
		return
	}
	op := p.op
	for b.Loop() {
		op()
	}
}

func benchCases(n int) []scenario.Case {
	allow, deny := scenario.Bench(n)
	return []scenario.Case{allow, deny}
}

// BenchmarkCheck is the cost of one check, the principal holding N role assignments of
// which the last grants: "allow" is an author editing a library of their organization,
// "deny" the same author publishing it (every assignment looked at).
func BenchmarkCheck(b *testing.B) {
	for _, en := range engines {
		b.Run(en.name, func(b *testing.B) {
			for _, n := range scenario.Ns {
				cs := benchCases(n)
				ck := mustLoad(b, en, scenario.NewModel(1), cs)
				for i := range cs {
					c := &cs[i]
					b.Run(fmt.Sprintf("assignments=%d/%s", n, c.Name), func(b *testing.B) {
						runLoop(b, mustPrepare(b, ck, c))
					})
				}
			}
		})
	}
}

// BenchmarkSpecSize is the cost of one check at N = 10 against the scenario's spec and
// specs with 10 and 100 times as many resource types, roles, permissions and rules.
func BenchmarkSpecSize(b *testing.B) {
	for _, en := range engines {
		if !en.scales {
			continue
		}
		b.Run(en.name, func(b *testing.B) {
			for _, k := range scenario.Scales {
				cs := benchCases(10)
				ck := mustLoad(b, en, scenario.NewModel(k), cs)
				for i := range cs {
					c := &cs[i]
					b.Run(fmt.Sprintf("spec=%dx/assignments=10/%s", k, c.Name), func(b *testing.B) {
						runLoop(b, mustPrepare(b, ck, c))
					})
				}
			}
		})
	}
}

// BenchmarkParallel is BenchmarkCheck at N = 10 with checks on every core at once.
func BenchmarkParallel(b *testing.B) {
	for _, en := range engines {
		b.Run(en.name, func(b *testing.B) {
			cs := benchCases(10)
			ck := mustLoad(b, en, scenario.NewModel(1), cs)
			for i := range cs {
				c := &cs[i]
				b.Run("assignments=10/"+c.Name, func(b *testing.B) {
					p := mustPrepare(b, ck, c)
					b.ReportAllocs()
					if p.par != nil {
						b.RunParallel(p.par)
						return
					}
					op := p.op
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							op()
						}
					})
				})
			}
		})
	}
}

// BenchmarkLoad is the cold start: from the policy as deployed to an engine ready to
// answer (including, for engines that keep them, the role assignments of the N = 10
// principal), at each spec scale. The policy as deployed is its source for the
// interpreters, the module's bytes for Wasm (wazero compiles and instantiates it), and
// for generated Go, compiled into the program, making an Authorizer. What comes before
// deployment is BenchmarkBuild.
func BenchmarkLoad(b *testing.B) {
	for _, en := range engines {
		if en.name == "hand" || en.name == "hand-json" || en.name == "permc-go-json" {
			continue // nothing to load; the same Authorizer as permc-go
		}
		b.Run(en.name, func(b *testing.B) {
			for _, k := range scenario.Scales {
				if k > 1 && !en.scales {
					continue
				}
				m := scenario.NewModel(k)
				cs := benchCases(10)
				b.Run(fmt.Sprintf("spec=%dx", k), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						ck, err := en.load(m, cs)
						if err != nil {
							b.Fatal(err)
						}
						if c, ok := ck.(closer); ok {
							c.close()
						}
					}
				})
			}
		})
	}
}

// wasmModule is a Wasm build of the scenario and how a host starts it.
type wasmModule struct {
	name  string
	build func(m *scenario.Model) ([]byte, error)
	// compile compiles raw to machine code; instantiate makes an instance of it, ready
	// to answer, and returns how to release it; done releases the compiled code.
	compile func(ctx context.Context, raw []byte) (instantiate func() (release func(), err error), done func(), err error)
}

var wasmModules = []wasmModule{
	{name: "permc-wasm", build: permcWasmModule, compile: permcWasmCompile},
	{name: "opa-wasm", build: opaWasmModule, compile: func(ctx context.Context, raw []byte) (func() (func(), error), func(), error) {
		mod, err := opawasm.Load(ctx, raw)
		if err != nil {
			return nil, nil, err
		}
		return func() (func(), error) {
			inst, err := mod.Instantiate(ctx)
			if err != nil {
				return nil, err
			}
			return func() { inst.Close(ctx) }, nil
		}, func() {}, nil
	}},
}

// BenchmarkWasmStart is the cost of starting a Wasm module that is already built:
// wazero compiles it to machine code ("compile"), then each instance is made from
// that code ("instantiate"). It reports the module's size, raw and gzip'ed, as
// wasm-bytes and wasm-gzip-bytes.
func BenchmarkWasmStart(b *testing.B) {
	ctx := context.Background()
	for _, w := range wasmModules {
		b.Run(w.name, func(b *testing.B) {
			for _, k := range scenario.Scales {
				raw, err := w.build(scenario.NewModel(k))
				if err != nil {
					b.Fatal(err)
				}
				var gz bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
				zw.Write(raw)
				zw.Close()
				b.Run(fmt.Sprintf("spec=%dx/compile", k), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						_, done, err := w.compile(ctx, raw)
						if err != nil {
							b.Fatal(err)
						}
						done()
					}
					b.ReportMetric(float64(len(raw)), "wasm-bytes")
					b.ReportMetric(float64(gz.Len()), "wasm-gzip-bytes")
				})
				b.Run(fmt.Sprintf("spec=%dx/instantiate", k), func(b *testing.B) {
					instantiate, done, err := w.compile(ctx, raw)
					if err != nil {
						b.Fatal(err)
					}
					defer done()
					b.ReportAllocs()
					for b.Loop() {
						release, err := instantiate()
						if err != nil {
							b.Fatal(err)
						}
						release()
					}
				})
			}
		})
	}
}

// BenchmarkBuild is what happens before deployment, for the engines that compile a
// policy ahead of time: permc generating Go from the spec (the go build after it is not
// timed), permc building its Wasm module from the spec (all of it: what
// permc build-wasm does after reading the file), and OPA building its Wasm module from
// Rego.
func BenchmarkBuild(b *testing.B) {
	// Each build is given the model outside the timing and returns what is timed.
	builds := []struct {
		name  string
		build func(m *scenario.Model) func() error
	}{
		{"permc-go", fromSpec(func(s *spec.Spec) (err error) { _, err = gen.Generate(s, gen.Options{}); return err })},
		{"permc-wasm", fromSpec(func(s *spec.Spec) (err error) { _, err = wasmc.Build(s, wasmc.Options{}); return err })},
		{"opa-wasm", func(m *scenario.Model) func() error {
			return func() (err error) { _, err = opawasm.Build(m); return err }
		}},
	}
	for _, e := range builds {
		for _, k := range scenario.Scales {
			build := e.build(scenario.NewModel(k))
			b.Run(fmt.Sprintf("%s/spec=%dx", e.name, k), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := build(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// fromSpec is a permc build: loading the model's spec from its YAML, then build.
func fromSpec(build func(*spec.Spec) error) func(m *scenario.Model) func() error {
	return func(m *scenario.Model) func() error {
		src := m.Spec()
		return func() error {
			s, err := spec.Load("spec.yaml", src)
			if err != nil {
				return err
			}
			return build(s)
		}
	}
}
