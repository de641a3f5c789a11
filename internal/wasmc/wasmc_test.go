package wasmc_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/permc/permc/gen"
	"github.com/permc/permc/internal/corpus"
	"github.com/permc/permc/internal/gobackend"
	"github.com/permc/permc/internal/ir"
	"github.com/permc/permc/internal/suite"
	"github.com/permc/permc/internal/wasmc"
	"github.com/permc/permc/internal/wasmc/rt"
	"github.com/permc/permc/internal/wasmtest"
	"github.com/permc/permc/spec"
	"github.com/permc/permc/wasm"
)

func TestMain(m *testing.M) { wasmtest.Main(m) }

var ctx = context.Background()

// module builds s with wasmc and instantiates it, closed when the test ends. With
// $PERMC_TEST_RUNTIME set to a runtime built with its names (build.sh without
// --strip-all), a trap's stack trace names the C functions.
func module(t testing.TB, s *spec.Spec) *wasm.Authorizer {
	t.Helper()
	mod, err := wasmc.Build(s, wasmc.Options{})
	if path := os.Getenv("PERMC_TEST_RUNTIME"); path != "" && err == nil {
		var prog, runtime []byte
		if prog, err = wasmc.Program(s, wasmc.Options{}); err == nil {
			if runtime, err = os.ReadFile(path); err == nil {
				mod, err = rt.Link(runtime, prog)
			}
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	a, err := wasm.New(ctx, mod, wasm.Options{Instances: 1, CompilationCache: wasmtest.CompilationCache()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(ctx) })
	return a
}

// edited builds s into a module whose lowered program edit changed first: for what
// docs/spec.md defines but specs cannot declare yet.
func edited(t testing.TB, s *spec.Spec, edit func(p *ir.Program)) *wasm.Authorizer {
	t.Helper()
	p, err := ir.Lower(s, ir.Options{})
	if err != nil {
		t.Fatal(err)
	}
	edit(p)
	prog, err := wasmc.Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rt.Link(rt.Module, prog)
	if err != nil {
		t.Fatal(err)
	}
	a, err := wasm.New(ctx, mod, wasm.Options{Instances: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(ctx) })
	return a
}

// driver runs the Go package generated from s, stopped when the test ends.
func driver(t testing.TB, s *spec.Spec) *gobackend.Driver {
	t.Helper()
	bin, err := gobackend.Build(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := gobackend.Start(bin, gobackend.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// pair is a spec's module and its generated Go, with the same custom roles loaded.
type pair struct {
	s *spec.Spec
	a *wasm.Authorizer
	d *gobackend.Driver
}

func newPair(t testing.TB, path string, roles []byte) *pair {
	t.Helper()
	s, err := spec.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &pair{s: s, a: module(t, s), d: driver(t, s)}
	if roles != nil {
		p.loadRoles(t, roles)
	}
	return p
}

// loadRoles loads custom roles into both, which must agree on the outcome, error
// messages included.
func (p *pair) loadRoles(t testing.TB, roles []byte) error {
	t.Helper()
	errWasm, errGo := p.a.LoadRoles(ctx, roles), p.d.LoadRoles(roles)
	if (errWasm == nil) != (errGo == nil) || errGo != nil && errWasm.Error() != errGo.Error() {
		t.Fatalf("custom roles %.200s:\nwasm: %v\ngo:   %v", roles, errWasm, errGo)
	}
	return errGo
}

// check answers reqs with both, which must give the same bytes; it returns the
// module's answers.
func (p *pair) check(t testing.TB, reqs [][]byte) [][]byte {
	t.Helper()
	want := p.d.DecideAll(reqs)
	got, err := p.a.CheckBatch(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range reqs {
		if !bytes.Equal(want[i], got[i]) {
			t.Fatalf("request %d: %s\ngo:   %s\nwasm: %s", i, reqs[i], want[i], got[i])
		}
	}
	return got
}

// TestCorpus answers every case of the decision corpus with a module built by wasmc:
// each answer must be the corpus's, and byte for byte the generated Go's.
func TestCorpus(t *testing.T) {
	groups, err := corpus.Load("../../testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) == 0 {
		t.Fatal("no corpus groups")
	}
	for _, g := range groups {
		t.Run(g.Name, func(t *testing.T) {
			p := newPair(t, g.Spec, g.Roles)
			var reqs [][]byte
			for _, c := range g.Cases {
				reqs = append(reqs, c.Request)
			}
			got := p.check(t, reqs)
			for i, c := range g.Cases {
				if err := corpus.Check(got[i], c.Want); err != nil {
					t.Errorf("%s (line %d): %v", c.Name, c.Line, err)
				}
			}
		})
	}
}

// decider answers one request at a time with a module, for suite.Run.
type decider struct {
	t testing.TB
	a *wasm.Authorizer
}

func (d decider) DecideJSON(req []byte) []byte {
	out, err := d.a.CheckJSON(ctx, nil, req)
	if err != nil {
		d.t.Fatal(err)
	}
	return out
}

// TestExamples runs every example's test suite against a module built by wasmc, and
// compares every answer, and the metadata, with the generated Go's.
func TestExamples(t *testing.T) {
	paths, _ := filepath.Glob("../../examples/*/*_test.yaml")
	if len(paths) == 0 {
		t.Fatal("no example suites")
	}
	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			st, err := suite.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			cases, err := st.Cases()
			if err != nil {
				t.Fatal(err)
			}
			var roles []byte
			if rp := st.RolesPath(); rp != "" {
				if roles, err = os.ReadFile(rp); err != nil {
					t.Fatal(err)
				}
			}
			p := newPair(t, st.SpecPath(), roles)
			if want := gen.MetadataJSON(p.s, gen.Options{}); !bytes.Equal(p.a.MetadataJSON(), want) {
				t.Errorf("metadata:\n%s\nwant\n%s", p.a.MetadataJSON(), want)
			}
			var reqs [][]byte
			for _, c := range cases {
				reqs = append(reqs, c.Request)
			}
			p.check(t, reqs)
			var out bytes.Buffer
			if res := suite.Run(cases, decider{t, p.a}, &out, "", false); res.Failed > 0 {
				t.Errorf("%d of %d cases fail:\n%s", res.Failed, res.Failed+res.Passed, out.String())
			}
		})
	}
}

// maxModuleSize is what a module built by wasmc may weigh for an example spec: the
// runtime is most of it, and every kilobyte costs compile time in every host.
const maxModuleSize = 100_000

// TestModuleSize holds every example's module to maxModuleSize.
func TestModuleSize(t *testing.T) {
	paths, _ := filepath.Glob("../../examples/*/spec.yaml")
	if len(paths) == 0 {
		t.Fatal("no example specs")
	}
	for _, path := range paths {
		s, err := spec.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		mod, err := wasmc.Build(s, wasmc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", path, len(mod))
		if len(mod) > maxModuleSize {
			t.Errorf("%s: the module is %d bytes, more than %d", path, len(mod), maxModuleSize)
		}
	}
}

// BenchmarkCompile is how long wazero takes to compile each example's module on a
// fresh runtime (no compilation cache), as a host does when it starts. It reports
// best-ms, the fastest of the runs, which a busy machine disturbs least, besides the
// mean, and the module's size.
func BenchmarkCompile(b *testing.B) {
	paths, _ := filepath.Glob("../../examples/*/spec.yaml")
	for _, path := range paths {
		s, err := spec.LoadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		mod, err := wasmc.Build(s, wasmc.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(filepath.Dir(path)), func(b *testing.B) {
			best := time.Duration(math.MaxInt64)
			for b.Loop() {
				start := time.Now()
				r := wazero.NewRuntime(ctx)
				if _, err := r.CompileModule(ctx, mod); err != nil {
					b.Fatal(err)
				}
				best = min(best, time.Since(start))
				r.Close(ctx)
			}
			b.ReportMetric(float64(best.Microseconds())/1000, "best-ms")
			b.ReportMetric(float64(len(mod)), "bytes")
		})
	}
}
